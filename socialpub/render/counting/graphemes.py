"""Extended grapheme clusters: what a reader sees as one character. Every rule that counts
or splits by characters uses this one splitter.

Most county posts are German text with an emoji here and there. Each Latin-1 character is a
cluster of its own, except that CR LF is one: no Latin-1 character extends, joins or prepends
another, and whether two adjacent Latin-1 characters belong together never depends on the
characters around them. So only the stretches around other characters go through the
Unicode segmentation regex, each with one Latin-1 neighbour on either side (which the rules
for emoji sequences and combining marks may need); the rest is counted directly.
`tests/test_counting.py` checks this against the regex on every pair of Latin-1 characters
and on random texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

_GRAPHEME = regex.compile(r"\X")
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]+")


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text`."""
    clusters: list[str] = []
    for latin1, piece in _pieces(text):
        clusters += _latin1_clusters(piece) if latin1 else _GRAPHEME.findall(piece)
    return clusters


def grapheme_count(text: str) -> int:
    """How many extended grapheme clusters `text` has (`len(graphemes(text))`)."""
    if text.isascii() or not _BEYOND_LATIN1.search(text):
        return len(text) - text.count("\r\n")
    return sum(
        len(piece) - piece.count("\r\n") if latin1 else len(_GRAPHEME.findall(piece))
        for latin1, piece in _pieces(text)
    )


def _pieces(text: str) -> Iterator[tuple[bool, str]]:
    """`text` cut at cluster boundaries into Latin-1 pieces and pieces for the regex."""
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
    """Each run of characters beyond Latin-1 with a Latin-1 neighbour on either side (and a
    CR LF kept whole), overlapping stretches merged."""
    segments: list[tuple[int, int]] = []
    for run in _BEYOND_LATIN1.finditer(text):
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


def _latin1_clusters(piece: str) -> list[str]:
    if "\r\n" not in piece:
        return list(piece)
    clusters: list[str] = []
    for number, line in enumerate(piece.split("\r\n")):
        if number:
            clusters.append("\r\n")
        clusters += line
    return clusters
