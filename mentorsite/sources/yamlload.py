"""Read YAML safely, keeping the line and column of every key and value."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from mentorsite.errors import Loc, SiteError
from mentorsite.site.dates import missing_date

try:  # the C composer is several times faster; marks are the same
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """YAML 1.2 scalars: only true/false are booleans ('Yes', 'No', 'on' stay text) and no
    base-60 numbers ('2:1' stays text), which is what people writing a handbook mean."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)

_MAX_NODES = 200_000
_MAX_DEPTH = 60
_STANDARD_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}  # alias expansion bound: a 'billion laughs' file fails fast


class LocMap(dict):
    """A mapping from YAML that knows where it and each of its keys and values stand."""

    loc: Loc
    key_locs: dict
    value_locs: dict


class LocList(list):
    """A sequence from YAML that knows where it and each of its items stand."""

    loc: Loc
    item_locs: list


def _loc(path: Path, mark) -> Loc:
    return Loc(path, mark.line + 1, mark.column + 1)


def decode(data: bytes, path: Path) -> str:
    """Bytes of a user's text file as str: UTF-8 (a byte-order mark is allowed), LF line ends."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise SiteError(
            Loc(path, line, col),
            f"invalid UTF-8 (byte {e.start} is 0x{data[e.start]:02x}) — save the file as UTF-8",
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def load_yaml(text: str, path: Path, line_offset: int = 0):
    """Parse YAML text into LocMap/LocList/scalars; syntax errors become a located SiteError."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        problem = (e.problem or e.context or "invalid YAML").strip()
        hint = _syntax_hint(text, mark, problem)
        raise SiteError(Loc(path, line, col), f"invalid YAML: {problem}{hint}") from None
    except yaml.reader.ReaderError as e:
        pos = e.position if isinstance(e.position, int) else 0
        line = text.count("\n", 0, pos) + 1 + line_offset
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        raise SiteError(Loc(path, line, col), f"the file contains the control character {char}, which YAML does "
                                              "not allow — delete it (it is often pasted in by accident)") from None
    except yaml.YAMLError as e:
        raise SiteError(Loc(path, 1 + line_offset, 1), "invalid YAML: " + " ".join(str(e).split())) from None
    if node is None:
        return None
    return _Builder(path, line_offset).build(node)


def quoted(text: str) -> str:
    """text as a quoted YAML scalar: in double quotes, or in single ones when it has a " or a \\."""
    if '"' in text or "\\" in text:
        return "'" + text.replace("'", "''") + "'"
    return '"' + text + '"'


def colon_text(value) -> str | None:
    """The line of text YAML read as a mapping because of an unquoted ': ' ('Note: meet weekly'
    as a list item becomes {'Note': 'meet weekly'}): the text as written, or None."""
    if not isinstance(value, LocMap) or len(value) != 1:
        return None
    (key, item), = value.items()
    key_loc, value_loc = value.key_locs.get(key), value.value_locs.get(key)
    if isinstance(item, (dict, list)) or item is None or not key_loc or not value_loc or key_loc.line != value_loc.line:
        return None
    shown = item.isoformat() if isinstance(item, dt.date) else str(item).lower() if isinstance(item, bool) else str(item)
    return f"{key}: {shown}"


def _quote_hint(line: str) -> str:
    """' — put the text in quotes: - "Next: read it"' for a list item or a key's value (a key is
    a plain lowercase name; 'Next' in '- Next: read: it' is text), or '' for another line."""
    m = re.match(r"^\s*(?:-\s+)?([a-z_][a-z0-9_-]*):\s+(\S.*)$", line) or re.match(r"^\s*(-)\s+(\S.*)$", line)
    if not m:
        return ""
    head = "- " if m.group(1) == "-" else f"{m.group(1)}: "
    text = m.group(2).rstrip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":  # quoted already, but wrongly
        text = text[1:-1]
    return f" — put the text in quotes: {head}{quoted(text)}"


