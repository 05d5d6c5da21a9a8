"""Extended grapheme clusters: what a reader sees as one character. Every rule that counts
or splits by characters uses this one splitter."""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text`."""
    clusters: list[str] = _GRAPHEME.findall(text)
    return clusters
