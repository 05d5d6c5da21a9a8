"""The Facebook Page channel end to end: `socialpub publish/status/reconcile/delete` as a
subprocess against the strict fake Meta Graph server (tests/metagraph.py)."""

from __future__ import annotations

import io
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage

from tests.clirepo import ledger_text, run_socialpub, status_rows, write_media, write_post
from tests.metagraph import MetaGraph, metagraph
from tests.metagraph_faults import Fault

__all__ = ["metagraph"]  # the fixture, imported for pytest

PAGE = "100000000000001"
TOKEN = "fb-page-token-s3cr3t"
ENV = "FACEBOOK_PAGE_TOKEN"


def jpeg_with_exif() -> bytes:
    exif = PILImage.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N"}  # GPS info: what must never reach Facebook
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "orange").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


class PostsRepo:
    """A posts repository whose facebook channel points at the fake server."""

    def __init__(
        self, root: Path, graph: MetaGraph, concurrency: int = 1, **publish: float
    ) -> None:
        self.root = root
        settings = {"timeout": 0.5, "retries": 3, "backoff": 0.01} | publish
        knobs = "".join(f"  {key}: {value}\n" for key, value in settings.items())
        (root / "posts" / "media").mkdir(parents=True)
        config = (
            "timezone: Europe/Berlin\nlang: de\npublish:\n" + knobs + "channels:\n"
            "  facebook:\n    type: facebook\n"
            f'    page_id: "{PAGE}"\n    access_token: ${{{ENV}}}\n'
            f"    api_base: {graph.facebook_base}\n    schedule: native\n"
            f"    rate_limit: 1000/s\n    concurrency: {concurrency}\n"  # not 60/min: tests
        )
        (root / "socialpub.yaml").write_text(config, encoding="utf-8")

    def post(self, post_id: str, body: str, **front: Any) -> None:
        write_post(self.root, post_id, body, ["facebook"], **front)

    def media(self, name: str, data: bytes) -> str:
        return write_media(self.root, name, data)

    def run(self, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
        return run_socialpub(self.root, args, {ENV: token})

    def status(self) -> dict[str, dict[str, Any]]:
        return {row["post"]: row for row in status_rows(self.run("status", "--json"))}


@pytest.fixture
def graph(metagraph: MetaGraph) -> MetaGraph:
    metagraph.add_page(PAGE, TOKEN)
    return metagraph


def berlin(moment: datetime) -> str:
    """A time as a post's `publish_at` (the config's timezone)."""
    return moment.astimezone(datetime.now().astimezone().tzinfo).isoformat(timespec="minutes")


def test_text_link_photo_album_video_and_a_scheduled_post(graph: MetaGraph, tmp_path: Path) -> None:
    repo = PostsRepo(tmp_path, graph)
    repo.post("text", "Der Kreistag tagt am Montag.")
    repo.post("link", "Neue Sprechzeiten.", link="https://kreis.example/zeiten")
    photo = repo.media("brücke.jpg", jpeg_with_exif())
    repo.post("photo", "Die Brücke ist fertig.", media=[{"file": photo, "alt": "Neue Brücke"}])
    album = [
        {"file": repo.media(f"a{n}.jpg", jpeg_with_exif()), "alt": f"Bild {n}"} for n in range(3)
    ]
    repo.post("album", "Drei Bilder vom Fest.", media=album)
    video = repo.media("film.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    repo.post("video", "Ein Film über den Kreis.", media=[{"file": video, "alt": "Film"}])
    due = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    repo.post("later", "Das kommt später.", publish_at=berlin(due))
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    posts = {p.message.split("\n")[0]: p for p in graph.feed(PAGE)}  # the template adds the link
    assert set(posts) == {
        "Der Kreistag tagt am Montag.",
        "Neue Sprechzeiten.",
        "Die Brücke ist fertig.",
        "Drei Bilder vom Fest.",
        "Ein Film über den Kreis.",
        "Das kommt später.",
    }
    assert posts["Neue Sprechzeiten."].link == "https://kreis.example/zeiten"
    [single] = posts["Die Brücke ist fertig."].photos
    assert single.alt_text == "Neue Brücke" and not PILImage.open(io.BytesIO(single.data)).getexif()
    album_photos = posts["Drei Bilder vom Fest."].photos
    assert [p.alt_text for p in album_photos] == ["Bild 0", "Bild 1", "Bild 2"]
    assert all(not PILImage.open(io.BytesIO(p.data)).getexif() for p in album_photos)
    assert posts["Ein Film über den Kreis."].video == (tmp_path / video).read_bytes()
    later = posts["Das kommt später."]
    assert later.scheduled_for == due and not later.is_published(graph.now())
    status = repo.status()
    assert status["later"]["state"] == "scheduled", status["later"]
    assert {status[p]["state"] for p in ("text", "link", "photo", "album", "video")} == {
        "published"
    }
    assert TOKEN not in done.stdout + done.stderr
    assert TOKEN not in ledger_text(tmp_path)
    again = repo.run("publish")
    assert again.returncode == 0 and len(graph.feed(PAGE)) == 6, again.stdout


def test_preview_shows_the_message_its_count_and_the_photos_alt_text(
    graph: MetaGraph, tmp_path: Path
) -> None:
    repo = PostsRepo(tmp_path, graph)
    photo = repo.media("brücke.jpg", jpeg_with_exif())
    repo.post("photo", "Die Brücke ist fertig.", media=[{"file": photo, "alt": "Neue Brücke"}])
    shown = repo.run("preview", "photo", "--channel", "facebook")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "Die Brücke ist fertig." in shown.stdout and "/63206" in shown.stdout
    assert "alt: Neue Brücke" in shown.stdout
    assert graph.requests == []  # a preview sends nothing


def test_a_post_due_beyond_30_days_is_not_sent_to_facebook_yet(
    graph: MetaGraph, tmp_path: Path
) -> None:
    """Facebook would refuse it (the fake does, beyond 30 days), so nothing may be sent.
    Whether the run then fails (meta-facebook) or waits (main's plan) is the engine's."""
    repo = PostsRepo(tmp_path, graph)
    due = (datetime.now(UTC) + timedelta(days=40)).replace(second=0, microsecond=0)
    repo.post("far", "In sechs Wochen.", publish_at=berlin(due))
    done = repo.run("publish")
    assert done.returncode in (0, 1), done.stderr
    assert graph.feed(PAGE) == [] and repo.status()["far"]["state"] != "published"
    assert not any(r.startswith("POST") for r in graph.requests)


def test_changed_text_edits_the_published_post(graph: MetaGraph, tmp_path: Path) -> None:
    repo = PostsRepo(tmp_path, graph)
    repo.post("p", "Sprechzeit bis 16 Uhr.")
    assert repo.run("publish").returncode == 0
    repo.post("p", "Sprechzeit bis 18 Uhr.")
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = graph.feed(PAGE)
    assert (post.message, post.edits) == ("Sprechzeit bis 18 Uhr.", ["Sprechzeit bis 16 Uhr."])


def test_delete_removes_a_post_and_cancels_a_scheduled_one(
    graph: MetaGraph, tmp_path: Path
) -> None:
    repo = PostsRepo(tmp_path, graph)
    repo.post("now", "Heute.")
    due = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    repo.post("later", "Übermorgen.", publish_at=berlin(due))
    assert repo.run("publish").returncode == 0
    for post in ("now", "later"):
        done = repo.run("delete", post)
        assert done.returncode == 0, done.stdout + done.stderr
    assert all(p.deleted for p in graph.feed(PAGE))
    graph.advance(timedelta(days=3))
    assert not any(p.is_published(graph.now()) for p in graph.feed(PAGE))


@pytest.mark.parametrize("kind", ["drop", "timeout"])
def test_a_lost_answer_is_reconciled_without_a_second_post(
    graph: MetaGraph, tmp_path: Path, kind: str
) -> None:
    repo = PostsRepo(tmp_path, graph)
    repo.post("lost", "Diese Antwort geht verloren.")
    graph.inject("POST /feed", Fault(kind, hang=2.0))  # type: ignore[arg-type]
    first = repo.run("publish")
    assert first.returncode == 1, first.stdout + first.stderr
    assert repo.status()["lost"]["state"] == "unconfirmed"
    assert len(graph.feed(PAGE)) == 1
    rerun = repo.run("publish")
    assert len(graph.feed(PAGE)) == 1, "publish sent again instead of leaving it to reconcile"
    assert rerun.returncode == 1
    done = repo.run("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    row = repo.status()["lost"]
    [post] = graph.feed(PAGE)
    assert row["state"] == "published" and post.id in row["url"], row


@pytest.mark.parametrize(
    ("shape", "endpoint"),
    [("photo", "POST /photos"), ("video", "POST /videos"), ("album", "POST /feed"),
     ("scheduled album", "POST /feed")],
)  # fmt: skip
def test_lost_answers_of_media_posts_are_reconciled(
    graph: MetaGraph, tmp_path: Path, shape: str, endpoint: str
) -> None:
    repo = PostsRepo(tmp_path, graph)
    count = 2 if "album" in shape else 1
    kind = "mp4" if shape == "video" else "jpg"
    media = [
        {"file": repo.media(f"m{n}.{kind}", jpeg_with_exif()), "alt": f"M {n}"}
        for n in range(count)
    ]
    due = datetime.now(UTC) + timedelta(hours=5)
    when = (
        {"publish_at": berlin(due.replace(second=0, microsecond=0))} if "scheduled" in shape else {}
    )
    repo.post("lost", f"Ein {shape}.", media=media, **when)
    graph.inject(endpoint, Fault("drop"))  # an album's photo uploads (POST /photos) pass
    assert repo.run("publish").returncode == 1
    assert repo.status()["lost"]["state"] == "unconfirmed"
    done = repo.run("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    row = repo.status()["lost"]
    assert row["state"] == ("scheduled" if "scheduled" in shape else "published"), row
    [post] = graph.feed(PAGE)
    assert len(post.photos) == (count if kind == "jpg" else 0)
    assert repo.run("publish").returncode == 0 and len(graph.feed(PAGE)) == 1


def test_a_revoked_token_says_how_to_renew_it(graph: MetaGraph, tmp_path: Path) -> None:
    repo = PostsRepo(tmp_path, graph)
    repo.post("p", "Text.")
    done = repo.run("publish", token="an-old-token")
    assert done.returncode == 1 and graph.feed(PAGE) == []
    output = done.stdout + done.stderr
    assert "190" in output and "access token" in output and "an-old-token" not in output


def test_a_short_throttle_is_waited_out(graph: MetaGraph, tmp_path: Path) -> None:
    repo = PostsRepo(tmp_path, graph, max_rate_wait=5)
    repo.post("p", "Text.")
    graph.inject("POST /feed", Fault("rate", code=32, regain_minutes=0))
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(graph.feed(PAGE)) == 1


def test_120_deliveries_with_faults_arrive_exactly_once(graph: MetaGraph, tmp_path: Path) -> None:
    repo = PostsRepo(tmp_path, graph, concurrency=4, max_rate_wait=5)
    ids = [f"post-{n:03d}" for n in range(120)]
    for number, post_id in enumerate(ids):
        repo.post(post_id, f"Meldung {number} aus dem Landratsamt.")
    faults = (
        Fault("500"),
        Fault("transient"),
        Fault("rate", regain_minutes=0),
        Fault("drop"),
        Fault("timeout", hang=1.0),
    )
    graph.random_faults(0.2, faults, seed=2026)
    exits = []
    for _ in range(6):
        exits.append(repo.run("publish").returncode)
        exits.append(repo.run("reconcile").returncode)
        if exits[-2:] == [0, 0]:
            break
    copies = Counter(p.message for p in graph.feed(PAGE))
    states = Counter(row["state"] for row in repo.status().values())
    numbers = (
        f"exit codes {exits}, faults {Counter(f.kind for _, f in graph.faults.drawn)}, {states}"
    )
    print(numbers)
    assert len(graph.faults.drawn) >= 15, numbers  # about 20 % of the creating requests
    assert len(copies) == 120 and max(copies.values()) == 1, numbers
    assert states == {"published": 120}, numbers
