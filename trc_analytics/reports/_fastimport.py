"""Keep report kernels quick to start: skip a grammar compiled at import time that no report uses.

`jsonschema` (imported by altair and nbformat) tries `rfc3987_syntax` for its optional "iri"
format check; that package compiles a Lark grammar on import, about 2 s on this kind of machine,
more than a whole report. Neither the Vega-Lite schema nor the notebook schema uses the "iri"
format, so reports mark the module unavailable before jsonschema is first imported.
"""

from __future__ import annotations

import sys


def skip_slow_optional_imports() -> None:
    """Make `import rfc3987_syntax` fail fast, unless something already imported it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
