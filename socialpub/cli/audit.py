"""`socialpub audit`: the answer to "who is responsible?", as a table, CSV or JSON."""

from __future__ import annotations

import enum
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialpub.cli.common import ConfigOption, app, guarded, load
from socialpub.errors import UsageError
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.content.config import Config
    from socialpub.publishing.audit import Event


class AuditFormat(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command(
    help=_("Who wrote, approved, published, edited, corrected or deleted each post, and pauses.")
)
@guarded
def audit(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=_("Only what happened from this day or time on (2026-01-01, or ISO time)."),
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        AuditFormat, typer.Option("--format", help=_("table, csv (for a spreadsheet) or json."))
    ] = AuditFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=_("Write to this file instead of the terminal."),
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    from socialpub.publishing import audit as trail
    from socialpub.publishing.ledger import Ledger

    cfg = load(config)
    events = trail.collect(
        [trail.authorship(cfg), *trail.workflow_events(cfg), trail.deliveries(Ledger(cfg.root))],
        cfg.timezone,
        since=_moment(since, cfg),
    )
    if format is AuditFormat.table and output is None:
        from socialpub.cli.console_publish import print_table

        print_table(f"Audit ({len(events)} events)", COLUMNS, _rows(events))
        return
    text = _render(events, format)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    sys.stderr.write(
        _("{count} events written to {output}\n").format(count=len(events), output=output)
    )


COLUMNS = ("time", "post", "channel", "event", "who", "detail")


def _rows(events: list[Event]) -> list[tuple[str, ...]]:
    return [
        (e.at.strftime("%Y-%m-%d %H:%M"), e.post or "(all)", e.channel, e.event, e.who, e.detail)
        for e in events
    ]


def _render(events: list[Event], output_format: AuditFormat) -> str:
    from socialpub.publishing.audit import to_csv

    if output_format is AuditFormat.csv:
        return to_csv(events)
    if output_format is AuditFormat.json:
        import json

        return json.dumps([e.as_dict() for e in events], ensure_ascii=False, indent=2) + "\n"
    rows = [COLUMNS, *_rows(events)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[-1]]) for r in rows
    ]
    return "".join(line.rstrip() + "\n" for line in lines)


def _moment(text: str | None, config: Config) -> datetime | None:
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            raise UsageError(
                _("--since {text!r} is not a date").format(text=text),
                hint=_("write it like 2026-01-01"),
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=config.timezone)
