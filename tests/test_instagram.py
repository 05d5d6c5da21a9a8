"""The Instagram adapter: payloads, the exact requests of a photo, a carousel and a Reel,
the quota stop, media not online yet or different, failed containers, reconcile, check()."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PIL import Image

from socialpub.channels.adapter import Lookup, adapter_class
from socialpub.channels.instagram import ADAPTER, InstagramAdapter
from socialpub.channels.meta_media import site_copy
from socialpub.checks.media import channel_media_problems
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import NotReady, RateLimited, Rejected, Transient
from socialpub.models import Media, Part, Payload, Post, Receipt, Sent, Variant
from tests.adapterkit import T0, FakeClock, MemoryProgress, make_http
from tests.conftest import Repo
from tests.metamock import API, MEDIA, TOKEN, FakeMeta

USER = "17840000"
CAPTION = "Der Kreistag tagt am Mittwoch. #Kreistag"


def adapter(root: Path, **settings: str) -> InstagramAdapter:
    values = {"user_id": USER, "api_base": API, "media_base_url": MEDIA, **settings}
    channel = ChannelConfig("ig", "instagram", {**values, "access_token": SecretRef("IG_TOKEN")})
    return InstagramAdapter(channel, root, root / "state")


def photo(root: Path, name: str, size: tuple[int, int] = (1080, 1080), fmt: str = "JPEG") -> str:
    path = root / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "orange").save(path, fmt)
    return f"media/{name}"


def variant(*files: str, text: str = CAPTION) -> Variant:
    return Variant(
        post_id="kreistag",
        channel="ig",
        channel_type="instagram",
        parts=(Part(text=text, length=len(text)),),
        limit=2200,
        unit="characters",
        media=tuple(Media(file, alt=f"Bild {n}", line=4 + n) for n, file in enumerate(files)),
    )


def online(fake: FakeMeta, root: Path, *files: str) -> list[str]:
    """Put the site's copies on the fake web server; their URLs."""
    urls = []
    for file in files:
        path, data = site_copy(root, file)
        urls.append(f"{MEDIA}/{path}")
        fake.files[urls[-1]] = data
    return urls


def send(root: Path, fake: FakeMeta, payload: Payload, progress: MemoryProgress) -> Receipt:
    http = make_http(fake.transport(), {"access_token": TOKEN}, channel="ig", clock=FakeClock())
    return adapter(root).send(payload, http, progress)


def test_the_module_is_registered() -> None:
    assert adapter_class("instagram") is ADAPTER


def test_a_photo_is_one_container_with_caption_and_alt_text(tmp_path: Path) -> None:
    payload = adapter(tmp_path).prepare(variant("media/a.jpg"), "k1", created_at=T0)
    assert payload.messages == (
        {
            "endpoint": f"POST /{USER}/media_publish",
            "containers": [
                {
                    "image_url": "<public URL of media 1>",
                    "alt_text": "Bild 0",
                    "caption": CAPTION,
                }
            ],
            "body": {"creation_id": "<id of the last container>"},
            "since": T0.isoformat(),
        },
    )


def test_several_photos_and_a_video_become_a_carousel(tmp_path: Path) -> None:
    payload = adapter(tmp_path).prepare(
        variant("media/a.jpg", "media/b.jpg", "media/c.mp4"), "k1", created_at=T0
    )
    assert payload.messages[0]["containers"] == [
        {"image_url": "<public URL of media 1>", "alt_text": "Bild 0", "is_carousel_item": "true"},
        {"image_url": "<public URL of media 2>", "alt_text": "Bild 1", "is_carousel_item": "true"},
        {"media_type": "VIDEO", "video_url": "<public URL of media 3>", "is_carousel_item": "true"},
        {"media_type": "CAROUSEL", "children": "<ids of containers 1–3>", "caption": CAPTION},
    ]


def test_a_single_video_is_a_reel_without_alt_text(tmp_path: Path) -> None:
    payload = adapter(tmp_path).prepare(variant("media/c.mp4"), "k1", created_at=T0)
    assert payload.messages[0]["containers"] == [
        {"media_type": "REELS", "video_url": "<public URL of media 1>", "caption": CAPTION}
    ]


