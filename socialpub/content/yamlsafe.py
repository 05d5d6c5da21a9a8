"""Safe YAML loading that keeps the line number of every key.

PyYAML composes the node graph (with the C parser where available); we build the Python
values ourselves so that:
- only plain YAML types exist (no `!!python/...` or custom tags),
- aliases cannot blow up ("billion laughs"): the expanded size is bounded,
- timestamps stay strings (the post schema parses dates itself, with the config timezone),
- every mapping remembers the line of each key, for `file:line` messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from socialpub.i18n import _

try:  # the C parser is several times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: expanded nodes allowed per document; a real post has a few dozen
MAX_NODES = 10_000
#: nesting allowed; also stops recursive aliases before Python's recursion limit
MAX_DEPTH = 50

_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}


@dataclass(frozen=True)
class YamlProblem(Exception):
    """YAML that cannot be used; `line` is 1-based within the parsed text."""

    line: int
    message: str
    hint: str = ""


class YMap(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class YList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


def load(text: str, *, first_line: int = 1) -> Any:
    """Parse one YAML document into YMap/YList/scalars. Raises YamlProblem."""
    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else first_line
        problem = exc.problem or exc.context or _("invalid YAML")
        raise YamlProblem(line, _("YAML syntax error: {problem}").format(problem=problem)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, _("YAML error: {exc}").format(exc=exc)) from None
    if node is None:
        return None
    return _Builder(offset).build(node)


class _Builder:
    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.budget = MAX_NODES
        self.depth = 0

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    def build(self, node: yaml.Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlProblem(
                self.line(node),
                _("YAML document expands to more than {max_nodes} values").format(
                    max_nodes=MAX_NODES
                ),
                _("remove the anchors/aliases (&name / *name); a post never needs them"),
            )
        if node.tag not in _PLAIN_TAGS:
            raise YamlProblem(
                self.line(node),
                _("unsupported YAML tag {tag!r}").format(tag=node.tag),
                _("use plain YAML values: text, numbers, true/false, lists and mappings"),
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if self.depth >= MAX_DEPTH:
            raise YamlProblem(
                self.line(node),
                _("YAML nested deeper than {max_depth} levels").format(max_depth=MAX_DEPTH),
            )
        self.depth += 1
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node)
            assert isinstance(node, yaml.SequenceNode)
            return self.sequence(node)
        finally:
            self.depth -= 1

    def mapping(self, node: yaml.MappingNode) -> YMap:
        result = YMap(self.line(node))
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(self.line(key_node), _("YAML merge keys (<<) are not supported"))
            key = self.build(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise YamlProblem(
                    self.line(key_node),
                    _("key {key!r} appears twice").format(key=key),
                    _("first at line {lines}; keep one").format(lines=result.lines[key]),
                )
            result[key] = self.build(value_node)
            result.lines[key] = self.line(key_node)
        return result

    def sequence(self, node: yaml.SequenceNode) -> YList:
        result = YList(self.line(node))
        for item in node.value:
            result.append(self.build(item))
            result.lines.append(self.line(item))
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value: str = node.value
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return value in _TRUE
        if tag == "tag:yaml.org,2002:int":
            return _to_int(value)
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
        return value  # str and timestamp: dates are parsed by the schema


def _to_int(value: str) -> int | str:
    text = value.replace("_", "")
    try:
        if text.lower().startswith(("0x", "-0x", "+0x")):
            return int(text, 16)
        if text.lower().startswith(("0o", "-0o", "+0o")):
            return int(text, 8)
        return int(text, 10)
    except ValueError:
        return value
