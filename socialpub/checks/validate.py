"""Validation: every rule, every file, every problem — never stopping at the first.

Per-file results (schema, rendering, limits, alt text) are cached by content hash; rules
that depend on other files (duplicate ids), on the file system (media exist, stay inside
the repo) or on the time (already expired) run fresh each time (`rules.py`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub import __version__, i18n
from socialpub.checks.cache import ValidationCache
from socialpub.checks.neutrality import neutral_data, periods_of
from socialpub.checks.prefork import Check, Prechecker
from socialpub.checks.report import Entry, Report, entry_of, id_entry, problem_data, report
from socialpub.content.codes import problem
from socialpub.content.config import Config
from socialpub.content.posts import Selection, discover, id_lines, load_post, post_channels
from socialpub.i18n import _
from socialpub.models import Post, Problem, Variant

if TYPE_CHECKING:  # the rules and rendering pull in regex, Jinja2 and markdown-it: a run that
    # finds every result in the cache needs none of them
    from socialpub.render.renderer import Renderer

#: below this many files to check, starting worker processes costs more than it saves
PARALLEL_FROM = 200
#: what the forked checker renders first (`_warm_up`), never reported or cached
_WARM_UP_POST = b"""---
id: warm-up
title: Warm-up
status: draft
tags: [Landkreis]
---
Der **Kreistag** tagt am Mittwoch. Mehr unter https://www.example.org/kreistag/ und bei
@kreis@social.example. #Kreistag

- Punkt eins
- Punkt zwei
"""

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
    fingerprint = _fingerprint(config)
    folder = config.root / ".socialpub" / "cache"
    # A re-validation: load the renderer in a second process while this one reads the cache
    warm = (
        Prechecker.start(partial(_warm_up, config))
        if use_cache and ValidationCache.exists(folder, fingerprint)
        else None
    )
    try:
        files = discover(paths, config.posts_dir)
        keys = _keys(files, config, walked=not paths)
        full = files if changed is None else [p for p in files if os.path.abspath(p) in changed]  # noqa: PTH100
        with _collector_paused():
            cache = ValidationCache(folder, fingerprint)
            entries, misses = _look_up(full, keys, cache if use_cache and cache.rows else None)
        checked = _check_misses(misses, config, warm)
    finally:
        if warm is not None:  # stopped on every way out, or it would wait for files for ever
            warm.close()
    for miss, (entry, digest) in zip(misses, checked, strict=True):
        entries[miss.key] = entry
        if use_cache and digest:  # a file that could not be read is not remembered
            cache.store(miss.key, digest, miss.stat, entry)
    if use_cache:
        everything = not paths and changed is None  # else entries of other files stay
        cache.save(set(entries) if everything else None)
    if changed is not None:
        entries.update(_quick_entries([p for p in files if keys[p] not in entries], keys))
    with _collector_paused():
        return report(
            entries, files=len(full), root=config.root, now=now, periods=periods_of(config)
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cache's rows are many small containers without reference cycles: Python's
    cycle collector would walk them again and again while they are made (about a tenth of
    a re-validation's time), and find nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
        relative = [_relative(p, config) for p in problems]
        entries[key] = entry_of(post, relative, neutral_data(post, config))
    for place in selection.others:
        entries.setdefault(_key(place.file, config), id_entry(place.id, place.line))
    periods = periods_of(config)
    return report(entries, files=len(selection.loaded), root=config.root, now=now, periods=periods)


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


def _look_up(
    files: Sequence[str], keys: Mapping[str, str], cache: ValidationCache | None
) -> tuple[dict[str, Entry], list[_Miss]]:
    """The cached results of `files` by key, and the files to check. Without a cache, the
    files are left unread, so that the checking processes read them, not this one."""
    files, stats, entries = _stats(files, keys)
    if cache is None:
        return entries, [
            _Miss(Path(path), stat, keys[path]) for path, stat in zip(files, stats, strict=True)
        ]
    found, touched = cache.unchanged(list(map(keys.__getitem__, files)), stats)
    entries.update(found)
    misses = []
    for index in touched:  # read and hashed: unchanged content needs no check either
        path, stat = files[index], stats[index]
        key = keys[path]
        try:
            with open(path, "rb") as handle:  # noqa: PTH123 - plain strings
                data = handle.read()
        except OSError as exc:
            entries[key] = _unreadable(key, exc)
            continue
        if hit := cache.lookup_digest(key, _digest(data), stat):
            entries[key] = hit
        else:
            misses.append(_Miss(Path(path), stat, key, data))
    return entries, misses


def _stats(
    files: Sequence[str], keys: Mapping[str, str]
) -> tuple[Sequence[str], list[os.stat_result], dict[str, Entry]]:
    """The files that can be looked at with their stats, and an entry for each other."""
    try:
        return files, list(map(os.stat, files)), {}  # in C: this runs for every file
    except OSError:  # a file went away since it was found: ask each file on its own
        pass
    found: list[str] = []
    stats: list[os.stat_result] = []
    failed: dict[str, Entry] = {}
    for path in files:
        try:
            stats.append(os.stat(path))  # noqa: PTH116 - plain strings
            found.append(path)
        except OSError as exc:
            failed[keys[path]] = _unreadable(keys[path], exc)
    return found, stats, failed


def _unreadable(key: str, exc: OSError) -> Entry:
    report = problem(
        "SP001", key, 1, "", _("cannot read file: {strerror}").format(strerror=exc.strerror)
    )
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


def _check_misses(
    misses: Sequence[_Miss], config: Config, warm: Prechecker | None
) -> list[tuple[Entry, str]]:
    """The files' entries: from the warmed-up child when there is one and few files."""
    if warm is not None and 0 < len(misses) < PARALLEL_FROM:
        found = warm.check([(str(m.path), m.key, m.data) for m in misses])
        if found is not None:
            return [(Entry(*fields), digest) for fields, digest in found]
    if warm is not None:
        warm.close()  # before the work here: it would only take a core from it
    return _check_all(misses, config)


