"""Typed access to parsed TOML, failing with the dotted key path of the bad value.

Both the pyproject and the lock reader validate by walking the parsed dict; this keeps the
"expected a string at `package[3].name`, found an integer" logic in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from ferry.model.log import get_logger
from ferry.project.toml_read import schema_error, type_name

log = get_logger(__name__)


class Walker:
    """Accessors bound to one file's label (for messages) and path (for the error object)."""

    def __init__(self, label: str, path: Path | str | None) -> None:
        self.label = label
        self.path = path

    def fail(
        self,
        key_path: str,
        detail: str,
        *,
        hint: str | None = None,
        causes: list[str] | None = None,
    ) -> NoReturn:
        schema_error(self.label, self.path, key_path, detail, hint=hint, causes=causes)

    def _expect(self, value: Any, kind: type, what: str, key_path: str) -> None:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            self.fail(key_path, f"expected {what}, found {type_name(value)}")

    def table(self, value: Any, key_path: str) -> dict[str, Any]:
        self._expect(value, dict, "a table", key_path)
        return value  # type: ignore[no-any-return]

    def array(self, value: Any, key_path: str) -> list[Any]:
        self._expect(value, list, "an array", key_path)
        return value  # type: ignore[no-any-return]

    def string(
        self, table: dict[str, Any], key: str, key_path: str, *, required: bool = False
    ) -> str | None:
        if key not in table:
            if required:
                self.fail(key_path, f"missing required key `{key}`")
            return None
        value = table[key]
        self._expect(value, str, "a string", key_path)
        return value  # type: ignore[no-any-return]

    def integer(
        self, table: dict[str, Any], key: str, key_path: str, *, required: bool = False
    ) -> int | None:
        if key not in table:
            if required:
                self.fail(key_path, f"missing required key `{key}`")
            return None
        value = table[key]
        self._expect(value, int, "an integer", key_path)
        return value  # type: ignore[no-any-return]

    def boolean(self, table: dict[str, Any], key: str, key_path: str) -> bool | None:
        if key not in table:
            return None
        value = table[key]
        self._expect(value, bool, "a boolean", key_path)
        return value  # type: ignore[no-any-return]

    def strings(self, table: dict[str, Any], key: str, key_path: str) -> tuple[str, ...]:
        """An optional array of strings (empty when absent)."""
        if key not in table:
            return ()
        values = self.array(table[key], key_path)
        for index, value in enumerate(values):
            self._expect(value, str, "a string", f"{key_path}[{index}]")
        return tuple(values)

    def warn_unknown(self, table: dict[str, Any], key_path: str, known: Iterable[str]) -> None:
        """Log keys this version does not know (a newer writer may add some) and move on."""
        unknown = sorted(set(table) - set(known))
        if unknown:
            where = f" in `{key_path}`" if key_path else ""
            log.debug("%s: ignoring unknown keys%s: %s", self.label, where, ", ".join(unknown))

    def reject_unknown(self, table: dict[str, Any], key_path: str, known: Iterable[str]) -> None:
        """Fail on the first key not in ``known`` (for tables ferry owns, like ``[tool.ferry]``)."""
        known_set = set(known)
        for key in table:
            if key not in known_set:
                prefix = f"{key_path}." if key_path else ""
                self.fail(
                    f"{prefix}{key}",
                    f"unknown key `{key}`",
                    hint="known keys: " + ", ".join(sorted(known_set)),
                )
