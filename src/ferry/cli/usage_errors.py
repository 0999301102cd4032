"""Command-line errors in uv 0.13.8's words: click's usage errors rendered as clap renders its.

click finds the mistake (an unknown option, a missing value, a value outside its choices, a
missing argument, an unknown sub-command); this module says it as uv does, byte for byte where
ferry's commands have uv's arguments::

    error: unexpected argument '--bogus' found

      tip: to pass '--bogus' as a value, use '-- --bogus'

    Usage: ferry venv [OPTIONS] [PATH]

    For more information, try '--help'.

clap's usage line depends on what was typed before the mistake (the "smart" usage of
:mod:`ferry.cli.clap_usage`), so the renderer reads the command line as the user typed it —
before ferry moved the global options to the front — and walks the tokens of the erring
command's level as clap would have, up to the mistake.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from ferry.cli.clap_usage import (
    Arg,
    CommandView,
    help_usage,
    required_missing,
    similar,
    smart_usage,
    view,
)
from ferry.model.argument_errors import ArgumentConflict, ArgumentError
from ferry.model.immutable import immutable

MORE = "For more information, try '--help'."
_HELP = Arg("help", "--help", ("--help",), ("h",), None, False, False, False, False, False, ())


@immutable
class Scan:
    """What clap had read of one level's tokens when it stopped."""

    used: list[Arg]
    """The arguments given, in the order typed (repeats kept; the usage line drops them)."""
    stop: int
    """The index of the token it stopped at (``len(tokens)`` when it read them all)."""
    extra: str | None
    """A positional token with no positional left to take it."""


def scan(command: CommandView, tokens: Sequence[str]) -> Scan:
    """Read ``tokens`` (one level's) as clap would, up to the first it cannot place."""
    used: list[Arg] = []
    positionals = [a for a in command.positionals if not command.external]
    index, trailing = 0, False
    while index < len(tokens):
        token = tokens[index]
        if token == "--" and not trailing:
            trailing = True
        elif trailing or not token.startswith("-") or token == "-":
            if command.external or command.subcommands:
                return Scan(used, index, None)
            if not positionals:
                return Scan(used, index, token)
            used.append(positionals[0])
            if not positionals[0].multiple:
                positionals.pop(0)
        elif token.startswith("--"):
            name, has_value, _ = token.partition("=")
            arg = command.by_long(name)
            if arg is None:
                return Scan(used, index, None)
            used.append(arg)
            index += arg.value is not None and not has_value
        else:
            letters = token[1:]
            for at, letter in enumerate(letters):
                arg = command.by_short(letter)
                if arg is None:
                    return Scan(used, index, None)
                used.append(arg)
                if arg.value is not None:
                    index += at == len(letters) - 1
                    break
        index += 1
    return Scan(used, len(tokens), None)


def level_tokens(argv: Sequence[str], depth: int, root: CommandView) -> list[str]:
    """The tokens of the ``depth``-th sub-command's level of ``argv`` (0: ``ferry``'s own):
    what follows its name. Global options typed before it belong to the levels above."""
    index = 0
    for _ in range(depth):
        while index < len(argv) and argv[index].startswith("-") and argv[index] != "--":
            arg = root.by_long(argv[index]) or (
                root.by_short(argv[index][1:]) if len(argv[index]) == 2 else None)
            index += 2 if arg is not None and arg.value is not None else 1
        index += 1  # the sub-command's name
    return list(argv[index:])


def command_view(ctx: click.Context | None) -> CommandView:
    """The erring command of ``ctx`` as clap sees it."""
    if ctx is None:
        from ferry.cli.main import cli

        return view(cli, "", cli)
    root = ctx.find_root().command
    path = " ".join(ctx.command_path.split(" ")[1:])
    return view(ctx.command, path, root)


def view_of(path: Sequence[str]) -> CommandView:
    """The command at ``path`` (``["pip", "install"]``) as clap sees it."""
    from ferry.cli.main import cli

    command: click.Command = cli
    for word in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), word)
        assert found is not None
        command = found
    return view(command, " ".join(path), cli)


def render(error: click.ClickException, argv: Sequence[str]) -> str:
    """The whole text uv prints for ``error`` (click's), ``argv`` being the command line as
    typed."""
    command, tokens = _level(error, argv)
    return f"error: {_body(error, command, tokens, argv)}\n\n{MORE}"


