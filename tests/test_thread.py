"""Thread splitting: limits, boundaries, entities and grapheme clusters."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from socialpub.errors import ContentError
from socialpub.render.counting import find_entities, length_function
from socialpub.render.counting.entities import Flavor
from socialpub.render.thread import Thread, build_thread, split_thread
from socialpub.render.threadcheck import surely_splittable

GRAPHEME = regex.compile(r"\X")
SUFFIX = re.compile(r" (\d+)/(\d+)$")


def graphemes(text: str) -> int:
    return len(GRAPHEME.findall(text))


def bodies(parts: list[str]) -> list[str]:
    """The parts without their " i/n" suffix, checking the numbering on the way."""
    found = []
    for index, part in enumerate(parts, start=1):
        match = SUFFIX.search(part)
        assert match, part
        assert (int(match[1]), int(match[2])) == (index, len(parts))
        found.append(part[: match.start()])
    return found


def spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Where each piece lies in text; pieces are in order and never overlap."""
    located = []
    position = 0
    for piece in pieces:
        start = text.index(piece, position)
        located.append((start, start + len(piece)))
        position = start + len(piece)
    return located


def cluster_bounds(text: str) -> set[int]:
    bounds = {0}
    for match in GRAPHEME.finditer(text):
        bounds.add(match.end())
    return bounds


# --- unit tests --------------------------------------------------------------------------------


def test_text_that_fits_is_returned_unchanged() -> None:
    text = "  Kurz und gut.\n\n"
    assert split_thread(text, 280, len) == [text]


def test_limit_below_ten_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        split_thread("egal", 9, len)


def test_numbering_format() -> None:
    text = "Erster Satz hier. Zweiter Satz dort. Dritter Satz da."
    assert split_thread(text, 22, len) == [
        "Erster Satz hier. 1/3",
        "Zweiter Satz dort. 2/3",
        "Dritter Satz da. 3/3",
    ]


def test_without_numbering() -> None:
    text = "Erster Satz hier. Zweiter Satz dort. Dritter Satz da."
    assert split_thread(text, 20, len, numbering=False) == [
        "Erster Satz hier.",
        "Zweiter Satz dort.",
        "Dritter Satz da.",
    ]


def test_suffix_width_grows_with_part_count() -> None:
    text = " ".join(f"Wort{i:02d}" for i in range(60))
    parts = split_thread(text, 20, len)
    assert len(parts) >= 10
    assert all(len(part) <= 20 for part in parts)
    assert parts[0].endswith(f" 1/{len(parts)}")
    assert " ".join(bodies(parts)).split() == text.split()


def test_paragraph_preferred_to_sentence() -> None:
    text = (
        "Erster Absatz mit einigen Worten hier.\n\n"
        "Zweiter Absatz. Er ist lang genug, damit er nicht mehr passt."
    )
    parts = split_thread(text, 60, len)
    assert parts[0] == "Erster Absatz mit einigen Worten hier. 1/3"


def test_sentence_preferred_to_word() -> None:
    text = "Das ist der erste Satz hier. Und dann kommen weitere Worte ohne Ende bis zum Schluss"
    parts = split_thread(text, 50, len)
    assert parts[0] == "Das ist der erste Satz hier. 1/3"


def test_line_break_preferred_to_word() -> None:
    text = "📍 Ort: Rathausplatz in Musterstadt\n🕒 Zeit: Montag ab acht Uhr morgens bis abends"
    parts = split_thread(text, 50, len)
    assert parts[0] == "📍 Ort: Rathausplatz in Musterstadt 1/2"


def test_short_heading_paragraph_does_not_make_its_own_part() -> None:
    text = "Titel\n\nDas ist ein langer Satz, der weitergeht und weitergeht und weitergeht."
    parts = split_thread(text, 50, len)
    assert parts[0].startswith("Titel\n\nDas ist")
    assert all(len(part) <= 50 for part in parts)


