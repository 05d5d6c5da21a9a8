"""Entities per flavor (X, Mastodon, Bluesky), their invariants, and the TLD data generator."""

from __future__ import annotations

import itertools

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from socialpub.errors import UsageError
from socialpub.render.counting import _tlds, _urls, find_entities, tldgen
from socialpub.render.counting.entities import Entity, Flavor, without_overlaps

FLAVORS: tuple[Flavor, ...] = ("twitter", "mastodon", "bluesky")
WHITE_SPACE = regex.compile(r"\p{White_Space}")

PIECES = st.sampled_from(
    [
        " ",
        "\n",
        "Grüße",
        "Köln",
        "東京",
        "👍🏽",
        "(",
        ")",
        ".",
        ",",
        "!",
        "http://",
        "https://",
        "www.",
        "example",
        "bürger",
        ".com",
        ".de",
        ".social",
        "/",
        "pfad",
        "?a=1",
        "#",
        "＃",
        "@",
        "＠",
        "user",
        "_",
        "-",
        "1",
        "t.co/x",
    ]
)
TEXTS = st.one_of(st.lists(PIECES, max_size=30).map("".join), st.text(max_size=60))


def spans(text: str, flavor: Flavor) -> list[tuple[str, str, str]]:
    return [(e.kind, e.value, text[e.start : e.end]) for e in find_entities(text, flavor)]


# --- X (twitter-text) -------------------------------------------------------------------------


def test_twitter_german_post() -> None:
    text = "Heute #Bürgerdialog, Infos: https://www.köln.de/termine. Fragen an @Stadt_Koeln!"
    assert spans(text, "twitter") == [
        ("hashtag", "Bürgerdialog", "#Bürgerdialog"),
        ("url", "https://www.köln.de/termine", "https://www.köln.de/termine"),
        ("mention", "Stadt_Koeln", "@Stadt_Koeln"),
    ]


def test_twitter_urls_without_protocol_and_trailing_punctuation() -> None:
    text = "Siehe www.berlin.de/service, bund.de und (example.org)."
    assert [value for _, value, _ in spans(text, "twitter")] == [
        "www.berlin.de/service",
        "bund.de",
        "example.org",
    ]


def test_twitter_remote_mention_is_not_a_mention() -> None:
    assert spans("Hallo @user@instance.social", "twitter") == []


# --- Mastodon ---------------------------------------------------------------------------------


def test_mastodon_mentions_keep_the_domain() -> None:
    text = "Danke @user@instance.social und @lokal!"
    assert spans(text, "mastodon") == [
        ("mention", "user@instance.social", "@user@instance.social"),
        ("mention", "lokal", "@lokal"),
    ]


def test_mastodon_links_only_urls_with_protocol() -> None:
    text = "Mehr auf example.com und https://example.com/a. Oder gemini://example.org/x"
    assert spans(text, "mastodon") == [
        ("url", "https://example.com/a", "https://example.com/a"),
        ("url", "gemini://example.org/x", "gemini://example.org/x"),
    ]


def test_mastodon_umlaut_domain_and_hashtag() -> None:
    text = "https://bücher.de/neu #Straßenfest"
    assert spans(text, "mastodon") == [
        ("url", "https://bücher.de/neu", "https://bücher.de/neu"),
        ("hashtag", "Straßenfest", "#Straßenfest"),
    ]


def test_mastodon_email_is_no_mention() -> None:
    assert spans("Schreiben Sie an presse@stadt.de", "mastodon") == []


# --- Bluesky ----------------------------------------------------------------------------------


def test_bluesky_mentions_need_a_domain_handle() -> None:
    text = "Hallo @alice.bsky.social und @bob, (@stadt.berlin.de)"
    assert spans(text, "bluesky") == [
        ("mention", "alice.bsky.social", "@alice.bsky.social"),
        ("mention", "stadt.berlin.de", "@stadt.berlin.de"),
    ]


def test_bluesky_links_drop_one_trailing_mark() -> None:
    text = "Siehe bund.de/infos. Und (https://example.com/a) oder https://x.de/wiki_(b)"
    assert spans(text, "bluesky") == [
        ("url", "bund.de/infos", "bund.de/infos"),
        ("url", "https://example.com/a", "https://example.com/a"),
        ("url", "https://x.de/wiki_(b)", "https://x.de/wiki_(b)"),
    ]


def test_bluesky_bare_domain_needs_a_known_tld() -> None:
    assert spans("datei.txt und muster.xyzzy", "bluesky") == []


def test_bluesky_hashtags() -> None:
    text = "#Köln! #2025 #tag_1 x#nein #東京"
    assert spans(text, "bluesky") == [
        ("hashtag", "Köln", "#Köln"),
        ("hashtag", "tag_1", "#tag_1"),
        ("hashtag", "東京", "#東京"),
    ]


# --- all flavors ------------------------------------------------------------------------------


def test_unknown_flavor() -> None:
    with pytest.raises(UsageError):
        find_entities("x", "facebook")  # type: ignore[arg-type]


def test_without_overlaps_keeps_the_earlier_entity() -> None:
    url = Entity("url", 0, 10, "http://a.b")
    inner = Entity("hashtag", 5, 8, "tag")
    after = Entity("mention", 10, 12, "u")
    assert without_overlaps([after, inner, url]) == [url, after]