def shows_help(error: click.ClickException, argv: Sequence[str]) -> bool:
    """Whether ``error`` is click's "no arguments, so the help" for a group typed bare (``ferry
    pip``), which uv answers with the help too; with options at that level (``ferry pip -q``)
    clap says a sub-command is missing instead."""
    if not isinstance(error, click.exceptions.NoArgsIsHelpError):
        return False
    return not _level(error, argv)[1]


def _level(error: click.ClickException, argv: Sequence[str]) -> tuple[CommandView, list[str]]:
    """The erring command, and the tokens typed at its level (click's parser gives some errors
    no context: the command is then the one ``argv`` names)."""
    ctx = getattr(error, "ctx", None)
    root = view_of(())
    command = command_view(ctx) if ctx is not None else view_of(_path(argv, root))
    depth = len(command.path.split()) if command.path else 0
    return command, level_tokens(argv, depth, root)


def _path(argv: Sequence[str], root: CommandView) -> list[str]:
    """The sub-command words of ``argv`` (``["pip", "install"]``)."""
    path: list[str] = []
    group = root
    while group.subcommands:
        tokens = level_tokens(argv, len(path), root)
        stop = scan(group, tokens).stop
        if stop >= len(tokens) or tokens[stop] not in group.subcommands:
            break
        path.append(tokens[stop])
        group = view_of(path)
    return path


def _body(error: click.ClickException, command: CommandView, tokens: list[str],
          argv: Sequence[str]) -> str:
    read = scan(command, tokens)
    if isinstance(error, click.NoSuchOption):
        return _unknown_option(error.option_name, command, tokens, read)
    if isinstance(error, click.BadOptionUsage):
        return _bad_option_usage(error, command, tokens)
    if isinstance(error, click.MissingParameter):
        missing = required_missing(command, read.used)
        needed = [*read.used, *command.group, *(a for a in command.positionals if a.required)]
        listed = "".join(f"\n  {m}" for m in missing) or f"\n  {error.format_message()}"
        return (f"the following required arguments were not provided:{listed}\n\n"
                f"Usage: {smart_usage(command, needed)}")
    if isinstance(error, click.BadParameter):
        return _invalid_value(error, command, argv)
    if isinstance(error, click.NoSuchCommand):
        return _unknown_subcommand(error.command_name, command)
    if isinstance(error, click.exceptions.NoArgsIsHelpError) or error.message == "Missing command.":
        return (f"'{command.program}' requires a subcommand but one was not provided\n"
                f"  [subcommands: {', '.join(command.subcommands)}]\n\n"
                f"Usage: {help_usage(command)}")
    if read.extra is not None or error.message.startswith("Got unexpected extra argument"):
        extra = read.extra if read.extra is not None else error.message.split("(", 1)[-1][:-1]
        return f"unexpected argument '{extra}' found\n\nUsage: {help_usage(command)}"
    message = error.format_message()
    return f"{message[:1].lower()}{message[1:]}\n\nUsage: {help_usage(command)}"


def _unknown_option(name: str, command: CommandView, tokens: list[str], read: Scan) -> str:
    """``unexpected argument '--x' found``, with clap's tip: a similar option, the same option
    of a sub-command named later, or (for a command with positionals) how to pass it as one."""
    known = command.by_long(name)
    if known is not None and known.value is not None:  # a global option left without its value
        return _value_required(known)
    said = f"unexpected argument '{name}' found"
    positionals = bool(command.positionals) and not command.external
    pass_it = f"\n\n  tip: to pass '{name}' as a value, use '-- {name}'" if positionals else ""
    if not name.startswith("--"):
        return f"{said}{pass_it}\n\nUsage: {help_usage(command)}"
    suggestion = similar(name[2:], command.longs())
    if suggestion:
        arg = _HELP if suggestion[-1] == "help" else command.by_long(f"--{suggestion[-1]}")
        used = [*read.used, *([arg] if arg is not None else [])]
        return (f"{said}\n\n  tip: a similar argument exists: '--{suggestion[-1]}'\n\n"
                f"Usage: {smart_usage(command, used)}")
    elsewhere = _in_subcommand(name[2:], command, tokens[read.stop + 1:])
    if elsewhere:
        return f"{said}\n\n  tip: '{elsewhere}' exists\n\nUsage: {smart_usage(command, read.used)}"
    return f"{said}{pass_it}\n\nUsage: {smart_usage(command, read.used)}"


def _in_subcommand(name: str, command: CommandView, rest: Sequence[str]) -> str | None:
    """``sync --offline``: the sub-command named first in ``rest`` with a long option like
    ``name`` (clap's tip for a sub-command's option typed before the sub-command)."""
    for word in rest:
        if word in command.subcommands:
            path = [*command.path.split(), word]
            suggestion = similar(name, view_of(path).longs())
            if suggestion:
                return f"{word} --{suggestion[-1]}"
    return None