@pytest.mark.parametrize(
    "text",
    [
        "Die Sperrung der Kreisstraße beginnt am 24. November um acht Uhr in der Früh und "
        "dauert voraussichtlich bis Weihnachten.",
        "Bitte beachten Sie die ausgeschilderte Umleitung, z. B. über die Nebenstraße im "
        "Ortsteil Nord und weiter nach Süden.",
        "Betroffen sind die Anwesen in der Bahnhofstr. Nr. 5 bis Nr. 17 im Ortskern und "
        "weitere Häuser am Marktplatz.",
        "Zum Fest kommen ca. Dreihundert Gäste, bzw. Vierhundert bei gutem Wetter am "
        "Sonntag auf den Marktplatz.",
    ],
)
def test_abbreviations_and_ordinals_do_not_end_sentences(text: str) -> None:
    # If any of them counted as a sentence end, it would win over the farther word break.
    parts = split_thread(text, 70, len)
    assert len(parts[0]) >= 60, parts
    abbreviation_end = re.compile(r"(\b\w\.|\d\.|Nr\.|ca\.|bzw\.|str\.)$")
    assert not any(abbreviation_end.search(body) for body in bodies(parts)), parts


def test_sentence_end_after_closing_quote() -> None:
    text = "Sie sagte: „Wir bitten um Geduld.“ Danach folgen viele weitere Worte ohne Ende hier"
    assert split_thread(text, 50, len)[0] == "Sie sagte: „Wir bitten um Geduld.“ 1/3"


def test_non_breaking_space_is_not_a_break() -> None:
    text = "Die Straße ist auf 10\u00a0km gesperrt worden"
    parts = split_thread(text, 26, len)
    assert not any(body.endswith("10") for body in bodies(parts))


def test_parts_have_no_surrounding_whitespace() -> None:
    text = "\u00a0 \n Erster Satz ist hier. \n\n\t Zweiter Satz ist dort.\u00a0\u202f\n "
    parts = split_thread(text, 26, len)
    assert parts == ["Erster Satz ist hier. 1/2", "Zweiter Satz ist dort. 2/2"]


def test_url_mention_and_hashtag_stay_whole() -> None:
    url = "https://landkreis.de/aktuelles/sperrung-k12"
    text = f"Alle Infos zur Sperrung unter {url} bei @Landkreis_Muster #Sperrung #K12"
    parts = split_thread(text, 50, len)
    assert any(url in part for part in parts)
    assert any("@Landkreis_Muster" in part for part in parts)
    assert any("#Sperrung" in part for part in parts)


def test_entity_longer_than_limit_is_a_content_error() -> None:
    text = "Siehe https://landkreis.de/" + "x" * 100 + " für Details"
    with pytest.raises(ContentError, match="link"):
        split_thread(text, 50, len)


def test_long_word_is_broken_between_graphemes() -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenhalterungsöse"
    parts = split_thread(f"Die {word} ist weg", 30, len)
    assert all(len(part) <= 30 for part in parts)
    assert "".join(body.replace(" ", "") for body in bodies(parts)) == f"Die{word}istweg"


def test_emoji_clusters_are_never_split() -> None:
    text = "👨‍👩‍👧" * 30 + " " + "🇩🇪👍🏽" * 10
    parts = split_thread(text, 12, graphemes)
    assert all(graphemes(part) <= 12 for part in parts)
    pieces = bodies(parts)
    assert "".join(pieces) == text.replace(" ", "")
    for piece in pieces:
        assert set(GRAPHEME.findall(piece)) <= {"👨‍👩‍👧", "🇩🇪", "👍🏽"}


def test_twitter_style_measure_with_weighted_url() -> None:
    def weighted(text: str) -> int:  # every URL counts 23, like X and Mastodon
        urls = [e for e in find_entities(text) if e.kind == "url"]
        return len(text) - sum(e.end - e.start for e in urls) + 23 * len(urls)

    url = "https://landkreis.de/" + "sehr-langer-pfad/" * 10
    text = f"Vorwort und noch mehr Worte. Lesen Sie {url} jetzt gleich hier."
    parts = split_thread(text, 50, weighted)
    assert all(weighted(part) <= 50 for part in parts)
    assert any(url in part for part in parts)


# --- paragraphs before sentences ----------------------------------------------------------

