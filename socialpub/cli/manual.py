"""Channels without an API: `socialpub confirm`, and the posting kits shown after publish."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialpub.cli.common import ConfigOption, JsonOption, app, guarded, load, now
from socialpub.errors import UsageError

if TYPE_CHECKING:
    from socialpub.publishing.engine import Outcome
    from socialpub.publishing.ledger import Record


@app.command()
@guarded
def confirm(
    post: Annotated[str, typer.Argument(help="The post id.")],
    channel: Annotated[
        str,
        typer.Option("--channel", "-c", help="The manual channel it was posted to."),
    ],
    url: Annotated[str, typer.Option("--url", help="The address of the post (https://…).")],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Who posted it (default: git's user.name and user.email).",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a post you published by hand from its posting kit (Xing, WhatsApp Channel)."""
    from socialpub.channels.kit import KitAdapter
    from socialpub.cli import console
    from socialpub.cli.publishing import _clock, _lock
    from socialpub.content.config import require_channels
    from socialpub.publishing.confirm import confirm as record_confirmation
    from socialpub.publishing.confirm import git_user
    from socialpub.publishing.engine import make_adapters
    from socialpub.publishing.ledger import Ledger

    cfg = load(config)
    require_channels(cfg, [channel])
    adapter = make_adapters(cfg).get(channel)
    if not isinstance(adapter, KitAdapter):
        raise UsageError(
            f"channel {channel!r} publishes through its API: there is nothing to confirm",
            hint="confirm is for xing, whatsapp_channel and manual channels",
        )
    clock = _clock(cfg)
    with _lock(cfg, clock):
        who = by.strip() if by else git_user(cfg.root)
        record = record_confirmation(Ledger(cfg.root), adapter, post, channel, url, who, now(cfg))
    if as_json:
        console.print_json(
            {
                "post": post,
                "channel": channel,
                "state": record.state.value,
                "url": record.url,
                "confirmed_by": record.confirmed_by,
            }
        )
    else:
        sys.stdout.write(f"published  {post} → {channel}  {record.url}  (by {who})\n")


def print_kits(outcomes: Sequence[Outcome], root: Path) -> None:
    """The text of each kit just written, ready to copy, and what to do next."""
    from socialpub.channels.kit import CHECKLIST_FILE, TEXT_FILE, kit_folder
    from socialpub.publishing.engine import Result

    for outcome in outcomes:
        if outcome.result is not Result.MANUAL:
            continue
        folder = kit_folder(root, outcome.post_id, outcome.channel)
        text = (folder / TEXT_FILE).read_text(encoding="utf-8")
        sys.stdout.write(
            f"── post by hand: {outcome.post_id} → {outcome.channel} "
            f"(kit: {folder.relative_to(root)}/, steps in {CHECKLIST_FILE})\n"
        )
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.write(
            f"── then: socialpub confirm {outcome.post_id} --channel {outcome.channel} --url URL\n"
        )


def age(since: datetime, at: datetime) -> str:
    """How long a kit has waited, e.g. "2 d 3 h", "3 h 5 min", "4 min"."""
    minutes = max(0, int((at - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def print_waiting(records: Sequence[Record], at: datetime) -> None:
    """Manual deliveries whose kit nobody has confirmed yet, oldest first."""
    if not records:
        return
    sys.stdout.write("Waiting to be posted by hand:\n")
    for record in sorted(records, key=lambda r: r.created_at):
        sys.stdout.write(
            f"  {record.post} → {record.channel}  waiting {age(record.created_at, at)} "
            f"(kit written {record.created_at.strftime('%Y-%m-%d %H:%M')})\n"
        )
