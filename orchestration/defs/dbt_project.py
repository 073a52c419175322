"""The dbt project, in a module of its own so that `dagster-dbt project prepare-and-package --file
orchestration/defs/dbt_project.py` (or `dbt parse`, as `make setup` does) can prepare its manifest
before the definitions load (stack notes P7: outside `dagster dev` the manifest must exist)."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.transform import PROJECT_DIR, dbt_executable

# dagster-dbt runs `dbt` from PATH when it prepares the project (stack notes P12): this
# environment's dbt, also when the UI starts without an activated virtual environment.
_BIN = str(Path(dbt_executable()).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

# The manifest is parsed with the default warehouse path: DuckDB's database name is the file
# stem, baked into the manifest, so every warehouse file is called warehouse.duckdb (P4).
DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
# Under `dagster dev` only: parses the project on start (it has no packages, so no `dbt deps`, P6).
DBT_PROJECT.prepare_if_dev()
