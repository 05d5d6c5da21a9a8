"""The whole way: `socialpub publish` from a git repository hands a post to the real
subscriber service (build_app over uvicorn) in front of the fake Cloud API; each subscriber's
phone gets the template once, and `status --refresh` records the counts Meta reported."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirepo import ledger_text, run_socialpub, status_rows
from tests.test_whatsapp_service import CITIZENS, SERVICE_TOKEN, Service, world  # noqa: F401
from tests.test_whatsapp_webhook_fake import wait_for
from tests.wabroadcast import whatsapp_repo
from tests.wafake import CloudApiFake

ENV = {"WHATSAPP_SERVICE_TOKEN": SERVICE_TOKEN}


def test_publish_reaches_every_subscriber_once(
    world: tuple[CloudApiFake, Service],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    fake, service = world
    for citizen in CITIZENS:
        fake.citizen_says(citizen, "Start")
    wait_for(lambda: all(fake.inbox(c) for c in CITIZENS))
    root = whatsapp_repo(
        tmp_path / "repo", service.url, "Der Kreistag tagt am Mittwoch um 17 Uhr.", 0.05
    )
    plan = json.loads(run_socialpub(root, ["plan", "--json"], ENV).stdout)
    assert (plan[0]["recipients"], plan[0]["cost"]) == (3, 0.15)
    done = run_socialpub(root, ["publish", "--commit"], ENV)
    assert done.returncode == 0, done.stderr
    assert "goes to 3 recipients, cost 0.15" in done.stderr

    def all_read() -> bool:
        rows = status_rows(run_socialpub(root, ["status", "--refresh", "--json"], ENV))
        return bool(rows[0]["broadcast"]) and rows[0]["broadcast"]["read"] == 3

    wait_for(all_read, seconds=20)
    assert run_socialpub(root, ["publish"], ENV).returncode == 0  # nothing more to send
    for citizen in CITIZENS:
        templates = [m for m in fake.inbox(citizen) if m["type"] == "template"]
        assert len(templates) == 1
    assert fake.duplicates() == []
    ledger = ledger_text(root)
    assert SERVICE_TOKEN not in ledger and not any(c in ledger for c in CITIZENS)
