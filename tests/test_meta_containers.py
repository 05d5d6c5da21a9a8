"""What Instagram and Threads share: the public copy of each media file (the very one the
website publishes), its check online, container polling, the quota and the container log."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PIL import Image

from socialpub.channels import meta, meta_media
from socialpub.channels import meta_containers as mc
from socialpub.errors import NotReady, RateLimited, Rejected, Transient
from socialpub.models import Media, MediaFile
from socialpub.site.media import MediaStore
from tests.adapterkit import FakeClock, make_http
from tests.metamock import API, MEDIA, TOKEN, FakeMeta


def photo(root: Path, name: str, size: tuple[int, int], fmt: str = "JPEG") -> str:
    path = root / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    exif[0x010F] = "Kamera GmbH"  # Make: metadata that must not leave the building
    Image.new("RGB", size, "teal").save(path, fmt, exif=exif)
    return f"media/{name}"


def graph_for(fake: FakeMeta, clock: FakeClock | None = None) -> meta.Graph:
    http = make_http(fake.transport(), {"access_token": TOKEN}, channel="ig", clock=clock)
    return meta.Graph(http, base=API, channel="ig", service="Instagram", renew="renew it")


# --- the public copy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size", "fmt"),
    [
        ("Landratsamt Front.jpg", (1600, 1000), "JPEG"),
        ("hoch.jpg", (900, 1400), "JPEG"),
        ("klein.jpg", (640, 640), "JPEG"),
        ("grafik.png", (1000, 800), "PNG"),
    ],
)
def test_the_public_copy_is_the_file_the_website_publishes(
    tmp_path: Path, name: str, size: tuple[int, int], fmt: str
) -> None:
    file = photo(tmp_path, name, size, fmt)
    store = MediaStore(tmp_path)
    picture = store.picture(Media(file, alt="Alt"))
    path, data = meta_media.site_copy(tmp_path, file)
    assert "media/" + path == picture.src
    assert data == store.outputs[picture.src].content()
    assert b"Kamera GmbH" not in data


def test_a_video_is_published_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 video")
    store = MediaStore(tmp_path)
    picture = store.picture(Media("clip.mp4"))
    path, data = meta_media.site_copy(tmp_path, "clip.mp4")
    assert "media/" + path == picture.src
    assert data == b"\x00\x00\x00\x18ftypmp42 video"


def test_the_media_base_is_set_or_comes_from_the_website_channel(tmp_path: Path) -> None:
    assert meta_media.media_base({"media_base_url": "https://cdn.example/m/"}, tmp_path) == (
        "https://cdn.example/m"
    )
    assert meta_media.media_base({}, tmp_path) == ""  # no config at all
    (tmp_path / "socialpub.yaml").write_text(
        "channels:\n  web:\n    type: website\n    base_url: https://www.kreis.example/\n",
        encoding="utf-8",
    )
    assert meta_media.media_base({}, tmp_path) == "https://www.kreis.example/media"


# --- the check online -----------------------------------------------------------------------


def public(tmp_path: Path) -> meta_media.PublicMedia:
    file = photo(tmp_path, "a.jpg", (1200, 1000))
    return meta_media.public_media(tmp_path, MEDIA, MediaFile(file, "jpeg", "Alt"))


def test_an_online_copy_passes_and_is_fetched_without_the_token(tmp_path: Path) -> None:
    media = public(tmp_path)
    fake = FakeMeta(files={media.url: media.data})
    meta_media.verify_online(graph_for(fake).http, media, "ig")
    assert [(c.method, c.url, c.authorization) for c in fake.calls] == [("GET", media.url, "")]


def test_a_copy_not_online_yet_waits_for_the_next_run(tmp_path: Path) -> None:
    media = public(tmp_path)
    with pytest.raises(NotReady) as caught:
        meta_media.verify_online(graph_for(FakeMeta()).http, media, "ig")
    assert "not online yet" in str(caught.value) and "next run" in str(caught.value)


def test_an_unreachable_web_server_waits_too(tmp_path: Path) -> None:
    media = public(tmp_path)

    def refuse(call: object) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(NotReady, match="not reachable yet"):
        meta_media.verify_online(graph_for(FakeMeta(fail=refuse)).http, media, "ig")


def test_other_bytes_at_the_url_are_refused(tmp_path: Path) -> None:
    media = public(tmp_path)
    fake = FakeMeta(files={media.url: media.data + b"tampered"})
    with pytest.raises(Rejected, match="other bytes") as caught:
        meta_media.verify_online(graph_for(fake).http, media, "ig")
    assert "deploy the website again" in str(caught.value)


def test_a_media_folder_behind_a_login_is_refused(tmp_path: Path) -> None:
    media = public(tmp_path)
    fake = FakeMeta(fail=lambda call: httpx.Response(403))
    with pytest.raises(Rejected, match="not public"):
        meta_media.verify_online(graph_for(fake).http, media, "ig")


def test_without_a_public_address_nothing_is_fetched(tmp_path: Path) -> None:
    fake = FakeMeta()
    item = MediaFile(photo(tmp_path, "a.jpg", (800, 800)), "jpeg", "Alt")
    with pytest.raises(Rejected, match="no public address") as caught:
        meta_media.public_urls(
            graph_for(fake).http,
            root=tmp_path,
            base="",
            media=[item],
            channel="ig",
            service="Instagram",
        )
    assert "media_base_url" in str(caught.value)
    assert fake.calls == []


# --- containers -----------------------------------------------------------------------------


def test_a_container_is_polled_with_growing_pauses_until_finished() -> None:
    clock = FakeClock()
    fake = FakeMeta(polls_until_finished=3)
    graph = graph_for(fake, clock)
    container = graph.call("POST", f"/{fake.user}/media", idempotent=False, data={})["id"]
    state = mc.wait_until_ready(
        graph, container, field="status_code", detail="status", clock=graph.http.clock, channel="ig"
    )
    assert state == "FINISHED"
    assert clock.sleeps == [2.0, 4.0, 8.0]
    polls = [c for c in fake.calls if c.method == "GET"]
    assert [c.params for c in polls] == [{"fields": "status_code,status"}] * 4


@pytest.mark.parametrize(
    ("end", "detail", "hint"),
    [
        ("ERROR", "2207026: unsupported video format", "Meta's requirements"),
        ("EXPIRED", "", "within 24 hours"),
    ],
)
def test_a_failed_container_is_refused_with_metas_words(end: str, detail: str, hint: str) -> None:
    fake = FakeMeta(state_field="status", end_state=end, detail=detail)
    graph = graph_for(fake)
    container = graph.call("POST", f"/{fake.user}/media", idempotent=False, data={})["id"]
    with pytest.raises(Rejected) as caught:
        mc.wait_until_ready(
            graph,
            container,
            field="status",
            detail="error_message",
            clock=graph.http.clock,
            channel="th",
        )
    assert end in str(caught.value) and detail in str(caught.value)
    assert hint in str(caught.value)


def test_a_container_that_never_finishes_is_left_for_the_next_run() -> None:
    clock = FakeClock()
    fake = FakeMeta(polls_until_finished=1000)
    graph = graph_for(fake, clock)
    container = graph.call("POST", f"/{fake.user}/media", idempotent=False, data={})["id"]
    with pytest.raises(Transient, match="still IN_PROGRESS") as caught:
        mc.wait_until_ready(
            graph,
            container,
            field="status_code",
            detail="status",
            clock=clock.clock(),
            channel="ig",
        )
    assert not caught.value.maybe_sent
    assert sum(clock.sleeps) >= mc.POLL_BUDGET
    assert max(clock.sleeps) == mc.POLL_MAX


# --- quota, log, finding a post -------------------------------------------------------------


def test_the_quota_stops_only_when_used_up() -> None:
    def limit(used: int) -> dict[str, object]:
        return {"data": [{"quota_usage": used, "config": {"quota_total": 100}}]}

    mc.check_quota(limit(99), channel="ig")
    mc.check_quota({}, channel="ig")  # Meta said nothing: publishing tells
    with pytest.raises(RateLimited, match="100 of 100") as caught:
        mc.check_quota(limit(100), channel="ig")
    assert caught.value.retry_after == 86400.0


def test_the_container_log_keeps_ids_until_cleared(tmp_path: Path) -> None:
    log = mc.ContainerLog(tmp_path, "ig", "post/key 1")
    log.put(0, "c1")
    log.put(1, "c2")
    again = mc.ContainerLog(tmp_path, "ig", "post/key 1")
    assert (again.get(0), again.get(1), again.get(2)) == ("c1", "c2", "")
    again.clear()
    assert mc.ContainerLog(tmp_path, "ig", "post/key 1").get(0) == ""
    nowhere = mc.ContainerLog(None, "ig", "k")
    nowhere.put(0, "c1")
    assert nowhere.get(0) == ""


def test_a_post_is_found_by_its_text_after_the_first_attempt() -> None:
    listing = {
        "data": [
            {"id": "new", "text": "Hallo", "timestamp": "2026-11-23T10:00:00+0000"},
            {"id": "mine", "text": "Hallo ", "timestamp": "2026-11-23T09:00:05+0000"},
            {"id": "old", "text": "Hallo", "timestamp": "2026-11-20T09:00:00+0000"},
        ]
    }
    since = "2026-11-23T09:00:00+00:00"
    found = mc.find_post(listing, key="text", wanted="Hallo", since=since)
    assert found is not None and found["id"] == "mine"
    assert mc.find_post(listing, key="text", wanted="Tschüss", since=since) is None


def test_instagrams_quota_error_at_publishing_is_a_rate_limit() -> None:
    error = {
        "error": {
            "message": "Application request limit reached",
            "type": "OAuthException",
            "code": 9,
            "error_subcode": 2207042,
            "error_user_msg": "You reached maximum number of posts that is allowed to be published",
            "fbtrace_id": "AbC",
        }
    }
    fake = FakeMeta(fail=lambda call: httpx.Response(400, json=error))
    with pytest.raises(RateLimited, match="quota is used up") as caught:
        mc.create(graph_for(fake), f"/{fake.user}/media_publish", {"creation_id": "c1"})
    assert "fbtrace_id AbC" in str(caught.value)
    other = {"error": {"message": "Invalid parameter", "code": 100, "fbtrace_id": "X"}}
    fake = FakeMeta(fail=lambda call: httpx.Response(400, json=other))
    with pytest.raises(Rejected, match="Invalid parameter"):
        mc.create(graph_for(fake), f"/{fake.user}/media", {"image_url": "x"})
