"""The X channel end to end: `socialpub publish/status/reconcile/delete` as a subprocess
against the strict fake X server (tests/xfake.py), which validates every request against
X's OpenAPI description and checks every OAuth 1.0a signature."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirepo import has_exif
from tests.xfake import XFake, xfake
from tests.xfake_wire import Fault
from tests.xrepo import CONSUMER, USER, XRepo, jpeg_with_exif, register

__all__ = ["xfake"]  # the fixture, imported for pytest


@pytest.fixture
def fake(xfake: XFake) -> Iterator[XFake]:
    register(xfake)
    yield xfake
    assert xfake.refused == []  # no request X's OpenAPI description does not allow


def texts(fake: XFake) -> list[str]:
    return [t.text for t in fake.timeline(USER)]


def test_text_photos_with_alt_texts_and_a_thread_go_out_once(fake: XFake, tmp_path: Path) -> None:
    repo = XRepo(tmp_path, fake)
    repo.post("text", "Der Kreistag tagt am Montag.")
    photo = repo.file("brücke.jpg", jpeg_with_exif("brücke"))
    repo.post("photo", "Die Brücke ist fertig.", media=[{"file": photo, "alt": "Neue Brücke"}])
    four = [
        {"file": repo.file(f"f{n}.jpg", jpeg_with_exif(str(n))), "alt": f"Bild {n}"}
        for n in range(4)
    ]
    repo.post("four", "Vier Bilder vom Fest.", media=four)
    long = " ".join(f"Satz {n} über die neue Zulassungsstelle im Landratsamt." for n in range(12))
    repo.post("thread", long, thread=True)
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    posts = {t.text: t for t in fake.timeline(USER)}
    assert "Der Kreistag tagt am Montag." in posts
    [single] = posts["Die Brücke ist fertig."].media_ids
    assert fake.media[single].alt == "Neue Brücke" and not has_exif(fake.media[single].data)
    album = [fake.media[m] for m in posts["Vier Bilder vom Fest."].media_ids]
    assert [m.alt for m in album] == [f"Bild {n}" for n in range(4)]
    assert not any(has_exif(m.data) for m in album)
    parts = [t for t in fake.timeline(USER) if t.text.startswith("Satz") or t.reply_to]
    assert len(parts) >= 2 and parts[0].reply_to is None
    assert [p.reply_to for p in parts[1:]] == [p.id for p in parts[:-1]]  # a reply chain
    assert {row["state"] for row in repo.status().values()} == {"published"}
    assert not repo.secrets_leaked(done.stdout, done.stderr)
    again = repo.run("publish")
    assert again.returncode == 0 and len(fake.timeline(USER)) == 3 + len(parts), again.stdout


def test_a_video_goes_through_the_chunked_upload_and_waits_for_processing(
    fake: XFake, tmp_path: Path
) -> None:
    fake.video_polls = 3
    repo = XRepo(tmp_path, fake)
    video = repo.file("film.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 9000)
    repo.post("video", "Ein Film über den Kreis.", media=[{"file": video, "alt": "Der Film"}])
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = fake.timeline(USER)
    [media] = [fake.media[m] for m in post.media_ids]
    assert media.data == (tmp_path / video).read_bytes() and media.alt == "Der Film"
    assert len(media.segments) == 3  # 2.3 MB in chunks of 1 MB
    assert fake.requests.count("GET /2/media/upload") == 4  # 3 × in_progress, succeeded


@pytest.mark.parametrize("kind", ["drop", "timeout"])
def test_a_lost_answer_is_reconciled_without_a_second_post(
    fake: XFake, tmp_path: Path, kind: str
) -> None:
    repo = XRepo(tmp_path, fake)
    repo.post("p", "Die Sprechzeiten ändern sich.")
    fake.inject("POST /2/tweets", Fault(kind, hang=1.0))  # type: ignore[arg-type]
    first = repo.run("publish")
    assert first.returncode == 1 and repo.status()["p"]["state"] == "unconfirmed", first.stdout
    done = repo.run("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    assert texts(fake) == ["Die Sprechzeiten ändern sich."]
    assert repo.status()["p"]["state"] == "published"
    assert repo.run("publish").returncode == 0 and len(texts(fake)) == 1


def test_a_resend_that_x_calls_duplicate_records_the_first_attempt(
    fake: XFake, tmp_path: Path
) -> None:
    """The first attempt landed but its answer was lost; the resend gets 403 duplicate
    content, which here means "it is there already": the post is looked up, not refused."""
    repo = XRepo(tmp_path, fake)
    repo.post("p", "Heute geschlossen.")
    fake.inject("POST /2/tweets", Fault("drop"))
    assert repo.run("publish").returncode == 1
    fake.lookup_lag = 1  # reconcile does not see it yet
    assert "absent" in repo.run("reconcile").stdout
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    assert texts(fake) == ["Heute geschlossen."] and repo.status()["p"]["state"] == "published"


def test_a_text_x_has_already_got_is_refused_saying_so(fake: XFake, tmp_path: Path) -> None:
    repo = XRepo(tmp_path, fake)
    repo.post("a", "Wir suchen Verstärkung.")
    assert repo.run("publish").returncode == 0
    repo.post("b", "Wir suchen Verstärkung.")
    done = repo.run("publish")
    assert done.returncode == 1
    assert "duplicate content" in done.stdout + done.stderr
    assert repo.status()["b"]["state"] == "failed" and len(texts(fake)) == 1


def test_rate_limit_is_waited_out_until_x_rate_limit_reset(fake: XFake, tmp_path: Path) -> None:
    repo = XRepo(tmp_path, fake)
    repo.post("p", "Straßensperrung ab Montag.")
    fake.inject("POST /2/tweets", Fault("429", reset_in=1))
    fake.inject("POST /2/tweets", Fault("user429", reset_in=1))
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    assert texts(fake) == ["Straßensperrung ab Montag."]


def test_a_long_rate_limit_fails_the_delivery_as_rate_limited(fake: XFake, tmp_path: Path) -> None:
    repo = XRepo(tmp_path, fake, max_rate_wait=2)
    repo.post("p", "Straßensperrung ab Montag.")
    fake.inject("POST /2/tweets", Fault("user429", reset_in=3600))
    done = repo.run("publish")
    assert done.returncode == 1 and "rate limit" in (done.stdout + done.stderr).lower()
    assert texts(fake) == [] and repo.status()["p"]["state"] != "published"


def test_wrong_keys_fail_with_401_and_a_hint_and_no_secret_shows(
    fake: XFake, tmp_path: Path
) -> None:
    repo = XRepo(tmp_path, fake)
    repo.post("p", "Test.")
    done = repo.run("publish", env={"X_API_SECRET": CONSUMER[1] + "-old"})
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "credentials" in output and "developer portal" in output
    assert texts(fake) == [] and not repo.secrets_leaked(output)


def test_delete_removes_every_part(fake: XFake, tmp_path: Path) -> None:
    repo = XRepo(tmp_path, fake)
    long = " ".join(f"Satz {n} über die Müllabfuhr im ganzen Landkreis." for n in range(12))
    repo.post("t", long, thread=True)
    assert repo.run("publish").returncode == 0
    assert len(texts(fake)) >= 2
    done = repo.run("delete", "t")
    assert done.returncode == 0, done.stdout + done.stderr
    assert texts(fake) == [] and fake.requests.count("DELETE /2/tweets/{id}") >= 2


def test_an_oauth2_user_token_posts_too(fake: XFake, tmp_path: Path) -> None:
    repo = XRepo(tmp_path, fake, oauth2=True)
    repo.post("p", "Mit OAuth 2.0.")
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    assert texts(fake) == ["Mit OAuth 2.0."] and not repo.secrets_leaked(done.stdout)


def test_a_changed_text_is_edited_within_x_s_window(fake: XFake, tmp_path: Path) -> None:
    repo = XRepo(tmp_path, fake)
    photo = repo.file("a.jpg", jpeg_with_exif("a"))
    repo.post("p", "Sprechzeit bis 16 Uhr.", media=[{"file": photo, "alt": "Das Amt"}])
    assert repo.run("publish").returncode == 0
    [first] = fake.timeline(USER)
    repo.post("p", "Sprechzeit bis 18 Uhr.", media=[{"file": photo, "alt": "Das Amt"}])
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = fake.timeline(USER)
    assert post.text == "Sprechzeit bis 18 Uhr." and post.edit_history == [first.id, post.id]
    assert post.media_ids == first.media_ids
    assert repo.status()["p"]["url"].endswith(post.id)
