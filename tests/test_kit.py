"""The posting kit's pieces without a command line: the adapter (pure prepare, the kit on
disk, the URL check), plan's `manual` rules, the engine's records and `confirm`."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from socialpub.channels.adapter import adapter_class
from socialpub.channels.kit import KitAdapter, WhatsAppChannelAdapter, XingAdapter, kit_folder
from socialpub.content.config import Config, load_config
from socialpub.content.posts import load_post
from socialpub.content.scaffold import init_repo
from socialpub.errors import ConfigError, UsageError
from socialpub.models import Post, Receipt
from socialpub.net.http import Http
from socialpub.publishing.confirm import confirm, waiting
from socialpub.publishing.engine import Engine, Outcome, Result
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.plan import Action, Delivery, Target, plan_delivery
from socialpub.render.renderer import Renderer
from tests.adapterkit import T0, FakeClock, MemoryProgress, make_http
from tests.conftest import Repo

CONFIG = """\
timezone: Europe/Berlin
lang: de
channels:
  xing:
    type: xing
  wa:
    type: whatsapp_channel
  blatt:
    type: manual
    host: amtsblatt.example
    max_characters: 120
"""
ZONE = ZoneInfo("Europe/Berlin")
TEXT = "Das Bürgerbüro hat am Freitag geschlossen."


@pytest.fixture
def config(repo: Repo) -> Config:
    repo.write_config(CONFIG)
    return load_config(repo.config)


def load(repo: Repo, body: str = TEXT) -> Post:
    path = repo.post(
        "buero.md",
        "---\nid: buero\ntitle: Bürgerbüro\nstatus: approved\n"
        f"channels: [xing, wa, blatt]\nlink: https://landkreis.example/buero\n---\n{body}\n",
    )
    post = load_post(path, path.read_bytes(), timezone=ZONE, default_lang="de").post
    assert post is not None
    return post


def adapters(config: Config) -> dict[str, KitAdapter]:
    found: dict[str, KitAdapter] = {}
    for name, channel in config.channels.items():
        cls = adapter_class(channel.type)
        assert cls is not None and issubclass(cls, KitAdapter)
        found[name] = cls(channel, config.root, config.root / ".socialpub" / "state")
    return found


def deliveries(config: Config, post: Post, ledger: Ledger) -> list[Delivery]:
    found = []
    for name, channel in config.channels.items():
        variant = Renderer(config).variant(post, channel)
        target = Target(channel, True, True)
        found.append(plan_delivery(post, variant, target, ledger.get(post.id, name), T0))
    return found


def engine(config: Config, ledger: Ledger) -> tuple[Engine, list[Outcome]]:
    outcomes: list[Outcome] = []

    def connect(name: str) -> Http:  # a kit sends nothing: any request would answer 500
        return make_http(httpx.MockTransport(lambda r: httpx.Response(500)), {})

    clock = FakeClock().clock()
    return Engine(config, ledger, adapters(config), connect, clock, outcomes.append), outcomes


def test_each_type_has_its_adapter_and_host() -> None:
    assert adapter_class("xing") is XingAdapter
    assert adapter_class("whatsapp_channel") is WhatsAppChannelAdapter
    assert adapter_class("manual") is KitAdapter
    assert not XingAdapter.spec.capabilities.api and XingAdapter.uses_network is False


def test_prepare_is_pure_and_names_the_kit(config: Config, repo: Repo) -> None:
    post = load(repo)
    variant = Renderer(config).variant(post, config.channels["xing"])
    adapter = adapters(config)["xing"]
    first = adapter.prepare(variant, "k", created_at=T0)
    assert first == adapter.prepare(variant, "k", created_at=T0 + timedelta(days=1))
    (message,) = first.messages
    assert message["endpoint"] == "WRITE .socialpub/state/kits/buero/xing/"
    assert message["body"]["text"] == variant.text
    assert message["body"]["link"] == "https://landkreis.example/buero"
    assert not kit_folder(repo.root, "buero", "xing").exists()  # prepare wrote nothing


def test_send_writes_the_kit_with_write_ahead(config: Config, repo: Repo) -> None:
    post = load(repo)
    variant = Renderer(config).variant(post, config.channels["wa"])
    adapter = adapters(config)["wa"]
    progress = MemoryProgress()
    http = make_http(httpx.MockTransport(lambda r: httpx.Response(500)), {})
    receipt = adapter.send(adapter.prepare(variant, "k", created_at=T0), http, progress)
    assert progress.events == [("before", 0), ("after", 0)]
    kit = kit_folder(repo.root, "buero", "wa")
    assert (kit / "text.txt").read_text(encoding="utf-8") == variant.text + "\n"
    checklist = (kit / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "socialpub confirm buero --channel wa --url URL" in checklist
    assert receipt.sent[0].refs["kit"] == ".socialpub/state/kits/buero/wa"
    adapter.delete(http, receipt)
    assert not kit.exists()


@pytest.mark.parametrize(
    ("adapter_name", "url", "ok"),
    [
        ("xing", "https://www.xing.com/pages/kreis/posts/1", True),
        ("xing", "https://xing.com/p/1", True),
        ("xing", "http://www.xing.com/p/1", False),
        ("xing", "https://notxing.com/p/1", False),
        ("xing", "https://user:pw@www.xing.com/p/1", False),
        ("wa", "https://whatsapp.com/channel/0029Va/12", True),
        ("wa", "https://www.whatsapp.com.example/channel/1", False),
        ("blatt", "https://amtsblatt.example/2026/1", True),
        ("blatt", "https://www.xing.com/p/1", False),
        ("blatt", "ftp://amtsblatt.example/1", False),
    ],
)
def test_confirm_urls_must_be_https_on_the_platform(
    config: Config, adapter_name: str, url: str, ok: bool
) -> None:
    adapter = adapters(config)[adapter_name]
    if ok:
        adapter.check_url(url)
    else:
        with pytest.raises(UsageError, match="is not the address of a post"):
            adapter.check_url(url)


def test_the_manual_limit_setting_counts_the_variant(config: Config, repo: Repo) -> None:
    post = load(repo, "Sehr lange Meldung. " * 10)
    variant = Renderer(config).variant(post, config.channels["blatt"])
    assert variant.limit == 120
    assert any("120" in p.message for p in variant.problems)


def test_engine_records_manual_never_failed_and_plan_waits(config: Config, repo: Repo) -> None:
    post = load(repo)
    ledger = Ledger(repo.root)
    run, outcomes = engine(config, ledger)
    planned = deliveries(config, post, ledger)
    assert {d.action for d in planned} == {Action.PUBLISH}
    run.run(planned)
    assert {o.result for o in outcomes} == {Result.MANUAL}
    for name in config.channels:
        record = ledger.get("buero", name)
        assert record is not None and record.state is State.MANUAL
        assert record.history[-1][1] == "kit written" and not record.url
    assert {r.channel for r in waiting(ledger)} == {"xing", "wa", "blatt"}
    again = deliveries(config, post, ledger)
    assert {d.action for d in again} == {Action.MANUAL}
    assert not any(d.action.sends for d in again)
    assert "socialpub confirm buero --channel xing --url URL" in again[0].reason


def test_a_changed_post_rewrites_the_kit(config: Config, repo: Repo) -> None:
    ledger = Ledger(repo.root)
    run, outcomes = engine(config, ledger)
    run.run(deliveries(config, load(repo), ledger))
    changed = load(repo, "Das Bürgerbüro hat am Freitag und Samstag geschlossen.")
    planned = deliveries(config, changed, ledger)
    assert {d.action for d in planned} == {Action.EDIT}
    assert "changed since the kit was written" in planned[0].reason
    run.run(planned)
    assert outcomes[-1].result is Result.MANUAL
    text = (kit_folder(repo.root, "buero", "xing") / "text.txt").read_text(encoding="utf-8")
    assert "Samstag" in text
    record = ledger.get("buero", "xing")
    assert record is not None and record.state is State.MANUAL
    assert record.history[-1][1] == "kit rewritten"
    (after, *_) = deliveries(config, changed, ledger)
    assert after.action is Action.MANUAL and "kit rewritten after a change" in after.reason


def test_confirm_records_url_and_confirmer_and_survives_the_ledger(
    config: Config, repo: Repo
) -> None:
    ledger = Ledger(repo.root)
    run, _ = engine(config, ledger)
    run.run(deliveries(config, load(repo), ledger))
    url = "https://www.xing.com/pages/kreis/posts/7"
    at = T0 + timedelta(hours=2)
    record = confirm(ledger, adapters(config)["xing"], "buero", "xing", url, "Erika", at)
    stored = ledger.get("buero", "xing")
    assert stored == record
    assert stored.state is State.PUBLISHED and stored.url == url
    assert stored.confirmed_by == "Erika" and stored.published_at == at
    assert Record.from_json(stored.to_json()) == stored
    with pytest.raises(UsageError, match="is published, not waiting"):
        confirm(ledger, adapters(config)["xing"], "buero", "xing", url, "Erika", at)
    with pytest.raises(UsageError, match="pass --by"):
        confirm(ledger, adapters(config)["wa"], "buero", "wa", "https://whatsapp.com/c/1", "", at)
    (done, *_) = deliveries(config, load(repo), ledger)
    assert done.action is Action.DONE


def test_a_confirmed_post_changed_afterwards_is_blocked(config: Config, repo: Repo) -> None:
    ledger = Ledger(repo.root)
    run, _ = engine(config, ledger)
    run.run(deliveries(config, load(repo), ledger))
    url = "https://xing.com/p/1"
    confirm(ledger, adapters(config)["xing"], "buero", "xing", url, "Erika", T0)
    (changed, *_) = deliveries(config, load(repo, "Ganz anderer Text."), ledger)
    assert changed.action is Action.BLOCKED and "cannot edit" in changed.reason


def test_a_kit_record_without_confirmer_reads_as_before(tmp_path: Path) -> None:
    record = Record("p", "xing", "xing", State.MANUAL, "k", "r", T0, T0)
    data = record.to_json()
    del data["confirmed_by"]  # a record written before the field existed
    assert Record.from_json(data) == record
    assert dataclasses.replace(record, confirmed_by="x").to_json()["confirmed_by"] == "x"


def test_delete_of_a_waiting_kit(config: Config, repo: Repo) -> None:
    ledger = Ledger(repo.root)
    run, _ = engine(config, ledger)
    run.run(deliveries(config, load(repo), ledger))
    record = ledger.get("buero", "blatt")
    assert record is not None
    adapters(config)["blatt"].delete(run.http("blatt"), Receipt(record.sent))
    assert not kit_folder(repo.root, "buero", "blatt").exists()
    assert kit_folder(repo.root, "buero", "xing").exists()


def test_a_manual_channel_needs_a_host(repo: Repo) -> None:
    repo.write_config("timezone: Europe/Berlin\nchannels:\n  blatt:\n    type: manual\n")
    with pytest.raises(ConfigError, match="host"):
        load_config(repo.config)


def test_init_ignores_the_kits(tmp_path: Path) -> None:
    init_repo(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    kit = kit_folder(tmp_path, "buero", "xing") / "text.txt"
    done = subprocess.run(
        ["git", "check-ignore", "-q", str(kit)], cwd=tmp_path, check=False, capture_output=True
    )
    assert done.returncode == 0  # 0: ignored
