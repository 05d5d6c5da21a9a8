"""The benchmark table and its summary, in plain text."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from timing import Run

HEADERS = ("measurement", "median", "baseline", "result", "goal", "")


@dataclass(frozen=True)
class Row:
    """One line of the table; `ok` is None for informational rows without a goal."""

    name: str
    value: str
    baseline: str
    result: str
    goal: str
    ok: bool | None
    note: str = ""

    @classmethod
    def failed(cls, name: str, run: Run) -> Row:
        return cls(name, "failed", "", f"exit {run.returncode}", "", False, run.tail())

    @classmethod
    def skipped(cls, name: str, why: str) -> Row:
        return cls(name, "skipped", "", "", "", None, why)

    def cells(self) -> tuple[str, ...]:
        mark = "" if self.ok is None else "✓" if self.ok else "✗"
        return (self.name, self.value, self.baseline, self.result, self.goal, mark)


def publish_failed(
    name: str, done: subprocess.CompletedProcess[str], published: int, exact: bool
) -> Row:
    """A publish benchmark whose run failed or lost or doubled a delivery: no ratio."""
    tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
    note = f"exit {done.returncode}, {published} published, exactly once: {exact}\n{tail}"
    return Row(name, "failed", "", "", "", False, note)


def bound_row(
    name: str,
    *,
    deliveries: int,
    seconds: float,
    bound_seconds: float,
    goal: float,
    note: str,
    fields: dict[str, Any],
) -> tuple[Row, dict[str, Any]]:
    """A publish run against a server's rate limit: the row, and its measurements (`fields`
    are the benchmark's own). `bound_seconds`: the time the limit allows at best."""
    rate, bound, ratio = deliveries / seconds, deliveries / bound_seconds, bound_seconds / seconds
    measured = {
        "deliveries": deliveries,
        "seconds": round(seconds, 3),
        "deliveries_per_second": round(rate, 2),
        "bound_deliveries_per_second": round(bound, 2),
        **fields,
        "ratio": round(ratio, 3),
        "goal_ratio": goal,
        "ok": ratio >= goal,
    }
    row = Row(
        name,
        f"{rate:.1f}/s",
        f"{bound:.1f}/s bound",
        f"{ratio:.2f}×",
        f"≥ {goal:g}×",
        ratio >= goal,
        note,
    )
    return row, measured


def print_report(rows: Sequence[Row], title: str) -> None:
    table = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    print()
    print(f"socialpub benchmarks — {title}")
    for number, line in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            print("  ".join("─" * width for width in widths))
    for row in rows:
        if row.note:
            print(f"\n{row.name}: {row.note}")
    print()
    print(summary(rows))


def summary(rows: Sequence[Row]) -> str:
    goals = [row for row in rows if row.ok is not None]
    met = [row for row in goals if row.ok]
    missed = ", ".join(row.name for row in goals if not row.ok)
    text = f"summary: {len(met)} of {len(goals)} goals met"
    return text + (f"; missed: {missed}" if missed else "") + " (benchmarks report, never gate)"
