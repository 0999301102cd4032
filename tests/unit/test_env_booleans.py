"""Boolean variables and --refresh-package values that cannot be read are refused, not ignored."""

from __future__ import annotations

import pytest

from ferry.model.errors import UsageError
from ferry.model.refresh import Refresh, env_requests_refresh
from ferry.model.settings import env_bool


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_true_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FERRY_OFFLINE", value)
    assert env_bool("FERRY_OFFLINE") is True


@pytest.mark.parametrize("value", ["", "0", "false", "No", "off"])
def test_false_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FERRY_OFFLINE", value)
    assert env_bool("FERRY_OFFLINE") is False


def test_unset_is_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_OFFLINE", raising=False)
    assert env_bool("FERRY_OFFLINE") is False


def test_garbage_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERRY_OFFLINE", "ture")
    with pytest.raises(UsageError, match="FERRY_OFFLINE"):
        env_bool("FERRY_OFFLINE")


def test_refresh_variable_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERRY_REFRESH", "garbage")
    with pytest.raises(UsageError, match="FERRY_REFRESH"):
        Refresh.from_options()
    assert env_requests_refresh()  # the fast path declines, so the full path reports it


@pytest.mark.parametrize("name", ["!!", "", "a b", "-lead"])
def test_refresh_package_names_are_checked(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv("FERRY_REFRESH", raising=False)
    with pytest.raises(UsageError, match="--refresh-package"):
        Refresh.from_options(packages=[name])


def test_refresh_package_names_are_normalized(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_REFRESH", raising=False)
    assert Refresh.from_options(packages=["Typing_Extensions"]).covers("typing-extensions")
