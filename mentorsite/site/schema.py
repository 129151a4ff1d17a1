"""One schema per kind of file: dataclass fields with docs, read from YAML with exact errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import MISSING, dataclass, field
from pathlib import Path

from mentorsite.site.dates import DUE_PATTERNS, Due, missing_date, parse_due
from mentorsite.errors import Loc, Problems, suggest
from mentorsite.sources.yamlload import LocMap, colon_text, quoted


class Markdown(str):
    """Text written in Markdown (rendered through the same pipeline as guides)."""

    loc: Loc | None = None

    def __reduce__(self):
        return (_markdown, (str(self), self.loc))


class Ref(str):
    """The id of another thing in the handbook (a role, type, template, worksheet, phase)."""

    loc: Loc | None = None

    def __reduce__(self):
        return (_ref, (str(self), self.loc))


def _markdown(text: str, loc: Loc | None) -> Markdown:
    return _tag(Markdown(text), loc)


def _ref(text: str, loc: Loc | None) -> Ref:
    return _tag(Ref(text), loc)


def _tag(value, loc):
    value.loc = loc
    return value


def key(doc: str, default=MISSING, *, factory=MISSING, required: bool = False, ref: str | None = None):
    """A key of a YAML file: its documentation, default, and what its ids refer to."""
    meta = {"doc": doc, "required": required, "ref": ref}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=meta)
    if default is MISSING and not required:
        raise TypeError("an optional key needs a default")
    if required:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


def derived(default=None, *, factory=MISSING):
    """A field that is not read from YAML (an id from the file name, a location)."""
    meta = {"yaml": False}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=meta, compare=False)
    return field(default=default, metadata=meta, compare=False)


def yaml_fields(cls) -> list[dataclasses.Field]:
    """The fields of cls that are YAML keys, in declaration order."""
    return [f for f in dataclasses.fields(cls) if f.metadata.get("yaml", True)]


_HINTS: dict[type, dict] = {}


def hints(cls) -> dict:
    """Resolved type hints of a dataclass (cached)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def describe(tp) -> str:
    """How a type is named to a user in messages and in the reference."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return " or ".join(describe(a) for a in args)
    if origin in (list, tuple):
        item = typing.get_args(tp)[0]
        return f"a list of {_plural(describe(item))}"
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if dataclasses.is_dataclass(tp) and tp is not Due:
        return f"a mapping ({tp.__name__})"
    return {
        str: "text",
        Markdown: "Markdown text",
        Ref: "an id",
        int: "a whole number",
        bool: "true or false",
        dt.date: "a date (YYYY-MM-DD)",
        Due: "a due date",
    }.get(tp, tp.__name__)


def _plural(text: str) -> str:
    if text.startswith("a mapping ("):
        return text[len("a mapping ("):-1] + " mappings"
    if text.startswith(("a ", "an ")):
        text = text.split(" ", 1)[1]
    return {"text": "texts", "id": "ids", "due date": "due dates", "Markdown text": "Markdown texts"}.get(text, text)


def _kind(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if value is None:
        return "empty"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if not isinstance(value, str):
        return repr(value)
    shown = value.replace("\r", "").replace("\n", "\\n").replace("\t", "\\t")
    return f"'{shown[:60]}…'" if len(shown) > 60 else f"'{shown}'"


class _Bad(Exception):
    def __init__(self, message: str, loc: Loc | None = None, *, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.key = key  # raised by __post_init__: the key whose value is wrong


def read(cls, data, loc: Loc, problems: Problems, *, what: str = "", **derived_values):
    """Build a cls from a YAML mapping, recording every problem; None when it cannot be built."""
    try:
        return _read_dataclass(cls, data, loc, problems, what or "this file", derived_values)
    except _Bad as bad:
        _record(problems, bad, loc)
        return None


def _record(problems: Problems, bad: "_Bad", loc: Loc) -> None:
    if bad.message:  # an empty message: the nested problem was recorded where it happened
        problems.error(bad.loc or loc, bad.message)


def _read_dataclass(cls, data, loc: Loc, problems: Problems, what: str, extra: dict):
    shorthand = getattr(cls, "_shorthand", None)
    if shorthand and isinstance(data, (str, int, float)) and not isinstance(data, bool):
        data = _single(shorthand, data, loc)
    if not isinstance(data, dict):
        expect = f"a mapping of keys (or text, its {shorthand})" if shorthand else "a mapping of keys"
        hint = " — write it as 'key: value' lines (see docs/reference.md)" if what in ("this file", "site.yml", "the front matter") else ""
        raise _Bad(f"{what} must be {expect}, not {_kind(data)}{hint}", loc)
    key_locs = getattr(data, "key_locs", {})
    value_locs = getattr(data, "value_locs", {})
    fields = {f.name: f for f in yaml_fields(cls)}
    ok = True
    for name in data:
        if name not in fields:
            problems.error(key_locs.get(name, loc), f"unknown key '{name}'{suggest(name, fields)}")
            ok = False
    kwargs = {}
    types_ = hints(cls)
    for name, f in fields.items():
        if name not in data or data[name] is None and f.metadata.get("required"):
            if f.metadata.get("required"):
                problems.error(
                    getattr(data, "loc", loc),
                    f"missing required key '{name}' — add '{name}: ...' ({f.metadata['doc'].rstrip('.')})",
                )
                ok = False
            continue
        if data[name] is None:
            continue  # an empty value means "use the default"
        vloc = value_locs.get(name, loc)
        try:
            kwargs[name] = _convert(types_[name], data[name], vloc, problems, f"'{name}'")
        except _Bad as bad:
            _record(problems, bad, vloc)
            ok = False
    names = {f.name for f in dataclasses.fields(cls)}
    if "loc" in names:
        kwargs["loc"] = getattr(data, "loc", loc)
    if "key_locs" in names:
        kwargs["key_locs"] = dict(value_locs)
    kwargs.update(extra)
    if not ok:
        return None
    try:
        return cls(**kwargs)
    except _Bad as bad:
        _record(problems, bad, value_locs.get(bad.key) or getattr(data, "loc", loc))
        return None


def _single(name: str, value, loc: Loc) -> LocMap:
    m = LocMap({name: value})
    m.loc, m.key_locs, m.value_locs = loc, {name: loc}, {name: loc}
    return m


def _convert(tp, value, loc: Loc, problems: Problems, what: str):
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        for option in options:
            try:
                return _convert(option, value, loc, Problems(), what)
            except _Bad:
                continue
        if dt.date in options and isinstance(value, str) and missing_date(value):
            raise _Bad(f"{what}: {missing_date(value)}", loc)
        raise _Bad(f"{what} must be {describe(tp)}, not {_kind(value)}", loc)
    if origin in (list, tuple):
        return _convert_items(tp, value, loc, problems, what)
    if origin is typing.Literal:
        choices = typing.get_args(tp)
        if value not in choices:
            raise _Bad(f"{what} is {_kind(value)}{suggest(value, choices)}", loc)
        return value
    if dataclasses.is_dataclass(tp) and tp is not Due:
        result = _read_dataclass(tp, value, loc, problems, what, {})
        if result is None:
            raise _Silent()
        return result
    if tp in (str, Markdown, Ref):
        return _convert_text(tp, value, loc, what)
    if tp is bool:
        if not isinstance(value, bool):
            raise _Bad(f"{what} must be true or false, not {_kind(value)}", loc)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(f"{what} must be a whole number, not {_kind(value)}", loc)
        return value
    if tp is dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            problem = missing_date(value)
            if problem:
                raise _Bad(f"{what}: {problem}", loc) from None
            raise _Bad(f"{what} must be a date written YYYY-MM-DD, not {_kind(value)}", loc) from None
    if tp is Due:
        try:
            return parse_due(value, loc)
        except ValueError as e:
            raise _Bad(f"{what}: {e}", loc) from None
    raise TypeError(f"unsupported schema type {tp!r}")  # a bug in a schema, not user input


def _convert_items(tp, value, loc: Loc, problems: Problems, what: str) -> tuple:
    """A list of the YAML as a tuple of tp's items; every bad item is recorded at its place."""
    item_tp = typing.get_args(tp)[0]
    if not isinstance(value, list):
        raise _Bad(f"{what} must be {describe(tp)}, not {_kind(value)} — write it as [a, b] or as lines starting with '- '",
                   loc)
    locs = getattr(value, "item_locs", [loc] * len(value))
    out = []
    bad = False
    for i, (item, iloc) in enumerate(zip(value, locs)):
        try:
            converted = _convert(item_tp, item, iloc, problems, f"item {i + 1} of {what}")
        except _Bad as b:
            _record(problems, b, iloc)
            bad = True
            continue
        if converted is None:
            bad = True
        out.append(converted)
    if bad:
        raise _Silent()
    return tuple(out)


