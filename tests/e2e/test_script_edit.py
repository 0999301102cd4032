"""``ferry init --script``, ``ferry add --script`` and ``ferry remove --script``: PEP 723 blocks
created and edited as uv 0.13.8 does (the expected texts are uv's output for the same input),
the rest of the file byte for byte, no project and no environment involved, and a failed
resolution leaving the script untouched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.e2e.edit_kit import fill_index, run_uv, uv_binary
from tests.support.index import LocalIndex
from tests.support.runner import Runner

PY = f">={sys.version_info.major}.{sys.version_info.minor}"
BLOCK = f'# /// script\n# requires-python = "{PY}"\n# dependencies = []\n# ///\n'
MAIN = (
    '\n\ndef main() -> None:\n    print("Hello from {name}!")\n\n\n'
    'if __name__ == "__main__":\n    main()\n'
)


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    return fill_index(local_index)


def test_init_writes_uv_s_template(run: Runner, tmp_path: Path) -> None:
    result = run("init", "--script", "example.py", "--python", sys.executable)
    assert result.code == 0, result.stderr
    assert result.stderr == "Initialized script at `example.py`\n"
    assert (tmp_path / "example.py").read_text() == BLOCK + MAIN.format(name="example.py")
    made = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("home", "cache"))
    assert made == ["example.py"]
    again = run("init", "--script", "example.py", "--python", sys.executable)
    assert again.code == 1
    assert "already a PEP 723 script" in again.stderr
    nested = run("init", "--script", "sub/tool.py", "--python", sys.executable)
    assert nested.code == 0, nested.stderr
    assert (tmp_path / "sub" / "tool.py").read_text() == BLOCK + MAIN.format(name="tool.py")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("#!/usr/bin/env python3\nprint(1)\n", "#!/usr/bin/env python3\n#\n{B}\nprint(1)\n"),
        ("# comment\nprint(1)\n", "{B}\n# comment\nprint(1)\n"),
        ("#!/usr/bin/env python3\n", "#!/usr/bin/env python3\n#\n{B}\n"),
        ("\n\nprint(1)", "{B}\n\n\nprint(1)"),
    ],
)
def test_init_adds_a_block_to_an_existing_file(
    run: Runner, tmp_path: Path, before: str, after: str
) -> None:
    (tmp_path / "s.py").write_text(before)
    result = run("init", "--script", "s.py", "--python", sys.executable)
    assert result.code == 0, result.stderr
    assert (tmp_path / "s.py").read_text() == after.format(B=BLOCK)


def test_init_refuses_project_flags(run: Runner, tmp_path: Path) -> None:
    assert run("init", "--script", "--package", "x.py").code == 2
    assert run("init", "--script").code == 2
    warned = run("init", "--script", "x.py", "--no-readme", "--python", sys.executable)
    assert warned.code == 0, warned.stderr
    assert "`--no-readme` is a no-op for Python scripts" in warned.stderr


SCRIPT = """\
#!/usr/bin/env -S uv run --script
# A tool.
# /// script
# requires-python = ">=3.8"
# dependencies = ["leaf<1.4"]  # pinned low on purpose
#
# [tool.ruff]
# line-length = 99
# ///
import leaf  # noqa

