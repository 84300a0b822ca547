"""A small OpenDocument spreadsheet (.ods) writer: typed cells, drop-down lists, hidden sheets.

The templates are written as .ods as well as .xlsx because .ods is LibreOffice's own format: a
template saved there keeps its drop-downs for every validated row, where LibreOffice's .xlsx
export keeps them only for about a thousand rows below the last filled one. No library is
needed for this: an .ods is a zip of a few XML parts (ODF 1.2, part 1 section 3 and part 2 for
the validation formulas). The output is the same bytes at every run (fixed dates and zip
times), so a committed template can be compared with a fresh one.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "of": "urn:oasis:names:tc:opendocument:xmlns:of:1.2",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
}
_XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items())

#: Cell styles a column or cell may use: name -> (data style, extra properties XML).
CELL_STYLES = {
    "head": (
        None,
        '<style:table-cell-properties fo:background-color="#ddebf7" '
        'fo:border="0.5pt solid #000000"/><style:text-properties fo:font-weight="bold"/>',
    ),
    "text": ("N_text", ""),
    "date": ("N_date", ""),
    "boolean": ("N_bool", ""),
    "wrap": (
        None,
        '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/>',
    ),
}
_DATA_STYLES = (
    '<number:text-style style:name="N_text"><number:text-content/></number:text-style>'
    '<number:date-style style:name="N_date"><number:year number:style="long"/>'
    '<number:text>-</number:text><number:month number:style="long"/>'
    '<number:text>-</number:text><number:day number:style="long"/></number:date-style>'
    '<number:boolean-style style:name="N_bool"><number:boolean/></number:boolean-style>'
)


@dataclass(frozen=True)
class Validation:
    """A content validation: an ODF condition (`of:cell-content-is-in-list(...)`, ...) and the
    error LibreOffice shows when a typed value fails it; `drop_down` shows the list."""

    condition: str
    error_title: str = ""
    error_message: str = ""
    drop_down: bool = False


@dataclass
class Column:
    """A sheet column: its width, the style of its empty cells (`CELL_STYLES` or "" for none),
    the validation of its data cells and a comment on its header cell."""

    width_cm: float
    style: str = ""
    validation: Validation | None = None
    comment: str | None = None


@dataclass
class Sheet:
    """One sheet: a header row, data rows of plain values (str, int, float, bool, date, None),
    and `validated_rows` rows below the header that carry the columns' validations."""

    name: str
    header: list[str]
    columns: list[Column]
    rows: list[Sequence[Any]] = field(default_factory=list)
    validated_rows: int = 0
    hidden: bool = False
    freeze_header: bool = False


def in_list(values: Sequence[str]) -> str:
    """The ODF condition allowing only `values` (an inline list)."""
    quoted = ";".join('"' + v.replace('"', '""') + '"' for v in values)
    return f"of:cell-content-is-in-list({quoted})"


def in_range(sheet: str, column: str, first: int, last: int) -> str:
    """The ODF condition allowing only the values of `sheet`.`column``first`:`column``last`."""
    return f"of:cell-content-is-in-list([$'{sheet}'.${column}${first}:.${column}${last}])"


def ods_bytes(sheets: Sequence[Sheet], properties: dict[str, Any]) -> bytes:
    """The .ods file holding `sheets`, with the document properties of `properties` (title,
    subject, author, comments, created)."""
    parts = {
        "META-INF/manifest.xml": _manifest(),
        "meta.xml": _meta(properties),
        "styles.xml": _styles(),
        "content.xml": _content(sheets),
        "settings.xml": _settings(sheets),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # the mimetype comes first and uncompressed, so tools can recognize the file
        z.writestr(zipfile.ZipInfo("mimetype", (1980, 1, 1, 0, 0, 0)), MIMETYPE)
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def _doc(root: str, body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:{root} {_XMLNS} office:version="1.3">'
        f"{body}</office:{root}>"
    )


def _manifest() -> str:
    ns = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    entries = [("/", MIMETYPE)] + [
        (p, "text/xml") for p in ("content.xml", "styles.xml", "meta.xml", "settings.xml")
    ]
    rows = "".join(
        f'<manifest:file-entry manifest:full-path="{p}" manifest:media-type="{t}"'
        + (' manifest:version="1.3"' if p == "/" else "")
        + "/>"
        for p, t in entries
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="{ns}" '
        f'manifest:version="1.3">{rows}</manifest:manifest>'
    )


def _meta(properties: dict[str, Any]) -> str:
    created = properties.get("created", dt.datetime(2026, 1, 1))
    items = [
        ("dc:title", properties.get("title")),
        ("dc:subject", properties.get("subject")),
        ("dc:description", properties.get("comments")),
        ("meta:initial-creator", properties.get("author")),
        ("meta:creation-date", created.isoformat()),
    ]
    body = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in items if v)
    return _doc("document-meta", f"<office:meta>{body}</office:meta>")


