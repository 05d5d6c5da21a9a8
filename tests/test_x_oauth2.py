"""X with OAuth 2.0 user tokens: refreshed before they run out or once X refuses them, the
newest pair kept in the private state folder (0600, never in git), never in any output.
Against the fake X server's token endpoint (tests/xfake_oauth2.py) over real HTTP."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from socialpub.channels.x import XAdapter
from socialpub.channels.x_oauth2 import origin_of
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import AuthFailed, ConfigError
from socialpub.models import Part, Variant
from tests.adapterkit import T0, FakeClock, MemoryProgress, Script, make_http
from tests.clirepo import ledger_text
from tests.xfake import XFake, xfake
from tests.xrepo import USER, XRepo

__all__ = ["xfake"]  # the fixture, imported for pytest

CLIENT = "x-oauth2-client-3b7e"
ACCESS, REFRESH = "x-env-access-token-11aa", "x-env-refresh-token-22bb"
SECRETS = {"access_token": ACCESS, "refresh_token": REFRESH}


@pytest.fixture
def fake(xfake: XFake) -> Iterator[XFake]:
    xfake.add_bearer(USER, ACCESS)
    xfake.tokens.add_client(CLIENT)
    xfake.tokens.add_refresh_token(REFRESH, CLIENT, USER)
    yield xfake
    assert xfake.refused == []  # nothing X's OpenAPI description forbids


def adapter(root: Path, base: str, **settings: Any) -> XAdapter:
    values: dict[str, Any] = {
        "user_id": USER,
        "api_base": base,
        "access_token": SecretRef("X_TOKEN"),
        "refresh_token": SecretRef("X_REFRESH"),
        "client_id": CLIENT,
    }
    return XAdapter(ChannelConfig("x", "x", values | settings), root, root / "state")


def post(x: XAdapter, text: str, secrets: dict[str, str] = SECRETS, clock: Any = None) -> str:
    variant = Variant("p", "x", "x", (Part(text, len(text)),), 280, "weighted characters")
    payload = x.prepare(variant, "k", created_at=T0)
    http = make_http(httpx.HTTPTransport(), secrets, channel="x", clock=clock)
    return x.send(payload, http, MemoryProgress()).sent[0].id


def stored(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "state" / "x-x-token.json").read_text())
    return data


def test_an_expired_token_is_refreshed_once_and_the_post_goes_out(
    fake: XFake, tmp_path: Path
) -> None:
    fake.tokens.expire(ACCESS, fake.now())
    x = adapter(tmp_path, fake.url)
    post(x, "Erster Beitrag.")
    post(x, "Zweiter Beitrag.")  # the refreshed token, from memory
    assert [t.text for t in fake.timeline(USER)] == ["Erster Beitrag.", "Zweiter Beitrag."]
    assert fake.tokens.exchanges == 1
    assert REFRESH not in fake.tokens.refresh_tokens  # used up: X hands out a new one
    kept = stored(tmp_path)
    assert kept["refresh_token"] in fake.tokens.refresh_tokens
    assert kept["origin"] == origin_of(ACCESS, REFRESH)
    mode = stat.S_IMODE((tmp_path / "state" / "x-x-token.json").stat().st_mode)
    assert mode == 0o600


def test_the_next_run_uses_the_stored_pair_not_the_used_up_one(fake: XFake, tmp_path: Path) -> None:
    fake.tokens.expire(ACCESS, fake.now())
    post(adapter(tmp_path, fake.url), "Erster Lauf.")
    post(adapter(tmp_path, fake.url), "Zweiter Lauf.")  # a new process: the stored pair
    assert fake.tokens.exchanges == 1 and len(fake.timeline(USER)) == 2


def test_a_stored_token_near_its_end_is_refreshed_before_sending(
    fake: XFake, tmp_path: Path
) -> None:
    fake.tokens.expire(ACCESS, fake.now())
    post(adapter(tmp_path, fake.url), "Erster Lauf.")
    first = stored(tmp_path)
    posted = fake.requests.count("POST /2/tweets")  # the refused one and its repetition
    later = FakeClock(start=T0 + timedelta(hours=3))  # beyond the two-hour lifetime
    post(adapter(tmp_path, fake.url), "Drei Stunden später.", clock=later)
    assert fake.tokens.exchanges == 2
    assert stored(tmp_path)["access_token"] != first["access_token"]
    assert fake.requests.count("POST /2/tweets") == posted + 1  # refreshed before sending


def test_new_tokens_in_the_environment_replace_the_stored_pair(fake: XFake, tmp_path: Path) -> None:
    fake.tokens.expire(ACCESS, fake.now())
    post(adapter(tmp_path, fake.url), "Erster Lauf.")
    fake.add_bearer(USER, "x-reauthorised-access-33cc")
    fake.tokens.add_refresh_token("x-reauthorised-refresh-44dd", CLIENT, USER)
    again = {"access_token": "x-reauthorised-access-33cc"}
    again["refresh_token"] = "x-reauthorised-refresh-44dd"
    post(adapter(tmp_path, fake.url), "Nach neuer Anmeldung.", secrets=again)
    assert fake.tokens.exchanges == 1  # the new access token was used as it is


def test_a_confidential_client_authenticates_with_basic_auth(fake: XFake, tmp_path: Path) -> None:
    fake.tokens.add_client(CLIENT, "x-client-secret-55ee")
    fake.tokens.expire(ACCESS, fake.now())
    x = adapter(tmp_path, fake.url, client_secret=SecretRef("X_CLIENT_SECRET"))
    with pytest.raises(AuthFailed) as refused:
        post(x, "Ohne Client-Secret.")  # the secret is not in the environment
    assert "unauthorized_client" in refused.value.message
    post(x, "Mit Client-Secret.", secrets=SECRETS | {"client_secret": "x-client-secret-55ee"})
    assert [t.text for t in fake.timeline(USER)] == ["Mit Client-Secret."]


def test_a_used_up_refresh_token_says_how_to_authorise_again(fake: XFake, tmp_path: Path) -> None:
    fake.tokens.refresh_tokens.clear()  # e.g. a CI run without the state folder
    fake.tokens.expire(ACCESS, fake.now())
    with pytest.raises(AuthFailed) as refused:
        post(adapter(tmp_path, fake.url), "Wird nicht gesendet.")
    text = f"{refused.value.message} {refused.value.hint}"
    assert "Value passed for the token was invalid" in text and "authorise the app again" in text
    assert ACCESS not in text and REFRESH not in text
    assert fake.timeline(USER) == []


def test_without_a_refresh_token_a_refused_token_fails_as_before(
    fake: XFake, tmp_path: Path
) -> None:
    fake.tokens.expire(ACCESS, fake.now())
    x = adapter(tmp_path, fake.url)
    with pytest.raises(AuthFailed):
        post(x, "Kein Refresh-Token.", secrets={"access_token": ACCESS})
    assert fake.tokens.exchanges == 0


def test_a_refresh_token_needs_the_client_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="client_id"):
        adapter(tmp_path, "http://127.0.0.1:9", client_id="")


def test_a_refreshed_token_is_hidden_in_error_texts(tmp_path: Path) -> None:
    fresh = {"access_token": "x-fresh-access-66ff", "refresh_token": "x-fresh-refresh-77aa"}
    script = Script(
        httpx.Response(401, json={"title": "Unauthorized", "detail": "Unauthorized"}),
        httpx.Response(200, json={**fresh, "expires_in": 7200, "token_type": "bearer"}),
        httpx.Response(400, json={"title": "Invalid Request", "detail": "x-fresh-access-66ff"}),
    )
    x = adapter(tmp_path, "https://api.x.test")
    variant = Variant("p", "x", "x", (Part("Text", 4),), 280, "weighted characters")
    payload = x.prepare(variant, "k", created_at=T0)
    with pytest.raises(Exception) as failed:
        x.send(payload, make_http(httpx.MockTransport(script), SECRETS), MemoryProgress())
    assert "x-fresh-access-66ff" not in str(failed.value)
    assert script.requests[1].url.path == "/2/oauth2/token"
    form = dict(httpx.QueryParams(script.requests[1].content.decode()))
    assert form == {"grant_type": "refresh_token", "refresh_token": REFRESH, "client_id": CLIENT}
    assert script.requests[2].headers["authorization"] == "Bearer x-fresh-access-66ff"


def test_publish_refreshes_and_keeps_the_pair_out_of_git(fake: XFake, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    repo = XRepo(tmp_path, fake, oauth2=True)
    config = tmp_path / "socialpub.yaml"
    config.write_text(
        config.read_text().replace(
            "    access_token: ${X_OAUTH2_TOKEN}\n",
            "    access_token: ${X_OAUTH2_TOKEN}\n    refresh_token: ${X_REFRESH}\n"
            f"    client_id: {CLIENT}\n",
        )
    )
    fake.tokens.expire(ACCESS, fake.now())
    repo.post("p", "Über OAuth 2.0 mit erneuertem Token.")
    done = repo.run("publish", env={"X_OAUTH2_TOKEN": ACCESS, "X_REFRESH": REFRESH})
    assert done.returncode == 0, done.stdout + done.stderr
    assert [t.text for t in fake.timeline(USER)] == ["Über OAuth 2.0 mit erneuertem Token."]
    kept = stored_in(tmp_path)
    outputs = done.stdout + done.stderr + ledger_text(tmp_path)
    assert all(token not in outputs for token in (ACCESS, REFRESH, *kept))
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".socialpub/state/x-x-token.json"], cwd=tmp_path
    )
    assert ignored.returncode == 0  # git never sees the tokens


def stored_in(root: Path) -> tuple[str, str]:
    data = json.loads((root / ".socialpub" / "state" / "x-x-token.json").read_text())
    return data["access_token"], data["refresh_token"]
