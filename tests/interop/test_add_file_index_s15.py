"""``ferry add --index`` with an index on disk writes ``[[tool.uv.index]]`` as uv 0.13.8 writes
it: a ``file://`` URL as its path (decoded, normalised, trailing slash kept), a path normalised
without one (relative ones taken from the working directory and written relative to the
project), and the lock of the same ``add`` is uv's byte for byte (uv searches the command line's
index as given, so its ``registry`` keeps the URL's slash). An entry naming the same directory in
the other spelling is the same index: updated in place, not declared twice. Each case runs in the
same directory with ferry, then with the real uv (skipped without it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.parity5.parity5_kit import UV, run_uv
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

from ferry.project.edit_index import same_index_url, searched_index_url, written_index_url


def test_written_spellings() -> None:
    base = Path("/srv/p")
    assert written_index_url("file:///srv/i/simple/", base) == "/srv/i/simple/"
    assert written_index_url("file:///srv/i//x/../simple", base) == "/srv/i/simple"
    assert written_index_url("file://localhost/srv/my%20i/simple/", base) == "/srv/my i/simple/"
    assert written_index_url("file:/srv/i/simple/", base) == "/srv/i/simple/"
    assert written_index_url("/srv/i/simple/", base) == "/srv/i/simple"
    assert written_index_url("./idx/simple/", base, Path("/srv/p")) == "idx/simple"
    assert written_index_url("../idx/simple", base, Path("/srv/p/sub")) == "idx/simple"
    assert written_index_url("../other/simple", base, Path("/srv/p")) == "../other/simple"
    assert written_index_url("https://example.invalid/simple/", base) == (
        "https://example.invalid/simple/")
    assert written_index_url("file://server/share/simple", base) == "file://server/share/simple"


def test_a_path_and_a_file_url_are_one_index() -> None:
    base = Path("/srv/p")
    assert same_index_url("file:///srv/p/idx/simple/", "idx/simple", base)
    assert same_index_url("/srv/i/simple", "file://localhost/srv/i/simple/", base)
    assert same_index_url("./idx/simple/", "idx/simple", base)
    assert not same_index_url("idx/simple", "/srv/idx/simple", base)
    assert searched_index_url("file:///srv/i//x/../my%20i/") == "file:///srv/i/my%20i/"
    assert searched_index_url("./idx") == "./idx"


@pytest.fixture
def indexes(tmp_path: Path) -> tuple[LocalIndex, LocalIndex]:
    """An index with ``gamma`` (outside the project; copied into it as ``idx``) and an empty
    default index, so nothing reaches the network."""
    full = LocalIndex(tmp_path / "indexes" / "my index")
    full.add_wheel("gamma", "1.0", upload_time="2024-01-01T00:00:00Z")
    return full, LocalIndex(tmp_path / "indexes" / "empty")


def fresh_project(root: Path, indexes: tuple[LocalIndex, LocalIndex], entry: str = "") -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "sub").mkdir(parents=True)
    shutil.copytree(indexes[0].root, root / "idx")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = []\n{entry}\n"
        f'[[tool.uv.index]]\nurl = "{indexes[1].file_url}"\ndefault = true\n',
        encoding="utf-8")
    return root


def both(run: Runner, tmp_path: Path, indexes: tuple[LocalIndex, LocalIndex],
         args: list[str], *, sub: str = "", entry: str = ""
         ) -> dict[str, tuple[Result, str, str | None]]:
    """``add ARGS gamma`` by each tool in the same directory: (result, pyproject, lock)."""
    if UV is None:
        pytest.skip("uv is not installed beside the test interpreter")
    root = tmp_path / "project"
    out = {}
    for tool in ("ferry", "uv"):
        fresh_project(root, indexes, entry)
        argv = ["add", *(a.replace("ROOT", str(root)) for a in args), "gamma"]
        done = (run(*argv, cwd=root / sub) if tool == "ferry"
                else run_uv(argv, root / sub, tmp_path))
        lock = root / "uv.lock"
        out[tool] = (done, (root / "pyproject.toml").read_text(encoding="utf-8"),
                     lock.read_text(encoding="utf-8") if lock.exists() else None)
    return out


CASES = {
    "file-url": ["--index", "{full}"],
    "file-url-no-slash": ["--index", "{full_no_slash}"],
    "file-url-localhost": ["--index", "{localhost}"],
    "file-url-inside": ["--index", "file://ROOT/idx/simple/"],
    "absolute-path": ["--index", "ROOT/idx/simple/"],  # (uv splits a value at spaces)
    "relative-path": ["--index", "./idx/simple/"],
    "default-index": ["--default-index", "{full}"],
    "named-and-default": ["--index", "n={full}", "--default-index", "d=./idx/simple"],
    "two-indexes": ["--index", "{full}", "--index", "./idx/simple/"],  # kept in this order
}


def _args(case: str, indexes: tuple[LocalIndex, LocalIndex]) -> list[str]:
    url = indexes[0].file_url  # percent-encoded: "my%20index"
    values = {"full": url, "full_no_slash": url.rstrip("/"),
              "localhost": url.replace("file://", "file://localhost", 1)}
    return [a.format(**values) for a in CASES[case]]


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_files_as_uv(
    run: Runner, tmp_path: Path, indexes: tuple[LocalIndex, LocalIndex], case: str
) -> None:
    out = both(run, tmp_path, indexes, _args(case, indexes))
    (mine, ours, our_lock), (theirs, uv_text, uv_lock) = out["ferry"], out["uv"]
    assert (mine.code, theirs.code) == (0, 0), mine.stderr + theirs.stderr
    assert ours == uv_text
    assert our_lock == uv_lock
    assert "file://" not in ours.split("[[tool.uv.index]]")[1]


def test_a_relative_path_from_a_subdirectory(
    run: Runner, tmp_path: Path, indexes: tuple[LocalIndex, LocalIndex]
) -> None:
    out = both(run, tmp_path, indexes, ["--index", "../idx/simple"], sub="sub")
    assert out["ferry"][0].code == out["uv"][0].code == 0
    assert out["ferry"][1:] == out["uv"][1:]
    assert 'url = "idx/simple"\n' in out["ferry"][1]


@pytest.mark.parametrize("declared", ["file-url", "path"])
def test_the_other_spelling_of_a_declared_index_is_updated_in_place(
    run: Runner, tmp_path: Path, indexes: tuple[LocalIndex, LocalIndex], declared: str
) -> None:
    url, path = "file://ROOT/idx/simple/", "ROOT/idx/simple"
    written, given = (url, path) if declared == "file-url" else (path, url)
    root = tmp_path / "project"
    out = both(run, tmp_path, indexes, ["--index", given],
               entry=f'\n[[tool.uv.index]]\nurl = "{written.replace("ROOT", str(root))}"\n')
    assert out["ferry"][0].code == out["uv"][0].code == 0
    assert out["ferry"][1:] == out["uv"][1:]
    assert out["ferry"][1].count("[[tool.uv.index]]") == 2  # the declared one and the default


def test_each_reads_the_others_written_project_as_locked(
    run: Runner, tmp_path: Path, indexes: tuple[LocalIndex, LocalIndex]
) -> None:
    """The path spelling reads back as the same index as the URL it came from: after either
    tool's ``add``, both tools' ``lock --locked`` accept the lock."""
    if UV is None:
        pytest.skip("uv is not installed beside the test interpreter")
    root = fresh_project(tmp_path / "project", indexes)
    assert run("add", "--index", indexes[0].file_url, "gamma", cwd=root).code == 0
    for done in (run("lock", "--locked", cwd=root),
                 run_uv(["lock", "--locked"], root, tmp_path)):
        assert done.code == 0, done.stderr


@pytest.mark.parametrize("script", [False, True], ids=["project", "script"])
def test_new_indexes_keep_the_order_given(
    run: Runner, tmp_path: Path, indexes: tuple[LocalIndex, LocalIndex], script: bool
) -> None:
    """A file without indexes: uv writes several ``--index`` in the order given (ferry wrote
    them reversed). ``--frozen``: written, not resolved."""
    if UV is None:
        pytest.skip("uv is not installed beside the test interpreter")
    root = tmp_path / "project"
    texts = []
    for tool in ("ferry", "uv"):
        fresh_project(root, indexes)
        pyproject = root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().split("\n[[tool.uv.index]]")[0] + "\n")
        (root / "s.py").write_text("print(1)\n")
        argv = ["add", "--frozen", *(["--script", "s.py"] if script else []),
                "--index", "https://a.invalid/simple", "--index", "file://ROOT/idx/simple/",
                "gamma"]
        argv = [a.replace("ROOT", str(root)) for a in argv]
        done = run(*argv, cwd=root) if tool == "ferry" else run_uv(argv, root, tmp_path)
        assert done.code == 0, done.stderr
        texts.append((root / ("s.py" if script else "pyproject.toml")).read_text())
    assert texts[0] == texts[1]
    assert texts[0].index("https://a.invalid/simple") < texts[0].index(f"{root}/idx/simple/")
