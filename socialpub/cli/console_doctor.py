"""`doctor`'s lines on the terminal: status, channel, check, what was found, and the fix."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from socialpub.channels.probe import Finding, Status

_STYLE = {Status.ok: "green", Status.warning: "yellow", Status.error: "bold red"}


def print_findings(found: Sequence[Finding], *, colour: bool) -> None:
    width = max((len(f.channel) for f in found), default=0)
    lines: list[tuple[Status | None, str]] = []
    for f in found:
        where = (f.channel or "-").ljust(width)
        lines.append((f.status, f"{f.status.value:<7} {where}  {f.check:<8} {f.detail}"))
        if f.fix and f.status is not Status.ok:
            lines.append((None, " " * (width + 19) + f"fix: {f.fix}"))  # under the detail
    errors = sum(f.status is Status.error for f in found)
    warnings = sum(f.status is Status.warning for f in found)
    verdict = "publishing will work" if not errors else "publishing will not work"
    summary = f"{verdict}: {errors} error(s), {warnings} warning(s)"
    if not colour:
        sys.stdout.write("".join(text + "\n" for _, text in lines) + summary + "\n")
        return
    from rich.text import Text

    from socialpub.cli.console import stdout

    out = stdout()
    for status, text in lines:
        out.print(Text(text, style=_STYLE[status] if status else "dim"))
    out.print(Text(summary, style="bold red" if errors else "bold green"))
