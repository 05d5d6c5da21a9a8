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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from markdown_it.utils import EnvType, OptionsDict

from socialpub.render.simplemark import Rendered, render_simple
from socialpub.render.writing import (
    BULLET,
    HTML_SCHEMES,
    TELEGRAM_SCHEMES,
    escape_telegram,
    plain_link,
    tidy,
)

__all__ = ["Document", "escape_telegram", "parse", "to_html", "to_plain", "to_telegram_html"]


class _Parser(MarkdownIt):
    """CommonMark without raw HTML; every link destination is kept for the renderers."""

    def validateLink(self, url: str) -> bool:
        # Scheme policy differs per dialect (Telegram allows tg:), so it is applied when
        # rendering; markdown-it's default would turn `[x](javascript:…)` into source text.
        return True


# xhtmlOut only affects rendering: the website fragment writes <br>, not <br />.
_PARSER = _Parser(
    "commonmark", {"html": False, "linkify": False, "typographer": False, "xhtmlOut": False}
)


@dataclass(frozen=True, eq=False)
class Document:
    """A parsed Markdown body. Renderers only read it; build it with `parse`.

    A simple text (see `simplemark.py`) is written into every dialect at once, and its
    markdown-it tokens and syntax tree are made only if someone asks for them. Compared and
    hashed by identity (tokens are mutable markdown-it objects).
    """

    source: str
    simple: Rendered | None = None

    @functools.cached_property
    def tokens(self) -> tuple[Token, ...]:
        return tuple(_PARSER.parse(self.source))

    @functools.cached_property
    def tree(self) -> SyntaxTreeNode:
        return SyntaxTreeNode(list(self.tokens))


def parse(markdown: str) -> Document:
    """Parse a Markdown body (CRLF and CR line ends are accepted)."""
    return Document(source=markdown, simple=render_simple(markdown))


def _label(tokens: Sequence[Token]) -> str:
    """The plain text of inline tokens (a link's text, an image's alt text)."""
    out: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type == "softbreak":
            out.append(" ")
        elif token.type == "hardbreak":
            out.append("\n")
        elif token.type == "image":
            out.append(_label(token.children or []))
        elif token.children:
            out.append(_label(token.children))
    return "".join(out)


# --- text dialects (plain, Telegram HTML) ----------------------------------------------------


@dataclass(frozen=True)
class _TextDialect:
    """How a line-oriented dialect writes text, marks and links."""

    escape: Callable[[str], str]
    marks: Mapping[str, tuple[str, str]]  # node type → (before, after)
    link_allowed: Callable[[str], bool]


def _no_escape(text: str) -> str:
    return text


_PLAIN = _TextDialect(escape=_no_escape, marks={}, link_allowed=lambda href: False)
_TELEGRAM = _TextDialect(
    escape=escape_telegram,
    marks={
        "strong": ("<b>", "</b>"),
        "em": ("<i>", "</i>"),
        "code_inline": ("<code>", "</code>"),
        "heading": ("<b>", "</b>"),
        "code_block": ("<pre>", "</pre>"),
        "blockquote": ("<blockquote>", "</blockquote>"),
    },
    link_allowed=lambda href: TELEGRAM_SCHEMES.match(href) is not None,
)


def _mark(dialect: _TextDialect, kind: str, text: str) -> str:
    before, after = dialect.marks.get(kind, ("", ""))
    return f"{before}{text}{after}"


def _inline(nodes: Sequence[SyntaxTreeNode], dialect: _TextDialect) -> str:
    return "".join(_inline_node(node, dialect) for node in nodes)


def _inline_node(node: SyntaxTreeNode, dialect: _TextDialect) -> str:
    kind = node.type
    if kind == "text":
        return dialect.escape(node.content)
    if kind == "softbreak":
        return " "  # a line wrapped in the file, not in the post (as on the website)
    if kind == "hardbreak":
        return "\n"
    if kind == "code_inline":
        return _mark(dialect, kind, dialect.escape(node.content))
    if kind == "image":
        return dialect.escape(_node_label(node))
    if kind == "link":
        return _text_link(node, dialect)
    return _mark(dialect, kind, _inline(node.children, dialect))


