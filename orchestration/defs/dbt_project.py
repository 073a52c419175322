"""The dbt project, in a module of its own so that `dagster-dbt project prepare-and-package --file
orchestration/defs/dbt_project.py` (or `dbt parse`, as `make setup` does) can prepare its manifest
before the definitions load (stack notes P7: outside `dagster dev` the manifest must exist)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration.transform import PROJECT_DIR

# The manifest is parsed with the default warehouse path: DuckDB's database name is the file
# stem, baked into the manifest, so every warehouse file is called warehouse.duckdb (P4).
DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
# Under `dagster dev` only: parses the project on start (it has no packages, so no `dbt deps`, P6).
DBT_PROJECT.prepare_if_dev()
