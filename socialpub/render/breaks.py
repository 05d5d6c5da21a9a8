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
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from socialpub.render.counting import find_entities, graphemes
from socialpub.render.counting.entities import Entity, Flavor

__all__ = ["Break", "Level", "Segmented", "segment"]

_NEWLINE = regex.compile(r"\r\n|[\n\r\u2028\u2029]")
# Non-breaking spaces glue words together ("z.\u00a0B.", "10\u00a0km"): not a break.
_GLUE = frozenset("\u00a0\u202f\u2007\u2060")
_SENTENCE_END = regex.compile(r"[.!?…]+[\"'“”„«»‹›’)\]]*$")
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


@dataclass(frozen=True)
class Break:
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
    solid: tuple[bool, ...]  # per cluster: no whitespace of any kind
    glued: frozenset[int]  # cluster indices inside an entity: never start a part there
    entities: tuple[Entity, ...]

    def slice(self, start: int, end: int) -> str:
        return self.text[self.offsets[start] : self.offsets[end]]

    def inside_words(self) -> list[Break]:
        """Grapheme breaks between two solid clusters: the last resort, built when needed."""
        return [
            Break(index, index, Level.GRAPHEME)
            for index in range(self.first + 1, self.stop)
            if self.solid[index - 1] and self.solid[index] and index not in self.glued
        ]


def _is_space(cluster: str) -> bool:
    """Whitespace where a part may end (not the non-breaking kinds)."""
    return cluster.isspace() and not _GLUE.intersection(cluster)


def _is_solid(cluster: str) -> bool:
    """A cluster a word may be broken after or before (no whitespace of any kind)."""
    return not cluster.isspace()


def segment(text: str, flavor: Flavor) -> Segmented:
    """The text as grapheme clusters, with its breaks and the clusters inside entities."""
    clusters = graphemes(text)
    offsets = [0]
    for cluster in clusters:
        offsets.append(offsets[-1] + len(cluster))
    solid = tuple(_is_solid(cluster) for cluster in clusters)
    visible = [i for i, is_solid in enumerate(solid) if is_solid]
    first, stop = (visible[0], visible[-1] + 1) if visible else (0, 0)
    entities = tuple(find_entities(text, flavor))
    glued = frozenset(_inside_entities(offsets, entities))
    breaks: list[Break] = []
    index = first
    while index < stop:
        if solid[index] or not _is_space(clusters[index]):
            index += 1
            continue
        end = index
        while _is_space(clusters[index]):
            index += 1
        if end not in glued:  # entities hold no whitespace, but never cut one anyway
            breaks.append(Break(end, index, _classify(clusters, end, index)))
    return Segmented(text, tuple(offsets), first, stop, tuple(breaks), solid, glued, entities)


def _inside_entities(offsets: Sequence[int], entities: Sequence[Entity]) -> set[int]:
    """Cluster indices that must not start a part because an entity continues across them."""
    glued: set[int] = set()
    for entity in entities:
        # clusters whose start lies strictly inside the entity's span
        low = bisect.bisect_right(offsets, entity.start)
        high = bisect.bisect_left(offsets, entity.end)
        glued.update(range(low, high))
    return glued


def _classify(clusters: Sequence[str], end: int, resume: int) -> Level:
    """The level of the whitespace run clusters[end:resume]."""
    run = "".join(clusters[end:resume])
    if len(_NEWLINE.findall(run)) >= 2:
        return Level.PARAGRAPH
    if _ends_sentence(_word_before(clusters, end), _next_char(clusters, resume)):
        return Level.SENTENCE
    return Level.LINE if _NEWLINE.search(run) else Level.WORD


def _word_before(clusters: Sequence[str], end: int) -> str:
    start = end
    while start > 0 and not _is_space(clusters[start - 1]):
        start -= 1
    return "".join(clusters[start:end])


def _next_char(clusters: Sequence[str], resume: int) -> str:
    return clusters[resume][0] if resume < len(clusters) else ""


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
