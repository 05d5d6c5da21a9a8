"""Pause: the pause record, the gate, plan's pull-back of natively scheduled posts, the
`pause`/`resume` commands with `status` and `publish`, and a second clone that honours a pause
it pulled from the shared repository."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.errors import LedgerError, Rejected, UsageError
from socialpub.models import Receipt, Sent
from socialpub.net.http import Http
from socialpub.publishing.engine import Result
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.plan import Action, Delivery, idempotency_key, plan_delivery
from socialpub.publishing.unschedule import fresh_key, unscheduled
from socialpub.workflow.gate import Hold, HoldKind
from socialpub.workflow.pause import PauseGate, pause_for
from socialpub.workflow.pausefile import (
    PAUSE_FILE,
    Pause,
    paused,
    read_pauses,
    resumed,
    write_pauses,
)
from tests.adapterkit import T0
from tests.conftest import BASE_CONFIG, Repo
from tests.fakeplatform import FakePlatform
from tests.publishrepo import Channel, run, tokens, write_repo
from tests.test_engine import World, world
from tests.test_plan import MASTO, NOW, make_post, make_record, make_variant, target

__all__ = ["world"]  # the fixture, imported for pytest

SINCE = datetime(2026, 12, 3, 9, 12, tzinfo=UTC)
MOURNING = Pause("Anna Berg", "berg@kreis.example", SINCE, "Staatstrauer")
LINE = (
    "publishing paused by Anna Berg <berg@kreis.example> since 2026-12-03 09:12: Staatstrauer"
    " — `socialpub resume` ends it"
)


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def make_git_repo(root: Path, name: str = "Anna Berg", email: str = "berg@kreis.example") -> None:
    git(root, "init", "-q")
    git(root, "config", "user.name", name)
    git(root, "config", "user.email", email)


# --- the record ------------------------------------------------------------------------------


def test_no_pause_file_means_not_paused(tmp_path: Path) -> None:
    assert read_pauses(tmp_path) == ()


def test_the_record_is_written_and_read_back(tmp_path: Path) -> None:
    channel_pause = Pause("Ben Kurz", "", SINCE, "Störung", ("telegram",))
    write_pauses(tmp_path, (MOURNING, channel_pause))
    assert read_pauses(tmp_path) == (MOURNING, channel_pause)
    data = json.loads((tmp_path / PAUSE_FILE).read_text(encoding="utf-8"))
    assert data["format"] == 1
    assert data["pauses"][0] == {
        "by": "Anna Berg",
        "email": "berg@kreis.example",
        "since": "2026-12-03T09:12:00+00:00",
        "reason": "Staatstrauer",
        "channels": [],
    }
    write_pauses(tmp_path, ())
    assert not (tmp_path / PAUSE_FILE).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "pause.json:1: not valid JSON"),
        ('{"pauses": {}}', "field `pauses` must be a list"),
        ('{"pauses": [{"by": "A", "since": "2026-12-03T09:00"}]}', "pauses[0].reason must be"),
        (
            '{"pauses": [{"by": "A", "reason": "r", "since": "gestern"}]}',
            "pauses[0].since is not an ISO 8601 time",
        ),
        (
            '{"pauses": [{"by": "A", "reason": "r", "since": "2026-12-03T09:00"}]}',
            "pauses[0].since has no offset",
        ),
        (
            '{"pauses": [{"by": "A", "reason": "r", "since": "2026-12-03T09:00+01:00", '
            '"channels": "x"}]}',
            "pauses[0].channels must be a list",
        ),
        ('<<<<<<< HEAD\n{"pauses": []}\n=======\n>>>>>>> x\n', "git merge conflict markers"),
    ],
)
def test_a_damaged_record_is_an_error_never_not_paused(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / PAUSE_FILE).parent.mkdir(parents=True)
    (tmp_path / PAUSE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(LedgerError, match=message.replace("[", r"\[").replace("(", r"\(")):
        read_pauses(tmp_path)


def test_pausing_everything_replaces_channel_pauses() -> None:
    telegram = dataclasses.replace(MOURNING, channels=("telegram",))
    assert paused((), telegram) == (telegram,)
    assert paused((telegram,), MOURNING) == (MOURNING,)
    bluesky = dataclasses.replace(MOURNING, channels=("bluesky",))
    assert paused((telegram,), bluesky) == (telegram, bluesky)


def test_resume_ends_all_or_some_channels() -> None:
    both = dataclasses.replace(MOURNING, channels=("telegram", "bluesky"))
    assert resumed((both,), ()) == ()
    assert resumed((both,), ("telegram",)) == (dataclasses.replace(both, channels=("bluesky",)),)
    assert resumed((both,), ("telegram", "bluesky")) == ()
    with pytest.raises(UsageError, match="paused for every channel"):
        resumed((MOURNING,), ("telegram",))


# --- the gate and plan -----------------------------------------------------------------------


def test_the_gate_holds_the_channels_a_pause_covers() -> None:
    telegram = dataclasses.replace(MOURNING, channels=("telegram",))
    gate = PauseGate((telegram,))
    assert list(gate.holds(make_post(), make_variant(), NOW)) == []  # the variant is masto's
    on_telegram = dataclasses.replace(make_variant(), channel="telegram")
    (hold,) = gate.holds(make_post(), on_telegram, NOW)
    assert hold.kind is HoldKind.PAUSED and "publishing to telegram paused by" in hold.reason
    assert pause_for((telegram,), "telegram") is telegram and pause_for((telegram,), "x") is None
    (everything,) = PauseGate((MOURNING,)).holds(make_post(), make_variant(), NOW)
    assert everything.reason == LINE


HELD = (Hold(HoldKind.PAUSED, LINE),)


def test_a_due_post_is_paused() -> None:
    delivery = plan_delivery(make_post(), make_variant(), target(), None, NOW, holds=HELD)
    assert (delivery.action, delivery.reason) == (Action.PAUSED, LINE)


def test_a_natively_scheduled_post_is_pulled_back() -> None:
    tomorrow = NOW + timedelta(days=1)
    post = make_post(publish_at=tomorrow)
    record = make_record(State.SCHEDULED, scheduled_at=tomorrow, published_at=None)
    delivery = plan_delivery(post, make_variant(), target(), record, NOW, holds=HELD)
    assert delivery.action is Action.UNSCHEDULE and delivery.action.sends
    assert delivery.reason == f"pull it back from the platform's schedule: {LINE}"
    unpaused = plan_delivery(post, make_variant(), target(), record, NOW)
    assert unpaused.action is Action.DONE


def test_a_scheduled_post_whose_time_has_passed_is_looked_up_not_pulled_back() -> None:
    record = make_record(State.SCHEDULED, scheduled_at=NOW - timedelta(minutes=1))
    delivery = plan_delivery(make_post(), make_variant(), target(), record, NOW, holds=HELD)
    assert delivery.action is Action.CONFIRM


def test_a_published_post_is_left_alone_by_a_pause() -> None:
    record = make_record(State.PUBLISHED)
    delivery = plan_delivery(make_post(), make_variant(), target(), record, NOW, holds=HELD)
    assert delivery.action is Action.DONE


def test_after_the_pull_back_the_post_waits_and_then_goes_out_with_a_fresh_key() -> None:
    tomorrow = NOW + timedelta(days=1)
    post = make_post(publish_at=tomorrow)
    scheduled = make_record(State.SCHEDULED, scheduled_at=tomorrow, published_at=None)
    back = unscheduled(scheduled, NOW, "paused")
    assert back.state is State.UNSCHEDULED and back.sent == () and back.scheduled_at is None
    assert back.key == fresh_key(scheduled) != scheduled.key
    assert back.history[-1][1:] == ("unscheduled", "was scheduled for 2026-11-24 10:00; paused")
    while_paused = plan_delivery(post, make_variant(), target(), back, NOW, holds=HELD)
    assert while_paused.action is Action.PAUSED
    again = plan_delivery(post, make_variant(), target(), back, NOW)
    assert (again.action, again.schedule_at, again.key) == (Action.SCHEDULE, tomorrow, back.key)
    due = plan_delivery(post, make_variant(), target(), back, tomorrow)
    assert (due.action, due.reason) == (
        Action.RESUME,
        "pulled back by a pause, due now: publish it",
    )
    changed = make_variant(MASTO, "Der Kreistag tagt erst am Donnerstag.")
    edited = plan_delivery(post, changed, target(), back, NOW)
    assert edited.key == idempotency_key("kreistag", "masto", edited.revision)


# --- the commands ----------------------------------------------------------------------------


def cli(repo: Repo, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--config", str(repo.config)])
    return result.exit_code, result.stdout, result.stderr


def approved(repo: Repo) -> None:
    repo.post(
        "sprechzeiten.md",
        "---\nid: sprechzeiten\ntitle: Sprechzeiten\nstatus: approved\nchannels: [mastodon]\n"
        "---\nGeänderte Sprechzeiten im Landratsamt.\n",
    )


def test_pause_and_resume_commit_the_record(repo: Repo) -> None:
    make_git_repo(repo.root)
    code, out, err = cli(repo, "pause", "--reason", "Staatstrauer", "--commit")
    assert code == 0, err
    assert out.startswith("publishing paused by Anna Berg <berg@kreis.example> since ")
    assert "push it" in err
    log = git(repo.root, "log", "--name-status", "--format=%s %an").splitlines()
    assert log[0] == "socialpub: pause publishing: Staatstrauer Anna Berg"
    assert "A\t.socialpub/pause.json" in log
    code, out, _ = cli(repo, "resume", "--commit")
    assert (code, out) == (0, "publishing is not paused\n")
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "socialpub: resume publishing"
    assert not (repo.root / PAUSE_FILE).exists()


def test_pause_needs_a_reason_a_known_channel_and_a_git_identity(
    repo: Repo, tmp_path: Path
) -> None:
    make_git_repo(repo.root)
    assert cli(repo, "pause", "--reason", "  ")[0] == 2
    code, _, err = cli(repo, "pause", "--reason", "Test", "--channel", "mastodn")
    assert code == 3 and "unknown channel 'mastodn'" in err
    git(repo.root, "config", "--unset", "user.name")
    env = {"GIT_CONFIG_GLOBAL": str(tmp_path / "none"), "GIT_CONFIG_NOSYSTEM": "1"}
    result = CliRunner().invoke(
        app, ["pause", "--reason", "Test", "--config", str(repo.config)], env=env
    )
    assert result.exit_code == 3 and "git does not know who you are" in result.stderr
    assert not (repo.root / PAUSE_FILE).exists()


def test_resume_when_nothing_is_paused_says_so(repo: Repo) -> None:
    code, out, err = cli(repo, "resume")
    assert (code, out) == (0, "publishing is not paused\n") and "nothing was paused" in err
    assert "commit" not in err  # nothing changed, nothing to commit


def test_without_commit_pause_says_to_commit_and_push(repo: Repo) -> None:
    make_git_repo(repo.root)
    code, _, err = cli(repo, "pause", "--reason", "Übung", "--channel", "telegram")
    assert code == 0 and "commit and push .socialpub/pause.json (or use --commit)" in err
    assert read_pauses(repo.root)[0].channels == ("telegram",)
    assert "?? .socialpub/" in git(repo.root, "status", "--porcelain").splitlines()  # not committed


def test_status_and_plan_show_the_pause_and_publish_sends_nothing(repo: Repo) -> None:
    approved(repo)
    write_pauses(repo.root, (MOURNING,))
    code, out, _ = cli(repo, "status")
    assert code == 0 and out.splitlines()[0] == LINE
    code, out, _ = cli(repo, "status", "--json")
    assert code == 0
    (row,) = [r for r in json.loads(out) if r["channel"] == "mastodon"]
    assert row["pause"] == MOURNING.as_dict()
    code, out, _ = cli(repo, "plan", "--json")
    assert [(d["action"], d["reason"]) for d in json.loads(out)] == [("paused", LINE)]
    code, out, err = cli(repo, "publish")  # no token set: nothing may even try to connect
    assert code == 0, err
    assert err.splitlines()[0] == LINE
    assert not (repo.root / ".socialpub" / "ledger").exists()


def test_a_channel_pause_stops_only_that_channel(repo: Repo) -> None:
    approved(repo)
    write_pauses(repo.root, (dataclasses.replace(MOURNING, channels=("telegram",)),))
    _, out, _ = cli(repo, "plan", "--json")
    assert [d["action"] for d in json.loads(out)] == ["publish"]
    _, out, _ = cli(repo, "status", "--json")
    assert all(row["pause"] is None for row in json.loads(out))


def test_status_json_without_a_pause_has_null(repo: Repo) -> None:
    approved(repo)
    code, out, _ = cli(repo, "status", "--json")
    assert code == 0 and [row["pause"] for row in json.loads(out)] == [None]


def test_a_damaged_pause_record_stops_publish(repo: Repo) -> None:
    approved(repo)
    (repo.root / PAUSE_FILE).parent.mkdir(parents=True)
    (repo.root / PAUSE_FILE).write_text("{kaputt", encoding="utf-8")
    code, _, err = cli(repo, "publish")
    assert code == 4 and "pause.json:1: not valid JSON" in err and "git checkout" in err


def test_a_config_without_pause_quiet_hours_or_embargo_plans_as_before(repo: Repo) -> None:
    repo.write_config(BASE_CONFIG)
    approved(repo)
    _, out, _ = cli(repo, "plan", "--json")
    assert [(d["action"], d["reason"]) for d in json.loads(out)] == [("publish", "due now")]


# --- a second clone --------------------------------------------------------------------------

MASTODON = (Channel("masto", "mastodon"),)


def test_a_pause_pushed_by_one_clone_is_honoured_by_another(tmp_path: Path) -> None:
    with FakePlatform(tokens(MASTODON)) as server:
        origin, first, second = tmp_path / "origin.git", tmp_path / "a", tmp_path / "b"
        origin.mkdir()
        git(origin, "init", "-q", "--bare")
        first.mkdir()
        make_git_repo(first)
        ids = write_repo(first, server.url, MASTODON, 2)
        git(first, "add", "-A")
        git(first, "commit", "-qm", "Meldungen")
        git(first, "remote", "add", "origin", str(origin))
        git(first, "push", "-q", "origin", "main")
        git(tmp_path, "clone", "-q", str(origin), str(second))
        make_git_repo(second, "Ben Kurz", "kurz@kreis.example")

        paused_run = run(first, MASTODON, "pause", "--reason", "Staatstrauer", "--commit")
        assert paused_run.returncode == 0, paused_run.stderr
        git(first, "push", "-q", "origin", "main")
        git(second, "pull", "-q", "--ff-only")
        done = run(second, MASTODON, "publish")
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines()[0].startswith(
            "publishing paused by Anna Berg <berg@kreis.example> since "
        )
        assert done.stderr.splitlines()[0].endswith(": Staatstrauer — `socialpub resume` ends it")
        assert server.copies("masto") == {}
        status = run(second, MASTODON, "status")
        assert "paused by Anna Berg" in status.stdout and "Staatstrauer" in status.stdout

        assert run(first, MASTODON, "resume", "--commit").returncode == 0
        git(first, "push", "-q", "origin", "main")
        git(second, "pull", "-q", "--ff-only")
        done = run(second, MASTODON, "publish")
        assert done.returncode == 0, done.stderr
        assert "paused" not in done.stderr
        again = run(second, MASTODON, "publish")
        assert again.returncode == 0, again.stderr
        assert server.copies("masto") == dict.fromkeys(ids, 1)


# --- the website -----------------------------------------------------------------------------


def test_a_paused_website_is_built_as_of_the_moment_the_pause_began(repo: Repo) -> None:
    for post_id, at in (("vorher", "2026-12-03T08:00"), ("waehrend", "2026-12-03T12:00")):
        repo.post(
            f"{post_id}.md",
            f"---\nid: {post_id}\ntitle: {post_id}\nstatus: approved\npublish_at: {at}\n"
            "channels: [website]\n---\nText.\n",
        )
    since = datetime.fromisoformat("2026-12-03T09:00+01:00")

    def pages() -> list[str]:
        code, _, err = cli(repo, "site", "build", "--now", "2026-12-03T15:00")
        assert code == 0, err
        return sorted(p.parent.name for p in (repo.root / "site" / "posts").glob("*/index.html"))

    write_pauses(repo.root, (dataclasses.replace(MOURNING, since=since),))
    assert pages() == ["vorher"]
    write_pauses(repo.root, (dataclasses.replace(MOURNING, since=since, channels=("mastodon",)),))
    assert pages() == ["vorher", "waehrend"]  # a pause of other channels leaves the site alone
    write_pauses(repo.root, ())
    assert pages() == ["vorher", "waehrend"]


# --- the engine pulls back -------------------------------------------------------------------


def scheduled_delivery(world: World) -> Delivery:
    """A post on the fake platform's scheduler, as plan sees it while paused."""
    path = world.repo.post(
        "kreistag.md", "---\nid: kreistag\ntitle: K\nstatus: approved\n---\nDer Kreistag tagt.\n"
    )
    (planned,) = [d for d in world.plan(path) if d.channel == "masto"]
    world.platform.posts["s1"] = "Der Kreistag tagt."
    record = Record(
        post="kreistag",
        channel="masto",
        type="mastodon",
        state=State.SCHEDULED,
        key=planned.key,
        revision=planned.revision,
        created_at=T0,
        updated_at=T0,
        sent=(Sent("s1", "", {"scheduled": True}),),
        scheduled_at=T0 + timedelta(days=1),
    )
    world.ledger.put(record)
    return dataclasses.replace(
        planned, action=Action.UNSCHEDULE, reason="paused: Staatstrauer", record=record
    )


