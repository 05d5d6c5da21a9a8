"""Exact text length, counted the way each platform counts it.

| platform  | limit  | unit               | how                                                 |
|-----------|--------|--------------------|-----------------------------------------------------|
| x         | 280    | weighted characters| twitter-text v3: URLs 23, emoji 2, CJK etc. 2       |
| mastodon  | 500    | characters         | graphemes; URLs 23; @user@domain counts as @user    |
| bluesky   | 300    | graphemes          | and at most 3000 UTF-8 bytes                        |
| telegram  | 4096   | UTF-16 code units  |                                                     |
| threads   | 500    | characters         | graphemes, but an emoji counts its UTF-8 bytes      |
| instagram | 2200   | characters         | code points; at most 30 hashtags                    |
| facebook  | 63206  | characters         | code points                                         |
| linkedin  | 3000   | characters         | code points                                         |
| whatsapp  | 4096   | characters         | code points                                         |

A count is `ok` when the text is not empty (length > 0) and within the limit; for X, when
twitter-text calls it valid. The limits are data in `socialpub.specs`; the platform rules live
in the submodules, which never import this module. Their patterns are compiled on first use,
so importing this package stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args

from socialpub.errors import UsageError
from socialpub.i18n import _
from socialpub.render.counting.entities import Entity, Flavor, without_overlaps
from socialpub.render.counting.graphemes import grapheme_count, graphemes
from socialpub.specs import BLUESKY_MAX_BYTES, INSTAGRAM_MAX_HASHTAGS, TEXT_LIMITS, TextLimit

__all__ = [
    "PLATFORMS",
    "Count",
    "count",
    "default_limit",
    "find_entities",
    "grapheme_count",
    "graphemes",
    "length_function",
    "unit",
    "x_weighted_length",
]

PLATFORMS: tuple[str, ...] = tuple(TEXT_LIMITS)


@dataclass(frozen=True)
class Count:
    platform: str
    length: int
    limit: int
    ok: bool
    unit: str
    bytes: int | None = None  # bluesky only: UTF-8 byte length


def x_weighted_length(text: str) -> tuple[int, bool]:
    """(weightedLength, valid) exactly as twitter-text v3 parseTweet reports them."""
    from socialpub.render.counting import x

    length = x.weighted_length(text)
    valid = 0 < length <= x.MAX_WEIGHTED_LENGTH and not x.has_invalid_characters(text)
    return length, valid


def length_function(platform: str) -> Callable[[str], int]:
    """The measure `count()` uses for `platform` (for splitting a text into a thread)."""
    _known(platform)
    return _MEASURES[platform]


def default_limit(platform: str) -> int:
    """The platform's own limit (a channel may set another, e.g. a Mastodon instance)."""
    return _known(platform).limit


def unit(platform: str) -> str:
    """What the platform counts, e.g. "graphemes"."""
    return _known(platform).unit


def count(platform: str, text: str, *, limit: int | None = None) -> Count:
    """Count `text` as `platform` does; `limit` overrides the platform's default."""
    rule = _known(platform)
    limit = rule.limit if limit is None else limit
    length = _MEASURES[platform](text)
    ok = 0 < length <= limit
    size: int | None = None
    if platform == "x":
        from socialpub.render.counting import x

        ok = ok and not x.has_invalid_characters(text)
    elif platform == "bluesky":
        size = len(text.encode("utf-8"))
        ok = ok and size <= BLUESKY_MAX_BYTES
    elif platform == "instagram":
        ok = ok and _hashtag_count(text) <= INSTAGRAM_MAX_HASHTAGS
    return Count(platform, length, limit, ok, rule.unit, size)


def _known(platform: str) -> TextLimit:
    rule = TEXT_LIMITS.get(platform)
    if rule is None:
        raise UsageError(
            _("unknown platform {platform!r}").format(platform=platform),
            hint=_("one of ") + ", ".join(PLATFORMS),
        )
    return rule


def find_entities(text: str, flavor: Flavor = "twitter") -> list[Entity]:
    """URLs, mentions and hashtags as `flavor`'s platform recognises them, in text order;
    entities never overlap (the earlier one wins). Offsets are code points."""
    return without_overlaps(_candidates(text, flavor))


def _candidates(text: str, flavor: Flavor) -> list[Entity]:
    """Every entity the flavor's rules find, URLs first (they win ties)."""
    # imported here: the rules compile large patterns that most commands never need
    if flavor == "twitter":
        from socialpub.render.counting import twitter_text

        return twitter_text.candidates(text)
    if flavor == "mastodon":
        from socialpub.render.counting import mastodon

        return mastodon.candidates(text)
    if flavor == "bluesky":
        from socialpub.render.counting import bluesky

        return bluesky.candidates(text)
    raise UsageError(
        _("unknown entity flavor {flavor!r}").format(flavor=flavor),
        hint=_("one of {get_args}").format(get_args=get_args(Flavor)),
    )


# --- measures -------------------------------------------------------------------------------


def _x_length(text: str) -> int:
    from socialpub.render.counting import x

    return x.weighted_length(text)


def _mastodon_length(text: str) -> int:
    from socialpub.render.counting import mastodon

    return mastodon.countable_length(text)


def _grapheme_count(text: str) -> int:
    return grapheme_count(text)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _threads_length(text: str) -> int:
    """Meta: text posts are limited to 500 characters, and "Emojis are counted as the number
    of UTF-8 bytes" (linking grapheme-splitter): each grapheme cluster counts 1, a cluster
    that is an emoji its UTF-8 bytes (👍🏽: 8)."""
    if text.isascii():  # no ASCII character is an emoji on its own
        return grapheme_count(text)
    from socialpub.render.counting._emoji import is_emoji_cluster

    return sum(
        len(cluster.encode("utf-8")) if is_emoji_cluster(cluster) else 1
        for cluster in graphemes(text)
    )


def _hashtag_count(text: str) -> int:
    """Hashtags as twitter-text recognises them (Instagram publishes no grammar of its own)."""
    return sum(1 for entity in find_entities(text, "twitter") if entity.kind == "hashtag")


_MEASURES: dict[str, Callable[[str], int]] = {
    "x": _x_length,
    "mastodon": _mastodon_length,
    "bluesky": _grapheme_count,
    "telegram": _utf16_length,
    "threads": _threads_length,
    "instagram": len,
    "facebook": len,
    "linkedin": len,
    "whatsapp": len,
}
