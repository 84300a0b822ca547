"""The coach's secret pseudonymization key and the keyed pseudonyms made with it.

A pseudonym is HMAC-SHA-256(key, kind + value) over a normalized value, written as a fixed
prefix plus Crockford base32 (`P-7K3M9Q2X4T`): Excel never turns it into a number or a date,
the same key always gives the same pseudonym, and without the key nobody can link it to the
value, not even by guessing names (a plain hash could be reversed that way).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path

from trc_analytics.errors import TrcError

#: Bytes of a new key (at least 32: a full-strength HMAC-SHA-256 key).
KEY_BYTES = 32
#: Every pseudonym starts with this; the rest is Crockford base32.
PREFIX = "P-"
#: Characters after the prefix (50 bits: collisions are checked for, never silently merged).
LENGTH = 10
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: What a pseudonym made here looks like.
PSEUDONYM_PATTERN = rf"^{PREFIX}[{CROCKFORD}]{{{LENGTH}}}$"


class KeyFileError(TrcError, ValueError):
    """The key file cannot be used (unreadable, too short, readable by others)."""


def normalize(value: str) -> str:
    """The form a value is keyed in: Unicode NFC, case-folded, trimmed, inner spaces single,
    so "Jane  Roe ", "jane roe" and "JANE ROE" give one pseudonym."""
    text = unicodedata.normalize("NFC", value)
    text = unicodedata.normalize("NFC", text.casefold())
    return " ".join(text.split())


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """The pseudonym of `value` (an id of `kind`, e.g. "client") under `key`."""
    message = f"{kind}\x1f{normalize(value)}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * LENGTH)
    chars = [CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH))]
    return PREFIX + "".join(chars)


def is_pseudonym(value: str) -> bool:
    """True for a value this module could have produced."""
    return re.fullmatch(PSEUDONYM_PATTERN, value) is not None


def load_or_create_key(path: str | os.PathLike[str]) -> tuple[bytes, bool]:
    """The key in `path` (hex text), creating a new random one readable by the owner only when
    the file does not exist. Returns (key, created).

    Refuses a key file that others can read or write, or that holds fewer than 32 bytes.
    """
    p = Path(path)
    if not p.exists():
        if not p.parent.exists():
            p.parent.mkdir(parents=True, mode=0o700)
        key = secrets.token_bytes(KEY_BYTES)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, key.hex().encode("ascii") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        return key, True
    mode = p.stat().st_mode
    if not stat.S_ISREG(mode):
        raise KeyFileError(f"{p}: the key file is not a regular file")
    if mode & 0o077:
        raise KeyFileError(
            f"{p}: the key file can be read or changed by other users; "
            f"make it private first (chmod 600 {p.name})"
        )
    try:
        key = bytes.fromhex(p.read_text(encoding="ascii").strip())
    except (UnicodeDecodeError, ValueError) as exc:
        raise KeyFileError(f"{p}: not a key file (expected {2 * KEY_BYTES} hex digits)") from exc
    if len(key) < KEY_BYTES:
        raise KeyFileError(f"{p}: the key is shorter than {KEY_BYTES} bytes")
    return key, False
