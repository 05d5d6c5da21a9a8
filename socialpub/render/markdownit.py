"""Markdown that is not simple enough for `simplemark.py`, parsed and written by markdown-it.

Imported only when such a text comes along: markdown-it takes ~30 ms to import. The rules
every dialect follows are described in `markup.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from markdown_it.utils import EnvType, OptionsDict

from socialpub.render.writing import (
    BULLET,
    HTML_SCHEMES,
    TELEGRAM_SCHEMES,
    escape_telegram,
    plain_link,
    tidy,
)

__all__ = ["Parsed", "html", "parse", "plain", "telegram_html"]


@dataclass(frozen=True, eq=False)
class Parsed:
    """A Markdown body as markdown-it parses it: its token stream and syntax tree."""

    tokens: tuple[Token, ...]
    tree: SyntaxTreeNode


def parse(markdown: str) -> Parsed:
    tokens = tuple(_PARSER.parse(markdown))
    return Parsed(tokens, SyntaxTreeNode(list(tokens)))


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


def plain(doc: Parsed) -> str:
    """`markup.to_plain` of a text markdown-it parsed."""
    return tidy(_blocks(doc.tree.children, _PLAIN))


def telegram_html(doc: Parsed) -> str:
    """`markup.to_telegram_html` of a text markdown-it parsed."""
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


def html(doc: Parsed) -> str:
    """`markup.to_html` of a text markdown-it parsed."""
    return _HTML_RENDERER.render(doc.tokens, _PARSER.options, {}).strip()
