"""`doctor` against the strict fakes of Meta's Graph API (Facebook, Instagram, Threads),
LinkedIn, X, the Telegram Bot API and the WhatsApp subscriber service: valid, expired,
missing and wrong-scope tokens, quotas, the clock, the website's folder, posting kits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from socialpub.channels.probe import Status
from socialpub.doctor.run import can_publish
from tests import linkedinfake, metarepo, xrepo
from tests.doctorkit import make_config, run
from tests.linkedinfake import linkedin
from tests.metagraph import MetaGraph, metagraph
from tests.metagraph_store import Family, Published
from tests.telegramfake import TOKEN as BOT_TOKEN
from tests.telegramfake import BotApi, administrator, telegram
from tests.wabroadcast import BroadcastService, serve
from tests.xfake import XFake, xfake

__all__ = ["linkedin", "metagraph", "telegram", "xfake"]  # the fixtures, imported for pytest

PAGE, IG, THREADS = metarepo.PAGE, metarepo.IG, metarepo.THREADS
META_ENV = metarepo.TOKENS


def meta_config(root: Path, graph: MetaGraph, page: str = PAGE) -> str:
    return (
        f'  facebook:\n    type: facebook\n    page_id: "{page}"\n'
        f"    access_token: ${{FACEBOOK_PAGE_TOKEN}}\n    api_base: {graph.facebook_base}\n"
        f'  instagram:\n    type: instagram\n    user_id: "{IG}"\n'
        f"    access_token: ${{INSTAGRAM_TOKEN}}\n    api_base: {graph.facebook_base}\n"
        f"    media_base_url: https://www.landkreis.example/media/\n"
        f'  threads:\n    type: threads\n    user_id: "{THREADS}"\n'
        f"    access_token: ${{THREADS_TOKEN}}\n    api_base: {graph.threads_base}\n"
        f"    media_base_url: https://www.landkreis.example/media/\n"
    )


# --- Meta -------------------------------------------------------------------------------


def test_meta_tokens_are_described_by_debug_token(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), META_ENV)
    assert found["facebook", "token"].detail == (
        f"PAGE token of Landkreis Publisher for Page {PAGE}"
    )
    assert found.status("facebook", "scopes") is Status.ok
    assert "expiry" not in found.checks("facebook")  # a Page token that never expires
    assert found["instagram", "expiry"].status is Status.ok
    assert "in 59 days" in found["instagram", "expiry"].detail
    assert found["instagram", "quota"].detail == "0 of 100 posts in the last 24 hours"
    assert found["threads", "quota"].detail == "0 of 250 posts in the last 24 hours"
    assert found.status("", "clock") is Status.ok
    assert all(f.status is Status.ok for f in found.found if f.channel), found.found
    assert "GET /v23.0/debug_token" in metagraph.requests
    assert "GET /v1.0/debug_token" in metagraph.requests
    assert not any(token in found.text() for token in META_ENV.values())


def test_an_expired_token_cannot_publish(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    metagraph.set_token(META_ENV["THREADS_TOKEN"], expires_at=yesterday)
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), META_ENV)
    token = found["threads", "token"]
    assert token.status is Status.error
    assert "Session has expired" in token.detail
    assert "long-lived Threads token" in token.fix
    assert not can_publish(found.found)
    assert found.status("facebook", "token") is Status.ok  # the others are still checked


def test_a_token_expiring_within_a_week_is_a_warning(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    soon = datetime.now(UTC) + timedelta(days=3, hours=1)
    metagraph.set_token(META_ENV["INSTAGRAM_TOKEN"], expires_at=soon)
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), META_ENV)
    expiry = found["instagram", "expiry"]
    assert expiry.status is Status.warning
    assert "in 3 days" in expiry.detail
    assert "instagram_content_publish" in expiry.fix
    assert can_publish(f for f in found.found if f.channel)  # warnings allowed


def test_a_missing_scope_is_an_error_a_missing_optional_one_a_warning(
    metagraph: MetaGraph, tmp_path: Path
) -> None:
    metarepo.register(metagraph)
    metagraph.set_token(META_ENV["INSTAGRAM_TOKEN"], scopes=("instagram_basic",))
    metagraph.set_token(
        META_ENV["THREADS_TOKEN"], scopes=("threads_basic", "threads_content_publish")
    )
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), META_ENV)
    scopes = found["instagram", "scopes"]
    assert scopes.status is Status.error
    assert scopes.detail == "cannot publish: the token lacks instagram_content_publish"
    threads = found["threads", "scopes"]
    assert threads.status is Status.warning
    assert "threads_delete" in threads.detail


def test_a_token_of_another_page_is_an_error(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    other = "100000000000009"
    metagraph.add_page(other, "fb-other-page-token")
    found = run(
        make_config(tmp_path, meta_config(tmp_path, metagraph)),
        META_ENV | {"FACEBOOK_PAGE_TOKEN": "fb-other-page-token"},
        "facebook",
    )
    owner = found["facebook", "owner"]
    assert owner.status is Status.error
    assert owner.detail == f"the token is for {other}, but the channel publishes as {PAGE}"


def test_a_revoked_token_and_a_missing_secret(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    metagraph.revoke(META_ENV["FACEBOOK_PAGE_TOKEN"])
    env = {k: v for k, v in META_ENV.items() if k != "INSTAGRAM_TOKEN"}
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), env)
    assert found.status("facebook", "token") is Status.error
    assert "Invalid OAuth access token" in found["facebook", "token"].detail
    secrets = found["instagram", "secrets"]
    assert (secrets.status, secrets.detail) == (
        Status.error,
        "not set: access_token ($INSTAGRAM_TOKEN)",
    )
    assert secrets.fix.startswith("export INSTAGRAM_TOKEN=…")
    assert found.checks("instagram") == ["secrets"]  # nothing asked without the token
    assert metagraph.requests.count("GET /v23.0/debug_token") == 1


def published(graph: MetaGraph, family: Family, owner: str, count: int) -> None:
    """`count` posts published an hour ago, as an earlier run left them."""
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with graph.lock:
        for _ in range(count):
            item = graph.new_id()
            graph.objects[item] = Published(item, family, owner, "c" + item, "TEXT", "x", hour_ago)


def test_publishing_quotas_near_and_at_their_limit(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    metagraph.ig_quota, metagraph.threads_quota = 2, 5
    published(metagraph, "facebook", IG, 2)
    published(metagraph, "threads", THREADS, 4)
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), META_ENV)
    instagram = found["instagram", "quota"]
    assert (instagram.status, instagram.detail) == (
        Status.error,
        "2 of 2 posts in the last 24 hours: used up",
    )
    assert "24-hour window" in instagram.fix
    threads = found["threads", "quota"]
    assert (threads.status, threads.detail) == (Status.warning, "4 of 5 posts in the last 24 hours")


def test_debug_token_refused_still_checks_the_token(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    metagraph.debug_needs_app_token = True
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), META_ENV, "facebook")
    assert found["facebook", "token"].detail == f"a token that may read Page {PAGE}"
    scopes = found["facebook", "scopes"]
    assert scopes.status is Status.warning
    assert "(#100) You must provide an app access token" in scopes.detail
    assert "Access Token Debugger" in scopes.fix
    metagraph.revoke(META_ENV["FACEBOOK_PAGE_TOKEN"])
    found = run(make_config(tmp_path, meta_config(tmp_path, metagraph)), META_ENV, "facebook")
    assert found.status("facebook", "token") is Status.error


def test_a_channel_without_a_token_setting(metagraph: MetaGraph, tmp_path: Path) -> None:
    block = f'  facebook:\n    type: facebook\n    page_id: "{PAGE}"\n'
    found = run(make_config(tmp_path, block + f"    api_base: {metagraph.facebook_base}\n"), {})
    token = found["facebook", "token"]
    assert (token.status, token.detail) == (
        Status.error,
        "refused: facebook: no Facebook access token configured",
    )
    assert metagraph.requests == []


def test_channel_filter_and_clock_skew(metagraph: MetaGraph, tmp_path: Path) -> None:
    metarepo.register(metagraph)
    config = make_config(tmp_path, meta_config(tmp_path, metagraph))
    found = run(config, META_ENV, "threads", offset=-600)  # our clock 10 minutes behind
    assert {f.channel for f in found.found} == {"", "threads"}
    clock = found["", "clock"]
    assert clock.status is Status.warning
    # Date has whole seconds: 599.x s
    assert re.fullmatch(r"this machine's clock is (599|600) s behind 127\.0\.0\.1", clock.detail)
    assert "timedatectl" in clock.fix


# --- LinkedIn ---------------------------------------------------------------------------

LI_ENV = {"LI_TOKEN": linkedinfake.TOKEN, "LI_SECRET": linkedinfake.CLIENT[1]}


def linkedin_config(base: str, *, introspect: bool = True) -> str:
    block = (
        f'  linkedin:\n    type: linkedin\n    organization: "{linkedinfake.ORG}"\n'
        f"    access_token: ${{LI_TOKEN}}\n    api_base: {base}/rest\n"
    )
    if introspect:
        block += (
            f"    client_id: {linkedinfake.CLIENT[0]}\n    client_secret: ${{LI_SECRET}}\n"
            f"    oauth_base: {base}\n"
        )
    return block


def test_linkedin_token_introspected(linkedin: linkedinfake.Fake, tmp_path: Path) -> None:
    found = run(make_config(tmp_path, linkedin_config(linkedin.base)), LI_ENV)
    assert found["linkedin", "token"].detail == (
        f"3L token of app {linkedinfake.CLIENT[0]} for {linkedinfake.ORG}"
    )
    assert found.status("linkedin", "scopes") is Status.ok
    assert found.status("linkedin", "expiry") is Status.ok
    assert "POST /oauth/v2/introspectToken" in linkedin.requests
    assert "GET /rest/posts" in linkedin.requests
    assert not any(secret in found.text() for secret in LI_ENV.values())


def test_linkedin_expired_and_wrong_scope(linkedin: linkedinfake.Fake, tmp_path: Path) -> None:
    config = make_config(tmp_path, linkedin_config(linkedin.base))
    linkedin.token_scope = "r_organization_social"
    found = run(config, LI_ENV)
    assert found["linkedin", "scopes"].detail == (
        "cannot publish: the token lacks w_organization_social"
    )
    linkedin.token_status = "expired"
    found = run(config, LI_ENV)
    token = found["linkedin", "token"]
    assert (token.status, token.detail) == (
        Status.error,
        "refused: linkedin: LinkedIn says the token is expired",
    )
    assert "60 days" in token.fix


def test_linkedin_without_app_credentials_checks_the_token_only(
    linkedin: linkedinfake.Fake, tmp_path: Path
) -> None:
    config = make_config(tmp_path, linkedin_config(linkedin.base, introspect=False))
    found = run(config, {"LI_TOKEN": linkedinfake.TOKEN})
    assert found.status("linkedin", "token") is Status.ok
    assert found.status("linkedin", "scopes") is Status.warning
    assert "client_secret" in found["linkedin", "scopes"].fix
    found = run(config, {"LI_TOKEN": "li-wrong-token"})
    assert found.status("linkedin", "token") is Status.error
    assert "li-wrong-token" not in found.text()


# --- X ------------------------------------------------------------------------------------


def x_config(fake: XFake, *, oauth2: bool = False, user: str = xrepo.USER) -> str:
    block = f'  x:\n    type: x\n    user_id: "{user}"\n    api_base: {fake.url}\n'
    if oauth2:
        return block + "    access_token: ${X_OAUTH2_TOKEN}\n"
    return block + "".join(f"    {k[2:].lower()}: ${{{k}}}\n" for k in xrepo.OAUTH1_ENV)


def test_x_users_me_with_oauth1_and_oauth2(xfake: XFake, tmp_path: Path) -> None:
    xrepo.register(xfake)
    found = run(make_config(tmp_path, x_config(xfake)), xrepo.OAUTH1_ENV)
    assert found["x", "token"].detail == f"@u{xrepo.USER} (id {xrepo.USER})"
    assert found.checks("x") == ["secrets", "token"]
    env = {"X_OAUTH2_TOKEN": xrepo.BEARER}
    found = run(make_config(tmp_path, x_config(xfake, oauth2=True)), env)
    assert found.status("x", "token") is Status.ok
    assert found.status("x", "expiry") is Status.warning  # no refresh_token: two hours
    assert "GET /2/users/me" in xfake.requests
    assert not xfake.refused, xfake.refused
    assert xrepo.BEARER not in found.text()


def test_x_wrong_credentials_and_another_account(xfake: XFake, tmp_path: Path) -> None:
    xrepo.register(xfake)
    wrong = xrepo.OAUTH1_ENV | {"X_ACCESS_TOKEN_SECRET": "not-the-secret"}
    found = run(make_config(tmp_path, x_config(xfake)), wrong)
    assert found.status("x", "token") is Status.error
    assert "not-the-secret" not in found.text()
    found = run(make_config(tmp_path, x_config(xfake, user="42")), xrepo.OAUTH1_ENV)
    assert found["x", "owner"].detail == (
        f"the credentials are for user {xrepo.USER}, the channel's user_id is 42"
    )


def test_x_expired_oauth2_token_with_and_without_a_refresh_token(
    xfake: XFake, tmp_path: Path
) -> None:
    xrepo.register(xfake)
    xfake.tokens.expire(xrepo.BEARER, xfake.now())
    env = {"X_OAUTH2_TOKEN": xrepo.BEARER, "X_REFRESH": "x-refresh-1"}
    found = run(make_config(tmp_path, x_config(xfake, oauth2=True)), env)
    token = found["x", "token"]
    assert token.status is Status.error
    assert token.detail.startswith("refused: x: X did not accept the credentials")
    assert "expired" in token.detail
    xfake.tokens.add_client("x-client-1")
    xfake.tokens.add_refresh_token("x-refresh-1", "x-client-1", xrepo.USER)
    block = x_config(xfake, oauth2=True) + "    refresh_token: ${X_REFRESH}\n"
    found = run(make_config(tmp_path, block + "    client_id: x-client-1\n"), env)
    assert found.status("x", "token") is Status.ok  # renewed, as publish would
    assert "expiry" not in found.checks("x")
    assert xfake.tokens.exchanges == 1
    assert "x-oauth2-access-1" not in found.text()


# --- Telegram -----------------------------------------------------------------------------


def telegram_config(api: BotApi, chat: str = "@landkreis") -> str:
    return (
        f'  telegram:\n    type: telegram\n    chat: "{chat}"\n'
        f"    token: ${{TELEGRAM_TOKEN}}\n    api_base: {api.url}\n"
    )


def test_telegram_bot_and_its_rights_in_the_channel(telegram: BotApi, tmp_path: Path) -> None:
    env = {"TELEGRAM_TOKEN": BOT_TOKEN}
    found = run(make_config(tmp_path, telegram_config(telegram)), env)
    assert found["telegram", "token"].detail == "bot @landkreis_bot (id 123456)"
    assert found["telegram", "chat"].detail == "the bot is administrator of @landkreis"
    telegram.chats["@landkreis"] = administrator(can_post=False)
    found = run(make_config(tmp_path, telegram_config(telegram)), env)
    assert found.status("telegram", "chat") is Status.error
    telegram.chats["@landkreis"] = {"status": "member"}
    found = run(make_config(tmp_path, telegram_config(telegram)), env)
    assert found.status("telegram", "chat") is Status.warning
    telegram.chats["@landkreis"] = None
    found = run(make_config(tmp_path, telegram_config(telegram)), env)
    assert "bot is not a member" in found["telegram", "chat"].detail
    found = run(make_config(tmp_path, telegram_config(telegram, "@elsewhere")), env)
    assert "chat not found" in found["telegram", "chat"].detail
    assert found.status("telegram", "token") is Status.ok


def test_telegram_wrong_token_is_never_shown(telegram: BotApi, tmp_path: Path) -> None:
    wrong = "999:not-the-bot-token"
    found = run(make_config(tmp_path, telegram_config(telegram)), {"TELEGRAM_TOKEN": wrong})
    token = found["telegram", "token"]
    assert token.status is Status.error
    assert wrong not in found.text()
    assert "***" in token.detail


# --- WhatsApp, website, posting kits ------------------------------------------------------

WA_ENV = {"WA_SERVICE_TOKEN": BroadcastService().token}


def whatsapp_config(url: str) -> str:
    return (
        f"  whatsapp:\n    type: whatsapp\n    service_url: {url}\n"
        "    service_token: ${WA_SERVICE_TOKEN}\n"
        "    template:\n      name: kreis_nachrichten\n      language: de\n"
        "      parameters: [title, summary, link]\n"
    )


def test_whatsapp_service_health_audience_and_template(tmp_path: Path) -> None:
    service = BroadcastService()
    with serve(service) as url:
        found = run(make_config(tmp_path, whatsapp_config(url)), WA_ENV)
        assert found["whatsapp", "token"].detail == f"subscriber service {url} (3 subscribers)"
        assert found["whatsapp", "template"].detail == "kreis_nachrichten (de) is approved"
        service.templates[("kreis_nachrichten", "de")] = "PENDING"
        found = run(make_config(tmp_path, whatsapp_config(url)), WA_ENV)
        assert found["whatsapp", "template"].status is Status.error
        assert "PENDING" in found["whatsapp", "template"].detail
        found = run(make_config(tmp_path, whatsapp_config(url)), {"WA_SERVICE_TOKEN": "wrong"})
        assert found.status("whatsapp", "token") is Status.error
    found = run(make_config(tmp_path, whatsapp_config(url)), WA_ENV)  # the service is gone
    assert found["whatsapp", "token"].detail.startswith("cannot reach the platform")


def test_website_folder_and_posting_kits(tmp_path: Path) -> None:
    blocks = (
        "  website:\n    type: website\n    base_url: https://www.landkreis.example\n"
        "    out_dir: public\n"
        "  xing:\n    type: xing\n    profile_url: https://www.xing.com/pages/landkreis\n"
    )
    found = run(make_config(tmp_path, blocks), {})
    assert found["website", "output"].detail == "public/ is writable"
    assert found["xing", "kit"].status is Status.ok
    assert "clock" not in found.checks("")  # no platform was asked
    (tmp_path / "public").write_text("not a folder")
    found = run(make_config(tmp_path, blocks), {})
    output = found["website", "output"]
    assert (output.status, output.detail) == (
        Status.error,
        f"{tmp_path / 'public'} is not a folder",
    )
    assert "out_dir" in output.fix


def test_a_setting_the_probe_needs_is_named(tmp_path: Path) -> None:
    block = "  bluesky:\n    type: bluesky\n    handle: presse.bsky.social\n"
    found = run(make_config(tmp_path, block + "    service: http://127.0.0.1:9\n"), {})
    settings = found["bluesky", "settings"]
    assert (settings.status, settings.detail) == (
        Status.error,
        "channel 'bluesky' has no app_password",
    )
    assert "app password" in settings.fix
