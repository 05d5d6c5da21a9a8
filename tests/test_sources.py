"""Partner sources: config, fetching from local servers, the archive files, sanitizing."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from socialpub.content import yamlsafe
from socialpub.content.sourceconfig import SourceConfig, read_sources
from socialpub.models import Problem
from socialpub.net.http import make_client
from socialpub.sources.fetch import FetchReport, fetch_sources
from socialpub.sources.sanitize import clean_html, plain_text
from socialpub.sources.store import load_items
from tests.conftest import PROJECT

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)
HOST = "http://partner.test"  # stands for the test server's address in golden files
GPS_IFD = 0x8825
INJECTION = (
    '<p>Achtung <script>alert("x")</script><img src="https://tracker.example/p.gif" '
    'onerror="alert(1)"> <a href="javascript:alert(1)">klick</a> '
    '<a href="https://www.kreis.example/info" onclick="steal()" target="_blank">Info</a> '
    "{{ config.secret }} {% include 'x' %}</p>"
    '<iframe src="https://video.example/embed"></iframe><style>body{display:none}</style>'
)


# --- a partner's server on 127.0.0.1 -------------------------------------------------------


@dataclass
class Route:
    body: bytes
    content_type: str = "application/json"
    status: int = 200
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0  # seconds before answering


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class PartnerServer:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def _handler(server: PartnerServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.seen.append(Seen(parts.path, query, headers))
            route = server.routes.get(parts.path)
            if route is None:
                self._answer(404, b"{}", "application/json", {})
                return
            time.sleep(route.delay)
            extra = {"ETag": route.etag, "Last-Modified": route.last_modified}
            extra = {k: v for k, v in extra.items() if v}
            if _unchanged(route, headers):
                self._answer(304, b"", "", extra)
            else:
                self._answer(route.status, route.body, route.content_type, extra)

        def _answer(self, status: int, body: bytes, kind: str, extra: dict[str, str]) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # the client may have given up already (the timeout test)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler


def _unchanged(route: Route, headers: dict[str, str]) -> bool:
    if route.etag and headers.get("if-none-match") == route.etag:
        return True
    return bool(route.last_modified) and headers.get("if-modified-since") == route.last_modified


@pytest.fixture
def partner() -> Iterator[PartnerServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = PartnerServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.routes.update(_default_routes(state.base))
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(timeout=httpx.Timeout(5.0)) as opened:
        yield opened


def photo_with_gps() -> bytes:
    picture = Image.new("RGB", (320, 200), (200, 40, 40))
    exif = Image.Exif()
    exif[0x0110] = "Wehr-Handy 7"  # camera model
    exif[GPS_IFD] = {1: "N", 2: (48.0, 8.0, 30.0), 3: "E", 4: (9.0, 1.0, 2.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def rss_feed(base: str, items: list[tuple[str, str, str]], oldest_first: bool = False) -> bytes:
    """(guid, title, html) items, one hour apart, newest first unless `oldest_first`;
    the first item has a photo attached."""
    enclosure = f'<enclosure url="{base}/media/photo.jpg" type="image/jpeg" length="1"/>'
    entries = "".join(
        f"""<item><guid isPermaLink="false">{guid}</guid><title>{title}</title>
        <link>https://www.stadt.example/news/{n}</link>
        <author>presse@stadt.example (Presse)</author>
        <pubDate>Sat, 01 Jun 2024 {n if oldest_first else 10 - n:02d}:00:00 +0000</pubDate>
        <category>Verkehr</category>
        <description><![CDATA[{html}]]></description>{enclosure if n == 0 else ""}</item>"""
        for n, (guid, title, html) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Stadt Musterstadt</title><link>https://www.stadt.example/</link>
<description>Nachrichten</description><language>de</language>{entries}</channel></rss>""".encode()


def atom_feed() -> bytes:
    return b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>Klinikum</title>
