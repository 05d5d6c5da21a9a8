"""What validation can tell about a thread without building it.

Validation needs only a thread's problems: whether the text can be split at all, and which
trailing hashtags find no part with room. Building every part costs far more than the first
answer, so this sufficient check comes first; False means "not certain" (then the thread is
built), never "impossible". `tests/test_thread.py` checks it against `build_thread`.

Where trailing hashtags find room only the parts can tell: deciding it from the first part
alone was tried, and cost more than it saved (half of the texts still needed their parts).
"""

from __future__ import annotations

import regex

from socialpub.render.counting.entities import Flavor
from socialpub.render.hashtag_block import trailing_hashtags
from socialpub.render.thread import Measure

__all__ = ["surely_splittable"]

#: whitespace a part may end at (the non-breaking kinds glue words together)
_BREAKABLE_SPACE = regex.compile(r"[^\S\u00a0\u202f\u2007]+")
#: whitespace that a combining mark or joiner turns into part of a grapheme cluster
_SPACE_THEN_EXTEND = regex.compile(r"\s[\p{Grapheme_Extend}\p{Mc}\u200d]")
#: no counter gives a text more than 6 units per character plus 23 for a URL: X weighs a
#: character 2 and NFC can triple one; a 4-character URL ("a.de") plus a comma counts 24
_UNITS_PER_CHAR, _URL_ALLOWANCE = 6, 23


def surely_splittable(
    text: str, limit: int, measure: Measure, *, flavor: Flavor = "twitter"
) -> bool:
    """Whether `split_thread(text, limit, measure)` is certain to succeed and to keep every
    trailing hashtag (the text has none), without splitting."""
    return trailing_hashtags(text, flavor) is None and _words_fit(text, limit, measure)


def _words_fit(text: str, limit: int, measure: Measure) -> bool:
    """The splitter puts at least one word per part, so there are at most as many parts as
    words, and packing succeeds whenever every word fits beside the widest possible
    suffix."""
    if _SPACE_THEN_EXTEND.search(text):
        return False  # word boundaries would differ from the splitter's clusters
    words = [word for word in _BREAKABLE_SPACE.split(text) if word]
    suffix = " {0}/{0}".format("9" * len(str(len(words))))
    return all(
        _UNITS_PER_CHAR * len(word) + _URL_ALLOWANCE + len(suffix) <= limit
        or measure(word + suffix) <= limit
        for word in words
    )
