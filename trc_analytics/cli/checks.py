"""`trc checks`: list the ethics check catalogue with the passage of the Code each enforces."""

from __future__ import annotations

import click


@click.command("checks")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people; json for machines.",
)
def checks(fmt: str) -> None:
    """List every check: id, severity, title, the passage of the Code it enforces, the tables it
    needs and the policy values (with their defaults) it uses."""
    from trc_analytics.checks import CHECKS
    from trc_analytics.policy import Policy

    defaults = Policy()
    if fmt == "json":
        import json

        doc = [
            {
                "id": c.id,
                "severity": c.severity,
                "severity_note": c.severity_note or None,
                "title": c.title,
                "passage": c.passage,
                "tables": list(c.tables),
                "optional_tables": list(c.optional_tables),
                "policy": {name: getattr(defaults, name) for name in c.policy_values},
                "case": c.unit,
            }
            for c in CHECKS
        ]
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return

    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    for c in CHECKS:
        severity = c.severity + (f" ({c.severity_note})" if c.severity_note else "")
        console.print(f"[bold]{c.id}[/]  {escape(severity)}  {escape(c.title)}")
        console.print(f"  “{escape(c.passage)}”", style="italic")
        needs = ", ".join(c.tables)
        if c.optional_tables:
            needs += f" (uses if present: {', '.join(c.optional_tables)})"
        console.print(f"  needs: {escape(needs)}")
        if c.policy_values:
            values = ", ".join(f"{n} = {getattr(defaults, n)}" for n in c.policy_values)
            console.print(f"  policy: {escape(values)}")
        console.print()
