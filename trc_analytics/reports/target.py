"""What `trc report` settles before anything heavy is imported: how a report fails, its file name
and whether the folders it is written to can take it.

Nothing here imports polars (or the metrics, checks and report modules behind `ReportRequest`):
`trc report` refuses an output folder it cannot write to from this module alone, before it
starts the report's kernel, and then starts the kernel while it imports the rest (about 0.5 s
CPU earlier on two cores). `request` re-exports the errors and builds its file name here, so
there is one definition of each.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from trc_analytics.errors import TrcError
from trc_analytics.period import Period


class ReportError(TrcError, ValueError):
    """The report could not be produced; the message says why in plain words."""


class ReportUsageError(ReportError):
    """The report was asked for with parameters it refuses (`trc report` exits 2).

    The message names command-line options (`--coach`); `notebook` is the same refusal in the
    words of a report notebook's parameters cell (`coach`), which `open_report` raises.
    """

    def __init__(self, message: str, *, notebook: str | None = None) -> None:
        super().__init__(message)
        self.notebook = notebook or message


def report_subject(kind: str, coach: str | None, supervisor: str | None) -> str:
    """Coach id, `portfolio-<supervisor id>`, or `all` for the association."""
    if kind == "association":
        return "all"
    if supervisor:
        return f"portfolio-{supervisor}"
    return str(coach)


def report_file_name(kind: str, subject: str, period: Period) -> str:
    """`<kind>_<subject>_<from>_<to>.html`, safe on every file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", subject)
    return f"{kind}_{safe}_{period.label()}.html"


def notebook_file_name(file_name: str) -> str:
    """The kept notebook's file name beside report `file_name` (`.ipynb` for `.html`)."""
    return Path(file_name).stem + ".ipynb"


def check_targets(
    file_name: str,
    out_dir: str | os.PathLike[str],
    keep_notebook: str | os.PathLike[str] | None = None,
) -> None:
    """Raise `ReportError` when report `file_name` (or its kept notebook) could not be written:
    a folder in the file's place, a shared, linked or read-only folder, a full disk. Checked
    before rendering, so no time is spent (and no kernel started) for a report that cannot be
    saved."""
    from trc_analytics.outputs import OutputError, check_target

    try:
        check_target(Path(out_dir) / file_name)
        if keep_notebook:
            check_target(Path(keep_notebook) / notebook_file_name(file_name))
    except OutputError as exc:
        raise ReportError(str(exc)) from None
