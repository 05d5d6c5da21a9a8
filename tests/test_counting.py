"""Length counting per platform: examples with German text, emoji, CJK and entities, and
properties that hold for any text."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from socialpub.errors import UsageError
from socialpub.render.counting import (
    PLATFORMS,
    Count,
    count,
    grapheme_count,
    graphemes,
    length_function,
    x_weighted_length,
)
from socialpub.render.counting.graphemes import _GRAPHEME, SIMPLE_RANGES

GERMAN = "Straßenfest in Köln: Grüße an alle Bürgerinnen und Bürger! Öffnungszeiten ändern sich."
THUMB = "👍🏽"  # base + skin tone: 2 code points, 1 grapheme
FAMILY = "👨‍👩‍👧"  # ZWJ sequence: 5 code points
FLAG = "🇩🇪"  # two regional indicators
KEYCAP = "1️⃣"  # digit, VS16, combining keycap
URL = "https://www.stadt-beispiel.de/rathaus/buergerservice/termine?jahr=2025"
CODE_POINT_PLATFORMS = ("instagram", "facebook", "linkedin", "whatsapp")

# Text pieces that exercise the rules: words, scripts, emoji, entity syntax, punctuation.
PIECES = st.sampled_from(
    [
        "Grüße",
        " ",
        "\n",
        "ß",
        "straße",
        "e\u0301",
        "東京",
        "한국어",
        THUMB,
        FAMILY,
        FLAG,
        KEYCAP,
        "©",
        "http://",
        "https://",
        "example",
        ".com",
        ".de",
        "/pfad",
        "?q=1",
        "www.",
        "@",
        "user",
        "@instance.social",
        "#",
        "Tag",
        ".",
        ",",
        "(",
        ")",
        "_",
        "-",
        "t.co/abc",
    ]
)
TEXTS = st.one_of(st.lists(PIECES, max_size=25).map("".join), st.text(max_size=60))


def test_platforms_and_defaults() -> None:
    limits = {platform: count(platform, "a").limit for platform in PLATFORMS}
    assert limits == {
        "x": 280,
        "mastodon": 500,
        "bluesky": 300,
        "telegram": 4096,
        "threads": 500,
        "instagram": 2200,
        "facebook": 63206,
        "linkedin": 3000,
        "whatsapp": 4096,
    }


def test_units() -> None:
    units = {platform: count(platform, "a").unit for platform in PLATFORMS}
    assert units["x"] == "weighted characters"
    assert units["bluesky"] == "graphemes"
    assert units["telegram"] == "UTF-16 code units"
    assert {units[p] for p in PLATFORMS if p not in ("x", "bluesky", "telegram")} == {"characters"}


def test_unknown_platform_names_the_valid_ones() -> None:
    with pytest.raises(UsageError) as raised:
        count("myspace", "Hallo")
    assert "myspace" in str(raised.value)
    assert all(platform in str(raised.value) for platform in PLATFORMS)
    with pytest.raises(UsageError):
        length_function("twitter")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_empty_text_is_not_ok(platform: str) -> None:
    result = count(platform, "")
    assert result.length == 0
    assert not result.ok


@pytest.mark.parametrize("platform", PLATFORMS)
def test_limit_override(platform: str) -> None:
    default, narrow = count(platform, "Hallo Welt"), count(platform, "Hallo Welt", limit=5)
    assert (narrow.length, narrow.limit, narrow.ok) == (default.length, 5, False)
    assert count(platform, "Hallo", limit=5).ok


@pytest.mark.parametrize("platform", PLATFORMS)
def test_length_function_is_count(platform: str) -> None:
    text = f"{GERMAN} {URL} @user@instance.social #Köln {THUMB}{FAMILY}"
    assert length_function(platform)(text) == count(platform, text).length


def test_graphemes() -> None:
    text = f"a{THUMB}{FAMILY}{FLAG}{KEYCAP}e\u0301ß東"
    assert graphemes(text) == ["a", THUMB, FAMILY, FLAG, KEYCAP, "e\u0301", "ß", "東"]
    assert graphemes("") == []


# --- X ----------------------------------------------------------------------------------------


def test_x_german_text_counts_one_per_letter() -> None:
    assert x_weighted_length(GERMAN) == (len(GERMAN), True)


@pytest.mark.parametrize("emoji", [THUMB, FAMILY, FLAG, KEYCAP, "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "©️", "👁️‍🗨️"])
def test_x_emoji_sequences_weigh_two(emoji: str) -> None:
    assert x_weighted_length(f"Hallo {emoji}") == (8, True)


def test_x_text_style_symbols() -> None:
    assert x_weighted_length("©") == (1, True)  # Latin-1: light, not an emoji without VS16
    assert x_weighted_length("1") == (1, True)
    assert x_weighted_length("☺") == (2, True)


def test_x_cjk_and_combining_marks() -> None:
    assert x_weighted_length("東京都") == (6, True)
    assert x_weighted_length("e\u0301") == (1, True)  # NFC makes it one "é"
    assert x_weighted_length("\u1100\u1161") == (2, True)  # NFC makes one Hangul syllable


def test_x_urls_weigh_23_with_or_without_protocol() -> None:
    assert x_weighted_length(f"Mehr: {URL}") == (6 + 23, True)
    assert x_weighted_length("Mehr: www.berlin.de/buergerservice") == (6 + 23, True)
    assert x_weighted_length("Mehr: berlin.de.") == (6 + 23 + 1, True)


def test_x_limit_and_invalid_characters() -> None:
    assert x_weighted_length("a" * 280) == (280, True)
    assert x_weighted_length("a" * 281) == (281, False)
    assert x_weighted_length("東" * 141) == (282, False)
    assert x_weighted_length("Hallo\ufeff") == (7, False)
    assert not count("x", "Hallo\uffff", limit=1000).ok


def test_x_mentions_count_as_text() -> None:
    assert x_weighted_length("@user@instance.social") == (21, True)


# --- Mastodon ---------------------------------------------------------------------------------


def test_mastodon_counts_graphemes() -> None:
    text = f"{GERMAN} {THUMB}{FAMILY}{FLAG}{KEYCAP} e\u0301 東京"
    assert count("mastodon", text).length == len(GERMAN) + 1 + 4 + 1 + 1 + 1 + 2


def test_mastodon_urls_count_23() -> None:
    assert count("mastodon", f"Termine: {URL}").length == 9 + 23
    assert count("mastodon", "Kurz: https://x.de").length == 6 + 23  # also when shorter
    assert count("mastodon", "Ohne Protokoll: example.com").length == 27  # not a link there


def test_mastodon_remote_mentions_count_the_local_part() -> None:
    assert count("mastodon", "Hallo @user@instance.social!").length == len("Hallo @user!")
    assert count("mastodon", "Hallo @user!").length == len("Hallo @user!")


def test_mastodon_blank_text_counts_nothing() -> None:
    assert count("mastodon", " \n\t").length == 0
    assert not count("mastodon", " \n\t").ok


def test_mastodon_limit_per_instance() -> None:
    text = "ä" * 600
    assert not count("mastodon", text).ok
    assert count("mastodon", text, limit=1000) == Count("mastodon", 600, 1000, True, "characters")


# --- Bluesky ----------------------------------------------------------------------------------


def test_bluesky_graphemes_and_bytes() -> None:
    result = count("bluesky", f"Grüße {FAMILY}")
    # "ü" and "ß" take 2 bytes each, the family 18 (3 x 4 for the people, 2 x 3 for the ZWJ)
    assert result == Count("bluesky", 7, 300, True, "graphemes", bytes=4 + 2 * 2 + 18)


def test_bluesky_byte_limit() -> None:
    text = FAMILY * 200  # 200 graphemes, 3600 bytes
    result = count("bluesky", text)
    assert (result.length, result.bytes, result.ok) == (200, 3600, False)
    assert count("bluesky", "ä" * 300).ok
    assert not count("bluesky", "ä" * 301).ok


# --- Telegram, Threads and the code-point platforms -------------------------------------------


def test_telegram_counts_utf16_units() -> None:
    assert count("telegram", f"Köln {THUMB}").length == 5 + 4
    assert count("telegram", "東京").length == 2
    assert count("telegram", "𠀋").length == 2  # CJK outside the BMP


def test_threads_counts_emoji_as_utf8_bytes() -> None:
    assert count("threads", "Köln").length == 4
    assert count("threads", "Ko\u0308ln").length == 4  # decomposed ö (macOS): one character
    assert count("threads", f"Hi {THUMB}").length == 3 + 8
    assert count("threads", FAMILY).length == 18
    assert count("threads", KEYCAP).length == 7
    assert count("threads", "東京").length == 2
    assert count("threads", "🇩🇪").length == 8
    assert count("threads", "© 2026").length == 2 + 5
    assert count("threads", "#1 und 2").length == 8  # digits and # alone are no emoji
    assert count("threads", "ä" * 500).ok
    assert not count("threads", "ä" * 497 + "🚧").ok


@pytest.mark.parametrize("platform", CODE_POINT_PLATFORMS)
def test_code_point_platforms(platform: str) -> None:
    assert count(platform, GERMAN).length == len(GERMAN)
    assert count(platform, THUMB).length == 2
    assert count(platform, "e\u0301").length == 2
    assert count(platform, URL).length == len(URL)


def test_instagram_allows_30_hashtags() -> None:
    tags = " ".join(f"#Tag{n}" for n in range(30))
    assert count("instagram", tags).ok
    assert not count("instagram", tags + " #einsZuViel").ok


# --- properties -------------------------------------------------------------------------------


@given(TEXTS)
def test_graphemes_join_to_the_text(text: str) -> None:
    assert "".join(graphemes(text)) == text


def _simple_set() -> list[str]:
    """Every character of the graphemes module's simple set, read from its ranges."""
    pattern = re.compile(f"[{SIMPLE_RANGES}]")
    return [chr(c) for c in range(0x2100) if pattern.match(chr(c))]


