"""The `etiquette:` block of the config: the county's house rules for posts, checked by
`validate` (socialpub.checks.etiquette), and its neutrality periods before elections.

```yaml
etiquette:
  forbidden_words:                 # whole words, upper or lower case alike
    severity: error                # error | warning | off (each rule has its default)
    words:
      - Asylant
      - {word: Behinderte, hint: "schreiben Sie: Menschen mit Behinderung"}
  signoff:                         # a line the text must contain, by posts folder
    default: Ihr Landkreis Musterstadt
    folders: {posts/strassenbau: Ihr Fachbereich Straßenbau}
  max_hashtags: {max: 3}
  max_emojis: {max: 3}
  hashtag_case: {max_lower: 15, max_upper: 6}
  link_shorteners: {hosts: [kurz.link]}      # in addition to bit.ly, t.co, …
  shouting: {min_letters: 5, max_words: 1, allow: [LEADER]}
  neutrality:
    - {from: 2027-02-14, to: 2027-03-14, tags: [politik], reason: Kommunalwahl 14.03.2027}
```

Only the rules named run; without an `etiquette:` block none does. The rule's code (SP601…)
and its default severity live in `codes.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialpub.content import yamlsafe
from socialpub.content.codes import CODES, problem
from socialpub.content.neutralityconfig import NeutralityPeriod, read_periods
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem, Severity

#: link shorteners hide where a link leads: readers (and screen readers) cannot judge it
DEFAULT_SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "t.co",
        "tinyurl.com",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "v.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "s.id",
        "t.ly",
        "tiny.cc",
        "rb.gy",
        "shorturl.at",
        "lnkd.in",
        "dlvr.it",
    }
)
#: all-caps words of `min_letters` or more letters that are names, not shouting
DEFAULT_ALLOWED_CAPS = frozenset({"UNESCO", "UNICEF", "COVID", "LEADER", "INTERREG"})

#: each rule, its code (severity default) and the settings it takes besides `severity`
RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "forbidden_words": ("SP601", ("words",)),
    "signoff": ("SP602", ("default", "folders")),
    "max_hashtags": ("SP603", ("max",)),
    "max_emojis": ("SP604", ("max",)),
    "hashtag_case": ("SP605", ("max_lower", "max_upper")),
    "link_shorteners": ("SP606", ("hosts",)),
    "shouting": ("SP607", ("min_letters", "max_words", "allow")),
}
SECTION_KEYS = (*RULES, "neutrality")
SEVERITIES = ("error", "warning", "off")


@dataclass(frozen=True)
class ForbiddenWord:
    word: str
    hint: str = ""


@dataclass(frozen=True)
class Rule:
    """A configured rule: its code, its severity (None: off) and its settings."""

    name: str
    code: str
    severity: Severity | None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def number(self, key: str) -> int:
        value = self.settings[key]
        assert isinstance(value, int)
        return value


@dataclass(frozen=True)
class Etiquette:
    rules: Mapping[str, Rule] = field(default_factory=dict)
    neutrality: tuple[NeutralityPeriod, ...] = ()

    def active(self, name: str) -> Rule | None:
        """The rule when it is configured and not off."""
        rule = self.rules.get(name)
        return rule if rule is not None and rule.severity is not None else None

    def configured(self, name: str) -> bool:
        """Whether the block names the rule (even as off): it then replaces the built-in
        style check of the same kind (SP402 hashtag case, SP403 emoji)."""
        return name in self.rules


_DEFAULTS: dict[str, dict[str, Any]] = {
    "forbidden_words": {"words": ()},
    "signoff": {"default": None, "folders": {}},
    "max_hashtags": {"max": 3},
    "max_emojis": {"max": 3},
    "hashtag_case": {"max_lower": 15, "max_upper": 6},
    "link_shorteners": {"hosts": DEFAULT_SHORTENERS},
    "shouting": {"min_letters": 5, "max_words": 1, "allow": DEFAULT_ALLOWED_CAPS},
}


def read_etiquette(
    path: Path, raw: yamlsafe.YMap, posts_dir: str, timezone: Any, problems: list[Problem]
) -> Etiquette | None:
    """The `etiquette:` block (None when there is none); problems for what is wrong in it.
    `posts_dir` is the posts folder relative to the repository, for the sign-off folders."""
    block = raw.get("etiquette")
    if "etiquette" not in raw:
        return None
    reader = _Reader(path, problems)
    if not isinstance(block, yamlsafe.YMap):
        reader.report(raw.line_of("etiquette"), "etiquette", _("etiquette must be a mapping"))
        return Etiquette()
    rules: dict[str, Rule] = {}
    for name, value in block.items():
        line = block.line_of(name)
        if name == "neutrality":
            continue
        if name not in RULES:
            hint = did_you_mean(name, SECTION_KEYS) or "rules: " + ", ".join(SECTION_KEYS)
            problems.append(
                problem(
                    "SP502",
                    path,
                    line,
                    f"etiquette.{name}",
                    _("unknown rule {name!r}").format(name=name),
                    hint,
                )
            )
            continue
        rule = reader.rule(name, value, line, posts_dir)
        if rule is not None:
            rules[name] = rule
    periods = read_periods(path, block, timezone, problems) if "neutrality" in block else ()
    return Etiquette(rules=rules, neutrality=periods)


class _Reader:
    """Reads the rules of one config file, collecting problems."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def report(self, line: int, where: str, message: str, hint: str = "") -> None:
        self.problems.append(problem("SP506", self.path, line, where, message, hint))

    def rule(self, name: str, value: Any, line: int, posts_dir: str) -> Rule | None:
        code, keys = RULES[name]
        where = f"etiquette.{name}"
        if value is None:
            value = yamlsafe.YMap(line)  # `max_hashtags:` alone: the defaults
        if not isinstance(value, yamlsafe.YMap):
            example = _("e.g. {name}: {{severity: warning}}").format(name=name)
            self.report(
                line, where, _("{where} must be a mapping of settings").format(where=where), example
            )
            return None
        settings = dict(_DEFAULTS[name])
        severity: Severity | None = CODES[code].severity
        for key, item in value.items():
            at = value.line_of(key)
            if key == "severity":
                severity = self.severity(item, at, f"{where}.severity", severity)
            elif key not in keys:
                known = ("severity", *keys)
                hint = did_you_mean(key, known) or f"{name} takes: " + ", ".join(known)
                message = _("unknown setting {key!r}").format(key=key)
                self.problems.append(
                    problem("SP502", self.path, at, f"{where}.{key}", message, hint)
                )
            else:
                settings[key] = self.setting(name, key, item, at, posts_dir)
        return Rule(name, code, severity, settings)

    def severity(
        self, value: Any, line: int, where: str, default: Severity | None
    ) -> Severity | None:
        if value == "off" or value is False:  # YAML 1.1 reads a bare `off` as false
            return None
        if isinstance(value, str) and value in SEVERITIES:
            return Severity(value)
        hint = did_you_mean(str(value), SEVERITIES) or _("one of error, warning, off")
        self.report(
            line,
            where,
            _("severity must be error, warning or off, not {value!r}").format(value=value),
            hint,
        )
        return default

    def setting(self, rule: str, key: str, value: Any, line: int, posts_dir: str) -> Any:
        where = f"etiquette.{rule}.{key}"
        default = _DEFAULTS[rule][key]
        if key == "words":
            return self.words(value, line, where)
        if key == "folders":
            return self.folders(value, line, where, posts_dir)
        if key == "default":
            return self.text(value, line, where)
        if key in ("hosts", "allow"):
            texts = self.texts(value, line, where)
            extra = {t.lower() if key == "hosts" else t.upper() for t in texts}
            return frozenset(default | extra)
        least = 0 if key in ("max", "max_words") else 1
        if isinstance(value, int) and not isinstance(value, bool) and value >= least:
            return value
        self.report(
            line,
            where,
            _("{key} must be a whole number ≥ {least}").format(key=key, least=least),
            f"e.g. {key}: {default}",
        )
        return default

    def text(self, value: Any, line: int, where: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.report(line, where, _("{where} must be a non-empty text").format(where=where))
        return None

    def texts(self, value: Any, line: int, where: str) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.report(
                line,
                where,
                _("{where} must be a list of texts").format(where=where),
                "e.g. [bit.ly, t.co]",
            )
            return []
        lines = items.lines if isinstance(items, yamlsafe.YList) else [line] * len(items)
        found = [self.text(item, at, where) for item, at in zip(items, lines, strict=True)]
        return [text for text in found if text]

    def words(self, value: Any, line: int, where: str) -> tuple[ForbiddenWord, ...]:
        if not isinstance(value, yamlsafe.YList):
            self.report(
                line,
                where,
                _("{where} must be a list of words").format(where=where),
                "e.g. words: [Asylant]",
            )
            return ()
        found: list[ForbiddenWord] = []
        for item, at in zip(value, value.lines, strict=True):
            if isinstance(item, yamlsafe.YMap):
                found.extend(self.word_entry(item, at, where))
            elif (word := self.text(item, at, where)) is not None:
                found.append(ForbiddenWord(word))
        return tuple(found)

    def word_entry(self, item: yamlsafe.YMap, line: int, where: str) -> list[ForbiddenWord]:
        for key in item:
            if key not in ("word", "hint"):
                hint = did_you_mean(key, ("word", "hint")) or _("a word takes: word, hint")
                message = _("unknown setting {key!r}").format(key=key)
                self.problems.append(
                    problem("SP502", self.path, item.line_of(key), where, message, hint)
                )
        word = self.text(item.get("word"), item.line_of("word"), f"{where}.word")
        hint = item.get("hint", "")
        if not isinstance(hint, str):
            self.report(item.line_of("hint"), f"{where}.hint", _("hint must be a text"))
            hint = ""
        return [ForbiddenWord(word, hint.strip())] if word else []

    def folders(self, value: Any, line: int, where: str, posts_dir: str) -> dict[str, str]:
        if not isinstance(value, yamlsafe.YMap):
            example = _("e.g. folders: {posts/strassenbau: Ihr Fachbereich Straßenbau}")
            self.report(
                line,
                where,
                _("{where} must be a mapping of folders to lines").format(where=where),
                example,
            )
            return {}
        found: dict[str, str] = {}
        for folder, text in value.items():
            at = value.line_of(folder)
            name = folder.strip().removeprefix("./").strip("/")
            if not (name == posts_dir or name.startswith(posts_dir.rstrip("/") + "/")):
                hint = _(
                    "write the folder from the repository root, e.g. {posts_dir}/strassenbau"
                ).format(posts_dir=posts_dir)
                self.report(
                    at,
                    f"{where}.{folder}",
                    _("{folder!r} is not inside {posts_dir}/").format(
                        folder=folder, posts_dir=posts_dir
                    ),
                    hint,
                )
            if (line_text := self.text(text, at, f"{where}.{folder}")) is not None:
                found[name] = line_text
        return found
