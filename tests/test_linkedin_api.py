"""LinkedIn end to end through the CLI against the fake LinkedIn server: publish text with
reserved characters and hashtags, photos with alt texts (EXIF stripped), a link as an
article; status, edit of changed text, delete, preview, reconcile of a lost answer, and an
expired token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.linkedinfake import TOKEN, Fake, linkedin
from tests.linkedinrepo import LinkedInRepo
from tests.metarepo import jpeg_with_exif

__all__ = ["linkedin"]  # the fixture, imported for pytest

TEXT = "Kreistag (öffentlich) am 5. Mai – Fragen an presse@kreis.de #Landkreis #Kreistag_2026"


def test_publish_text_status_edit_and_delete(linkedin: Fake, tmp_path: Path) -> None:
    repo = LinkedInRepo(tmp_path, linkedin)
    repo.post("kreistag", TEXT)
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = linkedin.visible()
    assert post.text == TEXT and post.hashtags == ["Landkreis", "Kreistag_2026"]
    row = repo.status()["kreistag"]
    assert row["state"] == "published" and post.urn in row["url"]
    repo.post("kreistag", TEXT.replace("5. Mai", "6. Mai"))
    edited = repo.run("publish")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert [p.text for p in linkedin.visible()] == [TEXT.replace("5. Mai", "6. Mai")]
    gone = repo.run("delete", "kreistag")
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert linkedin.visible() == [] and TOKEN not in done.stdout + done.stderr


def test_photos_go_up_without_exif_with_their_alt_texts(linkedin: Fake, tmp_path: Path) -> None:
    repo = LinkedInRepo(tmp_path, linkedin)
    one = repo.file("a.jpg", jpeg_with_exif(seed="a"))
    two = repo.file("b.jpg", jpeg_with_exif(seed="b"))
    repo.post("eins", "Ein Foto.", media=[{"file": one, "alt": "Das Landratsamt"}])
    repo.post(
        "zwei", "Zwei Fotos.", media=[{"file": one, "alt": "Eins"}, {"file": two, "alt": "Zwei"}]
    )
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    posts = {p.text: p for p in linkedin.visible()}
    assert [alt for _, alt in posts["Ein Foto."].images] == ["Das Landratsamt"]
    assert [alt for _, alt in posts["Zwei Fotos."].images] == ["Eins", "Zwei"]
    assert all(data for p in posts.values() for data, _ in p.images)  # the fake refuses EXIF


def test_a_link_becomes_an_article(linkedin: Fake, tmp_path: Path) -> None:
    repo = LinkedInRepo(tmp_path, linkedin)
    repo.post("stelle", "Wir suchen eine Sachbearbeitung.", link="https://www.kreis.de/jobs/42")
    done = repo.run("publish")
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = linkedin.visible()
    assert post.article is not None and post.article["source"] == "https://www.kreis.de/jobs/42"
    assert post.article["title"] and post.article["description"]


def test_preview_sends_nothing(linkedin: Fake, tmp_path: Path) -> None:
    repo = LinkedInRepo(tmp_path, linkedin)
    repo.post("kreistag", TEXT)
    shown = repo.run("preview", "kreistag", "--channel", "linkedin")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "#Landkreis" in shown.stdout and linkedin.requests == []


@pytest.mark.parametrize("fault", ["drop", "timeout"])
def test_a_lost_answer_is_reconciled_without_a_second_post(
    linkedin: Fake, tmp_path: Path, fault: str
) -> None:
    repo = LinkedInRepo(tmp_path, linkedin)
    repo.post("kreistag", TEXT)
    linkedin.once["POST /rest/posts"] = fault  # stored, but the answer is lost
    first = repo.run("publish")
    assert first.returncode != 0 and repo.status()["kreistag"]["state"] == "unconfirmed"
    assert len(linkedin.visible()) == 1
    done = repo.run("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.status()["kreistag"]["state"] == "published"
    again = repo.run("publish")
    assert again.returncode == 0 and len(linkedin.visible()) == 1


def test_an_expired_token_says_how_to_renew_it(linkedin: Fake, tmp_path: Path) -> None:
    repo = LinkedInRepo(tmp_path, linkedin)
    repo.post("kreistag", TEXT)
    done = repo.run("publish", token="an-expired-token")
    assert done.returncode == 1
    said = done.stdout + done.stderr
    assert "expired" in said and "60 days" in said and "an-expired-token" not in said
    status = repo.run("status")
    assert "expired" in status.stdout, status.stdout