WHATSAPP = (
    "Der Landkreis Musterstadt informiert ab sofort auch über einen eigenen WhatsApp-Kanal. "
    "Wer ihn abonniert, erhält wichtige Meldungen direkt auf das Smartphone: Warnungen bei "
    "Unwetter und Hochwasser, Hinweise zu Straßensperrungen und Neuigkeiten aus der "
    "Kreisverwaltung in Musterstadt.",
    "Das Abonnieren ist kostenlos und anonym. Andere Abonnentinnen und Abonnenten sehen weder "
    "Ihren Namen noch Ihre Telefonnummer, und auch der Landkreis erhält keine persönlichen "
    "Daten. Sie können den Kanal jederzeit wieder verlassen, ohne dass jemand davon erfährt. "
    "Nachrichten an den Kanal sind nicht möglich. Für Fragen nutzen Sie bitte das "
    "Bürgertelefon.",
    "So geht es: Öffnen Sie WhatsApp und tippen Sie unten auf „Aktuelles“. Suchen Sie dort "
    "nach „Landkreis Musterstadt“ und tippen Sie auf das Plus-Zeichen. Alle Meldungen finden "
    "Sie weiterhin auch auf unserer Internetseite und in der Warn-App NINA des Bundes.",
)
WERTSTOFFHOF = (
    "Am Samstag öffnet der Wertstoffhof Neudorf zum letzten Mal in diesem Jahr. Angenommen "
    "werden dort Grünschnitt, Sperrmüll, Altholz und Elektrogeräte, jeweils bis 14 Uhr.",
    "Ab Januar gelten neue Öffnungszeiten: dienstags und donnerstags von 9 bis 18 Uhr, "
    "samstags von 8 bis 13 Uhr. Bitte bringen Sie Ihre Abfallkarte mit. Ohne gültige Karte "
    "können wir leider keine Abfälle annehmen.",
    "Fragen beantwortet die Abfallberatung des Landkreises unter 01234 567-300. Den "
    "Abfallkalender für 2027 finden Sie ab Mitte Dezember in der App und auf unserer "
    "Internetseite.",
)


@pytest.mark.parametrize(
    ("paragraphs", "limit", "platform"),
    [(WHATSAPP, 500, "mastodon"), (WERTSTOFFHOF, 300, "bluesky")],
    ids=["mastodon-900-characters", "bluesky-550-graphemes"],
)
def test_three_paragraphs_become_three_parts(
    paragraphs: tuple[str, ...], limit: int, platform: Flavor
) -> None:
    # Each paragraph fills more than half a part, and filling each part up to a sentence of
    # the next paragraph would fit too: the paragraph ends must win.
    measure = length_function(platform)
    assert all(limit / 2 < measure(paragraph) < limit - 5 for paragraph in paragraphs)
    parts = split_thread("\n\n".join(paragraphs), limit, measure, flavor=platform)
    assert bodies(parts) == list(paragraphs)


# --- the trailing hashtag block ------------------------------------------------------------

TAGS = "#WhatsApp #LandkreisMusterstadt #Bürgerinformation"
LINK = "https://www.landkreis-musterstadt.de/whatsapp"
LONG_SECOND = WHATSAPP[1] + " So geht es: Öffnen Sie WhatsApp und tippen Sie unten auf „Aktuelles“."


def test_hashtags_never_make_a_part_of_their_own() -> None:
    # The second paragraph and the link fill the second part: the tags used to follow alone
    # ("#WhatsApp #LandkreisMusterstadt #Bürgerinformation 3/3").
    measure = length_function("mastodon")
    text = f"{WHATSAPP[0]}\n\n{LONG_SECOND}\n\n{LINK}\n\n{TAGS}"
    parts = split_thread(text, 500, measure, flavor="mastodon")
    assert parts == [
        f"{WHATSAPP[0]}\n\n{TAGS} 1/2",
        f"{LONG_SECOND}\n\n{LINK} 2/2",
    ]
    assert all(measure(part) <= 500 for part in parts)


def test_hashtags_go_into_the_last_part_when_the_first_is_full() -> None:
    first = "Erster Satz mit vielen Worten. Zweiter Satz mit noch mehr Worten."  # 65
    text = f"{first}\n\nDritter Satz.\n\n#Abfall #Wertstoffhof"
    parts = split_thread(text, 70, len)
    assert parts == [f"{first} 1/2", "Dritter Satz.\n\n#Abfall #Wertstoffhof 2/2"]


