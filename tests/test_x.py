"""The X adapter against scripted answers (httpx.MockTransport): the payload, the signed
requests, X's errors on the error tree, threads resumed, lookup, video status polling."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from socialpub.channels.adapter import Lookup
from socialpub.channels.x import XAdapter
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import AuthFailed, ConfigError, RateLimited, Rejected, Transient
from socialpub.models import Media, Part, Sent, Variant
from tests.adapterkit import T0, FakeClock, MemoryProgress, Script, make_http
from tests.xfake_wire import OAuth1Registry, WireRequest
from tests.xrepo import jpeg_with_exif

BASE = "https://api.x.example"
USER = "1460000000000000042"
SECRETS = {
    "api_key": "key-abc123",
    "api_secret": "secret-def456",
    "access_token": f"{USER}-token-ghi789",
    "access_token_secret": "token-secret-jkl012",
}


def adapter(root: Path, **settings: Any) -> XAdapter:
    values: dict[str, Any] = {"user_id": USER, "api_base": BASE}
    values |= {name: SecretRef(name.upper()) for name in SECRETS} | settings
    return XAdapter(ChannelConfig("landkreis-x", "x", values), root)


def variant(*texts: str, media: tuple[str, ...] = ()) -> Variant:
    return Variant(
        post_id="sperrung",
        channel="landkreis-x",
        channel_type="x",
        parts=tuple(Part(text=t, length=len(t)) for t in texts),
        limit=280,
        unit="weighted characters",
        media=tuple(Media(file=f, alt=f"Bild {n}") for n, f in enumerate(media)),
    )


def ok(body: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def problem(status: int, title: str, detail: str, **headers: str) -> httpx.Response:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status}
    return httpx.Response(status, json=body, headers=headers)


def created(post_id: str, text: str = "") -> httpx.Response:
    return ok({"data": {"id": post_id, "text": text}}, 201)


def run_send(
    root: Path,
    script: Script,
    *texts: str,
    progress: MemoryProgress | None = None,
    media: tuple[str, ...] = (),
    clock: FakeClock | None = None,
) -> tuple[Any, MemoryProgress]:
    x = adapter(root)
    payload = x.prepare(variant(*texts, media=media), "k", created_at=T0)
    progress = progress or MemoryProgress()
    http = make_http(httpx.MockTransport(script), SECRETS, clock=clock)
    return x.send(payload, http, progress), progress


def test_prepare_is_the_text_per_part_and_marks_media_and_replies(tmp_path: Path) -> None:
    payload = adapter(tmp_path).prepare(variant("Eins", "Zwei"), "k", created_at=T0)
    first, second = payload.messages
    assert first["body"] == {"text": "Eins"} and second["body"] == {"text": "Zwei"}
    assert "reply_to" in second and "reply_to" not in first
    assert first["created_after"] == T0.isoformat()


def test_user_id_must_be_numeric(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="numeric id"):
        adapter(tmp_path, user_id="@landkreis")


def test_every_request_carries_a_valid_oauth1_signature(tmp_path: Path) -> None:
    registry = OAuth1Registry()
    registry.consumers[SECRETS["api_key"]] = SECRETS["api_secret"]
    registry.tokens[SECRETS["access_token"]] = (SECRETS["access_token_secret"], USER)
    users = []

    def check(request: httpx.Request) -> httpx.Response:
        header = request.headers["authorization"]
        wire = WireRequest(
            request.method.lower(),
            request.url.path,
            request.url.query.decode(),
            dict(request.headers),
            request.content,
            f"{request.url.scheme}://{request.url.netloc.decode()}",
        )
        users.append(registry.user(wire, header))
        assert SECRETS["api_secret"] not in header and SECRETS["access_token_secret"] not in header
        return created(str(len(users)))

    x = adapter(tmp_path)
    payload = x.prepare(variant("Eins", "Zwei"), "k", created_at=T0)
    http = make_http(httpx.MockTransport(check), SECRETS)
    receipt = x.send(payload, http, MemoryProgress())
    assert users == [USER, USER] and [s.id for s in receipt.sent] == ["1", "2"]


def test_a_thread_is_a_reply_chain_resumed_after_the_parts_already_sent(tmp_path: Path) -> None:
    script = Script(created("300"))
    progress = MemoryProgress(done=[Sent("100"), Sent("200")])
    receipt, progress = run_send(tmp_path, script, "Eins", "Zwei", "Drei", progress=progress)
    [request] = script.requests
    assert json.loads(request.content) == {"text": "Drei", "reply": {"in_reply_to_tweet_id": "200"}}
    assert [s.id for s in receipt.sent] == ["100", "200", "300"]
    assert progress.events == [("before", 2), ("after", 2)]


def test_photos_are_uploaded_without_exif_with_alt_text_then_attached(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_with_exif("a"))
    script = Script(ok({"data": {"id": "9001"}}), ok({"data": {"id": "9001"}}), created("1"))
    run_send(tmp_path, script, "Foto", media=("a.jpg",))
    upload, metadata, post = (json.loads(r.content) for r in script.requests)
    assert upload["media_category"] == "tweet_image" and upload["media_type"] == "image/jpeg"
    assert metadata == {"id": "9001", "metadata": {"alt_text": {"text": "Bild 0"}}}
    assert post == {"text": "Foto", "media": {"media_ids": ["9001"]}}


def test_a_video_is_uploaded_in_chunks_and_polled_until_processed(tmp_path: Path) -> None:
    (tmp_path / "film.mp4").write_bytes(b"\x00" * 1_500_000)
    pending = {"data": {"id": "77", "processing_info": {"state": "pending", "check_after_secs": 5}}}
    running = {
        "data": {"id": "77", "processing_info": {"state": "in_progress", "check_after_secs": 3}}
    }
    done = {"data": {"id": "77", "processing_info": {"state": "succeeded"}}}
    script = Script(
        ok({"data": {"id": "77"}}),
        ok({"meta": {}}),
        ok({"meta": {}}),
        ok(pending),
        ok(running),
        ok(done),
        ok({"data": {"id": "77"}}),
        created("5"),
    )
    clock = FakeClock()
    run_send(tmp_path, script, "Film", media=("film.mp4",), clock=clock)
    paths = [f"{r.method} {r.url.path}" for r in script.requests]
    assert paths[:4] == [
        "POST /2/media/upload/initialize",
        "POST /2/media/upload/77/append",
        "POST /2/media/upload/77/append",
        "POST /2/media/upload/77/finalize",
    ]
    assert [json.loads(r.content)["segment_index"] for r in script.requests[1:3]] == [0, 1]
    assert clock.sleeps == [5.0, 3.0]  # as X's check_after_secs says
    assert script.requests[4].url.params["command"] == "STATUS"


def test_401_is_auth_failed_with_x_words_and_a_hint(tmp_path: Path) -> None:
    script = Script(problem(401, "Unauthorized", "Unauthorized"))
    with pytest.raises(AuthFailed, match="X said: Unauthorized") as caught:
        run_send(tmp_path, script, "Text")
    assert "developer portal" in str(caught.value)


def test_429_waits_until_x_rate_limit_reset(tmp_path: Path) -> None:
    reset = str(int((T0 + timedelta(seconds=90)).timestamp()))
    clock = FakeClock()
    script = Script(
        problem(429, "Too Many Requests", "Too Many Requests", **{"x-rate-limit-reset": reset}),
        created("1"),
    )
    receipt, _ = run_send(tmp_path, script, "Text", clock=clock)
    assert receipt.sent[0].id == "1" and clock.elapsed == pytest.approx(90, abs=1)


def test_the_24h_user_limit_is_rate_limited_until_its_reset(tmp_path: Path) -> None:
    reset = str(int((T0 + timedelta(hours=20)).timestamp()))
    headers = {"x-user-limit-24hour-reset": reset, "x-user-limit-24hour-remaining": "0"}
    with pytest.raises(RateLimited) as caught:
        run_send(
            tmp_path, Script(problem(429, "Too Many Requests", "Too Many Requests", **headers)), "T"
        )
    assert caught.value.retry_after == pytest.approx(20 * 3600, abs=2)


def test_duplicate_content_on_a_first_attempt_is_rejected(tmp_path: Path) -> None:
    script = Script(
        problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
    )
    with pytest.raises(Rejected, match="duplicate content") as caught:
        run_send(tmp_path, script, "Text")
    assert "change the text" in str(caught.value) and len(script.requests) == 1


def test_a_5xx_after_sending_is_maybe_sent_and_not_repeated(tmp_path: Path) -> None:
    script = Script(problem(500, "Internal Server Error", "Internal error."))
    with pytest.raises(Transient) as caught:
        run_send(tmp_path, script, "Text")
    assert caught.value.maybe_sent and len(script.requests) == 1


def test_lookup_matches_exact_text_with_links_expanded_in_order(tmp_path: Path) -> None:
    x = adapter(tmp_path)
    payload = x.prepare(variant("Mehr: https://kreis.example/a", "Zwei"), "k", created_at=T0)
    timeline = {
        "data": [
            {"id": "2", "text": "Zwei", "referenced_tweets": [{"type": "replied_to", "id": "1"}]},
            {
                "id": "1",
                "text": "Mehr: https://t.co/abc",
                "entities": {
                    "urls": [{"url": "https://t.co/abc", "expanded_url": "https://kreis.example/a"}]
                },
            },
        ],
        "meta": {"result_count": 2},
    }
    script = Script(ok(timeline))
    progress = MemoryProgress()
    found = x.lookup(payload, make_http(httpx.MockTransport(script), SECRETS), progress)
    assert found is Lookup.FOUND and [s.id for s in progress.done] == ["1", "2"]
    assert script.requests[0].url.params["start_time"] == "2026-11-23T08:55:00Z"


def test_lookup_of_a_post_that_is_not_there_is_absent(tmp_path: Path) -> None:
    x = adapter(tmp_path)
    payload = x.prepare(variant("Eins"), "k", created_at=T0)
    script = Script(
        ok({"data": [{"id": "1", "text": "Etwas anderes"}], "meta": {"result_count": 1}})
    )
    assert (
        x.lookup(payload, make_http(httpx.MockTransport(script), SECRETS), MemoryProgress())
        is Lookup.ABSENT
    )


def test_an_oauth2_user_token_goes_in_the_bearer_header(tmp_path: Path) -> None:
    channel = ChannelConfig(
        "x", "x", {"user_id": USER, "api_base": BASE, "access_token": SecretRef("T")}
    )
    x = XAdapter(channel, tmp_path)
    script = Script(created("1"))
    payload = x.prepare(variant("Eins"), "k", created_at=T0)
    x.send(
        payload,
        make_http(httpx.MockTransport(script), {"access_token": "oauth2-tok"}),
        MemoryProgress(),
    )
    assert script.requests[0].headers["authorization"] == "Bearer oauth2-tok"


def published(root: Path, *texts: str, clock: FakeClock) -> tuple[XAdapter, Any]:
    x = adapter(root)
    payload = x.prepare(variant(*texts), "k", created_at=T0)
    script = Script(*(created(str(n + 1)) for n in range(len(texts))))
    receipt = x.send(
        payload, make_http(httpx.MockTransport(script), SECRETS, clock=clock), MemoryProgress()
    )
    return x, receipt


def test_an_edit_within_30_minutes_edits_only_the_changed_part(tmp_path: Path) -> None:
    clock = FakeClock()
    x, receipt = published(tmp_path, "Eins", "Zwei", clock=clock)
    clock.sleep(29 * 60)
    script = Script(created("9"))
    payload = x.prepare(variant("Eins", "Zwei neu"), "k", created_at=T0)
    edited = x.edit(payload, make_http(httpx.MockTransport(script), SECRETS, clock=clock), receipt)
    [request] = script.requests
    assert json.loads(request.content) == {
        "text": "Zwei neu",
        "edit_options": {"previous_post_id": "2"},
    }
    assert [s.id for s in edited.sent] == ["1", "9"] and edited.sent[1].refs["edits"] == 1


def test_an_edit_after_30_minutes_is_rejected_offering_delete_or_a_reply(tmp_path: Path) -> None:
    clock = FakeClock()
    x, receipt = published(tmp_path, "Eins", clock=clock)
    clock.sleep(31 * 60)
    script = Script()
    payload = x.prepare(variant("Eins neu"), "k", created_at=T0)
    with pytest.raises(Rejected, match="within 30 minutes") as caught:
        x.edit(payload, make_http(httpx.MockTransport(script), SECRETS, clock=clock), receipt)
    assert "socialpub delete" in str(caught.value) and "replying" in str(caught.value)
    assert script.requests == []  # nothing was sent


def test_a_sixth_edit_is_rejected(tmp_path: Path) -> None:
    clock = FakeClock()
    x, receipt = published(tmp_path, "Eins", clock=clock)
    old = receipt.sent[0]
    receipt = type(receipt)((Sent(old.id, old.url, {**old.refs, "edits": 5}),))
    payload = x.prepare(variant("Eins neu"), "k", created_at=T0)
    with pytest.raises(Rejected, match="at most 5 edits"):
        x.edit(payload, make_http(httpx.MockTransport(Script()), SECRETS, clock=clock), receipt)
