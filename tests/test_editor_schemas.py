"""The JSON Schemas in schemas/: what the generator builds now (refresh them with
`make schemas`), valid draft 2020-12, passed by every example and refused for the mistakes
the validator refuses too — the schema and the validator read the same rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from socialpub.content import editorschema, yamlsafe
from socialpub.content.config import load_config
from socialpub.content.posts import load_post
from socialpub.content.scaffold import STARTER_CONFIG, STARTER_POST
from socialpub.content.settingrules import RULES
from socialpub.errors import ConfigError
from tests.conftest import PROJECT

SCHEMAS = PROJECT / "schemas"
POSTS = sorted(p for p in (PROJECT / "posts").rglob("*") if p.suffix in (".md", ".yaml"))
BERLIN = ZoneInfo("Europe/Berlin")


def schema(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def plain(text: str) -> Any:
    """YAML read as socialpub reads it (dates stay text), as plain JSON data."""
    return json.loads(json.dumps(yamlsafe.load(text)))


def front_matter(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".yaml":
        return text
    lines = text.split("\n")
    return "\n".join(lines[1 : lines.index("---", 1)])


def schema_errors(name: str, data: Any) -> list[str]:
    """What the schema finds wrong with `data`. The YAML language server (VS Code's YAML
    extension) validates with draft 7 only: the schemas use no keyword whose meaning differs,
    so a draft 7 validator must find the same."""
    errors = list(jsonschema.Draft202012Validator(schema(name)).iter_errors(data))
    seven = list(jsonschema.Draft7Validator(schema(name)).iter_errors(data))
    assert bool(errors) == bool(seven), (errors, seven)
    return [f"{list(e.absolute_path)}: {e.message}" for e in errors]


@pytest.mark.parametrize("name", sorted(editorschema.FILES))
def test_the_committed_schemas_are_what_the_generator_builds(name: str) -> None:
    committed = (SCHEMAS / name).read_text(encoding="utf-8")
    assert committed == editorschema.text(editorschema.schemas()[name]), "run `make schemas`"
    jsonschema.Draft202012Validator.check_schema(json.loads(committed))


def test_every_example_post_and_the_starter_post_pass() -> None:
    assert len(POSTS) >= 5
    for path in POSTS:
        assert schema_errors("post.schema.json", plain(front_matter(path))) == [], path
    starter = STARTER_POST.split("---\n")[1]
    assert schema_errors("post.schema.json", plain(starter)) == []


def test_the_example_config_and_the_starter_config_pass() -> None:
    for text in ((PROJECT / "config.example.yaml").read_text(encoding="utf-8"), STARTER_CONFIG):
        assert schema_errors("config.schema.json", plain(text)) == []


POST = "id: b27\ntitle: Sperrung\n"
#: front matter the validator refuses (its code) and the schema refuses too
BAD_POSTS = {
    "unknown key": (POST + "titel: x\n", "SP102"),
    "no title": ("id: b27\n", "SP101"),
    "id not a slug": ("id: B 27\ntitle: x\n", "SP104"),
    "unknown status": (POST + "status: aproved\n", "SP106"),
    "lang": (POST + "lang: deutsch!\n", "SP111"),
    "http link": (POST + "link: http://kreis.example/a\n", "SP110"),
    "thread not a flag": (POST + "thread: ja\n", "SP103"),
    "media entry without file": (POST + "media:\n  - alt: Karte\n", "SP101"),
    "unknown media key": (POST + "media:\n  - file: a.png\n    titel: x\n", "SP102"),
    "unknown override key": (POST + "overrides:\n  mastodon:\n    txt: x\n", "SP102"),
    "channels not names": (POST + "channels: {a: 1}\n", "SP103"),
}


@pytest.mark.parametrize("case", sorted(BAD_POSTS))
def test_a_post_the_validator_refuses_the_schema_refuses(case: str) -> None:
    meta, code = BAD_POSTS[case]
    data = f"---\n{meta}---\nText\n".encode()
    loaded = load_post(Path("posts/a.md"), data, timezone=BERLIN, default_lang="de")
    assert code in {p.code for p in loaded.problems}
    assert schema_errors("post.schema.json", plain(meta)), case


def test_a_post_both_accept() -> None:
    meta = POST + "status: approved\ntags: [Verkehr, 2026]\nmedia: [a.png]\nurgent: true\n"
    loaded = load_post(
        Path("posts/a.md"), f"---\n{meta}---\nText\n".encode(), timezone=BERLIN, default_lang="de"
    )
    assert loaded.problems == ()
    assert schema_errors("post.schema.json", plain(meta)) == []


CHANNEL = "channels:\n  mastodon:\n    type: mastodon\n    instance: https://social.example\n"
BAD_CONFIGS = {
    "unknown top key": ("timezon: Europe/Berlin\n" + CHANNEL + "    token: ${T}\n"),
    "unknown channel type": ("channels:\n  m:\n    type: mastodn\n"),
    "unknown setting": (CHANNEL + "    token: ${T}\n    tokn: ${T}\n"),
    "secret written in": (CHANNEL + "    token: abc123\n"),
    "required setting missing": ("channels:\n  m:\n    type: mastodon\n    token: ${T}\n"),
    "bad visibility": (CHANNEL + "    token: ${T}\n    visibility: everyone\n"),
    "channel name": ("channels:\n  Mein Kanal:\n    type: website\n"),
    "unknown workflow key": (CHANNEL + "    token: ${T}\nworkflow:\n  press: {}\n"),
    "unknown publish key": (CHANNEL + "    token: ${T}\npublish:\n  retrys: 3\n"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_a_config_the_validator_refuses_the_schema_refuses(case: str, tmp_path: Path) -> None:
    text = BAD_CONFIGS[case]
    path = tmp_path / "socialpub.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)
    assert schema_errors("config.schema.json", plain(text)), case


SAMPLES: list[Any] = [True, False, 0, 1, 500, -3, 1.5, "", "x", "@kreis", "https://a.example",
                      "http://a", "native", "wait", "public", "direct", None, [], {}]  # fmt: skip


@pytest.mark.parametrize("key", sorted(RULES))
def test_each_setting_rule_and_its_schema_agree(key: str) -> None:
    rule = RULES[key]
    check = jsonschema.Draft202012Validator(dict(rule.schema))
    for value in SAMPLES:
        assert rule.valid(value) == check.is_valid(value), (key, value)
