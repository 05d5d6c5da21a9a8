"""`socialpub calendar` on a posts repository in a temp folder: the week view, `--json`,
`--ics` parsed back with icalendar, the channel filter, a pause, workflow approvals, and
bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.publishing.calendar_ics import uid
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.workflow.pausefile import Pause, write_pauses
from tests.clirepo import write_post
from tests.workflowrepo import ANNA, EVA, TOM, WORKFLOW, WorkflowRepo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = "2026-12-03T09:00"  # a Thursday: the view starts on Monday 30 November
CONFIG = """\
timezone: Europe/Berlin
lang: de
publish:
  quiet_hours: "22:00-06:00"
channels:
  mastodon:
    type: mastodon
    instance: https://social.example
    token: ${MASTODON_TOKEN}
    schedule: native
  telegram:
    type: telegram
    chat: "@kreis"
    token: ${TELEGRAM_TOKEN}
"""
BOTH = ["mastodon", "telegram"]
SECRET_TITLE = "Neuer Landrat gewählt"
runner = CliRunner()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def record(post_id: str, channel: str, state: State, **fields: Any) -> Record:
    values: dict[str, Any] = {
        "post": post_id,
        "channel": channel,
        "type": channel,
        "state": state,
        "key": "k",
        "revision": "r",
        "created_at": at("2026-12-01T08:00"),
        "updated_at": at("2026-12-01T08:01"),
    }
    return Record(**(values | fields))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "posts").mkdir()
    (tmp_path / "socialpub.yaml").write_text(CONFIG, encoding="utf-8")
    posts: dict[str, dict[str, Any]] = {
        "haushalt": {"publish_at": "2026-12-04T10:00"},
        "entwurf": {"status": "draft", "publish_at": "2026-12-07T09:00"},
        "pruefung": {"status": "review", "publish_at": "2026-12-08T09:00"},
        "nachts": {"publish_at": "2026-12-05T23:00"},
        "geheim": {"title": SECRET_TITLE, "embargo": True, "publish_at": "2026-12-09T12:00"},
        "erschienen": {"publish_at": "2026-12-01T08:00"},
        "geplant": {"publish_at": "2026-12-10T10:00"},
        "kaputt": {"publish_at": "2026-12-02T08:00"},
        "ohne-datum": {"status": "draft"},
    }
    for post_id, front in posts.items():
        write_post(tmp_path, post_id, f"Meldung {post_id} aus dem Landratsamt.", BOTH, **front)
    ledger = Ledger(tmp_path)
    published = at("2026-12-01T08:00")
    for channel in BOTH:
        url = f"https://{channel}.example/erschienen"
        ledger.put(record("erschienen", channel, State.PUBLISHED, published_at=published, url=url))
    ledger.put(record("geplant", "mastodon", State.SCHEDULED, scheduled_at=at("2026-12-10T10:00")))
    ledger.put(record("kaputt", "telegram", State.FAILED, attempts=1, last_error="HTTP 503"))
    return tmp_path


def calendar(root: Path, *args: str) -> tuple[int, str, str]:
    config = str(root / "socialpub.yaml")
    env = {"NO_COLOR": "1", "COLUMNS": "200", "SOCIALPUB_CONFIG": config}
    result = runner.invoke(app, ["calendar", "--now", NOW, *args], env=env)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def states(data: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str | None]]:
    return {
        (post["post"], slot["channel"]): (slot["state"], slot["at"])
        for post in data["posts"]
        for slot in post["channels"]
    }


EXPECTED = {
    ("erschienen", "mastodon"): ("published", "2026-12-01T08:00:00+01:00"),
    ("erschienen", "telegram"): ("published", "2026-12-01T08:00:00+01:00"),
    ("kaputt", "mastodon"): ("approved", "2026-12-03T09:00:00+01:00"),  # due now
    ("kaputt", "telegram"): ("failed", "2026-12-01T08:01:00+01:00"),
    ("haushalt", "mastodon"): ("approved", "2026-12-04T10:00:00+01:00"),  # to be scheduled
    ("haushalt", "telegram"): ("approved", "2026-12-04T10:00:00+01:00"),
    ("nachts", "mastodon"): ("quiet hours", "2026-12-06T06:00:00+01:00"),
    ("nachts", "telegram"): ("quiet hours", "2026-12-06T06:00:00+01:00"),
    ("entwurf", "mastodon"): ("draft", "2026-12-07T09:00:00+01:00"),
    ("entwurf", "telegram"): ("draft", "2026-12-07T09:00:00+01:00"),
    ("pruefung", "mastodon"): ("awaiting approval", "2026-12-08T09:00:00+01:00"),
    ("pruefung", "telegram"): ("awaiting approval", "2026-12-08T09:00:00+01:00"),
    ("geheim", "mastodon"): ("embargoed", "2026-12-09T12:00:00+01:00"),
    ("geheim", "telegram"): ("embargoed", "2026-12-09T12:00:00+01:00"),
    ("geplant", "mastodon"): ("scheduled", "2026-12-10T10:00:00+01:00"),
    ("geplant", "telegram"): ("approved", "2026-12-10T10:00:00+01:00"),
    ("ohne-datum", "mastodon"): ("draft", None),
    ("ohne-datum", "telegram"): ("draft", None),
}


def test_json_has_every_post_and_channel_with_its_state(repo: Path) -> None:
    code, out, err = calendar(repo, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {k: data[k] for k in ("from", "until", "timezone")} == {
        "from": "2026-11-30",
        "until": "2026-12-14",
        "timezone": "Europe/Berlin",
    }
    assert states(data) == EXPECTED
    by_post = {post["post"]: post for post in data["posts"]}
    assert set(by_post["geheim"]) == {"post", "title", "at", "embargoed_until", "channels"}
    assert by_post["geheim"]["title"] is None
    assert by_post["geheim"]["embargoed_until"] == "2026-12-09T12:00:00+01:00"
    assert SECRET_TITLE not in out
    (kaputt,) = [s for s in by_post["kaputt"]["channels"] if s["channel"] == "telegram"]
    assert kaputt["reason"].endswith("HTTP 503")
    urls = {s["url"] for s in by_post["erschienen"]["channels"]}
    assert urls == {"https://mastodon.example/erschienen", "https://telegram.example/erschienen"}


def test_the_window_follows_from_and_weeks(repo: Path) -> None:
    code, out, err = calendar(repo, "--json", "--from", "2026-12-09", "--weeks", "1")
    assert code == 0, err
    data = json.loads(out)
    assert (data["from"], data["until"]) == ("2026-12-07", "2026-12-14")
    week = {"entwurf", "pruefung", "geheim", "geplant", "ohne-datum"}
    assert {post for post, _ in states(data)} == week


def test_today_is_the_config_zones_day(repo: Path) -> None:
    """23:30 UTC on Sunday is already Monday in Berlin: the view starts that Monday."""
    code, out, err = calendar(repo, "--json", "--now", "2026-12-06T23:30+00:00")
    assert code == 0, err
    assert json.loads(out)["from"] == "2026-12-07"


def test_the_channel_filter(repo: Path) -> None:
    code, out, err = calendar(repo, "--json", "--channel", "telegram")
    assert code == 0, err
    found = states(json.loads(out))
    assert found == {k: v for k, v in EXPECTED.items() if k[1] == "telegram"}


def test_the_week_view(repo: Path) -> None:
    code, out, err = calendar(repo)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Week 49: Mon 30.11.2026 – Sun 06.12.2026"
    assert "Week 50: Mon 07.12.2026 – Sun 13.12.2026" in lines
    assert "Without a date" in lines
    first, second = [line for line in lines if "[haushalt]" in line]
    assert first.split()[:6] == ["Fri", "04.12.", "10:00", "haushalt", "[haushalt]", "mastodon"]
    assert "approved" in first and "platform's scheduler" in first
    assert second.split()[:4] == ["10:00", "haushalt", "[haushalt]", "telegram"]
    assert "waits until 2026-12-04 10:00" in second
    both = next(line for line in lines if "[entwurf]" in line)
    assert "mastodon, telegram" in both and "draft" in both
    quiet = next(line for line in lines if "[nachts]" in line)
    assert quiet.split()[:3] == ["Sun", "06.12.", "06:00"] and "quiet hours" in quiet
    secret = next(line for line in lines if "[geheim]" in line)
    assert "[geheim] · embargoed until 2026-12-09 12:00" in secret
    assert SECRET_TITLE not in out
    assert next(line for line in lines if line.strip().startswith("Mon 30.11.")).endswith("–")
    assert "18 deliveries in 2 weeks" not in err  # the undated ones are not in a week
    assert "16 deliveries in 2 weeks" in err


def events_of(data: bytes) -> dict[str, Any]:
    calendar_ = Calendar.from_ical(data)
    assert [tz.tz_name for tz in calendar_.timezones] == ["Europe/Berlin"]
    return {str(event.uid): event for event in calendar_.events}


def test_ics_has_every_dated_post_and_updates_rather_than_duplicates(repo: Path) -> None:
    target = repo / "out" / "kalender.ics"
    code, out, err = calendar(repo, "--ics", str(target))
    assert code == 0, err
    assert out == ""  # the note goes to stderr
    assert "kalender.ics: 8 events written" in err
    first = target.read_bytes()
    assert first.startswith(b"BEGIN:VCALENDAR\r\n")
    events = events_of(first)
    expected_posts = {post for post, _ in EXPECTED} - {"ohne-datum"}
    assert set(events) == {uid(post) for post in expected_posts}
    for post_id in expected_posts:
        event = events[uid(post_id)]
        start = event.start
        assert isinstance(start, datetime) and str(start.tzinfo) == "Europe/Berlin"
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        lines = (event.description or "").splitlines()
        assert lines[0] == f"post: {post_id}"
        by_channel = {line.split(":")[0]: line for line in lines[1:]}
        assert sorted(by_channel) == BOTH
        for channel, line in by_channel.items():
            state, slot_at = EXPECTED[(post_id, channel)]
            when = datetime.fromisoformat(slot_at or "").strftime("%Y-%m-%d %H:%M")
            assert line.startswith(f"{channel}: {state} {when}"), line
        assert event.stamp == at(NOW)
        summary = event.summary
        if post_id == "geheim":
            assert summary == "[geheim] · embargoed until 2026-12-09 12:00"
            assert lines[1:] == [
                "mastodon: embargoed 2026-12-09 12:00",
                "telegram: embargoed 2026-12-09 12:00",
            ]
        else:
            assert summary == post_id  # write_post's title is the id
    assert events[uid("haushalt")].start == at("2026-12-04T10:00")
    assert events[uid("entwurf")]["STATUS"] == "TENTATIVE"
    assert events[uid("erschienen")]["STATUS"] == "CONFIRMED"
    assert SECRET_TITLE.encode() not in first
    # exported again later: the same events (UIDs), stamped with the new time
    code, _, err = calendar(repo, "--ics", str(target), "--now", "2026-12-03T12:00")
    assert code == 0, err
    assert set(events_of(target.read_bytes())) == set(events)


def test_ics_to_standard_output_and_its_json_note(repo: Path) -> None:
    code, out, err = calendar(repo, "--ics", "-")
    assert code == 0, err
    assert len(events_of(out.encode())) == 8
    code, out, err = calendar(repo, "--ics", str(repo / "k.ics"), "--json")
    assert code == 0, err
    assert json.loads(out) == {"ics": str(repo / "k.ics"), "events": 8}


def test_ics_takes_a_window_only_when_asked(repo: Path) -> None:
    code, out, err = calendar(repo, "--ics", "-", "--from", "2026-12-07", "--weeks", "1")
    assert code == 0, err
    assert set(events_of(out.encode())) == {
        uid(p) for p in ("entwurf", "pruefung", "geheim", "geplant")
    }


def test_a_pause_shows_in_the_calendar(repo: Path) -> None:
    since = at("2026-12-03T08:00")
    write_pauses(repo, [Pause("Anna Berg", "berg@kreis.example", since, "Staatstrauer")])
    code, out, err = calendar(repo, "--json")
    assert code == 0, err
    found = states(json.loads(out))
    assert found[("haushalt", "mastodon")][0] == "paused"
    assert found[("kaputt", "telegram")][0] == "paused"
    assert found[("geplant", "mastodon")] == ("paused", "2026-12-10T10:00:00+01:00")
    assert found[("erschienen", "telegram")][0] == "published"
    assert found[("entwurf", "telegram")][0] == "draft"


NEUTRALITY = """\
etiquette:
  neutrality:
    - {from: 2027-02-14, to: 2027-03-14, tags: [politik], reason: Kommunalwahl 14.03.2027}
