"""The German catalogue is complete, and no message to a person bypasses it.

The catalogue test runs Babel's own extractor over the package, as `make messages` does, so a
new `_("…")` without a German translation fails here. The source test reads the code's syntax
tree: a literal handed to `problem()`, to the error tree, to typer's `help=` or to the console
must go through `_()`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from socialpub import i18n

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "socialpub"
PO = PACKAGE / "locale" / "de" / "LC_MESSAGES" / "socialpub.po"
#: `{name}`, `{name!r}`, `{value:%d.%m.%Y}`: the name and conversion must survive translation
PLACEHOLDER = re.compile(r"\{([^{}:!]*)(![rsa])?(?::[^{}]*)?\}")


def catalogue() -> Catalog:
    with PO.open("rb") as source:
        return read_po(source, locale="de")


@cache
def extracted() -> frozenset[str | tuple[str, ...]]:
    """Every msgid in the package, as `pybabel extract -F babel.cfg` finds them."""
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")])
    return frozenset(message for _file, _line, message, _comments, _context in found)


def placeholders(text: str) -> set[tuple[str, str]]:
    plain = text.replace("{{", "").replace("}}", "")
    return {(name, conversion or "") for name, conversion in PLACEHOLDER.findall(plain)}


def forms(message: Message) -> tuple[list[str], list[str]]:
    """The msgid (and its plural), and every German form."""
    ids = [str(i) for i in message.id] if isinstance(message.id, tuple) else [str(message.id)]
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return ids, [str(s or "") for s in strings]


def test_every_message_in_the_code_has_a_german_translation() -> None:
    known = {m.id for m in catalogue() if m.id}
    missing = sorted(str(m) for m in extracted() - known)
    assert not missing, f"not in the German catalogue (run `make messages`): {missing[:10]}"


def test_the_catalogue_holds_no_message_the_code_no_longer_has() -> None:
    stale = sorted(str(m.id) for m in catalogue() if m.id and m.id not in extracted())
    assert not stale, f"obsolete entries (run `make messages`): {stale[:10]}"


def test_no_translation_is_empty_or_fuzzy() -> None:
    for message in catalogue():
        if not message.id:
            continue
        ids, strings = forms(message)
        assert all(s.strip() for s in strings), f"no German text for {ids[0]!r}"
        assert not message.fuzzy, f"fuzzy (check and remove the flag): {ids[0]!r}"


def test_translations_keep_every_placeholder() -> None:
    """`.format(name=…)` raises KeyError on a placeholder the English text does not have."""
    for message in catalogue():
        if not message.id:
            continue
        ids, strings = forms(message)
        wanted = placeholders(ids[-1])
        for string in strings:
            assert placeholders(string) == wanted, (ids[0], string)


def test_the_catalogue_declares_german_plurals() -> None:
    assert catalogue().plural_forms == "nplurals=2; plural=(n != 1);"


# ---------------------------------------------------------------------------------- sources

SOURCES = sorted(PACKAGE.rglob("*.py"))
WORD = re.compile(r"[A-Za-z]{2,}")
TRANSLATORS = {"_", "ngettext", "N_"}
#: texts that are not messages to a person, by file and their first words
ALLOWED = {
    # GitHub's workflow command syntax, read by the Actions runner
    ("cli/console.py", "::error::"),
}


def _errors() -> set[str]:
    """The error tree's classes and every exception class of the package."""
    names = {"BadParameter"}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and (b.id in names or b.id.endswith("Error"))
                for b in node.bases
            ):
                names.add(node.name)
    return names | {"SocialpubError", "DecodeProblem", "YamlProblem"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _prints(call: ast.Call) -> bool:
    """A call that shows its first argument on the terminal."""
    name = _name(call.func)
    return name in {"echo", "secho", "print", "error"} or ast.unparse(call.func) in {
        "sys.stderr.write",
        "sys.stdout.write",
    }


def _messages(call: ast.Call, errors: set[str], in_cli: bool) -> Iterator[ast.expr]:
    """The arguments of `call` that are messages to a person."""
    name = _name(call.func)
    if name == "problem":
        yield from call.args[4:6]
    elif name in errors or (in_cli and _prints(call)):
        yield from call.args[:1]
    for keyword in call.keywords:
        if keyword.arg in {"hint", "message"} or (in_cli and keyword.arg == "help"):
            yield keyword.value


def _bare_texts(node: ast.expr) -> Iterator[ast.expr]:
    """Literals with words in `node` that no `_()` encloses."""
    if isinstance(node, ast.Call) and _name(node.func) in TRANSLATORS:
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and WORD.search(node.value):
            yield node
        return
    if isinstance(node, ast.JoinedStr):
        if any(isinstance(v, ast.Constant) and WORD.search(str(v.value)) for v in node.values):
            yield node
        return
    if isinstance(node, ast.Call):  # only the text of `"…".format(…)`, not other arguments
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            yield from _bare_texts(node.func.value)
        return
    for child in ast.iter_child_nodes(node):  # conditionals, concatenations, `or` fallbacks
        if isinstance(child, ast.expr) and not isinstance(child, ast.Lambda):
            yield from _bare_texts(child)


def _untranslated(path: Path, errors: set[str]) -> list[str]:
    relative = path.relative_to(PACKAGE).as_posix()
    in_cli = relative.startswith("cli/")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        for argument in _messages(node, errors, in_cli):
            for text in _bare_texts(argument):
                shown = ast.unparse(text)
                if not any(relative == f and word in shown for f, word in ALLOWED):
                    found.append(f"{relative}:{text.lineno}: {shown[:70]}")
    return found


def test_no_message_bypasses_the_catalogue() -> None:
    errors = _errors()
    found = [line for path in SOURCES for line in _untranslated(path, errors)]
    assert not found, "wrap these in _() (socialpub.i18n):\n" + "\n".join(found)


def test_the_source_check_finds_a_bare_message() -> None:
    """The check itself: an f-string hint, a literal error and a plain help text are found."""
    code = (
        "def f(p, name):\n"
        "    problem('SP101', p, 1, 'id', _('fine'), f'add {name}')\n"
        "    raise ConfigError('broken config')\n"
        "    typer.Option('--x', help='Say hello.')\n"
    )
    path = PACKAGE / "cli" / "_probe.py"
    path.write_text(code, encoding="utf-8")
    try:
        found = _untranslated(path, {"ConfigError"})
    finally:
        path.unlink()
    assert [line.split(": ", 1)[1] for line in found] == [
        "f'add {name}'",
        "'broken config'",
        "'Say hello.'",
    ]


# ---------------------------------------------------------------------------------- choosing


@pytest.mark.parametrize(
    ("ui_lang", "environ", "chosen"),
    [
        ("de", {"SOCIALPUB_LANG": "en", "LANG": "en_US.UTF-8"}, "de"),  # the config first
        (None, {"SOCIALPUB_LANG": "de", "LANG": "en_US.UTF-8"}, "de"),
        ("en", {"SOCIALPUB_LANG": "de"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "de"),
        (None, {"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "en"),  # LC_ALL wins, as in POSIX
        (None, {"LC_MESSAGES": "de_AT", "LANG": "C"}, "de"),
        (None, {"SOCIALPUB_LANG": "fr"}, "en"),  # no French catalogue: English
        (None, {}, "en"),
    ],
)
def test_the_language_comes_from_config_then_env_then_locale(
    ui_lang: str | None, environ: dict[str, str], chosen: str
) -> None:
    assert i18n.choose(ui_lang, environ) == chosen


def test_messages_follow_the_language_set() -> None:
    text = "the config must be a mapping of keys"
    try:
        i18n.set_language("de")
        assert i18n._(text) == "die Konfiguration muss eine Zuordnung von Schlüsseln sein"
        many = i18n.ngettext("{count} file checked", "{count} files checked", 3)
        assert many.format(count=3) == "3 Dateien geprüft"
    finally:
        i18n.set_language("en")
    assert i18n._(text) == text
    assert i18n.ngettext("{count} error", "{count} errors", 1) == "{count} error"
