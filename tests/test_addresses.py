"""Partner media come from public addresses only, unless the source allows more.

The policy's names are resolved by a stub. Requests go only to servers on 127.0.0.1 or to a
mock transport: nothing is ever sent to a private or link-local address.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
from PIL import Image

from socialpub.content.sourceconfig import SourceConfig
from socialpub.net.http import make_client
from socialpub.sources.addresses import AddressPolicy
from socialpub.sources.fetch import SourceResult, fetch_sources
from socialpub.sources.net import Refused, SourceFailed, peer_check
from tests.localserver import serving

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"
HINT = "allow it with sources.stadt.allow_private if this source is on purpose internal"


class StubResolver:
    """Answers from a table and remembers what it was asked; unknown names do not resolve."""

    def __init__(self, table: dict[str, Sequence[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, host: str) -> Sequence[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"stub: {host} is not in the table")
        return self.table[host]


NAMES = StubResolver(
    {
        "www.partner.example": [PUBLIC_V4, PUBLIC_V6],
        "metadata.google.internal": ["169.254.169.254"],
        "intranet.example": ["10.0.0.5"],
        "mixed.example": [PUBLIC_V4, "10.0.0.5"],  # one public, one private: refused
        "ula.example": [PUBLIC_V4, "fd12:3456::1"],
        "mapped.example": ["::ffff:127.0.0.1"],
        "router.example": ["fe80::1%eth0"],
    }
)


def policy(*allowed: str, resolver: StubResolver = NAMES) -> AddressPolicy:
    source = SourceConfig("stadt", "rss", "https://x.example/feed", "Stadt", allow_private=allowed)
    return AddressPolicy.for_source(source, resolver)


def refusal(host: str, guard: AddressPolicy | None = None) -> str:
    """The refusal's text for `host`, "" when it may be fetched from."""
    try:
        (guard or policy()).check_host(host)
    except Refused as refused:
        assert str(refused).endswith("; " + HINT)
        return refused.detail
    return ""


@pytest.mark.parametrize(
    ("host", "detail"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("127.8.9.10", "127.8.9.10 is a loopback address"),
        ("::1", "::1 is a loopback address"),
        ("10.0.0.5", "10.0.0.5 is a private address"),
        ("172.16.3.4", "172.16.3.4 is a private address"),
        ("172.31.255.1", "172.31.255.1 is a private address"),
        ("192.168.1.1", "192.168.1.1 is a private address"),
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
        ("100.64.0.1", "100.64.0.1 is a carrier-grade NAT address"),
        ("100.127.255.254", "100.127.255.254 is a carrier-grade NAT address"),
        ("fd00::1", "fd00::1 is a private address"),
        ("fc00::1", "fc00::1 is a private address"),
        ("fe80::1", "fe80::1 is a link-local address"),
        ("fec0::1", "fec0::1 is a private address"),  # the old site-local range
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("::", ":: is an unspecified address"),
        ("224.0.0.251", "224.0.0.251 is a multicast address"),
        ("ff02::1", "ff02::1 is a multicast address"),
        ("240.0.0.1", "240.0.0.1 is a reserved address"),
        ("192.0.2.10", "192.0.2.10 is a non-public address"),  # documentation range
        # IPv4 inside IPv6: mapped, NAT64 and 6to4 reach the IPv4 address
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1 is a loopback address"),
        ("::ffff:169.254.169.254", "::ffff:169.254.169.254 is a link-local address"),
        ("::ffff:a00:5", "::ffff:a00:5 is a private address"),
        ("64:ff9b::a00:5", "64:ff9b::a00:5 is a private address"),
        ("2002:a9fe:a9fe::", "2002:a9fe:a9fe:: is a link-local address"),
        # numeric forms the system resolver reads as 127.0.0.1
        ("127.1", "127.1 is a loopback address"),
        ("2130706433", "2130706433 is a loopback address"),
        ("0x7f000001", "0x7f000001 is a loopback address"),
        ("0x7f.0.0.1", "0x7f.0.0.1 is a loopback address"),
        ("0251.0376.0251.0376", "0251.0376.0251.0376 is a link-local address"),  # octal
        ("127.0.0.1.", "127.0.0.1. is a loopback address"),
        # names: every address they resolve to counts
        ("metadata.google.internal", "resolves to 169.254.169.254, a link-local address"),
        ("intranet.example", "resolves to 10.0.0.5, a private address"),
        ("mixed.example", "resolves to 10.0.0.5, a private address"),
        ("ula.example", "resolves to fd12:3456::1, a private address"),
        ("mapped.example", "resolves to ::ffff:127.0.0.1, a loopback address"),
        ("router.example", "resolves to fe80::1, a link-local address"),
        # public: fetched
        (PUBLIC_V4, ""),
        (PUBLIC_V6, ""),
        ("::ffff:5db8:d822", ""),  # ::ffff:93.184.216.34
        ("www.partner.example", ""),
    ],
)
def test_only_public_addresses_are_fetched_from(host: str, detail: str) -> None:
    found = refusal(host)
    assert found.endswith(detail) if detail else found == ""
    if detail.startswith("resolves"):
        assert found == f"{host} {detail}"


