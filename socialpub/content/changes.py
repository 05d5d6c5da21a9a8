"""Which post files changed since a git ref: what a pull-request check validates in full.

Files added, copied, modified or renamed between the ref and the working tree (committed or
not), and files git does not track yet. Deleted files have nothing left to check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from socialpub.errors import UsageError


def changed_files(root: Path, ref: str) -> set[str]:
    """Absolute paths of the files that changed since `ref` in the repository at `root`."""
    if shutil.which("git") is None:
        raise UsageError("--changed-since needs git, which is not installed")
    top = _git(root, "rev-parse", "--show-toplevel").strip()
    if not top:
        raise UsageError(
            f"--changed-since needs a git repository; {root} is not in one",
            hint="run it in the posts repository, or validate without --changed-since",
        )
    if not _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"):
        raise UsageError(
            f"--changed-since {ref}: git knows no such commit, branch or tag",
            hint="in CI, fetch the base branch first (e.g. actions/checkout with fetch-depth: 0)",
        )
    changed = _git(root, "diff", "--name-only", "-z", "--diff-filter=ACMRT", ref, "--")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--full-name", "-z")
    names = [name for name in (changed + untracked).split("\0") if name]
    return {os.path.abspath(os.path.join(top, name)) for name in names}  # noqa: PTH100, PTH118


def _git(root: Path, *args: str) -> str:
    """git's standard output, or "" when git refuses (not a repository, unknown ref)."""
    done = subprocess.run(  # noqa: S603 - a fixed program with arguments, no shell
        ["git", "-C", str(root), *args],  # noqa: S607 - git from PATH, as for a user
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
    )
    return done.stdout if done.returncode == 0 else ""
