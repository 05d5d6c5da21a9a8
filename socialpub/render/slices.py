"""Counting the candidate parts of a thread without counting each one from scratch.

Splitting a long text asks for the length of many candidate parts: a stretch of the text
between two of its breaks, plus a tail (" 2/5", or hashtags and " 1/5"). For Mastodon and
Bluesky that length is additive: grapheme clusters (and UTF-8 bytes) of the stretch, with
each URL counted as 23 and each remote mention as its local part, plus the tail's own
length. So the text is measured once, and each candidate costs a subtraction.

This holds because a stretch begins and ends at whitespace, where no URL or mention begins
or ends differently from the whole text, and because no cluster joins a stretch to a tail
that begins with whitespace (checked for the rare characters that could join it).
`tests/test_thread.py` compares both against counting each part for many texts; the
splitter counts its finished parts in full anyway.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable

from socialpub.render.breaks import Segmented
from socialpub.render.counting import grapheme_count
from socialpub.render.counting import mastodon as mastodon_rules
from socialpub.render.counting.entities import without_overlaps
from socialpub.specs import Capabilities

#: the length of text[offsets[first]:offsets[end]] + tail, for cluster indices at breaks
SliceMeasure = Callable[[int, int, str], int]
Slicer = Callable[[Segmented], SliceMeasure]


def slicer(caps: Capabilities, measure: Callable[[str], int]) -> Slicer | None:
    """The slicer for a channel's counter (plain text only), or None: count each part."""
    if caps.dialect != "plain":
        return None
    if caps.counter == "mastodon":
        return lambda segmented: _Mastodon(segmented, measure)
    if caps.counter == "bluesky":
        return lambda segmented: _Bluesky(segmented, measure)
    return None


class _Additive:
    """Shared by the counters: the tails' lengths, and the guard at the joint."""

    def __init__(self, segmented: Segmented, measure: Callable[[str], int]) -> None:
        self.segmented = segmented
        self.measure = measure
        self.tails: dict[str, int] = {}

    def __call__(self, first: int, end: int, tail: str) -> int:
        if tail and not self._separate(end, tail):
            return self.measure(self.segmented.slice(first, end) + tail)
        return self.stretch(first, end) + self.tail(tail)

    def stretch(self, first: int, end: int) -> int:
        raise NotImplementedError

    def tail(self, tail: str) -> int:
        if tail not in self.tails:
            self.tails[tail] = self.measure(tail)
        return self.tails[tail]

    def _separate(self, end: int, tail: str) -> bool:
        """Whether the stretch's last cluster and the tail's first character stay apart (a
        Latin-1 character never joins whitespace; anything else is asked)."""
        last = self.segmented.slice(end - 1, end)
        if last.isascii() or max(last) <= "\xff":
            return True
        return grapheme_count(last + tail[0]) == 2


class _Bluesky(_Additive):
    """Graphemes, and UTF-8 bytes (at most 10 a grapheme): the larger of the two counts."""

    def __init__(self, segmented: Segmented, measure: Callable[[str], int]) -> None:
        super().__init__(segmented, measure)
        self.tail_sizes: dict[str, tuple[int, int]] = {}

    def __call__(self, first: int, end: int, tail: str) -> int:
        if tail and not self._separate(end, tail):
            return self.measure(self.segmented.slice(first, end) + tail)
        if tail not in self.tail_sizes:
            self.tail_sizes[tail] = (grapheme_count(tail), len(tail.encode()))
        tail_clusters, tail_bytes = self.tail_sizes[tail]
        clusters = end - first + tail_clusters
        size = len(self.segmented.slice(first, end).encode()) + tail_bytes
        return max(clusters, -(-size // 10))


class _Mastodon(_Additive):
    """Graphemes, with each URL as 23 and each remote mention as its local part."""

    def __init__(self, segmented: Segmented, measure: Callable[[str], int]) -> None:
        super().__init__(segmented, measure)
        text, offsets = segmented.text, segmented.offsets
        found = without_overlaps(
            [*mastodon_rules.extract_urls(text), *mastodon_rules.extract_mentions(text)]
        )
        self.starts = [bisect.bisect_left(offsets, e.start) for e in found]
        self.ends = [bisect.bisect_left(offsets, e.end) for e in found]
        savings = (
            (end - start) - grapheme_count(mastodon_rules.stand_in(entity))
            for entity, start, end in zip(found, self.starts, self.ends, strict=True)
        )
        self.saved = [0, *itertools.accumulate(savings)]

    def stretch(self, first: int, end: int) -> int:
        inside_from = bisect.bisect_left(self.starts, first)
        inside_to = bisect.bisect_right(self.ends, end)
        saved = self.saved[inside_to] - self.saved[inside_from] if inside_to > inside_from else 0
        return end - first - saved
