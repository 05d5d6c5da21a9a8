"""`preview` shows Telegram's and the website's HTML as readers see it (socialpub.cli.readable):
styles instead of tags, every character of the text kept."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style
from rich.text import Text

from socialpub.cli.readable import telegram_text, website_text
from socialpub.render.markup import escape_telegram, parse, to_html, to_telegram_html
from socialpub.render.parts import visible_text

MARKDOWN = """# Überschrift

Ein **fetter** und *kursiver* Text mit `code` & <tag>, ein [Link](https://example.org/a?b=1&c=2)
und <https://example.org/auto>, Mail <info@kreis.de>.

> Zitat mit **fett**
> und zweiter Zeile
>
> zweiter Absatz

- eins
- zwei
  - zwei a
- drei

3. drei
4. vier

```
code  block
  eingerückt
```

![Alt des Bildes](bild.png)

Zeile mit hartem\\
Umbruch.
"""
READABLE = """Überschrift

Ein fetter und kursiver Text mit code & <tag>, ein Link (https://example.org/a?b=1&c=2) und \
https://example.org/auto, Mail info@kreis.de.

│ Zitat mit fett und zweiter Zeile

│ zweiter Absatz

• eins
• zwei
  • zwei a
• drei

3. drei
4. vier

code  block
  eingerückt

Alt des Bildes

Zeile mit hartem
Umbruch."""


def styled(text: Text, style: str | Style) -> list[str]:
    return [text.plain[span.start : span.end] for span in text.spans if span.style == style]


def test_the_website_html_reads_as_in_a_browser() -> None:
    text = website_text(to_html(parse(MARKDOWN)))
    assert text.plain.strip("\n") == READABLE
    assert styled(text, "bold") == ["Überschrift", "fetter", "fett"]  # a body `#` is an h2
    quote = text.plain[text.plain.index("Zitat") : text.plain.index("zweiter Absatz") + 14]
    assert styled(text, "italic") == ["kursiver", quote]


def test_telegram_html_reads_as_in_the_app() -> None:
    text = telegram_text(to_telegram_html(parse(MARKDOWN)))
    assert text.plain == READABLE  # Telegram's text is its own layout already
    assert "fetter" in styled(text, "bold") and "Überschrift" in styled(text, "bold")
    assert styled(text, "cyan")[0] == "code"
    links = [s for s in text.spans if isinstance(s.style, Style) and s.style.link]
    assert [text.plain[s.start : s.end] for s in links] == [
        "Link",
        "https://example.org/auto",
        "info@kreis.de",
    ]


def test_every_telegram_style() -> None:
    markup = (
        "<b>b</b><strong>strong</strong><i>i</i><em>em</em><u>u</u><ins>ins</ins><s>s</s>"
        "<strike>strike</strike><del>del</del><code>code</code><tg-spoiler>sp</tg-spoiler>"
        '<span class="tg-spoiler">span</span><tg-emoji emoji-id="5368324170671202286">👍'
        "</tg-emoji>"
    )
    text = telegram_text(markup)
    assert text.plain == "bstrongiemuinssstrikedelcodespspan👍"
    assert styled(text, "bold") == ["b", "strong"]
    assert styled(text, "italic") == ["i", "em"]
    assert styled(text, "underline") == ["u", "ins"]
    assert styled(text, "strike") == ["s", "strike", "del"]
    assert styled(text, "reverse") == ["sp", "span"]


def test_links_show_their_target_unless_the_text_is_the_target() -> None:
    assert telegram_text('<a href="https://a.example/x">mehr</a>').plain == (
        "mehr (https://a.example/x)"
    )
    assert telegram_text('<a href="https://a.example/x/">a.example/x</a>').plain == "a.example/x"
    assert telegram_text('<a href="mailto:p@kreis.de">p@kreis.de</a>').plain == "p@kreis.de"
    assert website_text('<a href="https://a.example/?q=1&amp;r=2">q</a>').plain == (
        "q (https://a.example/?q=1&r=2)"
    )


def test_images_show_their_alt_text() -> None:
    text = website_text('<p>Plakat: <img src="a.png" alt="Blaues Plakat"> <img src="b.png"></p>')
    assert text.plain == "Plakat: [image: Blaues Plakat] [image without alt text]"


def test_telegram_blockquote_and_pre_are_blocks_and_keep_every_newline() -> None:
    text = telegram_text("vor<blockquote>eins\n\nzwei</blockquote>nach\n<pre>a\n  b</pre>")
    assert text.plain == "vor\n│ eins\n\n│ zwei\nnach\na\n  b"


def test_broken_markup_keeps_its_text() -> None:
    assert website_text("<p>a <b>b</p> c</i> <ul><li>d").plain == "a b\n\nc\n\n• d"
    assert website_text("<style>p { color: red }</style><p>sichtbar</p>").plain == "sichtbar"


#: rich drops these control codes from any text it prints (as in every preview before)
TERMINAL_TEXT = st.text(st.characters(blacklist_characters="\a\b\v\f\r"))


@given(TERMINAL_TEXT)
def test_telegram_text_is_kept_exactly(text: str) -> None:
    assert telegram_text(escape_telegram(text)).plain == text
    assert telegram_text(f"<b>{escape_telegram(text)}</b>x").plain == text + "x"


@given(TERMINAL_TEXT)
def test_website_text_is_kept_with_whitespace_collapsed_as_a_browser_does(text: str) -> None:
    expected = re.sub(r"[ \t\n]+", " ", text).strip(" ")
    assert website_text(f"<p>{html.escape(text)}</p>").plain == expected


def non_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_subsequence(needle: str, haystack: str) -> bool:
    letters = iter(haystack)
    return all(letter in letters for letter in needle)


@given(st.text(alphabet="ab &<>*_`#>-1.[]()\n\\!:/", max_size=80))
def test_no_character_of_a_rendered_body_is_lost(markdown: str) -> None:
    doc = parse(markdown)
    for markup, read in ((to_html(doc), website_text), (to_telegram_html(doc), telegram_text)):
        assert is_subsequence(non_space(visible_text(markup)), non_space(read(markup).plain))
