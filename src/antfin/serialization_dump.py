"""Dumping: values to JSON-compatible data (see :func:`antfin.serialization.to_data`).

The compiled dumpers (one per runtime class; an attrs class's is generated
source, compiled once) and the general dumper, which interprets each value and
names the path of the first refusal.
"""

from __future__ import annotations

import contextvars
import enum
import keyword
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from itertools import repeat
from types import MappingProxyType
from typing import Any

import attrs

from antfin.archive import Archive
from antfin.errors import SerializationError
from antfin.money import Currency, Money
from antfin.serialization_common import (
    _CLASS,
    _ITEMS,
    _NAMED,
    _REF,
    _has_attrs,
    _hints,
    _shape,
    _skipped,
)

#: The named constants (see :func:`antfin.serialization.named`): each class's (value, name) pairs.
_NAMES: dict[type, list[tuple[object, str]]] = {}

#: Entity types written as ``{"$ref": id}`` when nested in another value, with how to name or find one.
_DUMP_REFS: contextvars.ContextVar[Mapping[type, Callable[[Any], str]]] = contextvars.ContextVar(
    "antfin_dump_refs", default=MappingProxyType({})
)


def _declared(tp: object, cls: type) -> bool:
    """Whether the annotation ``tp`` names ``cls`` itself (or an optional/union of it)."""
    if tp is cls:
        return True
    origin, args = _shape(tp)
    if origin in (types.UnionType, typing.Union):
        return cls in args
    return False


@cache
def _dump_plan(cls: type) -> tuple[tuple[str, Any], ...]:
    """The fields of an attrs class that are data, with their declared types (computed once per class)."""
    hints = _hints(cls)
    plan = []
    for field in attrs.fields(cls):
        tp = hints.get(field.name, Any)
        if not _skipped(tp):
            plan.append((field.name, tp))
    return tuple(plan)


# -- dumping: one compiled dumper per runtime type -----------------------------------------------
#
# Each class's dumper is worked out once (which branch of :func:`_dump` its values take, and for an
# attrs class its data fields and their declared types), so dumping a value is a dict look-up and a
# call. The compiled dumpers carry no path: when one refuses a value, :func:`to_data` dumps it again
# with :func:`_dump`, which interprets every value and names the path of the first refusal.
#
# A dumper takes the value and the references of this call (``None`` without any): the context
# variable is read once per :func:`to_data` call, not once per instance.

_Dumper = Callable[[Any, Any], Any]
_DUMPERS: dict[type, _Dumper] = {}

#: The runtime types the attrs dumpers write in place, without asking the references first: a call
#: whose references name one of them (or an enum) is dumped by :func:`_dump` instead (never in antfin).
_INLINED: frozenset[type] = frozenset(
    {type(None), str, int, bool, Money, datetime, date, Decimal, timedelta, list, tuple, dict, set, frozenset, Archive}
)


def _dump_fast(value: object) -> Any:
    refs: Mapping[type, Callable[[Any], str]] | None = _DUMP_REFS.get()
    if not refs:
        refs = None
    elif not _refs_fit(refs):
        return _dump(value, "$")
    kind = type(value)
    return (_DUMPERS.get(kind) or _dumper(kind))(value, refs)


def _refs_fit(refs: Mapping[type, Callable[[Any], str]]) -> bool:
    """Whether no referenced type is one the attrs dumpers write in place (see :data:`_INLINED`)."""
    try:
        return _INLINED.isdisjoint(refs) and not any(map(issubclass, refs, repeat(enum.Enum)))
    except TypeError:  # a key that is not a class
        return False


def _dumper(kind: type) -> _Dumper:
    dumper = _DUMPERS[kind] = _compile_dumper(kind)
    return dumper


def _compile_dumper(cls: type) -> _Dumper:
    """The dumper of the values of exactly this class: the branch :func:`_dump` would take for them."""
    names = _NAMES.get(cls)
    if names:
        dump_value = _compile_value_dumper(cls)

        def dump_named(value: Any, refs: Any) -> Any:
            for constant, name in names:
                if value is constant or value == constant:
                    return {_NAMED: name}
            return dump_value(value, refs)

        return dump_named
    return _compile_value_dumper(cls)


