"""twitter-text's own conformance data, read in place from ../shared/twitter-text/.

Run here: every v3 weighted-length case (x_weighted_v3.json), the extract.yml sections about
URLs, mentions and hashtags, and tlds.yml (one URL per TLD of twitter-text's list).
Not run, because socialpub has no such entity: extract.yml's cashtags, replies and
mentions_or_lists_with_indices (lists such as @user/list), validate.yml's config v2 cases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from socialpub.render.counting import count, find_entities, x_weighted_length
from socialpub.render.counting.entities import Entity, Kind

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "twitter-text"

# TLDs in twitter-text's 2020 list that have since left the root zone (or never entered
# it: bl bq eh mf um), so the Public Suffix List socialpub's TLD data comes from no longer
# names them, and X could not link them either: socialpub deliberately does not link them.
_RETIRED = """
    abarth active adac afamilycompany aigo alfaromeo an avianca bananarepublic bentley bl
    blanco bnl boots bq budapest bugatti cancerresearch cartier caseih cbs ceb chloe
    chrysler cityeats comcast cookingchannel csc dabur dodge doha doosan duck dunlop duns eh
    epost esurance etisalat everbank fiat flsmidth foodnetwork frontdoor fujixerox glade goo
    goodhands guardian hgtv honeywell hoteles htc iinet intel iselect iveco iwc jcp jlc
    juniper kerrylogistics kinder ladbrokes lancaster lancia lancome liaison linde lipsy
    lixil loft lupin macys maserati mcd mcdonalds meo metlife mf mobily montblanc mopar
    movistar mtpc mutual mutuelle nadex nationwide natura newholland northwesternmutual off
    oldnavy onyourside orientexpress pamperedchef panerai passagens piaget pramerica qvc
    raid redstone rightathome rmit rocher sapo sca scjohnson scor ses shaw showtime shriram
    spiegel spreadbetting srt starhub statoil swiftcover symantec telecity telefonica
    tiffany tp travelchannel uconnect um vista vistaprint volkswagen vuelos warman
    wolterskluwer xfinity xperia zippo اتصالات موبايلي 大众汽车 工行 手表 珠宝 诺基亚
"""
RETIRED_TLDS = frozenset(_RETIRED.split())


def _yaml_tests(name: str) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = yaml.safe_load(
        (DATA / name).read_text(encoding="utf-8")
    )["tests"]
    return tests


def _cases(tests: dict[str, list[dict[str, Any]]], *sections: str) -> list[Any]:
    return [
        pytest.param(section, case, id=f"{section}: {case['description']}")
        for section in sections
        for case in tests[section]
    ]


WEIGHTED = json.loads((DATA / "x_weighted_v3.json").read_text(encoding="utf-8"))
EXTRACT = _yaml_tests("extract.yml")
TLDS = _yaml_tests("tlds.yml")

KIND_OF_SECTION: dict[str, Kind] = {
    "urls": "url",
    "tco_urls_with_params": "url",
    "urls_with_indices": "url",
    "urls_with_directional_markers": "url",
    "mentions": "mention",
    "mentions_with_indices": "mention",
    "hashtags": "hashtag",
    "hashtags_from_astral": "hashtag",
    "hashtags_with_indices": "hashtag",
}
VALUE_KEY = {"url": "url", "mention": "screen_name", "hashtag": "hashtag"}


def _found(text: str, kind: Kind) -> list[Entity]:
    return [entity for entity in find_entities(text, "twitter") if entity.kind == kind]


@pytest.mark.parametrize("case", [pytest.param(case, id=case["description"]) for case in WEIGHTED])
def test_weighted_length_v3(case: dict[str, Any]) -> None:
    assert x_weighted_length(case["text"]) == (case["length"], case["ok"])
    result = count("x", case["text"])
    assert (result.length, result.ok) == (case["length"], case["ok"])


@pytest.mark.parametrize(
    ("section", "case"),
    _cases(EXTRACT, "urls", "tco_urls_with_params", "mentions", "hashtags", "hashtags_from_astral"),
)
def test_extract_values(section: str, case: dict[str, Any]) -> None:
    found = _found(case["text"], KIND_OF_SECTION[section])
    assert [entity.value for entity in found] == case["expected"]


@pytest.mark.parametrize(
    ("section", "case"),
    _cases(
        EXTRACT,
        "urls_with_indices",
        "urls_with_directional_markers",
        "mentions_with_indices",
        "hashtags_with_indices",
    ),
)
def test_extract_with_indices(section: str, case: dict[str, Any]) -> None:
    kind = KIND_OF_SECTION[section]
    found = [(entity.value, [entity.start, entity.end]) for entity in _found(case["text"], kind)]
    assert found == [(item[VALUE_KEY[kind]], item["indices"]) for item in case["expected"]]


@pytest.mark.parametrize(
    ("section", "case"),
    [
        pytest.param(section, case, id=f"{section}: {case['text'].rsplit('.', 1)[-1]}")
        for section in TLDS
        for case in TLDS[section]
    ],
)
def test_every_tld(section: str, case: dict[str, Any]) -> None:
    """Current TLDs are links; retired ones deliberately are not (X cannot link them either)."""
    retired = case["text"].rsplit(".", 1)[-1] in RETIRED_TLDS
    expected = [] if retired else case["expected"]
    assert [entity.value for entity in _found(case["text"], "url")] == expected
