"""How every dialect writes text: escaping, links, and the tidying of the finished text.

Shared by the Markdown renderers (`markup.py`) and the fast path for simple texts
(`simplemark.py`), so that both write exactly the same.
"""

from __future__ import annotations

import functools
import re

import mdurl

TELEGRAM_SCHEMES = re.compile(r"(?:https?|mailto|tg):", re.IGNORECASE)
HTML_SCHEMES = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_SCHEME_PREFIX = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
# Decoded URLs are shown to readers; whitespace or controls would cut them in two.
_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f<>\"]")
_BLANK_LINES = re.compile(r"\n{3,}")
#: whitespace at the end of a line (before the last line's end, `strip()` takes it)
_SPACE_BEFORE_BREAK = re.compile(r"[^\S\n]\n")
BULLET = "• "


def escape_telegram(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (`&`, `<`, `>`, `"` as entities)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@functools.lru_cache(maxsize=4096)  # a county links the same pages again and again
def normalize_link(url: str) -> str:
    """A link destination as markdown-it normalizes it (percent-encoded where needed).

    Most hosts are plain ASCII: for them this is markdown-it's own recipe, with mdurl, and
    markdown-it (~30 ms to import) is asked only about international or IPv6 hosts."""
    parsed = mdurl.parse(url, slashes_denote_host=True)
    host = parsed.hostname or ""
    if not host.isascii() or ":" in host:
        from markdown_it.common.normalize_url import normalizeLink

        return normalizeLink(url)
    return mdurl.encode(mdurl.format(parsed))


def _link_text(href: str) -> str:
    """A destination decoded for reading, as markdown-it's normalizeLinkText does."""
    parsed = mdurl.parse(href, slashes_denote_host=True)
    if "xn--" in (parsed.hostname or "").lower():  # punycode, shown in its own letters
        from markdown_it.common.normalize_url import normalizeLinkText

        return normalizeLinkText(href)
    return mdurl.decode(mdurl.format(parsed), mdurl.DECODE_DEFAULT_CHARS + "%")


def escape_html(text: str) -> str:
    """`&`, `<`, `>` and `"` as entities, as markdown-it's HTML renderer writes text."""
    return escape_telegram(text)


@functools.lru_cache(maxsize=4096)
def display_url(href: str) -> str:
    """The URL as a reader should see it: decoded, but never split by whitespace."""
    decoded = _link_text(href)
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), decoded)


def _is_self_labelled(label: str, url: str) -> bool:
    def bare(value: str) -> str:
        return _SCHEME_PREFIX.sub("", value.strip()).rstrip("/").casefold()

    return bare(label) == bare(url)


def plain_link(label: str, href: str, autolink: bool) -> str:
    """A link as plain text: `text (url)`, or the URL alone when the text already is it."""
    url = display_url(href)
    if autolink or _is_self_labelled(label, url):
        return _MAILTO.sub("", url)  # an address reads better without "mailto:"
    return f"{label} ({url})" if label.strip() else url


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, no surrounding whitespace."""
    if _SPACE_BEFORE_BREAK.search(text):  # most texts have none: only then line by line
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
