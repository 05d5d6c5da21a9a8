"""Four-eyes approval on real git repositories with several people and real SSH signatures:
who may approve, what voids an approval, forged records, overrides."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.content.config import load_config
from socialpub.content.posts import post_channels, select_posts
from socialpub.render.renderer import Renderer
from socialpub.workflow.approvalgate import approval_gate
from socialpub.workflow.approvals import (
    ALL,
    Approval,
    file_digests,
    load_approvals,
    variant_digest,
    write_approval,
)
from socialpub.workflow.authors import Identity
from socialpub.workflow.gate import gates
from tests.conftest import PROJECT
from tests.workflowrepo import ANNA, EVA, OLE, TOM, WORKFLOW, Person, WorkflowRepo

EXAMPLE = PROJECT / "config.example.yaml"
SIGNED = """\
workflow:
  press_office:
    approvers: [anna.schmidt@kreis.example]
  departments:
    strassenbau:
      title: Straßenbau
      folders: [strassenbau]
      approvers: [eva.keller@kreis.example]
  policy:
    require_signed: true
    allowed_signers: .socialpub/allowed_signers
"""


@pytest.fixture
def repo(tmp_path: Path) -> WorkflowRepo:
    """Tom wrote a post for Straßenbau (website and mastodon) and committed it."""
    repo = WorkflowRepo(tmp_path / "repo")
    repo.post("strassenbau", "b27", "channels: [mastodon, website]\n")
    repo.commit(TOM, "b27")
    return repo


def actions(repo: WorkflowRepo, post: str = "b27") -> dict[str, tuple[str, str]]:
    return {ch: (d["action"], d["reason"]) for (p, ch), d in repo.plan().items() if p == post}


# --- who may approve ------------------------------------------------------------------------


def test_without_an_approval_nothing_goes_out_and_the_plan_says_who_approves(
    repo: WorkflowRepo,
) -> None:
    for action, reason in actions(repo).values():
        assert action == "blocked"
        assert reason == "no approval yet: an approver of Straßenbau runs `socialpub approve b27`"


def test_an_approver_of_the_department_approves_and_the_post_goes_out(repo: WorkflowRepo) -> None:
    code, out, err = repo.socialpub(EVA, "approve", "b27", "--commit")
    assert code == 0, err
    assert "approved  b27 (all channels) by Eva Keller <eva.keller@kreis.example>" in out
    assert {a for a, _ in actions(repo).values()} == {"publish"}
    record = repo.record("b27")
    assert record["approver_email"] == EVA.email and record["channel"] == "*"
    assert record["file"] == "posts/strassenbau/b27.md" and not record["override"]
    assert set(record["variants"]) == {"mastodon", "website"}
    text = (repo.root / ".socialpub/approvals/b27/_all.json").read_text(encoding="utf-8")
    assert text == json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    log = repo.git(TOM, "log", "-1", "--format=%ae %s").stdout.strip()
    assert log == "eva.keller@kreis.example socialpub: approve b27 (all channels)"


def test_self_approval_is_refused(tmp_path: Path) -> None:
    """Eva is an approver of Straßenbau, but she wrote this post herself."""
    repo = WorkflowRepo(tmp_path / "repo")
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.commit(EVA, "b27 by Eva")
    code, _, err = repo.socialpub(EVA, "approve", "b27")
    assert code == 3
    assert "nobody approves their own post" in err and "--override --reason" in err
    assert not (repo.root / ".socialpub/approvals").exists()


def test_a_co_author_of_one_edit_counts_as_author(repo: WorkflowRepo) -> None:
    path = repo.root / "posts/strassenbau/b27.md"
    path.write_text(path.read_text(encoding="utf-8") + "Umleitung über Neudorf.\n", "utf-8")
    repo.commit(EVA, "Eva adds the detour")
    code, _, err = repo.socialpub(EVA, "approve", "b27")
    assert code == 3 and "changed b27 (git log)" in err
    assert repo.socialpub(ANNA, "approve", "b27")[0] == 0


def test_an_author_of_its_media_counts_as_author(repo: WorkflowRepo) -> None:
    (repo.root / "posts/media").mkdir()
    (repo.root / "posts/media/karte.png").write_bytes(b"\x89PNG\r\n\x1a\nkarte")
    repo.commit(EVA, "Eva's map")
    path = repo.root / "posts/strassenbau/b27.md"
    text = path.read_text(encoding="utf-8").replace(
        "status: approved\n",
        "status: approved\nmedia:\n  - {file: posts/media/karte.png, alt: Karte}\n",
    )
    path.write_text(text, encoding="utf-8")
    repo.commit(TOM, "use the map")
    code, _, err = repo.socialpub(EVA, "approve", "b27", "--channel", "website")
    assert code == 3 and "nobody approves their own post" in err


def test_approval_by_a_non_approver_is_refused(repo: WorkflowRepo) -> None:
    code, _, err = repo.socialpub(OLE, "approve", "b27")
    assert code == 3
    assert "Ole Hansen <ole.hansen@kreis.example> may not approve b27" in err
    assert "an approver of Straßenbau approves it" in err
    code, out, _ = repo.socialpub(OLE, "approve", "b27", "--json")
    error = json.loads(out)
    assert code == 3 and error["exit_code"] == 3
    assert error["error"].startswith("Ole Hansen <ole.hansen@kreis.example> may not approve")


def test_a_record_by_a_non_approver_is_refused_by_the_gate(repo: WorkflowRepo) -> None:
    """Ole's approval, written while he was an approver, stops counting once he is not."""
    with_ole = WORKFLOW.replace(
        "[eva.keller@kreis.example]", "[eva.keller@kreis.example, ole.hansen@kreis.example]"
    )
    repo.write_config(with_ole)
    assert repo.socialpub(OLE, "approve", "b27", "--commit")[0] == 0
    repo.write_config(WORKFLOW)
    _, reason = actions(repo)["website"]
    assert reason.startswith("approved by Ole Hansen, who may not approve it")


