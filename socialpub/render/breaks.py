"""Where a part of a thread may end: the text as grapheme clusters and its whitespace runs,
each classed as a paragraph, sentence, line or word break.

A sentence ends at ".", "!", "?" or "…" (closing quotes and brackets may follow), but not
after a German abbreviation ("ca.", "z. B.", "Bahnhofstr.") or an ordinal ("1. Dezember"),
nor before a word in lower case. Non-breaking spaces glue words together, and no part may
begin inside a URL, mention or hashtag.
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import regex

from socialpub.render.counting import find_entities, graphemes
from socialpub.render.counting.entities import Entity, Flavor

__all__ = ["Break", "Level", "Segmented", "segment"]

_NEWLINE = regex.compile(r"\r\n|[\n\r\u2028\u2029]")
# Non-breaking spaces glue words together ("z.\u00a0B.", "10\u00a0km"): not a break.
_GLUE = frozenset("\u00a0\u202f\u2007\u2060")
#: every character `str.isspace()` calls whitespace but the glue: where a part may end
BREAKABLE_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2008\u2009\u200a\u2028\u2029\u205f\u3000"
)
_SPACE_RUN = regex.compile(f"[{BREAKABLE_SPACES}]+")
#: the same runs found by the standard library's engine, faster on texts of one-character
#: clusters (the class lists every character, so both engines agree)
_SPACE_RUN_CHARS = re.compile(f"[{BREAKABLE_SPACES}]+")
_SENTENCE_END = regex.compile(r"[.!?…]+[\"'“”„«»‹›’)\]]*$")
#: the characters a sentence's last word may end in (a cheap test before _SENTENCE_END)
_SENTENCE_CLOSERS = frozenset(".!?…\"'“”„«»‹›’)]")
_ORDINAL = regex.compile(r"^[(\[]?\d{1,4}\.$")  # "1." "24." as in "1. Dezember"
_INITIAL = regex.compile(r"^\p{L}\.$")  # "z." in "z. B."
_ABBREVIATION_LIST = """
    abb abs abt allg anm art aufl bd bsp bspw bzgl bzw ca chr dez dgl dipl dr ebd etc evtl
    feb fr ggf gr hr hrsg inkl jan jh jr kap kfz kl lt max mind min mio mrd nov nr okt
    prof rd s sep sept sog st std str tel usw u.a d.h z.b z.t u.u o.ä vgl vs z.zt zzgl ziff
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_LIST.split())  # lower case, without the final dot


class Level(enum.IntEnum):
    """Boundary kinds, best first."""

    PARAGRAPH = 0
    SENTENCE = 1
    LINE = 2
    WORD = 3
    GRAPHEME = 4


class Break(NamedTuple):  # a text has a break every few words: cheaper than a dataclass
    end: int  # the part before ends at this cluster index (exclusive)
    resume: int  # the next part starts at this cluster index
    level: Level


@dataclass(frozen=True)
class Segmented:
    """The text as grapheme clusters, with every place where a part may end."""

    text: str
    offsets: tuple[int, ...]  # char offset of each cluster, plus len(text) at the end
    first: int  # first and last+1 non-whitespace cluster
    stop: int
    breaks: tuple[Break, ...]  # coarse breaks (whitespace runs), by position
    glued: frozenset[int]  # cluster indices inside an entity: never start a part there
    entities: tuple[Entity, ...]

    def slice(self, start: int, end: int) -> str:
        return self.text[self.offsets[start] : self.offsets[end]]

    def inside_words(self) -> list[Break]:
        """Grapheme breaks between two solid clusters (no whitespace of any kind): the last
        resort, built only when a word alone is too long."""
        solid = [not self.slice(index, index + 1).isspace() for index in range(self.stop)]
        return [
            Break(index, index, Level.GRAPHEME)
            for index in range(self.first + 1, self.stop)
            if solid[index - 1] and solid[index] and index not in self.glued
        ]


def _is_space(cluster: str) -> bool:
    """Whitespace where a part may end (not the non-breaking kinds)."""
    return cluster.isspace() and not _GLUE.intersection(cluster)


def segment(text: str, flavor: Flavor) -> Segmented:
    """The text as grapheme clusters, with its breaks and the clusters inside entities."""
    layout = _layout(text)
    entities = tuple(find_entities(text, flavor))
    glued = frozenset(_inside_entities(layout.offsets, entities))
    breaks = layout.breaks
    if glued:  # entities hold no whitespace, but never cut one anyway
        breaks = tuple(found for found in breaks if found.end not in glued)
    return Segmented(text, layout.offsets, layout.first, layout.stop, breaks, glued, entities)


class _Layout(NamedTuple):
    offsets: tuple[int, ...]
    first: int
    stop: int
    breaks: tuple[Break, ...]


