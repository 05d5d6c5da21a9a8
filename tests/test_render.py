from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from socialpub.content.config import Config, load_config
from socialpub.content.posts import load_post
from socialpub.models import Post, Variant
from socialpub.render.parts import visible_text
from socialpub.render.renderer import Renderer
from tests.conftest import Repo


def render(repo: Repo, text: str, channel: str) -> Variant:
    config = load_config(repo.config)
    post = load_one(config, text)
    return Renderer(config).variant(post, config.channels[channel])


def load_one(config: Config, text: str) -> Post:
    result = load_post(
        Path("posts/p.md"), text.encode(), timezone=ZoneInfo("Europe/Berlin"), default_lang="de"
    )
    assert result.post is not None, result.problems
    return result.post


BASIC = """\
---
id: a
title: Straße <gesperrt> & "umgeleitet"
link: https://landkreis-musterstadt.de/b27
tags: [Verkehr, Tag der offenen Tür]
---
Die **B 27** ist gesperrt. {{ 7*7 }} bleibt Text.
"""


def test_plain_default_layout(repo: Repo) -> None:
    variant = render(repo, BASIC, "mastodon")
    assert variant.text == (
        "Die B 27 ist gesperrt. {{ 7*7 }} bleibt Text.\n\n"
        "https://landkreis-musterstadt.de/b27\n\n#Verkehr #TagDerOffenenTür"
    )
    assert (
        variant.parts[0].length
        == len(variant.text) - len("https://landkreis-musterstadt.de/b27") + 23
    )


def test_telegram_escapes_title_and_counts_visible_text(repo: Repo) -> None:
    variant = render(repo, BASIC, "telegram")
    assert variant.text.startswith("<b>Straße &lt;gesperrt&gt; &amp; &#34;umgeleitet&#34;</b>")
    assert "<b>B 27</b>" in variant.text
    assert variant.parts[0].length == len(visible_text(variant.text).encode("utf-16-le")) // 2


def test_website_is_html_with_lang(repo: Repo) -> None:
    variant = render(repo, BASIC, "website")
    assert variant.text.startswith('<article lang="de">')
    assert "<strong>B 27</strong>" in variant.text
    assert "{{ 7*7 }}" in variant.text
    assert variant.limit == 0


def test_bluesky_facets_use_byte_offsets(repo: Repo) -> None:
    variant = render(repo, BASIC, "bluesky")
    data = variant.parts[0].text.encode()
    for facet in variant.parts[0].facets:
        piece = data[facet.byte_start : facet.byte_end].decode()
        assert facet.value in piece


def test_template_lookup_order(repo: Repo) -> None:
    (repo.root / "templates" / "mastodon.j2").write_text("TYPE {{ title }}")
    assert render(repo, BASIC, "mastodon").text.startswith("TYPE")
    (repo.root / "templates" / "mastodon.j2").unlink()
    repo.write_config(
        (repo.config.read_text()).replace(
            "  bluesky:",
            "  allgemein:\n    type: mastodon\n    instance: https://x.example\n  bluesky:",
        )
    )
    (repo.root / "templates" / "allgemein.j2").write_text("NAME {{ channel.name }}")
    (repo.root / "templates" / "mastodon.j2").write_text("TYPE")
    assert render(repo, BASIC, "allgemein").text == "NAME allgemein"
    assert render(repo, BASIC, "mastodon").text == "TYPE"
    (repo.root / "templates" / "special.j2").write_text("SPECIAL {{ body }}")
    text = BASIC.replace("---\nDie", "overrides:\n  mastodon: {template: special.j2}\n---\nDie")
    assert render(repo, text, "mastodon").text.startswith("SPECIAL Die")


def test_template_syntax_error_names_file_and_line(repo: Repo) -> None:
    template = repo.root / "templates" / "mastodon.j2"
    template.write_text("{{ body }}\n{% if %}\n")
    (problem,) = render(repo, BASIC, "mastodon").problems
    assert problem.code == "SP303"
    assert problem.file == str(template) and problem.line == 2


