"""The ``__init__`` shapes written out in ``ferry/model/immutable_inits.py``: complete for ferry's
own classes, identical to what ``@immutable`` would compile, and used instead of compiling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.immutable_inits import TARGET

from ferry.model import immutable as immutable_module
from ferry.model.immutable import immutable, shape_of, shape_source
from ferry.model.immutable_inits import WRITTEN
from ferry.model.value_fields import FIELDS_ATTR, field

ROOT = Path(__file__).resolve().parents[2]


def test_the_written_module_is_current_for_every_class_in_ferry() -> None:
    # In a process of its own: the walk imports every module of ferry.
    probe = ("import sys; from tests.support.immutable_inits import collect_shapes, render; "
             "sys.stdout.write(render(collect_shapes()))")
    expected = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              check=True, cwd=ROOT).stdout
    assert TARGET.read_text(encoding="utf-8") == expected, (
        "a value class has a new __init__ shape: run `python -m tests.support.immutable_inits`")


@pytest.mark.parametrize("shape", sorted(WRITTEN))
def test_each_written_shape_is_the_code_immutable_would_compile(shape: str) -> None:
    namespace: dict[str, Any] = {}
    exec(shape_source(shape), namespace)
    compiled = namespace["__init__"].__code__
    written = WRITTEN[shape]
    assert written.co_code == compiled.co_code
    assert written.co_consts == compiled.co_consts
    assert written.co_names == compiled.co_names
    assert written.co_varnames == compiled.co_varnames
    assert written.co_argcount == compiled.co_argcount


@immutable
class _Pair:
    left: int
    right: tuple[str, ...] = field(default_factory=tuple)


def test_a_written_shape_is_used_without_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    shape = shape_of(_Pair, tuple(getattr(_Pair, FIELDS_ATTR).values()))
    assert shape == "pf" and shape in WRITTEN
    monkeypatch.setattr(immutable_module, "_INIT_CODE", {})

    def refuse(*args: object) -> None:
        raise AssertionError("a written shape was compiled")

    monkeypatch.setattr(immutable_module, "exec", refuse, raising=False)
    assert _Pair(1) == _Pair(left=1, right=())
    assert _Pair.__init__.__code__.co_varnames == ("self", "left", "right")
    assert _Pair.__init__.__code__.co_name == "__init__"
    with pytest.raises(TypeError, match=r"_Pair.__init__\(\) missing 1 required positional"):
        _Pair()  # type: ignore[call-arg]

