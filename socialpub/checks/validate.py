"""Validation: every rule, every file, every problem — never stopping at the first.

Per-file results (schema, rendering, limits, alt text) are cached by content hash; rules
that depend on other files (duplicate ids), on the file system (media exist, stay inside
the repo) or on the time (already expired) run fresh each time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from socialpub import __version__
from socialpub.checks.media import (
    all_media,
    media_file_problem,
    media_problems,
)
from socialpub.content.cache import Entry, ValidationCache
from socialpub.content.codes import problem
from socialpub.content.config import Config, channel_hint
from socialpub.content.posts import discover, load_post, post_channels
from socialpub.models import Post, Problem, Severity, Status
from socialpub.render.counting import graphemes

if TYPE_CHECKING:  # rendering pulls in Jinja2 and markdown-it: imported only when needed
    from socialpub.render.renderer import Renderer

MAX_EMOJI = 5
#: below this many files to check, starting worker processes costs more than it saves
PARALLEL_FROM = 200
_PICTOGRAPH = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
_BODY_HASHTAG = regex.compile(r"(?<![\w#])#(\w+)")


@dataclass(frozen=True)
class Report:
    files: int
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def validate(
    paths: Sequence[Path], config: Config, *, now: datetime, use_cache: bool = True
) -> Report:
    files = discover(paths, config.posts_dir)
    keys = {path: _key(path, config) for path in files}
    cache = ValidationCache(config.root / ".socialpub" / "cache", _fingerprint(config))
    entries: dict[str, Entry] = {}
    misses: list[_Miss] = []
    for path, key in keys.items():
        found = _cached_entry(path, key, cache if use_cache else None)
        if isinstance(found, _Miss):
            misses.append(found)
        else:
            entries[key] = found
    for miss, entry in zip(misses, _check_all(misses, config), strict=True):
        entries[miss.key] = entry
        if use_cache:
            cache.store(miss.key, miss.digest, miss.stat, entry)
    if use_cache:
        cache.save(set(entries))
    media = _MediaChecker(config.root)
    problems: list[Problem] = []
    for key, entry in entries.items():
        problems.extend(_problem_from_json(p) for p in entry["problems"])
        problems.extend(_fresh_problems(key, entry, media, now))
    problems.extend(_duplicate_ids(entries))
    problems.sort(key=lambda p: (p.file, p.line, p.code))
    return Report(files=len(files), problems=tuple(problems))


def check_post(post: Post, config: Config, renderer: Renderer) -> list[Problem]:
    """The cacheable rules of one loaded post: channels, media rules, rendering, style."""
    problems = _channel_problems(post, config)
    channels = post_channels(post, config)
    problems.extend(media_problems(post, channels))
    for variant in renderer.variants(post, channels):
        problems.extend(variant.problems)
    problems.extend(_editorial_problems(post))
    return problems


# --- per-file entries (cached) -----------------------------------------------------------


@dataclass(frozen=True)
class _Miss:
    """A file whose result is not in the cache: it must be checked."""

    path: Path
    key: str
    digest: str
    stat: os.stat_result
    data: bytes


def _cached_entry(path: str, key: str, cache: ValidationCache | None) -> Entry | _Miss:
    try:
        stat = os.stat(path)  # noqa: PTH116 - plain strings: runs for every file
        if cache and (hit := cache.lookup_stat(key, stat)):
            return hit
        with open(path, "rb") as handle:  # noqa: PTH123 - plain strings: runs for every file
            data = handle.read()
    except OSError as exc:
        report = problem("SP001", key, 1, "", f"cannot read file: {exc.strerror}")
        return {"problems": [report.as_dict()], "id": "", "media": []}
    digest = hashlib.sha256(data).hexdigest()
    if cache and (hit := cache.lookup_digest(key, digest, stat)):
        return hit
    return _Miss(Path(path), key, digest, stat, data)


def _check_all(misses: Sequence[_Miss], config: Config) -> list[Entry]:
    """Check files, on every core when there are many (results come back in order)."""
    from socialpub.render.renderer import Renderer

    workers = min(os.cpu_count() or 1, 8)
    if len(misses) < PARALLEL_FROM or workers < 2:
        renderer = Renderer(config, check_only=True)
        return [_check_file(m.path, m.data, config, renderer) for m in misses]
    size = max(16, len(misses) // (workers * 4))
    batches = [
        [(m.path, m.data) for m in misses[i : i + size]] for i in range(0, len(misses), size)
    ]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_check_batch, [config] * len(batches), batches)
        return [entry for batch in results for entry in batch]


def _check_batch(config: Config, batch: Sequence[tuple[Path, bytes]]) -> list[Entry]:
    from socialpub.render.renderer import Renderer

    renderer = Renderer(config, check_only=True)
    return [_check_file(path, data, config, renderer) for path, data in batch]


def _check_file(path: Path, data: bytes, config: Config, renderer: Renderer) -> Entry:
    loaded = load_post(path, data, timezone=config.timezone, default_lang=config.lang)
    problems = list(loaded.problems)
    post = loaded.post
    if post is not None:
        problems.extend(check_post(post, config, renderer))
    media = all_media(post) if post else []
    return {
        "id": post.id if post else "",
        "id_line": post.line_of("id") if post else 1,
        "problems": [_relative(p, config).as_dict() for p in problems],
        "media": [[m.file, m.line] for m in media],
        "expires_at": post.expires_at.isoformat() if post and post.expires_at else None,
        "expires_line": post.line_of("expires_at") if post else 1,
        "approved": bool(post and post.status is Status.APPROVED),
    }


# --- rules ---------------------------------------------------------------------------------


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
    emoji = _emoji_count(post.body)
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


def _emoji_count(text: str) -> int:
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


# --- fresh rules ---------------------------------------------------------------------------


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


def _duplicate_ids(entries: dict[str, Entry]) -> list[Problem]:
    by_id: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, entry in entries.items():
        if entry.get("id"):
            by_id[entry["id"]].append((key, entry.get("id_line", 1)))
    problems = []
    for post_id, places in by_id.items():
        for file, line in places if len(places) > 1 else ():
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


# --- helpers -------------------------------------------------------------------------------


def _key(path: str, config: Config) -> str:
    """The path as shown in messages: relative to the repository root when inside it."""
    absolute = os.path.abspath(path)  # noqa: PTH100 - plain strings: runs for every file
    root = str(config.root) + os.sep
    if absolute.startswith(root):
        return absolute[len(root) :].replace(os.sep, "/")
    return str(path)


def _relative(report: Problem, config: Config) -> Problem:
    return dataclasses.replace(report, file=_key(report.file, config))


def _problem_from_json(data: dict[str, object]) -> Problem:
    return Problem(
        file=str(data["file"]),
        line=int(str(data["line"])),
        field=str(data["field"]),
        code=str(data["code"]),
        severity=Severity(str(data["severity"])),
        message=str(data["message"]),
        hint=str(data.get("hint", "")),
    )


def _fingerprint(config: Config) -> str:
    """Everything besides a post's own bytes that its cached result depends on."""
    parts = [__version__, config.fingerprint, str(config.root)]
    package = Path(__file__).resolve().parents[1]
    for folder, pattern in (
        (config.templates_dir, "**/*"),
        (package, "**/*.py"),
        (package, "render/defaults/*"),
    ):
        if folder.is_dir():
            for file in sorted(folder.glob(pattern)):
                stat = file.stat()
                parts.append(f"{file}:{stat.st_mtime_ns}:{stat.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