def _convert_text(tp, value, loc: Loc, what: str):
    """Text (str, Markdown or a Ref) from a YAML scalar; a mapping that YAML made of text with
    ': ' in it is refused with the quoting that fixes it."""
    if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None:
        text = colon_text(value)
        hint = (f" — YAML reads text with ': ' as a key and a value: put it in quotes, "
                f"{'- ' if what.startswith('item ') else ''}{quoted(text)}") if text else ""
        raise _Bad(f"{what} must be {describe(tp)}, not {_kind(value)}{hint}", loc)
    if isinstance(value, dt.date):
        value = value.isoformat()
    text = str(value)
    if tp is str:
        return text
    return _tag(tp(text), loc)


class _Silent(_Bad):
    """A nested problem already recorded; the container fails without a second message."""

    def __init__(self):
        super().__init__("")


def walk_refs(obj, path=()):
    """Yield (kind, ref) for every id in obj (a schema dataclass) that refers to another thing."""
    if not dataclasses.is_dataclass(obj):
        return
    for f in yaml_fields(type(obj)):
        value = getattr(obj, f.name)
        kind = f.metadata.get("ref")
        if kind:
            for ref in value if isinstance(value, tuple) else (value,):
                if ref:
                    yield kind, ref
        elif isinstance(value, tuple):
            for item in value:
                yield from walk_refs(item)
        elif dataclasses.is_dataclass(value):
            yield from walk_refs(value)


