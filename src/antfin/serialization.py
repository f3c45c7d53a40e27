"""JSON-compatible data for every antfin value and entity, and back, exactly.

Amounts become ``{"amount": "12.34", "currency": "CNY"}`` (strings, never
floats), instants ISO 8601 with their offset, dates ISO 8601, decimals
strings, enums their member name, attrs classes objects of their fields,
tuples lists. Loading checks every field and raises
:class:`~antfin.errors.SerializationError` naming the field's path.

>>> import json
>>> from antfin import CNY
>>> from antfin.rates import Rate
>>> from antfin.serialization import from_data, to_data
>>> to_data(CNY("12.30"))
{'amount': '12.30', 'currency': 'CNY'}
>>> from_data(Money, {"amount": "12.30", "currency": "CNY"})
Money('12.30', 'CNY')
>>> from_data(Rate, json.loads(json.dumps(to_data(Rate.percent("0.6")))))
Rate(value=Decimal('0.006'))
>>> from_data(Money, {"amount": 12.3, "currency": "CNY"})
Traceback (most recent call last):
...
antfin.errors.SerializationError: $.amount: expected a decimal string, got float 12.3

Fields typed :class:`~antfin.ledger.Ledger` (entities keep a reference to the
ledger their money lives in) are not written; pass ``ledger=`` to
:func:`from_data` to attach one on loading. Fields holding callables are not
written either and come back as their default.

Loading is validation: stored data is untrusted until checked. A loaded
entity passes the same checks as one built through the API - its attrs
validators run on construction, then its ``check_invariants()`` (statuses
consistent with amounts, amounts within what was paid, and, when a ledger is
given, holds and accounts that exist in it with matching amounts). A
``__class__`` tag must name an antfin class that the field's declared type
allows. Documents deeper than :data:`MAX_DEPTH` or with more than
:data:`MAX_NODES` values (or JSON text longer than :data:`MAX_TEXT`) are
refused before any work. Loading never writes: with ``ledger=``, the whole
document is loaded inside an atomic block that is always rolled back if
loading would open an account, book an entry or create a hold, and the load
is then refused.

>>> from_data(Money, {"amount": "1", "currency": "CNY", "x": 1})
Traceback (most recent call last):
...
antfin.errors.SerializationError: $: expected an object {"amount": "...", "currency": "..."}, got dict ...

This is a small converter over attrs' field metadata and type hints rather
than cattrs (which is installed and was considered): antfin's shapes are few
and fixed, the error messages name the field's path the way the rest of the
library does, and the checks that matter here - the ``__class__`` tag against
the declared type, the limits, invariants after construction, the ledger
kept unwritten - sit around the structuring, which cattrs would not do for us;
replacing the converter would change the output format that stored documents
already use. What it works out from the type hints is worked out once per type
and kept (a loader per declared type, a dumper per class): the usual shapes
load and dump without reading a hint again, and anything unusual (a
reference, a class tag, data of the wrong shape) goes through the general
loader, so the checks and the paths in the messages are the same either way.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextvars
import enum
import functools
import json
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from antfin.archive import Archive
from antfin.errors import AntfinError, SerializationError
from antfin.money import Currency, Money, to_decimal

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_TEXT", "dumps", "from_data", "loads", "named", "to_data"]

#: The deepest nesting a document may have (antfin's own documents stay well below it).
#:
#: .. versionadded:: 0.2.0
MAX_DEPTH: typing.Final = 64
#: The most values (objects, lists and scalars together) one document may hold.
#:
#: .. versionadded:: 0.2.0
MAX_NODES: typing.Final = 1_000_000
#: The longest JSON text :func:`loads` reads (characters).
#:
#: .. versionadded:: 0.2.0
MAX_TEXT: typing.Final = 64 * 1024 * 1024

T = TypeVar("T")

JSONValue = None | bool | int | str | list[Any] | dict[str, Any]


#: The class attribute that marks the type of the context an entity is loaded into (the ledger):
#: fields of that type are not data; :func:`from_data` attaches its ``ledger=`` to them. A marker
#: rather than an import keeps this module below the ledger's floor.
_CONTEXT_MARKER: typing.Final = "__antfin_load_context__"


class _Context(typing.Protocol):
    """What loading needs of a ledger: a block to roll back, and its uncommitted writes to prove there were none."""

    def uncommitted(self) -> tuple[int, int, int]: ...

    def atomic(self) -> typing.ContextManager[Any]: ...


def _is_ledger_type(tp: object) -> bool:
    return isinstance(tp, type) and bool(getattr(tp, _CONTEXT_MARKER, False))


_SKIPPED: dict[object, bool] = {}


def _skipped(tp: object) -> bool:
    """Whether a field of this type is not data (the ledger, callables), memoized per type."""
    try:
        return _SKIPPED[tp]
    except KeyError:
        pass
    except TypeError:  # an unhashable annotation: work it out each time
        return _skipped_uncached(tp)
    result = _SKIPPED[tp] = _skipped_uncached(tp)
    return result


def _skipped_uncached(tp: object) -> bool:
    if _is_ledger_type(tp):
        return True
    origin = typing.get_origin(tp)
    if origin in (Callable, typing.Callable) or tp is Callable:
        return True
    if origin in (types.UnionType, typing.Union):
        return any(_skipped(arg) for arg in typing.get_args(tp) if arg is not type(None))
    if origin in (list, tuple, Sequence):  # a list of callbacks is not data either
        args = [arg for arg in typing.get_args(tp) if arg is not Ellipsis]
        return bool(args) and all(_skipped(arg) for arg in args)
    return False


@cache
def _hints(cls: type) -> dict[str, Any]:
    # Annotations are strings (``from __future__ import annotations``); some name types that their
    # module imports only for the type checker, so resolve them against every antfin module's names.
    namespace: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        if name == "antfin" or name.startswith("antfin."):
            namespace.update({key: value for key, value in vars(module).items() if not key.startswith("__")})
    namespace.update(vars(sys.modules[cls.__module__]))
    return typing.get_type_hints(cls, localns=namespace)


_CLASS = "__class__"
#: The types of the values that hold others, in data: what the size of a document counts.
_NESTED: typing.Final = (dict, list)
_ITEMS = "__items__"
_REF = "$ref"
_NAMED = "$named"
#: The named constants (see :func:`named`): by name, and each class's (value, name) pairs.
_BY_NAME: dict[str, object] = {}
_NAMES: dict[type, list[tuple[object, str]]] = {}

#: Entity types written as ``{"$ref": id}`` when nested in another value, with how to name or find one.
_DUMP_REFS: contextvars.ContextVar[Mapping[type, Callable[[Any], str]]] = contextvars.ContextVar(
    "antfin_dump_refs", default=MappingProxyType({})
)
_LOAD_REFS: contextvars.ContextVar[Mapping[type, Callable[[str], Any]]] = contextvars.ContextVar(
    "antfin_load_refs", default=MappingProxyType({})
)


def _declared(tp: object, cls: type) -> bool:
    """Whether the annotation ``tp`` names ``cls`` itself (or an optional/union of it)."""
    if tp is cls:
        return True
    origin, args = _shape(tp)
    if origin in (types.UnionType, typing.Union):
        return cls in args
    return False


_SHAPES: dict[object, tuple[Any, tuple[Any, ...]]] = {}


def _shape(tp: object) -> tuple[Any, tuple[Any, ...]]:
    """``typing.get_origin`` and ``typing.get_args`` of an annotation, memoized."""
    try:
        return _SHAPES[tp]
    except KeyError:
        pass
    except TypeError:  # unhashable: compute each time
        return typing.get_origin(tp), typing.get_args(tp)
    shape = _SHAPES[tp] = (typing.get_origin(tp), typing.get_args(tp))
    return shape


def _tagged_class(name: object, path: str, declared: object) -> type:
    if not isinstance(name, str) or not name.startswith("antfin."):
        raise SerializationError(f"{path}.{_CLASS}: expected an antfin class name, got {name!r}")
    module_name, _, qualname = name.rpartition(".")
    module = sys.modules.get(module_name)
    found = getattr(module, qualname, None) if module is not None else None
    if not isinstance(found, type) or not attrs.has(found):
        raise SerializationError(f"{path}.{_CLASS}: {name!r} is not an antfin value class")
    if not _allows(declared, found):
        raise SerializationError(f"{path}.{_CLASS}: {name!r} is not allowed where {_type_name(declared)} is declared")
    return found


def _type_name(tp: object) -> str:
    return getattr(tp, "__name__", None) or repr(tp)


def _allows(declared: object, cls: type) -> bool:
    """Whether a field declared as ``declared`` may hold an instance of ``cls``."""
    if declared is Any or declared is object:
        return True
    origin = typing.get_origin(declared)
    if origin in (types.UnionType, typing.Union):
        return any(_allows(arg, cls) for arg in typing.get_args(declared))
    if origin is not None:
        declared = origin
    if not isinstance(declared, type):
        return False
    if getattr(declared, "_is_protocol", False):
        members = {name for name in vars(declared) if not name.startswith("_")}
        members |= set(getattr(declared, "__annotations__", {}))
        return all(hasattr(cls, name) for name in members)
    return issubclass(cls, declared)


def named(name: str, value: T) -> T:
    """Give a constant a name: documents store ``{"$named": name}`` for a value equal to it, not its fields.

    A product's default configuration (fee tables, policies, calendars) is the
    same in every document that holds it; naming it stores it once, in the code.
    A name is a promise: never change the value behind a published name, name a
    new value instead (old documents keep loading the old one). Loading an
    unknown name is refused like any other bad data.

    >>> import attrs
    >>> @attrs.frozen
    ... class Terms:
    ...     days: int
    >>> STANDARD = named("doc-example/terms-2024", Terms(30))
    >>> to_data(Terms(30)), to_data(Terms(7))
    ({'$named': 'doc-example/terms-2024'}, {'days': 7})
    >>> from_data(Terms, {"$named": "doc-example/terms-2024"}) is STANDARD
    True

    Raises:
        TypeError: for a name that is not a ``str``, or a value that is not of an attrs class.
        antfin.errors.SerializationError: for a name already given to another value.

    .. versionadded:: 0.2.0
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, not {name!r}")
    cls = type(value)
    if not _has_attrs(cls):
        raise TypeError(f"only values of attrs classes can be named, not {cls.__name__}")
    known = _BY_NAME.get(name)
    if known is not None:
        if known == value:
            return value  # the same constant: the first one stays the named one
        raise SerializationError(f"the name {name!r} is already given to another {type(known).__name__}")
    _BY_NAME[name] = value
    _NAMES.setdefault(cls, []).append((value, name))
    _DUMPERS.pop(cls, None)  # compiled before the name existed
    return value