print( 'untouched' )
"""


def add(run: Runner, index: LocalIndex, *args: str):  # type: ignore[no-untyped-def]
    return run("add", "--index-url", index.file_url, *args)


def test_add_edits_only_the_dependencies(run: Runner, tmp_path: Path, index: LocalIndex) -> None:
    script = tmp_path / "tool.py"
    script.write_text(SCRIPT)
    marker = "python_version < '3.12'"
    result = add(run, index, "--script", "tool.py", "top", "tool[cli]", "-m", marker)
    assert result.code == 0, result.stderr
    assert script.read_text() == SCRIPT.replace(
        '# dependencies = ["leaf<1.4"]  # pinned low on purpose\n',
        "# dependencies = [\n"
        '#     "leaf<1.4",\n'
        "#     \"tool[cli]>=2.0.0 ; python_full_version < '3.12'\",\n"
        "#     \"top>=0.3.1 ; python_full_version < '3.12'\",\n"
        "# ]  # pinned low on purpose\n",
    )
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "warning: Indexes specified via `--index-url` will not be persisted to the script; "
        "use `--default-index` instead."
    )
    assert lines[1].startswith("Resolved 3 packages in ")
    assert len(lines) == 2  # nothing synced
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("home", "cache")) == [
        "index", "tool.py"
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("#!/usr/bin/env python3\nprint(1)\n", "#!/usr/bin/env python3\n{B}print(1)\n"),
        ("# comment\nprint(1)\n", "{B}\n# comment\nprint(1)\n"),
        ("\n\nprint(1)", "{B}\n\nprint(1)"),
        ("#!/usr/bin/env python3", "#!/usr/bin/env python3\n{B}"),
        ("", "{B}"),
    ],
)
def test_add_creates_the_block_where_uv_does(
    run: Runner, tmp_path: Path, before: str, after: str
) -> None:
    (tmp_path / "s.py").write_text(before)
    result = run("add", "--script", "s.py", "leaf", "--frozen", "--python", sys.executable)
    assert result.code == 0, result.stderr
    assert result.stderr == "Updated `s.py`\n"
    block = BLOCK.replace("dependencies = []", 'dependencies = [\n#     "leaf",\n# ]')
    assert (tmp_path / "s.py").read_text() == after.format(B=block)


def test_add_sources_and_indexes_go_into_the_block(
    run: Runner, tmp_path: Path, index: LocalIndex
) -> None:
    helper = tmp_path / "ext" / "helper"
    helper.mkdir(parents=True)
    (helper / "pyproject.toml").write_text('[project]\nname="helper"\nversion="1.0"\n')
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "s.py"
    script.write_text(BLOCK + "import sys\n")
    result = add(
        run, index, "--script", "bin/s.py", "ext/helper", "leaf",
        "--index", f"mirror={index.file_url}",
    )
    assert result.code == 0, result.stderr
    assert script.read_text() == BLOCK.replace(
        "# dependencies = []\n",
        "# dependencies = [\n"
        '#     "helper",\n'
        '#     "leaf>=1.4.2",\n'
        "# ]\n"
        "#\n"
        "# [tool.uv.sources]\n"
        '# leaf = { index = "mirror" }\n'  # named requirements first, as uv
        '# helper = { path = "../ext/helper" }\n'  # relative to the script
        "#\n"
        "# [[tool.uv.index]]\n"
        '# name = "mirror"\n'
        f'# url = "{index.file_url.removeprefix("file://")}"\n',  # as uv writes it (s15)
    ) + "import sys\n"
    # the block's own index and path source serve the next resolution (no --index-url)
    assert run("add", "--script", "bin/s.py", "top").code == 0


def test_a_failed_resolution_leaves_the_script_untouched(
    run: Runner, tmp_path: Path, index: LocalIndex
) -> None:
    script = tmp_path / "tool.py"
    script.write_text(SCRIPT)
    for args in (["no-such-package"], ["leaf>=9"], ["top", "-c", "c.txt"]):
        (tmp_path / "c.txt").write_text("leaf>=9\n")
        result = add(run, index, "--script", "tool.py", *args)
        assert result.code == 1
        assert "Traceback" not in result.stderr
        assert script.read_text() == SCRIPT
    plain = tmp_path / "plain.py"
    plain.write_text("print(1)\n")
    assert add(run, index, "--script", "plain.py", "no-such-package").code == 1
    assert plain.read_text() == "print(1)\n"


def test_add_from_a_requirements_file(run: Runner, tmp_path: Path, index: LocalIndex) -> None:
    script = tmp_path / "s.py"
    script.write_text(BLOCK)
    (tmp_path / "r.txt").write_text("top\nleaf>=1.0,<2\n")
    result = add(run, index, "--script", "s.py", "-r", "r.txt")
    assert result.code == 0, result.stderr
    assert script.read_text() == BLOCK.replace(
        "dependencies = []", 'dependencies = [\n#     "leaf>=1.0,<2",\n#     "top>=0.3.1",\n# ]'
    )


def test_remove(run: Runner, tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    text = BLOCK.replace(
        "dependencies = []",
        'dependencies = [\n#     "helper",\n#     "leaf>=1",  # keep?\n# ]\n#\n'
        '# [tool.uv.sources]\n# helper = { path = "../helper" }',
    ) + "\nprint(1)\n"
    script.write_text(text)
    result = run("remove", "--script", "s.py", "Helper")
    assert result.code == 0, result.stderr
    assert result.stderr == "Updated `s.py`\n"
    assert script.read_text() == BLOCK.replace(
        "dependencies = []",
        # uv 0.13.8 drops the emptied sources table and the `#` line before it
        'dependencies = [\n#     "leaf>=1",  # keep?\n# ]',
    ) + "\nprint(1)\n"
    before = script.read_bytes()
    missing = run("remove", "--script", "s.py", "nothere")
    assert missing.code == 2  # uv 0.13.8's exit code for it
    assert "The dependency `nothere` could not be found in `dependencies`" in missing.stderr
    assert script.read_bytes() == before
    assert run("remove", "--script", "s.py", "leaf").code == 0
    emptied = script.read_text()
    assert "[tool.uv.sources]" not in emptied  # uv 0.13.8 drops the table it empties
    # the removed entry's comment stays on a line of its own, as uv 0.13.8 keeps it
    assert emptied == BLOCK.replace(
        "dependencies = []", "dependencies = [\n#     # keep?\n# ]"
    ) + "\nprint(1)\n"


def test_errors_that_name_the_problem(run: Runner, tmp_path: Path) -> None:
    missing = run("add", "--script", "nofile.py", "leaf")
    assert missing.code == 1
    assert "Failed to read `nofile.py` (not found)" in missing.stderr
    assert "ferry init --script nofile.py" in missing.stderr
    (tmp_path / "s.py").write_text(BLOCK)
    assert run("add", "--script", "s.py", "--dev", "leaf").code == 2
    assert run("remove", "--script", "s.py", "--group", "g", "leaf").code == 2
    (tmp_path / "plain.py").write_text("print(1)\n")
    none = run("remove", "--script", "plain.py", "leaf")
    assert none.code == 1
    assert "has no `# /// script` block" in none.stderr
    (tmp_path / "bad.py").write_text("# /// script\n# dependencies = [\n# ///\n")
    bad = run("add", "--script", "bad.py", "leaf", "--frozen")
    assert bad.code == 1
    assert "not valid TOML" in bad.stderr
    assert (tmp_path / "bad.py").read_text() == "# /// script\n# dependencies = [\n# ///\n"


def test_a_stale_script_lock_is_reported(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(BLOCK)
    (tmp_path / "s.py.lock").write_text("version = 1\n")
    result = run("add", "--script", "s.py", "leaf", "--frozen")
    assert result.code == 0, result.stderr
    assert "`s.py.lock` was not updated" in result.stderr
    assert (tmp_path / "s.py.lock").read_text() == "version = 1\n"


@pytest.mark.skipif(uv_binary() is None, reason="uv is not installed")
@pytest.mark.parametrize(
    ("text", "args"),
    [
        (SCRIPT, ["add", "top", "tool[cli]", "-m", "python_version < '3.12'"]),
        ("#!/usr/bin/env python3\n# c\nprint(1)\n", ["add", "leaf", "top"]),
        (SCRIPT, ["remove", "leaf"]),
        ("#!/usr/bin/env python3\n# c\nprint(1)\n", ["init"]),
    ],
)
def test_uv_writes_the_same_script(
    run: Runner, tmp_path: Path, index: LocalIndex, text: str, args: list[str]
) -> None:
    command, *rest = args
    for name in ("mine.py", "uv.py"):
        (tmp_path / name).write_text(text)
    extra = ["--python", sys.executable]
    if command == "add":
        extra += ["--index-url", index.file_url]
    ours = run(command, "--script", "mine.py", *rest, *extra)
    assert ours.code == 0, ours.stderr
    theirs = run_uv([command, "--script", "uv.py", *rest, *extra], tmp_path, tmp_path / "uv-cache")
    assert theirs.returncode == 0, theirs.stderr
    assert (tmp_path / "mine.py").read_text() == (tmp_path / "uv.py").read_text()
