"""Terminal output of plan, publish, status, reconcile and delete.

On a terminal: a live progress bar and rich tables. In CI (not a tty) or with NO_COLOR: one
plain line per delivery as it finishes and plain tables, so logs read well.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from socialpub.cli.broadcasts import progress_of, progress_text
from socialpub.cli.console import stdout, use_colour
from socialpub.cli.labels import label
from socialpub.i18n import _
from socialpub.models import Payload
from socialpub.publishing.engine import Outcome, Result, summary_counts
from socialpub.publishing.ledger import Record, State
from socialpub.publishing.plan import Action, Delivery
from socialpub.publishing.reconcile import Resolution

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

_ACTION_STYLE = {
    Action.PUBLISH: "green",
    Action.SCHEDULE: "cyan",
    Action.RESUME: "yellow",
    Action.EDIT: "yellow",
    Action.CORRECT: "yellow",
    Action.UNCONFIRMED: "red",
    Action.BLOCKED: "red",
    Action.PAUSED: "magenta",
}
_RESULT_STYLE = {
    Result.PUBLISHED: "green",
    Result.SCHEDULED: "cyan",
    Result.EDITED: "yellow",
    Result.CORRECTED: "yellow",
    Result.FAILED: "red",
    Result.UNCONFIRMED: "red",
    Result.WAITING: "yellow",
    Result.MANUAL: "cyan",
    Result.UNSCHEDULED: "yellow",
}


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A rich table on a terminal; plain columns (no header) into a pipe or a CI log."""
    _table(title, columns, rows)


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if not use_colour(sys.stdout):
        sys.stdout.write(f"{title}\n")
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(len(columns))]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
            sys.stdout.write(("  " + "  ".join([*cells, row[-1]])).rstrip() + "\n")
        return
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    stdout().print(table)


def print_plan(
    deliveries: Sequence[Delivery], notes: Mapping[tuple[str, str], str] | None = None
) -> None:
    """The plan's table; `notes` adds to a delivery's reason (a broadcast's recipients)."""
    extra = notes or {}
    rows = [
        (
            d.post_id,
            d.channel,
            label(d.action.value),
            _noted(d.reason, extra.get((d.post_id, d.channel))),
        )
        for d in deliveries
    ]
    counts: dict[str, int] = {}
    for d in deliveries:
        counts[d.action.value] = counts.get(d.action.value, 0) + 1
    _table(_("Plan"), (_("post"), _("channel"), _("action"), _("why")), rows)
    totals = ", ".join(f"{n} {label(name)}" for name, n in sorted(counts.items()))
    totals = totals or _("nothing to do")
    sys.stderr.write(
        _("{count} deliveries: {totals}\n").format(count=len(deliveries), totals=totals)
    )


def _noted(reason: str, note: str | None) -> str:
    return f"{reason} · {note}" if note else reason


def print_payloads(payloads: Sequence[Payload]) -> None:
    """The dry run: each payload exactly as the adapter would send it (no secrets in it)."""
    for payload in payloads:
        head = f"── {payload.post_id} → {payload.channel} ({payload.channel_type})"
        sys.stdout.write(head + "\n")
        text = json.dumps(payload.as_dict(), ensure_ascii=False, indent=2)
        sys.stdout.write(text + "\n")
    sys.stderr.write(
        _("dry run: {count} payloads shown, nothing sent, ledger untouched\n").format(
            count=len(payloads)
        )
    )


