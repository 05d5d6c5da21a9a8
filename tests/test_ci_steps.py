"""The commands of every step `socialpub init --ci github|gitlab` writes, run as CI runs them:
on a real git repository with a bare `origin` in a temporary folder, with the venv's
socialpub. The preview comment goes to local fakes of GitHub's and GitLab's APIs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from socialpub.content.ci import PREVIEW_MARKER
from tests.cifakes import GITHUB_TOKEN, GITLAB_TOKEN, comment_server
from tests.cirepo import CiRepo, git, github_value, make_repo, post, run_script

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BROKEN = "---\nid: kaputt\ntitle: Kaputt\nchanels: [website]\n---\nText\n"
LEDGER = ".socialpub/ledger/sperrung/website.json"


def github_steps(
    runner: Path, workflow: Path, job: str, context: dict[str, str], env: dict[str, str]
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every `run:` step of a job but the install, as GitHub would; name → result."""
    data: dict[str, Any] = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    github_env = runner.parent / f"github-env-{job}"
    github_env.write_text("", encoding="utf-8")
    results: dict[str, subprocess.CompletedProcess[str]] = {}
    for step in data["jobs"][job]["steps"]:
        if "uses" in step:
            continue
        if step["name"] == "Install socialpub":
            assert step["run"] == 'python -m pip install --quiet "$SOCIALPUB_PIP"'
            continue
        assert "${{" not in step["run"], "expressions belong in env:, never in a script"
        if "if" in step and not condition(step["if"], context):
            continue
        exported = dict(
            line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line
        )
        step_env = {k: github_value(v, context) for k, v in step.get("env", {}).items()}
        results[step["name"]] = run_script(
            step["run"],
            runner,
            {**data["env"], **exported, **step_env, **env, "GITHUB_ENV": str(github_env)},
        )
    return results


def condition(expression: str, context: dict[str, str]) -> bool:
    """A step's `if:`; the workflows use only `name == name` of context values."""
    left, right = (side.strip() for side in expression.split("=="))
    assert left in context and right in context, f"unknown condition {expression}"
    return context[left] == context[right]


def pull_request(repo: CiRepo) -> None:
    git(repo.work, "checkout", "-q", "-b", "neuer-beitrag")
    repo.commit("Zwei Beiträge", {"posts/neu.md": post("neu"), "posts/kaputt.md": BROKEN})
    git(repo.work, "push", "-q", "origin", "neuer-beitrag")


def test_github_pull_request_validates_and_comments_one_preview(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "github")
    pull_request(repo)
    workflow = repo.work / ".github/workflows/socialpub-check.yml"
    context = {
        "github.base_ref": "main",
        "github.token": GITHUB_TOKEN,
        "github.event.pull_request.number": "7",
        "github.repository": "county/presse",
        "github.event.pull_request.head.repo.full_name": "county/presse",
    }
    runner = repo.checkout(tmp_path / "runner", "origin/neuer-beitrag")
    validate = github_steps(runner, workflow, "validate", context, {})
    done = validate["Validate the changed posts"]
    assert done.returncode == 3, done.stderr
    assert "::error file=posts/kaputt.md,line=4,title=SP102::" in done.stdout
    assert "sperrung" not in done.stdout  # unchanged since main: not checked in full
    with comment_server("github") as (base, store):
        env = {"GITHUB_API_URL": base, "GITHUB_REPOSITORY": "county/presse"}
        for _push in range(2):  # a later push edits the same comment
            steps = github_steps(runner, workflow, "preview", context, env)
            preview = steps["Preview the changed posts"]
            assert preview.returncode == 0, preview.stderr
            comment = steps["Comment the preview on the pull request"]
            assert comment.returncode == 0, comment.stderr
        assert store.refused == []
        assert [r.split("?")[0] for r in store.requests].count(
            "POST /repos/county/presse/issues/7/comments"
        ) == 1
        assert "PATCH /repos/county/presse/issues/comments/1000" in store.requests
        [only] = store.comments
        markdown = (runner / "preview.md").read_text(encoding="utf-8")
        assert only["body"] == markdown and markdown.startswith(PREVIEW_MARKER)
        fork = {**context, "github.event.pull_request.head.repo.full_name": "someone/presse"}
        steps = github_steps(runner, workflow, "preview", fork, env)
        assert list(steps) == ["Preview the changed posts"]  # no comment from a fork's run
        assert r"\[neu\]" in markdown and r"\[kaputt\]" in markdown
        assert "sperrung" not in markdown
        assert "SP102" in markdown


def test_github_pull_request_without_posts_says_so(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "github")
    git(repo.work, "checkout", "-q", "-b", "vorlage")
    repo.commit("Nur eine Vorlage", {"templates/website.j2": "{{ body }}\n"})
    git(repo.work, "push", "-q", "origin", "vorlage")
    runner = repo.checkout(tmp_path / "runner", "origin/vorlage")
    context = {"github.base_ref": "main", "github.token": GITHUB_TOKEN}
    context["github.event.pull_request.number"] = "7"
    context["github.repository"] = "county/presse"
    context["github.event.pull_request.head.repo.full_name"] = "county/presse"
    workflow = repo.work / ".github/workflows/socialpub-check.yml"
    with comment_server("github") as (base, store):
        env = {"GITHUB_API_URL": base, "GITHUB_REPOSITORY": "county/presse"}
        steps = github_steps(runner, workflow, "preview", context, env)
        assert all(done.returncode == 0 for done in steps.values()), steps
        assert store.refused == []
        [only] = store.comments
        assert only["body"].startswith(PREVIEW_MARKER)
        # the repository from `init` speaks German (ui_lang: de)
        assert "diese Änderung betrifft keine Beitragsdatei" in only["body"]


