"""A small reader of LinkedIn's little text, as strict as the tests need: plain text with
backslash escapes and hashtag templates; anything else reserved is an error (LinkedIn might
cut the post there)."""

from __future__ import annotations

from dataclasses import dataclass

from socialpub.channels.linkedin_text import RESERVED

HASHTAG_OPEN = "{hashtag|\\#|"


class BrokenMarkup(ValueError):
    """The text is not well-formed little text."""


@dataclass(frozen=True)
class Element:
    kind: str  # "text" or "hashtag"
    text: str


def parse(little: str) -> list[Element]:
    elements: list[Element] = []
    plain: list[str] = []
    i = 0
    while i < len(little):
        if little.startswith(HASHTAG_OPEN, i):
            if plain:
                elements.append(Element("text", "".join(plain)))
                plain = []
            name, i = _until_brace(little, i + len(HASHTAG_OPEN))
            if not name:
                raise BrokenMarkup(f"empty hashtag at {i}")
            elements.append(Element("hashtag", name))
            continue
        char, i = _char(little, i)
        plain.append(char)
    if plain:
        elements.append(Element("text", "".join(plain)))
    return elements


def visible(little: str) -> str:
    """What a follower reads."""
    return "".join(e.text if e.kind == "text" else "#" + e.text for e in parse(little))


def hashtags(little: str) -> list[str]:
    return [e.text for e in parse(little) if e.kind == "hashtag"]


def _until_brace(little: str, i: int) -> tuple[str, int]:
    name: list[str] = []
    while i < len(little):
        if little[i] == "}":
            return "".join(name), i + 1
        char, i = _char(little, i)
        name.append(char)
    raise BrokenMarkup("a hashtag template is not closed")


def _char(little: str, i: int) -> tuple[str, int]:
    """One character of plain text from position i: an escape or an unreserved one."""
    char = little[i]
    if char == "\\":
        if i + 1 >= len(little) or little[i + 1] not in RESERVED:
            raise BrokenMarkup(f"a backslash escapes nothing reserved at {i}")
        return little[i + 1], i + 2
    if char in RESERVED:
        raise BrokenMarkup(f"unescaped {char!r} at {i}")
    return char, i + 1
