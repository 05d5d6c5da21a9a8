"""What other parts of the workflow learn from approvals: the neutrality period's override,
and the audit's `approved` events."""

from __future__ import annotations

import json
from pathlib import Path

from tests.workflowrepo import ANNA, EVA, TOM, WORKFLOW, WorkflowRepo

NEUTRALITY = """\
etiquette:
  neutrality:
    - {from: 2027-02-14, to: 2027-03-14, tags: [politik], reason: Kommunalwahl 14.03.2027}
"""
DURING = "2027-03-01T12:00"


def plan_at(repo: WorkflowRepo, now: str) -> dict[str, tuple[str, str]]:
    code, out, err = repo.socialpub(TOM, "plan", "--json", "--now", now)
    assert code == 0, err
    return {d["post"]: (d["action"], d["reason"]) for d in json.loads(out)}


def test_only_an_override_releases_a_post_in_a_neutrality_period(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo", NEUTRALITY + WORKFLOW)
    repo.post("allgemein", "wahl", "channels: [website]\ntags: [Politik]\n")
    repo.post("allgemein", "frei", "channels: [website]\ntags: [Politik]\n")
    repo.commit(TOM, "two posts about the election")
    assert repo.socialpub(ANNA, "approve", "wahl")[0] == 0
    code, _, err = repo.socialpub(
        ANNA, "approve", "frei", "--override", "--reason", "Wahlaufruf der Kreiswahlleitung"
    )
    assert code == 0, err
    found = plan_at(repo, DURING)
    assert found["wahl"][0] == "blocked" and "neutrality period" in found["wahl"][1]
    assert found["frei"][0] == "publish"
    assert plan_at(repo, "2027-04-01T12:00")["wahl"][0] == "publish"  # after the period


def test_an_override_that_no_longer_holds_releases_nothing(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo", NEUTRALITY + WORKFLOW)
    path = repo.post("allgemein", "frei", "channels: [website]\ntags: [Politik]\n")
    repo.commit(TOM, "post")
    repo.socialpub(ANNA, "approve", "frei", "--override", "--reason", "Wahlaufruf")
    path.write_text(path.read_text(encoding="utf-8") + "Noch ein Satz.\n", "utf-8")
    repo.commit(TOM, "edit after the override")
    action, reason = plan_at(repo, DURING)["frei"]
    assert action == "blocked" and reason.startswith("changed after approval by Anna Schmidt")


def test_the_audit_lists_who_approved_and_how(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo")
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.post("allgemein", "trauer", "channels: [website]\n")
    repo.commit(TOM, "two posts")
    assert repo.socialpub(EVA, "approve", "b27", "--channel", "website", "--commit")[0] == 0
    assert (
        repo.socialpub(ANNA, "approve", "trauer", "--override", "--reason", "Staatstrauer")[0] == 0
    )
    code, out, err = repo.socialpub(TOM, "audit", "--format", "json")
    assert code == 0, err
    approved = {e["post"]: e for e in json.loads(out) if e["event"] == "approved"}
    assert approved["b27"]["who"] == f"{EVA.name} <{EVA.email}>"
    assert approved["b27"]["channel"] == "website"
    assert approved["b27"]["detail"].startswith("signature not checked; content ")
    assert approved["trauer"]["channel"] == ""
    assert "override: Staatstrauer" in approved["trauer"]["detail"]
