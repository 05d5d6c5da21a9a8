"""Terminal output of `socialpub calendar`: one table per week, a row per post and channel.

On a terminal a rich table with the states in colour; in a pipe or CI plain columns.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from socialpub.cli.console import stdout, use_colour
from socialpub.cli.labels import label
from socialpub.i18n import N_, _, ngettext
from socialpub.publishing.calendar import CalendarState, Entry, Slot, Window

COLUMNS = (N_("day"), N_("time"), N_("post"), N_("channel"), N_("state"), N_("note"))
_STATE_STYLE = {
    CalendarState.DRAFT: "dim",
    CalendarState.AWAITING_APPROVAL: "yellow",
    CalendarState.APPROVED: "green",
    CalendarState.SCHEDULED: "cyan",
    CalendarState.PUBLISHED: "bold green",
    CalendarState.PAUSED: "magenta",
    CalendarState.EMBARGOED: "blue",
    CalendarState.QUIET_HOURS: "blue",
    CalendarState.HELD: "red",
    CalendarState.BLOCKED: "red",
    CalendarState.FAILED: "bold red",
    CalendarState.MANUAL: "cyan",
}
Row = tuple[str, str, str, str, CalendarState | None, str]


def print_calendar(found: Sequence[Entry], window: Window) -> None:
    """Each week of the window, then the posts that have no date yet."""
    zone = window.start.tzinfo
    slots = [
        (entry, replace(slot, at=slot.at.astimezone(zone)))  # a record's time may be in UTC
        for entry in found
        for slot in entry.slots
        if slot.at is not None
    ]
    days = window.days
    for monday in days[::7]:
        week = [monday + timedelta(days=n) for n in range(7)]
        rows: list[Row] = []
        for day in week:
            rows += _day_rows(day, [(e, s) for e, s in slots if _day(s) == day])
        _table(_week_title(monday), rows)
    undated = [(e, s) for e in found for s in e.slots if s.at is None]
    if undated:
        _table(_("Without a date"), [_row("", "", e, s) for e, s in undated])
    counts: dict[str, int] = {}
    for __, slot in slots:
        counts[slot.state.value] = counts.get(slot.state.value, 0) + 1
    totals = ", ".join(f"{n} {label(name)}" for name, n in sorted(counts.items()))
    totals = totals or _("nothing planned")
    weeks = len(days) // 7
    sys.stderr.write(
        ngettext(
            "{count} deliveries in {weeks} week: {totals}\n",
            "{count} deliveries in {weeks} weeks: {totals}\n",
            weeks,
        ).format(count=len(slots), weeks=weeks, totals=totals)
    )


def _day(slot: Slot) -> date | None:
    return slot.at.date() if slot.at is not None else None


def _day_rows(day: date, slots: Sequence[tuple[Entry, Slot]]) -> list[Row]:
    """A row per post, time, state and note: the channels that share them in one row."""
    label = f"{day:%a %d.%m.}"
    if not slots:
        return [(label, "", "–", "", None, "")]
    ordered = sorted(slots, key=lambda pair: (pair[1].at, pair[0].post, pair[1].channel))
    grouped: dict[tuple[str, str, CalendarState, str], list[str]] = {}
    for entry, slot in ordered:
        clock, post, __, state, note = _cells(entry, slot)
        grouped.setdefault((clock, post, state, note), []).append(slot.channel)
    return [
        (label if n == 0 else "", clock, post, ", ".join(channels), state, note)
        for n, ((clock, post, state, note), channels) in enumerate(grouped.items())
    ]


def _row(day: str, clock: str, entry: Entry, slot: Slot) -> Row:
    __, post, channel, state, note = _cells(entry, slot)
    return (day, clock, post, channel, state, note)


def _cells(entry: Entry, slot: Slot) -> tuple[str, str, str, CalendarState, str]:
    clock = f"{slot.at:%H:%M}" if slot.at is not None else ""
    post = entry.heading if entry.embargoed_until else f"{entry.title} [{entry.post}]"
    note = " · ".join(part for part in (slot.reason, slot.url) if part)
    return clock, post, slot.channel, slot.state, note


def _week_title(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    week = monday.isocalendar().week
    return _("Week {week}: {monday:%a %d.%m.%Y} – {sunday:%a %d.%m.%Y}").format(
        week=week, monday=monday, sunday=sunday
    )


def _table(title: str, rows: Sequence[Row]) -> None:
    if not use_colour(sys.stdout):
        text = [[*row[:4], label(row[4].value) if row[4] else "", row[5]] for row in rows]
        widths = [max((len(r[i]) for r in text), default=0) for i in range(len(COLUMNS))]
        sys.stdout.write(f"{title}\n")
        for line in text:
            cells = [cell.ljust(width) for cell, width in zip(line[:-1], widths, strict=False)]
            sys.stdout.write(("  " + "  ".join([*cells, line[-1]])).rstrip() + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left")
    for column in COLUMNS:
        table.add_column(_(column), overflow="fold")
    for day, clock, post, channel, state, note in rows:
        shown = Text(label(state.value), style=_STATE_STYLE.get(state, "")) if state else Text("")
        table.add_row(day, clock, post, channel, shown, note)
    stdout().print(table)