def to_data(value: object, *, references: Mapping[type, Callable[[Any], str]] | None = None) -> Any:
    """Convert a value or entity to JSON-compatible data.

    >>> from antfin.calendar import shanghai
    >>> to_data(shanghai(2024, 1, 2, 9, 30))
    '2024-01-02T09:30:00+08:00'
    >>> to_data((date(2024, 2, 29), Decimal("0.10")))
    ['2024-02-29', '0.10']

    Args:
        value: what to convert.
        references: entity types that are stored on their own (by the books): a
            field holding one is written as ``{"$ref": name(entity)}`` instead of
            the entity's fields (the value itself is always written whole).

    Raises:
        antfin.errors.SerializationError: for floats, naive datetimes or
            values of a type it does not know.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``references``.
    """
    token = _DUMP_REFS.set(references) if references else None
    try:
        try:
            return _dump_fast(value)
        except SerializationError:
            _dump(value, "$")  # again, interpreting each value, for the error that names the path
            raise
    finally:
        if token is not None:
            _DUMP_REFS.reset(token)


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


_ATTRS: dict[type, bool] = {}


def _has_attrs(cls: type) -> bool:
    try:
        return _ATTRS[cls]
    except KeyError:
        result = _ATTRS[cls] = attrs.has(cls)
        return result