def _matches_text(entity: Entity, text: str) -> bool:
    """text[start:end] is the value, with "@" or "#" in front for mentions and hashtags."""
    shown = text[entity.start : entity.end]
    if entity.kind == "url":
        return shown == entity.value
    return shown[0] in "@＠#＃" and shown[1:] == entity.value


@pytest.mark.parametrize("flavor", FLAVORS)
@given(text=TEXTS)
def test_entities_are_ordered_disjoint_and_in_the_text(flavor: Flavor, text: str) -> None:
    entities = find_entities(text, flavor)
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text)
        assert _matches_text(entity, text)
    for earlier, later in itertools.pairwise(entities):
        assert earlier.end <= later.start


@pytest.mark.parametrize("flavor", FLAVORS)
@given(text=TEXTS)
def test_entities_hold_no_whitespace(flavor: Flavor, text: str) -> None:
    # Unicode White_Space; str.isspace() also counts U+001C..U+001F, which no platform does
    for entity in find_entities(text, flavor):
        assert not WHITE_SPACE.search(text, entity.start, entity.end)


# --- TLD data ---------------------------------------------------------------------------------

PSL_SAMPLE = """\
// VERSION: 2030-01-01_00-00-00_UTC
// ===BEGIN ICANN DOMAINS===
ac
com.ac
*.ck
!www.ck
com
de
ac.za
中国
// newGTLDs
berlin
みんな
// ===END ICANN DOMAINS===
// ===BEGIN PRIVATE DOMAINS===
blogspot.com
nope
"""


def test_tldgen_classifies_the_icann_section() -> None:
    version, country, generic = tldgen.classify(PSL_SAMPLE.splitlines())
    assert version == "2030-01-01_00-00-00_UTC"
    assert country == {"ac", "ck", "de", "za", "中国"}
    assert generic == {"com", "berlin", "みんな", "onion"}


def test_tldgen_renders_a_module_that_loads() -> None:
    source = tldgen.render(*tldgen.classify(PSL_SAMPLE.splitlines()))
    namespace: dict[str, object] = {}
    exec(compile(source, "<_tlds>", "exec"), namespace)
    assert namespace["COUNTRY"] == {"ac", "ck", "de", "za", "中国"}
    assert namespace["PSL_VERSION"] == "2030-01-01_00-00-00_UTC"


def test_tld_data_is_plausible() -> None:
    assert {"de", "at", "ch", "eu", "uk", "jp", "рф", "中国"} <= _tlds.COUNTRY
    assert {"com", "org", "net", "gov", "berlin", "koeln", "bayern", "みんな"} <= _tlds.GENERIC
    assert not _tlds.COUNTRY & _tlds.GENERIC


# --- the URL scanner's shortcuts against the plain patterns they stand in for ---------------

PROTOCOLISH = st.lists(
    st.sampled_from(
        [
            "https://",
            "http://",
            "HTTPS://",
            "hTtP://",
            "gemini://",
            "ipfs://",
            "x://",
            "://",
            "ttps://",
            "https:/",
            "s://",
            "a",
            "ä",
            " ",
            ".",
            "/",
            "de",
            "www.",
            "(",
            "@",
        ]
    ),
    max_size=20,
).map("".join)


@pytest.mark.parametrize("module", ["twitter_text", "mastodon"])
@given(text=st.one_of(TEXTS, PROTOCOLISH))
def test_protocols_are_found_as_the_protocol_pattern_finds_them(module: str, text: str) -> None:
    scanner = _scanner(module)
    found = [m.span() for m in scanner._protocols(text)]
    assert found == [m.span() for m in scanner.protocol.finditer(text)]


def _scanner(module: str) -> _urls.UrlScanner:
    from socialpub.render.counting import mastodon, twitter_text

    return mastodon._url_scanner() if module == "mastodon" else twitter_text._url_scanner()


def _alternation(names: frozenset[str]) -> str:
    """The plain pattern the TLD trie replaces: every name, longest first."""
    ordered = sorted(names, key=lambda name: (-len(name), name))
    return "|".join(regex.escape(name) for name in ordered)


@given(
    text=st.one_of(
        st.sampled_from(sorted(_tlds.GENERIC | _tlds.COUNTRY)).flatmap(
            lambda tld: st.sampled_from(
                [tld, tld.upper(), tld + "x", tld[:-1], tld + "-", tld + ".", tld + "ä", tld + "@"]
            )
        ),
        st.text(alphabet="comunityderavxnä-.@0KSſı", max_size=12),
    )
)
def test_the_tld_trie_matches_what_the_alternation_matches(text: str) -> None:
    import re

    for names in (_tlds.GENERIC, _tlds.COUNTRY):
        trie = re.compile(f"(?i:{_urls.trie(names)}){_urls._TLD_END}")
        plain = re.compile(f"(?i:{_alternation(names)}){_urls._TLD_END}")
        for start in range(len(text) + 1):
            found, expected = trie.match(text, start), plain.match(text, start)
            assert (found and found.span()) == (expected and expected.span()), (text, start)