def test_full_parts_keep_their_paragraphs_and_the_hashtags_that_fit_nowhere_are_dropped() -> None:
    """The text is never split again to make room: that would cut its paragraphs."""
    first = "Erster Satz mit vielen Worten. Zweiter Satz mit noch mehr Worten."
    second = "Dritter Satz mit vielen Worten. Vierter Satz mit noch mehr Worten."
    text = f"{first}\n\n{second}\n\n#Abfall #Wertstoffhof"
    assert build_thread(text, 72, len) == Thread(
        (f"{first} 1/2", f"{second} 2/2"), ("#Abfall", "#Wertstoffhof")
    )
    assert build_thread(text, 80, len) == Thread(
        (f"{first}\n\n#Abfall 1/2", f"{second} 2/2"), ("#Wertstoffhof",)
    )


def test_hashtags_on_the_last_line_are_a_block_too() -> None:
    text = "Erster Satz mit Worten. Zweiter Satz mit Worten. Dritter Satz.\n#Abfall #Neudorf"
    assert split_thread(text, 50, len) == [
        "Erster Satz mit Worten.\n#Abfall #Neudorf 1/2",
        "Zweiter Satz mit Worten. Dritter Satz. 2/2",
    ]


def test_hashtags_that_fit_nowhere_are_dropped_the_last_first() -> None:
    text = (
        "Ab Montag gilt ein neuer Fahrplan für die Buslinie nach Neudorf. Die Haltestelle "
        "Mühlbach entfällt.\n\n#Busverkehr #Fahrplanwechsel #Mühlbach #Neudorf"
    )
    thread = build_thread(text, 80, len)
    assert thread.dropped == ("#Neudorf",)
    assert thread.parts == (
        "Ab Montag gilt ein neuer Fahrplan für die Buslinie nach Neudorf. 1/2",
        "Die Haltestelle Mühlbach entfällt.\n\n#Busverkehr #Fahrplanwechsel #Mühlbach 2/2",
    )
    assert split_thread(text, 80, len) == list(thread.parts)


def test_a_text_that_fits_alone_stays_one_post_without_the_hashtags_that_do_not_fit() -> None:
    tags = "#Donaudampfschifffahrtsgesellschaft #Kapitänsmütze"
    thread = build_thread(f"Ab Montag gilt der neue Fahrplan.\n\n{tags}", 50, len)
    assert thread == Thread(("Ab Montag gilt der neue Fahrplan.",), tuple(tags.split()))


@pytest.mark.parametrize(
    "text",
    [
        # hashtags in running text, a footer after them, hashtags only: not a trailing block
        "Erster Satz mit vielen Worten. Zweiter Satz mit Worten. Mehr dazu: #Abfall #Neudorf",
        "Erster Satz mit vielen Worten. Zweiter Satz mit Worten.\n\n#Abfall\n\nIhr Landkreis",
        "#Abfall #Neudorf #Wertstoffhof #Sperrmüll #Grünschnitt #Altholz #Öffnungszeiten",
    ],
)
def test_other_hashtag_layouts_are_split_as_text(text: str) -> None:
    parts = split_thread(text, 50, len)
    assert " ".join(bodies(parts)).split() == text.split()


# --- properties ----------------------------------------------------------------------------

WORDS = ["Landkreis", "Straße", "Öffnungszeiten", "Bürgerbüro", "gesperrt", "heute", "und"]
SENTENCES = [
    "Ab 1. Dezember gilt z. B. die neue Regel.",
    "Es kommen ca. 300 Gäste!",
    "Ist das Amt geöffnet?",
    "Die Hauptstr. Nr. 5 ist betroffen…",
]
EMOJI = ["🚧", "👨‍👩‍👧", "🇩🇪", "👍🏽", "❤️", "é", "a\u0308"]

PROSE_TOKENS = (
    st.sampled_from(WORDS),
    st.sampled_from(SENTENCES),
    st.sampled_from(EMOJI),
    st.from_regex(r"https://[a-z]{2,8}\.de/[a-z0-9]{0,10}", fullmatch=True),
    st.from_regex(r"@[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß.,!?", min_size=1, max_size=12),
)
hashtags = st.from_regex(r"#[A-Za-zÄÖÜäöü][A-Za-z0-9äöü]{0,12}", fullmatch=True)
prose_tokens = st.one_of(*PROSE_TOKENS)
tokens = st.one_of(*PROSE_TOKENS, hashtags)
separators = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", " \n \n "])