def test_the_press_office_approves_for_every_department(repo: WorkflowRepo) -> None:
    assert repo.socialpub(ANNA, "approve", "b27")[0] == 0
    assert {a for a, _ in actions(repo).values()} == {"publish"}


def test_a_post_outside_every_department_needs_the_press_office(repo: WorkflowRepo) -> None:
    repo.post("allgemein", "gruss", "channels: [website]\n")
    repo.commit(TOM, "gruss")
    assert "an approver of the Pressestelle" in actions(repo, "gruss")["website"][1]
    code, _, err = repo.socialpub(EVA, "approve", "gruss")
    assert code == 3 and "Pressestelle" in err
    assert repo.socialpub(ANNA, "approve", "gruss")[0] == 0
    assert actions(repo, "gruss")["website"][0] == "publish"


def test_press_office_channels_and_tags_need_the_press_office(repo: WorkflowRepo) -> None:
    repo.post("strassenbau", "tg", "channels: [telegram, website]\n")
    repo.post("strassenbau", "wahl", "channels: [website]\ntags: [Politik]\n")
    repo.commit(TOM, "two posts")
    code, _, err = repo.socialpub(EVA, "approve", "tg")
    assert code == 3 and "may not approve tg on telegram" in err
    assert repo.socialpub(EVA, "approve", "tg", "--channel", "website")[0] == 0
    assert repo.socialpub(EVA, "approve", "wahl")[0] == 3
    found = actions(repo, "tg")
    assert found["website"][0] == "publish" and found["telegram"][0] == "blocked"
    assert repo.socialpub(ANNA, "approve", "tg", "--channel", "telegram")[0] == 0
    assert actions(repo, "tg")["telegram"][0] == "publish"


def hand_written(repo: WorkflowRepo, person: Person, post_id: str) -> None:
    """An approval file written without `socialpub approve`, with the right hashes."""
    config = load_config(repo.config)
    ((post, _),) = list(select_posts(config, [post_id]))
    variants = Renderer(config).variants(post, post_channels(post, config))
    file = post.source.relative_to(repo.root).as_posix()
    record = Approval(
        post=post_id,
        channel=ALL,
        approver=Identity(person.name, person.email),
        approved_at=datetime(2026, 11, 27, 9, tzinfo=config.timezone),
        file=file,
        files=file_digests(repo.root, [file]),
        variants={v.channel: variant_digest(v) for v in variants},
    )
    write_approval(repo.root, record)


