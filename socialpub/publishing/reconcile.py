"""After the fact: resolve unconfirmed deliveries, and delete published posts.

Reconcile asks the platform first (Mastodon: the account's recent statuses; Bluesky: the fixed
record keys). Where the platform cannot tell (Telegram bots cannot read their channel), a
person decides: `--mark-published URL` records the post as sent, `--resend` sends it again.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from socialpub.channels.adapter import Lookup
from socialpub.errors import DeliveryError, InputError
from socialpub.models import Receipt, Sent
from socialpub.publishing.correction_log import replies_of
from socialpub.publishing.engine import Engine, Recorder, prepare
from socialpub.publishing.ledger import Record, State
from socialpub.publishing.plan import Action, Delivery


class Verdict(enum.StrEnum):
    PUBLISHED = "published"  # found on the platform, or confirmed by a person
    ABSENT = "absent"  # not on the platform: the next `publish` sends it
    RESENT = "resent"
    UNKNOWN = "unknown"  # still unconfirmed: a person has to decide
    DELETED = "deleted"
    FAILED = "failed"


@dataclass(frozen=True)
class Resolution:
    post_id: str
    channel: str
    verdict: Verdict
    detail: str = ""


#: asks a person: returns a URL (it was posted), "" (it was not) or None (don't know)
Ask = Callable[[Delivery], str | None]


def unconfirmed(deliveries: Sequence[Delivery]) -> list[Delivery]:
    return [
        d
        for d in deliveries
        if d.record is not None and d.record.state is State.UNCONFIRMED and d.variant is not None
    ]


def reconcile(
    engine: Engine,
    deliveries: Sequence[Delivery],
    *,
    mark_published: str | None = None,
    resend: bool = False,
    ask: Ask | None = None,
) -> list[Resolution]:
    return [
        _resolve(engine, d, mark_published=mark_published, resend=resend, ask=ask)
        for d in unconfirmed(deliveries)
    ]


def _resolve(
    engine: Engine,
    delivery: Delivery,
    *,
    mark_published: str | None,
    resend: bool,
    ask: Ask | None,
) -> Resolution:
    assert delivery.record is not None
    recorder = Recorder(engine.ledger, delivery.record, engine.clock)
    if mark_published is not None:
        return _mark(recorder, delivery, mark_published, "marked published by hand")
    if resend:
        return _resend(engine, recorder, delivery)
    adapter = engine.adapters[delivery.channel]
    try:
        payload = prepare(_resumed(delivery), adapter, engine.clock.now())
        found = adapter.lookup(payload, engine.http(delivery.channel), recorder)
    except (DeliveryError, InputError) as exc:
        return Resolution(delivery.post_id, delivery.channel, Verdict.FAILED, str(exc))
    if found is Lookup.FOUND:
        sent = recorder.record.sent
        return _mark(recorder, delivery, sent[0].url if sent else "", "found on the platform")
    if found is Lookup.ABSENT:
        have = len(recorder.record.sent)
        state = State.PARTIAL if have else State.FAILED
        recorder.finish("not found", "not on the platform", state=state, inflight=None)
        total = len(payload.messages)
        detail = (
            f"{have} of {total} parts found; the next publish sends the rest"
            if have
            else "the next publish sends it"
        )
        return Resolution(delivery.post_id, delivery.channel, Verdict.ABSENT, detail)
    answer = ask(delivery) if ask else None
    if answer:
        return _mark(recorder, delivery, answer, "confirmed by hand")
    if answer == "":
        return _resend(engine, recorder, delivery)
    return Resolution(delivery.post_id, delivery.channel, Verdict.UNKNOWN, _manual_hint(delivery))


def _mark(recorder: Recorder, delivery: Delivery, url: str, why: str) -> Resolution:
    record = recorder.record
    sent = record.sent or (Sent(id="", url=url),)
    scheduled = bool(sent[0].refs.get("scheduled"))  # found, but still in the platform's queue
    recorder.finish(
        "confirmed",
        why,
        state=State.SCHEDULED if scheduled else State.PUBLISHED,
        inflight=None,
        sent=sent,
        url=url or record.url,
        published_at=record.updated_at,
        last_error="",
    )
    return Resolution(delivery.post_id, delivery.channel, Verdict.PUBLISHED, url or why)


def _resend(engine: Engine, recorder: Recorder, delivery: Delivery) -> Resolution:
    """The person says the message is not there: send it (the rest of it) again."""
    state = State.PARTIAL if recorder.record.sent else State.FAILED
    recorder.finish("resend", "confirmed missing by hand", state=state, inflight=None)
    outcome = engine.deliver(_resumed(delivery, recorder))
    verdict = Verdict.RESENT if outcome.result.value == "published" else Verdict.FAILED
    return Resolution(delivery.post_id, delivery.channel, verdict, outcome.url or outcome.error)


def _resumed(delivery: Delivery, recorder: Recorder | None = None) -> Delivery:
    record = recorder.record if recorder else delivery.record
    return dataclasses.replace(delivery, action=Action.RESUME, record=record)


def _manual_hint(delivery: Delivery) -> str:
    which = f"{delivery.post_id} --channel {delivery.channel}"
    return (
        f"the platform cannot tell; look at the channel, then run `socialpub reconcile {which} "
        "--mark-published URL` if it is there, or `--resend` if it is not"
    )


def delete(engine: Engine, records: Sequence[Record]) -> list[Resolution]:
    """Remove every message of the given deliveries from their platforms."""
    return [_delete(engine, r) for r in records if r.sent and r.state is not State.DELETED]


def _delete(engine: Engine, record: Record) -> Resolution:
    if record.state is State.UNCONFIRMED:
        hint = "unconfirmed: run `socialpub reconcile` first"
        return Resolution(record.post, record.channel, Verdict.FAILED, hint)
    adapter = engine.adapters.get(record.channel)
    if adapter is None:
        hint = f"channel {record.channel!r} is no longer configured"
        return Resolution(record.post, record.channel, Verdict.FAILED, hint)
    recorder = Recorder(engine.ledger, record, engine.clock)
    messages = (*record.sent, *replies_of(record.corrections))  # adapters delete the last first
    receipt = Receipt(messages, scheduled=record.state is State.SCHEDULED)
    try:
        adapter.delete(engine.http(record.channel), receipt)
    except (DeliveryError, InputError) as exc:
        recorder.finish("delete failed", str(exc), last_error=str(exc))
        return Resolution(record.post, record.channel, Verdict.FAILED, str(exc))
    recorder.finish("deleted", record.url, state=State.DELETED, last_error="")
    return Resolution(record.post, record.channel, Verdict.DELETED, record.url)


def resolutions_json(resolutions: Sequence[Resolution]) -> list[dict[str, str]]:
    return [
        {"post": r.post_id, "channel": r.channel, "result": r.verdict.value, "detail": r.detail}
        for r in resolutions
    ]
