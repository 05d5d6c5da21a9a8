"""The publishing engine with an in-memory platform: write-ahead, failures, resume, edit,
reconcile and delete — everything between plan and the adapters."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from socialpub.channels.adapter import Adapter, Lookup, Progress
from socialpub.content.config import Config, load_config
from socialpub.content.posts import load_post
from socialpub.errors import ConfigError, NotReady, Rejected, Transient
from socialpub.models import Payload, Receipt, Sent, Variant
from socialpub.net.http import Clock, Http
from socialpub.publishing.engine import Engine, Outcome, Result
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.plan import Action, Delivery, Target, plan_delivery
from socialpub.publishing.reconcile import Verdict, delete, reconcile
from socialpub.render.renderer import Renderer
from socialpub.specs import MASTODON, TELEGRAM
from tests.adapterkit import T0, FakeClock, make_http
from tests.conftest import Repo

CONFIG = """\
timezone: Europe/Berlin
channels:
  masto:
    type: mastodon
    instance: https://social.example
    token: ${MASTO_TOKEN}
  tg:
    type: telegram
    chat: "@kreis"
    token: ${TG_TOKEN}
"""
THREAD = "Erster Absatz. " * 30 + "\n\n" + "Zweiter Absatz. " * 30 + "\n\n" + "Dritter. " * 40


@dataclass
class Platform:
    """What exists on the fake platform, and faults to inject per message index."""

    posts: dict[str, str] = field(default_factory=dict)
    faults: dict[int, Exception] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    ledger_at_request: list[dict[str, Any]] = field(default_factory=list)
    by_key: dict[str, str] = field(default_factory=dict)
    created_at: list[datetime] = field(default_factory=list)


class FakeAdapter(Adapter):
    """Sends each message to `Platform`; honours keys when `idempotent`."""

    spec = MASTODON
    idempotent: ClassVar[bool] = True
    idempotency_window: ClassVar[timedelta | None] = timedelta(hours=1)
    platform: Platform
    ledger_file: Path | None = None
    crash: BaseException | None = None
    not_ready: NotReady | None = None  # raised before anything is sent

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        self.platform.created_at.append(created_at)
        messages = tuple({"endpoint": "POST /x", "body": {"text": p.text}} for p in variant.parts)
        return Payload(variant.channel, self.key, variant.post_id, key, messages)

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        if self.not_ready is not None:
            raise self.not_ready
        for index in range(len(progress.sent), len(payload.messages)):
            progress.before(index)
            if self.ledger_file is not None:
                self.platform.ledger_at_request.append(json.loads(self.ledger_file.read_text()))
            if self.crash is not None:
                raise self.crash
            key = f"{payload.key}-{index}"
            if self.idempotent and key in self.platform.by_key:
                remote = self.platform.by_key[key]
            else:
                remote = f"id{len(self.platform.posts) + 1}"
                self.platform.posts[remote] = payload.messages[index]["body"]["text"]
                self.platform.by_key[key] = remote
            self.platform.requests.append(remote)
            fault = self.platform.faults.pop(index, None)
            if fault is not None:
                raise fault
            progress.after(index, Sent(remote, f"https://social.example/{remote}"))
        return Receipt(progress.sent)

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        for sent, message in zip(receipt.sent, payload.messages, strict=True):
            self.platform.posts[sent.id] = message["body"]["text"]
        return receipt

    def delete(self, http: Http, receipt: Receipt) -> None:
        for sent in receipt.sent:
            self.platform.posts.pop(sent.id, None)

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        for index in range(len(progress.sent), len(payload.messages)):
            remote = self.platform.by_key.get(f"{payload.key}-{index}")
            if remote is None:
                return Lookup.ABSENT
            progress.after(index, Sent(remote, f"https://social.example/{remote}"))
        return Lookup.FOUND


class FakeTelegram(FakeAdapter):
    spec = TELEGRAM
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[timedelta | None] = None

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        return Lookup.UNKNOWN


@dataclass
class World:
    repo: Repo
    config: Config
    ledger: Ledger
    clock: FakeClock
    platform: Platform
    adapters: dict[str, FakeAdapter]
    outcomes: list[Outcome] = field(default_factory=list)

    def plan(self, post_file: Path, now: datetime = T0) -> list[Delivery]:
        post = load_post(
            post_file, post_file.read_bytes(), timezone=self.config.timezone, default_lang="de"
        ).post
        assert post is not None
        deliveries = []
        for name, channel in self.config.channels.items():
            variant = Renderer(self.config).variant(post, channel)
            adapter = self.adapters[name]
            target = Target(channel, True, adapter.idempotent, adapter.idempotency_window)
            deliveries.append(
                plan_delivery(post, variant, target, self.ledger.get(post.id, name), now)
            )
        return deliveries

    def engine(self, environ: dict[str, str] | None = None) -> Engine:
        env = {"MASTO_TOKEN": "m-secret", "TG_TOKEN": "t-secret"} if environ is None else environ

        def connect(name: str) -> Http:
            channel = self.config.channels[name]
            secrets = {
                k: ref.resolve(env, name)
                for k, ref in channel.settings.items()
                if k in channel.spec.secrets
            }
            return make_http(
                httpx.MockTransport(lambda r: httpx.Response(500)), secrets, clock=self.clock
            )

        return Engine(
            self.config,
            self.ledger,
            self.adapters,
            connect,
            self.clock.clock(),
            self.outcomes.append,
        )

    def run(self, post_file: Path, **kwargs: Any) -> list[Outcome]:
        return self.engine(**kwargs).run(self.plan(post_file))

    def record(self, post: str, channel: str) -> Any:
        return self.ledger.get(post, channel)


@pytest.fixture
def world(repo: Repo) -> World:
    repo.write_config(CONFIG)
    config = load_config(repo.config)
    platform = Platform()
    adapters: dict[str, FakeAdapter] = {
        "masto": FakeAdapter(config.channels["masto"], repo.root),
        "tg": FakeTelegram(config.channels["tg"], repo.root),
    }
    for adapter in adapters.values():
        adapter.platform = platform
    return World(repo, config, Ledger(repo.root), FakeClock(), platform, adapters)


def post(repo: Repo, body: str = "Der Kreistag tagt am Mittwoch.", **meta: str) -> Path:
    front = {"id": "kreistag", "title": "Kreistag", "status": "approved", "thread": "true", **meta}
    lines = "\n".join(f"{k}: {v}" for k, v in front.items())
    return repo.post("kreistag.md", f"---\n{lines}\n---\n{body}\n")


def test_publishes_each_channel_once_and_records_the_outcome(world: World) -> None:
    outcomes = world.run(post(world.repo))
    assert sorted(o.result for o in outcomes) == [Result.PUBLISHED, Result.PUBLISHED]
    record = world.record("kreistag", "masto")
    assert record.state is State.PUBLISHED
    assert record.url == f"https://social.example/{record.sent[0].id}"
    assert record.attempts == 1 and record.inflight is None
    assert [h[1] for h in record.history] == ["sending", "sent", "published"]
    assert len(world.platform.posts) == 2
    assert {d.action for d in world.plan(post(world.repo))} == {Action.DONE}


def test_the_intent_is_on_disk_before_the_request(world: World) -> None:
    path = post(world.repo)
    world.adapters["masto"].ledger_file = world.ledger.path("kreistag", "masto")
    world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    (seen,) = world.platform.ledger_at_request
    assert seen["state"] == "unconfirmed" and seen["inflight"] == 0
    assert seen["key"] and seen["payload_hash"]


def test_a_crash_during_the_request_leaves_unconfirmed(world: World) -> None:
    path = post(world.repo)
    world.adapters["tg"].crash = RuntimeError("boom")
    outcomes = {o.channel: o for o in world.run(path)}
    assert outcomes["tg"].result is Result.UNCONFIRMED
    assert "internal error" in outcomes["tg"].error
    assert world.record("kreistag", "tg").state is State.UNCONFIRMED
    assert outcomes["masto"].result is Result.PUBLISHED  # one channel's bug stops no other


def test_ambiguous_timeout_without_idempotency_is_unconfirmed_and_never_resent(
    world: World,
) -> None:
    path = post(world.repo)
    world.platform.faults[0] = Transient("tg: ReadTimeout", maybe_sent=True)
    world.engine().run([d for d in world.plan(path) if d.channel == "tg"])
    assert world.record("kreistag", "tg").state is State.UNCONFIRMED
    (again,) = [d for d in world.plan(path) if d.channel == "tg"]
    assert again.action is Action.UNCONFIRMED
    assert world.engine().run([again]) == []  # not sent again
    assert len(world.platform.posts) == 1


def test_ambiguous_timeout_with_idempotency_resumes_with_the_same_key(world: World) -> None:
    path = post(world.repo)
    world.platform.faults[0] = Transient("masto: ReadTimeout", maybe_sent=True)
    world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    first = world.record("kreistag", "masto")
    assert first.state is State.UNCONFIRMED
    (again,) = [d for d in world.plan(path) if d.channel == "masto"]
    assert again.action is Action.RESUME
    (outcome,) = world.engine().run([again])
    assert outcome.result is Result.PUBLISHED
    assert world.record("kreistag", "masto").key == first.key
    assert len(world.platform.posts) == 1  # the key found the first copy


def test_unconfirmed_past_the_idempotency_window_needs_reconcile(world: World) -> None:
    path = post(world.repo)
    world.platform.faults[0] = Transient("masto: ReadTimeout", maybe_sent=True)
    world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    (later,) = [d for d in world.plan(path, T0 + timedelta(hours=2)) if d.channel == "masto"]
    assert later.action is Action.UNCONFIRMED


def test_a_thread_resumes_at_the_first_missing_part(world: World) -> None:
    path = post(world.repo, THREAD)
    world.platform.faults[1] = Rejected("masto: HTTP 422")
    world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    record = world.record("kreistag", "masto")
    assert record.state is State.PARTIAL and len(record.sent) == 1
    assert record.last_error == "masto: HTTP 422"
    (again,) = [d for d in world.plan(path) if d.channel == "masto"]
    assert again.action is Action.RESUME
    world.engine().run([again])
    record = world.record("kreistag", "masto")
    assert record.state is State.PUBLISHED and len(record.sent) == record.messages >= 3
    assert len(set(world.platform.requests)) == record.messages  # no part twice


def test_a_missing_secret_fails_that_channel_only(world: World) -> None:
    outcomes = {o.channel: o for o in world.run(post(world.repo), environ={"TG_TOKEN": "t"})}
    assert outcomes["masto"].result is Result.FAILED
    assert "MASTO_TOKEN" in outcomes["masto"].error
    assert outcomes["tg"].result is Result.PUBLISHED
    (again,) = [d for d in world.plan(post(world.repo)) if d.channel == "masto"]
    assert again.action is Action.RESUME and "MASTO_TOKEN" in again.reason


def test_a_changed_text_is_edited_not_reposted(world: World) -> None:
    world.run(post(world.repo))
    changed = post(world.repo, "Der Kreistag tagt am Donnerstag.")
    actions = {d.channel: d for d in world.plan(changed)}
    assert actions["masto"].action is Action.EDIT
    (outcome,) = world.engine().run([actions["masto"]])
    assert outcome.result is Result.EDITED
    record = world.record("kreistag", "masto")
    assert world.platform.posts[record.sent[0].id].startswith("Der Kreistag tagt am Donnerstag")
    assert record.revision == actions["masto"].revision
    assert len(world.platform.posts) == 2


def test_a_delivery_whose_media_is_not_online_yet_waits_and_leaves_the_ledger(
    world: World,
) -> None:
    path = post(world.repo)
    world.adapters["masto"].not_ready = NotReady("masto: media not online yet", hint="deploy")
    (outcome,) = world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    assert outcome.result is Result.WAITING
    assert outcome.error == "masto: media not online yet (deploy)"
    assert world.record("kreistag", "masto") is None  # nothing sent, nothing to remember
    assert world.platform.posts == {}
    world.adapters["masto"].not_ready = None
    (later,) = world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    assert later.result is Result.PUBLISHED and len(world.platform.posts) == 1


def test_reconcile_finds_what_the_platform_has(world: World) -> None:
    path = post(world.repo)
    world.platform.faults[0] = Transient("masto: ReadTimeout", maybe_sent=True)
    world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    (result,) = reconcile(world.engine(), world.plan(path, T0 + timedelta(hours=3)))
    assert result.verdict is Verdict.PUBLISHED
    assert world.record("kreistag", "masto").state is State.PUBLISHED


def test_reconcile_says_how_much_of_a_thread_it_found(world: World) -> None:
    path = post(world.repo, THREAD)
    world.platform.faults[0] = Transient("masto: ReadTimeout", maybe_sent=True)  # part 1 stored
    world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    (result,) = reconcile(world.engine(), world.plan(path, T0 + timedelta(hours=3)))
    parts = len(world.plan(path)[0].variant.parts)  # type: ignore[union-attr]
    assert result.verdict is Verdict.ABSENT
    assert result.detail == f"1 of {parts} parts found; the next publish sends the rest"
    assert world.record("kreistag", "masto").state is State.PARTIAL


def test_reconcile_asks_a_person_when_the_platform_cannot_tell(world: World) -> None:
    path = post(world.repo)
    world.platform.faults[0] = Transient("tg: ReadTimeout", maybe_sent=True)
    world.engine().run([d for d in world.plan(path) if d.channel == "tg"])
    (unknown,) = reconcile(world.engine(), world.plan(path))
    assert unknown.verdict is Verdict.UNKNOWN and "--mark-published" in unknown.detail
    asked: list[str] = []

    def answer(delivery: Delivery) -> str | None:
        asked.append(delivery.post_id)
        return "https://t.me/kreis/7"

    (marked,) = reconcile(world.engine(), world.plan(path), ask=answer)
    assert asked == ["kreistag"] and marked.verdict is Verdict.PUBLISHED
    record = world.record("kreistag", "tg")
    assert record.state is State.PUBLISHED and record.url == "https://t.me/kreis/7"


def test_reconcile_resend_sends_again(world: World) -> None:
    path = post(world.repo)
    world.platform.faults[0] = Transient("tg: ReadTimeout", maybe_sent=True)
    world.engine().run([d for d in world.plan(path) if d.channel == "tg"])
    (result,) = reconcile(world.engine(), world.plan(path), resend=True)
    assert result.verdict is Verdict.RESENT
    assert world.record("kreistag", "tg").state is State.PUBLISHED


def test_delete_removes_every_message_and_records_it(world: World) -> None:
    world.run(post(world.repo, THREAD))
    records = list(world.ledger.records())
    results = delete(world.engine(), records)
    assert {r.verdict for r in results} == {Verdict.DELETED}
    assert world.platform.posts == {}
    assert {r.state for r in world.ledger.records()} == {State.DELETED}
    assert {d.action for d in world.plan(post(world.repo, THREAD))} == {Action.DELETED}


def test_no_secret_reaches_the_ledger(world: World) -> None:
    world.platform.faults[0] = Transient("masto: HTTP 500", maybe_sent=True)
    world.run(post(world.repo))
    for path in world.ledger.folder.rglob("*.json"):
        text = path.read_text()
        assert "m-secret" not in text and "t-secret" not in text


def test_config_error_for_a_missing_secret_names_the_variable() -> None:
    from socialpub.content.config import SecretRef

    with pytest.raises(ConfigError, match="TOKEN_X"):
        SecretRef("TOKEN_X").resolve({}, "masto")


def test_payload_and_ledger_share_the_first_attempt_time(world: World) -> None:
    """Bluesky's record keys come from it: a second clock reading would change them."""
    ticks = iter(range(1000))
    ticking = Clock(
        now=lambda: T0 + timedelta(seconds=next(ticks)), monotonic=lambda: 0.0, sleep=lambda s: None
    )
    path = post(world.repo, THREAD)
    world.platform.faults[1] = Rejected("masto: HTTP 422")
    engine = world.engine()
    engine.clock = ticking
    engine.run([d for d in world.plan(path) if d.channel == "masto"])
    record = world.record("kreistag", "masto")
    assert world.platform.created_at == [record.created_at]
    engine.run([d for d in world.plan(path) if d.channel == "masto"])  # resume
    assert world.platform.created_at == [record.created_at, record.created_at]


