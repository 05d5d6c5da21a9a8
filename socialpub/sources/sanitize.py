"""HTML from partner sources, made safe for our pages with nh3 (Rust's ammonia).

Partners' feeds are not ours to trust: a hacked account or a hostile feed must not run script
on the county's website, track its readers or load anything from elsewhere. So only a few
text tags survive, links keep http/https/mailto targets only and get rel="nofollow noopener",
and images are dropped (the media a source attaches are downloaded and served locally).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

TAGS = frozenset({"p", "br", "a", "ul", "ol", "li", "strong", "em", "b", "i", "blockquote"})
ATTRIBUTES = {"a": frozenset({"href"})}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: elements removed together with their content (the rest keep their text)
DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "title",
        "textarea",
        "iframe",
        "object",
        "svg",
        "math",
    }
)
_BLOCKS = frozenset({"p", "blockquote", "ul", "ol", "li", "div", "h1", "h2", "h3", "h4", "h5"})
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def clean_html(markup: str) -> str:
    """The markup with everything but the allow-list removed."""
    return _CLEANER.clean(markup).strip()


def _drop_empty(tag: str, attribute: str, value: str) -> str | None:
    """An empty href would link to our own page (feedparser empties javascript: links)."""
    return value if value.strip() else None


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    attribute_filter=_drop_empty,
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",  # a partner's "/impressum" is not a page of our site
    link_rel="nofollow noopener",
    strip_comments=True,
)


def text_to_html(text: str) -> str:
    """Plain text (Bluesky, feed titles) as paragraphs: escaped, line breaks kept."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def plain_text(markup: str) -> str:
    """The readable text of (sanitized) HTML: paragraphs as blank lines, <br> as newlines."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def shorten(text: str, limit: int = 80) -> str:
    """The first line of the text, cut at a word boundary with "…" when too long."""
    first = text.strip().split("\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0] or first[: limit - 1]
    return cut.rstrip(" ,.;:–-") + "…"


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0  # inside script/style when given raw HTML

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", " "))