def test_publishing_a_photo_sends_exactly_these_requests(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER, polls_until_finished=2)
    (url,) = online(fake, tmp_path, file)
    progress = MemoryProgress()
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    receipt = send(tmp_path, fake, payload, progress)
    assert [(c.method, c.url.removeprefix(API)) for c in fake.calls] == [
        ("GET", f"/{USER}/content_publishing_limit"),
        ("GET", url),
        ("POST", f"/{USER}/media"),
        ("GET", "/c1"),
        ("GET", "/c1"),
        ("GET", "/c1"),
        ("POST", f"/{USER}/media_publish"),
        ("GET", "/m2"),
    ]
    assert fake.created() == [{"image_url": url, "alt_text": "Bild 0", "caption": CAPTION}]
    assert fake.calls[6].form == {"creation_id": "c1"}
    assert fake.calls[0].params == {"fields": "quota_usage,config"}
    for call in fake.calls:
        assert TOKEN not in call.url and TOKEN not in str(call.params)
        expected = "" if call.url.startswith(MEDIA) else f"Bearer {TOKEN}"
        assert call.authorization == expected
    assert receipt.sent == (Sent("m2", "https://p/m2", {"container": "c1"}),)
    assert progress.events == [("before", 0), ("after", 0)]
    assert not (tmp_path / "state" / "containers").exists() or not any(
        (tmp_path / "state" / "containers").iterdir()
    )


def test_a_carousel_publishes_its_children_in_one_post(tmp_path: Path) -> None:
    files = [photo(tmp_path, f"{n}.jpg", (1080, 1350)) for n in "ab"]
    fake = FakeMeta(user=USER, polls_until_finished=0)
    urls = online(fake, tmp_path, *files)
    payload = adapter(tmp_path).prepare(variant(*files), "k1", created_at=T0)
    receipt = send(tmp_path, fake, payload, MemoryProgress())
    assert fake.created() == [
        {"image_url": urls[0], "alt_text": "Bild 0", "is_carousel_item": "true"},
        {"image_url": urls[1], "alt_text": "Bild 1", "is_carousel_item": "true"},
        {"media_type": "CAROUSEL", "children": "c1,c2", "caption": CAPTION},
    ]
    publish = [c for c in fake.calls if c.path == f"/{USER}/media_publish"]
    assert [c.form for c in publish] == [{"creation_id": "c3"}]
    assert receipt.sent[0].id == "m4"


def test_a_used_up_quota_stops_before_anything_is_made(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER, quota=(100, 100))
    online(fake, tmp_path, file)
    progress = MemoryProgress()
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    with pytest.raises(RateLimited, match="quota is used up"):
        send(tmp_path, fake, payload, progress)
    assert fake.graph_calls() == [("GET", f"/{USER}/content_publishing_limit")]
    assert progress.events == []


def test_a_photo_not_online_yet_waits_without_making_a_container(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER)  # the site is not deployed: every media URL is a 404
    progress = MemoryProgress()
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    with pytest.raises(NotReady, match="not online yet"):  # the next run tries again
        send(tmp_path, fake, payload, progress)
    assert fake.created() == [] and progress.events == []


def test_other_bytes_online_are_refused(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER)
    (url,) = online(fake, tmp_path, file)
    fake.files[url] = b"\xff\xd8 an older copy"
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    with pytest.raises(Rejected, match="other bytes"):
        send(tmp_path, fake, payload, MemoryProgress())
    assert fake.created() == []


def test_a_post_without_media_is_refused_after_the_quota_question(tmp_path: Path) -> None:
    payload = adapter(tmp_path).prepare(variant(), "k1", created_at=T0)
    fake = FakeMeta(user=USER)
    with pytest.raises(Rejected, match="only posts with a photo or video"):
        send(tmp_path, fake, payload, MemoryProgress())
    assert fake.created() == []


def test_a_container_in_error_is_refused_with_metas_status(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER, end_state="ERROR", detail="2207052: media fetch failed")
    online(fake, tmp_path, file)
    progress = MemoryProgress()
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    with pytest.raises(Rejected, match=r"ERROR \(2207052: media fetch failed\)"):
        send(tmp_path, fake, payload, progress)
    assert progress.events == [("before", 0)]
    assert not [c for c in fake.calls if c.path.endswith("media_publish")]


