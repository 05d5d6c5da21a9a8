"""Meta signs every webhook POST: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the
raw body with the app's secret. Only a body with a matching signature is read at all."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends with `body`."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is Meta's signature of `body`; compared in constant time."""
    if not header or not header.startswith(_PREFIX):
        return False
    return hmac.compare_digest(sign(body, app_secret).encode(), header.strip().encode())
