"""`socialpub confirm`: a person posted a manual delivery by hand; record where and who.

The URL must be https on the platform's host (the kit adapter checks it), and the confirmer
comes from git's configured user unless given: the ledger says who vouched for the post.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from socialpub.channels.kit import KitAdapter
from socialpub.content.gitrepo import configured_user, git_installed
from socialpub.errors import UsageError
from socialpub.i18n import _
from socialpub.models import Sent
from socialpub.publishing.ledger import Ledger, Record, State


def git_user(root: Path) -> str:
    """`Name <email>` from git's configuration in the repository ("" when unset)."""
    if not git_installed():
        return ""
    name, email = configured_user(root)
    if name and email:
        return f"{name} <{email}>"
    return name or email


def waiting(ledger: Ledger) -> list[Record]:
    """Manual deliveries whose kit is written and that nobody has confirmed yet."""
    return [r for r in ledger.records() if r.state is State.MANUAL]


def confirm(
    ledger: Ledger,
    adapter: KitAdapter,
    post: str,
    channel: str,
    url: str,
    by: str,
    now: datetime,
) -> Record:
    """Record the hand-posted copy at `url` as published, confirmed by `by`."""
    record = ledger.get(post, channel)
    which = f"{post} on {channel}"
    if record is None:
        raise UsageError(
            _("{which} has no posting kit yet").format(which=which),
            hint=_("run `socialpub publish` first"),
        )
    if record.state is not State.MANUAL:
        raise UsageError(
            _("{which} is {value}, not waiting to be posted by hand").format(
                which=which, value=record.state.value
            ),
            hint=_("see `socialpub status`"),
        )
    adapter.check_url(url)
    if not by:
        raise UsageError(
            _("who posted it? git has no user.name or user.email here"),
            hint=_('pass --by "Name", or set `git config user.name`'),
        )
    kit = record.sent[0].refs if record.sent else {}
    confirmed = record.with_event(
        now,
        "confirmed",
        f"posted by hand, confirmed by {by}",
        state=State.PUBLISHED,
        sent=(Sent(id=url, url=url, refs=dict(kit)),),
        url=url,
        published_at=now,
        confirmed_by=by,
        last_error="",
    )
    ledger.put(confirmed)
    return confirmed
