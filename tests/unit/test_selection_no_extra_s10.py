"""``--no-extra`` and ``--only-dev`` without subprocesses: clap's refusal of ``--only-dev`` beside
``--no-dev``/``--group``/``--all-groups`` (which option came first decides the words), the lean
reader's tokens (in command-line order, which that check needs), the lock walk and conflict
check with an extra left out, and the recorded selection (old records still read)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.unit.test_workspace_conflict_select import LOCK, _selected

from ferry.cli.lean import SYNC, parse
from ferry.cli.selection_flags import check_only_dev
from ferry.commands.sync import SyncRequest
from ferry.commands.sync_state import (
    STATE_FILE,
    SyncedSelection,
    SyncState,
    read_state,
    write_state,
)
from ferry.model.errors import UsageError, UserError
from ferry.project.lock_select import Selection
from ferry.project.lock_select_conflicts import check_requested
from ferry.project.lockfile import parse_lock


def _refusal(kwargs: dict[str, Any]) -> str | None:
    try:
        check_only_dev(kwargs)
    except UsageError as error:
        assert error.exit_code == 2
        return error.message
    return None


def test_only_dev_alone_or_with_groups_it_adds_to_is_fine() -> None:
    assert _refusal({"only_dev": True}) is None
    assert _refusal({"only_dev": True, "only_groups": ("lint",), "no_groups": ("dev",),
                     "no_default_groups": True, "extras": ("x",)}) is None
    # click passes every option, the ones not given falsy
    assert _refusal({"no_dev": False, "groups": (), "only_dev": True, "all_groups": False}) is None
    assert _refusal({"no_dev": True, "groups": ("lint",), "all_groups": True}) is None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"only_dev": True, "no_dev": True},
     "the argument '--only-dev' cannot be used with '--no-dev'"),
    ({"no_dev": True, "only_dev": True},
     "the argument '--no-dev' cannot be used with '--only-dev'"),
    ({"groups": ("a",), "only_dev": True, "all_groups": True},
     "the argument '--group <GROUP>' cannot be used with '--only-dev'"),
    ({"only_dev": True, "all_groups": True, "no_dev": True, "groups": ("a",)},
     "the argument '--only-dev' cannot be used with:\n  --all-groups\n  --no-dev\n"
     "  --group <GROUP>"),
    # the first option typed that clashes decides, not the first one typed
    ({"extras": ("x",), "all_groups": True, "only_dev": True},
     "the argument '--all-groups' cannot be used with '--only-dev'"),
])
def test_clashes_are_named_as_clap_names_them(kwargs: dict[str, Any], message: str) -> None:
    assert _refusal(kwargs) == message


def test_the_lean_reader_keeps_the_order_typed() -> None:
    parsed = parse(["--no-dev", "--no-extra", "gpu", "--only-dev", "--no-extra=cli",
                    "--all-extras"], SYNC)
    assert parsed is not None
    _, command = parsed
    assert list(command) == ["no_dev", "no_extras", "only_dev", "all_extras"]
    assert command["no_extras"] == ("gpu", "cli")
    assert _refusal(command) == "the argument '--no-dev' cannot be used with '--only-dev'"
    assert parse(["--no-extra"], SYNC) is None  # click says what is missing


def test_the_request_records_the_new_flags_normalised() -> None:
    selection = SyncRequest(no_extras=("GPU", "cli", "gpu"), only_dev=True).selection()
    assert selection.no_extras == ("cli", "gpu")
    assert selection.only_dev and selection.only_groups == ()
    assert selection.only_group_names() == ("dev",)
    assert SyncedSelection(only_groups=("lint",), only_dev=True).only_group_names() == (
        "dev", "lint")
    assert SyncedSelection(all_extras=True, no_extras=("gpu",)).describe() == (
        "all extras; without extras gpu")


def test_all_extras_less_one_side_is_no_conflict() -> None:
    lock = parse_lock(LOCK)
    with pytest.raises(UserError, match="Extras `cpu` and `gpu` are incompatible"):
        check_requested(lock, {"member-a", "member-b"}, (), True, ())
    check_requested(lock, {"member-a", "member-b"}, (), True, (), no_extras={"gpu"})
    check_requested(lock, {"member-a", "member-b"}, {"cpu", "gpu"}, False, (), no_extras={"cpu"})


def test_the_walk_leaves_the_extra_out() -> None:
    both = ["member-a", "member-b"]
    assert _selected(both, Selection(all_extras=True, no_extras=frozenset({"gpu"}))) == {
        "member-a": "1.0.0", "member-b": "1.0.0", "shared": "1.0", "torch": "1.0"}
    assert _selected(both, Selection(all_extras=True, no_extras=frozenset({"cpu"}))) == {
        "member-a": "1.0.0", "member-b": "1.0.0", "shared": "1.0", "torch": "2.0"}
    # --no-extra wins over --extra too
    assert _selected(["member-b"], Selection(extras=frozenset({"gpu"}),
                                             no_extras=frozenset({"gpu"}))) == {
        "member-b": "1.0.0"}


def _state(selection: SyncedSelection) -> SyncState:
    return SyncState(selection, "digest", "/env/bin/python", "fingerprint", 3)


def test_records_round_trip_and_old_ones_still_read(tmp_path: Path) -> None:
    chosen = SyncedSelection(all_extras=True, no_extras=("gpu",), only_dev=True)
    write_state(tmp_path, _state(chosen))
    assert json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))["version"] == 2
    assert read_state(tmp_path) == _state(chosen)

    # as version 1 wrote it (no `no_extras`, no `only_dev`)
    old = {"version": 1, "lock_hash": "digest", "interpreter": "/env/bin/python",
           "fingerprint": "fingerprint", "packages": 3,
           "selection": {"extras": ["cli"], "all_extras": False, "groups": [],
                         "no_default_groups": False, "only_groups": [], "no_groups": [],
                         "no_install_project": False, "no_install_workspace": False,
                         "no_editable": False, "inexact": False, "packages": []}}
    (tmp_path / STATE_FILE).write_text(json.dumps(old), encoding="utf-8")
    assert read_state(tmp_path) == _state(SyncedSelection(extras=("cli",)))

    (tmp_path / STATE_FILE).write_text(json.dumps({**old, "version": 3}), encoding="utf-8")
    assert read_state(tmp_path) is None
