"""The installed package's version, read only on demand (importlib.metadata costs ~80 ms)."""

from __future__ import annotations


def package_version() -> str:
    """The installed distribution's version, or 0.0.0 when running from a bare source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("trc-analytics")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"
