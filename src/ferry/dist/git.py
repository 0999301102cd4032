"""Git sources: fetched with the ``git`` executable into the cache, checked out once per commit.

Layout of the ``git-v0`` bucket::

    db/<key>/                       one bare repository per repository URL (credentials stripped)
    db/<key>.lock                   held while git writes to it
    checkouts/<key>/<commit>/       a clone of one commit (with submodules), reused by every command
    built/<key>/<commit>/<sub>/<target>.json    → the wheel built from that commit, in built-v1

Why the executable and not a library: it is what users already configured (credential helpers,
SSH keys, proxies, ``insteadOf``), and uv uses it too. It never prompts: ``GIT_TERMINAL_PROMPT=0``
and SSH in batch mode, so a missing credential is an error, not a hung command.

A branch, a tag or the default branch is resolved to a commit once per process (one command):
every later question about the same reference gets the same commit, so the resolver, the lock and
the installer agree. A full commit already in the database needs no network at all. With
``--offline`` nothing is fetched; references are resolved from what the database holds, and what
it does not hold is named in the error. URLs reach messages only through ``redact``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path

from ferry.cache.store import Cache
from ferry.dist.git_auth import ConfigEntry, git_auth, with_config
from ferry.fs.atomic import rename_dir_into_place
from ferry.fs.locks import lock_exclusive, lock_shared
from ferry.model.errors import NetworkError, OfflineError, UserError
from ferry.model.git import GitUrl, is_commit, looks_like_commit
from ferry.model.log import get_logger
from ferry.model.url import redact

__all__ = ["GitSources", "git_sources", "remember_credentials"]

logger = get_logger(__name__)

BUCKET = "git"
_GIT_ENV_DROP = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
)
_ALL_REFS = ("+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/remotes/origin/tags/*")
# Repository URLs with credentials, by their credential-free spelling: `ferry add` writes the
# latter to pyproject.toml (as uv does) and the lock of the same command still authenticates.
_CREDENTIALS: dict[str, str] = {}
_CREDENTIALS_LOCK = threading.Lock()


def remember_credentials(url: GitUrl) -> None:
    """Use ``url``'s credentials for every later fetch of its repository in this process."""
    if url.repository != url.safe_repository:
        with _CREDENTIALS_LOCK:
            _CREDENTIALS[url.safe_repository] = url.repository


def _fetch_location(url: GitUrl) -> str:
    """The URL git fetches ``url`` from: credentials remembered for it when it has none."""
    if url.repository != url.safe_repository:
        return url.repository
    with _CREDENTIALS_LOCK:
        return _CREDENTIALS.get(url.repository, url.repository)


def _redact_text(text: str, repository: str) -> str:
    """git's output with the repository's credentials hidden (git echoes URLs it was given)."""
    return text.replace(repository, redact(repository)).strip()


class GitRunner:
    """Runs ``git`` non-interactively; one instance per process."""

    def __init__(self) -> None:
        found = shutil.which("git")
        if found is None:
            raise UserError(
                "Git sources need the `git` executable, which is not on PATH",
                hint="install git (e.g. `apt-get install git`), or use a registry version of "
                "the package",
            )
        self.git = found
        env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GCM_INTERACTIVE"] = "never"
        env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        env["LC_ALL"] = "C"
        self.env = env

    def run(
        self, args: list[str], *, cwd: Path | None = None, config: Sequence[ConfigEntry] = ()
    ) -> subprocess.CompletedProcess[str]:
        """``git args``; ``config`` reaches git (and its children) through the environment
        only, which git never writes to a file (see :mod:`ferry.dist.git_auth`)."""
        return subprocess.run(
            [self.git, *args], cwd=cwd, env=with_config(self.env, config), capture_output=True,
            text=True, stdin=subprocess.DEVNULL, check=False,
        )

    def rev_parse(self, db: Path, name: str) -> str | None:
        done = self.run(["--git-dir", str(db), "rev-parse", "--verify", "--quiet",
                         f"{name}^{{commit}}"])
        found = done.stdout.strip()
        return found if done.returncode == 0 and is_commit(found) else None


