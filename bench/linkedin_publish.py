"""Publishing to a LinkedIn organisation page against its rate limit: how close `socialpub
publish` gets to it.

100 posts (--quick: 50), each with a photo, go to the fake LinkedIn server of the tests
(tests/linkedinfake.py), which answers in 50 ms and allows 10 requests/s (a token bucket;
beyond it a 429). socialpub is configured with the same `rate_limit`. A delivery takes three
requests (register the image, upload it, create the post), so the bound is the time those
requests take at the limit; the result is that bound as a share of the measured time (whole
command, start-up included; goal ≥ 0.8). Every post must arrive exactly once, else the row
fails.
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

from tests.linkedinfake import Fake, handler_for
from tests.linkedinrepo import LinkedInRepo
from tests.localserver import serving
from tests.metarepo import jpeg_with_exif
from tests.ratelimit import AccountLimit

PER_SECOND = 10
LATENCY = 0.05
GOAL = 0.8


def bench_linkedin_publish(quick: bool, measurements: dict[str, dict[str, Any]]) -> Row:
    posts = 50 if quick else 100
    name = f"LinkedIn publish {posts:,} deliveries vs rate limit"
    print(f"  {name} ({LATENCY * 1000:.0f} ms latency, {PER_SECOND}/s)")
    fake = Fake()
    with tempfile.TemporaryDirectory() as folder, serving(handler_for(fake)) as origin:
        fake.base = origin
        repo = LinkedInRepo(Path(folder), fake, timeout=5, max_rate_wait=30)
        repo.configure(rate_limit=f"{PER_SECOND}/s", concurrency=4)
        photo = repo.file("wappen.jpg", jpeg_with_exif(seed="wappen"))
        for number in range(posts):
            text = f"Meldung {number} aus dem Landratsamt: geänderte Sprechzeiten. #Kreis"
            repo.post(f"post-{number:04d}", text, media=[{"file": photo, "alt": "Wappen"}])
        fake.latency, fake.limit = LATENCY, AccountLimit(PER_SECOND)
        started = time.perf_counter()
        done = repo.run("publish")
        seconds = time.perf_counter() - started
        passed, throttled = fake.limit.total_passed(), fake.limit.total_throttled()
        copies = Counter(p.text.split(" aus dem")[0] for p in fake.visible())
        exact = copies == Counter(f"Meldung {n}" for n in range(posts))
        published = sum(1 for row in repo.status().values() if row["state"] == "published")
    if done.returncode or not exact or published != posts:
        return publish_failed(name, done, published, exact)
    note = f"{passed} requests"
    if throttled:
        note += f"; {throttled} went over the server's limit (429)"
    row, measurements["linkedin_publish"] = bound_row(
        name,
        deliveries=posts,
        seconds=seconds,
        bound_seconds=passed / PER_SECOND,
        goal=GOAL,
        note=note,
        fields={
            "requests": passed,
            "limit_per_second": PER_SECOND,
            "server_throttled": throttled,
        },
    )
    return row
