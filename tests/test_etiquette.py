"""The etiquette rules of `validate` (SP601–SP607): each with a post that breaks it and one
that keeps it, their severities, lines, and what templates and overrides add."""

from __future__ import annotations

import textwrap
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from socialpub.checks.report import Report
from socialpub.checks.validate import validate
from socialpub.content.config import load_config
from socialpub.models import Problem, Severity
from tests.conftest import BASE_CONFIG, Repo

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
ETIQUETTE = frozenset(f"SP60{n}" for n in range(1, 8))


def configure(repo: Repo, block: str) -> None:
    repo.write_config(BASE_CONFIG + "etiquette:\n" + textwrap.indent(textwrap.dedent(block), "  "))


def write(repo: Repo, body: str, front: str = "channels: [mastodon]", name: str = "a.md") -> None:
    repo.post(name, f"---\nid: {name[:-3].replace('/', '-')}\ntitle: T\n{front}\n---\n{body}\n")


def run(repo: Repo, *, cache: bool = False) -> Report:
    return validate([], load_config(repo.config), now=NOW, use_cache=cache)


def found(repo: Repo, code: str, *, cache: bool = False) -> list[Problem]:
    return [p for p in run(repo, cache=cache).problems if p.code == code]


def test_without_an_etiquette_block_no_etiquette_rule_runs(repo: Repo) -> None:
    write(repo, "ACHTUNG WICHTIGE MELDUNG: bit.ly/abc 🎉🎉🎉🎉 #a #b #c #d #e")
    assert not {p.code for p in run(repo).problems} & ETIQUETTE


def test_only_the_rules_named_run(repo: Repo) -> None:
    configure(repo, "max_hashtags: {max: 1}\n")
    write(repo, "ACHTUNG WICHTIGE MELDUNG: bit.ly/abc #Eins #Zwei")
    assert {p.code for p in run(repo).problems} & ETIQUETTE == {"SP603"}


# --- forbidden words -------------------------------------------------------------------------

WORDS = """\
forbidden_words:
  words:
    - Asylant
    - {word: Sondermüll, hint: "schreiben Sie: Sonderabfall"}
    - gelber Sack
"""


def test_a_forbidden_word_is_found_with_its_line_and_hint(repo: Repo) -> None:
    configure(repo, WORDS)
    write(repo, "Erste Zeile.\nDer SONDERMÜLL wird abgeholt.")
    [problem] = found(repo, "SP601")
    assert (problem.file, problem.line, problem.field) == ("posts/a.md", 7, "body")
    assert "„SONDERMÜLL“" in problem.message
    assert problem.hint == "schreiben Sie: Sonderabfall"
    assert problem.severity is Severity.ERROR


def test_forbidden_words_are_whole_words_and_phrases_across_spaces(repo: Repo) -> None:
    configure(repo, WORDS)
    write(repo, "Der Asylantrag und der Sondermüllofen sind keine Treffer.")
    assert found(repo, "SP601") == []
    write(repo, "Der gelber\n  Sack und #Asylant.")
    shown = sorted(p.message.split("“")[0] for p in found(repo, "SP601"))
    assert shown == ["„Asylant", "„gelber\n  Sack"]  # once: as written in the file


def test_a_forbidden_word_in_the_title_points_at_the_title(repo: Repo) -> None:
    configure(repo, WORDS)
    repo.post("a.md", "---\nid: a\ntitle: Zum Asylant\nchannels: [mastodon]\n---\nText.\n")
    [problem] = found(repo, "SP601")
    assert (problem.line, problem.field) == (3, "title")
    assert "rephrase" in problem.hint  # a word without its own hint


def test_a_forbidden_word_only_in_an_override_names_the_channel(repo: Repo) -> None:
    configure(repo, WORDS)
    front = "channels: [mastodon, telegram]\noverrides:\n  telegram:\n    text: Zum Asylant."
    write(repo, "Sauberer Text.", front)
    [problem] = found(repo, "SP601")
    assert (problem.line, problem.field) == (6, "overrides.telegram.text")  # the override's line
    assert "(in the text for telegram)" in problem.message


