"""Validation: every rule, every file, every problem — never stopping at the first.

Per-file results (schema, rendering, limits, alt text) are cached by content hash; rules
that depend on other files (duplicate ids), on the file system (media exist, stay inside
the repo) or on the time (already expired) run fresh each time (`rules.py`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socialpub import __version__
from socialpub.checks.cache import ValidationCache
from socialpub.checks.report import Entry, Report, entry_of, id_entry, problem_data, report
from socialpub.content.codes import problem
from socialpub.content.config import Config
from socialpub.content.posts import Selection, discover, id_lines, load_post, post_channels
from socialpub.models import Post, Problem, Variant

if TYPE_CHECKING:  # the rules and rendering pull in regex, Jinja2 and markdown-it: a run that
    # finds every result in the cache needs none of them
    from socialpub.render.renderer import Renderer

#: below this many files to check, starting worker processes costs more than it saves
PARALLEL_FROM = 200

__all__ = ["Report", "check_post", "check_selection", "validate"]


def validate(
    paths: Sequence[Path],
    config: Config,
    *,
    now: datetime,
    use_cache: bool = True,
    changed: Collection[str] | None = None,
) -> Report:
    """Check the post files under `paths` (default: the posts folder).

    With `changed` (absolute paths), only those files are checked in full; the others take
    part in the rules across files (duplicate ids) through a quick scan of their ids."""
    files = discover(paths, config.posts_dir)
    keys = _keys(files, config)
    full = files if changed is None else [p for p in files if os.path.abspath(p) in changed]  # noqa: PTH100
    cache = ValidationCache(config.root / ".socialpub" / "cache", _fingerprint(config))
    entries: dict[str, Entry] = {}
    misses: list[_Miss] = []
    looked_up = cache if use_cache and cache.rows else None  # an empty cache has no hits
    for path in full:
        found = _cached_entry(path, keys[path], looked_up)
        if isinstance(found, _Miss):
            misses.append(found)
        else:
            entries[keys[path]] = found
    for miss, (entry, digest) in zip(misses, _check_all(misses, config), strict=True):
        entries[miss.key] = entry
        if use_cache and digest:  # a file that could not be read is not remembered
            cache.store(miss.key, digest, miss.stat, entry)
    if use_cache:
        everything = not paths and changed is None  # else entries of other files stay
        cache.save(set(entries) if everything else None)
    if changed is not None:
        entries.update(_quick_entries([p for p in files if keys[p] not in entries], keys))
    return report(entries, files=len(full), root=config.root, now=now)


def check_selection(
    selection: Selection, variants: Mapping[str, Sequence[Variant]], config: Config, now: datetime
) -> Report:
    """Check posts already read and rendered (`publish`, `plan`): nothing is read or
    rendered twice. `variants` holds each post's variants for all of its channels, by id;
    the files not selected take part in the duplicate-id rule."""
    from socialpub.checks.rules import post_problems

    entries: dict[str, Entry] = {}
    for loaded in selection.loaded:
        post = loaded.post
        assert post is not None
        channels = post_channels(post, config)
        problems = [*loaded.problems, *post_problems(post, channels, variants[post.id], config)]
        key = _key(str(loaded.path), config)
        entries[key] = entry_of(post, [_relative(p, config) for p in problems])
    for place in selection.others:
        entries.setdefault(_key(place.file, config), id_entry(place.id, place.line))
    return report(entries, files=len(selection.loaded), root=config.root, now=now)


def check_post(post: Post, config: Config, renderer: Renderer) -> list[Problem]:
    """The cacheable rules of one loaded post, rendering its variants with `renderer`."""
    from socialpub.checks.rules import post_problems

    channels = post_channels(post, config)
    return post_problems(post, channels, renderer.variants(post, channels), config)


# --- per-file entries (cached) -----------------------------------------------------------


@dataclass(frozen=True)
class _Miss:
    """A file whose result is not in the cache: it must be checked. Its bytes are read
    already when the cache was asked by content; else whoever checks it reads them."""

    path: Path
    stat: os.stat_result
    key: str
    data: bytes | None = None


def _cached_entry(path: str, key: str, cache: ValidationCache | None) -> Entry | _Miss:
    """The file's cached result, else the miss (without a cache: unread, so that the
    checking processes read it, not this one)."""
    try:
        stat = os.stat(path)  # noqa: PTH116 - plain strings: runs for every file
        if cache is None:
            return _Miss(Path(path), stat, key)
        if hit := cache.lookup_stat(key, stat):
            return hit
        with open(path, "rb") as handle:  # noqa: PTH123 - plain strings: runs for every file
            data = handle.read()
    except OSError as exc:
        return _unreadable(key, exc)
    if hit := cache.lookup_digest(key, _digest(data), stat):
        return hit
    return _Miss(Path(path), stat, key, data)


def _unreadable(key: str, exc: OSError) -> Entry:
    report = problem("SP001", key, 1, "", f"cannot read file: {exc.strerror}")
    return Entry("", 1, [problem_data(report)], [])


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _quick_entries(files: Sequence[str], keys: Mapping[str, str]) -> dict[str, Entry]:
    """The ids of files not checked in full, read from their first lines."""
    found: dict[str, Entry] = {}
    for path in files:
        try:
            with open(path, "rb") as handle:  # noqa: PTH123 - plain strings: runs for every file
                ids = id_lines(handle.read())
        except OSError:
            continue  # a file that cannot be read has no id to collide with
        if ids:
            found[keys[path]] = id_entry(*ids[0])
    return found


def _check_all(misses: Sequence[_Miss], config: Config) -> list[tuple[Entry, str]]:
    """Check files, on every core when there are many (results come back in order), each
    result with the content hash it belongs to ("" for a file that could not be read)."""
    if not misses:
        return []
    from socialpub.render.renderer import Renderer

    workers = min(os.cpu_count() or 1, 8)
    if len(misses) < PARALLEL_FROM or workers < 2:
        renderer = Renderer(config, check_only=True)
        return [_check_miss(miss, config, renderer) for miss in misses]
    from concurrent.futures import ProcessPoolExecutor  # ~15 ms: only for many misses

    size = max(16, len(misses) // (workers * 4))
    batches = [misses[i : i + size] for i in range(0, len(misses), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_check_batch, [config] * len(batches), batches)
        return [result for batch in results for result in batch]


def _check_batch(config: Config, batch: Sequence[_Miss]) -> list[tuple[Entry, str]]:
    from socialpub.render.renderer import Renderer

    renderer = Renderer(config, check_only=True)
    return [_check_miss(miss, config, renderer) for miss in batch]


def _check_miss(miss: _Miss, config: Config, renderer: Renderer) -> tuple[Entry, str]:
    data = miss.data
    if data is None:
        try:
            data = miss.path.read_bytes()
        except OSError as exc:
            return _unreadable(miss.key, exc), ""
    return _check_file(miss.path, data, config, renderer), _digest(data)


def _check_file(path: Path, data: bytes, config: Config, renderer: Renderer) -> Entry:
    loaded = load_post(path, data, timezone=config.timezone, default_lang=config.lang)
    problems = list(loaded.problems)
    if loaded.post is not None:
        problems.extend(check_post(loaded.post, config, renderer))
    return entry_of(loaded.post, [_relative(p, config) for p in problems])


# --- helpers -------------------------------------------------------------------------------


def _keys(files: Sequence[str], config: Config) -> dict[str, str]:
    """Each file's key (`_key`); the posts folder's files, absolute already, by slicing."""
    prefix = str(config.root) + os.sep
    if os.sep != "/":
        return {path: _key(path, config) for path in files}
    keys = {}
    for path in files:
        rest = path[len(prefix) :]
        # "./" or "../" would be changed by abspath (walked names never start with ".")
        plain = path.startswith(prefix) and not rest.startswith(".") and "/." not in rest
        keys[path] = rest if plain else _key(path, config)
    return keys


def _key(path: str, config: Config) -> str:
    """The path as shown in messages: relative to the repository root when inside it."""
    absolute = os.path.abspath(path)  # noqa: PTH100 - plain strings: runs for every file
    root = str(config.root) + os.sep
    if absolute.startswith(root):
        return absolute[len(root) :].replace(os.sep, "/")
    return str(path)


def _relative(found: Problem, config: Config) -> Problem:
    return dataclasses.replace(found, file=_key(found.file, config))


def _fingerprint(config: Config) -> str:
    """Everything besides a post's own bytes that its cached result depends on."""
    parts = [__version__, sys.version, config.fingerprint, str(config.root)]  # sys: marshal
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
