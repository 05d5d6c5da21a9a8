"""Markup as readers see it: Telegram HTML and the website's HTML as rich `Text`.

`preview` shows what a post looks like, not its source: bold is bold, a link reads
"text (https://…)", a list item "• item", a block quote "│ quote", an image its alt text.
No character of the text is lost: entities are decoded, text is kept as it is. Telegram
shows its text with every newline (it knows no paragraphs), so that text is kept exactly;
the website's HTML is laid out as a browser does: whitespace collapses to one space, blocks
begin new lines, paragraphs are set apart by a blank line.

Imported only when a preview is printed (it needs rich); styles show only on a terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from rich.style import Style
from rich.text import Text

from socialpub.i18n import _

_STYLES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "code": "cyan",
    "pre": "cyan",
    "kbd": "cyan",
    "mark": "reverse",
    "tg-spoiler": "reverse",
    "blockquote": "italic",
    "h1": "bold underline",
    **{f"h{level}": "bold" for level in range(2, 7)},
}
#: blocks that a browser sets apart by a blank line, and blocks that only begin a new line
_PARAGRAPHS = frozenset(
    {"p", "ul", "ol", "blockquote", "pre", "hr", "table", "dl", "figure", "details"}
    | {f"h{level}" for level in range(1, 7)}
)
_LINES = frozenset(
    {"address", "article", "aside", "caption", "dd", "div", "dt", "figcaption", "footer"}
    | {"header", "li", "main", "nav", "section", "summary", "tr"}
)
_CELLS = frozenset({"td", "th"})
_TELEGRAM_BLOCKS = frozenset({"blockquote", "pre"})  # Telegram shows them as blocks too
_VOID = frozenset({"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"})
_HIDDEN = frozenset({"head", "script", "style", "template", "title"})
_ROW_LISTS = frozenset({"tags"})  # site.css: `.tags { display: flex }`, no bullets
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_SCHEME = re.compile(r"^(?:https?://|mailto:|tel:)", re.IGNORECASE)
_QUOTE_BAR = "│ "


def telegram_text(markup: str) -> Text:
    """Telegram HTML (b, i, u, s, a, code, pre, blockquote, tg-spoiler …) as it reads."""
    return _read(markup, browser=False)


def website_text(markup: str) -> Text:
    """The website's HTML fragment as a browser lays it out."""
    return _read(markup, browser=True)


def _read(markup: str, *, browser: bool) -> Text:
    reader = _Reader(browser=browser)
    reader.feed(markup)
    reader.close()
    return reader.finish()


@dataclass
class _Prefix:
    """What begins each line inside a list item or quote; a list item's marker comes once."""

    first: str
    rest: str
    used: bool = False


@dataclass
class _Element:
    tag: str
    style: str | Style | None = None
    href: str | None = None
    prefix: _Prefix | None = None
    number: int = 1  # an ordered list: the next item's number
    in_row: bool = False  # a list the site's stylesheet shows as one row (`ul.tags`)
    start: int | None = None  # where its text begins in the output, once it has some


