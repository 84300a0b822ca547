"""The `trc` command: a thin, lazily imported layer over the library API.

Each subcommand lives in its own module under `trc_analytics.cli` and is imported only when
it runs, so `trc --help` starts without loading polars, altair or Jupyter.
"""

from __future__ import annotations

import importlib
import sys

import click

#: subcommand name -> "module:function" of a click command, imported on first use.
COMMANDS: dict[str, str] = {
    "checks": "trc_analytics.cli.checks:checks",
    "coaching-log": "trc_analytics.cli.coaching_log:coaching_log",
    "demo": "trc_analytics.cli.demo:demo",
    "findings": "trc_analytics.cli.findings:findings",
    "lab": "trc_analytics.cli.lab:lab",
    "metrics": "trc_analytics.cli.metrics:metrics",
    "progress": "trc_analytics.cli.progress:progress",
    "pseudonymize": "trc_analytics.cli.pseudonymize:pseudonymize",
    "renewal": "trc_analytics.cli.renewal:renewal",
    "report": "trc_analytics.cli.report:report",
    "templates": "trc_analytics.cli.templates:templates",
    "validate": "trc_analytics.cli.validate:validate",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when invoked or listed in help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand; a `WorkspaceError` raised after loading (a Parquet file held as
        a scan changed since it was validated) ends with its sentence, not a traceback."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            records = sys.modules.get("trc_analytics.records.workspace")  # loaded if raised
            if records is None or not isinstance(exc, records.WorkspaceError):
                raise
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(1) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trc-analytics", prog_name="trc")
def main() -> None:
    """Supervision and practice analytics for Trauma Recovery Coaches."""


if __name__ == "__main__":  # pragma: no cover
    main()
