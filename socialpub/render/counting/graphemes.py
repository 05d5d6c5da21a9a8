"""Extended grapheme clusters: what a reader sees as one character. Every rule that counts
or splits by characters uses this one splitter.

Most county posts are German text with an emoji here and there. Each character of the
"simple" set — Latin-1, and the spaces, dashes, quotes, ellipsis, bullets and currency signs
of General Punctuation and Currency Symbols („“ – … €) — is a cluster of its own, except that
CR LF is one: no simple character extends, joins or prepends another, and whether two
adjacent simple characters belong together never depends on the characters around them. So
only the stretches around other characters go through the Unicode segmentation regex, each
with one simple neighbour on either side (which the rules for emoji sequences and combining
marks may need); the rest is counted directly. `tests/test_counting.py` checks this against
the regex on every pair of simple characters and on random texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

_GRAPHEME = regex.compile(r"\X")
#: the simple set's ranges (joiners, format and bidi controls of U+200B–U+200F, U+2028–U+202F
#: and U+205F–U+206F stay outside: the regex decides around them)
SIMPLE_RANGES = "\x00-\xff\u2000-\u200a\u2010-\u2027\u2030-\u205e\u20a0-\u20c0"
_COMPLEX = re.compile(f"[^{SIMPLE_RANGES}]+")


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text`."""
    clusters: list[str] = []
    for simple, piece in _pieces(text):
        clusters += _simple_clusters(piece) if simple else _GRAPHEME.findall(piece)
    return clusters


def grapheme_count(text: str) -> int:
    """How many extended grapheme clusters `text` has (`len(graphemes(text))`)."""
    if text.isascii() or not _COMPLEX.search(text):
        return len(text) - text.count("\r\n")
    return sum(
        len(piece) - piece.count("\r\n") if simple else len(_GRAPHEME.findall(piece))
        for simple, piece in _pieces(text)
    )


def _pieces(text: str) -> Iterator[tuple[bool, str]]:
    """`text` cut at cluster boundaries into simple pieces and pieces for the regex."""
    if text.isascii():
        yield True, text
        return
    done = 0
    for start, end in _segments(text):
        if start > done:
            yield True, text[done:start]
        yield False, text[start:end]
        done = end
    if done < len(text):
        yield True, text[done:]


def _segments(text: str) -> list[tuple[int, int]]:
    """Each run of characters outside the simple set with a simple neighbour on either side
    (and a CR LF kept whole), overlapping stretches merged."""
    segments: list[tuple[int, int]] = []
    for run in _COMPLEX.finditer(text):
        start, end = max(run.start() - 1, 0), min(run.end() + 1, len(text))
        if start > 0 and text[start - 1 : start + 1] == "\r\n":
            start -= 1
        if end < len(text) and text[end - 1 : end + 1] == "\r\n":
            end += 1
        if segments and start <= segments[-1][1]:
            segments[-1] = (segments[-1][0], end)
        else:
            segments.append((start, end))
    return segments


def _simple_clusters(piece: str) -> list[str]:
    if "\r\n" not in piece:
        return list(piece)
    clusters: list[str] = []
    for number, line in enumerate(piece.split("\r\n")):
        if number:
            clusters.append("\r\n")
        clusters += line
    return clusters