def test_a_post_changed_by_someone_outside_the_department_needs_the_press_office(
    repo: WorkflowRepo,
) -> None:
    """Ole (Soziales) edited Straßenbau's post: Straßenbau lists its authors, he is not one."""
    path = repo.root / "posts/strassenbau/b27.md"
    path.write_text(path.read_text(encoding="utf-8") + "Gute Fahrt!\n", "utf-8")
    repo.commit(OLE, "Ole adds a line")
    code, _, err = repo.socialpub(EVA, "approve", "b27")
    assert code == 3
    assert "ole.hansen@kreis.example changed it and does not write for Straßenbau" in err
    hand_written(repo, EVA, "b27")
    reason = actions(repo)["website"][1]
    assert reason == (
        "approved by Eva Keller, who may not approve it: an approver of the Pressestelle "
        "runs `socialpub approve b27`"
    )
    assert repo.socialpub(ANNA, "approve", "b27")[0] == 0
    assert actions(repo)["website"][0] == "publish"


def test_a_department_without_an_authors_list_takes_posts_by_anyone(tmp_path: Path) -> None:
    repo = WorkflowRepo(
        tmp_path / "repo", WORKFLOW.replace("      authors: [tom.berger@kreis.example]\n", "")
    )
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.commit(OLE, "Ole writes for Straßenbau")
    assert repo.socialpub(EVA, "approve", "b27")[0] == 0
    assert actions(repo)["website"][0] == "publish"


# --- what the approval binds to ---------------------------------------------------------------


def test_an_edit_after_approval_voids_it(repo: WorkflowRepo) -> None:
    assert repo.socialpub(EVA, "approve", "b27", "--commit")[0] == 0
    path = repo.root / "posts/strassenbau/b27.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Montag", "Dienstag"), "utf-8")
    repo.commit(TOM, "typo")
    for action, reason in actions(repo).values():
        assert action == "blocked"
        assert reason.startswith("changed after approval by Eva Keller (")
        assert reason.endswith("needs a new approval (`socialpub approve b27`)")
    _, status, _ = repo.socialpub(TOM, "status")
    assert "b27 → website: changed after approval by Eva Keller (" in status
    assert repo.socialpub(EVA, "approve", "b27")[0] == 0
    assert {a for a, _ in actions(repo).values()} == {"publish"}


def test_a_changed_media_file_voids_the_approval(repo: WorkflowRepo) -> None:
    (repo.root / "posts/media").mkdir()
    image = repo.root / "posts/media/karte.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nkarte")
    path = repo.root / "posts/strassenbau/b27.md"
    text = path.read_text(encoding="utf-8").replace(
        "status: approved\n",
        "status: approved\nmedia:\n  - {file: posts/media/karte.png, alt: Karte}\n",
    )
    path.write_text(text, encoding="utf-8")
    repo.commit(TOM, "map")
    assert repo.socialpub(EVA, "approve", "b27", "--channel", "website")[0] == 0
    assert actions(repo)["website"][0] == "publish"
    image.write_bytes(b"\x89PNG\r\n\x1a\nanother map")
    repo.commit(TOM, "new map")
    assert actions(repo)["website"][1].startswith("changed after approval by Eva Keller")


def test_a_changed_template_voids_only_that_channels_approval(repo: WorkflowRepo) -> None:
    assert repo.socialpub(EVA, "approve", "b27")[0] == 0
    (repo.root / "templates/mastodon.j2").write_text(
        "{{ text }}\n\nMehr: landkreis.example\n", "utf-8"
    )
    repo.commit(TOM, "mastodon template")
    found = actions(repo)
    assert found["website"][0] == "publish"
    assert found["mastodon"][1].startswith("changed after approval")


def test_a_channel_approval_covers_only_that_channel(repo: WorkflowRepo) -> None:
    code, out, _ = repo.socialpub(EVA, "approve", "b27", "--channel", "website", "--json")
    assert code == 0 and json.loads(out)["channel"] == "website"
    found = actions(repo)
    assert found["website"][0] == "publish" and found["mastodon"][0] == "blocked"


def test_uncommitted_changes_cannot_be_approved(repo: WorkflowRepo) -> None:
    path = repo.root / "posts/strassenbau/b27.md"
    path.write_text(path.read_text(encoding="utf-8") + "Noch ein Satz.\n", "utf-8")
    code, _, err = repo.socialpub(EVA, "approve", "b27")
    assert code == 3 and "not committed" in err


