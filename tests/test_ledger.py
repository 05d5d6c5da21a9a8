"""The ledger: one diff-friendly JSON file per delivery, written atomically, and the
repository lock that keeps two `publish` runs apart."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from socialpub.content.textfile import atomic_write
from socialpub.errors import LedgerError
from socialpub.models import Sent
from socialpub.publishing.ledger import HISTORY_KEPT, LEDGER_DIR, Ledger, Record, State
from socialpub.publishing.lock import LOCK_FILE, RepoLock
from tests.adapterkit import T0, FakeClock
from tests.conftest import PROJECT

BERLIN = datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def full_record() -> Record:
    """A record with every field set to something other than its default."""
    return Record(
        post="kreistag-2026-11",
        channel="bluesky",
        type="bluesky",
        state=State.PARTIAL,
        key="0123456789abcdef0123456789abcdef",
        revision="fedcba9876543210",
        created_at=T0,
        updated_at=BERLIN,
        payload_hash="aaaabbbbccccdddd",
        messages=3,
        sent=(
            Sent("3k2a", "https://bsky.app/profile/kreis/post/3k2a", {"uri": "at://x/3k2a"}),
            Sent("3k2b", "", {"uri": "at://x/3k2b", "cid": "bafy", "parts": [1, 2]}),
        ),
        inflight=2,
        attempts=4,
        url="https://bsky.app/profile/kreis/post/3k2a",
        published_at=T0 + timedelta(minutes=1),
        scheduled_at=T0 + timedelta(days=1),
        last_error="bluesky: HTTP 502 (POST https://bsky.social/xrpc/…)",
        history=(
            ("2026-11-23T09:00:00+00:00", "sending", "message 1 of 3"),
            ("2026-11-23T09:00:01+00:00", "sent", "Übersicht ✓"),
        ),
    )


def simple_record(post: str = "p1", channel: str = "masto") -> Record:
    return Record(
        post=post,
        channel=channel,
        type="mastodon",
        state=State.PUBLISHED,
        key="k",
        revision="r",
        created_at=T0,
        updated_at=T0,
    )


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.name.startswith(".")]


# --- records ---------------------------------------------------------------------------------


def test_a_full_record_survives_put_and_get(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    record = full_record()
    ledger.put(record)
    assert ledger.get(record.post, record.channel) == record


def test_get_returns_none_for_a_delivery_never_written(tmp_path: Path) -> None:
    assert Ledger(tmp_path).get("nothing", "masto") is None


def test_the_file_is_diff_friendly_json_at_a_predictable_path(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.put(full_record())
    path = tmp_path / ".socialpub" / "ledger" / "kreistag-2026-11" / "bluesky.json"
    assert ledger.path("kreistag-2026-11", "bluesky") == path
    assert path.parent.parent == tmp_path / LEDGER_DIR
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert list(data) == sorted(data)
    assert "Übersicht ✓" in text  # readable, not \\u-escaped
    assert data["state"] == "partial" and data["format"] == 1
    assert data["sent"][1]["refs"]["cid"] == "bafy"


def test_a_record_without_optional_fields_reads_back(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.put(simple_record())
    record = ledger.get("p1", "masto")
    assert record is not None
    assert record.published_at is None and record.scheduled_at is None
    assert record.sent == () and record.history == () and record.inflight is None


def test_with_event_appends_history_and_keeps_only_the_newest(tmp_path: Path) -> None:
    record = simple_record()
    for minute in range(HISTORY_KEPT + 5):
        record = record.with_event(T0 + timedelta(minutes=minute), "sending", f"try {minute}")
    assert len(record.history) == HISTORY_KEPT
    assert record.history[-1] == ("2026-11-23T09:24:00+00:00", "sending", f"try {HISTORY_KEPT + 4}")
    assert record.history[0][2] == "try 5"
    assert record.updated_at == T0 + timedelta(minutes=HISTORY_KEPT + 4)
    changed = record.with_event(T0, "failed", "x", state=State.FAILED, last_error="x")
    assert changed.state is State.FAILED and changed.last_error == "x"
    Ledger(tmp_path).put(changed)
    assert Ledger(tmp_path).get("p1", "masto") == changed


def test_milestones_outlive_any_number_of_retries() -> None:
    record = simple_record().with_event(T0, "published", "https://social.example/@kreis/1")
    record = record.with_event(T0, "edited", "https://social.example/@kreis/1")
    for minute in range(HISTORY_KEPT * 2):
        record = record.with_event(T0 + timedelta(minutes=minute), "edit failed", "HTTP 500")
    assert len(record.history) == HISTORY_KEPT
    assert [event for _, event, _ in record.history[:2]] == ["published", "edited"]
    assert record.history[-1][2] == "HTTP 500"


def test_put_replaces_the_previous_version(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.put(simple_record())
    ledger.put(dataclasses.replace(simple_record(), state=State.DELETED))
    record = ledger.get("p1", "masto")
    assert record is not None and record.state is State.DELETED
    assert temp_files(tmp_path) == []


def test_records_lists_every_delivery(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    assert list(ledger.records()) == []
    for post, channel in [("b", "masto"), ("a", "tg"), ("a", "masto")]:
        ledger.put(simple_record(post, channel))
    assert [(r.post, r.channel) for r in ledger.records()] == [
        ("a", "masto"),
        ("a", "tg"),
        ("b", "masto"),
    ]


# --- atomic writes ---------------------------------------------------------------------------


def test_atomic_write_creates_folders_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "folder" / "x.json"
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert temp_files(tmp_path) == []


def test_a_failing_fsync_keeps_the_old_record_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(tmp_path)
    ledger.put(simple_record())
    before = ledger.path("p1", "masto").read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(LedgerError) as info:
        ledger.put(dataclasses.replace(simple_record(), state=State.DELETED))
    assert "No space left on device" in str(info.value)
    assert str(ledger.path("p1", "masto")) in str(info.value)
    assert info.value.hint and "nothing further is sent" in info.value.hint
    assert ledger.path("p1", "masto").read_bytes() == before
    assert temp_files(tmp_path) == []


def test_a_failing_rename_keeps_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.json"
    target.write_bytes(b"old\n")

    def broken_replace(self: Path, other: Path) -> Path:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "replace", broken_replace)
    with pytest.raises(OSError, match="Input/output"):
        atomic_write(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert temp_files(tmp_path) == []


def test_an_interrupt_during_the_write_keeps_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.json"
    target.write_bytes(b"old\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert temp_files(tmp_path) == []


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from socialpub.publishing.ledger import Ledger
    from tests.test_ledger import simple_record

    os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # killed before the rename
    Ledger(Path(sys.argv[1])).put(simple_record("p1", "tg"))
    """
)