def test_a_natively_scheduled_post_is_recorded_under_its_published_id(world: World) -> None:
    path = post(world.repo)
    (delivery,) = [d for d in world.plan(path) if d.channel == "masto"]
    queued = T0 - timedelta(minutes=10)
    world.ledger.put(
        Record(
            post="kreistag",
            channel="masto",
            type="mastodon",
            state=State.SCHEDULED,
            key=delivery.key,
            revision=delivery.revision,
            created_at=queued,
            updated_at=queued,
            scheduled_at=T0 - timedelta(minutes=1),
            sent=(Sent("sched-1", "", {"scheduled": True}),),
        )
    )
    (confirm,) = [d for d in world.plan(path) if d.channel == "masto"]
    assert confirm.action is Action.CONFIRM
    (outcome,) = world.engine().run([confirm])
    assert outcome.result is Result.SCHEDULED  # the platform has not posted it yet
    assert world.record("kreistag", "masto").sent[0].id == "sched-1"
    world.platform.by_key[f"{delivery.key}-0"] = "id7"
    world.platform.posts["id7"] = "Der Kreistag tagt am Mittwoch."
    (outcome,) = world.engine().run([d for d in world.plan(path) if d.channel == "masto"])
    assert outcome.result is Result.PUBLISHED
    record = world.record("kreistag", "masto")
    assert record.state is State.PUBLISHED and [s.id for s in record.sent] == ["id7"]
    assert record.published_at == T0 - timedelta(minutes=1)
    delete(world.engine(), [record])
    assert "id7" not in world.platform.posts  # the published post, not the queue entry
