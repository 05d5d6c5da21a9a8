from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpub.content.posts import LoadResult, discover, load_post
from socialpub.content.schema import hashtag
from socialpub.models import Status

BERLIN = ZoneInfo("Europe/Berlin")


def load(text: str | bytes, name: str = "post.md") -> LoadResult:
    data = text.encode() if isinstance(text, str) else text
    return load_post(Path(name), data, timezone=BERLIN, default_lang="de")


def codes(result: LoadResult) -> list[str]:
    return [p.code for p in result.problems]


FULL = """\
---
id: kreistag-2026-12
title: Kreistag tagt
status: approved
author: Anna
department: Pressestelle
approved_by: Jens
publish_at: 2026-12-01T09:00
expires_at: 2026-12-03T20:00+01:00
channels: [mastodon, website]
lang: de-DE
link: https://landkreis.example/kreistag
tags: [Kreistag, Tag der offenen Tür, "#Haushalt"]
thread: true
media:
  - file: media/karte.png
    alt: Karte der Umleitung
    credit: Landkreis
overrides:
  mastodon:
    text: Kürzer für Mastodon.
    tags: [Kreistag]
    thread: false
---
Der **Kreistag** tagt.
"""


def test_full_post_loads_every_key() -> None:
    result = load(FULL)
    assert result.problems == ()
    post = result.post
    assert post is not None
    assert post.id == "kreistag-2026-12"
    assert post.status is Status.APPROVED
    assert post.publish_at == datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
    assert post.expires_at is not None and post.expires_at.utcoffset() is not None
    assert post.channels == ("mastodon", "website")
    assert post.tags == ("Kreistag", "TagDerOffenenTür", "Haushalt")
    assert post.media[0].file == "media/karte.png" and post.media[0].line == 16
    assert post.overrides["mastodon"].text == "Kürzer für Mastodon."
    assert post.overrides["mastodon"].thread is False
    assert post.body == "Der **Kreistag** tagt."
    assert post.line_of("body") == 25
    assert post.line_of("tags") == 13


def test_yaml_post_takes_text_from_body() -> None:
    result = load("id: a\ntitle: T\nbody: |\n  Zeile eins\n  Zeile zwei\n", "p.yaml")
    assert result.post is not None
    assert result.post.body == "Zeile eins\nZeile zwei\n".strip("\n")
    assert result.post.line_of("body") == 4


def test_bom_and_crlf_are_accepted() -> None:
    result = load(b"\xef\xbb\xbf---\r\nid: a\r\ntitle: T\r\n---\r\nText\r\n")
    assert result.problems == ()
    assert result.post is not None and result.post.body == "Text"


def test_non_utf8_reports_position() -> None:
    result = load(b"---\nid: a\ntitle: Stra\xdfe\n---\nText\n")
    assert codes(result) == ["SP001"]
    assert result.problems[0].line == 3
    assert "column 12" in result.problems[0].message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "SP004"),
        ("   \n\n", "SP004"),
        ("---\nid: a\ntitle: T\nText without closing\n", "SP003"),
        ("Just text, no front matter\n", "SP006"),
        ("---\n- a\n- b\n---\nText\n", "SP006"),
        ("---\nid: [a\n---\nText\n", "SP002"),
        ("---\nid: !!python/object:os.system a\ntitle: T\n---\nText\n", "SP005"),
    ],
)
def test_unreadable_posts(text: str, code: str) -> None:
    result = load(text)
    assert result.post is None
    assert codes(result) == [code]


def test_unknown_key_suggests_the_known_one() -> None:
    result = load("---\nid: a\ntitle: T\nchanels: [x]\n---\nText\n")
    (problem,) = result.problems
    assert (problem.code, problem.line, problem.field) == ("SP102", 4, "chanels")
    assert "channels" in problem.hint


