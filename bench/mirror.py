"""The loopback mirror: a workload's pinned wheels, downloaded once, served on 127.0.0.1.

For a workload and a target interpreter, ``prepare_workload``:

1. pins the workload with ``uv pip compile`` for the target Python and platform (the set the
   install scenarios install), and once more ``--universal`` (the names a universal ``lock``
   must see: a ``colorama ; sys_platform == 'win32'`` is resolved even on Linux);
2. downloads every missing wheel once into ``bench/.mirror/files`` (later runs reuse them; the
   pins are kept too, so the mirror does not drift when the upstream index moves on);
3. fetches the sdist of each mirrored release (see ``bench/sdists.py``: a universal lock needs
   it where no wheel fits), also once;
4. rewrites the PEP 503 pages over all files in ``bench/.mirror/simple``.

Whatever the workload, the mirror also holds what ``venv --seed`` installs (``SEED_PACKAGES``:
pip, setuptools, wheel), pinned once per target Python like a workload and kept, within the
workload's own pins where they name the same package (see ``_seed_pins``).

The mirror lists only the mirrored files, one version per package: project pages are smaller
than the real index's, which flatters page parsing a little, for every tool alike.

Run it alone to inspect or serve a mirror: ``python bench/mirror.py --workload web --serve``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sdists import fetch_sdists
from bench.simple_index import scan_files, write_simple_index
from bench.upstream import (
    Pin,
    Upstream,
    UpstreamError,
    compile_pins,
    download_wheels,
    parse_pins,
)

__all__ = [
    "BENCH_DIR",
    "SEED_PACKAGES",
    "WORKLOADS_DIR",
    "Mirror",
    "PreparedWorkload",
    "TargetPython",
    "find_target_python",
    "prepare_workload",
    "uv_executable",
]

logger = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
WORKLOADS_DIR = BENCH_DIR / "workloads"
# The newest Python a universal-only pin may need when no wheel fits the target (see below).
_NEWEST_MINOR = 14
_OTHER_PLATFORMS = ("win_amd64", "macosx_11_0_arm64")
# What `uv venv --seed` (and `ferry venv --seed`) install: pip, plus setuptools and wheel before
# Python 3.12; mirrored for every target so the `venv-seed` scenario has them.
SEED_PACKAGES = ("pip", "setuptools", "wheel")
_SEED_STAMP = "# pinned seed packages: " + " ".join(SEED_PACKAGES)


@dataclass(frozen=True, slots=True)
class TargetPython:
    """The interpreter environments are made from (a base interpreter, never a venv's)."""

    executable: Path
    version: str  # "3.11"


def find_target_python(spec: str = "python3") -> TargetPython:
    """Run ``spec`` once to learn its real executable (through pyenv shims) and version."""
    code = (
        "import sys; print(getattr(sys, '_base_executable', sys.executable));"
        "print('%d.%d' % sys.version_info[:2])"
    )
    try:
        proc = subprocess.run([spec, "-c", code], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UpstreamError(f"cannot run the target interpreter {spec!r}: {exc}") from exc
    if proc.returncode != 0:
        raise UpstreamError(f"cannot run the target interpreter {spec!r}: {proc.stderr.strip()}")
    executable, version = proc.stdout.split()
    return TargetPython(Path(executable), version)


def uv_executable() -> str:
    """The uv installed beside the running interpreter (a test dependency), else PATH's."""
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file():
        return str(beside)
    found = shutil.which("uv")
    if found is None:
        raise UpstreamError("uv is not installed (pip install uv): the mirror resolves with it")
    return found


@dataclass(frozen=True, slots=True)
class Mirror:
    """The on-disk layout under ``root`` (``bench/.mirror``, gitignored)."""

    root: Path

    @property
    def files(self) -> Path:
        return self.root / "files"

    @property
    def simple(self) -> Path:
        return self.root / "simple"

    @property
    def uv_cache(self) -> Path:
        return self.root / "uv-cache"

    def pins_path(self, workload: str, python_version: str, *, universal: bool = False) -> Path:
        suffix = "-universal" if universal else ""
        return self.root / "pins" / f"{workload}-py{python_version}{suffix}.txt"

    def rebuild_index(self) -> int:
        """Rewrite the pages over every file held; returns the number of files."""
        files = scan_files(self.files)
        write_simple_index(files, self.simple)
        return len(files)


@dataclass(frozen=True, slots=True)
class PreparedWorkload:
    """A workload ready to benchmark: its project, its pins, and the requirements file."""

    name: str
    project_dir: Path
    requirements: Path  # `name==version` lines for the target interpreter
    pins: tuple[Pin, ...]
    universal: tuple[Pin, ...]
    unavailable: tuple[str, ...]  # universal-only `name==version` no wheel was found for
    seed: tuple[Pin, ...] = ()  # the pinned SEED_PACKAGES (and their dependencies) mirrored


def _stamp(workload_dir: Path) -> str:
    """The first line of a pins file: which pyproject.toml the pins were made from."""
    digest = hashlib.sha256((workload_dir / "pyproject.toml").read_bytes()).hexdigest()
    return f"# pinned from pyproject.toml sha256={digest}"


def _pins(
    mirror: Mirror, workload_dir: Path, target: TargetPython, upstream: Callable[[], Upstream],
    *, universal: bool, refresh: bool,
) -> tuple[Path, list[Pin], bool]:
    """The workload's pins (compiled now if asked, missing, or made from another
    pyproject.toml), its file, and whether they were compiled just now."""
    path = mirror.pins_path(workload_dir.name, target.version, universal=universal)
    stamp = _stamp(workload_dir)
    current = path.is_file() and path.read_text().startswith(stamp + "\n")
    if refresh or not current:
        text = compile_pins(
            uv_executable(), workload_dir, python_version=target.version,
            upstream=upstream(), cache_dir=mirror.uv_cache, universal=universal,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{stamp}\n{text}")
        logger.info("pinned %s for Python %s%s", workload_dir.name, target.version,
                    " (universal)" if universal else "")
    return path, parse_pins(path.read_text()), refresh or not current


def _seed_pins(
    mirror: Mirror, target: TargetPython, workload: tuple[Path, Sequence[Pin]],
    upstream: Callable[[], Upstream], *, refresh: bool,
) -> list[Pin]:
    """The seed packages' pins: compiled once per target Python, then kept (no drift).

    They are compiled within the workload's pins (``--constraint``), so a workload that pins
    setuptools or wheel itself keeps its version and the mirror one version per package; kept
    pins that contradict this workload's are compiled again (and logged).
    """
    path = mirror.pins_path("seed", target.version)
    requirements, pinned = workload[0], {p.name: p.version for p in workload[1]}
    if not refresh and path.is_file() and path.read_text().startswith(_SEED_STAMP + "\n"):
        kept = parse_pins(path.read_text())
        clash = [p.requirement() for p in kept if pinned.get(p.name, p.version) != p.version]
        if not clash:
            return kept
        logger.info("pinning the seed packages again: the workload pins other versions than %s",
                    ", ".join(clash))
    source = path.with_name(f"seed-py{target.version}.in")
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("".join(f"{name}\n" for name in SEED_PACKAGES))
    text = compile_pins(
        uv_executable(), source.parent, python_version=target.version, upstream=upstream(),
        cache_dir=mirror.uv_cache, source=source.name, constraints=requirements,
    )
    path.write_text(f"{_SEED_STAMP}\n{text}")
    logger.info("pinned the seed packages for Python %s", target.version)
    return parse_pins(text)


def _held(mirror: Mirror, *, wheels: bool = True) -> set[tuple[str, str]]:
    """(name, version) of the wheels (or, with ``wheels=False``, the sdists) held."""
    return {(f.project, f.version) for f in scan_files(mirror.files)
            if f.filename.endswith(".whl") == wheels}


def _fetch_missing_sdists(
    mirror: Mirror, pins: Sequence[Pin], upstream: Callable[[], Upstream],
) -> None:
    """The sdist of every pinned version the mirror has wheels of, fetched once.

    Only versions with a mirrored wheel: an sdist-only version (another fork's numpy) would
    make a lock build it for its metadata, which is not what is being measured. Releases
    without an sdist are remembered in ``no-sdist.txt`` so later runs do not ask again.
    """
    memory = mirror.root / "no-sdist.txt"
    known = set(memory.read_text().split()) if memory.is_file() else set()
    wheels, sdists = _held(mirror), _held(mirror, wheels=False)
    wanted = {
        (p.name, p.version): p for p in pins
        if (p.name, p.version) in wheels and (p.name, p.version) not in sdists
        and p.requirement() not in known
    }
    if not wanted:
        return
    logger.info("fetching %d sdists", len(wanted))
    without = fetch_sdists(upstream(), list(wanted.values()), mirror.files)
    memory.write_text("".join(f"{r}\n" for r in sorted(known | {p.requirement()
                                                                for p in without})))


def _fallbacks(version: str) -> list[tuple[str | None, str]]:
    """(platform, Python version) pairs to try for a universal-only pin, most likely first.

    Such a pin is needed only elsewhere: on a later Python (a backport's successor declaring
    ``python_full_version >= '3.12'``), or on another platform (``pywin32``).
    """
    major, minor = (int(part) for part in version.split(".")[:2])
    later = [f"{major}.{m}" for m in range(minor + 1, _NEWEST_MINOR + 1)]
    return [(None, version), *((None, v) for v in later),
            *((platform, version) for platform in _OTHER_PLATFORMS)]


def _fetch_universal_extras(
    mirror: Mirror, extras: Sequence[Pin], target: TargetPython, upstream: Upstream,
) -> list[Pin]:
    """Download one wheel for each universal-only name; returns the pins none was found for.

    One batch first (the common case: pure-Python wheels); if pip refuses the batch, each pin
    is tried alone for later Pythons and other platforms (a Windows-only wheel still gives a
    universal lock the metadata it needs).
    """
    try:
        download_wheels(sys.executable, [p.requirement() for p in extras], mirror.files,
                        python_version=target.version, upstream=upstream)
        return []
    except UpstreamError:
        logger.info("batch download of universal-only pins failed; trying one by one")
    missing: list[Pin] = []
    for pin in extras:
        for platform, version in _fallbacks(target.version):
            try:
                download_wheels(sys.executable, [pin.requirement()], mirror.files,
                                python_version=version, upstream=upstream, platform=platform)
                break
            except UpstreamError:
                continue
        else:
            logger.warning("no wheel of %s for any platform tried: a universal lock may fail",
                           pin.requirement())
            missing.append(pin)
    return missing


def prepare_workload(
    mirror: Mirror, workload_dir: Path, target: TargetPython, *, refresh: bool = False,
    upstream: Callable[[], Upstream] | None = None,
) -> PreparedWorkload:
    """Pin, download what is missing, and rewrite the index (see the module docstring)."""
    get_upstream = functools.cache(upstream or Upstream.discover)
    mirror.files.mkdir(parents=True, exist_ok=True)
    req_path, pins, _ = _pins(mirror, workload_dir, target, get_upstream,
                              universal=False, refresh=refresh)
    uni_path, universal, repinned = _pins(mirror, workload_dir, target, get_upstream,
                                          universal=True, refresh=refresh)
    seed = _seed_pins(mirror, target, (req_path, pins), get_upstream, refresh=refresh)
    wanted = {(p.name, p.version): p for p in [*pins, *seed]}
    held = _held(mirror)
    missing = [p for key, p in wanted.items() if key not in held]
    if missing:
        logger.info("downloading %d wheels for %s", len(missing), workload_dir.name)
        download_wheels(sys.executable, [p.requirement() for p in missing], mirror.files,
                        python_version=target.version, upstream=get_upstream())
        held = _held(mirror)
        still = [p.requirement() for key, p in wanted.items() if key not in held]
        if still:
            raise UpstreamError(f"pip downloaded no wheel for: {', '.join(still)}")
    # Universal-only pins no wheel was found for are remembered, so later runs (maybe
    # offline) do not ask the index again; new pins forget them.
    unavailable_path = uni_path.with_name(uni_path.stem + "-unavailable.txt")
    known: set[str] = set()
    if not repinned and unavailable_path.is_file():
        known = set(unavailable_path.read_text().split())
    names = {name for name, _ in held}
    extras = [p for p in {p.name: p for p in universal if p.name not in names}.values()
              if p.requirement() not in known]
    fetched = _fetch_universal_extras(mirror, extras, target, get_upstream()) if extras else []
    unavailable = sorted(known | {p.requirement() for p in fetched})
    unavailable_path.write_text("".join(f"{line}\n" for line in unavailable))
    _fetch_missing_sdists(mirror, [*pins, *universal], get_upstream)
    count = mirror.rebuild_index()
    logger.info("mirror: %d files under %s", count, mirror.root)
    return PreparedWorkload(
        name=workload_dir.name, project_dir=workload_dir, requirements=req_path,
        pins=tuple(pins), universal=tuple(universal), unavailable=tuple(unavailable),
        seed=tuple(seed),
    )


def main(argv: Sequence[str] | None = None) -> int:
    from bench.server import MirrorServer

    parser = argparse.ArgumentParser(description="Build (and serve) the benchmark mirror.")
    parser.add_argument("--workload", default="web", help="tiny, web or data (default: web)")
    parser.add_argument("--python", default="python3", help="target interpreter")
    parser.add_argument("--refresh", action="store_true", help="re-pin against the index")
    parser.add_argument("--serve", action="store_true", help="serve until interrupted")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    mirror = Mirror(BENCH_DIR / ".mirror")
    target = find_target_python(args.python)
    try:
        prepared = prepare_workload(mirror, WORKLOADS_DIR / args.workload, target,
                                    refresh=args.refresh)
    except UpstreamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{prepared.name}: {len(prepared.pins)} pins -> {prepared.requirements}")
    if args.serve:
        with MirrorServer(mirror.root, args.port) as server:
            print(f"serving {server.simple_url} (Ctrl-C to stop)")
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
