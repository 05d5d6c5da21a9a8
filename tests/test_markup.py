"""Markdown → plain text, Telegram HTML and website HTML."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialpub.render.markup import (
    Document,
    escape_telegram,
    parse,
    to_html,
    to_plain,
    to_telegram_html,
)
from socialpub.render.simplemark import render_simple
from socialpub.render.writing import tidy

PRESS_RELEASE = """\
# Vollsperrung der Kreisstraße K 12 🚧

Ab **Montag, 1. Dezember**, ist die *Hauptstraße* in Musterstadt gesperrt.\\
Grund sind Arbeiten an der Brücke über die Über.

## Was Sie wissen müssen

- Die Buslinie 5 fährt über den [Nebenweg](https://landkreis.de/bus?linie=5&tag=mo)
- Alle Infos: <https://landkreis.de/sperrung>
- Fragen an <presse@landkreis.de>

1. Umleitung ausgeschildert
2. Anlieger frei

> „Wir bitten um Verständnis“, sagt Landrätin Müller.

Mehr unter [landkreis.de](https://landkreis.de/) und `K 12`.
"""


@pytest.fixture(scope="module")
def press_release() -> str:
    return PRESS_RELEASE


def test_plain_press_release(press_release: str) -> None:
    assert to_plain(parse(press_release)) == (
        "Vollsperrung der Kreisstraße K 12 🚧\n"
        "\n"
        "Ab Montag, 1. Dezember, ist die Hauptstraße in Musterstadt gesperrt.\n"
        "Grund sind Arbeiten an der Brücke über die Über.\n"
        "\n"
        "Was Sie wissen müssen\n"
        "\n"
        "• Die Buslinie 5 fährt über den Nebenweg (https://landkreis.de/bus?linie=5&tag=mo)\n"
        "• Alle Infos: https://landkreis.de/sperrung\n"
        "• Fragen an presse@landkreis.de\n"
        "\n"
        "1. Umleitung ausgeschildert\n"
        "2. Anlieger frei\n"
        "\n"
        "„Wir bitten um Verständnis“, sagt Landrätin Müller.\n"
        "\n"
        "Mehr unter https://landkreis.de/ und K 12."
    )


def test_telegram_press_release(press_release: str) -> None:
    assert to_telegram_html(parse(press_release)) == (
        "<b>Vollsperrung der Kreisstraße K 12 🚧</b>\n"
        "\n"
        "Ab <b>Montag, 1. Dezember</b>, ist die <i>Hauptstraße</i> in Musterstadt gesperrt.\n"
        "Grund sind Arbeiten an der Brücke über die Über.\n"
        "\n"
        "<b>Was Sie wissen müssen</b>\n"
        "\n"
        '• Die Buslinie 5 fährt über den <a href="https://landkreis.de/bus?linie=5&amp;tag=mo">'
        "Nebenweg</a>\n"
        '• Alle Infos: <a href="https://landkreis.de/sperrung">https://landkreis.de/sperrung</a>\n'
        '• Fragen an <a href="mailto:presse@landkreis.de">presse@landkreis.de</a>\n'
        "\n"
        "1. Umleitung ausgeschildert\n"
        "2. Anlieger frei\n"
        "\n"
        "<blockquote>„Wir bitten um Verständnis“, sagt Landrätin Müller.</blockquote>\n"
        "\n"
        'Mehr unter <a href="https://landkreis.de/">landkreis.de</a> und <code>K 12</code>.'
    )


def test_html_press_release(press_release: str) -> None:
    assert to_html(parse(press_release)) == (
        "<h2>Vollsperrung der Kreisstraße K 12 🚧</h2>\n"
        "<p>Ab <strong>Montag, 1. Dezember</strong>, ist die <em>Hauptstraße</em> in "
        "Musterstadt gesperrt.<br>\n"
        "Grund sind Arbeiten an der Brücke über die Über.</p>\n"
        "<h3>Was Sie wissen müssen</h3>\n"
        "<ul>\n"
        '<li>Die Buslinie 5 fährt über den <a href="https://landkreis.de/bus?linie=5&amp;tag=mo">'
        "Nebenweg</a></li>\n"
        '<li>Alle Infos: <a href="https://landkreis.de/sperrung">https://landkreis.de/sperrung</a>'
        "</li>\n"
        '<li>Fragen an <a href="mailto:presse@landkreis.de">presse@landkreis.de</a></li>\n'
        "</ul>\n"
        "<ol>\n"
        "<li>Umleitung ausgeschildert</li>\n"
        "<li>Anlieger frei</li>\n"
        "</ol>\n"
        "<blockquote>\n"
        "<p>„Wir bitten um Verständnis“, sagt Landrätin Müller.</p>\n"
        "</blockquote>\n"
        '<p>Mehr unter <a href="https://landkreis.de/">landkreis.de</a> und <code>K 12</code>.</p>'
    )


def test_one_document_renders_many_times(press_release: str) -> None:
    doc = parse(press_release)
    first = (to_plain(doc), to_telegram_html(doc), to_html(doc))
    assert (to_plain(doc), to_telegram_html(doc), to_html(doc)) == first


def test_crlf_input_reads_like_lf(press_release: str) -> None:
    crlf = parse(press_release.replace("\n", "\r\n"))
    lf = parse(press_release)
    assert to_plain(crlf) == to_plain(lf)
    assert to_telegram_html(crlf) == to_telegram_html(lf)
    assert to_html(crlf) == to_html(lf)
    assert "\r" not in to_plain(crlf)


# --- plain text rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("[Infos](https://landkreis.de/a)", "Infos (https://landkreis.de/a)"),
        ("[https://landkreis.de/a](https://landkreis.de/a)", "https://landkreis.de/a"),
        ("[landkreis.de](https://landkreis.de)", "https://landkreis.de"),
        ("<https://landkreis.de/a>", "https://landkreis.de/a"),
        ("[Mail](mailto:presse@landkreis.de)", "Mail (mailto:presse@landkreis.de)"),
        ("<presse@landkreis.de>", "presse@landkreis.de"),
        ("[Straße](https://landkreis.de/straße)", "Straße (https://landkreis.de/straße)"),
        ("[Plan](<https://landkreis.de/a b.pdf>)", "Plan (https://landkreis.de/a%20b.pdf)"),
        ("[**fett** verlinkt](https://x.de)", "fett verlinkt (https://x.de)"),
    ],
)
def test_plain_links(markdown: str, plain: str) -> None:
    assert to_plain(parse(markdown)) == plain


def test_hard_line_breaks_in_every_dialect() -> None:
    doc = parse("Zeile eins  \nZeile zwei\\\nZeile drei")
    assert to_plain(doc) == "Zeile eins\nZeile zwei\nZeile drei"
    assert to_telegram_html(doc) == "Zeile eins\nZeile zwei\nZeile drei"
    assert to_html(doc) == "<p>Zeile eins<br>\nZeile zwei<br>\nZeile drei</p>"


def test_plain_nested_and_numbered_lists() -> None:
    markdown = "- eins\n  - unter\n- zwei\n\n7. sieben\n8. acht\n"
    assert to_plain(parse(markdown)) == "• eins\n  • unter\n• zwei\n\n7. sieben\n8. acht"


def test_plain_code_block_and_image_alt() -> None:
    markdown = "![Karte der Umleitung](karte.png)\n\n```\nzeile 1\n\n\n\nzeile 2\n```\n"
    assert to_plain(parse(markdown)) == "Karte der Umleitung\n\nzeile 1\n\nzeile 2"


def test_plain_has_no_trailing_space_or_double_blank_lines() -> None:
    plain = to_plain(parse("  Eins   \n\n\n\n\nZwei  \n\n---\n\n\nDrei\n\n\n"))
    assert plain == "Eins\n\nZwei\n\nDrei"
    assert not any(line != line.rstrip() for line in plain.split("\n"))


def test_empty_body() -> None:
    assert to_plain(parse("")) == to_telegram_html(parse("")) == to_html(parse("")) == ""


def test_emoji_and_umlauts_untouched() -> None:
    text = "Grüße aus Öhringen 👋🏽 👨‍👩‍👧 🇩🇪 – ß, ä, ö, ü"
    doc = parse(text)
    assert to_plain(doc) == text
    assert to_telegram_html(doc) == text
    assert to_html(doc) == f"<p>{text}</p>"


# --- the body is text: no templates, no HTML, no scripts -------------------------------------

TEMPLATE_LOOKALIKES = ["{{ 7*7 }}", "{% raw %}", "{% if x %}ja{% endif %}", "{# Kommentar #}"]


@pytest.mark.parametrize("snippet", TEMPLATE_LOOKALIKES)
def test_template_syntax_stays_literal(snippet: str) -> None:
    doc = parse(f"Vorher {snippet} nachher")
    assert to_plain(doc) == f"Vorher {snippet} nachher"
    assert snippet in to_telegram_html(doc)
    assert snippet in to_html(doc)


def test_raw_html_is_text() -> None:
    doc = parse("<script>alert(1)</script>\n\nText <b onclick=x>fett</b>")
    assert to_plain(doc) == "<script>alert(1)</script>\n\nText <b onclick=x>fett</b>"
    telegram = to_telegram_html(doc)
    html = to_html(doc)
    for rendered in (telegram, html):
        assert "<script" not in rendered
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
        assert "<b onclick" not in rendered


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "<javascript:alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        '[x](https://a.de/"onmouseover="alert(1))',
    ],
)
def test_no_dangerous_href(markdown: str) -> None:
    doc = parse(markdown)
    for rendered in (to_telegram_html(doc), to_html(doc)):
        hrefs = re.findall(r'href="([^"]*)"', rendered)
        assert all(re.match(r"(https?|mailto|tg):", href) for href in hrefs), rendered
        # every anchor carries exactly one attribute: no injected event handlers
        assert rendered.count("<a ") == len(re.findall(r'<a href="[^"<>]*">', rendered))
        assert not re.search(r"<a [^>]*(javascript|data|vbscript):", rendered, re.IGNORECASE)


def test_disallowed_link_is_escaped_text() -> None:
    doc = parse("[x](javascript:alert(1)) und [<b>](ftp://a.de/x)")
    assert to_plain(doc) == "x (javascript:alert(1)) und <b> (ftp://a.de/x)"
    assert to_telegram_html(doc) == "x (javascript:alert(1)) und &lt;b&gt; (ftp://a.de/x)"
    assert to_html(doc) == "<p>x (javascript:alert(1)) und &lt;b&gt; (ftp://a.de/x)</p>"


def test_telegram_allows_tg_links_html_does_not() -> None:
    doc = parse("[Kanal](tg://resolve?domain=landkreis)")
    assert to_telegram_html(doc) == '<a href="tg://resolve?domain=landkreis">Kanal</a>'
    assert to_html(doc) == "<p>Kanal (tg://resolve?domain=landkreis)</p>"


# --- Telegram specifics ----------------------------------------------------------------------


def test_escape_telegram() -> None:
    assert escape_telegram('a < b > c & "d"') == "a &lt; b &gt; c &amp; &quot;d&quot;"
    assert escape_telegram("&amp;") == "&amp;amp;"


def test_telegram_uses_only_allowed_tags(press_release: str) -> None:
    markdown = press_release + "\n```python\nprint('<x>')\n```\n\n---\n\n![Bild](a.png)"
    rendered = to_telegram_html(parse(markdown))
    tags = set(re.findall(r"</?([a-z-]+)", rendered))
    assert tags <= {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}
    assert "<pre>print('&lt;x&gt;')</pre>" in rendered


def test_telegram_escapes_text_and_attributes() -> None:
    doc = parse('Preis > 5 € & "mehr" [a&b](https://x.de/?q="1"&r=<2>)')
    rendered = to_telegram_html(doc)
    assert rendered.startswith("Preis &gt; 5 € &amp; &quot;mehr&quot; ")
    assert '<a href="https://x.de/?q=%221%22&amp;r=%3C2%3E">a&amp;b</a>' in rendered


# --- website HTML specifics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "tag"), [("# a", "h2"), ("## a", "h3"), ("### a", "h4"), ("###### a", "h4")]
)
def test_html_headings_shifted_below_page_title(markdown: str, tag: str) -> None:
    assert to_html(parse(markdown)) == f"<{tag}>a</{tag}>"


def test_html_has_no_images_and_escapes_alt() -> None:
    assert to_html(parse('![<Karte> "1"](karte.png)')) == "<p>&lt;Karte&gt; &quot;1&quot;</p>"


def test_html_code_block_escaped() -> None:
    html = to_html(parse("```\n<script>{{ x }}</script>\n```"))
    assert html == "<pre><code>&lt;script&gt;{{ x }}&lt;/script&gt;\n</code></pre>"


def test_wrapped_lines_join_and_hard_breaks_stay() -> None:
    source = "Die Sitzung ist\nöffentlich.  \nZweite Zeile\\\nDritte Zeile"
    document = parse(source)
    expected = "Die Sitzung ist öffentlich.\nZweite Zeile\nDritte Zeile"
    assert to_plain(document) == expected
    assert to_telegram_html(document) == expected
    assert to_html(document) == (
        "<p>Die Sitzung ist\nöffentlich.<br>\nZweite Zeile<br>\nDritte Zeile</p>"
    )


# --- the fast path for simple texts writes what markdown-it writes ---------------------------

WORDS = st.sampled_from(
    [
        "Landkreis",
        "Straße",
        "1.04",
        "1. Dezember",
        "ca.",
        "#Kreistag",
        "**fett**",
        "**zwei Worte**",
        "**x**,",
        "(**y**)",
        "**Achtung:**",
        "*kursiv*",
        "**",
        "*",
        "[Link](https://x.de/a?b=1&c=2)",
        "[hier](mailto:a@b.de)",
        "[x](javascript:alert(1))",
        "[k](tg://resolve?domain=kreis)",
        "[https://x.de](https://x.de/)",
        "[a](x.de/ä)",
        "[ a ](u)",
        "[l]",
        "[]",
        "](u)",
        "<https://x.de>",
        "`code`",
        "\\*",
        "&amp;",
        "&",
        "A & B",
        "&b=2",
        "_unter_",
        "!",
        "![b](u)",
        "(",
        ")",
        "ä",
        "🚧",
        "\u00a0",
        "x\u0301",
        "https://www.landkreis.de/x",
        "@kreis",
        "<b>",
        "|",
        '"',
        "'",
        "-",
        "+",
        "=",
        "~",
        "a**b**c",
        "**a**b**c**",
        "„**Zitat**“",
        "&#64;",
        "1)",
    ]
)
STARTS = st.sampled_from(
    [
        "",
        "",
        "",
        "",
        "## ",
        "# ",
        "###### ",
        "####### ",
        "- ",
        "- - ",
        "* ",
        "+ ",
        "1. ",
        "2) ",
        "> ",
        "    ",
        "  ",
        "\t",
        "```",
        "~~~",
        "---",
        "***",
        "___",
        "===",
        "[ref]: /url ",
        "[",
        "#",
        "##",
        "**",
        "<div>",
        "10. ",
        "123",
        "\u00a0",
        " -",
        "-",
        "## #x ",
        "[x](u) ",
    ]
)
LINES = st.builds(
    lambda start, words, end: start + " ".join(words) + end,
    STARTS,
    st.lists(WORDS, min_size=0, max_size=6),
    st.sampled_from(["", "", "", "  ", " ", "\\", " #", " ##", "\u00a0"]),
)
TEXTS = st.builds(
    lambda lines, glue, tail: "".join(map(str.__add__, lines, glue)) + tail,
    st.lists(LINES, min_size=0, max_size=10),
    st.lists(st.sampled_from(["\n", "\n", "\n\n", "\n\n\n", "\r\n", "\n \n"]), min_size=10),
    st.sampled_from(["", "\n", "\n\n", "x"]),
)
SIMPLE_WORDS = st.sampled_from(
    [
        "Landkreis",
        "Straße",
        "heute.",
        "1.04",
        "ca.",
        "#Kreistag",
        "**fett**",
        "**zwei Worte**",
        "(**y**)",
        "[Link](https://x.de/a?b=1&c=2)",
        "[hier](mailto:a@b.de)",
        "A & B",
        "🚧",
        "ä!",
        "[x](ftp://x.de)",
        "(falls)",
        "https://www.landkreis.de/x",
        "„Zitat“",
        "Öffnungszeiten:",
    ]
)
SIMPLE = st.lists(
    st.one_of(
        st.lists(SIMPLE_WORDS, min_size=1, max_size=8).map(" ".join),
        st.lists(SIMPLE_WORDS, min_size=1, max_size=8).map("\n".join),
        st.lists(SIMPLE_WORDS, min_size=1, max_size=4).map(lambda w: "## " + " ".join(w)),
        st.lists(st.lists(SIMPLE_WORDS, min_size=1, max_size=3).map(" ".join), min_size=1).map(
            lambda items: "\n".join("- " + item for item in items[:5])
        ),
    ),
    min_size=1,
    max_size=6,
).map("\n\n".join)


def written_by_markdown_it(text: str) -> tuple[str, str, str]:
    document = Document(text)  # no fast path: markdown-it's tokens and the renderers
    return to_plain(document), to_telegram_html(document), to_html(document)


@settings(max_examples=2000, deadline=None)
@given(text=st.one_of(TEXTS, SIMPLE))
def test_the_fast_path_writes_what_markdown_it_writes(text: str) -> None:
    fast = render_simple(text)
    if fast is not None:
        assert (fast.plain, fast.telegram, fast.html) == written_by_markdown_it(text), repr(text)


def test_the_fast_path_takes_what_press_officers_write() -> None:
    texts = [
        "## Was ändert sich?\n\nAb Montag gilt **der neue Fahrplan**.\nMehr [hier](https://x.de).",
        "#Kreistag #Haushalt\n\n- Personalausweis\n- Impfpass (falls vorhanden)\n\nDanke!",
        "Mitbringen:\n\n- Personalausweis\n\n- Impfpass\n- Antrag\n\nDanke!",  # a loose list
        "🚧 Ab Montag gesperrt.\n\n[Umleitung](https://x.de/b) – **bitte weitersagen**!",
    ]
    for text in texts:
        fast = render_simple(text)
        assert fast is not None, text
        assert (fast.plain, fast.telegram, fast.html) == written_by_markdown_it(text)


def _tidy_line_by_line(text: str) -> str:
    """What `tidy` promises, written the slow way it was first written."""
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", lines).strip()


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(list(" \t\n\r\x0b\x1c\xa0\u2028\u3000ab"))))
def test_tidy_equals_the_line_by_line_definition(text: str) -> None:
    assert tidy(text) == _tidy_line_by_line(text)
