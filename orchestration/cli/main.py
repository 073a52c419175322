"""`crm-warehouse`: the one console command (DESIGN.md §4)."""

from __future__ import annotations

import click

from orchestration.cli.extract_command import extract
from orchestration.cli.inputs_command import inputs
from orchestration.cli.publish_command import publish
from orchestration.cli.run_command import run
from orchestration.cli.sandbox_commands import sandbox
from orchestration.cli.transform_command import transform
from orchestration.cli.validate_command import validate


class CommandLine(click.Group):
    def invoke(self, ctx: click.Context):
        """A bad warehouse setting is one line naming it, whichever command meets it."""
        from pipelines.warehouse import WarehouseConfigError

        try:
            return super().invoke(ctx)
        except WarehouseConfigError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=CommandLine, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="crm-warehouse")
def main() -> None:
    """CRM sales-analytics warehouse: Bitrix24 -> raw -> staging -> marts.

    Configuration comes from flags, environment variables and dlt's .dlt/config.toml and
    secrets.toml. Secrets (webhook tokens, passwords) are never printed.
    """


main.add_command(sandbox)
main.add_command(extract)
main.add_command(inputs)
main.add_command(transform)
main.add_command(validate)
main.add_command(publish)
main.add_command(run)