def test_numeric_hosts_are_never_resolved() -> None:
    resolver = StubResolver({})
    for host in ("127.0.0.1", "2130706433", "0x7f.1", "::ffff:127.0.0.1", "fd00::1"):
        assert refusal(host, policy(resolver=resolver))
    assert resolver.asked == []


def test_a_name_that_does_not_resolve_is_not_fetched() -> None:
    with pytest.raises(SourceFailed, match=r"^unknown\.example cannot be resolved$"):
        policy().check_host("unknown.example")
    with pytest.raises(SourceFailed, match="cannot be resolved"):
        policy(resolver=StubResolver({"empty.example": []})).check_host("empty.example")


def test_the_message_names_address_kind_and_setting() -> None:
    with pytest.raises(Refused) as caught:
        policy().check_host("mixed.example")
    assert str(caught.value) == (
        "refused: mixed.example resolves to 10.0.0.5, a private address; allow it with "
        "sources.stadt.allow_private if this source is on purpose internal"
    )


def test_the_allow_list_admits_its_networks_and_host_names() -> None:
    resolver = StubResolver(
        {
            "intranet.landkreis.local": ["10.99.0.1", "fd00:99::1"],
            "bilder.landkreis.local": ["10.20.7.7"],
            "fremd.landkreis.local": ["10.21.0.1"],
        }
    )
    guard = policy("10.20.0.0/16", "fd00:20::/48", "Intranet.Landkreis.Local", resolver=resolver)
    for allowed in (
        "10.20.3.4",
        "::ffff:10.20.3.4",  # the mapped form of an allowed address
        "fd00:20::5",
        "bilder.landkreis.local",  # resolves into an allowed network
        "intranet.landkreis.local",  # an allowed name, whatever it resolves to
        "INTRANET.landkreis.local.",
    ):
        assert refusal(allowed, guard) == "", allowed
    assert resolver.asked == ["bilder.landkreis.local"]  # allowed names need no look-up
    assert refusal("10.21.0.1", guard) == "10.21.0.1 is a private address"
    assert refusal("fremd.landkreis.local", guard).endswith("10.21.0.1, a private address")
    assert refusal("127.0.0.1", guard) == "127.0.0.1 is a loopback address"
    assert refusal("169.254.169.254", policy("10.0.0.0/8")) != ""  # only what is listed


def test_the_connected_address_is_checked_like_the_resolved_ones() -> None:
    guard = policy("10.20.0.0/16", "intranet.landkreis.local")
    with pytest.raises(Refused, match=r"connection to www\.partner\.example went to 10\.0\.0\.5,"):
        guard.check_peer("www.partner.example", "10.0.0.5")
    with pytest.raises(Refused, match="went to fe80::1, a link-local address"):
        guard.check_peer("www.partner.example", "fe80::1%eth0")
    guard.check_peer("www.partner.example", PUBLIC_V4)
    guard.check_peer("bilder.example", "10.20.0.9")
    guard.check_peer("intranet.landkreis.local", "192.168.0.1")


class FakeStream:
    def __init__(self, peer: tuple[str, int] | None) -> None:
        self.peer = peer
        self.closed = False

    def get_extra_info(self, name: str) -> Any:
        return self.peer if name == "server_addr" else None

    def close(self) -> None:
        self.closed = True


def connect(host: str, connected_to: str, peer: tuple[str, int] | None) -> FakeStream:
    """What httpcore tells the trace hook while it opens a connection for `host`."""
    stream = FakeStream(peer)
    trace = peer_check(policy(), host)
    trace("connection.connect_tcp.started", {"host": connected_to, "port": 80})
    trace("connection.connect_tcp.complete", {"return_value": stream})
    return stream


def test_a_connection_to_a_refused_address_is_closed_before_anything_is_sent() -> None:
    with pytest.raises(Refused, match=r"went to 127\.0\.0\.1, a loopback address"):
        connect("www.partner.example", "www.partner.example", ("127.0.0.1", 80))
    assert not connect("www.partner.example", "www.partner.example", (PUBLIC_V4, 80)).closed
    with pytest.raises(Refused, match="cannot tell which address"):
        connect("www.partner.example", "www.partner.example", None)


