"""User-given hashes applied to resolved pins: verified, or required (``--require-hashes``).

As uv 0.13: ``--require-hashes`` (on the command line or in a file) requires a hash for every
requirement and dependency; without it, the hashes that are given are verified ("verify-hashes"
mode) for requirements pinned with ``==`` or given by URL, and a line that is not pinned has its
hash ignored (with a warning, where uv says nothing). pip's rule (any ``--hash`` switches the whole
file to hash mode) is not followed: a file that works with uv works here.

The requirements parser checks that the user's lines are pinned and hashed in require mode; what
the resolver then picked must carry exactly those digests before anything is downloaded, so the
preparer verifies each file against the user's hash rather than the index's. Only ``pip install``
and ``pip sync`` have user-given hashes; the rule is kept out of the shared pipeline for that
reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ferry.model.log import get_logger

if TYPE_CHECKING:
    from ferry.commands.inputs import RequirementInputs
    from ferry.model.dist import PinnedDist

logger = get_logger(__name__)


def enforce_hashes(pins: Sequence[PinnedDist], inputs: RequirementInputs) -> list[PinnedDist]:
    """Make each hashed pin's expected hash the user's (C2, C4); in require mode, refuse a pin
    without one.

    The preparer verifies downloads against ``file.hashes`` and looks the cache up by them, so a
    file cached by an unhashed install is still checked against the user's digest.
    """
    if not inputs.hashes and not inputs.hash_checking:
        return list(pins)
    from ferry.model.dist import Hashes
    from ferry.model.errors import HashMismatchError
    from ferry.model.value_fields import replace

    verified = inputs.hash_checking or _pinned_names(inputs)
    checked = []
    for pin in pins:
        allowed = inputs.hashes.get(pin.name)
        if pin.file is None:
            checked.append(pin)
            continue
        if not allowed and not inputs.hash_checking:
            checked.append(pin)  # verify mode: nothing given, nothing to check
            continue
        if not allowed:
            raise _missing_hash(pin, inputs)
        if verified is not True and pin.name not in verified:
            logger.warning(
                "`%s` is not pinned with `==`: its `--hash` is not checked (as with uv; "
                "pass `--require-hashes` to require pins and hashes)", pin.name,
            )
            checked.append(pin)
            continue
        sha256_given = any(digest.startswith("sha256:") for digest in allowed)
        if pin.direct_url is not None or not (sha256_given or inputs.hash_checking):
            # A direct reference must match every digest the user gave (uv's rule for URLs);
            # so must a file verified by other digests only (checked after the download).
            given: dict[str, str] = {}
            for digest in sorted(allowed):
                algorithm, _, value = digest.partition(":")
                given.setdefault(algorithm, value)
            checked.append(replace(pin, file=replace(pin.file, hashes=Hashes.of(**given))))
            continue
        sha_allowed = sorted(d.partition(":")[2] for d in allowed if d.startswith("sha256:"))
        offered = pin.file.sha256
        if offered is not None and offered not in sha_allowed:
            raise HashMismatchError(
                f"Hash mismatch for `{pin}`",
                causes=[
                    f"Expected: {', '.join('sha256:' + h for h in sha_allowed)}",
                    f"Index offers: sha256:{offered}",
                ],
                hint="the requirements file's hash does not match the file the index serves",
            )
        if not sha_allowed:
            raise HashMismatchError(f"In `--require-hashes` mode, `{pin}` has no sha256 hash")
        file = replace(pin.file, hashes=Hashes.of(sha256=offered or sha_allowed[0]))
        checked.append(replace(pin, file=file))
    return checked


def _pinned_names(inputs: RequirementInputs) -> frozenset[str]:
    """The hashed names whose hashes verify mode checks: a requirement or constraint on them is
    pinned with ``==`` (no wildcard) or is a direct reference (uv ignores the others' hashes)."""
    from ferry.model.names import canonicalize_name

    pinned = set()
    for requirement in (*inputs.requirements, *inputs.constraints):
        clauses = list(requirement.specifier)
        exact = len(clauses) == 1 and clauses[0].operator in ("==", "===") and not (
            clauses[0].version.endswith(".*"))
        if requirement.url is not None or exact:
            pinned.add(str(canonicalize_name(requirement.name)))
    return frozenset(pinned)


def _missing_hash(pin: PinnedDist, inputs: RequirementInputs) -> Exception:
    """uv's error for a pin without a hash in require mode, plus the hash the index offers."""
    from ferry.model.errors import HashMismatchError
    from ferry.model.names import canonicalize_name

    assert pin.file is not None
    offered_line = (
        f"{pin.name}=={pin.version} --hash=sha256:{pin.file.sha256}"
        if pin.file.sha256
        else f"{pin.name}=={pin.version} (the index lists no hash; download it to hash it)"
    )
    named = {canonicalize_name(r.name) for r in inputs.requirements}
    message = (
        "In `--require-hashes` mode, all requirements must have a hash, but none were "
        f"provided for: {pin.name}=={pin.version}"
        if pin.name in named
        else f"Hash-checking is required, but no trusted hash was provided for: `{pin.name}`"
    )
    return HashMismatchError(
        message,
        causes=[f"The index's file has this hash: {offered_line}"],
        hint="every requirement needs `--hash=sha256:…` (and so do dependencies; "
        "`ferry pip compile --generate-hashes` writes them all)",
    )
