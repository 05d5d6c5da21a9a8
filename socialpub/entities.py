"""Find URLs, mentions and hashtags in plain text (character offsets).

STUB: a first approximation; being replaced by the twitter-text conformant implementation.
The signature of `find_entities` and the `Entity` type are the contract other modules use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["url", "mention", "hashtag"]
Flavor = Literal["twitter", "mastodon", "bluesky"]

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?")
_HASHTAG = re.compile(r"(?<![\w#&])#\w*[^\W\d]\w*")


@dataclass(frozen=True)
class Entity:
    kind: Kind
    start: int  # index into the str (code points)
    end: int
    value: str  # URL, mention without leading "@", hashtag without leading "#"


def find_entities(text: str, flavor: Flavor = "twitter") -> list[Entity]:
    """All entities in text order; entities never overlap."""
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("url", _URL), ("mention", _MENTION), ("hashtag", _HASHTAG)):
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            value = match.group() if kind == "url" else match.group()[1:]
            found.append(Entity(kind, start, end, value))  # type: ignore[arg-type]
            taken.append((start, end))
    return sorted(found, key=lambda e: e.start)
