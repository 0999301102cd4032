"""A ferry command as uv's argument parser (clap) sees it: its arguments' names, and the
``Usage:`` line clap prints under a command-line error.

ferry parses with click, but its command-line errors are uv 0.13.8's, word for word, so this
module keeps clap's picture of each command: an option is named by its long form, a value by
its placeholder (``--python <PYTHON>``), a counted flag as ``--verbose...``, a positional as
``<PATH>`` or ``[PATH]``. Where ferry's click declarations spell something differently from uv
(``--requirement`` against uv's ``--requirements``, a positional's name, the order of a choice's
values, an option uv hides from its usage lines), the tables below say how uv spells it; the
rest follows clap's rule (the long name in capitals).

Two usage lines exist, as in clap: the command's general one (``ferry sync [OPTIONS]``), and the
"smart" one built from the arguments already typed (``ferry sync --frozen --no-dev``). Which
error uses which is :mod:`ferry.cli.usage_errors`' business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click

from ferry.cli.argument_checks import REQUIRED_GROUPS
from ferry.model.immutable import immutable

PROGRAM = "ferry"

# The long name uv gives an option ferry declares under another first spelling.
_LONG_NAMES = {"--requirement": "--requirements", "--constraint": "--constraints",
               "--override": "--overrides"}
# Placeholders that are not the long name in capitals: ("command path", "--long") or ("", ...)
# for every command.
_VALUE_NAMES = {("export", "--prune"): "PACKAGE", ("", "--bump"): "BUMP[=VALUE]",
                ("", "--color"): "COLOR_CHOICE"}
# Positionals uv names otherwise than ferry's parameter, by command path.
_POSITIONAL_NAMES = {
    ("cache clean", "packages"): "PACKAGE", ("pip install", "packages"): "PACKAGE",
    ("pip uninstall", "packages"): "PACKAGE", ("pip show", "packages"): "PACKAGE",
    ("pip compile", "src_files"): "SRC_FILE", ("pip sync", "src_files"): "SRC_FILE",
}
# Choices whose values uv lists in another order than ferry declares them (its enum's order).
_CHOICE_ORDER = {"--link-mode": ("clone", "copy", "hardlink", "symlink"),
                 "--fork-strategy": ("fewest", "requires-python"),
                 "--annotation-style": ("line", "split")}
# Options uv lists the values of that ferry reads as free text (and checks later).
_POSSIBLE_VALUES = {"--bump": ("major", "minor", "patch", "stable", "alpha", "beta", "rc",
                               "post", "dev")}
# Options uv accepts but hides: clap leaves hidden arguments out of its usage lines.
_HIDDEN = {"lock": ("--locked", "--frozen"), "pip compile": ("--pre",),
           "pip install": ("--pre",), "pip sync": ("--pre",)}
# Commands whose positional is uv's external sub-command (``uv run [COMMAND]``): not a
# positional to clap, so never in a smart usage line, and no "pass it after --" tip.
_EXTERNAL = frozenset({"run"})
# uv's order of the sub-commands ferry has (clap lists and suggests them in this order).
SUBCOMMAND_ORDER = {
    "": ("run", "init", "add", "remove", "version", "sync", "lock", "export", "tree", "pip",
         "venv", "build", "cache"),
    "pip": ("compile", "sync", "install", "uninstall", "freeze", "list", "show", "tree",
            "check"),
    "cache": ("clean", "prune", "dir"),
}


@immutable
class Arg:
    """One argument as clap names it."""

    key: str
    """click's parameter name (``python``); the identity of the argument."""
    long: str | None
    """``--python``: uv's long form (``None`` for a positional or a short-only option)."""
    longs: tuple[str, ...]
    """Every long spelling ferry accepts for it."""
    shorts: tuple[str, ...]
    """Its short letters (``p``)."""
    value: str | None
    """The placeholder (``PYTHON``), ``None`` for a flag."""
    count: bool
    multiple: bool
    required: bool
    positional: bool
    hidden: bool
    choices: tuple[str, ...]

    def shown(self, in_group: bool = False) -> str:
        """``--python <PYTHON>``, ``--frozen``, ``--verbose...``, ``<PATH>`` (``PATH`` inside a
        group's ``<A|B>``)."""
        if self.positional:
            return self.value or "" if in_group else f"<{self.value}>" + (
                "..." if self.multiple else "")
        name = self.long or f"-{self.shorts[0]}"
        if self.count:
            return f"{name}..."
        return f"{name} <{self.value}>" if self.value else name

    def optional_shown(self) -> str:
        """A positional not (yet) given: ``[PATH]``, ``[PACKAGE]...``."""
        return f"[{self.value}]" + ("..." if self.multiple else "")


@immutable
class CommandView:
    """A command as clap sees it: ``path`` (``pip install``; ``""`` for ``ferry`` itself)."""

    path: str
    args: tuple[Arg, ...]
    """Its own options and positionals, then the global options (clap propagates them)."""
    subcommands: tuple[str, ...]
    """A group's sub-commands in uv's order (empty for a command)."""
    group: tuple[Arg, ...]
    """The members of its required group (:data:`REQUIRED_GROUPS`), if it has one."""

    @property
    def program(self) -> str:
        return f"{PROGRAM} {self.path}" if self.path else PROGRAM

    @property
    def positionals(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.positional)

    @property
    def external(self) -> bool:
        return self.path in _EXTERNAL

    def by_long(self, name: str) -> Arg | None:
        return next((a for a in self.args if name in a.longs), None)

    def by_short(self, letter: str) -> Arg | None:
        return next((a for a in self.args if letter in a.shorts), None)

    def longs(self) -> list[str]:
        """Every long name (without dashes) clap would compare a mistyped one with."""
        names = [long[2:] for a in self.args for long in a.longs]
        return [*names, "help"] + (["version"] if not self.path else [])


