"""The Threads adapter: payloads, a thread of replies with exact requests, its resume after a
crash, images with alt text, the quota stop, delete, and reconcile through `status`."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PIL import Image

from socialpub.channels.adapter import Lookup, adapter_class
from socialpub.channels.meta_media import site_copy
from socialpub.channels.threads import ADAPTER, ThreadsAdapter
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import NotReady, RateLimited, Rejected, Transient
from socialpub.models import Media, Part, Payload, Receipt, Sent, Variant
from socialpub.render import counting
from tests.adapterkit import T0, FakeClock, MemoryProgress, make_http
from tests.metamock import API, MEDIA, TOKEN, Call, FakeMeta

USER = "27000000"
PARTS = ("Erster Teil 1/3", "Zweiter Teil 2/3", "Dritter Teil 3/3")


def adapter(root: Path) -> ThreadsAdapter:
    values = {"user_id": USER, "api_base": API, "media_base_url": MEDIA}
    channel = ChannelConfig("th", "threads", {**values, "access_token": SecretRef("TH_TOKEN")})
    return ThreadsAdapter(channel, root, root / "state")


def variant(*texts: str, media: tuple[str, ...] = ()) -> Variant:
    return Variant(
        post_id="sperrung",
        channel="th",
        channel_type="threads",
        parts=tuple(Part(text=t, length=len(t)) for t in texts),
        limit=500,
        unit="characters",
        media=tuple(Media(file, alt=f"Bild {n}") for n, file in enumerate(media)),
    )


def fake_threads(**kwargs: object) -> FakeMeta:
    return FakeMeta(user=USER, edge="threads", state_field="status", **kwargs)  # type: ignore[arg-type]


def send(root: Path, fake: FakeMeta, payload: Payload, progress: MemoryProgress) -> Receipt:
    http = make_http(fake.transport(), {"access_token": TOKEN}, channel="th", clock=FakeClock())
    return adapter(root).send(payload, http, progress)


def test_the_module_is_registered() -> None:
    assert adapter_class("threads") is ADAPTER


def test_a_long_post_becomes_containers_that_reply_to_the_part_before(tmp_path: Path) -> None:
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    assert [m["containers"] for m in payload.messages] == [
        [{"media_type": "TEXT", "text": PARTS[0]}],
        [{"media_type": "TEXT", "text": PARTS[1], "reply_to_id": "<id of message 1>"}],
        [{"media_type": "TEXT", "text": PARTS[2], "reply_to_id": "<id of message 2>"}],
    ]
    assert {m["endpoint"] for m in payload.messages} == {f"POST /{USER}/threads_publish"}


def test_a_thread_goes_out_part_by_part_with_exact_requests(tmp_path: Path) -> None:
    fake = fake_threads(polls_until_finished=0)
    progress = MemoryProgress()
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    receipt = send(tmp_path, fake, payload, progress)
    assert fake.created() == [
        {"media_type": "TEXT", "text": PARTS[0]},
        {"media_type": "TEXT", "text": PARTS[1], "reply_to_id": "m2"},
        {"media_type": "TEXT", "text": PARTS[2], "reply_to_id": "m4"},
    ]
    assert fake.graph_calls()[:5] == [
        ("GET", f"/{USER}/threads_publishing_limit"),
        ("POST", f"/{USER}/threads"),
        ("GET", "/c1"),
        ("POST", f"/{USER}/threads_publish"),
        ("GET", "/m2"),
    ]
    polls = [c.params for c in fake.calls if c.path == "/c1"]
    assert polls == [{"fields": "status,error_message"}]
    assert [s.id for s in receipt.sent] == ["m2", "m4", "m6"]
    assert receipt.sent[1] == Sent("m4", "https://p/m4", {"container": "c3"})
    assert progress.events == [(e, i) for i in range(3) for e in ("before", "after")]
    for call in fake.calls:
        assert call.authorization == f"Bearer {TOKEN}" and TOKEN not in call.url


def test_a_thread_resumes_after_a_crash_without_repeating_a_part(tmp_path: Path) -> None:
    def crash_on_third_container(call: Call) -> httpx.Response | None:
        made = [c for c in fake.calls if c.method == "POST" and c.path == f"/{USER}/threads"]
        if call in made and len(made) == 3:
            raise httpx.ReadTimeout("the connection dropped")
        return None

    fake = fake_threads(polls_until_finished=0, fail=crash_on_third_container)
    progress = MemoryProgress()
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    with pytest.raises(Transient) as caught:
        send(tmp_path, fake, payload, progress)
    assert caught.value.maybe_sent
    assert [s.id for s in progress.done] == ["m2", "m4"]
    assert progress.events[-1] == ("before", 2)
    fake.fail = lambda call: None
    receipt = send(tmp_path, fake, payload, progress)  # the ledger's progress, a later run
    assert [s.id for s in receipt.sent] == ["m2", "m4", "m6"]
    texts = [form["text"] for form in fake.created()]
    assert texts == [PARTS[0], PARTS[1], PARTS[2], PARTS[2]]  # the dropped try, then the retry
    assert fake.created()[-1]["reply_to_id"] == "m4"


def test_an_image_post_carries_its_public_url_and_alt_text(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    Image.new("RGB", (1200, 900), "navy").save(tmp_path / "media" / "a.jpg", "JPEG")
    Image.new("RGB", (1200, 900), "gold").save(tmp_path / "media" / "b.png", "PNG")
    fake = fake_threads(polls_until_finished=1)
    urls = []
    for file in ("media/a.jpg", "media/b.png"):
        path, data = site_copy(tmp_path, file)
        urls.append(f"{MEDIA}/{path}")
        fake.files[urls[-1]] = data
    payload = adapter(tmp_path).prepare(
        variant("Bilder vom Kreistag", media=("media/a.jpg", "media/b.png")), "k1", created_at=T0
    )
    receipt = send(tmp_path, fake, payload, MemoryProgress())
    assert fake.created() == [
        {
            "media_type": "IMAGE",
            "image_url": urls[0],
            "alt_text": "Bild 0",
            "is_carousel_item": "true",
        },
        {
            "media_type": "IMAGE",
            "image_url": urls[1],
            "alt_text": "Bild 1",
            "is_carousel_item": "true",
        },
        {"media_type": "CAROUSEL", "children": "c1,c2", "text": "Bilder vom Kreistag"},
    ]
    assert len(receipt.sent) == 1
    media_gets = [c for c in fake.calls if c.url.startswith(MEDIA)]
    assert [c.authorization for c in media_gets] == ["", ""]


def test_an_image_not_online_yet_waits(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    Image.new("RGB", (800, 800), "navy").save(tmp_path / "media" / "a.jpg", "JPEG")
    fake = fake_threads()
    payload = adapter(tmp_path).prepare(variant("Bild", media=("media/a.jpg",)), "k", created_at=T0)
    progress = MemoryProgress()
    with pytest.raises(NotReady, match="not online yet"):
        send(tmp_path, fake, payload, progress)
    assert fake.created() == [] and progress.events == []


def test_a_used_up_quota_stops_before_any_container(tmp_path: Path) -> None:
    fake = fake_threads(quota=(250, 250))
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    with pytest.raises(RateLimited, match="250 of 250"):
        send(tmp_path, fake, payload, MemoryProgress())
    assert fake.created() == []


def test_a_thread_starts_only_when_all_its_replies_fit_the_reply_quota(tmp_path: Path) -> None:
    fake = fake_threads(reply_quota=(999, 1000))  # room for one reply, the thread needs two
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    with pytest.raises(RateLimited, match="999 of 1000 replies"):
        send(tmp_path, fake, payload, MemoryProgress())
    assert fake.created() == []


def test_a_resumed_thread_asks_only_the_reply_quota(tmp_path: Path) -> None:
    fake = fake_threads(quota=(250, 250), reply_quota=(998, 1000))  # posts full, 2 replies free
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    progress = MemoryProgress(done=[Sent("m0", "https://www.threads.net/@kreis/post/m0")])
    receipt = send(tmp_path, fake, payload, progress)
    assert len(receipt.sent) == 3
    asked = [c.params.get("fields") for c in fake.calls if c.path.endswith("publishing_limit")]
    assert asked == ["reply_quota_usage,reply_config"]


def test_a_single_post_asks_only_the_posts_quota(tmp_path: Path) -> None:
    fake = fake_threads(reply_quota=(1000, 1000))
    payload = adapter(tmp_path).prepare(variant(PARTS[0]), "k1", created_at=T0)
    assert len(send(tmp_path, fake, payload, MemoryProgress()).sent) == 1
    asked = [c.params.get("fields") for c in fake.calls if c.path.endswith("publishing_limit")]
    assert asked == ["quota_usage,config"]


def test_a_failed_container_names_metas_error_message(tmp_path: Path) -> None:
    fake = fake_threads(end_state="ERROR", detail="FAILED_DOWNLOADING_VIDEO")
    payload = adapter(tmp_path).prepare(variant(PARTS[0]), "k1", created_at=T0)
    with pytest.raises(Rejected, match="FAILED_DOWNLOADING_VIDEO"):
        send(tmp_path, fake, payload, MemoryProgress())


def test_delete_removes_the_replies_first(tmp_path: Path) -> None:
    fake = fake_threads(fail=lambda c: httpx.Response(404) if c.path == "/m3" else None)
    receipt = Receipt(tuple(Sent(f"m{n}", f"https://p/m{n}") for n in (1, 2, 3)))
    adapter(tmp_path).delete(make_http(fake.transport(), {"access_token": TOKEN}), receipt)
    assert fake.graph_calls() == [("DELETE", "/m3"), ("DELETE", "/m2"), ("DELETE", "/m1")]


def test_delete_again_after_a_partial_delete_skips_what_is_gone(tmp_path: Path) -> None:
    gone = {
        "error": {
            "message": "Unsupported delete request. Object with ID 'm2' does not exist",
            "type": "GraphMethodException",
            "code": 100,
            "error_subcode": 33,
        }
    }
    fake = fake_threads(fail=lambda c: httpx.Response(400, json=gone) if c.path == "/m2" else None)
    receipt = Receipt(tuple(Sent(f"m{n}", f"https://p/m{n}") for n in (1, 2)))
    adapter(tmp_path).delete(make_http(fake.transport(), {"access_token": TOKEN}), receipt)
    assert fake.graph_calls() == [("DELETE", "/m2"), ("DELETE", "/m1")]


def test_delete_reports_a_refusal(tmp_path: Path) -> None:
    error = {"error": {"message": "Permission denied: threads_delete", "code": 10}}
    fake = fake_threads(fail=lambda c: httpx.Response(400, json=error))
    receipt = Receipt((Sent("m1", "https://p/m1"),))
    with pytest.raises(Rejected, match="threads_delete"):
        adapter(tmp_path).delete(make_http(fake.transport(), {"access_token": TOKEN}), receipt)


def lookup(root: Path, fake: FakeMeta, payload: Payload, progress: MemoryProgress) -> Lookup:
    return adapter(root).lookup(
        payload, make_http(fake.transport(), {"access_token": TOKEN}), progress
    )


def test_reconcile_finds_every_part_of_a_thread(tmp_path: Path) -> None:
    fake = fake_threads(polls_until_finished=0)
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    send(tmp_path, fake, payload, MemoryProgress())  # published, but the answers were lost
    progress = MemoryProgress()
    assert lookup(tmp_path, fake, payload, progress) is Lookup.FOUND
    assert [s.id for s in progress.done] == ["m2", "m4", "m6"]
    listings = [
        (c.path, c.params["fields"])
        for c in fake.calls
        if c.method == "GET" and c.path.endswith(("/threads", "/replies"))
    ]
    assert listings == [
        (f"/{USER}/threads", "id,text,permalink,timestamp"),
        (f"/{USER}/replies", "id,text,permalink,replied_to,timestamp"),
        (f"/{USER}/replies", "id,text,permalink,replied_to,timestamp"),
    ]


def test_reconcile_reads_the_container_status_and_stops_at_an_unpublished_part(
    tmp_path: Path,
) -> None:
    fake = fake_threads(polls_until_finished=0)
    payload = adapter(tmp_path).prepare(variant(*PARTS), "k1", created_at=T0)
    progress = MemoryProgress()
    send(
        tmp_path, fake, adapter(tmp_path).prepare(variant(PARTS[0]), "k0", created_at=T0), progress
    )
    log = tmp_path / "state" / "containers" / "th-k1.json"
    log.parent.mkdir(parents=True, exist_ok=True)
    unpublished = make_http(fake.transport(), {"access_token": TOKEN}).request(
        "POST", f"{API}/{USER}/threads", idempotent=False, data={"media_type": "TEXT"}
    )
    log.write_text(f'{{"0": "{unpublished.json()["id"]}"}}', encoding="utf-8")
    found = MemoryProgress()
    assert lookup(tmp_path, fake, payload, found) is Lookup.ABSENT
    assert found.done == []
    asked = [c.params for c in fake.calls if c.path == f"/{unpublished.json()['id']}"]
    assert asked == [{"fields": "status"}]


def test_the_500_limit_counts_emoji_by_their_utf8_bytes() -> None:
    """Meta's posts guide: "Emojis are counted as the number of UTF-8 bytes"."""
    text = "Sperrung 🚧 der B 27 👍🏽"
    emoji = len("🚧".encode()) + len("👍🏽".encode())
    assert counting.count("threads", text).length == len(text) - 3 + emoji
    assert counting.count("threads", "ä" * 500).ok
    assert not counting.count("threads", "ä" * 497 + "🚧").ok


def test_check_refuses_more_than_five_links_in_a_part(tmp_path: Path) -> None:
    five = " ".join(f"https://www.kreis.de/{n}" for n in range(5))
    six = five + " https://www.kreis.de/6 https://www.kreis.de/1"
    assert adapter(tmp_path).check(variant(five, five)) == []
    found = adapter(tmp_path).check(variant(five, six))
    assert [(p.code, p.severity.value) for p in found] == [("SP309", "error")]
    assert found[0].message.startswith("part 2: 6 links")
