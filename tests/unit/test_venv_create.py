"""Creating virtual environments without ``python -m venv``: they must work like real ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ferry import __version__
from ferry.model.errors import FilesystemError, UserError
from ferry.python import venv as venv_module
from ferry.python.interpreter import Interpreter, introspect
from ferry.python.venv import (
    create_venv,
    is_virtualenv,
    open_environment,
    read_pyvenv_cfg,
)

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


class FakeStore:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Any] = {}

    def read_json(self, bucket: str, key: str) -> Any:
        return self.data.get((bucket, key))

    def write_json(self, bucket: str, key: str, value: Any) -> None:
        self.data[(bucket, key)] = json.loads(json.dumps(value))


STORE = FakeStore()


def interpreter_for(name: str) -> Interpreter:
    if name == "system":
        path = Path("/usr/bin/python3.11")
    else:
        found = (
            sorted(PYENV_VERSIONS.glob(f"{name}.*/bin/python3")) if PYENV_VERSIONS.is_dir() else []
        )
        path = found[-1] if found else Path("/nonexistent")
    if not path.is_file():
        pytest.skip(f"Python {name} is not installed")
    return introspect(path, STORE)


def run_python(venv: Path, code: str, **kwargs: Any) -> str:
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        **kwargs,
    )
    return done.stdout.strip()


@pytest.mark.parametrize("name", ["3.8", "3.12", "system"])
def test_created_venv_works(name: str, tmp_path: Path) -> None:
    interpreter = interpreter_for(name)
    root = create_venv(tmp_path / "env", interpreter, prompt="demo")
    assert root == tmp_path / "env"
    major_minor = interpreter.python_version
    prefix, base_prefix, site = run_python(
        root,
        "import sys, site; print(sys.prefix); print(sys.base_prefix); "
        "print([p for p in sys.path if p.endswith('site-packages')][0])",
    ).splitlines()
    assert prefix == str(root)
    assert base_prefix == str(interpreter.base_prefix)
    assert site == str(root / "lib" / f"python{major_minor}" / "site-packages")
    # No pip unless seeded.
    done = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "No module named pip" in done.stderr
    # Layout, as uv lays it out.
    bin_dir = root / "bin"
    assert os.readlink(bin_dir / "python") == str(interpreter.base_executable)
    assert os.readlink(bin_dir / "python3") == "python"
    assert os.readlink(bin_dir / f"python{major_minor}") == "python"
    assert os.readlink(root / "lib64") == "lib"
    for script in (
        "activate",
        "activate.fish",
        "activate.csh",
        "activate.nu",
        "activate.ps1",
        "activate.xsh",
        "activate.bat",
        "deactivate.bat",
        "pydoc.bat",
        "activate_this.py",
    ):
        assert (bin_dir / script).is_file(), script
    assert (root / ".gitignore").read_text() == "*"
    assert (
        (root / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert is_virtualenv(root)


def test_pyvenv_cfg_in_uv_style(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    root = create_venv(tmp_path / "env", interpreter, prompt="my env")
    text = (root / "pyvenv.cfg").read_text()
    assert text == (
        f"home = {interpreter.base_executable.parent}\n"
        "implementation = CPython\n"
        f"ferry = {__version__}\n"
        f"version_info = {interpreter.version}\n"
        "include-system-site-packages = false\n"
        "prompt = my env\n"
    )
    cfg = read_pyvenv_cfg(root)
    assert cfg["version_info"] == str(interpreter.version)
    assert cfg["home"] == str(interpreter.base_executable.parent)


def test_stdlib_venvs_are_readable(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    root = tmp_path / "stdlib"
    subprocess.run(
        [str(interpreter.executable), "-m", "venv", "--without-pip", "--prompt", "x y", str(root)],
        check=True,
    )
    assert is_virtualenv(root)
    cfg = read_pyvenv_cfg(root)
    assert cfg["version"] == cfg["version_info"] == str(interpreter.version)
    assert cfg["include-system-site-packages"] == "false"
    assert Path(cfg["home"]) == interpreter.executable.parent
    assert read_pyvenv_cfg(root / "pyvenv.cfg") == cfg
    environment = open_environment(root, STORE)
    assert environment.interpreter.is_venv and environment.interpreter.prefix == root
    assert environment.python == root / "bin" / "python"


def test_read_pyvenv_cfg_of_a_plain_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a virtual environment"):
        read_pyvenv_cfg(tmp_path)
    assert not is_virtualenv(tmp_path)


def test_activation_with_bash(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    root = create_venv(tmp_path / "it's a venv", interpreter)  # a space and a quote in the path
    script = (
        f"source {shlex_quote(str(root / 'bin' / 'activate'))} && which python && "
        'echo "$VIRTUAL_ENV" && echo "$VIRTUAL_ENV_PROMPT" && '
        'python -c "import sys; print(sys.prefix)" '
        "&& deactivate && echo ${VIRTUAL_ENV:-unset}"
    )
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=True, env=env
    )
    which, virtual_env, prompt, prefix, after = done.stdout.splitlines()
    assert which == str(root / "bin" / "python")
    assert virtual_env == prefix == str(root)
    assert prompt == "it's a venv"
    assert after == "unset"


def test_activate_this(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    root = create_venv(tmp_path / "env", interpreter, prompt="p")
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); import os; "
        "print(sys.prefix); print(os.environ['VIRTUAL_ENV_PROMPT']); "
        "print(sys.path[0])"
    )
    done = subprocess.run(
        [str(interpreter.executable), "-c", code, str(root / "bin" / "activate_this.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    prefix, prompt, first = done.stdout.splitlines()
    assert prefix == str(root) and prompt == "p"
    assert first == str(root / "lib" / "python3.12" / "site-packages")


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_activation_with_fish(tmp_path: Path) -> None:
    root = create_venv(tmp_path / "env", interpreter_for("3.12"))
    done = subprocess.run(
        ["fish", "-c", f"source {root}/bin/activate.fish; and command -v python"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(root / "bin" / "python")


def test_refuses_a_directory_that_is_not_a_venv(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    target = tmp_path / "project"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    for clear in (False, True):
        with pytest.raises(UserError, match="not a virtual environment"):
            create_venv(target, interpreter, clear=clear)
    assert (target / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in target.iterdir()) == ["precious.txt"]
    # --allow-existing writes into it, keeping what is there (as uv's flag does).
    create_venv(target, interpreter, allow_existing=True)
    assert (target / "precious.txt").read_text() == "keep me"
    assert run_python(target, "import sys; print(sys.prefix)") == str(target)


def test_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(UserError, match="not a directory"):
        create_venv(tmp_path / "f", interpreter_for("3.12"))


def test_existing_venv_needs_clear(tmp_path: Path) -> None:
    py38, py312 = interpreter_for("3.8"), interpreter_for("3.12")
    root = create_venv(tmp_path / "env", py38)
    marker = root / "lib" / "python3.8" / "site-packages" / "installed.py"
    marker.write_text("")
    with pytest.raises(UserError, match="already exists") as caught:
        create_venv(root, py312)
    assert caught.value.hint is not None and "--clear" in caught.value.hint
    assert marker.exists()
    create_venv(root, py312, clear=True)
    assert not marker.exists() and not (root / "lib" / "python3.8").exists()
    assert run_python(root, "import sys; print(sys.version_info[:2])") == "(3, 12)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]  # no staging or trash left


def test_allow_existing_keeps_installed_packages(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    root = create_venv(tmp_path / "env", interpreter)
    marker = root / "lib" / "python3.12" / "site-packages" / "installed.py"
    marker.write_text("")
    create_venv(root, interpreter, allow_existing=True, prompt="again")
    assert marker.exists()
    assert read_pyvenv_cfg(root)["prompt"] == "again"


def test_empty_directory_is_filled_in_place(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    inode = target.stat().st_ino
    create_venv(target, interpreter_for("3.12"))
    assert target.stat().st_ino == inode  # the same directory (a shell may be sitting in it)
    assert is_virtualenv(target)


def test_parents_are_created(tmp_path: Path) -> None:
    root = create_venv(tmp_path / "a" / "b" / "env", interpreter_for("3.12"))
    assert is_virtualenv(root)


def test_system_site_packages(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    root = create_venv(tmp_path / "env", interpreter, system_site_packages=True)
    assert read_pyvenv_cfg(root)["include-system-site-packages"] == "true"
    paths = json.loads(run_python(root, "import sys, json; print(json.dumps(sys.path))"))
    assert str(interpreter.scheme.purelib) in paths


def test_a_venv_interpreter_is_replaced_by_its_base(tmp_path: Path) -> None:
    first = create_venv(tmp_path / "one", interpreter_for("3.12"))
    inner = introspect(first / "bin" / "python", STORE)
    assert inner.is_venv
    second = create_venv(tmp_path / "two", inner)
    assert not os.readlink(second / "bin" / "python").startswith(str(first))
    assert run_python(second, "import sys; print(sys.prefix)") == str(second)


def test_interrupted_creation_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    interpreter = interpreter_for("3.12")

    def explode(*args: object, **kwargs: object) -> dict[str, str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(venv_module, "render_activators", explode)
    with pytest.raises(KeyboardInterrupt):
        create_venv(tmp_path / "env", interpreter)
    assert list(tmp_path.iterdir()) == []
    # And an existing venv survives a failed --clear untouched.
    monkeypatch.undo()
    root = create_venv(tmp_path / "env", interpreter)
    monkeypatch.setattr(venv_module, "render_activators", explode)
    with pytest.raises(KeyboardInterrupt):
        create_venv(root, interpreter, clear=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]
    assert run_python(root, "import sys; print(sys.prefix)") == str(root)


def test_creation_is_fast(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    create_venv(tmp_path / "warm", interpreter)  # templates read once per process
    runs = []
    for index in range(5):
        started = time.perf_counter()
        create_venv(tmp_path / f"env{index}", interpreter)
        runs.append(time.perf_counter() - started)
    print(f"create_venv: best {min(runs) * 1000:.2f} ms, worst {max(runs) * 1000:.2f} ms")
    assert max(runs) < 1.0


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def test_dev_interpreter_is_usable_too(tmp_path: Path) -> None:
    root = create_venv(tmp_path / "env", introspect(Path(sys.executable), STORE))
    assert run_python(root, "import sys; print(sys.prefix)") == str(root)


def test_concurrent_creation_of_one_venv(tmp_path: Path) -> None:
    """Several creators racing for the same path (RELIABILITY E1): each either succeeds or is
    told the venv already exists; the result works and no staging directory is left behind."""
    import threading

    interpreter = interpreter_for("3.12")
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        try:
            create_venv(tmp_path / "env", interpreter)
            outcomes.append("created")
        except UserError as error:
            outcomes.append("exists" if "already exists" in error.message else error.message)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "created" in outcomes
    assert set(outcomes) <= {"created", "exists"}, outcomes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]
    assert run_python(tmp_path / "env", "import sys; print(sys.prefix)") == str(tmp_path / "env")


def test_failed_swap_restores_the_old_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    interpreter = interpreter_for("3.12")
    root = create_venv(tmp_path / "env", interpreter)
    marker = root / "lib" / "python3.12" / "site-packages" / "installed.py"
    marker.write_text("")
    real_rename = os.rename

    def failing_rename(source: Any, target: Any) -> None:
        if ".ferry-new-" in os.path.basename(source):
            raise OSError(28, "No space left on device")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(FilesystemError, match="No space left"):
        create_venv(root, interpreter, clear=True)
    assert marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]


def test_a_seeded_environment_says_so_as_uv_writes_it(tmp_path: Path) -> None:
    interpreter = interpreter_for("3.12")
    seeded = create_venv(tmp_path / "seeded", interpreter, seed=True)
    assert read_pyvenv_cfg(seeded)["seed"] == "true"
    assert "seed" not in read_pyvenv_cfg(create_venv(tmp_path / "plain", interpreter))
