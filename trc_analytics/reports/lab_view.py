"""How a report's HTML shows inside JupyterLab, and how it comes back out for the offline page.

A section displayed in a notebook carries what it needs to look right there:

- the report stylesheet (`theme.report_css`, the one place its rules live), scoped to the
  output (`.trc-lab ...`) so it restyles nothing of JupyterLab itself, in a `<style>` in the
  first output of each cell: any cell reads alike whichever cells ran, were cleared or were
  scrolled away;
- its charts as `<img>` with an SVG data URI instead of inline `<svg>`. JupyterLab shows a
  notebook it has not signed (one `trc report --keep-notebook` wrote, or a colleague's)
  through its HTML sanitizer, which drops `<svg>` and `<style>` elements but keeps `<img>`:
  an inline chart would fall apart into its axis labels ("text soup"), an image stays a chart.
  An `image/svg+xml` output would not help: JupyterLab refuses to show it untrusted.

Nothing needs JavaScript. Without the stylesheet (untrusted) the HTML still reads in order.

The offline page must not carry one stylesheet per output, nor charts as images (the page
inlines its SVG and its stylesheet once): `report_outputs`, run by the exporter, turns every
output back into exactly the HTML the section produced (`from_lab(to_lab(html)) == html`).
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Any

#: Class of the element wrapping every report output inside JupyterLab (the CSS scope).
SCOPE = "trc-lab"
#: Class of a chart drawn as an image inside JupyterLab.
CHART_CLASS = "trc-lab-chart"
_SVG_NS = ' xmlns="http://www.w3.org/2000/svg"'
_XLINK_NS = ' xmlns:xlink="http://www.w3.org/1999/xlink"'
#: What an output is in JupyterLab beyond the report's own rules: no page margins (the output
#: area has its own) and charts that shrink with the output like the inline SVG does.
_LAB_FRAME = (
    f".{SCOPE}{{margin:0;padding:0.2rem 0.4rem}}"
    f".{SCOPE} img.{CHART_CLASS}{{max-width:100%;height:auto;display:block}}"
)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
#: A selector's leading page-level compound (`:root`, `html`, `body.trc-report`): the output.
_PAGE = re.compile(r"^(?::root|html|body)(?:[.#][\w-]+)*(?=$|[\s>+~])")
#: At-rules whose block holds style rules to scope; `@page` and the like are left out.
_GROUPING = ("@media", "@supports", "@container", "@layer")
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_IMG = re.compile(
    rf'<img class="{CHART_CLASS}" alt="chart" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]*)">'
)


def _blocks(css: str) -> list[tuple[str, str]]:
    """Top-level `(prelude, body)` pairs of a stylesheet without comments; a statement such as
    `@charset "x";` comes as `(statement, "")`."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(css):
        brace = css.find("{", i)
        semi = css.find(";", i)
        if brace < 0:
            break
        if 0 <= semi < brace and css[i:semi].strip().startswith("@"):
            out.append((css[i:semi].strip(), ""))
            i = semi + 1
            continue
        depth, j = 1, brace + 1
        while j < len(css) and depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        out.append((css[i:brace].strip(), css[brace + 1 : j - 1]))
        i = j
    return out


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside `:is(...)` or `[...]`)."""
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(prelude):
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        if ch == "," and depth == 0:
            parts.append(prelude[start:k])
            start = k + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def _scoped_selector(selector: str, scope: str) -> str | None:
    """`h2` -> `.trc-lab h2`, `body.trc-report` -> `.trc-lab`; None for the notebook page's own
    wrappers (`.jp-...`), which an output never contains."""
    if selector.startswith(".jp-"):
        return None
    page = _PAGE.match(selector)
    if page:
        return f"{scope}{selector[page.end() :]}"
    return f"{scope} {selector}"


def scope_css(css: str, scope: str = f".{SCOPE}") -> str:
    """The stylesheet with every rule confined to elements inside `scope`.

    Page-level rules (`:root`, `html`, `body`) apply to the scope element itself; `@media` and
    the like are scoped inside; `@page`, `@import` and other statements are dropped (an output
    is not a page and fetches nothing).
    """
    out = []
    for prelude, body in _blocks(_COMMENT.sub("", css)):
        if prelude.startswith(_GROUPING):
            inner = scope_css(body, scope)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            continue
        else:
            selectors = [_scoped_selector(s, scope) for s in _split_selectors(prelude)]
            kept = [s for s in selectors if s]
            if kept:
                out.append(f"{','.join(kept)}{{{' '.join(body.split())}}}")
    return "".join(out)


@functools.cache
def lab_css() -> str:
    """The report stylesheet scoped to one output, plus the output's own frame."""
    from trc_analytics.reports.theme import report_css

    return scope_css(report_css()) + _LAB_FRAME


def _chart_image(match: re.Match[str]) -> str:
    svg = match.group(0)
    ns = _SVG_NS + (_XLINK_NS if "xlink:" in svg else "")
    data = base64.b64encode(("<svg" + ns + svg[4:]).encode("utf-8")).decode("ascii")
    return f'<img class="{CHART_CLASS}" alt="chart" src="data:image/svg+xml;base64,{data}">'


def _inline_chart(match: re.Match[str]) -> str:
    svg = base64.b64decode(match.group(1)).decode("utf-8")
    for ns in (_SVG_NS, _XLINK_NS):
        if svg[4:].startswith(ns):
            svg = "<svg" + svg[4 + len(ns) :]
    return svg


_OPEN = f'<div class="{SCOPE}">'
_CLOSE = "</div>"
#: The notebook cell (IPython execution count) whose outputs already carry the stylesheet.
_styled_cell: list[int | None] = [None]


def _execution_count() -> int | None:
    """The number of the cell IPython is running (None outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count


def _style() -> str:
    """The stylesheet once per notebook cell: a cell's outputs show and vanish together (even
    when JupyterLab detaches cells scrolled out of view), so its first output styles the rest;
    a portfolio's one cell of 98 outputs carries it once, not 98 times."""
    count = _execution_count()
    if count is not None and count == _styled_cell[0]:
        return ""
    _styled_cell[0] = count
    return f"<style>{lab_css()}</style>"


def to_lab(html: str) -> str:
    """A report output as JupyterLab shows it: scoped styles and charts as SVG images."""
    return f"{_OPEN}{_style()}{_SVG.sub(_chart_image, html)}{_CLOSE}"


def from_lab(html: str) -> str:
    """The report HTML `to_lab` was given (any other HTML comes back unchanged)."""
    if not (html.startswith(_OPEN) and html.endswith(_CLOSE)):
        return html
    inner = html[len(_OPEN) : -len(_CLOSE)]
    if inner.startswith("<style>"):
        inner = inner[inner.index("</style>") + len("</style>") :]
    return _IMG.sub(_inline_chart, inner)


def report_outputs(nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """nbconvert preprocessor: every report output back to the report's own HTML, so the
    offline page inlines its stylesheet once and its charts as SVG."""
    for cell in nb.cells:
        for output in cell.get("outputs", ()):
            data = output.get("data") or {}
            html = data.get("text/html")
            if html is not None:
                text = html if isinstance(html, str) else "".join(html)
                data["text/html"] = from_lab(text)
    return nb, resources
