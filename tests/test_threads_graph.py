"""The Threads channel end to end: `socialpub publish/status/reconcile/delete/preview` as a
subprocess against the strict fake Meta Graph server. What a follower sees (texts, images,
alt texts, the order of a thread's replies) is read from the fake's stored state."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.clirepo import has_exif
from tests.metagraph import MediaServer, MetaGraph, media_server, metagraph
from tests.metagraph_faults import Fault
from tests.metagraph_store import ContainerPlan, Published
from tests.metagraph_wire import threads_length
from tests.metarepo import THREADS, MetaRepo, jpeg_with_exif, register

__all__ = ["media_server", "metagraph"]  # the fixtures, imported for pytest

LONG = " ".join(
    f"Absatz {n}: Der Kreistag hat heute über die Sanierung der Kreisstraße {n} beraten, "
    "die Bauarbeiten beginnen im Frühjahr und dauern voraussichtlich drei Monate."
    for n in range(1, 9)
)  # about 1,200 characters: three or four parts of at most 500


@pytest.fixture
def graph(metagraph: MetaGraph) -> MetaGraph:
    metagraph.default_plan = ContainerPlan(polls=0)  # processed at once, unless a test says
    return register(metagraph)


@pytest.fixture
def repo(tmp_path: Path, graph: MetaGraph, media_server: MediaServer) -> MetaRepo:
    return MetaRepo(tmp_path, graph, media_server)


def preview_parts(repo: MetaRepo, post_id: str) -> list[str]:
    """The parts `socialpub preview --json` shows for Threads."""
    shown = repo.run("preview", post_id, "--channel", "threads", "--json")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    [variant] = json.loads(shown.stdout)
    return [part["text"] for part in variant["parts"]]


def root_of(graph: MetaGraph) -> Published:
    [root] = [p for p in graph.threads(THREADS) if p.reply_to_id is None]
    return root


def row(repo: MetaRepo, post_id: str) -> dict[str, Any]:
    return repo.status()[(post_id, "threads")]


def test_a_text_post(graph: MetaGraph, repo: MetaRepo) -> None:
    repo.post("text", "Der Kreistag tagt am Montag um 14 Uhr.", ["threads"])
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = graph.threads(THREADS)
    assert (post.media_type, post.images) == ("TEXT", [])
    assert post.text == "Der Kreistag tagt am Montag um 14 Uhr."
    assert row(repo, "text")["state"] == "published" and row(repo, "text")["url"].endswith(post.id)
    assert not repo.secrets_leaked(done.stdout + done.stderr)
    assert repo.run("publish").returncode == 0 and len(graph.threads(THREADS)) == 1


def test_an_image_with_alt_text_is_fetched_from_the_site_without_exif(
    graph: MetaGraph, repo: MetaRepo
) -> None:
    file = repo.file("wald.jpg", jpeg_with_exif(seed="wald"))
    media = [{"file": file, "alt": "Ein Mischwald im Herbst"}]
    repo.post("wald", "Der Kreiswald im Herbst.", ["threads", "web"], media=media)
    graph.plan_next(ContainerPlan(polls=1))  # Meta still processes the image at the first look
    early = repo.run("publish")
    assert early.returncode == 0 and "not online yet" in early.stdout, early.stdout
    assert "waiting" in early.stdout
    assert graph.containers(THREADS) == []
    served = repo.deploy()
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = graph.threads(THREADS)
    [image] = post.images
    assert (post.media_type, post.text) == ("IMAGE", "Der Kreiswald im Herbst.")
    assert image.alt_text == "Ein Mischwald im Herbst" and not has_exif(image.data)
    assert image.url is not None and served[image.url.split("/", 3)[3]] == image.data


def test_a_video_is_fetched_from_the_site(graph: MetaGraph, repo: MetaRepo) -> None:
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    file = repo.file("film.mp4", video)
    media = [{"file": file, "alt": "Ein Rundgang durch das Kreishaus"}]
    repo.post("film", "Ein Film über das Kreishaus.", ["threads", "web"], media=media)
    repo.deploy()
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = graph.threads(THREADS)
    assert (post.media_type, post.text, post.video) == (
        "VIDEO",
        "Ein Film über das Kreishaus.",
        video,
    )


def test_several_photos_go_out_as_one_carousel_in_order(graph: MetaGraph, repo: MetaRepo) -> None:
    files = [repo.file(f"fest-{n}.jpg", jpeg_with_exif(seed=f"fest-{n}")) for n in range(3)]
    media = [{"file": f, "alt": f"Bild {n} vom Kreisfest"} for n, f in enumerate(files)]
    repo.post("fest", "Drei Bilder vom Kreisfest.", ["threads", "web"], media=media)
    repo.deploy()
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = graph.threads(THREADS)
    assert (post.media_type, post.text) == ("CAROUSEL", "Drei Bilder vom Kreisfest.")
    assert [i.alt_text for i in post.images] == [f"Bild {n} vom Kreisfest" for n in range(3)]
    assert not any(has_exif(i.data) for i in post.images)
    assert repo.run("publish").returncode == 0 and len(graph.threads(THREADS)) == 1


def test_a_long_post_becomes_a_thread_of_replies_in_order(graph: MetaGraph, repo: MetaRepo) -> None:
    repo.post("lang", LONG, ["threads"], thread=True)
    parts = preview_parts(repo, "lang")
    assert len(parts) >= 3 and all(threads_length(p) <= 500 for p in parts), parts
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    thread = graph.thread_of(root_of(graph).id)
    assert [p.text for p in thread] == parts  # what the preview showed, in reading order
    assert [p.reply_to_id for p in thread] == [None] + [p.id for p in thread[:-1]]
    assert len(graph.threads(THREADS)) == len(parts)
    assert row(repo, "lang")["ids"] == [p.id for p in thread]
    assert "Absatz 1:" in parts[0] and "Absatz 8:" in parts[-1]


@pytest.mark.parametrize(("kind", "part"), [("drop", 1), ("timeout", 1), ("drop", 2)])
def test_a_lost_answer_inside_a_thread_is_resumed_without_duplicates(
    graph: MetaGraph, repo: MetaRepo, kind: str, part: int
) -> None:
    repo.post("lang", LONG, ["threads"], thread=True)
    parts = preview_parts(repo, "lang")
    graph.inject("POST /threads_publish", Fault(kind, hang=2.0), skip=part)  # type: ignore[arg-type]
    first = repo.run("publish")
    assert first.returncode == 1, first.stdout + first.stderr
    assert row(repo, "lang")["state"] == "unconfirmed"
    assert len(graph.threads(THREADS)) == part + 1  # the lost answer's part exists
    rerun = repo.run("publish")
    assert rerun.returncode == 1 and len(graph.threads(THREADS)) == part + 1
    found = repo.run("reconcile")
    assert found.returncode == 0, found.stdout + found.stderr
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    thread = graph.thread_of(root_of(graph).id)
    assert [p.text for p in thread] == parts
    assert len(graph.threads(THREADS)) == len(parts), "a part was posted twice"
    assert row(repo, "lang")["state"] == "published"
    assert row(repo, "lang")["ids"] == [p.id for p in thread]


def test_a_used_up_quota_stops_before_any_container(graph: MetaGraph, repo: MetaRepo) -> None:
    graph.threads_quota = 1
    repo.post("erste", "Die erste Meldung des Tages.", ["threads"])
    assert repo.run("publish").returncode == 0
    repo.post("zweite", "Die zweite Meldung des Tages.", ["threads"])
    made = len(graph.containers(THREADS))
    full = repo.run("publish")
    assert full.returncode == 1 and "quota is used up" in full.stdout, full.stdout
    assert len(graph.containers(THREADS)) == made and len(graph.threads(THREADS)) == 1
    assert row(repo, "zweite")["state"] == "failed"


def test_a_container_in_error_is_refused_with_metas_error_message(
    graph: MetaGraph, repo: MetaRepo
) -> None:
    repo.post("kaputt", "Das verarbeitet Meta nicht.", ["threads"])
    graph.plan_next(ContainerPlan(polls=0, outcome="ERROR", error_message="UNKNOWN"))
    done = repo.run("publish")
    assert done.returncode == 1 and "ERROR (UNKNOWN)" in done.stdout, done.stdout
    assert graph.threads(THREADS) == [] and row(repo, "kaputt")["state"] == "failed"


def test_delete_removes_the_whole_thread(graph: MetaGraph, repo: MetaRepo) -> None:
    repo.post("lang", LONG, ["threads"], thread=True)
    repo.post("bleibt", "Diese Meldung bleibt stehen.", ["threads"])
    assert repo.run("publish").returncode == 0
    done = repo.run("delete", "lang", "--channel", "threads")
    assert done.returncode == 0, done.stdout + done.stderr
    kept = [p.text for p in graph.threads(THREADS) if not p.deleted]
    assert kept == ["Diese Meldung bleibt stehen."]
    assert row(repo, "lang")["state"] == "deleted"
    again = repo.run("delete", "lang", "--channel", "threads")
    assert again.returncode == 0, again.stdout + again.stderr


def test_reconcile_finds_a_post_whose_container_was_never_logged(
    graph: MetaGraph, repo: MetaRepo
) -> None:
    """The answer to the very first create call is lost: no container id is known, so
    reconcile asks the account's recent posts; the container itself was never published."""
    repo.post("frueh", "Diese Antwort geht ganz am Anfang verloren.", ["threads"])
    graph.inject("POST /threads", Fault("drop"))
    first = repo.run("publish")
    assert first.returncode == 1 and row(repo, "frueh")["state"] == "unconfirmed"
    assert graph.threads(THREADS) == []
    assert repo.run("reconcile").returncode == 0
    assert repo.run("publish").returncode == 0
    [post] = graph.threads(THREADS)
    assert post.text == "Diese Antwort geht ganz am Anfang verloren."
    assert row(repo, "frueh")["url"].endswith(post.id)