# --- severities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("error", Severity.ERROR), ("warning", Severity.WARNING), ("off", None)],
)
def test_each_rule_takes_its_severity(repo: Repo, severity: str, expected: Severity | None) -> None:
    configure(repo, f"link_shorteners: {{severity: {severity}}}\n")
    write(repo, "Mehr unter https://bit.ly/abc")
    problems = found(repo, "SP606")
    assert [p.severity for p in problems] == ([expected] if expected else [])


def test_an_error_of_the_etiquette_fails_validation_a_warning_does_not(repo: Repo) -> None:
    configure(repo, "link_shorteners: {severity: warning}\n")
    write(repo, "Mehr unter https://bit.ly/abc")
    assert run(repo).errors == 0
    configure(repo, "link_shorteners: {}\n")  # the default: error
    assert run(repo).errors == 1


# --- link shorteners ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["https://bit.ly/3xYz", "bit.ly/3xYz", "http://www.tinyurl.com/abc", "s.id/kreis", "t.co/x"],
)
def test_shortened_links_are_found(repo: Repo, text: str) -> None:
    configure(repo, "link_shorteners: {}\n")
    write(repo, f"Anmeldung: {text}")
    [problem] = found(repo, "SP606")
    assert text in problem.message
    assert "full address" in problem.hint


def test_full_addresses_and_lookalikes_are_fine(repo: Repo) -> None:
    configure(repo, "link_shorteners: {}\n")
    write(repo, "https://www.landkreis.example/bit.ly und https://notbit.ly.example/x")
    assert found(repo, "SP606") == []


def test_more_shortener_hosts_and_the_link_field(repo: Repo) -> None:
    configure(repo, "link_shorteners: {hosts: [Kurz.Link]}\n")
    write(repo, "Text.", "channels: [mastodon]\nlink: https://kurz.link/abc")
    [problem] = found(repo, "SP606")
    assert (problem.line, problem.field) == (5, "link")


# --- hashtags --------------------------------------------------------------------------------


def test_too_many_hashtags_counts_tags_and_text(repo: Repo) -> None:
    configure(repo, "max_hashtags: {max: 3}\n")
    write(repo, "Text #Drei #Vier", "channels: [mastodon]\ntags: [Eins, Zwei]")
    [problem] = found(repo, "SP603")
    assert problem.line == 5 and problem.field == "tags"
    assert problem.message.startswith("4 hashtags on mastodon (#Drei #Vier #Eins #Zwei)")
    assert problem.severity is Severity.WARNING


def test_hashtags_within_the_limit_are_fine(repo: Repo) -> None:
    configure(repo, "max_hashtags: {max: 3}\n")
    write(repo, "Text #Drei", "channels: [mastodon]\ntags: [Eins, Zwei]")
    assert found(repo, "SP603") == []


def test_hashtags_a_template_adds_count(repo: Repo) -> None:
    configure(repo, "max_hashtags: {max: 1}\nhashtag_case: {}\n")
    (repo.root / "templates" / "mastodon.j2").write_text(
        "{{ body }} #Landkreis #landkreismusterstadtnews"
    )
    write(repo, "Text.", "channels: [mastodon, telegram]")
    [many] = found(repo, "SP603")
    assert many.message.startswith("2 hashtags on mastodon ")
    [case] = found(repo, "SP605")
    assert "#landkreismusterstadtnews" in case.message
    assert "(in the text for mastodon)" in case.message


@pytest.mark.parametrize(
    ("tag", "flagged"),
    [
        ("tagderoffenentür", True),  # 16 lower-case letters
        ("kreistagsitzung", False),  # 15: one word may be that long
        ("TagDerOffenenTür", False),
        ("FEUERWEHR", True),  # 9 capitals
        ("DLRG", False),
        ("B27sperrung", False),
    ],
)
def test_hashtag_case(repo: Repo, tag: str, flagged: bool) -> None:
    configure(repo, "hashtag_case: {}\n")
    write(repo, f"Text.\n\n#{tag}")
    problems = found(repo, "SP605")
    assert len(problems) == flagged
    if flagged:
        assert problems[0].line == 8 and f"#{tag}" in problems[0].message
        assert "#TagDerOffenenTür" in problems[0].hint


