"""Project commands refuse a selection the project forbids as a usage error (exit code 2), as
uv 0.13.8 does: extras or groups that the project's ``conflicts`` declare incompatible (asked
for, through ``--all-extras``/``--all-groups``, or on by default) and an ``--extra``/``--group``/
``--only-group``/``--no-extra``/``--no-group`` naming nothing the project declares. The messages
are uv's (first line); ``tree`` draws instead of refusing, as uv does.

Measured against uv on the same projects before the change (ferry said 1 for all of these and
accepted ``--no-group nope``). Projects without dependencies: the lock needs no index."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.support.runner import Result, Runner

from ferry.model.errors import UsageError
from ferry.project.lock_model import ConflictItem
from ferry.project.lock_select_conflicts import check_activated, check_requested

HEAD = '[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n' \
       'dependencies = []\n'
CONFLICTS = HEAD.format(name="conf") + """
[project.optional-dependencies]
a = []
b = []
c = []

[dependency-groups]
g1 = []
g2 = []
g3 = []

[tool.uv]
conflicts = [
  [{extra = "a"}, {extra = "b"}],
  [{group = "g1"}, {group = "g2"}],
  [{extra = "c"}, {group = "g3"}],
]
"""
DEFAULTS = HEAD.format(name="defg") + """
[dependency-groups]
g1 = []
g2 = []

[tool.uv]
default-groups = ["g1", "g2"]
conflicts = [[{group = "g1"}, {group = "g2"}]]
"""
PLAIN = HEAD.format(name="plain") + """
[project.optional-dependencies]
a = []

