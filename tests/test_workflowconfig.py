"""The `workflow:` section of the config, and the department rule of `validate` (SP701)."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from socialpub.checks.validate import validate
from socialpub.cli import app
from socialpub.content.config import load_config
from socialpub.content.posts import post_channels, select_posts
from socialpub.errors import ConfigError
from tests.conftest import Repo
from tests.workflowrepo import CHANNELS, WORKFLOW

NOW = datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Europe/Berlin"))


def config_with(repo: Repo, workflow: str) -> Path:
    return repo.write_config(CHANNELS + textwrap.dedent(workflow))


def test_no_workflow_section_keeps_todays_behaviour(repo: Repo) -> None:
    assert load_config(repo.config).workflow is None


def test_the_workflow_section_is_read(repo: Repo) -> None:
    workflow = load_config(config_with(repo, WORKFLOW)).workflow
    assert workflow is not None
    assert workflow.press_office == {"anna.schmidt@kreis.example"}
    strassenbau, soziales = workflow.departments
    assert strassenbau.title == "Straßenbau" and strassenbau.folders == ("strassenbau",)
    assert strassenbau.approvers == {"eva.keller@kreis.example"}
    assert strassenbau.authors == {"tom.berger@kreis.example"}
    assert soziales.channels == ("website",)
    policy = workflow.policy
    assert policy.four_eyes is True and policy.require_signed is False
    assert policy.press_office_channels == {"telegram"} and policy.press_office_tags == {"politik"}


def test_e_mail_addresses_are_compared_without_case(repo: Repo) -> None:
    workflow = load_config(
        config_with(
            repo, "workflow:\n  press_office:\n    approvers: [Anna.Schmidt@Kreis.example]\n"
        )
    ).workflow
    assert workflow is not None and workflow.press_office == {"anna.schmidt@kreis.example"}


BAD = [
    (
        "workflow:\n  press_offic:\n    approvers: [a@b.example]\n",
        "SP502",
        "workflow.press_offic",
        "did you mean 'press_office'?",
    ),
    ("workflow:\n  departments: {}\n", "SP503", "workflow.press_office.approvers", "press_office"),
    (
        "workflow:\n  press_office:\n    approvers: [Anna Schmidt]\n",
        "SP506",
        "workflow.press_office.approvers",
        "git e-mail addresses",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  departments:\n"
        "    bau: {folders: [bau], channels: [mastodn]}\n",
        "SP506",
        "workflow.departments.bau.channels",
        "did you mean 'mastodon'?",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  departments:\n"
        "    bau: {approvers: [c@d.example]}\n",
        "SP503",
        "workflow.departments.bau.folders",
        "",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  departments:\n"
        "    bau: {folders: [../elsewhere]}\n",
        "SP506",
        "workflow.departments.bau.folders",
        "",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  departments:\n"
        "    bau: {folders: [bau]}\n    tief: {folders: [bau]}\n",
        "SP506",
        "workflow.departments.tief.folders",
        "",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  departments:\n"
        "    Bau Amt: {folders: [bau]}\n",
        "SP506",
        "workflow.departments.Bau Amt",
        "title",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  policy:\n    four_eyes: ja\n",
        "SP506",
        "workflow.policy.four_eyes",
        "",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  policy:\n"
        "    require_signed: true\n",
        "SP503",
        "workflow.policy.allowed_signers",
        "Setting up signed approvals",
    ),
    (
        "workflow:\n  press_office: {approvers: [a@b.example]}\n  policy:\n"
        "    require_signed: true\n    allowed_signers: /etc/signers\n",
        "SP506",
        "workflow.policy.allowed_signers",
        "",
    ),
    ("workflow: [a, b]\n", "SP506", "workflow", ""),
]


@pytest.mark.parametrize(("block", "code", "field", "hint"), BAD)
def test_every_bad_value_names_file_line_and_field(
    repo: Repo, block: str, code: str, field: str, hint: str
) -> None:
    path = config_with(repo, block)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    found = [p for p in caught.value.problems if p.field == field]
    assert found, [p.as_dict() for p in caught.value.problems]
    problem = found[0]
    assert problem.code == code and problem.file == str(path)
    assert problem.line > CHANNELS.count("\n")  # the line is in the workflow block
    assert hint in problem.hint + problem.message
    assert problem.hint, "every bad value says how to fix it"


def test_a_bad_workflow_exits_3_with_the_line_not_a_traceback(repo: Repo) -> None:
    config_with(repo, "workflow:\n  press_office:\n    approvers: [niemand]\n")
    result = CliRunner().invoke(app, ["validate", "--config", str(repo.config)])
    line = CHANNELS.count("\n") + 3
    assert result.exit_code == 3
    assert f"socialpub.yaml:{line}:" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# --- validate: which channels a department may use -------------------------------------------


def codes(repo: Repo) -> dict[str, list[str]]:
    report = validate([], load_config(repo.config), now=NOW, use_cache=False)
    found: dict[str, list[str]] = {}
    for problem in report.problems:
        found.setdefault(Path(problem.file).stem, []).append(problem.code)
    return found


POST = "---\nid: {id}\ntitle: T\nstatus: approved\n{extra}---\nText.\n"


def test_a_department_posting_to_a_channel_it_may_not_use_is_an_error(repo: Repo) -> None:
    config_with(repo, WORKFLOW)
    repo.post("soziales/a.md", POST.format(id="a", extra="channels: [mastodon, website]\n"))
    report = validate([], load_config(repo.config), now=NOW, use_cache=False)
    (problem,) = report.problems
    assert problem.code == "SP701" and problem.field == "channels" and problem.line == 5
    assert "Soziales may not post to mastodon" in problem.message
    assert "workflow.departments.soziales.channels: website" in problem.message


def test_allowed_channels_and_press_office_posts_pass(repo: Repo) -> None:
    config_with(repo, WORKFLOW)
    repo.post("soziales/a.md", POST.format(id="a", extra="channels: [website]\n"))
    repo.post("allgemein/b.md", POST.format(id="b", extra="channels: [mastodon, telegram]\n"))
    repo.post("strassenbau/c.md", POST.format(id="c", extra="channels: [telegram]\n"))
    assert codes(repo) == {}


def test_a_department_post_without_channels_goes_to_its_channels(repo: Repo) -> None:
    config_with(repo, WORKFLOW)
    repo.post("soziales/a.md", POST.format(id="a", extra=""))
    repo.post("allgemein/b.md", POST.format(id="b", extra=""))
    config = load_config(repo.config)
    found = {p.id: sorted(post_channels(p, config)) for p, _ in select_posts(config, [])}
    assert found == {"a": ["website"], "b": ["mastodon", "telegram", "website"]}
    assert codes(repo) == {}


def test_approved_by_is_not_asked_for_in_workflow_mode(repo: Repo) -> None:
    repo.post("a.md", POST.format(id="a", extra=""))
    assert codes(repo) == {"a": ["SP401"]}
    config_with(repo, WORKFLOW)
    assert codes(repo) == {}


def test_validate_json_reports_the_department_rule(repo: Repo) -> None:
    config_with(repo, WORKFLOW)
    repo.post("soziales/a.md", POST.format(id="a", extra="channels: [telegram]\n"))
    result = CliRunner().invoke(app, ["validate", "--format", "json", "--config", str(repo.config)])
    assert result.exit_code == 3
    found = json.loads(result.stdout)
    problems = found["problems"] if isinstance(found, dict) else found
    assert [p["code"] for p in problems] == ["SP701"]
