"""The OpenSSL-free digests of the start-up paths agree with hashlib's."""

from __future__ import annotations

import hashlib

import pytest

from ferry.model.builtin_sha256 import sha256
from ferry.wheel.record import GUARANTEED_ALGORITHMS, hash_bytes, urlsafe_digest


def test_the_spelled_out_algorithms_are_hashlibs_guaranteed_ones() -> None:
    assert hashlib.algorithms_guaranteed == GUARANTEED_ALGORITHMS


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 1000])
def test_builtin_sha256_gives_hashlibs_digest(data: bytes) -> None:
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    incremental = sha256()
    incremental.update(data[:7])
    incremental.update(data[7:])
    assert incremental.hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512", "blake2b"])
def test_record_digests_match_hashlib_for_every_algorithm(algorithm: str) -> None:
    data = b"print('hello')\n"
    assert hash_bytes(data, algorithm) == urlsafe_digest(hashlib.new(algorithm, data).digest())
