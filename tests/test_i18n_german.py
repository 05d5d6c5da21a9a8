"""A German press office's runs: `validate`, `preview`, `plan` and `publish --dry-run` in German.

The repository is what `socialpub init` makes (`ui_lang: de`) with an approved post, a draft and
a post with mistakes; the environment says English (SOCIALPUB_LANG=en): the config wins. The
runs must read as German sentences, with no English message left, while codes and `--json`
keys stay the same in both languages.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.clirepo import run_socialpub, write_post

PACKAGE = Path(__file__).resolve().parents[1] / "socialpub"
PO = PACKAGE / "locale" / "de" / "LC_MESSAGES" / "socialpub.po"
NOW = "2026-12-01T11:00"
ENV = {"MASTODON_TOKEN": "token-not-used", "SOCIALPUB_LANG": "en"}
#: English words of socialpub's messages that German output must not contain
ENGLISH = re.compile(
    r"\b(the|is|not|and|must|cannot|run|file|files|checked|errors?|warnings?|nothing|"
    r"shown|sent|untouched|unknown|did you mean|found|due now|only|approved posts|by)\b"
)


#: an approved post without approver, with a missing image without alt text and a typo'd key
MISTAKES = """\
---
id: fehlerhaft
title: Fehlerhaft
status: approved
channels: [mastodon]
media:
  - file: media/fehlt.png
tagz: [Kreis]
---
#tagderoffenentür im Landratsamt.
"""


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue() -> None:
    """The installed package's .mo, compiled again when the .po is newer (an edited .po
    without `make messages`)."""
    mo = PO.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= PO.stat().st_mtime:
        return
    with PO.open("rb") as source:
        catalogue = read_po(source, locale="de")
    with mo.open("wb") as target:
        write_mo(target, catalogue)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landkreis") / "repo"
    made = run_socialpub(root.parent, ["init", "repo"], ENV)
    assert made.returncode == 0, made.stderr
    assert "ui_lang: de" in (root / "socialpub.yaml").read_text(encoding="utf-8")
    write_post(
        root,
        "kreistag",
        "Der Kreistag tagt am 3. Dezember im Landratsamt.",
        ["mastodon", "website"],
        publish_at="2026-12-01T10:00",
    )
    (root / "posts" / "fehlerhaft.md").write_text(MISTAKES, encoding="utf-8")
    return root


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_socialpub(repo, args, ENV)


def messages(text: str) -> str:
    """`text` without what is not socialpub's own: the posts' German text, file names,
    codes, config keys in backticks, and the dry run's JSON payloads."""
    kept = []
    for line in text.splitlines():
        if line.startswith(("{", "}", " ", "──", "[", "]")) and not line.startswith("  posts/"):
            continue
        kept.append(line)
    shown = "\n".join(kept)
    shown = re.sub(r"`[^`]*`|'[^']*'|posts/\S+|media/\S+|SP\d{3}", " ", shown)
    return re.sub(r"\b(mastodon|website|kreistag|fehlerhaft|willkommen|draft)\b", " ", shown)


def assert_german(text: str) -> None:
    leaked = sorted(set(ENGLISH.findall(messages(text).lower())))
    assert not leaked, f"English in the German run: {leaked}\n{text}"


def test_validate_reads_german(repo: Path) -> None:
    done = run(repo, "validate")
    assert done.returncode == 3, done.stderr
    out = done.stdout
    assert "Fehler SP201 media/fehlt.png: Datei nicht gefunden (Prüfen Sie den Pfad" in out
    assert "Fehler SP102 unbekannter Schlüssel 'tagz' (meinten Sie 'tags'?)" in out
    assert "Warnung SP401 der freigegebene Beitrag nennt keine freigebende Person" in out
    assert "Schreiben Sie Hashtags aus mehreren Wörtern in CamelCase" in out
    assert "3 Dateien geprüft: 3 Fehler, 2 Warnungen" in done.stderr
    assert_german(out + done.stderr)


def test_preview_reads_german(repo: Path) -> None:
    done = run(repo, "preview")
    assert done.returncode == 3, done.stderr  # the post with mistakes
    out = done.stdout
    assert "48/500 Zeichen" in out
    assert "Seite: posts/kreistag/" in out
    assert "Alt-Text: KEIN ALT-TEXT" in out
    assert "· Entwurf" in out  # the example post from init
    assert "· freigegeben von Pressestelle · ab 01.12.2026 10:00" in out
    assert_german(out + done.stderr)


def test_plan_reads_german(repo: Path) -> None:
    done = run(repo, "plan", "--now", NOW)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"kreistag\s+mastodon\s+veröffentlichen\s+jetzt fällig", out), out
    assert "Status ist draft: nur freigegebene Beiträge gehen hinaus" in out
    assert re.search(r"fehlerhaft\s+mastodon\s+blockiert\s+ungültig: SP", out), out
    assert "6 Zustellungen: 2 blockiert, 2 veröffentlichen" in done.stderr or re.search(
        r"\d Zustellungen: \d blockiert, \d veröffentlichen", done.stderr
    )
    assert_german(out + done.stderr)