def test_a_proxy_from_the_environment_is_not_refused() -> None:
    """HTTPS_PROXY on 10.x is the county's own: the connection goes there, not to the host."""
    stream = connect("www.partner.example", "proxy.landkreis.local", ("10.1.2.3", 3128))
    assert not stream.closed


# --- fetching: a partner feed on 127.0.0.1 names media on an "intranet" server ------------


#: status, headers, body
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class LocalServer:
    """A server on 127.0.0.1 that answers from `routes` and records every request's path."""

    port: int = 0
    routes: dict[str, Answer] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@contextmanager
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.seen.append(self.path)
            status, headers, body = server.routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    with serving(Handler) as origin:
        server.port = int(origin.rsplit(":", 1)[1])
        yield server


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def feed() -> Iterator[LocalServer]:
    """The partner's feed server: its URL is configured, so it is never checked."""
    with local_server() as server:
        yield server


@pytest.fixture
def intranet() -> Iterator[LocalServer]:
    """Stands for an internal server: media must not reach it unless the source allows it."""
    with local_server() as server:
        for path in ("/x.png", "/y.png", "/secret.png"):
            server.routes[path] = (200, {"Content-Type": "image/png"}, png())
        server.routes["/hop"] = (302, {"Location": server.url("/secret.png")}, b"")
        yield server


