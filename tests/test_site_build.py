"""The static site: which posts appear, safe and accessible pages, media, search, incremental."""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import re
import threading
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from socialpub.content.config import load_config
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.website import site_copies
from socialpub.site.build import BuildReport, build_site, make_server
from socialpub.site.model import Entry, Picture
from tests.conftest import Repo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=BERLIN)
BASE_URL = "https://www.landkreis.example/aktuelles/"
CSP = (
    "default-src 'self'; img-src 'self'; media-src 'self'; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'"
)
CONFIG = """\
timezone: Europe/Berlin
lang: de
channels:
  mastodon:
    type: mastodon
    instance: https://social.example
    token: ${MASTODON_TOKEN}
  website:
    type: website
    base_url: https://www.landkreis.example/aktuelles
    title: Aktuelles aus dem Landkreis
"""
GPS_IFD = 0x8825


def photo_with_gps(path: Path, size: tuple[int, int] = (1000, 600)) -> Path:
    picture = Image.new("RGB", size, (30, 90, 160))
    exif = Image.Exif()
    exif[0x0110] = "Kreis-Handy 12"
    exif[GPS_IFD] = {1: "N", 2: (48.0, 8.0, 30.0), 3: "E", 4: (9.0, 1.0, 2.0)}
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, "JPEG", exif=exif.tobytes(), quality=90)
    return path


POSTS = {
    "sperrung.md": """\
        ---
        id: sperrung-b27
        title: Vollsperrung der B 27
        status: approved
        author: Tobias Weber
        department: Straßenverkehrsamt
        publish_at: 2026-11-20T07:00
        expires_at: 2026-11-25T18:00
        link: https://www.landkreis.example/verkehr/b27
        tags: [Verkehr, Baustelle]
        media:
          - file: media/umleitung.jpg
            alt: Karte der Umleitung über die Kreisstraße
            credit: Landkreis Musterstadt
        ---
        Ab Montag ist die **B 27** gesperrt. Die Umleitung ist ausgeschildert.
        """,
    "english.md": """\
        ---
        id: welcome-english
        title: Welcome to the county
        status: approved
        department: Pressestelle
        publish_at: 2026-11-21T10:00
        lang: en
        tags: [Verkehr]
        ---
        The county office is open on Saturdays.
        """,
    "entwurf.md": """\
        ---
        id: geheimer-entwurf
        title: Geheimer Entwurf
        status: draft
        tags: [Verkehr]
        ---
        Noch nicht freigegeben.
        """,
    "zukunft.md": """\
        ---
        id: kommt-noch
        title: Kommt erst im Januar
        status: approved
        publish_at: 2027-01-05T09:00
        ---
        Noch nicht fällig.
        """,
    "angriff.md": """\
        ---
        id: angriff
        title: "{{ 7*7 }} <script>alert(2)</script> {% if true %}ja{% endif %}"
        status: approved
        department: Pressestelle
        publish_at: 2026-11-22T08:00
        tags: ["<b>fett</b>"]
        ---
        <script>alert(1)</script> und <img src=x onerror=alert(3)>

        [Klick mich](javascript:alert(4)) und {{ 7*7 }} und {% if true %}x{% endif %}
        """,
    "video.md": """\
        ---
        id: video-gebaerden
        title: Sprechstunde in Gebärdensprache
        status: approved
        department: Pressestelle
        publish_at: 2026-11-23T09:00
        media:
          - file: media/gebaerden.mp4
            alt: Die Landrätin erklärt die Sprechstunde
        ---
        Jeden Dienstag gibt es eine Sprechstunde in Gebärdensprache.
        """,
}


def write_repo(repo: Repo) -> None:
    repo.write_config(CONFIG)
    for name, text in POSTS.items():
        repo.post(name, text)
    photo_with_gps(repo.root / "media" / "umleitung.jpg")
    repo.file("media/gebaerden.mp4", b"\x00\x00\x00\x18ftypmp42fake video")
    repo.file("media/gebaerden.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\nGuten Tag\n")
    repo.file("media/gebaerden.txt", "Guten Tag, ich bin die Landrätin.".encode())
    at = datetime(2026, 11, 20, 7, 1, tzinfo=UTC)
    Ledger(repo.root).put(
        Record(
            post="sperrung-b27",
            channel="mastodon",
            type="mastodon",
            state=State.PUBLISHED,
            key="k1",
            revision="r1",
            created_at=at,
            updated_at=at,
            url="https://social.example/@kreis/1",
            published_at=at,
        )
    )


