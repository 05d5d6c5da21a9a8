"""The posting kit for channels without an API (Xing, WhatsApp Channel, manual), end to end:
`socialpub` as a subprocess in a real git repository, beside a Telegram channel on the fake
platform (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.fakeplatform import FakePlatform
from tests.publishrepo import Channel, ledger, run, tokens

TELEGRAM = Channel("telegram", "telegram")
CHANNELS = [TELEGRAM]
KITS = Path(".socialpub") / "state" / "kits"

CONFIG_TAIL = """\
  xing:
    type: xing
    profile_url: https://www.xing.com/pages/landkreis-musterstadt
    max_characters: 3000
  whatsapp:
    type: whatsapp_channel
    channel_url: https://whatsapp.com/channel/0029VaLandkreis
  amtsblatt:
    type: manual
    host: amtsblatt.example
    max_characters: 200
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def photo_with_gps(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    exif[0x0110] = "Kreis-Handy 12"  # camera model
    exif[0x8825] = {1: "N", 2: (48.0, 8.0, 30.0), 3: "E", 4: (9.0, 1.0, 2.0)}  # GPS
    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, "JPEG", exif=exif.tobytes())


def write_post(root: Path, post_id: str, channels: str, body: str, extra: str = "") -> None:
    (root / "posts" / f"{post_id}.md").write_text(
        f"---\nid: {post_id}\ntitle: Titel {post_id}\nstatus: approved\n"
        f"approved_by: Pressestelle\nchannels: [{channels}]\n{extra}---\n{body}\n",
        encoding="utf-8",
    )


@pytest.fixture
def server() -> Iterator[FakePlatform]:
    with FakePlatform(tokens(CHANNELS)) as platform:
        yield platform


@pytest.fixture
def root(tmp_path: Path, server: FakePlatform) -> Path:
    root = tmp_path / "repo"
    (root / "posts").mkdir(parents=True)
    config = (
        "timezone: Europe/Berlin\nlang: de\npublish:\n  timeout: 2\n  retries: 1\n"
        "channels:\n" + TELEGRAM.yaml(server.url) + CONFIG_TAIL
    )
    (root / "socialpub.yaml").write_text(config, encoding="utf-8")
    (root / ".gitignore").write_text(".socialpub/state/\n.socialpub/lock\n", encoding="utf-8")
    write_post(
        root,
        "stellen",
        "telegram, xing, whatsapp, amtsblatt",
        "Wir suchen eine Sachbearbeitung (m/w/d) für das Bürgerbüro.",
        "link: https://www.landkreis-musterstadt.de/stellen\n",
    )
    photo_with_gps(root / "media" / "team.jpg")
    write_post(
        root,
        "team",
        "xing",
        "Das Team des Bürgerbüros stellt sich vor.",
        "media:\n  - file: media/team.jpg\n    alt: Fünf Menschen vor dem Landratsamt\n",
    )
    git(root, "init", "-q")
    git(root, "config", "user.name", "Erika Muster")
    git(root, "config", "user.email", "presse@landkreis.example")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Beiträge")
    return root


