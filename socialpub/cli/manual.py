"""Channels without an API: `socialpub confirm` records a post made by hand from its kit."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from socialpub.cli.common import ConfigOption, JsonOption, app, guarded, load, now
from socialpub.errors import UsageError
from socialpub.i18n import _


@app.command(
    help=_("Record a post you published by hand from its posting kit (Xing, WhatsApp Channel).")
)
@guarded
def confirm(
    post: Annotated[str, typer.Argument(help=_("The post id."))],
    channel: Annotated[
        str,
        typer.Option("--channel", "-c", help=_("The manual channel it was posted to.")),
    ],
    url: Annotated[str, typer.Option("--url", help=_("The address of the post (https://…)."))],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help=_("Who posted it (default: git's user.name and user.email)."),
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.channels.kit import KitAdapter
    from socialpub.cli import console
    from socialpub.cli.publishing import ledger_lock, system_clock
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
            _("channel {channel!r} publishes through its API: there is nothing to confirm").format(
                channel=channel
            ),
            hint=_("confirm is for xing, whatsapp_channel and manual channels"),
        )
    clock = system_clock(cfg)
    with ledger_lock(cfg, clock):
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
        sys.stdout.write(
            _("published  {post} → {channel}  {url}  (by {who})\n").format(
                post=post, channel=channel, url=record.url, who=who
            )
        )