# -- dumping: one compiled dumper per runtime type -----------------------------------------------
#
# Each class's dumper is worked out once (which branch of :func:`_dump` its values take, and for an
# attrs class its data fields and their declared types), so dumping a value is a dict look-up and a
# call. The compiled dumpers carry no path: when one refuses a value, :func:`to_data` dumps it again
# with :func:`_dump`, which interprets every value and names the path of the first refusal.

_Dumper = Callable[[Any], Any]
_DUMPERS: dict[type, _Dumper] = {}


def _dump_fast(value: object) -> Any:
    kind = type(value)
    return (_DUMPERS.get(kind) or _dumper(kind))(value)


def _dumper(kind: type) -> _Dumper:
    dumper = _DUMPERS[kind] = _compile_dumper(kind)
    return dumper


def _compile_dumper(cls: type) -> _Dumper:
    """The dumper of the values of exactly this class: the branch :func:`_dump` would take for them."""
    names = _NAMES.get(cls)
    if names:
        dump_value = _compile_value_dumper(cls)

        def dump_named(value: Any) -> Any:
            for constant, name in names:
                if value is constant or value == constant:
                    return {_NAMED: name}
            return dump_value(value)

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
        return _enum_name
    if issubclass(cls, (bool, str, int)):
        return _same
    if issubclass(cls, Money):
        return _money_data
    if issubclass(cls, Currency):
        return _currency_code
    if issubclass(cls, Decimal):
        return str
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


def _same(value: Any) -> Any:
    return value


def _enum_name(value: Any) -> Any:
    return value.name


def _money_data(value: Any) -> Any:
    return {"amount": _amount_text(value), "currency": value.currency.code}


def _amount_text(money: Money) -> str:
    """``str(money.amount)`` (``"-0.05"``), from the minor units without a Decimal."""
    minor, digits = money.minor_units, money.currency.digits
    if digits == 0:
        return str(minor)
    if digits > 6:
        return str(money.amount)
    whole, part = divmod(-minor if minor < 0 else minor, 10**digits)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{digits}d}"


def _currency_code(value: Any) -> Any:
    return value.code


def _aware_isoformat(value: Any) -> Any:
    if value.tzinfo is None or value.utcoffset() is None:
        raise SerializationError(f"$: datetime must be aware, got naive {value}")
    return value.isoformat()


def _isoformat(value: Any) -> Any:
    return value.isoformat()


# The containers' dumpers look each item's dumper up in place (one call per item, not two).


def _list_data(value: Any) -> Any:
    get = _DUMPERS.get
    return [(get(type(item)) or _dumper(type(item)))(item) for item in value]


def _mapping_data(value: Any) -> Any:
    get = _DUMPERS.get
    keys = [(get(type(key)) or _dumper(type(key)))(key) for key in value]
    items = [(get(type(item)) or _dumper(type(item)))(item) for item in value.values()]
    if all(isinstance(key, str) for key in keys) and _ITEMS not in keys:
        return dict(zip(keys, items, strict=True))
    # Keys that are not strings once converted (tuples, say): a list of [key, value] pairs.
    return {_ITEMS: [[key, item] for key, item in zip(keys, items, strict=True)]}


def _set_data(value: Any) -> Any:
    return _list_data(sorted(value, key=repr))


def _timedelta_data(value: Any) -> Any:
    return {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}


def _archive_data(value: Any) -> Any:
    return _mapping_data(value.in_memory())


