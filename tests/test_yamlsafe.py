from __future__ import annotations

import pytest

from socialpub.content import yamlsafe


def test_keys_keep_their_lines() -> None:
    data = yamlsafe.load("id: a\nmedia:\n  - file: x.png\n    alt: Karte\ntitle: T\n", first_line=2)
    assert data.lines == {"id": 2, "media": 3, "title": 6}
    assert data["media"].lines == [4]
    assert data["media"][0].line_of("alt") == 5


def test_scalars_are_plain_types_and_dates_stay_text() -> None:
    data = yamlsafe.load("a: 1\nb: true\nc: ~\nd: 2026-12-01T18:00\ne: 1.5\nf: '7'\n")
    assert data == {"a": 1, "b": True, "c": None, "d": "2026-12-01T18:00", "e": 1.5, "f": "7"}


def test_billion_laughs_fails_fast_with_a_clear_message() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(yamlsafe.YamlProblem) as info:
        yamlsafe.load("\n".join(lines))
    assert "expands to more than" in info.value.message
    assert "alias" in info.value.hint


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(yamlsafe.YamlProblem, match="nested deeper"):
        yamlsafe.load("a: &a [*a]")


@pytest.mark.parametrize(
    "text",
    ["a: !!python/object/apply:os.system ['true']", "a: !custom x", "a: !!binary aGVsbG8="],
)
def test_non_plain_tags_are_refused(text: str) -> None:
    with pytest.raises(yamlsafe.YamlProblem, match="unsupported YAML tag"):
        yamlsafe.load(text)


def test_duplicate_key_names_first_line() -> None:
    with pytest.raises(yamlsafe.YamlProblem) as info:
        yamlsafe.load("id: a\ntitle: b\nid: c\n")
    assert info.value.line == 3
    assert "line 1" in info.value.hint


def test_syntax_error_has_line() -> None:
    with pytest.raises(yamlsafe.YamlProblem) as info:
        yamlsafe.load("a: 1\nb: [1, 2\nc: 3\n", first_line=2)
    assert info.value.line >= 3
    assert info.value.message.startswith("YAML syntax error")


def test_merge_keys_are_refused() -> None:
    with pytest.raises(yamlsafe.YamlProblem, match="merge"):
        yamlsafe.load("base: &b {x: 1}\nc:\n  <<: *b\n")