def test_undefined_value_names_file_and_line(repo: Repo) -> None:
    template = repo.root / "templates" / "mastodon.j2"
    template.write_text("{{ body }}\n\n{{ nonexistent.value }}\n")
    (problem,) = render(repo, BASIC, "mastodon").problems
    assert problem.code == "SP303"
    assert problem.file == str(template) and problem.line == 3
    assert "nonexistent" in problem.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ body.__class__.__init__.__globals__ }}",
        "{{ post.clear() }}",
    ],
)
def test_sandbox_blocks_unsafe_access(repo: Repo, source: str) -> None:
    (repo.root / "templates" / "mastodon.j2").write_text(source)
    variant = render(repo, BASIC, "mastodon")
    assert [p.code for p in variant.problems] == ["SP303"]


def test_long_text_becomes_numbered_thread(repo: Repo) -> None:
    body = "\n\n".join(f"Absatz {i}: " + "Sätze mit Umlauten äöü. " * 8 for i in range(6))
    text = f"---\nid: a\ntitle: T\nthread: true\n---\n{body}\n"
    variant = render(repo, text, "bluesky")
    assert variant.is_thread and variant.problems == ()
    total = len(variant.parts)
    for number, part in enumerate(variant.parts, start=1):
        assert part.length <= 300
        assert part.text.endswith(f"{number}/{total}")


def test_override_text_and_tags(repo: Repo) -> None:
    text = BASIC.replace(
        "---\nDie",
        "overrides:\n  mastodon: {text: Kurz., tags: [], link: https://k.example/x}\n---\nDie",
    )
    variant = render(repo, text, "mastodon")
    assert variant.text == "Kurz.\n\nhttps://k.example/x"


def test_thread_numbering_can_be_switched_off(repo: Repo) -> None:
    repo.write_config(
        repo.config.read_text().replace(
            "    type: bluesky\n", "    type: bluesky\n    thread_numbering: false\n"
        )
    )
    body = "\n\n".join("Ein Absatz mit einigen Wörtern darin. " * 4 for _ in range(5))
    variant = render(repo, f"---\nid: a\ntitle: T\nthread: true\n---\n{body}\n", "bluesky")
    assert variant.is_thread and variant.problems == ()
    assert not any(re.search(r" \d+/\d+$", part.text) for part in variant.parts)
    assert all(part.length <= 300 for part in variant.parts)


WHATSAPP_POST = """\
---
id: whatsapp-kanal
title: Der Landkreis auf WhatsApp
thread: true
link: https://www.landkreis-musterstadt.de/whatsapp
tags: [WhatsApp, LandkreisMusterstadt, Bürgerinformation]
---
Der Landkreis Musterstadt informiert ab sofort auch über einen eigenen WhatsApp-Kanal. Wer
ihn abonniert, erhält wichtige Meldungen direkt auf das Smartphone: Warnungen bei Unwetter und
Hochwasser, Hinweise zu Straßensperrungen und Neuigkeiten aus der Kreisverwaltung.

Das Abonnieren ist kostenlos und anonym. Andere Abonnentinnen und Abonnenten sehen weder Ihren
Namen noch Ihre Telefonnummer, und auch der Landkreis erhält keine persönlichen Daten. Sie
können den Kanal jederzeit wieder verlassen, ohne dass jemand davon erfährt. Nachrichten an den
Kanal sind nicht möglich. So geht es: Öffnen Sie WhatsApp und tippen Sie unten auf „Aktuelles“.
"""


@pytest.mark.parametrize("check_only", [False, True])
def test_thread_never_ends_with_a_part_of_hashtags(repo: Repo, check_only: bool) -> None:
    config = load_config(repo.config)
    post = load_one(config, WHATSAPP_POST)
    variant = Renderer(config, check_only=check_only).variant(post, config.channels["mastodon"])
    assert variant.problems == ()
    if check_only:
        return  # validation only proves the split, see test_examples
    texts = [part.text for part in variant.parts]
    assert len(texts) == 2
    assert texts[0].endswith("\n\n#WhatsApp #LandkreisMusterstadt #Bürgerinformation 1/2")
    assert texts[1].endswith("\n\nhttps://www.landkreis-musterstadt.de/whatsapp 2/2")
    assert all(part.length <= 500 for part in variant.parts)