<id>urn:uuid:klinikum-feed</id><updated>2024-05-31T09:00:00Z</updated>
<author><name>Klinikum Musterkreis</name></author>
<entry><id>tag:klinikum.example,2024:besuchszeiten</id>
<title type="text">Neue Besuchszeiten &amp; Regeln</title>
<link href="https://klinikum.example/besuch"/><published>2024-05-30T08:00:00Z</published>
<updated>2024-05-31T09:00:00Z</updated>
<content type="html">&lt;p&gt;Ab Montag gelten &lt;strong&gt;neue&lt;/strong&gt; Zeiten.&lt;/p&gt;
&lt;p&gt;Mehr &lt;a href="/besuch"&gt;hier&lt;/a&gt;.&lt;/p&gt;</content></entry>
<entry><id>tag:klinikum.example,2024:blutspende</id><title>Blutspende</title>
<link href="https://klinikum.example/blut"/><updated>2024-05-29T08:00:00Z</updated>
<summary>Spenden Sie Blut!</summary></entry>
</feed>"""


def statuses(base: str) -> list[dict[str, Any]]:
    account = {"id": "109", "acct": "feuerwehr", "display_name": "Feuerwehr Musterstadt"}
    return [
        {
            "id": "112233",
            "created_at": "2024-06-01T08:30:00.000Z",
            "edited_at": None,
            "url": "https://social.example/@feuerwehr/112233",
            "visibility": "public",
            "language": "de",
            "spoiler_text": "",
            "content": '<p>Übung heute am <a href="https://social.example/tags/Gerätehaus" '
            'class="mention hashtag" rel="tag">#<span>Gerätehaus</span></a></p>',
            "account": account,
            "reblog": None,
            "tags": [{"name": "gerätehaus"}],
            "media_attachments": [
                {"type": "image", "url": f"{base}/media/photo.jpg", "description": "Löschfahrzeug"}
            ],
        },
        {
            "id": "112200",
            "created_at": "2024-05-31T18:00:00.000Z",
            "url": "https://social.example/@feuerwehr/112200",
            "visibility": "public",
            "content": INJECTION,
            "account": account,
            "reblog": None,
            "media_attachments": [],
        },
        {"id": "112100", "reblog": {"id": "1"}, "content": "geteilt", "account": account},
    ]


def author_feed(base: str) -> dict[str, Any]:
    text = "Sprechstunde 🩺 mit Infos unter kreis.example/sprech #Gesundheit"
    data = text.encode()
    link_start = data.index(b"kreis.example")
    tag_start = data.index(b"#Gesundheit")
    author = {"did": "did:plc:klinik", "handle": "klinik.bsky.social", "displayName": "Klinik"}
    post = {
        "uri": "at://did:plc:klinik/app.bsky.feed.post/3kq2abc7x2c2a",
        "author": author,
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2024-05-31T07:00:00.000Z",
            "langs": ["de"],
            "facets": [
                _facet(
                    link_start,
                    link_start + len(b"kreis.example/sprech"),
                    "link",
                    uri="https://kreis.example/sprech",
                ),
                _facet(tag_start, len(data), "tag", tag="Gesundheit"),
            ],
        },
        "embed": {
            "$type": "app.bsky.embed.images#view",
            "images": [{"fullsize": f"{base}/media/photo.jpg", "alt": "Wartezimmer"}],
        },
        "indexedAt": "2024-05-31T07:00:01.000Z",
    }
    reason = {"$type": "app.bsky.feed.defs#reasonRepost", "by": author}
    repost = {"post": dict(post, uri="at://did:plc:x/app.bsky.feed.post/3kzz"), "reason": reason}
    return {"feed": [{"post": post}, repost]}


def _facet(start: int, end: int, kind: str, **value: str) -> dict[str, Any]:
    feature = {"$type": f"app.bsky.richtext.facet#{kind}", **value}
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def _default_routes(base: str) -> dict[str, Route]:
    rss = rss_feed(
        base,
        [
            ("stadt-1", "Baustelle Hauptstraße", "<p>Die Hauptstraße ist <b>gesperrt</b>.</p>"),
            ("stadt-2", "Injektion", INJECTION),
        ],
    )
    return {
        "/feed.rss": Route(rss, "application/rss+xml; charset=utf-8", etag='"rss-1"'),
        "/feed.atom": Route(
            atom_feed(), "application/atom+xml", last_modified="Fri, 31 May 2024 09:00:00 GMT"
        ),
        "/api/v1/accounts/lookup": Route(json.dumps({"id": "109"}).encode()),
        "/api/v1/accounts/109/statuses": Route(json.dumps(statuses(base)).encode(), etag='W/"m1"'),
        "/xrpc/app.bsky.feed.getAuthorFeed": Route(json.dumps(author_feed(base)).encode()),
        "/media/photo.jpg": Route(photo_with_gps(), "image/jpeg"),
        "/broken.rss": Route(b"kaputt", "text/plain", status=500),
        "/page.html": Route(b"<html><body><p>Keine Feeds hier</p></body></html>", "text/html"),
    }


#: the test partner's media are on 127.0.0.1: an intranet source, allowed on purpose
LOCAL = ("127.0.0.1",)


def sources_for(base: str, **overrides: dict[str, Any]) -> list[SourceConfig]:
    configs = {
        "stadt": SourceConfig(
            "stadt", "rss", f"{base}/feed.rss", "Stadt Musterstadt", allow_private=LOCAL
        ),
        "klinikum": SourceConfig(
            "klinikum", "rss", f"{base}/feed.atom", "Klinikum", allow_private=LOCAL
        ),
        "feuerwehr": SourceConfig(
            "feuerwehr",
            "mastodon",
            f"{base}/@feuerwehr",
            "Feuerwehr",
            department="Feuerwehren",
            allow_private=LOCAL,
        ),
        "klinik-bsky": SourceConfig(
            "klinik-bsky",
            "bluesky",
            "klinik.bsky.social",
            "Klinik auf Bluesky",
            appview=base,
            allow_private=LOCAL,
        ),
    }
    for name, changes in overrides.items():
        configs[name] = SourceConfig(**{**configs[name].__dict__, **changes})
    return list(configs.values())


def run(
    root: Path, client: httpx.Client, sources: list[SourceConfig], now: datetime = NOW
) -> FetchReport:
    return fetch_sources(sources, root, client=client, now=now, workers=2)


def stored(root: Path, source: str) -> dict[str, dict[str, Any]]:
    folder = root / "sources" / source
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.json"))
        if p.name != "_source.json"
    }


def normalized(data: Any, base: str) -> Any:
    return json.loads(json.dumps(data).replace(base, HOST))


# --- fetching ----------------------------------------------------------------------------


def test_every_kind_is_stored_one_file_per_item(
    tmp_path: Path,
    partner: PartnerServer,
    client: httpx.Client,
    golden: Callable[[str, Any], None],
) -> None:
    report = run(tmp_path, client, sources_for(partner.base))
    assert report.ok, report.failures
    assert [(r.name, r.new, r.changed) for r in report.results] == [
        ("stadt", 2, 0),
        ("klinikum", 2, 0),
        ("feuerwehr", 2, 0),  # the reblog is left out
        ("klinik-bsky", 1, 0),  # the repost is left out
    ]
    for name in ("stadt", "klinikum", "feuerwehr", "klinik-bsky"):
        golden(f"sources/{name}", normalized(stored(tmp_path, name), partner.base))
    lookup = partner.requests_to("/api/v1/accounts/lookup")
    assert [s.query for s in lookup] == [{"acct": "feuerwehr"}]
    timeline = partner.requests_to("/api/v1/accounts/109/statuses")[0].query
    assert timeline == {"exclude_replies": "true", "exclude_reblogs": "true", "limit": "40"}
    bsky = partner.requests_to("/xrpc/app.bsky.feed.getAuthorFeed")[0].query
    assert bsky["actor"] == "klinik.bsky.social" and bsky["filter"] == "posts_no_replies"


def test_items_become_site_entries(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    sources = sources_for(partner.base)
    run(tmp_path, client, sources)
    entries = {entry.id: entry for entry in load_items(tmp_path, sources)}
    toot = entries["feuerwehr--112233"]
    assert toot.source == "feuerwehr" and toot.department == "Feuerwehren"
    assert toot.original_url == "https://social.example/@feuerwehr/112233"
    assert toot.author == "Feuerwehr Musterstadt" and toot.text == "Übung heute am #Gerätehaus"
    assert toot.published == datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
    [picture] = toot.media
    assert picture.alt == "Löschfahrzeug" and (picture.width, picture.height) == (320, 200)
    assert (tmp_path / picture.src).is_file() and picture.src.startswith("sources/feuerwehr/media/")
    atom = entries[next(key for key in entries if key.startswith("klinikum--"))]
    assert atom.department == "Klinikum" and atom.lang == "de"
    times = [entry.published for entry in load_items(tmp_path)]
    assert times == sorted(times, reverse=True)  # newest first, also without the config


def test_refetch_updates_in_place_and_keeps_deleted_items(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    sources = sources_for(partner.base)[:1]
    run(tmp_path, client, sources)
    before = stored(tmp_path, "stadt")
    partner.routes["/feed.rss"] = Route(
        rss_feed(partner.base, [("stadt-1", "Baustelle Hauptstraße: wieder frei", "<p>Frei.</p>")]),
        "application/rss+xml",
        etag='"rss-2"',
    )
    [result] = run(tmp_path, client, sources, now=LATER).results
    assert (result.new, result.changed, result.unchanged) == (0, 1, 0)
    after = stored(tmp_path, "stadt")
    assert after.keys() == before.keys()  # stadt-2 left the feed but stays in the archive
    changed = next(item for item in after.values() if item["title"].endswith("wieder frei"))
    assert changed["html"] == "<p>Frei.</p>"
    assert changed["first_seen"] == NOW.isoformat()  # when the archive first saw it


def test_unchanged_items_are_not_rewritten(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    sources = sources_for(partner.base, stadt={"url": f"{partner.base}/feed.rss"})[:1]
    run(tmp_path, client, sources)
    partner.routes["/feed.rss"].etag = '"rss-new-but-same-items"'
    files = sorted((tmp_path / "sources" / "stadt").glob("*.json"))
    stamps = {p: p.stat().st_mtime_ns for p in files if p.name != "_source.json"}
    [result] = run(tmp_path, client, sources, now=LATER).results
    assert (result.new, result.changed, result.unchanged) == (0, 0, 2)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_conditional_get_with_etag_and_last_modified(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    sources = sources_for(partner.base)
    run(tmp_path, client, sources)
    snapshot = {p: p.read_bytes() for p in (tmp_path / "sources").rglob("*") if p.is_file()}
    partner.seen.clear()
    report = run(tmp_path, client, sources, now=LATER)
    assert {r.name: r.not_modified for r in report.results} == {
        "stadt": True,
        "klinikum": True,
        "feuerwehr": True,
        "klinik-bsky": False,  # the AppView sends no validators: fetched and compared
    }
    assert partner.requests_to("/feed.rss")[0].headers["if-none-match"] == '"rss-1"'
    atom = partner.requests_to("/feed.atom")[0].headers
    assert atom["if-modified-since"] == "Fri, 31 May 2024 09:00:00 GMT"
    assert not partner.requests_to("/api/v1/accounts/lookup")  # the account id is remembered
    assert not partner.requests_to("/media/photo.jpg")  # images are not downloaded again
    after = {p: p.read_bytes() for p in (tmp_path / "sources").rglob("*") if p.is_file()}
    assert after == snapshot


def test_a_stale_mastodon_account_id_is_looked_up_again(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    sources = [sources_for(partner.base)[2]]
    run(tmp_path, client, sources)
    partner.routes["/api/v1/accounts/lookup"] = Route(json.dumps({"id": "777"}).encode())
    partner.routes["/api/v1/accounts/777/statuses"] = partner.routes.pop(
        "/api/v1/accounts/109/statuses"
    )
    [result] = run(tmp_path, client, sources).results
    assert result.ok and result.unchanged == 2


def test_a_failing_source_is_reported_and_the_others_fetched(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused = f"http://127.0.0.1:{closed.getsockname()[1]}/feed.rss"
    closed.close()
    broken = [
        SourceConfig("kaputt", "rss", f"{partner.base}/broken.rss", "Kaputt"),
        SourceConfig("aus", "rss", refused, "Aus"),
        SourceConfig("html", "rss", f"{partner.base}/page.html", "Keine Feed"),
        SourceConfig("weg", "mastodon", f"{partner.base}/@weg", "Weg"),
    ]
    partner.routes["/api/v1/accounts/lookup"] = Route(b"{nicht json")
    report = run(tmp_path, client, [broken[0], *sources_for(partner.base)[:2], *broken[1:]])
    failures = dict(report.failures)
    assert failures.keys() == {"kaputt", "aus", "html", "weg"}
    assert failures["kaputt"] == "HTTP 500"
    assert "ConnectError" in failures["aus"]
    assert "not a readable RSS or Atom feed" in failures["html"]
    assert "invalid JSON" in failures["weg"]
    assert not report.ok
    assert {r.name: r.new for r in report.results if r.ok} == {"stadt": 2, "klinikum": 2}
    assert not (tmp_path / "sources" / "kaputt").exists()


def test_a_slow_source_times_out_without_holding_up_the_others(
    tmp_path: Path, partner: PartnerServer
) -> None:
    partner.routes["/slow.rss"] = Route(rss_feed(partner.base, []), delay=1.0)
    slow = SourceConfig("langsam", "rss", f"{partner.base}/slow.rss", "Langsam")
    with make_client(timeout=httpx.Timeout(0.2)) as impatient:
        report = run(tmp_path, impatient, [slow, sources_for(partner.base)[1]])
    assert report.failures == (("langsam", "ReadTimeout: timed out"),)
    assert report.results[1].new == 2


def test_a_redirect_is_reported_with_its_target(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    partner.routes["/alt.rss"] = Route(b"", status=301)
    report = run(tmp_path, client, [SourceConfig("alt", "rss", f"{partner.base}/alt.rss", "A")])
    assert report.failures == (("alt", "HTTP 301: moved to ? (put the new URL in the config)"),)


def test_max_items_keeps_the_newest(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    many = [(f"guid-{n}", f"Meldung {n}", f"<p>Text {n}</p>") for n in range(8)]
    feed = rss_feed(partner.base, many, oldest_first=True)
    partner.routes["/feed.rss"] = Route(feed, "application/rss+xml")
    sources = sources_for(partner.base, stadt={"max_items": 3}, feuerwehr={"max_items": 1})
    run(tmp_path, client, [sources[0], sources[2]])
    titles = sorted(item["title"] for item in stored(tmp_path, "stadt").values())
    # listed oldest first in the feed, but the items with the newest dates are kept
    assert titles == ["Meldung 5", "Meldung 6", "Meldung 7"]
    assert partner.requests_to("/api/v1/accounts/109/statuses")[0].query["limit"] == "1"
    assert len(stored(tmp_path, "feuerwehr")) == 1


def test_downloaded_images_carry_no_exif(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    assert Image.open(io.BytesIO(photo_with_gps())).getexif().get_ifd(GPS_IFD)  # it had GPS
    run(tmp_path, client, sources_for(partner.base))
    files = sorted((tmp_path / "sources").glob("*/media/*"))
    assert len(files) == 3  # one picture each for stadt, feuerwehr and klinik-bsky
    for path in files:
        data = path.read_bytes()
        assert dict(Image.open(path).getexif()) == {}
        assert b"Wehr-Handy" not in data and b"Exif" not in data


def test_oversized_and_non_image_media_are_skipped_with_a_warning(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    sources = [sources_for(partner.base)[2]]
    report = fetch_sources(sources, tmp_path, client=client, now=NOW, max_media_bytes=1000)
    [result] = report.results
    assert result.ok and result.new == 2
    assert "answer too large" in result.warnings[0]
    partner.routes["/media/photo.jpg"] = Route(b"<html></html>", "text/html")
    [result] = run(tmp_path / "b", client, sources).results
    assert "not an image (text/html)" in result.warnings[0]
    assert not list((tmp_path / "b").glob("sources/*/media/*"))


# --- injection ---------------------------------------------------------------------------


def test_injection_is_removed_or_kept_as_text(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    run(tmp_path, client, sources_for(partner.base))
    hostile = [e for e in load_items(tmp_path) if "config.secret" in e.text]
    assert {e.source for e in hostile} == {"stadt", "feuerwehr"}
    for entry in hostile:
        html = entry.html.lower()
        for bad in ("<script", "alert", "onerror", "onclick", "javascript:", "<iframe", "<img"):
            assert bad not in html, (bad, entry.html)
        assert "<style" not in html and "display:none" not in html
        assert "tracker.example" not in html and "video.example" not in html
        link = '<a href="https://www.kreis.example/info" rel="nofollow noopener">Info</a>'
        assert link in entry.html
        # template syntax is plain text: the site inserts the HTML, it never renders it
        assert "{{ config.secret }} {% include 'x' %}" in entry.text
        assert "{{ config.secret }} {% include 'x' %}" in entry.html


def test_hand_edited_archive_files_are_sanitized_again(
    tmp_path: Path, partner: PartnerServer, client: httpx.Client
) -> None:
    run(tmp_path, client, sources_for(partner.base)[:1])
    path = next(p for p in (tmp_path / "sources" / "stadt").glob("*.json") if "_" not in p.name)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["html"] = '<p onmouseover="x()">Hallo<script>alert(1)</script></p>'
    path.write_text(json.dumps(data), encoding="utf-8")
    entry = next(e for e in load_items(tmp_path) if e.id == f"stadt--{path.stem}")
    assert entry.html == "<p>Hallo</p>"


def test_media_paths_outside_the_archive_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sources" / "stadt"
    folder.mkdir(parents=True)
    item = {
        "id": "x1",
        "source": "stadt",
        "url": "",
        "author": "",
        "published": NOW.isoformat(),
        "updated": NOW.isoformat(),
        "first_seen": NOW.isoformat(),
        "title": "t",
        "html": "",
        "media": [{"path": "../../etc/passwd", "alt": "", "width": 1, "height": 1, "url": ""}],
    }
    (folder / "x1.json").write_text(json.dumps(item), encoding="utf-8")
    with pytest.raises(Exception, match=r"x1\.json: not a readable source item"):
        load_items(tmp_path)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
        ('<a href="mailto:presse@kreis.example">Mail</a>', "mailto:presse@kreis.example"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
        ('<a href="data:text/html,<script>">x</a>', '<a rel="nofollow noopener">x</a>'),
        ("<svg><script>alert(1)</script></svg>Text", "Text"),
        ('<img src="https://cdn.example/a.png" alt="Bild">', ""),
        ("<blockquote><ul><li><em>ja</em></li></ul></blockquote>", "<li><em>ja</em></li>"),
        ("<h1>Titel</h1><table><tr><td>Zelle</td></tr></table>", "TitelZelle"),
        ("{{ 7*7 }} {% raw %}", "{{ 7*7 }} {% raw %}"),
        ('<a href="/intern">x</a><a href="">y</a>', '<a rel="nofollow noopener">x</a><a rel'),
    ],
)
def test_sanitizer_allow_list(markup: str, expected: str) -> None:
    cleaned = clean_html(markup)
    assert expected in cleaned if expected else cleaned == ""
    assert clean_html(cleaned) == cleaned  # sanitizing twice changes nothing


def test_plain_text_keeps_paragraphs_and_line_breaks() -> None:
    markup = "<p>Erste Zeile<br>zweite &amp; dritte</p><p>Neuer   Absatz</p>"
    assert plain_text(markup) == "Erste Zeile\nzweite & dritte\n\nNeuer Absatz"


# --- config ------------------------------------------------------------------------------


def read(text: str) -> tuple[tuple[SourceConfig, ...], list[Problem]]:
    problems: list[Problem] = []
    raw = yamlsafe.load(text)
    return read_sources(Path("socialpub.yaml"), raw, problems), problems


def test_config_reads_every_kind_with_defaults() -> None:
    sources, problems = read(
        """\
