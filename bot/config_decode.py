"""Parsed TOML checked against a declared msgspec schema, its mistakes said in house words.

msgspec checks types, unknown keys, required keys and ranges from the Struct declarations;
this module turns its "Expected `str`, got `int` - at `$.channels[0].target`" into
"channels[0].target: must be console | jsonl:PATH | ..., not 1", so that config files and
watchlists keep the one-line `file: key: what is wrong` errors. A field's wording is the
`description` of its `msgspec.Meta`; without one, words for its type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
import msgspec.inspect as mi

T = TypeVar("T")

_AT = re.compile(r"^(?P<what>.*?)(?: - at `(?P<path>\$(?:\.\w+|\[\d+\])*)`)?$", re.DOTALL)
_FIELD = re.compile(
    r"^Object (?P<kind>contains unknown|missing required) field `(?P<name>.*)`$", re.DOTALL
)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")  # a key TOML writes without quotes

Step = str | int


class SchemaError(ValueError):
    """A value that does not fit the schema: the dotted key and what is wrong with it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


def convert(data: Mapping[str, Any], schema: type[T]) -> T:
    """`data` as an instance of the Struct `schema` (strict: no type is coerced), or a
    SchemaError naming the first key that does not fit."""
    try:
        return msgspec.convert(data, schema)
    except msgspec.ValidationError as exc:
        raise _explain(str(exc), data, schema) from None


def _explain(text: str, data: Any, schema: type[Any]) -> SchemaError:
    match = _AT.match(text)
    what, path = (match["what"], match["path"] or "$") if match else (text, "$")
    steps: list[Step] = [
        name if name else int(index) for name, index in _STEP.findall(path.removeprefix("$"))
    ]
    root = mi.type_info(schema)
    field = _FIELD.match(what)
    if field and field["kind"] == "contains unknown":
        name = field["name"]
        table = _value_at(data, steps)
        if not (isinstance(table, Mapping) and name in table):  # a key that forged a path
            name, steps = text.removeprefix("Object contains unknown field `")[:-1], []
        known = ", ".join(sorted(_fields(_type_at(root, steps))))
        return SchemaError(_key([*steps, _shown_key(name)]), f"unknown key (known: {known})")
    if field:
        steps.append(field["name"])
        return SchemaError(_key(steps), f"required: {_describe(_type_at(root, steps))}")
    item = ""
    while steps and isinstance(steps[-1], int):  # a bad item: the list is what is wrong
        item = f"; {_key(steps)} is {_shown(_value_at(data, steps))}" + item
        steps.pop()
    wrong = "" if item else f", not {_shown(_value_at(data, steps))}"
    return SchemaError(_key(steps), f"must be {_describe(_type_at(root, steps))}{wrong}{item}")


def _key(steps: list[Step]) -> str:
    key = ""
    for step in steps:
        key += f"[{step}]" if isinstance(step, int) else f".{step}" if key else step
    return key


def _shown_key(name: str) -> str:
    return name if _BARE_KEY.match(name) else repr(name)


def _value_at(data: Any, steps: list[Step]) -> Any:
    for step in steps:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _type_at(node: mi.Type, steps: list[Step]) -> mi.Type:
    """The declared type at a path; a Metadata node is kept so its description is found."""
    for step in steps:
        inner = _plain(node)
        if isinstance(step, int) and isinstance(inner, (mi.ListType, mi.VarTupleType)):
            node = inner.item_type
        elif isinstance(inner, mi.StructType):
            node = next(f.type for f in inner.fields if f.encode_name == step)
        else:
            break
    return node


def _plain(node: mi.Type) -> mi.Type:
    """A type without its Metadata, and an optional one without its None."""
    while True:
        if isinstance(node, mi.Metadata):
            node = node.type
        elif isinstance(node, mi.UnionType):
            node = next(t for t in node.types if not isinstance(t, mi.NoneType))
        else:
            return node


def _fields(node: mi.Type) -> list[str]:
    inner = _plain(node)
    return [f.encode_name for f in inner.fields] if isinstance(inner, mi.StructType) else []


def _describe(node: mi.Type) -> str:
    """The field's own words (Meta description), else words for its type."""
    while isinstance(node, (mi.Metadata, mi.UnionType)):
        if isinstance(node, mi.Metadata) and (node.extra_json_schema or {}).get("description"):
            return str((node.extra_json_schema or {})["description"])
        node = (
            node.type
            if isinstance(node, mi.Metadata)
            else next(t for t in node.types if not isinstance(t, mi.NoneType))
        )
    if isinstance(node, mi.LiteralType):
        return " or ".join(str(value) for value in node.values)
    if isinstance(node, mi.IntType) and node.ge is not None and node.le is not None:
        return f"a whole number from {node.ge} to {node.le}"
    words = {
        mi.StrType: "a string",
        mi.BoolType: "true or false",
        mi.IntType: "a whole number",
        mi.FloatType: "a number",
        mi.ListType: "an array",
        mi.VarTupleType: "an array",
        mi.StructType: "a table",
    }
    return words.get(type(node), "something else")


def _shown(value: Any) -> str:
    """A bad value as the file spells it, short; a table or an array by its kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = str(value)
        return text if len(text) <= 24 else text[:20] + "…"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:36]) + "…"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, (dt.date, dt.time)):
        return "a date or time"
    return "a value of another kind"
