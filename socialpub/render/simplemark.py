"""A fast path for the Markdown press officers write: paragraphs, `## headings`, `- ` lists,
`**bold**` and `[links](https://…)`, written straight into each dialect.

For such a text this writes exactly what markdown-it and the renderers of `markup.py` would
(`tests/test_markup.py` compares both on generated texts), without building markdown-it's
tokens and syntax tree, which is most of a validation run's work on an ordinary post.
Anything else — emphasis with `*` or `_`, code, quotes, ordered or nested lists, HTML,
entities, escapes, images, hard line breaks, lines starting with whitespace, a `**` or a link
in an unusual spot — returns None, and markdown-it does it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from socialpub.render.writing import (
    BULLET,
    HTML_SCHEMES,
    TELEGRAM_SCHEMES,
    escape_html,
    escape_telegram,
    normalize_link,
    plain_link,
    tidy,
)

__all__ = ["Rendered", "render_simple"]

#: what makes a text not simple wherever it is: escapes, code, HTML and autolinks, emphasis
#: with `_`, images, entities (`&amp;`, `&#64;`), tabs and other controls
_NOT_SIMPLE_CHAR = re.compile(r"[\\`<_\t\r\x00-\x08\x0b-\x1f\x7f]")
_ENTITY = re.compile(r"&(?:#|[A-Za-z][A-Za-z0-9]*;)")
#: how a line may start: with nothing that begins a block of another kind (a heading needs
#: a space after its #, a list item after its marker or number)
_PLAIN_START = re.compile(r"[^\s#>*+\-=~\[|0-9]|#[^\s#]|\*\*[A-Za-z0-9]|[0-9](?![0-9]*[.)](\s|$))")
_HEADING = re.compile(r"(#{1,6}) ([^#\s](?:[^#]*[^#\s])?)")
#: bold text and links, each between spaces or plain ASCII punctuation
_INLINE = re.compile(
    r"(?<![^\s.,;:!?()])\*\*(?P<strong>[A-Za-z0-9ÄÖÜäöüß](?:[^*\[\]\n]*[A-Za-z0-9ÄÖÜäöüß])?)\*\*"
    r"(?![^\s.,;:!?()])"
    r"|\[(?P<label>[^\s\[\]*](?:[^\[\]*\n]*[^\s\[\]*])?)\]\((?P<url>[^\s()\\<>]+)\)"
)
_MARKS = re.compile(r"[*\[\]]")


@dataclass(frozen=True)
class Rendered:
    """A text in every dialect, as `markup.to_plain`, `to_telegram_html` and `to_html` write it."""

    plain: str
    telegram: str
    html: str


def render_simple(text: str) -> Rendered | None:
    """The text in every dialect, or None when it is not simple enough for this path."""
    if _not_simple(text):
        return None
    lines = text.split("\n")
    blocks = _blocks(lines)
    if blocks is None:
        return None
    plain, telegram, html = [], [], []
    for kind, block in blocks:
        if kind == "heading":
            marks, _, content = block[0].partition(" ")
            written = _inline(content)
            if written is None:
                return None
            level = f"h{min(len(marks) + 1, 4)}"  # the page title is the h1
            plain.append(written[0])
            telegram.append(f"<b>{written[1]}</b>")
            html.append(f"<{level}>{written[2]}</{level}>\n")
        elif kind in ("list", "loose list"):
            items = [_inline(line[2:]) for line in block]
            if any(item is None for item in items):
                return None
            written_items = [item for item in items if item is not None]
            plain.append("\n".join(BULLET + item[0] for item in written_items))
            telegram.append("\n".join(BULLET + item[1] for item in written_items))
            inner = "<li>\n<p>{}</p>\n</li>\n" if kind == "loose list" else "<li>{}</li>\n"
            lis = "".join(inner.format(item[2]) for item in written_items)
            html.append(f"<ul>\n{lis}</ul>\n")
        else:
            written = _inline("\n".join(block))
            if written is None:
                return None
            plain.append(written[0])
            telegram.append(written[1])
            html.append(f"<p>{written[2]}</p>\n")
    return Rendered(tidy("\n\n".join(plain)), tidy("\n\n".join(telegram)), "".join(html).strip())


def _not_simple(text: str) -> bool:
    """One character class and two substring tests: a regex alternation of the three would
    try each at every position (3× slower on an ordinary post)."""
    return bool(
        _NOT_SIMPLE_CHAR.search(text) or "![" in text or ("&" in text and _ENTITY.search(text))
    )


def _blocks(lines: list[str]) -> list[tuple[str, list[str]]] | None:
    """(kind, lines) of each run of non-blank lines; None if one is not simple."""
    blocks: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(lines):
        if not lines[index]:
            index += 1
            continue
        end = index
        while end < len(lines) and lines[end]:
            end += 1
        block = lines[index:end]
        kind = _kind(block)
        if kind is None:
            return None
        if kind == "list" and blocks and blocks[-1][0] in ("list", "loose list"):
            # items a blank line apart: one list, and a loose one (its items are paragraphs)
            blocks[-1] = ("loose list", blocks[-1][1] + block)
        else:
            blocks.append((kind, block))
        index = end
    return blocks


def _kind(block: list[str]) -> str | None:
    if _HEADING.fullmatch(block[0]):
        return "heading" if len(block) == 1 else None
    if block[0].startswith("- "):
        simple = all(line.startswith("- ") and _simple_line(line[2:]) for line in block)
        return "list" if simple else None
    return "paragraph" if all(_simple_line(line) for line in block) else None


def _simple_line(line: str) -> bool:
    """A line of paragraph text that no block construct could claim (a link may begin it,
    a reference definition `[label]: …` not), and that ends in no whitespace (two spaces
    would be a hard line break)."""
    if not line or line[-1].isspace():
        return False
    if line[0] == "[":
        return _INLINE.match(line) is not None
    return _PLAIN_START.match(line) is not None


# --- inline ---------------------------------------------------------------------------------

#: ("text", text) · ("break", "") · ("strong", text) · ("link", label, href as markdown-it
#: normalizes a destination)
Span = tuple[str, ...]


def _inline(content: str) -> tuple[str, str, str] | None:
    """One block's content as plain text, Telegram HTML and HTML; None if not simple."""
    if "*" in content or "[" in content or "]" in content:
        spans = _spans(content)
        return None if spans is None else (_plain(spans), _telegram(spans), _html(spans))
    # Only text and soft line breaks (what _spans would find): a break reads as a space,
    # except in HTML, which keeps the line break.
    escaped = escape_html(content)  # Telegram escapes text as HTML does
    return content.replace("\n", " "), escaped.replace("\n", " "), escaped