sources:
  stadt:
    kind: rss
    url: https://www.stadt.example/feed.xml
  feuerwehr:
    kind: mastodon
    url: https://social.example/@feuerwehr
    title: Freiwillige Feuerwehr
    max_items: 20
    department: Feuerwehren
  klinik:
    kind: bluesky
    url: "@klinik.bsky.social"
    appview: https://appview.example/
"""
    )
    assert problems == []
    stadt, wehr, klinik = sources
    assert (stadt.title, stadt.max_items, stadt.department) == ("stadt", 50, "")
    assert wehr.mastodon_account == ("https://social.example", "feuerwehr")
    assert (wehr.title, wehr.max_items, wehr.department) == (
        "Freiwillige Feuerwehr",
        20,
        "Feuerwehren",
    )
    assert (
        klinik.appview == "https://appview.example" and klinik.bluesky_actor == "klinik.bsky.social"
    )
    assert read("channels: {}\n") == ((), [])


def test_config_problems_name_file_line_and_field() -> None:
    sources, problems = read(
        """\
sources:
  gut:
    kind: rss
    url: https://ok.example/feed
  tippfehler:
    kind: rss
    ulr: https://x.example/feed
  falsch:
    kind: facebook
    url: https://facebook.com/x
  Gross_Name:
    kind: rss
    url: ftp://x.example/feed
  wehr:
    kind: mastodon
    url: https://social.example/users/wehr
    max_items: 0
  himmel:
    kind: bluesky
    url: https://bsky.app/profile/x
  feed:
    kind: rss
    url: https://x.example/feed
    appview: https://appview.example
  leer: eine Zeichenkette
