import click

@click.group()
def main() -> None:
    """CRM sales-analytics warehouse."""
