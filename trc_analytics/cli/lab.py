"""`trc lab`: JupyterLab on the report notebooks, reading a given workspace."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

#: The kernel the report notebooks run on: the Python running `trc` (ipykernel's own).
KERNEL_NAME = "python3"


def kernel_metadata() -> dict[str, Any]:
    """The notebook metadata JupyterLab writes once its kernel starts here: the kernel spec
    (name, display name, language) and the kernel's `language_info` (with this Python's
    version). A notebook already holding these values opens with no unsaved-change marker."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    return {
        "kernelspec": {
            "display_name": spec.display_name,
            "language": spec.language,
            "name": KERNEL_NAME,
        },
        "language_info": json.loads(json.dumps(IPythonKernel.language_info)),
    }


def prepare_notebooks(folder: Path) -> list[Path]:
    """Copy the three report notebooks into `folder` (owner-only), keeping any already there.

    A copy is written as JupyterLab would save it on this machine (`kernel_metadata`), so
    opening it marks nothing unsaved. A user's edited copy is never overwritten; delete it to
    get the stored notebook back.
    """
    import nbformat

    from trc_analytics.outputs import private_dir, write_private
    from trc_analytics.reports.render import notebooks_dir
    from trc_analytics.reports.request import KINDS

    private_dir(folder)
    metadata = kernel_metadata()
    copied = []
    for name, _title in KINDS.values():
        target = folder / name
        if not target.exists():
            nb = nbformat.read(notebooks_dir() / name, as_version=nbformat.NO_CONVERT)
            nb.metadata.update(metadata)
            write_private(target, nbformat.writes(nb) + "\n")  # as Jupyter's file save does
        copied.append(target)
    return copied


def _kernel_folder(*, placeholder: bool = False) -> Path | None:
    """A fresh owner-only folder for the Lab kernels' sockets (None where there are no Unix
    sockets). It belongs to this process, which becomes JupyterLab; once that has ended, the
    next `trc lab` or report removes it."""
    from trc_analytics.reports.kernel_runtime import ipc_supported, make_runtime_dir

    if not ipc_supported():
        return None
    return Path("<new owner-only folder>") if placeholder else make_runtime_dir()


def lab_command(
    folder: Path, *, port: int | None = None, no_browser: bool = False, kernels: Path | None = None
) -> list[str]:
    """The JupyterLab command `trc lab` becomes.

    With `kernels` (an owner-only folder), the notebooks' kernels listen on Unix sockets in it
    instead of loopback TCP ports, where any local user could subscribe to a kernel's output
    broadcast and read every section as it runs (the key only signs messages).
    """
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder.resolve()}"]
    if kernels is not None:
        argv += ["--KernelManager.transport=ipc", f"--KernelManager.ip={kernels / 'kernel'}"]
    if port:
        argv.append(f"--ServerApp.port={port}")
    if no_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers: Jupyter refuses root else
        argv.append("--allow-root")
    return argv


@click.command("lab")
@click.argument("data", required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--notebooks",
    "folder",
    default="trc-notebooks",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the report notebooks are copied to and JupyterLab opens.",
)
@click.option("--port", type=click.IntRange(1, 65535), help="Port for JupyterLab.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Prepare the notebooks folder and print the command instead of starting JupyterLab.",
)
def lab(data: Path | None, folder: Path, port: int | None, no_browser: bool, dry_run: bool) -> None:
    """Open JupyterLab on the report notebooks, with DATA as their workspace.

    The notebooks' `data = None` reads DATA (through the TRC_DATA environment variable); with
    no DATA they use the bundled demo workspace. Every section is one call into the package,
    so the same functions are at hand for your own cells.
    """
    from trc_analytics.outputs import OutputError
    from trc_analytics.reports.source import DATA_ENV

    try:
        notebooks = prepare_notebooks(folder)
    except OutputError as exc:  # a shared or linked folder: saved notebooks hold data
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    env = dict(os.environ)
    if data is not None:
        env[DATA_ENV] = str(data.resolve())
    else:
        env.pop(DATA_ENV, None)
    # a dry run makes no folder: it shows where the sockets would go
    kernels = _kernel_folder() if not dry_run else _kernel_folder(placeholder=True)
    argv = lab_command(folder, port=port, no_browser=no_browser, kernels=kernels)
    what = str(data.resolve()) if data is not None else "the bundled demo workspace"
    click.echo(f"Notebooks: {', '.join(p.name for p in notebooks)} in {folder}", err=True)
    click.echo(f"Data: {what}", err=True)
    if dry_run:
        click.echo(f"{DATA_ENV}={env.get(DATA_ENV, '')} " + " ".join(argv))
        return
    sys.stdout.flush()
    sys.stderr.flush()
    # become JupyterLab (no parent left behind: Ctrl-C and signals reach the server itself)
    os.execve(argv[0], argv, env)
