"""`publish --commit` on real git repositories: a git killed in the middle of the commit, a
live git holding the index lock, temp files in the ledger, and what a git failure says."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialpub.errors import LedgerError
from socialpub.publishing import gitlock
from socialpub.publishing.gitcommit import commit_ledger
from socialpub.publishing.gitlock import MIN_AGE, recover_index_lock
from tests.adapterkit import FakeClock
from tests.publishrepo import environment, run

LEDGER = Path(".socialpub") / "ledger"
RECORD = LEDGER / "sprechzeiten" / "web.json"
# A pre-commit hook that, while the file `block` exists, tells the test that git is in the
# middle of the commit (index.lock taken) and then never finishes.
HOOK = """#!/bin/sh
if [ -e "{block}" ]; then
  echo $PPID > "{marker}.tmp" && mv "{marker}.tmp" "{marker}"
  exec sleep 120
fi
"""


@dataclass(frozen=True)
class GitRepo:
    root: Path
    block: Path  # while it exists, every commit hangs in its pre-commit hook
    marker: Path  # the hook writes git's pid here once it hangs

    @property
    def index_lock(self) -> Path:
        return self.root / ".git" / "index.lock"

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.root), *args], capture_output=True, text=True, check=True
        )
        return done.stdout


def make_repo(folder: Path, lock_wait: float = 10) -> GitRepo:
    """A posts repository with one approved post for a website channel (nothing leaves the
    machine), under git with a hook that can hold a commit."""
    root = folder / "repo"
    (root / "posts").mkdir(parents=True)
    (root / "socialpub.yaml").write_text(
        f"timezone: Europe/Berlin\npublish:\n  lock_wait: {lock_wait}\nchannels:\n  web:\n"
        "    type: website\n    base_url: https://www.kreis.example/aktuelles\n"
        "    out_dir: public\n",
        encoding="utf-8",
    )
    (root / "posts" / "a.md").write_text(
        "---\nid: sprechzeiten\ntitle: Neue Sprechzeiten\nstatus: approved\n---\nAb Montag.\n",
        encoding="utf-8",
    )
    repo = GitRepo(root, folder / "block", folder / "git-pid")
    hooks = folder / "hooks"
    hooks.mkdir()
    hook = hooks / "pre-commit"
    hook.write_text(HOOK.format(block=repo.block, marker=repo.marker), encoding="utf-8")
    hook.chmod(0o755)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    settings = {
        "user.name": "Pressestelle",
        "user.email": "presse@kreis.example",
        "commit.gpgsign": "false",
        "core.hooksPath": str(hooks),
    }
    for key, value in settings.items():
        repo.git("config", key, value)
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return make_repo(tmp_path)


def wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, "the process ended before git reached the hook"
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.02)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and everything it started (git, the hook's sleep)."""
    with contextlib.suppress(ProcessLookupError):  # the whole group has ended already
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def start_hanging_commit(repo: GitRepo) -> subprocess.Popen[bytes]:
    """A live `git commit` in the repository, stopped in its hook with index.lock held."""
    (repo.root / "notes.txt").write_text("Entwurf\n", encoding="utf-8")
    repo.git("add", "notes.txt")
    repo.block.touch()
    return subprocess.Popen(
        ["git", "commit", "-q", "-m", "Notizen", "--", "notes.txt"],
        cwd=repo.root,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def hanging_commit(repo: GitRepo) -> Iterator[subprocess.Popen[bytes]]:
    process = start_hanging_commit(repo)
    try:
        wait_for(repo.marker, process)
        assert repo.index_lock.exists()
        yield process
    finally:
        kill_group(process)


def real_clock() -> FakeClock:
    """Wall time of now (the lock's time stamp is real); sleeping only counts."""
    return FakeClock(start=datetime.now(UTC))


def test_a_git_killed_mid_commit_does_not_block_the_next_publish(repo: GitRepo) -> None:
    repo.block.touch()
    command = [sys.executable, "-m", "socialpub", "publish", "--commit"]
    process = subprocess.Popen(
        command,
        cwd=repo.root,
        env=environment(()),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(repo.marker, process)  # the ledger is written, git commit holds index.lock
    kill_group(process)  # socialpub, git and its hook, as a cancelled CI job or a power cut
    assert repo.index_lock.exists() and (repo.root / RECORD).is_file()
    repo.block.unlink()

    done = run(repo.root, (), "publish", "--commit")

    assert done.returncode == 0, done.stderr
    lock = repo.index_lock.resolve()
    assert f"removed a stale git lock {lock} left by an interrupted git" in done.stderr
    assert "committed the ledger changes" in done.stderr
    assert not repo.index_lock.exists()
    assert repo.git("log", "--name-only", "--format=%s").splitlines() == [
        "socialpub: ledger after publish (no changes)",
        "",
        str(RECORD),
    ]


def test_a_lock_a_live_git_holds_is_never_removed(
    repo: GitRepo, hanging_commit: subprocess.Popen[bytes]
) -> None:
    clock = real_clock()
    with pytest.raises(LedgerError) as info:
        recover_index_lock(repo.root, clock.clock(), wait=1)
    lock = repo.index_lock.resolve()
    assert info.value.message == (
        f"git's index lock {lock} is held by a running git (process {hanging_commit.pid})"
    )
    assert info.value.hint and "wait until that git has finished" in info.value.hint
    assert sum(clock.sleeps) >= 1  # it waited for the live git first
    assert repo.index_lock.exists()


def test_publish_commit_stops_before_sending_when_a_live_git_holds_the_lock(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path, lock_wait=0.2)
    process = start_hanging_commit(repo)
    try:
        wait_for(repo.marker, process)
        done = run(repo.root, (), "publish", "--commit")
    finally:
        kill_group(process)
    assert done.returncode == 4
    assert f"git's index lock {repo.index_lock.resolve()} is held by a running git" in done.stderr
    assert not (repo.root / LEDGER).exists()  # nothing was sent


def test_a_git_working_on_another_repository_does_not_count(
    tmp_path: Path, hanging_commit: subprocess.Popen[bytes]
) -> None:
    other = make_repo(tmp_path / "other")
    other.index_lock.write_bytes(b"")  # left by a killed git; a live one runs elsewhere
    clock = real_clock()
    assert recover_index_lock(other.root, clock.clock(), wait=10) == other.index_lock.resolve()
    assert not other.index_lock.exists()
    assert sum(clock.sleeps) >= MIN_AGE  # a fresh lock is watched a while first


def test_an_old_stale_lock_is_removed_at_once(repo: GitRepo) -> None:
    repo.index_lock.write_bytes(b"")
    an_hour_ago = time.time() - 3600
    os.utime(repo.index_lock, (an_hour_ago, an_hour_ago))
    clock = real_clock()
    assert recover_index_lock(repo.root, clock.clock(), wait=10) == repo.index_lock.resolve()
    assert clock.sleeps == [] and not repo.index_lock.exists()


def test_without_proc_the_lock_is_left_to_a_person(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.index_lock.write_bytes(b"")
    monkeypatch.setattr(gitlock, "_PROC", repo.root / "no-proc")
    with pytest.raises(LedgerError) as info:
        recover_index_lock(repo.root, real_clock().clock(), wait=0)
    assert str(repo.index_lock.resolve()) in info.value.message
    assert (
        info.value.hint == f"if no git is running, remove {repo.index_lock.resolve()} and run again"
    )
    assert repo.index_lock.exists()


def test_temp_files_are_removed_and_never_committed(repo: GitRepo) -> None:
    temp = repo.root / LEDGER / "sprechzeiten" / ".web.json.k3x9q_a1"
    temp.parent.mkdir(parents=True)
    temp.write_bytes(b"")  # a write killed between creating and renaming its temp file

    done = run(repo.root, (), "publish", "--commit")

    assert done.returncode == 0, done.stderr
    assert "removed 1 temporary ledger file left by an interrupted run" in done.stderr
    assert not temp.exists()
    assert repo.git("ls-files").splitlines() == [str(RECORD)]


def test_commit_ledger_never_stages_temp_files(repo: GitRepo) -> None:
    record = repo.root / RECORD
    record.parent.mkdir(parents=True)
    record.write_text('{"state": "published"}\n', encoding="utf-8")
    temp = record.parent / ".web.json.k3x9q_a1"
    temp.write_bytes(b"")
    assert commit_ledger(repo.root, "socialpub: ledger") is True
    assert repo.git("ls-files").splitlines() == [str(RECORD)]
    assert temp.exists()  # untouched: removing them is for the run that holds the lock


def test_a_git_failure_names_the_command_the_folder_and_all_git_said(repo: GitRepo) -> None:
    hook = Path(repo.git("config", "core.hooksPath").strip()) / "pre-commit"
    hook.write_text(
        "#!/bin/sh\necho 'first line' >&2\n"
        "echo 'see https://presse:s3cr3t@git.kreis.example/posts' >&2\n"
        "echo 'last line' >&2\nexit 1\n",
        encoding="utf-8",
    )
    (repo.root / RECORD).parent.mkdir(parents=True)
    (repo.root / RECORD).write_text("{}\n", encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        commit_ledger(repo.root, "socialpub: ledger")
    assert info.value.message == (
        "`git commit --quiet --message 'socialpub: ledger' -- .socialpub/ledger "
        f"':(exclude,glob).socialpub/ledger/**/.*'` in {repo.root} failed with exit code 1:\n"
        "  first line\n  see https://***@git.kreis.example/posts\n  last line"
    )
