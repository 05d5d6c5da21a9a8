"""The fan-out: sends each unfinished broadcast to its recipients, one broadcast at a time
(oldest first: the account's rate and daily tier are shared anyway, so fairness would only
slow the first post down).

Recipients are claimed from the store in chunks and written `sending` before their requests
go out; results are written per chunk. Requests run concurrently (bounded) and paced at
`rate`; the daily limit puts the broadcast `waiting` until a place frees up. A recipient whose
request may have reached Meta stays `sending` and is never sent to again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialpub.i18n import _
from socialpub.whatsapp import broadcasts, recipients
from socialpub.whatsapp.broadcasts import BroadcastRequest, parse_time
from socialpub.whatsapp.cloudapi import Accepted, CloudApi, Refused, SendResult, Unconfirmed
from socialpub.whatsapp.pacing import Pacer
from socialpub.whatsapp.recipients import WINDOW, Claimed, Failed, Keep, Outcome, Retry, Sent

log = logging.getLogger("socialpub.whatsapp")

#: codes that mean the account can send nothing now: stop and ask a person
STOP_CODES = {190: "access token expired or invalid", 368: "account blocked for policy violations"}
#: the template itself is wrong or not usable: every recipient would fail alike
TEMPLATE_CODES = frozenset({132000, 132001, 132005, 132007, 132012, 132015, 132016})
THROUGHPUT = 130429  # slow down for a while
PAIR_RATE = 131056  # this recipient later
PAIR_PAUSE = timedelta(seconds=6)  # Meta: one message every 6 s to one user
TIER_LIMIT = 131048  # "Spam rate limit hit": the messaging limit, or Meta holding us back
OUT_OF_WINDOW = 131047  # free text after the window closed: send the template instead
RETRY_ATTEMPTS = 3  # Meta answered 5xx with its error (not accepted), or no connection
TIER_PAUSE = timedelta(hours=1)  # when Meta says 131048 without our own count being full


@dataclass(frozen=True)
class FanoutSettings:
    rate: float = 80.0
    daily_limit: int = 1000
    free_text_in_window: bool = False
    #: requests in flight; few connections keep httpcore's pool cheap (its bookkeeping grows
    #: with connections × waiting requests); rate × Meta's round trip must fit: 32 × 30 ms
    #: ≈ 1000 messages/s
    concurrency: int = 32
    #: recipients claimed (written `sending`) at once, two chunks at most: after a SIGKILL
    #: at most twice this many are in doubt and reported unconfirmed
    chunk: int = 64
    idle: float = 1.0  # seconds between looks for new work
    progress_every: float = 30.0  # seconds between progress log lines of a broadcast


class Stopped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Fanout:
    def __init__(
        self,
        conn: sqlite3.Connection,
        api: CloudApi,
        settings: FanoutSettings,
        now: Callable[[], datetime],
        pacer: Pacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.conn, self.api, self.settings, self.now = conn, api, settings, now
        self.pacer = pacer or Pacer(settings.rate)
        self.sleep = sleep
        self.wake = asyncio.Event()  # set by a new PUT
        self._stopping = False
        self._logged_at = 0.0
        self._used: int | None = None  # templates sent in the last 24 h (see _budget)
        self._earliest: str | None = None

    def stop(self) -> None:
        """Finish the requests in flight, claim nothing more (SIGTERM)."""
        self._stopping = True
        self.wake.set()

    async def run(self) -> None:
        """Until stopped: work through unfinished broadcasts, then wait for new ones.

        A broadcast stopped by 190 or 368 carries on after a restart: the cause (a token, a
        block) is fixed before the service is started again."""
        broadcasts.resume_stopped(self.conn)
        while not self._stopping:
            worked = await self.run_once()
            if not worked and not self._stopping:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.settings.idle)

    async def run_once(self) -> bool:
        """One pass over the unfinished broadcasts; True when something was sent."""
        worked = False
        for key, state in broadcasts.unfinished(self.conn):
            if self._stopping:
                break
            if state == "waiting" and not self._window_open(key):
                continue
            worked = await self.send_broadcast(key) or worked
        return worked

    def _window_open(self, key: str) -> bool:
        (window,) = self.conn.execute(
            "SELECT next_window FROM broadcasts WHERE key = ?", (key,)
        ).fetchone()
        return window is None or parse_time(window) <= self.now()

    async def send_broadcast(self, key: str) -> bool:
        """Send to the broadcast's pending recipients until done, waiting, or stopped.

        The next chunk is claimed while the last one is still in flight (two at most, one
        concurrency limit for both): waiting for a chunk's slowest answer and writing its
        results would otherwise leave the pace's slots unused at every chunk's end."""
        request = broadcasts.request_of(self.conn, key)
        self._state(key, "sending")
        self._used = None  # counted anew: time has passed, other broadcasts have sent
        limit = asyncio.Semaphore(self.settings.concurrency)
        stop: list[str] = []
        in_flight: asyncio.Task[None] | None = None
        sent_any = waiting = False
        try:
            while not self._stopping and not stop:
                budget = self._budget(key)
                if budget <= 0:
                    waiting = True
                    break
                claimed, _ = recipients.claim(
                    self.conn, key, min(self.settings.chunk, budget), self.now()
                )
                if not claimed:
                    if in_flight is None:
                        break
                    await in_flight  # what it puts back (130429 …) may go now
                    in_flight = None
                    continue
                sent_any = True
                self._used = (self._used or 0) + len(claimed)
                chunk = asyncio.create_task(self._send_chunk(key, request, claimed, limit, stop))
                if in_flight is not None:
                    await in_flight
                in_flight = chunk
                self._log_progress(key)
        finally:
            if in_flight is not None:
                await in_flight
        if stop:
            self._state(key, "stopped", reason=stop[0])
        elif not waiting and not self._stopping and not recipients.has_pending(self.conn, key):
            self._state(key, "done")
        return sent_any

    def _budget(self, key: str) -> int:
        """How many more templates the daily limit allows now; at 0 the broadcast waits.

        The exact count reads every send of the last 24 h (O(sent)), so it is taken at a
        broadcast's start and again near the limit; in between each claim is added to it.
        That can only over-count (a recipient put back or failed still counts), so the
        limit is never passed."""
        now = self.now()
        if self._used is None or self.settings.daily_limit - self._used <= 2 * self.settings.chunk:
            self._used, self._earliest = recipients.business_initiated_since(
                self.conn, now - WINDOW
            )
        budget = self.settings.daily_limit - self._used
        if budget <= 0:
            earliest = self._earliest
            frees = parse_time(earliest) + WINDOW if earliest else now + WINDOW
            self._state(key, "waiting", next_window=frees)
        return budget

    async def _send_chunk(
        self,
        key: str,
        request: BroadcastRequest,
        chunk: list[Claimed],
        limit: asyncio.Semaphore,
        stop: list[str],
    ) -> None:
        """Send a claimed chunk concurrently; write the results in one transaction. A stop
        (190, 368, a template error) lands in `stop`: what has not started is put back."""
        outcomes: list[Outcome] = []

        async def one(recipient: Claimed) -> None:
            async with limit:
                if not stop and not self._stopping:
                    await self.pacer.wait()
                if stop or self._stopping:  # also when it came during the wait for the slot
                    outcomes.append(Retry(recipient.wa_id))
                    return
                try:
                    outcomes.append(await self._deliver(key, request, recipient))
                except Stopped as error:
                    stop.append(error.reason)
                    outcomes.append(Retry(recipient.wa_id))

        await asyncio.gather(*(one(r) for r in chunk))
        recipients.record(self.conn, key, outcomes, self.now())

    async def _deliver(self, key: str, request: BroadcastRequest, to: Claimed) -> Outcome:
        free_text = self.settings.free_text_in_window and self._in_window(to)
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            result = await self._send(key, request, to.wa_id, free_text)
            if isinstance(result, Refused) and result.code == OUT_OF_WINDOW and free_text:
                free_text = False  # the window closed meanwhile: nothing went out
                result = await self._send(key, request, to.wa_id, free_text)
            outcome = self._outcome(to.wa_id, result, free_text)
            if outcome is not None:
                return outcome
            await self.sleep(0.5 * 2 ** (attempt - 1))
        assert isinstance(result, Refused)
        return Failed(to.wa_id, result.code, result.reason)

    async def _send(
        self, key: str, request: BroadcastRequest, wa_id: str, free: bool
    ) -> SendResult:
        if free:
            return await self.api.send_text_in_window(wa_id, request.text, key)
        return await self.api.send_template(
            wa_id, request.template, request.language, request.parameters, key
        )

    def _outcome(self, wa_id: str, result: SendResult, free_text: bool) -> Outcome | None:
        """What a result means for the row; None: retry (Meta did not accept it)."""
        if isinstance(result, Accepted):
            return Sent(wa_id, result.wamid, free_text)
        if isinstance(result, Unconfirmed):
            # It may have gone out: the row stays `sending`, confirmed by a status webhook
            # or reported unconfirmed after confirm_within, never sent again.
            return Keep(wa_id)
        code = result.code
        if code in STOP_CODES:
            raise Stopped(f"{code}: {STOP_CODES[code]}")
        if code in TEMPLATE_CODES:
            raise Stopped(_("{code}: template {reason}").format(code=code, reason=result.reason))
        if code == THROUGHPUT:
            self.pacer.slow_down()
            return Retry(wa_id)
        if code == PAIR_RATE:
            return Retry(wa_id, self.now() + PAIR_PAUSE)
        if code == TIER_LIMIT:
            return Retry(wa_id, self.now() + TIER_PAUSE)
        if code == 0 or (result.status or 0) >= 500:
            return None
        return Failed(wa_id, code, result.reason)

    def _in_window(self, to: Claimed) -> bool:
        if not to.last_inbound_at:
            return False
        return self.now() - parse_time(to.last_inbound_at) < WINDOW

    def _log_progress(self, key: str) -> None:
        """A count line every `progress_every` seconds: counts only, never a number."""
        moment = asyncio.get_running_loop().time()
        if moment - self._logged_at < self.settings.progress_every:
            return
        self._logged_at = moment
        counts = dict(
            self.conn.execute(
                "SELECT state, count(*) FROM recipients WHERE broadcast = ? GROUP BY state",
                (key,),
            ).fetchall()
        )
        log.info("broadcast %s: %s", key, ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))

    def _state(
        self,
        key: str,
        state: str,
        *,
        next_window: datetime | None = None,
        reason: str | None = None,
    ) -> None:
        if broadcasts.set_state(self.conn, key, state, next_window=next_window, reason=reason):
            extra = f" until {next_window.isoformat()}" if next_window else ""
            extra += f" ({reason})" if reason else ""
            log.info("broadcast %s: %s%s", key, state, extra)
