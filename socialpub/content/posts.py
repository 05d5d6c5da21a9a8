"""Find post files and load them into Posts, with every problem pointing at file:line.

A post is Markdown with YAML front matter (`*.md`) or plain YAML with the text in `body:`
(`*.yaml`). Key-by-key rules live in `schema.py`; rules across files or
channels live in `socialpub.checks.validate`. Choosing posts (by id or file) and the channels
each one goes to are here too, so every command reads a post file the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from socialpub.content import yamlsafe
from socialpub.content.config import ChannelConfig, Config
from socialpub.content.schema import FieldReader
from socialpub.content.textfile import DecodeProblem, decode, did_you_mean
from socialpub.errors import ContentError
from socialpub.i18n import _
from socialpub.models import Post, Problem

MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")
POST_KEYS = (
    "id",
    "title",
    "status",
    "author",
    "department",
    "approved_by",
    "publish_at",
    "expires_at",
    "channels",
    "lang",
    "link",
    "tags",
    "media",
    "thread",
    "overrides",
    "embargo",
    "urgent",
)


@dataclass(frozen=True)
class LoadResult:
    """A loaded post (None when the file could not be read as a post) and its problems."""

    path: Path
    post: Post | None
    problems: tuple[Problem, ...] = ()


def discover(paths: Iterable[Path], posts_dir: Path) -> list[str]:
    """Post files under the given paths (default: the posts folder), sorted.

    Plain strings, not Paths: a repository has thousands of posts, and building a Path
    for each costs more than the rest of a cached validation run.
    """
    roots = list(paths) or [posts_dir]
    if len(roots) == 1 and roots[0].is_dir():  # nothing to merge
        return sorted(_walk(roots[0]))
    found: set[str] = set()
    for root in roots:
        if root.is_dir():
            found.update(_walk(root))
        else:
            found.add(os.fspath(root))
    return sorted(found)


def _walk(folder: Path) -> Iterator[str]:
    """Post files below `folder`, skipping names that start with "." or "_" and READMEs.

    As `os.walk` would find them (symbolic links to folders are not followed, folders that
    cannot be read are skipped), in a tighter loop: it runs for every file of every run."""
    suffixes = MARKDOWN_SUFFIXES + YAML_SUFFIXES
    folders = [os.fspath(folder)]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name[0] in "._":
                continue
            if entry.is_dir():
                if not entry.is_symlink():
                    folders.append(entry.path)
                continue
            lower = name.lower()
            if lower.endswith(suffixes) and lower != "readme.md":
                yield entry.path


_ID_LINE = re.compile(rb"^id:\s*['\"]?([a-z0-9][a-z0-9-]*)", re.MULTILINE)
#: ids sit at the top of a post; the quick scan reads no further
QUICK_SCAN_BYTES = 4096


def quick_ids(path: str | Path) -> set[str]:
    """The ids in a post file's first lines, without parsing it (to find a post by id)."""
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - runs for every post file
            head = handle.read(QUICK_SCAN_BYTES)
    except OSError:
        return set()
    return {post_id for post_id, _ in id_lines(head)}


def id_lines(data: bytes) -> list[tuple[str, int]]:
    """Each `id:` line of a post file's front matter and its line number, without parsing:
    what rules across files (duplicate ids) need of posts that are not checked in full."""
    head = data[:QUICK_SCAN_BYTES]
    if head.startswith(b"---"):  # Markdown: the body may hold any text
        end = head.find(b"\n---", 3)
        head = head if end < 0 else head[:end]
    return [
        (match.group(1).decode(), head.count(b"\n", 0, match.start()) + 1)
        for match in _ID_LINE.finditer(head)
    ]


def load_post(path: Path, data: bytes, *, timezone: tzinfo, default_lang: str) -> LoadResult:
    """Parse one post file's bytes. Never raises for bad content: returns problems."""
    reader = _Reader(path, timezone, default_lang)
    post = reader.read(data)
    return LoadResult(path, post, tuple(reader.problems))


