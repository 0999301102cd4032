"""What ``ferry venv`` does once its command line is read — by click (:mod:`ferry.cli.venv`) or
by the lean parser (:mod:`ferry.cli.lean`, for ``--seed``): the same request, the same lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ferry.cli.output import Printer
from ferry.model.settings import GlobalOptions


def venv_action(
    options: GlobalOptions,
    *,
    path: Path | None = None,
    python: str | None = None,
    prompt: str | None = None,
    clear: bool = False,
    seed: bool = False,
    system_site_packages: bool = False,
    allow_existing: bool = False,
    allow_insecure_host: tuple[str, ...] = (),
    project: Path | None = None,
    no_project: bool = False,
    **seed_options: Any,
) -> None:
    """Create the environment (and seed it), printing what ``uv venv`` prints.

    ``seed_options`` holds the index and link options, which only ``--seed``'s install reads:
    fields of :class:`ferry.commands.pip_install.PipInstallRequest`."""
    from ferry.cli.process import allow_insecure_hosts
    from ferry.commands.venv import VenvRequest, run_venv

    seed_install = None
    if seed:
        from ferry.commands.pip_install import PipInstallRequest

        allow_insecure_hosts(allow_insecure_host)
        seed_install = PipInstallRequest(**seed_options)
    printer = Printer(options)
    request = VenvRequest(
        path=path,
        python=python,
        prompt=prompt,
        clear=clear,
        seed=seed,
        system_site_packages=system_site_packages,
        allow_existing=allow_existing,
        seed_install=seed_install,
        project=project,
        no_project=no_project,
    )
    result = run_venv(request, options, printer)
    if result.seeded is not None:
        _render_seeded(result.seeded, printer)
    if result.activate is not None:
        printer.status(f"Activate with: {result.activate}")


def _render_seeded(seeded: Any, printer: Printer) -> None:
    """What ``uv venv --seed`` prints of its install: the seed packages as `` + name==version``
    lines, after the ``… with seed packages`` header; no resolve, prepare or install summary
    (``-v`` logs the install's details). Notes and warnings still show."""
    from ferry.cli.render import render_changes

    for line in getattr(seeded, "notes", []):
        printer.status(line)
    for line in getattr(seeded, "warnings", []):
        printer.warn(line)
    execution = getattr(seeded, "execution", None)
    if execution is not None:
        render_changes(execution, printer)
