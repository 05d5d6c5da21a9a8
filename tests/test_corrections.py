"""Corrections: the config's policy, plan's decisions, and the engine's corrections on Bluesky
(the in-memory PDS of test_bluesky) and Telegram (the Bot API stand-in of test_telegram),
through the real workset, engine, adapters and ledger. What a follower sees is read from the
fakes' stored state."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.content.config import ChannelConfig, Config, load_config
from socialpub.content.corrections import Kind, Policy
from socialpub.errors import ConfigError, UsageError
from socialpub.models import Sent
from socialpub.net.http import Http
from socialpub.publishing.correction_run import settle
from socialpub.publishing.engine import Engine, Outcome, make_adapters, prepare
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.plan import Action, Delivery, Target, plan_delivery, revision
from socialpub.publishing.reconcile import delete
from socialpub.publishing.workset import build
from tests.adapterkit import T0, FakeClock, make_http
from tests.conftest import PROJECT, Repo
from tests.test_bluesky import PASSWORD, PDS, FakePds
from tests.test_plan import make_post, make_record, make_variant
from tests.test_telegram import TOKEN, Bot

CHANNELS = f"""\
timezone: Europe/Berlin
channels:
  bsky:
    type: bluesky
    handle: kreis.test
    service: {PDS}
    app_password: ${{BSKY_PW}}
  tg:
    type: telegram
    chat: "@kreis"
    token: ${{TG_TOKEN}}
