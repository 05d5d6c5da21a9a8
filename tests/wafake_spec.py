"""Meta's OpenAPI description of the WhatsApp Cloud API, as the fake Cloud API checks requests
against it (tests/wafake.py).

The document (../shared/specs/whatsapp-business-messaging-v23.0.openapi.yaml) is read once per
process and relaxed where its literal schemas refuse what the real API accepts — exactly the
quirks listed in ../shared/specs/README.md, each with a comment in `_relax`. Two validators
read the same relaxed document:

- `openapi_core_errors`: openapi-core, the reference. It finds the operation and checks path,
  method, parameters, security and body, but costs ~4 ms a request (the document has ~90
  paths and an 11-way `oneOf` for messages): fine for unit tests, too slow for the bench.
- `Operations.check`: the same checks compiled once — the operation's path as a regex, each
  header parameter's schema and the request-body schema with its `$ref`s inlined as
  `jsonschema` validators, the messages `oneOf` picked by `type` (each branch fixes `type`
  to its own value, so only that branch can match: what `oneOf` means) — ~0.15 ms a request.
  tests/test_wafake_spec.py shows both refuse and accept the same requests.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "specs"
    / "whatsapp-business-messaging-v23.0.openapi.yaml"
)
GRAPH_HOST = (
    "https://graph.facebook.com"  # the document's server: requests are checked as if sent there
)
#: the operations the fake serves: (method, the document's path template)
SERVED = (
    ("post", "/{Version}/{Phone-Number-ID}/messages"),
    ("get", "/{Version}/{WABA-ID}/message_templates"),
)


class SpecMissing(RuntimeError):
    """../shared/specs is not there: the fake cannot check anything."""


@cache
def document() -> dict[str, Any]:
    """The relaxed OpenAPI document (read once per process, ~0.5 s)."""
    if not SPEC.is_file():
        raise SpecMissing(
            f"{SPEC} is missing: the fake WhatsApp Cloud API checks every request against "
            "Meta's OpenAPI description in ../shared/specs (next to the project folder)"
        )
    with SPEC.open(encoding="utf-8") as file:
        loaded: dict[str, Any] = yaml.load(
            file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    return _relax(loaded)


def _relax(spec: dict[str, Any]) -> dict[str, Any]:
    """The quirks of ../shared/specs/README.md, and nothing else."""
    schemas = spec["components"]["schemas"]
    base = schemas["BaseMessageProperties"]
    # Quirk 3: `biz_opaque_callback_data` is declared only on the calls schemas, though
    # messages take it too (and status webhooks echo it). Same declaration as on the calls.
    callback = copy.deepcopy(
        schemas["CallTerminateRequestPayload"]["properties"].get(
            "biz_opaque_callback_data", {"type": "string", "maxLength": 512}
        )
    )
    base["properties"]["biz_opaque_callback_data"] = callback
    schemas["Statuses"]["properties"]["biz_opaque_callback_data"] = copy.deepcopy(callback)
    # Quirk 2: `recipient_type` and `type` are marked required, though the API defaults them
    # ("individual", "text") ...
    base["required"] = [name for name in base["required"] if name not in ("recipient_type", "type")]
    # The messages oneOf's discriminator asks for `type` as well (openapi-core refuses a
    # body without it); its branches' `type` enums tell them apart without it.
    del schemas["Message"]["discriminator"]
    # ... and so is `language.policy` ("deterministic", the only value).
    language = schemas["LanguageObject"]
    language["required"] = [name for name in language["required"] if name != "policy"]
    # Quirk 1: the second branch of TextMessage's allOf says additionalProperties: false
    # without naming the base fields, so it forbids `messaging_product`, `to` … that the first
    # branch requires. It names them now; anything else is still refused.
    text_branch = schemas["TextMessage"]["allOf"][1]
    text_branch["properties"] = {**copy.deepcopy(base["properties"]), **text_branch["properties"]}
    # Quirk 4: a template button's `index` pattern "^[2-6, 11-14]$" refuses "0"; the
    # description says 0-9.
    schemas["TemplateComponent"]["properties"]["index"]["pattern"] = "^[0-9]$"
    return spec


@cache
def openapi() -> OpenAPI:
    """openapi-core over the relaxed document. Its own check of the document is off: Meta's
    file does not pass OpenAPI 3.1's meta-schema (`components.parameterGroups`)."""
    return OpenAPI.from_dict(document(), config=Config(spec_validator_cls=None))


@dataclass(frozen=True)
class WireRequest:
    """A request as it arrived, in the shape openapi-core's Request protocol asks for."""

    method: str  # lower case, as openapi-core wants it
    path: str  # /v23.0/…
    query: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes | None
    host_url: str = GRAPH_HOST

    @cached_property
    def parameters(self) -> RequestParameters:
        from urllib.parse import parse_qsl

        pairs = parse_qsl(self.query, keep_blank_values=True)
        return RequestParameters(query=ImmutableMultiDict(pairs), header=Headers(self.headers))

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


