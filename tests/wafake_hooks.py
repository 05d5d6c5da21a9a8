"""The fake Cloud API's webhook deliveries (tests/wafake.py): status updates and citizens'
messages, posted to the service like Meta does it.

- signed: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app
  secret>`;
- in Meta's payload shape (`object`, `entry[].changes[].value` with `metadata` and either
  `statuses` or `contacts` + `messages`, `field: "messages"`);
- batched: the status updates due at the same moment go out together, up to `batch_max` in
  one POST (Meta batches);
- in order, retried: an answer other than 200 (or no answer) is retried with exponential
  backoff before anything later is sent, as Meta retries (for up to 7 days);
- `pause()` holds everything back (the service is down), `resume()` sends what piled up;
- `resend_last()` posts the last delivered body again, unchanged (Meta delivers twice).
One thread sends; the fake's request handlers only enqueue.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import itertools
import json
import select
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RETRY_FIRST = 0.1  # seconds before the first retry; doubles, up to RETRY_MAX
RETRY_MAX = 2.0


def signature(secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 header Meta sends with every webhook POST."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivery:
    """One webhook POST that was answered (or failed): for assertions."""

    body: bytes
    status: int | None  # None: no answer (connection refused, timeout)
    statuses: int  # status updates it carried
    messages: int  # inbound messages it carried


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    kind: str = field(compare=False)  # "status" | "message"
    item: dict[str, Any] = field(compare=False)  # a status object, or a change value
    done: threading.Event | None = field(compare=False, default=None)


class Webhooks:
    """Posts what the fake has to tell the service, one thread, in order."""

    def __init__(
        self,
        url: str | None,
        secret: str,
        envelope: Callable[[list[dict[str, Any]]], dict[str, Any]],
        batch_max: int = 50,
    ) -> None:
        self.url, self.secret, self.batch_max = url, secret, batch_max
        self.envelope = envelope  # change values → the whole payload
        self.deliveries: list[Delivery] = []
        self.timeout = 5.0
        self._heap: list[_Due] = []
        self._in_flight: list[_Due] = []  # taken from the heap, not yet answered 200
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        self._last: bytes | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="wafake-webhooks")
        # http.client, not httpx: one keep-alive connection, a fifth of the CPU per POST (the
        # bench runs the fake next to the service on two cores)
        self._connection: http.client.HTTPConnection | None = None
        self._http = threading.Lock()  # the sender thread and resend_last share the connection
        self._thread.start()

    # --- what the fake asks --------------------------------------------------------------

    def status(self, item: dict[str, Any], delay: float = 0.0) -> None:
        self._push("status", item, delay)

    def message(self, value: dict[str, Any]) -> threading.Event:
        done = threading.Event()
        self._push("message", value, 0.0, done)
        return done

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify()

    def resend_last(self) -> int | None:
        """Post the last delivered body again (a duplicate, as Meta sends them); the status."""
        if self._last is None:
            raise LookupError("no webhook was delivered yet")
        return self._post(self._last, 0, 0)

    def pending(self) -> int:
        """Events not yet delivered."""
        with self._cond:
            return len(self._heap) + len(self._in_flight)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until everything due so far was delivered (not counting what is scheduled
        later than `timeout` from now)."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._in_flight or (self._heap and self._heap[0].at <= end):
                left = end - time.monotonic()
                if left <= 0 or self._paused:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(5)
        if self._connection is not None:
            self._connection.close()

    # --- the sender ----------------------------------------------------------------------

    def _push(
        self, kind: str, item: dict[str, Any], delay: float, done: threading.Event | None = None
    ) -> None:
        with self._cond:
            heapq.heappush(
                self._heap, _Due(time.monotonic() + delay, next(self._seq), kind, item, done)
            )
            self._cond.notify()

    def _run(self) -> None:
        while (batch := self._take_batch()) is not None:
            statuses = [d.item for d in batch if d.kind == "status"]
            values = [{"statuses": statuses}] if statuses else [d.item for d in batch]
            body = json.dumps(self.envelope(values), separators=(",", ":")).encode()
            backoff = RETRY_FIRST
            # Meta retries the same payload until it is taken; nothing newer overtakes it
            while self._post(body, len(statuses), len(batch) - len(statuses)) != 200:
                if not self._wait(backoff):
                    return
                backoff = min(backoff * 2, RETRY_MAX)
            self._last = body
            with self._cond:
                self._in_flight = []
                self._cond.notify_all()
            for due in batch:
                if due.done is not None:
                    due.done.set()

    def _wait(self, seconds: float) -> bool:
        """Sleep before a retry, and on while paused; False once stopped."""
        with self._cond:
            self._cond.wait(seconds)
            while self._paused and not self._stopped:
                self._cond.wait(0.5)
            return not self._stopped

    def _take_batch(self) -> list[_Due] | None:
        """The events due now that go in one POST: a citizen's message alone, or up to
        `batch_max` status updates. None once stopped."""
        with self._cond:
            while True:
                if self._stopped:
                    return None
                now = time.monotonic()
                if self.url and not self._paused and self._heap and self._heap[0].at <= now:
                    break
                wait = self._heap[0].at - now if self._heap and not self._paused else 0.5
                self._cond.wait(max(0.001, min(wait, 0.5)))
            batch = [heapq.heappop(self._heap)]
            while (
                batch[0].kind == "status"
                and len(batch) < self.batch_max
                and self._heap
                and self._heap[0].kind == "status"
                and self._heap[0].at <= now
            ):
                batch.append(heapq.heappop(self._heap))
            self._in_flight = batch
            return batch

    def _post(self, body: bytes, statuses: int, messages: int) -> int | None:
        assert self.url is not None
        headers = {
            "content-type": "application/json",
            "x-hub-signature-256": signature(self.secret, body),
            "user-agent": "facebookexternalua",
        }
        status: int | None = None
        with self._http:
            try:
                status = self._send(body, headers)
            except (OSError, http.client.HTTPException):
                self._drop_connection()
        self.deliveries.append(Delivery(body, status, statuses, messages))
        return status

    def _send(self, body: bytes, headers: dict[str, str]) -> int:
        """POST on the kept connection (a new one when there is none); the status."""
        assert self.url is not None
        sock = self._connection.sock if self._connection is not None else None
        if sock is not None and select.select([sock], [], [], 0)[0]:
            self._drop_connection()  # the service closed it while idle (keep-alive timeout)
        if self._connection is None:
            url = urllib.parse.urlsplit(self.url)
            self._connection = http.client.HTTPConnection(
                url.hostname or "127.0.0.1", url.port or 80, timeout=self.timeout
            )
        path = urllib.parse.urlsplit(self.url).path or "/"
        self._connection.request("POST", path, body=body, headers=headers)
        response = self._connection.getresponse()
        response.read()
        if response.will_close:
            self._drop_connection()
        return response.status

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
