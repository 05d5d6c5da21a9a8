"""WhatsApp broadcast to the county's subscribers, through its subscriber service.

Publishing never sees a phone number: the adapter hands the post to the service
(`PUT {service_url}/broadcasts/{key}`), which snapshots the active subscribers and fans the
approved template out to them on its own; the ledger keeps the counts the service reports.

One message per variant part: part 1 is the broadcast under the delivery key. A correction
reply (`corrections: {channels: {whatsapp: reply}}`) adds parts, each its own broadcast under
`<key>-<n>`: WhatsApp cannot delete or edit what subscribers received, so a correction is a
new broadcast. The PUT is idempotent by key (the same key and body change nothing), so a
retry can never send twice; `lookup()` asks `GET /broadcasts/{key}`.

Before the first broadcast `send()` asks the service for the account's templates and refuses
when the configured one is known not to be APPROVED: nothing reaches the service then.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub import specs
from socialpub.channels import whatsapp_service as service
from socialpub.channels import whatsapp_template as template
from socialpub.channels.adapter import Adapter, Lookup, Progress
from socialpub.content.whatsappconfig import read_whatsapp
from socialpub.errors import Rejected
from socialpub.i18n import _
from socialpub.models import Payload, Problem, Receipt, Sent, Variant

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig
    from socialpub.net.http import Http

_NO_DELETE = (
    "WhatsApp cannot delete a message already delivered to subscribers; publish a correction "
    "(socialpub correct), which goes out as a new broadcast"
)


class WhatsAppAdapter(Adapter):
    spec = specs.WHATSAPP
    idempotent = True  # PUT /broadcasts/{key}: the same key never broadcasts twice
    refreshes = True  # the counts grow after publish: `status --refresh`
    default_rate = (60, 60.0)  # requests to the service; its own pacing is `server.rate`

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        self.settings = read_whatsapp(channel)

    def check(self, variant: Variant) -> list[Problem]:
        return template.problems(variant, self.settings.template.parameters)

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,  # never set: the service sends when it gets it
    ) -> Payload:
        messages = tuple(
            self._broadcast(variant, index, key if index == 0 else f"{key}-{index}")
            for index in range(max(1, len(variant.parts)))
        )
        return Payload(variant.channel, self.key, variant.post_id, key, messages)

    def _broadcast(self, variant: Variant, index: int, key: str) -> dict[str, Any]:
        chosen = self.settings.template
        text = variant.parts[index].text if variant.parts else ""
        body = {
            "post": variant.post_id,
            "channel": variant.channel,
            "template": {
                "name": chosen.name,
                "language": chosen.language,
                "parameters": template.parameter_values(variant, chosen.parameters, index),
            },
            "text": text,
        }
        return {"endpoint": f"PUT /broadcasts/{key}", "body": body}

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        done = list(progress.sent)
        if len(done) < len(payload.messages):
            self._require_approved(http)
        for index in range(len(done), len(payload.messages)):
            message = payload.messages[index]
            key = _key(message)
            progress.before(index)
            response = http.request(
                "PUT",
                self._url(key),
                idempotent=True,
                read_error=service.error_reader(http),
                headers=service.headers(http),
                json=message["body"],
            )
            done.append(Sent(id=key, refs=service.progress_refs(http.json(response), http.channel)))
            progress.after(index, done[-1])
        return Receipt(tuple(done))

    def _require_approved(self, http: Http) -> None:
        """Refuse before any broadcast when the template is known not to be usable."""
        why = service.approval_problem(service.templates(http, self.settings), self.settings)
        if why:
            hint = (
                "see `socialpub whatsapp templates`; wait for Meta's approval or configure another"
            )
            raise Rejected(
                _("{name}: {why}: nothing was sent").format(name=self.channel.name, why=why),
                hint=hint,
            )

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        for index in range(len(progress.sent), len(payload.messages)):
            key = _key(payload.messages[index])
            answer = self.progress(http, key)
            if answer is None:
                return Lookup.ABSENT
            progress.after(index, Sent(id=key, refs=answer))
        return Lookup.FOUND

    def progress(self, http: Http, key: str) -> dict[str, Any] | None:
        """The counts of broadcast `key` (None: the service has no such broadcast)."""
        try:
            response = http.request(
                "GET",
                self._url(key),
                idempotent=True,
                read_error=service.error_reader(http),
                headers=service.headers(http),
            )
        except Rejected as exc:
            if exc.status == 404:
                return None
            raise
        return service.progress_refs(http.json(response), http.channel)

    def refresh(self, http: Http, receipt: Receipt) -> Receipt:
        """The receipt with each broadcast's counts as the service reports them now."""
        fresh = []
        for sent in receipt.sent:
            counts = self.progress(http, sent.id)
            fresh.append(Sent(sent.id, sent.url, counts) if counts is not None else sent)
        return Receipt(tuple(fresh), receipt.scheduled)

    def delete(self, http: Http, receipt: Receipt) -> None:
        raise Rejected(f"{self.channel.name}: {_NO_DELETE}", hint=_("socialpub correct POST"))

    def _url(self, key: str) -> str:
        return f"{self.settings.service_url}/broadcasts/{key}"


ADAPTER = WhatsAppAdapter


def _key(message: Any) -> str:
    return str(message["endpoint"]).rsplit("/", 1)[-1]