def _dump_slowly(value: Any) -> Any:
    return _dump_other(value, "$")


def _compile_attrs_dumper(cls: type) -> _Dumper:
    # Per field: its name, declared type, and the ``__class__`` tag (or "") of each runtime class seen in it.
    fields: tuple[tuple[str, Any, dict[type, str]], ...] = tuple((name, tp, {}) for name, tp in _dump_plan(cls))

    def dump_attrs(value: Any) -> Any:
        references = _DUMP_REFS.get()
        out: dict[str, Any] = {}
        for name, tp, tags in fields:
            item = getattr(value, name)
            kind = type(item)
            if references:
                namer = references.get(kind)
                if namer is not None:
                    out[name] = {_REF: namer(item)}
                    continue
            data = (_DUMPERS.get(kind) or _dumper(kind))(item)
            tag = tags.get(kind)
            if tag is None:
                # A protocol- or base-typed field: record the concrete antfin class to load it back.
                tag = tags[kind] = "" if not _has_attrs(kind) or _declared(tp, kind) else _class_name(kind)
            if tag and isinstance(data, dict) and _NAMED not in data:
                data[_CLASS] = tag
            out[name] = data
        return out

    return dump_attrs


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


def from_data(
    cls: type[T] | Any,
    data: Any,
    *,
    ledger: object | None = None,
    references: Mapping[type, Callable[[str], Any]] | None = None,
) -> T:
    """Rebuild a value of type ``cls`` from :func:`to_data` output.

    >>> from antfin.calendar import shanghai
    >>> from_data(datetime, "2024-01-02T09:30:00+08:00") == shanghai(2024, 1, 2, 9, 30)
    True
    >>> from_data(tuple[date, ...], ["2024-02-29"])
    (datetime.date(2024, 2, 29),)

    Args:
        cls: the target type (a class or a typing form such as ``tuple[Money, ...]``).
        data: JSON-compatible data.
        ledger: attached to fields typed :class:`~antfin.ledger.Ledger`.
        references: how to find an entity written as ``{"$ref": id}`` (see
            :func:`to_data`), by the field's declared type; the finder raises
            :class:`~antfin.errors.NotFoundError` for an unknown id.

    Raises:
        antfin.errors.SerializationError: naming the path of the first bad field.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``references``.
    """
    _check_size(data)
    token = _LOAD_REFS.set(references) if references else None
    try:
        load = _loader(cls)
        if ledger is None or not _is_ledger_type(type(ledger)):
            return typing.cast(T, load(data, "$", ledger))
        ledger = typing.cast(_Context, ledger)
        with ledger.atomic():  # loading never writes: anything it would write is rolled back and refused
            before = ledger.uncommitted()
            loaded = load(data, "$", ledger)
            after = ledger.uncommitted()
            if after != before:
                raise SerializationError(
                    f"$: loading would write to the ledger ({after[0] - before[0]} accounts, "
                    f"{after[1] - before[1]} entries, {after[2] - before[2]} holds); "
                    "load into the ledger the document was saved with"
                )
        return typing.cast(T, loaded)
    finally:
        if token is not None:
            _LOAD_REFS.reset(token)


def _check_size(data: object) -> None:
    """Refuse a document deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_NODES`, iteratively.

    Level by level: each container's size is counted before its children are looked at (so a huge
    container is refused at once), and only containers are kept for the next level.
    """
    if not isinstance(data, _NESTED):
        return
    nodes = 1
    level: list[Any] = [data]
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise SerializationError(f"$: the document is nested deeper than {MAX_DEPTH} levels")
        below: list[Any] = []
        for item in level:
            nodes += len(item)
            if nodes > MAX_NODES:
                raise SerializationError(f"$: the document holds more than {MAX_NODES} values")
            children = item.values() if isinstance(item, dict) else item
            below += [child for child in children if isinstance(child, _NESTED)]
        level = below
        depth += 1


def _fail(path: str, expected: str, data: object) -> SerializationError:
    return SerializationError(f"{path}: expected {expected}, got {type(data).__name__} {data!r}")


