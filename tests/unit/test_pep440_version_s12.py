"""ferry's ``Version`` must be packaging 26.3's, minus the import cost: the same texts accepted
and refused (with the same message), the same normalised text, parts and properties, and the
same order, equality and hash. Generated text (valid and invalid, odd spellings, case,
whitespace, epochs, local segments) is compared with packaging; then hand-picked cases, and a
fresh interpreter shows the import neither loads packaging nor calls ``compile()``."""

from __future__ import annotations

import copy
import json
import operator
import pickle
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging import utils as pu
from packaging import version as pv
from tests.support.runner import ferry_env

from ferry.model import pep440_version as fv

SETTINGS = settings(max_examples=1500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

ATTRIBUTES = ["release", "major", "minor", "micro", "epoch", "pre", "post", "dev", "local",
              "public", "base_version", "is_prerelease", "is_devrelease", "is_postrelease"]
OPERATORS = [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]

SEPARATORS = ["", "", ".", "-", "_"]
PRE_TAGS = ["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC", "Alpha", "pReView"]
POST_TAGS = ["post", "rev", "r", "POST", "Rev", "R"]
DEV_TAGS = ["dev", "DEV", "Dev"]
LOCALS = ["local", "abc.1", "x-y_z", "ABC", "1", "007", "a..b", "", "ubuntu-1.2", "a+b",
          "cpu", "cu121", "1.2.3abc", "-x", "x."]
SPACES = ["", "", "", " ", "\t", "\n", "  ", "\u3000", "\x0b", "\x85"]
NUMBERS = st.sampled_from(["0", "1", "2", "9", "10", "00", "01", "007", "123456789012345678901"])
ODD = ["", ".", "..", "1..2", ".1", "1.", "v", "V", "1.0v", "vv1", "1!", "!1", "1!!1", "a",
       "1.0.x", "1-", "1_", "1.0++x", "1.0+", "+x", "1.0 .1", "1 .0", "1,0", "1.0-", "1.0--1",
       "1.0.post-", "1.0-post", "1.0.dev1.post1", "1.0rc1rc2", "1.0a1b1", "1.0.a.1.post.2.dev.3",
       "\u0661.0", "1.\u0662", "1.0\u00b2", "\uff11.0", "1_000", "+1", "-1", "1e3", "0x10",
       "1.0rc", "1.0.post", "1.0.dev", "1.0a.post.dev", "1.0c", "1.0rC1", "dev1", "post1",
       "rc1", "1.0-1-1", "1.0-dev", "1.0post1dev1", "1.0.post01.dev002", "1.0.\u0130",
       "1.0+\u212a", "1.0+k", "1.0a\u212a", "1.0\u0131", "1.0-\u00e9"]


@st.composite
def version_texts(draw: Any) -> str:
    """PEP 440's grammar with every allowed spelling, and some ways of leaving it."""
    if draw(st.integers(0, 9)) == 0:
        return str(draw(st.sampled_from(ODD)))
    if draw(st.integers(0, 9)) == 0:  # anything at all, from the grammar's alphabet
        return str(draw(st.text(alphabet="0123456789.!+-_ vVabcdeiloprstvxABCRPD", max_size=14)))
    text = ".".join(draw(st.lists(NUMBERS, min_size=1, max_size=5)))
    if draw(st.integers(0, 4)) == 0:
        text = f"{draw(NUMBERS)}!{text}"
    if draw(st.integers(0, 6)) == 0:
        text = draw(st.sampled_from(["v", "V"])) + text
    if draw(st.booleans()):
        text += draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(PRE_TAGS))
        if draw(st.integers(0, 3)):
            text += draw(st.sampled_from(SEPARATORS)) + draw(NUMBERS)
    if draw(st.integers(0, 2)) == 0:
        if draw(st.integers(0, 3)) == 0:
            text += "-" + draw(NUMBERS)  # the implicit post-release
        else:
            text += draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(POST_TAGS))
            if draw(st.integers(0, 3)):
                text += draw(st.sampled_from(SEPARATORS)) + draw(NUMBERS)
    if draw(st.integers(0, 2)) == 0:
        text += draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(DEV_TAGS))
        if draw(st.integers(0, 3)):
            text += draw(st.sampled_from(SEPARATORS)) + draw(NUMBERS)
    if draw(st.integers(0, 3)) == 0:
        text += "+" + draw(st.sampled_from(LOCALS))
    if draw(st.integers(0, 4)) == 0:
        text = draw(st.sampled_from(SPACES)) + text + draw(st.sampled_from(SPACES))
    if draw(st.integers(0, 15)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["x", ".", "-", "!", "+", " ", "_"])) + text[at:]
    return text


