"""The publishing commands through the command line: plan, publish --dry-run, status,
reconcile, delete, the lock and --commit. Real sending is covered against local servers
(test_exactly_once, test_crash_safety, test_mastodon_mock, test_bluesky_pds)."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.models import Sent
from socialpub.publishing.gitcommit import commit_ledger
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.lock import RepoLock
from tests.adapterkit import FakeClock
from tests.conftest import Repo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = "2026-11-27T12:00"
SECRETS = {"MASTODON_TOKEN": "m-sekrit-123", "TELEGRAM_TOKEN": "123:t-sekrit"}


def run(repo: Repo, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(app, [*args, "--config", str(repo.config)], env=env or {})
    return result.exit_code, result.stdout, result.stderr


def write_post(repo: Repo, post_id: str, status: str = "approved", extra: str = "") -> Path:
    return repo.post(
        f"{post_id}.md",
        f"---\nid: {post_id}\ntitle: Titel {post_id}\nstatus: {status}\n"
        f"channels: [mastodon, telegram]\n{extra}---\nText von {post_id}.\n",
    )


@pytest.fixture
def posts(repo: Repo) -> Repo:
    write_post(repo, "faellig")
    write_post(repo, "entwurf", status="draft")
    write_post(repo, "spaeter", extra="publish_at: 2026-12-01T09:00\n")
    write_post(repo, "abgelaufen", extra="expires_at: 2026-11-20T09:00\n")
    return repo


def plan_json(repo: Repo) -> dict[tuple[str, str], dict[str, str]]:
    code, out, _ = run(repo, "plan", "--now", NOW, "--json")
    assert code == 0
    return {(d["post"], d["channel"]): d for d in json.loads(out)}


def test_plan_says_what_would_happen_and_why(posts: Repo) -> None:
    plan = plan_json(posts)
    assert plan["faellig", "mastodon"]["action"] == "publish"
    assert plan["entwurf", "mastodon"]["action"] == "blocked"
    assert "draft" in plan["entwurf", "mastodon"]["reason"]
    assert plan["spaeter", "telegram"]["action"] == "wait"
    assert "2026-12-01 09:00" in plan["spaeter", "telegram"]["reason"]
    assert plan["abgelaufen", "mastodon"]["action"] == "expired"


def test_plan_text_lists_every_delivery(posts: Repo) -> None:
    code, out, err = run(posts, "plan", "--now", NOW)
    assert code == 0
    assert "faellig" in out and "publish" in out and "due now" in out
    assert "8 deliveries" in err


def test_a_bad_now_is_a_usage_error(posts: Repo) -> None:
    code, _, err = run(posts, "plan", "--now", "morgen")
    assert code == 2 and "--now 'morgen' is not a time" in err


def test_dry_run_prints_payloads_and_touches_nothing(posts: Repo) -> None:
    code, out, err = run(posts, "publish", "--dry-run", "--now", NOW, "--json")  # no secrets set
    assert code == 0, err
    payloads = json.loads(out)
    assert {(p["post"], p["channel"]) for p in payloads} == {
        ("faellig", "mastodon"),
        ("faellig", "telegram"),
    }
    assert all(p["messages"] and p["key"] for p in payloads)
    assert not (posts.root / ".socialpub" / "ledger").exists()
    assert not (posts.root / ".socialpub" / "lock").exists()


def test_dry_run_never_shows_a_secret(posts: Repo) -> None:
    code, out, err = run(posts, "publish", "--dry-run", "--now", NOW, env=SECRETS)
    assert code == 0
    assert "Text von faellig" in out
    for secret in SECRETS.values():
        assert secret not in out + err


def test_an_invalid_approved_post_is_refused_with_exit_3(posts: Repo) -> None:
    posts.post("kaputt.md", "---\nid: kaputt\ntitle: x\nstatus: approved\nchanels: [x]\n---\nx\n")
    code, out, err = run(posts, "publish", "--dry-run", "--now", NOW, "--json")
    assert code == 3
    assert "post kaputt is approved but invalid" in err and "SP102" in err
    assert "faellig" in out  # the valid ones still go out


def test_status_shows_records_and_posts_not_sent(posts: Repo) -> None:
    at = datetime(2026, 11, 27, 11, 0, tzinfo=BERLIN)
    Ledger(posts.root).put(
        Record(
            post="faellig",
            channel="mastodon",
            type="mastodon",
            state=State.PUBLISHED,
            key="k",
            revision="r",
            created_at=at,
            updated_at=at,
            published_at=at,
            sent=(Sent("1", "https://social.example/@kreis/1"),),
            url="https://social.example/@kreis/1",
            attempts=2,
        )
    )
    code, out, _ = run(posts, "status", "--json")
    assert code == 0
    rows = {(r["post"], r["channel"]): r for r in json.loads(out)}
    assert rows["faellig", "mastodon"]["state"] == "published"
    assert rows["faellig", "mastodon"]["url"] == "https://social.example/@kreis/1"
    assert rows["faellig", "mastodon"]["attempts"] == 2
    assert rows["faellig", "telegram"]["state"] == "not sent"
    assert plan_json(posts)["faellig", "mastodon"]["action"] in ("done", "edit")


def test_a_second_publish_waits_then_gives_up_clearly(posts: Repo) -> None:
    config = posts.config.read_text() + "publish:\n  lock_wait: 0.3\n"
    posts.write_config(config)
    with RepoLock(posts.root, FakeClock().clock(), wait=0):
        code, _, err = run(posts, "publish", "--now", NOW)
    assert code == 4
    assert "another socialpub run is publishing from this repository" in err


def test_reconcile_with_nothing_open(posts: Repo) -> None:
    code, out, _ = run(posts, "reconcile")
    assert code == 0 and "nothing is unconfirmed" in out
    code, _, err = run(posts, "reconcile", "--mark-published", "https://x", "--resend")
    assert code == 2 and "either" in err


def test_delete_of_something_never_published(posts: Repo) -> None:
    code, _, err = run(posts, "delete", "faellig")
    assert code == 2 and "nothing of post 'faellig' was published" in err


def test_commit_ledger_commits_only_the_ledger(posts: Repo) -> None:
    root = posts.root
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.name", "t"], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.email", "t@x.invalid"], check=True)
    assert commit_ledger(root, "nothing yet") is False
    at = datetime(2026, 11, 27, 11, 0, tzinfo=BERLIN)
    Ledger(root).put(Record("faellig", "mastodon", "mastodon", State.PUBLISHED, "k", "r", at, at))
    (root / "unrelated.txt").write_text("not part of the commit")
    assert commit_ledger(root, "socialpub: ledger after publish (1 published)") is True
    log = subprocess.run(
        [*git, "-C", str(root), "log", "--name-only", "--format=%s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "socialpub: ledger after publish (1 published)" in log
    assert ".socialpub/ledger/faellig/mastodon.json" in log
    assert "unrelated.txt" not in log
    assert commit_ledger(root, "again") is False  # nothing changed


def test_publishing_to_the_website_builds_the_page_and_records_it(repo: Repo) -> None:
    repo.write_config(
        "timezone: Europe/Berlin\nchannels:\n  web:\n    type: website\n"
        "    base_url: https://www.kreis.example/aktuelles\n    out_dir: public\n"
    )
    repo.post(
        "a.md",
        "---\nid: sprechzeiten\ntitle: Neue Sprechzeiten\nstatus: approved\n---\nAb Montag.\n",
    )
    code, out, err = run(repo, "publish", "--now", NOW, "--json")
    assert code == 0, err
    (outcome,) = json.loads(out)
    assert outcome["result"] == "published"
    assert outcome["url"] == "https://www.kreis.example/aktuelles/posts/sprechzeiten/"
    page = repo.root / "public" / "posts" / "sprechzeiten" / "index.html"
    assert "Neue Sprechzeiten" in page.read_text(encoding="utf-8")
    record = Ledger(repo.root).get("sprechzeiten", "web")
    assert record is not None and record.state is State.PUBLISHED
    code, out, _ = run(repo, "publish", "--now", NOW, "--json")
    assert code == 0 and json.loads(out) == []  # done: nothing to publish again


def test_site_build_writes_only_what_changed(posts: Repo) -> None:
    code, out, err = run(posts, "site", "build", "--now", NOW, "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["written"] == first["total"] > 0 and first["out"].endswith("site")
    assert (posts.root / "site" / "index.html").is_file()
    code, out, _ = run(posts, "site", "build", "--now", NOW, "--json")
    assert json.loads(out)["written"] == 0
    code, out, _ = run(posts, "site", "build", "--now", NOW)
    assert code == 0 and "wrote 0 of" in out


def test_sources_fetch_reports_a_failing_source_and_exits_1(repo: Repo) -> None:
    repo.write_config(
        repo.config.read_text()
        + "sources:\n  stadt:\n    kind: rss\n    url: http://127.0.0.1:9/feed.xml\n"
    )
    code, _, err = run(repo, "sources", "fetch")
    assert code == 1
    assert "source stadt:" in err and "skipped" in err
