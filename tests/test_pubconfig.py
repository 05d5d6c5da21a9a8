"""The config's network knobs: rate strings, the `publish:` block, per-channel pacing."""

from __future__ import annotations

import pytest

from socialpub.content.config import load_config
from socialpub.content.pubconfig import PublishSettings, Rate, parse_rate
from socialpub.errors import ConfigError
from socialpub.models import Problem
from tests.conftest import BASE_CONFIG, Repo

# --- parse_rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "requests", "seconds"),
    [
        ("300/5min", 300, 300.0),
        ("20/min", 20, 60.0),
        ("20/s", 20, 1.0),
        ("1500/h", 1500, 3600.0),
        ("30/ 2 s", 30, 2.0),
        (" 10 / 15 minutes ", 10, 900.0),
        ("5/sec", 5, 1.0),
        ("100/2hours", 100, 7200.0),
    ],
)
def test_parse_rate_reads_counts_per_period(text: str, requests: int, seconds: float) -> None:
    rate = parse_rate(text)
    assert rate == Rate(requests, seconds)
    assert rate.per_second == pytest.approx(requests / seconds)


@pytest.mark.parametrize(
    "text",
    ["abc", "0/s", "5/week", 5, None, "", "20", "/s", "-5/s", "2.5/s", "20/0min", "20/min/h"],
)
def test_parse_rate_refuses_what_is_not_a_usable_rate(text: object) -> None:
    assert parse_rate(text) is None


# --- the publish: block ----------------------------------------------------------------------


def config_with(repo: Repo, extra: str) -> str:
    return str(repo.write_config(BASE_CONFIG + extra))


def problems_of(repo: Repo) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    return list(info.value.problems)


def test_without_a_publish_block_the_defaults_apply(repo: Repo) -> None:
    assert load_config(repo.config).publish == PublishSettings()
    defaults = PublishSettings()
    assert (defaults.concurrency, defaults.timeout, defaults.retries) == (4, 30.0, 4)
    assert (defaults.backoff, defaults.max_rate_wait, defaults.lock_wait) == (0.5, 300.0, 10.0)


def test_an_empty_publish_block_keeps_the_defaults(repo: Repo) -> None:
    config_with(repo, "publish:\n")
    assert load_config(repo.config).publish == PublishSettings()


def test_valid_publish_values_are_taken(repo: Repo) -> None:
    config_with(
        repo,
        "publish:\n  concurrency: 8\n  timeout: 12.5\n  retries: 2\n  backoff: 0.25\n"
        "  max_rate_wait: 60\n  lock_wait: 1\n",
    )
    assert load_config(repo.config).publish == PublishSettings(
        concurrency=8, timeout=12.5, retries=2, backoff=0.25, max_rate_wait=60, lock_wait=1
    )


def test_an_unknown_publish_key_suggests_the_right_one(repo: Repo) -> None:
    config_with(repo, "publish:\n  timout: 10\n")
    (found,) = problems_of(repo)
    assert found.code == "SP502" and found.field == "publish.timout"
    assert found.line == BASE_CONFIG.count("\n") + 2
    assert "did you mean 'timeout'?" in found.hint


def test_an_unknown_key_far_from_any_lists_what_publish_takes(repo: Repo) -> None:
    config_with(repo, "publish:\n  colour: blue\n")
    (found,) = problems_of(repo)
    assert found.hint.startswith("publish takes: concurrency, timeout")


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("timeout", '"30"', "a number"),
        ("timeout", "-1", "a number"),
        ("timeout", "0", "a number"),
        ("timeout", "true", "a number"),
        ("backoff", "[1]", "a number"),
        ("concurrency", "2.5", "a whole number"),
        ("concurrency", "false", "a whole number"),
        ("retries", "-3", "a whole number"),
        ("retries", "four", "a whole number"),
    ],
)
def test_wrong_publish_values_name_file_line_and_key(
    repo: Repo, key: str, value: str, kind: str
) -> None:
    config_with(repo, f"publish:\n  lock_wait: 5\n  {key}: {value}\n")
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    line = BASE_CONFIG.count("\n") + 3
    assert info.value.message == f"{repo.config}:{line}: publish.{key} must be {kind} > 0"
    (found,) = info.value.problems
    assert (found.code, found.field, found.line) == ("SP506", f"publish.{key}", line)


def test_publish_must_be_a_mapping(repo: Repo) -> None:
    config_with(repo, "publish: fast\n")
    (found,) = problems_of(repo)
    assert (found.code, found.field) == ("SP506", "publish")
    assert found.message == "publish must be a mapping"


def test_every_wrong_publish_value_is_reported_at_once(repo: Repo) -> None:
    config_with(repo, "publish:\n  timeout: x\n  retries: 0\n  lock_wiat: 3\n")
    assert [p.field for p in problems_of(repo)] == [
        "publish.timeout",
        "publish.retries",
        "publish.lock_wiat",
    ]


# --- per-channel rate_limit and concurrency --------------------------------------------------

CHANNEL = """\
channels:
  masto:
    type: mastodon
    instance: https://social.example
    token: ${{T}}
    {setting}
"""


def channel_with(repo: Repo, setting: str) -> None:
    repo.write_config(CHANNEL.format(setting=setting))


def test_a_channel_takes_rate_limit_and_concurrency(repo: Repo) -> None:
    channel_with(repo, "rate_limit: 300/5min\n    concurrency: 3")
    masto = load_config(repo.config).channels["masto"]
    assert masto.rate_limit == Rate(300, 300.0)
    assert masto.concurrency == 3


def test_a_channel_without_them_has_no_rate_and_one_lane(repo: Repo) -> None:
    channel_with(repo, "visibility: public")
    masto = load_config(repo.config).channels["masto"]
    assert masto.rate_limit is None and masto.concurrency == 1


@pytest.mark.parametrize("value", ["fast", "0/s", "300/5 weeks", "300", "20/0s", "12"])
def test_a_bad_rate_limit_says_what_a_rate_looks_like(repo: Repo, value: str) -> None:
    channel_with(repo, f"rate_limit: {value}")
    (found,) = problems_of(repo)
    assert (found.code, found.field, found.line) == ("SP506", "channels.masto.rate_limit", 6)
    assert "300/5min" in found.message and "rate_limit" in found.message


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "true", "many", '"2"'])
def test_a_bad_concurrency_is_refused(repo: Repo, value: str) -> None:
    channel_with(repo, f"concurrency: {value}")
    (found,) = problems_of(repo)
    assert (found.code, found.field, found.line) == ("SP506", "channels.masto.concurrency", 6)
    assert found.message == "concurrency must be a whole number > 0"


def test_a_misspelt_channel_setting_suggests_rate_limit(repo: Repo) -> None:
    channel_with(repo, "ratelimit: 20/min")
    (found,) = problems_of(repo)
    assert found.code == "SP502" and "rate_limit" in found.hint
