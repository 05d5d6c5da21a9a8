"""git's index lock left behind by an interrupted git: recognised and removed, a live one never.

git creates `index.lock` (exclusively) before it changes the index and renames or removes it
before it exits, whatever happens — unless it is killed (SIGKILL, a power cut, a cancelled CI
job). Then the lock stays and every later `git add` fails. A lock is stale when no running git
can be holding it, and that is decided conservatively:

* Every process named git (`git`, `git-*`) in /proc is looked at. One whose working directory
  (git changes into the work tree, `git -C` too), arguments (`--git-dir=…`) or GIT_* variables
  point into this repository's work tree or git folders may hold the lock. So may one we are not
  allowed to inspect (another user's git), and without /proc (macOS) we cannot tell at all:
  then the lock is never removed for the user.
* As a second guard the lock must be MIN_AGE seconds old (by its time stamp, or by how long we
  have watched it unchanged): a younger one may belong to a git we cannot see (another container
  on the same checkout) that is about to finish.
* It is removed only if it is still the very file that was judged (same inode and time stamp).

Other socialpub runs cannot interfere: the caller holds socialpub's repo lock meanwhile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from socialpub.content.gitrepo import git
from socialpub.errors import LedgerError
from socialpub.i18n import _
from socialpub.net.http import Clock

MIN_AGE = 3.0  # seconds
_POLL = 0.2
_PROC = Path("/proc")
_GIT_VARIABLES = (b"GIT_DIR=", b"GIT_WORK_TREE=", b"GIT_INDEX_FILE=", b"GIT_COMMON_DIR=")


@dataclass(frozen=True)
class GitFolders:
    """Where a repository lives: what a git process working on it has open."""

    work_tree: Path
    git_dir: Path  # `.git`, or `.git/worktrees/<name>` in a linked worktree (.git is a file)
    common_dir: Path  # the shared `.git`
    index_lock: Path

    @property
    def places(self) -> tuple[Path, ...]:
        return (self.work_tree, self.git_dir, self.common_dir)


def locate(root: Path) -> GitFolders:
    """Ask git itself, so linked worktrees and submodules (where .git is a file) are right."""
    done = git(
        root,
        "rev-parse",
        "--show-toplevel",
        "--absolute-git-dir",
        "--git-common-dir",
        "--git-path",
        "index.lock",
        hint=_(
            "publish --commit needs {root} to be in a git repository: run `git init` there"
        ).format(root=root),
    )
    top, git_dir, common, lock = done.stdout.splitlines()[:4]
    return GitFolders(*((root / p).resolve() for p in (top, git_dir, common, lock)))


def recover_index_lock(root: Path, clock: Clock, *, wait: float) -> Path | None:
    """Remove a stale index lock and return its path; None when there is none.

    A lock a live git holds is waited for up to `wait` seconds, then it is a LedgerError.
    """
    folders = locate(root)
    lock = folders.index_lock
    deadline = clock.monotonic() + wait
    first_seen: dict[tuple[int, int], float] = {}
    while True:
        seen = _identity(lock)
        if seen is None:
            return None
        holders = _holders(folders.places)
        if holders is None:
            raise LedgerError(
                _(
                    "git's index lock {lock} exists, and this system does not show which git "
                    "processes are running"
                ).format(lock=lock),
                hint=_("if no git is running, remove {lock} and run again").format(lock=lock),
            )
        if holders:
            if clock.monotonic() >= deadline:
                raise _held(lock, holders)
        else:
            watched = clock.monotonic() - first_seen.setdefault(seen, clock.monotonic())
            age = max(clock.now().timestamp() - seen[1] / 1e9, watched)
            if age >= MIN_AGE and _identity(lock) == seen:
                _remove(lock)
                return lock
        clock.sleep(_POLL)


def _remove(lock: Path) -> None:
    try:
        lock.unlink(missing_ok=True)
    except OSError as exc:
        raise LedgerError(
            _("cannot remove the stale git lock {lock}: {strerror}").format(
                lock=lock, strerror=exc.strerror
            ),
            hint=_("no git is using it: remove it by hand (check the folder's permissions)"),
        ) from None


def _held(lock: Path, holders: list[int]) -> LedgerError:
    pids = ", ".join(str(pid) for pid in holders)
    return LedgerError(
        _("git's index lock {lock} is held by a running git (process {pids})").format(
            lock=lock, pids=pids
        ),
        hint=_(
            "wait until that git has finished, then run again; if it hangs, stop it (kill "
            "{holders}): socialpub removes a lock left by a stopped git itself"
        ).format(holders=holders[0]),
    )


def _identity(lock: Path) -> tuple[int, int] | None:
    try:
        found = lock.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns


def _holders(places: tuple[Path, ...]) -> list[int] | None:
    """Pids of git processes that may have the repository open; None without /proc."""
    if not (_PROC / "self").is_dir():
        return None
    found = [int(e.name) for e in _PROC.iterdir() if _is_git(e) and _may_use(e, places)]
    return sorted(found)


def _is_git(entry: Path) -> bool:
    if not entry.name.isdigit() or int(entry.name) == os.getpid():
        return False
    try:
        name = (entry / "comm").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return False  # it has exited meanwhile
    return name == "git" or name.startswith("git-")


def _may_use(entry: Path, places: tuple[Path, ...]) -> bool:
    try:
        cwd = (entry / "cwd").readlink()
        named = (entry / "cmdline").read_bytes().split(b"\0")[1:]
        named += [v for v in (entry / "environ").read_bytes().split(b"\0") if _is_git_var(v)]
    except PermissionError:
        return True  # another user's git: it might work on this repository
    except OSError:
        return False  # it has exited meanwhile (a zombie has no working directory)
    if any(cwd == p or p in cwd.parents for p in places):
        return True
    return any(os.fsencode(p) in value for value in named for p in places)


def _is_git_var(value: bytes) -> bool:
    return value.startswith(_GIT_VARIABLES)
