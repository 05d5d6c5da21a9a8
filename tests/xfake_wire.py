"""The wire of the fake X server: OpenAPI validation, OAuth checks, X's problem answers and
fault injection (tests/xfake.py uses these).

- Every request is checked with openapi-core against X's own OpenAPI description
  (../shared/specs/x-api-v2.openapi.json): path, method, query parameters, body schema and
  the presence of a security scheme. A request X would refuse is answered 400 with X's
  invalid-request problem and kept in `XFake.refused`, so a test can assert there were none.
- OAuth 1.0a: the signature is recomputed with oauthlib from the registered consumer and
  token secrets over the request as it arrived (method, URL, query, form body); a wrong
  signature, an unknown key, an old timestamp or a reused nonce is 401.
"""

from __future__ import annotations

import hmac
import json
import random
import threading
import time
import urllib.parse
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature, utils
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC = Path(__file__).resolve().parents[2] / "shared" / "specs" / "x-api-v2.openapi.json"
X_HOST = "https://api.x.com"  # the spec's server: requests are validated as if sent there
TIMESTAMP_SKEW = 300  # seconds; X refuses older OAuth 1.0a timestamps
INVALID = "https://api.twitter.com/2/problems/invalid-request"


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(json.loads(SPEC.read_text(encoding="utf-8")))


class XProblem(Exception):
    """An error answer in X's problem-JSON shape (RFC 7807: type, title, detail, status)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        kind: str = "about:blank",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail, self.kind = status, title, detail, kind
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "title": self.title,
            "detail": self.detail,
            "type": self.kind,
            "status": self.status,
        }
        if self.kind == INVALID:
            answer["errors"] = [{"message": self.detail}]
        return answer


def unauthorized(why: str) -> XProblem:
    return XProblem(401, "Unauthorized", f"Unauthorized ({why})")


@dataclass(frozen=True)
class WireRequest:
    """A request as it arrived, in the shape openapi-core's Request protocol asks for."""

    method: str  # lower case, as openapi-core wants it
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes | None
    origin: str  # http://127.0.0.1:PORT, what the client signed
    host_url: str = X_HOST

    @cached_property
    def parameters(self) -> RequestParameters:  # openapi-core writes the path's values in
        pairs = urllib.parse.parse_qsl(self.query, keep_blank_values=True)
        return RequestParameters(query=ImmutableMultiDict(pairs), header=Headers(self.headers))

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").lower()

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path

    @property
    def args(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.query, keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


def validate(request: WireRequest) -> None:
    """Raise X's invalid-request problem when the spec does not allow the request."""
    with warnings.catch_warnings():  # openapi-core cannot check OAuth 2.0 schemes: we do
        warnings.simplefilter("ignore", UserWarning)
        errors = list(openapi().iter_request_errors(request))  # type: ignore[arg-type]
    if errors:
        reasons = []
        for error in errors:
            cause = error.__cause__
            inner = getattr(cause, "schema_errors", None) or ([cause] if cause else [])
            reasons.append(f"{error}: " + "; ".join(str(e).split("\n")[0] for e in inner))
        raise XProblem(400, "Invalid Request", " | ".join(reasons), INVALID)


class OAuth1Registry:
    """Consumer and token secrets of the registered app and users; checks signatures."""

    def __init__(self) -> None:
        self.consumers: dict[str, str] = {}
        self.tokens: dict[str, tuple[str, str]] = {}  # access token → (secret, user id)
        self._nonces: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def user(self, request: WireRequest, header: str) -> str:
        """The user id a valid OAuth 1.0a Authorization header stands for; else 401."""
        oauth = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
        if oauth.get("oauth_signature_method") != "HMAC-SHA1":
            raise unauthorized("oauth_signature_method must be HMAC-SHA1")
        consumer = self.consumers.get(oauth.get("oauth_consumer_key", ""))
        token = self.tokens.get(oauth.get("oauth_token", ""))
        if consumer is None or token is None:
            raise unauthorized("unknown consumer key or access token")
        stamp = oauth.get("oauth_timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > TIMESTAMP_SKEW:
            raise unauthorized("oauth_timestamp out of range")
        keys = Client("", client_secret=consumer, resource_owner_secret=token[0])
        expected = signature.sign_hmac_sha1_with_client(self.base_string(request, header), keys)
        if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
            raise unauthorized("the signature does not match the request")
        with self._lock:
            nonce = (oauth.get("oauth_nonce", ""), stamp)
            if not nonce[0] or nonce in self._nonces:
                raise unauthorized("oauth_nonce was used before")
            self._nonces.add(nonce)
        return token[1]

    @staticmethod
    def base_string(request: WireRequest, header: str) -> str:
        """RFC 5849 §3.4.1 over what arrived, by oauthlib's own functions."""
        form = request.content_type.startswith("application/x-www-form-urlencoded")
        body = (request.body or b"").decode() if form else ""
        params = signature.collect_parameters(
            uri_query=request.query,
            body=body,
            headers={"Authorization": header},
            exclude_oauth_signature=True,
        )
        uri = signature.base_string_uri(request.origin + request.path)
        normalized = signature.normalize_parameters(params)
        return str(signature.signature_base_string(request.method.upper(), uri, normalized))


FaultKind = Literal["timeout", "429", "500", "drop", "user429"]
CREATING = frozenset({"POST /2/tweets", "POST /2/media/upload", "POST /2/media/metadata"})


@dataclass(frozen=True)
class Fault:
    """- "429": the app's 15-minute limit, `x-rate-limit-reset` `reset_in` seconds ahead;
    - "user429": the 24 h user limit (`x-user-limit-24hour-*` headers);
    - "500": X's internal error, before anything is stored;
    - "drop": carried out (the post exists), then the connection is reset;
    - "timeout": carried out, then the answer is held back `hang` seconds."""

    kind: FaultKind
    reset_in: int = 1
    hang: float = 2.0

    @property
    def before_storing(self) -> bool:
        return self.kind not in ("drop", "timeout")


@dataclass
class FaultPlan:
    queued: list[tuple[str, Fault]] = field(default_factory=list)
    rate: float = 0.0
    choices: tuple[Fault, ...] = ()
    endpoints: frozenset[str] = CREATING
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    drawn: list[tuple[str, Fault]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def draw(self, endpoint: str) -> Fault | None:
        with self.lock:
            for index, (wanted, fault) in enumerate(self.queued):
                if wanted in (endpoint, "*"):
                    del self.queued[index]
                    self.drawn.append((endpoint, fault))
                    return fault
            if self.choices and endpoint in self.endpoints and self.rng.random() < self.rate:
                fault = self.rng.choice(self.choices)
                self.drawn.append((endpoint, fault))
                return fault
            return None


def rate_problem(fault: Fault) -> XProblem:
    reset = str(int(time.time()) + fault.reset_in)
    if fault.kind == "user429":
        headers = {
            "x-user-limit-24hour-limit": "100",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": reset,
        }
    else:
        headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0"}
        headers["x-rate-limit-reset"] = reset
    return XProblem(429, "Too Many Requests", "Too Many Requests", headers=headers)