def test_the_engine_deletes_the_scheduled_post_and_records_it(world: World) -> None:
    delivery = scheduled_delivery(world)
    assert delivery.record is not None
    (outcome,) = world.engine().run([delivery])
    assert outcome.result is Result.UNSCHEDULED
    assert world.platform.posts == {}
    record = world.record("kreistag", "masto")
    assert record.state is State.UNSCHEDULED and record.key == fresh_key(delivery.record)
    assert record.history[-1][1:] == (
        "unscheduled",
        "was scheduled for 2026-11-24 09:00; paused: Staatstrauer",
    )


def test_a_failed_pull_back_leaves_it_scheduled_and_fails_the_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = scheduled_delivery(world)

    def refuse(http: Http, receipt: Receipt) -> None:
        raise Rejected("masto: not allowed")

    monkeypatch.setattr(world.adapters["masto"], "delete", refuse)
    (outcome,) = world.engine().run([delivery])
    assert (outcome.result, outcome.error) == (Result.FAILED, "masto: not allowed")
    record = world.record("kreistag", "masto")
    assert record.state is State.SCHEDULED and record.last_error == "masto: not allowed"
    assert record.history[-1][1:] == ("unschedule failed", "masto: not allowed")
    assert world.platform.posts == {"s1": "Der Kreistag tagt."}


