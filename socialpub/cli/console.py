"""Terminal output. The `cli` package is the only one that knows about rich.

Machine-readable output (json, github annotations, `path:line:` lines) is written plainly,
never wrapped; colours appear only on a terminal and never with NO_COLOR.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from socialpub.content.config import ChannelConfig, site_page, site_url
from socialpub.i18n import _, ngettext
from socialpub.models import Problem, Severity, Variant
from socialpub.specs import unit_name

if TYPE_CHECKING:  # rich is imported only for coloured output: plain runs start faster
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text


def stdout() -> Console:
    from rich.console import Console

    return Console(soft_wrap=True, highlight=False, markup=False)


def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, highlight=False, markup=False)


def use_colour(stream: TextIO) -> bool:
    """Colours only on a terminal, never with NO_COLOR (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


@dataclass(frozen=True)
class Failure:
    """How a command failed, as `guarded` reports it: an error of the error tree, or an
    unexpected one."""

    message: str
    hint: str | None
    exit_code: int
    problems: tuple[Problem, ...] = ()

    def as_json(self) -> list[dict[str, object]] | dict[str, object]:
        if self.problems:
            return [p.as_dict() for p in self.problems]
        return {"error": self.message, "hint": self.hint or "", "exit_code": self.exit_code}


@dataclass
class _Written:
    """What the running command has written to standard output."""

    json: bool = False  # one JSON document at most: a second one would break every parser


_STDOUT = _Written()


def start_command() -> None:
    _STDOUT.json = False


def print_json(data: Any, *, indent: int | None = 2) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent) + "\n")
    _STDOUT.json = True


def print_failure_json(failure: Failure) -> None:
    """The failure as JSON on standard output, where a CI step parses it; on standard error
    (one line) when the command already printed its result there."""
    if _STDOUT.json:
        sys.stderr.write(json.dumps(failure.as_json(), ensure_ascii=False) + "\n")
    else:
        print_json(failure.as_json())


def print_failure_github(failure: Failure) -> None:
    if failure.problems:
        sys.stdout.write("".join(github_annotation(p) + "\n" for p in failure.problems))
        return
    message = failure.message + (f" ({failure.hint})" if failure.hint else "")
    sys.stdout.write(f"::error::{_escape_data(message)}\n")


def print_failure_gitlab(failure: Failure) -> None:
    """A Code Quality report of the config's problems (else an empty one), and the error in
    plain text on standard error for the job log."""
    print_code_quality(failure.problems)
    if not failure.problems:
        error(failure.message, failure.hint)


def print_failure_text(failure: Failure) -> None:
    if failure.problems:
        print_problems_text(failure.problems)
    else:
        error(failure.message, failure.hint)


def error(message: str, hint: str | None = None) -> None:
    if not use_colour(sys.stderr):
        sys.stderr.write(
            _("error: {message}\n").format(message=message)
            + (_("  hint: {hint}\n").format(hint=hint) if hint else "")
        )
        return
    from rich.text import Text

    out = stderr()
    out.print(Text.assemble((_("error: "), "bold red"), message))
    if hint:
        out.print(Text.assemble((_("  hint: "), "yellow"), hint))


def severity_word(p: Problem) -> str:
    """ "error" or "warning" for people (annotations and JSON keep the English words)."""
    return _("error") if p.severity is Severity.ERROR else _("warning")


def problem_line(p: Problem) -> str:
    hint = f" ({p.hint})" if p.hint else ""
    return f"{p.file}:{p.line}: {severity_word(p)} {p.code} {p.message}{hint}"


def print_problems_text(problems: Iterable[Problem]) -> None:
    if not use_colour(sys.stdout):  # plain lines, fast for thousands of problems
        sys.stdout.write("".join(problem_line(p) + "\n" for p in problems))
        return
    from rich.text import Text

    out = stdout()
    for p in problems:
        style = "red" if p.severity is Severity.ERROR else "yellow"
        line = Text(problem_line(p))
        start = len(f"{p.file}:{p.line}: ")
        line.stylize(style, start, start + len(severity_word(p)))
        out.print(line)


def github_annotation(p: Problem) -> str:
    """A GitHub Actions workflow command; see "Workflow commands" in GitHub's docs."""
    level = "error" if p.severity is Severity.ERROR else "warning"
    props = ",".join(
        f"{key}={_escape_property(value)}"
        for key, value in (("file", p.file), ("line", str(p.line)), ("title", p.code))
    )
    message = p.message + (f" ({p.hint})" if p.hint else "")
    return f"::{level} {props}::{_escape_data(message)}"


def print_code_quality(problems: Sequence[Problem]) -> None:
    """GitLab's Code Quality report (a JSON list; "Code Quality report format" in GitLab's
    docs) for the merge request widget."""
    print_json([_code_quality(p) for p in problems])