class _Reader(FieldReader):
    """Reads one file: front matter and body; the keys' values via FieldReader."""

    def read(self, data: bytes) -> Post | None:
        try:
            text = decode(data)
        except DecodeProblem as exc:
            self.report("SP001", exc.line, "", exc.message, _("save the file as UTF-8"))
            return None
        if not text.strip():
            self.report("SP004", 1, "", _("the file is empty"), _("write front matter and text"))
            return None
        split = self.split(text)
        if split is None:
            return None
        meta_text, first_line, body, body_line = split
        try:
            meta = yamlsafe.load(meta_text, first_line=first_line)
        except yamlsafe.YamlProblem as exc:
            code = "SP002" if exc.message.startswith("YAML syntax") else "SP005"
            self.report(code, exc.line, "", exc.message, exc.hint)
            return None
        if not isinstance(meta, yamlsafe.YMap):
            self.report("SP006", first_line, "", _("expected `key: value` lines at the top"))
            return None
        if body is None:
            body, body_line = self.yaml_body(meta)
        return self.build(meta, body, body_line)

    def split(self, text: str) -> tuple[str, int, str | None, int] | None:
        """(front matter, its first line, body or None for YAML files, body's first line)."""
        if self.path.suffix.lower() in YAML_SUFFIXES:
            return text, 1, None, 1
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            self.report(
                "SP006",
                1,
                "",
                _("a Markdown post must start with front matter"),
                _("put a line `---`, the keys (id, title, …) and another `---` above the text"),
            )
            return None
        for index, line in enumerate(lines[1:], start=1):
            if line.rstrip() in ("---", "..."):
                meta = "\n".join(lines[1:index])
                body = "\n".join(lines[index + 1 :])
                return meta, 2, body, index + 2
        self.report(
            "SP003",
            1,
            "",
            _("front matter is opened with --- but never closed"),
            _("add a line `---` after the last key"),
        )
        return None

    def yaml_body(self, meta: yamlsafe.YMap) -> tuple[str, int]:
        body = meta.pop("body", None)
        line = meta.lines.pop("body", meta.line)
        if body is None:
            return "", line
        if not isinstance(body, str):
            self.report("SP103", line, "body", _("body must be text"))
            return "", line
        return body, line + 1

    def build(self, meta: yamlsafe.YMap, body: str, body_line: int) -> Post:
        for key in meta:
            if key not in POST_KEYS:
                hint = did_you_mean(key, POST_KEYS) or _("known keys: ") + ", ".join(POST_KEYS)
                self.report(
                    "SP102", meta.line_of(key), key, _("unknown key {key!r}").format(key=key), hint
                )
        publish_at = self.date(meta, "publish_at")
        expires_at = self.date(meta, "expires_at")
        if publish_at and expires_at and expires_at <= publish_at:
            self.report(
                "SP108",
                meta.line_of("expires_at"),
                "expires_at",
                _("expires_at must be after publish_at"),
                _("publish_at is {publish_at}").format(publish_at=publish_at.isoformat()),
            )
        if not body.strip():
            self.report("SP113", body_line, "body", _("the post has no text"), _("write the text"))
        lines = dict(meta.lines)
        lines["body"] = body_line
        # where the text itself starts: blank lines after the front matter are stripped
        lines["text"] = body_line + len(body) - len(body.lstrip("\n"))
        return Post(
            id=self.post_id(meta),
            title=self.required_text(meta, "title"),
            body=body.strip("\n"),
            source=self.path,
            status=self.status(meta),
            author=self.optional_text(meta, "author"),
            department=self.optional_text(meta, "department"),
            approved_by=self.optional_text(meta, "approved_by"),
            publish_at=publish_at,
            expires_at=expires_at,
            channels=self.channel_names(meta),
            lang=self.lang(meta),
            link=self.link(meta, "link", meta.get("link")),
            tags=self.tags(meta, "tags", meta.get("tags")) or (),
            media=self.media(meta, "media", meta.get("media")) or (),
            thread=self.flag(meta, "thread", meta.get("thread")) or False,
            overrides=self.overrides(meta),
            embargo=self.embargo(meta, publish_at),
            urgent=self.flag(meta, "urgent", meta.get("urgent")) or False,
            lines=lines,
        )


# --- choosing posts -------------------------------------------------------------------------


def post_channels(post: Post, config: Config) -> dict[str, ChannelConfig]:
    """The configured channels a post goes to: its `channels:` list, or all that can take it
    (a channel that publishes only posts with media, Instagram, is left out of a post without
    any; named in `channels:`, it stays, and validation refuses the post: SP208)."""
    if post.channels is None:
        allowed = _department_channels(post, config)
        return {
            n: c
            for n, c in config.channels.items()
            if _can_take(post, n, c) and (allowed is None or n in allowed)
        }
    return {name: config.channels[name] for name in post.channels if name in config.channels}


