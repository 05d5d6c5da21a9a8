"""`socialpub audit`: who wrote each post, who approved it and how, where and when it was
published, edited, corrected or deleted, and when publishing was paused.

Everything comes from what the repository already keeps: git's history of the post files
(authors), the approval records, the ledger (URLs and each delivery's milestones) and the
pause record's history. Nothing here is typed by the author of a post.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from socialpub.content.config import Config
from socialpub.publishing.ledger import MILESTONES, Ledger, Record
from socialpub.workflow.approvals import ALL, Approval, load_approvals
from socialpub.workflow.history import Change, changes_below

COLUMNS = ("at", "post", "channel", "event", "who", "detail")


@dataclass(frozen=True)
class Event:
    at: datetime
    post: str  # "" for what concerns every post (a pause)
    channel: str  # "" when not about one channel
    event: str  # written, approved, published, edited, corrected, deleted, paused, …
    who: str = ""
    detail: str = ""  # a URL, a reason, how an approval was made

    def as_dict(self) -> dict[str, str]:
        row = asdict(self)
        row["at"] = self.at.isoformat(timespec="seconds")
        return row


def authorship(config: Config) -> list[Event]:
    """A `written` event for every commit that changed a post file (by its current name)."""
    posts = Path(os.path.relpath(config.posts_dir, config.root))
    ids = _post_ids(config)
    events = []
    for path, changes in changes_below(config.root, posts).items():
        post = ids.get(path)
        if post is not None:
            events.extend(_written(post, changes))
    return events


def deliveries(ledger: Ledger) -> list[Event]:
    """Each delivery's milestones from the ledger (its history keeps them all)."""
    return [event for record in ledger.records() for event in _milestones(record)]


def workflow_events(config: Config) -> list[list[Event]]:
    """Approvals and pauses (filled in as the workflow records them)."""
    return [approval_events(config)]


def approval_events(config: Config) -> list[Event]:
    """An `approved` event per approval record: by whom, signed or not, overrides."""
    policy = config.workflow.policy if config.workflow else None
    signers = config.root / policy.allowed_signers if policy and policy.allowed_signers else None
    return [_approved(approval) for approval in load_approvals(config.root, signers)]


def _approved(approval: Approval) -> Event:
    signature = approval.signature
    how = [
        "signature not checked"
        if signature is None
        else (f"signed by {signature.signed_by}" if signature.signed_by else "not signed")
    ]
    if approval.override:
        how.append(f"override: {approval.reason}")
    how.append(f"content {approval.content[:16]}")
    channel = "" if approval.channel == ALL else approval.channel
    return Event(
        approval.approved_at,
        approval.post,
        channel,
        "approved",
        str(approval.approver),
        "; ".join(how),
    )


def collect(
    groups: Iterable[Sequence[Event]], zone: tzinfo, *, since: datetime | None = None
) -> list[Event]:
    """All events in time order, from `since` on, their times in the config's `zone` (git,
    the ledger and the approvals each write their own offset)."""
    events = [
        dataclasses.replace(e, at=e.at.astimezone(zone))
        for group in groups
        for e in group
        if since is None or e.at >= since
    ]
    return sorted(events, key=lambda e: (e.at, e.post, e.channel, e.event))


def to_csv(events: Sequence[Event]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_spreadsheet_safe(e.as_dict()) for e in events)
    return out.getvalue()


def _spreadsheet_safe(row: dict[str, str]) -> dict[str, str]:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is quoted with an
    apostrophe: the audit is opened in Excel, and texts come from many hands."""
    return {k: f"'{v}" if v[:1] in ("=", "+", "-", "@") else v for k, v in row.items()}


def _post_ids(config: Config) -> dict[Path, str]:
    from socialpub.content.posts import select_posts

    found = {}
    for post, _ in select_posts(config, ()):
        absolute = os.path.abspath(post.source)  # noqa: PTH100 - relative to the working folder
        found[Path(os.path.relpath(absolute, config.root))] = post.id
    return found


def _written(post: str, changes: Sequence[Change]) -> list[Event]:
    return [
        Event(c.at, post, "", "written", c.who, f"{c.commit[:10]} {c.subject}") for c in changes
    ]


def _milestones(record: Record) -> list[Event]:
    events = []
    for at, event, detail in record.history:
        if event in MILESTONES or event.startswith("correct"):
            when = datetime.fromisoformat(at)
            who = record.confirmed_by if event == "confirmed" else ""
            events.append(Event(when, record.post, record.channel, event, who, detail))
    return events
