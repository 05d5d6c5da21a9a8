"""Mastodon's entities and length, as its StatusLengthValidator counts.

Mastodon (app/validators/status_length_validator.rb) extracts URLs (only with a protocol) and
mentions, replaces every URL by 23 characters and every `@user@domain` by `@user`, then
counts grapheme clusters. Its URL pattern is twitter-text's (the Ruby gem) with the path,
query and protocol rules of config/initializers/twitter_regex.rb; mentions use
Account::MENTION_RE, hashtags Tag::HASHTAG_RE.
"""

from __future__ import annotations

import re
from functools import cache

import regex

from socialpub.render.counting import _urls
from socialpub.render.counting.entities import Entity, without_overlaps
from socialpub.render.counting.graphemes import grapheme_count

__all__ = [
    "URL_LENGTH",
    "candidates",
    "countable_length",
    "extract_hashtags",
    "extract_mentions",
    "extract_urls",
]

URL_LENGTH = 23
MAX_TCO_SLUG_LENGTH = 40

_WHITE_SPACE = "\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PROTOCOL = "(?:{})://".format(
    "|".join(
        _urls.caseless(name)
        for name in ("https", "http", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini")
    )
)
_PATH_CHARS = f"[^{_WHITE_SPACE}<>()?]"
_PARENS = f"\\((?:{_PATH_CHARS}+|{_PATH_CHARS}*\\({_PATH_CHARS}+\\){_PATH_CHARS}*)\\)"
# The gem's own (narrower) path characters still apply to parentheses at the very end,
# because Mastodon's initializer reads them before redefining them.
_DASHES = (  # \p{Pd}
    "\\-\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d"
    "\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d"
)
_CYRILLIC = "\u0400-\u052f"
_GEM_PATH_CHARS = f"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]{_DASHES}_~&|@{_urls.LATIN_ACCENTS}]"
_GEM_PARENS = (
    f"\\((?:{_GEM_PATH_CHARS}+|{_GEM_PATH_CHARS}*\\({_GEM_PATH_CHARS}+\\){_GEM_PATH_CHARS}*)\\)"
)
_PATH_END = f"(?:[^{_WHITE_SPACE}()?!*\"'「」<>;:=,.$%\\[\\]~&|@]|{_GEM_PARENS})"
_PATH = f"(?:{_PATH_CHARS}*(?:{_PARENS}{_PATH_CHARS}*)*{_PATH_END}|{_PATH_CHARS}+/)"
_UCHARS = (
    "\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    "\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_QUERY = f"\\?[a-zA-Z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^{_UCHARS}]*[a-zA-Z0-9_&=#/\\-{_UCHARS}]"
_TCO = re.compile(_urls.caseless("http") + "[sS]?://[tT]\\.[cC][oO]/([a-zA-Z0-9]+)")
_BLANK = re.compile(f"[{_WHITE_SPACE}]*")

# Ruby's [[:word:]], [[:alpha:]] and \p{Alnum} on Unicode strings
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
_ALPHA = r"\p{L}\p{M}"
_ALNUM = r"\p{L}\p{M}\p{Nd}"
_USERNAME = "[a-zA-Z0-9_]+(?:[.-]+[a-zA-Z0-9_]+)*"
_MENTION_END = re.compile(f"[@\uff20{_urls.LATIN_ACCENTS}]|://")
_TAG_SEPARATORS = "_\u00b7\u30fb\u200c"
_TAG_PART = f"[{_WORD}{_TAG_SEPARATORS}]"
_TAG_NAME = (
    f"[{_WORD}]{_TAG_PART}*[{_ALPHA}{_TAG_SEPARATORS}]{_TAG_PART}*[{_WORD}]"  # first sequence
    f"|[{_WORD}]*[{_ALPHA}][{_WORD}]*"  # last sequence
)
_TAG_GLUED_PROTOCOL = regex.compile(r"(.+)(https?)\Z")


@cache
def _url_scanner() -> _urls.UrlScanner:
    return _urls.UrlScanner(_PROTOCOL, _PATH, _QUERY)


@cache
def _mention_regex() -> regex.Pattern[str]:
    return regex.compile(
        rf"(?<![=/{_WORD}])@(?P<name>{_USERNAME}(?:@[{_WORD}]+(?:[.-]+[{_WORD}]+)*)?)"
    )


@cache
def _hashtag_regex() -> regex.Pattern[str]:
    return regex.compile(rf"(?<![=/){_ALNUM}])#(?P<tag>{_TAG_NAME})")


def countable_length(text: str) -> int:
    """Grapheme clusters, with URLs as 23 and remote mentions as their local part."""
    if _BLANK.fullmatch(text):
        return 0
    pieces: list[str] = []
    done = 0
    for entity in without_overlaps([*extract_urls(text), *extract_mentions(text)]):
        pieces += [text[done : entity.start], stand_in(entity)]
        done = entity.end
    pieces.append(text[done:])
    return grapheme_count("".join(pieces))


def stand_in(entity: Entity) -> str:
    """What Mastodon counts in place of a URL ("x" * 23) or a mention ("@user")."""
    if entity.kind == "url":
        return "x" * URL_LENGTH
    return "@" + entity.value.split("@")[0]


def candidates(text: str) -> list[Entity]:
    """URLs, then mentions, then hashtags; overlaps are resolved by the caller."""
    return [*extract_urls(text), *extract_mentions(text), *extract_hashtags(text)]


def extract_urls(text: str) -> list[Entity]:
    """URLs with a protocol (Mastodon links nothing else)."""
    if "://" not in text:  # every protocol Mastodon links ends in "://"
        return []
    urls: list[Entity] = []
    for match in _url_scanner().finditer(text):
        if not match["protocol"]:
            continue
        start, end = match.span("url")
        tco = _TCO.match(match["url"])
        if tco:  # a t.co link takes no path or query beyond its slug
            if len(tco[1]) > MAX_TCO_SLUG_LENGTH:
                continue
            end = start + tco.end()
        if _domain_ok(end - start, match["domain"]):
            urls.append(Entity("url", start, end, text[start:end]))
    return urls


def _domain_ok(url_length: int, domain: str) -> bool:
    """The gem's is_valid_domain: IDNA ToASCII must succeed and the URL stay ≤ 4096."""
    try:
        encoded = domain.encode("idna")
    except UnicodeError:
        return False
    return url_length + max(0, len(encoded) - len(domain)) <= _urls.MAX_URL_LENGTH


def extract_mentions(text: str) -> list[Entity]:
    """@user and @user@domain; the value keeps the domain."""
    if "@" not in text and "\uff20" not in text:
        return []
    mentions: list[Entity] = []
    for match in _mention_regex().finditer(text):
        if not _MENTION_END.match(text, match.end()):
            mentions.append(Entity("mention", match.start(), match.end(), match["name"]))
    return mentions


def extract_hashtags(text: str) -> list[Entity]:
    """#tag; a tag glued to a URL ("#taghttps://…") loses the protocol word."""
    tags: list[Entity] = []
    for match in _hashtag_regex().finditer(text):
        tag, end = match["tag"], match.end()
        glued = _TAG_GLUED_PROTOCOL.match(tag) if text.startswith("://", end) else None
        if glued:
            tag, end = glued[1], end - len(glued[2])
        tags.append(Entity("hashtag", match.start(), end, tag))
    return tags
