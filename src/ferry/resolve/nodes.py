"""The requirement and candidate values resolvelib juggles, and their identifiers.

Identifiers: ``name`` for a project, ``name[extra]`` for one extra of it (a virtual package that
depends on ``name`` at the same version, pip's approach), ``<python>`` for the target interpreter
(so a ``Requires-Python`` found in metadata is an ordinary, explainable conflict), and
``<unusable:...>`` for a candidate whose metadata is broken (a requirement nothing satisfies).
"""

from __future__ import annotations

from urllib.parse import urldefrag

from ferry.model.dist import FileRef
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.url import redact
from ferry.model.value_fields import field

PYTHON_KEY = "<python>"
UNUSABLE_PREFIX = "<unusable:"


def extra_key(name: NormalizedName, extra: str) -> str:
    return f"{name}[{extra}]"


@immutable
class Req:
    """One requirement on one identifier.

    ``origin`` is the PEP 508 requirement as written (by the user or in metadata), kept for messages
    and the dependency graph; it is ``None`` for the resolver's own links (extra → base, python).
    ``pin`` is an exact version (the extra → base link, where ``==1.0`` would also admit
    ``1.0+local``). ``reason`` explains an ``<unusable:…>`` requirement.
    """

    key: str
    name: NormalizedName
    extra: str | None = None
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    url: str | None = None
    pin: Version | None = None
    origin: Requirement | None = None
    reason: str | None = None
    # Hashing a requirement formats its marker and specifier, and resolvelib, the recorder and
    # the engine's tables hash these values all the time: the hash is computed once.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", 0)  # computed on first use

    def __hash__(self) -> int:
        if not self._hash:
            object.__setattr__(self, "_hash", hash((
                self.key, self.name, self.extra, self.specifier, self.url, self.pin, self.origin,
                self.reason)) or 1)
        return self._hash

    def __str__(self) -> str:
        if self.key == PYTHON_KEY:
            return f"Python {self.specifier}"
        if self.reason is not None:
            return self.reason
        label = self.key if self.extra is None else extra_key(self.name, self.extra)
        if self.url is not None:
            return f"{label} @ {redact(self.url)}"
        if self.pin is not None:
            return f"{label}=={self.pin}"
        return f"{label}{self.specifier}"


@immutable
class Candidate:
    """A concrete choice for an identifier: a version, the file it comes from, or a direct URL."""

    key: str
    name: NormalizedName
    version: Version
    extra: str | None = None
    file: FileRef | None = None
    url: str | None = None
    _hash: int = field(init=False, repr=False, compare=False)  # see Req

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", 0)  # computed on first use

    def __hash__(self) -> int:
        if not self._hash:
            object.__setattr__(self, "_hash", hash((
                self.key, self.name, self.version, self.extra, self.file, self.url)) or 1)
        return self._hash

    def __str__(self) -> str:
        if self.key == PYTHON_KEY:
            return f"Python {self.version}"
        label = self.name if self.extra is None else extra_key(self.name, self.extra)
        return f"{label}=={self.version}"


def same_url(a: str, b: str) -> bool:
    """URLs equal up to a hash fragment (``#sha256=…`` does not change what is fetched)."""
    return _url_key(a) == _url_key(b)


def _url_key(url: str) -> str:
    base, fragment = urldefrag(url)
    kept = [p for p in fragment.split("&") if p.startswith(("subdirectory=", "egg="))]
    return base + ("#" + "&".join(sorted(kept)) if kept else "")


def reqs_from(requirement: Requirement) -> list[Req]:
    """The identifiers a PEP 508 requirement constrains: the project, then each of its extras."""
    name = canonicalize_name(requirement.name)
    url = requirement.url or None
    out = [Req(name, name, None, requirement.specifier, url, None, requirement)]
    for extra in sorted({canonicalize_name(e) for e in requirement.extras}):
        out.append(
            Req(extra_key(name, extra), name, extra, requirement.specifier, url, None, requirement)
        )
    return out


def display(requirement: Requirement) -> str:
    """A requirement as written, with any password in its URL replaced by ``****``."""
    if not requirement.url:
        return str(requirement)
    text = str(requirement)
    return text.replace(requirement.url, redact(requirement.url))


def exact_pin(specifier: SpecifierSet) -> Version | None:
    """The version a specifier pins with ``==``/``===`` (no wildcard), else ``None``."""
    for spec in specifier:
        if spec.operator in ("==", "===") and not spec.version.endswith(".*"):
            try:
                return Version(spec.version)
            except ValueError:
                return None
    return None
