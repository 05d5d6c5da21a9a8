"""The county's own website: an accessible archive of every post (no length limit).

Publishing to it means: `socialpub site build` has written the post's page. The adapter only
checks that the page exists and records its URL in the ledger; `socialpub publish` builds the
site before its deliveries (so due pages exist) and after them (so "Auch auf" is current).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from socialpub.channels.adapter import Adapter, Progress
from socialpub.content.config import site_folder, site_page, site_url
from socialpub.errors import Rejected
from socialpub.i18n import _
from socialpub.models import Payload, Receipt, Sent, Variant
from socialpub.specs import WEBSITE

if TYPE_CHECKING:
    from socialpub.net.http import Http


class WebsiteAdapter(Adapter):
    spec = WEBSITE
    idempotent: ClassVar[bool] = True  # writing a page twice leaves one page
    uses_network: ClassVar[bool] = False

    def page(self, post_id: str) -> str:
        """The page's path inside the site folder."""
        return site_page(post_id) + "index.html"

    def url(self, post_id: str) -> str:
        return site_url(self.channel, post_id)

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        message = {
            "endpoint": f"WRITE {self.page(variant.post_id)}",
            "body": {"url": self.url(variant.post_id), "html": variant.text},
        }
        return Payload(variant.channel, self.key, variant.post_id, key, (message,))

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        if not progress.sent:
            progress.before(0)
            progress.after(0, self._written(payload.post_id))
        return Receipt(progress.sent)

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        return Receipt((self._written(payload.post_id),))  # the build rewrote the page

    def _written(self, post_id: str) -> Sent:
        out_dir = site_folder(self.root, self.channel)
        if not (out_dir / self.page(post_id)).is_file():
            raise Rejected(
                _("{name}: the site has no page for {post_id} in {out_dir}").format(
                    name=self.channel.name, post_id=post_id, out_dir=out_dir
                ),
                hint=_("run `socialpub site build`, then publish again"),
            )
        return Sent(id=post_id, url=self.url(post_id))


ADAPTER = WebsiteAdapter