class LiveReport:
    """Shows each finished delivery: a progress bar on a terminal, plain lines in CI."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> LiveReport:
        if use_colour(sys.stderr) and self.total:
            from rich.progress import Progress

            from socialpub.cli.console import stderr

            self._progress = Progress(console=stderr(), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("publishing", total=self.total)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, outcome: Outcome) -> None:
        detail = outcome.url or outcome.error
        line = f"{label(outcome.result.value):<11} {outcome.post_id} → {outcome.channel}  {detail}"
        with self._lock:
            if self._progress is not None and self._task is not None:
                self._progress.console.print(line, style=_RESULT_STYLE[outcome.result])
                self._progress.advance(self._task)
            else:
                sys.stderr.write(line.rstrip() + "\n")
                sys.stderr.flush()


def print_summary(outcomes: Sequence[Outcome], skipped: int) -> None:
    counts = summary_counts(outcomes)
    rows = [
        (label(o.result.value), o.post_id, o.channel, o.url or o.error)
        for o in sorted(outcomes, key=lambda o: (o.result.value, o.post_id, o.channel))
    ]
    if rows:
        columns = (_("result"), _("post"), _("channel"), _("URL / error"))
        _table(_("Published"), columns, rows)
    totals = ", ".join(f"{n} {label(name)}" for name, n in counts.items() if n)
    sys.stderr.write(
        _("{value}; {skipped} not due or already done\n").format(
            value=totals or _("nothing to send"), skipped=skipped
        )
    )
    if counts[Result.UNCONFIRMED.value]:
        sys.stderr.write(
            _(
                "unconfirmed: the platform may have posted these; "
                "check with `socialpub reconcile` before anything is sent again\n"
            )
        )
    if counts[Result.MANUAL.value]:
        sys.stderr.write(
            _(
                "manual: a posting kit is written for these; post each by hand, then "
                "`socialpub confirm POST --channel NAME --url URL`\n"
            )
        )
    if counts[Result.WAITING.value]:
        sys.stderr.write(_("waiting: nothing was sent for these; a later run publishes them\n"))


def print_status(rows: Sequence[tuple[str, str, Record | None]]) -> None:
    table_rows = []
    for post, channel, record in rows:
        if record is None:
            table_rows.append((post, channel, _("not sent"), "", "", "", ""))
            continue
        when = (record.published_at or record.updated_at).strftime("%Y-%m-%d %H:%M")
        table_rows.append(
            (
                post,
                channel,
                label(record.state.value),
                record.url or progress_text(record),
                when,
                str(record.attempts),
                record.last_error,
            )
        )
    columns = (
        _("post"),
        _("channel"),
        _("state"),
        "URL",
        _("time"),
        _("attempts"),
        _("last error"),
    )
    _table(_("Status"), columns, table_rows)


def status_json(
    rows: Sequence[tuple[str, str, Record | None]], at: datetime
) -> list[dict[str, object]]:
    return [
        {
            "post": post,
            "channel": channel,
            "state": record.state.value if record else "not sent",
            "url": record.url if record else "",
            "ids": [s.id for s in record.sent] if record else [],
            "time": (record.published_at or record.updated_at).isoformat() if record else None,
            "attempts": record.attempts if record else 0,
            "last_error": record.last_error if record else "",
            "confirmed_by": record.confirmed_by if record else "",
            "waiting_minutes": _waiting_minutes(record, at),
            "corrections": [c.to_json() for c in record.corrections] if record else [],
            "broadcast": progress_of(record),  # a WhatsApp broadcast's counts, else None
        }
        for post, channel, record in rows
    ]


def _waiting_minutes(record: Record | None, at: datetime) -> int | None:
    """How long a posting kit has waited for a person (None: not a waiting manual one)."""
    if record is None or record.state is not State.MANUAL:
        return None
    return max(0, int((at - record.created_at).total_seconds() // 60))


def print_resolutions(results: Sequence[Resolution], *, empty: str) -> None:
    if not results:
        sys.stdout.write(empty + "\n")
    for r in results:
        line = f"{r.verdict.value:<11} {r.post_id} → {r.channel}  {r.detail}"
        sys.stdout.write(line.rstrip() + "\n")


def print_kits(outcomes: Sequence[Outcome], root: Path) -> None:
    """The text of each kit just written, ready to copy, and what to do next."""
    from socialpub.channels.kit import CHECKLIST_FILE, TEXT_FILE, kit_folder

    for outcome in outcomes:
        if outcome.result is not Result.MANUAL:
            continue
        folder = kit_folder(root, outcome.post_id, outcome.channel)
        text = (folder / TEXT_FILE).read_text(encoding="utf-8")
        sys.stdout.write(
            _(
                "── post by hand: {post_id} → {channel} (kit: {root}/, steps in {checklist_file})\n"
            ).format(
                post_id=outcome.post_id,
                channel=outcome.channel,
                root=folder.relative_to(root),
                checklist_file=CHECKLIST_FILE,
            )
        )
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.write(
            _("── then: socialpub confirm {post_id} --channel {channel} --url URL\n").format(
                post_id=outcome.post_id, channel=outcome.channel
            )
        )


def age(since: datetime, at: datetime) -> str:
    """How long a kit has waited, e.g. "2 d 3 h", "3 h 5 min", "4 min"."""
    minutes = max(0, int((at - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return _("{hours} h {mins} min").format(hours=hours, mins=mins)
    return _("{mins} min").format(mins=mins)


def print_waiting(records: Sequence[Record], at: datetime) -> None:
    """Manual deliveries whose kit nobody has confirmed yet, oldest first."""
    if not records:
        return
    sys.stdout.write(_("Waiting to be posted by hand:\n"))
    for record in sorted(records, key=lambda r: r.created_at):
        sys.stdout.write(
            _("  {post} → {channel}  waiting {age} (kit written {created_at})\n").format(
                post=record.post,
                channel=record.channel,
                age=age(record.created_at, at),
                created_at=record.created_at.strftime("%Y-%m-%d %H:%M"),
            )
        )