def _compile_value_dumper(cls: type) -> _Dumper:
    if cls in (str, int, bool, type(None)):
        return _same
    if cls is Money:
        return _money_data
    if cls is datetime:
        return _aware_isoformat
    if cls is date:
        return _isoformat
    if _has_attrs(cls) and not issubclass(cls, (enum.Enum, Money, Currency)):
        return _compile_attrs_dumper(cls)
    if issubclass(cls, enum.Enum):  # before str: some enums (Rounding) are also strings
        return _enum_member_name if _enum_names_plainly(cls) else _enum_name
    if issubclass(cls, (bool, str, int)):
        return _same
    if issubclass(cls, Money):
        return _money_data
    if issubclass(cls, Currency):
        return _currency_code
    if issubclass(cls, Decimal):
        return _decimal_text
    if issubclass(cls, datetime):
        return _aware_isoformat
    if issubclass(cls, (date, time)):
        return _isoformat
    if issubclass(cls, Archive):  # attached to the books, its records are stored one row each
        return _archive_data
    if issubclass(cls, Mapping):
        return _mapping_data
    if issubclass(cls, (list, tuple)):
        return _list_data
    if issubclass(cls, (set, frozenset)):
        return _set_data
    if issubclass(cls, timedelta):
        return _timedelta_data
    return _dump_slowly  # floats, what cannot be converted: refused, naming the path


def _same(value: Any, refs: Any) -> Any:
    return value


def _enum_name(value: Any, refs: Any) -> Any:
    return value.name


def _enum_member_name(value: Any, refs: Any) -> Any:
    return value._name_  # what ``name`` returns, without its descriptor


def _money_data(value: Any, refs: Any) -> Any:
    if type(value) is Money:
        return _money_dict(value)
    return {"amount": _amount_text(value), "currency": value.currency.code}


def _money_dict(money: Money) -> dict[str, str]:
    """A Money's data, read from its slots (its properties cost a call each): ``str(money.amount)`` and the code."""
    currency = money._currency
    digits = currency.digits
    if not 0 < digits <= 6:
        return {"amount": _amount_text(money), "currency": currency.code}
    # The same amounts come back (zeros, prices, fees, schedules dumped at every commit): their text is kept.
    texts = _AMOUNT_TEXTS[digits]
    minor = money._minor
    amount = texts.get(minor)
    if amount is None:
        amount = _minor_text(minor, digits)
        if len(texts) >= _AMOUNT_TEXTS_KEPT:
            texts.clear()
        texts[minor] = amount
    return {"amount": amount, "currency": currency.code}


#: The text of the amounts written lately, by the currency's digits (1 to 6) then the minor units.
_AMOUNT_TEXTS: tuple[dict[int, str], ...] = tuple({} for _ in range(7))
_AMOUNT_TEXTS_KEPT: typing.Final = 8192


def _amount_text(money: Money) -> str:
    """``str(money.amount)`` (``"-0.05"``), from the minor units without a Decimal."""
    minor, digits = money.minor_units, money.currency.digits
    if digits == 0:
        return str(minor)
    if digits > 6:
        return str(money.amount)
    return _minor_text(minor, digits)


def _minor_text(minor: int, digits: int) -> str:
    """An amount's text from its minor units and its currency's 1 to 6 digits (``-5, 2`` -> ``"-0.05"``)."""
    whole, part = divmod(-minor if minor < 0 else minor, 10**digits)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{digits}d}"


def _currency_code(value: Any, refs: Any) -> Any:
    return value.code


def _decimal_text(value: Any, refs: Any) -> Any:
    return str(value)


def _aware_isoformat(value: Any, refs: Any) -> Any:
    if value.tzinfo is None or value.utcoffset() is None:
        raise SerializationError(f"$: datetime must be aware, got naive {value}")
    return value.isoformat()


def _isoformat(value: Any, refs: Any) -> Any:
    return value.isoformat()


# The containers' dumpers look each item's dumper up in place (one call per item, not two), and write the
# values that are data as they are without a call.

#: The types whose values are their own data (never named: only attrs classes can be).
_AS_IS: frozenset[type] = frozenset({str, int, bool, type(None)})


def _list_data(value: Any, refs: Any) -> Any:
    if not value:
        return []
    get = _DUMPERS.get
    return [item if type(item) in _AS_IS else (get(type(item)) or _dumper(type(item)))(item, refs) for item in value]


def _mapping_data(value: Any, refs: Any) -> Any:
    if not value:
        return {}
    get = _DUMPERS.get
    keys = [key if type(key) in _AS_IS else (get(type(key)) or _dumper(type(key)))(key, refs) for key in value]
    items = [
        item if type(item) in _AS_IS else (get(type(item)) or _dumper(type(item)))(item, refs)
        for item in value.values()
    ]
    if _ITEMS not in keys and all(map(isinstance, keys, repeat(str))):
        return dict(zip(keys, items, strict=True))
    # Keys that are not strings once converted (tuples, say): a list of [key, value] pairs.
    return {_ITEMS: [[key, item] for key, item in zip(keys, items, strict=True)]}


def _set_data(value: Any, refs: Any) -> Any:
    return _list_data(sorted(value, key=repr), refs)


