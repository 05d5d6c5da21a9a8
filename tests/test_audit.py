"""`socialpub audit` on a real git repository: authors from git's history (renames
followed), the ledger's milestones with their URLs, `--since`, and the three formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.publishing.audit import Event, to_csv
from socialpub.publishing.ledger import Ledger, Record, State
from tests.conftest import Repo

ANNA = ("Anna Amt", "anna@landkreis.example")
BERT = ("Bert Bau", "bert@landkreis.example")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POST = """\
    ---
    id: {id}
    title: Kreistag
    status: approved
    approved_by: Pressestelle
    ---
    {body}
    """


def commit(root: Path, who: tuple[str, str], message: str, when: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", message], cwd=root, env=env, check=True)


def history(repo: Repo) -> None:
    subprocess.run(["git", "init", "-q"], cwd=repo.root, check=True)
    repo.post("kreistag.md", POST.format(id="kreistag", body="Der Kreistag tagt."))
    commit(repo.root, ANNA, "Kreistag angekündigt", "2026-11-20T10:00:00+01:00")
    subprocess.run(["git", "mv", "posts/kreistag.md", "posts/kreistag-dez.md"], cwd=repo.root)
    commit(repo.root, BERT, "umbenannt", "2026-11-21T10:00:00+01:00")
    repo.post("kreistag-dez.md", POST.format(id="kreistag", body="=HYPERLINK(1) tagt."))
    commit(repo.root, BERT, "=Formel im Betreff", "2026-11-22T10:00:00+01:00")
    record = Record("kreistag", "masto", "mastodon", State.PUBLISHED, "k", "r", T0, T0)
    record = record.with_event(T0, "sending", "message 1 of 1")
    record = record.with_event(T0, "published", "https://social.example/@kreis/1")
    record = record.with_event(T0.replace(hour=10), "edited", "https://social.example/@kreis/1")
    Ledger(repo.root).put(record)


def audit(repo: Repo, *args: str) -> str:
    done = CliRunner().invoke(app, ["audit", "--config", str(repo.config), *args])
    assert done.exit_code == 0, done.output
    return done.stdout


def test_json_lists_authors_across_a_rename_and_the_ledger_milestones(repo: Repo) -> None:
    history(repo)
    events = json.loads(audit(repo, "--format", "json"))
    assert [(e["event"], e["who"].split(" <")[0]) for e in events] == [
        ("written", "Anna Amt"),
        ("written", "Bert Bau"),
        ("written", "Bert Bau"),
        ("published", ""),
        ("edited", ""),
    ]
    assert {e["post"] for e in events} == {"kreistag"}
    assert events[3]["detail"] == "https://social.example/@kreis/1"
    assert events[0]["who"] == "Anna Amt <anna@landkreis.example>"


def test_since_leaves_out_what_came_before(repo: Repo) -> None:
    history(repo)
    events = json.loads(audit(repo, "--format", "json", "--since", "2026-11-22"))
    assert [e["event"] for e in events] == ["written", "published", "edited"]


def test_csv_opens_safely_in_a_spreadsheet(repo: Repo) -> None:
    history(repo)
    rows = list(csv.DictReader(io.StringIO(audit(repo, "--format", "csv"))))
    assert list(rows[0]) == ["at", "post", "channel", "event", "who", "detail"]
    assert rows[3]["channel"] == "masto" and rows[3]["event"] == "published"
    forged = Event(T0, "p", "", "written", '=HYPERLINK("https://evil.example")', "-1+1")
    [row] = csv.DictReader(io.StringIO(to_csv([forged])))
    assert row["who"] == '\'=HYPERLINK("https://evil.example")' and row["detail"] == "'-1+1"


def test_table_to_a_file(repo: Repo, tmp_path: Path) -> None:
    history(repo)
    target = tmp_path / "audit.txt"
    audit(repo, "--output", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].split() == ["time", "post", "channel", "event", "who", "detail"]
    assert any("published" in line and "https://social.example/@kreis/1" in line for line in lines)


def test_a_wrong_since_says_how_to_write_it(repo: Repo) -> None:
    done = CliRunner().invoke(app, ["audit", "--config", str(repo.config), "--since", "gestern"])
    assert done.exit_code == 2
    assert "write it like 2026-01-01" in done.output


def test_outside_git_the_audit_has_the_ledger_only(repo: Repo) -> None:
    record = Record("p", "masto", "mastodon", State.DELETED, "k", "r", T0, T0)
    Ledger(repo.root).put(record.with_event(T0, "deleted", "https://social.example/@kreis/9"))
    events = json.loads(audit(repo, "--format", "json"))
    assert [(e["post"], e["event"]) for e in events] == [("p", "deleted")]


def test_json_output_gets_its_errors_as_json(repo: Repo) -> None:
    repo.write_config("timezone: Nowhere/City\n")
    done = CliRunner().invoke(app, ["audit", "--config", str(repo.config), "--format", "json"])
    assert done.exit_code == 3
    problems = json.loads(done.stdout)  # the config's problems, as validate --format json
    assert {p["field"] for p in problems} >= {"timezone"}
