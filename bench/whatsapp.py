"""WhatsApp broadcast: the subscriber service (`socialpub whatsapp serve`, a process of its
own) fans one broadcast out to 100,000 subscribers through the strict fake Cloud API (another
process, requests checked with the document's compiled schemas) at `rate: 1000`.

Figures: throughput against the rate (goal ≥ 90 %), the service's peak memory (VmHWM, goal
< 150 MB), duplicates (goal 0); and the webhook: signed inbound events per second from 32
concurrent keep-alive connections (goal ≥ 1,000/s), every one handled (the events table holds
each id). Both also give the CPU time each process spent per message or event (utime + stime
from /proc): on a shared machine wall time is noisy, CPU time much less so.

The webhook's load generator plays Meta: it signs each body before the clock starts (Meta's
work, not the service's) and writes the prepared requests over raw asyncio connections, so
that it costs little CPU next to the service it measures (an httpx client took a core).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from report import Row

from socialpub.net.http1 import read_answer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

from tests.clirepo import run_socialpub
from tests.localserver import free_port
from tests.wafake_remote import RemoteCloudApiFake
from tests.wafake_wire import envelope, inbound_text
from tests.waserver_cli import ServeProcess
from tests.waservice import (
    APP_SECRET,
    BODY,
    SERVICE_TOKEN,
    TEMPLATE,
    secrets_env,
    write_config,
)

RATE = 1000
SUBSCRIBERS = 100_000
EVENTS = 10_000
THROUGHPUT_GOAL = 0.9
MEMORY_GOAL_MB = 150
WEBHOOK_GOAL = 1000
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def bench_whatsapp(quick: bool, measurements: dict[str, dict[str, Any]]) -> list[Row]:
    subscribers, events = (10_000, 2_000) if quick else (SUBSCRIBERS, EVENTS)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="socialpub-bench-wa-") as folder:
        base = Path(folder)
        root, store = base / "repo", base / "state" / "whatsapp.sqlite3"
        fake = RemoteCloudApiFake(
            APP_SECRET,
            webhook_url=f"http://127.0.0.1:{port}/webhook",
            validation="compiled",
            no_record=True,
        )
        try:
            fake.set(throughput=RATE * 2, pair_burst=10)
            fake.add_template(TEMPLATE, "de", parameters=3)
            write_config(root, fake, port, store, rate=RATE, daily_limit=10 * subscribers)
            env = secrets_env(fake)
            imported = _import(base, root, subscribers, env)
            with (base / "service.log").open("w") as log:
                service = ServeProcess(root, port, env, log)
                pids = {"service": service.pid, "fake": fake.process.pid}
                try:
                    before = _cpu(pids)
                    fanout = _fan_out(service, subscribers)
                    fanout |= _cpu_per(before, _cpu(pids), fanout["sent"], "message")
                    duplicates = len(fake.duplicates())
                    fanout["status_posts"] = fake.webhooks()["deliveries"]
                    # the senders wrote (these webhooks): Meta lets the notices through
                    fake.open_windows([_sender(n) for n in range(events)])
                    before, delivered = _cpu(pids), fake.delivered()
                    started = time.perf_counter()
                    webhook = asyncio.run(_webhook_load(port, fake.phone_number_id, events))
                    webhook |= _notices(fake, delivered + events, started)
                    fake.webhooks(wait=30)  # the notices' status webhooks are part of the work
                    webhook |= _cpu_per(before, _cpu(pids), events, "event")
                    handled = _handled(store, events)
                finally:
                    service.stop()
        finally:
            fake.stop()
    fanout |= {"duplicates": duplicates, "import_seconds": round(imported, 2)}
    webhook |= {"handled": handled}
    measurements["whatsapp_fanout"] = fanout
    measurements["whatsapp_webhook"] = webhook
    return _rows(fanout, webhook, events)


def _import(base: Path, root: Path, count: int, env: dict[str, str]) -> float:
    """The subscribers through `whatsapp subscribers import`, as a county would move them."""
    csv = base / "consents.csv"
    with csv.open("w") as out:
        out.write("number,consent_at\n")
        for n in range(count):
            out.write(f"+49151{n:07d},2026-11-30T10:00:00+01:00\n")
    started = time.perf_counter()
    done = run_socialpub(root, ["whatsapp", "subscribers", "import", str(csv)], env, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"import failed: {done.stderr[-500:]}")
    return time.perf_counter() - started


def _fan_out(service: ServeProcess, count: int) -> dict[str, Any]:
    with httpx.Client(base_url=service.url, headers=AUTH, timeout=30) as client:
        started = time.perf_counter()
        answer = client.put("/broadcasts/bench-1", json=BODY)
        answer.raise_for_status()
        first = None
        while True:
            found = client.get("/broadcasts/bench-1").json()
            if first is None and found["sent"] > 0:
                first = time.perf_counter()
            if found["pending"] == 0 and found["sending"] == found["unconfirmed"]:
                break
            time.sleep(0.25)
        seconds = time.perf_counter() - started
    peak = _peak_memory_mb(service.pid)
    return {
        "recipients": count,
        "sent": found["sent"],
        "failed": found["failed"],
        "unconfirmed": found["unconfirmed"],
        "seconds": round(seconds, 2),
        "per_second": round(found["sent"] / seconds, 1),
        "rate": RATE,
        "ratio": round(found["sent"] / seconds / RATE, 3),
        "peak_mb": peak,
    }


def _peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) each process has used so far; "bench" is this one."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"bench": time.process_time()}
    for name, pid in pids.items():
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        used[name] = (int(fields[11]) + int(fields[12])) / tick
    return used


def _cpu_per(
    before: dict[str, float], after: dict[str, float], n: int, what: str
) -> dict[str, float]:
    """{"service_ms_cpu_per_message": …} for each process: CPU ms per unit of work."""
    return {
        f"{name}_ms_cpu_per_{what}": round((after[name] - before[name]) * 1000 / max(n, 1), 3)
        for name in before
    }


def _sender(n: int) -> str:
    return f"49170{n:07d}"


def _signed_requests(port: int, phone_number_id: str, count: int) -> list[bytes]:
    """Signed inbound messages ("Hallo" from new numbers: each gets the one-way notice), as
    the bytes of whole HTTP/1.1 requests."""
    requests = []
    for n in range(count):
        message = inbound_text(
            f"49170{n:07d}", "Bench", f"wamid.bench{n:08d}", "Hallo", time.time()
        )
        body = json.dumps(envelope("200000000000002", phone_number_id, "4936211230", [message]))
        data = body.encode()
        signature = hmac.new(APP_SECRET.encode(), data, hashlib.sha256).hexdigest()
        head = (
            f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "User-Agent: facebookexternalua\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: sha256={signature}\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        requests.append(head.encode() + data)
    return requests


async def _webhook_load(port: int, phone_number_id: str, count: int) -> dict[str, Any]:
    """The signed requests from 32 keep-alive connections, each waiting for its answer before
    it sends the next (as Meta does)."""
    queue = iter(_signed_requests(port, phone_number_id, count))
    statuses: list[int] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                writer.write(request)
                answer, keep = await read_answer(reader)
                statuses.append(answer.status)
                if not keep:
                    raise RuntimeError("the service closed a keep-alive connection")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(32)))
    seconds = time.perf_counter() - started
    return {
        "events": count,
        "answered_200": statuses.count(200),
        "seconds": round(seconds, 2),
        "per_second": round(count / seconds, 1),
    }


def _notices(fake: RemoteCloudApiFake, expected: int, started: float) -> dict[str, Any]:
    """Wait (up to a minute) until the phones show every one-way notice: the replies go out
    after the webhook's answer, so the events/s alone would not show a sender falling behind."""
    deadline = time.monotonic() + 60
    while (shown := fake.delivered()) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return {
        "notices_missing": expected - shown,
        "notices_seconds": round(time.perf_counter() - started, 2),
    }


