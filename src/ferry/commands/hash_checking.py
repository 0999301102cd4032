"""Hash-checking mode (``--require-hashes``, or any ``--hash``) applied to resolved pins.

The requirements parser checks that the user's lines are pinned and hashed; what the resolver
then picked must carry exactly those digests before anything is downloaded, so the preparer
verifies each file against the user's hash rather than the index's. Only ``pip install`` and
``pip sync`` have user-given hashes; the rule is kept out of the shared pipeline for that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ferry.commands.inputs import RequirementInputs
    from ferry.model.dist import PinnedDist


def enforce_hashes(pins: Sequence[PinnedDist], inputs: RequirementInputs) -> list[PinnedDist]:
    """In hash-checking mode, make each pin's expected hash the user's (C2, C4).

    The preparer verifies downloads against ``file.hashes`` and looks the cache up by them, so a
    file cached by an unhashed install is still checked against the user's digest.
    """
    if not inputs.hash_checking:
        return list(pins)
    from ferry.model.dist import Hashes
    from ferry.model.errors import HashMismatchError
    from ferry.model.value_fields import replace

    checked = []
    for pin in pins:
        allowed = inputs.hashes.get(pin.name)
        if pin.file is None:
            checked.append(pin)
            continue
        if not allowed:
            offered_line = (
                f"{pin.name}=={pin.version} --hash=sha256:{pin.file.sha256}"
                if pin.file.sha256
                else f"{pin.name}=={pin.version} (the index lists no hash; download it to hash it)"
            )
            raise HashMismatchError(
                f"In `--require-hashes` mode, `{pin}` has no hash",
                causes=[f"The index's file has this hash: {offered_line}"],
                hint="every requirement needs `--hash=sha256:…` (and so do dependencies; "
                "`ferry pip compile --generate-hashes` writes them all)",
            )
        if pin.direct_url is not None:
            # A direct reference must match every digest the user gave (uv's rule for URLs).
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
