"""The whatsapp adapter: golden payloads, WhatsApp's template rules in check(), and how it
talks to the subscriber service (bearer token, idempotent PUT, every error answer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from socialpub.channels.adapter import Lookup
from socialpub.channels.whatsapp import WhatsAppAdapter
from socialpub.channels.whatsapp_template import SUMMARY_MAX, summary
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import AuthFailed, ConfigError, Rejected, Transient
from socialpub.models import Media, Part, Receipt, Sent, Variant
from tests.adapterkit import T0, MemoryProgress, make_http
from tests.wabroadcast import TOKEN, BroadcastService

Golden = Callable[[str, Any], None]
SERVICE = "https://whatsapp.landkreis.example"
BODY = (
    "Der Kreistag tagt am Mittwoch um 17 Uhr im Landratsamt.\n"
    "Die Sitzung ist öffentlich.\n\n"
    "Auf der Tagesordnung: der Haushalt 2027."
)
LINK = "https://www.landkreis.example/kreistag"


def channel(**settings: Any) -> ChannelConfig:
    values = {
        "service_url": SERVICE,
        "service_token": SecretRef("WHATSAPP_SERVICE_TOKEN"),
        "template": {"name": "kreis_nachrichten", "language": "de"},
        **settings,
    }
    return ChannelConfig("whatsapp", "whatsapp", values)


def adapter(tmp_path: Path, **settings: Any) -> WhatsAppAdapter:
    return WhatsAppAdapter(channel(**settings), tmp_path)


def variant(
    text: str = f"*Kreistag tagt*\n\n{BODY}\n\n{LINK}\n\n#Kreistag",
    *,
    title: str = "Kreistag tagt",
    link: str | None = LINK,
    media: tuple[Media, ...] = (),
) -> Variant:
    parts = (Part(text=text, length=len(text)),)
    return Variant(
        "kreistag",
        "whatsapp",
        "whatsapp",
        parts,
        4096,
        "characters",
        media=media,
        link=link,
        title=title,
    )


def http_for(service: BroadcastService) -> Any:
    return make_http(service.transport(), {"service_token": TOKEN}, channel="whatsapp")


# --- prepare and check: pure --------------------------------------------------------------


def test_prepare_fills_the_template_from_the_variant(tmp_path: Path, golden: Golden) -> None:
    payload = adapter(tmp_path).prepare(variant(), "k3y", created_at=T0)
    golden("whatsapp/title_summary_link", payload.as_dict())
    parameters = payload.messages[0]["body"]["template"]["parameters"]
    assert parameters == [
        "Kreistag tagt",
        "Der Kreistag tagt am Mittwoch um 17 Uhr im Landratsamt. Die Sitzung ist öffentlich.",
        LINK,
    ]
    assert payload.messages[0]["body"]["text"] == variant().text  # free-form: as rendered


def test_prepare_takes_the_parameters_in_the_configured_order(
    tmp_path: Path, golden: Golden
) -> None:
    template = {"name": "kreis_kurz", "language": "en_US", "parameters": ["link", "text"]}
    payload = adapter(tmp_path, template=template).prepare(variant(), "k3y", created_at=T0)
    golden("whatsapp/link_text", payload.as_dict())
    link, text = payload.messages[0]["body"]["template"]["parameters"]
    assert link == LINK and "\n" not in text and text.endswith(f"{LINK} #Kreistag")


def test_a_correction_reply_is_a_broadcast_of_its_own(tmp_path: Path, golden: Golden) -> None:
    two = Variant(
        "kreistag",
        "whatsapp",
        "whatsapp",
        (Part("(original)", 10), Part("Korrektur: Der Kreistag tagt um 18 Uhr.", 39)),
        4096,
        "characters",
        link=LINK,
        title="Kreistag tagt",
    )
    payload = adapter(tmp_path).prepare(two, "k3y", created_at=T0)
    golden("whatsapp/correction", payload.as_dict())
    assert [m["endpoint"] for m in payload.messages] == [
        "PUT /broadcasts/k3y",
        "PUT /broadcasts/k3y-1",
    ]
    assert payload.messages[1]["body"]["template"]["parameters"][1].startswith("Korrektur:")


def test_a_valid_post_has_no_problems(tmp_path: Path) -> None:
    assert adapter(tmp_path).check(variant()) == []


def test_the_summary_skips_title_link_and_hashtags_and_is_cut_at_a_word() -> None:
    text = f"Kreistag tagt\n\n{LINK}\n\n#Kreistag #Haushalt\n\n" + "Wort " * 200
    found = summary(variant(text), text)
    assert found.startswith("Wort Wort") and found.endswith("Wort…")
    assert len(found) <= SUMMARY_MAX


def test_an_empty_parameter_is_an_error(tmp_path: Path) -> None:
    problems = adapter(tmp_path).check(variant(link=None, text=BODY))
    assert [(p.code, p.field) for p in problems] == [("SP801", "link")]
    assert "{{3}} (link)" in problems[0].message


def test_the_title_is_never_changed_but_refused_with_a_line_break(tmp_path: Path) -> None:
    broken = "Kreistag\ttagt"
    payload = adapter(tmp_path).prepare(variant(title=broken), "k", created_at=T0)
    assert payload.messages[0]["body"]["template"]["parameters"][0] == broken
    problems = adapter(tmp_path).check(variant(title=broken))
    assert [(p.code, p.field) for p in problems] == [("SP802", "title")]
    spaces = adapter(tmp_path).check(variant(title="Kreistag     tagt"))
    assert [p.code for p in spaces] == ["SP802"]
    assert adapter(tmp_path).check(variant(title="Kreistag    tagt")) == []  # four are allowed


def test_parameters_over_1024_characters_are_an_error(tmp_path: Path) -> None:
    problems = adapter(tmp_path).check(variant(title="Kreistag " * 120))
    assert [p.code for p in problems] == ["SP803", "SP803"]  # the title, and all together
    assert "1080 characters" in problems[0].message


def test_media_get_a_warning_that_they_are_not_sent(tmp_path: Path) -> None:
    picture = Media("posts/media/saal.jpg", alt="Der Sitzungssaal", line=7)
    problems = adapter(tmp_path).check(variant(media=(picture,)))
    assert [(p.code, p.severity.value, p.line) for p in problems] == [("SP804", "warning", 7)]


def test_wrong_settings_refuse_to_make_an_adapter(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="service_url"):
        adapter(tmp_path, service_url="http://whatsapp.landkreis.example")
    with pytest.raises(ConfigError, match="fill"):
        adapter(tmp_path, template={"name": "kreis", "parameters": ["teaser"]})


# --- send, lookup, delete: the service ------------------------------------------------------


def test_send_puts_the_broadcast_with_the_bearer_token_and_records_counts(tmp_path: Path) -> None:
    service = BroadcastService(subscribers=1234)
    made = adapter(tmp_path)
    payload = made.prepare(variant(), "k3y", created_at=T0)
    progress = MemoryProgress()
    receipt = made.send(payload, http_for(service), progress)
    assert progress.events == [("before", 0), ("after", 0)]
    assert service.puts() == [("/broadcasts/k3y", payload.messages[0]["body"])]
    sent = receipt.sent[0]
    assert sent.id == "k3y" and sent.url == ""
    assert sent.refs["recipients"] == 1234 and sent.refs["state"] == "queued"
    assert set(sent.refs) == {
        "recipients",
        "pending",
        "sending",
        "sent",
        "delivered",
        "read",
        "unconfirmed",
        "failed",
        "state",
        "next_window",
        "stopped_reason",
    }


def test_a_second_send_with_the_same_key_changes_nothing(tmp_path: Path) -> None:
    service = BroadcastService()
    made = adapter(tmp_path)
    payload = made.prepare(variant(), "k3y", created_at=T0)
    first = made.send(payload, http_for(service), MemoryProgress())
    again = made.send(payload, http_for(service), MemoryProgress())
    assert first == again and len(service.broadcasts) == 1


@pytest.mark.parametrize(
    ("status", "templates"),
    [
        ("PAUSED", {("kreis_nachrichten", "de"): "PAUSED"}),
        ("does not exist", {("kreis_nachrichten", "en"): "APPROVED"}),
    ],
)
def test_a_template_known_not_to_be_approved_sends_nothing(
    tmp_path: Path, status: str, templates: dict[tuple[str, str], str]
) -> None:
    service = BroadcastService(templates=templates)
    made = adapter(tmp_path)
    payload = made.prepare(variant(), "k3y", created_at=T0)
    progress = MemoryProgress()
    with pytest.raises(Rejected, match=status) as caught:
        made.send(payload, http_for(service), progress)
    assert "nothing was sent" in caught.value.message
    assert service.puts() == [] and progress.events == []


def test_each_error_answer_of_the_service_maps_onto_the_error_tree(tmp_path: Path) -> None:
    made = adapter(tmp_path)
    payload = made.prepare(variant(), "k3y", created_at=T0)
    wrong = BroadcastService(token="another")
    with pytest.raises(AuthFailed, match="refused the token") as auth:
        made.send(payload, http_for(wrong), MemoryProgress())
    assert "service_token" in (auth.value.hint or "")
    taken = BroadcastService()
    made.send(
        made.prepare(variant(title="Alt"), "k3y", created_at=T0), http_for(taken), MemoryProgress()
    )
    with pytest.raises(Rejected, match="another text") as conflict:
        made.send(payload, http_for(taken), MemoryProgress())
    assert "socialpub correct" in (conflict.value.hint or "")
    invalid = BroadcastService()
    invalid.faults = [
        (
            200,
            {"templates": [{"name": "kreis_nachrichten", "language": "de", "status": "APPROVED"}]},
        ),
        (422, {"error": {"code": "invalid", "message": "template.parameters[1]: too long"}}),
    ]
    with pytest.raises(Rejected, match=r"parameters\[1\]: too long"):
        made.send(payload, http_for(invalid), MemoryProgress())


def test_a_failing_service_is_transient_and_the_token_never_shows(tmp_path: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            502, json={"error": {"code": "x", "message": request.headers["authorization"]}}
        )

    made = adapter(tmp_path)
    payload = made.prepare(variant(), "k3y", created_at=T0)
    http = make_http(httpx.MockTransport(down), {"service_token": TOKEN}, attempts=2)
    with pytest.raises(Transient) as caught:
        made.send(payload, http, MemoryProgress())
    assert TOKEN not in f"{caught.value} {caught.value.hint} {caught.value.args}"


def test_lookup_records_a_broadcast_the_service_has(tmp_path: Path) -> None:
    service = BroadcastService(subscribers=5)
    made = adapter(tmp_path)
    payload = made.prepare(variant(), "k3y", created_at=T0)
    assert made.lookup(payload, http_for(service), MemoryProgress()) is Lookup.ABSENT
    made.send(payload, http_for(service), MemoryProgress())
    progress = MemoryProgress()
    assert made.lookup(payload, http_for(service), progress) is Lookup.FOUND
    assert progress.done[0].id == "k3y" and progress.done[0].refs["recipients"] == 5


def test_refresh_brings_the_counts_up_to_date(tmp_path: Path) -> None:
    service = BroadcastService(subscribers=4)
    made = adapter(tmp_path)
    receipt = made.send(
        made.prepare(variant(), "k3y", created_at=T0), http_for(service), MemoryProgress()
    )
    service.deliver_all(failed={"131026": 1})
    fresh = made.refresh(http_for(service), receipt).sent[0].refs
    assert (fresh["state"], fresh["sent"], fresh["delivered"], fresh["read"]) == ("done", 3, 3, 1)
    assert fresh["failed"] == {"131026": 1}


def test_delete_says_why_not_and_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match="cannot delete") as caught:
        adapter(tmp_path).delete(http_for(BroadcastService()), Receipt((Sent("k3y"),)))
    assert "socialpub correct" in caught.value.message