def _load(tp: Any, data: Any, path: str, ledger: object | None) -> Any:
    kind = type(data)
    if kind is not dict:  # the common scalars first: a str, an int, a bool where one is declared
        if tp is str and kind is str:
            return data
        if tp is int and kind is int:
            return data
        if tp is bool and kind is bool:
            return data
    if kind is dict and _REF in data:
        find = _LOAD_REFS.get().get(tp)
        if find is None or set(data) != {_REF} or not isinstance(data[_REF], str):
            raise _fail(path, f"a stored {getattr(tp, '__name__', tp)}", data)
        try:
            return find(data[_REF])
        except AntfinError as error:
            raise SerializationError(f"{path}: the referenced {tp.__name__} {data[_REF]!r}: {error}") from None
    if kind is dict and _NAMED in data:
        value = _BY_NAME.get(data[_NAMED]) if set(data) == {_NAMED} and isinstance(data[_NAMED], str) else None
        if value is None or not _allows(tp, type(value)):
            raise _fail(path, f"the name of a {_type_name(tp)} constant", data)
        return value
    if kind is dict and _CLASS in data:
        cls = _tagged_class(data[_CLASS], path, tp)
        return _load_attrs(cls, {key: value for key, value in data.items() if key != _CLASS}, path, ledger)
    if tp is Any or tp is object:
        return data
    origin, args = _shape(tp)
    if origin is None and isinstance(tp, type) and tp not in (tuple, list, dict):
        return _load_scalar(tp, data, path, ledger)
    if origin is not None and isinstance(origin, type) and _has_attrs(origin):  # a generic attrs class
        parameters = getattr(origin, "__parameters__", ())
        return _load_attrs(origin, data, path, ledger, dict(zip(parameters, args, strict=False)))
    if origin in (types.UnionType, typing.Union):
        if data is None and type(None) in args:
            return None
        return _load_first(tuple(_loader(arg) for arg in args if arg is not type(None)), data, path, ledger)
    if origin is typing.Literal:
        if data in args:
            return data
        raise _fail(path, f"one of {args}", data)
    if origin in (tuple, Sequence, list, frozenset, set, dict, Mapping) or tp in (tuple, list, dict):
        return _load_container(tp, origin, args, data, path, ledger)
    if origin is Archive or tp is Archive:
        return Archive(_load_container(tp, dict, args, data, path, ledger))
    if not isinstance(tp, type):
        raise SerializationError(f"{path}: cannot load the type {tp!r}")
    return _load_scalar(tp, data, path, ledger)


def _load_first(loaders: tuple[_Loader, ...], data: Any, path: str, ledger: object | None) -> Any:
    """The value of the first of a union's types that loads ``data``; if none does, every one's refusal."""
    errors = []
    for load in loaders:
        try:
            return load(data, path, ledger)
        except SerializationError as error:
            errors.append(str(error))
    raise SerializationError("; ".join(errors) or f"{path}: no type matched {data!r}")


def _load_container(tp: Any, origin: Any, args: tuple[Any, ...], data: Any, path: str, ledger: object | None) -> Any:
    if origin in (tuple, Sequence, list, frozenset, set) or tp in (tuple, list):
        if not isinstance(data, list):
            raise _fail(path, "a list", data)
        if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            if len(args) != len(data):
                raise SerializationError(f"{path}: expected {len(args)} items, got {len(data)}")
            return tuple(
                _loader(arg)(item, f"{path}[{i}]", ledger) for i, (arg, item) in enumerate(zip(args, data, strict=True))
            )
        load_item = _loader(args[0] if args else Any)
        items = [load_item(item, f"{path}[{i}]", ledger) for i, item in enumerate(data)]
        if origin is list or tp is list:
            return items
        if origin in (frozenset, set):
            return frozenset(items)
        return tuple(items)
    if not isinstance(data, dict):
        raise _fail(path, "an object", data)
    key_type, value_type = args if args else (str, Any)
    pairs = data.get(_ITEMS) if set(data) == {_ITEMS} else list(data.items())
    if not isinstance(pairs, list) or not all(isinstance(pair, (list, tuple)) and len(pair) == 2 for pair in pairs):
        raise _fail(f"{path}.{_ITEMS}", "a list of [key, value] pairs", pairs)
    load_key, load_value = _loader(key_type), _loader(value_type)
    result = {}
    for key, item in pairs:
        loaded_key = load_key(key, f"{path} key", ledger) if key_type is not str else key
        result[loaded_key] = load_value(item, f"{path}[{key!r}]", ledger)
    return result


def _load_scalar(tp: type, data: Any, path: str, ledger: object | None) -> Any:
    if tp is bool:
        if isinstance(data, bool):
            return data
        raise _fail(path, "true or false", data)
    if tp is int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
        raise _fail(path, "an integer", data)
    if tp is str:
        if isinstance(data, str):
            return data
        raise _fail(path, "a string", data)
    if tp is Decimal:
        return _decimal(data, path)
    if tp is Money:
        if not isinstance(data, dict) or set(data) != {"amount", "currency"}:
            raise _fail(path, 'an object {"amount": "...", "currency": "..."}', data)
        amount = _decimal(data["amount"], f"{path}.amount")
        try:
            return Money(amount, _load(Currency, data["currency"], f"{path}.currency", ledger))
        except AntfinError as error:
            raise SerializationError(f"{path}: {error}") from None
    if tp is Currency:
        if not isinstance(data, str):
            raise _fail(path, "a currency code", data)
        try:
            return Currency.of(data)
        except AntfinError as error:
            raise SerializationError(f"{path}: {error}") from None
    if tp in (datetime, time, date, timedelta):
        return _load_time(tp, data, path)
    if issubclass(tp, enum.Enum):
        if isinstance(data, str) and data in tp.__members__:
            return tp[data]
        raise _fail(path, f"one of {', '.join(tp.__members__)}", data)
    if _is_ledger_type(tp):
        return ledger
    if _has_attrs(tp):
        return _load_attrs(tp, data, path, ledger)
    raise SerializationError(f"{path}: cannot load the type {tp.__name__}")