def test_only_a_post_asking_for_approval_and_valid_is_approved(repo: WorkflowRepo) -> None:
    draft = repo.post("strassenbau", "entwurf")
    draft.write_text(draft.read_text(encoding="utf-8").replace("approved", "draft"), "utf-8")
    broken = repo.post("strassenbau", "kaputt", "channels: [mastodon]\nlink: http://x.example\n")
    repo.commit(TOM, "two more")
    code, _, err = repo.socialpub(EVA, "approve", "entwurf")
    assert code == 3 and "status: approved" in err
    _, listing, _ = repo.socialpub(EVA, "approvals", "entwurf")
    lines = listing.splitlines()
    assert len(lines) == 3  # Straßenbau's channels: mastodon, website, telegram
    assert all(line.endswith("  draft: not ready for review yet") for line in lines)
    code, out, err = repo.socialpub(EVA, "approve", "kaputt")
    assert code == 3 and "SP110" in out + err and broken.name in out + err


def test_approve_outside_workflow_mode_says_how_to_set_it_up(repo: WorkflowRepo) -> None:
    repo.config.write_text(repo.config.read_text(encoding="utf-8").split("workflow:")[0], "utf-8")
    code, _, err = repo.socialpub(EVA, "approve", "b27")
    assert code == 3 and "no workflow section" in err


# --- overrides --------------------------------------------------------------------------------