"""


def test_workflow_approvals_and_a_neutrality_period(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo", NEUTRALITY + WORKFLOW)
    repo.post("strassenbau", "sperrung", "publish_at: 2026-12-04T10:00\n")
    election = "channels: [website]\ntags: [Politik]\npublish_at: 2027-03-01T12:00\n"
    repo.post("allgemein", "wahl", election)
    repo.commit(TOM, "two posts")

    def found(*args: str) -> dict[tuple[str, str], tuple[str, str | None]]:
        code, out, err = repo.socialpub(TOM, "calendar", "--json", "--now", NOW, *args)
        assert code == 0, err
        return states(json.loads(out))

    waiting = ("awaiting approval", "2026-12-04T10:00:00+01:00")
    assert found() == {("sperrung", c): waiting for c in ("mastodon", "telegram", "website")}
    for channel in ("mastodon", "website"):
        code, _, err = repo.socialpub(EVA, "approve", "sperrung", "--channel", channel)
        assert code == 0, err
    approved = ("approved", "2026-12-04T10:00:00+01:00")
    assert found() == {  # telegram is the press office's to approve
        ("sperrung", "mastodon"): approved,
        ("sperrung", "telegram"): waiting,
        ("sperrung", "website"): approved,
    }
    assert repo.socialpub(ANNA, "approve", "wahl")[0] == 0
    in_period = found("--from", "2027-03-01", "--weeks", "1")
    assert in_period == {("wahl", "website"): ("held", "2027-03-01T12:00:00+01:00")}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--from", "2026-13-01"], 2, "--from '2026-13-01' is not a date"),
        (["--from", "morgen", "--json"], 2, "--from 'morgen' is not a date"),
        (["--weeks", "0"], 2, "0 is not in the range"),
        (["--ics", "-", "--json"], 2, "--ics - and --json both write to standard output"),
        (["--channel", "instagram"], 3, "instagram"),
        (["--now", "gestern"], 2, "is not a time"),
    ],
)
def test_bad_input_is_a_clear_message(repo: Path, args: list[str], code: int, message: str) -> None:
    exit_code, out, err = calendar(repo, *args)
    assert exit_code == code
    assert message in out + err
    assert "Traceback" not in out + err
    if "--json" in args:
        assert json.loads(out)["exit_code"] == code
