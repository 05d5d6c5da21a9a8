"""Exact text length, counted the way each platform counts it.

| platform  | limit  | unit               | how                                                 |
|-----------|--------|--------------------|-----------------------------------------------------|
| x         | 280    | weighted characters| twitter-text v3: URLs 23, emoji 2, CJK etc. 2       |
| mastodon  | 500    | characters         | graphemes; URLs 23; @user@domain counts as @user    |
| bluesky   | 300    | graphemes          | and at most 3000 UTF-8 bytes                        |
| telegram  | 4096   | UTF-16 code units  |                                                     |
| threads   | 500    | characters         | code points, but an emoji counts its UTF-8 bytes    |
| instagram | 2200   | characters         | code points; at most 30 hashtags                    |
| facebook  | 63206  | characters         | code points                                         |
| linkedin  | 3000   | characters         | code points                                         |
| whatsapp  | 4096   | characters         | code points                                         |

A count is `ok` when the text is not empty (length > 0) and within the limit; for X, when
twitter-text calls it valid. The platform rules live in the submodules; their patterns are
compiled on first use, so importing this package stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

from socialpub.errors import UsageError

__all__ = [
    "PLATFORMS",
    "Count",
    "count",
    "default_limit",
    "graphemes",
    "length_function",
    "unit",
    "x_weighted_length",
]

PLATFORMS: tuple[str, ...] = (
    "x",
    "mastodon",
    "bluesky",
    "telegram",
    "threads",
    "instagram",
    "facebook",
    "linkedin",
    "whatsapp",
)

BLUESKY_MAX_BYTES = 3000
INSTAGRAM_MAX_HASHTAGS = 30

_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class Count:
    platform: str
    length: int
    limit: int
    ok: bool
    unit: str
    bytes: int | None = None  # bluesky only: UTF-8 byte length


@dataclass(frozen=True)
class _Rule:
    limit: int
    unit: str
    measure: Callable[[str], int]


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text` (what a reader sees as one character)."""
    clusters: list[str] = _GRAPHEME.findall(text)
    return clusters


def x_weighted_length(text: str) -> tuple[int, bool]:
    """(weightedLength, valid) exactly as twitter-text v3 parseTweet reports them."""
    from socialpub.counting import x

    length = x.weighted_length(text)
    valid = 0 < length <= x.MAX_WEIGHTED_LENGTH and not x.has_invalid_characters(text)
    return length, valid


def length_function(platform: str) -> Callable[[str], int]:
    """The measure `count()` uses for `platform` (for splitting a text into a thread)."""
    return _rule(platform).measure


def default_limit(platform: str) -> int:
    """The platform's own limit (a channel may set another, e.g. a Mastodon instance)."""
    return _rule(platform).limit


def unit(platform: str) -> str:
    """What the platform counts, e.g. "graphemes"."""
    return _rule(platform).unit


def count(platform: str, text: str, *, limit: int | None = None) -> Count:
    """Count `text` as `platform` does; `limit` overrides the platform's default."""
    rule = _rule(platform)
    limit = rule.limit if limit is None else limit
    length = rule.measure(text)
    ok = 0 < length <= limit
    size: int | None = None
    if platform == "x":
        from socialpub.counting import x

        ok = ok and not x.has_invalid_characters(text)
    elif platform == "bluesky":
        size = len(text.encode("utf-8"))
        ok = ok and size <= BLUESKY_MAX_BYTES
    elif platform == "instagram":
        ok = ok and _hashtag_count(text) <= INSTAGRAM_MAX_HASHTAGS
    return Count(platform, length, limit, ok, rule.unit, size)


def _rule(platform: str) -> _Rule:
    rule = _RULES.get(platform)
    if rule is None:
        raise UsageError(f"unknown platform {platform!r}", hint="one of " + ", ".join(PLATFORMS))
    return rule


# --- measures -------------------------------------------------------------------------------


def _x_length(text: str) -> int:
    from socialpub.counting import x

    return x.weighted_length(text)


def _mastodon_length(text: str) -> int:
    from socialpub.counting import mastodon

    return mastodon.countable_length(text)


def _grapheme_count(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _threads_length(text: str) -> int:
    """Code points, except that each emoji counts its UTF-8 bytes (Threads API docs)."""
    from socialpub.counting._emoji import emoji_spans

    spans = emoji_spans(text)
    emoji_chars = sum(end - start for start, end in spans.items())
    emoji_bytes = sum(len(text[start:end].encode("utf-8")) for start, end in spans.items())
    return len(text) - emoji_chars + emoji_bytes


def _hashtag_count(text: str) -> int:
    """Hashtags as twitter-text recognises them (Instagram publishes no grammar of its own)."""
    from socialpub.entities import find_entities

    return sum(1 for entity in find_entities(text, "twitter") if entity.kind == "hashtag")


_RULES: dict[str, _Rule] = {
    "x": _Rule(280, "weighted characters", _x_length),
    "mastodon": _Rule(500, "characters", _mastodon_length),
    "bluesky": _Rule(300, "graphemes", _grapheme_count),
    "telegram": _Rule(4096, "UTF-16 code units", _utf16_length),
    "threads": _Rule(500, "characters", _threads_length),
    "instagram": _Rule(2200, "characters", len),
    "facebook": _Rule(63206, "characters", len),
    "linkedin": _Rule(3000, "characters", len),
    "whatsapp": _Rule(4096, "characters", len),
}
