"""Building blocks of twitter-text's URL pattern, shared by the X and Mastodon rules.

A URL is: a preceding character, an optional protocol, a domain that ends in a known TLD,
then an optional port, path and query. The domain part follows twitter-text v3
(js/src/regexp/*) exactly; only the protocol, path and query differ between platforms.
Patterns use the standard `re` module: with ~1,500 TLD alternatives it compiles several
times faster than `regex`, which matters for a command-line tool.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import cache

from socialpub.render.counting import _tlds

__all__ = [
    "CYRILLIC",
    "LATIN_ACCENTS",
    "MAX_URL_LENGTH",
    "UrlScanner",
    "ascii_domain",
    "caseless",
    "label_lengths_ok",
    "utf16_length",
]

# Character sets, as ranges ready to go inside [...].
SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
INVALID = "\ufffe\ufeff\uffff"
DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROL = "\x00-\x1f\x7f"
LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
CYRILLIC = "\u0400-\u04ff"
# twitter-text's punctuation; the JS port lacks '"' and '`' by a typo that Ruby and Java
# do not share, so they are excluded here too.
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~\\"

_DOMAIN_CHAR = f"[^{re.escape(_PUNCTUATION)}{SPACES}{CONTROL}{INVALID}{DIRECTIONAL}]"
# A label runs to the next dot, so each can only match one way: possessive loops keep a
# failed attempt linear instead of retrying every shorter label.
_SUBDOMAIN = f"{_DOMAIN_CHAR}(?:[_-]*{_DOMAIN_CHAR})*+\\."
_DOMAIN_NAME = f"{_DOMAIN_CHAR}(?:-*{_DOMAIN_CHAR})*+\\."
_TLD_END = "(?=[^0-9a-zA-Z@+-]|$)"
_PUNYCODE = "[xX][nN]--[0-9a-zA-Z-]+"
PRECEDING = f"(?:[^A-Za-z0-9@\uff20$#\uff03{INVALID}]|[{DIRECTIONAL}]|^)"

MAX_URL_LENGTH = 4096  # UTF-16 code units, protocol included
MAX_LABEL_LENGTH = 63  # a DNS label, after punycode
_LABEL_SEPARATORS = re.compile("[\u3002\uff0e\uff61]")  # punycode.js splits labels here too


def caseless(word: str) -> str:
    """An ASCII word matched without regard to case (not via re.I: it folds 'ſ' to 's')."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _alternation(names: frozenset[str]) -> str:
    # Longest first, so that "community" is tried before "com", as twitter-text's
    # reverse-sorted lists do.
    ordered = sorted(names, key=lambda name: (-len(name), name))
    return "|".join(re.escape(name) for name in ordered)


@cache
def _tld() -> str:
    generic = f"(?i:{_alternation(_tlds.GENERIC)}){_TLD_END}"
    country = f"(?i:{_alternation(_tlds.COUNTRY)}){_TLD_END}"
    return f"(?:{generic}|{country}|{_PUNYCODE})"


class UrlScanner:
    """twitter-text's extractUrl pattern with a platform's protocol, path and query rules.

    `finditer` returns what `pattern.finditer` would, but first rules out every stretch of
    text whose dots are followed by no TLD: the pattern alone retries each start position
    and would take quadratic time on long runs without spaces (CJK or Thai prose).
    """

    def __init__(self, protocol: str, path: str, query: str) -> None:
        self.protocol = re.compile(protocol)
        self.pattern = re.compile(
            f"(?P<before>{PRECEDING})"
            f"(?P<url>(?P<protocol>{protocol})?"
            f"(?P<domain>(?:{_SUBDOMAIN})*{_DOMAIN_NAME}{_tld()})"
            "(?::[0-9]+)?"
            f"(?P<path>/{path}*)?"
            f"(?:{query})?)"
        )

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        resume = 0
        for start in self._match_starts(text):
            match = self.pattern.match(text, start) if start >= resume else None
            if match:
                yield match
                resume = match.end()

    def _match_starts(self, text: str) -> list[int]:
        """Every index where a match (preceding character included) could begin."""
        domains = _domain_ranges(text)
        if not domains:
            return []
        firsts = [first for first, _ in domains]
        starts: set[int] = set()
        for first, stop in domains:
            starts.update(range(max(first - 1, 0), max(stop - 1, 1)))
        for found in self.protocol.finditer(text):
            index = bisect.bisect_right(firsts, found.end()) - 1
            if index >= 0 and found.end() < domains[index][1]:
                starts.add(max(found.start() - 1, 0))
        return sorted(starts)


def _domain_ranges(text: str) -> list[tuple[int, int]]:
    """(first, stop): a domain may begin at any index in [first, stop).

    A domain lies inside one run of domain characters and dots, and ends in a TLD that
    follows a dot; a run without such a TLD holds no domain.
    """
    first, tld = _tld_first_char_regex(), _tld_regex()
    tld_starts = [
        dot + 1
        for dot in _indices(text, ".")
        if first.match(text, dot + 1) and tld.match(text, dot + 1)  # the first test is cheap
    ]
    ranges: list[tuple[int, int]] = []
    for run in _domain_run_regex().finditer(text) if tld_starts else ():
        last = bisect.bisect_left(tld_starts, run.end()) - 1
        if last >= 0 and tld_starts[last] - 1 > run.start():
            ranges.append((run.start(), tld_starts[last] - 1))
    return ranges


def _indices(text: str, char: str) -> Iterator[int]:
    index = text.find(char)
    while index >= 0:
        yield index
        index = text.find(char, index + 1)


@cache
def _tld_regex() -> re.Pattern[str]:
    return re.compile(_tld())


@cache
def _tld_first_char_regex() -> re.Pattern[str]:
    firsts = {name[0] for name in _tlds.GENERIC | _tlds.COUNTRY} | {"x"}
    return re.compile(f"(?i:[{re.escape(''.join(sorted(firsts)))}])")


@cache
def _domain_run_regex() -> re.Pattern[str]:
    return re.compile(f"(?:{_DOMAIN_CHAR}|[._-])+")


@cache
def ascii_domain() -> re.Pattern[str]:
    """An ASCII-only domain inside a longer match (how URLs without protocol are cut out)."""
    return re.compile(f"(?:[a-zA-Z0-9{LATIN_ACCENTS}-]+\\.)+{_tld()}")


def label_lengths_ok(domain: str) -> bool:
    """twitter-text's idna.toAscii check: every label is 1..63 characters after punycode."""
    if domain.startswith("xn--") and not ascii_domain().search(domain):
        return False  # a punycode domain cannot contain non-ASCII characters
    return all(1 <= len(_punycode(label)) <= MAX_LABEL_LENGTH for label in domain.split("."))


def _punycode(label: str) -> str:
    parts = _LABEL_SEPARATORS.split(label)
    return ".".join(part if part.isascii() else "xn--" + _encode(part) for part in parts)


def _encode(part: str) -> str:
    return part.encode("punycode").decode("ascii")


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units (what JavaScript's String.length reports)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
