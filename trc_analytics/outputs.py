"""Owner-only, atomic output files: reports, exports and executed notebooks hold practice data.

Every file the package writes for a user goes through here: files 0600, written to a temporary
file beside the target and renamed into place, so a crash never leaves half a report. A folder
this package creates is 0700. An existing folder is never chmod-ed and never used through a
symbolic link: a folder for data (`private_dir`) that others can read or write is refused with
a message that says how to make a private one (changing the mode of a folder someone chose,
such as a shared sticky one, would break it for others). `check_target` answers, before a
long render, whether the file can be written at all (folder, permissions, free space).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from pathlib import Path

from trc_analytics.errors import TrcError

DIR_MODE = 0o700
FILE_MODE = 0o600
#: Permission bits that let others list or change a folder's files (read or write).
SHARED_BITS = 0o066
#: Free space a folder must have before a report is rendered into it.
MIN_FREE_BYTES = 20 * 2**20

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
# (os.replace takes the same dir_fd arguments as os.rename, but is not listed in supports_dir_fd)
_AT_SUPPORTED = (
    hasattr(os, "O_DIRECTORY") and os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd
)


class OutputError(TrcError, OSError):
    """An output folder or file that cannot, or must not, be written (the message says why and
    what to do instead); an OSError, so callers that catch those still do."""


def _check_folder(path: Path, st: os.stat_result, *, private: bool) -> None:
    """Raise `OutputError` unless `st` (from lstat) is a real folder, and private if asked."""
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(
            f"{path} is a symbolic link; output is never written through a link. Give the "
            "folder it points to itself, or a new folder name."
        )
    if not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path} is a file, not a folder; give a folder name.")
    if not private:
        return
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise OutputError(
            f"{path} belongs to another user; output that holds practice data goes into a "
            "folder of your own (e.g. `mkdir -m 700 ~/trc-reports`)."
        )
    if st.st_mode & SHARED_BITS:
        raise OutputError(
            f"{path} can be read or written by others (mode {stat.filemode(st.st_mode)}); "
            "reports and exports hold practice data, so they go into a folder only you can "
            f"open. Make one (`mkdir -m 700 {path / 'private'}`) and give that, or, if the "
            f"folder is yours alone, run `chmod 700 {path}`."
        )


def _make_dir(path: Path, *, private: bool) -> Path:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            st = os.lstat(path)
        except OSError as exc:
            raise _explained(exc, path) from None
    except OSError as exc:
        raise _explained(exc, path) from None
    _check_folder(path, st, private=private)
    return path


def private_dir(path: str | os.PathLike[str]) -> Path:
    """`path` as a folder only its owner can open: created 0700 when missing; an existing one
    is used only if it is a real folder (not a link) of this user that others cannot read or
    write (`OutputError` otherwise, never a chmod)."""
    return _make_dir(Path(path), private=True)


def plain_dir(path: str | os.PathLike[str]) -> Path:
    """`path` as a folder for files that hold no data (templates): created 0700 when missing;
    an existing folder is used as it is (never chmod-ed), but never through a link."""
    return _make_dir(Path(path), private=False)


def _explained(exc: OSError, path: Path) -> OutputError:
    """A plain-words `OutputError` for an OSError met writing `path`."""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return OutputError(
            f"the disk holding {path.parent} is full: {path.name} could not be written (nothing "
            "was left behind). Free some space, or choose another folder, and run again."
        )
    if code in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST) and path.is_dir():
        return OutputError(f"{path} is a folder, so the file cannot be written there.")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"{path} cannot be written: {exc.strerror.lower()}.")
    return OutputError(f"{path} cannot be written: {exc.strerror or exc}.")


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")


def check_target(path: str | os.PathLike[str], *, private: bool = True) -> None:
    """Raise `OutputError` when the file `path` could not be written: the path is a folder,
    its folder is a link, a file, shared (when `private`) or not writable, or the disk has
    less than `MIN_FREE_BYTES` free. Call it before rendering, so no time is spent on a
    report that cannot be saved."""
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        raise OutputError(
            f"{target} is a folder, so the report cannot be written there; move the folder "
            "or give another --out."
        )
    check_folder(target.parent, private=private)


def check_folder(path: str | os.PathLike[str], *, private: bool = True) -> None:
    """Raise `OutputError` unless files could be written into folder `path` (made if missing):
    not a link or a file, private (when `private`), writable, `MIN_FREE_BYTES` free."""
    folder = Path(path)
    existing = _nearest_existing(folder)
    if existing == folder:
        _check_folder(folder, os.lstat(folder), private=private)
    elif not existing.is_dir():
        raise OutputError(f"{existing} is a file, so the folder {folder} cannot be made.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{existing} is not writable by you; give another folder.")
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        raise OutputError(
            f"the disk holding {existing} has only {free / 2**20:.1f} MiB free; free some "
            "space, or give a folder on another disk, and run again."
        )


def _write_at(folder: Path, name: str, payload: bytes) -> None:
    """Write `payload` to `folder/name` through a descriptor of the folder (opened without
    following a link), via a 0600 temporary file renamed into place."""
    dfd = os.open(folder, _DIR_FLAGS)
    try:
        tmp = f".{name}.{secrets.token_hex(6)}.part"
        fd = os.open(tmp, _FILE_FLAGS, FILE_MODE, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            raise
    finally:
        os.close(dfd)


def _write_by_path(target: Path, payload: bytes) -> None:
    """The same without descriptor-relative calls (systems that lack them)."""
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
    fd = os.open(tmp, _FILE_FLAGS, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_private(path: str | os.PathLike[str], data: bytes | str, encoding: str = "utf-8") -> Path:
    """Atomically write `data` to `path` with mode 0600 (its folder made 0700 if new; an
    existing folder is used as it is, never through a link). `OutputError` says in plain words
    why it could not be written (disk full, a folder in the way, no permission)."""
    target = Path(path)
    folder = target.parent
    if not os.path.lexists(folder):
        private_dir(folder)
    payload = data.encode(encoding) if isinstance(data, str) else data
    try:
        if _AT_SUPPORTED:
            _write_at(folder, target.name, payload)
        else:  # pragma: no cover - Windows
            _check_folder(folder, os.lstat(folder), private=False)
            _write_by_path(target, payload)
    except OutputError:
        raise
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(folder):
            raise OutputError(
                f"{folder} is a symbolic link; output is never written through a link."
            ) from None
        raise _explained(exc, target) from None
    return target