def test_temp_files_of_a_killed_write_are_removed_and_nothing_else(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.put(simple_record("p1", "masto"))
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], env=env)
    assert killed.returncode == -signal.SIGKILL
    (left,) = temp_files(tmp_path)
    assert left.parent == ledger.folder / "p1" and left.name.startswith(".tg.json.")
    keep = ledger.folder / "p1" / ".gitkeep"
    keep.write_bytes(b"")
    assert ledger.remove_temp_files() == 1
    assert temp_files(tmp_path) == [keep]
    assert [(r.post, r.channel) for r in ledger.records()] == [("p1", "masto")]
    assert ledger.remove_temp_files() == 0
    assert Ledger(tmp_path / "empty").remove_temp_files() == 0


# --- damaged files ---------------------------------------------------------------------------


def write_raw(ledger: Ledger, text: str | bytes) -> Path:
    path = ledger.path("p1", "masto")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_merge_conflict_markers_name_the_file_and_say_what_to_do(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    text = json.dumps(simple_record().to_json(), indent=2)
    conflicted = text.replace(
        '"state": "published"',
        '<<<<<<< HEAD\n  "state": "published",\n=======\n  "state": "unconfirmed",\n>>>>>>> ci',
    )
    path = write_raw(ledger, conflicted)
    with pytest.raises(LedgerError) as info:
        ledger.get("p1", "masto")
    assert str(path) in info.value.message and "conflict" in info.value.message
    assert info.value.hint and "published" in info.value.hint
    with pytest.raises(LedgerError):
        list(ledger.records())


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '"a string"',
        '{"post": "p1"}',
        json.dumps(simple_record().to_json() | {"state": "posted"}),
        json.dumps(simple_record().to_json() | {"created_at": "yesterday"}),
        json.dumps(simple_record().to_json() | {"sent": [{"url": "no id"}]}),
        json.dumps(simple_record().to_json() | {"history": [["only", "two"]]}),
        b"\xff\xfe\x00garbage",
    ],
    ids=[
        "syntax",
        "list",
        "string",
        "missing-keys",
        "unknown-state",
        "bad-date",
        "sent-without-id",
        "short-history",
        "not-utf8",
    ],
)
def test_a_damaged_file_is_a_ledger_error_with_a_hint(tmp_path: Path, content: str | bytes) -> None:
    ledger = Ledger(tmp_path)
    path = write_raw(ledger, content)
    with pytest.raises(LedgerError) as info:
        ledger.get("p1", "masto")
    assert str(path) in info.value.message and "damaged" in info.value.message
    assert info.value.hint and "git" in info.value.hint
    assert info.value.exit_code == 4


