"""JSON Schemas (draft 2020-12) of a post's front matter and of the config, for editors.

Built from the validator's own rules, not copied from them: the keys each part takes
(posts.POST_KEYS, config.TOP_KEYS, the channel specs' settings, the sections' key lists), the
patterns (ids, language tags, links, channel names, `${ENV}` secrets), the enumerations
(status, channel types, source kinds, severities) and the value rules of schema.POST_VALUES
and settingrules.RULES. `make schemas` writes them to schemas/ at the repository root
(`python -m socialpub.content.editorschema schemas`); a test keeps the committed files equal
to what this builds. The schema helps while typing; `socialpub validate` stays the judge
(it also checks what a schema cannot: a date that parses, a media file that exists).
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from socialpub import specs
from socialpub.content import (
    config,
    corrections,
    etiquetteconfig,
    posts,
    pubconfig,
    sourceconfig,
    workflowconfig,
)
from socialpub.content import schema as post_schema
from socialpub.content.quietconfig import KEY as QUIET_HOURS
from socialpub.content.settingrules import RULES
from socialpub.i18n import LANGUAGES

DIALECT = "https://json-schema.org/draft/2020-12/schema"
FILES = {"post.schema.json": "post", "config.schema.json": "config"}
_ANY: dict[str, Any] = {}
_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}


def post() -> dict[str, Any]:
    """A post's front matter (a YAML post file: also its `body`)."""
    values = post_schema.POST_VALUES
    if set(values) != set(posts.POST_KEYS):
        missing = sorted(set(posts.POST_KEYS) ^ set(values))
        raise AssertionError(f"schema.POST_VALUES and posts.POST_KEYS differ in {missing}")
    properties = {key: values[key] for key in posts.POST_KEYS}
    properties["body"] = {"type": "string", "description": "the text (YAML post files only)"}
    return {
        "$schema": DIALECT,
        "title": "socialpub post",
        "description": "The front matter of a post (posts/*.md) or a YAML post (posts/*.yaml).",
        "type": "object",
        "properties": properties,
        "required": list(post_schema.REQUIRED_KEYS),
        "additionalProperties": False,
    }


def config_schema() -> dict[str, Any]:
    """socialpub.yaml."""
    properties: dict[str, Any] = {
        "timezone": {**_TEXT, "description": "an IANA time zone, e.g. Europe/Berlin"},
        "lang": {"type": "string", "pattern": post_schema.LANG_PATTERN.pattern},
        "ui_lang": {
            "enum": list(LANGUAGES),
            "description": "the language of socialpub's messages: de (German) or en (English)",
        },
        "posts_dir": _TEXT,
        "templates_dir": _TEXT,
        "channels": {
            "type": "object",
            "propertyNames": {"pattern": config.CHANNEL_NAME.pattern},
            "additionalProperties": {"$ref": "#/$defs/channel"},
        },
        "publish": _publish(),
        "sources": {"type": "object", "additionalProperties": _source()},
        "etiquette": _etiquette(),
        "workflow": _workflow(),
        "corrections": _closed(corrections.KEYS),
    }
    missing = set(config.TOP_KEYS) ^ set(properties)
    assert not missing, f"config.TOP_KEYS and the schema differ in {sorted(missing)}"
    return {
        "$schema": DIALECT,
        "title": "socialpub config",
        "description": "socialpub.yaml: channels, publishing, sources, etiquette, workflow.",
        "type": "object",
        "properties": {key: properties[key] for key in config.TOP_KEYS},
        "required": ["channels"],
        "additionalProperties": False,
        "$defs": {
            "secret": {
                "type": "string",
                "pattern": config.SECRET_REF.pattern,
                "description": "a reference to an environment variable, e.g. ${MASTODON_TOKEN}",
            },
            "channel": _channel(),
        },
    }


def _channel() -> dict[str, Any]:
    types = list(specs.CHANNEL_TYPES)
    return {
        "type": "object",
        "properties": {"type": {"enum": types}},
        "required": ["type"],
        "allOf": [
            {"if": {"properties": {"type": {"const": name}}}, "then": _channel_type(spec)}
            for name, spec in specs.CHANNEL_TYPES.items()
        ],
    }


def _channel_type(spec: specs.ChannelSpec) -> dict[str, Any]:
    """The settings one channel type takes (the same set config._settings allows)."""
    allowed = sorted(spec.settings | config.COMMON_CHANNEL_KEYS)
    properties: dict[str, Any] = {}
    for key in allowed:
        if key == "type":
            properties[key] = {"const": spec.type}
        elif key in spec.secrets:
            properties[key] = {"$ref": "#/$defs/secret"}
        else:
            properties[key] = dict(RULES[key].schema) if key in RULES else _ANY
    return {
        "properties": properties,
        "required": sorted(spec.required),
        "additionalProperties": False,
    }


def _closed(keys: tuple[str, ...] | frozenset[str], **values: Any) -> dict[str, Any]:
    """A mapping that takes these keys only (the validator reports others as unknown)."""
    return {
        "type": "object",
        "properties": {key: values.get(key, _ANY) for key in keys},
        "additionalProperties": False,
    }


def _publish() -> dict[str, Any]:
    numbers = {
        f.name: {"type": "integer" if f.type in ("int", int) else "number", "exclusiveMinimum": 0}
        for f in fields(pubconfig.PublishSettings)
        if f.name != QUIET_HOURS
    }
    return _closed(tuple(f.name for f in fields(pubconfig.PublishSettings)), **numbers)


def _source() -> dict[str, Any]:
    kind = {"enum": list(sourceconfig.KINDS)}
    return _closed(sourceconfig.KEYS, kind=kind) | {"required": ["kind"]}


def _etiquette() -> dict[str, Any]:
    severity = {"enum": list(etiquetteconfig.SEVERITIES)}
    rules = {
        name: {"anyOf": [{"type": "null"}, _closed(("severity", *keys), severity=severity)]}
        for name, (_, keys) in etiquetteconfig.RULES.items()
    }
    return _closed(etiquetteconfig.SECTION_KEYS, **rules)


def _workflow() -> dict[str, Any]:
    emails = {"type": "array", "items": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$"}}
    department = _closed(workflowconfig.DEPARTMENT_KEYS, authors=emails, approvers=emails)
    return _closed(
        workflowconfig.KEYS,
        press_office=_closed(workflowconfig.PRESS_OFFICE_KEYS, approvers=emails),
        departments={"type": "object", "additionalProperties": department},
        policy=_closed(workflowconfig.POLICY_KEYS),
    )


def schemas() -> dict[str, dict[str, Any]]:
    """File name → schema."""
    return {"post.schema.json": post(), "config.schema.json": config_schema()}


def text(schema: dict[str, Any]) -> str:
    """A schema as it is written to its file (stable: a diff shows only what changed)."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / name
        path.write_text(text(schema), encoding="utf-8", newline="\n")
        written.append(path)
    return written


if __name__ == "__main__":  # `make schemas`
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        sys.stdout.write(f"wrote {path}\n")
