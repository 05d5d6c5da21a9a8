"""In JSON mode (`--json`, `validate --format json`) a command's errors are JSON too, on
standard output where a CI step parses them; `--format github` turns them into workflow
annotations. Exit codes stay those of the error tree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import typer.main
from typer.testing import CliRunner

from socialpub.cli import app
from tests.conftest import BASE_CONFIG, Repo

SECRET = "abc123secret"
BAD_CONFIGS = {
    "unknown key": BASE_CONFIG + "chanels: {}\n",
    "literal secret": BASE_CONFIG.replace("${MASTODON_TOKEN}", SECRET),
    "yaml syntax": "channels: [\n",
}
#: every command with --json that reads the config (and validate in its JSON format)
CONFIG_COMMANDS = [
    ["validate", "--format", "json"],
    ["preview", "--json"],
    ["new", "Titel", "--json"],
    ["channels", "--json"],
    ["plan", "--json"],
    ["calendar", "--json"],
    ["publish", "--json"],
    ["publish", "--dry-run", "--json"],
    ["status", "--json"],
    ["reconcile", "--json"],
    ["delete", "faellig", "--json"],
    ["confirm", "faellig", "--channel", "xing", "--url", "https://xing.com/p/1", "--json"],
    ["correct", "faellig", "--dry-run", "--json"],
    ["correct", "faellig", "--json"],
    ["site", "build", "--json"],
    ["sources", "fetch", "--json"],
    ["approve", "faellig", "--json"],
    ["approvals", "--json"],
    ["pause", "--reason", "Staatstrauer", "--json"],
    ["resume", "--json"],
    ["whatsapp", "subscribers", "count", "--json"],
    ["whatsapp", "subscribers", "export", "+4915123456767", "--json"],
    ["whatsapp", "templates", "--json"],
]
PROBLEM_KEYS = {"file", "line", "field", "code", "severity", "message", "hint"}


def commands(command: click.Command, path: str = "socialpub") -> dict[str, click.Command]:
    if isinstance(command, click.Group):
        found: dict[str, click.Command] = {}
        for name, sub in command.commands.items():
            found |= commands(sub, f"{path} {name}")
        return found
    return {path: command}


def test_guarded_finds_every_machine_readable_option() -> None:
    """`guarded` knows a command's output mode by its parameter: `as_json` or `format`."""
    wrong = [
        f"{path} {param.opts}"
        for path, command in commands(typer.main.get_command(app)).items()
        for param in command.params
        if ("--json" in param.opts and param.name != "as_json")
        or ("--format" in param.opts and param.name != "format")
    ]
    assert not wrong
    with_json = {
        path.removeprefix("socialpub ")
        for path, command in commands(typer.main.get_command(app)).items()
        if any("--json" in param.opts for param in command.params)
    }
    tested = {" ".join(c[: _depth(c)]) for c in CONFIG_COMMANDS}
    # count and init read no config: their errors are tested on their own below
    # doctor reports a broken config as its `config` check in its own JSON (test_doctor_cli)
    assert with_json | {"validate"} == tested | {"count", "init", "doctor"}