@st.composite
def texts(draw: st.DrawFn, words: st.SearchStrategy[str] = tokens) -> str:
    pieces = draw(st.lists(words, min_size=8, max_size=80))
    glue = [draw(separators) for _ in pieces]
    return "".join(piece + sep for piece, sep in zip(pieces, glue, strict=True)).strip()


@st.composite
def texts_with_hashtags(draw: st.DrawFn) -> str:
    """Text without hashtags, then a block of them as the default templates put it."""
    tags = draw(st.lists(hashtags, min_size=1, max_size=8))
    block = "".join(draw(st.sampled_from([" ", " ", "\n"])) + tag for tag in tags).lstrip()
    return draw(texts(prose_tokens)) + draw(st.sampled_from(["\n\n", "\n", " \n\n"])) + block


measures = st.sampled_from([len, graphemes])
FLAVORS: tuple[Flavor, ...] = ("twitter", "mastodon", "bluesky")
flavors = st.sampled_from(FLAVORS)
WORD = re.compile(r"\S+")


def hashtag_spans(text: str, flavor: Flavor) -> set[tuple[int, int]]:
    return {(e.start, e.end) for e in find_entities(text, flavor) if e.kind == "hashtag"}


def hashtags_only(piece: str, flavor: Flavor) -> bool:
    found = hashtag_spans(piece, flavor)
    return all(word.span() in found for word in WORD.finditer(piece))


def trailing_block(text: str, flavor: Flavor) -> tuple[int, int] | None:
    """Where the trailing hashtag block starts, and where the text before it ends."""
    words = list(WORD.finditer(text))
    found = hashtag_spans(text, flavor)
    first = len(words)
    while first > 0 and words[first - 1].span() in found:
        first -= 1
    # the block starts at the beginning of a line, after at least one word of text
    while (
        0 < first < len(words) and "\n" not in text[words[first - 1].end() : words[first].start()]
    ):
        first += 1
    if first in (0, len(words)):
        return None
    return words[first].start(), words[first - 1].end()


def without_hashtags(
    text: str, pieces: list[str], dropped: tuple[str, ...], flavor: Flavor
) -> tuple[str, list[str]]:
    """The text before its hashtag block, and the pieces with the block taken out again.

    The block went after the first or the last piece, its last hashtags maybe dropped.
    """
    found = trailing_block(text, flavor)
    if found is None:
        assert dropped == ()
        return text, pieces
    block_start, body_end = found
    block = list(WORD.finditer(text, block_start))
    kept = len(block) - len(dropped)
    assert tuple(word.group() for word in block[kept:]) == dropped
    if not kept:
        return text[:body_end], pieces
    appended = text[body_end : block[kept - 1].end()]
    body = text[:body_end]
    for index in dict.fromkeys((0, len(pieces) - 1)):
        if pieces[index].endswith(appended):
            candidate = list(pieces)
            candidate[index] = candidate[index][: -len(appended)]
            if " ".join(candidate).split() == body.split():
                return body, candidate
    raise AssertionError(f"the hashtags are not after the first or last part: {pieces}")


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(texts(), texts_with_hashtags()),
    limit=st.integers(min_value=50, max_value=200),
    data=st.data(),
)
def test_thread_properties(text: str, limit: int, data: st.DataObject) -> None:
    measure = data.draw(measures)
    flavor = data.draw(flavors)
    thread = build_thread(text, limit, measure, flavor=flavor)
    parts = list(thread.parts)
    if measure(text) <= limit:
        assert parts == [text] and thread.dropped == ()
        return
    assert all(measure(part) <= limit for part in parts)
    # one part only when the text fits without the hashtags that did not fit beside it
    assert len(parts) > 1 or thread.dropped
    pieces = bodies(parts) if len(parts) > 1 else parts
    assert all(piece and piece == piece.strip() for piece in pieces)
    text, pieces = without_hashtags(text, pieces, thread.dropped, flavor)
    # no word lost, duplicated or reordered (every token is shorter than any limit)
    assert " ".join(pieces).split() == text.split()
    located = spans(text, pieces)
    bounds = cluster_bounds(text)
    assert all(start in bounds and end in bounds for start, end in located)
    for entity in find_entities(text, flavor):
        covering = [s for s in located if s[0] <= entity.start and entity.end <= s[1]]
        assert len(covering) == 1, (entity, pieces)


