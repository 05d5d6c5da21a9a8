"""Atom, RSS and JSON Feed: golden files, parsed back with feedparser, JSON Feed 1.1's rules."""

from __future__ import annotations

import calendar
import importlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from socialpub.site import feeds
from socialpub.site.feeds import FeedMeta, atom, json_feed, rss
from socialpub.site.model import Entry, Picture

feedparser: Any = importlib.import_module("feedparser")  # ships without type information
Golden = Callable[[str, Any], None]
BERLIN = timezone(timedelta(hours=1))
BASE = "https://www.landkreis-musterstadt.de/aktuelles"
NASTY = "<script>alert('x')</script> ]]> Tom & Jerry \x00\x01\x0b\x1f\ufffe\ud800 🎉👩🏽‍🚒"
NASTY_CLEAN = "<script>alert('x')</script> ]]> Tom & Jerry  🎉👩🏽‍🚒"
WRITERS = {"atom": atom, "rss": rss}


def when(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 30, tzinfo=BERLIN)


def entries() -> list[Entry]:
    photo = Picture(
        src="media/ab12/strasse-800.jpg",
        kind="jpeg",
        alt="Die gesperrte Brücke in Oberau",
        credit="Landkreis Musterstadt",
        width=800,
        height=600,
    )
    video = Picture(src="media/cd34/rede.mp4", kind="mp4", alt="Rede des Landrats")
    return [
        Entry(
            id="sperrung-oberau",
            title="Sperrung der Brücke in Oberau",
            html="<p>Die Brücke ist <strong>ab Montag</strong> gesperrt.</p>",
            text="Die Brücke ist ab Montag gesperrt.",
            published=when(2),
            updated=when(3),
            tags=("Verkehr", "Oberau"),
            author="Lena Hoffmann",
            department="Straßenverkehrsamt",
            link="https://www.landkreis-musterstadt.de/verkehr/oberau",
            media=(photo,),
        ),
        Entry(
            id="feuerwehr-neudorf--109876",
            title="",
            html="<p>Übung der Freiwilligen Feuerwehr am Samstag – alle sind eingeladen!</p>",
            text="Übung der Freiwilligen Feuerwehr am Samstag – alle sind eingeladen, "
            "mit Vorführungen, Kaffee und Kuchen für die ganze Familie.",
            published=when(4),
            updated=when(4),
            department="Feuerwehr Neudorf",
            source="feuerwehr-neudorf",
            original_url="https://social.example/@ffneudorf/109876",
        ),
        Entry(
            id="landrat-rede",
            title="Neujahrsrede des Landrats",
            html="<p>Die Rede zum Nachhören.</p>",
            text="Die Rede zum Nachhören.",
            published=when(1),
            updated=when(1),
            lang="en",
            tags=("Landrat",),
            media=(video,),
        ),
    ]


def meta(path: str = "feed.atom", **changes: Any) -> FeedMeta:
    base = FeedMeta(
        title="Landkreis Musterstadt – Aktuelles",
        base_url=BASE + "/",
        path=path,
        updated=feeds.latest_update(entries(), when(1)),
        description="Alle Meldungen des Landkreises",
    )
    return replace(base, **changes)


def nasty_entry() -> Entry:
    return Entry(
        id="boese",
        title=NASTY,
        html="<p>&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp; \x07 🎉</p>",
        text=NASTY,
        published=when(5),
        updated=when(5),
        tags=("a&b", "<i>"),
        author=NASTY,
    )


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["atom", "rss"])
def test_xml_feeds_match_golden_files(name: str, golden: Golden) -> None:
    golden(f"feeds/{name}", WRITERS[name](entries(), meta()).splitlines())


def test_json_feed_matches_golden_file(golden: Golden) -> None:
    golden("feeds/json", json.loads(json_feed(entries(), meta("feed.json"))))


# --- parsed back with feedparser ----------------------------------------------------------


def utc(moment: Any) -> datetime:
    """feedparser's time.struct_time (UTC) as a datetime."""
    return datetime.fromtimestamp(calendar.timegm(moment), UTC)


