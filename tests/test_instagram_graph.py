"""The Instagram channel end to end: `socialpub publish/status/reconcile/delete/preview` as a
subprocess against the strict fake Meta Graph server, which fetches every photo and video
from the county's website (the test's media server) as Meta's crawler does."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.clirepo import has_exif
from tests.metagraph import MediaServer, MetaGraph, media_server, metagraph
from tests.metagraph_faults import Fault
from tests.metagraph_store import ContainerPlan
from tests.metarepo import IG, MetaRepo, jpeg_with_exif, register

__all__ = ["media_server", "metagraph"]  # the fixtures, imported for pytest

ONLY = ["instagram", "web"]  # the website publishes the stripped copies Instagram fetches


@pytest.fixture
def graph(metagraph: MetaGraph) -> MetaGraph:
    metagraph.default_plan = ContainerPlan(polls=0)  # processed at once, unless a test says
    return register(metagraph)


@pytest.fixture
def repo(tmp_path: Path, graph: MetaGraph, media_server: MediaServer) -> MetaRepo:
    return MetaRepo(tmp_path, graph, media_server)


def photo_post(repo: MetaRepo, post_id: str, text: str, count: int = 1) -> list[str]:
    """A post with `count` photos (EXIF and all); their files."""
    files = [
        repo.file(f"{post_id}-{n}.jpg", jpeg_with_exif(seed=f"{post_id}-{n}")) for n in range(count)
    ]
    media = [{"file": file, "alt": f"Bild {n} von {post_id}"} for n, file in enumerate(files)]
    repo.post(post_id, text, ONLY, media=media)
    return files


def test_a_photo_waits_for_the_site_then_goes_out_without_exif(
    graph: MetaGraph, repo: MetaRepo, media_server: MediaServer
) -> None:
    photo_post(repo, "bruecke", "Die Brücke ist fertig. #Kreis")
    graph.plan_next(ContainerPlan(polls=1))  # Meta is still processing at the first look
    early = repo.run("publish")
    # waiting is no failure: nothing sent, nothing in the ledger, exit 0
    assert early.returncode == 0 and "is not online yet" in early.stdout, early.stdout
    assert "waiting" in early.stdout
    assert graph.containers(IG) == [] and graph.instagram(IG) == []
    assert repo.status()[("bruecke", "instagram")]["state"] == "not sent"
    served = repo.deploy()
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [item] = graph.instagram(IG)
    [image] = item.images
    assert (item.text, image.alt_text) == ("Die Brücke ist fertig. #Kreis", "Bild 0 von bruecke")
    fetched_by_meta = [f for f in graph.fetched if f.url == image.url]
    assert fetched_by_meta and fetched_by_meta[-1].data == image.data
    assert image.url is not None and served[image.url.split("/", 3)[3]] == image.data
    assert not has_exif(image.data) and has_exif(
        (repo.root / "posts/media/bruecke-0.jpg").read_bytes()
    )
    row = repo.status()[("bruecke", "instagram")]
    assert row["state"] == "published" and row["url"].endswith(item.id), row
    assert not repo.secrets_leaked(early.stdout + early.stderr, done.stdout + done.stderr)
    again = repo.run("publish")
    assert again.returncode == 0 and len(graph.instagram(IG)) == 1, again.stdout


@pytest.mark.parametrize("count", [2, 10])
def test_a_carousel_keeps_its_photos_and_alt_texts_in_order(
    graph: MetaGraph, repo: MetaRepo, count: int
) -> None:
    files = photo_post(repo, "fest", f"{count} Bilder vom Kreisfest.", count)
    repo.deploy()
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [item] = graph.instagram(IG)
    assert item.media_type == "CAROUSEL" and item.text == f"{count} Bilder vom Kreisfest."
    assert [i.alt_text for i in item.images] == [f"Bild {n} von fest" for n in range(count)]
    assert [i.url.rsplit("/", 1)[1].split("-")[1] for i in item.images if i.url] == [
        str(n) for n in range(count)
    ]  # the site's copies of fest-0.jpg … in the post's order
    assert not any(has_exif(i.data) for i in item.images) and len(files) == count


def test_a_video_goes_out_as_a_reel(graph: MetaGraph, repo: MetaRepo) -> None:
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    file = repo.file("film.mp4", video)
    repo.post("film", "Ein Film über den Kreis.", ONLY, media=[{"file": file, "alt": "Film"}])
    repo.deploy()
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [item] = graph.instagram(IG)
    assert (item.media_type, item.video, item.images) == ("REELS", video, [])


def test_preview_shows_the_caption_and_every_photo_with_its_alt_text(repo: MetaRepo) -> None:
    photo_post(repo, "fest", "Zwei Bilder vom Kreisfest. #Kreis", 2)
    shown = repo.run("preview", "fest", "--channel", "instagram")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "Zwei Bilder vom Kreisfest. #Kreis" in shown.stdout and "/2200" in shown.stdout
    assert "alt: Bild 0 von fest" in shown.stdout and "alt: Bild 1 von fest" in shown.stdout
    [data] = json.loads(repo.run("preview", "fest", "-c", "instagram", "--json").stdout)
    assert [m["alt"] for m in data["media"]] == ["Bild 0 von fest", "Bild 1 von fest"]


@pytest.mark.parametrize(
    ("outcome", "meta_says"),
    [("ERROR", "2207026"), ("EXPIRED", "Media was not published within 24 hours")],
)
def test_a_container_that_ends_in_error_or_expires_is_refused_with_metas_text(
    graph: MetaGraph, repo: MetaRepo, outcome: str, meta_says: str
) -> None:
    photo_post(repo, "kaputt", "Dieses Bild verarbeitet Meta nicht.")
    repo.deploy()
    graph.plan_next(ContainerPlan(polls=0, outcome=outcome, error_message="2207026"))  # type: ignore[arg-type]
    done = repo.run("publish")
    assert done.returncode == 1, done.stdout + done.stderr
    assert outcome in done.stdout and meta_says in done.stdout, done.stdout
    assert graph.instagram(IG) == []
    row = repo.status()[("kaputt", "instagram")]
    assert row["state"] == "failed" and meta_says in row["last_error"], row


def test_a_used_up_quota_stops_cleanly_until_the_window_frees_a_slot(
    graph: MetaGraph, repo: MetaRepo
) -> None:
    graph.ig_quota = 1
    photo_post(repo, "erste", "Die erste Meldung des Tages.")
    repo.deploy()
    assert repo.run("publish").returncode == 0
    photo_post(repo, "zweite", "Die zweite Meldung des Tages.")
    repo.deploy()
    made = len(graph.containers(IG))
    full = repo.run("publish")
    assert full.returncode == 1 and "quota is used up" in full.stdout, full.stdout
    assert len(graph.containers(IG)) == made and len(graph.instagram(IG)) == 1
    assert repo.status()[("zweite", "instagram")]["state"] == "failed"
    graph.advance(timedelta(hours=24, minutes=1))
    later = repo.run("publish")
    assert later.returncode == 0, later.stdout + later.stderr
    assert [i.text for i in graph.instagram(IG)] == [
        "Die erste Meldung des Tages.",
        "Die zweite Meldung des Tages.",
    ]


@pytest.mark.parametrize(
    ("endpoint", "kind"),
    [("POST /media_publish", "drop"), ("POST /media_publish", "timeout"), ("POST /media", "drop")],
)
def test_a_lost_answer_is_reconciled_without_a_second_post(
    graph: MetaGraph, repo: MetaRepo, endpoint: str, kind: str
) -> None:
    photo_post(repo, "verloren", "Diese Antwort geht verloren.", 2)
    repo.deploy()
    graph.inject(endpoint, Fault(kind, hang=2.0))  # type: ignore[arg-type]
    first = repo.run("publish")
    assert first.returncode == 1, first.stdout + first.stderr
    assert repo.status()[("verloren", "instagram")]["state"] == "unconfirmed"
    rerun = repo.run("publish")
    assert rerun.returncode == 1, "publish must leave an unconfirmed delivery to reconcile"
    done = repo.run("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    found = repo.status()[("verloren", "instagram")]
    if endpoint == "POST /media_publish":  # the post exists: reconcile finds it
        [item] = graph.instagram(IG)
        assert found["state"] == "published" and found["url"].endswith(item.id), found
    else:  # a carousel item's answer was lost: nothing was published, the next run sends
        assert graph.instagram(IG) == [] and found["state"] == "failed", found
    assert repo.run("publish").returncode == 0
    [item] = graph.instagram(IG)
    assert len(item.images) == 2
    row = repo.status()[("verloren", "instagram")]
    assert row["state"] == "published" and row["url"].endswith(item.id), row


def test_delete_is_refused_with_what_to_do_by_hand(graph: MetaGraph, repo: MetaRepo) -> None:
    photo_post(repo, "weg", "Diese Meldung soll weg.")
    repo.deploy()
    assert repo.run("publish").returncode == 0
    done = repo.run("delete", "weg", "--channel", "instagram")
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "by hand in the Instagram app" in output, output
    [item] = graph.instagram(IG)
    assert not item.deleted and item.id in output
    assert repo.status()[("weg", "instagram")]["state"] == "published"


def test_the_same_photo_under_another_name_later_is_online_too(
    graph: MetaGraph, repo: MetaRepo
) -> None:
    """The site keeps one folder per image content; a later post that brings the same photo
    under another name (the crest, copied and renamed) must find its copy online too."""
    data = jpeg_with_exif(seed="wappen")
    for post_id in ("erste", "zweite"):  # one a week: each run builds and deploys the site
        file = repo.file(f"wappen-{post_id}.jpg", data)
        media = [{"file": file, "alt": "Kreiswappen"}]
        repo.post(post_id, f"Das Wappen, {post_id}s Mal.", ONLY, media=media)
        repo.deploy()
        done = repo.run("publish")
        assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(i.text for i in graph.instagram(IG)) == [
        "Das Wappen, erstes Mal.",
        "Das Wappen, zweites Mal.",
    ]
