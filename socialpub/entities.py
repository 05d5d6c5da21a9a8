"""Find URLs, mentions and hashtags in plain text, as a given platform recognises them.

Offsets are indices into the Python string (code points). Each flavor follows the platform's
own rules: "twitter" is twitter-text v3 (X), "mastodon" is Mastodon's extractor (URLs only
with a protocol, `@user@domain` mentions), "bluesky" is the official client's facet
detection. The rules live in `socialpub.counting`, which counts with the same entities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from socialpub.errors import UsageError

__all__ = ["Entity", "Flavor", "Kind", "find_entities"]

Kind = Literal["url", "mention", "hashtag"]
Flavor = Literal["twitter", "mastodon", "bluesky"]


@dataclass(frozen=True)
class Entity:
    kind: Kind
    start: int  # index into the str (code points)
    end: int
    value: str  # URL text; mention without "@" (Mastodon: user@domain); hashtag without "#"


def find_entities(text: str, flavor: Flavor = "twitter") -> list[Entity]:
    """All entities in text order; entities never overlap (the earlier one wins)."""
    return without_overlaps(_candidates(text, flavor))


def _candidates(text: str, flavor: Flavor) -> list[Entity]:
    """Every entity the flavor's rules find, URLs first (they win ties)."""
    # imported here: the rules compile large patterns that most commands never need
    if flavor == "twitter":
        from socialpub.counting import twitter_text

        return twitter_text.candidates(text)
    if flavor == "mastodon":
        from socialpub.counting import mastodon

        return mastodon.candidates(text)
    if flavor == "bluesky":
        from socialpub.counting import bluesky

        return bluesky.candidates(text)
    raise UsageError(f"unknown entity flavor {flavor!r}", hint=f"one of {get_args(Flavor)}")


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
