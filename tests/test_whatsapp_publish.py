"""End to end through the CLI: a git repository with a whatsapp channel, against a stand-in of
the subscriber service's broadcast API on 127.0.0.1 (tests/wabroadcast.py): validate warns
about the template, plan shows recipients and cost, publish broadcasts exactly once, status
shows (and --refresh fetches) the counts, delete refuses. No token or number in the ledger."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clirepo import ledger_text, run_socialpub, status_rows
from tests.wabroadcast import TOKEN, BroadcastService, serve, whatsapp_repo

ENV = {"WHATSAPP_SERVICE_TOKEN": TOKEN}
BODY = "Der Kreistag tagt am Mittwoch um 17 Uhr im Landratsamt. Die Sitzung ist öffentlich."


@dataclass
class Site:
    root: Path
    service: BroadcastService

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_socialpub(self.root, args, ENV if env is None else env)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    service = BroadcastService(subscribers=1234)
    with serve(service) as url:
        root = whatsapp_repo(tmp_path / "repo", url, BODY, 0.0613)
        yield Site(root, service)


def test_validate_warns_about_a_template_that_is_not_approved(site: Site) -> None:
    site.service.templates = {("kreis_nachrichten", "de"): "PAUSED"}
    done = site.run("validate", "--format", "json")
    assert done.returncode == 0, done.stderr
    found = [p for p in json.loads(done.stdout) if p["code"] == "SP805"]
    assert [(p["file"], p["line"], p["field"]) for p in found] == [
        ("socialpub.yaml", 7, "channels.whatsapp.template.name")
    ]
    assert "PAUSED" in found[0]["message"]


def test_without_the_token_validate_and_plan_stay_offline(site: Site) -> None:
    site.service.templates = {}
    assert site.run("validate", env={}).returncode == 0
    done = site.run("plan", "--json", env={})
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)[0]
    assert row["recipients"] is None and row["cost"] is None
    assert row["recipients_unknown"] == "WHATSAPP_SERVICE_TOKEN is not set"
    assert "recipients unknown" in done.stderr
    assert site.service.requests == []


def test_plan_shows_recipients_and_cost(site: Site) -> None:
    done = site.run("plan", "--json")
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)[0]
    assert (row["action"], row["recipients"], row["cost"]) == ("publish", 1234, 75.64)
    text = site.run("plan")
    assert "1,234 recipients, cost 75.64 (0.0613 per message)" in text.stdout


def test_an_unreachable_service_is_a_warning_in_plan(site: Site) -> None:
    config = site.root / "socialpub.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("service_url: http://127.0.0.1:", "service_url: http://127.0.0.1:1"),
        encoding="utf-8",
    )
    done = site.run("plan", "--json")
    assert done.returncode == 0, done.stderr
    assert "did not answer" in json.loads(done.stdout)[0]["recipients_unknown"]


def test_publish_broadcasts_once_and_status_shows_the_counts(site: Site) -> None:
    done = site.run("publish", "--commit")
    assert done.returncode == 0, done.stderr
    assert "whatsapp: kreistag goes to 1,234 recipients, cost 75.64" in done.stderr
    [(path, body)] = site.service.puts()
    assert path.startswith("/broadcasts/")
    assert body["template"]["parameters"] == [
        "Kreistag tagt",
        BODY,
        "https://www.landkreis.example/kreistag",
    ]
    assert body["text"].startswith("*Kreistag tagt*\n\n" + BODY)
    again = site.run("publish")
    assert again.returncode == 0 and len(site.service.puts()) == 1  # nothing sent twice
    [row] = status_rows(site.run("status", "--json"))
    assert row["state"] == "published" and row["broadcast"]["recipients"] == 1234
    assert row["broadcast"]["sent"] == 0
    site.service.deliver_all(failed={"131026": 2})
    [row] = status_rows(site.run("status", "--refresh", "--json"))
    assert (row["broadcast"]["sent"], row["broadcast"]["failed"]) == (1232, {"131026": 2})
    shown = site.run("status").stdout
    assert (
        "1,234 recipients, 1,232 sent, 1,232 delivered, 1 read, 2 failed (131026: 2) (done)"
        in shown
    )
    ledger = ledger_text(site.root)
    assert '"delivered": 1232' in ledger and TOKEN not in ledger
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=site.root, capture_output=True, text=True, check=True
    )
    assert "socialpub: ledger after publish (1 published)" in log.stdout


def test_publish_refuses_while_the_template_is_not_approved(site: Site) -> None:
    site.service.templates = {("kreis_nachrichten", "de"): "PENDING"}
    done = site.run("publish", "--json")
    assert done.returncode == 1
    [outcome] = json.loads(done.stdout)
    assert outcome["result"] == "failed" and "PENDING" in outcome["error"]
    assert site.service.puts() == []
    site.service.templates = {("kreis_nachrichten", "de"): "APPROVED"}
    assert site.run("publish").returncode == 0 and len(site.service.puts()) == 1


def test_delete_says_a_correction_is_the_way(site: Site) -> None:
    assert site.run("publish").returncode == 0
    done = site.run("delete", "kreistag")
    assert done.returncode == 1
    assert "cannot delete a message already delivered" in done.stdout
    assert "socialpub correct" in done.stdout


def test_a_changed_post_goes_out_as_a_correction_broadcast(site: Site) -> None:
    config = site.root / "socialpub.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "corrections:\n  channels:\n    whatsapp: reply\n",
        encoding="utf-8",
    )
    assert site.run("publish").returncode == 0
    post = site.root / "posts" / "kreistag.md"
    post.write_text(post.read_text(encoding="utf-8").replace("17 Uhr", "18 Uhr"), encoding="utf-8")
    done = site.run("publish")
    assert done.returncode == 0, done.stderr
    (first, _), (second, body) = site.service.puts()
    assert second.endswith("-1") and second != first  # a broadcast of its own, its own key
    assert body["template"]["parameters"][1].startswith("Korrektur:")
    assert "18 Uhr" in body["text"]
    site.run("publish")
    assert len(site.service.puts()) == 2  # and only once