class Site:
    """A built site: its folder and how to read and parse its pages."""

    def __init__(self, repo: Repo, out: Path) -> None:
        self.repo = repo
        self.out = out

    def build(self, now: datetime = NOW, sources: tuple[Entry, ...] = ()) -> BuildReport:
        config = load_config(self.repo.config)
        return build_site(
            config,
            self.out,
            now=now,
            copies=site_copies(Ledger(self.repo.root).records()),
            source_entries=sources,
        )

    def text(self, path: str) -> str:
        return (self.out / path).read_text(encoding="utf-8")

    def page(self, path: str) -> Parsed:
        return Parsed.of(self.text(path))

    def pages(self) -> Iterator[tuple[str, Parsed]]:
        for file in sorted(self.out.rglob("*.html")):
            yield str(file.relative_to(self.out)), Parsed.of(file.read_text(encoding="utf-8"))


@dataclasses.dataclass
class Parsed(HTMLParser):
    """Elements with their attributes, and the text, of one page."""

    elements: list[tuple[str, dict[str, str]]] = dataclasses.field(default_factory=list)
    data: list[str] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @classmethod
    def of(cls, html: str) -> Parsed:
        parsed = cls()
        parsed.feed(html)
        parsed.close()
        return parsed

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.elements if name == tag]

    @property
    def text(self) -> str:
        return "".join(self.data)


@pytest.fixture
def site(repo: Repo, tmp_path: Path) -> Site:
    write_repo(repo)
    built = Site(repo, tmp_path / "out")
    built.build()
    return built


# --- what appears -------------------------------------------------------------------------


def test_approved_due_posts_get_pages_drafts_and_future_posts_do_not(site: Site) -> None:
    for post_id in ("sperrung-b27", "welcome-english", "angriff", "video-gebaerden"):
        assert (site.out / "posts" / post_id / "index.html").is_file()
    texts = (".html", ".json", ".atom", ".rss")
    everything = "\n".join(
        p.read_text(encoding="utf-8") for p in site.out.rglob("*") if p.suffix in texts
    )
    assert "Geheimer Entwurf" not in everything and "geheimer-entwurf" not in everything
    assert "Kommt erst im Januar" not in everything and "kommt-noch" not in everything
    # the expired road closure stays in the archive
    assert "Vollsperrung der B 27" in site.text("index.html")
    for folder in ("tags/verkehr", "tags/baustelle", "archive/2026-11"):
        assert (site.out / folder / "index.html").is_file()
    assert (site.out / "departments/strassenverkehrsamt/index.html").is_file()


def test_the_future_post_appears_once_its_time_has_come(site: Site) -> None:
    site.build(now=datetime(2027, 1, 5, 9, 0, tzinfo=BERLIN))
    assert (site.out / "posts/kommt-noch/index.html").is_file()
    assert (site.out / "archive/2027-01/index.html").is_file()


def test_front_page_lists_newest_first(site: Site) -> None:
    links = [a["href"] for a in site.page("index.html").all("a") if a["href"].startswith("posts/")]
    assert links == [
        "posts/video-gebaerden/",
        "posts/angriff/",
        "posts/welcome-english/",
        "posts/sperrung-b27/",
    ]


def normalized(html: str) -> list[str]:
    """The page's lines, with the media folders' content hashes replaced."""
    return re.sub(r"media/[0-9a-f]{16}/", "media/HASH/", html).splitlines()


def test_golden_front_page_and_permalink(site: Site, golden: Callable[[str, Any], None]) -> None:
    golden("site/front-page", normalized(site.text("index.html")))
    golden("site/permalink", normalized(site.text("posts/sperrung-b27/index.html")))


# --- safe and accessible pages -------------------------------------------------------------


