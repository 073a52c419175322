"""Product rows in bulk (`crm.item.productrow.list`): chunks of deals, chained pages, the rows of
changed deals after live changes, deals that lose every row, and the fallback to
`crm.deal.productrows.get` when a portal refuses the bulk method."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pytest

from pipelines.bitrix24.product_rows import BulkProductRowReader, ChangedDeals, ChunkRows
from pipelines.bitrix24.transport import Bitrix24Transport
from pipelines.bitrix24.webhook import Webhook
from sandbox.live import ChangePlan, LiveConfig
from sandbox.server.methods.registry import METHODS
from tests.conftest import write_array
from tests.pipelines.conftest import duckdb_warehouse, extract
from tests.pipelines.raw_compare import compare_table

BULK = "crm.item.productrow.list"


def product_rows(con) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in con.execute(
        "select id, owner_id, product_id, quantity, price, price_account from raw_bitrix24.deal_product_rows "
        "where not coalesce(_deleted, false) and not coalesce(_is_deleted, false)").fetchall()}


# -- the reader on its own: chunks, pages, continuations ---------------------------------------------

@pytest.fixture(scope="module")
def lopsided_portal(tmp_path_factory) -> Path:
    """300 deals: deal 5 has 175 rows, deals 100..299 one row each, the rest none."""
    portal = tmp_path_factory.mktemp("lopsided")
    write_array(portal / "crm.deal.list.json", [{"ID": str(i), "TITLE": f"Deal {i}"} for i in range(1, 301)])
    owners = [5] * 175 + list(range(100, 300))
    rows = [{"ID": str(row_id), "OWNER_ID": str(owner), "OWNER_TYPE": "D", "PRODUCT_ID": 7, "PRODUCT_NAME": "Chair",
             "PRICE": 10, "PRICE_ACCOUNT": "10.00", "QUANTITY": 1, "SORT": 10}
            for row_id, owner in enumerate(owners, start=1)]
    write_array(portal / "crm.deal.productrows.get.json", rows)
    return portal


def read_all(sandbox, deal_ids: list[int], chunk: int) -> tuple[list[ChunkRows], BulkProductRowReader]:
    deals = ChangedDeals()
    deals.add(deal_ids)
    deals.close()
    reader = BulkProductRowReader(Bitrix24Transport(Webhook.parse(sandbox.webhook_url)), deals, max_owner_ids=chunk)
    return list(reader.read()), reader


@pytest.mark.parametrize("chunk", [1, 40, 250])
def test_reader_returns_every_row_once_and_every_deal_without_rows(serve_module, lopsided_portal, chunk):
    sandbox = serve_module(lopsided_portal)
    answers, reader = read_all(sandbox, list(range(1, 301)), chunk)
    ids = [row["id"] for answer in answers for row in answer.rows]
    assert sorted(ids) == list(range(1, 376)) and len(ids) == len(set(ids))
    without = sorted(deal for answer in answers for deal in answer.deals_without_rows)
    assert without == [deal for deal in range(1, 100) if deal != 5] + [300]
    # 375 rows need 8 pages; whatever the chunk, the requests stay few (the 175-row deal and
    # the first estimate cost a continuation or two).
    assert reader.requests <= (3 if chunk > 1 else 12), reader.requests


def test_changed_deals_hand_out_full_chunks_while_deals_stream_in():
    deals = ChangedDeals()
    deals.add([1, 2, 3])
    assert deals.take(5, block=False) == []  # not a full chunk yet
    deals.add([4, 5, 6])
    assert deals.take(5, block=False) == [1, 2, 3, 4, 5]
    deals.close()
    assert deals.take(5) == [6]  # the end: a short chunk
    assert deals.take(5) is None


# -- full and incremental loads ----------------------------------------------------------------------

def test_full_load_reads_product_rows_in_bulk(tiny_portal, serve, tmp_path, caplog):
    sandbox = serve(tiny_portal)
    warehouse = duckdb_warehouse(tmp_path)
    with caplog.at_level(logging.WARNING, logger="crm_warehouse.extract"):
        result = extract(sandbox, warehouse)
    assert not [r for r in caplog.records if "refuses" in r.getMessage()]
    counters = result.stats.entities["deal_product_rows"]
    fixture = json.loads((tiny_portal / "crm.deal.productrows.get.json").read_text())
    assert counters.rows == len(fixture) == 312
    assert counters.requests <= 2  # 312 rows of 150 deals: one request (plus one if the guess was short)
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
        assert compare_table(con, "raw_bitrix24", tiny_portal, "deal_product_rows", result.portal_id) == []


@pytest.fixture(scope="module")
def changed(tiny_portal, serve_module, tmp_path_factory):
    plan = ChangePlan(product_row_changes=25)
    sandbox = serve_module(tiny_portal, live=LiveConfig(seed=9, plan=plan))
    warehouse = duckdb_warehouse(tmp_path_factory.mktemp("rows-incremental"))
    extract(sandbox, warehouse, reconcile=True)
    changes = sandbox.live.advance(2)
    incremental = extract(sandbox, warehouse, reconcile=True)  # deleted deals: their rows are marked
    truth = tmp_path_factory.mktemp("rows-truth")
    sandbox.store.dump(truth)
    fresh = duckdb_warehouse(tmp_path_factory.mktemp("rows-fresh"))
    extract(serve_module(truth), fresh)
    yield changes, incremental, truth, warehouse, fresh


def test_live_steps_add_change_and_remove_rows(changed, tiny_portal):
    _, _, truth, _, _ = changed
    before = {row["ID"]: row for row in json.loads((tiny_portal / "crm.deal.productrows.get.json").read_text())}
    after = {row["ID"]: row for row in json.loads((truth / "crm.deal.productrows.get.json").read_text())}
    assert set(after) - set(before), "no row added"
    assert set(before) - set(after), "no row removed"
    assert [key for key in set(before) & set(after) if before[key]["QUANTITY"] != after[key]["QUANTITY"]]
    owners_before = {row["OWNER_ID"] for row in before.values()}
    owners_after = {row["OWNER_ID"] for row in after.values()}
    assert owners_before - owners_after, "no deal lost all its rows"


def test_incremental_equals_a_fresh_full_load_of_the_changed_portal(changed):
    _, incremental, truth, warehouse, fresh = changed
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con, \
            duckdb.connect(str(fresh.duckdb_path), read_only=True) as fresh_con:
        assert compare_table(con, "raw_bitrix24", truth, "deal_product_rows", incremental.portal_id) == []
        assert product_rows(con) == product_rows(fresh_con)


def test_incremental_reads_changed_deals_rows_in_a_few_requests(changed):
    changes, incremental, _, _, _ = changed
    assert changes["product_rows_changed"] >= 40  # 25 open deals a step (fewer once few are open)
    counters = incremental.stats.entities["deal_product_rows"]
    assert 0 < counters.rows < 312
    assert counters.requests <= 2


# -- a portal that refuses the bulk method --------------------------------------------------------------

def _unfiltered(ctx, params):
    """Every product row of the portal, keyset-paged: what a portal ignoring `=ownerId` answers."""
    from sandbox.server.envelope import MethodResult
    from sandbox.server.methods.listing import ListRequest, Paging, parse_filter, run_list
    from sandbox.server.methods.product_rows import ROWS_METHOD, typed_row

    conditions = [c for c in parse_filter(params.get("filter")) if c.field.lower() == "id"]
    rows, outcome = run_list(ctx.store.table(ROWS_METHOD), ListRequest(conditions, [("ID", "ASC")], -1, None),
                             Paging.ORM, ctx.cost_model, project=typed_row)
    return MethodResult(result={"productRows": rows}, total=0, cost=outcome.cost)


@pytest.mark.parametrize("portal_kind", ["no bulk method", "ignores the owner array"])
def test_a_portal_refusing_the_bulk_method_falls_back_deal_by_deal(tiny_portal, serve, tmp_path, caplog,
                                                                     monkeypatch, portal_kind):
    if portal_kind == "no bulk method":
        monkeypatch.delitem(METHODS, BULK)
    else:
        monkeypatch.setitem(METHODS, BULK, lambda ctx, params: _unfiltered(ctx, params))
    # Chunks of 40 deals: with one chunk of every deal, an ignored owner filter would go unnoticed
    # (and be harmless: the rows asked for are all the rows there are).
    monkeypatch.setenv("SOURCES__BITRIX24__PRODUCT_ROW_CHUNK", "40")
    sandbox = serve(tiny_portal)
    warehouse = duckdb_warehouse(tmp_path)
    with caplog.at_level(logging.WARNING, logger="crm_warehouse.extract"):
        result = extract(sandbox, warehouse)
    warnings = [r.getMessage() for r in caplog.records if "refuses" in r.getMessage()]
    assert len(warnings) == 1
    assert "crm.item.productrow.list" in warnings[0] and "crm.deal.productrows.get" in warnings[0]
    assert ("ERROR_METHOD_NOT_FOUND" if portal_kind == "no bulk method" else "not applied") in warnings[0]
    counters = result.stats.entities["deal_product_rows"]
    # The refused request, then 50 deals a request: 3, or 4 when the last chunk came apart.
    assert counters.rows == 312 and counters.requests in (1 + 3, 1 + 4)
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
        assert compare_table(con, "raw_bitrix24", tiny_portal, "deal_product_rows", result.portal_id) == []
