"""Which post files changed since a git ref: what a pull-request check validates in full.

Files added, copied, modified or renamed between the ref and the working tree (committed or
not), and files git does not track yet. Deleted files have nothing left to check.
"""

from __future__ import annotations

import os
from pathlib import Path

from socialpub.content.gitrepo import git, git_installed, inside_work_tree
from socialpub.errors import UsageError
from socialpub.i18n import _


def changed_files(root: Path, ref: str) -> set[str]:
    """Absolute paths of the files that changed since `ref` in the repository at `root`."""
    if not git_installed():
        raise UsageError(_("--changed-since needs git, which is not installed"))
    if not inside_work_tree(root):
        raise UsageError(
            _("--changed-since needs a git repository; {root} is not in one").format(root=root),
            hint=_("run it in the posts repository, or validate without --changed-since"),
        )
    known = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", allow=(1, 128))
    if known.returncode != 0:
        raise UsageError(
            _("--changed-since {ref}: git knows no such commit, branch or tag").format(ref=ref),
            hint=_(
                "in CI, fetch the base branch first (e.g. actions/checkout with fetch-depth: 0)"
            ),
        )
    top = git(root, "rev-parse", "--show-toplevel").stdout.strip()
    changed = git(root, "diff", "--name-only", "-z", "--diff-filter=ACMRT", ref, "--").stdout
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "--full-name", "-z")
    names = [name for name in (changed + untracked.stdout).split("\0") if name]
    return {os.path.abspath(os.path.join(top, name)) for name in names}  # noqa: PTH100, PTH118
