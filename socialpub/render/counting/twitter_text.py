"""URLs, mentions and hashtags as twitter-text v3 extracts them (what X links and counts).

Follows twitter-text's extractUrlsWithIndices, extractMentionsWithIndices and
extractHashtagsWithIndices (js/src in github.com/twitter/twitter-text), checked against its
conformance file extract.yml. Offsets are code points, not JavaScript's UTF-16 units.
"""

from __future__ import annotations

import re
from functools import cache

import regex

from socialpub.render.counting import _urls
from socialpub.render.counting.entities import Entity

__all__ = ["candidates", "extract_hashtags", "extract_mentions", "extract_urls"]

MAX_TCO_SLUG_LENGTH = 40
_DEFAULT_PROTOCOL = "https://"

_PATH_CHARS = f"[a-zA-Z{_urls.CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_urls.LATIN_ACCENTS}]"
_PATH_END_CHARS = f"[+\\-a-zA-Z{_urls.CYRILLIC}0-9=_#/{_urls.LATIN_ACCENTS}]"
_QUERY_CHARS = "[a-zA-Z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]"
_QUERY_END_CHARS = "[a-zA-Z0-9\\-_&=#/]"
_QUERY = f"\\?{_QUERY_CHARS}*{_QUERY_END_CHARS}"
# one level of nested parentheses, as in Wikipedia links: /wiki/Primer_(film)
_PARENS = f"\\((?:{_PATH_CHARS}+|{_PATH_CHARS}*\\({_PATH_CHARS}+\\){_PATH_CHARS}*)\\)"
_PATH = (
    f"(?:{_PATH_CHARS}*(?:{_PARENS}{_PATH_CHARS}*)*(?:{_PATH_END_CHARS}|{_PARENS})"
    f"|@{_PATH_CHARS}+/)"
)
_HTTP = _urls.caseless("http") + "[sS]?://"
_NO_PROTOCOL_BAD_BEFORE = frozenset("-_./")

_MENTION = re.compile(
    "(?:^|[^a-zA-Z0-9_!#$%&*@\uff20]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
    "(?P<at>[@\uff20])(?P<name>[a-zA-Z0-9_]{1,20})(?P<list>/[a-zA-Z][a-zA-Z0-9_-]{0,24})?"
)
_MENTION_END = re.compile(f"[@\uff20{_urls.LATIN_ACCENTS}]|://")

# Hashtags: letters and marks of any script, digits, and a few joiners; at least one letter.
_TAG_LETTER = r"[\p{L}\p{M}]"
_TAG_SPECIAL = (
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c"  # joiners, Hebrew, wave dashes
    "\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\xb7"  # kana marks, ditto, tsheg, middle dot
)
_TAG_CHAR = rf"[\p{{L}}\p{{M}}\p{{Nd}}{_TAG_SPECIAL}]"
_HASHTAG_END = re.compile("[#\uff03]|://")


@cache
def _hashtag_regex() -> regex.Pattern[str]:
    return regex.compile(
        rf"(?:^|\ufe0e|\ufe0f|(?!{_TAG_CHAR}|&).)"
        rf"(?P<hash>[#\uff03])(?!\ufe0f|\u20e3)(?P<tag>{_TAG_CHAR}*{_TAG_LETTER}{_TAG_CHAR}*)",
        regex.DOTALL,
    )


@cache
def _url_scanner() -> _urls.UrlScanner:
    return _urls.UrlScanner(_HTTP, _PATH, _QUERY)


@cache
def _tco_regex() -> re.Pattern[str]:
    return re.compile(f"{_HTTP}[tT]\\.[cC][oO]/([a-zA-Z0-9]+)(?:{_QUERY})?")


def candidates(text: str) -> list[Entity]:
    """URLs, then mentions, then hashtags; overlaps are resolved by the caller."""
    return [*extract_urls(text), *extract_mentions(text), *extract_hashtags(text)]


def extract_urls(text: str) -> list[Entity]:
    """URLs with or without protocol, in text order."""
    if "." not in text:
        return []
    urls: list[Entity] = []
    for match in _url_scanner().finditer(text):
        url, domain, protocol = match["url"], match["domain"], match["protocol"]
        if not _fits(url, protocol or _DEFAULT_PROTOCOL, domain):
            continue
        if protocol:
            urls.extend(_with_protocol(match))
        elif match["before"][-1:] not in _NO_PROTOCOL_BAD_BEFORE:
            urls.extend(_without_protocol(text, match))
    return urls


def _fits(url: str, protocol: str, domain: str) -> bool:
    """twitter-text's isValidUrl: DNS label lengths and the overall length limit."""
    if not _urls.label_lengths_ok(domain):
        return False
    return len(protocol) + _urls.utf16_length(url) <= _urls.MAX_URL_LENGTH


def _with_protocol(match: re.Match[str]) -> list[Entity]:
    start, end = match.span("url")
    tco = _tco_regex().match(match["url"])
    if tco:  # a t.co link takes no path beyond its slug
        if len(tco[1]) > MAX_TCO_SLUG_LENGTH:
            return []
        end = start + tco.end()
    return [Entity("url", start, end, match.string[start:end])]


def _without_protocol(text: str, match: re.Match[str]) -> list[Entity]:
    """Only the ASCII domains inside the match count, e.g. "example.com" in "見てexample.com"."""
    offset = match.start("domain")
    spans = [m.span() for m in _urls.ascii_domain().finditer(match["domain"])]
    urls = [Entity("url", offset + s, offset + e, text[offset + s : offset + e]) for s, e in spans]
    if urls and match["path"] is not None:
        # the path belongs to the last domain; twitter-text keeps its start there even when
        # non-ASCII text separates the two, so the value is the whole span
        last = urls[-1]
        end = match.end("url")
        urls[-1] = Entity("url", last.start, end, text[last.start : end])
    return urls


def extract_mentions(text: str) -> list[Entity]:
    """@screen_name mentions (not lists such as @user/list), value without "@"."""
    mentions: list[Entity] = []
    for match in _MENTION.finditer(text):
        if _MENTION_END.match(text, match.end()) or match["list"]:
            continue
        mentions.append(Entity("mention", match.start("at"), match.end("name"), match["name"]))
    return mentions


def extract_hashtags(text: str) -> list[Entity]:
    """#hashtags, value without "#"."""
    tags: list[Entity] = []
    for match in _hashtag_regex().finditer(text):
        if _HASHTAG_END.match(text, match.end()):
            continue
        tags.append(Entity("hashtag", match.start("hash"), match.end("tag"), match["tag"]))
    return tags
