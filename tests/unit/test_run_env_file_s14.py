"""``ferry run --env-file``'s dotenv dialect: every expectation below is what uv 0.13.8 gave the
same file (``uv run --env-file f python -c 'print(os.environ)'``, warnings included), so a file
written for uv means the same under ferry (tests/e2e/test_run_options_s14.py compares the two
side by side)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.commands.run_env_file import (
    apply_env_file,
    env_file_paths,
    load_env_files,
    parse_dotenv,
)
from ferry.model.errors import FilesystemError, UsageError

ENV = {"HOME": "/root", "OUTER": "outer"}


def values(text: str) -> dict[str, str]:
    pairs, error = parse_dotenv(text, ENV)
    assert error is None, (error.position, error.content)
    return dict(pairs)


def failure(text: str) -> tuple[list[tuple[str, str]], int, str]:
    pairs, error = parse_dotenv(text, ENV)
    assert error is not None
    return pairs, error.position, error.content


def test_the_common_forms() -> None:
    text = (
        "# comment\n  # indented comment\n\nA=1\nexport B=two\n export   B2=2\nC=\"q # not\"\n"
        "D='single $A'\nE=${A}x\nF=$A-y\nG=bare # trailing\nH=a#b\nI=  spaced  \nK=\n"
        "L = 1\nexport=5\nX.Y=dot\nM=\"\"\n"
    )
    assert values(text) == {
        "A": "1", "B": "two", "B2": "2", "C": "q # not", "D": "single $A", "E": "1x",
        "F": "1-y", "G": "bare", "H": "a#b", "I": "spaced", "K": "", "L": "1", "export": "5",
        "X.Y": "dot", "M": "",
    }


def test_escapes_quotes_and_lines() -> None:
    text = (
        'J="esc\\nnew"\nN=a\\nb\nO=\'a\\nb\'\nC=a\\ b\nD=\\$A\nE="x\\"y"\nH="multi\nline"\n'
        "W=1\r\nZ=2\r\n"
    )
    assert values(text) == {
        "J": "esc\nnew", "N": "a\nb", "O": "a\\nb", "C": "a b", "D": "$A", "E": 'x"y',
        "H": "multi\nline", "W": "1", "Z": "2",
    }


def test_substitution_as_uv_does_it() -> None:
    text = (
        "A=1\nB=$A$A\nF=$\nG=${A}${A}\nH=\"a $A b\"\nI=$A_x\nJ=${A_x}\nL=é$A\nU=${UNDEF}z\n"
        "HOME=/elsewhere\nP=${HOME}\nQ=$OUTER\nMY_V=1\nR=$MY_V\n"
    )
    assert values(text) == {
        "A": "1", "B": "11", "F": "", "G": "11", "H": "a 1 b", "I": "1_x", "J": "",
        "L": "é1", "U": "z", "HOME": "/elsewhere", "P": "/root", "Q": "outer", "MY_V": "1",
        # `$MY_V` is `$MY` then `_V`: a bare name stops at the underscore, as in uv
        "R": "_V",
    }


def test_the_latest_value_is_substituted_and_the_first_is_kept() -> None:
    pairs, error = parse_dotenv("A=1\nA=2\nB=${A}\n", {})
    assert error is None
    assert pairs == [("A", "1"), ("A", "2"), ("B", "2")]


@pytest.mark.parametrize(
    ("text", "kept", "position", "content"),
    [
        ("L", [], 1, "L"),
        ('X="$A"\nA=1', [], 3, '"$A"'),  # `$A` takes the closing quote as text
        ("A=1\nX=a b\nY=2", [("A", "1")], 2, "a b"),
        ("export X", [], 8, "export X"),
        ("X.Y=1\nZ-Q=2\nW=3", [("X.Y", "1")], 1, "Z-Q=2"),
        ('X="a\\tb"', [], 3, '"a\\tb"'),
        ('X="unterminated\nY=2', [], 19, 'X="unterminated\nY=2'),
        ("\ufeffX=1", [], 0, "\ufeffX=1"),
        ("X=${A", [], 2, "${A"),
        ("=1", [], 0, "=1"),
        ("9X=1", [], 0, "9X=1"),
        ("X='a'b'", [], 7, "X='a'b'"),
        ('X="a" b', [], 4, '"a" b'),
        ("X=a\\", [], 4, "X=a\\"),
        ('X="a\nb"  \nY=1 ', [("X", "a\nb")], 4, "Y=1 "),
        ("G1=1\nbad line\nG2=2\n", [("G1", "1")], 4, "bad line"),
    ],
)
def test_the_first_bad_line_ends_the_file(
    text: str, kept: list[tuple[str, str]], position: int, content: str
) -> None:
    assert failure(text) == (kept, position, content)


def test_later_files_win_and_the_environment_is_never_replaced(tmp_path: Path) -> None:
    one = tmp_path / "one.env"
    two = tmp_path / "two.env"
    one.write_text("A=1\nB=first\nC=${A}\nKEPT=file\n", encoding="utf-8")
    two.write_text("A=2\nD=${B}\n", encoding="utf-8")
    added, warnings = load_env_files([one, two], {"KEPT": "env"})
    # a file sees only the environment and its own values, not another file's
    assert added == {"A": "2", "B": "first", "C": "1", "D": ""}
    assert warnings == []


def test_a_bad_line_warns_and_the_other_files_still_count(tmp_path: Path) -> None:
    bad = tmp_path / "bad.env"
    good = tmp_path / "good.env"
    bad.write_text("G1=1\nbad line\nG2=2\n", encoding="utf-8")
    good.write_text("H=1\n", encoding="utf-8")
    added, warnings = load_env_files([bad, good], {})
    assert added == {"G1": "1", "H": "1"}
    assert warnings == [f"Failed to parse environment file `{bad}` at position 4: bad line"]


def test_missing_unreadable_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"No environment file found at: `.*nope\.env`") as missing:
        load_env_files([tmp_path / "nope.env"], {})
    assert missing.value.hint and "--no-env-file" in missing.value.hint
    with pytest.raises(FilesystemError, match=r"Failed to read environment file .*os error 21"):
        load_env_files([tmp_path], {})
    latin = tmp_path / "latin.env"
    latin.write_bytes(b"A=1\n\xff=2\n")
    with pytest.raises(FilesystemError, match="did not contain valid UTF-8"):
        load_env_files([latin], {})


def test_which_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_NO_ENV_FILE", raising=False)
    monkeypatch.setenv("FERRY_ENV_FILE", "a.env  b.env")
    assert env_file_paths((), False) == [Path("a.env"), Path("b.env")]
    assert env_file_paths(("c.env", ""), False) == [Path("c.env")]  # the flag replaces it
    assert env_file_paths(("c.env",), True) == []
    monkeypatch.setenv("FERRY_NO_ENV_FILE", "1")
    assert env_file_paths(("c.env",), False) == []
    monkeypatch.setenv("FERRY_NO_ENV_FILE", "maybe")
    with pytest.raises(UsageError, match="FERRY_NO_ENV_FILE"):
        env_file_paths(("c.env",), False)


def test_the_command_keeps_its_own_path_and_environment() -> None:
    env = {"PATH": "/venv/bin:/usr/bin", "VIRTUAL_ENV": "/venv"}
    apply_env_file(env, {"PATH": "/custom", "VIRTUAL_ENV": "/x", "NEW": "1"})
    assert env == {"PATH": "/venv/bin:/usr/bin", "VIRTUAL_ENV": "/venv", "NEW": "1"}
