"""Sandbox portal generator: writes a realistic Bitrix24 portal as a directory of JSON fixtures.

    from sandbox.generator import generate_portal, SCALES
    report = generate_portal(Path("/tmp/portal"), seed=42, scale="small")

The business, its dirty-data rates and the sizes per scale are described in
docs/sandbox-portal-model.md; the file format is DESIGN.md §4 and sandbox/fixture.py.
"""

from .clock import DEFAULT_AS_OF
from .portal import GenerationReport, generate_portal
from .scales import SCALES, Scale

__all__ = ["DEFAULT_AS_OF", "SCALES", "GenerationReport", "Scale", "generate_portal"]