"""
FIRST = "Die B 27 ist ab Montag gesperrt."
SECOND = "Die B 27 ist ab Dienstag gesperrt."
HOUR = timedelta(hours=1)
TG_REPLY = f"Korrektur:\n<b>Sperrung</b>\n\n{SECOND}"  # Telegram's template shows the title


@dataclass
class World:
    """A posts repository whose channels are the fakes; `publish()` runs what plan says."""

    repo: Repo
    clock: FakeClock
    pds: FakePds
    bot: Bot
    telegram: Callable[[httpx.Request], httpx.Response] | None = None  # wraps the bot
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def config(self) -> Config:
        return load_config(self.repo.config)

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.repo.root)

    def write(self, body: str, channels: str = "[bsky, tg]") -> None:
        front = "id: sperrung\ntitle: Sperrung\nstatus: approved\napproved_by: Presse\n"
        self.repo.post("sperrung.md", f"---\n{front}channels: {channels}\n---\n{body}\n")

    def plan(self) -> dict[str, Delivery]:
        work = build(self.config, self.ledger, self.clock.clock().now())
        return {d.channel: d for d in work.deliveries}

    def publish(self) -> dict[str, Outcome]:
        config = self.config
        due = [d for d in self.plan().values() if d.action.sends]
        engine = Engine(
            config, self.ledger, make_adapters(config), self.connect, self.clock.clock()
        )
        return {o.channel: o for o in engine.run(due)}

    def connect(self, name: str) -> Http:
        if name == "bsky":
            return make_http(
                httpx.MockTransport(self.pds), {"app_password": PASSWORD}, clock=self.clock
            )
        handler = self.telegram or self.bot
        return make_http(httpx.MockTransport(handler), {"token": TOKEN}, clock=self.clock)

    def record(self, channel: str) -> Record:
        found = self.ledger.get("sperrung", channel)
        assert found is not None
        return found

    def later(self, hours: float) -> None:
        self.clock.elapsed += hours * 3600


@pytest.fixture
def world(repo: Repo) -> World:
    clock = FakeClock()
    return World(repo, clock, FakePds(clock=clock), Bot())


def configure(world: World, corrections: str = "") -> None:
    world.repo.write_config(CHANNELS + corrections)


def published(world: World, corrections: str = "", body: str = FIRST) -> None:
    configure(world, corrections)
    world.write(body)
    outcomes = world.publish()
    assert {o.result.value for o in outcomes.values()} == {"published"}, outcomes


def bluesky_posts(pds: FakePds) -> list[dict[str, Any]]:
    return [pds.records[key]["value"] for key in sorted(pds.records)]


# --- the policy in the config -----------------------------------------------------------


def test_without_a_corrections_block_everything_is_reported(repo: Repo) -> None:
    repo.write_config(CHANNELS)
    assert load_config(repo.config).corrections == Policy()


def test_the_policy_by_channel_name_then_type_then_default(repo: Repo) -> None:
    repo.write_config(
        CHANNELS
        + "corrections:\n  default: repost\n  line: 'Berichtigung:'\n"
        + "  channels:\n    bsky: reply\n    telegram: report\n  edit_within:\n    tg: 48h\n"
    )
    policy = load_config(repo.config).corrections
    assert policy.line == "Berichtigung:"
    assert policy.kind_for("bsky", "bluesky") is Kind.REPLY
    assert policy.kind_for("tg", "telegram") is Kind.REPORT
    assert policy.kind_for("x", "x") is Kind.REPOST
    assert policy.edit_window("tg", "telegram") == timedelta(hours=48)
    assert policy.edit_window("bsky", "bluesky") is None


@pytest.mark.parametrize(
    ("block", "code", "line", "field"),
    [
        ("  default: correct\n", "SP560", 13, "corrections.default"),
        ("  channels:\n    bsky: delete\n", "SP560", 14, "corrections.channels.bsky"),
        ("  channels:\n    mastodn: reply\n", "SP561", 14, "corrections.channels.mastodn"),
        ("  edit_within:\n    tg: two days\n", "SP562", 14, "corrections.edit_within.tg"),
        ("  edit_within:\n    tg: 0h\n", "SP562", 14, "corrections.edit_within.tg"),
        ("  lines: Korrektur\n", "SP502", 13, "corrections.lines"),
        ("  line: ''\n", "SP506", 13, "corrections.line"),
        ("  channels: reply\n", "SP506", 13, "corrections.channels"),
    ],
)
def test_a_bad_policy_names_file_line_field_and_code(
    repo: Repo, block: str, code: str, line: int, field: str
) -> None:
    repo.write_config(CHANNELS + "corrections:\n" + block)
    with pytest.raises(ConfigError) as caught:
        load_config(repo.config)
    [found] = caught.value.problems
    assert (found.code, found.line, found.field) == (code, line, field)
    assert found.file == str(repo.config) and found.hint


def test_the_unknown_channel_hint_suggests_the_name(repo: Repo) -> None:
    repo.write_config(CHANNELS + "corrections:\n  channels:\n    bksy: reply\n")
    with pytest.raises(ConfigError) as caught:
        load_config(repo.config)
    assert caught.value.problems[0].hint == "did you mean 'bsky'?"


# --- plan -------------------------------------------------------------------------------


X = ChannelConfig("x", "x", {"user_id": "1"})
NOW = T0 + HOUR


def x_plan(record: Record, kind: Kind = Kind.REPLY, *, sent: bool = True) -> Delivery:
    old = make_variant(X)
    new = make_variant(X, "Der Kreistag tagt am Donnerstag.")
    messages = (Sent("1460", "https://x.com/i/status/1460"),) if sent else ()
    record = replace(record, channel="x", type="x", revision=revision(old), sent=messages)
    return plan_delivery(make_post(), new, Target(X, True, correction=kind), record, NOW)


def test_x_is_edited_within_30_minutes() -> None:
    record = make_record(State.PUBLISHED, published_at=NOW - timedelta(minutes=20))
    assert x_plan(record).action is Action.EDIT


def test_x_after_30_minutes_gets_the_policys_correction() -> None:
    record = make_record(State.PUBLISHED, published_at=NOW - timedelta(minutes=31))
    delivery = x_plan(record)
    assert delivery.action is Action.CORRECT and delivery.correction == "reply"
    assert "X allows edits only within 30 minutes of posting" in delivery.reason
    assert delivery.as_dict()["correction"] == "reply"


def test_x_after_five_edits_gets_the_policys_correction() -> None:
    edits = tuple((f"2026-11-23T09:5{n}:00+00:00", "edited", "") for n in range(5))
    record = make_record(State.PUBLISHED, published_at=NOW - timedelta(minutes=10), history=edits)
    delivery = x_plan(record, Kind.REPOST)
    assert delivery.action is Action.CORRECT and delivery.correction == "repost"
    assert "at most 5 edits" in delivery.reason


def test_x_with_the_report_policy_is_blocked_with_the_ways_out() -> None:
    record = make_record(State.PUBLISHED, published_at=NOW - HOUR)
    delivery = x_plan(record, Kind.REPORT)
    assert delivery.action is Action.BLOCKED and not delivery.correction
    assert "corrections policy: report" in delivery.reason and "revert" in delivery.reason


def test_mastodon_can_edit_so_a_change_stays_an_edit_whatever_the_policy() -> None:
    masto = ChannelConfig("masto", "mastodon", {})
    record = make_record(State.PUBLISHED, published_at=NOW - timedelta(days=30))
    new = make_variant(masto, "Der Kreistag tagt am Donnerstag.")
    for kind in Kind:
        where = Target(masto, True, correction=kind)
        assert plan_delivery(make_post(), new, where, record, NOW).action is Action.EDIT


def test_a_reply_needs_a_message_to_reply_to() -> None:
    record = make_record(State.PUBLISHED, published_at=NOW - HOUR)
    delivery = x_plan(record, sent=False)
    assert delivery.action is Action.BLOCKED and "no message of it to reply to" in delivery.reason


# --- Bluesky ------------------------------------------------------------------------------


def test_without_a_policy_bluesky_reports_the_change_and_sends_nothing(world: World) -> None:
    published(world)
    world.write(SECOND)
    world.later(1)
    plan = world.plan()
    assert plan["bsky"].action is Action.BLOCKED
    assert "Bluesky cannot edit" in plan["bsky"].reason
    assert "corrections policy: report" in plan["bsky"].reason
    assert plan["tg"].action is Action.EDIT  # Telegram can edit: no correction
    before = dict(world.pds.records)
    outcomes = world.publish()
    assert set(outcomes) == {"tg"} and world.pds.records == before
    assert world.record("bsky").corrections == ()


def test_a_bluesky_reply_lands_under_the_original(world: World) -> None:
    published(world, "corrections:\n  default: reply\n")
    original = world.record("bsky")
    world.write(SECOND)
    world.later(1)
    plan = world.plan()
    assert plan["bsky"].action is Action.CORRECT and plan["bsky"].correction == "reply"
    assert world.publish()["bsky"].result.value == "corrected"
    first, reply = bluesky_posts(world.pds)
    assert first["text"] == FIRST  # the original stays as it was
    assert reply["text"] == f"Korrektur:\n{SECOND}"
    root = {"uri": original.sent[0].refs["uri"], "cid": original.sent[0].refs["cid"]}
    assert reply["reply"] == {"root": root, "parent": root}
    record = world.record("bsky")
    [correction] = record.corrections
    assert correction.kind == "reply" and correction.finished_at is not None
    assert correction.replaced == original.revision and correction.revision == record.revision
    assert correction.sent[0].url.startswith("https://bsky.app/profile/kreis.test/post/")
    assert record.sent == original.sent and record.url == original.url  # traceable
    again = world.plan()["bsky"]
    assert again.action is Action.DONE and "(reply)" in again.reason
    assert world.publish() == {} and len(world.pds.records) == 2


def test_a_long_bluesky_correction_is_a_thread_under_the_original(world: World) -> None:
    published(world, "corrections:\n  channels:\n    bluesky: reply\n")
    long = " ".join(f"Satz {n}: Die Umleitung führt über die K {n}." for n in range(7))
    world.write(long)  # fits one post; with the correction line, two
    reply = world.plan()["bsky"].reply
    assert reply is not None and len(reply.parts) >= 2
    assert all(part.length <= 300 for part in reply.parts)
    world.publish()
    _, *replies = bluesky_posts(world.pds)
    assert [r["text"] for r in replies] == [p.text for p in reply.parts]
    assert replies[0]["text"].startswith("Korrektur:\nSatz 0")
    second_parent = replies[1]["reply"]["parent"]["uri"]
    assert second_parent == world.record("bsky").corrections[0].sent[0].refs["uri"]


def test_a_bluesky_repost_deletes_the_original_and_posts_once(world: World) -> None:
    published(world, "corrections:\n  channels:\n    bsky: repost\n")
    original = world.record("bsky")
    world.write(SECOND)
    outcomes = world.publish()
    assert outcomes["bsky"].result.value == "corrected"
    [post] = bluesky_posts(world.pds)
    assert post["text"] == SECOND and "reply" not in post
    record = world.record("bsky")
    [correction] = record.corrections
    assert correction.kind == "repost" and correction.removed == original.sent
    assert record.url == outcomes["bsky"].url != original.url
    assert record.state is State.PUBLISHED and record.sent == correction.sent
    assert world.publish() == {} and len(world.pds.records) == 1


def test_a_crash_after_a_bluesky_reply_request_resends_without_a_duplicate(world: World) -> None:
    published(world, "corrections:\n  default: reply\n")
    world.write(SECOND)
    put = world.pds.com_atproto_repo_putRecord

    def lost_answer(request: httpx.Request) -> httpx.Response:
        put(request)  # stored on the PDS, then the answer never arrives
        raise httpx.ReadTimeout("timed out", request=request)

    world.pds.hooks["com.atproto.repo.putRecord"] = lost_answer
    assert world.publish()["bsky"].result.value in ("failed", "unconfirmed")
    assert world.record("bsky").open_correction is not None
    del world.pds.hooks["com.atproto.repo.putRecord"]
    assert world.plan()["bsky"].action is Action.CORRECT
    assert world.publish()["bsky"].result.value == "corrected"
    texts = [post["text"] for post in bluesky_posts(world.pds)]
    assert texts == [FIRST, f"Korrektur:\n{SECOND}"]  # the same record key: one reply


# --- Telegram -----------------------------------------------------------------------------

TG_POLICY = "corrections:\n  default: reply\n  edit_within:\n    telegram: 48h\n"


def sent_texts(bot: Bot) -> list[dict[str, Any]]:
    return [c.json for c in bot.calls if c.method == "sendMessage"]


def test_telegram_edits_within_the_policys_window_then_replies(world: World) -> None:
    published(world, TG_POLICY)
    original = world.record("tg")
    world.write(SECOND)
    world.later(47)
    assert world.plan()["tg"].action is Action.EDIT
    world.later(2)
    delivery = world.plan()["tg"]
    assert delivery.action is Action.CORRECT
    assert "edits only within 48 hours of posting" in delivery.reason
    assert world.publish()["tg"].result.value == "corrected"
    *_, reply = sent_texts(world.bot)
    assert reply["text"] == TG_REPLY
    assert reply["reply_parameters"] == {"message_id": int(original.sent[-1].id)}
    assert reply["chat_id"] == "@kreis"
    [correction] = world.record("tg").corrections
    assert correction.sent[0].url == f"https://t.me/kreis/{world.bot.next_id}"


def test_telegram_report_policy_sends_nothing(world: World) -> None:
    published(world, "corrections:\n  edit_within:\n    tg: 1h\n")
    world.write(SECOND)
    world.later(2)
    assert world.plan()["tg"].action is Action.BLOCKED
    calls = len(world.bot.calls)
    assert "tg" not in world.publish() and len(world.bot.calls) == calls


def test_a_crash_after_a_telegram_reply_request_never_sends_it_twice(world: World) -> None:
    published(world, TG_POLICY)
    world.write(SECOND)
    world.later(49)

    def lost_answer(request: httpx.Request) -> httpx.Response:
        world.bot(request)  # Telegram posted it; the answer is lost
        raise httpx.ReadTimeout("timed out", request=request)

    world.telegram = lost_answer
    assert world.publish()["tg"].result.value == "unconfirmed"
    open_one = world.record("tg").open_correction
    assert open_one is not None and open_one.inflight == 0
    world.telegram = None
    assert world.plan()["tg"].action is Action.CORRECT
    again = world.publish()["tg"]  # a bot cannot look: it asks a person, sends nothing
    assert again.result.value == "unconfirmed" and "--mark-sent" in again.error
    assert len(sent_texts(world.bot)) == 2  # the original and the one reply
    url = f"https://t.me/kreis/{world.bot.next_id}"
    code, out = correct(world, "--channel", "tg", "--mark-sent", url)
    assert code == 0 and f"recorded as sent: {url}" in out
    assert world.publish()["tg"].result.value == "corrected"
    assert len(sent_texts(world.bot)) == 2
    assert world.record("tg").corrections[0].sent[0].url == url


def test_resend_after_a_person_says_it_is_not_there(world: World) -> None:
    published(world, TG_POLICY)
    world.write(SECOND)
    world.later(49)

    def refused_before_sending(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)  # it never reached Telegram

    world.telegram = refused_before_sending
    assert world.publish()["tg"].result.value == "unconfirmed"
    world.telegram = None
    code, out = correct(world, "--channel", "tg", "--resend", "--json")
    assert code == 0 and json.loads(out)["settled"].startswith("the next")
    assert world.publish()["tg"].result.value == "corrected"
    assert [m["text"] for m in sent_texts(world.bot)][-1] == TG_REPLY
    assert len(sent_texts(world.bot)) == 2


# --- socialpub correct --dry-run -------------------------------------------------------------


def correct(world: World, *args: str) -> tuple[int, str]:
    when = world.clock.clock().now().isoformat()
    result = CliRunner().invoke(
        app, ["correct", "sperrung", "--config", str(world.repo.config), "--now", when, *args]
    )
    return result.exit_code, result.stdout


def test_correct_dry_run_shows_what_each_channel_would_get(world: World) -> None:
    published(world, "corrections:\n  channels:\n    bsky: reply\n  edit_within:\n    tg: 1h\n")
    world.write(SECOND)
    world.later(2)
    code, out = correct(world, "--dry-run")
    assert code == 0, out
    url = world.record("bsky").url
    assert f"── sperrung → bsky (bluesky): reply under {url}" in out
    assert f"message 1 ({len('Korrektur:') + 1 + len(SECOND)}/300 graphemes)" in out
    assert "│ Korrektur:\n" in out and f"│ {SECOND}\n" in out
    assert "── sperrung → tg (telegram): reported only" in out
    code, out = correct(world, "--dry-run", "--json")
    rows = {row["channel"]: row for row in json.loads(out)}
    assert rows["bsky"]["correction"] == "reply"
    assert rows["bsky"]["parts"] == [
        {"text": f"Korrektur:\n{SECOND}", "length": 45, "limit": 300, "unit": "graphemes"}
    ]
    assert rows["tg"]["correction"] == "report" and rows["tg"]["parts"] == []
    assert len(world.pds.records) == 1  # a dry run sends nothing


def test_correct_dry_run_for_a_repost_and_an_unchanged_post(world: World) -> None:
    published(world, "corrections:\n  channels:\n    bsky: repost\n")
    code, out = correct(world, "--dry-run")
    assert code == 0 and "unchanged: nothing to correct" in out
    world.write(SECOND)
    code, out = correct(world, "--dry-run", "--channel", "bsky")
    url = world.record("bsky").url
    assert f"delete {url} + post again" in out and f"│ {SECOND}\n" in out
    assert "tg" not in out


def test_deleting_a_corrected_post_deletes_its_correction_replies(world: World) -> None:
    published(world, "corrections:\n  default: reply\n")
    world.write(SECOND)
    world.publish()
    assert len(world.pds.records) == 2
    config = world.config
    engine = Engine(config, world.ledger, make_adapters(config), world.connect, world.clock.clock())
    [result] = delete(engine, [world.record("bsky")])
    assert result.verdict.value == "deleted" and world.pds.records == {}
    assert world.record("bsky").state is State.DELETED


def test_publish_dry_run_shows_the_reply_not_the_whole_post(world: World) -> None:
    published(world, "corrections:\n  default: reply\n")
    world.write(SECOND)
    delivery = world.plan()["bsky"]
    adapter = make_adapters(world.config)["bsky"]
    payload = prepare(delivery, adapter, T0)
    [message] = payload.messages
    assert message["body"]["record"]["text"] == f"Korrektur:\n{SECOND}"
    assert "reply" in message["body"]["record"]  # filled in with the original's refs


def interrupted_bluesky_reply(world: World) -> None:
    """A reply whose answer was lost: the correction is open with its message in flight."""
    published(world, "corrections:\n  default: reply\n")
    world.write(SECOND)
    put = world.pds.com_atproto_repo_putRecord

    def lost_answer(request: httpx.Request) -> httpx.Response:
        put(request)
        raise httpx.ReadTimeout("timed out", request=request)

    world.pds.hooks["com.atproto.repo.putRecord"] = lost_answer
    world.publish()
    del world.pds.hooks["com.atproto.repo.putRecord"]


def test_a_correction_begun_finishes_as_begun_though_the_policy_changed(world: World) -> None:
    interrupted_bluesky_reply(world)
    configure(world, "corrections:\n  default: repost\n")
    delivery = world.plan()["bsky"]
    assert delivery.action is Action.CORRECT and delivery.correction == "reply"
    assert world.publish()["bsky"].result.value == "corrected"
    assert [p["text"] for p in bluesky_posts(world.pds)] == [FIRST, f"Korrektur:\n{SECOND}"]


def test_another_change_during_an_unfinished_correction_is_blocked(world: World) -> None:
    interrupted_bluesky_reply(world)
    world.write("Die B 27 ist ab Mittwoch gesperrt.")
    delivery = world.plan()["bsky"]
    assert delivery.action is Action.BLOCKED and "unfinished" in delivery.reason
    world.write(SECOND)  # back to the version being corrected: it finishes
    assert world.publish()["bsky"].result.value == "corrected"


def test_a_post_made_by_hand_is_only_reported_whatever_the_policy() -> None:
    xing = ChannelConfig("xing", "xing", {})
    record = make_record(State.PUBLISHED, sent=(Sent("1", "https://xing.com/p/1"),))
    new = make_variant(xing, "Der Kreistag tagt am Donnerstag.")
    delivery = plan_delivery(
        make_post(), new, Target(xing, True, correction=Kind.REPLY), record, NOW
    )
    assert delivery.action is Action.BLOCKED and "cannot edit" in delivery.reason


def test_resend_and_mark_sent_need_one_channel_and_something_in_doubt(world: World) -> None:
    published(world)
    code, _ = correct(world, "--resend")
    assert code == 2
    code, _ = correct(world, "--channel", "tg", "--resend")
    assert code == 2  # nothing of it is in doubt
    with pytest.raises(UsageError, match="is in doubt"):
        settle(world.record("tg"), T0, url=None)


def test_status_json_lists_the_corrections(world: World) -> None:
    published(world, "corrections:\n  default: reply\n")
    world.write(SECOND)
    world.publish()
    result = CliRunner().invoke(app, ["status", "--config", str(world.repo.config), "--json"])
    rows = {row["channel"]: row for row in json.loads(result.stdout)}
    [correction] = rows["bsky"]["corrections"]
    assert correction["kind"] == "reply" and correction["sent"][0]["url"].startswith("https://")
    assert rows["tg"]["corrections"] == []


def test_the_audit_lists_each_finished_correction_once(world: World) -> None:
    interrupted_bluesky_reply(world)  # an interrupted attempt first: not an audit event
    world.publish()
    subprocess.run(["git", "init", "-q", str(world.repo.root)], check=True)
    result = CliRunner().invoke(
        app, ["audit", "--config", str(world.repo.config), "--format", "json"]
    )
    assert result.exit_code == 0, result.stdout
    events = [e for e in json.loads(result.stdout) if e["channel"] == "bsky"]
    corrected = [e for e in events if e["event"].startswith("correct")]
    assert [e["event"] for e in corrected] == ["corrected by a reply"]
    assert corrected[0]["detail"] == world.record("bsky").corrections[0].url


def test_the_example_configs_corrections_block_loads_when_uncommented(tmp_path: Path) -> None:
    text = (PROJECT / "config.example.yaml").read_text(encoding="utf-8")
    start = text.index("# corrections:")
    end = text.index("\n\n", start)
    block = "\n".join(re.sub(r"^# ?", "", line) for line in text[start:end].splitlines())
    path = tmp_path / "socialpub.yaml"
    path.write_text(text[:start] + block + "\n" + text[end:], encoding="utf-8")
    policy = load_config(path).corrections
    assert policy.kind_for("bluesky", "bluesky") is Kind.REPLY
    assert policy.kind_for("threads", "threads") is Kind.REPOST
    assert policy.kind_for("mastodon", "mastodon") is Kind.REPORT
    assert policy.edit_window("telegram", "telegram") == timedelta(hours=48)
