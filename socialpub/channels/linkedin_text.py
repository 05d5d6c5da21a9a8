"""LinkedIn's "little text" format for a post's `commentary`.

In little text the characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` build mentions, hashtags and
templates; unescaped in plain text, LinkedIn may cut the post short at the first one. So
every reserved character of the press officer's text gets a backslash, and each hashtag is
written in LinkedIn's hashtag template, ``{hashtag|\\#|Name}``, so it stays a real hashtag.
A follower then reads exactly the text that was written.
"""

from __future__ import annotations

import re

from socialpub.models import Variant

RESERVED = frozenset("\\|{}@[]()<>#*_~")
#: a hashtag: "#" not inside a word, then word characters with at least one letter ("#1"
#: and "C#" stay plain text)
HASHTAG = re.compile(r"(?<![\w#])#(\w*[^\W\d_]\w*)")


def escape(text: str) -> str:
    """Plain text with every reserved character escaped (no markup left in it)."""
    return "".join("\\" + char if char in RESERVED else char for char in text)


def commentary(text: str) -> str:
    """The post's text as little text: plain text escaped, hashtags as hashtag templates."""
    pieces: list[str] = []
    done = 0
    for match in HASHTAG.finditer(text):
        pieces.append(escape(text[done : match.start()]))
        pieces.append("{hashtag|\\#|" + escape(match.group(1)) + "}")
        done = match.end()
    pieces.append(escape(text[done:]))
    return "".join(pieces)


def hashtags(text: str) -> list[str]:
    """The hashtags of a plain text, without their "#", in order."""
    return [match.group(1) for match in HASHTAG.finditer(text)]


ARTICLE_DESCRIPTION_MAX = 250  # socialpub's choice: the link preview shows a few lines


def article(variant: Variant) -> dict[str, str]:
    """A link post's article: the link, the title, the first line as description."""
    first = variant.text.strip().split("\n", 1)[0]
    if len(first) > ARTICLE_DESCRIPTION_MAX:
        first = first[: ARTICLE_DESCRIPTION_MAX - 1].rstrip() + "…"
    return {"source": variant.link or "", "title": variant.title or first, "description": first}