def _text_link(node: SyntaxTreeNode, dialect: _TextDialect) -> str:
    href = str(node.attrs.get("href", ""))
    if dialect.link_allowed(href):
        return f'<a href="{dialect.escape(href)}">{_inline(node.children, dialect)}</a>'
    label = _node_label(node)
    return dialect.escape(plain_link(label, href, autolink=node.markup == "autolink"))


def _node_label(node: SyntaxTreeNode) -> str:
    return _label([token for child in node.children for token in child.to_tokens()])


def _blocks(nodes: Sequence[SyntaxTreeNode], dialect: _TextDialect) -> str:
    rendered = (_block(node, dialect) for node in nodes)
    return "\n\n".join(text for text in rendered if text)


def _block(node: SyntaxTreeNode, dialect: _TextDialect) -> str:
    kind = node.type
    if kind == "inline":
        return _inline(node.children, dialect)
    if kind == "paragraph":
        return _blocks(node.children, dialect)
    if kind == "heading":
        return _mark(dialect, kind, _blocks(node.children, dialect))
    if kind in ("fence", "code_block"):
        return _mark(dialect, "code_block", dialect.escape(node.content.rstrip("\n")))
    if kind == "blockquote":
        return _mark(dialect, kind, _blocks(node.children, dialect))
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, dialect)
    return ""  # hr: the blank line around it is separation enough


def _list(node: SyntaxTreeNode, dialect: _TextDialect) -> str:
    start = int(node.attrs.get("start", 1))
    lines: list[str] = []
    for number, item in enumerate(node.children, start=start):
        marker = BULLET if node.type == "bullet_list" else f"{number}. "
        body = _blocks(item.children, dialect).replace("\n\n", "\n")
        first, *rest = body.split("\n") if body else [""]
        lines.append(marker + first)
        lines.extend(" " * len(marker) + line if line else line for line in rest)
    return "\n".join(lines)


def to_plain(doc: Document) -> str:
    """Plain text for X, Mastodon, Bluesky, Threads, Instagram, Facebook, LinkedIn, WhatsApp.

    Paragraphs, headings, lists and code blocks are separated by one blank line; emphasis
    markers are dropped; bullet items read "• item", ordered items "1. item" (nested items
    indented); blockquotes and code keep just their text.
    """
    if doc.simple is not None:
        return doc.simple.plain
    return tidy(_blocks(doc.tree.children, _PLAIN))


def to_telegram_html(doc: Document) -> str:
    """Text for the Telegram Bot API with `parse_mode=HTML`.

    Uses only b, i, code, pre, blockquote and a; headings are bold lines; lists are "• " lines;
    newlines are real newlines (Telegram knows no <p> or <br>).
    """
    if doc.simple is not None:
        return doc.simple.telegram
    return tidy(_blocks(doc.tree.children, _TELEGRAM))


# --- website HTML ---------------------------------------------------------------------------


class _SafeHtmlRenderer(RendererHTML):
    """markdown-it's HTML renderer with headings shifted, images as alt text, safe links."""

    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return f"<{_shifted_heading(tokens[idx].tag)}>"

    def heading_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return f"</{_shifted_heading(tokens[idx].tag)}>\n"

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return escapeHtml(_label(tokens[idx].children or []))

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        href = str(tokens[idx].attrs.get("href", ""))
        if HTML_SCHEMES.match(href):
            return f'<a href="{escapeHtml(href)}">'
        return ""  # written as text by link_close

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        start = max(i for i in range(idx) if tokens[i].type == "link_open")  # links never nest
        opener = tokens[start]
        href = str(opener.attrs.get("href", ""))
        if HTML_SCHEMES.match(href):
            return "</a>"
        label = _label(tokens[start + 1 : idx])
        plain = plain_link(label, href, autolink=opener.markup == "autolink")
        # The label itself was already rendered between link_open and link_close.
        return escapeHtml(plain[len(label) :] if plain.startswith(label) else f" ({plain})")


def _shifted_heading(tag: str) -> str:
    """Body `#` becomes h2 (the page title is the h1); deeper levels stop at h4."""
    level = int(tag[1:]) + 1
    return f"h{min(level, 4)}"


_HTML_RENDERER = _SafeHtmlRenderer()


def to_html(doc: Document) -> str:
    """A safe, semantic HTML fragment for the website (no raw HTML, no images, no scripts)."""
    if doc.simple is not None:
        return doc.simple.html
    return _HTML_RENDERER.render(doc.tokens, _PARSER.options, {}).strip()
