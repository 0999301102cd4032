"""A workload's pyproject.toml as pdm and poetry need it: the same project, the mirror as index.

The workloads are plain PEP 621 projects (``[project]`` only: name, version,
requires-python, dependencies), which uv and ferry read as they are. pdm (2.x) and poetry (≥ 2)
read ``[project]`` too; what each needs added is where packages come from, in its own table:

- pdm: ``[[tool.pdm.source]]`` named ``pypi``, which replaces pdm's default index, and
  ``[tool.pdm] distribution = false``: the project itself is not installed, as uv and ferry
  treat a project without ``[build-system]`` (pdm's default for that case, said explicitly so
  a pdm upgrade cannot change what is measured);
- poetry: ``[[tool.poetry.source]]`` with ``priority = "primary"``, which turns off poetry's
  implicit default index. (The root project is left out by ``--no-root`` on the command line.)

Sources already in the file are replaced: the mirror must be the only index. Everything else
(comments, order) is kept, since the translation edits the document with tomlkit.
"""

from __future__ import annotations

import tomlkit
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

__all__ = ["ProjectFileError", "pdm_pyproject", "poetry_pyproject"]


class ProjectFileError(ValueError):
    """The workload's pyproject.toml cannot be given to pdm or poetry as it is."""


def _parse(text: str, tool: str) -> TOMLDocument:
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ProjectFileError(f"the workload's pyproject.toml is not valid TOML: {exc}") from exc
    project = doc.get("project")
    if not isinstance(project, Table) or "name" not in project:
        raise ProjectFileError(
            f"the workload's pyproject.toml has no [project] table with a name; {tool} is given "
            "the workload's PEP 621 metadata, so a workload must have it"
        )
    return doc


def _tool_table(doc: TOMLDocument, name: str) -> Table:
    """``[tool.<name>]``, created when missing (``[tool]`` as a super-table: no empty header)."""
    tool = doc.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        doc.append("tool", tool)
    if not isinstance(tool, Table):
        raise ProjectFileError("the workload's pyproject.toml has a `tool` key that is no table")
    table = tool.get(name)
    if table is None:
        table = tomlkit.table()
        tool.append(name, table)
    if not isinstance(table, Table):
        raise ProjectFileError(f"the workload's pyproject.toml has a `tool.{name}` that is no "
                               "table")
    return table


def _one_source(**fields: str | bool) -> AoT:
    """An array of tables holding one ``[[tool.X.source]]`` entry with ``fields``."""
    entry = tomlkit.table()
    for key, value in fields.items():
        entry.append(key, value)
    sources = tomlkit.aot()
    sources.append(entry)
    return sources


def pdm_pyproject(text: str, index_url: str) -> str:
    """``text`` (a workload's pyproject.toml) for pdm, resolving only from ``index_url``."""
    doc = _parse(text, "pdm")
    pdm = _tool_table(doc, "pdm")
    pdm["distribution"] = False
    pdm["source"] = _one_source(name="pypi", url=index_url, verify_ssl=True)
    return tomlkit.dumps(doc)


def poetry_pyproject(text: str, index_url: str) -> str:
    """``text`` for poetry ≥ 2, resolving only from ``index_url``."""
    doc = _parse(text, "poetry")
    poetry = _tool_table(doc, "poetry")
    poetry["source"] = _one_source(name="bench-mirror", url=index_url, priority="primary")
    return tomlkit.dumps(doc)
