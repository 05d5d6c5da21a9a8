"""The config's `etiquette:` block: what it reads, and a clear problem for everything wrong in
it (file, line, field, did-you-mean), never a traceback."""

from __future__ import annotations

import re
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from socialpub.content.config import load_config
from socialpub.content.etiquetteconfig import DEFAULT_SHORTENERS, ForbiddenWord
from socialpub.errors import ConfigError
from socialpub.models import Problem, Severity
from tests.conftest import BASE_CONFIG, PROJECT, Repo

BERLIN = ZoneInfo("Europe/Berlin")


def configure(repo: Repo, block: str) -> Path:
    return repo.write_config(
        BASE_CONFIG + "etiquette:\n" + textwrap.indent(textwrap.dedent(block), "  ")
    )


def problems_of(repo: Repo, block: str) -> list[Problem]:
    configure(repo, block)
    with pytest.raises(ConfigError) as caught:
        load_config(repo.config)
    return list(caught.value.problems)


def only(repo: Repo, block: str) -> Problem:
    [problem] = problems_of(repo, block)
    assert problem.file == str(repo.config)
    return problem


#: the line `etiquette:` is on, in configs written by `configure`
ETIQUETTE_LINE = BASE_CONFIG.count("\n") + 1


def test_without_the_block_there_is_no_etiquette(repo: Repo) -> None:
    assert load_config(repo.config).etiquette is None


def test_the_rules_and_their_settings_are_read(repo: Repo) -> None:
    configure(
        repo,
        """\
        forbidden_words:
          severity: warning
          words: [Asylant, {word: Sondermüll, hint: Sonderabfall}]
        signoff:
          default: Ihr Landkreis
          folders: {./posts/strassenbau/: Ihr Fachbereich Straßenbau}
        max_hashtags:
        max_emojis: {max: 0, severity: error}
        link_shorteners: {hosts: [Kurz.Link], severity: off}
        shouting: {allow: [Leader]}
        """,
    )
    etiquette = load_config(repo.config).etiquette
    assert etiquette is not None
    words = etiquette.rules["forbidden_words"]
    assert words.severity is Severity.WARNING
    assert words.settings["words"] == (
        ForbiddenWord("Asylant"),
        ForbiddenWord("Sondermüll", "Sonderabfall"),
    )
    signoff = etiquette.rules["signoff"].settings
    assert signoff == {
        "default": "Ihr Landkreis",
        "folders": {"posts/strassenbau": "Ihr Fachbereich Straßenbau"},
    }
    assert etiquette.rules["max_hashtags"].settings == {"max": 3}  # named alone: the defaults
    assert etiquette.rules["max_hashtags"].severity is Severity.WARNING  # the code's default
    assert etiquette.rules["max_emojis"].settings == {"max": 0}
    assert etiquette.rules["max_emojis"].severity is Severity.ERROR
    assert etiquette.active("link_shorteners") is None and etiquette.configured("link_shorteners")
    assert etiquette.rules["link_shorteners"].settings["hosts"] == DEFAULT_SHORTENERS | {
        "kurz.link"
    }
    assert "LEADER" in etiquette.rules["shouting"].settings["allow"]
    assert etiquette.active("hashtag_case") is None and not etiquette.configured("hashtag_case")


def test_an_unknown_rule_gets_a_did_you_mean(repo: Repo) -> None:
    problem = only(repo, "max_hashtag: {max: 3}\n")
    assert (problem.code, problem.line, problem.field) == (
        "SP502",
        ETIQUETTE_LINE + 1,
        "etiquette.max_hashtag",
    )
    assert problem.message == "unknown rule 'max_hashtag'"
    assert problem.hint == "did you mean 'max_hashtags'?"


def test_an_unknown_setting_gets_a_did_you_mean(repo: Repo) -> None:
    problem = only(repo, "shouting:\n  max_word: 2\n")
    assert (problem.code, problem.line, problem.field) == (
        "SP502",
        ETIQUETTE_LINE + 2,
        "etiquette.shouting.max_word",
    )
    assert problem.hint == "did you mean 'max_words'?"