@pytest.mark.parametrize("check_only", [False, True])
def test_hashtags_without_room_are_dropped_with_a_warning(repo: Repo, check_only: bool) -> None:
    places = "Nord Süd Ost West Mitte Neudorf Altheim Oberau Süderau Tannenhöh Hohenmühle"
    tags = [f"Kreisverwaltung{place}" for place in places.split()]  # 11 × 20: over 200
    text = WHATSAPP_POST.replace("tags: [WhatsApp, LandkreisMusterstadt, Bürgerinformation]", "")
    text = text.replace("thread: true", f"thread: true\noverrides:\n  bluesky: {{tags: {tags}}}")
    config = load_config(repo.config)
    post = load_one(config, text)
    variant = Renderer(config, check_only=check_only).variant(post, config.channels["bluesky"])
    (problem,) = variant.problems
    assert (problem.code, problem.severity.value, problem.field) == ("SP306", "warning", "bluesky")
    assert "#KreisverwaltungHohenmühle" in problem.message and "fewer" in problem.hint
    assert all(part.length <= 300 for part in variant.parts)
    # the first hashtags are kept (here in the last part), the others named in the warning
    posted = " ".join(part.text for part in variant.parts)
    kept = [tag for tag in tags if f"#{tag} " in posted]
    assert 0 < len(kept) < len(tags) and kept == tags[: len(kept)]
    assert problem.message.endswith(" ".join(f"#{tag}" for tag in tags[len(kept) :]) + ": left out")


OPENING_HOURS_POST = """\
---
id: buergerbuero
title: Neue Öffnungszeiten im Bürgerbüro
thread: true
tags: [WhatsApp, LandkreisOsterholz, Bürgerinformation]
link: https://www.landkreis-musterstadt.de/buergerbuero
---
Ab dem 1. Dezember öffnet das Bürgerbüro im Kreishaus montags bis freitags bereits um 7:30 Uhr.
Damit reagieren wir auf viele Wünsche von Berufstätigen, die vor der Arbeit ihre Anliegen
erledigen möchten. Termine können weiterhin online gebucht werden.

Am Donnerstag ist das Bürgerbüro zusätzlich bis 18 Uhr geöffnet. An diesem Tag sind auch die
Kfz-Zulassung und die Führerscheinstelle länger erreichbar. Bitte bringen Sie alle Unterlagen
vollständig mit, damit wir Ihr Anliegen zügig bearbeiten können.

Samstags bleibt das Bürgerbüro geschlossen. In dringenden Fällen erreichen Sie uns telefonisch
unter 01234 56-789 oder per E-Mail. Wir danken allen Bürgerinnen und Bürgern für ihr
Verständnis und freuen uns auf Ihren Besuch im Kreishaus.
"""


def test_paragraphs_stay_whole_even_when_the_hashtags_do_not_all_fit(repo: Repo) -> None:
    """Three paragraphs of ~260 graphemes for Bluesky's 300: three parts, each beginning with
    a paragraph (making room for the hashtags cut them, so parts began with the last sentence
    of the paragraph before); the hashtag that fits nowhere is left out with a warning."""
    config = load_config(repo.config)
    post = load_one(config, OPENING_HOURS_POST)
    variant = Renderer(config).variant(post, config.channels["bluesky"])
    starts = ("Ab dem 1. Dezember", "Am Donnerstag", "Samstags bleibt")
    assert len(variant.parts) == 3 and all(part.length <= 300 for part in variant.parts)
    for part, start in zip(variant.parts, starts, strict=True):
        assert part.text.startswith(start), part.text
    assert [p.code for p in variant.problems] == ["SP306"]
    assert "#WhatsApp #LandkreisOsterholz 1/3" in variant.parts[0].text


def test_channels_sharing_a_template_share_its_text_unless_it_reads_the_channel(
    repo: Repo,
) -> None:
    config = load_config(repo.config)
    post = load_one(config, BASIC)
    channels = {name: config.channels[name] for name in ("mastodon", "bluesky")}
    shared = Renderer(config).variants(post, channels)
    assert shared[0].parts[0].text == shared[1].parts[0].text  # plain.j2 for both
    (repo.root / "templates" / "plain-channel.j2").write_text("{{ channel.name }}: {{ body }}")
    text = BASIC.replace(
        "---\nDie",
        "overrides:\n  mastodon: {template: plain-channel.j2}\n"
        "  bluesky: {template: plain-channel.j2}\n---\nDie",
    )
    own = Renderer(config).variants(load_one(config, text), channels)
    assert [v.parts[0].text.split(":")[0] for v in own] == ["mastodon", "bluesky"]
    (repo.root / "templates" / "plain-channel.j2").write_text("{% set c = channel %}{{ c.type }}")
    typed = Renderer(config).variants(load_one(config, text), channels)
    assert [v.parts[0].text for v in typed] == ["mastodon", "bluesky"]