def _load_time(tp: type, data: Any, path: str) -> Any:
    if tp is datetime:
        if not isinstance(data, str):
            raise _fail(path, "an ISO 8601 datetime string", data)
        try:
            value = datetime.fromisoformat(data)
        except ValueError:
            raise _fail(path, "an ISO 8601 datetime string", data) from None
        if value.tzinfo is None:
            raise SerializationError(f"{path}: datetime must carry its UTC offset, got {data!r}")
        return value
    if tp is time:
        if not isinstance(data, str):
            raise _fail(path, "an ISO 8601 time string", data)
        try:
            return time.fromisoformat(data)
        except ValueError:
            raise _fail(path, "an ISO 8601 time string", data) from None
    if tp is date:
        if not isinstance(data, str):
            raise _fail(path, "an ISO 8601 date string", data)
        try:
            return date.fromisoformat(data)
        except ValueError:
            raise _fail(path, "an ISO 8601 date string", data) from None
    if tp is timedelta:
        if not isinstance(data, dict) or set(data) != {"days", "seconds", "microseconds"}:
            raise _fail(path, "an object with days, seconds and microseconds", data)
        parts = [data["days"], data["seconds"], data["microseconds"]]
        if not all(isinstance(part, int) and not isinstance(part, bool) for part in parts):
            raise _fail(path, "integer days, seconds and microseconds", data)
        if not (0 <= parts[1] < 86_400 and 0 <= parts[2] < 1_000_000 and abs(parts[0]) <= 999_999_999):
            raise _fail(path, "a normalised timedelta (0 <= seconds < 86400, 0 <= microseconds < 10**6)", data)
        return timedelta(days=parts[0], seconds=parts[1], microseconds=parts[2])
    raise SerializationError(f"{path}: cannot load the type {tp.__name__}")  # pragma: no cover


def _decimal(data: object, path: str) -> Decimal:
    if not isinstance(data, str):
        raise _fail(path, "a decimal string", data)
    try:
        return to_decimal(data, path)
    except AntfinError as error:
        raise SerializationError(f"{path}: {error}") from None


def _load_attrs(
    cls: type, data: Any, path: str, ledger: object | None, parameters: Mapping[object, Any] | None = None
) -> Any:
    if not isinstance(data, dict):
        raise _fail(path, f"an object for {cls.__name__}", data)
    known, plan = _load_plan(cls) if not parameters else _make_load_plan(cls, parameters)
    return _build(cls, known, plan, data, path, ledger)


def _build(
    cls: type, known: frozenset[str], plan: tuple[_FieldPlan, ...], data: dict[str, Any], path: str, ledger: object
) -> Any:
    """An attrs instance from an object of its fields, each loaded by its field's compiled loader, then checked."""
    if not known.issuperset(data):
        unknown = set(data) - known
        raise SerializationError(f"{path}: unknown field(s) {', '.join(sorted(unknown))} for {cls.__name__}")
    init_args: dict[str, Any] = {}
    later: dict[str, Any] = {}
    for name, load, is_ledger, required, argument, suffix in plan:
        if is_ledger:
            value: Any = ledger
        elif name in data:
            value = load(data[name], path + suffix, ledger)
        elif required:
            raise SerializationError(f"{path}{suffix}: missing required field")
        else:
            continue
        if argument is not None:
            init_args[argument] = value
        else:
            later[name] = value
    try:
        instance = cls(**init_args)
    except SerializationError:
        raise
    except (AntfinError, TypeError, ValueError) as error:
        raise SerializationError(f"{path}: {cls.__name__} refused the data: {error}") from None
    for name, value in later.items():
        object.__setattr__(instance, name, value)
    check = getattr(instance, "check_invariants", None)
    if callable(check):  # the aggregate's own rules, as for state built through the API
        try:
            check()
        except AntfinError as error:
            raise SerializationError(f"{path}: {cls.__name__} fails its invariants: {error}") from None
    return instance


#: One field's loading: its name, its compiled loader, whether it is the ledger (attached, not data),
#: whether it is required, its ``__init__`` argument (``None``: set after construction), ``"." + name``.
_FieldPlan = tuple[str, "_Loader", bool, bool, "str | None", str]


@cache
def _load_plan(cls: type) -> tuple[frozenset[str], tuple[_FieldPlan, ...]]:
    return _make_load_plan(cls, None)


def _make_load_plan(
    cls: type, parameters: Mapping[object, Any] | None
) -> tuple[frozenset[str], tuple[_FieldPlan, ...]]:
    """How to load each field of an attrs class: its loader, whether it is the ledger, required, its init name."""
    hints = _hints(cls)
    plan: list[_FieldPlan] = []
    fields = attrs.fields(cls)
    for field in fields:
        tp = hints.get(field.name, Any)
        if isinstance(tp, TypeVar):
            tp = (parameters or {}).get(tp, Any)
        origin, args = _shape(tp)
        union = origin in (types.UnionType, typing.Union)
        is_ledger = _is_ledger_type(tp) or (union and any(_is_ledger_type(arg) for arg in args))
        if not is_ledger and _skipped(tp):
            continue
        argument = (field.alias or field.name) if field.init else None
        load = _no_loader if is_ledger else _loader(tp)
        plan.append((field.name, load, is_ledger, field.default is attrs.NOTHING, argument, f".{field.name}"))
    return frozenset(field.name for field in fields), tuple(plan)


def _no_loader(data: Any, path: str, ledger: object) -> Any:  # pragma: no cover - the ledger is attached, not loaded
    raise SerializationError(f"{path}: the ledger is not data")