class _Reader(HTMLParser):
    def __init__(self, *, browser: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.browser = browser
        self.text = Text()
        self.open: list[_Element] = []
        self.newlines = 0  # how many newlines the output ends with
        self.line_started = False  # the current line has its prefix
        self.breaks = 0  # newlines owed before the next text (a block began or ended)
        self.space = False  # a collapsed space owed before the next text
        self.pre = 0  # inside <pre>: whitespace is kept
        self.hidden = 0  # inside <script>, <style> …: nothing shows

    # --- the parser's events ----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._block(tag)
        if tag == "br" and self.browser:
            self._write("\n")
        elif tag == "hr" and self.browser:
            self._write("───", "dim")
        elif tag == "img":
            alt = values.get("alt", "").strip()
            self._write(f"[image: {alt}]" if alt else _("[image without alt text]"), "dim")
        if tag in _VOID:
            self._block(tag)
            return
        element = _Element(tag, _style(tag, values))
        if tag == "a":
            href = values.get("href", "")
            element.href = href
            element.style = Style(underline=True, link=href or None)
        elif tag == "blockquote":
            element.prefix = _Prefix(_QUOTE_BAR, _QUOTE_BAR)
        elif tag in ("ul", "ol") and self.browser:
            start = values.get("start", "1")
            element.number = int(start) if start.isdigit() else 1
            element.in_row = not _ROW_LISTS.isdisjoint(values.get("class", "").split())
        elif tag == "li" and self.browser and not self._in_row():
            marker = self._list_marker()
            element.prefix = _Prefix(marker, " " * len(marker))
        self.pre += tag == "pre"
        self.hidden += tag in _HIDDEN
        self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if not any(element.tag == tag for element in self.open):
            return  # a stray end tag: a browser ignores it too
        while self.open:
            element = self.open.pop()
            self._close(element)
            if element.tag == tag:
                return

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if not self.browser or self.pre:
            self._write(data)
            return
        words = _HTML_SPACE.sub(" ", data)
        if words.startswith(" "):
            self.space = True
        if core := words.strip(" "):
            self._write(core)
            self.space = words.endswith(" ")

    def finish(self) -> Text:
        while self.open:
            self._close(self.open.pop())
        return self.text

    # --- layout -----------------------------------------------------------------------------

    def _close(self, element: _Element) -> None:
        start = len(self.text) if element.start is None else element.start
        if element.style is not None:
            self.text.stylize(element.style, start, len(self.text))
        if element.href is not None:
            label = self.text.plain[start:]
            if element.href.strip() and _bare(label) != _bare(element.href):
                self._write(f" ({element.href})", "dim")
        self.pre -= element.tag == "pre"
        self.hidden -= element.tag in _HIDDEN
        self._block(element.tag)

    def _block(self, tag: str) -> None:
        """A block begins or ends here: the text after it starts on a new line."""
        if self.browser and tag == "li" and self._in_row():
            self.space = True
        elif self.browser and tag in _PARAGRAPHS:
            inside_item = tag in ("ul", "ol") and any(e.tag == "li" for e in self.open)
            self._owe(1 if inside_item else 2)
        elif (self.browser and tag in _LINES) or (not self.browser and tag in _TELEGRAM_BLOCKS):
            self._owe(1)
        elif self.browser and tag in _CELLS:
            self.space = True

    def _owe(self, newlines: int) -> None:
        self.breaks = max(self.breaks, newlines)
        self.space = False

    def _in_row(self) -> bool:
        lists = [e for e in self.open if e.tag in ("ul", "ol")]
        return bool(lists) and lists[-1].in_row

    def _list_marker(self) -> str:
        lists = [e for e in self.open if e.tag in ("ul", "ol")]
        if not lists or lists[-1].tag == "ul":
            return "• "
        lists[-1].number += 1
        return f"{lists[-1].number - 1}. "

    def _write(self, text: str, style: str | None = None) -> None:
        """Append text; owed newlines, a collapsed space and line prefixes come first."""
        if not text or self.hidden:
            return
        if self.breaks and self.text:
            leading = len(text) - len(text.lstrip("\n"))  # Telegram's own newlines count
            self._append("\n" * max(0, self.breaks - self.newlines - leading))
        self.breaks = 0
        if self.space and self.line_started and not text.startswith("\n"):
            self._append(" ")
        self.space = False
        for number, line in enumerate(text.split("\n")):
            if number:
                self._append("\n")
            if line:
                self._line_prefix()
                for element in self.open:  # the text of these begins here
                    if element.start is None:
                        element.start = len(self.text)
                self._append(line, style)

    def _line_prefix(self) -> None:
        if self.line_started:
            return
        prefixes = [e.prefix for e in self.open if e.prefix is not None]
        self.line_started = True
        if not prefixes:
            return
        self._append("".join(p.rest if p.used else p.first for p in prefixes), "dim")
        for prefix in prefixes:
            prefix.used = True

    def _append(self, text: str, style: str | None = None) -> None:
        if not text:
            return
        self.text.append(text, style)
        stripped = text.rstrip("\n")
        self.newlines = len(text) - len(stripped) + (self.newlines if not stripped else 0)
        self.line_started = not text.endswith("\n")


def _style(tag: str, values: dict[str, str]) -> str | None:
    if tag == "span" and "tg-spoiler" in values.get("class", "").split():
        return _STYLES["tg-spoiler"]
    return _STYLES.get(tag)


def _bare(link: str) -> str:
    """A link's text and target are the same when they differ only in scheme and slash."""
    return _SCHEME.sub("", unquote(link.strip())).rstrip("/").casefold()