@settings(max_examples=300, deadline=None)
@given(text=texts_with_hashtags(), limit=st.integers(min_value=50, max_value=200), data=st.data())
def test_no_part_holds_hashtags_only(text: str, limit: int, data: st.DataObject) -> None:
    measure = data.draw(measures)
    flavor = data.draw(flavors)
    parts = split_thread(text, limit, measure, flavor=flavor)
    pieces = bodies(parts) if len(parts) > 1 else parts
    assert not any(hashtags_only(piece, flavor) for piece in pieces), parts


PROSE = [
    "Die Kreisstraße ist ab Montag gesperrt.",
    "Bitte beachten Sie die Umleitung über Neudorf!",
    "Ist das Bürgerbüro am Samstag geöffnet?",
    "Ab 1. Dezember gilt z. B. die neue Gebührenordnung für alle Ortsteile.",
    "Fragen beantwortet das Bürgertelefon unter 01234 567-890.",
    "Wir danken für Ihr Verständnis.",
    "Die Arbeiten an der Brücke über den Mühlbach dauern voraussichtlich bis Weihnachten, "
    "danach ist die Straße wieder frei.",
    "Kurz.",
]
paragraphs = st.lists(st.sampled_from(PROSE), min_size=1, max_size=7).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(paragraphs, min_size=2, max_size=8).map("\n\n".join),
    limit=st.integers(min_value=60, max_value=500),
    measure=st.sampled_from([len, graphemes, length_function("bluesky")]),
)
def test_a_paragraph_break_wins_when_the_part_before_stays_half_full(
    text: str, limit: int, measure: Callable[[str], int]
) -> None:
    parts = split_thread(text, limit, measure)
    if len(parts) == 1:
        return
    paragraph_ends = [match.start() for match in re.finditer(r"\n\n", text)]
    for part, (start, end) in zip(parts[:-1], spans(text, bodies(parts)), strict=False):
        suffix = part[part.rindex(" ") :]
        if any(
            limit / 2 <= measure(text[start:candidate] + suffix) <= limit
            for candidate in paragraph_ends
            if candidate > start
        ):
            assert end in paragraph_ends, (limit, part)


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(["a", "ö", "ß", "🚧", "👨‍👩‍👧", "a\u0308", " ", "\n"]),
        min_size=1,
        max_size=400,
    ).map("".join),
    limit=st.integers(min_value=10, max_value=60),
    data=st.data(),
)
def test_nothing_lost_even_when_words_break(text: str, limit: int, data: st.DataObject) -> None:
    measure = data.draw(measures)
    # Splitting is possible whenever every cluster fits beside the widest possible suffix
    # (at most one part per cluster); otherwise ContentError is the right answer.
    clusters = regex.findall(r"\X", text)
    widest = len(f" {len(clusters)}/{len(clusters)}")
    assume(max(measure(c) for c in clusters) + widest <= limit)
    parts = split_thread(text, limit, measure)
    if measure(text) <= limit:
        assert parts == [text]
        return
    assert all(measure(part) <= limit for part in parts)
    pieces = bodies(parts)
    assert "".join(re.sub(r"\s", "", p) for p in pieces) == re.sub(r"\s", "", text)
    bounds = cluster_bounds(text)
    for start, end in spans(text, pieces):
        assert start in bounds and end in bounds


PLATFORM_MEASURES = [length_function(p) for p in ("x", "mastodon", "bluesky", "threads")]


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        texts(),
        texts_with_hashtags(),
        st.lists(
            st.sampled_from(["a", "ö", "🚧", "👨‍👩‍👧", "a\u0308", " ", "\n", "\u00a0", "x.de"]),
            min_size=1,
            max_size=300,
        ).map("".join),
    ),
    limit=st.integers(min_value=10, max_value=120),
    measure=st.sampled_from([len, graphemes, *PLATFORM_MEASURES]),
    flavor=flavors,
)
def test_surely_splittable_means_the_split_succeeds(
    text: str, limit: int, measure: Callable[[str], int], flavor: Flavor
) -> None:
    """Validation trusts surely_splittable instead of splitting: it must never be wrong,
    neither about the split nor about keeping every hashtag (it would miss SP306)."""
    if surely_splittable(text, limit, measure, flavor=flavor):
        thread = build_thread(text, limit, measure, flavor=flavor)
        assert all(measure(part) <= limit for part in thread.parts)
        assert thread.dropped == ()


