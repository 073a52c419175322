"""Publishing (orchestration/publish: publish_marts, the step `crm-warehouse publish` runs) as the
last asset: what BI tools read, replaced only after the marts gate passed (DESIGN.md §4).

Seam: when `orchestration.publish` is not installed the asset is not defined (PUBLISH_AVAILABLE),
rather than claiming a publish that did not happen.
"""

import importlib.util
from collections.abc import Sequence

import dagster as dg

from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource

PUBLISH_AVAILABLE = importlib.util.find_spec("orchestration.publish") is not None
PUBLISHED_KEY = dg.AssetKey(["published", "marts"])


def published_marts_asset(mart_keys: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(key=PUBLISHED_KEY, deps=list(mart_keys), group_name="published", pool=WAREHOUSE_POOL,
              kinds={"duckdb"}, op_tags={"crm/step": "publish"},
              description="The published marts BI tools read: a DuckDB file of their own replaced atomically, "
                          "or PostgreSQL's schema marts swapped in one transaction.")
    def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from orchestration.publish import PublishRefused, publish_marts

        try:
            result = publish_marts(warehouse.config(), progress=context.log.info)
        except PublishRefused as error:
            raise dg.Failure(description=f"publish refused: {error}") from None
        for line in result.lines():
            context.log.info(line)
        metadata: dict[str, object] = {"engine": result.engine, "location": result.location,
                                       "connect": result.connect, "checked": result.note,
                                       "summary": result.summary, "publish_seconds": round(result.seconds, 2)}
        if result.size_bytes is not None:
            metadata["size_bytes"] = result.size_bytes
        return dg.MaterializeResult(metadata=metadata)

    return published_marts
