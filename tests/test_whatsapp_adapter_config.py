"""The whatsapp channel's publishing settings in socialpub.yaml: every wrong value is a
problem with file, line and field, and a good block reads into WhatsAppSettings."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialpub.content.config import SecretRef, load_config
from socialpub.content.whatsappconfig import Template, read_whatsapp
from socialpub.errors import ConfigError

GOOD = """\
timezone: Europe/Berlin
channels:
  whatsapp:
    type: whatsapp
    service_url: https://whatsapp.landkreis.example/
    service_token: ${WHATSAPP_SERVICE_TOKEN}
    template: {name: kreis_nachrichten, language: de, parameters: [title, link]}
    price_per_message: 0.0613
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "socialpub.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_block_reads_into_settings(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    settings = read_whatsapp(config.channels["whatsapp"])
    assert settings.service_url == "https://whatsapp.landkreis.example"
    assert settings.service_token == SecretRef("WHATSAPP_SERVICE_TOKEN")
    assert settings.template == Template("kreis_nachrichten", "de", ("title", "link"))
    assert settings.price_per_message == 0.0613


def test_the_template_parameters_default_to_title_summary_link(tmp_path: Path) -> None:
    text = GOOD.replace(", parameters: [title, link]", "")
    settings = read_whatsapp(load_config(write(tmp_path, text)).channels["whatsapp"])
    assert settings.template.parameters == ("title", "summary", "link")


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("https://whatsapp", "http://whatsapp", 5, "service_url", "https://"),
        ("${WHATSAPP_SERVICE_TOKEN}", "abc123", 6, "service_token", "must not be written"),
        ("name: kreis_nachrichten", "name: Kreis Nachrichten", 7, "template.name", "name"),
        ("language: de", "language: deutsch", 7, "template.language", "language code"),
        ("[title, link]", "[title, teaser]", 7, "template.parameters", "'teaser'"),
        ("{name:", "{colour: red, name:", 7, "template.colour", "unknown template setting"),
        ("0.0613", "-1", 8, "price_per_message", "≥ 0"),
    ],
)
def test_each_wrong_value_is_reported_where_it_is(
    tmp_path: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD.replace(old, new)))
    [found] = [p for p in caught.value.problems if p.severity.value == "error"]
    assert (found.line, found.field) == (line, f"channels.whatsapp.{field}")
    assert says in found.message
    assert "abc123" not in f"{found.message} {found.hint}"  # a pasted token is never echoed


def test_a_missing_template_is_reported(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    template: {name: kreis_nachrichten, language: de, parameters: [title, link]}\n", ""
    )
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert [(p.code, p.field) for p in caught.value.problems] == [
        ("SP503", "channels.whatsapp.template")
    ]


def test_the_setting_checks_know_every_whatsapp_key() -> None:
    """settingrules names the keys itself, so that the rules load only when needed."""
    from socialpub.content import settingrules, whatsapprules

    assert settingrules._WHATSAPP_KEYS == whatsapprules.KEYS