def test_an_unreadable_file_is_a_ledger_error(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    path = ledger.path("p1", "masto")
    path.mkdir(parents=True)  # a folder where the file should be: reading fails
    with pytest.raises(LedgerError, match="cannot read ledger file"):
        ledger.get("p1", "masto")


# --- the repository lock ---------------------------------------------------------------------


def test_the_lock_is_taken_and_released(tmp_path: Path) -> None:
    clock = FakeClock()
    with RepoLock(tmp_path, clock.clock(), wait=1) as lock:
        assert lock.path == tmp_path / LOCK_FILE
        assert lock.path.read_text() == f"{os.getpid()}\n"
    with RepoLock(tmp_path, clock.clock(), wait=0):
        pass  # released: a second run gets it at once
    assert clock.sleeps == []


def test_a_second_lock_waits_then_gives_up_with_a_clear_message(tmp_path: Path) -> None:
    clock = FakeClock()
    with (
        RepoLock(tmp_path, clock.clock(), wait=10),
        pytest.raises(LedgerError) as info,
        RepoLock(tmp_path, clock.clock(), wait=1),
    ):
        pytest.fail("the second lock must not be granted")
    assert "another socialpub run is publishing" in info.value.message
    assert f"process {os.getpid()}" in info.value.message
    assert info.value.hint and "nothing was sent" in info.value.hint
    assert clock.sleeps and sum(clock.sleeps) == pytest.approx(1.0)
    with RepoLock(tmp_path, clock.clock(), wait=0):  # the failed attempt left nothing behind
        pass


def test_the_lock_is_released_when_the_block_raises(tmp_path: Path) -> None:
    clock = FakeClock()
    with pytest.raises(RuntimeError), RepoLock(tmp_path, clock.clock(), wait=0):
        raise RuntimeError("boom")
    with RepoLock(tmp_path, clock.clock(), wait=0):
        pass


HOLDER = textwrap.dedent(
    """\
    import sys, time
    from pathlib import Path
    from socialpub.net.http import Clock
    from socialpub.publishing.lock import RepoLock
    clock = Clock(now=None, monotonic=time.monotonic, sleep=time.sleep)
    with RepoLock(Path(sys.argv[1]), clock, wait=5):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    """The OS drops a flock when its process dies, even by SIGKILL: no stale lock file."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LedgerError) as info, RepoLock(tmp_path, FakeClock().clock(), wait=0):
            pytest.fail("the lock is held by the other process")
        assert f"process {holder.pid}" in info.value.message
        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=10) == -signal.SIGKILL
        with RepoLock(tmp_path, FakeClock().clock(), wait=0) as lock:
            assert lock.path.read_text() == f"{os.getpid()}\n"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
