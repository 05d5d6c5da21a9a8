"""The steps of `socialpub publish` around the engine: the website, the validation report,
leftovers of interrupted runs, and the ledger's commit."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING

from socialpub.i18n import _, ngettext

if TYPE_CHECKING:
    from socialpub.content.config import Config
    from socialpub.net.http import Clock
    from socialpub.publishing.workset import Workset


def build_site(config: Config, at: datetime) -> None:
    """Build the website; a failure is reported and leaves the other channels unaffected."""
    from socialpub.cli import console
    from socialpub.errors import SocialpubError
    from socialpub.publishing.website import rebuild

    try:
        report = rebuild(config, now=at)
    except SocialpubError as exc:
        console.error(
            _("the website could not be built: {message}").format(message=exc.message), exc.hint
        )
        return
    sys.stderr.write(
        _("website: wrote {written} of {total} files\n").format(
            written=report.written, total=report.total
        )
    )


def report_validation(work: Workset) -> None:
    """The run's one validation: approved posts it refuses, then its summary line."""
    from socialpub.cli import console

    for post_id, problems in work.refused.items():
        console.error(
            _("post {post_id} is approved but invalid: not published").format(post_id=post_id)
        )
        for problem in problems:
            sys.stderr.write("  " + console.problem_line(problem) + "\n")
    console.summary(work.report.files, work.report.errors, work.report.warnings)


def remove_temp_files(config: Config) -> None:
    """Temp files of writes a kill interrupted (only under the repo lock: none is live)."""
    from socialpub.publishing.ledger import Ledger

    removed = Ledger(config.root).remove_temp_files()
    if removed:
        sys.stderr.write(
            ngettext(
                "removed {removed} temporary ledger file left by an interrupted run\n",
                "removed {removed} temporary ledger files left by an interrupted run\n",
                removed,
            ).format(removed=removed)
        )


def recover_git_lock(config: Config, clock: Clock) -> None:
    from socialpub.publishing.gitlock import recover_index_lock

    removed = recover_index_lock(config.root, clock, wait=config.publish.lock_wait)
    if removed:
        sys.stderr.write(
            _("removed a stale git lock {removed} left by an interrupted git\n").format(
                removed=removed
            )
        )


def commit(config: Config, clock: Clock, counts: dict[str, int]) -> None:
    from socialpub.publishing.gitcommit import commit_ledger

    recover_git_lock(config, clock)
    totals = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "no changes"
    if commit_ledger(config.root, f"socialpub: ledger after publish ({totals})"):
        sys.stderr.write(_("committed the ledger changes\n"))
