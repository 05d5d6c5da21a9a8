"""Crash safety: `socialpub publish` killed with SIGKILL at random moments, then run again.

Each trial is a fresh repository (30 posts × a Mastodon and a Telegram channel) against a fake
platform that answers in 20–50 ms. The kill comes a random time (0–2 latencies) after the
server has seen a random number of posting requests (0–60), so it lands during start-up,
between requests, in the middle of one or after the last, whatever the speed of the machine.

After the re-runs, Mastodon must have every post exactly once (the resent request carries the
same Idempotency-Key); Telegram, which has no such key, may keep the delivery that was in
flight `unconfirmed` (0 or 1 messages, for `reconcile` to sort out), but never has two.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import DEVNULL

from tests.fakeplatform import Behaviour, FakePlatform
from tests.publishrepo import Channel, environment, ledger, run, tokens, write_repo

TRIALS = 20
POSTS = 30
PARALLEL = 4  # trials at once: they mostly wait for the server and for fsync
MASTODON = Channel("masto", "mastodon")
TELEGRAM = Channel("tg", "telegram")
CHANNELS = (MASTODON, TELEGRAM)
POSTING = ("POST /api/v1/statuses", "POST /bot<token>/sendMessage")


@dataclass
class Trial:
    """What one kill did, and what was wrong afterwards (`problems` must stay empty)."""

    seed: int
    latency: float
    kill_after_requests: int
    kill_delay: float
    finished_first: bool = False  # the run ended before the kill
    sent_at_kill: int = 0  # deliveries recorded as sent (published or partial) at the kill
    inflight_at_kill: Counter[str] = field(default_factory=Counter)  # unconfirmed, by channel
    reruns: int = 0
    replays: int = 0  # resent Mastodon requests answered with the status the killed run made
    telegram_unconfirmed: int = 0
    telegram_unconfirmed_empty: int = 0  # unconfirmed where the request never arrived
    problems: list[str] = field(default_factory=list)


def kill_during(root: Path, server: FakePlatform, trial: Trial) -> bool:
    """Start `publish`, SIGKILL it as the trial says; True when it had finished by then."""
    command = [sys.executable, "-m", "socialpub", "publish"]
    env = environment(CHANNELS)
    process = subprocess.Popen(command, cwd=root, env=env, stdout=DEVNULL, stderr=DEVNULL)
    while process.poll() is None and posting(server) < trial.kill_after_requests:
        time.sleep(0.002)
    time.sleep(trial.kill_delay)
    if process.poll() is not None:
        return True
    process.send_signal(signal.SIGKILL)
    process.wait()
    return False


def posting(server: FakePlatform) -> int:
    return sum(server.requests[endpoint] for endpoint in POSTING)


def rerun_until_mastodon_is_done(root: Path, ids: list[str], trial: Trial) -> None:
    """Re-run `publish` until Mastodon has everything (Telegram's unconfirmed ones stay)."""
    for _ in range(3):
        done = run(root, CHANNELS, "publish")
        trial.reruns += 1
        if done.returncode not in (0, 1):
            trial.problems.append(f"publish exited {done.returncode}: {done.stderr[-500:]}")
            return
        records = ledger(root)
        if all(records.get((post, MASTODON.name), {}).get("state") == "published" for post in ids):
            return


def check(trial: Trial, server: FakePlatform, root: Path, ids: list[str]) -> None:
    """Exactly once on Mastodon; on Telegram once, or unconfirmed with 0–1 messages."""
    records = ledger(root)
    stored = {(c.marker, c.account): c.id for c in server.created}
    for channel in CHANNELS:
        copies = server.copies(channel.name)
        allowed = ("published", "unconfirmed") if channel is TELEGRAM else ("published",)
        for post in ids:
            record = records.get((post, channel.name), {})
            state, count = record.get("state"), copies[post]
            recorded = [sent["id"] for sent in record.get("sent", [])]
            if count > 1 or state not in allowed:
                trial.problems.append(f"{post}/{channel.name}: {state}, {count} copies")
            elif state == "published" and recorded != [stored.get((post, channel.name))]:
                trial.problems.append(f"{post}/{channel.name}: ledger ids {recorded}, {count}")
            elif state == "unconfirmed":
                trial.telegram_unconfirmed += 1
                trial.telegram_unconfirmed_empty += count == 0
    if trial.telegram_unconfirmed != trial.inflight_at_kill[TELEGRAM.name]:
        unconfirmed = trial.telegram_unconfirmed
        trial.problems.append(f"{unconfirmed} Telegram unconfirmed, not the one in flight")


def crash_trial(root: Path, seed: int) -> Trial:
    rng = random.Random(seed)
    latency = rng.uniform(0.02, 0.05)
    trial = Trial(seed, latency, rng.randint(0, 2 * POSTS), rng.uniform(0, 2 * latency))
    with FakePlatform(tokens(CHANNELS), Behaviour(latency=trial.latency)) as server:
        ids = write_repo(root, server.url, CHANNELS, POSTS)
        trial.finished_first = kill_during(root, server, trial)
        at_kill = ledger(root).items()
        trial.sent_at_kill = sum(1 for _, r in at_kill if r["state"] in ("published", "partial"))
        trial.inflight_at_kill = Counter(c for (_, c), r in at_kill if r["state"] == "unconfirmed")
        rerun_until_mastodon_is_done(root, ids, trial)
        check(trial, server, root, ids)
        trial.replays = server.replays
    return trial


def describe(trials: list[Trial]) -> str:
    killed = [t for t in trials if not t.finished_first]
    mid_request = [t for t in killed if t.inflight_at_kill]
    inflight = sum((t.inflight_at_kill for t in trials), Counter[str]())
    return (
        f"{len(trials)} trials: {len(killed)} killed ({len(mid_request)} mid-request: "
        f"in-flight deliveries {dict(inflight)}), {len(trials) - len(killed)} finished first; "
        f"sent at the kill {sorted(t.sent_at_kill for t in killed)} of {2 * POSTS}; "
        f"Telegram unconfirmed afterwards {sum(t.telegram_unconfirmed for t in trials)} "
        f"({sum(t.telegram_unconfirmed_empty for t in trials)} with no message); "
        f"Mastodon resends answered by the Idempotency-Key {sum(t.replays for t in trials)}; "
        f"re-runs {Counter(t.reruns for t in trials)}"
    )


def test_sigkill_at_random_moments_never_duplicates_or_loses(tmp_path: Path) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = [pool.submit(crash_trial, tmp_path / f"trial-{n}", n) for n in range(TRIALS)]
        trials = [future.result() for future in futures]
    summary = f"{describe(trials)}; {time.monotonic() - started:.0f} s"
    print(summary)
    problems = [f"seed {t.seed}: {p}" for t in trials for p in t.problems]
    assert problems == [], f"{problems[:20]}\n{summary}"
    assert any(t.inflight_at_kill for t in trials), f"no kill landed mid-request: {summary}"
