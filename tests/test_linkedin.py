"""The LinkedIn adapter over httpx.MockTransport: the exact create request (headers, body,
URN from x-restli-id), write-ahead order, edit and delete requests, lookup, and LinkedIn's
error shape on the error tree."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import httpx
import pytest

from socialpub.channels.adapter import Lookup, adapter_class
from socialpub.channels.linkedin import LinkedInAdapter
from socialpub.content.config import ChannelConfig
from socialpub.errors import AuthFailed, ConfigError, Rejected, Transient
from socialpub.models import Media, Part, Receipt, Sent, Variant
from tests.adapterkit import T0, FakeClock, MemoryProgress, Script, make_http

TOKEN = "li-unit-token"
BASE = "http://127.0.0.1:9/rest"
URN = "urn:li:share:7100"


def adapter(tmp_path: Path, **settings: str) -> LinkedInAdapter:
    values = {"organization": "42", "api_base": BASE} | settings
    return LinkedInAdapter(ChannelConfig("li", "linkedin", values), tmp_path)


def variant(text: str = "Hallo (Welt) #Kreis") -> Variant:
    return Variant("p", "li", "linkedin", (Part(text, len(text)),), 3000, "characters")


def error(status: int, message: str, **extra: object) -> httpx.Response:
    return httpx.Response(status, json={"status": status, "serviceErrorCode": 65600,
                                        "message": message, **extra})  # fmt: skip


def test_the_create_request_and_write_ahead(tmp_path: Path) -> None:
    script = Script(httpx.Response(201, headers={"x-restli-id": URN}))
    li = adapter(tmp_path)
    payload = li.prepare(variant(), "k", created_at=T0)
    progress = MemoryProgress()
    receipt = li.send(
        payload, make_http(httpx.MockTransport(script), {"access_token": TOKEN}), progress
    )
    [request] = script.requests
    assert request.url == f"{BASE}/posts" and request.method == "POST"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Linkedin-Version"] == "202605"
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    body = json.loads(request.content)
    assert body["author"] == "urn:li:organization:42"
    assert body["commentary"] == "Hallo \\(Welt\\) {hashtag|\\#|Kreis}"
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert (body["visibility"], body["lifecycleState"]) == ("PUBLIC", "PUBLISHED")
    assert progress.events == [("before", 0), ("after", 0)]
    assert receipt.sent[0].id == URN and URN in receipt.url


def test_edit_and_delete_address_the_url_encoded_urn(tmp_path: Path) -> None:
    script = Script(httpx.Response(204), httpx.Response(204), error(404, "Not found"))
    li, http = adapter(tmp_path), make_http(httpx.MockTransport(script), {"access_token": TOKEN})
    receipt = Receipt((Sent(URN, "", {"media": []}),))
    li.edit(li.prepare(variant("Neu"), "k", created_at=T0), http, receipt)
    li.delete(http, receipt)
    li.delete(http, receipt)  # deleted already: nothing to do
    edit, delete, _ = script.requests
    assert edit.url.raw_path.decode() == "/rest/posts/urn%3Ali%3Ashare%3A7100"
    assert edit.headers["X-RestLi-Method"] == "PARTIAL_UPDATE"
    assert json.loads(edit.content) == {"patch": {"$set": {"commentary": "Neu"}}}
    assert delete.method == "DELETE" and delete.headers["X-RestLi-Method"] == "DELETE"


def test_lookup_finds_the_post_by_exact_commentary(tmp_path: Path) -> None:
    li = adapter(tmp_path)
    payload = li.prepare(variant(), "k", created_at=T0)
    mine = {"id": URN, "commentary": payload.messages[0]["body"]["commentary"],
            "createdAt": T0.timestamp() * 1000 + 5}  # fmt: skip
    other = {"id": "urn:li:share:1", "commentary": "x", "createdAt": T0.timestamp() * 1000}
    script = Script(httpx.Response(200, json={"elements": [other, mine]}))
    progress = MemoryProgress()
    http = make_http(httpx.MockTransport(script), {"access_token": TOKEN})
    assert li.lookup(payload, http, progress) is Lookup.FOUND and progress.done[0].id == URN
    assert script.requests[0].url.params["q"] == "author"
    absent = Script(httpx.Response(200, json={"elements": [other]}))
    http = make_http(httpx.MockTransport(absent), {"access_token": TOKEN})
    assert li.lookup(payload, http, MemoryProgress()) is Lookup.ABSENT


def test_errors_map_onto_the_tree(tmp_path: Path) -> None:
    li = adapter(tmp_path)
    payload = li.prepare(variant(), "k", created_at=T0)

    def send(*steps: httpx.Response) -> None:
        http = make_http(httpx.MockTransport(Script(*steps)), {"access_token": TOKEN})
        li.send(payload, http, MemoryProgress())

    with pytest.raises(AuthFailed, match="expired") as expired:
        send(error(401, "The token used in the request has expired"))
    assert "60 days" in str(expired.value)
    with pytest.raises(Rejected, match="in commentary"):
        send(error(422, "bad", errorDetails={"inputErrors": [
            {"input": {"inputPath": {"fieldPath": "commentary"}}}]}))  # fmt: skip
    with pytest.raises(Rejected, match="no longer serves") as sunset:
        send(error(426, "Requested version 202401 is not active", code="NONEXISTENT_VERSION"))
    assert "api_version" in str(sunset.value.hint)
    with pytest.raises(Transient) as failed:
        send(error(500, "Internal error"))
    assert failed.value.maybe_sent
    clock = FakeClock()
    throttled = error(429, "throttled")
    throttled.headers["Retry-After"] = "7"
    script = Script(throttled, httpx.Response(201, headers={"x-restli-id": URN}))
    http = make_http(httpx.MockTransport(script), {"access_token": TOKEN}, clock=clock)
    assert li.send(payload, http, MemoryProgress()).sent[0].id == URN
    assert clock.sleeps == [7.0]


def test_settings_are_checked(tmp_path: Path) -> None:
    assert adapter_class("linkedin") is LinkedInAdapter
    with pytest.raises(ConfigError):
        adapter(tmp_path, organization="kreis")
    with pytest.raises(ConfigError):
        adapter(tmp_path, api_version="2026-05")


def test_photos_are_uploaded_clean_and_sent_as_multi_image(tmp_path: Path) -> None:
    from tests.clirepo import has_exif
    from tests.metarepo import jpeg_with_exif

    for name in ("a", "b"):
        (tmp_path / f"{name}.jpg").write_bytes(jpeg_with_exif(seed=name))
    steps: list[httpx.Response] = []
    for n in (1, 2):
        value = {
            "uploadUrl": f"https://www.linkedin.com/dms-uploads/{n}",
            "image": f"urn:li:image:{n}",
        }
        steps += [httpx.Response(200, json={"value": value}), httpx.Response(201)]
    script = Script(*steps, httpx.Response(201, headers={"x-restli-id": URN}))
    li = adapter(tmp_path)
    media = (Media("a.jpg", "Eins"), Media("b.jpg", "Zwei"))
    payload = li.prepare(dataclasses.replace(variant(), media=media), "k", created_at=T0)
    http = make_http(httpx.MockTransport(script), {"access_token": TOKEN})
    li.send(payload, http, MemoryProgress())
    init, put, _, _, post = script.requests
    assert init.url.params["action"] == "initializeUpload"
    assert json.loads(init.content) == {
        "initializeUploadRequest": {"owner": "urn:li:organization:42"}
    }
    assert put.method == "PUT" and not has_exif(put.content)
    images = [
        {"id": "urn:li:image:1", "altText": "Eins"},
        {"id": "urn:li:image:2", "altText": "Zwei"},
    ]
    assert json.loads(post.content)["content"] == {"multiImage": {"images": images}}


def test_an_upload_url_off_linkedin_gets_no_token(tmp_path: Path) -> None:
    from tests.metarepo import jpeg_with_exif

    (tmp_path / "a.jpg").write_bytes(jpeg_with_exif())
    value = {"uploadUrl": "https://evil.example/upload", "image": "urn:li:image:1"}
    script = Script(httpx.Response(200, json={"value": value}))
    li = adapter(tmp_path)
    payload = li.prepare(dataclasses.replace(variant(), media=(Media("a.jpg", "A"),)), "k",
                         created_at=T0)  # fmt: skip
    with pytest.raises(Rejected, match=r"not on linkedin\.com"):
        li.send(
            payload,
            make_http(httpx.MockTransport(script), {"access_token": TOKEN}),
            MemoryProgress(),
        )
    assert len(script.requests) == 1


def test_check_reports_alt_texts_longer_than_linkedin_takes(tmp_path: Path) -> None:
    long = dataclasses.replace(variant(), media=(Media("a.jpg", "x" * 4087, line=7),))
    [problem] = adapter(tmp_path).check(long)
    assert (problem.code, problem.line, problem.field) == ("SP205", 7, "media.alt")
    assert adapter(tmp_path).check(dataclasses.replace(long, media=(Media("a.jpg", "ok"),))) == []


def test_a_missing_permission_is_an_auth_failure_naming_the_scope(tmp_path: Path) -> None:
    li = adapter(tmp_path)
    payload = li.prepare(variant(), "k", created_at=T0)
    script = Script(error(403, "Not enough permissions to access: partnerApiPostsExternal.CREATE"))
    with pytest.raises(AuthFailed, match="w_organization_social"):
        li.send(
            payload,
            make_http(httpx.MockTransport(script), {"access_token": TOKEN}),
            MemoryProgress(),
        )