@pytest.mark.parametrize(
    ("block", "field", "message"),
    [
        ("[max_hashtags]\n", "etiquette", "etiquette must be a mapping"),
        (
            "max_hashtags: 3\n",
            "etiquette.max_hashtags",
            "etiquette.max_hashtags must be a mapping of settings",
        ),
        (
            "max_hashtags: {severity: fatal}\n",
            "etiquette.max_hashtags.severity",
            "severity must be error, warning or off, not 'fatal'",
        ),
        (
            "max_hashtags: {max: -1}\n",
            "etiquette.max_hashtags.max",
            "max must be a whole number ≥ 0",
        ),
        ("max_emojis: {max: drei}\n", "etiquette.max_emojis.max", "max must be a whole number ≥ 0"),
        (
            "hashtag_case: {max_lower: 0}\n",
            "etiquette.hashtag_case.max_lower",
            "max_lower must be a whole number ≥ 1",
        ),
        (
            "shouting: {min_letters: true}\n",
            "etiquette.shouting.min_letters",
            "min_letters must be a whole number ≥ 1",
        ),
        (
            "shouting: {allow: {DRK: 1}}\n",
            "etiquette.shouting.allow",
            "etiquette.shouting.allow must be a list of texts",
        ),
        (
            "link_shorteners: {hosts: ['']}\n",
            "etiquette.link_shorteners.hosts",
            "etiquette.link_shorteners.hosts must be a non-empty text",
        ),
        (
            "forbidden_words: {words: Asylant}\n",
            "etiquette.forbidden_words.words",
            "etiquette.forbidden_words.words must be a list of words",
        ),
        (
            "forbidden_words: {words: [{hint: x}]}\n",
            "etiquette.forbidden_words.words.word",
            "etiquette.forbidden_words.words.word must be a non-empty text",
        ),
        (
            "forbidden_words: {words: [{word: x, hint: 3}]}\n",
            "etiquette.forbidden_words.words.hint",
            "hint must be a text",
        ),
        (
            "signoff: {default: 3}\n",
            "etiquette.signoff.default",
            "etiquette.signoff.default must be a non-empty text",
        ),
        (
            "signoff: {folders: [posts/a]}\n",
            "etiquette.signoff.folders",
            "etiquette.signoff.folders must be a mapping of folders to lines",
        ),
        (
            "signoff: {folders: {strassenbau: Ihr Amt}}\n",
            "etiquette.signoff.folders.strassenbau",
            "'strassenbau' is not inside posts/",
        ),
    ],
)
def test_wrong_values_are_named_with_their_field(
    repo: Repo, block: str, field: str, message: str
) -> None:
    problem = only(repo, block)
    assert (problem.code, problem.field, problem.message) == ("SP506", field, message)
    assert problem.line > ETIQUETTE_LINE - 1


def test_a_misspelt_severity_gets_a_did_you_mean(repo: Repo) -> None:
    assert only(repo, "max_hashtags: {severity: warn}\n").hint == "did you mean 'warning'?"


def test_a_word_entry_with_an_unknown_key(repo: Repo) -> None:
    problem = only(repo, "forbidden_words:\n  words:\n    - {word: x, hnit: y}\n")
    assert (problem.code, problem.hint) == ("SP502", "did you mean 'hint'?")


def test_every_problem_of_the_block_is_reported(repo: Repo) -> None:
    problems = problems_of(repo, "max_hashtag: {}\nshouting: {max_words: x}\nsignoff: 1\n")
    assert [p.code for p in problems] == ["SP502", "SP506", "SP506"]


# --- neutrality periods ----------------------------------------------------------------------


