"""The hand-written portals (funnel, plan/fact), extracted and built once for the mart tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.dbt.dbt_runner import dbt, statuses
from tests.pipelines.conftest import extract_portal


@pytest.fixture(scope="session")
def funnel_portal() -> Path:
    """14 deals and 6 leads, one per transition kind; their funnels are worked out by hand in
    tests/fixtures/portals/funnel/README.md."""
    return FIXTURES / "portals" / "funnel"


def build_portal(portal_dir: Path, directory: Path, load_inputs_from: Path | None = None):
    """Serves a hand-written portal, extracts it into DuckDB under `directory`, loads the business
    inputs of `load_inputs_from` (if given) and runs `dbt build` (models and tests)."""
    warehouse = extract_portal(portal_dir, directory)
    if load_inputs_from is not None:
        from pipelines.inputs import InputFiles, load_inputs

        load_inputs(warehouse, InputFiles.from_directory(load_inputs_from))
    with pytest.MonkeyPatch.context() as monkeypatch:
        result = dbt(["build"], warehouse.duckdb_path, directory, monkeypatch)
    return result, warehouse.duckdb_path


@pytest.fixture(scope="session")
def funnel_build(funnel_portal, tmp_path_factory):
    """The funnel portal served, extracted into DuckDB and built with `dbt build` (models and tests)."""
    return build_portal(funnel_portal, tmp_path_factory.mktemp("funnel-warehouse"))


@pytest.fixture(scope="session")
def funnel_warehouse(funnel_build) -> Path:
    result, path = funnel_build
    assert result.success, statuses(result)
    return path


@pytest.fixture(scope="session")
def planfact_portal() -> Path:
    """Two managers' March 2025 (a month with a holiday) with plans, activities, calls, payments and
    product rows; the plan/fact, activity, profitability and quality marts are worked out by hand in
    tests/fixtures/portals/planfact/README.md."""
    return FIXTURES / "portals" / "planfact"


@pytest.fixture(scope="session")
def planfact_build(planfact_portal, tmp_path_factory):
    """The plan/fact portal served, extracted, its inputs loaded (plans and calendar from the
    fixture, business rules from data/templates) and built with `dbt build`."""
    return build_portal(planfact_portal, tmp_path_factory.mktemp("planfact-warehouse"),
                        load_inputs_from=planfact_portal / "inputs")


@pytest.fixture(scope="session")
def planfact_warehouse(planfact_build) -> Path:
    result, path = planfact_build
    assert result.success, statuses(result)
    return path
