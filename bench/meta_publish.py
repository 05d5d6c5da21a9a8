"""Publishing to Meta's three channels against their rate limits: how close `socialpub
publish` gets to them.

100 posts (--quick: 50), each with a photo, go to a Facebook Page, an Instagram account and
a Threads account on the fake Graph server of the tests (tests/metagraph.py), which answers
in 50 ms, fetches every photo from a local web server as Meta's crawler does, processes
containers at once, and allows each account 20 requests/s (a token bucket; beyond it Meta's
throttling error with X-Business-Use-Case-Usage at 100 %). socialpub is configured with
the same `rate_limit` per channel. A delivery takes several Graph requests (Instagram and
Threads: quota, container, status, publish, permalink), so the bound is the time the
busiest account needs for its requests at the limit; the result is that bound as a share of
the measured time (whole command, start-up included; goal ≥ 0.8). Every post must arrive
exactly once on every channel, else the row fails. 100 posts is all Instagram takes from an
account in 24 hours (content_publishing_limit), which the fake enforces too.
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

from socialpub.channels.meta_media import site_copy
from tests.metagraph import MediaServer, MetaGraph
from tests.metagraph_store import ContainerPlan
from tests.metarepo import IG, PAGE, THREADS, MetaRepo, jpeg_with_exif, register
from tests.ratelimit import AccountLimit

PER_SECOND = 20  # requests per account and second, on the server and in socialpub's config
LATENCY = 0.05
GOAL = 0.8
CHANNELS = ["facebook", "instagram", "threads"]


def bench_meta_publish(quick: bool, measurements: dict[str, dict[str, Any]]) -> Row:
    posts = 50 if quick else 100
    deliveries = posts * len(CHANNELS)
    name = f"Meta publish {deliveries:,} deliveries vs rate limits"
    print(f"  {name} ({LATENCY * 1000:.0f} ms latency, {PER_SECOND}/s per account)")
    media = MediaServer()
    try:
        with tempfile.TemporaryDirectory() as folder, MetaGraph() as graph:
            register(graph)
            graph.default_plan = ContainerPlan(polls=0)
            repo = write_posts(Path(folder), graph, media, posts)
            graph.latency, graph.limit = LATENCY, AccountLimit(PER_SECOND)
            started = time.perf_counter()
            done = repo.run("publish")
            seconds = time.perf_counter() - started
            limit = graph.limit
            exact = exactly_once(graph, posts)
            published = sum(1 for row in repo.status().values() if row["state"] == "published")
    finally:
        media.stop()
    if done.returncode or not exact or published != deliveries:
        return publish_failed(name, done, published, exact)
    busiest = max(limit.passed.values())  # requests of the account with the most
    throttled = limit.total_throttled()
    note = f"{busiest} requests on the busiest account"
    if throttled:
        note += f"; {throttled} requests went over the server's limit (Meta's code 4/32/80002)"
    row, measurements["meta_publish"] = bound_row(
        name,
        deliveries=deliveries,
        seconds=seconds,
        bound_seconds=busiest / PER_SECOND,
        goal=GOAL,
        note=note,
        fields={
            "requests_per_account": dict(limit.passed),
            "limit_per_account_per_second": PER_SECOND,
            "server_throttled": throttled,
        },
    )
    return row


def write_posts(root: Path, graph: MetaGraph, media: MediaServer, posts: int) -> MetaRepo:
    """`posts` approved posts with one photo each, the photo online where Meta fetches it."""
    repo = MetaRepo(
        root, graph, media, per_channel=4, rate_limit=f"{PER_SECOND}/s",
        concurrency=12, timeout=5, max_rate_wait=30,
    )  # fmt: skip
    photo = repo.file("wappen.jpg", jpeg_with_exif(seed="wappen"))
    path, data = site_copy(root, photo)  # what `socialpub site build` writes for it
    media.put(f"media/{path}", data)
    for number in range(posts):
        text = f"Meldung {number} aus dem Landratsamt: geänderte Sprechzeiten."
        repo.post(f"post-{number:04d}", text, CHANNELS, media=[{"file": photo, "alt": "Wappen"}])
    return repo


def exactly_once(graph: MetaGraph, posts: int) -> bool:
    expected = Counter(f"Meldung {n} " for n in range(posts))

    def seen(texts: list[str]) -> Counter[str]:
        return Counter(text.split("aus dem")[0] for text in texts)

    return (
        seen([p.message for p in graph.feed(PAGE)]) == expected
        and seen([i.text for i in graph.instagram(IG)]) == expected
        and seen([p.text for p in graph.threads(THREADS)]) == expected
    )
