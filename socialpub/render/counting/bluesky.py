"""Bluesky's entities, as the official client detects facets (@atproto/api detectFacets).

Bluesky's server detects nothing; whatever the client marks up is a link, mention or tag.
The patterns are those of packages/api/src/rich-text/util.ts, with JavaScript's meaning of
`\\s` and `\\b`; a bare domain or a handle needs a known TLD (the `tlds` package there, the
IANA list, here the same list as the other rules).
"""

from __future__ import annotations

import re
from functools import cache

import regex

from socialpub.render.counting import _tlds, _urls
from socialpub.render.counting.entities import Entity

__all__ = ["MAX_TAG_LENGTH", "candidates", "extract_hashtags", "extract_mentions", "extract_urls"]

MAX_TAG_LENGTH = 64  # UTF-16 code units, without "#"

# JavaScript's \s
_SPACE = "\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_MENTION = re.compile(f"(?:^|[{_SPACE}(])@(?P<handle>[a-zA-Z0-9.-]+)\\b", re.ASCII)
_URL = re.compile(
    f"(?:^|[{_SPACE}(])(?P<url>[hH][tT][tT][pP][sS]?://[^{_SPACE}]+"
    f"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\\.[a-zA-Z0-9]+)+)[^{_SPACE}]*)",
    re.MULTILINE,
)
_INVISIBLE = "\xad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")


@cache
def _hashtag_regex() -> regex.Pattern[str]:
    tag_char = f"[^{_SPACE}{_INVISIBLE}]"
    core_char = rf"[^0-9{_SPACE}\p{{P}}{_INVISIBLE}]"
    return regex.compile(
        f"(?:^|[{_SPACE}])(?P<hash>[#\uff03])(?P<tag>(?!\ufe0f){tag_char}*{core_char}+{tag_char}*)?"
    )


@cache
def _all_tlds() -> frozenset[str]:
    return (_tlds.COUNTRY | _tlds.GENERIC) - {"onion"}  # the IANA list has no .onion


def _is_domain(name: str) -> bool:
    """Ends in "." and a TLD, matched case-sensitively as the client does."""
    _, dot, tld = name.rpartition(".")
    return bool(dot) and tld in _all_tlds()


def candidates(text: str) -> list[Entity]:
    """URLs, then mentions, then hashtags; overlaps are resolved by the caller."""
    return [*extract_urls(text), *extract_mentions(text), *extract_hashtags(text)]


def extract_mentions(text: str) -> list[Entity]:
    """@handle.domain, value without "@" (the client's ".test" handles included)."""
    mentions: list[Entity] = []
    for match in _MENTION.finditer(text):
        handle = match["handle"]
        if _is_domain(handle) or handle.endswith(".test"):
            mentions.append(Entity("mention", match.start("handle") - 1, match.end(), handle))
    return mentions


def extract_urls(text: str) -> list[Entity]:
    """http(s) URLs and bare domains with a known TLD, without one trailing punctuation mark."""
    urls: list[Entity] = []
    for match in _URL.finditer(text):
        url = match["url"]
        # an upper-case "HTTP://" is neither a link nor a domain to the client
        if not url.startswith("http") and not (match["domain"] and _is_domain(match["domain"])):
            continue
        if url[-1] in ".,;:!?":
            url = url[:-1]
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        start = match.start("url")
        urls.append(Entity("url", start, start + len(url), url))
    return urls


def extract_hashtags(text: str) -> list[Entity]:
    """#tag without trailing punctuation, at most 64 UTF-16 units; value without "#"."""
    tags: list[Entity] = []
    for match in _hashtag_regex().finditer(text):
        tag = _TRAILING_PUNCTUATION.sub("", match["tag"] or "")
        if 0 < _urls.utf16_length(tag) <= MAX_TAG_LENGTH:
            start = match.start("hash")
            tags.append(Entity("hashtag", start, start + 1 + len(tag), tag))
    return tags
