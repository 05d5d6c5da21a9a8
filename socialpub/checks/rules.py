"""The rules a post is checked against, and the report they add up to.

Per-post rules (channels, media, rendering, style) depend only on the post, the config and
its variants, so their results can be cached. Fresh rules depend on the file system (media
files exist inside the repository) or on the time (already expired); duplicate ids are a
rule across every post file. Each rule returns Problems; none stops at the first.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import regex

from socialpub.checks.media import all_media, media_file_problem, media_problems
from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig, Config, channel_hint
from socialpub.models import Post, Problem, Severity, Status, Variant
from socialpub.render.counting import graphemes

MAX_EMOJI = 5
_PICTOGRAPH = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
_BODY_HASHTAG = regex.compile(r"(?<![\w#])#(\w+)")

#: what the fresh rules and the duplicate-id rule need of a checked file (also cached)
Entry = dict[str, Any]


@dataclass(frozen=True)
class Report:
    files: int  # files checked in full
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def post_problems(
    post: Post, channels: Mapping[str, ChannelConfig], variants: Sequence[Variant], config: Config
) -> list[Problem]:
    """The cacheable rules of one loaded post, given its variants for `channels` (all the
    channels it goes to): channel names, media rules, rendering, style."""
    problems = _channel_problems(post, config)
    problems.extend(media_problems(post, dict(channels)))
    for variant in variants:
        problems.extend(variant.problems)
    problems.extend(_editorial_problems(post))
    return problems


def entry_of(post: Post | None, problems: Iterable[Problem]) -> Entry:
    """A checked file's result as plain data, for the cache and the rules across files."""
    media = all_media(post) if post else []
    return {
        "id": post.id if post else "",
        "id_line": post.line_of("id") if post else 1,
        "problems": [p.as_dict() for p in problems],
        "media": [[m.file, m.line] for m in media],
        "expires_at": post.expires_at.isoformat() if post and post.expires_at else None,
        "expires_line": post.line_of("expires_at") if post else 1,
        "approved": bool(post and post.status is Status.APPROVED),
    }


def id_entry(post_id: str, line: int) -> Entry:
    """A file that is not checked in full: it takes part in the duplicate-id rule only, when
    it shares its id with a file that is."""
    return {"id": post_id, "id_line": line, "problems": [], "media": [], "quick": True}


def report(entries: Mapping[str, Entry], *, files: int, root: Path, now: datetime) -> Report:
    """Every problem of the checked files (keyed by the path shown in messages), with the
    fresh rules run now and duplicate ids across all entries, sorted by file and line."""
    media = _MediaChecker(root)
    problems: list[Problem] = []
    for key, entry in entries.items():
        problems.extend(problem_from_json(p) for p in entry["problems"])
        problems.extend(_fresh_problems(key, entry, media, now))
    problems.extend(_duplicate_ids(entries))
    problems.sort(key=lambda p: (p.file, p.line, p.code))
    return Report(files=files, problems=tuple(problems))


def problem_from_json(data: Mapping[str, object]) -> Problem:
    return Problem(
        file=str(data["file"]),
        line=int(str(data["line"])),
        field=str(data["field"]),
        code=str(data["code"]),
        severity=Severity(str(data["severity"])),
        message=str(data["message"]),
        hint=str(data.get("hint", "")),
    )


# --- per-post rules --------------------------------------------------------------------------


def _channel_problems(post: Post, config: Config) -> list[Problem]:
    names = [(name, post.line_of("channels")) for name in post.channels or ()]
    names += [(name, o.line or post.line_of("overrides")) for name, o in post.overrides.items()]
    return [
        problem(
            "SP109",
            post.source,
            line,
            "channels",
            f"unknown channel {name!r}",
            channel_hint(name, config.channels),
        )
        for name, line in names
        if name not in config.channels
    ]


def _editorial_problems(post: Post) -> list[Problem]:
    problems: list[Problem] = []
    if post.status is Status.APPROVED and not post.approved_by:
        problems.append(
            problem(
                "SP401",
                post.source,
                post.line_of("status"),
                "approved_by",
                "approved post names no approver",
                "add `approved_by: <name>` so the approval can be traced",
            )
        )
    for tag, line in _hashtags(post):
        if (tag.islower() and len(tag) >= 15) or (tag.isupper() and len(tag) > 6):
            problems.append(
                problem(
                    "SP402",
                    post.source,
                    line,
                    "tags",
                    f"#{tag}: write multi-word hashtags in CamelCase",
                    "e.g. #TagDerOffenenTür — screen readers then read the words, not letters",
                )
            )
    emoji = emoji_count(post.body)
    if emoji > MAX_EMOJI:
        problems.append(
            problem(
                "SP403",
                post.source,
                post.line_of("body"),
                "body",
                f"{emoji} emoji: screen readers read out every one",
                f"use at most {MAX_EMOJI}, and not in place of words",
            )
        )
    return problems


def emoji_count(text: str) -> int:
    """Grapheme clusters that hold an emoji (a family or a flag counts once)."""
    if not _PICTOGRAPH.search(text):
        return 0  # most posts: skip splitting the text into clusters
    return sum(1 for cluster in graphemes(text) if _PICTOGRAPH.search(cluster))


def _hashtags(post: Post) -> Iterable[tuple[str, int]]:
    for tag in post.tags:
        yield tag, post.line_of("tags")
    for match in _BODY_HASHTAG.finditer(post.body):
        line = post.line_of("body") + post.body.count("\n", 0, match.start())
        yield match.group(1), line


# --- fresh rules -----------------------------------------------------------------------------


class _MediaChecker:
    """Media file checks for one run; many posts share a file, so each is checked once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seen: dict[str, Problem | None] = {}

    def problem(self, source: str, file: str, line: int) -> Problem | None:
        if file not in self.seen:
            self.seen[file] = media_file_problem("", file, 0, self.root)
        found = self.seen[file]
        return dataclasses.replace(found, file=source, line=line) if found else None


def _fresh_problems(key: str, entry: Entry, media: _MediaChecker, now: datetime) -> list[Problem]:
    problems = [
        report
        for file, line in entry.get("media", [])
        if (report := media.problem(key, file, line)) is not None
    ]
    expires = entry.get("expires_at")
    if expires and entry.get("approved") and datetime.fromisoformat(expires) <= now:
        problems.append(
            problem(
                "SP404",
                key,
                entry.get("expires_line", 1),
                "expires_at",
                f"expired at {expires}: this post will not be published",
                "remove the post or move expires_at",
            )
        )
    return problems


def _duplicate_ids(entries: Mapping[str, Entry]) -> list[Problem]:
    by_id: dict[str, list[tuple[str, int]]] = defaultdict(list)
    checked: set[str] = set()  # ids of files checked in full
    for key, entry in entries.items():
        if entry.get("id"):
            by_id[entry["id"]].append((key, entry.get("id_line", 1)))
            if not entry.get("quick"):
                checked.add(entry["id"])
    problems = []
    for post_id, places in by_id.items():
        for file, line in places if len(places) > 1 and post_id in checked else ():
            others = ", ".join(f"{f}:{n}" for f, n in places if f != file or n != line)
            problems.append(
                problem(
                    "SP105",
                    file,
                    line,
                    "id",
                    f"id {post_id!r} is used by another post too ({others})",
                    "every post needs its own id; never reuse an id once published",
                )
            )
    return problems