def _timedelta_data(value: Any, refs: Any) -> Any:
    return {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}


def _archive_data(value: Any, refs: Any) -> Any:
    return _mapping_data(value.in_memory(), refs)


def _dump_slowly(value: Any, refs: Any) -> Any:
    return _dump_other(value, "$")


# -- the attrs dumpers: generated source, one function per class ----------------------------------
#
# Like attrs' own ``__init__``, each class's dumper is Python source built once and compiled: it reads
# each data field as an attribute and, where the field's declared type allows it, writes a value of
# exactly a declared type in place (a string as it is, an amount, an instant, an enum's name...); any
# other value goes through :func:`_field`, which does what the interpreting :func:`_dump_attrs` does
# (a reference, the compiled dumper of its runtime class, the ``__class__`` tag of a subclass or of
# a protocol-typed field). Only types that cannot be named (see :func:`antfin.serialization.named`,
# attrs classes only) are written in place; a declared attrs class goes through its own compiled
# dumper, looked up at each call, so naming a constant after compiling still takes effect.


def _field(item: Any, refs: Any, tags: dict[type, str], tp: Any) -> Any:
    """A field's data as the interpreting dumper writes it (with its tag), for values not written in place."""
    kind = type(item)
    if refs is not None:
        namer = refs.get(kind)
        if namer is not None:
            return {_REF: namer(item)}
    data = (_DUMPERS.get(kind) or _dumper(kind))(item, refs)
    tag = tags.get(kind)
    if tag is None:
        # A protocol- or base-typed field: record the concrete antfin class to load it back.
        tag = tags[kind] = "" if not _has_attrs(kind) or _declared(tp, kind) else _class_name(kind)
    if tag and isinstance(data, dict) and _NAMED not in data:
        data[_CLASS] = tag
    return data


#: What a value of exactly each type is written as, in place (``x`` the value): never tagged, never named.
_IN_PLACE: dict[type, str] = {
    type(None): "None",
    str: "x",
    int: "x",
    bool: "x",
    Money: "_money_dict(x)",
    datetime: "x.isoformat()",
    date: "x.isoformat()",
    Decimal: "str(x)",
    timedelta: "{'days': x.days, 'seconds': x.seconds, 'microseconds': x.microseconds}",
    list: "_list_data(x, refs)",
    tuple: "_list_data(x, refs)",
    dict: "_mapping_data(x, refs)",
    frozenset: "_set_data(x, refs)",
    set: "_set_data(x, refs)",
    Archive: "_mapping_data(x.in_memory(), refs)",
}


def _enum_names_plainly(cls: type) -> bool:
    """Whether an enum's members' ``name`` is their ``_name_`` (no class in between redefines it)."""
    return all("name" not in vars(base) for base in cls.__mro__ if base is not enum.Enum)


def _in_place(tp: Any, index: int, namespace: dict[str, Any]) -> list[tuple[str, str]]:
    """The (condition, expression) pairs that write a value of a declared type of a field in place."""
    origin, args = _shape(tp)
    declared = args if origin in (types.UnionType, typing.Union) else (tp,)
    branches: list[tuple[str, str]] = []
    for position, member in enumerate(declared):
        origin = _shape(member)[0]
        # ``list[str]``: its origin, for the containers (never tagged); an attrs class only as itself.
        kind = origin if origin in (list, tuple, dict, set, frozenset, Archive) else member
        if not isinstance(kind, type) or isinstance(kind, types.GenericAlias):
            continue
        name = f"T{index}_{position}"
        namespace[name] = kind
        if kind is type(None):
            branches.insert(0, ("x is None", "None"))
        elif _NAMES.get(kind) and not _has_attrs(kind):
            continue  # never: only attrs classes can be named, and a named one's dumper handles its names
        elif kind in _IN_PLACE:
            condition = f"k is {name}"
            if kind is datetime:  # a naive instant is refused by the compiled dumper
                condition += " and x.tzinfo is not None and x.utcoffset() is not None"
            branches.append((condition, _IN_PLACE[kind]))
        elif issubclass(kind, enum.Enum):
            if _enum_names_plainly(kind):
                branches.append((f"k is {name}", "x._name_"))
        elif _has_attrs(kind) and not issubclass(kind, (Money, Currency)) and _declared(tp, kind):
            branches.append(
                (f"k is {name} and (refs is None or {name} not in refs)", f"(_get({name}) or _dumper({name}))(x, refs)")
            )
    return branches