def parsed(text: str) -> Any:
    result = feedparser.parse(text.encode("utf-8"))
    assert result.bozo == 0, result.get("bozo_exception")
    return result


@pytest.mark.parametrize("name", ["atom", "rss"])
def test_feedparser_reads_back_titles_links_ids_dates_and_tags(name: str) -> None:
    result = parsed(WRITERS[name](entries(), meta()))
    assert result.feed.title == "Landkreis Musterstadt – Aktuelles"
    assert result.feed.link == BASE + "/"
    assert result.feed.language == "de"
    assert [e.id for e in result.entries] == [
        f"{BASE}/posts/feuerwehr-neudorf--109876/",
        f"{BASE}/posts/sperrung-oberau/",
        f"{BASE}/posts/landrat-rede/",
    ]
    assert [e.link for e in result.entries] == [e.id for e in result.entries]
    road = result.entries[1]
    assert road.title == "Sperrung der Brücke in Oberau"
    assert utc(road.published_parsed) == when(2)
    assert [t.term for t in road.tags] == ["Verkehr", "Oberau"]
    assert road.author == "Lena Hoffmann"
    assert [e.href for e in road.enclosures] == [f"{BASE}/media/ab12/strasse-800.jpg"]
    assert "<strong>ab Montag</strong>" in road.summary
    assert f'src="{BASE}/media/ab12/strasse-800.jpg"' in road.summary


def test_atom_round_trips_updated_dates_and_related_links() -> None:
    result = parsed(atom(entries(), meta()))
    road = result.entries[1]
    assert utc(road.updated_parsed) == when(3)
    assert utc(result.feed.updated_parsed) == when(4)
    related = [link.href for link in road.links if link.rel == "related"]
    assert related == ["https://www.landkreis-musterstadt.de/verkehr/oberau"]
    langs = [
        e.get("{http://www.w3.org/XML/1998/namespace}lang")
        for e in ET.fromstring(atom(entries(), meta())).iter(f"{{{feeds.ATOM_NS}}}entry")
    ]
    assert langs == ["de", "de", "en"]


def test_rss_dates_are_rfc_822() -> None:
    root = ET.fromstring(rss(entries(), meta()))
    dates = [parsedate_to_datetime(d.text or "") for d in root.iter("pubDate")]
    assert dates == [when(4), when(2), when(1)]
    assert parsedate_to_datetime(root.findtext("channel/lastBuildDate") or "") == when(4)


# --- JSON Feed 1.1 ------------------------------------------------------------------------


def is_rfc3339(text: object) -> bool:
    return isinstance(text, str) and datetime.fromisoformat(text).tzinfo is not None


def json_feed_problems(feed: dict[str, Any]) -> list[str]:
    """The required fields and types of https://www.jsonfeed.org/version/1.1/."""
    problems = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version")
    if not isinstance(feed.get("title"), str):
        problems.append("title")
    if not isinstance(feed.get("items"), list):
        return [*problems, "items"]
    for key in ("home_page_url", "feed_url"):
        if not str(feed.get(key, "https://")).startswith("https://"):
            problems.append(key)
    for number, item in enumerate(feed["items"]):
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"items[{number}].id")
        if not ({"content_html", "content_text"} & item.keys()):
            problems.append(f"items[{number}].content")
        for key in ("date_published", "date_modified"):
            if key in item and not is_rfc3339(item[key]):
                problems.append(f"items[{number}].{key}")
        for attachment in item.get("attachments", []):
            if not {"url", "mime_type"} <= attachment.keys():
                problems.append(f"items[{number}].attachments")
        for author in [*feed.get("authors", []), *item.get("authors", [])]:
            if not ({"name", "url", "avatar"} & author.keys()):
                problems.append("authors")
    return problems


