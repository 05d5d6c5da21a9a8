"""Readers for the values of a post's keys: types, formats, and a problem for each mistake.

Used by `posts.py`; every method reports problems with the key's line and returns a safe
default, so one file yields all of its problems at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.content.isotime import isoparse
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Media, Override, Problem, Status

OVERRIDE_KEYS = ("text", "template", "tags", "media", "thread", "link")
MEDIA_KEYS = ("file", "alt", "credit")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_PATTERN = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
LINK_PATTERN = re.compile(r"^https://[^\s/?#]+\.[^\s/?#]+[^\s]*$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TAG_WORD = re.compile(r"[\w]+")


_TEXT: dict[str, Any] = {"type": "string"}
_FLAG: dict[str, Any] = {"type": "boolean"}
_TAGS: dict[str, Any] = {
    "anyOf": [
        {"type": ["string", "integer"]},
        {"type": "array", "items": {"type": ["string", "integer"]}},
    ]
}
_MEDIA: dict[str, Any] = {
    "type": "array",
    "items": {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "minLength": 1},
                    "alt": _TEXT,
                    "credit": _TEXT,
                },
                "required": ["file"],
                "additionalProperties": False,
            },
        ]
    },
}
_LINK: dict[str, Any] = {"type": "string", "pattern": LINK_PATTERN.pattern}
#: an override's keys as JSON Schema: what `FieldReader.override` reads
OVERRIDE_VALUES: dict[str, Any] = {
    "text": _TEXT, "template": _TEXT, "tags": _TAGS, "media": _MEDIA, "thread": _FLAG, "link": _LINK
}  # fmt: skip
#: each front-matter key's valid values as JSON Schema, beside the readers that check them
#: (posts.POST_KEYS lists the same keys; content/editorschema.py refuses to build otherwise).
#: Validation is stricter in places: a tag must make a hashtag, a date must parse as ISO 8601.
POST_VALUES: dict[str, Any] = {
    "id": {"type": ["string", "integer"], "pattern": ID_PATTERN.pattern},
    "title": {"type": ["string", "number"], "minLength": 1},
    "status": {"enum": [s.value for s in Status]},
    "author": _TEXT,
    "department": _TEXT,
    "approved_by": _TEXT,
    "publish_at": _TEXT,
    "expires_at": _TEXT,
    "channels": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "lang": {"type": "string", "pattern": LANG_PATTERN.pattern},
    "link": _LINK,
    "tags": _TAGS,
    "media": _MEDIA,
    "thread": _FLAG,
    "overrides": {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": OVERRIDE_VALUES,
            "additionalProperties": False,
        },
    },
    "embargo": _FLAG,
    "urgent": _FLAG,
}
REQUIRED_KEYS = ("id", "title")


@dataclass
class FieldReader:
    path: Path
    timezone: tzinfo
    default_lang: str
    problems: list[Problem] = field(default_factory=list)

    def report(self, code: str, line: int, field_: str, message: str, hint: str = "") -> None:
        self.problems.append(problem(code, self.path, line, field_, message, hint))

    # --- scalar keys -----------------------------------------------------------------

    def required_text(self, meta: yamlsafe.YMap, key: str) -> str:
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.report(
                "SP101", meta.line, key, _("{key!r} is missing").format(key=key), f"add `{key}: …`"
            )
            return ""
        if not isinstance(value, str | int | float):
            self.report("SP103", meta.line_of(key), key, _("{key} must be text").format(key=key))
            return ""
        return str(value).strip()

    def optional_text(self, meta: yamlsafe.YMap, key: str) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.report("SP103", meta.line_of(key), key, _("{key} must be text").format(key=key))
            return None
        return value.strip() or None

    def post_id(self, meta: yamlsafe.YMap) -> str:
        value = self.required_text(meta, "id")
        if value and not ID_PATTERN.match(value):
            self.report(
                "SP104",
                meta.line_of("id"),
                "id",
                _("id {value!r} is not a slug").format(value=value),
                _("use lower-case letters, digits and hyphens, e.g. kreistag-2026-12"),
            )
        return value

    def status(self, meta: yamlsafe.YMap) -> Status:
        value = meta.get("status", "draft")
        try:
            return Status(value)
        except ValueError:
            hint = did_you_mean(str(value), [s.value for s in Status]) or _(
                "draft, review, approved"
            )
            self.report(
                "SP106",
                meta.line_of("status"),
                "status",
                _("unknown status {value!r}").format(value=value),
                hint,
            )
            return Status.DRAFT

    def date(self, meta: yamlsafe.YMap, key: str) -> datetime | None:
        value = meta.get(key)
        if value is None:
            return None
        line = meta.line_of(key)
        text = str(value).strip()
        try:
            parsed = isoparse(text)
        except (ValueError, OverflowError):
            self.report(
                "SP107",
                line,
                key,
                _("{key} {text!r} is not an ISO 8601 date-time").format(key=key, text=text),
                _("write e.g. 2026-12-01T18:00 (read in the config timezone) or add +01:00"),
            )
            return None
        if _DATE_ONLY.match(text):
            self.report(
                "SP114",
                line,
                key,
                _("{key} has no time: read as 00:00").format(key=key),
                "add a time: T09:00",
            )
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.timezone)
        return parsed

    def lang(self, meta: yamlsafe.YMap) -> str:
        value = meta.get("lang", self.default_lang)
        if not isinstance(value, str) or not LANG_PATTERN.match(value):
            self.report(
                "SP111",
                meta.line_of("lang"),
                "lang",
                _("lang {value!r} is not a language tag").format(value=value),
                _("use a BCP 47 tag such as de, en, de-DE"),
            )
            return self.default_lang
        return value

    def channel_names(self, meta: yamlsafe.YMap) -> tuple[str, ...] | None:
        value = meta.get("channels")
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.report(
                "SP103",
                meta.line_of("channels"),
                "channels",
                _("channels must be a list of names"),
                _("write e.g. channels: [mastodon, website]"),
            )
            return None
        return tuple(value)

    def embargo(self, meta: yamlsafe.YMap, publish_at: datetime | None) -> bool:
        """`embargo: true` hides a post until its publish_at, so it needs one."""
        embargo = self.flag(meta, "embargo", meta.get("embargo")) or False
        if embargo and publish_at is None and "publish_at" not in meta:
            self.report(
                "SP130",
                meta.line_of("embargo"),
                "embargo",
                _("an embargoed post needs publish_at: the time the embargo ends"),
                _("add e.g. `publish_at: 2026-12-04T10:00`, or remove `embargo: true`"),
            )
        return embargo

    # --- values also allowed in overrides ---------------------------------------------

    def flag(self, where: yamlsafe.YMap, key: str, value: Any) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.report(
                "SP103", where.line_of(key), key, _("{key} must be true or false").format(key=key)
            )
            return None
        return value

    def link(self, where: yamlsafe.YMap, key: str, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if not LINK_PATTERN.match(text):
            self.report(
                "SP110",
                where.line_of(key),
                key,
                _("link {text!r} is not an https URL").format(text=text),
                _("links must start with https:// (citizens' data protection)"),
            )
            return None
        return text

    def tags(self, where: yamlsafe.YMap, key: str, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.report("SP103", where.line_of(key), key, _("tags must be a list of words"))
            return None
        tags: list[str] = []
        lines = getattr(value, "lines", [where.line_of(key)] * len(value))
        for item, line in zip(value, lines, strict=False):
            tag = hashtag(str(item)) if isinstance(item, str | int) else ""
            if not tag:
                self.report(
                    "SP112",
                    line,
                    key,
                    _("tag {item!r} cannot become a hashtag").format(item=item),
                    _("use words only"),
                )
                continue
            tags.append(tag)
        return tuple(tags)

    def media(self, where: yamlsafe.YMap, key: str, value: Any) -> tuple[Media, ...] | None:
        if value is None:
            return None
        if not isinstance(value, yamlsafe.YList):
            self.report(
                "SP103",
                where.line_of(key),
                key,
                _("media must be a list"),
                _("write `- file: images/x.jpg` and `alt: …` under media:"),
            )
            return None
        items = (
            self.media_item(entry, line) for entry, line in zip(value, value.lines, strict=True)
        )
        return tuple(item for item in items if item is not None)

    def media_item(self, entry: Any, line: int) -> Media | None:
        if isinstance(entry, str):
            return Media(file=entry, line=line)
        if not isinstance(entry, yamlsafe.YMap):
            self.report("SP103", line, "media", _("a media entry must be `file:` with `alt:`"))
            return None
        for key in entry:
            if key not in MEDIA_KEYS:
                hint = did_you_mean(key, MEDIA_KEYS) or _("media entries take file, alt, credit")
                self.report(
                    "SP102",
                    entry.line_of(key),
                    f"media.{key}",
                    _("unknown key {key!r}").format(key=key),
                    hint,
                )
        file = entry.get("file")
        if not isinstance(file, str) or not file.strip():
            self.report("SP101", line, "media.file", _("media entry has no file"))
            return None
        alt, credit = entry.get("alt"), entry.get("credit")
        for name, text in (("alt", alt), ("credit", credit)):
            if text is not None and not isinstance(text, str):
                self.report(
                    "SP103",
                    entry.line_of(name),
                    f"media.{name}",
                    _("{name} must be text").format(name=name),
                )
        return Media(
            file=file.strip(),
            alt=alt.strip() if isinstance(alt, str) and alt.strip() else None,
            credit=credit.strip() if isinstance(credit, str) and credit.strip() else None,
            line=line,
        )

    def overrides(self, meta: yamlsafe.YMap) -> dict[str, Override]:
        block = meta.get("overrides")
        if block is None:
            return {}
        if not isinstance(block, yamlsafe.YMap):
            self.report(
                "SP103",
                meta.line_of("overrides"),
                "overrides",
                _("overrides must map channel names to settings"),
            )
            return {}
        result: dict[str, Override] = {}
        for channel, entry in block.items():
            line = block.line_of(channel)
            if not isinstance(entry, yamlsafe.YMap):
                self.report(
                    "SP103", line, f"overrides.{channel}", _("an override must be a mapping")
                )
                continue
            result[channel] = self.override(entry, line)
        return result

    def override(self, entry: yamlsafe.YMap, line: int) -> Override:
        for key in entry:
            if key not in OVERRIDE_KEYS:
                hint = did_you_mean(key, OVERRIDE_KEYS) or _("overrides take ") + ", ".join(
                    OVERRIDE_KEYS
                )
                self.report(
                    "SP102",
                    entry.line_of(key),
                    f"overrides.{key}",
                    _("unknown key {key!r}").format(key=key),
                    hint,
                )
        text, template = entry.get("text"), entry.get("template")
        for name, value in (("text", text), ("template", template)):
            if value is not None and not isinstance(value, str):
                self.report("SP103", entry.line_of(name), f"overrides.{name}", _("must be text"))
        return Override(
            text=text if isinstance(text, str) else None,
            template=template if isinstance(template, str) else None,
            tags=self.tags(entry, "tags", entry.get("tags")),
            media=self.media(entry, "media", entry.get("media")),
            thread=self.flag(entry, "thread", entry.get("thread")),
            link=self.link(entry, "link", entry.get("link")),
            line=line,
        )


def hashtag(tag: str) -> str:
    """A tag as a hashtag word: "Tag der offenen Tür" → "TagDerOffenenTür", "" if impossible."""
    words: list[str] = _TAG_WORD.findall(tag.lstrip("#").replace("_", " "))
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return "".join(word[:1].upper() + word[1:] for word in words)