def openapi_core_errors(request: WireRequest) -> list[str]:
    """What openapi-core finds wrong with the request (empty: the document allows it). The
    reasons name the rule broken, never echo the body (it holds phone numbers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        errors = list(openapi().iter_request_errors(request))  # type: ignore[arg-type]
    reasons = []
    for error in errors:
        cause = error.__cause__
        inner = getattr(cause, "schema_errors", None)
        if inner:
            reasons += [f"{type(error).__name__}: {_describe(e)}" for e in inner]
        else:
            reasons.append(f"{type(error).__name__}: {str(cause or error).splitlines()[0]}")
    return reasons


class Operation:
    """One operation of the document, compiled: its path regex and validators."""

    def __init__(self, method: str, template: str, spec: dict[str, Any]) -> None:
        self.method, self.template = method, template
        item = spec["paths"][template]
        operation = item[method]
        names = re.findall(r"\{([^}]+)\}", template)
        self.path_names = names
        self.pattern = re.compile(
            "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template)) + "$"
        )
        parameters = [_resolve(p, spec) for p in item.get("parameters", [])]
        parameters += [_resolve(p, spec) for p in operation.get("parameters", [])]
        self.headers: list[tuple[str, bool, Draft202012Validator]] = [
            (p["name"].lower(), bool(p.get("required")), _validator(p.get("schema", {}), spec))
            for p in parameters
            if p["in"] == "header"
        ]
        self.needs_bearer = any("bearerAuth" in s for s in operation.get("security", []))
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        self.body = None if body is None else _BodySchema(body["schema"], spec)

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.match(path)
        return None if found is None else dict(zip(self.path_names, found.groups(), strict=True))

    def errors(self, request: WireRequest, body: Any) -> list[str]:
        reasons = []
        for name, required, validator in self.headers:
            value = request.headers.get(name)
            if value is None:
                if required:
                    reasons.append(f"header {name} is required")
                continue
            reasons += [f"header {name}: {e.message}" for e in validator.iter_errors(value)]
        if self.needs_bearer and not request.headers.get("authorization", "").startswith("Bearer "):
            reasons.append("no bearer token (security bearerAuth)")
        if self.body is not None:
            reasons += self.body.errors(body)
        return reasons


class _BodySchema:
    """A request body's schema. A top-level `oneOf` whose branches each fix `type` to one
    value (the messages) is dispatched on `type`: only that branch can match."""

    def __init__(self, schema: dict[str, Any], spec: dict[str, Any]) -> None:
        self.whole = _validator(schema, spec)
        branches = _resolve(schema, spec).get("oneOf", [])
        self.branches = {
            value: _validator(branch, spec)
            for branch in branches
            if (value := _fixed_type(_resolve(branch, spec), spec)) is not None
        }
        if len(self.branches) != len(branches):  # not all told apart by `type`
            self.branches = {}

    def errors(self, body: Any) -> list[str]:
        if not isinstance(body, dict):
            return ["the body must be a JSON object"]
        branch = self.branches.get(str(body.get("type")))
        validator = branch or self.whole  # no or an unknown type: the whole oneOf decides
        return [_describe(e) for e in validator.iter_errors(body)]


def _fixed_type(schema: dict[str, Any], spec: dict[str, Any]) -> str | None:
    """The one value a schema (or a part of its allOf) allows for `type`, if it fixes it."""
    for part in [schema, *(_resolve(p, spec) for p in schema.get("allOf", []))]:
        values = part.get("properties", {}).get("type", {}).get("enum", [])
        if len(values) == 1:
            return str(values[0])
    return None


def _describe(error: Any) -> str:
    """A jsonschema error in one line, without the instance for oneOf/anyOf failures."""
    where = "/".join(str(p) for p in error.absolute_path) or "(body)"
    if error.validator in ("oneOf", "anyOf"):
        if error.context:  # the branch that came closest says why
            return _describe(best_match(error.context))
        return f"{where}: not valid under any of the schemas {error.validator} allows"
    return f"{where}: {error.message}"


def _resolve(node: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _inline(node: Any, spec: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """A schema with its `$ref`s replaced by what they name (faster to validate than refs
    resolved on every request); examples and descriptions dropped."""
    if isinstance(node, list):
        return [_inline(item, spec, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:  # a recursive schema: keep the rest of it unchecked
            return {}
        target = _inline(_resolve({"$ref": ref}, spec), spec, (*seen, ref))
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return {"allOf": [target, _inline(siblings, spec, seen)]} if siblings else target
    skip = ("example", "examples", "description", "discriminator")
    return {k: _inline(v, spec, seen) for k, v in node.items() if k not in skip}


def _validator(schema: dict[str, Any], spec: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(_inline(schema, spec))


class Operations:
    """The operations the fake serves, compiled once per process."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.all = [Operation(method, template, spec) for method, template in SERVED]

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for operation in self.all:
            values = operation.match(path)
            if operation.method == method and values is not None:
                return operation, values
        return None


@cache
def operations() -> Operations:
    return Operations(document())
