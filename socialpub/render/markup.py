"""Markdown bodies → each platform's dialect. Parse once with `parse`, render many times.

The body is text, never a template: nothing here evaluates `{{ … }}` or `{% … %}`; such
sequences reach every output literally. Raw HTML in the body is not interpreted (it stays
visible text, escaped where the output is HTML).

Rules shared by all dialects:

* Links: `[text](url)` becomes `text (url)`; when the text already is the URL (an autolink
  `<https://…>`, or a text equal to the URL apart from the scheme and a trailing slash) only the
  URL is written (an e-mail address without "mailto:"). Telegram and HTML turn links into
  `<a>` only for schemes they allow (Telegram: http, https, mailto, tg; HTML: http, https,
  mailto); any other link, e.g. `javascript:`, is written as escaped text by the plain rule.
* Images in the body become their alt text (media belong in the post's `media:`).
* A single newline in the source is a soft line break: a space in every dialect, as Markdown
  defines, so files can be wrapped for readable diffs. A line break in the post needs a hard
  break: two spaces or a backslash at the end of the line.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from socialpub.render.simplemark import Rendered, render_simple
from socialpub.render.writing import escape_telegram

if TYPE_CHECKING:
    from socialpub.render.markdownit import Parsed

__all__ = ["Document", "escape_telegram", "parse", "to_html", "to_plain", "to_telegram_html"]


@dataclass(frozen=True, eq=False)
class Document:
    """A parsed Markdown body. Renderers only read it; build it with `parse`.

    A simple text (see `simplemark.py`) is written into every dialect at once; any other is
    parsed by markdown-it, when a dialect is first asked for. Compared and hashed by
    identity.
    """

    source: str
    simple: Rendered | None = None

    @functools.cached_property
    def parsed(self) -> Parsed:
        from socialpub.render import markdownit

        return markdownit.parse(self.source)


def parse(markdown: str) -> Document:
    """Parse a Markdown body (CRLF and CR line ends are accepted)."""
    return Document(source=markdown, simple=render_simple(markdown))


def to_plain(doc: Document) -> str:
    """Plain text for X, Mastodon, Bluesky, Threads, Instagram, Facebook, LinkedIn, WhatsApp.

    Paragraphs, headings, lists and code blocks are separated by one blank line; emphasis
    markers are dropped; bullet items read "• item", ordered items "1. item" (nested items
    indented); blockquotes and code keep just their text.
    """
    if doc.simple is not None:
        return doc.simple.plain
    from socialpub.render import markdownit

    return markdownit.plain(doc.parsed)


def to_telegram_html(doc: Document) -> str:
    """Text for the Telegram Bot API with `parse_mode=HTML`.

    Uses only b, i, code, pre, blockquote and a; headings are bold lines; lists are "• " lines;
    newlines are real newlines (Telegram knows no <p> or <br>).
    """
    if doc.simple is not None:
        return doc.simple.telegram
    from socialpub.render import markdownit

    return markdownit.telegram_html(doc.parsed)


def to_html(doc: Document) -> str:
    """A safe, semantic HTML fragment for the website (no raw HTML, no images, no scripts)."""
    if doc.simple is not None:
        return doc.simple.html
    from socialpub.render import markdownit

    return markdownit.html(doc.parsed)