def _code_quality(p: Problem) -> dict[str, object]:
    path = os.path.relpath(p.file) if Path(p.file).is_absolute() else p.file
    identity = "\0".join((path, p.code, p.field, str(p.line)))
    message = p.message + (f" ({p.hint})" if p.hint else "")
    return {
        "description": f"{p.code} {message}",
        "check_name": p.code,
        "fingerprint": hashlib.sha256(identity.encode()).hexdigest(),
        "severity": "major" if p.severity is Severity.ERROR else "minor",
        "location": {"path": path, "lines": {"begin": p.line}},
    }


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def summary(files: int, errors: int, warnings: int) -> None:
    style = "red" if errors else ("yellow" if warnings else "green")
    text = ", ".join(
        (
            ngettext("{count} file checked", "{count} files checked", files).format(count=files)
            + ": "
            + ngettext("{count} error", "{count} errors", errors).format(count=errors),
            ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
        )
    )
    if not use_colour(sys.stderr):
        sys.stderr.write(text + "\n")
        return
    from rich.text import Text

    stderr().print(Text(text, style=style))


def print_variants(
    variants: Sequence[Variant],
    titles: dict[str, str],
    channels: Mapping[str, ChannelConfig],
    *,
    raw: bool = False,
) -> None:
    """Each variant as readers will see it (`raw`: its markup, as the platform receives it)."""
    from rich.console import Console
    from rich.text import Text

    # Wraps inside panels: every character of the text shows. Styles only on a terminal.
    colour = use_colour(sys.stdout)
    out = Console(highlight=False, markup=False, color_system="auto" if colour else None)
    shown = {variant.post_id for variant in variants}
    current = None
    for variant in variants:
        if variant.post_id != current:
            current = variant.post_id
            out.rule()
            out.print(Text(titles.get(current, current), style="bold"))
        out.print(_variant_panel(variant, channels[variant.channel], raw=raw))
    for post_id, title in titles.items():
        if post_id not in shown:  # asked for by name, but aimed at none of the channels
            out.rule()
            out.print(Text(title, style="bold"))
            out.print(_("goes to none of the chosen channels (see its `channels:`)"))


def _variant_panel(variant: Variant, channel: ChannelConfig, *, raw: bool) -> Panel:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[Any] = []
    if channel.type == "website":
        has_base = bool(channel.settings.get("base_url"))
        url = (
            site_url(channel, variant.post_id)
            if has_base
            else _("none (the channel has no base_url)")
        )
        parts.append(
            Text(
                _("page: {site_page}").format(site_page=site_page(variant.post_id)),
                style="cyan",
                overflow="fold",
            )
        )
        parts.append(Text(_("URL:  {url}").format(url=url), style="cyan", overflow="fold"))
    total = len(variant.parts)
    for number, part in enumerate(variant.parts, start=1):
        over = bool(variant.limit) and part.length > variant.limit
        count = f"{part.length}/{variant.limit}" if variant.limit else f"{part.length}"
        head = _("part {number}/{total} · ").format(number=number, total=total) if total > 1 else ""
        shown = f"{head}{count} {unit_name(variant.unit)}"
        parts.append(Text(shown, style="red" if over else "dim"))
        parts.append(_readable(part.text, channel.capabilities.dialect, raw=raw))
        parts.append(Text(""))
    for media in variant.media:
        alt = media.alt or _("NO ALT TEXT")
        credit = f" © {media.credit}" if media.credit else ""
        parts.append(
            Text(
                _("🖼 {file} — alt: {alt}{credit}").format(file=media.file, alt=alt, credit=credit),
                style="cyan",
                overflow="fold",
            )
        )
    for p in variant.problems:
        style = "red" if p.severity is Severity.ERROR else "yellow"
        hint = f" ({p.hint})" if p.hint else ""
        parts.append(
            Text(f"{severity_word(p)} {p.code}: {p.message}{hint}", style=style, overflow="fold")
        )
    status = "red" if any(p.severity is Severity.ERROR for p in variant.problems) else "green"
    return Panel(
        Group(*parts),
        title=f"{variant.channel} ({variant.channel_type})",
        title_align="left",
        border_style=status,
    )


def _readable(markup: str, dialect: str, *, raw: bool) -> Text:
    """A part's text as it reads: HTML dialects laid out and styled, plain text as it is."""
    from rich.text import Text

    if raw or dialect == "plain":
        return Text(markup, overflow="fold")
    from socialpub.cli.readable import telegram_text, website_text

    text = website_text(markup) if dialect == "html" else telegram_text(markup)
    text.overflow = "fold"
    return text


def print_channels(channels: Sequence[ChannelConfig], secrets: dict[str, str]) -> None:
    from rich.table import Table

    table = Table(title=_("Configured channels"))
    for column in (_("channel"), _("type"), _("limit"), _("media"), _("alt text"), _("can")):
        table.add_column(column)
    table.add_column(_("secrets"))
    for channel in channels:
        caps = channel.capabilities
        limit = f"{channel.limit} {unit_name(caps.unit)}" if channel.limit else _("none")
        media = _("{images} img / {videos} video").format(
            images=caps.max_images, videos=caps.max_videos
        )
        alt = (
            (str(caps.alt_text_max) if caps.alt_text_max else _("yes"))
            if caps.supports_alt
            else _("no")
        )
        table.add_row(
            channel.name,
            channel.type,
            limit,
            media,
            alt,
            ", ".join(capability_names(channel)),
            secrets.get(channel.name, "-"),
        )
    stdout().print(table)


def capability_names(channel: ChannelConfig) -> list[str]:
    caps = channel.capabilities
    flags = {
        "threads": caps.threads,
        "schedule": caps.native_schedule,
        "edit": caps.edit,
        "delete": caps.delete,
        "manual": not caps.api,
    }
    return [name for name, present in flags.items() if present]
