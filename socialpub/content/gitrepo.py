"""git for the posts repository: run without a shell, and a failure says which command ran,
where, and everything git said (credentials in URLs masked), not only its last line."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from socialpub.errors import LedgerError
from socialpub.i18n import _

_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
_USER = ("user.name", "user.email")


def git_installed() -> bool:
    return shutil.which("git") is not None


def git(
    where: Path, *args: str, allow: tuple[int, ...] = (), hint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`git ARGS` in `where`; LedgerError when it exits with a code not in `allow`."""
    done = _run(where, args)
    if done.returncode != 0 and done.returncode not in allow:
        raise LedgerError(failure(where, args, done), hint=hint)
    return done


def failure(where: Path, args: tuple[str, ...], done: subprocess.CompletedProcess[str]) -> str:
    code = done.returncode
    ended = (
        _("was killed by signal {value}").format(value=-code)
        if code < 0
        else _("failed with exit code {code}").format(code=code)
    )
    said = _URL_CREDENTIALS.sub("***@", (done.stderr or done.stdout).strip()) or _("(no output)")
    lines = "\n".join(f"  {line}" for line in said.splitlines())
    return f"`{shlex.join(['git', *args])}` in {where} {ended}:\n{lines}"


def configured_user(root: Path) -> tuple[str, str]:
    """git's `user.name` and `user.email` in the repository ("" for what is unset)."""
    name, email = (git(root, "config", "--get", key, allow=(1,)) for key in _USER)
    return name.stdout.strip(), email.stdout.strip()


def commit_paths(root: Path, pathspec: Sequence[str], message: str, *, hint: str) -> bool:
    """Stage and commit what changed in `pathspec` alone (nothing else that is staged);
    False when there was nothing to commit."""
    git(root, "add", "--all", "--", *pathspec, hint=hint)
    staged = git(root, "diff", "--cached", "--quiet", "--", *pathspec, allow=(1,), hint=hint)
    if staged.returncode == 0:
        return False
    git(root, "commit", "--quiet", "--message", message, "--", *pathspec, hint=hint)
    return True


def inside_work_tree(directory: Path) -> bool:
    """Whether git itself sees `directory` inside a work tree (also a worktree or submodule)."""
    done = _run(directory, ("rev-parse", "--is-inside-work-tree"))
    return done.returncode == 0 and done.stdout.strip() == "true"


def init_repository(directory: Path) -> None:
    git(
        directory,
        "init",
        "--quiet",
        hint=_("the files are written; run `git init` in {directory} by hand").format(
            directory=directory
        ),
    )


def _run(where: Path, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    program = shutil.which("git")
    if program is None:
        raise LedgerError(_("git is not installed"), hint=_("install git or drop --commit"))
    # Fixed arguments only (messages are ours), no shell.
    return subprocess.run(  # noqa: S603
        [program, *args], cwd=where, capture_output=True, text=True, check=False
    )
