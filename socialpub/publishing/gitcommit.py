"""`publish --commit`: commit the ledger's changes, so CI runs share state through git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from socialpub.errors import LedgerError
from socialpub.publishing.ledger import LEDGER_DIR


def commit_ledger(root: Path, message: str) -> bool:
    """Commit changes under .socialpub/ledger; False when there was nothing to commit."""
    folder = str(LEDGER_DIR)
    if not (root / LEDGER_DIR).is_dir():
        return False
    _git(root, "add", "--all", "--", folder)
    if _git(root, "diff", "--cached", "--quiet", "--", folder, allow=(1,)) == 0:
        return False
    _git(root, "commit", "--quiet", "--message", message, "--", folder)
    return True


def _git(root: Path, *args: str, allow: tuple[int, ...] = ()) -> int:
    git = shutil.which("git")
    if git is None:
        raise LedgerError("git is not installed", hint="install git or drop --commit")
    # Fixed arguments only (the message is ours), no shell.
    done = subprocess.run(  # noqa: S603
        [git, *args], cwd=root, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 and done.returncode not in allow:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise LedgerError(
            f"git {args[0]} failed: {detail[-1] if detail else done.returncode}",
            hint="the ledger files are written; commit them by hand "
            "(in CI, set user.name and user.email first)",
        )
    return done.returncode
