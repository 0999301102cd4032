"""Every tool the bench can run, by name: ferry, uv and pip, then the slow peers.

The default set (ferry, uv, pip) is the quick run; the peers (pdm, poetry, pip-tools) take
minutes on a workload and install themselves on first use, so they run only when named
(``--tools ferry,uv,pdm,poetry,pip-tools``, or ``--tools all``).
"""

from __future__ import annotations

from bench.peers import PEER_TOOLS
from bench.tools import Ferry, Pip, Tool, Uv

__all__ = ["ALL", "DEFAULT_TOOLS", "TOOLS", "make_tool"]

TOOLS: dict[str, type[Tool]] = {"ferry": Ferry, "uv": Uv, "pip": Pip, **PEER_TOOLS}
DEFAULT_TOOLS = ("ferry", "uv", "pip")
ALL = "all"  # `--tools all`: every tool above, in this order


def make_tool(name: str) -> Tool:
    try:
        return TOOLS[name]()
    except KeyError:
        raise ValueError(f"unknown tool {name!r} (known: {', '.join(TOOLS)})") from None