def test_surely_splittable_is_not_fooled_by_a_long_link() -> None:
    text = "Infos: https://landkreis-musterstadt.de/" + "a" * 400 + " und mehr Text."
    assert not surely_splittable(text, 300, graphemes)
    assert surely_splittable("Kurze Wörter. " * 80, 300, graphemes)


def test_the_breakable_spaces_are_the_whitespace_python_knows_but_the_glue() -> None:
    from socialpub.render.breaks import _GLUE, BREAKABLE_SPACES

    spaces = {c for c in map(chr, range(0x110000)) if c.isspace()}
    assert set(BREAKABLE_SPACES) == spaces - _GLUE


# --- counting candidate parts by slices equals counting them ---------------------------------

SLICE_TOKENS = st.one_of(
    *PROSE_TOKENS,
    hashtags,
    st.sampled_from(
        [
            "@kreis@social.example",  # a remote mention counts as its local part on Mastodon
            "https://t.co/abc",
            "www.example.de",
            "\u0600x",  # a prepended mark joins the next character
            "\u0915\u094d\u0937",  # an Indic conjunct
            "x\u200d",
            "\U0001f469\u200d\U0001f4bb",
            "(https://example.org/a_(b))",
        ]
    ),
)
TAILS = ["", " 1/3", " 12/13", "\n\n#Verkehr #B27 1/4", "\n#Tag", " \u0301x"]


@settings(max_examples=300, deadline=None)
@given(text=texts(SLICE_TOKENS), data=st.data())
def test_slices_count_candidate_parts_as_counting_them_does(text: str, data: st.DataObject) -> None:
    from socialpub.render.breaks import segment
    from socialpub.render.parts import measure_of as _measure
    from socialpub.render.slices import slicer
    from socialpub.specs import BLUESKY, MASTODON, ChannelSpec

    pairs: tuple[tuple[ChannelSpec, Flavor], ...] = ((MASTODON, "mastodon"), (BLUESKY, "bluesky"))
    for spec, flavor in pairs:
        caps = spec.capabilities
        measure = _measure(caps)
        make = slicer(caps, measure)
        assert make is not None
        segmented = segment(text, flavor)
        length = make(segmented)
        starts = [segmented.first, *(b.resume for b in segmented.breaks)]
        ends = [*(b.end for b in segmented.breaks), segmented.stop]
        first = data.draw(st.sampled_from(starts))
        end = data.draw(st.sampled_from([e for e in ends if e > first] or [segmented.stop]))
        if end <= first:
            continue
        tail = data.draw(st.sampled_from(TAILS))
        expected = measure(segmented.slice(first, end) + tail)
        assert length(first, end, tail) == expected, (flavor, segmented.slice(first, end), tail)


BREAK_TOKENS = st.sampled_from(
    [
        "Wort",
        "klein",
        "Ende.",
        "ca.",
        "z.",
        "B.",
        "1.",
        "Bahnhofstr.",
        "Los!",
        "Wie?",
        "…",
        "„Zitat.“",
        "(Klammer.)",
        " ",
        "  ",
        "\t",
        "\n",
        "\n\n",
        "\r\n",
        " \n \n ",
        "\u00a0",
        "\u2009",
        "#Tag",
        "https://example.org/a.",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(BREAK_TOKENS, max_size=40).map("".join))
def test_one_character_clusters_break_as_the_general_path_does(text: str) -> None:
    """The shortcut for texts of one-character clusters classes every whitespace run as
    `_classify` does on the cluster path."""
    from socialpub.render.breaks import (
        Break,
        _character_breaks,
        _classify,
        _inside_entities,
        _space_runs,
        segment,
    )

    segmented = segment(text, "mastodon")
    offsets = range(len(text) + 1)
    if len(segmented.offsets) != len(offsets):
        return  # CR LF is one cluster: the general path is the one taken
    glued = frozenset(_inside_entities(offsets, segmented.entities))
    runs = _space_runs(text, offsets, segmented.first, segmented.stop) or []
    general = [
        Break(end, resume, _classify(text, offsets, end, resume, start))
        for end, resume, start in runs
        if end not in glued
    ]
    assert _character_breaks(text, segmented.first, segmented.stop, glued) == general
    assert list(segmented.breaks) == general
