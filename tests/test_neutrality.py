"""Neutrality periods: the warning SP608 in `validate`, and the gate that holds tagged posts
back from publishing unless the press office released them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from socialpub.checks.validate import validate
from socialpub.cli import app
from socialpub.content.config import Config, load_config
from socialpub.content.posts import load_post
from socialpub.models import Post, Problem, Severity, Variant
from socialpub.publishing.ledger import Ledger
from socialpub.publishing.plan import Action
from socialpub.publishing.workset import build
from socialpub.workflow.gate import gates, holds_of
from socialpub.workflow.hold import HoldKind
from socialpub.workflow.neutrality import NeutralityGate, never_overridden
from tests.conftest import BASE_CONFIG, Repo

BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = "{from: 2027-02-14, to: 2027-03-14, tags: [politik], reason: Kommunalwahl 14.03.2027}"
BEFORE = datetime(2027, 1, 10, 12, tzinfo=BERLIN)
DURING = datetime(2027, 3, 1, 12, tzinfo=BERLIN)
AFTER = datetime(2027, 3, 20, 12, tzinfo=BERLIN)


def configure(repo: Repo, *periods: str, timezone: str = "Europe/Berlin") -> Config:
    lines = "".join(f"    - {period}\n" for period in periods)
    head = BASE_CONFIG.replace("timezone: Europe/Berlin", f"timezone: {timezone}")
    repo.write_config(head + "etiquette:\n  neutrality:\n" + lines)
    return load_config(repo.config)


def write(repo: Repo, front: str = "", tags: str = "[politik]", post_id: str = "a") -> Path:
    return repo.post(
        f"{post_id}.md",
        f"---\nid: {post_id}\ntitle: Kreistag\nstatus: approved\napproved_by: P\n"
        f"channels: [mastodon]\ntags: {tags}\n{front}---\nDer Kreistag tagt.\n",
    )


def warnings(repo: Repo, now: datetime = BEFORE, *, cache: bool = False) -> list[Problem]:
    report = validate([], load_config(repo.config), now=now, use_cache=cache)
    return [p for p in report.problems if p.code == "SP608"]


# --- validate --------------------------------------------------------------------------------


def test_a_tagged_post_due_in_the_period_gets_a_warning(repo: Repo) -> None:
    configure(repo, PERIOD)
    write(repo, "publish_at: 2027-03-01T09:00\n")
    [problem] = warnings(repo)
    assert (problem.file, problem.line, problem.field) == ("posts/a.md", 7, "tags")
    assert problem.severity is Severity.WARNING
    assert "„Kommunalwahl 14.03.2027“ (14.02.2027–14.03.2027)" in problem.message
    assert "due 01.03.2027 09:00 with #politik" in problem.message
    assert "socialpub approve a --override --reason TEXT" in problem.hint


@pytest.mark.parametrize(
    ("publish_at", "inside"),
    [
        ("2027-02-13T23:59", False),
        ("2027-02-14T00:00", True),  # `from` is inclusive
        ("2027-03-14T23:59", True),  # a `to` day counts whole
        ("2027-03-15T00:00", False),
        ("2027-02-13T23:30+00:00", True),  # 00:30 in Berlin, the config's timezone
        ("2027-03-14T23:30+00:00", False),  # 00:30 on the 15th in Berlin
    ],
)
def test_the_periods_days_are_inclusive(repo: Repo, publish_at: str, inside: bool) -> None:
    configure(repo, PERIOD)
    write(repo, f"publish_at: {publish_at}\n")
    assert len(warnings(repo)) == inside


@pytest.mark.parametrize(
    ("publish_at", "inside"),
    [("2027-03-14T17:59", True), ("2027-03-14T18:00", False)],
)
def test_a_to_with_a_time_is_exclusive(repo: Repo, publish_at: str, inside: bool) -> None:
    configure(repo, '{from: 2027-02-14, to: "2027-03-14T18:00", tags: [politik], reason: Wahl}')
    write(repo, f"publish_at: {publish_at}\n")
    assert len(warnings(repo)) == inside


@pytest.mark.parametrize(
    ("timezone", "inside"), [("Europe/Berlin", True), ("America/New_York", False)]
)
def test_dates_are_days_in_the_config_timezone(repo: Repo, timezone: str, inside: bool) -> None:
    configure(repo, PERIOD, timezone=timezone)
    write(repo, "publish_at: 2027-02-14T03:00+01:00\n")  # still the 13th in New York
    assert len(warnings(repo)) == inside


@pytest.mark.parametrize(
    ("tags", "held"),
    [("[Politik]", True), ("[Kreistag, POLITIK]", True), ("[Kreistag]", False), ("[]", False)],
)
def test_only_posts_with_the_periods_tags(repo: Repo, tags: str, held: bool) -> None:
    configure(repo, PERIOD)
    write(repo, "publish_at: 2027-03-01T09:00\n", tags=tags)
    assert len(warnings(repo)) == held


def test_a_post_without_publish_at_is_due_at_the_time_of_the_run(repo: Repo) -> None:
    configure(repo, PERIOD)
    write(repo)
    # the cached result of the file is the same each time: the rule itself runs fresh
    assert warnings(repo, BEFORE, cache=True) == []
    assert len(warnings(repo, DURING, cache=True)) == 1
    assert warnings(repo, AFTER, cache=True) == []


def test_every_period_the_post_falls_in_is_named(repo: Repo) -> None:
    other = "{from: 2027-03-01, to: 2027-03-02, tags: [Politik], reason: Landratswahl}"
    configure(repo, PERIOD, other)
    write(repo, "publish_at: 2027-03-01T09:00\n")
    assert sorted(p.message.split("„")[1].split("“")[0] for p in warnings(repo)) == [
        "Kommunalwahl 14.03.2027",
        "Landratswahl",
    ]


# --- the gate --------------------------------------------------------------------------------


def loaded(repo: Repo, config: Config, front: str = "") -> tuple[Post, Variant]:
    path = write(repo, front)
    post = load_post(path, path.read_bytes(), timezone=BERLIN, default_lang="de").post
    assert post is not None
    variant = Variant(post.id, "mastodon", "mastodon", (), 500, "characters")
    return post, variant


def gate(config: Config, overridden: Callable[[Post], bool] = never_overridden) -> NeutralityGate:
    assert config.etiquette is not None
    return NeutralityGate(config.etiquette.neutrality, overridden)


def test_the_gate_holds_a_tagged_post_in_the_period(repo: Repo) -> None:
    config = configure(repo, PERIOD)
    post, variant = loaded(repo, config)
    [hold] = gate(config).holds(post, variant, DURING)
    assert hold.kind is HoldKind.BLOCKED
    assert "Kommunalwahl 14.03.2027" in hold.reason and "#politik" in hold.reason
    assert "socialpub approve a --override --reason TEXT" in hold.reason
    assert list(gate(config).holds(post, variant, AFTER)) == []
    untagged = replace(post, tags=("Kreistag",))
    assert list(gate(config).holds(untagged, variant, DURING)) == []


def test_the_press_office_override_releases_the_post(repo: Repo) -> None:
    config = configure(repo, PERIOD)
    post, variant = loaded(repo, config)
    released: list[str] = []

    def overridden(asked: Post) -> bool:
        released.append(asked.id)
        return True

    assert list(gate(config, overridden).holds(post, variant, DURING)) == []
    assert released == ["a"]


@pytest.mark.parametrize(
    ("publish_at", "now", "held"),
    [
        ("2027-02-10T09:00", DURING, True),  # overdue before the period, sent in it
        ("2027-02-10T09:00", AFTER, False),
        ("2027-03-20T09:00", DURING, False),  # scheduled natively now, goes out after it
        ("2027-03-01T09:00", BEFORE, True),  # a native schedule made before it
    ],
)
def test_the_gate_looks_at_when_the_post_goes_out(
    repo: Repo, publish_at: str, now: datetime, held: bool
) -> None:
    config = configure(repo, PERIOD)
    post, variant = loaded(repo, config, f"publish_at: {publish_at}\n")
    assert len(list(gate(config).holds(post, variant, now))) == held


def test_gates_include_the_neutrality_gate_only_with_periods(repo: Repo) -> None:
    assert gates(load_config(repo.config)) == ()
    config = configure(repo, PERIOD)
    [found] = gates(config)
    post, variant = loaded(repo, config)
    assert [h.kind for h in holds_of([found], post, variant, DURING)] == [HoldKind.BLOCKED]


def test_plan_blocks_the_post_with_the_reason(repo: Repo) -> None:
    config = configure(repo, PERIOD)
    write(repo)
    write(repo, tags="[Kreistag]", post_id="b")
    during = build(config, Ledger(config.root), DURING)
    actions = {d.post_id: (d.action, d.reason) for d in during.deliveries}
    assert actions["a"][0] is Action.BLOCKED and "neutrality period" in actions["a"][1]
    assert actions["b"][0] is Action.PUBLISH
    assert during.refused == {}  # a warning: released posts may go out
    after = build(config, Ledger(config.root), AFTER)
    assert {d.action for d in after.deliveries} == {Action.PUBLISH}


# --- the command line ------------------------------------------------------------------------


def test_validate_reports_the_etiquette_as_json(repo: Repo) -> None:
    configure(repo, PERIOD)
    with repo.config.open("a", encoding="utf-8") as config:
        config.write("  link_shorteners: {}\n")  # a second rule, besides neutrality
    write(repo, "publish_at: 2027-03-01T09:00\n")
    result = CliRunner().invoke(app, ["validate", "--config", str(repo.config), "--format", "json"])
    assert result.exit_code == 0, result.output
    [found] = json.loads(result.stdout)
    assert (found["code"], found["severity"], found["line"]) == ("SP608", "warning", 7)
    repo.post("b.md", "---\nid: b\ntitle: T\n---\nMehr: https://bit.ly/abc\n")
    result = CliRunner().invoke(app, ["validate", "--config", str(repo.config), "--format", "json"])
    assert result.exit_code == 3
    codes = [(p["file"], p["line"], p["code"], p["severity"]) for p in json.loads(result.stdout)]
    assert codes == [("posts/a.md", 7, "SP608", "warning"), ("posts/b.md", 5, "SP606", "error")]


def test_an_edited_post_is_checked_again_with_its_new_date(repo: Repo) -> None:
    configure(repo, PERIOD)
    write(repo, "publish_at: 2027-01-20T09:00\n")
    write(repo, "publish_at: 2027-01-20T09:00\n", post_id="b")
    assert warnings(repo, cache=True) == []
    path = write(repo, "publish_at: 2027-03-01T09:00\n")  # checked by the warmed-up process
    os.utime(path, ns=(1, 1))
    assert [p.file for p in warnings(repo, cache=True)] == ["posts/a.md"]