def view(command: click.Command, path: str, root: click.Command | None) -> CommandView:
    """``command`` (at ``path``) as clap sees it; ``root``'s options are its global ones."""
    own = [_arg(p, path) for p in command.params]
    globals_ = [_arg(p, "") for p in root.params] if root not in (None, command) else []
    subcommands: tuple[str, ...] = ()
    if isinstance(command, click.Group):
        names = command.list_commands(click.Context(command))
        order = SUBCOMMAND_ORDER.get(path, ())
        subcommands = tuple(sorted(names, key=lambda n: (order.index(n) if n in order
                                                         else len(order), names.index(n))))
    group = tuple(a for key in REQUIRED_GROUPS.get(path, ()) for a in own if a.key == key)
    return CommandView(path, tuple(own + globals_), subcommands, group)


def _arg(param: click.Parameter, path: str) -> Arg:
    if isinstance(param, click.Argument):
        name = _POSITIONAL_NAMES.get((path, param.name or ""), (param.name or "").upper())
        return Arg(param.name or "", None, (), (), name, False, param.nargs == -1,
                   param.required, True, False, ())
    assert isinstance(param, click.Option)
    spellings = [*param.opts, *param.secondary_opts]
    longs = tuple(o for o in spellings if o.startswith("--"))
    shorts = tuple(o[1:] for o in spellings if not o.startswith("--") and len(o) == 2)
    long = _LONG_NAMES.get(longs[0], longs[0]) if longs else None
    takes_value = not (param.is_flag or param.count)
    value = None
    if takes_value and long is not None:
        value = _VALUE_NAMES.get((path, long)) or _VALUE_NAMES.get(("", long)) or \
            long[2:].upper().replace("-", "_")
    choices: tuple[str, ...] = _POSSIBLE_VALUES.get(long or "", ())
    if isinstance(param.type, click.Choice):
        declared = tuple(str(c) for c in param.type.choices)
        order = _CHOICE_ORDER.get(long or "", ())
        choices = tuple(sorted(declared, key=lambda c: order.index(c) if c in order
                               else len(order) + declared.index(c)))
    hidden = bool(param.hidden) or (long in _HIDDEN.get(path, ()))
    return Arg(param.name or "", long, longs, shorts, value, bool(param.count),
               bool(param.multiple), bool(param.required), False, hidden, choices)


def help_usage(command: CommandView) -> str:
    """The command's general usage (``ferry venv [OPTIONS] [PATH]``), as its help shows it."""
    parts = [command.program, "[OPTIONS]", *_positional_parts(command, ())]
    if command.external:
        parts.append("[COMMAND]")
    return " ".join(parts)


def smart_usage(command: CommandView, used: Sequence[Arg]) -> str:
    """The usage clap builds from the arguments typed so far (``ferry sync --frozen``): each
    option once, in the order typed, then the required group, then every positional (given or
    required ``<X>``, else ``[X]``); the general usage when nothing (visible) was typed."""
    if all(a.hidden for a in used):
        return help_usage(command)
    options = [a for a in used if not a.positional and not a.hidden and a not in command.group]
    parts = [command.program, *dict.fromkeys(a.shown() for a in options)]
    return " ".join([*parts, *_positional_parts(command, used)])


def _positional_parts(command: CommandView, used: Iterable[Arg]) -> list[str]:
    """The required group, the positionals (an external command's is not one to clap) and a
    group's ``<COMMAND>``."""
    given = {a.key for a in used}
    parts: list[str] = []
    if command.group:
        parts.append("<" + "|".join(a.shown(in_group=True) for a in command.group) + ">")
    for arg in () if command.external else command.positionals:
        if arg not in command.group:
            parts.append(arg.shown() if arg.required or arg.key in given
                         else arg.optional_shown())
    if command.subcommands:
        parts.append("<COMMAND>")
    return parts


def required_missing(command: CommandView, used: Sequence[Arg]) -> list[str]:
    """What clap lists under ``the following required arguments were not provided:``."""
    given = {a.key for a in used}
    if command.group and not given & {a.key for a in command.group}:
        return ["<" + "|".join(a.shown(in_group=True) for a in command.group) + ">"]
    return [a.shown() for a in command.positionals if a.required and a.key not in given]


def jaro(a: str, b: str) -> float:
    """Jaro similarity, as the ``strsim`` crate computes it (clap's "did you mean")."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    reach = max(max(len(a), len(b)) // 2 - 1, 0)
    a_hit = [False] * len(a)
    b_hit = [False] * len(b)
    matches = 0
    for i, char in enumerate(a):
        for j in range(max(i - reach, 0), min(len(b), i + reach + 1)):
            if not b_hit[j] and b[j] == char:
                a_hit[i] = b_hit[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    b_matched = iter(char for char, hit in zip(b, b_hit, strict=True) if hit)
    transpositions = sum(char != next(b_matched)
                         for char, hit in zip(a, a_hit, strict=True) if hit) // 2
    return (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3


def similar(word: str, candidates: Iterable[str]) -> list[str]:
    """clap's suggestions for ``word``: the candidates more than 0.7 similar, least similar
    first (the last is the one clap suggests when it names one)."""
    scored = [(jaro(word, c), c) for c in dict.fromkeys(candidates)]
    return [c for score, c in sorted((s for s in scored if s[0] > 0.7), key=lambda s: s[0])]
