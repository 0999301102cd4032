"""Calling one PEP 517/660 backend hook, with its output captured and its failures explained.

Each hook runs in a subprocess (through ``pyproject-hooks``) with the build environment's python.
Its stdout and stderr are captured together: shown at ``-v`` line by line when the hook succeeds,
and carried in full in the :class:`BuildError` when it fails, next to the package, the hook (the
step), the backend and the command that ran, so a failed build can be understood from ferry's
error alone.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import pyproject_hooks

from ferry.dist.source_tree import BuildSystem
from ferry.model.errors import BuildError
from ferry.model.log import get_logger

__all__ = ["BackendHooks", "ConfigSettings", "HookMissing"]

logger = get_logger(__name__)

ConfigSettings = Mapping[str, str | list[str]]
HookMissing = pyproject_hooks.HookMissing
T = TypeVar("T")


class _HookFailed(Exception):
    def __init__(self, command: Sequence[str], returncode: int, output: str) -> None:
        super().__init__(f"exit status {returncode}")
        self.command = list(command)
        self.returncode = returncode
        self.output = output


class BackendHooks:
    """The hooks of one source tree's backend, run by one python with one environment."""

    def __init__(
        self,
        project_dir: Path,
        build_system: BuildSystem,
        python: Path,
        *,
        label: str,
        environ: Mapping[str, str | None],
        isolated: bool,
        config_settings: ConfigSettings | None = None,
        slot: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> None:
        self.project_dir = project_dir
        self.build_system = build_system
        self.python = python
        self.label = label
        self.environ = dict(environ)
        self.isolated = isolated
        self.config_settings = dict(config_settings) if config_settings else None
        self._slot = slot or nullcontext

    # -- the hooks ----------------------------------------------------------------------------

    def get_requires(self, kind: str) -> list[str]:
        """``get_requires_for_build_<kind>`` (``wheel``, ``editable`` or ``sdist``)."""
        hook = f"get_requires_for_build_{kind}"
        result = self._call(hook, lambda caller: getattr(caller, hook)(self.config_settings))
        if not isinstance(result, list) or not all(isinstance(r, str) for r in result):
            raise self._bad_return(hook, result, "a list of requirement strings")
        return result

    def prepare_metadata(self, directory: Path, *, editable: bool = False) -> Path:
        """The ``.dist-info`` folder the backend wrote; raises :data:`HookMissing` if it has no
        ``prepare_metadata_for_build_*`` hook (ferry then builds the wheel and reads it)."""
        hook = f"prepare_metadata_for_build_{'editable' if editable else 'wheel'}"
        result = self._call(
            hook,
            lambda caller: getattr(caller, hook)(
                str(directory), self.config_settings, _allow_fallback=False
            ),
            missing_is_error=False,
        )
        if not isinstance(result, str) or not (directory / result / "METADATA").is_file():
            raise self._bad_return(hook, result, "the name of a .dist-info folder with METADATA")
        return directory / result

    def build(self, kind: str, directory: Path, metadata_directory: Path | None = None) -> Path:
        """``build_wheel``/``build_editable``/``build_sdist`` into ``directory``; the file made."""
        hook = f"build_{kind}"

        def call(caller: pyproject_hooks.BuildBackendHookCaller) -> Any:
            if kind == "sdist":
                return caller.build_sdist(str(directory), self.config_settings)
            metadata = str(metadata_directory) if metadata_directory else None
            method = caller.build_editable if kind == "editable" else caller.build_wheel
            return method(str(directory), self.config_settings, metadata)

        result = self._call(hook, call)
        suffix = (".tar.gz",) if kind == "sdist" else (".whl",)
        if (
            not isinstance(result, str)
            or Path(result).name != result
            or not result.endswith(suffix)
            or not (directory / result).is_file()
        ):
            what = "an sdist" if kind == "sdist" else "a wheel"
            raise self._bad_return(hook, result, f"the filename of {what} it wrote")
        return directory / result

    # -- machinery ----------------------------------------------------------------------------

    def _call(
        self,
        hook: str,
        action: Callable[[pyproject_hooks.BuildBackendHookCaller], T],
        *,
        missing_is_error: bool = True,
    ) -> T:
        captured: list[str] = []

        def runner(
            cmd: Sequence[str],
            cwd: str | None = None,
            extra_environ: Mapping[str, str] | None = None,
        ) -> None:
            env = dict(os.environ)
            for key, value in self.environ.items():
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value
            env.update(extra_environ or {})
            completed = subprocess.run(
                list(cmd),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
            )
            output = completed.stdout.decode("utf-8", "replace")
            captured.append(output)
            if completed.returncode != 0:
                raise _HookFailed(cmd, completed.returncode, output)
            _take_warnings(self.label, Path(cmd[-1]) / "output.json")

        caller = pyproject_hooks.BuildBackendHookCaller(
            str(self.project_dir),
            self.build_system.backend,
            backend_path=list(self.build_system.backend_path) or None,
            runner=runner,
            python_executable=str(self.python),
        )
        logger.debug("Running `%s` of `%s` for %s", hook, self.build_system.backend, self.label)
        try:
            with self._slot():
                result = action(caller)
        except _HookFailed as failed:
            raise self._failed(hook, failed) from None
        except pyproject_hooks.BackendUnavailable as error:
            raise self._unavailable(hook, error, "".join(captured)) from None
        except pyproject_hooks.HookMissing as error:
            if not missing_is_error:
                raise
            raise self._missing(hook, error) from None
        except pyproject_hooks.UnsupportedOperation as error:
            raise BuildError(
                f"Failed to build `{self.label}`: the build backend `{self.build_system.backend}` "
                f"cannot run `{hook}` for this tree",
                causes=[error.traceback] if error.traceback else [],
            ) from None
        except OSError as error:
            raise BuildError(
                f"Failed to build `{self.label}`: could not run `{self.python}` for `{hook}`: "
                f"{error.strerror or error}"
            ) from None
        for line in "".join(captured).splitlines():
            logger.debug("[%s %s] %s", self.label, hook, line)
        return result

    def _failed(self, hook: str, failed: _HookFailed) -> BuildError:
        output = failed.output.rstrip() or "(the backend printed nothing)"
        return BuildError(
            f"Failed to build `{self.label}`: `{hook}` of the build backend "
            f"`{self.build_system.backend}` failed (exit status {failed.returncode})",
            causes=[
                f"The command was: `{self.python}` running `{self.build_system.backend}.{hook}` "
                f"in `{self.project_dir}`",
                f"The backend's output:\n{output}",
            ],
            hint=self._hint(),
        )

    def _unavailable(
        self, hook: str, error: pyproject_hooks.BackendUnavailable, output: str
    ) -> BuildError:
        details = [line for line in (error.traceback.rstrip(), output.rstrip()) if line]
        if self.isolated:
            hint = (
                "the backend is imported from the build environment, which holds only "
                "`build-system.requires`: check that the backend's package is listed there"
            )
        else:
            hint = (
                f"`--no-build-isolation` imports the backend from `{self.python}`'s environment; "
                "install the build requirements there first, or drop the flag"
            )
        if self.build_system.backend_path:
            hint += f" (backend-path: {', '.join(self.build_system.backend_path)})"
        return BuildError(
            f"Failed to build `{self.label}`: the build backend `{self.build_system.backend}` "
            f"could not be imported (in `{hook}`)",
            causes=details,
            hint=hint,
        )

    def _missing(self, hook: str, error: pyproject_hooks.HookMissing) -> BuildError:
        what = "editable installs (PEP 660)" if "editable" in hook else f"`{hook}`"
        return BuildError(
            f"Failed to build `{self.label}`: the build backend `{self.build_system.backend}` "
            f"does not support {what} (it has no `{error.hook_name}` hook)",
            hint="install it without `-e`" if "editable" in hook else None,
        )

    def _bad_return(self, hook: str, result: object, wanted: str) -> BuildError:
        return BuildError(
            f"Failed to build `{self.label}`: `{hook}` of the build backend "
            f"`{self.build_system.backend}` returned {result!r} instead of {wanted}",
            hint=self._hint(),
        )

    def _hint(self) -> str:
        return (
            "this is a problem with the package or its build requirements, not with ferry; "
            "the backend's output above usually says which"
        )


def _take_warnings(label: str, output_json: Path) -> None:
    """Log the backend's warnings and remove them from the hook's answer.

    pyproject-hooks would re-emit them through ``warnings`` in this process, which prints (or,
    under an "error" filter, raises) outside ferry's control; lower layers only log. The answer
    file is pyproject-hooks' own protocol: if it ever changes shape, it is left untouched.
    """
    try:
        data = json.loads(output_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(data, dict) or not data.get("warnings"):
        return
    for warning in data["warnings"] if isinstance(data["warnings"], list) else []:
        if isinstance(warning, dict):
            logger.debug("[%s] backend warning: %s", label, warning.get("message", ""))
    data["warnings"] = []
    try:
        output_json.write_text(json.dumps(data), encoding="utf-8")
    except OSError:
        return
