"""The benchmark table and its summary, in plain text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