"""
    )
    assert [s.name for s in sources] == ["gut"]
    found = {(p.line, p.field, p.code) for p in problems}
    assert found == {
        (7, "sources.tippfehler.ulr", "SP502"),
        (6, "sources.tippfehler.url", "SP503"),
        (9, "sources.falsch.kind", "SP506"),
        (11, "sources.Gross_Name", "SP506"),
        (13, "sources.Gross_Name.url", "SP506"),
        (16, "sources.wehr.url", "SP506"),
        (17, "sources.wehr.max_items", "SP506"),
        (20, "sources.himmel.url", "SP506"),
        (24, "sources.feed.appview", "SP506"),
        (25, "sources.leer", "SP506"),
    }
    assert {p.file for p in problems} == {"socialpub.yaml"}
    hints = {p.field: p.hint for p in problems}
    assert hints["sources.tippfehler.ulr"] == "did you mean 'url'?"
    assert "rss, mastodon, bluesky" in hints["sources.falsch.kind"]


def test_config_reads_the_allow_list_of_internal_media() -> None:
    sources, problems = read(
        """\
sources:
  intranet:
    kind: rss
    url: https://intranet.landkreis.local/feed.xml
    allow_private: [10.20.0.0/16, Intranet.Landkreis.Local, "fd00:20::/48", 10.30.0.7]
  eins:
    kind: rss
    url: https://bilder.landkreis.local/feed.xml
    allow_private: 192.168.5.0/24
  stadt:
    kind: rss
    url: https://www.stadt.example/feed.xml
