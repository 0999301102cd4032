"""Rendering command results as uv does: one summary line per phase, then the changes."""

from __future__ import annotations

from typing import Protocol

from ferry.cli.output import Printer, elapsed, human_bytes, plural


class _Change(Protocol):
    @property
    def name(self) -> str: ...


def render_install(result: object, printer: Printer) -> None:
    """Print the phases of an install/uninstall/sync result.

    The result object carries optional attributes; absent phases are not printed. Keeping this
    duck-typed lets ``pip install``, ``pip uninstall``, ``pip sync`` and ``sync`` share one renderer.
    """
    get = result.__getattribute__
    for line in getattr(result, "notes", []):
        printer.status(line)
    audited = getattr(result, "audited", None)
    if audited is not None:
        printer.status(f"Audited {plural(audited, 'package')} in {elapsed(get('audit_seconds'))}")
        return
    resolved = getattr(result, "resolved", None)
    if resolved is not None:
        printer.status(f"Resolved {plural(resolved, 'package')} in {elapsed(get('resolve_seconds'))}")
    stats = getattr(result, "prepare_stats", None)
    if stats is not None and (stats.from_cache or stats.downloaded):
        total = stats.from_cache + stats.downloaded
        detail = f"{stats.from_cache} from cache, {stats.downloaded} downloaded"
        if stats.downloaded:
            detail += f", {human_bytes(stats.downloaded_bytes)}; cache: {get('cache_dir')}"
        printer.status(
            f"Prepared {plural(total, 'package')} in {elapsed(get('prepare_seconds'))} ({detail})"
        )
    if getattr(result, "dry_run", False):
        printer.status("Would make no changes" if not get("to_remove") and not get("to_install")
                       else "Would make these changes:")
        for dist in get("to_remove"):
            printer.change("-", f"{dist.name}=={dist.version}")
        for pin in get("to_install"):
            printer.change("+", str(pin))
        return
    execution = getattr(result, "execution", None)
    if execution is None:
        return
    if execution.removed:
        printer.status(
            f"Uninstalled {plural(len(execution.removed), 'package')} "
            f"in {elapsed(execution.uninstall_seconds)}"
        )
    if execution.installed:
        printer.status(
            f"Installed {plural(len(execution.installed), 'package')} "
            f"in {elapsed(execution.install_seconds)}"
        )
    changes: list[tuple[str, str, str]] = []
    for dist in execution.removed:
        changes.append((dist.name, "-", f"{dist.name}=={dist.version}"))
    for pin in execution.installed:
        changes.append((pin.name, "+", _pin_text(pin)))
    for _, sign, text in sorted(changes, key=lambda c: (c[0], c[1] == "+")):
        printer.change(sign, text)


def _pin_text(pin: object) -> str:
    direct = getattr(pin, "direct_url", None)
    name, version = getattr(pin, "name"), getattr(pin, "version")  # noqa: B009
    if direct:
        return f"{name}=={version} (from {direct})"
    return f"{name}=={version}"
