"""The business inputs the CRM does not hold: sales plans, the working calendar and the business
rules (which stages, activities and custom fields are the events the plan counts, and what serving
a customer costs). Read from files in `data/inputs/` (templates in `data/templates/`), checked
against the portal's own users, stages and fields, and loaded into the `inputs` schema."""

from pipelines.inputs.errors import InputError
from pipelines.inputs.load import InputFiles, load_inputs

__all__ = ["InputError", "InputFiles", "load_inputs"]