class GitSources:
    """Resolves git references to commits and checks commits out, in the cache."""

    def __init__(self, cache: Cache, *, offline: bool = False) -> None:
        self.cache = cache
        self.offline = offline
        self._runner: GitRunner | None = None
        self._resolved: dict[tuple[str, str | None, str | None, str | None], str] = {}
        self._lock = threading.Lock()
        self._repo_locks: dict[str, threading.Lock] = {}

    @property
    def runner(self) -> GitRunner:
        if self._runner is None:
            self._runner = GitRunner()
        return self._runner

    # -- paths --------------------------------------------------------------------------------

    @staticmethod
    def key(url: GitUrl) -> str:
        return hashlib.sha256(url.safe_repository.encode()).hexdigest()[:16]

    def db_path(self, url: GitUrl) -> Path:
        return self.cache.bucket(BUCKET) / "db" / self.key(url)

    def checkout_path(self, url: GitUrl, commit: str) -> Path:
        return self.cache.bucket(BUCKET) / "checkouts" / self.key(url) / commit

    def _repo_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._repo_locks.setdefault(key, threading.Lock())

    # -- resolving ----------------------------------------------------------------------------

    def resolve(self, url: GitUrl) -> GitUrl:
        """``url`` with its commit: fetched (or found in the database), once per process.

        The commit ``url`` already carries (a lock's, for a branch or tag) is part of the memo's
        key: it is the answer for that URL, whatever the same branch resolved to elsewhere in
        this command."""
        memo = (url.safe_repository, url.ref_kind, url.reference, url.commit)
        with self._lock:
            known = self._resolved.get(memo)
        if known is not None:
            return url.resolved(known)
        if url.commit is not None and self._have_commit(url, url.commit):
            logger.debug("%s: commit %s is in the cache", url.describe(), url.commit[:12])
            commit = url.commit
        else:
            commit = self._fetch_and_resolve(url)
        with self._lock:
            commit = self._resolved.setdefault(memo, commit)
        return url.resolved(commit)

    def _have_commit(self, url: GitUrl, commit: str) -> bool:
        db = self.db_path(url)
        return (db / "HEAD").is_file() and self.runner.rev_parse(db, commit) == commit

    def _fetch_and_resolve(self, url: GitUrl) -> str:
        db = self.db_path(url)
        key = self.key(url)
        with self._repo_lock(key), lock_exclusive(db.with_name(f"{key}.lock"),
                                                  f"git database of {url.describe()}"):
            self._init_db(db)
            if self.offline:
                found = self._lookup(db, url)
                if found is None:
                    raise OfflineError(
                        f"{url.describe()} is not in the cache, and `--offline` forbids "
                        "fetching it",
                        hint="run the command once without `--offline`",
                    )
                logger.debug("%s resolved offline to %s", url.describe(), found[:12])
                return found
            self._fetch(db, url)
            found = self._lookup(db, url)
            wanted = url.commit or (url.reference if url.reference
                                    and looks_like_commit(url.reference) else None)
            if found is None and wanted is not None:
                # A commit no branch or tag reaches (any more): ask for it by id (servers allow
                # that for reachable commits with protocol v2).
                self._fetch(db, url, [f"+{wanted}:refs/commit/{wanted}"], quiet_failure=True)
                found = self._lookup(db, url)
            if found is None:
                raise UserError(
                    f"{url.describe()} has no {url.ref_kind or 'default branch'} "
                    f"`{url.reference or 'HEAD'}`",
                    hint="check the branch, tag or commit in the requirement or "
                    "`[tool.uv.sources]`",
                )
            logger.debug("%s is at commit %s", url.describe(), found)
            return found

    def _init_db(self, db: Path) -> None:
        if (db / "HEAD").is_file():
            return
        db.mkdir(parents=True, exist_ok=True)
        done = self.runner.run(["init", "--bare", "--quiet", str(db)])
        if done.returncode != 0:
            raise UserError(f"Could not create a git database in `{db}`",
                            causes=[done.stderr.strip()])

    @staticmethod
    def _refspecs(url: GitUrl) -> list[str]:
        if url.ref_kind == "branch":
            return [f"+refs/heads/{url.reference}:refs/remotes/origin/{url.reference}"]
        if url.ref_kind == "tag":
            return [f"+refs/tags/{url.reference}:refs/remotes/origin/tags/{url.reference}"]
        if url.ref_kind is None:
            return ["+HEAD:refs/remotes/origin/HEAD"]
        if url.commit is not None:
            return [f"+{url.commit}:refs/commit/{url.commit}"]
        return list(_ALL_REFS)

    def _fetch(
        self, db: Path, url: GitUrl, refspecs: list[str] | None = None, *,
        quiet_failure: bool = False,
    ) -> None:
        specs = refspecs or self._refspecs(url)
        logger.debug("fetching %s from %s", " ".join(specs), redact(url.repository))
        location = _fetch_location(url)
        auth = git_auth(location)
        # Held under the database's exclusive lock, so an automatic gc must run inside it too:
        # detached, it would repack while a clone (shared lock) reads the database.
        done = self.runner.run(["--git-dir", str(db), "-c", "gc.autoDetach=false",
                                "-c", "maintenance.autoDetach=false", "fetch", "--force",
                                "--no-tags", "--quiet", auth.location, *specs],
                               config=auth.config)
        if done.returncode == 0 or quiet_failure:
            return
        if refspecs is None and url.ref_kind == "rev" and url.commit is not None:
            # Fetching a commit by id may be refused: fetch every branch and tag instead.
            return self._fetch(db, url, list(_ALL_REFS))
        detail = _redact_text(done.stderr, location)
        # A local repository that git cannot read is the user's to fix, not the network's.
        error = UserError if url.repository.startswith("file:") else NetworkError
        raise error(
            f"Failed to fetch {url.describe()}",
            causes=[detail] if detail else [],
            hint="check the URL and your access to it (ferry runs git without prompts: "
            "credentials come from the URL, a credential helper or an SSH agent)",
        )

    def _lookup(self, db: Path, url: GitUrl) -> str | None:
        if url.commit is not None:
            return url.commit if self.runner.rev_parse(db, url.commit) == url.commit else None
        ref = url.reference
        if url.ref_kind == "branch":
            return self.runner.rev_parse(db, f"refs/remotes/origin/{ref}")
        if url.ref_kind == "tag":
            return self.runner.rev_parse(db, f"refs/remotes/origin/tags/{ref}")
        if url.ref_kind is None or ref is None:
            return self.runner.rev_parse(db, "refs/remotes/origin/HEAD")
        for name in (f"refs/remotes/origin/{ref}", f"refs/remotes/origin/tags/{ref}"):
            found = self.runner.rev_parse(db, name)
            if found is not None:
                return found
        return self.runner.rev_parse(db, ref) if looks_like_commit(ref) else None

    # -- checking out -------------------------------------------------------------------------

    def checkout(self, url: GitUrl) -> Path:
        """The project directory of ``url`` at its commit (resolving it first if needed)."""
        resolved = url if url.commit is not None else self.resolve(url)
        assert resolved.commit is not None
        final = self.checkout_path(resolved, resolved.commit)
        if not final.is_dir():
            if not self._have_commit(resolved, resolved.commit):
                self.resolve(resolved)
            self._make_checkout(resolved, resolved.commit, final)
        else:
            logger.debug("%s: reusing the checkout of %s", resolved.describe(),
                         resolved.commit[:12])
        return _subdirectory(final, resolved)

    def _make_checkout(self, url: GitUrl, commit: str, final: Path) -> None:
        """Clone ``commit`` into a temporary directory and rename it to ``final``: a visible
        checkout is always complete. The clone reads the database under its shared lock, so no
        fetch (or gc) of another process changes the database meanwhile."""
        db = self.db_path(url)
        key = self.key(url)
        with self.cache.temp_dir("git-") as tmp:
            work = tmp / "checkout"
            with lock_shared(db.with_name(f"{key}.lock"), f"git database of {url.describe()}"):
                self._checkout_step(url, commit, ["clone", "--local", "--no-checkout", "--quiet",
                                                  str(db), str(work)])
            self._checkout_step(url, commit, ["-C", str(work), "-c", "advice.detachedHead=false",
                                              "checkout", "--quiet", "--detach", commit])
            if (work / ".gitmodules").is_file():
                self._submodules(url, work)
            logger.debug("checked out %s at %s", url.describe(), commit[:12])
            if not rename_dir_into_place(work, final):
                logger.debug("another process checked out %s first", commit[:12])

    def _checkout_step(self, url: GitUrl, commit: str, step: list[str]) -> None:
        done = self.runner.run(step)
        if done.returncode != 0:
            raise UserError(f"Could not check out {url.describe()} at {commit[:12]}",
                            causes=[_redact_text(done.stderr, url.repository)])

    def _submodules(self, url: GitUrl, work: Path) -> None:
        """Fetch the submodules from where the repository lives (relative submodule URLs mean
        its URL, not the cache's database). The checkout's config records the credential-free
        URL; the credentials reach git through its environment only (:mod:`.git_auth`)."""
        if self.offline:
            raise OfflineError(f"{url.describe()} has submodules, which `--offline` cannot fetch")
        auth = git_auth(_fetch_location(url))
        for step in (["-C", str(work), "remote", "set-url", "origin", auth.location],
                     ["-C", str(work), "submodule", "update", "--init", "--recursive",
                      "--quiet"]):
            done = self.runner.run(step, config=auth.config)
            if done.returncode != 0:
                raise NetworkError(f"Failed to fetch the submodules of {url.describe()}",
                                   causes=[_redact_text(done.stderr, _fetch_location(url))])

    # -- wheels built from a commit -----------------------------------------------------------

    def _built_key(self, url: GitUrl, target: str) -> str:
        assert url.commit is not None
        sub = hashlib.sha256((url.subdirectory or "").encode()).hexdigest()[:12]
        return f"built/{self.key(url)}/{url.commit}/{sub}/{target}"

    def built_wheel(self, url: GitUrl, target: str) -> Path | None:
        """The wheel built earlier from this commit for ``target`` (still in the cache)."""
        record = self.cache.read_json(BUCKET, self._built_key(url, target))
        if isinstance(record, dict) and isinstance(record.get("wheel"), str):
            wheel = Path(record["wheel"])
            if wheel.is_file():
                return wheel
        return None

    def remember_wheel(self, url: GitUrl, target: str, wheel: Path) -> None:
        self.cache.write_json(BUCKET, self._built_key(url, target), {"wheel": str(wheel)})


def _subdirectory(checkout: Path, url: GitUrl) -> Path:
    if not url.subdirectory:
        return checkout
    target = (checkout / url.subdirectory).resolve()
    if not target.is_relative_to(checkout.resolve()) or not target.is_dir():
        raise UserError(
            f"{url.describe()} has no directory `{url.subdirectory}` at {url.commit}",
            hint="fix `subdirectory` in the requirement or `[tool.uv.sources]`",
        )
    return target


_INSTANCES: dict[tuple[str, bool], GitSources] = {}
_INSTANCES_LOCK = threading.Lock()


def git_sources(cache: Cache, *, offline: bool = False) -> GitSources:
    """The process's :class:`GitSources` for ``cache``: one per command, so each branch or tag
    is resolved once and every layer sees the same commit."""
    with _INSTANCES_LOCK:
        key = (str(cache.root), offline)
        found = _INSTANCES.get(key)
        if found is None:
            found = _INSTANCES[key] = GitSources(cache, offline=offline)
            other = _INSTANCES.get((str(cache.root), not offline))
            if other is not None:  # share what the other mode already resolved
                found._resolved = other._resolved
        return found
