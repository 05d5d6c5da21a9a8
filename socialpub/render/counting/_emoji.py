"""Emoji sequences: what X counts as one emoji (2), and the grapheme clusters Threads counts
by their UTF-8 bytes (`is_emoji_cluster`).

twitter-text hands this to twemoji-parser, a fixed list of the emoji of its day. Here the
sequences are built from Unicode properties instead (UTS #51), so newer emoji count the
same way: flags, keycaps, tag sequences (🏴 subdivision flags), skin tones and ZWJ
sequences are one emoji each. As in twemoji, the digits, "#", "*", © and ® are emoji only
as part of a keycap or followed by U+FE0F; anything else stays a plain character.
"""

from __future__ import annotations

from functools import cache

import regex

__all__ = ["emoji_spans", "is_emoji_cluster"]

#: what makes a grapheme cluster an emoji for Threads' count (UTS #29 builds emoji clusters
#: around Extended_Pictographic; flags, keycaps and VS16 presentations too)
_IN_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20E3\uFE0F]")

_ELEMENT = r"""
    \U0001F3F4[\U000E0020-\U000E007E]+\U000E007F        # subdivision flag (tag sequence)
  | \p{Emoji_Modifier_Base}\uFE0F?\p{Emoji_Modifier}    # skin tone
  | [\u00A9\u00AE]\uFE0F                                # © ® as emoji only with VS16
  | (?![#*0-9\u00A9\u00AE])\p{Emoji}\uFE0F?
"""


@cache
def _emoji_regex() -> regex.Pattern[str]:
    return regex.compile(
        rf"""
          \p{{Regional_Indicator}}{{2}}                 # flag
        | [#*0-9]\uFE0F?\u20E3                          # keycap
        | (?:{_ELEMENT})(?:\u200D(?:{_ELEMENT}))*       # emoji or ZWJ sequence
        """,
        regex.VERBOSE,
    )


def is_emoji_cluster(cluster: str) -> bool:
    """Whether a grapheme cluster is (or holds) an emoji, © and ® included."""
    return _IN_EMOJI.search(cluster) is not None


def emoji_spans(text: str) -> dict[int, int]:
    """Start → end of every emoji sequence in `text`."""
    return {match.start(): match.end() for match in _emoji_regex().finditer(text)}
