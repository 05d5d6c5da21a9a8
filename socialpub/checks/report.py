"""What validation reports: every problem of the checked files, with the rules that must run
fresh each time because they depend on the file system (media files exist inside the
repository), on the time (already expired) or on other files (duplicate ids).

A checked file's result is plain data (an Entry), so it can be cached. This module needs
none of the rendering code: a run that finds every result in the cache loads none of it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import compress
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from socialpub.checks.neutrality import neutrality_problems
from socialpub.content import embargo
from socialpub.content.codes import problem
from socialpub.content.neutralityconfig import NeutralityPeriod
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Media, Post, Problem, Severity, Status

#: a problem as plain data: file, line, field, code, severity, message, hint
ProblemData = list[Any]


class Entry(NamedTuple):
    """What the report needs of a checked file: its own problems, and what the rules run
    fresh each time look at. Plain data, so the validation cache stores it as a list."""

    id: str
    id_line: int
    problems: list[ProblemData]
    media: list[list[Any]]  # [file, line] of each media file
    expires_at: str | None = None
    expires_line: int = 1
    approved: bool = False
    quick: bool = False  # not checked in full: it takes part in the duplicate-id rule only
    embargo_until: str | None = None  # an embargoed post's publish_at: its messages are sealed
    neutral: tuple[Any, ...] = ()  # what the neutrality rule needs (checks.neutrality)


#: an Entry's fields, read in C over every post
_ID, _PROBLEMS, _MEDIA, _EXPIRES, _NEUTRAL = (
    itemgetter(Entry._fields.index(name))
    for name in ("id", "problems", "media", "expires_at", "neutral")
)


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


def entry_of(
    post: Post | None, problems: Iterable[Problem], neutral: tuple[Any, ...] = ()
) -> Entry:
    """A checked file's result as plain data, for the cache and the rules across files."""
    return Entry(
        id=post.id if post else "",
        id_line=post.line_of("id") if post else 1,
        problems=[problem_data(p) for p in problems],
        media=[[m.file, m.line] for m in all_media(post)] if post else [],
        expires_at=post.expires_at.isoformat() if post and post.expires_at else None,
        expires_line=post.line_of("expires_at") if post else 1,
        approved=bool(post and post.status is Status.APPROVED),
        embargo_until=post.publish_at.isoformat()
        if post and post.embargo and post.publish_at
        else None,
        neutral=neutral,
    )


def id_entry(post_id: str, line: int) -> Entry:
    """A file that is not checked in full: it takes part in the duplicate-id rule only, when
    it shares its id with a file that is."""
    return Entry(post_id, line, [], [], quick=True)


def problem_data(found: Problem) -> ProblemData:
    return [
        found.file,
        found.line,
        found.field,
        found.code,
        found.severity.value,
        found.message,
        found.hint,
    ]


def problem_from_data(data: ProblemData) -> Problem:
    file, line, field, code, severity, message, hint = data
    return Problem(file, line, field, code, Severity(severity), message, hint)


def report(
    entries: Mapping[str, Entry],
    *,
    files: int,
    root: Path,
    now: datetime,
    periods: Sequence[NeutralityPeriod] = (),
) -> Report:
    """Every problem of the checked files (keyed by the path shown in messages), with the
    fresh rules run now and duplicate ids across all entries, sorted by file and line."""
    media = _MediaChecker(root)
    problems: list[Problem] = []
    # most files have no problems, no media and no expiry: the entries that do are picked
    # in C, as this runs over every post
    items, values = list(entries.items()), list(entries.values())
    for __, entry in compress(items, map(_PROBLEMS, values)):
        problems.extend(map(problem_from_data, entry.problems))
    for key, entry in compress(items, map(_MEDIA, values)):
        problems.extend(media.problems(key, entry.media))
    for key, entry in compress(items, map(_EXPIRES, values)):
        problems.extend(_expired(key, entry, now))
    for key, entry in compress(items, map(_NEUTRAL, values)) if periods else ():
        problems.extend(neutrality_problems(key, entry.id, entry.neutral, periods, now))
    problems.extend(_duplicate_ids(entries))
    problems = _sealed(problems, entries, now)
    problems.sort(key=attrgetter("file", "line", "code"))
    return Report(files=files, problems=tuple(problems))