def _department_channels(post: Post, config: Config) -> tuple[str, ...] | None:
    """A department's post without `channels:` goes to the department's channels only."""
    if config.workflow is None:
        return None
    department = config.workflow.department_of(post.source, config.posts_dir)
    return department.channels if department else None


def _can_take(post: Post, name: str, channel: ChannelConfig) -> bool:
    if not channel.capabilities.requires_media:
        return True
    override = post.overrides.get(name)
    media = override.media if override is not None and override.media is not None else post.media
    return bool(media)


@dataclass(frozen=True)
class IdPlace:
    """Where a post file not checked in full declares its id (from `id_lines`)."""

    id: str
    file: str
    line: int


@dataclass(frozen=True)
class Selection:
    """The posts a command works on, each file read once, and the ids of the other post
    files (duplicate ids are a rule across all files)."""

    loaded: tuple[LoadResult, ...]
    others: tuple[IdPlace, ...] = ()

    def __iter__(self) -> Iterator[tuple[Post, tuple[Problem, ...]]]:
        for result in self.loaded:
            assert result.post is not None  # select_posts refuses files that are no post
            yield result.post, result.problems


def select_posts(config: Config, selectors: Sequence[str]) -> Selection:
    """The posts named by id or file (all posts when there are none), each file read once.

    A chosen file that cannot be read as a post is an error (exit 3, with its problems);
    so is an id that no post has."""
    files = discover([], config.posts_dir)
    named = {os.path.abspath(s): s for s in selectors if Path(s).is_file()}  # noqa: PTH100
    wanted_ids = {s for s in selectors if not Path(s).is_file()}
    everything = not selectors or bool(wanted_ids)
    chosen: dict[str, bytes] = {}
    others: list[IdPlace] = []
    for file in dict.fromkeys([*files, *named.values()]):
        absolute = os.path.abspath(file)  # noqa: PTH100 - plain strings: runs for every file
        if not everything and absolute not in named:
            others += [IdPlace(i, file, line) for i, line in id_lines(_head(file))]
            continue
        data = Path(file).read_bytes()
        ids = {post_id for post_id, _ in id_lines(data)}
        if not selectors or absolute in named or ids & wanted_ids:
            chosen.setdefault(absolute, data)
        else:
            others += [IdPlace(i, file, line) for i, line in id_lines(data)]
    loaded = [_load_chosen(Path(file), data, config) for file, data in chosen.items()]
    if wanted_ids:  # a quick id match is only a candidate: the parsed id decides
        others += [_place(r) for r in loaded if not _wanted(r, wanted_ids, named)]
        loaded = [r for r in loaded if _wanted(r, wanted_ids, named)]
        _require_ids(wanted_ids, loaded, others)
    return Selection(tuple(loaded), tuple(others))


def _place(result: LoadResult) -> IdPlace:
    assert result.post is not None
    return IdPlace(result.post.id, str(result.path), result.post.line_of("id"))


def _load_chosen(path: Path, data: bytes, config: Config) -> LoadResult:
    result = load_post(path, data, timezone=config.timezone, default_lang=config.lang)
    if result.post is None:
        raise ContentError(
            _("{path} cannot be read as a post").format(path=path),
            hint=_("run `socialpub validate` to see why"),
            problems=result.problems,
        )
    return result


def _wanted(result: LoadResult, wanted_ids: set[str], named: dict[str, str]) -> bool:
    assert result.post is not None
    return result.post.id in wanted_ids or os.path.abspath(result.path) in named  # noqa: PTH100


def _require_ids(wanted_ids: set[str], loaded: list[LoadResult], others: list[IdPlace]) -> None:
    found = {r.post.id for r in loaded if r.post is not None}
    missing = wanted_ids - found
    if missing:
        name = sorted(missing)[0]
        known = [*found, *(place.id for place in others)]
        raise ContentError(
            _("no post with id {name!r}").format(name=name),
            hint=did_you_mean(name, known) or _("check the id"),
        )


def _head(file: str) -> bytes:
    try:
        with open(file, "rb") as handle:  # noqa: PTH123 - runs for every post file
            return handle.read(QUICK_SCAN_BYTES)
    except OSError:
        return b""
