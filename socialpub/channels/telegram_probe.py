"""`doctor` for Telegram: `getMe` (whose bot) and `getChatMember` of the bot in the channel's
chat: a channel takes posts only from its creator or an administrator with
`can_post_messages`; in a group any member that is not restricted may write. Bot tokens have
no scopes and do not expire until revoked with @BotFather."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from socialpub.channels.probe import Finding, Identity, Status, note
from socialpub.channels.telegram import TelegramAdapter
from socialpub.errors import AuthFailed, Rejected
from socialpub.i18n import N_, _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http

RENEW = N_("ask @BotFather for the bot's token (/token) and export it again")
_MAKE_ADMIN = N_("add the bot to the chat as an administrator allowed to post messages")


def probe(adapter: Adapter, http: Http) -> Identity:
    assert isinstance(adapter, TelegramAdapter)
    bot = adapter.call(http, "getMe", idempotent=True)
    bot = bot if isinstance(bot, Mapping) else {}
    chat = adapter.settings.chat
    return Identity(
        who=f"bot @{bot.get('username', '?')} (id {bot.get('id', '?')})",
        renew=_(RENEW),
        notes=(_membership(adapter, http, bot.get("id"), chat),),
    )


def _membership(adapter: TelegramAdapter, http: Http, bot_id: Any, chat: int | str) -> Finding:
    name = adapter.channel.name
    try:
        member = adapter.call(
            http, "getChatMember", idempotent=True, json={"chat_id": chat, "user_id": bot_id}
        )
    except (Rejected, AuthFailed) as exc:  # 400 "chat not found", 403 "bot is not a member"
        return note(
            "chat",
            name,
            Status.error,
            _("the bot cannot see {chat}: {message}").format(chat=chat, message=exc.message),
            _("check chat: in the config; {make_admin}").format(make_admin=_(_MAKE_ADMIN)),
        )
    member = member if isinstance(member, Mapping) else {}
    status = str(member.get("status", ""))
    if status == "creator" or (
        status == "administrator" and member.get("can_post_messages") is not False
    ):
        return note(
            "chat",
            name,
            Status.ok,
            _("the bot is {status} of {chat}").format(status=status, chat=chat),
        )
    if status == "administrator":
        return note(
            "chat",
            name,
            Status.error,
            _("the bot is an administrator of {chat} without the right to post").format(chat=chat),
            _("in the channel's administrators, allow the bot to post messages"),
        )
    if status == "member":
        return note(
            "chat",
            name,
            Status.warning,
            _("the bot is a member of {chat}, not an administrator: a channel refuses it").format(
                chat=chat
            ),
            _(_MAKE_ADMIN),
        )
    return note(
        "chat",
        name,
        Status.error,
        _("the bot is {value} in {chat}").format(value=status or "not a member", chat=chat),
        _(_MAKE_ADMIN),
    )
