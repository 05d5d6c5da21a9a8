"""`doctor` against real servers: mastodon-mock (Mastodon's REST API) and the official
Bluesky PDS, with valid, wrong-scope, revoked and wrong credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from socialpub.channels.probe import Status
from tests import mastodonmock
from tests.doctorkit import make_config, run
from tests.mastodonmock import MockServer
from tests.pds import Account, Pds, create_account, running_pds


@pytest.fixture(scope="module")
def mastodon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    running = mastodonmock.start(tmp_path_factory.mktemp("mastodon-mock"))
    try:
        yield running
    finally:
        running.stop()


def app_token(server: MockServer, scopes: str) -> str:
    """A user token of testuser through an app registered with `scopes` (OAuth's
    authorization code flow, as a press officer gets one)."""
    app = httpx.post(
        f"{server.url}/api/v1/apps", data={"client_name": "socialpub", "scopes": scopes}
    ).json()
    page = httpx.post(f"{server.url}/oauth/authorize", data={"username": "testuser"}).text
    code = re.search(r"Authorization code: (\S+)</p>", page)
    assert code, page
    token = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code.group(1),
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        },
    )
    token.raise_for_status()
    value: str = token.json()["access_token"]
    return value


def mastodon_config(server: MockServer) -> str:
    return f"  mastodon:\n    type: mastodon\n    instance: {server.url}\n    token: ${{MASTO}}\n"


def test_mastodon_account_and_app_scopes(mastodon: MockServer, tmp_path: Path) -> None:
    config = make_config(tmp_path, mastodon_config(mastodon))
    token = app_token(mastodon, "read write")
    found = run(config, {"MASTO": token})
    host = mastodon.url.split("://")[1]
    assert found["mastodon", "token"].detail == f"@testuser@{host} (app socialpub)"
    assert found["mastodon", "scopes"].status is Status.ok
    assert found["", "clock"].status is Status.ok
    assert token not in found.text()


def test_mastodon_read_only_token_cannot_publish(mastodon: MockServer, tmp_path: Path) -> None:
    config = make_config(tmp_path, mastodon_config(mastodon))
    found = run(config, {"MASTO": app_token(mastodon, "read")})
    scopes = found["mastodon", "scopes"]
    assert (scopes.status, scopes.detail) == (
        Status.error,
        "cannot publish: the token lacks write:media, write:statuses",
    )
    assert "Preferences › Development" in scopes.fix


def test_mastodon_token_without_app_and_a_revoked_one(mastodon: MockServer, tmp_path: Path) -> None:
    config = make_config(tmp_path, mastodon_config(mastodon))
    found = run(config, {"MASTO": mastodonmock.TOKEN})  # the seeded token has no app
    assert found.status("mastodon", "token") is Status.ok
    assert "scopes" not in found.checks("mastodon")  # not told, so not judged
    revoked = app_token(mastodon, "read write")
    httpx.post(f"{mastodon.url}/oauth/revoke", data={"token": revoked}).raise_for_status()
    found = run(config, {"MASTO": revoked})
    token = found["mastodon", "token"]
    assert token.status is Status.error
    assert token.detail.startswith("refused: mastodon: HTTP 401")
    assert revoked not in found.text()


# --- Bluesky: the real PDS ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pds() -> Iterator[Pds]:
    with running_pds() as server:
        yield server


def bluesky_config(account: Account) -> str:
    return (
        f"  bluesky:\n    type: bluesky\n    handle: {account.handle}\n"
        f"    service: {account.pds.url}\n    app_password: ${{BSKY_PASSWORD}}\n"
    )


def test_bluesky_session_and_a_deactivated_account(pds: Pds, tmp_path: Path) -> None:
    account = create_account(pds, "doctor.test")
    config = make_config(tmp_path, bluesky_config(account))
    env = {"BSKY_PASSWORD": account.password}
    found = run(config, env)
    assert found["bluesky", "token"].detail == f"@{account.handle} ({account.did})"
    assert "account" not in found.checks("bluesky")
    assert found.status("", "clock") is Status.ok
    session = httpx.post(
        f"{pds.url}/xrpc/com.atproto.server.createSession",
        json={"identifier": account.handle, "password": account.password},
    ).json()
    httpx.post(
        f"{pds.url}/xrpc/com.atproto.server.deactivateAccount",
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
        json={},
    ).raise_for_status()
    found = run(config, env)
    assert found["bluesky", "account"].status is Status.error
    assert "deactivated" in found["bluesky", "account"].detail
    assert account.password not in found.text()


def test_bluesky_wrong_app_password(pds: Pds, tmp_path: Path) -> None:
    account = create_account(pds, "wrongpw.test")
    config = make_config(tmp_path, bluesky_config(account))
    found = run(config, {"BSKY_PASSWORD": "not-the-app-password"})
    token = found["bluesky", "token"]
    assert token.status is Status.error
    assert "App passwords" in token.fix
    assert "not-the-app-password" not in found.text()
