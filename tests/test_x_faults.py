"""Exactly once on X under faults: 200 deliveries (a few of them threads of two parts) with
about 20 % of the requests (creating and reading) failing at the fake X server: 500s, 429s,
dropped connections and timeouts after the post was stored. A press officer runs `publish`
and `reconcile` until both are clean; then every post exists exactly once on X, as the
fake's stored state shows, and every thread reads in order."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.xfake import XFake, xfake
from tests.xfake_wire import CREATING, Fault
from tests.xrepo import USER, XRepo, register

__all__ = ["xfake"]  # the fixture, imported for pytest

POSTS = 200
FAULTS = (
    Fault("500"),
    Fault("429", reset_in=0),
    Fault("user429", reset_in=0),
    Fault("drop"),
    Fault("timeout", hang=1.0),
)
READING = frozenset({"GET /2/users/{id}/tweets"})
_NUMBER = re.compile(r"Meldung (\d+) ")


def text_of(number: int) -> str:
    """Every 20th post is long enough to become a thread of two parts on X."""
    text = f"Meldung {number} aus dem Landratsamt: geänderte Sprechzeiten."
    if number % 20 == 0:
        text += f" Die Zulassungsstelle {number} öffnet künftig schon um sieben Uhr." * 5
    return text


def test_200_deliveries_to_x_arrive_exactly_once(xfake: XFake, tmp_path: Path) -> None:
    fake = register(xfake)
    repo = XRepo(tmp_path, fake, concurrency=4, max_rate_wait=5)
    for number in range(POSTS):
        repo.post(f"post-{number:03d}", text_of(number), thread=True)
    fake.random_faults(0.2, FAULTS, seed=2026, endpoints=CREATING | READING)
    exits = []
    for _ in range(10):  # as often as it takes; a few rounds in practice
        exits.append(repo.run("publish").returncode)
        exits.append(repo.run("reconcile").returncode)
        if exits[-2:] == [0, 0]:
            break
    timeline = fake.timeline(USER)
    roots = [t for t in timeline if t.reply_to is None]
    copies = Counter(int(m.group(1)) for t in roots if (m := _NUMBER.match(t.text)))
    states = Counter(row["state"] for row in repo.status().values())
    numbers = (
        f"exit codes {exits}, faults {Counter(f.kind for _, f in fake.faults.drawn)}, {states}"
    )
    print(numbers)
    assert len(fake.faults.drawn) >= 40, numbers  # about 20 % of some 250 requests
    assert copies == Counter(range(POSTS)), numbers  # 0 lost, 0 duplicates
    threads = len(range(0, POSTS, 20))
    assert len(timeline) == POSTS + threads, numbers  # no part twice
    for root in roots:
        replies = [t for t in timeline if t.reply_to == root.id]
        assert len(replies) == (1 if int(_NUMBER.match(root.text).group(1)) % 20 == 0 else 0)  # type: ignore[union-attr]
    assert states == {"published": POSTS}, numbers
    assert exits[-2:] == [0, 0] and fake.refused == [], numbers
