"""Whole-process wall-clock timing of commands, and the medians the benchmarks report."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    """One finished command: its wall time and what it printed."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str

    def tail(self, lines: int = 8) -> str:
        """The last lines of stderr (or stdout), to explain a failure."""
        text = self.stderr.strip() or self.stdout.strip()
        return "\n".join(text.splitlines()[-lines:])


def environment() -> dict[str, str]:
    """The environment for every measured command: no colours, no config from outside."""
    env = {k: v for k, v in os.environ.items() if k != "SOCIALPUB_CONFIG"}
    env["NO_COLOR"] = "1"
    return env


def socialpub_command() -> list[str]:
    """The venv's `socialpub` executable next to this Python, else `python -m socialpub`."""
    script = Path(sys.executable).parent / "socialpub"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "socialpub"]


def run(command: Sequence[str], cwd: Path | None = None, label: str = "") -> Run:
    """Run `command` to its end and time it; `label`: print a progress line."""
    start = time.perf_counter()
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    seconds = time.perf_counter() - start
    if label:
        print(f"  {label}: {seconds:.2f} s (exit {done.returncode})", flush=True)
    return Run(seconds, done.returncode, done.stdout, done.stderr)


def sample(
    command: Sequence[str],
    times: int,
    cwd: Path | None = None,
    before: Callable[[int], None] | None = None,
    label: str = "",
) -> list[Run]:
    """Run `command` `times` times; `before(i)` runs untimed before the i-th run."""
    runs: list[Run] = []
    for index in range(times):
        if before is not None:
            before(index)
        runs.append(run(command, cwd, f"{label} {index + 1}/{times}" if label else ""))
    return runs


def median(runs: Sequence[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def seconds(runs: Sequence[Run]) -> list[float]:
    return [round(r.seconds, 4) for r in runs]


def first_failure(runs: Sequence[Run], ok: Sequence[int] = (0,)) -> Run | None:
    return next((r for r in runs if r.returncode not in ok), None)
