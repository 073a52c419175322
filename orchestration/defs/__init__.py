"""The Dagster code location's parts: one module per kind of definition (orchestration/definitions.py
assembles them). Each asset calls the step function the command line calls."""