def test_the_press_office_overrides_four_eyes_only_with_a_reason(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo")
    repo.post("allgemein", "trauer", "channels: [website]\n")
    repo.commit(ANNA, "Anna writes it on a Sunday")
    assert repo.socialpub(ANNA, "approve", "trauer")[0] == 3
    code, _, err = repo.socialpub(ANNA, "approve", "trauer", "--override")
    assert code == 2 and "--reason" in err
    code, out, _ = repo.socialpub(
        ANNA,
        "approve",
        "trauer",
        "--override",
        "--reason",
        "Sonntag, niemand erreichbar",
        "--commit",
    )
    assert code == 0 and "override: Sonntag, niemand erreichbar" in out
    subject = repo.git(ANNA, "log", "-1", "--format=%s").stdout.strip()
    assert subject == (
        "socialpub: approve trauer (all channels), override: Sonntag, niemand erreichbar"
    )
    record = repo.record("trauer")
    assert record["override"] is True and record["reason"] == "Sonntag, niemand erreichbar"
    assert actions(repo, "trauer")["website"][0] == "publish"
    code, out, _ = repo.socialpub(ANNA, "approvals", "--json")
    (row,) = json.loads(out)
    assert row["approved"] and row["approval"]["override"] is True
    assert "override: Sonntag, niemand erreichbar" in row["why"]
    _, status, _ = repo.socialpub(ANNA, "status")
    assert "trauer → website: approved by Anna Schmidt" in status and "override: Sonntag" in status


def test_a_department_approver_cannot_override(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo")
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.commit(EVA, "Eva writes")
    code, _, err = repo.socialpub(EVA, "approve", "b27", "--override", "--reason", "eilig")
    assert code == 3 and "may not override" in err


def test_has_override_tells_other_gates(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo")
    repo.post("allgemein", "trauer", "channels: [website]\n")
    repo.post("allgemein", "normal", "channels: [website]\n")
    repo.commit(TOM, "two posts")
    repo.socialpub(ANNA, "approve", "trauer", "--override", "--reason", "Staatstrauer")
    repo.socialpub(ANNA, "approve", "normal")
    config = load_config(repo.config)
    gate = approval_gate(config)
    renderer = Renderer(config)
    found = {}
    for post, _ in select_posts(config, []):
        (variant,) = renderer.variants(post, post_channels(post, config))
        found[post.id] = gate.has_override(post, variant)
    assert found == {"trauer": True, "normal": False}
    assert len(gates(config)) == 1


# --- signed approvals: forged records are refused ---------------------------------------------


@pytest.fixture
def signed(tmp_path: Path) -> WorkflowRepo:
    """require_signed; Eva and Anna (approvers) and Tom (an author) have keys on file."""
    repo = WorkflowRepo(tmp_path / "repo", SIGNED)
    repo.allow_signers(EVA, ANNA, TOM)
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.commit(TOM, "b27")
    return repo


def test_a_signed_approval_by_an_approver_counts(signed: WorkflowRepo) -> None:
    signed.sign_as(EVA)
    code, out, err = signed.socialpub(EVA, "approve", "b27", "--commit", "--json")
    assert code == 0, err
    assert json.loads(out)["signed_by"] == EVA.email
    assert actions(signed)["website"][0] == "publish"
    (approval,) = load_approvals(signed.root, signed.root / ".socialpub/allowed_signers")
    assert approval.signature is not None and approval.signature.signed_by == EVA.email
    _, listing, _ = signed.socialpub(EVA, "approvals")
    assert "(signed)" in listing
    _, audit, _ = signed.socialpub(EVA, "audit", "--format", "json")
    (event,) = [e for e in json.loads(audit) if e["event"] == "approved"]
    assert event["detail"].startswith(f"signed by {EVA.email}; content ")


def test_an_unsigned_approval_is_refused(signed: WorkflowRepo) -> None:
    code, _, err = signed.socialpub(EVA, "approve", "b27", "--commit")
    assert code == 3 and "not signed" in err and "gpg.format ssh" in err
    reason = actions(signed)["website"][1]
    assert reason.startswith("approval by Eva Keller is not signed")
    code, out, err = signed.socialpub(EVA, "approve", "b27", "--commit", "--json")
    assert code == 3 and json.loads(out)["signed_by"] == ""
    assert json.loads(err)["error"].startswith("the approval is committed but not signed")


def test_an_uncommitted_approval_is_refused(signed: WorkflowRepo) -> None:
    assert signed.socialpub(EVA, "approve", "b27")[0] == 0
    assert "is not committed" in actions(signed)["website"][1]


def test_a_forged_record_signed_by_an_author_is_refused(signed: WorkflowRepo) -> None:
    """Tom writes a record in Eva's name and commits it signed with his own key."""
    code, _, _ = signed.socialpub(EVA, "approve", "b27")  # the record says Eva
    assert code == 0
    signed.commit(TOM, "approval", sign=True)
    reason = actions(signed)["website"][1]
    assert reason == f"approval by Eva Keller is signed by {TOM.email}, not by {EVA.email}"


def test_a_hand_written_self_approval_signed_by_its_author_is_refused(tmp_path: Path) -> None:
    """Eva wrote the post; `approve` refuses her, so she writes the record herself, with
    correct hashes, and signs it with her own (allowed) key."""
    repo = WorkflowRepo(tmp_path / "repo", SIGNED)
    repo.allow_signers(EVA)
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.commit(EVA, "Eva writes")
    hand_written(repo, EVA, "b27")
    repo.commit(EVA, "approval", sign=True)
    (found,) = load_approvals(repo.root, repo.root / ".socialpub/allowed_signers")
    assert found.signature is not None and found.signature.signed_by == EVA.email
    reason = actions(repo)["website"][1]
    assert reason.startswith("approved by its author Eva Keller: four eyes")


def test_a_record_signed_with_a_key_not_on_file_is_refused(signed: WorkflowRepo) -> None:
    code, _, _ = signed.socialpub(EVA, "approve", "b27")
    assert code == 0
    signed.commit(OLE, "approval", sign=True)  # Ole's key is not in allowed_signers
    reason = actions(signed)["website"][1]
    assert reason.startswith("approval by Eva Keller has no valid signature of an allowed signer")


def test_a_record_changed_after_its_signed_commit_is_refused(signed: WorkflowRepo) -> None:
    signed.sign_as(EVA)
    assert signed.socialpub(EVA, "approve", "b27", "--commit")[0] == 0
    path = signed.root / ".socialpub/approvals/b27/_all.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"reason": ""', '"reason": " "'), "utf-8"
    )
    assert "changed after its commit" in actions(signed)["website"][1]


def test_a_later_unsigned_commit_of_the_record_is_refused(signed: WorkflowRepo) -> None:
    signed.sign_as(EVA)
    assert signed.socialpub(EVA, "approve", "b27", "--commit")[0] == 0
    path = signed.root / ".socialpub/approvals/b27/_all.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["override"] = True
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
    signed.commit(TOM, "flip override")
    assert "is not signed" in actions(signed)["website"][1]


# --- damaged and incomplete evidence ---------------------------------------------------------


def test_a_damaged_record_names_its_file_and_line(repo: WorkflowRepo) -> None:
    path = repo.root / ".socialpub/approvals/b27/_all.json"
    path.parent.mkdir(parents=True)
    path.write_text('{\n  "post": "b27",\n  oops\n}\n', "utf-8")
    code, _, err = repo.socialpub(TOM, "plan")
    assert code == 4
    assert ".socialpub/approvals/b27/_all.json:3: damaged approval" in err
    assert "Traceback" not in err


def test_a_record_copied_to_another_post_is_refused(repo: WorkflowRepo) -> None:
    assert repo.socialpub(EVA, "approve", "b27")[0] == 0
    target = repo.root / ".socialpub/approvals/other/_all.json"
    target.parent.mkdir()
    target.write_bytes((repo.root / ".socialpub/approvals/b27/_all.json").read_bytes())
    code, _, err = repo.socialpub(TOM, "plan")
    assert code == 4 and "lies elsewhere" in err


def test_a_shallow_clone_cannot_tell_the_authors(repo: WorkflowRepo, tmp_path: Path) -> None:
    assert repo.socialpub(EVA, "approve", "b27", "--commit")[0] == 0
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True,
        capture_output=True,
    )
    code, out, _ = repo.socialpub(
        TOM, "plan", "--json", "--now", "2026-11-27T16:30", config=clone / "socialpub.yaml"
    )
    assert code == 0
    reasons = {d["reason"] for d in json.loads(out)}
    assert any("shallow clone" in r and "fetch-depth: 0" in r for r in reasons)


def test_the_example_repository_publishes_its_approved_posts() -> None:
    """`make demo`: the example posts were approved by people who did not write them."""
    args = ["plan", "--json", "--now", "2026-11-27T16:30", "--config", str(EXAMPLE)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    going = {d["post"] for d in plan if d["action"] == "publish"}
    assert going == {
        "ausbildung-2027",
        "kreistag-2026-12-03",
        "sturmwarnung-2026-11-28",
        "sperrung-b27-neudorf",
    }
    held = {d["reason"] for d in plan if d["action"] == "blocked"}
    assert all(reason.startswith("status is") for reason in held)
    approvals = load_approvals(PROJECT)
    approvers = {a.post: a.approver.email for a in approvals}
    assert approvers["sperrung-b27-neudorf"] == "lena.vogt@landkreis-musterstadt.de"


def test_the_website_shows_only_posts_whose_approval_holds(repo: WorkflowRepo) -> None:
    repo.post("strassenbau", "andere", "channels: [website]\n")
    repo.commit(TOM, "another post")
    assert repo.socialpub(EVA, "approve", "b27")[0] == 0
    out = repo.root.parent / "site"
    code, _, err = repo.socialpub(
        TOM, "site", "build", "--out", str(out), "--now", "2026-11-27T16:30"
    )
    assert code == 0, err
    assert (out / "posts/b27/index.html").is_file()
    assert not (out / "posts/andere").exists()
    path = repo.root / "posts/strassenbau/b27.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Montag", "Dienstag"), "utf-8")
    repo.commit(TOM, "edit after approval")
    assert (
        repo.socialpub(TOM, "site", "build", "--out", str(out), "--now", "2026-11-27T16:30")[0] == 0
    )
    assert not (out / "posts/b27/index.html").exists()  # the unapproved text is not shown


