"""One error tree for the whole tool; `socialpub.cli.common.guarded` maps it to exit codes in
one place.

Exit codes: 0 ok · 1 delivery failed · 2 usage error · 3 input error (config, posts,
templates) · 4 ledger error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socialpub.models import Problem

EXIT_OK = 0
EXIT_DELIVERY = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_LEDGER = 4


class SocialpubError(Exception):
    """Base of every error socialpub raises on purpose. Messages never contain secrets."""

    exit_code = EXIT_DELIVERY

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(SocialpubError):
    """The command line itself is wrong (unknown platform, bad option value)."""

    exit_code = EXIT_USAGE


class InputError(SocialpubError):
    """Something a press officer wrote is wrong: config, post, template.

    `problems` carries every finding (file, line, field, code) when there are several.
    """

    exit_code = EXIT_INPUT

    def __init__(
        self, message: str, *, hint: str | None = None, problems: Sequence[Problem] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.problems = tuple(problems)


class ConfigError(InputError):
    """The config file is missing or invalid."""


class ContentError(InputError):
    """A post file is invalid."""


class TemplateError(InputError):
    """A Jinja2 template is invalid or failed while rendering."""


class UnknownChannel(InputError):
    """A channel name that the config does not define."""


class DeliveryError(SocialpubError):
    """Sending to a platform failed.

    `status` is the HTTP status when the platform answered; `platform_error` its own name
    for the error when it gives one (atproto `RecordNotFound`, Telegram's description).
    """

    exit_code = EXIT_DELIVERY

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        platform_error: str = "",
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.platform_error = platform_error


class AuthFailed(DeliveryError):
    """Credentials were rejected (401/403)."""


class Rejected(DeliveryError):
    """The platform refused the content (4xx other than auth and rate limits)."""


class RateLimited(DeliveryError):
    """The platform asked us to slow down."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotReady(DeliveryError):
    """Something the post needs is not there yet (Instagram's photo not online before the
    website is deployed). Nothing was sent: the delivery waits for a later run, it has not
    failed."""


class Transient(DeliveryError):
    """A temporary failure (connection error, timeout, 5xx) that may be retried.

    `maybe_sent` is True when the request may have reached the platform (a timeout or a reset
    after sending, a 5xx, an unreadable answer): for a platform without idempotency, resending
    could duplicate the post, so the delivery becomes *unconfirmed* instead.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        maybe_sent: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(message, hint=hint, status=status)
        self.maybe_sent = maybe_sent


class LedgerError(SocialpubError):
    """The ledger could not be read or written."""

    exit_code = EXIT_LEDGER
