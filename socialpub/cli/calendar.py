"""`socialpub calendar`: the editorial week view, `--ics` for calendar programs, `--json`."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialpub.cli.common import ChannelOption, ConfigOption, JsonOption, app, guarded, load
from socialpub.cli.publishing import NowOption, moment
from socialpub.errors import UsageError
from socialpub.i18n import _, ngettext

if TYPE_CHECKING:
    from socialpub.content.config import Config
    from socialpub.publishing.calendar import Entry, Window

DEFAULT_WEEKS = 2
MAX_WEEKS = 260  # five years: more is a typo

FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help=_("First day (YYYY-MM-DD); the view starts on that week's Monday (default: today)."),
        show_default=False,
    ),
]
WeeksOption = Annotated[
    int | None,
    typer.Option(
        "--weeks",
        min=1,
        max=MAX_WEEKS,
        help=_("How many weeks to show (default: {default_weeks}).").format(
            default_weeks=DEFAULT_WEEKS
        ),
        show_default=False,
    ),
]
IcsOption = Annotated[
    str | None,
    typer.Option(
        "--ics",
        help=_("Write an iCalendar file (RFC 5545) instead; `-` writes it to standard output."),
        show_default=False,
    ),
]


@app.command(help=_("Show what goes out when, on which channel, and in which state, week by week."))
@guarded
def calendar(
    from_: FromOption = None,
    weeks: WeeksOption = None,
    channel: ChannelOption = None,
    ics: IcsOption = None,
    now_: NowOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console
    from socialpub.publishing.calendar import weeks_from, within
    from socialpub.publishing.calendarwork import gather
    from socialpub.publishing.ledger import Ledger

    cfg = load(config)
    at = moment(now_, cfg)
    if ics == "-" and as_json:
        raise UsageError(
            _("--ics - and --json both write to standard output"), hint=_("choose one")
        )
    first = _first_day(from_, at.astimezone(cfg.timezone))
    found, report = gather(cfg, Ledger(cfg.root), at, channels=channel or [])
    window = weeks_from(first, weeks or DEFAULT_WEEKS, cfg.timezone)
    if ics is not None:
        # a subscribed calendar keeps its past: everything, unless a window was asked for
        chosen = within(found, window) if from_ or weeks else found
        _write_ics(cfg, chosen, at, ics, as_json=as_json)
    elif as_json:
        console.print_json(_as_json(cfg, within(found, window), window, at))
    else:
        from socialpub.cli.console_calendar import print_calendar

        print_calendar(within(found, window), window)
    console.summary(report.files, report.errors, report.warnings)


def _first_day(text: str | None, at: datetime) -> date:
    if text is None:
        return at.date()  # today in the config's time zone
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            _("--from {text!r} is not a date").format(text=text),
            hint=_("write it like 2026-12-07 (YYYY-MM-DD)"),
        ) from None


def _as_json(cfg: Config, found: tuple[Entry, ...], window: Window, at: datetime) -> object:
    return {
        "from": window.start.date().isoformat(),
        "until": window.end.date().isoformat(),
        "timezone": cfg.timezone.key,
        "now": at.isoformat(),
        "posts": [entry.as_dict() for entry in found],
    }


def _write_ics(
    cfg: Config, found: tuple[Entry, ...], at: datetime, target: str, *, as_json: bool
) -> None:
    from socialpub.cli import console
    from socialpub.content.textfile import atomic_write
    from socialpub.publishing.calendar_ics import ics

    data = ics(found, cfg.timezone, at, name=f"socialpub: {cfg.root.name}")
    events = sum(1 for entry in found if entry.at is not None)
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(target)
    atomic_write(path, data)
    if as_json:
        console.print_json({"ics": str(path), "events": events})
    else:
        sys.stderr.write(
            ngettext(
                "{path}: {events} event written\n", "{path}: {events} events written\n", events
            ).format(path=path, events=events)
        )