def test_four_eyes_false_lets_an_approver_approve_what_they_wrote(tmp_path: Path) -> None:
    one_person = WORKFLOW.replace("  policy:\n", "  policy:\n    four_eyes: false\n")
    repo = WorkflowRepo(tmp_path / "repo", one_person)
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.commit(EVA, "Eva writes")
    assert repo.socialpub(EVA, "approve", "b27")[0] == 0
    assert actions(repo)["website"][0] == "publish"


def test_signatures_are_shown_where_not_required(tmp_path: Path) -> None:
    optional = SIGNED.replace("require_signed: true", "require_signed: false")
    repo = WorkflowRepo(tmp_path / "repo", optional)
    repo.allow_signers(EVA)
    repo.post("strassenbau", "b27", "channels: [website]\n")
    repo.post("strassenbau", "a1", "channels: [website]\n")
    repo.commit(TOM, "two posts")
    repo.sign_as(EVA)
    assert repo.socialpub(EVA, "approve", "b27", "--commit")[0] == 0
    assert repo.socialpub(ANNA, "approve", "a1", "--commit")[0] == 0  # Anna does not sign
    code, out, _ = repo.socialpub(TOM, "approvals", "--json")
    assert code == 0
    rows = {row["post"]: row for row in json.loads(out)}
    assert rows["b27"]["approved"] and rows["b27"]["approval"]["signed_by"] == EVA.email
    assert rows["a1"]["approved"] and rows["a1"]["approval"]["signed_by"] == ""
    assert "(signed)" in rows["b27"]["why"] and "(signed)" not in rows["a1"]["why"]
