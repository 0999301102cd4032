"""What ``ferry venv`` prints, the same on its lean and its full path.

The environment's prompt, the path as the user would type it, the ``Creating …`` header and the
activation command for the user's shell are shared by :mod:`ferry.commands.venv_fast` and
:mod:`ferry.commands.venv`, so both paths say exactly the same; written with ``os`` only, since
the lean path imports it too (``shlex`` would bring in ``re``).
"""

from __future__ import annotations

# ruff: noqa: PTH100, PTH118, PTH119, PTH122
import os

_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def default_prompt(
    prompt: str | None, path: str | os.PathLike[str] | None, cwd: str | os.PathLike[str]
) -> str | None:
    """uv's rule: ``--prompt .`` or no PATH argument → the current directory's name; a PATH
    argument alone → no prompt (activation then shows the environment's folder name)."""
    if prompt == "." or (prompt is None and path is None):
        return os.path.basename(os.fspath(cwd)) or None
    return prompt


def creating_line(shown: str, *, seed: bool = False) -> str:
    """uv's header for the environment being made; with ``--seed`` it names the seed packages,
    which then follow as `` + name==version`` lines only (no resolve/install summary)."""
    what = "virtual environment with seed packages" if seed else "virtual environment"
    return f"Creating {what} at: {shown}"


def display_path(path: str | os.PathLike[str], cwd: str | os.PathLike[str]) -> str:
    """As the user would type it: relative when inside the current directory."""
    absolute = os.path.abspath(path)  # keep symlinks
    base = os.fspath(cwd)
    if absolute == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    return absolute[len(prefix) :] if absolute.startswith(prefix) else absolute


def activation_command(shown: str, shell: str | None = None) -> str | None:
    """The activation command for the user's shell, as uv prints it, or None when the shell is
    unknown: uv then prints no ``Activate with:`` line (a CI job or a Docker build has no
    ``SHELL``, and a guessed ``source`` line would be wrong for whatever does run it).

    The shell comes from ``shell`` (tests), else uv's order: a running shell's own version
    variable (``NU_VERSION``, ``FISH_VERSION``, ``BASH_VERSION``, ``ZSH_VERSION``,
    ``KSH_VERSION``), then ``SHELL``. ``tcsh``, which uv leaves unnamed, gets activate.csh
    (written for it); ``pwsh``, for which uv prints ``bin/activate`` (on Windows PowerShell
    resolves that to activate.ps1, elsewhere it names the bash script), gets activate.ps1."""
    if os.name == "nt":
        return shell_quote(_join(shown, "Scripts", "activate"))
    name = _shell_name(shell)
    if name in {"bash", "zsh", "ksh"}:
        return f"source {shell_quote(_join(shown, 'bin', 'activate'))}"
    if name == "fish":
        return f"source {shell_quote(_join(shown, 'bin', 'activate.fish'))}"
    if name in {"csh", "tcsh"}:
        return f"source {shell_quote(_join(shown, 'bin', 'activate.csh'))}"
    if name == "nu":
        return f"overlay use {shell_quote(_join(shown, 'bin', 'activate.nu'))}"
    if name in {"pwsh", "powershell", "powershell_ise"}:
        return shell_quote(_join(shown, "bin", "activate.ps1"))
    return None


_VERSION_VARIABLES = (
    ("NU_VERSION", "nu"),
    ("FISH_VERSION", "fish"),
    ("BASH_VERSION", "bash"),
    ("ZSH_VERSION", "zsh"),
    ("KSH_VERSION", "ksh"),
)


def _shell_name(shell: str | None) -> str:
    """The shell's executable name without directory or extension ("" when none is known)."""
    if shell is None:
        for variable, name in _VERSION_VARIABLES:
            if variable in os.environ:
                return name
        shell = os.environ.get("SHELL", "")
    if not shell:
        return ""
    stem, _ = os.path.splitext(os.path.basename(os.path.normpath(shell)))
    return stem


def _join(shown: str, *parts: str) -> str:
    """``str(Path(shown, *parts))``: pathlib drops a leading ``.``."""
    return os.path.join(*parts) if shown == "." else os.path.join(shown, *parts)


def shell_quote(text: str) -> str:
    """``shlex.quote`` (which imports ``re``)."""
    if not text:
        return "''"
    if all(char in _SHELL_SAFE for char in text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"
