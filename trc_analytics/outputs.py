"""Owner-only, atomic output files: reports, exports and executed notebooks hold practice data.

Every file the package writes for a user goes through here: folders 0700, files 0600, written to
a temporary file beside the target and renamed into place, so a crash never leaves half a report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create `path` (and parents) readable by the owner only; tighten it if it exists."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(p, DIR_MODE)
    return p


def write_private(path: str | os.PathLike[str], data: bytes | str, encoding: str = "utf-8") -> Path:
    """Atomically write `data` to `path` with mode 0600 (parent folder made 0700 if new)."""
    target = Path(path)
    if not target.parent.exists():
        private_dir(target.parent)
    payload = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
