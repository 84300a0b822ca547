"""Keep report kernels quick to start: skip imports at start-up that no report uses.

`jsonschema` (imported by altair and nbformat) tries `rfc3987_syntax` for its optional "iri"
format check; that package compiles a Lark grammar on import, about 2 s on this kind of machine,
more than a whole report. Neither the Vega-Lite schema nor the notebook schema uses the "iri"
format, so reports mark the module unavailable before jsonschema is first imported.

A report kernel (`report_kernel`, a process that runs the report notebooks and nothing else)
goes further (`skip_report_kernel_imports`, issue 13): about 0.15 s CPU of its start-up went to
modules no report uses, on the path every fresh report waits for.
"""

from __future__ import annotations

import sys

#: jsonschema's optional format checkers (imported with jsonschema, when installed) and the
#: formats each checks. The Vega-Lite schema altair validates charts against uses none of these
#: formats but "uri" and "uri-reference" (and "color-hex", which no checker knows); a report
#: chart holds no URI (its data is inline, and the chart helper's vl-convert loads no URL:
#: `chart_engine`), so in a report kernel the "uri" check could only pass.
FORMAT_CHECKERS: dict[str, tuple[str, ...]] = {
    "rfc3986_validator": ("uri", "uri-reference"),
    "rfc3339_validator": ("date-time",),
    "isoduration": ("duration",),
    "webcolors": ("color",),
    "fqdn": ("hostname",),
    "idna": ("idn-hostname",),
    "uri_template": ("uri-template",),
    "jsonpointer": ("json-pointer", "relative-json-pointer"),
}
#: What a report kernel does without: the format checkers above, and debugpy, which ipykernel
#: imports when it builds its debugger (about 0.1 s CPU) for a client that never attaches to a
#: report kernel; without it the kernel answers no debug request and, even asked, would open
#: no debugger port on 127.0.0.1 (report kernels listen on Unix sockets only).
REPORT_KERNEL_SKIPS = (*FORMAT_CHECKERS, "debugpy")


def skip_slow_optional_imports() -> None:
    """Make `import rfc3987_syntax` fail fast, unless something already imported it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def skip_report_kernel_imports() -> None:
    """In a report kernel, before anything is imported: mark `REPORT_KERNEL_SKIPS` unavailable
    (their users carry on as when they are not installed). Not for JupyterLab kernels: a
    user's own code there may check formats or debug."""
    skip_slow_optional_imports()
    if "jsonschema" not in sys.modules:
        for name in FORMAT_CHECKERS:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    if "ipykernel" not in sys.modules:
        sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type]


def import_papermill() -> None:
    """Import papermill without the PyArrow it loads for reading notebooks from HDFS.

    `papermill.iorw` imports `pyarrow.fs` (and with it PyArrow and NumPy, about 0.1 s CPU)
    for its `hdfs://` handler, at import. A report hands papermill its notebook as a node and
    asks for no output file, so no handler is used, and nothing else in `trc report` imports
    PyArrow: the module is marked unavailable only while papermill is imported (papermill
    then keeps a stub that names the missing package if an hdfs:// path is ever given), and
    anything imported later finds `pyarrow.fs` as installed.
    """
    if "papermill" in sys.modules:
        return
    hidden = "pyarrow.fs" not in sys.modules
    if hidden:
        sys.modules["pyarrow.fs"] = None  # type: ignore[assignment]
    try:
        import papermill.engines  # noqa: F401
    finally:
        if hidden and "pyarrow.fs" in sys.modules and sys.modules["pyarrow.fs"] is None:
            del sys.modules["pyarrow.fs"]