def _spans(content: str) -> list[Span] | None:
    """The text, bold text and links of one block's content; None if anything else is in it."""
    spans: list[Span] = []
    done = 0
    for match in _INLINE.finditer(content):
        if not _text(content[done : match.start()], spans):
            return None
        if match["strong"] is not None:
            spans.append(("strong", match["strong"]))
        else:
            spans.append(("link", match["label"], normalize_link(match["url"])))
        done = match.end()
    return spans if _text(content[done:], spans) else None


def _text(text: str, spans: list[Span]) -> bool:
    """Add plain text (its line breaks are soft breaks); False if it holds a mark."""
    if _MARKS.search(text):
        return False
    for number, line in enumerate(text.split("\n")):
        if number:
            spans.append(("break", ""))
        if line:
            spans.append(("text", line))
    return True


def _plain(spans: list[Span]) -> str:
    out = []
    for kind, *values in spans:
        if kind == "link":
            out.append(plain_link(values[0], values[1], autolink=False))
        else:
            out.append(values[0] if kind != "break" else " ")
    return "".join(out)


def _telegram(spans: list[Span]) -> str:
    out = []
    for kind, *values in spans:
        if kind == "text":
            out.append(escape_telegram(values[0]))
        elif kind == "break":
            out.append(" ")
        elif kind == "strong":
            out.append(f"<b>{escape_telegram(values[0])}</b>")
        else:
            label, href = values
            if TELEGRAM_SCHEMES.match(href):
                out.append(f'<a href="{escape_telegram(href)}">{escape_telegram(label)}</a>')
            else:
                out.append(escape_telegram(plain_link(label, href, autolink=False)))
    return "".join(out)


def _html(spans: list[Span]) -> str:
    out = []
    for kind, *values in spans:
        if kind == "text":
            out.append(escape_html(values[0]))
        elif kind == "break":
            out.append("\n")
        elif kind == "strong":
            out.append(f"<strong>{escape_html(values[0])}</strong>")
        else:
            label, href = values
            if HTML_SCHEMES.match(href):
                out.append(f'<a href="{escape_html(href)}">{escape_html(label)}</a>')
            else:
                plain = plain_link(label, href, autolink=False)
                rest = plain[len(label) :] if plain.startswith(label) else f" ({plain})"
                out.append(escape_html(label) + escape_html(rest))
    return "".join(out)