def _styles() -> str:
    return _doc(
        "document-styles",
        '<office:styles><style:default-style style:family="table-cell">'
        '<style:text-properties fo:font-size="10pt"/></style:default-style></office:styles>',
    )


def _automatic_styles(sheets: Sequence[Sheet]) -> tuple[str, dict[float, str]]:
    """Data styles, cell styles, table styles and one column style per width used."""
    cells = "".join(
        f'<style:style style:name="ce_{name}" style:family="table-cell"'
        + (f' style:data-style-name="{data}"' if data else "")
        + f">{props}</style:style>"
        for name, (data, props) in CELL_STYLES.items()
    )
    tables = "".join(
        f'<style:style style:name="ta_{n}" style:family="table">'
        f'<style:table-properties table:display="{d}"/></style:style>'
        for n, d in (("shown", "true"), ("hidden", "false"))
    )
    widths = sorted({c.width_cm for s in sheets for c in s.columns})
    names = {w: f"co{i}" for i, w in enumerate(widths, start=1)}
    columns = "".join(
        f'<style:style style:name="{n}" style:family="table-column">'
        f'<style:table-column-properties style:column-width="{w:.2f}cm"/></style:style>'
        for w, n in names.items()
    )
    return (
        f"<office:automatic-styles>{_DATA_STYLES}{cells}{tables}{columns}"
        "</office:automatic-styles>",
        names,
    )


def _validation_names(sheets: Sequence[Sheet]) -> tuple[str, dict[tuple[str, int], str]]:
    """The `content-validations` element and (sheet, column index) -> validation name."""
    names: dict[tuple[str, int], str] = {}
    out = []
    for s in sheets:
        for i, c in enumerate(s.columns):
            v = c.validation
            if v is None or not s.validated_rows:
                continue
            name = f"val{len(names) + 1}"
            names[(s.name, i)] = name
            error = (
                '<table:error-message table:message-type="stop" table:display="true"'
                + (f" table:title={quoteattr(v.error_title)}" if v.error_title else "")
                + ">"
                + (f"<text:p>{escape(v.error_message)}</text:p>" if v.error_message else "")
                + "</table:error-message>"
            )
            out.append(
                f'<table:content-validation table:name="{name}" '
                f"table:condition={quoteattr(v.condition)} "
                'table:allow-empty-cell="true" '
                f'table:display-list="{"unsorted" if v.drop_down else "none"}" '
                f"table:base-cell-address={quoteattr(_address(s.name, i, 2))}>"
                f"{error}</table:content-validation>"
            )
    if not out:
        return "", names
    return f"<table:content-validations>{''.join(out)}</table:content-validations>", names


def _address(sheet: str, column: int, row: int) -> str:
    letters = ""
    n = column + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"'{sheet}'.{letters}{row}"


def _content(sheets: Sequence[Sheet]) -> str:
    styles, column_styles = _automatic_styles(sheets)
    validations, names = _validation_names(sheets)
    tables = "".join(_table(s, column_styles, names) for s in sheets)
    return _doc(
        "document-content",
        f"{styles}<office:body><office:spreadsheet>{validations}{tables}"
        "</office:spreadsheet></office:body>",
    )