def test_the_simple_set_holds_latin1_and_common_punctuation() -> None:
    simple = set(_simple_set())
    assert {chr(c) for c in range(256)} <= simple
    assert set("„“”‚‘’–—…•€\u2009") <= simple
    assert not set("\u200b\u200c\u200d\u200e\u2028\u202f\u2060") & simple


def test_every_simple_pair_splits_as_unicode_says() -> None:
    """The shortcut: each simple character is its own cluster, only CR LF is one."""
    simple = _simple_set()
    for first in simple:
        for second in simple:
            pair = first + second
            assert graphemes(pair) == _GRAPHEME.findall(pair), repr(pair)
            assert grapheme_count(pair) == len(_GRAPHEME.findall(pair)), repr(pair)


# Latin-1 text mixed with what the segmentation rules care about: emoji with skin tones and
# ZWJ, flags, keycaps, combining marks, Hangul, an Indic conjunct, prepended marks, CR LF.
TRICKY = st.text(
    alphabet=st.sampled_from(
        [
            *"aä ©®\r\n\x00\xad.„“–…€‼\u2009",
            "\u2028",
            "\u202f",
            "\u200b",
            "\u200d",
            "\u0301",
            "\ufe0f",
            "\u20e3",
            "👍",
            "🏽",
            "👩",
            "🇩",
            "🇪",
            "\u1100",
            "\u1161",
            "\u11a8",
            "\uac00",
            "\u0915",
            "\u094d",
            "\u0937",
            "\u0600",
            "\U0001f600",
            "東",
        ]
    ),
    max_size=40,
)


