# The two commands of the README: `make demo` (main job on the sandbox portal) and `make test`.
# Both set up the virtual environment on first use, so a fresh machine needs nothing else.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# Nothing may phone home at run time (DEVELOPERS.md): telemetry off for every tool of the stack.
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export RUNTIME__DLTHUB_TELEMETRY      := false
export GX_ANALYTICS_ENABLED           := false
export DAGSTER_DISABLE_TELEMETRY      := 1

.PHONY: demo test setup ui clean

# The Dagster instance: dagster.yaml of the repo, state under data/dagster (docs/operations.md).
DAGSTER_HOME_DIR := $(CURDIR)/data/dagster
UI_PORT ?= 3000

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# The dbt manifest must exist before the Dagster definitions load outside `dagster dev` (stack notes P7).
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' \) -print)
dbt_project/target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	$(BIN)/dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project

setup: $(VENV)/.installed dbt_project/target/manifest.json

demo: setup
	$(BIN)/crm-warehouse run --sandbox small

test: setup
	$(BIN)/pytest

# Dagster's UI and daemon (schedules, the input-file sensor, the run queue) on the sandbox portal.
ui: setup
	mkdir -p $(DAGSTER_HOME_DIR) && ln -sf $(CURDIR)/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/dagster dev --host 127.0.0.1 --port $(UI_PORT)

clean:
	rm -rf $(VENV) data/sandbox data/*.duckdb
