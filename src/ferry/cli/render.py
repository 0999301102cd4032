"""Rendering install-like results as uv does: one summary line per phase, then the changes."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from ferry.cli.output import Printer, elapsed, human_bytes, plural
from ferry.model.url import redact

if TYPE_CHECKING:
    from ferry.commands.pipeline import ExecutionResult, PrepareStats


def render_install(result: Any, printer: Printer) -> None:
    """Print the phases present on ``result`` (a PipelineOutcome-like object).

    ``pip install``, ``pip uninstall``, ``pip sync``, ``sync`` and ``run`` share this renderer;
    absent phases print nothing. The resolution's warnings come where uv prints them: a lock's
    right after ``Resolved``, a ``pip`` resolution's last, after the changes.
    """
    _render_phases(result, printer)
    for line in getattr(result, "diagnostics", []):
        printer.warn(line)


def render_summary(result: Any, printer: Printer) -> None:
    """uv 0.13.8's words for an environment ``run`` makes for the command alone (a script's,
    ``--isolated``, a ``--with`` overlay over them): a lock's warnings, ``Installed N packages
    in …``, then the other resolution warnings — no ``Resolved``/``Prepared`` or ``+`` lines."""
    for line in (*getattr(result, "warnings", []), *getattr(result, "lock_diagnostics", [])):
        printer.warn(line)
    execution = getattr(result, "execution", None)
    if execution is not None and execution.installed:
        count = plural(len(execution.installed), "package")
        printer.status(f"Installed {count} in {elapsed(execution.install_seconds)}")
    for line in getattr(result, "diagnostics", []):
        printer.warn(line)


def _render_phases(result: Any, printer: Printer) -> None:
    if note := getattr(result, "environment_note", None):
        printer.status(note)
    for line in getattr(result, "notes", []):
        printer.status(line)
    for line in getattr(result, "warnings", []):
        printer.warn(line)
    if getattr(result, "resolved", None) is not None:
        seconds = elapsed(result.resolve_seconds)
        printer.status(f"Resolved {plural(result.resolved, 'package')} in {seconds}")
    for line in getattr(result, "lock_diagnostics", []):
        printer.warn(line)
    for line in getattr(result, "lock_notes", []):  # a dry run's "Would update lockfile at: …"
        printer.status(line)
    if getattr(result, "audited", None) is not None:
        seconds = elapsed(result.audit_seconds)
        if getattr(result, "dry_run_requested", False):  # uv's words for a dry run's no-op
            printer.status(f"Checked {plural(result.audited, 'package')} in {seconds}")
            printer.status("Would make no changes")
            return
        printer.status(f"Checked {plural(result.audited, 'package')} in {seconds}")
        return
    stats = getattr(result, "prepare_stats", None)
    if stats is not None:
        _render_prepared(stats, result.prepare_seconds, result.cache_dir, printer)
    if getattr(result, "dry_run", False):
        _render_dry_run(result, printer)
        return
    execution = getattr(result, "execution", None)
    if execution is not None:
        render_execution(execution, printer)


def _render_prepared(stats: PrepareStats, seconds: float, cache_dir: str, printer: Printer) -> None:
    total = stats.from_cache + stats.downloaded + stats.built
    if not total:
        return
    detail = f"{stats.from_cache} from cache, {stats.downloaded} downloaded"
    if stats.built:
        detail = f"{stats.built} built, " + detail
    if stats.other_files:
        # sdists fetched to build, build requirements: not packages of N, downloads all the same
        detail += f", {plural(stats.other_files, 'other file')} downloaded"
    if stats.downloaded or stats.other_files or stats.downloaded_bytes:
        # Seed uv#13727: a cache mount that is not working shows up here without -v.
        detail += f", {human_bytes(stats.downloaded_bytes)}; cache: {cache_dir}"
    printer.status(f"Prepared {plural(total, 'package')} in {elapsed(seconds)} ({detail})")


def _render_dry_run(result: Any, printer: Printer) -> None:
    """uv's dry-run report: the counts, then one list by name with ``-`` before ``+`` (a
    reinstall shows both), so it reads line for line like the real run's changes."""
    if not result.to_remove and not result.to_install:
        printer.status("Would make no changes")
        return
    downloads = getattr(result, "would_download", 0)
    if downloads:
        printer.status(f"Would download {plural(downloads, 'package')}")
    if result.to_remove:
        printer.status(f"Would uninstall {plural(len(result.to_remove), 'package')}")
    if result.to_install:
        printer.status(f"Would install {plural(len(result.to_install), 'package')}")
    changes = [(str(d.name), 0, "-", _installed_text(d)) for d in result.to_remove]
    changes += [(str(p.name), 1, "+", _pin_text(p)) for p in result.to_install]
    for _, _, sign, text in sorted(changes, key=lambda change: change[:2]):
        printer.change(sign, text)


def render_execution(execution: ExecutionResult, printer: Printer) -> None:
    if execution.removed:
        count = plural(len(execution.removed), "package")
        printer.status(f"Uninstalled {count} in {elapsed(execution.uninstall_seconds)}")
    if execution.installed:
        count = plural(len(execution.installed), "package")
        printer.status(f"Installed {count} in {elapsed(execution.install_seconds)}")
    render_changes(execution, printer)


def render_changes(execution: ExecutionResult, printer: Printer) -> None:
    """The `` - ``/`` + ``/`` ~ `` lines alone (``venv --seed`` prints nothing else, as uv)."""
    # As uv: a removal and an install that read the same (same version, same source) are one
    # reinstall, `~`; a new git commit or another file reads differently and keeps `-`/`+`.
    removed = Counter((d.name, _installed_text(d)) for d in execution.removed)
    installed = Counter((p.name, _pin_text(p)) for p in execution.installed)
    changes = [(name, 0, "-", text) for name, text in (removed - installed).elements()]
    changes += [(name, 1, "+", text) for name, text in (installed - removed).elements()]
    changes += [(name, 2, "~", text) for name, text in (removed & installed).elements()]
    for _, _, sign, text in sorted(changes):
        printer.change(sign, text)


def _pin_text(pin: Any) -> str:
    if pin.direct_url:
        return f"{pin.name}=={pin.version} (from {redact(pin.direct_url)})"
    return f"{pin.name}=={pin.version}"


def _installed_text(dist: Any) -> str:
    """An installed distribution as uv names it: with its source when it came from a direct
    URL (``direct_url.json``), so a reinstall from another git commit or file shows both."""
    text = f"{dist.name}=={dist.version}"
    record = getattr(dist, "direct_url", None)
    if not isinstance(record, dict):
        return text
    from ferry.model.git import url_from_pep610

    url = url_from_pep610(record) or record.get("url")
    return f"{text} (from {redact(url)})" if isinstance(url, str) else text