def test_json_feed_follows_the_1_1_spec() -> None:
    feed = json.loads(json_feed([*entries(), nasty_entry()], meta("feed.json")))
    assert json_feed_problems(feed) == []
    video = feed["items"][-1]
    assert video["attachments"] == [
        {
            "url": f"{BASE}/media/cd34/rede.mp4",
            "mime_type": "video/mp4",
            "title": "Rede des Landrats",
        }
    ]
    assert video["language"] == "en"
    assert feed["items"][1]["external_url"] == "https://social.example/@ffneudorf/109876"


def test_the_json_feed_checker_finds_missing_fields() -> None:
    feed = {"version": "https://jsonfeed.org/version/1", "items": [{"id": 3}]}
    assert json_feed_problems(feed) == ["version", "title", "items[0].id", "items[0].content"]


# --- ids, order, limits -------------------------------------------------------------------


def test_ids_do_not_change_when_a_post_is_edited() -> None:
    original = entries()[0]
    edited = replace(original, title="Neu", html="<p>Neu</p>", text="Neu", updated=when(9))
    path = f"{{{feeds.ATOM_NS}}}entry/{{{feeds.ATOM_NS}}}id"
    before = ET.fromstring(atom([original], meta())).findtext(path)
    after = ET.fromstring(atom([edited], meta())).findtext(path)
    assert before == after == f"{BASE}/posts/sperrung-oberau/"


def test_newest_first_and_at_most_the_limit() -> None:
    many = [
        replace(entries()[0], id=f"p{n:03d}", published=when(1) + timedelta(hours=n))
        for n in range(60)
    ]
    result = parsed(rss(many, meta()))
    assert len(result.entries) == feeds.DEFAULT_LIMIT
    assert result.entries[0].id.endswith("/p059/")
    small = json.loads(json_feed(many, meta(limit=3)))
    assert [i["id"].rsplit("/", 2)[-2] for i in small["items"]] == ["p059", "p058", "p057"]


def test_untitled_items_take_the_start_of_their_text() -> None:
    title = feeds.title_of(entries()[1])
    assert title.startswith("Übung der Freiwilligen Feuerwehr am Samstag")
    assert title.endswith("…") and len(title) <= feeds.TITLE_LENGTH


def test_entry_ids_with_odd_characters_are_quoted() -> None:
    assert feeds.permalink(BASE + "/", "quelle--a/b c") == f"{BASE}/posts/quelle--a%2Fb%20c/"


def test_an_empty_feed_is_still_valid() -> None:
    for name, writer in WRITERS.items():
        assert parsed(writer([], meta())).entries == [], name
    assert json_feed_problems(json.loads(json_feed([], meta()))) == []


# --- injection ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["atom", "rss"])
def test_markup_and_control_characters_survive_as_text(name: str) -> None:
    text = WRITERS[name]([nasty_entry()], meta())
    ET.fromstring(text)  # strict XML: no forbidden characters, nothing unescaped
    assert "<script" not in text and "]]>" not in text
    text.encode("utf-8")  # no lone surrogates
    entry = parsed(text).entries[0]
    assert entry.title == NASTY_CLEAN
    assert entry.author == NASTY_CLEAN
    assert [t.term for t in entry.tags] == ["a&b", "<i>"]


def test_html_content_stays_one_escaped_text_node() -> None:
    root = ET.fromstring(atom([nasty_entry()], meta()))
    content = root.find(f"{{{feeds.ATOM_NS}}}entry/{{{feeds.ATOM_NS}}}content")
    assert content is not None and len(content) == 0
    assert content.text == "<p>&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp;  🎉</p>"


def test_json_feed_keeps_the_text_and_is_valid_utf8() -> None:
    text = json_feed([nasty_entry()], meta("feed.json"))
    item = json.loads(text.encode("utf-8"))["items"][0]
    assert item["title"] == NASTY_CLEAN
    assert item["tags"] == ["a&b", "<i>"]
    assert "\x07" not in item["content_html"]


def test_every_address_is_absolute() -> None:
    root = ET.fromstring(rss(entries(), meta()))
    urls = [e.text or "" for e in root.iter() if e.tag in ("link", "guid")]
    urls += [e.get("url", "") for e in root.iter("enclosure")]
    assert urls and all(url.startswith("https://") for url in urls)
