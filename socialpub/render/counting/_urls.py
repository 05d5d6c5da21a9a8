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
from typing import Any

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
_PROTOCOL_WORD_MAX = 16  # longer than any protocol a platform links ("gemini", "https")
MAX_LABEL_LENGTH = 63  # a DNS label, after punycode
_LABEL_SEPARATORS = re.compile("[\u3002\uff0e\uff61]")  # punycode.js splits labels here too


def caseless(word: str) -> str:
    """An ASCII word matched without regard to case (not via re.I: it folds 'ſ' to 's')."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def trie(names: frozenset[str]) -> str:
    """A pattern matching any of `names`, preferring the longest, as the alternation of all
    names sorted longest first would ("community" before "com"), but shaped as a trie: `re`
    tries the alternatives of an alternation one by one, ~1,500 TLDs took ~15 µs a try."""
    root: dict[str, dict[str, Any]] = {}
    for name in names:
        node = root
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here
    return _trie_pattern(root)


def _trie_pattern(node: dict[str, dict[str, Any]]) -> str:
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return group
    # a longer name first, then the one ending here (greedy `?` backtracks to it)
    return f"(?:{group})?" if len(branches) > 1 or len(group) > 1 else f"{group}?"


@cache
def _tld() -> str:
    generic = f"(?i:{trie(_tlds.GENERIC)}){_TLD_END}"
    country = f"(?i:{trie(_tlds.COUNTRY)}){_TLD_END}"
    return f"(?:{generic}|{country}|{_PUNYCODE})"


class UrlScanner:
    """twitter-text's extractUrl pattern with a platform's protocol, path and query rules.

    `finditer` returns what `pattern.finditer` would, but first rules out every stretch of
    text whose dots are followed by no TLD: the pattern alone retries each start position
    and would take quadratic time on long runs without spaces (CJK or Thai prose).
    """

    def __init__(self, protocol: str, path: str, query: str) -> None:
        assert protocol.endswith("://"), "_protocols() looks for protocols before '://'"
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
        """The matches at every index where one could begin (its preceding character
        included), left to right, each search resuming after the last match."""
        domains = _domain_ranges(text)
        if not domains:
            return
        starts = self._protocol_starts(text, domains)
        # a match may begin one character early: the preceding character is part of it
        lows = [max(first - 1, 0) for first, _ in domains]
        highs = [max(stop - 1, 1) for _, stop in domains]  # increasing: the runs are disjoint
        position = 0
        while True:
            span = bisect.bisect_right(highs, position)  # the first span not behind us
            found = max(position, lows[span]) if span < len(highs) else None
            protocol = bisect.bisect_left(starts, position)
            if protocol < len(starts) and (found is None or starts[protocol] < found):
                found = starts[protocol]
            if found is None:
                return
            match = self.pattern.match(text, found)
            if match:
                yield match
                position = match.end()
            else:
                position = found + 1

    def _protocol_starts(self, text: str, domains: list[tuple[int, int]]) -> list[int]:
        """Where a protocol that a domain follows begins (its preceding character included)."""
        firsts = [first for first, _ in domains]
        starts = []
        for found in self._protocols(text):
            index = bisect.bisect_right(firsts, found.end()) - 1
            if index >= 0 and found.end() < domains[index][1]:
                starts.append(max(found.start() - 1, 0))
        return starts

    def _protocols(self, text: str) -> Iterator[re.Match[str]]:
        """What `self.protocol.finditer(text)` finds, faster: every protocol is a word that
        ends in "://", so only the few characters before each "://" can begin one."""
        done = 0
        for colon in _indices(text, "://"):
            for start in range(max(colon - _PROTOCOL_WORD_MAX, done), colon):
                found = self.protocol.match(text, start)
                if found and found.end() == colon + 3:
                    yield found
                    done = found.end()
                    break


def _domain_ranges(text: str) -> list[tuple[int, int]]:
    """(first, stop): a domain may begin at any index in [first, stop), in order.

    A domain lies inside one run of domain characters and dots, and ends in a TLD that
    follows a dot; a run without such a TLD holds no domain. So only the runs around dots
    that a TLD follows are looked at (a text has few of them, but a run for every word).
    """
    first, tld = _tld_first_char_regex(), _tld_regex()
    last_tld: dict[int, int] = {}  # run start → the last TLD start in that run
    runs = _domain_run_regex()
    backwards = None
    for dot in _indices(text, "."):
        if not (first.match(text, dot + 1) and tld.match(text, dot + 1)):  # first test: cheap
            continue
        if backwards is None:
            backwards = text[::-1]
        behind = runs.match(backwards, len(text) - 1 - dot)  # the run, read from the dot back
        assert behind is not None  # a dot always belongs to a run
        last_tld[dot + 1 - len(behind.group())] = dot + 1
    return [(start, end - 1) for start, end in last_tld.items() if end - 1 > start]


def _indices(text: str, needle: str) -> Iterator[int]:
    index = text.find(needle)
    while index >= 0:
        yield index
        index = text.find(needle, index + 1)


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
