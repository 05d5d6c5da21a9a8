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
    found: set[str] = set()
    for root in roots:
        if root.is_dir():
            found.update(_walk(root))
        else:
            found.add(os.fspath(root))
    return sorted(found)


def _walk(folder: Path) -> Iterator[str]:
    """Post files below `folder`, skipping names that start with "." or "_" and READMEs."""
    suffixes = MARKDOWN_SUFFIXES + YAML_SUFFIXES
    for current, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for name in names:
            lower = name.lower()
            if name.startswith((".", "_")) or lower == "readme.md":
                continue
            if lower.endswith(suffixes):
                yield os.path.join(current, name)  # noqa: PTH118 - see discover()


_ID_LINE = re.compile(rb"^id:\s*['\"]?([a-z0-9][a-z0-9-]*)", re.MULTILINE)


def quick_ids(path: str | Path) -> set[str]:
    """The ids in a post file's first lines, without parsing it (to find a post by id)."""
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - runs for every post file
            head = handle.read(4096)
    except OSError:
        return set()
    return {found.decode() for found in _ID_LINE.findall(head)}


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
            self.report("SP001", exc.line, "", exc.message, "save the file as UTF-8")
            return None
        if not text.strip():
            self.report("SP004", 1, "", "the file is empty", "write front matter and text")
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
            self.report("SP006", first_line, "", "expected `key: value` lines at the top")
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
                "a Markdown post must start with front matter",
                "put a line `---`, the keys (id, title, …) and another `---` above the text",
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
            "front matter is opened with --- but never closed",
            "add a line `---` after the last key",
        )
        return None

    def yaml_body(self, meta: yamlsafe.YMap) -> tuple[str, int]:
        body = meta.pop("body", None)
        line = meta.lines.pop("body", meta.line)
        if body is None:
            return "", line
        if not isinstance(body, str):
            self.report("SP103", line, "body", "body must be text")
            return "", line
        return body, line + 1

    def build(self, meta: yamlsafe.YMap, body: str, body_line: int) -> Post:
        for key in meta:
            if key not in POST_KEYS:
                hint = did_you_mean(key, POST_KEYS) or "known keys: " + ", ".join(POST_KEYS)
                self.report("SP102", meta.line_of(key), key, f"unknown key {key!r}", hint)
        publish_at = self.date(meta, "publish_at")
        expires_at = self.date(meta, "expires_at")
        if publish_at and expires_at and expires_at <= publish_at:
            self.report(
                "SP108",
                meta.line_of("expires_at"),
                "expires_at",
                "expires_at must be after publish_at",
                f"publish_at is {publish_at.isoformat()}",
            )
        if not body.strip():
            self.report("SP113", body_line, "body", "the post has no text", "write the text")
        lines = dict(meta.lines)
        lines["body"] = body_line
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
            lines=lines,
        )


# --- choosing posts -------------------------------------------------------------------------


def post_channels(post: Post, config: Config) -> dict[str, ChannelConfig]:
    """The configured channels a post goes to: its `channels:` list, or all."""
    if post.channels is None:
        return dict(config.channels)
    return {name: config.channels[name] for name in post.channels if name in config.channels}


def select_posts(
    config: Config, selectors: Sequence[str]
) -> list[tuple[Post, tuple[Problem, ...]]]:
    files = [Path(file) for file in discover([], config.posts_dir)]
    wanted_ids = {s for s in selectors if not Path(s).is_file()}
    chosen = [Path(s) for s in selectors if Path(s).is_file()]
    ids = {path: quick_ids(path) for path in files} if wanted_ids else {}
    if wanted_ids:
        chosen += [path for path in files if ids[path] & wanted_ids]
    elif not selectors:
        chosen = files
    loaded = []
    for path in dict.fromkeys(chosen):
        result = load_post(
            path, path.read_bytes(), timezone=config.timezone, default_lang=config.lang
        )
        if result.post is None:
            raise ContentError(
                f"{path} cannot be read as a post",
                hint="run `socialpub validate` to see why",
                problems=result.problems,
            )
        if not wanted_ids or result.post.id in wanted_ids or str(path) in selectors:
            loaded.append((result.post, result.problems))
    missing = wanted_ids - {post.id for post, _ in loaded}
    if missing:
        name = sorted(missing)[0]
        known = [post_id for found in ids.values() for post_id in found]
        raise ContentError(
            f"no post with id {name!r}", hint=did_you_mean(name, known) or "check the id"
        )
    return loaded
