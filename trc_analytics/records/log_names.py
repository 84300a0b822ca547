"""Client names and contacts for a coach's own coaching log, recomputed from their own export.

A coaching log a credentialing body asks for names each client; the workspace holds only
pseudonyms. The coach still has the export they pseudonymized (`trc pseudonymize`) and the key:
each client id of that export is keyed again with the same function (`keys.pseudonym`, kind
"client"), which gives the pseudonym the workspace holds, so the name joins the log without any
name-to-pseudonym mapping ever being stored. Nothing here is written to disk.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from trc_analytics.errors import TrcError
from trc_analytics.records.keys import KeyFileError, load_or_create_key, pseudonym
from trc_analytics.records.pseudonymize import CONTACT_COLUMNS, NAME_COLUMNS, column_name
from trc_analytics.records.read import read_workspace_files

#: Name columns used for a client's name, in order of preference (first and last name are
#: joined when neither a whole-name column is given).
WHOLE_NAMES = ("client_name", "name", "full_name", "preferred_name")
PARTS = ("first_name", "given_name", "middle_name", "last_name", "surname", "family_name")
#: Contact columns, in the order they are joined.
CONTACTS = ("email", "e_mail", "email_address", "mail", "phone", "phone_number", "telephone",
            "tel", "mobile", "cell", "cellphone", "whatsapp")  # fmt: skip


class NamesError(TrcError, ValueError):
    """The export cannot give names (no clients table, no client_id or name column)."""


def client_names(export: str | Path, key_file: str | Path) -> pl.DataFrame:
    """client_id (the pseudonym the workspace holds), name, contact, from the coach's export.

    `key_file` must exist (a new key would give pseudonyms that match nothing); it is checked
    as `trc pseudonymize` checks it (owner-only, long enough).
    """
    if not Path(key_file).is_file():
        raise KeyFileError(
            f"{key_file}: no key file there; give the key you pseudonymized the export with"
        )
    key, _ = load_or_create_key(key_file)
    clients = _clients_table(export)
    ids = clients["client_id"].to_list()
    return clients.with_columns(
        client_id=pl.Series([pseudonym(key, "client", v) if v else None for v in ids])
    ).filter(pl.col("client_id").is_not_null())


def _clients_table(export: str | Path) -> pl.DataFrame:
    """The export's clients as text: client_id (original), name, contact."""
    raw = read_workspace_files(export)
    if raw.problems.height:
        first = raw.problems.row(0, named=True)
        raise NamesError(f"{first['file']}: {first['problem'].replace('_', ' ')}")
    rt = raw.tables.get("clients")
    if rt is None:
        raise NamesError(f"{export}: no clients table (clients.csv, or a clients sheet)")
    columns = {column_name(h): f"__c{i}" for i, h in enumerate(rt.raw.header)}
    if "client_id" not in columns:
        raise NamesError(f"{rt.source}: no client_id column")
    whole = [columns[c] for c in WHOLE_NAMES if c in columns]
    parts = [columns[c] for c in PARTS if c in columns]
    contacts = [columns[c] for c in CONTACTS if c in columns]
    known = NAME_COLUMNS | CONTACT_COLUMNS
    if not (whole or parts or contacts) or not any(c in known for c in columns):
        raise NamesError(f"{rt.source}: no name or contact column (client_name, email, ...)")
    name = (
        pl.col(whole[0]).str.strip_chars()
        if whole
        else pl.concat_str([pl.col(c) for c in parts], separator=" ", ignore_nulls=True)
    )
    contact = pl.concat_str([pl.col(c) for c in contacts], separator="; ", ignore_nulls=True)
    return rt.raw.frame.select(
        client_id=pl.col(columns["client_id"]).str.strip_chars(),
        name=name if (whole or parts) else pl.lit(None, pl.String()),
        contact=contact if contacts else pl.lit(None, pl.String()),
    )
