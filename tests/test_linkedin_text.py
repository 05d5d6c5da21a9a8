"""LinkedIn's little text: no post text can produce broken markup; a follower reads exactly
the text that was written, and its hashtags stay hashtags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpub.channels.linkedin_text import RESERVED, commentary, escape, hashtags
from tests.littletext import BrokenMarkup, parse, visible

RESERVED_TEXT = "".join(sorted(RESERVED))
# texts rich in what little text reserves, hashtags, words and anything Unicode
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from([*RESERVED_TEXT, " ", "\n", "ä", "ß", "é", "T", "1"]),
        st.characters(codec="utf-8"),
    ),
    max_size=80,
)
joined = st.lists(st.sampled_from([*RESERVED_TEXT, "#", "Kreis", "#Landkreis", " ", "_2026"]))


@given(texts)
def test_any_text_is_well_formed_little_text_that_reads_as_written(text: str) -> None:
    little = commentary(text)
    assert visible(little) == text  # parse() raises on any broken markup
    assert [e.text for e in parse(little) if e.kind == "hashtag"] == hashtags(text)


@given(joined.map("".join))
def test_reserved_characters_and_hashtags_in_any_order(text: str) -> None:
    little = commentary(text)
    assert visible(little) == text
    assert [e.text for e in parse(little) if e.kind == "hashtag"] == hashtags(text)


@given(texts)
def test_escaped_text_holds_no_markup_at_all(text: str) -> None:
    assert all(e.kind == "text" for e in parse(escape(text)))
    assert visible(escape(text)) == text


def test_examples() -> None:
    assert commentary("Kreistag (öffentlich) #Landkreis_Ost, Mail: a@b.de") == (
        "Kreistag \\(öffentlich\\) {hashtag|\\#|Landkreis\\_Ost}, Mail: a\\@b.de"
    )
    assert commentary("Nr#1 und ## und # und #1 und C#") == (
        "Nr\\#1 und \\#\\# und \\# und \\#1 und C\\#"
    )
    assert commentary("#Kreis2026!") == "{hashtag|\\#|Kreis2026}!"
    assert commentary("C:\\Pfad *wichtig* ~x~ <b> [1] {a|b}") == (
        "C:\\\\Pfad \\*wichtig\\* \\~x\\~ \\<b\\> \\[1\\] \\{a\\|b\\}"
    )


@pytest.mark.parametrize("broken", ["a (b", "#tag", "\\q", "{hashtag|\\#|x", "a\\"])
def test_the_reader_refuses_broken_markup(broken: str) -> None:
    with pytest.raises(BrokenMarkup):
        parse(broken)
