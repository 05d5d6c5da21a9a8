"""Execute planned deliveries: prepare, send with write-ahead ledger records, edit.

Deliveries to different channels run in parallel (`publish.concurrency` in total); within a
channel, `concurrency` lanes (default 1, so posts appear in due order) take deliveries one
after another. Every request that creates a message is preceded by a durable ledger write
(`Recorder.before`) and followed by one (`Recorder.after`): a crash in between leaves the
delivery `unconfirmed`, never "not sent".
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from socialpub.channels.adapter import Adapter, Lookup, adapter_class
from socialpub.content.config import Config
from socialpub.errors import ContentError, DeliveryError, InputError, NotReady, Transient
from socialpub.models import Payload, Receipt, Sent
from socialpub.net.http import Clock, Http
from socialpub.publishing.correction_run import Corrector, dry_payload
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.plan import KIT_REWRITTEN, Action, Delivery
from socialpub.publishing.unschedule import pull_back, sent_anew

STATE_DIR = Path(".socialpub") / "state"


class Result(enum.StrEnum):
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    EDITED = "edited"
    CORRECTED = "corrected"  # a correction reply, or deleted and posted again
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    WAITING = "waiting"  # nothing sent: something it needs is not there yet (NotReady)
    UNSCHEDULED = "unscheduled"  # paused: pulled back from the platform's scheduler
    MANUAL = "manual"  # a posting kit is written: a person posts it (`socialpub confirm`)


@dataclass(frozen=True)
class Outcome:
    post_id: str
    channel: str
    result: Result
    url: str = ""
    error: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "post": self.post_id,
            "channel": self.channel,
            "result": self.result.value,
            "url": self.url,
            "error": self.error,
        }


def make_adapters(config: Config) -> dict[str, Adapter]:
    """One adapter per configured channel that has one (state in .socialpub/state)."""
    adapters: dict[str, Adapter] = {}
    for name, channel in config.channels.items():
        cls = adapter_class(channel.type)
        if cls is not None:
            adapters[name] = cls(channel, config.root, config.root / STATE_DIR)
    return adapters


def prepare(delivery: Delivery, adapter: Adapter, now: datetime) -> Payload:
    """The payload of a delivery; a resumed one keeps its stored key and first-attempt time
    (`now` becomes the first-attempt time of a new one: pass the same `now` to the ledger)."""
    assert delivery.variant is not None
    if delivery.action is Action.CORRECT:
        return dry_payload(delivery, adapter, now)
    record = delivery.record
    resuming = record is not None and delivery.action in (Action.RESUME, Action.CONFIRM)
    key = record.key if record is not None and resuming else delivery.key
    created_at = record.created_at if record is not None and resuming else now
    return adapter.prepare(
        delivery.variant, key, created_at=created_at, schedule_at=delivery.schedule_at
    )


def payload_hash(payload: Payload) -> str:
    data = json.dumps(payload.as_dict(), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


class Recorder:
    """The ledger side of one delivery; implements the adapters' `Progress` protocol."""

    def __init__(self, ledger: Ledger, record: Record, clock: Clock) -> None:
        self._ledger = ledger
        self.record = record
        self._clock = clock
        self.touched = False  # whether this run has sent anything for the delivery yet

    @property
    def sent(self) -> tuple[Sent, ...]:
        return self.record.sent

    def before(self, index: int) -> None:
        detail = f"message {index + 1} of {self.record.messages}"
        self.touched = True
        self._save("sending", detail, state=State.UNCONFIRMED, inflight=index)

    def attempted(self, index: int) -> bool:
        label = f"message {index + 1} of "  # the detail that before() writes
        written_ahead = any(
            event == "sending" and detail.startswith(label)
            for _, event, detail in self.record.history
        )
        return written_ahead and index >= len(self.record.sent)

    def after(self, index: int, sent: Sent) -> None:
        sent_now = (*self.record.sent[:index], sent)
        self._save("sent", sent.url or sent.id, state=State.PARTIAL, inflight=None, sent=sent_now)

    def finish(self, event: str, detail: str = "", **changes: object) -> None:
        self._save(event, detail, **changes)

    def _save(self, event: str, detail: str, **changes: object) -> None:
        self.record = self.record.with_event(self._clock.now(), event, detail, **changes)
        self._ledger.put(self.record)


