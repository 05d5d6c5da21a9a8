"""`publish --commit`: commit the ledger's changes, so CI runs share state through git."""

from __future__ import annotations

from pathlib import Path

from socialpub.content.gitrepo import commit_paths
from socialpub.i18n import N_, _
from socialpub.publishing.ledger import LEDGER_DIR

# The ledger's records, never a write's temp file (".<channel>.json.XXXXXXXX").
PATHSPEC = (str(LEDGER_DIR), f":(exclude,glob){LEDGER_DIR}/**/.*")
_HINT = N_(
    "the ledger files are written; commit them by hand (in CI, set user.name and user.email first)"
)


def commit_ledger(root: Path, message: str) -> bool:
    """Commit changes under .socialpub/ledger; False when there was nothing to commit."""
    if not (root / LEDGER_DIR).is_dir():
        return False
    return commit_paths(root, PATHSPEC, message, hint=_(_HINT))