def _depth(command: list[str]) -> int:
    """How many words name the command: `site build`, `whatsapp subscribers count`."""
    if command[:2] == ["whatsapp", "subscribers"]:
        return 3
    return {"site": 2, "sources": 2, "whatsapp": 2}.get(command[0], 1)


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, env=env)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def json_out(args: list[str], env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    code, out, err = run(args, env)
    return code, json.loads(out), err


def post(repo: Repo, post_id: str = "faellig") -> None:
    repo.post(
        f"{post_id}.md",
        f"---\nid: {post_id}\ntitle: Titel\nstatus: approved\nchannels: [mastodon]\n---\nText.\n",
    )


@pytest.mark.parametrize("command", CONFIG_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("bad", sorted(BAD_CONFIGS))
def test_config_problems_are_a_json_list_of_problems(
    repo: Repo, command: list[str], bad: str
) -> None:
    repo.config.write_text(BAD_CONFIGS[bad], encoding="utf-8")
    code, problems, err = json_out([*command, "--config", str(repo.config)])
    assert code == 3
    assert isinstance(problems, list) and problems
    assert all(set(p) == PROBLEM_KEYS for p in problems)
    assert all(p["file"] == str(repo.config) and p["line"] >= 1 for p in problems)
    assert {p["code"] for p in problems} <= {"SP501", "SP502", "SP504"}
    assert SECRET not in json.dumps(problems) + err


@pytest.mark.parametrize("command", CONFIG_COMMANDS, ids=" ".join)
def test_a_missing_config_is_one_json_error_object(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "nope.yaml"
    code, error, _ = json_out([*command, "--config", str(missing)])
    assert code == 3
    assert error == {
        "error": f"config file {missing} not found",
        "hint": "check the path given to --config",
        "exit_code": 3,
    }


def test_github_format_annotates_config_problems(repo: Repo) -> None:
    repo.config.write_text(BAD_CONFIGS["literal secret"] + "chanels: {}\n", encoding="utf-8")
    code, out, err = run(["validate", "--format", "github", "--config", str(repo.config)])
    assert code == 3
    lines = out.splitlines()
    file = str(repo.config).replace(":", "%3A")
    assert len(lines) == 2
    assert lines[0].startswith(f"::error file={file},line=18,title=SP502::unknown config key")
    assert lines[1].startswith(f"::error file={file},line=7,title=SP504::secrets must not")
    assert SECRET not in out + err


def test_github_format_annotates_an_error_without_problems(tmp_path: Path) -> None:
    code, out, _ = run(["validate", "--format", "github", "--config", str(tmp_path / "x.yaml")])
    assert code == 3
    assert out == (
        f"::error::config file {tmp_path / 'x.yaml'} not found (check the path given to --config)\n"
    )


def test_text_format_still_prints_plain_messages(tmp_path: Path) -> None:
    code, out, err = run(["validate", "--config", str(tmp_path / "x.yaml")])
    assert (code, out) == (3, "")
    assert err.startswith("error: config file") and "hint: check the path" in err


def error_of(args: list[str], repo: Repo, code: int) -> dict[str, Any]:
    got, error, _ = json_out([*args, "--config", str(repo.config)])
    assert got == code
    assert set(error) == {"error", "hint", "exit_code"} and error["exit_code"] == code
    return dict(error)


def test_unknown_posts_and_channels_are_json_errors(repo: Repo) -> None:
    post(repo)
    assert "faelig" in error_of(["preview", "faelig", "--json"], repo, 3)["error"]
    for command in (["preview"], ["plan"], ["publish"], ["publish", "--dry-run"], ["delete", "x"]):
        error = error_of([*command, "--channel", "mastodn", "--json"], repo, 3)
        assert error["error"] == "unknown channel 'mastodn'"
        assert "did you mean 'mastodon'" in error["hint"]
    assert error_of(["status", "faelig", "--json"], repo, 3)["hint"]
    assert error_of(["new", "X", "--channels", "telegramm", "--json"], repo, 3)["error"]


def test_usage_errors_of_socialpub_are_json_errors_with_exit_2(repo: Repo) -> None:
    post(repo)
    error = error_of(["plan", "--now", "morgen", "--json"], repo, 2)
    assert error["error"] == "--now 'morgen' is not a time"
    error = error_of(["delete", "faellig", "--json"], repo, 2)
    assert error["error"] == "nothing of post 'faellig' was published"
    both = ["reconcile", "--mark-published", "https://x", "--resend", "--json"]
    assert "either" in error_of(both, repo, 2)["error"]


def test_count_errors_are_json(monkeypatch: pytest.MonkeyPatch) -> None:
    code, error, _ = json_out(["count", "--json"])
    assert code == 2 and error["exit_code"] == 2 and "give the text" in error["error"]
    result = CliRunner().invoke(app, ["count", "-p", "telegram", "--json", "-"], input=b"\xdf")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"].startswith("standard input is not UTF-8")


def test_init_file_system_errors_are_json(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    code, error, _ = json_out(["init", str(tmp_path / "a-file" / "kreis"), "--json"])
    assert code == 3 and error["exit_code"] == 3
    assert "a-file" in error["error"] and error["hint"]


def test_a_site_without_website_channel_is_a_json_error(repo: Repo) -> None:
    repo.write_config(BASE_CONFIG.split("  website:")[0])
    assert "website" in error_of(["site", "build", "--json"], repo, 3)["hint"]


def test_a_held_lock_is_a_json_error_with_exit_4(repo: Repo) -> None:
    from socialpub.publishing.lock import RepoLock
    from tests.adapterkit import FakeClock

    repo.write_config(BASE_CONFIG + "publish:\n  lock_wait: 0.2\n")
    with RepoLock(repo.root, FakeClock().clock(), wait=0):
        error = error_of(["publish", "--json"], repo, 4)
    assert "another socialpub run" in error["error"]


def test_an_error_after_the_result_goes_to_stderr_so_stdout_stays_one_document(
    repo: Repo, tmp_path: Path
) -> None:
    repo.write_config("timezone: Europe/Berlin\nchannels:\n  web:\n    type: website\n")
    repo.post("a.md", "---\nid: sprechzeiten\ntitle: Sprechzeiten\nstatus: approved\n---\nAb Mo.\n")
    # A repository without a committer identity: the run starts, `git commit` fails at the end.
    subprocess.run(["git", "init", "-q", str(repo.root)], check=True)
    subprocess.run(
        ["git", "-C", str(repo.root), "config", "user.useConfigOnly", "true"], check=True
    )
    no_identity = {"GIT_CONFIG_GLOBAL": str(tmp_path / "none"), "GIT_CONFIG_NOSYSTEM": "1"}
    no_identity |= {"HOME": str(tmp_path), "EMAIL": "", "GIT_AUTHOR_EMAIL": ""}
    args = ["publish", "--json", "--commit", "--config", str(repo.config)]
    code, out, err = run(args, env=no_identity)
    assert code == 4
    (outcome,) = json.loads(out)
    assert outcome["result"] == "published"
    error = json.loads(err[err.index("{") :])
    assert error["exit_code"] == 4 and "git" in error["error"] and "commit" in error["error"]
