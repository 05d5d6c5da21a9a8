"""`socialpub doctor` on the command line, in a temp git repository: the ledger committed,
uncommitted, unpushed; text and JSON output; exit codes; a broken config; an unknown
channel. The channels here need no network (a website and a posting kit), so every check
but the ledger's is ok."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from tests import metarepo
from tests.metagraph import MetaGraph, metagraph

__all__ = ["metagraph"]  # the fixture, imported for pytest

CONFIG = (
    "timezone: Europe/Berlin\nchannels:\n"
    "  website:\n    type: website\n    base_url: https://www.landkreis.example\n"
    "  xing:\n    type: xing\n    profile_url: https://www.xing.com/pages/landkreis\n"
)
LEDGER = Path(".socialpub/ledger/kreistag/website.json")
runner = CliRunner()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed posts repository pushed to a bare `origin`."""
    root, origin = tmp_path / "repo", tmp_path / "origin.git"
    (root / "posts").mkdir(parents=True)
    (root / "socialpub.yaml").write_text(CONFIG, encoding="utf-8")
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    git(root, "init", "--quiet", "--initial-branch", "main")
    git(root, "config", "user.name", "Pressestelle")
    git(root, "config", "user.email", "presse@landkreis.example")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "start")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "--quiet", "-u", "origin", "main")
    return root


def doctor(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    config = ["--config", str(root / "socialpub.yaml")]
    result = runner.invoke(app, ["doctor", *config, *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def checks(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, dict[str, str]]]:
    code, out = doctor(root, "--json", *args, env=env)
    data = json.loads(out)
    assert data["ok"] is (code == 0)
    return code, {f"{c['channel']}/{c['check']}": c for c in data["checks"]}


def write_ledger(root: Path, text: str = '{"state": "published"}\n') -> None:
    (root / LEDGER).parent.mkdir(parents=True, exist_ok=True)
    (root / LEDGER).write_text(text, encoding="utf-8")


def test_everything_ok_prints_one_line_per_check(repo: Path) -> None:
    code, out = doctor(repo)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "ok      -        config   socialpub.yaml: 2 channel(s)"
    assert "ok      website  output   site/ is writable" in lines
    assert "ok      xing     kit      no API: publish writes a posting kit" in lines
    assert "ok      -        ledger   committed and pushed to origin/main" in lines
    assert lines[-1] == "publishing will work: 0 errors, 0 warnings"
    assert "fix:" not in out


def test_json_keys_are_stable(repo: Path) -> None:
    code, found = checks(repo)
    assert code == 0
    assert all(set(c) == {"check", "channel", "status", "detail", "fix"} for c in found.values())
    assert list(found) == ["/config", "website/output", "xing/kit", "/ledger"]


def test_uncommitted_ledger_is_an_error(repo: Path) -> None:
    write_ledger(repo)
    code, found = checks(repo)
    assert code == 1
    ledger = found["/ledger"]
    assert (ledger["status"], ledger["detail"]) == ("error", "1 ledger file(s) not committed")
    assert ledger["fix"].startswith("git add .socialpub/ledger && git commit")
    code, out = doctor(repo)
    assert "error   -        ledger   1 ledger file(s) not committed" in out
    assert "  fix: git add .socialpub/ledger" in out
    assert out.splitlines()[-1] == "publishing will not work: 1 error, 0 warnings"


def test_unpushed_ledger_is_a_warning(repo: Path) -> None:
    write_ledger(repo)
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "socialpub: ledger after publish (1 published)")
    code, found = checks(repo)
    assert code == 0  # publishing works; other runs just do not see it yet
    ledger = found["/ledger"]
    assert ledger["status"] == "warning"
    assert ledger["detail"] == "1 commit(s) with ledger changes not pushed to origin/main"
    git(repo, "push", "--quiet")
    assert checks(repo)[1]["/ledger"]["status"] == "ok"


def test_a_commit_of_other_files_is_not_an_unpushed_ledger(repo: Path) -> None:
    (repo / "posts" / "a.md").write_text("---\nid: a\ntitle: A\n---\nText\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "a post")
    assert checks(repo)[1]["/ledger"]["status"] == "ok"


def test_no_upstream_and_no_git(repo: Path, tmp_path: Path) -> None:
    git(repo, "branch", "--unset-upstream")
    ledger = checks(repo)[1]["/ledger"]
    assert ledger["status"] == "warning"
    assert "no upstream" in ledger["detail"]
    plain = tmp_path / "plain"
    (plain / "posts").mkdir(parents=True)
    (plain / "socialpub.yaml").write_text(CONFIG, encoding="utf-8")
    code, found = checks(plain)
    assert code == 1
    assert found["/ledger"]["detail"] == f"{plain} is not a git repository"


def test_channel_filter_and_an_unknown_channel(repo: Path) -> None:
    code, found = checks(repo, "--channel", "xing")
    assert (code, list(found)) == (0, ["/config", "xing/kit", "/ledger"])
    code, out = doctor(repo, "--json", "-c", "xnig")
    assert code == 3
    assert json.loads(out)["error"] == "unknown channel 'xnig'"


def test_a_broken_config_is_the_first_check(repo: Path) -> None:
    (repo / "socialpub.yaml").write_text(
        CONFIG + "  mastodon:\n    type: mastodon\n"
        "    instance: https://social.example\n"
        "    token: s3cr3t-literal\n"
    )
    code, found = checks(repo)
    assert code == 3
    config = found["/config"]
    assert config["status"] == "error"
    assert config["detail"].startswith("socialpub.yaml:")
    assert "s3cr3t-literal" not in json.dumps(found)
    code, out = doctor(repo)
    assert code == 3
    assert out.startswith("error   -  config   socialpub.yaml:")


def test_an_expired_token_fails_the_run_without_showing_it(
    repo: Path, metagraph: MetaGraph
) -> None:
    metarepo.register(metagraph)
    (repo / "socialpub.yaml").write_text(
        CONFIG + f'  threads:\n    type: threads\n    user_id: "{metarepo.THREADS}"\n'
        f"    access_token: ${{THREADS_TOKEN}}\n    api_base: {metagraph.threads_base}\n",
        encoding="utf-8",
    )
    git(repo, "commit", "--quiet", "-am", "threads")
    git(repo, "push", "--quiet")
    env = {"THREADS_TOKEN": metarepo.TOKENS["THREADS_TOKEN"], "NO_COLOR": "1"}
    code, out = doctor(repo, env=env)
    assert code == 0, out
    assert "ok      threads  quota    0 of 250 posts in the last 24 hours" in out
    metagraph.set_token(env["THREADS_TOKEN"], expires_at=datetime.now(UTC) - timedelta(hours=2))
    code, out = doctor(repo, env=env)
    assert code == 1
    assert "error   threads  token    refused: threads: " in out
    assert env["THREADS_TOKEN"] not in out
    code, found = checks(repo, "-c", "threads", env=env)
    assert (code, found["threads/token"]["status"]) == (1, "error")
    assert "Session has expired" in found["threads/token"]["detail"]
    del env["THREADS_TOKEN"]
    code, found = checks(repo, "-c", "threads", env=env)
    assert found["threads/secrets"]["detail"] == "not set: access_token ($THREADS_TOKEN)"
