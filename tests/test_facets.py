"""Bluesky facets: UTF-8 byte offsets of links, mentions and tags."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import socialpub.render.facets
from socialpub.models import Facet
from socialpub.render.counting import find_entities
from socialpub.render.counting.entities import Entity
from socialpub.render.facets import MAX_TAG_GRAPHEMES, bluesky_facets


def covered(text: str, facet: Facet) -> str:
    return text.encode()[facet.byte_start : facet.byte_end].decode()


def test_byte_offsets_after_umlaut_and_emoji() -> None:
    text = "Straße 🚧 https://landkreis.de/x #Sperrung"
    assert bluesky_facets(text) == (
        Facet("link", 13, 35, "https://landkreis.de/x"),
        Facet("tag", 36, 45, "Sperrung"),
    )
    # char offsets would be 9 and 32: the bytes differ because "ß" is 2 bytes, "🚧" 4
    assert text.index("https") == 9


def test_covered_bytes_are_the_entity_text() -> None:
    text = "Grüße 👨‍👩‍👧 aus Öhringen: https://landkreis.de/öffnungszeiten 🇩🇪 #Bürgerbüro #K12"
    facets = bluesky_facets(text)
    entities = find_entities(text, "bluesky")
    assert [covered(text, f) for f in facets] == [text[e.start : e.end] for e in entities]
    assert [f.kind for f in facets] == ["link", "tag", "tag"]
    assert facets[1].value == "Bürgerbüro"


def test_no_entities_no_facets() -> None:
    assert bluesky_facets("Heute keine Links, nur Text über Öffnungszeiten.") == ()
    assert bluesky_facets("") == ()


def test_tag_longer_than_64_graphemes_is_not_a_facet() -> None:
    fits = "ä" * MAX_TAG_GRAPHEMES
    too_long = "ä" * (MAX_TAG_GRAPHEMES + 1)
    facets = bluesky_facets(f"#{fits} und #{too_long} und #kurz")
    assert [f.value for f in facets] == [fits, "kurz"]


def fake_finder(entities: list[Entity]) -> object:
    def find(text: str, flavor: str = "twitter") -> list[Entity]:
        assert flavor == "bluesky"
        return entities

    return find


def test_mention_value_is_the_handle(monkeypatch: pytest.MonkeyPatch) -> None:
    # The finder's Bluesky handle rules are its own business; this tests the byte mapping.
    text = "Danke 💐 an @landkreis.bsky.social!"
    start = text.index("@")
    entity = Entity(
        "mention", start, start + len("@landkreis.bsky.social"), "landkreis.bsky.social"
    )
    monkeypatch.setattr(socialpub.render.facets, "find_entities", fake_finder([entity]))
    (facet,) = bluesky_facets(text)
    assert facet == Facet("mention", 14, 36, "landkreis.bsky.social")
    assert covered(text, facet) == "@landkreis.bsky.social"


def test_bare_domain_gets_https(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Mehr auf landkreis.de/abfall und http://alt.de"
    entities = [
        Entity("url", 9, 28, "landkreis.de/abfall"),
        Entity("url", 33, 46, "http://alt.de"),
    ]
    monkeypatch.setattr(socialpub.render.facets, "find_entities", fake_finder(entities))
    assert [f.value for f in bluesky_facets(text)] == [
        "https://landkreis.de/abfall",
        "http://alt.de",
    ]


pieces = st.sampled_from(
    [
        "Straße",
        "🚧",
        "👨‍👩‍👧",
        "🇩🇪",
        "ö",
        "a\u0308",
        "中文",
        "https://landkreis.de/x",
        "https://kreis.de/öffnung?x=1",
        "#Sperrung",
        "#Bürgerbüro",
        "@landkreis",
        "Text.",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(pieces, st.sampled_from([" ", "\n", " – "])), max_size=30))
def test_every_facet_covers_exactly_its_entity(parts: list[tuple[str, str]]) -> None:
    text = "".join(piece + sep for piece, sep in parts)
    facets = bluesky_facets(text)
    kinds = {"url": "link", "mention": "mention", "hashtag": "tag"}
    expected = [(kinds[e.kind], text[e.start : e.end]) for e in find_entities(text, "bluesky")]
    assert [(f.kind, covered(text, f)) for f in facets] == expected
    assert all(f.byte_start < f.byte_end <= len(text.encode()) for f in facets)


def test_bare_domain_with_port_gets_https() -> None:
    (facet,) = bluesky_facets("Infos: landkreis.de:8080/x")
    assert facet.value == "https://landkreis.de:8080/x"
