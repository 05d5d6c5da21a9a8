"""The repository's side of `doctor`: the ledger committed and pushed, the website's output
folder writable."""

from __future__ import annotations

import os
from pathlib import Path

from socialpub.channels.probe import Finding, Status
from socialpub.content.config import ChannelConfig, site_folder
from socialpub.content.gitrepo import git, git_installed, inside_work_tree
from socialpub.errors import LedgerError
from socialpub.i18n import N_, _, ngettext
from socialpub.publishing.gitcommit import PATHSPEC
from socialpub.publishing.ledger import LEDGER_DIR

_COMMIT = N_("git add {ledger} && git commit -m 'socialpub: ledger' (or publish --commit)")


def ledger(root: Path) -> Finding:
    """Other runs (CI, a colleague's laptop) know only the deliveries they can pull: a
    ledger change that is not committed or not pushed lets them post the same again."""
    if not git_installed() or not inside_work_tree(root):
        return Finding(
            "ledger",
            "",
            Status.error,
            _("{root} is not a git repository").format(root=root),
            _("publishing keeps its ledger in git: run `git init` and commit"),
        )
    try:
        changed = git(root, "status", "--porcelain", "--", *PATHSPEC).stdout.splitlines()
        if changed:
            return Finding(
                "ledger",
                "",
                Status.error,
                ngettext(
                    "{count} ledger file(s) not committed",
                    "{count} ledger file(s) not committed",
                    len(changed),
                ).format(count=len(changed)),
                _(_COMMIT).format(ledger=LEDGER_DIR),
            )
        return _pushed(root)
    except LedgerError as exc:
        return Finding("ledger", "", Status.error, exc.message, exc.hint or "")


def _pushed(root: Path) -> Finding:
    upstream = git(root, "rev-parse", "--abbrev-ref", "@{upstream}", allow=(128,))
    if upstream.returncode != 0:
        return Finding(
            "ledger",
            "",
            Status.warning,
            _("committed, but the branch has no upstream: other runs cannot see it"),
            _("git push -u origin HEAD (CI pushes after publish --commit)"),
        )
    ahead = git(root, "rev-list", "--count", "@{upstream}..HEAD", "--", str(LEDGER_DIR))
    count = int(ahead.stdout.strip() or 0)
    name = upstream.stdout.strip()
    if count:
        return Finding(
            "ledger",
            "",
            Status.warning,
            ngettext(
                "{count} commit(s) with ledger changes not pushed to {name}",
                "{count} commit(s) with ledger changes not pushed to {name}",
                count,
            ).format(count=count, name=name),
            _("git push, so other runs see what was published"),
        )
    return Finding("ledger", "", Status.ok, _("committed and pushed to {name}").format(name=name))


def output_folder(root: Path, channel: ChannelConfig) -> Finding:
    """The website channel writes its pages into `out_dir`: it, or the folder it will be
    made in, must be writable."""
    folder = site_folder(root, channel)
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    shown = folder.relative_to(root) if folder.is_relative_to(root) else folder
    if not existing.is_dir():
        return Finding(
            "output",
            channel.name,
            Status.error,
            _("{existing} is not a folder").format(existing=existing),
            _("remove the file {name}, or set out_dir to a folder").format(name=existing.name),
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        return Finding(
            "output",
            channel.name,
            Status.error,
            _("{existing} is not writable").format(existing=existing),
            _("make {shown} writable for this user, or set out_dir").format(shown=shown),
        )
    return Finding("output", channel.name, Status.ok, _("{shown}/ is writable").format(shown=shown))
