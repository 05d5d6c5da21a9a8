"""Exactly once on LinkedIn under faults: 200 posts to an organisation page with about 20 %
of the requests failing at the fake (timeouts, 429s, 500s, dropped connections after the
post was stored). `publish` and `reconcile` run until both are clean; then every post exists
exactly once."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.linkedinfake import Fake, linkedin
from tests.linkedinrepo import LinkedInRepo

__all__ = ["linkedin"]

POSTS = 200
_NUMBER = re.compile(r"Meldung (\d+) ")


def test_200_deliveries_arrive_exactly_once(linkedin: Fake, tmp_path: Path) -> None:
    repo = LinkedInRepo(tmp_path, linkedin, max_rate_wait=5)
    for number in range(POSTS):
        repo.post(
            f"post-{number:03d}", f"Meldung {number} aus dem Landratsamt (Sprechzeiten) #Kreis"
        )
    linkedin.hang = 0.8
    linkedin.faults(0.2, seed=2026)
    exits = []
    for _ in range(12):
        exits.append(repo.run("publish").returncode)
        exits.append(repo.run("reconcile").returncode)
        if exits[-2:] == [0, 0]:
            break
    copies = Counter(int(m.group(1)) for p in linkedin.visible() if (m := _NUMBER.match(p.text)))
    states = Counter(row["state"] for row in repo.status().values())
    numbers = f"exits {exits}, faults {Counter(linkedin.drawn)}, {states}"
    print(numbers)
    assert len(linkedin.drawn) >= 40, numbers
    assert copies == Counter(range(POSTS)), numbers  # none lost, none twice
    assert states == {"published": POSTS}, numbers