def test_hashtag_case_limits_are_settings(repo: Repo) -> None:
    configure(repo, "hashtag_case: {max_lower: 20, max_upper: 2}\n")
    write(repo, "#tagderoffenentür #DLRG")
    assert [p.message.split(":")[0] for p in found(repo, "SP605")] == ["#DLRG"]


def test_the_etiquette_replaces_the_built_in_style_warnings(repo: Repo) -> None:
    write(repo, "#landkreisnachrichten 🎉🎉🎉🎉🎉🎉")
    assert {"SP402", "SP403"} <= {p.code for p in run(repo).problems}
    configure(repo, "hashtag_case: {severity: off}\nmax_emojis: {max: 10}\n")
    assert not {"SP402", "SP403", "SP604", "SP605"} & {p.code for p in run(repo).problems}


# --- emoji -----------------------------------------------------------------------------------


def test_too_many_emoji_counts_graphemes(repo: Repo) -> None:
    configure(repo, "max_emojis: {max: 2}\n")
    write(repo, "Familie 👨‍👩‍👧 und Flagge 🇩🇪")  # two clusters of several code points
    assert found(repo, "SP604") == []
    write(repo, "Familie 👨‍👩‍👧 und Flagge 🇩🇪 👍🏽")
    [problem] = found(repo, "SP604")
    assert problem.message.startswith("3 emoji on mastodon (👨‍👩‍👧 🇩🇪 👍🏽)")
    assert problem.line == 6 and "screen readers" in problem.hint


def test_emoji_a_template_adds_count(repo: Repo) -> None:
    configure(repo, "max_emojis: {max: 1, severity: error}\n")
    (repo.root / "templates" / "telegram.j2").write_text("📢 {{ body }} 🎉")
    write(repo, "Text 🎈", "channels: [mastodon, telegram]")
    [problem] = found(repo, "SP604")
    assert problem.message.startswith("3 emoji on telegram ")
    assert problem.severity is Severity.ERROR


# --- shouting --------------------------------------------------------------------------------


def test_shouting(repo: Repo) -> None:
    configure(repo, "shouting: {}\n")
    write(repo, "Heute.\nACHTUNG: die STRAßE ist GESPERRT.")
    [problem] = found(repo, "SP607")
    assert problem.line == 7
    assert problem.message.startswith("3 words in capitals (ACHTUNG, STRAßE, GESPERRT)")


@pytest.mark.parametrize(
    "text",
    [
        "ACHTUNG: die Straße ist gesperrt.",  # one word in capitals is allowed by default
        "Der ÖPNV, das DRK und die B27 und die NATO-Übung.",  # up to 4 letters
        "UNESCO und UNICEF helfen.",  # the built-in allow list
        "#FEUERWEHR #KATASTROPHENSCHUTZ https://example.org/ABCDEF/GHIJKL",
    ],
)
def test_abbreviations_names_and_links_are_no_shouting(repo: Repo, text: str) -> None:
    configure(repo, "shouting: {}\n")
    write(repo, text)
    assert found(repo, "SP607") == []


def test_shouting_settings(repo: Repo) -> None:
    configure(repo, "shouting: {max_words: 0, min_letters: 3, allow: [Leader]}\n")
    write(repo, "Das LEADER-Programm und das DRK.")
    [problem] = found(repo, "SP607")
    assert "(DRK)" in problem.message
    assert "up to 2 letters" in problem.hint


# --- sign-off --------------------------------------------------------------------------------