def test_every_page_is_strict_about_scripts_requests_and_structure(site: Site) -> None:
    pages = list(site.pages())
    assert len(pages) > 10
    for path, page in pages:
        metas = [m for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert [m["content"] for m in metas] == [CSP], path
        assert page.all("html") == [{"lang": "de"}], path
        assert len(page.all("h1")) == 1, path
        scripts = page.all("script")
        if path == "search/index.html":
            assert scripts == [{"src": "../static/search.js", "defer": ""}]
        else:
            assert scripts == [], path
        for tag, attrs in page.elements:
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            if "src" in attrs:
                assert "://" not in attrs["src"] and not attrs["src"].startswith("//"), path
            if tag == "link":  # stylesheets, feeds: on the site; canonical: base_url
                assert "://" not in attrs["href"] or attrs["href"].startswith(BASE_URL), path
        for image in page.all("img"):
            assert image["alt"].strip(), (path, image)
        assert _heading_levels_in_order(page), path


def _heading_levels_in_order(page: Parsed) -> bool:
    levels = [int(tag[1]) for tag, _ in page.elements if re.fullmatch(r"h[1-6]", tag)]
    return levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_skip_link_landmarks_and_canonical(site: Site) -> None:
    page = site.page("posts/sperrung-b27/index.html")
    first_link = page.all("a")[0]
    assert first_link == {"class": "skip-link", "href": "#inhalt"}
    assert {"id": "inhalt", "tabindex": "-1"} in page.all("main")
    assert page.all("nav")[0] == {"aria-label": "Hauptnavigation"}
    canonical = [link for link in page.all("link") if link["rel"] == "canonical"]
    assert canonical == [{"rel": "canonical", "href": BASE_URL + "posts/sperrung-b27/"}]
    feeds = {link["href"] for link in page.all("link") if link["rel"] == "alternate"}
    assert feeds == {"../../feed.atom", "../../feed.rss", "../../feed.json"}


def test_css_has_visible_focus_and_respects_reduced_motion(site: Site) -> None:
    css = site.text("static/site.css")
    assert ":focus-visible" in css and "outline: 3px solid" in css
    assert "prefers-reduced-motion: reduce" in css


def test_articles_in_another_language_carry_their_lang(site: Site) -> None:
    for path in ("index.html", "posts/welcome-english/index.html"):
        articles = site.page(path).all("article")
        assert {"class": "entry", "lang": "en"} in articles, path
    german = site.page("posts/sperrung-b27/index.html").all("article")
    assert german == [{"class": "entry"}]
    # the German labels inside the English article say so
    english = site.text("posts/welcome-english/index.html")
    assert '<p class="meta" lang="de">' in english


def test_also_on_links_the_copies_from_the_ledger(site: Site) -> None:
    html = site.text("posts/sperrung-b27/index.html")
    assert "Auch auf:" in html
    assert '<a href="https://social.example/@kreis/1">Mastodon</a>' in html
    assert "Auch auf:" not in site.text("posts/welcome-english/index.html")


def test_link_texts_say_where_they_lead(site: Site) -> None:
    for path, _page in site.pages():
        anchors = re.findall(r"<a [^>]*>(.*?)</a>", site.text(path), re.S)
        for label in anchors:
            assert label.strip().casefold() not in {"hier", "mehr", "link", "klicken"}, path


# --- injection -----------------------------------------------------------------------------


def test_scripts_javascript_links_and_template_syntax_stay_text(site: Site) -> None:
    for path in ("posts/angriff/index.html", "index.html", "tags/bfettb/index.html"):
        page = site.page(path)
        assert page.all("script") == [], path
        assert not [a for a in page.all("a") if "javascript" in a.get("href", "").lower()]
        assert not [i for i in page.all("img") if i.get("src") == "x"]
    page = site.page("posts/angriff/index.html")
    assert "<script>alert(1)</script>" in page.text
    assert "<img src=x onerror=alert(3)>" in page.text
    assert "{{ 7*7 }}" in page.text and "{% if true %}x{% endif %}" in page.text
    assert "{{ 7*7 }} <script>alert(2)</script> {% if true %}ja{% endif %}" in page.text
    assert "49" not in page.text


# --- media ---------------------------------------------------------------------------------


def test_images_are_copied_without_exif_in_responsive_sizes(site: Site) -> None:
    images = sorted(site.out.glob("media/*/umleitung-*.jpg"))
    assert [p.name for p in images] == [
        "umleitung-1000.jpg",  # the source is 1000 px wide: never upscaled to 1200
        "umleitung-480.jpg",
        "umleitung-800.jpg",
    ]
    for path in images:
        data = path.read_bytes()
        assert dict(Image.open(io.BytesIO(data)).getexif()) == {}
        assert b"Kreis-Handy" not in data and b"Exif" not in data
    page = site.page("posts/sperrung-b27/index.html")
    (image,) = page.all("img")
    folder = images[0].parent.name
    assert image["src"] == f"../../media/{folder}/umleitung-1000.jpg"
    assert image["srcset"] == ", ".join(
        f"../../media/{folder}/umleitung-{w}.jpg {w}w" for w in (480, 800, 1000)
    )
    assert image["alt"] == "Karte der Umleitung über die Kreisstraße"
    assert (image["width"], image["height"]) == ("1000", "600")
    assert "Foto: Landkreis Musterstadt" in page.text


def test_video_has_controls_captions_and_a_transcript_link(site: Site) -> None:
    page = site.page("posts/video-gebaerden/index.html")
    (video,) = page.all("video")
    assert "controls" in video and video["src"].endswith("/gebaerden.mp4")
    (track,) = page.all("track")
    assert track["kind"] == "captions" and track["src"].endswith("/gebaerden.vtt")
    assert track["srclang"] == "de"
    transcripts = [a for a in page.all("a") if a["href"].endswith("/gebaerden.txt")]
    assert len(transcripts) == 1
    assert "Abschrift zum Video: Die Landrätin erklärt die Sprechstunde" in page.text
    copied = site.out / video["src"].removeprefix("../../")
    assert copied.read_bytes() == (site.repo.root / "media/gebaerden.mp4").read_bytes()


# --- search and feeds ----------------------------------------------------------------------


def test_search_index_and_a_search_page_that_works_without_javascript(site: Site) -> None:
    index = json.loads(site.text("search.json"))
    assert [item["id"] for item in index] == [
        "video-gebaerden",
        "angriff",
        "welcome-english",
        "sperrung-b27",
    ]
    first = index[-1]
    assert first == {
        "id": "sperrung-b27",
        "title": "Vollsperrung der B 27",
        "url": "posts/sperrung-b27/",
        "date": "2026-11-20",
        "tags": ["Verkehr", "Baustelle"],
        "text": "Ab Montag ist die B 27 gesperrt. Die Umleitung ist ausgeschildert.",
        "lang": "de",
    }
    assert [item["lang"] for item in index if item["id"] == "welcome-english"] == ["en"]
    page = site.page("search/index.html")
    forms = page.all("form")
    assert forms[0]["data-index"] == "../search.json" and "hidden" in forms[0]
    assert "../archive/2026-11/" in [a["href"] for a in page.all("a")]
    script = site.text("static/search.js")
    assert "innerHTML" not in script and "eval(" not in script and "http" not in script


def test_feeds_are_written_for_the_site_and_per_tag(site: Site) -> None:
    atom = site.text("feed.atom")
    assert f"<id>{BASE_URL}posts/sperrung-b27/</id>" in atom
    assert "Geheimer Entwurf" not in atom
    for name in ("feed.atom", "feed.rss", "feed.json"):
        assert (site.out / "tags/verkehr" / name).is_file()
    tag_page = site.page("tags/verkehr/index.html")
    hrefs = {link["href"] for link in tag_page.all("link") if link["rel"] == "alternate"}
    assert "../../tags/verkehr/feed.atom" in hrefs and "../../feed.atom" in hrefs


# --- incremental ---------------------------------------------------------------------------


def test_a_second_build_writes_nothing(site: Site) -> None:
    report = site.build()
    assert (report.written, report.removed) == (0, 0)
    assert report.unchanged == report.total > 20


def test_a_changed_post_rewrites_only_the_pages_that_show_it(site: Site) -> None:
    before = site.text("posts/welcome-english/index.html")
    site.repo.post(
        "english.md",
        POSTS["english.md"].replace("open on Saturdays", "open on Saturdays and Sundays"),
    )
    report = site.build()
    written = set(report.written_paths)
    assert "posts/welcome-english/index.html" in written
    assert site.text("posts/welcome-english/index.html") != before
    assert "posts/sperrung-b27/index.html" not in written
    assert "tags/baustelle/index.html" not in written
    assert written <= {
        "posts/welcome-english/index.html",
        "index.html",
        "tags/verkehr/index.html",
        "archive/2026-11/index.html",
        "departments/pressestelle/index.html",
        "search.json",
        *(f"{folder}{name}" for folder in ("", "tags/verkehr/") for name in FEEDS),
    }
    assert report.written == len(written) <= 12 and report.removed == 0


FEEDS = ("feed.atom", "feed.rss", "feed.json")


def test_a_deleted_post_loses_its_page(site: Site) -> None:
    (site.repo.root / "posts" / "video.md").unlink()
    report = site.build()
    assert not (site.out / "posts/video-gebaerden").exists()
    assert "posts/video-gebaerden/index.html" in report.removed_paths
    assert not list(site.out.glob("media/*/gebaerden.mp4"))  # its media are gone as well
    assert "video-gebaerden" not in site.text("index.html")


def test_files_the_build_did_not_write_are_kept(site: Site) -> None:
    own = site.out / ".htaccess"
    own.write_text("# the web server's own file\n", encoding="utf-8")
    (site.repo.root / "posts" / "video.md").unlink()
    site.build()
    assert own.is_file()


def test_a_page_deleted_by_hand_is_written_again(site: Site) -> None:
    (site.out / "posts/sperrung-b27/index.html").unlink()
    report = site.build()
    assert report.written_paths == ("posts/sperrung-b27/index.html",)


# --- partner sources and pagination ------------------------------------------------------


def partner_item(number: int, **changes: Any) -> Entry:
    moment = datetime(2026, 10, 1, 8, 0, tzinfo=UTC) + timedelta(hours=number)
    entry = Entry(
        id=f"stadt-neudorf--{number}",
        title=f"Meldung {number} der Stadt",
        html=f"<p>Text {number}</p>",
        text=f"Text {number}",
        published=moment,
        updated=moment,
        department="Stadt Neudorf",
        source="stadt-neudorf",
        original_url=f"https://neudorf.example/{number}",
    )
    return dataclasses.replace(entry, **changes)


def test_partner_items_get_source_pages_and_link_their_original(site: Site) -> None:
    hostile = {"original_url": "javascript:alert(1)", "tags": ("<script>x</script>",)}
    items = (partner_item(1), partner_item(2, **hostile))
    site.build(sources=items)
    page = site.page("sources/stadt-neudorf/index.html")
    assert page.all("h1") and "Partner: Stadt Neudorf" in page.text
    hrefs = [a["href"] for a in page.all("a")]
    assert "https://neudorf.example/1" in hrefs
    assert not [h for h in hrefs if h.startswith("javascript")]
    assert "Original bei Stadt Neudorf ansehen" in page.text
    assert (site.out / "sources/stadt-neudorf/feed.atom").is_file()
    assert "../sources/" in [a["href"] for a in site.page("tags/index.html").all("a")]
    tag_page = site.page("tags/script-x-script/index.html")
    assert tag_page.all("script") == [] and "Thema: <script>x</script>" in tag_page.text


def test_lists_are_paginated_from_the_oldest_so_old_pages_stay_put(site: Site) -> None:
    items = tuple(partner_item(n) for n in range(45))
    site.build(sources=items)
    base = "sources/stadt-neudorf/"
    first = site.page(base + "index.html")
    # chunks of 20 from the oldest: 20, 20, 5; the short newest chunk shares the first page
    assert len(first.all("article")) == 25
    older = [a["href"] for a in first.all("a") if a.get("rel") == "next"]
    assert older == ["../../sources/stadt-neudorf/page/1/"]
    second = site.page(base + "page/2/index.html")
    assert len(second.all("article")) == 20
    newer = [a["href"] for a in second.all("a") if a.get("rel") == "prev"]
    assert newer == ["../../../../sources/stadt-neudorf/"]
    report = site.build(sources=(*items, partner_item(45)))
    assert base + "page/1/index.html" not in report.written_paths
    assert base + "index.html" in report.written_paths


# --- templates and serving -----------------------------------------------------------------


def test_a_template_in_the_repository_replaces_the_built_in_one(site: Site) -> None:
    own = site.repo.root / "templates" / "site" / "post.html.j2"
    own.parent.mkdir(parents=True)
    own.write_text(
        '{% extends "base.html.j2" %}{% block main %}<h1>Eigen: {{ entry.title }}</h1>'
        "{% endblock %}",
        encoding="utf-8",
    )
    report = site.build()
    assert "<h1>Eigen: Vollsperrung der B 27</h1>" in site.text("posts/sperrung-b27/index.html")
    assert "index.html" not in report.written_paths  # list pages do not use post.html.j2


def test_serve_answers_on_localhost(site: Site) -> None:
    server = make_server(site.out, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/posts/angriff/") as response:
            assert response.status == 200
            assert "Set-Cookie" not in response.headers
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
            assert b"<h1>" in response.read()
    finally:
        server.shutdown()
        server.server_close()


def test_partner_images_are_copied_into_the_site_with_an_alt_text(site: Site) -> None:
    archived = photo_with_gps(site.repo.root / "sources/stadt-neudorf/media/abc.jpg")
    with_photo = partner_item(
        1, media=(Picture(src=str(archived.relative_to(site.repo.root)), kind="jpeg"),)
    )
    gone = partner_item(
        2, media=(Picture(src="sources/stadt-neudorf/media/gone.jpg", kind="jpeg"),)
    )
    site.build(sources=(with_photo, gone))
    page = site.page("sources/stadt-neudorf/index.html")
    (img,) = page.all("img")  # the hand-deleted one is left out, not shown broken
    assert img["alt"].startswith("Bild zum Beitrag")
    copied = site.out / "sources/stadt-neudorf" / img["src"]
    assert copied.resolve().is_file() and "media/" in img["src"]
    assert not Image.open(copied.resolve()).getexif()
