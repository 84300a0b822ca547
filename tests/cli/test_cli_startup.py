"""`trc` starts fast: listing and helping load no data or notebook library (lazy imports)."""

import json
import subprocess
import sys

import pytest

HEAVY = ["polars", "pandas", "pyarrow", "altair", "papermill", "nbconvert", "openpyxl", "scipy"]

PROBE = """
import json, sys
from click.testing import CliRunner
from trc_analytics.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
print(json.dumps({"exit": result.exit_code,
                  "loaded": sorted(m for m in {heavy} if m in sys.modules)}))
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate", "--help"], ["report", "--help"], ["findings", "--help"]],
)
def test_help_imports_no_heavy_library(args):
    code = PROBE.replace("{heavy}", repr(HEAVY))
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe == {"exit": 0, "loaded": []}


def test_every_registered_command_is_listed_and_importable():
    from click.testing import CliRunner

    from trc_analytics.cli import COMMANDS, main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
        assert main.get_command(None, name) is not None


def test_version_is_the_installed_distribution():
    from importlib.metadata import version

    import trc_analytics

    assert trc_analytics.__version__ == version("trc-analytics")
