from __future__ import annotations

from pathlib import Path

import pytest

from socialpub.content.config import SecretRef, find_config, load_config
from socialpub.errors import ConfigError
from tests.conftest import Repo


def codes(exc: ConfigError) -> list[str]:
    return [p.code for p in exc.problems]


def test_loads_channels_timezone_and_folders(repo: Repo) -> None:
    config = load_config(repo.config)
    assert list(config.channels) == ["mastodon", "bluesky", "telegram", "website"]
    assert str(config.timezone) == "Europe/Berlin"
    assert config.posts_dir == repo.root.resolve() / "posts"
    assert config.channels["mastodon"].settings["token"] == SecretRef("MASTODON_TOKEN")
    assert config.channels["mastodon"].limit == 500
    assert config.channels["bluesky"].limit == 300


def test_two_channels_may_share_a_type_and_limit_can_be_raised(repo: Repo) -> None:
    repo.write_config(
        """\
        channels:
          allgemein: {type: mastodon, instance: https://a.example, token: "${A}"}
          karriere:
            {type: mastodon, instance: https://a.example, token: "${B}", max_characters: 1000}
        """
    )
    config = load_config(repo.config)
    assert config.channels["karriere"].limit == 1000
    assert config.channels["allgemein"].type == config.channels["karriere"].type


def test_unknown_keys_get_did_you_mean_with_line(repo: Repo) -> None:
    repo.write_config(
        """\
        timezon: Europe/Berlin
        channels:
          m:
            type: mastodon
            instance: https://a.example
            tokn: ${X}
        """
    )
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    problems = {p.field: p for p in info.value.problems}
    assert problems["timezon"].line == 1
    assert "timezone" in problems["timezon"].hint
    assert problems["channels.m.tokn"].line == 6
    assert "token" in problems["channels.m.tokn"].hint


def test_literal_secret_is_an_error_and_never_echoed(repo: Repo) -> None:
    secret = "ghp_SuperSecretValue123"
    repo.write_config(
        f"""\
        channels:
          m: {{type: mastodon, instance: https://a.example, token: {secret}}}
        """
    )
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    assert codes(info.value) == ["SP504"]
    everything = str(info.value) + repr(info.value.problems)
    assert secret not in everything


def test_missing_env_is_reported_only_on_resolve() -> None:
    ref = SecretRef("MASTODON_TOKEN")
    with pytest.raises(ConfigError, match="MASTODON_TOKEN is not set"):
        ref.resolve({}, "mastodon")
    assert ref.resolve({"MASTODON_TOKEN": "abc"}, "mastodon") == "abc"
    assert "abc" not in repr(ref) and str(ref) == "${MASTODON_TOKEN}"


@pytest.mark.parametrize(
    ("snippet", "code"),
    [
        ("channels:\n  m: {type: mastodn}\n", "SP505"),
        ("channels:\n  m: {instance: https://a}\n", "SP503"),
        ("channels:\n  m: {type: mastodon, token: '${T}'}\n", "SP503"),
        ("timezone: Mars/Olympus\nchannels: {w: {type: website}}\n", "SP506"),
        ("lang: 12\nchannels: {w: {type: website}}\n", "SP506"),
        ("channels:\n  t: {type: telegram, chat: kreis, token: '${T}'}\n", "SP506"),
        ("channels:\n  m: {type: mastodon, instance: ftp://x, token: '${T}'}\n", "SP506"),
        ("channels: [a, b]\n", "SP506"),
        ("{}\n", "SP503"),
        ("- a\n", "SP501"),
        ("channels: {\n", "SP501"),
    ],
)
def test_config_problems(repo: Repo, snippet: str, code: str) -> None:
    repo.config.write_text(snippet, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    assert code in codes(info.value)
    assert all(p.file == str(repo.config) for p in info.value.problems)


def test_unknown_type_suggests_the_right_one(repo: Repo) -> None:
    repo.config.write_text("channels:\n  m: {type: mastodn}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    assert "mastodon" in info.value.problems[0].hint


def test_find_config_order(repo: Repo, tmp_path: Path) -> None:
    nested = repo.root / "posts" / "2026"
    nested.mkdir(parents=True)
    assert find_config(None, {}, nested) == repo.config
    other = tmp_path / "other.yaml"
    other.write_text("channels: {w: {type: website}}\n")
    assert find_config(None, {"SOCIALPUB_CONFIG": str(other)}, nested) == other
    assert find_config(str(repo.config), {"SOCIALPUB_CONFIG": str(other)}, nested) == repo.config
    with pytest.raises(ConfigError, match="not found"):
        find_config(str(tmp_path / "missing.yaml"), {}, nested)
    with pytest.raises(ConfigError, match="socialpub init"):
        find_config(None, {}, tmp_path)


def test_bom_and_crlf_config_is_read(repo: Repo) -> None:
    repo.config.write_bytes(b"\xef\xbb\xbfchannels:\r\n  w:\r\n    type: website\r\n")
    assert list(load_config(repo.config).channels) == ["w"]


def test_non_utf8_config_names_position(repo: Repo) -> None:
    repo.config.write_bytes(b"channels:\n  w: {type: website, title: Stra\xdfe}\n")
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    assert info.value.problems[0].code == "SP001"
    assert info.value.problems[0].line == 2


def test_thread_numbering_must_be_a_flag(repo: Repo) -> None:
    repo.config.write_text("channels:\n  w: {type: website, thread_numbering: nein}\n")
    with pytest.raises(ConfigError) as info:
        load_config(repo.config)
    assert codes(info.value) == ["SP506"]


def test_every_channel_type_counts_with_a_known_rule() -> None:
    from socialpub.render.counting import PLATFORMS
    from socialpub.specs import CHANNEL_TYPES, spec

    for channel_type in CHANNEL_TYPES:
        caps = spec(channel_type).capabilities
        assert caps.counter in (*PLATFORMS, "none"), channel_type
        assert caps.max_length >= 0 and caps.unit
