"""Publishing throughput against rate limits: how close `socialpub publish` gets to them.

1,000 deliveries (500 posts × 2 Mastodon accounts; --quick: 250 posts) go to the fake
platform of the tests (tests/fakeplatform.py), which answers in 50 ms and allows each account
20 requests/s (a token bucket, 429 beyond). socialpub is configured with the same
`rate_limit` and enough `concurrency`. The limits bound the throughput at 2 × 20 = 40
deliveries/s; the result is the achieved rate (whole command, start-up included) as a share of
that bound (goal ≥ 0.8). Every delivery must arrive exactly once, else the row fails.
A second `publish` with nothing left to send shows the fixed cost (start-up, planning).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from report import Row, publish_failed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

from tests.fakeplatform import Behaviour, FakePlatform
from tests.publishrepo import Channel, ledger, run, tokens, write_repo

PER_SECOND = 20  # requests per account and second, on the server and in socialpub's config
LATENCY = 0.05
GOAL = 0.8
CHANNELS = tuple(
    Channel(name, "mastodon", rate_limit=f"{PER_SECOND}/s", concurrency=4)
    for name in ("masto-a", "masto-b")
)


def bench_publish(quick: bool, measurements: dict[str, dict[str, Any]]) -> Row:
    posts = 250 if quick else 500
    deliveries = posts * len(CHANNELS)
    name = f"publish {deliveries:,} deliveries vs rate limits"
    behaviour = Behaviour(latency=LATENCY, rate=(PER_SECOND, 1.0))
    print(f"  {name} ({LATENCY * 1000:.0f} ms latency, {PER_SECOND}/s per account)")
    with (
        tempfile.TemporaryDirectory() as folder,
        FakePlatform(tokens(CHANNELS), behaviour) as server,
    ):
        root = Path(folder)
        ids = write_repo(root, server.url, CHANNELS, posts, concurrency=8, timeout=5)
        done, seconds = timed_publish(root)
        again, fixed = timed_publish(root)
        published = sum(1 for r in ledger(root).values() if r["state"] == "published")
    exact = all(server.copies(c.name) == dict.fromkeys(ids, 1) for c in CHANNELS)
    if done.returncode or again.returncode or not exact or published != deliveries:
        return publish_failed(name, done, published, exact)
    bound = PER_SECOND * len(CHANNELS)
    rate = deliveries / seconds
    ratio = rate / bound
    measurements["publish"] = {
        "deliveries": deliveries,
        "seconds": round(seconds, 3),
        "deliveries_per_second": round(rate, 2),
        "limit_per_second": bound,
        "ratio": round(ratio, 3),
        "rerun_seconds": round(fixed, 3),
        "server_429s": server.rate_limited,
        "goal_ratio": GOAL,
        "ok": ratio >= GOAL,
    }
    note = f"fixed cost (a re-run with nothing to send): {fixed:.2f} s"
    if server.rate_limited:
        note += f"; {server.rate_limited} requests went over the server's limit (429)"
    ok = ratio >= GOAL
    return Row(name, f"{rate:.1f}/s", f"{bound}/s limit", f"{ratio:.2f}×", f"≥ {GOAL:g}×", ok, note)


def timed_publish(root: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = run(root, CHANNELS, "publish")
    return done, time.perf_counter() - started