def _both(text: str) -> tuple[fv.Version, pv.Version] | None:
    """Both parses, after checking they agree on whether (and how) the text fails."""
    try:
        theirs = pv.Version(text)
    except pv.InvalidVersion as exc:
        with pytest.raises(fv.InvalidVersion) as caught:
            fv.Version(text)
        assert str(caught.value) == str(exc)
        return None
    return fv.Version(text), theirs


def _check_one(text: str) -> tuple[fv.Version, pv.Version] | None:
    pair = _both(text)
    if pair is None:
        return None
    mine, theirs = pair
    assert str(mine) == str(theirs), text
    assert repr(mine) == repr(theirs), text
    for name in ATTRIBUTES:
        assert getattr(mine, name) == getattr(theirs, name), (text, name)
    assert mine._make_key() == theirs._key, text  # packaging's sort key, element for element
    assert hash(mine) == hash(theirs)
    trimmed = mine.release
    while len(trimmed) > 1 and trimmed[-1] == 0:
        trimmed = trimmed[:-1]
    assert fv.normal_text(mine, trimmed) == pu.canonicalize_version(theirs)
    assert fv.normal_text(mine, mine.release) == str(theirs)
    again = fv.Version(str(mine))  # the normal form reads back as itself
    assert str(again) == str(mine) and again == mine and hash(again) == hash(mine)
    return pair


def _check_pair(left: str, right: str) -> None:
    a, b = _check_one(left), _check_one(right)
    if a is None or b is None:
        return
    for op in OPERATORS:
        assert op(a[0], b[0]) == op(a[1], b[1]), (left, right, op)
    assert (hash(a[0]) == hash(b[0])) == (hash(a[1]) == hash(b[1]))


@SETTINGS
@given(version_texts())
def test_generated_texts_parse_alike(text: str) -> None:
    _check_one(text)


@SETTINGS
@given(version_texts(), version_texts())
def test_generated_pairs_compare_alike(left: str, right: str) -> None:
    _check_pair(left, right)


@settings(max_examples=200, deadline=None)
@given(st.lists(version_texts(), min_size=2, max_size=12))
def test_generated_lists_sort_alike(texts: list[str]) -> None:
    pairs = [p for p in map(_both, texts) if p is not None]
    mine = sorted(range(len(pairs)), key=lambda i: pairs[i][0])
    theirs = sorted(range(len(pairs)), key=lambda i: pairs[i][1])
    assert [str(pairs[i][0]) for i in mine] == [str(pairs[i][1]) for i in theirs]
    assert len({p[0] for p in pairs}) == len({p[1] for p in pairs})


HAND = [
    "1", "1.0", "1.0.0", "1.0.0.0", "0", "0.0", "00.01", "1.2.3", "2024.1", "1.0rc1", "1.0c1",
    "1.0a1", "1.0b2", "1.0alpha1", "1.0beta", "1.0pre", "1.0preview2", "1.0-rc.1", "1.0_a_1",
    "1.0.post1", "1.0post1", "1.0-1", "1.0.r1", "1.0rev", "1.0-post-1", "1.0.dev0", "1.0dev",
    "1.0-dev-2", "1.0a1.dev1", "1.0.post1.dev1", "1.0rc1.post1.dev1", "1!1.0", "0!1.0",
    "v1.0", "V1.0", " 1.0 ", "\t1.0rc1\n", "1.0+local", "1.0+Ubuntu-1_2", "1.0+0.1", "1.0+007",
    "1.0+abc.1.twelve", "1.0RC1", "1.0.POST1", "1.0.DEV1", "2.31.0", "1.0.dev0+x",
    "1.0a0", "1.0.post0", "9" * 40, "1.0rc" + "1" * 30,
]


@pytest.mark.parametrize("text", HAND + ODD)
def test_hand_picked_texts_parse_alike(text: str) -> None:
    _check_one(text)


def test_hand_picked_order_is_packaging_order() -> None:
    texts = ["1.0.dev0", "1.0a1.dev1", "1.0a1", "1.0a1.post1.dev1", "1.0a1.post1", "1.0b1",
             "1.0rc1.dev1", "1.0rc1", "1.0", "1.0+abc", "1.0+abc.1", "1.0+1", "1.0+2",
             "1.0+10", "1.0.post1.dev1", "1.0.post1", "1.0.post1+x", "1.0.1", "1.1.dev0",
             "2", "0!3", "1!0.1"]
    mine = [fv.Version(t) for t in texts]
    assert mine == sorted(mine, reverse=True)[::-1]
    assert [str(v) for v in sorted(mine)] == [str(v) for v in sorted(map(pv.Version, texts))]
    for left in texts:
        for right in texts:
            _check_pair(left, right)


