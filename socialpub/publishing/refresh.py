"""`status --refresh`: bring the recorded progress of published deliveries up to date.

A WhatsApp broadcast goes on after `publish` handed it over: the subscriber service sends,
and Meta reports delivered and read for hours. The ledger keeps the counts `publish` got back
(the recipients, nothing sent yet); `status --refresh` asks the platform for each published
delivery whose adapter can tell (`Adapter.refreshes`) and records the counts it reports now,
under the repository lock. Only counts are written, never a phone number.
"""

from __future__ import annotations

from collections.abc import Sequence

from socialpub.errors import DeliveryError, InputError
from socialpub.models import Receipt
from socialpub.publishing.engine import Engine, Recorder
from socialpub.publishing.ledger import Record, State


def refresh(engine: Engine, records: Sequence[Record]) -> tuple[list[Record], list[str]]:
    """The records with fresh counts (the others as they are), and what could not be asked."""
    fresh: list[Record] = []
    failures: list[str] = []
    for record in records:
        adapter = engine.adapters.get(record.channel)
        if adapter is None or not adapter.refreshes or record.state is not State.PUBLISHED:
            fresh.append(record)
            continue
        try:
            receipt = adapter.refresh(engine.http(record.channel), Receipt(record.sent))
        except (DeliveryError, InputError) as exc:
            failures.append(f"{record.post} → {record.channel}: {exc}")
            fresh.append(record)
            continue
        recorder = Recorder(engine.ledger, record, engine.clock)
        if receipt.sent != record.sent:
            recorder.finish("progress", "counts refreshed", sent=receipt.sent)
        fresh.append(recorder.record)
    return fresh, failures