@pytest.mark.parametrize(
    ("front", "code", "field"),
    [
        ("title: T", "SP101", "id"),
        ("id: a", "SP101", "title"),
        ("id: Kreistag_2026\ntitle: T", "SP104", "id"),
        ("id: a\ntitle: T\nstatus: aproved", "SP106", "status"),
        ("id: a\ntitle: T\npublish_at: morgen", "SP107", "publish_at"),
        ("id: a\ntitle: T\npublish_at: 2026-12-01", "SP114", "publish_at"),
        (
            "id: a\ntitle: T\npublish_at: 2026-12-02T10:00\nexpires_at: 2026-12-01T10:00",
            "SP108",
            "expires_at",
        ),
        ("id: a\ntitle: T\nlink: http://landkreis.example", "SP110", "link"),
        ("id: a\ntitle: T\nlink: javascript:alert(1)", "SP110", "link"),
        ("id: a\ntitle: T\nlang: deutsch-sprache-x", "SP111", "lang"),
        ("id: a\ntitle: T\ntags: ['!!!']", "SP112", "tags"),
        ("id: a\ntitle: T\nchannels: {a: 1}", "SP103", "channels"),
        ("id: a\ntitle: T\nthread: yes please", "SP103", "thread"),
        ("id: a\ntitle: T\nmedia: karte.png", "SP103", "media"),
        ("id: a\ntitle: T\nmedia:\n  - {fiel: a.png}", "SP102", "media.fiel"),
        ("id: a\ntitle: T\noverrides:\n  mastodon: {txt: x}", "SP102", "overrides.txt"),
    ],
)
def test_key_rules(front: str, code: str, field: str) -> None:
    result = load(f"---\n{front}\n---\nText\n")
    assert (code, field) in [(p.code, p.field) for p in result.problems]


def test_empty_body_is_an_error() -> None:
    assert codes(load("---\nid: a\ntitle: T\n---\n\n")) == ["SP113"]


def test_all_problems_are_collected_not_just_the_first() -> None:
    result = load("---\nid: A B\nstatus: nope\nlink: http://x.example\nfoo: 1\n---\n")
    assert {"SP101", "SP104", "SP106", "SP110", "SP102", "SP113"} <= set(codes(result))


def test_body_templates_stay_text() -> None:
    result = load("---\nid: a\ntitle: T\n---\nRechnung: {{ 7*7 }} {% if x %}\n")
    assert result.post is not None and "{{ 7*7 }}" in result.post.body


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("Kreistag", "Kreistag"),
        ("#Haushalt", "Haushalt"),
        ("Tag der offenen Tür", "TagDerOffenenTür"),
        ("öffentlicher_nahverkehr", "ÖffentlicherNahverkehr"),
        ("!!!", ""),
    ],
)
def test_hashtag(tag: str, expected: str) -> None:
    assert hashtag(tag) == expected


def test_discover_skips_hidden_private_and_readme(tmp_path: Path) -> None:
    for name in (
        "a.md",
        "b.yaml",
        "sub/c.md",
        ".hidden/d.md",
        "_drafts/e.md",
        "README.md",
        "x.txt",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in discover([], tmp_path)]
    assert found == ["a.md", "b.yaml", "sub/c.md"]


def test_billion_laughs_front_matter_is_reported_not_expanded() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    result = load("---\n" + "\n".join(lines) + "\n---\nText\n")
    assert codes(result) == ["SP005"]
    assert "anchors/aliases" in result.problems[0].hint


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.sampled_from(["minutes", "seconds", "milliseconds", "microseconds", "date"]),
    st.sampled_from(["", "Z", "+01:00", "-05:30", "+00:00"]),
)
def test_dates_are_read_as_dateutil_reads_them(when: datetime, precision: str, zone: str) -> None:
    from dateutil import parser as dateparser

    from socialpub.content.isotime import isoparse as _isoparse

    text = when.date().isoformat() if precision == "date" else when.isoformat(timespec=precision)
    text += zone if precision != "date" else ""
    fast, slow = _isoparse(text), dateparser.isoparse(text)
    assert (fast, fast.utcoffset(), fast.isoformat()) == (slow, slow.utcoffset(), slow.isoformat())


def test_midnight_written_as_24_00_is_read_as_dateutil_reads_it() -> None:
    from socialpub.content.isotime import isoparse as _isoparse

    assert _isoparse("2026-12-01T24:00") == datetime(2026, 12, 2, 0, 0)
