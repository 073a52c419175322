"""Publishing the marts for BI: a published DuckDB file or the PostgreSQL schema `marts`, swapped in
whole after the marts gate passed (docs/bi.md)."""

from orchestration.publish.readiness import PublishRefused, Verdict, publish_verdict
from orchestration.publish.step import PublishResult, built_marts_schema, publish_marts, rollback

__all__ = ["PublishRefused", "PublishResult", "Verdict", "built_marts_schema", "publish_marts", "publish_verdict",
           "rollback"]
