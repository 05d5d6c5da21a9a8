"""The block of hashtags a layout puts at the end of a text ("…\\n\\n#Verkehr #B27").

Thread splitting keeps the block out of the text it splits and places it afterwards, so that
no part of a thread holds hashtags alone. The block is the trailing run of lines that hold
nothing but hashtags (blank lines between them allowed) after at least one line of other text:
the default templates' last paragraph. Hashtags anywhere else (in running text, before a
footer, a text of hashtags only) are ordinary text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from socialpub.render.counting import find_entities
from socialpub.render.counting.entities import Flavor

__all__ = ["HashtagBlock", "trailing_hashtags"]

_NEWLINE = regex.compile(r"\r\n|[\n\r\u2028\u2029]")
_TOKEN = regex.compile(r"\S+")


@dataclass(frozen=True)
class HashtagBlock:
    body: str  # the text before the block, without the whitespace between them
    separator: str  # that whitespace, put back between a part and the hashtags
    block: str  # the hashtags as written, from the first to the last
    tags: tuple[str, ...]  # "#Verkehr", "#B27"
    ends: tuple[int, ...]  # where each hashtag ends in `block`

    def leading(self, count: int) -> str:
        """The separator and the first `count` hashtags as written: what a part gets appended."""
        return self.separator + self.block[: self.ends[count - 1]]


@functools.lru_cache(maxsize=64)  # validation asks before it splits, the split asks again
def trailing_hashtags(text: str, flavor: Flavor) -> HashtagBlock | None:
    """The hashtag block at the end of `text`, or None if the text does not end in one."""
    stop = len(text.rstrip())
    block_start = None
    for start, end in reversed(_lines(text, stop)):
        line = text[start:end]
        if not line.strip():
            continue
        if not _only_hashtags(line, flavor):
            break
        block_start = start + len(line) - len(line.lstrip())
    else:
        return None  # hashtags only, or no hashtags: nothing to keep apart
    if block_start is None:
        return None
    body_end = len(text[:block_start].rstrip())
    block = text[block_start:stop]
    words = list(_TOKEN.finditer(block))
    return HashtagBlock(
        body=text[:body_end],
        separator=text[body_end:block_start],
        block=block,
        tags=tuple(word.group() for word in words),
        ends=tuple(word.end() for word in words),
    )


def _lines(text: str, stop: int) -> list[tuple[int, int]]:
    """(start, end) of each line of text[:stop], line breaks excluded."""
    bounds = []
    position = 0
    for match in _NEWLINE.finditer(text, 0, stop):
        bounds.append((position, match.start()))
        position = match.end()
    bounds.append((position, stop))
    return bounds


def _only_hashtags(line: str, flavor: Flavor) -> bool:
    """Whether every word of `line` is one whole hashtag, as the platform recognises it."""
    if not all(word.group()[0] in "#\uff03" for word in _TOKEN.finditer(line)):
        return False  # a word that starts otherwise is no hashtag: spare the entity rules
    hashtags = {(e.start, e.end) for e in find_entities(line, flavor) if e.kind == "hashtag"}
    return all((word.start(), word.end()) in hashtags for word in _TOKEN.finditer(line))