def image_feed(images: list[str]) -> bytes:
    """RSS with one item per image URL, an hour apart."""
    items = "".join(
        f"""<item><guid isPermaLink="false">bild-{n}</guid><title>Bild {n}</title>
        <pubDate>Sat, 01 Jun 2024 {10 - n:02d}:00:00 +0000</pubDate><description>Text</description>
        <enclosure url="{escape(url)}" type="image/png" length="1"/></item>"""
        for n, url in enumerate(images)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Intranet</title><link>https://intranet.example/</link><description>x</description>
{items}</channel></rss>""".encode()


def intranet_source(feed: LocalServer, images: list[str], *allowed: str) -> SourceConfig:
    feed.routes["/feed.rss"] = (200, {"Content-Type": "application/rss+xml"}, image_feed(images))
    url = feed.url("/feed.rss")
    return SourceConfig("intranet", "rss", url, "Intranet", allow_private=allowed)


def fetch(root: Path, source: SourceConfig, resolver: StubResolver | None = None) -> SourceResult:
    with make_client(timeout=httpx.Timeout(5.0)) as client:
        if resolver is None:
            report = fetch_sources([source], root, client=client, now=NOW)
        else:
            report = fetch_sources([source], root, client=client, now=NOW, resolve=resolver)
    [result] = report.results
    return result


def stored_media(root: Path) -> list[dict[str, Any]]:
    items = sorted((root / "sources" / "intranet").glob("bild-*.json"))
    return [m for path in items for m in json.loads(path.read_text(encoding="utf-8"))["media"]]


INTERNAL = "allow it with sources.intranet.allow_private if this source is on purpose internal"


def test_media_on_internal_addresses_are_refused_unless_the_source_allows_them(
    tmp_path: Path, feed: LocalServer, intranet: LocalServer
) -> None:
    by_address = intranet.url("/x.png")
    by_name = intranet.url("/y.png", host="localhost")
    loopback_names = StubResolver({"localhost": ["127.0.0.1"]})
    source = intranet_source(feed, [by_address, by_name])

    result = fetch(tmp_path / "refused", source, loopback_names)
    assert intranet.seen == []  # nothing was asked of the internal server
    assert result.ok and result.new == 2  # the items are stored, without their images
    assert sorted(result.warnings) == [
        f"image {by_address}: refused: 127.0.0.1 is a loopback address; {INTERNAL}",
        f"image {by_name}: refused: localhost resolves to 127.0.0.1, a loopback address; "
        + INTERNAL,
    ]
    assert stored_media(tmp_path / "refused") == []
    assert not list(tmp_path.glob("refused/sources/*/media/*"))

    by_name_only = replace(source, allow_private=("localhost",))
    result = fetch(tmp_path / "name", by_name_only, loopback_names)
    assert intranet.seen == ["/y.png"]
    assert result.warnings == (
        f"image {by_address}: refused: 127.0.0.1 is a loopback address; {INTERNAL}",
    )

    allowed = replace(source, allow_private=("127.0.0.0/8", "localhost"))
    result = fetch(tmp_path / "allowed", allowed, loopback_names)
    assert result.ok and result.warnings == ()
    assert sorted(intranet.seen) == ["/x.png", "/y.png", "/y.png"]
    media = stored_media(tmp_path / "allowed")
    assert sorted(m["url"] for m in media) == sorted([by_address, by_name])
    assert all((tmp_path / "allowed" / m["path"]).is_file() for m in media)


def test_a_name_checked_as_public_but_connected_to_loopback_is_refused_before_the_request(
    tmp_path: Path, feed: LocalServer, intranet: LocalServer
) -> None:
    """DNS rebinding: the check saw a public address, the connection got another one."""
    image = intranet.url("/x.png", host="localhost")
    source = intranet_source(feed, [image])
    result = fetch(tmp_path, source, StubResolver({"localhost": [PUBLIC_V4]}))
    assert intranet.seen == []
    [warning] = result.warnings
    pattern = rf"image {re.escape(image)}: refused: the connection to localhost went to "
    assert re.fullmatch(pattern + rf"(127\.0\.0\.1|::1), a loopback address; {INTERNAL}", warning)


def test_a_redirect_to_an_internal_address_is_refused_before_it_is_followed(
    tmp_path: Path, feed: LocalServer, intranet: LocalServer
) -> None:
    source = intranet_source(feed, [intranet.url("/hop", host="localhost")], "localhost")
    result = fetch(tmp_path, source)  # localhost is allowed: it is not even resolved
    assert intranet.seen == ["/hop"]  # never /secret.png
    [warning] = result.warnings
    target = intranet.url("/secret.png")
    assert warning.endswith(
        f": refused: redirect to {target}: 127.0.0.1 is a loopback address; {INTERNAL}"
    )


# --- redirects, on a mock transport (nothing leaves the machine) --------------------------

CDN = "http://cdn.partner.example"
PUBLIC_NAMES: dict[str, Sequence[str]] = {
    "cdn.partner.example": [PUBLIC_V4],
    "img.partner.example": [PUBLIC_V6],
}


def fetch_mocked(
    root: Path, redirects: dict[str, str], names: dict[str, Sequence[str]]
) -> tuple[SourceResult, list[str]]:
    """A feed with one image, {CDN}/pic.png; `redirects` maps a URL to its Location."""
    requested: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        requested.append(url)
        if url == "http://feed.partner.example/feed.rss":
            return httpx.Response(200, content=image_feed([f"{CDN}/pic.png"]))
        if url in redirects:
            return httpx.Response(302, headers={"Location": redirects[url]})
        return httpx.Response(200, content=png(), headers={"Content-Type": "image/png"})

    source = SourceConfig("stadt", "rss", "http://feed.partner.example/feed.rss", "Stadt")
    with make_client(httpx.MockTransport(answer)) as client:
        report = fetch_sources([source], root, client=client, now=NOW, resolve=StubResolver(names))
    return report.results[0], requested[1:]  # the media requests


@pytest.mark.parametrize(
    ("target", "names", "detail"),
    [
        ("http://127.0.0.1:9/x.png", {}, "127.0.0.1 is a loopback address"),
        ("http://[::1]/x.png", {}, "::1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", {}, "is a link-local address"),
        ("http://intern.example/x.png", {"intern.example": ["10.0.0.5"]}, "10.0.0.5, a private"),
        ("http://2130706433/x.png", {}, "2130706433 is a loopback address"),
    ],
)
def test_a_public_url_that_redirects_inward_is_refused_before_the_second_request(
    tmp_path: Path, target: str, names: dict[str, Sequence[str]], detail: str
) -> None:
    redirects = {f"{CDN}/pic.png": target}
    result, requested = fetch_mocked(tmp_path, redirects, {**PUBLIC_NAMES, **names})
    assert requested == [f"{CDN}/pic.png"]
    [warning] = result.warnings
    assert warning.startswith(f"image {CDN}/pic.png: refused: redirect to {target}: ")
    assert detail in warning and warning.endswith(
        "sources.stadt.allow_private if this source is on purpose internal"
    )
    assert result.ok and result.new == 1


def test_redirects_between_public_hosts_are_followed_a_few_times(tmp_path: Path) -> None:
    redirects = {
        f"{CDN}/pic.png": "/images/pic.png",  # relative
        f"{CDN}/images/pic.png": "http://img.partner.example/p.png",
    }
    result, requested = fetch_mocked(tmp_path / "ok", redirects, PUBLIC_NAMES)
    assert result.warnings == ()
    assert requested == [*redirects, "http://img.partner.example/p.png"]
    item = json.loads((tmp_path / "ok/sources/stadt/bild-0.json").read_text(encoding="utf-8"))
    assert [medium["url"] for medium in item["media"]] == [f"{CDN}/pic.png"]

    loop = {f"{CDN}/pic.png": f"{CDN}/pic.png"}
    result, requested = fetch_mocked(tmp_path / "loop", loop, PUBLIC_NAMES)
    assert result.warnings == (f"image {CDN}/pic.png: more than 3 redirects",)
    assert len(requested) == 4