# --- the audit -------------------------------------------------------------------------------


def test_the_audit_lists_every_committed_pause_and_resume(repo: Repo) -> None:
    make_git_repo(repo.root)
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "start")
    steps = [
        ("Anna Berg", ["pause", "--reason", "Staatstrauer", "--commit"]),
        ("Ben Kurz", ["resume", "--commit"]),
        (
            "Anna Berg",
            ["pause", "--reason", "Störung", "-c", "telegram", "-c", "bluesky", "--commit"],
        ),
        ("Ben Kurz", ["resume", "--channel", "telegram", "--commit"]),
    ]
    for name, args in steps:
        git(repo.root, "config", "user.name", name)
        git(repo.root, "config", "user.email", f"{name.split()[1].lower()}@kreis.example")
        assert cli(repo, *args)[0] == 0
    code, out, err = cli(repo, "audit", "--format", "json")
    assert code == 0, err
    found = [(e["event"], e["who"], e["channel"], e["detail"]) for e in json.loads(out)]
    # in time order; a test's steps share one second, so compare them as a set
    assert sorted(found) == sorted(
        [
            ("paused", "Anna Berg <berg@kreis.example>", "", "Staatstrauer"),
            ("resumed", "Ben Kurz <kurz@kreis.example>", "", "Staatstrauer"),
            ("paused", "Anna Berg <berg@kreis.example>", "telegram, bluesky", "Störung"),
            ("resumed", "Ben Kurz <kurz@kreis.example>", "telegram", "Störung"),
        ]
    )