SIGNOFF = """\
signoff:
  default: Ihr Landkreis Musterstadt
  folders:
    posts/strassenbau: Ihr Fachbereich Straßenbau
    posts/strassenbau/winter: Ihr Winterdienst
"""


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("a.md", "Ihr Landkreis Musterstadt"),
        ("strassenbau/b.md", "Ihr Fachbereich Straßenbau"),
        ("strassenbau/winter/c.md", "Ihr Winterdienst"),
    ],
)
def test_each_folder_has_its_sign_off(repo: Repo, name: str, line: str) -> None:
    configure(repo, SIGNOFF)
    write(repo, f"Text.\n\n*{line}*", "channels: [mastodon, telegram]", name=name)
    assert found(repo, "SP602") == []
    write(repo, "Text.\n\nIhr Amt", "channels: [mastodon, telegram]", name=name)
    [problem] = found(repo, "SP602")
    assert problem.line == 8  # the text's last line
    assert problem.message == f"the text lacks the sign-off „{line}“"
    assert line in problem.hint


def test_a_sign_off_missing_from_one_channel_names_it(repo: Repo) -> None:
    configure(repo, SIGNOFF)
    front = "channels: [mastodon, telegram]\noverrides:\n  telegram: {text: Kurz.}"
    write(repo, "Text.\nIhr Landkreis Musterstadt", front)
    [problem] = found(repo, "SP602")
    assert problem.message.startswith("the text for telegram lacks")


def test_a_template_may_add_the_sign_off(repo: Repo) -> None:
    configure(repo, SIGNOFF)
    (repo.root / "templates" / "mastodon.j2").write_text("{{ body }}\n\nIhr Landkreis Musterstadt")
    write(repo, "Text.")
    assert found(repo, "SP602") == []


def test_without_a_default_only_the_folders_need_a_sign_off(repo: Repo) -> None:
    configure(repo, "signoff:\n  folders: {posts/strassenbau: Ihr Fachbereich Straßenbau}\n")
    write(repo, "Text.")
    assert found(repo, "SP602") == []


# --- the cache -------------------------------------------------------------------------------


def test_a_changed_etiquette_checks_cached_posts_again(repo: Repo) -> None:
    write(repo, "Mehr unter https://bit.ly/abc")
    assert found(repo, "SP606", cache=True) == []
    configure(repo, "link_shorteners: {}\n")
    assert len(found(repo, "SP606", cache=True)) == 1
    configure(repo, "link_shorteners: {severity: warning}\n")
    [problem] = found(repo, "SP606", cache=True)
    assert problem.severity is Severity.WARNING


def test_the_websites_page_is_not_counted_as_a_post(repo: Repo) -> None:
    configure(repo, "max_emojis: {max: 1}\nmax_hashtags: {max: 1}\n")
    # the page shows the title twice (heading and link) and lists the tags
    front = "channels: [mastodon, website]\nlink: https://example.org/x\ntags: [Eins]"
    repo.post("a.md", f"---\nid: a\ntitle: Titel 🎉\n{front}\n---\nText 🎈\n")
    assert found(repo, "SP604") == [] and found(repo, "SP603") == []
    front = "channels: [website]\nlink: https://example.org/x\ntags: [Eins, Zwei]"
    repo.post("a.md", f"---\nid: a\ntitle: Titel 🎉\n{front}\n---\nText 🎈\n")
    [emoji] = found(repo, "SP604")  # a post for the website alone: its own text counts
    assert emoji.message.startswith("2 emoji (🎉 🎈)")
    [hashtags] = found(repo, "SP603")
    assert hashtags.message.startswith("2 hashtags (#Eins #Zwei)")


def test_lines_count_the_blank_lines_before_the_text(repo: Repo) -> None:
    configure(repo, WORDS)
    write(repo, "\n\nDer Sondermüll.")  # lines 6 and 7 are blank
    assert [p.line for p in found(repo, "SP601")] == [8]
    repo.post(
        "b.yaml", "id: b\ntitle: T\nchannels: [mastodon]\nbody: |\n  Eins.\n  Zwei Asylant.\n"
    )
    assert [(p.file, p.line) for p in found(repo, "SP601")] == [
        ("posts/a.md", 8),
        ("posts/b.yaml", 6),
    ]