def _sealed(problems: list[Problem], entries: Mapping[str, Entry], now: datetime) -> list[Problem]:
    """The problems of embargoed posts without their messages, until the embargo ends."""
    sealed: dict[str, tuple[str, datetime]] = {}
    for key, entry in entries.items():
        if entry.embargo_until and (ends := datetime.fromisoformat(entry.embargo_until)) > now:
            sealed[key] = (entry.id, ends)
    if not sealed:
        return problems
    return [embargo.sealed_problem(p, *sealed[p.file]) if p.file in sealed else p for p in problems]


def all_media(post: Post) -> list[Media]:
    media = list(post.media)
    for override in post.overrides.values():
        media.extend(override.media or ())
    return media


class _MediaChecker:
    """Media file checks for one run; many posts share a file, so each is checked once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seen: dict[str, Problem | None] = {}

    def problems(self, source: str, media: list[list[Any]]) -> list[Problem]:
        """The problems of a file's media ([file, line] each)."""
        found = []
        for file, line in media:
            if file not in self.seen:
                self.seen[file] = media_file_problem("", file, 0, self.root)
            if seen := self.seen[file]:
                found.append(dataclasses.replace(seen, file=source, line=line))
        return found


def _expired(key: str, entry: Entry, now: datetime) -> list[Problem]:
    expires = entry.expires_at
    if not (expires and entry.approved and datetime.fromisoformat(expires) <= now):
        return []
    return [
        problem(
            "SP404",
            key,
            entry.expires_line,
            "expires_at",
            _("expired at {expires}: this post will not be published").format(expires=expires),
            _("remove the post or move expires_at"),
        )
    ]


def _duplicate_ids(entries: Mapping[str, Entry]) -> list[Problem]:
    # runs over every post: kept in C where it can (files without an id are left out)
    ids = list(filter(None, map(_ID, entries.values())))
    if len(set(ids)) == len(ids):
        return []
    counts = Counter(ids)
    shared: dict[str, list[tuple[str, int]]] = {}  # id → every place it is used
    checked: set[str] = set()  # ids of files checked in full
    for key, entry in entries.items():
        if entry.id and counts[entry.id] > 1:
            shared.setdefault(entry.id, []).append((key, entry.id_line))
            if not entry.quick:
                checked.add(entry.id)
    problems = []
    for post_id, places in shared.items():
        for file, line in places if post_id in checked else ():
            others = ", ".join(f"{f}:{n}" for f, n in places if f != file or n != line)
            problems.append(
                problem(
                    "SP105",
                    file,
                    line,
                    "id",
                    _("id {post_id!r} is used by another post too ({others})").format(
                        post_id=post_id, others=others
                    ),
                    _("every post needs its own id; never reuse an id once published"),
                )
            )
    return problems


def media_file_problem(source: str, file: str, line: int, root: Path) -> Problem | None:
    path = Path(file)
    if path.is_absolute() or file.startswith("~"):
        return problem(
            "SP202",
            source,
            line,
            "media.file",
            _("{file}: absolute paths are not allowed").format(file=file),
            _("give the path relative to the repository root, e.g. media/karte.png"),
        )
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return problem(
            "SP202",
            source,
            line,
            "media.file",
            _("{file}: points outside the repository").format(file=file),
            _("copy the file into the repository (symbolic links out of it are not followed)"),
        )
    if not resolved.is_file():
        siblings = (
            [p.name for p in (root / path).parent.glob("*")]
            if (root / path).parent.is_dir()
            else []
        )
        hint = did_you_mean(path.name, siblings) or _(
            "check the path; it is relative to the repository root"
        )
        return problem(
            "SP201", source, line, "media.file", _("{file}: file not found").format(file=file), hint
        )
    return None