def test_reconcile_finds_a_post_beyond_the_first_page_of_recent_posts(
    graph: MetaGraph, repo: MetaRepo
) -> None:
    """The answer for the first of 30 posts is lost and the other 29 go out after it: one
    page of the account's posts (25, the listing's default) no longer holds it."""
    for number in range(30):
        repo.post(f"p{number:02d}", f"Meldung {number} aus dem Landratsamt.", ["threads"])
    graph.inject("POST /threads_publish", Fault("drop"))
    assert repo.run("publish").returncode == 1
    lost = [key for key, found in repo.status().items() if found["state"] == "unconfirmed"]
    assert len(lost) == 1 and len(graph.threads(THREADS)) == 30
    done = repo.run("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    found = repo.status()[lost[0]]
    [post] = [p for p in graph.threads(THREADS) if found["url"].endswith(p.id)]
    assert found["state"] == "published" and post.text.startswith(f"Meldung {int(lost[0][0][1:])} ")
    assert repo.run("publish").returncode == 0 and len(graph.threads(THREADS)) == 30


def test_a_crash_in_the_middle_of_a_thread_is_resumed_without_duplicates(
    graph: MetaGraph, tmp_path: Path, media_server: MediaServer
) -> None:
    """`publish` is killed while Meta holds back the answer for the second part (the part
    exists): reconcile finds it, the next publish sends only the parts still missing."""
    repo = MetaRepo(tmp_path, graph, media_server, timeout=60)
    repo.post("lang", LONG, ["threads"], thread=True)
    parts = preview_parts(repo, "lang")
    graph.inject("POST /threads_publish", Fault("timeout", hang=60.0), skip=1)
    process = repo.start("publish")
    try:
        deadline = time.monotonic() + 60
        while len(graph.threads(THREADS)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # until the second part exists and its answer is held back
    finally:
        process.kill()
        process.wait(10)
    assert len(graph.threads(THREADS)) == 2 and row(repo, "lang")["state"] == "unconfirmed"
    found = repo.run("reconcile")
    assert found.returncode == 0, found.stdout + found.stderr
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    thread = graph.thread_of(root_of(graph).id)
    assert [p.text for p in thread] == parts and len(graph.threads(THREADS)) == len(parts)
    assert row(repo, "lang")["ids"] == [p.id for p in thread]