def _syntax_hint(text: str, mark, problem: str) -> str:
    if "\t" in problem or "tab" in problem:
        return " — indent with spaces, not tabs"
    if mark is not None:
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        if "\t" in line[: mark.column + 1]:
            return " — indent with spaces, not tabs"
        value = line.split(": ", 1)[1].lstrip() if ": " in line else line.lstrip(" -")
        if value[:1] in ("*", "&", "!", "@", "`", "%", "|", ">"):
            return f" — put the text in quotes: it starts with '{value[0]}', which YAML reads as a special sign"
    if "mapping values are not allowed" in problem:
        hint = _quote_hint(line) if mark is not None else ""
        return hint or " — put text containing ': ' in quotes"
    if "did not find expected key" in problem and mark is not None and re.search(r"""["'].*\S""", line):
        hint = _quote_hint(line)  # a quote that ends before the text does: '- Ask: "why?" often'
        if hint:
            return hint.replace("put the text in quotes", "put the whole text in quotes")
    return " — check the indentation and quoting on this line"


class _Builder:
    """Turns a composed node graph into Python values, recording locations."""

    def __init__(self, path: Path, line_offset: int):
        self.path = path
        self.offset = line_offset
        self.count = 0
        self.stack: list[int] = []
        self.scalars = yaml.constructor.SafeConstructor()

    def loc(self, node) -> Loc:
        return Loc(self.path, node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def build(self, node):
        if id(node) in self.stack:
            raise SiteError(self.loc(node), "an alias refers to the list or mapping that contains it — "
                                            "YAML data cannot contain itself; remove the '*' alias")
        if len(self.stack) > _MAX_DEPTH:
            raise SiteError(self.loc(node), f"values nested more than {_MAX_DEPTH} levels deep — flatten the data")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.stack.append(id(node))
            try:
                return self._build(node)
            finally:
                self.stack.pop()
        return self._build(node)

    def _build(self, node):
        if node.tag not in _STANDARD_TAGS:
            shown = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise SiteError(self.loc(node), f"the YAML tag '{shown}' is not allowed here — remove it (handbook "
                                            "files hold plain text, numbers, dates, lists and mappings)")
        self.count += 1
        if self.count > _MAX_NODES:
            raise SiteError(
                self.loc(node),
                f"YAML too large: more than {_MAX_NODES} values after expanding aliases — "
                "remove the anchors and aliases that repeat data",
            )
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode):
            out = LocList()
            out.loc = self.loc(node)
            out.item_locs = []
            for item in node.value:
                out.append(self.build(item))
                out.item_locs.append(self.loc(item))
            return out
        return self.scalar(node)

    def scalar(self, node):
        try:
            value = self.scalars.construct_object(node)
        except (ValueError, yaml.constructor.ConstructorError) as e:
            if node.tag.endswith(":timestamp"):
                raise SiteError(
                    self.loc(node),
                    missing_date(node.value) or f"'{node.value}' is not a real date ({e}) — write a date as YYYY-MM-DD",
                ) from None
            raise SiteError(self.loc(node), f"cannot read value '{node.value}': {e}") from None
        if isinstance(value, dt.datetime):
            value = value.date()
        return value

    def mapping(self, node):
        out = LocMap()
        out.loc = self.loc(node)
        out.key_locs = {}
        out.value_locs = {}
        self.scalars.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SiteError(self.loc(key_node), "a key must be a plain name, not a list or mapping")
            key = self.scalar(key_node)
            if not isinstance(key, str):
                raise SiteError(
                    self.loc(key_node),
                    f"key {key_node.value!r} must be text — put it in quotes or use a name",
                )
            if key in out:
                first = out.key_locs[key]
                raise SiteError(
                    self.loc(key_node),
                    f"duplicate key '{key}' (first at line {first.line}) — keep only one",
                )
            out[key] = self.build(value_node)
            out.key_locs[key] = self.loc(key_node)
            out.value_locs[key] = self.loc(value_node)
        return out