def test_a_timeout_while_publishing_leaves_the_delivery_unconfirmed(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")

    def drop_publish(call: object) -> httpx.Response | None:
        if getattr(call, "path", "").endswith("media_publish"):
            raise httpx.ReadTimeout("no answer")
        return None

    fake = FakeMeta(user=USER, fail=drop_publish)
    online(fake, tmp_path, file)
    progress = MemoryProgress()
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    with pytest.raises(Transient) as caught:
        send(tmp_path, fake, payload, progress)
    assert caught.value.maybe_sent
    assert len([c for c in fake.calls if c.path.endswith("media_publish")]) == 1  # no retry


def published(tmp_path: Path, fake: FakeMeta, file: str) -> Payload:
    """Publish through the fake, then forget the receipt (as if the answer was lost)."""
    online(fake, tmp_path, file)
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    send(tmp_path, fake, payload, MemoryProgress())
    adapter(tmp_path)  # nothing is kept in the adapter itself
    return payload


def lookup(root: Path, fake: FakeMeta, payload: Payload, progress: MemoryProgress) -> Lookup:
    http = make_http(fake.transport(), {"access_token": TOKEN}, channel="ig")
    return adapter(root).lookup(payload, http, progress)


def test_reconcile_finds_a_published_container_in_the_recent_media(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER)
    payload = published(tmp_path, fake, file)
    log = tmp_path / "state" / "containers" / "ig-k1.json"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text('{"0": "c1"}', encoding="utf-8")  # written before publishing
    progress = MemoryProgress()
    assert lookup(tmp_path, fake, payload, progress) is Lookup.FOUND
    assert progress.done == [Sent("m2", "https://p/m2", {"container": "c1"})]
    asked = [c.params for c in fake.calls if c.path == "/c1"][-1]
    assert asked == {"fields": "status_code"}


def test_reconcile_calls_an_unpublished_container_absent(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER)
    online(fake, tmp_path, file)
    payload = adapter(tmp_path).prepare(variant(file), "k1", created_at=T0)
    http = make_http(fake.transport(), {"access_token": TOKEN}, channel="ig")
    created = http.request("POST", f"{API}/{USER}/media", idempotent=False, data={"x": "1"})
    log = tmp_path / "state" / "containers" / "ig-k1.json"
    log.parent.mkdir(parents=True)
    log.write_text(f'{{"0": "{created.json()["id"]}"}}', encoding="utf-8")
    progress = MemoryProgress()
    assert lookup(tmp_path, fake, payload, progress) is Lookup.ABSENT
    assert progress.done == [] and not log.exists()


def test_reconcile_without_a_container_matches_the_caption(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    fake = FakeMeta(user=USER)
    payload = published(tmp_path, fake, file)
    assert lookup(tmp_path, fake, payload, MemoryProgress()) is Lookup.FOUND
    other = adapter(tmp_path).prepare(variant(file, text="Etwas anderes"), "k2", created_at=T0)
    assert lookup(tmp_path, fake, other, MemoryProgress()) is Lookup.ABSENT


def test_deleting_says_what_to_do_by_hand(tmp_path: Path) -> None:
    http = make_http(FakeMeta().transport(), {"access_token": TOKEN})
    receipt = Receipt((Sent("m1", "https://www.instagram.com/p/abc/"),))
    with pytest.raises(Rejected, match="does not delete") as caught:
        adapter(tmp_path).delete(http, receipt)
    assert "https://www.instagram.com/p/abc/" in str(caught.value)


# --- check() and validate ---------------------------------------------------------------------


def codes(root: Path, found: Variant) -> list[tuple[str, str]]:
    return [(p.code, p.severity.value) for p in adapter(root).check(found)]


def test_check_accepts_a_good_photo_post(tmp_path: Path) -> None:
    assert codes(tmp_path, variant(photo(tmp_path, "a.jpg", (1080, 1350)))) == []


def test_check_finds_what_instagram_would_refuse(tmp_path: Path) -> None:
    # no media, PNG: the spec's data rules (SP208, SP203), see the validate test below
    assert codes(tmp_path, variant()) == []
    assert codes(tmp_path, variant(photo(tmp_path, "p.png", fmt="PNG"))) == []
    tall = photo(tmp_path, "tall.jpg", (1080, 1351))
    wide = photo(tmp_path, "wide.jpg", (1920, 1000))
    assert codes(tmp_path, variant(tall, wide)) == [("SP209", "error"), ("SP209", "error")]
    assert [p.line for p in adapter(tmp_path).check(variant(tall, wide))] == [4, 5]
    assert codes(tmp_path, variant(photo(tmp_path, "edge.jpg", (1910, 1000)))) == []


def test_check_counts_caption_hashtags_and_mentions(tmp_path: Path) -> None:
    file = photo(tmp_path, "a.jpg")
    six = " ".join(f"#Tag{n}" for n in range(6))
    thirty_one = " ".join(f"#Tag{n}" for n in range(31))
    mentions = " ".join(f"@amt{n}" for n in range(21))
    assert codes(tmp_path, variant(file, text=six)) == [("SP308", "warning")]
    assert codes(tmp_path, variant(file, text=thirty_one)) == []  # SP304: render's data rule
    assert codes(tmp_path, variant(file, text=mentions)) == [("SP307", "error")]
    assert codes(tmp_path, variant(file, text="x" * 2201)) == []  # SP301: the counter's limit


def test_check_refuses_a_photo_over_8_mb(tmp_path: Path) -> None:
    file = photo(tmp_path, "big.jpg")
    with (tmp_path / file).open("ab") as handle:
        handle.write(b"\0" * (8 * 1024 * 1024))
    assert codes(tmp_path, variant(file)) == [("SP210", "error")]


def test_validate_says_a_post_without_media_cannot_go_to_instagram(tmp_path: Path) -> None:
    post = Post(id="kreistag", title="Kreistag", body="Text", source=tmp_path / "k.md")
    channel = ChannelConfig("ig", "instagram", {"user_id": USER})
    found = channel_media_problems(post, channel)
    assert [(p.code, p.field) for p in found] == [("SP208", "media")]
    assert "add a photo" in found[0].hint


def test_without_media_base_url_the_website_channels_copies_are_used(tmp_path: Path) -> None:
    (tmp_path / "socialpub.yaml").write_text(
        "channels:\n  web:\n    type: website\n    base_url: https://www.kreis.example/\n",
        encoding="utf-8",
    )
    file = photo(tmp_path, "a.jpg")
    path, data = site_copy(tmp_path, file)
    fake = FakeMeta(user=USER, files={f"{MEDIA}/{path}": data})
    channel = ChannelConfig(
        "ig", "instagram", {"user_id": USER, "api_base": API, "access_token": SecretRef("T")}
    )
    http = make_http(fake.transport(), {"access_token": TOKEN}, channel="ig", clock=FakeClock())
    found = InstagramAdapter(channel, tmp_path, tmp_path / "state")
    payload = found.prepare(variant(file), "k1", created_at=T0)
    assert found.send(payload, http, MemoryProgress()).sent[0].id == "m2"
    assert fake.created()[0]["image_url"] == f"https://www.kreis.example/media/{path}"


def test_a_post_without_media_skips_instagram_unless_it_names_it(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from socialpub.content.config import Config
    from socialpub.content.posts import post_channels
    from socialpub.models import Override

    channels = {
        "web": ChannelConfig("web", "website", {}),
        "ig": ChannelConfig("ig", "instagram", {"user_id": USER}),
    }
    config = Config(
        tmp_path / "socialpub.yaml",
        tmp_path,
        ZoneInfo("Europe/Berlin"),
        "de",
        tmp_path / "posts",
        tmp_path / "templates",
        channels,
    )
    text = Post(id="a", title="A", body="Text", source=tmp_path / "a.md")
    assert list(post_channels(text, config)) == ["web"]
    named = Post(id="a", title="A", body="Text", source=tmp_path / "a.md", channels=("web", "ig"))
    assert list(post_channels(named, config)) == ["web", "ig"]  # validate refuses it: SP208
    photo_only_there = Post(
        id="a",
        title="A",
        body="Text",
        source=tmp_path / "a.md",
        overrides={"ig": Override(media=(Media("media/a.jpg", alt="Alt"),))},
    )
    assert list(post_channels(photo_only_there, config)) == ["web", "ig"]


def test_a_photo_instagram_would_refuse_makes_the_post_invalid_like_every_channel_rule(
    repo: Repo,
) -> None:
    from datetime import UTC, datetime

    from socialpub.content.config import load_config
    from socialpub.publishing.ledger import Ledger
    from socialpub.publishing.workset import build

    repo.write_config(
        """\
        channels:
          insta: {type: instagram, user_id: "1", access_token: "${IG}"}
          telegram: {type: telegram, chat: "@kreis", token: "${TG}"}
        """
    )
    photo(repo.root, "hoch.jpg", (1000, 2000))
    repo.post(
        "a.md",
        "---\nid: hoch\ntitle: Hoch\nstatus: approved\napproved_by: P\n"
        "media:\n  - {file: media/hoch.jpg, alt: Ein hohes Bild}\n---\nEin Bild.\n",
    )
    config = load_config(repo.config)
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    work = build(config, Ledger(repo.root), now)
    found = {d.channel: (d.action.value, d.reason) for d in work.deliveries}
    # as with a text too long for one channel: the post is fixed (overrides.insta.media)
    # before it goes anywhere, so that every channel gets the same news
    assert {action for action, _ in found.values()} == {"blocked"}
    assert all(reason.startswith("invalid: SP209") for _, reason in found.values())
    assert [p.code for p in work.refused["hoch"]] == ["SP209"]


def test_a_reel_is_published_from_the_videos_public_url(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "Clip 1.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 reel")
    fake = FakeMeta(user=USER, polls_until_finished=3)
    (url,) = online(fake, tmp_path, "media/Clip 1.mp4")
    assert url.endswith("/clip-1.mp4")
    payload = adapter(tmp_path).prepare(variant("media/Clip 1.mp4"), "k1", created_at=T0)
    receipt = send(tmp_path, fake, payload, MemoryProgress())
    assert fake.created() == [{"media_type": "REELS", "video_url": url, "caption": CAPTION}]
    assert [c.path for c in fake.calls].count("/c1") == 4  # three IN_PROGRESS, then FINISHED
    assert receipt.sent[0].id == "m2"