def test_equal_spellings_are_equal_and_hash_alike() -> None:
    same = [fv.Version(t) for t in ("1", "1.0", "1.0.0", "01.00", "v1.0", "0!1", " 1.0.0 ")]
    assert len(set(same)) == 1 and all(v == same[0] for v in same)
    assert fv.Version("1.0+A-1") == fv.Version("1.0+a.1")
    assert fv.Version("1.0") != fv.Version("1.0+0")


def test_normal_form_spellings() -> None:
    cases = {"1.0-1": "1.0.post1", "1.0ALPHA": "1.0a0", "1.0-c-2": "1.0rc2", "1.0.rev": "1.0.post0",
             "1.0dev": "1.0.dev0", "V01.02+Local_X": "1.2+local.x", "0!1.0": "1.0",
             "2!1.0pre1": "2!1.0rc1"}
    for text, normal in cases.items():
        assert str(fv.Version(text)) == normal, text
        assert str(fv.parse(text)) == normal


@pytest.mark.parametrize("value", [None, 1, 1.0, b"1.0", ["1"], ("1", "0"), object()])
def test_non_text_is_refused_as_packaging_refuses_it(value: Any) -> None:
    with pytest.raises(pv.InvalidVersion) as theirs:
        pv.Version(value)
    with pytest.raises(fv.InvalidVersion) as mine:
        fv.Version(value)
    assert str(mine.value) == str(theirs.value)
    assert isinstance(mine.value, ValueError)


def test_beyond_the_integer_digit_limit_fails_like_packaging() -> None:
    limit = sys.get_int_max_str_digits()
    if not limit:
        pytest.skip("no int() digit limit in this interpreter")
    huge = "1" * (limit + 1)
    for text in ["1." + huge, "1.0rc" + huge, huge + ".", f"x.dev{huge}", f"1.x.post{huge}.dev1",
                 f"1.0rc{huge}.x", f"1.0.post{huge}", f"{huge}.0rc1"]:
        with pytest.raises(ValueError) as theirs:
            pv.Version(text)
        with pytest.raises(ValueError) as mine:
            fv.Version(text)
        assert type(mine.value).__name__ == type(theirs.value).__name__
        assert str(mine.value) == str(theirs.value)


def test_other_types_are_not_comparable() -> None:
    v = fv.Version("1.0")
    for other in ("1.0", 1, None, pv.Version("1.0")):
        assert v != other and not v == other  # noqa: SIM201
        assert v.__eq__(other) is NotImplemented and v.__lt__(other) is NotImplemented  # type: ignore[operator]
    with pytest.raises(TypeError):
        assert v < "2.0"  # type: ignore[operator]


def test_immutable_picklable_and_copyable() -> None:
    v = fv.Version("1!2.0rc1.post3.dev4+Local-5")
    for again in (pickle.loads(pickle.dumps(v)), copy.copy(v), copy.deepcopy(v)):
        assert again == v and str(again) == str(v) and hash(again) == hash(v)
        assert type(again) is fv.Version
    with pytest.raises(AttributeError):
        v.release = (3,)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        v.anything = 1  # type: ignore[attr-defined]


_FRESH = """
import json, sys
compiled = []
def hook(event, args):
    if event == "compile" and not str(args[1]).endswith(".py"):
        compiled.append(str(args[1]))
sys.addaudithook(hook)
import {module}
if {construct}:
    from ferry.model.pep440_version import Version, _version_pattern
    versions = [Version(t) for t in ("1.2.3", "2024.1", "1.0rc1", "1.0.post1", "1.0.dev0",
                                     "1.0a1.post2.dev3")]
    assert sorted(versions)[:2] == [Version("1.0.dev0"), Version("1.0a1.post2.dev3")]
    assert str(versions[2]) == "1.0rc1"
    cells = dict(zip(_version_pattern.__code__.co_freevars,
                     (c.cell_contents for c in _version_pattern.__closure__)))
    assert cells["compiled"] == [], "the fast path compiled the full pattern"
print(json.dumps({{"packaging": sorted(m for m in sys.modules if m.split(".")[0] == "packaging"),
                  "compiled": compiled}}))
"""


def _fresh(module: str, construct: bool) -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", _FRESH.format(module=module, construct=construct)],
                          env=ferry_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_fresh_import_loads_no_packaging_and_compiles_nothing() -> None:
    control = _fresh("packaging.version", construct=False)  # the probe sees what it looks for
    assert "packaging.version" in control["packaging"] and control["compiled"]
    mine = _fresh("ferry.model.pep440_version", construct=True)
    assert mine == {"packaging": [], "compiled": []}