# -- loading: one compiled loader per declared type ----------------------------------------------
#
# A loader takes (data, path, ledger). Each is compiled once per declared type and loads the usual
# shape of that type directly: the fields of an attrs class by their own compiled loaders, a str
# where a str is declared, a decimal string, an amount, a date. Anything else - a ``$ref``, a
# ``__class__`` tag, data of the wrong shape - goes to :func:`_load`, which interprets the type, loads
# what is allowed and refuses the rest naming the path: the checks are the same, in one place.

_Loader = Callable[[Any, str, Any], Any]
_LOADERS: dict[object, _Loader] = {}


def _loader(tp: Any) -> _Loader:
    """The compiled loader of values declared as ``tp``."""
    try:
        return _LOADERS[tp]
    except KeyError:
        pass
    except TypeError:  # an unhashable annotation: interpret it each time
        return functools.partial(_load, tp)
    loader = _LOADERS[tp] = _compile_loader(tp)
    return loader


def _compile_loader(tp: Any) -> _Loader:
    if tp is Any or tp is object:
        return functools.partial(_load_as_is, tp)
    origin, args = _shape(tp)
    if origin is None and isinstance(tp, type) and tp not in (tuple, list, dict):
        return _compile_class_loader(tp)
    if origin is not None and isinstance(origin, type) and _has_attrs(origin):  # a generic attrs class
        parameters = dict(zip(getattr(origin, "__parameters__", ()), args, strict=False))
        return _compile_attrs_loader(tp, origin, parameters)
    if origin in (types.UnionType, typing.Union):
        return _compile_union_loader(tp, args)
    if origin is tuple and args and args[-1] is not ...:
        return _compile_fixed_tuple_loader(tp, tuple(_loader(arg) for arg in args))
    if origin in (tuple, Sequence, list, frozenset, set) and args:
        return _compile_sequence_loader(tp, origin, _loader(args[0]))
    if origin in (dict, Mapping) and args:
        return _compile_mapping_loader(tp, args[0], args[1])
    if origin is Archive and args:
        return _compile_archive_loader(tp, args[0], args[1])
    return functools.partial(_load, tp)  # literals, tuples of fixed length, bare containers: interpreted


def _special(data: Any) -> bool:
    """Whether data is an object that :func:`_load` must look at first: a reference or a tagged class."""
    return type(data) is dict and (_REF in data or _CLASS in data or _NAMED in data)


def _load_as_is(tp: Any, data: Any, path: str, ledger: object) -> Any:
    return _load(tp, data, path, ledger) if _special(data) else data


def _compile_class_loader(tp: type) -> _Loader:
    if tp in (str, int, bool):

        def load_exact(data: Any, path: str, ledger: object) -> Any:
            return data if type(data) is tp else _load(tp, data, path, ledger)

        return load_exact
    if tp is Decimal:

        def load_decimal(data: Any, path: str, ledger: object) -> Any:
            return _decimal(data, path) if type(data) is str else _load(tp, data, path, ledger)

        return load_decimal
    if tp is Money:
        return _load_money
    if tp in (datetime, date):
        parse = tp.fromisoformat

        def load_iso(data: Any, path: str, ledger: object) -> Any:
            if type(data) is str:
                try:
                    value = parse(data)
                except ValueError:
                    pass
                else:
                    if tp is date or typing.cast(datetime, value).tzinfo is not None:
                        return value
            return _load(tp, data, path, ledger)  # names what is wrong

        return load_iso
    if issubclass(tp, enum.Enum):
        members = tp.__members__

        def load_member(data: Any, path: str, ledger: object) -> Any:
            member = members.get(data) if type(data) is str else None
            return member if member is not None else _load(tp, data, path, ledger)

        return load_member
    if tp is Currency:

        def load_currency(data: Any, path: str, ledger: object) -> Any:
            if type(data) is str:
                try:
                    return Currency.of(data)
                except AntfinError:
                    pass
            return _load(tp, data, path, ledger)  # names what is wrong

        return load_currency
    if _has_attrs(tp) and not _is_ledger_type(tp) and not issubclass(tp, (Decimal, Money, datetime, date, time)):
        return _compile_attrs_loader(tp, tp, None)

    def load_scalar(data: Any, path: str, ledger: object) -> Any:
        return _load(tp, data, path, ledger) if _special(data) else _load_scalar(tp, data, path, ledger)

    return load_scalar


def _load_money(data: Any, path: str, ledger: object) -> Any:
    if type(data) is dict and len(data) == 2:
        amount, code = data.get("amount"), data.get("currency")
        if type(amount) is str and type(code) is str:
            form = _AMOUNT_FORMS.get(code)
            if form is not None and form[1].fullmatch(amount):  # as written: the minor units, read exactly
                return Money.from_minor_units(int(amount.replace(".", "", 1)), form[0])
            try:
                currency = Currency.of(code)
                loaded = Money(amount, currency)
            except AntfinError:
                pass
            else:
                if code == currency.code:
                    _AMOUNT_FORMS[code] = (currency, _canonical_amount(currency.digits))
                return loaded
    return _load(Money, data, path, ledger)  # names what is wrong