def reference(cls, heading_level: int = 3, seen=None) -> str:
    """Markdown documentation of a schema: a table of keys, then each nested mapping."""
    seen = set() if seen is None else seen
    seen.add(cls)
    lines = [f"{'#' * heading_level} {cls.__name__}", "", (cls.__doc__ or "").strip(), ""]
    lines += ["| key | type | required / default | meaning |", "| --- | --- | --- | --- |"]
    nested = []
    for f in yaml_fields(cls):
        tp = hints(cls)[f.name]
        if f.metadata.get("required"):
            default = "**required**"
        elif f.default is not MISSING:
            default = "" if f.default in (None, "") else f"`{_yaml_scalar(f.default)}`"
        else:
            default = ""
        doc = f.metadata["doc"]
        if f.metadata.get("ref"):
            doc += f" Each must be the id of one of the {f.metadata['ref']}."
        lines.append(f"| `{f.name}` | {describe(tp)} | {default} | {doc} |")
        for sub in _dataclasses_in(tp):
            if sub not in seen:
                nested.append(sub)
                seen.add(sub)
    out = "\n".join(lines) + "\n"
    for sub in nested:
        out += "\n" + reference(sub, min(heading_level + 1, 4), seen)
    return out


def json_schema(cls, title: str) -> dict:
    """A JSON Schema (draft-07, which editors' YAML language servers read) of a schema: the same
    keys, types, defaults and documentation as the reference, unknown keys refused."""
    definitions: dict[str, dict] = {}
    root = _json_object(cls, definitions)
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": title, **root,
            "definitions": dict(sorted(definitions.items()))}


# What YAML value each type accepts, as the loader reads it (YAML 1.2: `yes` is text, `1:1` is
# text, an unquoted date is text to an editor). Text keys take numbers too (written as text).
_TEXT = {"type": ["string", "number"]}


def _json_type(tp, definitions: dict) -> dict:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [_json_type(a, definitions) for a in typing.get_args(tp) if a is not type(None)]
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin in (list, tuple):
        return {"type": "array", "items": _json_type(typing.get_args(tp)[0], definitions)}
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(tp))}
    if tp is Due:
        return {"type": "string", "pattern": "|".join(f"(?:{_any_case(p)})" for p in DUE_PATTERNS)}
    if dataclasses.is_dataclass(tp):
        if tp.__name__ not in definitions:
            definitions[tp.__name__] = {}  # a placeholder while its own fields are made
            definitions[tp.__name__] = _json_object(tp, definitions)
        ref = {"$ref": f"#/definitions/{tp.__name__}"}
        shorthand = getattr(tp, "_shorthand", None)
        return {"anyOf": [ref, _TEXT]} if shorthand else ref
    return {
        str: _TEXT, Markdown: _TEXT, Ref: _TEXT,
        int: {"type": "integer"},
        bool: {"type": "boolean"},
        dt.date: {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    }[tp]


def _json_object(cls, definitions: dict) -> dict:
    properties = {}
    for f in yaml_fields(cls):
        prop = dict(_json_type(hints(cls)[f.name], definitions))
        doc = f.metadata["doc"]
        if f.metadata.get("ref"):
            doc += f" Each must be the id of one of the {f.metadata['ref']}."
        if not f.metadata.get("required"):  # an empty value means the default
            prop = _or_null(prop)
            if f.default is not MISSING and f.default is not None:
                prop["default"] = f.default
        properties[f.name] = {"description": doc, **prop}
    out = {"type": "object", "description": (cls.__doc__ or "").strip(), "properties": properties,
           "additionalProperties": False}
    required = [f.name for f in yaml_fields(cls) if f.metadata.get("required")]
    return {**out, "required": required} if required else out


def _or_null(schema: dict) -> dict:
    if "type" in schema:  # text, numbers, lists: their own constraints apply only to their type
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return {**schema, "type": [*kinds, "null"]}
    if set(schema) == {"enum"}:
        return {"enum": [*schema["enum"], None]}
    return {"anyOf": [*schema.get("anyOf", [schema]), {"type": "null"}]}


def _any_case(pattern: str) -> str:
    """A regular expression that matches as pattern does with re.IGNORECASE, without the flag
    (JavaScript's regular expressions, which editors use, have no inline flags)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c.isascii() and c.isalpha() and not in_class:
            c = f"[{c.lower()}{c.upper()}]"
        out.append(c)
        i += 1
    return "".join(out)


def _dataclasses_in(tp):
    if dataclasses.is_dataclass(tp) and tp is not Due:
        yield tp
    for arg in typing.get_args(tp):
        if arg is not Ellipsis:
            yield from _dataclasses_in(arg)


def _yaml_scalar(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


__all__ = ["Markdown", "Ref", "key", "derived", "read", "reference", "walk_refs", "describe", "dataclass", "Path"]
Invalid = _Bad  # raised by a schema's __post_init__ to reject a combination of keys
