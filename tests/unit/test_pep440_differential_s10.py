"""ferry's PEP 440 specifiers must answer exactly as packaging's (the version installed, 26.x):
parse success and failure with the same message, text, equality, hashing, ``contains`` and
``filter`` under every prerelease setting. Generated and hand-picked cases."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging import specifiers as ps
from packaging.version import Version as TheirVersion

from ferry.model import pep440_specifiers as fs
from ferry.model.names import canonicalize_name, is_normalized_name
from ferry.model.pep440_version import Version

SETTINGS = settings(max_examples=600, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Versions that sit next to each other in every interesting way.
VERSION_TEXTS = [
    "0", "0.dev0", "0a0", "0.0", "1", "1.0", "1.0.0", "1.0.0.0", "1.0.1", "1.1", "1.1.0", "1.2",
    "1.0a1", "1.0a2", "1.0a1.dev1", "1.0b1", "1.0rc1", "1.0c1", "1.0.dev0", "1.0.dev1",
    "1.0.post1", "1.0.post1.dev0", "1.0.post2.dev0", "1.0.post0", "1.0-1", "1.0a1.post1",
    "1.0+local", "1.0+local.2", "1.0.0+abc", "1.0a1+x", "1.0.post1+x", "1.0.dev1+x", "1!1.0",
    "1!1.0.post1", "2", "2.0", "2.0.dev0", "2.0a1", "2.0.post1", "1.9", "1.9.9", "1.4.5",
    "1.4.6", "1.5", "1.5.dev0", "1.5a1", "3.11", "3.11.0", "3.11.7", "3.12.0b1", "v1.0",
    "1.0RC1", "1.0-ALPHA-2", "1.0_post_3", "1.0.r4", "1.0-dev5", " 1.0 ", "not-a-version",
    "1.0-foo", "", "1.*",
]


@st.composite
def version_texts(draw: Any) -> str:
    if draw(st.booleans()):
        return str(draw(st.sampled_from(VERSION_TEXTS)))
    release = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    text = ".".join(map(str, release))
    if draw(st.integers(0, 5)) == 0:
        text = f"{draw(st.integers(0, 2))}!{text}"
    if draw(st.booleans()):
        text += draw(st.sampled_from(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview",
                                      "-a", ".b", "_rc", "A", "RC"])) \
            + draw(st.sampled_from(["", "0", "1", "2", ".1", "-1"]))
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from([".post", "post", "-", ".rev", "r", "-post", ".POST"])) \
            + draw(st.sampled_from(["", "0", "1", "2"]))
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from([".dev", "dev", "-dev", "_dev", ".DEV"])) \
            + draw(st.sampled_from(["", "0", "1", "3"]))
    if draw(st.integers(0, 4)) == 0:
        text += "+" + draw(st.sampled_from(["local", "abc.1", "x-y", "ABC", "1", "a..b", ""]))
    if draw(st.integers(0, 5)) == 0:
        text += ".*"
    elif draw(st.integers(0, 12)) == 0:
        text += draw(st.sampled_from(["*", ".*.*", "x", " ", "-", ";", ")"]))
    return text


VALID_OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="]
OPERATORS = [*VALID_OPERATORS * 4, "=", "=>", "~", "!", "", "<>"]
SPACES = ["", "", "", " ", "  ", "\t", "\n", "\u3000"]


@st.composite
def specifier_texts(draw: Any) -> str:
    return (draw(st.sampled_from(SPACES)) + draw(st.sampled_from(OPERATORS))
            + draw(st.sampled_from(SPACES)) + draw(version_texts())
            + draw(st.sampled_from(SPACES)))


HAND_SPECIFIERS = [
    "==1.0", "== 1.0", "==1.0.*", "==1.*", "!=1.0.*", "==1.0+local", "!=1.0+local", "===1.0",
    "===foo", "=== foo", "===", "~=1.0", "~=1", "~=1.4.5", "~=1.0a1", "~=1.0.post1", "~=1.0+x",
    "<1.0", "<1.0a1", "<1.0.post1", "<0", "<0.dev0", ">1.0", ">1.0a1", ">1.0.post1",
    ">1.0.dev1", ">1.0+x", "<=1.0", "<=1.0+x", ">=1.0", ">=1.0.*", "==1.0a1.*", "==v1.0",
    ">=V1.0", "==1.0RC1", "==1!1.0", "!=1!1.*", "==1.0-1", "==1.0.r4", ">= 1.0 ", "\t<2\t",
    "===NOT-a-version", "===1.0rc1", "===1.0+LOCAL", "==1.0.*.*", "== 1.0 .*", "lolwat",
    "1.0", ">=", "==1.0 ; x", ">=1.0)", "==\u0661",
]


def _outcome(make: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", make(*args)
    except ValueError as exc:
        return type(exc).__name__, str(exc)


def _check_specifier(text: str) -> None:
    kind, theirs = _outcome(ps.Specifier, text)
    mine_kind, mine = _outcome(fs.Specifier, text)
    assert (mine_kind, kind) in (("ok", "ok"), ("InvalidSpecifier", "InvalidSpecifier")), text
    if kind != "ok":
        assert mine == theirs
        return
    assert (str(mine), repr(mine)) == (str(theirs), repr(theirs))
    assert (mine.operator, mine.version, mine.prereleases) == \
           (theirs.operator, theirs.version, theirs.prereleases)
    assert mine == fs.Specifier(str(theirs)) and mine == theirs and mine == str(theirs)


@pytest.mark.parametrize("text", HAND_SPECIFIERS)
def test_hand_picked_specifiers_parse_alike(text: str) -> None:
    _check_specifier(text)


@SETTINGS
@given(specifier_texts())
def test_generated_specifiers_parse_alike(text: str) -> None:
    _check_specifier(text)


def _sets(text: str, prereleases: bool | None) -> tuple[Any, Any] | None:
    try:
        theirs = ps.SpecifierSet(text, prereleases=prereleases)
    except ps.InvalidSpecifier as exc:
        with pytest.raises(fs.InvalidSpecifier) as caught:
            fs.SpecifierSet(text, prereleases=prereleases)
        assert str(caught.value) == str(exc)
        return None
    return fs.SpecifierSet(text, prereleases=prereleases), theirs


def _compare_sets(text: str, versions: list[str], prereleases: bool | None) -> None:
    pair = _sets(text, prereleases)
    if pair is None:
        return
    mine, theirs = pair
    assert [str(s) for s in mine] == [str(s) for s in theirs]
    assert (len(mine), mine.prereleases) == (len(theirs), theirs.prereleases)
    # each side gets its own Version objects (ferry's are not packaging's), parsed alike
    parsed = [v for v in (_version(t) for t in versions) if v is not None]
    their_parsed = [TheirVersion(str(v)) for v in parsed]
    for pre in (None, True, False):
        for item, their_item in zip([*versions, *parsed], [*versions, *their_parsed],
                                    strict=True):
            for installed in (None, True):
                assert mine.contains(item, pre, installed) == \
                       theirs.contains(their_item, pre, installed), (text, item, pre, installed)
        assert list(mine.filter(versions, pre)) == list(theirs.filter(versions, pre)), \
            (text, versions, pre)
        assert [str(v) for v in mine.filter(parsed, pre)] == \
               [str(v) for v in theirs.filter(their_parsed, pre)]
        keyed = [{"v": v} for v in versions]
        assert list(mine.filter(keyed, pre, key=lambda d: d["v"])) == \
               list(theirs.filter(keyed, pre, key=lambda d: d["v"]))
    for item in versions:
        assert (item in mine) == (item in theirs)
    assert (str(mine), repr(mine)) == (str(theirs), repr(theirs))
    assert [str(s) for s in mine] == [str(s) for s in theirs]  # str() reorders both alike
    assert len(mine) == len(theirs)


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except ValueError:
        return None


def _compare_single(text: str, versions: list[str]) -> None:
    try:
        theirs = ps.Specifier(text)
    except ps.InvalidSpecifier:
        return
    for explicit in (None, True, False):
        mine, theirs = fs.Specifier(text, explicit), ps.Specifier(text, explicit)
        for pre in (None, True, False):
            for item in versions:
                assert mine.contains(item, pre) == theirs.contains(item, pre), (text, item, pre)
            assert list(mine.filter(versions, pre)) == list(theirs.filter(versions, pre))
        for item in versions:
            assert (item in mine) == (item in theirs)


@SETTINGS
@given(st.lists(specifier_texts(), min_size=1, max_size=3), st.lists(version_texts(), max_size=8),
       st.sampled_from([None, True, False]))
def test_generated_sets_match_alike(parts: list[str], versions: list[str],
                                    prereleases: bool | None) -> None:
    _compare_sets(",".join(parts), versions, prereleases)


@SETTINGS
@given(st.sampled_from(HAND_SPECIFIERS) | specifier_texts(), st.lists(version_texts(), max_size=8))
def test_single_specifiers_match_alike(text: str, versions: list[str]) -> None:
    _compare_single(text, versions)


@pytest.mark.parametrize("text", [
    "", ",", ">=1.0,,<2", ">=1.0,!=1.5.*,<2", "==1.0,===1.0", "===foo", "===foo,>=1",
    "~=1.4.5,!=1.4.7", ">=1.0a1", ">1.0,<1.0.post2", "<=1.0,>=1.0", "==1.0+local,>=1",
    ">=1.0,>=1.0.0", "!=1.0,!=1.0.0,==1.*", "<1.0a2,>1.0a1", ">=1!1.0", "<0",
])
def test_hand_picked_sets_match_alike(text: str) -> None:
    for prereleases in (None, True, False):
        _compare_sets(text, VERSION_TEXTS, prereleases)


def test_equality_and_hashing_follow_packaging() -> None:
    texts = ["==1.0", "==1.0.0", "== 1.0", "~=1.0", "~=1.0.0", "==1.0.*", "==1.0.0.*",
             "===1.0", "===1.0.0", ">=1", ">=1.0", "!=1.0+x", "!=1.0+X"]
    for left in texts:
        for right in texts:
            same = ps.Specifier(left) == ps.Specifier(right)
            assert (fs.Specifier(left) == fs.Specifier(right)) == same, (left, right)
            if same:
                assert hash(fs.Specifier(left)) == hash(fs.Specifier(right))
            assert (fs.Specifier(left) == right) == (ps.Specifier(left) == right)
    sets = ["", ">=1.0,<2", "<2,>=1.0", "<2.0,>=1", ">=1,>=1.0", "==1.*", "===x"]
    for left in sets:
        for right in sets:
            same = ps.SpecifierSet(left) == ps.SpecifierSet(right)
            assert (fs.SpecifierSet(left) == fs.SpecifierSet(right)) == same, (left, right)
            assert (fs.SpecifierSet(left) == right) == same
            if same:
                assert hash(fs.SpecifierSet(left)) == hash(fs.SpecifierSet(right))
    assert fs.SpecifierSet(">=1") == fs.Specifier(">=1")
    assert fs.SpecifierSet(">=1,<2") == ps.SpecifierSet("<2,>=1")
    assert fs.Specifier("==1") != object()


def test_and_combines_like_packaging() -> None:
    for left, right in [(">=1", "<2"), ("", "==1.*"), (">=1,!=1.5", ">=1")]:
        mine = fs.SpecifierSet(left) & right
        theirs = ps.SpecifierSet(left) & right
        assert str(mine) == str(theirs) and len(mine) == len(theirs)
        assert str(fs.SpecifierSet(left) & fs.SpecifierSet(right)) == str(theirs)
    for a, b in [(True, None), (None, False), (True, True)]:
        mine = fs.SpecifierSet(">=1", prereleases=a) & fs.SpecifierSet("<2", prereleases=b)
        theirs = ps.SpecifierSet(">=1", prereleases=a) & ps.SpecifierSet("<2", prereleases=b)
        assert mine.prereleases == theirs.prereleases
    with pytest.raises(ValueError, match="Cannot combine"):
        fs.SpecifierSet(">=1", prereleases=True) & fs.SpecifierSet("<2", prereleases=False)


def test_prereleases_setter_and_pickle() -> None:
    import pickle

    mine = fs.SpecifierSet(">=1.0")
    assert mine.contains("2.0a1")
    mine.prereleases = False
    assert not mine.contains("2.0a1")
    copy = pickle.loads(pickle.dumps(mine))
    assert str(copy) == ">=1.0" and copy.prereleases is False and not copy.contains("2.0a1")
    single = pickle.loads(pickle.dumps(fs.Specifier("~=1.4", prereleases=True)))
    assert single.contains("1.5a1") and repr(single) == "<Specifier('~=1.4', prereleases=True)>"


def test_the_set_remembers_answers_per_version_without_changing_them() -> None:
    mine = fs.SpecifierSet(">=1.0,!=1.5")
    for _ in range(3):
        assert mine.contains(Version("1.6")) and not mine.contains(Version("1.5.0"))
        assert mine.contains("1.5+local") is ps.SpecifierSet(">=1.0,!=1.5").contains("1.5+local")


@pytest.mark.parametrize("name", ["Django", "oslo.concurrency", "a__b", "A-_.b", "_x_", "x--y",
                                  "Foo.Bar_baz", "", "-", "ß", "İ"])
def test_canonicalize_name_is_packagings(name: str) -> None:
    from packaging import utils

    assert canonicalize_name(name) == utils.canonicalize_name(name)
    assert is_normalized_name(name) == utils.is_normalized_name(name)
    try:
        expected: object = utils.canonicalize_name(name, validate=True)
    except utils.InvalidName as exc:
        expected = str(exc)
    try:
        got: object = canonicalize_name(name, validate=True)
    except ValueError as exc:
        got = str(exc)
    assert got == expected


@pytest.mark.parametrize("text", HAND_SPECIFIERS)
def test_hand_picked_specifiers_match_every_neighbour_alike(text: str) -> None:
    _compare_single(text, VERSION_TEXTS)
    _compare_sets(text, VERSION_TEXTS, None)