def _table(sheet: Sheet, column_styles: dict[float, str], names: dict[tuple[str, int], str]) -> str:
    """One `table:table`: columns, the header row, the data rows, then the validated empty rows
    as one repeated row (so 10,000 validated rows cost a few hundred bytes)."""
    valid = [names.get((sheet.name, i)) for i in range(len(sheet.columns))]
    cols = "".join(
        f'<table:table-column table:style-name="{column_styles[c.width_cm]}"'
        + (f' table:default-cell-style-name="ce_{c.style}"' if c.style else "")
        + "/>"
        for c in sheet.columns
    )
    head = "".join(
        _cell(h, "head", None, c.comment) for h, c in zip(sheet.header, sheet.columns, strict=True)
    )
    rows = [f"<table:table-row>{head}</table:table-row>"]
    for row in sheet.rows:
        cells = "".join(
            _cell(v, _value_style(v, c), valid[i], None)
            for i, (v, c) in enumerate(zip(row, sheet.columns, strict=True))
        )
        rows.append(f"<table:table-row>{cells}</table:table-row>")
    empty = sheet.validated_rows - len(sheet.rows)
    if empty > 0 and any(valid):
        cells = "".join(_cell(None, "", v, None) for v in valid)
        rows.append(
            f'<table:table-row table:number-rows-repeated="{empty}">{cells}</table:table-row>'
        )
    style = "ta_hidden" if sheet.hidden else "ta_shown"
    return (
        f'<table:table table:name={quoteattr(sheet.name)} table:style-name="{style}">'
        f"{cols}{''.join(rows)}</table:table>"
    )


def _value_style(value: Any, column: Column) -> str:
    """The style a value's cell needs: dates and booleans their own, else the column's."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dt.date):
        return "date"
    return column.style


def _cell(value: Any, style: str, validation: str | None, comment: str | None) -> str:
    attrs = ""
    if style:
        attrs += f' table:style-name="ce_{style}"'
    if validation:
        attrs += f' table:content-validation-name="{validation}"'
    note = (
        f"<office:annotation><text:p>{escape(comment)}</text:p></office:annotation>"
        if comment
        else ""
    )
    if value is None:
        return (
            f"<table:table-cell{attrs}>{note}</table:table-cell>"
            if note
            else f"<table:table-cell{attrs}/>"
        )
    if isinstance(value, bool):
        v = "true" if value else "false"
        attrs += f' office:value-type="boolean" office:boolean-value="{v}"'
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int | float):
        attrs += f' office:value-type="float" office:value="{value!r}"'
        text = f"{value:g}"
    elif isinstance(value, dt.datetime):
        attrs += f' office:value-type="date" office:date-value="{value.isoformat()}"'
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        attrs += f' office:value-type="date" office:date-value="{value.isoformat()}"'
        text = value.isoformat()
    else:
        attrs += ' office:value-type="string"'
        text = str(value)
    return f"<table:table-cell{attrs}>{note}<text:p>{escape(text)}</text:p></table:table-cell>"


def _settings(sheets: Sequence[Sheet]) -> str:
    """View settings: the header row of the sheets that ask for it stays in view (frozen)."""
    frozen = "".join(
        f"<config:config-item-map-entry config:name={quoteattr(s.name)}>"
        '<config:config-item config:name="VerticalSplitMode" config:type="short">2'
        "</config:config-item>"
        '<config:config-item config:name="VerticalSplitPosition" config:type="int">1'
        "</config:config-item>"
        '<config:config-item config:name="ActiveSplitRange" config:type="short">2'
        "</config:config-item>"
        '<config:config-item config:name="PositionTop" config:type="int">0</config:config-item>'
        '<config:config-item config:name="PositionBottom" config:type="int">1'
        "</config:config-item></config:config-item-map-entry>"
        for s in sheets
        if s.freeze_header
    )
    first = next((s.name for s in sheets if not s.hidden), "")
    view = (
        '<config:config-item-map-entry><config:config-item config:name="ViewId" '
        'config:type="string">view1</config:config-item>'
        f'<config:config-item config:name="ActiveTable" config:type="string">{escape(first)}'
        "</config:config-item>"
        f'<config:config-item-map-named config:name="Tables">{frozen}'
        "</config:config-item-map-named></config:config-item-map-entry>"
    )
    return _doc(
        "document-settings",
        '<office:settings><config:config-item-set config:name="ooo:view-settings">'
        f'<config:config-item-map-indexed config:name="Views">{view}'
        "</config:config-item-map-indexed></config:config-item-set></office:settings>",
    )