[dependency-groups]
g1 = []
g2 = []
"""
WORKSPACE = HEAD.format(name="ws") + '\n[tool.uv.workspace]\nmembers = ["m1", "m2"]\n'
MEMBER = HEAD + '\n[project.optional-dependencies]\nx{name} = []\n\n' \
    '[dependency-groups]\ngg{name} = []\n'


def _project(root: Path, run: Runner, text: str, members: tuple[str, ...] = ()) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    for name in members:
        (root / name).mkdir()
        (root / name / "pyproject.toml").write_text(MEMBER.format(name=name), encoding="utf-8")
    locked = run("lock", "--offline", cwd=root)
    assert locked.code == 0, locked.stderr
    return root


def _id(value: object) -> str:
    return " ".join(value) if isinstance(value, tuple) else "-"


def _error(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert lines, result.stderr
    return lines[0]


CONFLICTING = [
    (("export", "--extra", "a", "--extra", "b"),
     "error: Extras `a` and `b` are incompatible with the declared conflicts: "
     "{`conf[a]`, `conf[b]`}"),
    (("export", "--all-extras"),
     "error: Extras `a` and `b` are incompatible with the declared conflicts: "
     "{`conf[a]`, `conf[b]`}"),
    (("export", "--group", "g1", "--group", "g2"),
     "error: Groups `g1` and `g2` are incompatible with the conflicts: {`conf:g1`, `conf:g2`}"),
    (("export", "--extra", "c", "--group", "g3"),  # ferry said "Groups `c` and `g3` …"
     "error: Extra `c` and group `g3` are incompatible with the declared conflicts: "
     "{`conf[c]`, `conf:g3`}"),
    (("sync", "--all-groups"),
     "error: Groups `g1` and `g2` are incompatible with the conflicts: {`conf:g1`, `conf:g2`}"),
    (("run", "--extra", "a", "--extra", "b", "python", "-c", "pass"),
     "error: Extras `a` and `b` are incompatible with the declared conflicts: "
     "{`conf[a]`, `conf[b]`}"),
]


@pytest.mark.parametrize(("args", "message"), CONFLICTING, ids=_id)
def test_conflicting_selection_is_a_usage_error(
    tmp_path: Path, run: Runner, args: tuple[str, ...], message: str
) -> None:
    root = _project(tmp_path / "conf", run, CONFLICTS)
    python = ("--python", sys.executable) if args[0] != "export" else ()
    refused = run(args[0], "--frozen", *python, *args[1:], cwd=root)
    assert refused.code == 2, refused.stderr
    assert _error(refused) == message


def test_default_groups_in_conflict(tmp_path: Path, run: Runner) -> None:
    """``export`` says which groups are on by default, as ``sync`` (and uv) do."""
    root = _project(tmp_path / "defg", run, DEFAULTS)
    both = ("error: Groups `g1` (enabled by default) and `g2` (enabled by default) are "
            "incompatible with the conflicts: {`defg:g1`, `defg:g2`}")
    exported = run("export", "--frozen", cwd=root)
    assert (exported.code, _error(exported)) == (2, both)
    one = run("export", "--frozen", "--group", "g1", cwd=root)
    assert (one.code, _error(one)) == (2, both.replace(
        "`g1` (enabled by default)", "`g1`"))


UNDEFINED = [
    (("--extra", "nope"),
     "error: Extra `nope` is not defined in the `optional-dependencies` table for `plain`"),
    (("--no-extra", "nope"),
     "error: Extra `nope` is not defined in the `optional-dependencies` table for `plain`"),
    (("--group", "nope"),
     "error: Group `nope` is not defined in the project's `dependency-groups` table"),
    (("--only-group", "nope"),
     "error: Group `nope` is not defined in the project's `dependency-groups` table"),
    (("--no-group", "nope"),  # ferry accepted this
     "error: Group `nope` is not defined in the project's `dependency-groups` table"),
    (("--no-group", "dev"),  # unlike --no-dev, which needs no `dev` group
     "error: Group `dev` is not defined in the project's `dependency-groups` table"),
    (("--all-groups", "--no-group", "nope"),
     "error: Group `nope` is not defined in the project's `dependency-groups` table"),
]


@pytest.mark.parametrize("command", ["sync", "export"])
@pytest.mark.parametrize(("flags", "message"), UNDEFINED, ids=_id)
def test_undefined_extra_or_group_is_a_usage_error(
    tmp_path: Path, run: Runner, command: str, flags: tuple[str, ...], message: str
) -> None:
    root = _project(tmp_path / "plain", run, PLAIN)
    python = ("--python", sys.executable) if command == "sync" else ()
    refused = run(command, "--frozen", *python, *flags, cwd=root)
    assert refused.code == 2, refused.stderr
    assert _error(refused) == message


def test_run_refuses_an_undefined_group_and_tree_draws(tmp_path: Path, run: Runner) -> None:
    root = _project(tmp_path / "plain", run, PLAIN)
    refused = run("run", "--frozen", "--python", sys.executable, "--no-group", "nope",
                  "python", "-c", "pass", cwd=root)
    assert refused.code == 2, refused.stderr
    assert "Group `nope` is not defined" in refused.stderr
    for flags in (("--group", "nope"), ("--no-group", "nope"), ("--only-group", "nope")):
        drawn = run("tree", "--frozen", *flags, cwd=root)
        assert drawn.code == 0, (flags, drawn.stderr)


def test_flags_that_name_declared_groups_still_work(tmp_path: Path, run: Runner) -> None:
    """``--all-groups --no-group g1`` keeps g1 declared (it used to drop it from the set the
    names are checked against); ``--no-dev`` needs no ``dev`` group."""
    root = _project(tmp_path / "plain", run, PLAIN)
    for flags in (("--all-groups", "--no-group", "g1", "--no-group", "g2"), ("--no-dev",),
                  ("--no-group", "g1")):
        synced = run("sync", "--frozen", "--python", sys.executable, *flags, cwd=root)
        assert synced.code == 0, (flags, synced.stderr)
        exported = run("export", "--frozen", *flags, cwd=root)
        assert exported.code == 0, (flags, exported.stderr)


@pytest.mark.parametrize("command", ["sync", "export"])
def test_workspace_wording(tmp_path: Path, run: Runner, command: str) -> None:
    """Several packages (``--all-packages``): "any project's" table, as uv says."""
    root = _project(tmp_path / "ws", run, WORKSPACE, ("m1", "m2"))
    python = ("--python", sys.executable) if command == "sync" else ()
    cases = [
        (("--all-packages", "--group", "nope"),
         "error: Group `nope` is not defined in any project's `dependency-groups` table"),
        (("--all-packages", "--no-group", "nope"),
         "error: Group `nope` is not defined in any project's `dependency-groups` table"),
        (("--all-packages", "--extra", "nope"),
         "error: Extra `nope` is not defined in any project's `optional-dependencies` table"),
        (("--package", "m1", "--group", "ggm2"),
         "error: Group `ggm2` is not defined in the project's `dependency-groups` table"),
        (("--package", "m1", "--extra", "nope"),
         "error: Extra `nope` is not defined in the `optional-dependencies` table for `m1`"),
    ]
    for flags, message in cases:
        refused = run(command, "--frozen", *python, *flags, cwd=root)
        assert (refused.code, _error(refused)) == (2, message), refused.stderr


def test_the_errors_are_usage_errors() -> None:
    """The raising functions themselves: ``UsageError`` (exit 2) with a hint naming what
    is declared."""
    from ferry.commands.sync_targets import undefined_extra, undefined_group

    extra = undefined_extra("nope", ["app"], {"a"})
    group = undefined_group("nope", ["m1", "m2"], set())
    assert isinstance(extra, UsageError) and extra.exit_code == 2
    assert extra.hint == "declared extras: a"
    assert group.exit_code == 2 and group.hint == "declared groups: none"
    assert "any project's" in group.message

    class _Lock:
        conflicts = ((ConflictItem("app", extra="cpu"), ConflictItem("app", extra="gpu")),)

    lock = _Lock()
    with pytest.raises(UsageError):
        check_requested(lock, {"app"}, (), True, ())  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="Found conflicting extras"):
        check_activated(lock, [("app", "cpu"), ("app", "gpu")])  # type: ignore[arg-type]
