"""URLs, mentions and hashtags found in plain text: what the platform rules produce.

Offsets are indices into the Python string (code points). Each flavor follows the platform's
own rules: "twitter" is twitter-text v3 (X, `twitter_text`), "mastodon" is Mastodon's
extractor (URLs only with a protocol, `@user@domain` mentions), "bluesky" is the official
client's facet detection. `socialpub.render.counting.find_entities` runs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["Entity", "Flavor", "Kind", "without_overlaps"]

Kind = Literal["url", "mention", "hashtag"]
Flavor = Literal["twitter", "mastodon", "bluesky"]


@dataclass(frozen=True)
class Entity:
    kind: Kind
    start: int  # index into the str (code points)
    end: int
    value: str  # URL text; mention without "@" (Mastodon: user@domain); hashtag without "#"


def without_overlaps(entities: Iterable[Entity]) -> list[Entity]:
    """Sorted by start; an entity that overlaps the one kept before it is dropped.

    The sort is stable, so at equal starts the entity listed first (URLs) wins, as in
    twitter-text's removeOverlappingEntities.
    """
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: e.start):
        if not kept or kept[-1].end <= entity.start:
            kept.append(entity)
    return kept
