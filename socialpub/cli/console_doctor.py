"""`doctor`'s lines on the terminal: status, channel, check, what was found, and the fix."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from socialpub.channels.probe import Finding, Status
from socialpub.i18n import _, ngettext

_STYLE = {Status.ok: "green", Status.warning: "yellow", Status.error: "bold red"}
#: the status words on the terminal (JSON keeps ok, warning, error)
_STATUS = {
    Status.ok: lambda: _("ok"),
    Status.warning: lambda: _("warning"),
    Status.error: lambda: _("error"),
}


def print_findings(found: Sequence[Finding], *, colour: bool) -> None:
    width = max((len(f.channel) for f in found), default=0)
    lines: list[tuple[Status | None, str]] = []
    for f in found:
        where = (f.channel or "-").ljust(width)
        word = _STATUS[f.status]()
        lines.append((f.status, f"{word:<7} {where}  {f.check:<8} {f.detail}"))
        if f.fix and f.status is not Status.ok:
            fix = _("fix: {fix}").format(fix=f.fix)
            lines.append((None, " " * (width + 19) + fix))  # under the detail
    errors = sum(f.status is Status.error for f in found)
    warnings = sum(f.status is Status.warning for f in found)
    verdict = _("publishing will work") if not errors else _("publishing will not work")
    summary = ", ".join(
        (
            f"{verdict}: "
            + ngettext("{count} error", "{count} errors", errors).format(count=errors),
            ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
        )
    )
    if not colour:
        sys.stdout.write("".join(text + "\n" for __, text in lines) + summary + "\n")
        return
    from rich.text import Text

    from socialpub.cli.console import stdout

    out = stdout()
    for status, text in lines:
        out.print(Text(text, style=_STYLE[status] if status else "dim"))
    out.print(Text(summary, style="bold red" if errors else "bold green"))