def _attrs_dumper_source(cls: type, namespace: dict[str, Any]) -> str:
    """The source of the dumper of an attrs class, its names bound in ``namespace``."""
    lines = [f"def dump_{cls.__name__}(value, refs):"]
    values = []
    for index, (name, tp) in enumerate(_dump_plan(cls)):
        namespace[f"tags{index}"], namespace[f"tp{index}"] = {}, tp
        read = f"value.{name}" if name.isidentifier() and not keyword.iskeyword(name) else f"getattr(value, {name!r})"
        lines.append(f"    x = {read}")
        branches = _in_place(tp, index, namespace)
        if any(condition.startswith("k ") for condition, _ in branches):
            lines.append("    k = type(x)")
        keyword_ = "if"
        for condition, expression in branches:
            lines.append(f"    {keyword_} {condition}:")
            lines.append(f"        v{index} = {expression}")
            keyword_ = "elif"
        generic = f"_field(x, refs, tags{index}, tp{index})"
        if branches:
            lines.append("    else:")
            lines.append(f"        v{index} = {generic}")
        else:
            lines.append(f"    v{index} = {generic}")
        values.append(f"{name!r}: v{index}")
    lines.append(f"    return {{{', '.join(values)}}}")
    return "\n".join(lines) + "\n"


def _compile_attrs_dumper(cls: type) -> _Dumper:
    namespace: dict[str, Any] = {
        "_money_dict": _money_dict,
        "_dumper": _dumper,
        "_field": _field,
        "_get": _DUMPERS.get,
        "_list_data": _list_data,
        "_mapping_data": _mapping_data,
        "_set_data": _set_data,
    }
    source = _attrs_dumper_source(cls, namespace)
    filename = f"<antfin dumper {_class_name(cls)}>"
    exec(compile(source, filename, "exec"), namespace)  # our own source, built from field names
    dump: _Dumper = namespace[f"dump_{cls.__name__}"]
    return dump


def _class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _dump(value: object, path: str) -> Any:
    cls = type(value)
    if cls is str or cls is int or cls is bool or value is None:
        return value
    for constant, name in _NAMES.get(cls, ()):
        if value is constant or value == constant:
            return {_NAMED: name}
    if cls is Money:
        return {"amount": str(value.amount), "currency": value.currency.code}  # type: ignore[attr-defined]
    if cls is datetime:
        if value.tzinfo is None or value.utcoffset() is None:  # type: ignore[attr-defined]
            raise SerializationError(f"{path}: datetime must be aware, got naive {value}")
        return value.isoformat()  # type: ignore[attr-defined]
    if cls is date:
        return value.isoformat()  # type: ignore[attr-defined]
    if _has_attrs(cls) and not isinstance(value, (enum.Enum, Money, Currency)):
        return _dump_attrs(value, cls, path)
    return _dump_other(value, path)


def _dump_attrs(value: object, cls: type, path: str) -> Any:
    references = _DUMP_REFS.get()
    out: dict[str, Any] = {}
    for name, tp in _dump_plan(cls):
        item = getattr(value, name)
        if references:
            namer = references.get(type(item))
            if namer is not None:
                out[name] = {_REF: namer(item)}
                continue
        data = _dump(item, f"{path}.{name}")
        if isinstance(data, dict) and _NAMED not in data and _has_attrs(type(item)) and not _declared(tp, type(item)):
            # A protocol- or base-typed field: record the concrete antfin class to load it back.
            data[_CLASS] = _class_name(type(item))
        out[name] = data
    return out


def _dump_other(value: object, path: str) -> Any:
    if isinstance(value, enum.Enum):  # before str: some enums (Rounding) are also strings
        return value.name
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise SerializationError(f"{path}: floats are not allowed in antfin data, got {value!r}")
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency.code}
    if isinstance(value, Currency):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise SerializationError(f"{path}: datetime must be aware, got naive {value}")
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}
    if isinstance(value, enum.Enum):
        return value.name
    if _has_attrs(type(value)):
        return _dump_attrs(value, type(value), path)
    if isinstance(value, Archive):  # attached to the books, its records are stored one row each
        value = value.in_memory()
    if isinstance(value, Mapping):
        keys = [_dump(key, f"{path} key") for key in value]
        items = [_dump(item, f"{path}[{key!r}]") for key, item in value.items()]
        if all(isinstance(key, str) for key in keys) and _ITEMS not in keys:
            return dict(zip(keys, items, strict=True))
        # Keys that are not strings once converted (tuples, say): a list of [key, value] pairs.
        return {_ITEMS: [[key, item] for key, item in zip(keys, items, strict=True)]}
    if isinstance(value, (list, tuple, frozenset, set)):
        ordered = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_dump(item, f"{path}[{index}]") for index, item in enumerate(ordered)]
    raise SerializationError(f"{path}: cannot convert {type(value).__name__} to JSON data")