def test_github_publish_pushes_the_ledger_also_when_main_moved(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "github")
    runner = repo.checkout(tmp_path / "runner", "origin/main")
    draft = post("entwurf").replace("approved", "draft")
    repo.commit("Noch ein Entwurf", {"posts/entwurf.md": draft})
    git(repo.work, "push", "-q", "origin", "main")  # merged while the run waited
    workflow = repo.work / ".github/workflows/socialpub-publish.yml"
    steps = github_steps(runner, workflow, "publish", {}, {})
    done = steps["Publish and push the ledger"]
    assert done.returncode == 0, done.stdout + done.stderr
    record = repo.origin_file("main", LEDGER)
    assert '"state": "published"' in record
    log = git(repo.origin, "log", "--format=%s", "main")
    assert log.splitlines()[:2] == [
        "socialpub: ledger after publish (1 published)",
        "Noch ein Entwurf",
    ]


def gitlab_job(
    runner: Path, pipeline: dict[str, Any], job: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """A job's script entries in one bash with errexit, as GitLab Runner runs them."""
    assert pipeline["default"]["before_script"] == [
        'python -m pip install --quiet "$SOCIALPUB_PIP"'
    ]
    variables = {**pipeline["variables"], **pipeline[job].get("variables", {})}
    script = "\n".join(pipeline[job]["script"])
    return run_script(script, runner, {**variables, **env})


def test_gitlab_merge_request_validates_reports_and_notes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "gitlab")
    base = git(repo.work, "rev-parse", "main").strip()
    pull_request(repo)
    pipeline = yaml.safe_load((repo.work / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    runner = repo.checkout(tmp_path / "runner", "origin/neuer-beitrag")
    mr = {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_PROJECT_ID": "42"}
    mr["CI_MERGE_REQUEST_IID"] = "7"
    done = gitlab_job(runner, pipeline, "validate", mr)
    assert done.returncode == 3, done.stderr
    assert "posts/kaputt.md:4: Fehler SP102" in done.stdout  # init's repository: German
    report = json.loads((runner / "gl-code-quality-report.json").read_text())
    found = {f["check_name"]: f for f in report}
    assert sorted(found) == ["SP102", "SP401"]  # the error, and neu.md's missing approver
    assert found["SP102"]["severity"] == "major" and found["SP401"]["severity"] == "minor"
    assert found["SP102"]["location"] == {"path": "posts/kaputt.md", "lines": {"begin": 4}}
    assert all(len(f["fingerprint"]) == 64 and f["description"] for f in report)
    with comment_server("gitlab") as (url, store):
        env = {**mr, "CI_API_V4_URL": f"{url}/api/v4", "SOCIALPUB_GITLAB_TOKEN": GITLAB_TOKEN}
        for _push in range(2):
            done = gitlab_job(runner, pipeline, "preview", env)
            assert done.returncode == 0, done.stdout + done.stderr
        assert store.refused == []
        assert "PUT /api/v4/projects/42/merge_requests/7/notes/500" in store.requests
        [note] = store.comments
        markdown = (runner / "preview.md").read_text(encoding="utf-8")
        assert note["body"] == markdown and r"\[neu\]" in markdown
        missing = gitlab_job(runner, pipeline, "preview", {**env, "SOCIALPUB_GITLAB_TOKEN": ""})
        assert missing.returncode == 1 and "SOCIALPUB_GITLAB_TOKEN is not set" in missing.stderr
        wrong = gitlab_job(runner, pipeline, "preview", {**env, "SOCIALPUB_GITLAB_TOKEN": "x"})
        assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
        assert "GET " + url + "/api/v4/user: HTTP 401" in wrong.stderr


def gitlab_server(repo: CiRepo, token: str) -> dict[str, str]:
    """GitLab's CI variables, the https remote mapped onto the bare origin by git itself."""
    remote = f"https://socialpub:{token}@gitlab.test:443/county/presse.git"
    return {
        "CI_DEFAULT_BRANCH": "main",
        "CI_SERVER_PROTOCOL": "https",
        "CI_SERVER_HOST": "gitlab.test",
        "CI_SERVER_PORT": "443",
        "CI_PROJECT_PATH": "county/presse",
        "SOCIALPUB_PUSH_TOKEN": token,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{repo.origin.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": remote,
    }


def test_gitlab_publish_pushes_the_ledger_with_ci_skip(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "gitlab")
    hook = repo.origin / "hooks" / "pre-receive"  # what the push asked of the server
    hook.write_text('#!/bin/sh\necho "$GIT_PUSH_OPTION_0" >> "$GIT_DIR/push-options"\n')
    hook.chmod(0o755)
    pipeline = yaml.safe_load((repo.work / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    runner = repo.checkout(tmp_path / "runner", "origin/main")
    unset = gitlab_job(runner, pipeline, "publish", gitlab_server(repo, ""))
    assert unset.returncode == 1 and "SOCIALPUB_PUSH_TOKEN is not set" in unset.stderr
    assert not (runner / LEDGER).exists()  # nothing was sent without a way to push
    done = gitlab_job(runner, pipeline, "publish", gitlab_server(repo, "glpat-push"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"state": "published"' in repo.origin_file("main", LEDGER)
    assert (repo.origin / "push-options").read_text() == "ci.skip\n"