def _handled(store: Path, count: int) -> int:
    with sqlite3.connect(store) as connection:
        (found,) = connection.execute(
            "SELECT COUNT(*) FROM events WHERE event_id LIKE 'wamid.bench%'"
        ).fetchone()
    return int(found)


def _rows(fanout: dict[str, Any], webhook: dict[str, Any], events: int) -> list[Row]:
    complete = fanout["sent"] == fanout["recipients"] and fanout["duplicates"] == 0
    ratio_ok = fanout["ratio"] >= THROUGHPUT_GOAL and complete
    lost = events - webhook["handled"]
    hook_ok = webhook["per_second"] >= WEBHOOK_GOAL and lost == 0 and not webhook["notices_missing"]
    return [
        Row(
            f"WhatsApp fan-out, {fanout['recipients']:,} subscribers",
            f"{fanout['per_second']:,.0f} msg/s",
            f"rate {RATE:,}/s",
            f"{fanout['ratio']:.2f}×",
            f"≥ {THROUGHPUT_GOAL:.2f}×",
            ratio_ok,
            f"{fanout['sent']:,} sent, {fanout['duplicates']} duplicates, "
            f"{fanout['unconfirmed']} unconfirmed, failed {fanout['failed'] or 0}; CPU ms per "
            f"message: {_cpu_note(fanout, 'message')}",
        ),
        Row(
            "WhatsApp service peak memory",
            f"{fanout['peak_mb']:.0f} MB",
            "",
            f"{fanout['peak_mb'] / MEMORY_GOAL_MB:.2f}× of goal",
            f"< {MEMORY_GOAL_MB} MB",
            fanout["peak_mb"] < MEMORY_GOAL_MB,
        ),
        Row(
            "WhatsApp webhook, signed events",
            f"{webhook['per_second']:,.0f} events/s",
            f"{WEBHOOK_GOAL:,}/s",
            f"{webhook['per_second'] / WEBHOOK_GOAL:.2f}×",
            "≥ 1.00×",
            hook_ok,
            f"{webhook['handled']:,} of {events:,} handled, "
            f"{webhook['answered_200']:,} answered 200, all notices out after "
            f"{webhook['notices_seconds']} s ({webhook['notices_missing']} missing); CPU ms per "
            f"event: {_cpu_note(webhook, 'event')}",
        ),
    ]


def _cpu_note(figures: dict[str, Any], what: str) -> str:
    return ", ".join(
        f"{name} {figures[f'{name}_ms_cpu_per_{what}']:.2f}"
        for name in ("service", "fake", "bench")
    )