@functools.lru_cache(maxsize=16)
def _layout(text: str) -> _Layout:
    """What does not depend on whose entities count: the clusters and every break. Kept
    for a few texts, as a post's Mastodon and Bluesky variants often split the same one."""
    clusters = graphemes(text)
    if len(clusters) == len(text):  # every cluster one character: most German texts
        first, stop = len(text) - len(text.lstrip()), len(text.rstrip())
        if first >= stop:
            first = stop = 0
        breaks = _character_breaks(text, first, stop, frozenset())
        return _Layout(tuple(range(len(text) + 1)), first, stop, tuple(breaks))
    offsets = [0, *itertools.accumulate(len(cluster) for cluster in clusters)]
    visible = [i for i, cluster in enumerate(clusters) if not cluster.isspace()]
    first, stop = (visible[0], visible[-1] + 1) if visible else (0, 0)
    runs = _space_runs(text, offsets, first, stop)
    if runs is None:  # whitespace inside a cluster (a space a combining mark extends)
        runs = _space_runs_by_cluster(clusters, first, stop)
    breaks = [
        Break(end, resume, _classify(text, offsets, end, resume, word_start))
        for end, resume, word_start in runs
    ]
    return _Layout(tuple(offsets), first, stop, tuple(breaks))


def _character_breaks(text: str, first: int, stop: int, glued: frozenset[int]) -> list[Break]:
    """The breaks of a text whose every cluster is one character: `_classify` of each run of
    whitespace, without its lookups, as this runs for every few words of a long post. Most
    runs are one space after a word: only its last character can make it more than a word
    break."""
    breaks: list[Break] = []
    append = breaks.append
    make = tuple.__new__  # Break(...) without its Python-level __new__
    word_start = first
    for run in _SPACE_RUN_CHARS.finditer(text, first, stop):
        end, resume = run.span()
        if glued and end in glued:  # entities hold no whitespace, but never cut one anyway
            word_start = resume
            continue
        if resume - end == 1 and text[end] == " ":
            level = (
                Level.SENTENCE
                if text[end - 1] in _SENTENCE_CLOSERS
                and _ends_sentence(text[word_start:end], text[resume : resume + 1])
                else Level.WORD
            )
        else:
            level = _run_level(text, run.group(), word_start, end, resume)
        append(make(Break, (end, resume, level)))
        word_start = resume
    return breaks


def _run_level(text: str, spaces: str, word_start: int, end: int, resume: int) -> Level:
    """The level of a whitespace run other than one space (character indices)."""
    if len(_NEWLINE.findall(spaces)) >= 2:
        return Level.PARAGRAPH
    if text[end - 1] in _SENTENCE_CLOSERS and _ends_sentence(
        text[word_start:end], text[resume : resume + 1]
    ):
        return Level.SENTENCE
    return Level.LINE if _NEWLINE.search(spaces) else Level.WORD


def _space_runs(
    text: str, offsets: Sequence[int], first: int, stop: int
) -> list[tuple[int, int, int]] | None:
    """(end, resume, start of the word before) of each run of breakable whitespace between
    `first` and `stop`, in cluster indices; None when a run does not consist of whole
    clusters (then only the clusters themselves can tell)."""
    index_of = {offset: index for index, offset in enumerate(offsets)}.get
    runs: list[tuple[int, int, int]] = []
    word_start = first
    for run in _SPACE_RUN.finditer(text, offsets[first], offsets[stop]):
        end, resume = index_of(run.start()), index_of(run.end())
        if end is None or resume is None:
            return None
        runs.append((end, resume, word_start))
        word_start = resume
    return runs


def _space_runs_by_cluster(
    clusters: Sequence[str], first: int, stop: int
) -> list[tuple[int, int, int]]:
    runs: list[tuple[int, int, int]] = []
    word_start = first
    index = first
    while index < stop:
        if not _is_space(clusters[index]):
            index += 1
            continue
        end = index
        while _is_space(clusters[index]):
            index += 1
        runs.append((end, index, word_start))
        word_start = index
    return runs


def _inside_entities(offsets: Sequence[int], entities: Sequence[Entity]) -> set[int]:
    """Cluster indices that must not start a part because an entity continues across them."""
    glued: set[int] = set()
    for entity in entities:
        # clusters whose start lies strictly inside the entity's span
        low = bisect.bisect_right(offsets, entity.start)
        high = bisect.bisect_left(offsets, entity.end)
        glued.update(range(low, high))
    return glued


def _classify(text: str, offsets: Sequence[int], end: int, resume: int, word_start: int) -> Level:
    """The level of the whitespace run from cluster `end` to `resume`."""
    run = text[offsets[end] : offsets[resume]]
    if run != " " and len(_NEWLINE.findall(run)) >= 2:  # " ": most runs, no line break
        return Level.PARAGRAPH
    word = text[offsets[word_start] : offsets[end]]
    if word[-1] in _SENTENCE_CLOSERS and _ends_sentence(
        word, text[offsets[resume] : offsets[resume] + 1]
    ):
        return Level.SENTENCE
    return Level.LINE if run != " " and _NEWLINE.search(run) else Level.WORD


def _ends_sentence(word: str, next_char: str) -> bool:
    """Whether `word` closes a sentence, sparing German abbreviations and ordinals."""
    if not _SENTENCE_END.search(word):
        return False
    if next_char.islower():
        return False  # "ca. zehn": a new sentence does not start in lower case
    core = word.rstrip("\"'“”„«»‹›’)]")
    if not core.endswith("."):
        return True  # ! ? …
    if _ORDINAL.match(core) or _INITIAL.match(core):
        return False
    stem = core[:-1].lstrip("([").casefold()
    return stem not in _ABBREVIATIONS and not stem.endswith("str")  # "Bahnhofstr."
