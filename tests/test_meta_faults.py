"""Exactly once across Meta's three channels under faults: 67 posts to a Facebook Page, an
Instagram account and a Threads account (201 deliveries, a few of them threads of two
parts), with about 20 % of the requests (creating and reading) failing at the fake Graph
server: 500s, temporary errors, throttling, dropped connections and timeouts after the post
was stored. A press officer runs `publish` and `reconcile` until both are clean; then every
post exists exactly once on every channel, as the fake's stored state shows."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.metagraph import MediaServer, MetaGraph, media_server, metagraph
from tests.metagraph_faults import CREATING, Fault
from tests.metagraph_store import ContainerPlan
from tests.metarepo import IG, PAGE, THREADS, MetaRepo, jpeg_with_exif, register

__all__ = ["media_server", "metagraph"]  # the fixtures, imported for pytest

POSTS = 67
CHANNELS = ["facebook", "instagram", "threads"]
FAULTS = (
    Fault("500"),
    Fault("transient"),
    Fault("rate", regain_minutes=0),
    Fault("drop"),
    Fault("timeout", hang=1.0),
)
# besides the creating calls: the quota questions, container polls, permalinks, look-ups
READING = frozenset(
    {"GET /content_publishing_limit", "GET /threads_publishing_limit", "GET node", "GET /feed",
     "GET /media", "GET /threads", "GET /replies"}
)  # fmt: skip
_NUMBER = re.compile(r"Meldung (\d+) ")


def text_of(number: int) -> str:
    """Every 10th post is long enough to become a thread of two parts on Threads."""
    text = f"Meldung {number} aus dem Landratsamt: geänderte Sprechzeiten."
    if number % 10 == 0:
        text += " Die Zulassungsstelle öffnet künftig schon um sieben Uhr." * 8
    return text


def copies(texts: list[str]) -> Counter[int]:
    """How often each post number appears among the texts (the first line names it)."""
    return Counter(int(m.group(1)) for t in texts if (m := _NUMBER.match(t)))


def test_201_deliveries_to_facebook_instagram_and_threads_arrive_exactly_once(
    metagraph: MetaGraph, media_server: MediaServer, tmp_path: Path
) -> None:
    graph = register(metagraph)
    graph.default_plan = ContainerPlan(polls=0)
    repo = MetaRepo(tmp_path, graph, media_server, per_channel=4, concurrency=8, max_rate_wait=5)
    photo = repo.file("wappen.jpg", jpeg_with_exif(seed="wappen"))
    for number in range(POSTS):
        repo.post(
            f"post-{number:03d}",
            text_of(number),
            [*CHANNELS, "web"],  # the site serves the photo Instagram and Threads fetch
            media=[{"file": photo, "alt": "Das Kreiswappen"}],
            thread=True,
        )
    repo.deploy()
    graph.random_faults(0.2, FAULTS, seed=2026, endpoints=CREATING | READING)
    exits = []
    for _ in range(10):  # as often as it takes; a few rounds in practice
        exits.append(repo.run("publish").returncode)
        exits.append(repo.run("reconcile").returncode)
        if exits[-2:] == [0, 0]:
            break
    facebook = copies([p.message for p in graph.feed(PAGE) if not p.deleted])
    instagram = copies([i.text for i in graph.instagram(IG)])
    roots = [p for p in graph.threads(THREADS) if p.reply_to_id is None]
    threads = copies([p.text for p in roots])
    states = Counter((channel, row["state"]) for (_, channel), row in repo.status().items())
    numbers = (
        f"exit codes {exits}, faults {Counter(f.kind for _, f in graph.faults.drawn)}, {states}"
    )
    print(numbers)
    assert len(graph.faults.drawn) >= 100, numbers  # about 20 % of some 800 requests
    everyone = Counter(range(POSTS))
    assert facebook == everyone and instagram == everyone and threads == everyone, numbers
    for root in roots:  # a thread reads in order, no part twice
        expected = 2 if int(_NUMBER.match(root.text).group(1)) % 10 == 0 else 1  # type: ignore[union-attr]
        assert len(graph.thread_of(root.id)) == expected, root.text
    assert len(graph.threads(THREADS)) == POSTS + len(range(0, POSTS, 10)), numbers
    assert states == {(channel, "published"): POSTS for channel in [*CHANNELS, "web"]}, numbers
    assert exits[-2:] == [0, 0], numbers
