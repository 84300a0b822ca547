"""Where a report's data comes from when the notebook parameter `data` is None.

`trc lab DIR` sets `TRC_DATA=DIR` for the notebooks it opens; otherwise a notebook run as stored
("Run all" in JupyterLab, from any working directory) uses the bundled demo workspace, generated
once into an owner-only per-user cache folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: Environment variable naming the workspace notebooks use when `data` is None.
DATA_ENV = "TRC_DATA"
#: Environment variable overriding the cache folder (tests, shared machines).
CACHE_ENV = "TRC_CACHE_DIR"
#: Seed of the bundled demo workspace.
DEMO_SEED = 7


def cache_dir() -> Path:
    """The per-user cache folder of trc-analytics (not created here)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "trc-analytics"


def demo_workspace(seed: int = DEMO_SEED) -> Path:
    """The default demo workspace, generated on first use into the cache (owner-only).

    Generation writes into a temporary folder beside the target and renames it into place, so
    two notebooks starting at once never see half a workspace.
    """
    from trc_analytics.outputs import private_dir
    from trc_analytics.version import package_version

    root = private_dir(cache_dir())
    target = root / f"demo-{seed}-v{package_version()}"
    if (target / "coaches.parquet").exists():
        return target
    from trc_analytics.demo import write_demo

    tmp = Path(tempfile.mkdtemp(prefix=".demo-", dir=root))
    try:
        write_demo(tmp, format="parquet", seed=seed)
        try:
            tmp.rename(target)
        except OSError:  # another process finished first: keep theirs
            if not (target / "coaches.parquet").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def resolve_data(data: str | os.PathLike[str] | None) -> Path:
    """The workspace folder (or workbook) a report reads, as an absolute path."""
    if data is None or str(data) == "":
        env = os.environ.get(DATA_ENV)
        if not env:
            return demo_workspace()
        data = env
    path = Path(data).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"no workspace at {path}")
    return path