def test_the_audit_without_git_or_pauses_has_none(repo: Repo) -> None:
    from socialpub.workflow.pausehistory import pause_history

    assert pause_history(repo.root) == []  # not a git repository
    make_git_repo(repo.root)
    assert pause_history(repo.root) == []  # no commits


def test_a_dry_run_while_paused_shows_the_pull_back_in_plan_but_sends_no_payload(
    repo: Repo,
) -> None:
    repo.post(
        "morgen.md",
        "---\nid: morgen\ntitle: Morgen\nstatus: approved\nchannels: [mastodon]\n"
        "publish_at: 2099-01-01T10:00\n---\nMorgen geöffnet.\n",
    )
    at = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    Ledger(repo.root).put(
        Record(
            "morgen",
            "mastodon",
            "mastodon",
            State.SCHEDULED,
            "k",
            "r",
            at,
            at,
            sent=(Sent("s1", "", {"scheduled": True}),),
            scheduled_at=at,
        )
    )
    write_pauses(repo.root, (MOURNING,))
    _, out, _ = cli(repo, "plan", "--json")
    assert [d["action"] for d in json.loads(out)] == ["unschedule"]
    code, out, err = cli(repo, "publish", "--dry-run", "--json")
    assert (code, json.loads(out)) == (0, [])
    assert err.splitlines()[0] == LINE
