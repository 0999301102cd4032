"""What ``ferry pip install`` does once its command line is read — by click
(:mod:`ferry.cli.pip`) or by the lean parser (:mod:`ferry.cli.lean`, which spares CI's
``pip install -r requirements.txt`` the ~15 ms of importing click): the same request, the same
lines."""

from __future__ import annotations

from typing import Any

from ferry.cli.output import Printer
from ferry.model.settings import GlobalOptions


def pip_install_action(options: GlobalOptions, **kwargs: Any) -> None:
    """Install what ``kwargs`` (the fields of ``PipInstallRequest``, plus
    ``allow_insecure_host``) ask for and print uv's lines for it."""
    from ferry.cli.process import allow_insecure_hosts
    from ferry.cli.render import render_install
    from ferry.commands.pip_install import PipInstallRequest, pip_install

    allow_insecure_hosts(kwargs.pop("allow_insecure_host", ()))
    request = PipInstallRequest.from_cli(**kwargs)
    render_install(pip_install(request, options), Printer(options))