"""
    )
    assert problems == []
    assert [s.allow_private for s in sources] == [
        ("10.20.0.0/16", "intranet.landkreis.local", "fd00:20::/48", "10.30.0.7/32"),
        ("192.168.5.0/24",),
        (),
    ]


def test_config_allow_list_problems_name_the_entry_and_how_to_fix_it() -> None:
    sources, problems = read(
        """\
sources:
  intranet:
    kind: rss
    url: https://intranet.landkreis.local/feed.xml
    allow_private:
      - 10.20.0.0/16
      - 10.20.0.0/33
      - 10.20.0.5/16
      - "*.landkreis.local"
      - 8080
  karte:
    kind: rss
    url: https://karte.landkreis.local/feed.xml
    allow_private: {netz: 10.0.0.0/8}
"""
    )
    assert sources == ()
    assert [(p.line, p.field, p.code, p.message, p.hint) for p in problems] == [
        (
            7,
            "sources.intranet.allow_private",
            "SP506",
            "'10.20.0.0/33' is not a valid network or address",
            "e.g. 10.20.0.0/16, 10.20.0.5 or fd00:20::/48 (quote IPv6 in YAML)",
        ),
        (
            8,
            "sources.intranet.allow_private",
            "SP506",
            "'10.20.0.5/16' has host bits set",
            "did you mean 10.20.0.0/16?",
        ),
        (
            9,
            "sources.intranet.allow_private",
            "SP506",
            "'*.landkreis.local' is not a valid host name",
            "a host name like intranet.landkreis.local (no wildcards), or a network",
        ),
        (
            10,
            "sources.intranet.allow_private",
            "SP506",
            "8080 is not a network or host name",
            "e.g. allow_private: [10.20.0.0/16, intranet.landkreis.local]",
        ),
        (
            14,
            "sources.karte.allow_private",
            "SP506",
            "allow_private must be a list of networks and host names",
            "e.g. allow_private: [10.20.0.0/16, intranet.landkreis.local]",
        ),
    ]


def test_config_sources_must_be_a_mapping() -> None:
    sources, problems = read("lang: de\nsources:\n  - stadt\n")
    assert sources == ()
    assert [(p.line, p.field, p.code) for p in problems] == [(2, "sources", "SP506")]


def test_reading_the_config_loads_no_network_or_html_libraries() -> None:
    """`validate` reads the sources block on every run; fetching libraries cost startup time."""
    code = (
        "import sys, socialpub.content.sourceconfig\n"
        "heavy = ('httpx', 'PIL', 'nh3', 'feedparser', 'socialpub.sources.fetch')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT
    )
    assert done.stdout.strip() == "[]"