#: By currency code: the currency, and the form of its amounts as dumped (``-12.30``).
_AMOUNT_FORMS: dict[str, tuple[Currency, re.Pattern[str]]] = {}


def _canonical_amount(digits: int) -> re.Pattern[str]:
    """An amount as dumped with ``digits`` decimal places (``-12.30``), within the range of :func:`to_decimal`."""
    whole = r"-?(?:0|[1-9][0-9]{0,999})"
    return re.compile(whole if digits == 0 else rf"{whole}\.[0-9]{{{digits}}}")


def _compile_attrs_loader(tp: Any, cls: type, parameters: Mapping[object, Any] | None) -> _Loader:
    # The plan is made on first use, not here: a class whose fields refer back to it compiles without recursing.
    made: list[tuple[frozenset[str], tuple[_FieldPlan, ...]]] = []

    def load_attrs(data: Any, path: str, ledger: object) -> Any:
        if type(data) is not dict or _REF in data or _CLASS in data or _NAMED in data:
            return _load(tp, data, path, ledger)
        if not made:
            made.append(_make_load_plan(cls, parameters) if parameters else _load_plan(cls))
        known, plan = made[0]
        return _build(cls, known, plan, data, path, ledger)

    return load_attrs


def _compile_union_loader(tp: Any, args: tuple[Any, ...]) -> _Loader:
    nullable = type(None) in args
    loaders = tuple(_loader(arg) for arg in args if arg is not type(None))
    if len(loaders) == 1:  # an optional value: its one type's errors are the union's
        (load_one,) = loaders

        def load_optional(data: Any, path: str, ledger: object) -> Any:
            if data is None and nullable:
                return None
            return _load(tp, data, path, ledger) if _special(data) else load_one(data, path, ledger)

        return load_optional

    def load_union(data: Any, path: str, ledger: object) -> Any:
        if data is None and nullable:
            return None
        return _load(tp, data, path, ledger) if _special(data) else _load_first(loaders, data, path, ledger)

    return load_union


def _compile_sequence_loader(tp: Any, origin: Any, load_item: _Loader) -> _Loader:
    def load_sequence(data: Any, path: str, ledger: object) -> Any:
        if type(data) is not list:
            return _load(tp, data, path, ledger)
        items = [load_item(item, f"{path}[{i}]", ledger) for i, item in enumerate(data)]
        if origin is list:
            return items
        return frozenset(items) if origin in (frozenset, set) else tuple(items)

    return load_sequence


def _compile_fixed_tuple_loader(tp: Any, loaders: tuple[_Loader, ...]) -> _Loader:
    def load_fixed_tuple(data: Any, path: str, ledger: object) -> Any:
        if type(data) is not list or len(data) != len(loaders):
            return _load(tp, data, path, ledger)
        return tuple(
            [load(item, f"{path}[{i}]", ledger) for i, (load, item) in enumerate(zip(loaders, data, strict=True))]
        )

    return load_fixed_tuple


def _compile_mapping_loader(tp: Any, key_type: Any, value_type: Any) -> _Loader:
    load_key = None if key_type is str else _loader(key_type)
    load_value = _loader(value_type)

    def load_mapping(data: Any, path: str, ledger: object) -> Any:
        if type(data) is not dict or _REF in data or _CLASS in data or _NAMED in data or _ITEMS in data:
            return _load(tp, data, path, ledger)
        if load_key is None:
            return {key: load_value(item, f"{path}[{key!r}]", ledger) for key, item in data.items()}
        return {
            load_key(key, f"{path} key", ledger): load_value(item, f"{path}[{key!r}]", ledger)
            for key, item in data.items()
        }

    return load_mapping


def _compile_archive_loader(tp: Any, key_type: Any, value_type: Any) -> _Loader:
    load_mapping = _compile_mapping_loader(dict[key_type, value_type], key_type, value_type)

    def load_archive(data: Any, path: str, ledger: object) -> Any:
        return _load(tp, data, path, ledger) if _special(data) else Archive(load_mapping(data, path, ledger))

    return load_archive


def dumps(value: object, **kwargs: Any) -> str:
    """:func:`to_data` then :func:`json.dumps` (non-ASCII kept as is).

    >>> dumps(CNY("1"))
    '{"amount": "1.00", "currency": "CNY"}'

    .. versionadded:: 0.1.0
    """
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(to_data(value), **kwargs)


def loads(cls: type[T] | Any, text: str, *, ledger: object | None = None) -> T:
    """:func:`json.loads` then :func:`from_data`.

    >>> loads(Money, '{"amount": "1.00", "currency": "CNY"}')
    Money('1.00', 'CNY')

    Raises:
        antfin.errors.SerializationError: for invalid JSON or data.

    .. versionadded:: 0.1.0
    """
    if isinstance(text, (str, bytes, bytearray)) and len(text) > MAX_TEXT:
        raise SerializationError(f"$: the JSON text is longer than {MAX_TEXT} characters")
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise SerializationError(f"$: not valid JSON: {error}") from None
    except RecursionError:
        raise SerializationError(f"$: the document is nested deeper than {MAX_DEPTH} levels") from None
    result: T = from_data(cls, data, ledger=ledger)
    return result
