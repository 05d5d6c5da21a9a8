"""Executing a correction that plan chose (corrections.py): a reply under the original, or
delete the original and post the new version again.

Crash-safe like every delivery: the correction is opened in the ledger before its first
request, each message is written ahead (`inflight`) and recorded as soon as it exists. An
interrupted correction continues where it stopped: adapters with an idempotency key resend
safely, the others first look on the platform (`lookup()`), and when the platform cannot
tell, nothing is sent again until a person decides (`socialpub correct --resend/--mark-sent`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialpub.channels.adapter import Adapter, Lookup
from socialpub.content.corrections import Kind, Policy
from socialpub.errors import (
    ContentError,
    DeliveryError,
    InputError,
    NotReady,
    Transient,
    UsageError,
)
from socialpub.i18n import _
from socialpub.models import Part, Payload, Receipt, Sent, Variant
from socialpub.net.http import Clock, Http
from socialpub.publishing.correction_log import Correction
from socialpub.publishing.corrections import CORRECTED
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.plan import Action, Delivery, idempotency_key

#: what a run of one correction ended in: an engine `Result` value, the URL, the error
Ended = tuple[str, str, str]


class Undecided(DeliveryError):
    """The platform cannot tell whether an interrupted correction message exists."""


class CorrectionProgress:
    """The adapters' `Progress` over the record's open correction. `base` are the messages
    the correction comes after (a reply's original); indexes count from the first of them."""

    def __init__(self, ledger: Ledger, record: Record, base: tuple[Sent, ...], clock: Clock):
        self._ledger, self.record, self._base, self._clock = ledger, record, base, clock

    @property
    def correction(self) -> Correction:
        return self.record.corrections[-1]

    @property
    def sent(self) -> tuple[Sent, ...]:
        return (*self._base, *self.correction.sent)

    def before(self, index: int) -> None:
        own = index - len(self._base)
        self.update(
            "sending correction", f"message {own + 1} of {self.correction.messages}", inflight=own
        )

    def attempted(self, index: int) -> bool:
        own = self.correction
        return own.inflight is not None and index - len(self._base) >= len(own.sent)

    def after(self, index: int, sent: Sent) -> None:
        done = (*self.correction.sent, sent)
        self.update("sent", sent.url or sent.id, sent=done, inflight=None)

    def update(
        self, event: str, detail: str, *, record: dict[str, Any] | None = None, **changes: Any
    ) -> None:
        correction = self.correction.but(**changes)
        corrections = (*self.record.corrections[:-1], correction)
        self.record = self.record.with_event(
            self._clock.now(), event, detail, corrections=corrections, **(record or {})
        )
        self._ledger.put(self.record)


@dataclass(frozen=True)
class Corrector:
    ledger: Ledger
    clock: Clock
    http_for: Callable[[str], Http]

    def run(self, delivery: Delivery, adapter: Adapter) -> Ended:
        record = delivery.record
        assert record is not None and delivery.variant is not None
        progress = self._open(delivery, record)
        try:
            http = self.http_for(delivery.channel)
            if progress.correction.kind == Kind.REPOST.value:
                url = self._repost(delivery, adapter, http, progress)
            else:
                url = self._reply(delivery, adapter, http, progress)
        except NotReady as exc:
            return self._failed(progress, exc, unconfirmed=False, result="waiting")
        except (Undecided, Transient) as exc:
            maybe = isinstance(exc, Undecided) or exc.maybe_sent
            unsure = maybe and progress.correction.inflight is not None
            return self._failed(progress, exc, unconfirmed=unsure)
        except (DeliveryError, ContentError, InputError) as exc:
            return self._failed(progress, exc, unconfirmed=False)
        except Exception as exc:  # a bug: keep the write-ahead state, report, go on
            error = RuntimeError(f"internal error ({type(exc).__name__}) while correcting")
            return self._failed(
                progress, error, unconfirmed=progress.correction.inflight is not None
            )
        return "corrected", url, ""

    def _open(self, delivery: Delivery, record: Record) -> CorrectionProgress:
        """The record's open correction, written ahead of its first request when it is new."""
        if record.open_correction is None:
            kind = delivery.correction or Kind.REPLY.value
            reply = delivery.reply if kind == Kind.REPLY.value else None
            correction = Correction(
                kind=kind,
                revision=delivery.revision,
                replaced=record.revision,
                key=idempotency_key(
                    delivery.post_id, f"{delivery.channel}#correction", delivery.revision
                ),
                started_at=self.clock.now(),
                messages=len(reply.parts) if reply is not None else 0,
            )
            corrections = (*record.corrections, correction)
            record = record.with_event(
                self.clock.now(), "began a correction", kind, corrections=corrections
            )
            self.ledger.put(record)
        # the kind of the correction begun decides, even if the policy changed since
        replying = record.corrections[-1].kind == Kind.REPLY.value
        return CorrectionProgress(self.ledger, record, record.sent if replying else (), self.clock)

    def _reply(
        self, delivery: Delivery, adapter: Adapter, http: Http, progress: CorrectionProgress
    ) -> str:
        reply = delivery.reply
        if reply is None:
            raise ContentError(
                _("{channel}: no correction text was rendered").format(channel=delivery.channel)
            )
        own = progress.correction
        original = progress.record.sent
        payload = adapter.prepare(_after(reply, len(original)), own.key, created_at=own.started_at)
        missing = len(progress.sent) < len(payload.messages)
        if missing and not self._already_there(adapter, payload, http, progress):
            adapter.reply(payload, http, progress)
        url = progress.correction.url
        self._finish(delivery, progress, url, record={})
        return url

    def _repost(
        self, delivery: Delivery, adapter: Adapter, http: Http, progress: CorrectionProgress
    ) -> str:
        old = progress.record
        if not progress.correction.removed:
            progress.update("deleting", old.url, deleting=True)  # written ahead
            adapter.delete(http, Receipt(old.sent))  # deleting twice finds nothing: safe
            progress.update("deleted", old.url, deleting=False, removed=old.sent)
        assert delivery.variant is not None
        own = progress.correction
        payload = adapter.prepare(delivery.variant, delivery.key, created_at=own.started_at)
        if own.messages != len(payload.messages):
            progress.update("reposting", delivery.key, messages=len(payload.messages))
        missing = len(progress.sent) < len(payload.messages)
        if missing and not self._already_there(adapter, payload, http, progress):
            adapter.send(payload, http, progress)
        sent = progress.correction.sent
        url = sent[0].url if sent else ""
        changes = {"sent": sent, "url": url, "key": delivery.key, "messages": len(sent)}
        self._finish(delivery, progress, url, record=changes | {"published_at": self.clock.now()})
        return url

    def _already_there(
        self, adapter: Adapter, payload: Any, http: Http, progress: CorrectionProgress
    ) -> bool:
        """After a crash between a request and its answer: resend only what surely is not
        there. True when every message exists."""
        if progress.correction.inflight is None or adapter.idempotent:
            return False  # nothing in doubt, or resending with the same key is safe
        found = adapter.lookup(payload, http, progress)
        if found is Lookup.UNKNOWN:
            raise Undecided(
                _(
                    "{channel}: the correction may or may not be there; socialpub cannot look it up"
                ).format(channel=payload.channel),
                hint=_(
                    "look on the platform, then `socialpub correct POST --channel C` with "
                    "--mark-sent URL (it is there) or --resend (it is not)"
                ),
            )
        progress.update("looked up", found.value, inflight=None)
        return found is Lookup.FOUND

    def _finish(
        self, delivery: Delivery, progress: CorrectionProgress, url: str, record: dict[str, Any]
    ) -> None:
        kind = progress.correction.kind
        changes = {"revision": delivery.revision, "last_error": "", "state": State.PUBLISHED}
        progress.update(
            CORRECTED[kind],
            url,
            record=changes | record,
            finished_at=self.clock.now(),
            inflight=None,
            error="",
        )

    def _failed(
        self, progress: CorrectionProgress, exc: Exception, *, unconfirmed: bool, result: str = ""
    ) -> Ended:
        error = str(exc)
        inflight = progress.correction.inflight if unconfirmed else None
        event = "unconfirmed correction" if unconfirmed else "failed to correct"
        progress.update(event, error, record={"last_error": error}, inflight=inflight, error=error)
        return (result or ("unconfirmed" if unconfirmed else "failed")), "", error


def dry_payload(delivery: Delivery, adapter: Adapter, now: datetime) -> Payload:
    """What `publish --dry-run` shows for a correction: the reply's own messages (a reply
    to the original's last one), or the post as it is posted again."""
    assert delivery.variant is not None
    record, reply = delivery.record, delivery.reply
    if delivery.correction != Kind.REPLY.value or reply is None or record is None:
        return adapter.prepare(delivery.variant, delivery.key, created_at=now)
    payload = adapter.prepare(_after(reply, len(record.sent)), delivery.key, created_at=now)
    return dataclasses.replace(payload, messages=payload.messages[len(record.sent) :])


def settle(record: Record, now: datetime, *, url: str | None) -> Record:
    """A person's answer about an interrupted correction message the platform cannot look up:
    it is there at `url`, or (None) it is not, so the next run sends it."""
    own = record.open_correction
    if own is None or own.inflight is None:
        raise UsageError(
            _("no correction of {post} on {channel} is in doubt").format(
                post=record.post, channel=record.channel
            ),
            hint=_("see `socialpub correct POST --dry-run`"),
        )
    if url is None:
        settled, event = own.but(inflight=None, error=""), "not there: send again"
    else:
        found = Sent(url.rstrip("/").rsplit("/", 1)[-1], url, {"marked_by_hand": True})
        settled, event = own.but(sent=(*own.sent, found), inflight=None, error=""), "marked sent"
    corrections = (*record.corrections[:-1], settled)
    return record.with_event(now, event, url or "", corrections=corrections, last_error="")


def _after(reply: Variant, existing: int) -> Variant:
    """The reply's parts after stand-ins for the original's messages: an adapter's `send()`
    then starts at the first reply message and makes it a reply to the message before."""
    stand_ins = tuple(Part(text=f"(message {i + 1})", length=0) for i in range(existing))
    return Variant(
        post_id=reply.post_id,
        channel=reply.channel,
        channel_type=reply.channel_type,
        parts=(*stand_ins, *reply.parts),
        limit=reply.limit,
        unit=reply.unit,
        lang=reply.lang,
    )


def preview(delivery: Delivery, policy: Policy) -> dict[str, Any]:
    """What `correct --dry-run` shows for one channel: the exact reply with its count, a
    delete and post again, a report only, an edit in place, or why nothing happens."""
    record = delivery.record
    url = record.url if record else ""
    kind = policy.kind_for(delivery.channel, delivery.channel_type)
    changed = record is not None and record.revision != delivery.revision
    if delivery.action is Action.CORRECT:
        what = delivery.correction
        shown = delivery.reply if what == Kind.REPLY.value else delivery.variant
    elif delivery.action is Action.BLOCKED and changed and kind is Kind.REPORT:
        what, shown = Kind.REPORT.value, None
    else:
        what, shown = delivery.action.value, None
    parts = shown.parts if shown is not None else ()
    return {
        "post": delivery.post_id,
        "channel": delivery.channel,
        "type": delivery.channel_type,
        "correction": what,
        "action": delivery.action.value,
        "reason": delivery.reason,
        "url": url,
        "parts": [
            {"text": p.text, "length": p.length, "limit": shown.limit, "unit": shown.unit}
            for p in parts
            if shown is not None
        ],
    }