def socialpub(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(root, CHANNELS, *args)


def status(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    done = socialpub(root, "status", "--json")
    assert done.returncode == 0, done.stderr
    return {(row["post"], row["channel"]): row for row in json.loads(done.stdout)}


def test_publish_writes_kits_and_the_api_channel_publishes(
    root: Path, server: FakePlatform
) -> None:
    done = socialpub(root, "publish")
    assert done.returncode == 0, done.stderr  # waiting kits are not failures
    assert len(server.posts("telegram")) == 1  # the same post's API channel went out
    records = ledger(root)
    assert records["stellen", "telegram"]["state"] == "published"
    for channel in ("xing", "whatsapp", "amtsblatt"):
        assert records["stellen", channel]["state"] == "manual"
        kit = root / KITS / "stellen" / channel
        text = (kit / "text.txt").read_text(encoding="utf-8")
        assert "Sachbearbeitung" in text
        assert text in done.stdout  # the terminal shows it, ready to copy
        checklist = (kit / "CHECKLIST.md").read_text(encoding="utf-8")
        assert "https://www.landkreis-musterstadt.de/stellen" in checklist
        assert f"socialpub confirm stellen --channel {channel} --url URL" in checklist
    assert "https://www.xing.com/pages/landkreis-musterstadt" in (
        root / KITS / "stellen" / "xing" / "CHECKLIST.md"
    ).read_text(encoding="utf-8")
    assert "manual: a posting kit is written" in done.stderr
    # the kits are private state: git ignores them, and nothing but the ledger changed
    assert git(root, "status", "--porcelain", "--untracked-files=all", str(KITS)) == ""
    assert git(root, "check-ignore", str(KITS / "stellen" / "xing" / "text.txt")).strip()


def test_the_kit_has_the_image_without_exif_and_its_alt_text(root: Path) -> None:
    assert socialpub(root, "publish", "team").returncode == 0
    kit = root / KITS / "team" / "xing"
    with Image.open(kit / "1.jpg") as image:
        assert dict(image.getexif()) == {}
    assert b"Kreis-Handy" not in (kit / "1.jpg").read_bytes()
    checklist = (kit / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "`1.jpg`" in checklist and "Fünf Menschen vor dem Landratsamt" in checklist


def test_status_lists_waiting_kits_with_their_age(root: Path) -> None:
    assert socialpub(root, "publish", "stellen").returncode == 0
    path = root / ".socialpub" / "ledger" / "stellen" / "whatsapp.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    written = datetime.fromisoformat(record["created_at"]) - timedelta(days=2, hours=3)
    record["created_at"] = written.isoformat()  # as if the kit had waited two days
    path.write_text(json.dumps(record), encoding="utf-8")
    rows = status(root)
    assert rows["stellen", "whatsapp"]["state"] == "manual"
    assert rows["stellen", "whatsapp"]["waiting_minutes"] >= (2 * 24 + 3) * 60
    assert rows["stellen", "telegram"]["waiting_minutes"] is None
    done = socialpub(root, "status")
    assert "Waiting to be posted by hand:" in done.stdout
    assert "stellen → whatsapp  waiting 2 d 3 h" in done.stdout
    assert "stellen → xing  waiting 0 min" in done.stdout


def test_confirm_records_the_url_and_gits_user(root: Path) -> None:
    assert socialpub(root, "publish", "stellen").returncode == 0
    url = "https://www.xing.com/pages/landkreis-musterstadt/posts/123"
    done = socialpub(root, "confirm", "stellen", "--channel", "xing", "--url", url)
    assert done.returncode == 0, done.stderr
    assert url in done.stdout
    record = ledger(root)["stellen", "xing"]
    assert record["state"] == "published" and record["url"] == url
    assert record["confirmed_by"] == "Erika Muster <presse@landkreis.example>"
    assert record["history"][-1][1] == "confirmed"
    rows = status(root)
    assert rows["stellen", "xing"]["confirmed_by"] == "Erika Muster <presse@landkreis.example>"
    assert rows["stellen", "whatsapp"]["state"] == "manual"  # the others still wait
    plan = json.loads(socialpub(root, "plan", "--json").stdout)
    actions = {(d["post"], d["channel"]): d["action"] for d in plan}
    assert actions["stellen", "xing"] == "done"
    assert actions["stellen", "whatsapp"] == "manual"


def test_confirm_by_and_json(root: Path) -> None:
    assert socialpub(root, "publish", "stellen").returncode == 0
    url = "https://amtsblatt.example/2026/12/stellen"
    done = socialpub(
        root, "confirm", "stellen", "-c", "amtsblatt", "--url", url, "--by", "Max", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "post": "stellen",
        "channel": "amtsblatt",
        "state": "published",
        "url": url,
        "confirmed_by": "Max",
    }


@pytest.mark.parametrize(
    ("channel", "url", "says"),
    [
        ("xing", "http://www.xing.com/pages/x/posts/1", "must start with https://"),
        ("xing", "https://www.xing.com.evil.example/posts/1", "be on xing.com"),
        ("whatsapp", "https://www.xing.com/pages/x", "be on whatsapp.com"),
        ("amtsblatt", "https://other.example/1", "be on amtsblatt.example"),
    ],
)
def test_confirm_refuses_a_url_off_the_platform(
    root: Path, channel: str, url: str, says: str
) -> None:
    assert socialpub(root, "publish", "stellen").returncode == 0
    done = socialpub(root, "confirm", "stellen", "--channel", channel, "--url", url)
    assert done.returncode == 2
    assert says in done.stderr and "copy its address" in done.stderr
    assert ledger(root)["stellen", channel]["state"] == "manual"  # nothing recorded


def test_confirm_refuses_what_is_not_waiting(root: Path) -> None:
    done = socialpub(
        root, "confirm", "stellen", "--channel", "xing", "--url", "https://xing.com/p/1"
    )
    assert done.returncode == 2 and "has no posting kit yet" in done.stderr
    assert socialpub(root, "publish", "stellen").returncode == 0
    done = socialpub(
        root, "confirm", "stellen", "--channel", "telegram", "--url", "https://t.me/kreis/1"
    )
    assert done.returncode == 2 and "nothing to confirm" in done.stderr
    done = socialpub(root, "confirm", "stellen", "--channel", "xing", "--url", "x", "--json")
    assert done.returncode == 2
    failure = json.loads(done.stdout)
    assert "is not the address of a post" in failure["error"] and failure["exit_code"] == 2


def test_delete_cancels_a_waiting_kit(root: Path) -> None:
    assert socialpub(root, "publish", "stellen").returncode == 0
    done = socialpub(root, "delete", "stellen", "--channel", "whatsapp", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["result"] == "deleted"
    assert ledger(root)["stellen", "whatsapp"]["state"] == "deleted"
    assert not (root / KITS / "stellen" / "whatsapp").exists()
    assert ledger(root)["stellen", "xing"]["state"] == "manual"
    again = socialpub(root, "publish", "stellen")
    assert again.returncode == 0 and not (root / KITS / "stellen" / "whatsapp").exists()


def test_a_changed_post_rewrites_the_kit_and_plan_says_so(root: Path) -> None:
    assert socialpub(root, "publish", "stellen").returncode == 0
    write_post(
        root,
        "stellen",
        "telegram, xing, whatsapp, amtsblatt",
        "Wir suchen zwei Sachbearbeitungen (m/w/d) für das Bürgerbüro.",
        "link: https://www.landkreis-musterstadt.de/stellen\n",
    )
    plan = json.loads(socialpub(root, "plan", "--json", "-c", "xing").stdout)
    assert plan[0]["action"] == "edit"
    assert "changed since the kit was written" in plan[0]["reason"]
    done = socialpub(root, "publish", "stellen", "-c", "xing")
    assert done.returncode == 0, done.stderr
    kit = root / KITS / "stellen" / "xing"
    assert "zwei Sachbearbeitungen" in (kit / "text.txt").read_text(encoding="utf-8")
    assert "zwei Sachbearbeitungen" in done.stdout
    record = ledger(root)["stellen", "xing"]
    assert record["state"] == "manual" and record["history"][-1][1] == "kit rewritten"
    plan = json.loads(socialpub(root, "plan", "--json", "-c", "xing").stdout)
    assert plan[0]["action"] == "manual"
    assert "kit rewritten after a change" in plan[0]["reason"]


def test_publish_json_reports_manual_outcomes(root: Path) -> None:
    done = socialpub(root, "publish", "stellen", "--json")
    assert done.returncode == 0, done.stderr
    results = {o["channel"]: o["result"] for o in json.loads(done.stdout)}
    assert results == {
        "telegram": "published",
        "xing": "manual",
        "whatsapp": "manual",
        "amtsblatt": "manual",
    }


def test_a_too_long_text_for_the_manual_limit_is_refused(root: Path) -> None:
    write_post(root, "lang", "amtsblatt", "Sehr lange Meldung. " * 20)
    done = socialpub(root, "plan", "lang", "--json")
    assert done.returncode == 0
    (delivery,) = json.loads(done.stdout)
    assert delivery["action"] == "blocked" and "200" in delivery["reason"]


def test_dry_run_shows_the_kit_and_writes_nothing(root: Path) -> None:
    done = socialpub(root, "publish", "stellen", "-c", "xing", "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    (payload,) = json.loads(done.stdout)
    assert payload["messages"][0]["endpoint"] == "WRITE .socialpub/state/kits/stellen/xing/"
    assert "Sachbearbeitung" in payload["messages"][0]["body"]["text"]
    assert not (root / KITS).exists() and ledger(root) == {}
