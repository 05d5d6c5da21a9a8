"""The fake Meta Graph server's contract, shown with plain httpx requests that follow Meta's
documented flows. Adapter authors: what passes here is what the fake accepts; every
refusal and fault kind your adapter must handle is below."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image as PILImage

from tests.clirepo import has_exif
from tests.metagraph import MediaServer, MetaGraph, media_server, metagraph
from tests.metagraph_faults import Fault
from tests.metagraph_store import ContainerPlan
from tests.metagraph_wire import threads_length
from tests.ratelimit import AccountLimit

__all__ = ["media_server", "metagraph"]  # the fixtures, imported for pytest

PAGE, IG, THREADS = "1001", "1784140", "2001"
FB_TOKEN, IG_TOKEN, TH_TOKEN = "page-token-1", "ig-token-1", "threads-token-1"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def jpeg(exif: bool = False, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    image = PILImage.new("RGB", size, "teal")
    extra: dict[str, Any] = {}
    if exif:
        data = PILImage.Exif()
        data[0x010F] = "CameraMaker"  # Make
        extra["exif"] = data.tobytes()
    image.save(buffer, "JPEG", **extra)
    return buffer.getvalue()


@pytest.fixture
def graph(metagraph: MetaGraph) -> MetaGraph:
    metagraph.set_time(NOW)
    metagraph.add_page(PAGE, FB_TOKEN)
    metagraph.add_instagram(IG, IG_TOKEN)
    metagraph.add_threads(THREADS, TH_TOKEN)
    return metagraph


@pytest.fixture
def fb(graph: MetaGraph) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {FB_TOKEN}"}
    with httpx.Client(base_url=graph.facebook_base, headers=headers, timeout=5) as client:
        yield client


@pytest.fixture
def ig(graph: MetaGraph) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {IG_TOKEN}"}
    with httpx.Client(base_url=graph.facebook_base, headers=headers, timeout=5) as client:
        yield client


@pytest.fixture
def th(graph: MetaGraph) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TH_TOKEN}"}
    with httpx.Client(base_url=graph.threads_base, headers=headers, timeout=5) as client:
        yield client


def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert isinstance(data, dict)
    return data


def error(answer: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body = answer.json()["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(body)
    return dict(body)


# --- Facebook Page ------------------------------------------------------------------------


def test_a_text_post_reaches_the_feed_with_usage_headers(
    graph: MetaGraph, fb: httpx.Client
) -> None:
    answer = fb.post(
        f"/{PAGE}/feed", data={"message": "Kreistag tagt", "link": "https://kreis.example"}
    )
    post_id = ok(answer)["id"]
    assert post_id.startswith(f"{PAGE}_")
    assert json.loads(answer.headers["X-App-Usage"])["call_count"] < 100
    buc = json.loads(answer.headers["X-Business-Use-Case-Usage"])
    assert buc[PAGE][0]["type"] == "pages"
    assert buc[PAGE][0]["estimated_time_to_regain_access"] == 0
    listed = ok(fb.get(f"/{PAGE}/feed", params={"fields": "id,message,created_time"}))["data"]
    assert listed == [
        {"id": post_id, "message": "Kreistag tagt", "created_time": "2026-12-03T12:00:00+0000"}
    ]
    [post] = graph.feed(PAGE)
    assert (post.message, post.link, post.deleted) == (
        "Kreistag tagt",
        "https://kreis.example",
        False,
    )


def test_a_photo_is_fetched_from_its_url_with_alt_text(
    graph: MetaGraph, fb: httpx.Client, media_server: MediaServer
) -> None:
    data = jpeg()
    url = media_server.put("media/a.jpg", data)
    answer = ok(
        fb.post(
            f"/{PAGE}/photos",
            data={"url": url, "message": "Brücke", "alt_text_custom": "Eine Brücke"},
        )
    )
    assert set(answer) == {"id", "post_id"}
    [post] = graph.feed(PAGE)
    assert post.id == answer["post_id"] and post.message == "Brücke"
    assert post.photos[0].data == data and post.photos[0].alt_text == "Eine Brücke"
    assert not has_exif(graph.fetched[0].data or b"")
    assert media_server.hits == ["/media/a.jpg"]


def test_an_uploaded_photo_keeps_its_bytes_exif_and_all(graph: MetaGraph, fb: httpx.Client) -> None:
    data = jpeg(exif=True)
    ok(
        fb.post(
            f"/{PAGE}/photos",
            data={"message": "x"},
            files={"source": ("a.jpg", data, "image/jpeg")},
        )
    )
    assert has_exif(
        graph.feed(PAGE)[0].photos[0].data
    )  # the fake keeps what it got: tests can tell


def test_an_album_attaches_unpublished_photos(graph: MetaGraph, fb: httpx.Client) -> None:
    ids = []
    for index in range(3):
        files = {"source": (f"{index}.jpg", jpeg(), "image/jpeg")}
        answer = ok(
            fb.post(
                f"/{PAGE}/photos",
                data={"published": "false", "alt_text_custom": f"Bild {index}"},
                files=files,
            )
        )
        assert set(answer) == {"id"}
        ids.append(answer["id"])
    assert graph.feed(PAGE) == []
    form = {"message": "Album", "attached_media[0]": json.dumps({"media_fbid": ids[0]})}
    form["attached_media[1]"] = json.dumps({"media_fbid": ids[1]})
    ok(fb.post(f"/{PAGE}/feed", data=form))
    ok(
        fb.post(
            f"/{PAGE}/feed", json={"message": "Rest", "attached_media": [{"media_fbid": ids[2]}]}
        )
    )
    first, second = graph.feed(PAGE)
    assert [p.alt_text for p in first.photos] == ["Bild 0", "Bild 1"]
    assert [p.alt_text for p in second.photos] == ["Bild 2"]
    again = fb.post(
        f"/{PAGE}/feed", json={"message": "x", "attached_media": [{"media_fbid": ids[0]}]}
    )
    assert "invalid media_fbid" in error(again)["message"]


def test_a_video_by_upload_or_by_url(
    graph: MetaGraph, fb: httpx.Client, media_server: MediaServer
) -> None:
    files = {"source": ("v.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")}
    ok(fb.post(f"/{PAGE}/videos", data={"description": "Film", "title": "Titel"}, files=files))
    url = media_server.put("v.mp4", b"movie", "video/mp4")
    ok(fb.post(f"/{PAGE}/videos", data={"description": "Film 2", "file_url": url}))
    first, second = graph.feed(PAGE)
    assert (first.message, first.video, second.video) == ("Film", files["source"][1], b"movie")


def test_a_scheduled_post_waits_in_scheduled_posts_until_its_time(
    graph: MetaGraph, fb: httpx.Client
) -> None:
    when = int((NOW + timedelta(hours=2)).timestamp())
    post_id = ok(
        fb.post(
            f"/{PAGE}/feed",
            data={"message": "Später", "published": "false", "scheduled_publish_time": str(when)},
        )
    )["id"]
    scheduled = ok(
        fb.get(f"/{PAGE}/scheduled_posts", params={"fields": "id,message,scheduled_publish_time"})
    )
    assert scheduled["data"] == [
        {"id": post_id, "message": "Später", "scheduled_publish_time": when}
    ]
    assert ok(fb.get(f"/{PAGE}/feed"))["data"] == []
    graph.advance(timedelta(hours=2))
    assert [p["id"] for p in ok(fb.get(f"/{PAGE}/posts"))["data"]] == [post_id]
    assert graph.feed(PAGE)[0].scheduled_for == NOW + timedelta(hours=2)


@pytest.mark.parametrize(
    "ahead", [timedelta(minutes=9), timedelta(days=30, minutes=1), timedelta(hours=-1)]
)
def test_a_schedule_outside_10_minutes_to_30_days_is_refused(
    fb: httpx.Client, ahead: timedelta
) -> None:
    when = (NOW + ahead).isoformat()
    answer = fb.post(
        f"/{PAGE}/feed", data={"message": "x", "published": "false", "scheduled_publish_time": when}
    )
    assert error(answer)["code"] == 100


def test_a_schedule_on_a_published_post_is_refused(fb: httpx.Client) -> None:
    when = str(int((NOW + timedelta(hours=1)).timestamp()))
    assert (
        error(fb.post(f"/{PAGE}/feed", data={"message": "x", "scheduled_publish_time": when}))[
            "code"
        ]
        == 100
    )


def test_edit_read_and_delete_a_post(graph: MetaGraph, fb: httpx.Client) -> None:
    post_id = ok(fb.post(f"/{PAGE}/feed", data={"message": "alt"}))["id"]
    assert ok(fb.post(f"/{post_id}", data={"message": "neu"})) == {"success": True}
    read = ok(fb.get(f"/{post_id}", params={"fields": "id,message,is_published,permalink_url"}))
    assert read["message"] == "neu" and read["is_published"] is True
    assert graph.feed(PAGE)[0].edits == ["alt"]
    assert ok(fb.delete(f"/{post_id}")) == {"success": True}
    assert graph.feed(PAGE)[0].deleted
    gone = error(fb.get(f"/{post_id}"))
    assert (gone["code"], gone["error_subcode"], gone["type"]) == (100, 33, "GraphMethodException")


def test_a_deleted_post_cannot_be_edited_or_deleted_again(fb: httpx.Client) -> None:
    post_id = ok(fb.post(f"/{PAGE}/feed", data={"message": "x"}))["id"]
    ok(fb.delete(f"/{post_id}"))
    assert error(fb.post(f"/{post_id}", data={"message": "y"}))["error_subcode"] == 33
    assert error(fb.delete(f"/{post_id}"))["error_subcode"] == 33


def test_a_photo_node_names_its_feed_post(fb: httpx.Client) -> None:
    files = {"source": ("a.jpg", jpeg(), "image/jpeg")}
    created = ok(
        fb.post(
            f"/{PAGE}/photos", data={"caption": "Foto", "alt_text_custom": "Ein Foto"}, files=files
        )
    )
    read = ok(
        fb.get(f"/{created['id']}", params={"fields": "id,name,alt_text_custom,page_story_id"})
    )
    assert read == {
        "id": created["id"],
        "name": "Foto",
        "alt_text_custom": "Ein Foto",
        "page_story_id": created["post_id"],
    }


def test_feed_lookups_take_since_and_limit(graph: MetaGraph, fb: httpx.Client) -> None:
    ok(fb.post(f"/{PAGE}/feed", data={"message": "alt"}))
    graph.advance(timedelta(minutes=5))
    newer = ok(fb.post(f"/{PAGE}/feed", data={"message": "neu"}))["id"]
    since = str(int((NOW + timedelta(minutes=1)).timestamp()))
    assert [p["id"] for p in ok(fb.get(f"/{PAGE}/feed", params={"since": since}))["data"]] == [
        newer
    ]
    assert len(ok(fb.get(f"/{PAGE}/feed", params={"limit": "1"}))["data"]) == 1
    assert error(fb.get(f"/{PAGE}/feed", params={"limit": "many"}))["code"] == 100


def test_lists_page_by_the_after_cursor_and_next_carries_the_token(
    graph: MetaGraph, fb: httpx.Client
) -> None:
    ids = [ok(fb.post(f"/{PAGE}/feed", data={"message": f"m{n}"}))["id"] for n in range(3)]
    first = ok(fb.get(f"/{PAGE}/feed", params={"limit": "2"}))
    assert [p["id"] for p in first["data"]] == ids[:0:-1]
    assert FB_TOKEN in first["paging"]["next"]  # as Meta does: never follow `next`
    assert error(httpx.get(first["paging"]["next"]))["code"] == 100
    after = first["paging"]["cursors"]["after"]
    second = ok(fb.get(f"/{PAGE}/feed", params={"limit": "2", "after": after}))
    assert [p["id"] for p in second["data"]] == ids[:1] and "next" not in second["paging"]


def test_videos_are_listed_and_their_description_edited(graph: MetaGraph, fb: httpx.Client) -> None:
    files = {"source": ("v.mp4", b"movie", "video/mp4")}
    video_id = ok(fb.post(f"/{PAGE}/videos", data={"description": "Film"}, files=files))["id"]
    listed = ok(fb.get(f"/{PAGE}/videos", params={"fields": "id,description,created_time"}))["data"]
    assert listed == [
        {"id": video_id, "description": "Film", "created_time": "2026-12-03T12:00:00+0000"}
    ]
    ok(fb.post(f"/{video_id}", data={"description": "Neuer Film"}))
    assert graph.feed(PAGE)[0].message == "Neuer Film"


def test_every_answer_has_a_trace_id(fb: httpx.Client) -> None:
    good, bad = fb.post(f"/{PAGE}/feed", data={"message": "x"}), fb.post(f"/{PAGE}/feed")
    assert (
        good.headers["x-fb-trace-id"] and bad.headers["x-fb-trace-id"] == error(bad)["fbtrace_id"]
    )


def test_deleting_a_scheduled_post_cancels_it(graph: MetaGraph, fb: httpx.Client) -> None:
    when = str(int((NOW + timedelta(days=1)).timestamp()))
    post_id = ok(
        fb.post(
            f"/{PAGE}/feed",
            data={"message": "x", "published": "false", "scheduled_publish_time": when},
        )
    )["id"]
    ok(fb.delete(f"/{post_id}"))
    graph.advance(timedelta(days=2))
    assert (
        ok(fb.get(f"/{PAGE}/feed"))["data"] == []
        and ok(fb.get(f"/{PAGE}/scheduled_posts"))["data"] == []
    )


def test_a_photo_url_that_is_not_online_is_refused(
    graph: MetaGraph, fb: httpx.Client, media_server: MediaServer
) -> None:
    answer = fb.post(f"/{PAGE}/photos", data={"url": f"{media_server.url}/missing.jpg"})
    assert error(answer)["code"] == 324
    assert graph.fetched[0].data is None and graph.feed(PAGE) == []


# --- Instagram ----------------------------------------------------------------------------


def poll(client: httpx.Client, container_id: str, field: str = "status_code") -> str:
    return str(ok(client.get(f"/{container_id}", params={"fields": field}))[field])


def test_an_instagram_image_goes_through_a_container(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.plan_next(ContainerPlan(polls=2))
    url = media_server.put("ig.jpg", jpeg())
    container = ok(
        ig.post(
            f"/{IG}/media",
            data={"image_url": url, "caption": "Hallo #kreis", "alt_text": "Rathaus"},
        )
    )["id"]
    early = ig.post(f"/{IG}/media_publish", data={"creation_id": container})
    assert (error(early)["code"], error(early)["error_subcode"]) == (9007, 2207027)
    assert [poll(ig, container), poll(ig, container), poll(ig, container)] == [
        "IN_PROGRESS",
        "IN_PROGRESS",
        "FINISHED",
    ]
    media_id = ok(ig.post(f"/{IG}/media_publish", data={"creation_id": container}))["id"]
    assert poll(ig, container) == "PUBLISHED"
    twice = ig.post(f"/{IG}/media_publish", data={"creation_id": container})
    assert error(twice)["code"] == 100 and len(graph.instagram(IG)) == 1
    [item] = graph.instagram(IG)
    assert (item.id, item.text, item.images[0].alt_text) == (media_id, "Hallo #kreis", "Rathaus")
    listed = ok(ig.get(f"/{IG}/media", params={"fields": "id,caption,timestamp"}))["data"]
    assert listed == [
        {"id": media_id, "caption": "Hallo #kreis", "timestamp": "2026-12-03T12:00:00+0000"}
    ]
    limit = ok(ig.get(f"/{IG}/content_publishing_limit", params={"fields": "config,quota_usage"}))
    assert limit == {
        "data": [{"config": {"quota_total": 100, "quota_duration": 86400}, "quota_usage": 1}]
    }


def carousel_children(ig: httpx.Client, media_server: MediaServer, count: int) -> list[str]:
    ids = []
    for index in range(count):
        url = media_server.put(f"c{index}.jpg", jpeg())
        form = {"image_url": url, "is_carousel_item": "true", "alt_text": f"Bild {index}"}
        ids.append(ok(ig.post(f"/{IG}/media", data=form))["id"])
    return ids


def test_an_instagram_carousel_of_up_to_10(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.default_plan = ContainerPlan(polls=0)
    ids = carousel_children(ig, media_server, 11)
    too_many = ig.post(f"/{IG}/media", data={"media_type": "CAROUSEL", "children": ",".join(ids)})
    assert error(too_many)["code"] == 100
    one = ig.post(f"/{IG}/media", data={"media_type": "CAROUSEL", "children": ids[0]})
    assert error(one)["code"] == 100
    alt = ig.post(
        f"/{IG}/media",
        data={"media_type": "CAROUSEL", "children": ",".join(ids[:2]), "alt_text": "x"},
    )
    assert error(alt)["code"] == 100
    carousel = ok(
        ig.post(
            f"/{IG}/media",
            data={"media_type": "CAROUSEL", "children": ",".join(ids[:10]), "caption": "Zehn"},
        )
    )["id"]
    child_alone = ig.post(f"/{IG}/media_publish", data={"creation_id": ids[0]})
    assert error(child_alone)["code"] == 100
    ok(ig.post(f"/{IG}/media_publish", data={"creation_id": carousel}))
    [item] = graph.instagram(IG)
    assert [i.alt_text for i in item.images] == [f"Bild {i}" for i in range(10)]


def test_a_carousel_may_mix_images_and_videos(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.default_plan = ContainerPlan(polls=0)
    [image] = carousel_children(ig, media_server, 1)
    form = {
        "media_type": "VIDEO",
        "video_url": media_server.put("c.mp4", b"clip", "video/mp4"),
        "is_carousel_item": "true",
    }
    video = ok(ig.post(f"/{IG}/media", data=form))["id"]
    carousel = ok(
        ig.post(f"/{IG}/media", data={"media_type": "CAROUSEL", "children": f"{image},{video}"})
    )["id"]
    ok(ig.post(f"/{IG}/media_publish", data={"creation_id": carousel}))
    [item] = graph.instagram(IG)
    assert (len(item.images), item.video) == (1, b"clip")


def test_a_reel_fetches_its_video(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.default_plan = ContainerPlan(polls=0)
    url = media_server.put("r.mp4", b"reel", "video/mp4")
    container = ok(
        ig.post(f"/{IG}/media", data={"media_type": "REELS", "video_url": url, "caption": "Reel"})
    )["id"]
    ok(ig.post(f"/{IG}/media_publish", data={"creation_id": container}))
    assert graph.instagram(IG)[0].video == b"reel"
    no_alt = ig.post(
        f"/{IG}/media", data={"media_type": "REELS", "video_url": url, "alt_text": "x"}
    )
    assert error(no_alt)["code"] == 100


def test_an_instagram_image_that_is_not_online_is_refused(
    ig: httpx.Client, media_server: MediaServer
) -> None:
    answer = error(ig.post(f"/{IG}/media", data={"image_url": f"{media_server.url}/not-yet.jpg"}))
    assert (answer["code"], answer["error_subcode"]) == (9004, 2207052)


@pytest.mark.parametrize(
    ("data", "code"),
    [(jpeg(size=(100, 126)), 36003), (jpeg(size=(192, 100)), 36003), (b"GIF89a...", 36001)],
)
def test_instagram_refuses_other_formats_and_aspect_ratios(
    ig: httpx.Client, media_server: MediaServer, data: bytes, code: int
) -> None:
    answer = ig.post(f"/{IG}/media", data={"image_url": media_server.put("x.jpg", data)})
    assert error(answer)["code"] == code


def test_instagram_takes_4_to_5_up_to_1_91_to_1(
    ig: httpx.Client, media_server: MediaServer
) -> None:
    for size in ((80, 100), (191, 100)):
        ok(ig.post(f"/{IG}/media", data={"image_url": media_server.put("x.jpg", jpeg(size=size))}))


def test_containers_can_end_in_error_or_expire(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.plan_next(ContainerPlan(polls=1, outcome="ERROR", error_message="2207001"))
    url = media_server.put("e.jpg", jpeg())
    broken = ok(ig.post(f"/{IG}/media", data={"image_url": url}))["id"]
    assert poll(ig, broken) == "IN_PROGRESS" and poll(ig, broken) == "ERROR"
    assert "2207001" in poll(ig, broken, "status")
    assert error(ig.post(f"/{IG}/media_publish", data={"creation_id": broken}))["code"] == 100
    stale = ok(ig.post(f"/{IG}/media", data={"image_url": url}))["id"]
    graph.advance(timedelta(hours=25))
    assert poll(ig, stale) == "EXPIRED"
    expired = error(ig.post(f"/{IG}/media_publish", data={"creation_id": stale}))
    assert expired["error_subcode"] == 2207020


def test_the_instagram_quota_is_enforced_at_publish(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.default_plan, graph.ig_quota = ContainerPlan(polls=0), 1
    url = media_server.put("q.jpg", jpeg())
    first, second = (ok(ig.post(f"/{IG}/media", data={"image_url": url}))["id"] for _ in range(2))
    ok(ig.post(f"/{IG}/media_publish", data={"creation_id": first}))
    full = error(ig.post(f"/{IG}/media_publish", data={"creation_id": second}))
    assert (full["code"], full["error_subcode"]) == (9, 2207042)
    graph.advance(timedelta(hours=24, seconds=1))  # the quota frees, `second` has expired
    third = ok(ig.post(f"/{IG}/media", data={"image_url": url}))["id"]
    ok(ig.post(f"/{IG}/media_publish", data={"creation_id": third}))


def test_instagram_media_cannot_be_deleted_through_the_api(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.default_plan = ContainerPlan(polls=0)
    container = ok(ig.post(f"/{IG}/media", data={"image_url": media_server.put("d.jpg", jpeg())}))[
        "id"
    ]
    media_id = ok(ig.post(f"/{IG}/media_publish", data={"creation_id": container}))["id"]
    refused = error(ig.delete(f"/{media_id}"))
    assert (refused["code"], refused["error_subcode"]) == (100, 33)


# --- Threads ------------------------------------------------------------------------------


def publish_thread(th: httpx.Client, **form: str) -> str:
    container = ok(th.post(f"/{THREADS}/threads", data=form))["id"]
    assert poll(th, container, "status") == "IN_PROGRESS"
    assert poll(th, container, "status") == "FINISHED"
    return str(ok(th.post(f"/{THREADS}/threads_publish", data={"creation_id": container}))["id"])


def test_a_threads_reply_chain_reads_in_order(graph: MetaGraph, th: httpx.Client) -> None:
    root = publish_thread(th, media_type="TEXT", text="Teil 1")
    second = publish_thread(th, media_type="TEXT", text="Teil 2", reply_to_id=root)
    publish_thread(th, media_type="TEXT", text="Teil 3", reply_to_id=second)
    assert [p.text for p in graph.thread_of(root)] == ["Teil 1", "Teil 2", "Teil 3"]
    top = ok(th.get(f"/{THREADS}/threads", params={"fields": "id,text"}))["data"]
    assert top == [{"id": root, "text": "Teil 1"}]
    replies = ok(th.get(f"/{THREADS}/replies", params={"fields": "text,replied_to"}))["data"]
    assert [r["text"] for r in replies] == ["Teil 3", "Teil 2"]
    limit = ok(
        th.get(
            f"/{THREADS}/threads_publishing_limit",
            params={"fields": "quota_usage,config,reply_quota_usage,reply_config"},
        )
    )
    assert limit["data"][0]["quota_usage"] == 1 and limit["data"][0]["reply_quota_usage"] == 2
    assert limit["data"][0]["config"] == {"quota_total": 250, "quota_duration": 86400}


def test_a_threads_image_with_alt_text(
    graph: MetaGraph, th: httpx.Client, media_server: MediaServer
) -> None:
    data = jpeg()
    publish_thread(
        th,
        media_type="IMAGE",
        image_url=media_server.put("t.jpg", data),
        alt_text="Wald",
        text="Bild",
    )
    [post] = graph.threads(THREADS)
    assert post.images[0].data == data and post.images[0].alt_text == "Wald"


def test_a_threads_video_that_is_not_online_ends_in_error(
    th: httpx.Client, media_server: MediaServer
) -> None:
    container = ok(
        th.post(
            f"/{THREADS}/threads",
            data={"media_type": "VIDEO", "video_url": f"{media_server.url}/v.mp4"},
        )
    )["id"]
    poll(th, container, "status")
    assert ok(th.get(f"/{container}", params={"fields": "status,error_message"})) == {
        "status": "ERROR",
        "error_message": "FAILED_DOWNLOADING_VIDEO",
    }


def test_threads_counts_emoji_by_their_utf8_bytes() -> None:
    assert threads_length("a" * 500) == 500
    assert threads_length("😀") == 4
    assert threads_length("👍🏽") == 8  # one grapheme: thumbs up + skin tone, 8 bytes
    assert threads_length("ä") == 1  # not an emoji: one character, though 2 bytes


@pytest.mark.parametrize(
    ("text", "fits"),
    [("a" * 500, True), ("a" * 501, False), ("😀" * 125, True), ("😀" * 125 + "a", False)],
)
def test_the_500_limit_on_threads_text(th: httpx.Client, text: str, fits: bool) -> None:
    answer = th.post(f"/{THREADS}/threads", data={"media_type": "TEXT", "text": text})
    assert answer.status_code == (200 if fits else 400)


def test_more_than_5_links_are_refused(th: httpx.Client) -> None:
    text = " ".join(f"https://example.org/{i}" for i in range(6))
    assert (
        error(th.post(f"/{THREADS}/threads", data={"media_type": "TEXT", "text": text}))["message"]
        == "THREADS_API__LINK_LIMIT_EXCEEDED"
    )


def test_deleting_a_threads_post_and_the_daily_delete_limit(
    graph: MetaGraph, th: httpx.Client
) -> None:
    graph.default_plan, graph.threads_delete_quota = ContainerPlan(polls=0), 1
    ids = []
    for text in ("eins", "zwei"):
        container = ok(th.post(f"/{THREADS}/threads", data={"media_type": "TEXT", "text": text}))[
            "id"
        ]
        ids.append(
            ok(th.post(f"/{THREADS}/threads_publish", data={"creation_id": container}))["id"]
        )
    assert ok(th.delete(f"/{ids[0]}")) == {"success": True, "deleted_id": ids[0]}
    assert graph.threads(THREADS)[0].deleted
    assert error(th.delete(f"/{ids[1]}"))["code"] == 4


def test_a_threads_carousel_of_up_to_20(
    graph: MetaGraph, th: httpx.Client, media_server: MediaServer
) -> None:
    graph.default_plan = ContainerPlan(polls=0)
    url = media_server.put("k.jpg", jpeg())
    ids = [
        ok(
            th.post(
                f"/{THREADS}/threads",
                data={"media_type": "IMAGE", "image_url": url, "is_carousel_item": "true"},
            )
        )["id"]
        for _ in range(21)
    ]
    assert (
        error(
            th.post(
                f"/{THREADS}/threads", data={"media_type": "CAROUSEL", "children": ",".join(ids)}
            )
        )["code"]
        == 100
    )
    carousel = ok(
        th.post(
            f"/{THREADS}/threads",
            data={"media_type": "CAROUSEL", "children": ",".join(ids[:20]), "text": "Viele"},
        )
    )["id"]
    ok(th.post(f"/{THREADS}/threads_publish", data={"creation_id": carousel}))
    assert len(graph.threads(THREADS)[0].images) == 20


# --- refusals ------------------------------------------------------------------------------


def test_object_ids_never_collide_with_account_ids(metagraph: MetaGraph) -> None:
    first = str(int(metagraph.new_id()) + 1)
    metagraph.add_instagram(first, "tok")
    assert metagraph.new_id() != first


def test_tokens_only_in_the_authorization_header(graph: MetaGraph) -> None:
    with httpx.Client(base_url=graph.facebook_base, timeout=5) as client:
        in_query = error(
            client.post(f"/{PAGE}/feed", params={"access_token": FB_TOKEN}, data={"message": "x"})
        )
        in_body = error(
            client.post(f"/{PAGE}/feed", data={"message": "x", "access_token": FB_TOKEN})
        )
        missing = error(client.post(f"/{PAGE}/feed", data={"message": "x"}))
        unknown = error(
            client.post(
                f"/{PAGE}/feed", data={"message": "x"}, headers={"Authorization": "Bearer nope"}
            )
        )
        threads_token = error(
            client.get(f"/{PAGE}/feed", headers={"Authorization": f"Bearer {TH_TOKEN}"})
        )
    assert in_query["code"] == in_body["code"] == 100
    assert missing["code"] == 104
    assert unknown["code"] == threads_token["code"] == 190 and unknown["type"] == "OAuthException"
    assert graph.feed(PAGE) == []


def test_a_revoked_token_gets_code_190(graph: MetaGraph, fb: httpx.Client) -> None:
    graph.revoke(FB_TOKEN)
    assert error(fb.post(f"/{PAGE}/feed", data={"message": "x"}))["code"] == 190


def test_another_accounts_objects_are_invisible(
    graph: MetaGraph, fb: httpx.Client, ig: httpx.Client
) -> None:
    post_id = ok(fb.post(f"/{PAGE}/feed", data={"message": "x"}))["id"]
    assert error(ig.get(f"/{post_id}"))["error_subcode"] == 33
    assert error(ig.post(f"/{PAGE}/feed", data={"message": "x"}))["error_subcode"] == 33


@pytest.mark.parametrize(
    ("method", "path", "form", "code"),
    [
        ("POST", f"/{PAGE}/feed", {"message": "x", "privacy": "{}"}, 100),  # undocumented param
        ("POST", f"/{PAGE}/feed", {}, 100),  # nothing to post
        ("POST", f"/{PAGE}/photos", {"message": "x"}, 324),  # no url, no source
        ("GET", f"/{PAGE}/feed", {"fields": "id,likes"}, 100),  # unknown field
        ("GET", f"/{PAGE}/feed/extra", {}, 2500),  # unknown path
        ("GET", f"/{PAGE}/albums", {}, 2500),
        ("PUT", f"/{PAGE}/feed", {}, 100),  # wrong method
        ("GET", f"/{IG}/media_publish", {}, 100),
        (
            "POST",
            f"/{IG}/media",
            {"caption": "x" * 2201, "image_url": "http://127.0.0.1:9/x.jpg"},
            100,
        ),
        (
            "POST",
            f"/{IG}/media",
            {"caption": "#a" * 31, "image_url": "http://127.0.0.1:9/x.jpg"},
            100,
        ),
        ("POST", f"/{IG}/media", {"media_type": "VIDEO", "video_url": "http://127.0.0.1:9/v"}, 100),
        ("POST", f"/{IG}/media_publish", {}, 100),  # creation_id missing
        ("POST", f"/{IG}/media_publish", {"creation_id": "42"}, 100),
    ],
)
def test_refusals(
    fb: httpx.Client, ig: httpx.Client, method: str, path: str, form: dict[str, str], code: int
) -> None:
    client = ig if path.startswith(f"/{IG}") else fb
    answer = client.request(
        method,
        path,
        params=form if method == "GET" else None,
        data=form if method != "GET" else None,
    )
    assert error(answer)["code"] == code


def test_threads_refusals(th: httpx.Client) -> None:
    assert error(th.post(f"/{THREADS}/threads", data={"text": "no type"}))["code"] == 100
    assert error(th.post(f"/{THREADS}/threads", data={"media_type": "TEXT"}))["code"] == 100
    assert (
        error(
            th.post(
                f"/{THREADS}/threads", data={"media_type": "TEXT", "text": "x", "reply_to_id": "9"}
            )
        )["code"]
        == 100
    )
    assert (
        error(
            th.post(f"/{THREADS}/threads", data={"media_type": "TEXT", "text": "x", "topic": "y"})
        )["code"]
        == 100
    )


# --- faults -------------------------------------------------------------------------------


def test_an_injected_auth_fault_then_normal_service(graph: MetaGraph, fb: httpx.Client) -> None:
    graph.inject("POST /feed", Fault("auth"))
    assert error(fb.post(f"/{PAGE}/feed", data={"message": "x"}))["code"] == 190
    ok(fb.post(f"/{PAGE}/feed", data={"message": "x"}))
    assert len(graph.feed(PAGE)) == 1


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_rate_limit_faults_carry_the_usage_headers(
    graph: MetaGraph, fb: httpx.Client, code: int
) -> None:
    graph.inject("POST /feed", Fault("rate", code=code, regain_minutes=7))
    answer = fb.post(f"/{PAGE}/feed", data={"message": "x"})
    assert error(answer)["code"] == code
    buc = json.loads(answer.headers["X-Business-Use-Case-Usage"])[PAGE][0]
    assert buc["call_count"] == 100 and buc["estimated_time_to_regain_access"] == 7
    assert json.loads(answer.headers["X-App-Usage"])["call_count"] == 100
    assert graph.feed(PAGE) == []


def test_rate_limit_codes_default_per_platform(
    graph: MetaGraph, ig: httpx.Client, th: httpx.Client
) -> None:
    graph.inject("*", Fault("rate"), times=2)
    assert error(ig.get(f"/{IG}/content_publishing_limit"))["code"] == 80002
    assert error(th.get(f"/{THREADS}/threads_publishing_limit"))["code"] == 4


def test_server_errors_and_transient_codes(graph: MetaGraph, th: httpx.Client) -> None:
    graph.inject("POST /threads", Fault("500"))
    graph.inject("POST /threads", Fault("transient"))
    assert (
        error(th.post(f"/{THREADS}/threads", data={"media_type": "TEXT", "text": "x"}), 500)["code"]
        == 1
    )
    transient = error(th.post(f"/{THREADS}/threads", data={"media_type": "TEXT", "text": "x"}), 503)
    assert transient["code"] == 2 and transient["is_transient"] is True
    assert graph.containers(THREADS) == []


def test_a_dropped_connection_after_the_post_was_stored(graph: MetaGraph, fb: httpx.Client) -> None:
    graph.inject("POST /feed", Fault("drop"))
    with pytest.raises(httpx.TransportError):
        fb.post(f"/{PAGE}/feed", data={"message": "verloren?"})
    assert [p.message for p in graph.feed(PAGE)] == ["verloren?"]  # reconcile finds it


def test_a_timeout_after_the_post_was_stored(
    graph: MetaGraph, ig: httpx.Client, media_server: MediaServer
) -> None:
    graph.default_plan = ContainerPlan(polls=0)
    container = ok(ig.post(f"/{IG}/media", data={"image_url": media_server.put("t.jpg", jpeg())}))[
        "id"
    ]
    graph.inject("POST /media_publish", Fault("timeout", hang=1.0))
    with pytest.raises(httpx.TimeoutException):
        ig.post(f"/{IG}/media_publish", data={"creation_id": container}, timeout=0.2)
    assert poll(ig, container) == "PUBLISHED" and len(graph.instagram(IG)) == 1


def test_random_faults_are_seeded_and_reproducible(graph: MetaGraph, fb: httpx.Client) -> None:
    kinds = (Fault("500"), Fault("rate"), Fault("transient"))

    def run(seed: int) -> list[int]:
        graph.random_faults(0.5, kinds, seed=seed)
        return [fb.post(f"/{PAGE}/feed", data={"message": "x"}).status_code for _ in range(20)]

    first, second = run(7), run(7)
    assert first == second and 200 in first and set(first) - {200}
    assert len(graph.feed(PAGE)) == 2 * first.count(200)


def test_a_per_account_limit_throttles_with_metas_error_and_usage_headers(
    graph: MetaGraph, fb: httpx.Client, th: httpx.Client
) -> None:
    graph.limit = AccountLimit(2, seconds=3600)  # two requests an hour: no refill in a test
    ok(fb.post(f"/{PAGE}/feed", data={"message": "eins"}))
    ok(fb.post(f"/{PAGE}/feed", data={"message": "zwei"}))
    over = fb.post(f"/{PAGE}/feed", data={"message": "drei"})
    assert error(over)["code"] == 80001
    buc = json.loads(over.headers["X-Business-Use-Case-Usage"])[PAGE][0]
    assert buc["call_count"] == 100 and buc["estimated_time_to_regain_access"] == 0
    ok(th.get(f"/{THREADS}/threads_publishing_limit"))  # each account has its own budget
    assert [p.message for p in graph.feed(PAGE)] == ["eins", "zwei"]
    assert graph.limit.passed == {PAGE: 2, THREADS: 1} and graph.limit.throttled == {PAGE: 1}


def test_an_injected_fault_can_let_the_first_requests_pass(
    graph: MetaGraph, th: httpx.Client
) -> None:
    graph.inject("POST /threads", Fault("500"), skip=2)  # the third part of a thread fails
    form = {"media_type": "TEXT", "text": "x"}
    answers = [th.post(f"/{THREADS}/threads", data=form).status_code for _ in range(4)]
    assert answers == [200, 200, 500, 200]
