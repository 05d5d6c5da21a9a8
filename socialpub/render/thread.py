"""Split a text that is too long for one post into a thread.

Each part gets the suffix " i/n" (a space, then e.g. "2/5") at its end, and every part,
suffix included, fits the limit under the caller's `measure`. Parts break at the best
boundary available, in this order: paragraph (blank line) → sentence end → line break →
word (whitespace). A coarser boundary is taken if it still fills at least half a part;
otherwise the part is filled as far as the finest fitting boundary allows. Only when not
even one word fits is a word broken between grapheme clusters. URLs, mentions and hashtags
are never broken; one that alone exceeds the limit is a `ContentError`.

Hashtags on the last lines of the text (the built-in templates' last paragraph) never make a
part alone: the text before them is split as if they were not there (so its paragraphs stay
whole), and they are appended to the first part if it has room, else to the last one. Those
that fit in neither are left out, the last first, and `Thread.dropped` names them.

`measure` is assumed monotonic: appending text never makes a part shorter.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from socialpub.errors import ContentError
from socialpub.i18n import _
from socialpub.render.breaks import Break, Level, Segmented, segment
from socialpub.render.counting.entities import Flavor
from socialpub.render.hashtag_block import HashtagBlock, trailing_hashtags
from socialpub.render.slices import SliceMeasure, Slicer

__all__ = ["Measure", "Thread", "build_thread", "split_thread"]

Measure = Callable[[str], int]

MIN_LIMIT = 10
#: share of the limit a part must reach before a coarser boundary is preferred to a finer one
MIN_FILL = 0.5


@dataclass(frozen=True)
class Thread:
    """The parts of a thread, and the trailing hashtags that no part had room for."""

    parts: tuple[str, ...]
    dropped: tuple[str, ...] = ()


def split_thread(
    text: str,
    limit: int,
    measure: Measure,
    *,
    numbering: bool = True,
    flavor: Flavor = "twitter",
    slicer: Slicer | None = None,
) -> list[str]:
    """The parts of a thread for `text`; `[text]` unchanged if it fits `limit` already."""
    thread = build_thread(text, limit, measure, numbering=numbering, flavor=flavor, slicer=slicer)
    return list(thread.parts)


def build_thread(
    text: str,
    limit: int,
    measure: Measure,
    *,
    numbering: bool = True,
    flavor: Flavor = "twitter",
    slicer: Slicer | None = None,
    verify: bool = True,
) -> Thread:
    """`split_thread`, also telling which trailing hashtags had to be left out.

    `slicer` (see `slices.py`) counts candidate parts faster, exactly as `measure` would;
    with `verify`, the finished thread is counted with `measure` itself (and split without
    the slicer, should they ever disagree)."""
    if limit < MIN_LIMIT:
        raise ValueError(f"limit must be at least {MIN_LIMIT}, got {limit}")
    measure = _remembering(measure)
    if measure(text) <= limit:
        return Thread((text,))
    thread = _thread(text, limit, measure, slicer, numbering, flavor)
    if slicer and verify and not all(measure(part) <= limit for part in thread.parts):
        thread = _thread(text, limit, measure, None, numbering, flavor)
    return thread


def _thread(
    text: str,
    limit: int,
    measure: Measure,
    slicer: Slicer | None,
    numbering: bool,
    flavor: Flavor,
) -> Thread:
    block = trailing_hashtags(text, flavor)
    if block is not None:
        return _with_hashtags(block, limit, measure, slicer, numbering, flavor)
    segmented = segment(text, flavor)
    spans = _spans(segmented, limit, lengths(segmented, measure, slicer), numbering)
    return Thread(tuple(_joined([segmented.slice(*span) for span in spans], numbering)))


def lengths(segmented: Segmented, measure: Measure, slicer: Slicer | None) -> SliceMeasure:
    """The length of a candidate part: clusters first..end of the text, then a tail."""
    if slicer is not None:
        return slicer(segmented)

    def length(first: int, end: int, tail: str) -> int:
        return measure(segmented.slice(first, end) + tail)

    return length


def _remembering(measure: Measure) -> Measure:
    """`measure` with its answers kept for one split: packing and checking the parts ask
    for many candidate parts more than once, and counting a text is the costly step."""
    known: dict[str, int] = {}

    def remembered(text: str) -> int:
        found = known.get(text)
        if found is None:
            found = known[text] = measure(text)
        return found

    return remembered


def _joined(bodies: Sequence[str], numbering: bool, extra: str = "", at: int = 0) -> list[str]:
    """Each body with its tail: `extra` after body number `at` (from 1), then " i/n"."""
    total = len(bodies)
    return [
        body + (extra if index == at else "") + (f" {index}/{total}" if numbering else "")
        for index, body in enumerate(bodies, start=1)
    ]


Span = tuple[int, int]  # the clusters of a part: first, end


def _spans(segmented: Segmented, limit: int, length: SliceMeasure, numbering: bool) -> list[Span]:
    """The parts, without their numbers.

    n in the suffixes " i/n" changes their width, so pack again until n is right.
    """

    def tails(total: int) -> Callable[[int], str]:
        def tail(index: int) -> str:
            return f" {index}/{total}" if numbering else ""

        return tail

    if not numbering:
        return _pack(segmented, limit, length, tails(0))
    total = 2
    while total <= len(segmented.offsets):  # each part holds at least one cluster
        spans = _pack(segmented, limit, length, tails(total))
        if len(spans) > total:
            total = len(spans)  # wider suffixes may need still more parts: pack again
            continue
        # As many parts as numbered, or fewer: then " i/m" is no wider than " i/n" was.
        final = tails(len(spans))
        if all(length(*span, final(i)) <= limit for i, span in enumerate(spans, start=1)):
            return spans
        total += 1
    raise ContentError(_("the text cannot be split into a numbered thread within the limit"))


# --- the hashtag block ----------------------------------------------------------------------


def _with_hashtags(
    block: HashtagBlock,
    limit: int,
    measure: Measure,
    slicer: Slicer | None,
    numbering: bool,
    flavor: Flavor,
) -> Thread:
    """Split the text before the hashtags, then give them a part with room, never one alone.

    The first part (where readers and platforms look for them), else the last one;
    hashtags that fit in neither are left out, the last ones first.
    """
    text = block.body.strip()
    if measure(text) <= limit:  # it stays one post, with the hashtags that fit beside it
        for count in range(len(block.tags), 0, -1):
            if measure(text + block.leading(count)) <= limit:
                return Thread((text + block.leading(count),), block.tags[count:])
        return Thread((text,), block.tags)
    segmented = segment(block.body, flavor)
    length = lengths(segmented, measure, slicer)
    spans = _spans(segmented, limit, length, numbering)
    bodies = [segmented.slice(*span) for span in spans]
    for count in range(len(block.tags), 0, -1):
        hashtags = block.leading(count)
        at = _room_for(spans, numbering, hashtags, limit, length)
        if at:
            return Thread(tuple(_joined(bodies, numbering, hashtags, at)), block.tags[count:])
    return Thread(tuple(_joined(bodies, numbering)), block.tags)


def _room_for(
    spans: Sequence[Span], numbering: bool, hashtags: str, limit: int, length: SliceMeasure
) -> int:
    """The part (from 1) the hashtags fit after: the first, else the last; 0 if neither."""
    total = len(spans)
    for at in dict.fromkeys((1, total)):
        number = f" {at}/{total}" if numbering else ""
        if length(*spans[at - 1], hashtags + number) <= limit:
            return at
    return 0


# --- packing --------------------------------------------------------------------------------


def _pack(
    segmented: Segmented, limit: int, length_of: SliceMeasure, suffix: Callable[[int], str]
) -> list[Span]:
    """Greedy packing: the parts (without suffix), each fitting with its suffix."""
    parts: list[Span] = []
    start = segmented.first
    while start < segmented.stop:
        span, start = next_part(segmented, start, limit, length_of, suffix(len(parts) + 1))
        parts.append(span)
    return parts


def next_part(
    segmented: Segmented, start: int, limit: int, length_of: SliceMeasure, tail: str
) -> tuple[Span, int]:
    """The part that begins at cluster `start` and fits with `tail`, and where the next
    one begins (`segmented.stop` when this one takes the rest)."""

    def length(end: int) -> int:
        return length_of(start, end, tail)

    fitting = _fitting(segmented.breaks, start, length, limit)
    if _all_after(segmented.breaks, start, fitting) and length(segmented.stop) <= limit:
        return (start, segmented.stop), segmented.stop
    chosen = _choose_break(segmented, fitting, start, length, limit)
    return (start, chosen.end), chosen.resume


def _all_after(breaks: Sequence[Break], start: int, fitting: Sequence[Break]) -> bool:
    """Whether `fitting` holds every break after `start` (so the rest may fit whole)."""
    return len(fitting) == len(breaks) - bisect.bisect_right(breaks, start, key=_end_of)


def _choose_break(
    segmented: Segmented,
    fitting: Sequence[Break],
    start: int,
    length: Callable[[int], int],
    limit: int,
) -> Break:
    best_by_level: dict[Level, Break] = {}
    for candidate in fitting:
        best_by_level[candidate.level] = candidate  # later candidates are longer
    farthest: Break | None = None
    for level in (Level.PARAGRAPH, Level.SENTENCE, Level.LINE, Level.WORD):
        at_level = best_by_level.get(level)
        if at_level and (farthest is None or at_level.end > farthest.end):
            if length(at_level.end) > limit:
                continue  # only possible where the measure is not monotonic (see _fitting)
            farthest = at_level
        if farthest and length(farthest.end) >= limit * MIN_FILL:
            return farthest
    if farthest:
        return farthest
    inside = _fitting(segmented.inside_words(), start, length, limit)
    if inside:
        return inside[-1]
    raise _too_long(segmented, start, limit)


def _fitting(
    breaks: Sequence[Break], start: int, length: Callable[[int], int], limit: int
) -> list[Break]:
    """The breaks after `start` whose part fits, in order.

    A longer part never measures shorter, so the fitting breaks are a prefix of the list.
    Most counters give about one unit per grapheme, so the search starts at the break nearest
    `start + limit` clusters, gallops (1, 2, 4, … breaks) towards the first misfit, then
    halves the bracket: a handful of counts of about the limit's size per part. (A text
    turning into a URL can bend the rule by a few characters; the caller checks the break
    it chooses, and `_bodies` checks every finished part.)
    """
    first = bisect.bisect_right(breaks, start, key=_end_of)
    guess = bisect.bisect_right(breaks, start + limit, key=_end_of) - 1
    misfit = _first_misfit(first, len(breaks), guess, lambda i: length(breaks[i].end) <= limit)
    return list(breaks[first:misfit])


def _first_misfit(low: int, high: int, guess: int, fits: Callable[[int], bool]) -> int:
    """The first index in [low, high) where `fits` is False (high if none); fits is monotonic."""
    if low >= high:
        return low
    probe = min(max(guess, low), high - 1)
    step = 1
    if fits(probe):
        low = probe + 1
        while low < high:  # gallop forward
            probe = min(low + step - 1, high - 1)
            if not fits(probe):
                high = probe
                break
            low, step = probe + 1, step * 2
    else:
        high = probe
        while low < high:  # gallop backward
            probe = max(high - step, low)
            if fits(probe):
                low = probe + 1
                break
            high, step = probe, step * 2
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            low = middle + 1
        else:
            high = middle
    return low


def _end_of(candidate: Break) -> int:
    return candidate.end


def _too_long(segmented: Segmented, start: int, limit: int) -> ContentError:
    """The error for an unbreakable piece at `start` that alone exceeds the limit."""
    begin = segmented.offsets[start]
    ends = [b.end for b in (*segmented.breaks, *segmented.inside_words()) if b.end > start]
    finish = segmented.offsets[min(ends, default=segmented.stop)]
    for entity in segmented.entities:
        if entity.start < finish and begin < entity.end:
            shown = segmented.text[entity.start : entity.end]
            shown = shown if len(shown) <= 60 else shown[:57] + "…"
            name = _ENTITY_NAMES[entity.kind]
            return ContentError(
                _("the {name} {shown!r} alone is longer than the limit of {limit}").format(
                    name=name, shown=shown, limit=limit
                ),
                hint=_("shorten it (e.g. a shorter link) so that it fits into one post"),
            )
    return ContentError(
        _("the character {text!r} alone is longer than the limit of {limit}").format(
            text=segmented.text[begin:finish], limit=limit
        )
    )


_ENTITY_NAMES = {"url": "link", "mention": "mention", "hashtag": "hashtag"}
