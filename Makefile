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

.PHONY: demo test setup clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/crm-warehouse run --sandbox small

test: setup
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data/sandbox data/*.duckdb