def _value_required(arg: Arg) -> str:
    listed = f"\n  [possible values: {', '.join(arg.choices)}]" if arg.choices else ""
    return f"a value is required for '{arg.shown()}' but none was supplied{listed}"


def _bad_option_usage(error: click.BadOptionUsage, command: CommandView,
                      tokens: list[str]) -> str:
    name = error.option_name
    arg = command.by_long(name) if name.startswith("--") else command.by_short(name[1:])
    if arg is None:
        message = error.format_message()
        return f"{message[:1].lower()}{message[1:]}"
    if "does not take a value" in error.message:
        at = next((i for i, t in enumerate(tokens) if t.startswith(f"{name}=")), len(tokens))
        value = tokens[at].partition("=")[2] if at < len(tokens) else ""
        used = [*scan(command, tokens[:at]).used, arg]
        return (f"unexpected value '{value}' for '{arg.long}' found; no more were expected\n\n"
                f"Usage: {smart_usage(command, used)}")
    return _value_required(arg)


def _invalid_value(error: click.BadParameter, command: CommandView, argv: Sequence[str]) -> str:
    """``invalid value 'x' for '--link-mode <LINK_MODE>'`` and the possible values, or the
    reason the value was refused."""
    param = error.param
    arg = next((a for a in command.args if param is not None and a.key == param.name), None)
    if arg is None or param is None:
        message = error.format_message()
        return f"{message[:1].lower()}{message[1:]}"
    value = _refused_value(arg, param, argv)
    said = f"invalid value '{value}' for '{arg.shown()}'"
    if arg.choices:
        tip = similar(value, arg.choices)
        hint = f"\n\n  tip: a similar value exists: '{tip[-1]}'" if tip else ""
        return f"{said}\n  [possible values: {', '.join(arg.choices)}]{hint}"
    if isinstance(param.type, click.types._NumberParamTypeBase):
        try:
            int(value)
        except ValueError:
            return f"{said}: " + ("cannot parse integer from empty string" if not value
                                  else "invalid digit found in string")
    return f"{said}: {error.message}"


def _refused_value(arg: Arg, param: click.Parameter, argv: Sequence[str]) -> str:
    """The value typed for ``arg`` that its type refuses (the first such; for a positional,
    the first value of the command line no option takes)."""
    values: list[str] = []
    for index, token in enumerate(argv):
        name, has_value, inline = token.partition("=")
        if name in arg.longs and has_value:
            values.append(inline)
        elif (name in arg.longs or (len(token) == 2 and token[1:] in arg.shorts)) and \
                index + 1 < len(argv):
            values.append(argv[index + 1])
        elif len(token) > 2 and token[0] == "-" and token[1] in arg.shorts and token[1] != "-":
            values.append(token[2:])
    for value in values:
        try:
            param.type.convert(value, param, None)
        except click.BadParameter:
            return value
    return values[-1] if values else ""


def _unknown_subcommand(name: str, command: CommandView) -> str:
    found = similar(name, command.subcommands)
    tip = ""
    if len(found) == 1:
        tip = f"\n\n  tip: a similar subcommand exists: '{found[0]}'"
    elif found:
        tip = "\n\n  tip: some similar subcommands exist: " + ", ".join(f"'{f}'" for f in found)
    return f"unrecognized subcommand '{name}'{tip}\n\nUsage: {help_usage(command)}"


def conflict_usage(error: ArgumentError, path: Sequence[str], argv: Sequence[str]) -> str:
    """clap's usage line under a conflict: the arguments typed at that level but those named
    as conflicting (and the ones uv hides)."""
    command = view_of(path)
    root = view_of(())
    tokens = level_tokens(argv, len(path), root)
    if isinstance(error, ArgumentConflict):
        against = {error.second}
    else:
        against = {line.strip() for line in error.message.splitlines()[1:]}
    used = [a for a in scan(command, tokens).used if a.shown() not in against]
    return smart_usage(command, used)


def missing_arguments(path: Sequence[str], argv: Sequence[str]) -> ArgumentError:
    """uv's refusal of a command line without any member of the command's required group."""
    command = view_of(path)
    tokens = level_tokens(argv, len(path), view_of(()))
    used = scan(command, tokens).used
    listed = "".join(f"\n  {m}" for m in required_missing(command, used))
    error = ArgumentError(f"the following required arguments were not provided:{listed}")
    return error.with_usage(smart_usage(command, [*used, *command.group]))
