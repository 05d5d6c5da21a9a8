"""What plan, publish and status show of WhatsApp broadcasts: recipients, cost, progress.

The counts come from the subscriber service (`publishing/audience.py` before a broadcast,
the ledger's receipt after it); no phone number ever reaches this side.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.content.config import Config
    from socialpub.net.http import Clock
    from socialpub.publishing.audience import Audience
    from socialpub.publishing.engine import Engine, Outcome
    from socialpub.publishing.ledger import Ledger, Record
    from socialpub.publishing.lock import RepoLock
    from socialpub.publishing.plan import Delivery

#: the counts of a receipt that make a broadcast's progress, in the order they are shown
_SHOWN = ("recipients", "sent", "delivered", "read")


def sending_audiences(
    config: Config, deliveries: Sequence[Delivery], clock: Clock
) -> dict[str, Audience]:
    """The audience of each whatsapp channel that a delivery would send to now."""
    channels = [d.channel for d in deliveries if d.action.sends and d.channel_type == "whatsapp"]
    if not channels:
        return {}
    from socialpub.publishing.audience import audiences

    return audiences(config, channels, os.environ, clock)


def plan_rows(
    deliveries: Sequence[Delivery], found: Mapping[str, Audience]
) -> list[dict[str, object]]:
    """plan --json: each delivery, with recipients and cost where it broadcasts."""
    return [
        d.as_dict() | (found[d.channel].as_dict() if _broadcasts(d, found) else {})
        for d in deliveries
    ]


def plan_notes(
    deliveries: Sequence[Delivery], found: Mapping[str, Audience]
) -> dict[tuple[str, str], str]:
    """What the plan's table adds to the reason of each broadcast."""
    return {
        (d.post_id, d.channel): found[d.channel].describe()
        for d in deliveries
        if _broadcasts(d, found)
    }


def warn_unknown(found: Mapping[str, Audience]) -> None:
    for name, audience in found.items():
        if audience.recipients is None:
            sys.stderr.write(
                _("warning: {name}: recipients unknown: {unknown}\n").format(
                    name=name, unknown=audience.unknown
                )
            )


def progress_of(record: Record | None) -> dict[str, Any] | None:
    """A broadcast's recorded counts (None for a delivery that is not a broadcast)."""
    if record is None or not record.sent or "recipients" not in record.sent[0].refs:
        return None
    return dict(record.sent[0].refs)


def progress_text(record: Record | None) -> str:
    """e.g. "1,234 recipients, 1,200 sent, 1,100 delivered, 800 read, 3 failed (done)"."""
    counts = progress_of(record)
    if counts is None:
        return ""
    shown = [f"{counts.get(key, 0):,} {key}" for key in _SHOWN]
    failed = counts.get("failed") or {}
    if failed:
        by_code = ", ".join(f"{code}: {n}" for code, n in sorted(failed.items()))
        shown.append(f"{sum(failed.values()):,} failed ({by_code})")
    if counts.get("unconfirmed"):
        shown.append(f"{counts['unconfirmed']:,} unconfirmed")
    state = str(counts.get("state", ""))
    if counts.get("stopped_reason"):
        state += f": {counts['stopped_reason']}"
    if counts.get("next_window"):
        state += _(", the rest after {counts}").format(counts=counts["next_window"])
    return ", ".join(shown) + (f" ({state})" if state else "")


def handed_over(
    outcomes: Sequence[Outcome], ledger: Ledger, config: Config
) -> dict[tuple[str, str], dict[str, object]]:
    """After publish: the recipients (and cost) of each broadcast just handed over."""
    found: dict[tuple[str, str], dict[str, object]] = {}
    for outcome in outcomes:
        counts = progress_of(ledger.get(outcome.post_id, outcome.channel))
        if counts is None or outcome.result.value != "published":
            continue
        price = config.channels[outcome.channel].settings.get("price_per_message")
        cost = round(counts["recipients"] * price, 2) if price is not None else None
        found[(outcome.post_id, outcome.channel)] = {
            "recipients": counts["recipients"],
            "cost": cost,
        }
    return found


def print_handed_over(found: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
    for (post, channel), audience in found.items():
        cost = audience["cost"]
        money = f", cost {cost:.2f}" if cost is not None else ""
        sys.stderr.write(
            _("{channel}: {post} goes to {audience:,} recipients{money}\n").format(
                channel=channel, post=post, audience=audience["recipients"], money=money
            )
        )


def refreshed(
    rows: Sequence[tuple[str, str, Record | None]], engine: Engine, lock: RepoLock
) -> list[tuple[str, str, Record | None]]:
    """status --refresh: the rows with each broadcast's counts asked anew and recorded."""
    from socialpub.publishing.refresh import refresh

    with lock:  # the ledger is written: no publish run may write it at the same time
        known = [record for _, _, record in rows if record is not None]
        fresh, failures = refresh(engine, known)
    by_key = {(r.post, r.channel): r for r in fresh}
    for failure in failures:
        sys.stderr.write(_("warning: counts not refreshed: {failure}\n").format(failure=failure))
    return [(post, channel, by_key.get((post, channel), r)) for post, channel, r in rows]


def _broadcasts(delivery: Delivery, found: Mapping[str, Audience]) -> bool:
    return delivery.action.sends and delivery.channel in found
