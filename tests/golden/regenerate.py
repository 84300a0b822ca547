"""Write the golden results (and, with --fixtures, the demo fixtures) from a given commit.

    python tests/golden/regenerate.py [--commit 3e9f368] [--fixtures]

The commit's `trc_analytics` is extracted with `git archive` into a temporary folder and run in
a child process with that folder first on PYTHONPATH, so the golden files are what that commit
computes, whatever the working tree holds. With --fixtures, the three demo workspaces are first
written again by that commit's `trc demo` (Parquet; seeds in `results.SEEDS`). The default
commit is the implementation before the catalogue became one lazy plan (issue 13): the test
`test_results_unchanged.py` holds every later version to its results.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import results  # noqa: E402  (beside this script; imports trc_analytics lazily)

#: The implementation the golden files come from: before issue 13's rewrite.
BASELINE = "0d4d51f"


def extract(commit: str, into: Path) -> None:
    """The commit's `trc_analytics` package, unpacked into `into`."""
    root = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=HERE, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "trc_analytics"],
        cwd=root, capture_output=True, check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def write_fixtures(env: dict[str, str]) -> None:
    """The seeds' demo workspaces, written by the commit's `trc demo` as Parquet."""
    for seed in results.SEEDS:
        folder = results.FIXTURES / f"seed-{seed}"
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            [
                sys.executable, "-m", "trc_analytics", "demo", str(folder), "--format", "parquet",
                "--coaches", "10", "--months", "15", "--start", results.FIRST.isoformat(),
                "--today", results.LAST.isoformat(), "--seed", str(seed),
            ],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip


def child() -> None:
    """In the child process: write every seed's and scenario's results as JSON."""
    import trc_analytics

    print(f"computing with {Path(trc_analytics.__file__).parent}")
    for seed in results.SEEDS:
        ws = results.load_fixture(seed)
        folder = results.GOLDEN / f"seed-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        for name in results.SCENARIOS:
            data = results.scenario_results(ws, name)
            text = json.dumps(data, sort_keys=True, separators=(",", ":"))
            (folder / f"{name}.json").write_text(text + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default=BASELINE)
    parser.add_argument("--fixtures", action="store_true", help="write the demo fixtures too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    with tempfile.TemporaryDirectory() as tmp:
        extract(args.commit, Path(tmp))
        env = {**os.environ, "PYTHONPATH": tmp}
        if args.fixtures:
            write_fixtures(env)
        shutil.rmtree(results.GOLDEN, ignore_errors=True)
        subprocess.run([sys.executable, __file__, "--child"], env=env, check=True)


if __name__ == "__main__":
    main()
