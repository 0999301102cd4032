"""``ferry export --emit-index-url`` / ``--emit-find-links``: the indexes a requirements file
names so that pip installs it from where the lock came from.

The lines follow ``uv export``: ``--index-url`` the default index, then ``--extra-index-url`` for
every other index searched, in search order, then for every ``explicit`` index of the project
(with uv's warning: a requirements file cannot pin a package to one index, so pip will search
them all); ``--find-links`` for each find-links location. Each URL is written as configured (a
relative path stays relative, as uv writes it). ``--no-index`` emits nothing. The indexes are
ferry's own search list (:mod:`ferry.commands.lock_indexes`), so the file names what the lock
was resolved against.
"""

from __future__ import annotations

from ferry.commands.export import LockSettings
from ferry.commands.index_names import named_on_command_line
from ferry.commands.lock_indexes import written_search_list
from ferry.index.default import env_find_links
from ferry.project.pyproject import PyProject

EXPLICIT_WARNING = (
    "`requirements.txt` does not support per-package index pinning; explicit indexes were "
    "emitted globally via `--extra-index-url`."
)


def index_lines(
    pyproject: PyProject,
    settings: LockSettings,
    *,
    emit_index_url: bool,
    emit_find_links: bool,
) -> tuple[list[str], list[str]]:
    """(the option lines that open the file, the warnings to show)."""
    lines: list[str] = []
    warnings: list[str] = []
    if emit_index_url and not settings.no_index:
        *extras, default = written_search_list(
            pyproject, index_url=settings.index_url, extra_index_urls=settings.extra_index_urls
        )
        named = {spec.name for spec in named_on_command_line(  # they replace the project's
            settings.index_url, settings.extra_index_urls)}
        explicit = [index.url for index in pyproject.tool.indexes
                    if index.explicit and index.name not in named]
        lines.append(f"--index-url {default}")
        seen = {default}
        for url in [*extras, *explicit]:
            if url not in seen:
                seen.add(url)
                lines.append(f"--extra-index-url {url}")
        if explicit:
            warnings.append(EXPLICIT_WARNING)
    if emit_find_links:
        links = settings.find_links or env_find_links()
        lines.extend(f"--find-links {location}" for location in dict.fromkeys(links))
    return lines, warnings
