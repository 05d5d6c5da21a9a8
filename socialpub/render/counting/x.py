"""X's weighted length: twitter-text v3 parseTweet with config v3.

After NFC normalisation every URL weighs 23, every emoji sequence 2, a code point in the
"light" ranges (Latin, general punctuation) 1 and any other code point 2. A text is valid
if it is not empty, weighs at most 280 and contains none of U+FFFE, U+FEFF, U+FFFF.
"""

from __future__ import annotations

import unicodedata

from socialpub.render.counting._emoji import emoji_spans
from socialpub.render.counting.twitter_text import extract_urls

__all__ = ["MAX_WEIGHTED_LENGTH", "has_invalid_characters", "weighted_length"]

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
DEFAULT_WEIGHT = 2
LIGHT_WEIGHT = 1
# config v3 "ranges" with weight 100 (= 1 character), inclusive
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_INVALID = frozenset("\ufffe\ufeff\uffff")


def weighted_length(text: str) -> int:
    """The weighted length twitter-text reports (parseTweet().weightedLength)."""
    normalized = unicodedata.normalize("NFC", text)
    urls = {url.start: url.end for url in extract_urls(normalized)}
    emoji = emoji_spans(normalized)
    total, index = 0, 0
    while index < len(normalized):
        # a URL wins over an emoji starting at the same place, as in parseTweet
        if index in urls:
            total, index = total + URL_WEIGHT, urls[index]
        elif index in emoji:
            total, index = total + EMOJI_WEIGHT, emoji[index]
        else:
            total, index = total + _char_weight(normalized[index]), index + 1
    return total


def has_invalid_characters(text: str) -> bool:
    return not _INVALID.isdisjoint(text)


def _char_weight(char: str) -> int:
    code = ord(char)
    light = any(low <= code <= high for low, high in _LIGHT_RANGES)
    return LIGHT_WEIGHT if light else DEFAULT_WEIGHT
