"""The built site is valid HTML and CSS: the Nu HTML Checker (npm `vnu-jar`) finds no error.

Every page and stylesheet of the test site is checked in one run of the checker (one JVM start,
about 2 s); the sample holds each kind of page (front, post, tag, month, partner source,
search). Skipped only when SOCIALPUB_SKIP_BROWSER=1 (it covers all heavy tool checks);
a missing Java or checker fails with a hint to run `make test`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import browser as b


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> b.SiteUnderTest:
    b.require("The Nu HTML Checker (npm `vnu-jar` in tests/tools)", b.VNU_JAR.exists())
    return b.make_site(tmp_path_factory.mktemp("html"))


def test_every_page_and_stylesheet_is_valid(site: b.SiteUnderTest) -> None:
    pages = sorted(site.root.rglob("*.html"))
    styles = sorted(site.root.rglob("*.css"))
    checked = {p.relative_to(site.root).as_posix() for p in pages}
    assert set(site.pages.values()) <= checked
    errors = b.vnu_errors(pages + styles)
    assert not errors, b.describe_vnu(errors, site.root)


def test_the_checker_reports_invalid_html(tmp_path: Path) -> None:
    """The harness itself: known faults come back as errors with their line."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html>\n<html lang="de">\n<head></head>\n<body><img src="a.png">\n')
    b.require("The Nu HTML Checker (npm `vnu-jar` in tests/tools)", b.VNU_JAR.exists())
    errors = b.vnu_errors([bad])
    messages = " ".join(e["message"] for e in errors)
    assert "title" in messages and "alt" in messages, b.describe_vnu(errors, tmp_path)
