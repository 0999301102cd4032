"""Joining the Python version ranges of DNF clauses: one step of the export's simplification.

Split from :mod:`ferry.project.export_markers`, whose ``simplify`` calls it once no other step
applies.
"""

from __future__ import annotations

from ferry.model.pep440_version import InvalidVersion, Version

Atom = tuple[str, str, str]  # as ferry.project.export_markers.Atom
Clause = frozenset[Atom]

# A Python version range: (lower, lower inclusive, upper, upper inclusive); None is unbounded.
# Each bound keeps the text it was written with, so a merged marker spells versions as given.
_Bound = tuple[Version, str] | None
_Range = tuple[_Bound, bool, _Bound, bool]


def merge_version_ranges(clauses: set[Clause]) -> set[Clause] | None:
    """Clauses alike but for their Python version ranges, whose ranges join, become one.

    An export ORs a package's markers over every path and fork, and forks split on Python
    versions: ``python_full_version < '3.10' or python_full_version == '3.10.*'`` must print
    as uv prints it, ``python_full_version < '3.11'``, and a union covering every version must
    vanish instead of printing a marker that always holds. Only clauses whose version atoms
    describe a single range (bounds and ``== 'X.Y.*'``) take part; anything else is left as is.

    Ranges are joined as intervals of final versions, as uv's markers are: on a pre-release
    interpreter (3.11.0a1) PEP 440 lets ``== '3.11.*'`` match but ``>= '3.11'`` not, so there a
    joined marker can differ, as the absorption and complement steps already could. Bounds that
    are themselves pre-releases are never joined.
    """
    groups: dict[Clause, list[tuple[Clause, _Range]]] = {}
    for clause in clauses:
        versions = [a for a in clause if a[0] == "python_full_version"]
        if not versions:
            continue
        span = _range_of(versions)
        if span is not None:
            groups.setdefault(clause - frozenset(versions), []).append((clause, span))
    for rest, members in groups.items():
        if len(members) < 2:
            continue
        joined = _join([span for _, span in members])
        if len(joined) < len(members):
            merged = set(clauses) - {clause for clause, _ in members}
            merged.update(rest | frozenset(_range_atoms(span)) for span in joined)
            return merged
    return None


def _range_of(atoms: list[Atom]) -> _Range | None:
    lower: _Bound = None
    lower_inclusive = False
    upper: _Bound = None
    upper_inclusive = False
    for _, op, value in atoms:
        if op == "==" and value.endswith(".*"):
            release = version_or_none(value[:-2])
            if release is None or len(release.release) != 2:
                return None
            major, minor = release.release
            pieces = [((release, value[:-2]), True, None, False),
                      (None, False, (Version(f"{major}.{minor + 1}"), f"{major}.{minor + 1}"),
                       False)]
        elif op in ("<", "<=", ">", ">="):
            version = version_or_none(value)
            if version is None or version.is_prerelease:
                # PEP 440 keeps a bound's pre-releases out of `<` and `>=` comparisons, so such
                # ranges do not join like intervals (`< '3.10.0rc1' or == '3.9.*'` is not
                # `< '3.10'` at 3.10.0a1): left alone, as they are rare for interpreters.
                return None
            bound = (version, value)
            pieces = ([(bound, op == ">=", None, False)] if op in (">", ">=")
                      else [(None, False, bound, op == "<=")])
        else:
            return None
        for low, low_inclusive, high, high_inclusive in pieces:
            if low is not None and (lower is None or low[0] > lower[0]
                                    or (low[0] == lower[0] and not low_inclusive)):
                lower, lower_inclusive = low, low_inclusive
            if high is not None and (upper is None or high[0] < upper[0]
                                     or (high[0] == upper[0] and not high_inclusive)):
                upper, upper_inclusive = high, high_inclusive
    if lower is not None and upper is not None and (
        lower[0] > upper[0] or (lower[0] == upper[0] and not (lower_inclusive and upper_inclusive))
    ):
        return None  # holds for no version: not this step's business
    return (lower, lower_inclusive, upper, upper_inclusive)


def _join(spans: list[_Range]) -> list[_Range]:
    """The union of ``spans`` as disjoint ranges, lowest first."""
    def start(span: _Range) -> tuple[int, Version, int]:
        low = span[0]
        return (0, Version("0"), 0) if low is None else (1, low[0], 0 if span[1] else 1)

    ordered = sorted(spans, key=start)
    joined: list[_Range] = []
    for span in ordered:
        if joined and _reaches(joined[-1], span):
            last = joined[-1]
            joined[-1] = (last[0], last[1], *_higher_end(last, span))
        else:
            joined.append(span)
    return joined


def _reaches(first: _Range, second: _Range) -> bool:
    """Whether ``second`` (starting no lower than ``first``) overlaps or touches ``first``."""
    high, high_inclusive = first[2], first[3]
    low, low_inclusive = second[0], second[1]
    if high is None or low is None:
        return True
    return low[0] < high[0] or (low[0] == high[0] and (high_inclusive or low_inclusive))


def _higher_end(first: _Range, second: _Range) -> tuple[_Bound, bool]:
    if first[2] is None or second[2] is None:
        return None, False
    if second[2][0] > first[2][0] or (second[2][0] == first[2][0] and second[3]):
        return second[2], second[3]
    return first[2], first[3]


def _range_atoms(span: _Range) -> list[Atom]:
    low, low_inclusive, high, high_inclusive = span
    if (low is not None and high is not None and low_inclusive and not high_inclusive
            and len(low[0].release) == 2
            and high[0] == Version(f"{low[0].release[0]}.{low[0].release[1] + 1}")):
        return [("python_full_version", "==", f"{low[1]}.*")]
    atoms: list[Atom] = []
    if low is not None:
        atoms.append(("python_full_version", ">=" if low_inclusive else ">", low[1]))
    if high is not None:
        atoms.append(("python_full_version", "<=" if high_inclusive else "<", high[1]))
    return atoms


def version_or_none(value: str) -> Version | None:
    """A marker's version operand, or None where PEP 440 cannot read it (then left as text)."""
    try:
        return Version(value)
    except InvalidVersion:
        return None
