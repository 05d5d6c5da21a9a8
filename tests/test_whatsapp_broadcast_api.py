"""The broadcast API of the contract: auth, idempotent PUT, 409, 422 for WhatsApp's template
rules, progress, audience, templates (cached), health. The Graph API is a stand-in on real
local HTTP (tests/graphstub.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from socialpub.whatsapp.broadcast_api import BroadcastApi
from tests.graphstub import GraphStub, Reply
from tests.whatsapp_outbound_helpers import Clock, api_for, store_with

SERVICE_TOKEN = "service-token-123"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
BODY: dict[str, Any] = {
    "post": "2026-12-03-kreistag",
    "channel": "whatsapp",
    "template": {
        "name": "kreis_nachrichten",
        "language": "de",
        "parameters": ["Kreistag", "Montag 18 Uhr", "https://l.example/1"],
    },
    "text": "Kreistag\n\nMontag 18 Uhr",
}
LISTING = {
    "data": [
        {
            "name": "kreis_nachrichten",
            "language": "de",
            "status": "APPROVED",
            "category": "MARKETING",
            "id": "9",
            "components": [{"type": "BODY", "text": "Neu: {{1}} {{2}} {{3}}"}],
        }
    ]
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, list[str], Clock]]:
    clock = Clock()
    conn = store_with(tmp_path / "s.sqlite3", 4)
    graph = GraphStub(lambda body, n: Reply(200, LISTING))
    api = api_for(graph.base_url)
    woken: list[str] = []
    routes = BroadcastApi(
        conn, api, SERVICE_TOKEN, clock, timedelta(minutes=10), on_new=lambda: woken.append("x")
    ).routes()
    try:
        with TestClient(Starlette(routes=routes)) as test_client:
            yield test_client, graph.paths, clock
    finally:
        graph.stop()


def test_without_the_bearer_token_every_route_but_health_is_401(client: Any) -> None:
    http, _, _ = client
    for method, path in [
        ("PUT", "/broadcasts/k1"),
        ("GET", "/broadcasts/k1"),
        ("GET", "/audience"),
        ("GET", "/templates"),
    ]:
        answer = http.request(method, path, headers={"Authorization": "Bearer wrong"})
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"
    assert http.get("/health").json() == {"status": "ok"}


def test_put_is_idempotent_by_key_and_refuses_another_body(client: Any) -> None:
    http, _, _ = client
    first = http.put("/broadcasts/k1", json=BODY, headers=AUTH)
    assert first.status_code == 201
    progress = first.json()
    assert (progress["recipients"], progress["pending"], progress["state"]) == (4, 4, "queued")
    assert progress["failed"] == {} and progress["next_window"] is None
    again = http.put("/broadcasts/k1", json=BODY, headers=AUTH)
    assert again.status_code == 200 and again.json() == progress
    other = http.put("/broadcasts/k1", json={**BODY, "text": "anders"}, headers=AUTH)
    assert other.status_code == 409 and other.json()["error"]["code"] == "conflict"
    assert http.get("/broadcasts/k1", headers=AUTH).json() == progress
    assert http.get("/broadcasts/nope", headers=AUTH).status_code == 404
    assert http.get("/audience", headers=AUTH).json() == {"recipients": 4}


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        (["Zeile\nzwei", "b", "c"], "template.parameters[1]"),
        (["a", "tab\there", "c"], "template.parameters[2]"),
        (["a", "b", "fünf     Leerzeichen"], "template.parameters[3]"),
        (["a", "b", "x" * 1025], "template.parameters[3]"),
        (["a", "b"], "template.parameters: 2 given, the template has 3"),
        (["a", "b", ""], "template.parameters[3]"),
    ],
)
def test_template_rules_are_checked_before_anything_is_stored(
    client: Any, parameters: list[str], field: str
) -> None:
    http, _, _ = client
    body = {**BODY, "template": {**BODY["template"], "parameters": parameters}}
    answer = http.put("/broadcasts/k2", json=body, headers=AUTH)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid"
    assert field in answer.json()["error"]["message"]
    assert http.get("/broadcasts/k2", headers=AUTH).status_code == 404


def test_malformed_and_oversized_bodies_are_refused(client: Any) -> None:
    http, _, _ = client
    assert http.put("/broadcasts/k3", content=b"{nope", headers=AUTH).status_code == 422
    missing = http.put("/broadcasts/k3", json={**BODY, "post": 5}, headers=AUTH)
    assert missing.status_code == 422 and "post" in missing.json()["error"]["message"]
    huge = json.dumps({**BODY, "text": "x" * 70_000}).encode()
    assert http.put("/broadcasts/k3", content=huge, headers=AUTH).status_code == 413
    assert http.put("/broadcasts/bad key!", json=BODY, headers=AUTH).status_code == 422


def test_templates_come_from_the_graph_api_and_are_cached_five_minutes(client: Any) -> None:
    http, graph_calls, clock = client
    listed = http.get("/templates", headers=AUTH).json()
    assert listed == {
        "templates": [
            {
                "name": "kreis_nachrichten",
                "language": "de",
                "status": "APPROVED",
                "category": "MARKETING",
                "parameters": 3,
            }
        ]
    }
    http.get("/templates", headers=AUTH)
    assert graph_calls == ["/v23.0/200000000000002/message_templates"]
    clock.advance(timedelta(minutes=5))
    http.get("/templates", headers=AUTH)
    assert len(graph_calls) == 2
