"""`socialpub correct`: show, then make, the corrections of a changed, published post."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer

from socialpub.cli.common import ChannelOption, ConfigOption, JsonOption, app, guarded, load
from socialpub.cli.publishing import NowOption, moment
from socialpub.errors import EXIT_DELIVERY, UsageError
from socialpub.i18n import _

_SAYS = {
    "reply": "reply under {url}",
    "repost": "delete {url} + post again",
    "report": "reported only (corrections policy: report)",
    "edit": "edit in place (the platform allows it)",
    "done": "unchanged: nothing to correct",
}


@app.command(
    help=_(
        "Correct a published post that changed: a reply, or delete and post again "
        "(see\n`corrections:` in the config); edits where the platform can edit."
    )
)
@guarded
def correct(
    post: Annotated[str, typer.Argument(help=_("The post id."))],
    channel: ChannelOption = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=_("Show what each channel would get; send nothing.")),
    ] = False,
    resend: Annotated[
        bool,
        typer.Option(
            "--resend", help=_("An interrupted correction message is not there: send it.")
        ),
    ] = False,
    mark_sent: Annotated[
        str | None,
        typer.Option(
            "--mark-sent",
            help=_("An interrupted correction message is there, at this URL: record it."),
            show_default=False,
        ),
    ] = None,
    now_: NowOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.publishing.correction_run import preview
    from socialpub.publishing.ledger import Ledger
    from socialpub.publishing.workset import build

    if resend or mark_sent is not None:
        _settle(post, channel or [], mark_sent, config, as_json)
        return
    cfg = load(config)
    if dry_run:
        work = build(
            cfg, Ledger(cfg.root), moment(now_, cfg), selectors=[post], channels=channel or []
        )
        rows = [preview(d, cfg.corrections) for d in work.deliveries]
        _print(rows, as_json)
        return
    _perform(post, channel or [], now_, config, as_json)


def _perform(
    post: str, channels: Sequence[str], now_: str | None, config: Any, as_json: bool
) -> None:
    """The corrections and edits of one post, through the same engine and lock as publish."""
    from socialpub.cli import console, console_publish
    from socialpub.cli.publishing import engine, ledger_lock, system_clock
    from socialpub.publishing.engine import Result, summary_counts
    from socialpub.publishing.ledger import Ledger
    from socialpub.publishing.plan import Action
    from socialpub.publishing.workset import build

    cfg = load(config)
    clock = system_clock(cfg)
    with ledger_lock(cfg, clock):
        at = moment(now_, cfg)
        work = build(cfg, Ledger(cfg.root), at, selectors=[post], channels=channels)
        due = [d for d in work.deliveries if d.action in (Action.CORRECT, Action.EDIT)]
        outcomes = engine(cfg, clock).run(due)
    if as_json:
        console.print_json([o.as_dict() for o in outcomes])
    else:
        console_publish.print_summary(outcomes, len(work.deliveries) - len(due))
    counts = summary_counts(outcomes)
    if counts[Result.FAILED.value] or counts[Result.UNCONFIRMED.value]:
        raise typer.Exit(EXIT_DELIVERY)


def _settle(
    post: str, channels: Sequence[str], url: str | None, config: Any, as_json: bool
) -> None:
    from socialpub.cli import console
    from socialpub.cli.publishing import ledger_lock, system_clock
    from socialpub.publishing.correction_run import settle
    from socialpub.publishing.ledger import Ledger

    if len(channels) != 1:
        raise UsageError(_("--resend and --mark-sent need exactly one --channel"))
    cfg = load(config)
    clock = system_clock(cfg)
    with ledger_lock(cfg, clock):
        ledger = Ledger(cfg.root)
        record = ledger.get(post, channels[0])
        if record is None:
            raise UsageError(
                _("post {post!r} was never published to {channels}").format(
                    post=post, channels=channels[0]
                )
            )
        settled = settle(record, clock.now(), url=url)
        ledger.put(settled)
    said = (
        _("recorded as sent: {url}").format(url=url)
        if url
        else _("the next `socialpub correct` sends it again")
    )
    if as_json:
        console.print_json({"post": post, "channel": channels[0], "settled": said})
    else:
        sys.stdout.write(f"{post} → {channels[0]}: {said}\n")


def _print(rows: Sequence[Mapping[str, Any]], as_json: bool) -> None:
    from socialpub.cli import console

    if as_json:
        console.print_json(list(rows))
        return
    for row in rows:
        says = _SAYS.get(row["correction"], "{action}: {reason}").format(**row)
        sys.stdout.write(f"── {row['post']} → {row['channel']} ({row['type']}): {says}\n")
        if row["correction"] in ("reply", "repost", "report"):
            sys.stdout.write(f"   {row['reason']}\n")
        for number, part in enumerate(row["parts"], 1):
            count = f"{part['length']}/{part['limit']} {part['unit']}"
            sys.stdout.write(
                _("   message {number} ({count}):\n").format(number=number, count=count)
            )
            sys.stdout.write("".join(f"   │ {line}\n" for line in part["text"].split("\n")))