def _warm_up(config: Config) -> Check:
    """In the forked child: load the renderer, then check the files the parent sends."""
    from socialpub.render.renderer import Renderer

    renderer = Renderer(config, check_only=True)
    # a post like most, through every channel: the templates compile and the code that
    # rendering loads on first use is loaded before the parent asks
    _check_file(config.posts_dir / "_warm-up.md", _WARM_UP_POST, config, renderer)

    def check(files: Sequence[tuple[str, str, bytes | None]]) -> list[tuple[tuple[Any, ...], str]]:
        results = []
        for path, key, data in files:
            entry, digest = _check_one(Path(path), key, data, config, renderer)
            results.append((tuple(entry), digest))
        return results

    return check


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

    # Small batches, so that both cores stay busy to the end (the last batch of one worker
    # is all the other may wait for); the config travels once per worker, not per batch.
    size = max(16, len(misses) // (workers * 16))
    batches = [misses[i : i + size] for i in range(0, len(misses), size)]
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(config,)
    ) as pool:
        results = pool.map(_check_batch, batches)
        return [result for batch in results for result in batch]


#: a pool worker's config and renderer, set once by `_start_worker`
_worker: list[tuple[Config, Renderer]] = []


def _start_worker(config: Config) -> None:
    from socialpub.render.renderer import Renderer

    _worker.append((config, Renderer(config, check_only=True)))


def _check_batch(batch: Sequence[_Miss]) -> list[tuple[Entry, str]]:
    config, renderer = _worker[-1]
    return [_check_miss(miss, config, renderer) for miss in batch]


def _check_miss(miss: _Miss, config: Config, renderer: Renderer) -> tuple[Entry, str]:
    return _check_one(miss.path, miss.key, miss.data, config, renderer)


def _check_one(
    path: Path, key: str, data: bytes | None, config: Config, renderer: Renderer
) -> tuple[Entry, str]:
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return _unreadable(key, exc), ""
    return _check_file(path, data, config, renderer), _digest(data)


def _check_file(path: Path, data: bytes, config: Config, renderer: Renderer) -> Entry:
    loaded = load_post(path, data, timezone=config.timezone, default_lang=config.lang)
    problems = list(loaded.problems)
    if loaded.post is not None:
        problems.extend(check_post(loaded.post, config, renderer))
    neutral = neutral_data(loaded.post, config) if loaded.post is not None else ()
    return entry_of(loaded.post, [_relative(p, config) for p in problems], neutral)


# --- helpers -------------------------------------------------------------------------------


def _keys(files: Sequence[str], config: Config, walked: bool) -> dict[str, str]:
    """Each file's key (`_key`). Files found by walking the posts folder inside the
    repository are absolute already: their keys are sliced off (this runs for every file of
    every run). Walked names never start with ".", so no "./" or "../" (which abspath would
    change) can follow the posts folder in them."""
    prefix = str(config.root) + os.sep
    folder = str(config.posts_dir) + os.sep
    inside = folder[len(prefix) :]
    plain = folder.startswith(prefix) and not inside.startswith(".") and "/." not in inside
    if walked and plain and os.sep == "/":
        start = len(prefix)
        return {path: path[start:] for path in files}
    return {path: _key(path, config) for path in files}


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
    # the language: cached problems carry their messages
    parts = [__version__, sys.version, config.fingerprint, str(config.root), i18n.language()]
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
