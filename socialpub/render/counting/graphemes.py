"""Extended grapheme clusters: what a reader sees as one character. Every rule that counts
or splits by characters uses this one splitter.

Most county posts are German text: Latin-1 letters, digits and punctuation. Each Latin-1
character is a cluster of its own (no Latin-1 character extends, joins or prepends another;
only CR LF is one cluster), so such texts are counted without the Unicode segmentation
regex. `tests/test_counting.py` checks that shortcut against the regex for every pair of
Latin-1 characters and for random texts.
"""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")
_LATIN1_LAST = "\xff"


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text`."""
    if _latin1(text) and "\r" not in text:
        return list(text)
    clusters: list[str] = _GRAPHEME.findall(text)
    return clusters


def grapheme_count(text: str) -> int:
    """How many extended grapheme clusters `text` has (`len(graphemes(text))`)."""
    if _latin1(text):
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def _latin1(text: str) -> bool:
    return text.isascii() or max(text) <= _LATIN1_LAST