class Engine:
    def __init__(
        self,
        config: Config,
        ledger: Ledger,
        adapters: Mapping[str, Adapter],
        connect: Callable[[str], Http],
        clock: Clock,
        on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.adapters = adapters
        self.clock = clock
        self._connect = connect
        self._on_outcome = on_outcome
        self._https: dict[str, Http | InputError] = {}
        self._lock = threading.Lock()

    def run(self, deliveries: Iterable[Delivery]) -> list[Outcome]:
        queues: dict[str, deque[Delivery]] = {}
        for delivery in deliveries:
            if delivery.action.sends:
                queues.setdefault(delivery.channel, deque()).append(delivery)
        lanes = [
            queue
            for name, queue in queues.items()
            for _ in range(min(len(queue), self.config.channels[name].concurrency))
        ]
        outcomes: list[Outcome] = []
        if not lanes:
            return outcomes
        with ThreadPoolExecutor(max_workers=self.config.publish.concurrency) as pool:
            futures = [pool.submit(self._lane, queue) for queue in lanes]
            try:
                for future in futures:
                    outcomes.extend(future.result())
            except BaseException:  # Ctrl-C or a ledger failure: finish what is in flight only
                for queue in queues.values():
                    queue.clear()
                raise
        return outcomes

    def _lane(self, queue: deque[Delivery]) -> list[Outcome]:
        done: list[Outcome] = []
        while True:
            try:
                delivery = queue.popleft()
            except IndexError:
                return done
            outcome = self.deliver(delivery)
            self._on_outcome(outcome)
            done.append(outcome)

    def http(self, channel: str) -> Http:
        with self._lock:
            if channel not in self._https:
                try:
                    self._https[channel] = self._connect(channel)
                except InputError as exc:  # a missing secret: fail this channel, not the run
                    self._https[channel] = exc
            found = self._https[channel]
        if isinstance(found, InputError):
            raise found
        return found

    def deliver(self, delivery: Delivery) -> Outcome:
        adapter = self.adapters[delivery.channel]
        if delivery.action is Action.UNSCHEDULE:
            return self._unschedule(delivery, adapter)
        if delivery.action is Action.CORRECT:  # its own write-ahead steps: correction_run.py
            ended = Corrector(self.ledger, self.clock, self.http).run(delivery, adapter)
            return Outcome(delivery.post_id, delivery.channel, Result(ended[0]), *ended[1:])
        now = self.clock.now()  # read once: the payload and the ledger share the first attempt
        payload = prepare(delivery, adapter, now)
        recorder = Recorder(self.ledger, self._start(delivery, payload, now), self.clock)
        try:
            http = self.http(delivery.channel)
            if delivery.action is Action.EDIT:
                return self._edit(delivery, payload, adapter, http, recorder)
            if delivery.action is Action.CONFIRM:
                return self._confirm(delivery, payload, adapter, http, recorder)
            return self._send(delivery, payload, adapter, http, recorder)
        except NotReady as exc:
            if recorder.touched:  # adapters raise it before sending: else it is a failure
                inflight = recorder.record.inflight is not None
                return self._failed(delivery, recorder, exc, unconfirmed=inflight)
            return Outcome(delivery.post_id, delivery.channel, Result.WAITING, error=str(exc))
        except Transient as exc:
            ambiguous = exc.maybe_sent and recorder.record.inflight is not None
            return self._failed(delivery, recorder, exc, unconfirmed=ambiguous)
        except (DeliveryError, ContentError, InputError) as exc:
            return self._failed(delivery, recorder, exc, unconfirmed=False)
        except Exception as exc:  # a bug: keep the write-ahead state, report, go on
            error = f"internal error ({type(exc).__name__}); the ledger keeps the last state"
            inflight = recorder.record.inflight is not None
            return self._failed(delivery, recorder, RuntimeError(error), unconfirmed=inflight)

    def _start(self, delivery: Delivery, payload: Payload, now: datetime) -> Record:
        old = delivery.record
        digest = payload_hash(payload)
        messages = len(payload.messages)
        attempts = (old.attempts if old else 0) + 1
        if old is not None and delivery.action is Action.CONFIRM:
            return old
        if old is not None and delivery.action in (Action.RESUME, Action.EDIT):
            return dataclasses.replace(
                old, payload_hash=digest, messages=messages, attempts=attempts
            )
        if old is not None and old.state is State.UNSCHEDULED:  # sent anew: keep its history
            return sent_anew(old, payload.key, delivery.revision, now, digest, messages)
        return Record(
            post=delivery.post_id,
            channel=delivery.channel,
            type=delivery.channel_type,
            state=State.FAILED,
            key=payload.key,
            revision=delivery.revision,
            created_at=now,
            updated_at=now,
            payload_hash=digest,
            messages=messages,
            attempts=attempts,
        )

    def _send(
        self,
        delivery: Delivery,
        payload: Payload,
        adapter: Adapter,
        http: Http,
        recorder: Recorder,
    ) -> Outcome:
        record = recorder.record
        if record.sent and len(record.sent) >= len(payload.messages):
            receipt = Receipt(record.sent)  # everything exists: only the final record is missing
        else:
            receipt = adapter.send(payload, http, recorder)
        if not adapter.capabilities.api:
            return self._kit_written(delivery, receipt, recorder)
        result = Result.SCHEDULED if receipt.scheduled else Result.PUBLISHED
        now = self.clock.now()
        recorder.finish(
            result.value,
            receipt.url,
            state=State.SCHEDULED if receipt.scheduled else State.PUBLISHED,
            sent=receipt.sent,
            inflight=None,
            url=receipt.url,
            published_at=None if receipt.scheduled else now,
            scheduled_at=payload.schedule_at,
            last_error="",
            revision=delivery.revision if not record.sent else record.revision,
        )
        return Outcome(delivery.post_id, delivery.channel, result, receipt.url)

    def _kit_written(self, delivery: Delivery, receipt: Receipt, recorder: Recorder) -> Outcome:
        """No API: the kit is written; the delivery waits for a person (never a failure)."""
        recorder.finish(
            "kit written",
            receipt.sent[0].id,
            state=State.MANUAL,
            sent=receipt.sent,
            inflight=None,
            last_error="",
            revision=delivery.revision,
        )
        return Outcome(delivery.post_id, delivery.channel, Result.MANUAL)

    def _edit(
        self,
        delivery: Delivery,
        payload: Payload,
        adapter: Adapter,
        http: Http,
        recorder: Recorder,
    ) -> Outcome:
        record = recorder.record
        old = Receipt(record.sent, scheduled=record.state is State.SCHEDULED)
        receipt = adapter.edit(payload, http, old)
        manual = record.state is State.MANUAL
        recorder.finish(
            KIT_REWRITTEN if manual else "edited",
            receipt.url,
            sent=receipt.sent,
            url=receipt.url or record.url,
            revision=delivery.revision,
            key=payload.key,
            last_error="",
        )
        result = Result.MANUAL if manual else Result.EDITED
        return Outcome(delivery.post_id, delivery.channel, result, receipt.url)

    def _confirm(
        self,
        delivery: Delivery,
        payload: Payload,
        adapter: Adapter,
        http: Http,
        recorder: Recorder,
    ) -> Outcome:
        """A natively scheduled post has gone out under a new id: look it up and record it."""
        scheduled = recorder.record
        probe = Recorder(self.ledger, dataclasses.replace(scheduled, sent=()), self.clock)
        if adapter.lookup(payload, http, probe) is not Lookup.FOUND:
            recorder.record = scheduled
            self.ledger.put(scheduled)  # not out yet (or not found): stays scheduled
            return Outcome(delivery.post_id, delivery.channel, Result.SCHEDULED)
        found = probe.record.sent
        recorder.record = probe.record
        recorder.finish(
            "published",
            found[0].url,
            state=State.PUBLISHED,
            sent=found,
            url=found[0].url,
            published_at=scheduled.scheduled_at,
            last_error="",
        )
        return Outcome(delivery.post_id, delivery.channel, Result.PUBLISHED, found[0].url)

    def _unschedule(self, delivery: Delivery, adapter: Adapter) -> Outcome:
        http = lambda: self.http(delivery.channel)  # noqa: E731
        error = pull_back(adapter, http, self.ledger, delivery, self.clock.now())
        result = Result.FAILED if error else Result.UNSCHEDULED
        return Outcome(delivery.post_id, delivery.channel, result, error=error)

    def _failed(
        self, delivery: Delivery, recorder: Recorder, exc: Exception, *, unconfirmed: bool
    ) -> Outcome:
        error = str(exc)
        if delivery.action in (Action.EDIT, Action.CONFIRM):  # the post stays as published
            event = "look-up failed" if delivery.action is Action.CONFIRM else "edit failed"
            recorder.finish(event, error, last_error=error)
            return Outcome(delivery.post_id, delivery.channel, Result.FAILED, error=error)
        if not recorder.touched and recorder.record.state is State.UNCONFIRMED:
            unconfirmed = True  # failed before resending: the earlier doubt remains
        state = State.UNCONFIRMED if unconfirmed else _after_failure(recorder.record)
        inflight = recorder.record.inflight if unconfirmed else None
        recorder.finish("failed", error, state=state, inflight=inflight, last_error=error)
        result = Result.UNCONFIRMED if unconfirmed else Result.FAILED
        return Outcome(delivery.post_id, delivery.channel, result, error=error)


def _after_failure(record: Record) -> State:
    return State.PARTIAL if record.sent else State.FAILED


def summary_counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    counts = {result.value: 0 for result in Result}
    for outcome in outcomes:
        counts[outcome.result.value] += 1
    return counts
