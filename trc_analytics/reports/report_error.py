"""`ReportError`, the reports' own failure, in a module that imports nothing heavy.

`trc report` starts the report's kernel (`kernel.NotebookRunner`, whose `NotebookFailed` is a
`ReportError`) before it imports the request, polars and the rest of the reports, so the
kernel starts while they load (issue 13); `request` re-exports it where callers have always
found it.
"""

from __future__ import annotations

from trc_analytics.errors import TrcError


class ReportError(TrcError, ValueError):
    """The report could not be produced; the message says why in plain words."""