def test_publish_dry_run_reads_german(repo: Path) -> None:
    done = run(repo, "publish", "--dry-run", "--now", NOW)
    assert done.returncode == 3, done.stderr  # the approved post with mistakes is refused
    err = done.stderr
    assert "Fehler: Beitrag fehlerhaft ist freigegeben, aber ungültig: nicht veröffentlicht" in err
    assert "Probelauf: 2 Nutzdaten gezeigt, nichts gesendet, Protokoll unverändert" in err
    assert '"status": "Der Kreistag tagt am 3. Dezember im Landratsamt."' in done.stdout
    assert_german(done.stdout + err)


def test_a_config_error_is_german_too(repo: Path, tmp_path: Path) -> None:
    """A broken config is reported in the language its own `ui_lang` asks for."""
    config = tmp_path / "socialpub.yaml"
    config.write_text("ui_lang: de\ntimezone: Mond/Krater\nchannels: {}\n", encoding="utf-8")
    done = run(repo, "validate", "--config", str(config))
    assert done.returncode == 3
    shown = done.stdout + done.stderr
    assert "Fehler SP506 unbekannte Zeitzone 'Mond/Krater' (Verwenden Sie einen IANA-Namen" in shown


def test_json_keeps_its_keys_and_codes_in_both_languages(repo: Path) -> None:
    german = json.loads(run(repo, "validate", "--format", "json").stdout)
    english_repo = repo.parent / "english"
    english_repo.mkdir(exist_ok=True)
    text = (repo / "socialpub.yaml").read_text(encoding="utf-8")
    config = repo / "socialpub-en.yaml"
    config.write_text(text.replace("ui_lang: de", "ui_lang: en"), encoding="utf-8")
    english = json.loads(run(repo, "validate", "--format", "json", "--config", str(config)).stdout)
    assert [sorted(p) for p in german] == [sorted(p) for p in english]
    assert [p["code"] for p in german] == [p["code"] for p in english]
    by_code = {p["code"]: p for p in english}
    assert by_code["SP201"]["message"] == "media/fehlt.png: file not found"
    assert {p["code"]: p["message"] for p in german}["SP201"] == (
        "media/fehlt.png: Datei nicht gefunden"
    )


def test_help_follows_socialpub_lang(repo: Path) -> None:
    """Help is printed before any config is read: SOCIALPUB_LANG (else the locale) decides."""
    done = run_socialpub(repo, ["validate", "--help"], ENV | {"SOCIALPUB_LANG": "de"})
    assert "Beiträge prüfen und jedes Problem mit Datei, Zeile und Code melden." in done.stdout
    assert "Auch bei Warnungen fehlschlagen." in done.stdout


DOCTOR_CONFIG = (
    "ui_lang: de\ntimezone: Europe/Berlin\nchannels:\n"
    "  website:\n    type: website\n    base_url: https://www.landkreis.example\n"
    "  xing:\n    type: xing\n    profile_url: https://www.xing.com/pages/landkreis\n"
)


def test_doctor_reads_german(tmp_path: Path) -> None:
    """Channels without a network (a website, a posting kit), a ledger file not committed."""
    root = tmp_path / "repo"
    (root / ".socialpub" / "ledger" / "kreistag").mkdir(parents=True)
    (root / "posts").mkdir()
    (root / "socialpub.yaml").write_text(DOCTOR_CONFIG, encoding="utf-8")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    (root / ".socialpub" / "ledger" / "kreistag" / "website.json").write_text("{}\n")
    done = run(root, "doctor")
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "socialpub.yaml: 2 Kanäle" in out
    assert "site/ ist beschreibbar" in out
    assert "keine API: publish schreibt ein Posting-Paket" in out
    assert re.search(r"Fehler\s+-\s+ledger\s+1 Protokolldatei nicht committet", out), out
    assert "Lösung: git add .socialpub/ledger && git commit -m 'socialpub: ledger' (oder" in out
    assert out.splitlines()[-1] == (
        "das Veröffentlichen wird nicht funktionieren: 1 Fehler, 0 Warnungen"
    )
    assert_german(out + done.stderr)
    report = json.loads(run(root, "doctor", "--json").stdout)
    assert set(report) == {"ok", "checks"}
    assert [f["status"] for f in report["checks"]] == ["ok", "ok", "ok", "error"]  # not German
    assert {"check", "channel", "status", "detail", "fix"} == set(report["checks"][0])
    assert report["checks"][-1]["detail"] == "1 Protokolldatei nicht committet"  # the language
