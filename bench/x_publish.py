"""Publishing to X against its rate limit: how close `socialpub publish` gets to it.

200 posts (--quick: 100), every fourth with a photo (upload, alt text, post: 3 requests),
go to one X account on the strict fake X server of the tests (tests/xfake.py), which
validates every request against X's OpenAPI description, checks every OAuth 1.0a
signature, answers in 50 ms and allows the account 20 requests/s (a token bucket; beyond
it a 429 with `x-rate-limit-reset`). socialpub is configured with the same `rate_limit`.
The bound is the time the account's requests take at the limit; the result is that bound
as a share of the measured time (whole command, start-up included; goal ≥ 0.8). Every post
must arrive exactly once, else the row fails.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from report import Row, bound_row, publish_failed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

from tests.ratelimit import AccountLimit
from tests.xfake import XFake
from tests.xrepo import USER, XRepo, jpeg_with_exif, register

PER_SECOND = 20  # requests per account and second, on the server and in socialpub's config
LATENCY = 0.05
GOAL = 0.8


def bench_x_publish(quick: bool, measurements: dict[str, dict[str, Any]]) -> Row:
    posts = 100 if quick else 200
    name = f"X publish {posts:,} deliveries vs rate limit"
    print(f"  {name} ({LATENCY * 1000:.0f} ms latency, {PER_SECOND}/s per account)")
    fake = register(XFake().start())
    try:
        with tempfile.TemporaryDirectory() as folder:
            repo = write_posts(Path(folder), fake, posts)
            fake.latency, fake.limit = LATENCY, AccountLimit(PER_SECOND)
            started = time.perf_counter()
            done = repo.run("publish")
            seconds = time.perf_counter() - started
            limit = fake.limit
            seen = Counter(t.text for t in fake.timeline(USER))
            exact = seen == Counter(_text(n) for n in range(posts)) and not fake.refused
            published = sum(1 for row in repo.status().values() if row["state"] == "published")
    finally:
        fake.stop()
    if done.returncode or not exact or published != posts:
        return publish_failed(name, done, published, exact)
    requests = limit.passed[USER]
    throttled = limit.total_throttled()
    note = f"{requests} requests"
    if throttled:
        note += f"; {throttled} went over the server's limit (429)"
    row, measurements["x_publish"] = bound_row(
        name,
        deliveries=posts,
        seconds=seconds,
        bound_seconds=requests / PER_SECOND,
        goal=GOAL,
        note=note,
        fields={
            "requests": requests,
            "limit_per_second": PER_SECOND,
            "server_throttled": throttled,
        },
    )
    return row


def _text(number: int) -> str:
    return f"Meldung {number} aus dem Landratsamt: geänderte Sprechzeiten."


def write_posts(root: Path, fake: XFake, posts: int) -> XRepo:
    repo = XRepo(
        root, fake, concurrency=4, rate_limit=f"{PER_SECOND}/s", timeout=5, max_rate_wait=30
    )
    photo = repo.file("wappen.jpg", jpeg_with_exif("wappen"))
    for number in range(posts):
        media = [{"file": photo, "alt": "Wappen"}] if number % 4 == 0 else []
        repo.post(f"post-{number:04d}", _text(number), media=media)
    return repo
