"""Bluesky rich-text facets: links, mentions and tags as UTF-8 byte ranges of the text.

Bluesky does not detect entities server-side; the client sends each one as a facet whose
offsets count UTF-8 bytes (end exclusive). Mentions carry the handle here; it is resolved
to a DID at publish time.
"""

from __future__ import annotations

import re

from socialpub.models import Facet
from socialpub.render.counting import find_entities, grapheme_count
from socialpub.render.counting.entities import Entity

__all__ = ["MAX_TAG_GRAPHEMES", "bluesky_facets"]

#: Bluesky's limit for a tag (without "#"); longer tags stay plain text
MAX_TAG_GRAPHEMES = 64

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)  # "host:8080/x" has none
_KINDS = {"url": "link", "mention": "mention", "hashtag": "tag"}


def bluesky_facets(text: str) -> tuple[Facet, ...]:
    """The facets of `text` in text order, for `app.bsky.feed.post`."""
    facets: list[Facet] = []
    byte_offset = 0
    char_offset = 0
    for entity in find_entities(text, "bluesky"):
        value = _facet_value(entity)
        if value is None:
            continue
        # Count bytes incrementally: entities come in text order and never overlap.
        byte_start = byte_offset + _utf8_length(text[char_offset : entity.start])
        byte_end = byte_start + _utf8_length(text[entity.start : entity.end])
        facets.append(Facet(_KINDS[entity.kind], byte_start, byte_end, value))
        byte_offset, char_offset = byte_end, entity.end
    return tuple(facets)


def _facet_value(entity: Entity) -> str | None:
    """What the facet points at, or None if the entity must stay plain text."""
    if entity.kind == "url":
        return entity.value if _SCHEME.match(entity.value) else f"https://{entity.value}"
    if entity.kind == "hashtag":
        too_long = grapheme_count(entity.value) > MAX_TAG_GRAPHEMES
        return None if too_long or not entity.value else entity.value
    return entity.value.removeprefix("@") or None


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))