def test_periods_are_read_in_the_config_timezone(repo: Repo) -> None:
    configure(
        repo,
        """\
        neutrality:
          - {from: 2027-02-14, to: 2027-03-14, tags: [Politik, "#Wahl"], reason: Kommunalwahl}
          - {from: "2027-05-01T08:00", to: "2027-05-02T18:00+00:00", tags: wahl, reason: Stichwahl}
        """,
    )
    etiquette = load_config(repo.config).etiquette
    assert etiquette is not None
    first, second = etiquette.neutrality
    assert first.start == datetime(2027, 2, 14, tzinfo=BERLIN)
    assert first.end == datetime(2027, 3, 15, tzinfo=BERLIN)  # the `to` day counts whole
    assert first.tags == frozenset({"politik", "wahl"})
    assert first.span == "14.02.2027–14.03.2027"
    assert second.start == datetime(2027, 5, 1, 8, tzinfo=BERLIN)
    assert second.end == datetime(2027, 5, 2, 20, tzinfo=BERLIN)  # 18:00 UTC
    assert second.tags == frozenset({"wahl"}) and second.reason == "Stichwahl"


@pytest.mark.parametrize(
    ("period", "code", "field", "message"),
    [
        (
            "{to: 2027-03-14, tags: [p], reason: r}",
            "SP503",
            "from",
            "a neutrality period needs 'from'",
        ),
        (
            "{from: 2027-02-14, to: 2027-03-14, tags: [p]}",
            "SP503",
            "reason",
            "a neutrality period needs 'reason'",
        ),
        (
            "{from: 14.02.2027, to: 2027-03-14, tags: [p], reason: r}",
            "SP506",
            "from",
            "from must be a date like 2027-03-14",
        ),
        (
            "{from: 2027-03-14, to: 2027-02-14, tags: [p], reason: r}",
            "SP506",
            "to",
            "to must be after from",
        ),
        (
            "{from: 2027-02-14, to: 2027-03-14, tags: [], reason: r}",
            "SP506",
            "tags",
            "tags must be a list of tags",
        ),
        (
            "{from: 2027-02-14, to: 2027-03-14, tags: [p], reason: ''}",
            "SP506",
            "reason",
            "reason must be a text",
        ),
        (
            "{from: 2027-02-14, to: 2027-03-14, tags: [p], reason: r, bis: 1}",
            "SP502",
            "bis",
            "unknown setting 'bis'",
        ),
        ("Kommunalwahl", "SP506", "", "a neutrality period must be a mapping"),
    ],
)
def test_wrong_periods(repo: Repo, period: str, code: str, field: str, message: str) -> None:
    problem = only(repo, f"neutrality:\n  - {period}\n")
    assert (problem.code, problem.field, problem.message) == (
        code,
        f"etiquette.neutrality[0].{field}".rstrip("."),
        message,
    )
    assert problem.line == ETIQUETTE_LINE + 2


def test_neutrality_must_be_a_list(repo: Repo) -> None:
    problem = only(repo, "neutrality: {from: 2027-02-14}\n")
    assert (problem.field, problem.message) == (
        "etiquette.neutrality",
        "etiquette.neutrality must be a list of periods",
    )


# --- the example config ----------------------------------------------------------------------


def test_the_example_configs_etiquette_block_loads_when_uncommented(tmp_path: Path) -> None:
    text = (PROJECT / "config.example.yaml").read_text(encoding="utf-8")
    start = text.index("# etiquette:")
    block = [line for line in text[start:].splitlines() if line.startswith("#")]
    uncommented = "\n".join(re.sub(r"^# ?", "", line) for line in block)
    path = tmp_path / "socialpub.yaml"
    path.write_text(text[:start] + uncommented + "\n", encoding="utf-8")
    etiquette = load_config(path).etiquette
    assert etiquette is not None
    assert set(etiquette.rules) == {
        "forbidden_words",
        "signoff",
        "max_hashtags",
        "max_emojis",
        "hashtag_case",
        "link_shorteners",
        "shouting",
    }
    assert [p.reason for p in etiquette.neutrality] == ["Kommunalwahl 14.03.2027"]
