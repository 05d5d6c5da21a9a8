"""Channels without a posting API (Xing, WhatsApp Channels, any `manual` one): a posting kit.

Publishing writes a kit instead of a request: the exact text, the images without metadata,
their alt texts, the link and a short checklist, in `.socialpub/state/kits/<post>/<channel>/`
(private state: git-ignored). The delivery then waits in the ledger state `manual` until a
person has posted it by hand and run `socialpub confirm` with the URL of the copy.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from socialpub.channels.adapter import Adapter, Progress, media_files
from socialpub.content.textfile import atomic_write
from socialpub.errors import ContentError, Rejected, UsageError
from socialpub.i18n import _
from socialpub.models import MediaFile, Payload, Receipt, Sent, Variant
from socialpub.net.images import clean_image
from socialpub.specs import IMAGE_KINDS, MANUAL, WHATSAPP_CHANNEL, XING, ChannelSpec

if TYPE_CHECKING:
    from socialpub.net.http import Http

KITS_DIR = Path(".socialpub") / "state" / "kits"
TEXT_FILE = "text.txt"
CHECKLIST_FILE = "CHECKLIST.md"
#: a kit image is what a person uploads by hand: keep it well below every platform's limit
IMAGE_MAX_BYTES = 5_000_000


def kit_folder(root: Path, post_id: str, channel: str) -> Path:
    return root / KITS_DIR / post_id / channel


class KitAdapter(Adapter):
    """Writes the posting kit; `confirm` records the copy a person posted."""

    spec: ClassVar[ChannelSpec] = MANUAL
    idempotent: ClassVar[bool] = True  # writing a kit twice leaves one kit
    uses_network: ClassVar[bool] = False
    #: where the posted copy lives (None: the channel's `host` setting)
    host: ClassVar[str | None] = None

    @property
    def platform_host(self) -> str:
        return self.host or str(self.channel.settings.get("host") or "")

    @property
    def where(self) -> str:
        """Where to post it, for the checklist."""
        for setting in ("profile_url", "channel_url"):
            if self.channel.settings.get(setting):
                return str(self.channel.settings[setting])
        return f"https://{self.platform_host}/"

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        media = media_files(variant)
        folder = KITS_DIR / variant.post_id / variant.channel
        message = {
            "endpoint": f"WRITE {folder.as_posix()}/",
            "body": {"text": variant.text, "link": variant.link or "", "where": self.where},
        }
        return Payload(variant.channel, self.key, variant.post_id, key, (message,), media)

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        if not progress.sent:
            progress.before(0)
            progress.after(0, self._write(payload))
        return Receipt(progress.sent)

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        """The post changed before anyone posted it: the kit is written again."""
        return Receipt((self._write(payload),))

    def delete(self, http: Http, receipt: Receipt) -> None:
        """Cancel: the kit goes. A copy already posted by hand is removed there by hand."""
        for sent in receipt.sent:
            if sent.refs.get("kit"):
                shutil.rmtree(self.root / str(sent.refs["kit"]), ignore_errors=True)

    def check_url(self, url: str) -> None:
        """`confirm` accepts only an https address on the platform's host."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        expected = self.platform_host.lower()
        on_host = host == expected or host.endswith("." + expected)
        if parts.scheme != "https" or not on_host or parts.username or parts.password:
            raise UsageError(
                _(
                    "{url!r} is not the address of a post on {title}: it must start with "
                    "https:// and be on {expected}"
                ).format(url=url, title=self.spec.title, expected=expected),
                hint=_(
                    "open the post on {expected}, copy its address from the browser or the share "
                    "menu, and run confirm again"
                ).format(expected=expected),
            )

    def _write(self, payload: Payload) -> Sent:
        folder = kit_folder(self.root, payload.post_id, payload.channel)
        if folder.exists():
            shutil.rmtree(folder)  # a rewritten kit keeps no image of an older version
        body = payload.messages[0]["body"]
        text, link = str(body["text"]), str(body["link"])
        files = [self._media_file(folder, n, m) for n, m in enumerate(payload.media, 1)]
        atomic_write(folder / TEXT_FILE, (text + "\n").encode("utf-8"))
        checklist = self._checklist(payload, link, files)
        atomic_write(folder / CHECKLIST_FILE, checklist.encode("utf-8"))
        kit = folder.relative_to(self.root).as_posix()
        return Sent(id=kit, refs={"kit": kit})

    def _media_file(self, folder: Path, number: int, media: MediaFile) -> str:
        source = self.root / media.file
        if media.kind in IMAGE_KINDS:
            try:
                image = clean_image(source, max_bytes=IMAGE_MAX_BYTES)
            except ContentError as exc:
                raise Rejected(exc.message, hint=exc.hint) from None
            name = f"{number}.{'png' if image.mime == 'image/png' else 'jpg'}"
            atomic_write(folder / name, image.data)
            return name
        name = f"{number}{source.suffix.lower()}"
        try:
            atomic_write(folder / name, source.read_bytes())
        except OSError as exc:
            raise Rejected(
                _("{file}: cannot read it ({strerror})").format(
                    file=media.file, strerror=exc.strerror
                )
            ) from None
        return name

    def _checklist(self, payload: Payload, link: str, files: list[str]) -> str:
        confirm = _("socialpub confirm {post_id} --channel {channel} --url URL").format(
            post_id=payload.post_id, channel=payload.channel
        )
        steps = [
            f"Open {self.where} and start a new post.",
            f"Paste the whole of `{TEXT_FILE}` unchanged (it was counted for this platform).",
        ]
        for name, media in zip(files, payload.media, strict=True):
            steps.append(
                _("Attach `{name}`; alt text / description: {value}").format(
                    name=name, value=media.alt or "(none)"
                )
            )
        if link:
            steps.append(_("Check that the link works: {link}").format(link=link))
        steps += [
            "Post it, open the post and copy its address (https://…).",
            f"Record it: `{confirm}`",
        ]
        lines = [f"# {payload.post_id} → {payload.channel} ({self.spec.title})", ""]
        lines += [f"{number}. {step}" for number, step in enumerate(steps, 1)]
        lines += [
            "",
            "If the post changes before then, `socialpub publish` writes this kit again:",
            "post the new version only.",
        ]
        return "\n".join(lines) + "\n"


class XingAdapter(KitAdapter):
    spec = XING
    host = "xing.com"


class WhatsAppChannelAdapter(KitAdapter):
    spec = WHATSAPP_CHANNEL
    host = "whatsapp.com"


ADAPTER = KitAdapter
ADAPTER_FOR: dict[str, type[KitAdapter]] = {
    "xing": XingAdapter,
    "whatsapp_channel": WhatsAppChannelAdapter,
    "manual": KitAdapter,
}
