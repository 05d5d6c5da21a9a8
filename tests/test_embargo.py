"""Embargo: `embargo: true` needs publish_at (SP130); before that time no output of any command
(preview, plan, publish and its dry run, validate in every format, status, the website with
its feeds and search index) contains a word of the post; afterwards it is an ordinary post."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.content import embargo
from socialpub.models import Problem, Severity
from socialpub.publishing.plan import Action, plan_delivery
from socialpub.workflow.embargo import EmbargoGate
from socialpub.workflow.gate import HoldKind
from tests.conftest import Repo
from tests.test_plan import MASTO, NOW, make_post, make_variant, target

SECRET = "Geheimfusion"
LATER = "2099-01-01T10:00"
EARLIER = "2020-01-01T10:00"
CONFIG = """\
timezone: Europe/Berlin
channels:
  mastodon:
    type: mastodon
    instance: https://social.example
    token: ${MASTODON_TOKEN}
    schedule: native
  website:
    type: website
    base_url: https://www.kreis.example
"""


def write_post(repo: Repo, publish_at: str, *, link: str = "https://www.kreis.example/a") -> None:
    """An approved, embargoed post whose secret word is in every part: title, text, tag, alt
    text, media file name, link."""
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buffer, format="PNG")
    repo.file(f"media/{SECRET.lower()}-karte.png", buffer.getvalue())
    repo.post(
        "fusion.md",
        f"---\nid: kreise-2027\ntitle: {SECRET} der Kreise\nstatus: approved\nembargo: true\n"
        f"publish_at: {publish_at}\nlink: {link}?{SECRET}\ntags: [{SECRET}]\n"
        f"media:\n  - file: media/{SECRET.lower()}-karte.png\n    alt: Karte zur {SECRET}\n"
        f"---\nDie {SECRET} der Landkreise kommt 2027.\n",
    )


def outputs(repo: Repo) -> dict[str, str]:
    """What every command prints about the repository (stdout, then stderr after a line
    `--- stderr`)."""
    env = {"MASTODON_TOKEN": "tok-unused"}
    commands = {
        "validate": ["validate"],
        "validate json": ["validate", "--format", "json"],
        "validate github": ["validate", "--format", "github"],
        "preview": ["preview"],
        "preview raw": ["preview", "--raw"],
        "preview json": ["preview", "--json"],
        "preview markdown": ["preview", "--format", "markdown"],
        "plan": ["plan"],
        "plan json": ["plan", "--json"],
        "dry run": ["publish", "--dry-run"],
        "dry run json": ["publish", "--dry-run", "--json"],
        "publish": ["publish"],
        "status": ["status"],
        "status json": ["status", "--json"],
        "site build": ["site", "build"],
    }
    found = {}
    for name, args in commands.items():
        result = CliRunner().invoke(app, [*args, "--config", str(repo.config)], env=env)
        found[name] = result.stdout + "\n--- stderr\n" + result.stderr
    return found


def stdout_json(text: str) -> Any:
    return json.loads(text.split("\n--- stderr\n")[0])


def site_files(repo: Repo) -> dict[str, str]:
    return {
        str(path.relative_to(repo.root)): path.read_bytes().decode("utf-8", "replace")
        for path in (repo.root / "site").rglob("*")
        if path.is_file()
    }


def test_before_publish_at_no_output_holds_a_word_of_the_post(repo: Repo) -> None:
    repo.write_config(CONFIG)
    write_post(repo, LATER)
    found = outputs(repo) | site_files(repo)
    assert [name for name, text in found.items() if SECRET.lower() in text.lower()] == []
    assert "[kreise-2027] · embargoed until 2099-01-01 10:00" in found["preview"]
    plan = stdout_json(found["plan json"])
    assert {(d["channel"], d["action"], d["reason"]) for d in plan} == {
        ("mastodon", "wait", "embargoed until 2099-01-01 10:00"),  # not to Mastodon's scheduler
        ("website", "wait", "waits until 2099-01-01 10:00 (a later run publishes it)"),
    }
    assert stdout_json(found["dry run json"]) == []
    assert any(path.endswith(".xml") or "search" in path for path in site_files(repo))


def test_problems_of_an_embargoed_post_keep_file_line_and_code_only(repo: Repo) -> None:
    repo.write_config(CONFIG)
    write_post(repo, LATER, link=f"http://{SECRET.lower()}.example/")  # SP110 quotes the link
    found = outputs(repo)
    assert [name for name, text in found.items() if SECRET.lower() in text.lower()] == []
    problems = stdout_json(found["validate json"])
    assert [p["code"] for p in problems] == ["SP401", "SP110"]  # no approved_by, the link
    assert all("details hidden" in p["message"] for p in problems)
    problem = problems[1]
    assert (problem["code"], problem["field"], problem["line"]) == ("SP110", "link", 7)
    assert problem["message"] == (
        "link is not an https URL (post kreise-2027, embargoed until 2099-01-01 10:00: details "
        "hidden)"
    )
    assert "post kreise-2027 is approved but invalid" in found["publish"]


def test_after_publish_at_it_is_an_ordinary_post(repo: Repo) -> None:
    repo.write_config(CONFIG)
    write_post(repo, EARLIER, link=f"http://{SECRET.lower()}.example/")
    found = outputs(repo)
    assert (
        f"link 'http://{SECRET.lower()}.example/?{SECRET}' is not an https URL"
        in (found["validate"])
    )
    write_post(repo, EARLIER)
    found = outputs(repo)
    assert SECRET in found["preview"] and SECRET in found["dry run"]
    assert "embargoed" not in found["preview"] + found["plan"]
    pages = site_files(repo)
    assert any(SECRET in text for text in pages.values())


def test_an_embargo_needs_publish_at(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post("a.md", "---\nid: a\ntitle: A\nembargo: true\n---\nText.\n")
    repo.post(
        "b.md", "---\nid: b\ntitle: B\nembargo: true\npublish_at: 2027-01-01T10:00\n---\nT.\n"
    )
    repo.post("c.md", "---\nid: c\ntitle: C\nembargo: true\npublish_at: morgen\n---\nText.\n")
    repo.post("d.md", "---\nid: d\ntitle: D\nembargo: ja\n---\nText.\n")
    result = CliRunner().invoke(app, ["validate", "--format", "json", "--config", str(repo.config)])
    found = [
        (Path(p["file"]).name, p["code"], p["field"], p["line"]) for p in json.loads(result.stdout)
    ]
    assert result.exit_code == 3
    assert found == [
        ("a.md", "SP130", "embargo", 4),
        ("c.md", "SP107", "publish_at", 5),
        ("d.md", "SP103", "embargo", 4),
    ]


# --- the pieces ------------------------------------------------------------------------------


def test_embargoed_only_while_publish_at_is_ahead() -> None:
    ahead = make_post(embargo=True, publish_at=NOW.replace(hour=12))
    assert embargo.until(ahead, NOW) == ahead.publish_at and embargo.embargoed(ahead, NOW)
    assert not embargo.embargoed(ahead, NOW.replace(hour=12))
    assert not embargo.embargoed(make_post(publish_at=NOW.replace(hour=12)), NOW)


def test_a_sealed_problem_keeps_where_and_what_but_not_the_message() -> None:
    found = Problem("posts/a.md", 7, "link", "SP110", Severity.ERROR, "link 'x' is bad", "hint")
    ends = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    sealed = embargo.sealed_problem(found, "a", ends)
    assert (sealed.file, sealed.line, sealed.field, sealed.code) == (
        "posts/a.md",
        7,
        "link",
        "SP110",
    )
    assert "'x'" not in sealed.message + sealed.hint
    assert sealed.message.endswith("(post a, embargoed until 2026-12-04 10:00: details hidden)")


def test_the_gate_keeps_an_embargoed_post_from_the_platforms_scheduler() -> None:
    post = make_post(embargo=True, publish_at=NOW.replace(hour=12))
    (hold,) = EmbargoGate().holds(post, make_variant(MASTO), NOW)
    assert hold.kind is HoldKind.WAIT and hold.until == post.publish_at
    held = plan_delivery(post, make_variant(MASTO), target(MASTO), None, NOW, holds=(hold,))
    assert (held.action, held.reason) == (Action.WAIT, "embargoed until 2026-11-23 12:00")
    free = plan_delivery(post, make_variant(MASTO), target(MASTO), None, NOW)
    assert free.action is Action.SCHEDULE  # without the embargo: handed to Mastodon
    assert list(EmbargoGate().holds(post, make_variant(MASTO), NOW.replace(hour=12))) == []


@pytest.mark.parametrize("word", ["embargoed", "details hidden"])
def test_an_ordinary_post_is_never_sealed(repo: Repo, word: str) -> None:
    repo.write_config(CONFIG)
    repo.post("x.md", "---\nid: x\ntitle: X\nlink: http://kreis.example\n---\nText.\n")
    result = CliRunner().invoke(app, ["validate", "--config", str(repo.config)])
    assert "link 'http://kreis.example' is not an https URL" in result.stdout + result.stderr
    assert word not in result.stdout + result.stderr
