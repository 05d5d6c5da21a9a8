"""Emoji in a post's text, counted as readers see them: a family or a flag is one."""

from __future__ import annotations

import regex

from socialpub.render.counting import graphemes

_PICTOGRAPH = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")


def emoji_clusters(text: str) -> list[str]:
    """The grapheme clusters that hold an emoji (a family or a flag is one)."""
    if not _PICTOGRAPH.search(text):
        return []  # most posts: skip splitting the text into clusters
    # a cluster of one Latin-1 character is a pictograph only as © or ®: no regex for those
    return [
        cluster
        for cluster in graphemes(text)
        if (
            cluster in "©®"
            if len(cluster) == 1 and cluster <= "\xff"
            else _PICTOGRAPH.search(cluster)
        )
    ]


def emoji_count(text: str) -> int:
    return len(emoji_clusters(text))
