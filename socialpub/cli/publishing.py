"""Commands that talk to the platforms: plan, publish, status, reconcile, delete."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from socialpub.cli import publish_steps
from socialpub.cli.common import ChannelOption, ConfigOption, JsonOption, app, guarded, load, now
from socialpub.errors import EXIT_DELIVERY, EXIT_INPUT, UsageError
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.content.config import Config
    from socialpub.net.http import Clock
    from socialpub.publishing.engine import Engine, Outcome
    from socialpub.publishing.lock import RepoLock
    from socialpub.publishing.plan import Delivery

PostsArgument = Annotated[
    list[str] | None,
    typer.Argument(help=_("Post ids or files (default: all posts)."), show_default=False),
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help=_("Plan as if it were this time (ISO, e.g. 2026-11-27T16:00; default: now)."),
        show_default=False,
    ),
]


def moment(text: str | None, config: Config) -> datetime:
    if text is None:
        return now(config)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            _("--now {text!r} is not a time").format(text=text),
            hint=_("write it like 2026-11-27T16:00"),
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=config.timezone)


def system_clock(config: Config) -> Clock:
    from socialpub.net.http import Clock

    return Clock(
        now=lambda: datetime.now(config.timezone), monotonic=time.monotonic, sleep=time.sleep
    )


def engine(
    config: Config, clock: Clock, on_outcome: Callable[[Outcome], None] | None = None
) -> Engine:
    import random  # only publishing runs need it

    from socialpub.publishing.connect import connector
    from socialpub.publishing.engine import Engine, make_adapters
    from socialpub.publishing.ledger import Ledger

    adapters = make_adapters(config)
    jitter = lambda: random.uniform(0.5, 1.0)  # noqa: E731, S311 - backoff jitter, not crypto
    connect = connector(config, adapters, os.environ, clock, jitter=jitter)
    return Engine(config, Ledger(config.root), adapters, connect, clock, on_outcome or _ignore)


def _ignore(outcome: Outcome) -> None:
    """No live report (reconcile, delete print their own results)."""


def ledger_lock(config: Config, clock: Clock) -> RepoLock:
    from socialpub.publishing.lock import RepoLock

    return RepoLock(config.root, clock, wait=config.publish.lock_wait)


@app.command(help=_("Show what `publish` would do now, per post and channel, and why."))
@guarded
def plan(
    posts: PostsArgument = None,
    channel: ChannelOption = None,
    now_: NowOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import broadcasts, console, console_publish
    from socialpub.publishing.ledger import Ledger
    from socialpub.publishing.workset import build

    cfg = load(config)
    work = build(
        cfg, Ledger(cfg.root), moment(now_, cfg), selectors=posts or [], channels=channel or []
    )
    found = broadcasts.sending_audiences(cfg, work.deliveries, system_clock(cfg))
    if as_json:
        console.print_json(broadcasts.plan_rows(work.deliveries, found))
    else:
        console_publish.print_plan(work.deliveries, broadcasts.plan_notes(work.deliveries, found))
    broadcasts.warn_unknown(found)
    console.summary(work.report.files, work.report.errors, work.report.warnings)


@app.command(help=_("Publish every approved, due post to its channels, exactly once."))
@guarded
def publish(
    posts: PostsArgument = None,
    channel: ChannelOption = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=_("Print the exact payloads; send nothing, write nothing.")),
    ] = False,
    now_: NowOption = None,
    commit: Annotated[
        bool,
        typer.Option("--commit", help=_("Commit the ledger changes to git afterwards (for CI).")),
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import broadcasts, console, console_publish
    from socialpub.cli import pause as pause_cli
    from socialpub.publishing.engine import Result, prepare, summary_counts
    from socialpub.publishing.ledger import Ledger
    from socialpub.publishing.plan import Action
    from socialpub.publishing.workset import build

    cfg = load(config)
    clock = system_clock(cfg)
    at = moment(now_, cfg)
    selectors, channels = posts or [], channel or []
    pause_cli.announce(cfg)
    if dry_run:
        from socialpub.publishing.engine import make_adapters

        work = build(cfg, Ledger(cfg.root), at, selectors=selectors, channels=channels)
        publish_steps.report_validation(work)
        adapters = make_adapters(cfg)
        payloads = [
            prepare(d, adapters[d.channel], clock.now())
            for d in work.deliveries
            if d.action.sends and d.action is not Action.UNSCHEDULE  # it sends no payload
        ]
        if as_json:
            console.print_json([p.as_dict() for p in payloads])
        else:
            console_publish.print_payloads(payloads)
        raise typer.Exit(EXIT_INPUT if work.refused else 0)
    with ledger_lock(cfg, clock):  # held until the ledger is committed: no other run races git
        publish_steps.remove_temp_files(cfg)
        if commit:  # before sending: a blocked commit fails early
            publish_steps.recover_git_lock(cfg, clock)
        work = build(cfg, Ledger(cfg.root), at, selectors=selectors, channels=channels)
        publish_steps.report_validation(work)
        due = [d for d in work.deliveries if d.action.sends]
        site = any(c.type == "website" for c in cfg.channels.values())
        if site and any(d.channel_type == "website" for d in due):
            # the pages must exist before their deliveries are recorded
            publish_steps.build_site(cfg, at)
        with console_publish.LiveReport(len(due)) as report:
            outcomes = engine(cfg, clock, report).run(due)
        if site and outcomes:
            publish_steps.build_site(cfg, at)  # "Auch auf" links to the copies just published
        reached = broadcasts.handed_over(outcomes, Ledger(cfg.root), cfg)
        if as_json:
            console.print_json(
                [o.as_dict() | reached.get((o.post_id, o.channel), {}) for o in outcomes]
            )
        else:
            console_publish.print_summary(outcomes, len(work.deliveries) - len(due))
            console_publish.print_kits(outcomes, cfg.root)
            broadcasts.print_handed_over(reached)
        counts = summary_counts(outcomes)
        if commit:
            publish_steps.commit(cfg, clock, counts)
    waiting = sum(1 for d in work.deliveries if d.action is Action.UNCONFIRMED)
    if waiting:  # from earlier runs: they need a person before anything is sent again
        sys.stderr.write(
            _("{waiting} earlier deliveries are unconfirmed: run `socialpub reconcile`\n").format(
                waiting=waiting
            )
        )
    if counts[Result.FAILED.value] or counts[Result.UNCONFIRMED.value] or waiting:
        raise typer.Exit(EXIT_DELIVERY)
    if work.refused:
        raise typer.Exit(EXIT_INPUT)


@app.command(help=_("Show every post × channel: state, remote URL, time, attempts, last error."))
@guarded
def status(
    posts: PostsArgument = None,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help=_("First ask for broadcasts' latest counts (WhatsApp).")),
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import approve, broadcasts, console, console_publish
    from socialpub.cli import pause as pause_cli
    from socialpub.content.posts import post_channels, select_posts
    from socialpub.publishing.ledger import Ledger, Record, State

    cfg = load(config)
    ledger = Ledger(cfg.root)
    rows: list[tuple[str, str, Record | None]] = []
    seen: set[tuple[str, str]] = set()
    for post, __ in select_posts(cfg, posts or []):
        for name in post_channels(post, cfg):
            rows.append((post.id, name, ledger.get(post.id, name)))
            seen.add((post.id, name))
    if not posts:  # records of posts whose files are gone stay visible
        rows += [
            (r.post, r.channel, r) for r in ledger.records() if (r.post, r.channel) not in seen
        ]
    if refresh:
        clock = system_clock(cfg)
        rows = broadcasts.refreshed(rows, engine(cfg, clock), ledger_lock(cfg, clock))
    at = now(cfg)
    pauses = pause_cli.status_pauses(cfg)
    if as_json:
        console.print_json(pause_cli.with_pause(console_publish.status_json(rows, at), pauses))
    else:
        pause_cli.print_pauses(pauses)
        console_publish.print_status(rows)
        approve.print_approval_lines(cfg, posts or [])
        console_publish.print_waiting(
            [r for __, __, r in rows if r is not None and r.state is State.MANUAL], at
        )


@app.command(help=_("Resolve deliveries left unconfirmed by a timeout or a crash."))
@guarded
def reconcile(
    posts: PostsArgument = None,
    channel: ChannelOption = None,
    mark_published: Annotated[
        str | None,
        typer.Option(
            "--mark-published",
            help=_("It is on the platform at this URL: record it as published."),
            show_default=False,
        ),
    ] = None,
    resend: Annotated[
        bool, typer.Option("--resend", help=_("It is not on the platform: send it again now."))
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console, console_publish
    from socialpub.publishing.ledger import Ledger
    from socialpub.publishing.reconcile import reconcile as run_reconcile
    from socialpub.publishing.reconcile import resolutions_json, unconfirmed
    from socialpub.publishing.workset import build

    if mark_published is not None and resend:
        raise UsageError(_("choose either --mark-published or --resend"))
    cfg = load(config)
    clock = system_clock(cfg)
    with ledger_lock(cfg, clock):
        work = build(
            cfg, Ledger(cfg.root), clock.now(), selectors=posts or [], channels=channel or []
        )
        open_ones = unconfirmed(work.deliveries)
        if mark_published is not None and len(open_ones) != 1:
            raise UsageError(
                _("--mark-published needs exactly one unconfirmed delivery, found {count}").format(
                    count=len(open_ones)
                ),
                hint=_("name the post and --channel"),
            )
        ask = _ask if sys.stdin.isatty() and not as_json else None
        results = run_reconcile(
            engine(cfg, clock),
            work.deliveries,
            mark_published=mark_published,
            resend=resend,
            ask=ask,
        )
    if as_json:
        console.print_json(resolutions_json(results))
    else:
        console_publish.print_resolutions(results, empty=_("nothing is unconfirmed"))
    if any(r.verdict.value in ("unknown", "failed") for r in results):
        raise typer.Exit(EXIT_DELIVERY)


def _ask(delivery: Delivery) -> str | None:
    answer = typer.prompt(
        _(
            "Is {post_id} on {channel}? Paste its URL, 'n' if it is not, or press Enter if you "
            "don't know"
        ).format(post_id=delivery.post_id, channel=delivery.channel),
        default="",
        show_default=False,
    ).strip()
    if answer.lower() in ("n", "no", "nein"):
        return ""
    return answer or None


@app.command(
    help=_("Remove a published post from its platforms (where the API allows) and record it.")
)
@guarded
def delete(
    post: Annotated[str, typer.Argument(help=_("The post id."))],
    channel: ChannelOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console, console_publish
    from socialpub.content.config import require_channels
    from socialpub.publishing.ledger import Ledger
    from socialpub.publishing.reconcile import delete as run_delete
    from socialpub.publishing.reconcile import resolutions_json

    cfg = load(config)
    require_channels(cfg, channel or [])
    clock = system_clock(cfg)
    with ledger_lock(cfg, clock):
        records = [
            r
            for r in Ledger(cfg.root).records()
            if r.post == post and (not channel or r.channel in channel)
        ]
        if not records:
            raise UsageError(
                _("nothing of post {post!r} was published").format(post=post),
                hint=_("see `socialpub status`"),
            )
        results = run_delete(engine(cfg, clock), records)
    if as_json:
        console.print_json(resolutions_json(results))
    else:
        console_publish.print_resolutions(results, empty=_("nothing to delete"))
    if any(r.verdict.value == "failed" for r in results):
        raise typer.Exit(EXIT_DELIVERY)