@given(st.text(alphabet=st.characters(max_codepoint=0xFF)) | TEXTS | TRICKY)
def test_grapheme_shortcuts_equal_the_unicode_segmentation(text: str) -> None:
    assert graphemes(text) == _GRAPHEME.findall(text)
    assert grapheme_count(text) == len(_GRAPHEME.findall(text))


@given(TEXTS)
def test_counts_are_never_negative(text: str) -> None:
    for platform in PLATFORMS:
        assert count(platform, text).length >= 0


@given(TEXTS)
def test_mastodon_url_adds_23(text: str) -> None:
    assume(text.strip())
    before = count("mastodon", text + " ").length
    assert count("mastodon", f"{text} https://example.org/a/long/path").length == before + 23


@given(TEXTS)
def test_bluesky_bytes_are_utf8(text: str) -> None:
    assert count("bluesky", text).bytes == len(text.encode("utf-8"))
    assert count("bluesky", text).length == len(graphemes(text))


@given(TEXTS)
def test_telegram_counts_utf16(text: str) -> None:
    assert count("telegram", text).length == len(text.encode("utf-16-le")) // 2


@given(TEXTS)
def test_x_appending_a_word_adds_its_weight(text: str) -> None:
    # a space ends any URL, mention, hashtag or emoji, so " a" weighs exactly 1 + 1
    assert x_weighted_length(text + " a")[0] == x_weighted_length(text)[0] + 2


@given(TEXTS)
def test_threads_counts_each_grapheme_at_least_once(text: str) -> None:
    assert count("threads", text).length >= grapheme_count(text)
    assert count("threads", text).length <= len(text.encode("utf-8"))


@given(TEXTS)
def test_mastodon_counts_at_most_the_code_points_and_23_a_url(text: str) -> None:
    """Validation skips counting a text this bound puts within the limit."""
    assert count("mastodon", text).length <= len(text) + 23 * text.count("://")
