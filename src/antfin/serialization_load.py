"""Loading: JSON-compatible data to checked values (see :func:`antfin.serialization.from_data`).

The compiled loaders (one per declared type) and the general loader, which
interprets the type, loads what is allowed and refuses the rest naming the path.
"""

from __future__ import annotations

import contextvars
import enum
import functools
import inspect
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
from antfin.serialization_common import (
    _CLASS,
    _DERIVED_MARKER,
    _ITEMS,
    _NAMED,
    _REF,
    _UPGRADE_MARKER,
    _has_attrs,
    _hints,
    _is_ledger_type,
    _shape,
    _skipped,
)

#: The named constants (see :func:`antfin.serialization.named`): by name.
_BY_NAME: dict[str, object] = {}

#: How to find an entity written as ``{"$ref": id}``, by the declared type (see ``_DUMP_REFS``).
_LOAD_REFS: contextvars.ContextVar[Mapping[type, Callable[[str], Any]]] = contextvars.ContextVar(
    "antfin_load_refs", default=MappingProxyType({})
)


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
        upgrade = _UPGRADES.get(cls)
        if upgrade is not None:
            data = upgrade(data)  # an older version's document, in today's shape
        unknown = set(data) - known
        if unknown:
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
    derived = _DERIVED.get(cls)
    if derived:
        _check_derived(instance, derived, data, path, ledger)
    check = getattr(instance, "check_invariants", None)
    if callable(check):  # the aggregate's own rules, as for state built through the API
        try:
            check()
        except AntfinError as error:
            raise SerializationError(f"{path}: {cls.__name__} fails its invariants: {error}") from None
    return instance


def _check_derived(
    instance: object, derived: tuple[tuple[str, _Loader], ...], data: dict[str, Any], path: str, ledger: object
) -> None:
    """Refuse a stored derived value (an older document's field) that differs from what the instance derives."""
    for name, load in derived:
        if name in data and load(data[name], f"{path}.{name}", ledger) != getattr(instance, name):
            raise SerializationError(
                f"{path}.{name}: differs from the {name} that {type(instance).__name__} derives from its fields"
            )


#: The classes that upgrade an older version's documents (see ``_UPGRADE_MARKER``), filled as load plans are made.
_UPGRADES: dict[type, Callable[[dict[str, Any]], dict[str, Any]]] = {}

#: The classes whose documents may still hold derived values (see ``_DERIVED_MARKER``): each one's
#: derived names and their loaders, filled as load plans are made.
_DERIVED: dict[type, tuple[tuple[str, _Loader], ...]] = {}


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
    plan: list[_FieldPlan] = []
    fields = attrs.fields(cls)
    for field, tp, is_ledger in _data_fields(cls, parameters):
        argument = (field.alias or field.name) if field.init else None
        load = _no_loader if is_ledger else _loader(tp)
        plan.append((field.name, load, is_ledger, field.default is attrs.NOTHING, argument, f".{field.name}"))
    upgrade = getattr(cls, _UPGRADE_MARKER, None)
    if upgrade is not None:
        _UPGRADES[cls] = upgrade
    derived: Mapping[str, Any] = getattr(cls, _DERIVED_MARKER, {})
    if derived:
        _DERIVED[cls] = tuple((name, _loader(tp)) for name, tp in derived.items())
    return frozenset(field.name for field in fields) | frozenset(derived), tuple(plan)


def _data_fields(cls: type, parameters: Mapping[object, Any] | None) -> list[tuple[Any, Any, bool]]:
    """The fields of an attrs class that loading fills, each with its declared type and whether it is the ledger."""
    hints = _hints(cls)
    found = []
    for field in attrs.fields(cls):
        tp = hints.get(field.name, Any)
        if isinstance(tp, TypeVar):
            tp = (parameters or {}).get(tp, Any)
        origin, args = _shape(tp)
        union = origin in (types.UnionType, typing.Union)
        is_ledger = _is_ledger_type(tp) or (union and any(_is_ledger_type(arg) for arg in args))
        if not is_ledger and _skipped(tp):
            continue
        found.append((field, tp, is_ledger))
    return found


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


# -- loading fast: compiled loaders that carry no path --------------------------------------------
#
# A fast loader takes (data, ledger) and loads the usual shape of its declared type without building
# a path: an attrs class through a function generated for it (like attrs' ``__init__``), its fields'
# common types checked inline. Anything else - a tag, a reference it cannot follow, an upgrade, data
# of the wrong shape - it hands to the compiled loader above (counted in ``_GENERAL_LOADS``), so what
# loads is what the general loader would load. When a fast loader refuses (or anything else goes
# wrong), :func:`antfin.serialization.from_data` loads the document again with the general loader,
# whose error names the path of the first refusal: a fast loader's errors are never shown.

_Fast = Callable[[Any, Any], Any]
_FAST: dict[object, _Fast] = {}
_FAST_COMPILING: set[object] = set()

#: How many parts of documents the fast loaders handed to the general loader: a document loaded
#: without one was checked, node by node, against its declared type (see :func:`_depth`).
_GENERAL_LOADS: list[int] = [0]

#: The parsed forms of scalars seen in documents (immutable values), each cache bounded.
_CACHE_SIZE: typing.Final = 1 << 16
_DATETIMES: dict[str, datetime] = {}
_DATES: dict[str, date] = {}
_DECIMALS: dict[str, Decimal] = {}
#: Amounts by currency code, then by amount as written.
_MONEY: dict[str, dict[str, Money]] = {}


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value


def _fast(tp: Any) -> _Fast:
    """The fast loader of values declared as ``tp``."""
    try:
        return _FAST[tp]
    except KeyError:
        pass
    except TypeError:  # an unhashable annotation
        return _general(tp)
    if tp in _FAST_COMPILING:  # a type that holds itself: its loader is found when it is called

        def load_later(data: Any, ledger: Any) -> Any:
            return _FAST[tp](data, ledger)

        return load_later
    _FAST_COMPILING.add(tp)
    try:
        fast = _compile_fast(tp)
    finally:
        _FAST_COMPILING.discard(tp)
    _FAST[tp] = fast
    return fast


def _general(tp: Any) -> _Fast:
    """Load with the compiled loader of ``tp`` (which names paths), counted in ``_GENERAL_LOADS``."""
    load: _Loader | None = None  # compiled when first needed
    loads = _GENERAL_LOADS

    def load_generally(data: Any, ledger: Any) -> Any:
        nonlocal load
        loads[0] += 1
        if load is None:
            load = _loader(tp)
        return load(data, "$", ledger)

    return load_generally


def _lazy(namespace: dict[str, Any], name: str, tp: Any) -> _Fast:
    """A generated loader's loader of a field: the fast loader of ``tp``, compiled when first needed."""

    def load_first(data: Any, ledger: Any) -> Any:
        fast = namespace[name] = _fast(tp)
        return fast(data, ledger)

    return load_first


def _is_special(data: Any) -> bool:
    return type(data) is dict and (_REF in data or _CLASS in data or _NAMED in data)


def _compile_fast(tp: Any) -> _Fast:
    if tp is Any or tp is object:
        return _general(tp)
    origin, args = _shape(tp)
    if origin is None and isinstance(tp, type) and tp not in (tuple, list, dict):
        return _compile_fast_class(tp)
    if origin is not None and isinstance(origin, type) and _has_attrs(origin):  # a generic attrs class
        return _compile_fast_attrs(tp, origin, dict(zip(getattr(origin, "__parameters__", ()), args, strict=False)))
    if origin in (types.UnionType, typing.Union):
        others = [arg for arg in args if arg is not type(None)]
        if len(others) == 1 and len(args) == 2:
            return _compile_fast_optional(tp, others[0])
        return _general(tp)  # a union of several types: its loader tries each in turn
    if origin is tuple and args and args[-1] is not ...:
        return _compile_fast_fixed_tuple(tp, args)
    if origin in (tuple, Sequence, list, frozenset, set) and args:
        return _compile_fast_sequence(tp, origin, args[0])
    if origin in (dict, Mapping) and args:
        return _compile_fast_mapping(tp, args[0], args[1])
    if origin is Archive and args:
        return _compile_fast_archive(tp, args[0], args[1])
    return _general(tp)


def _compile_fast_class(tp: type) -> _Fast:
    general = _general(tp)
    if tp in (str, int, bool):

        def load_exact(data: Any, ledger: Any) -> Any:
            return data if type(data) is tp else general(data, ledger)

        return load_exact
    if tp is Money:
        return _fast_money
    if tp in (datetime, date):
        return _compile_fast_iso(tp, general)
    if tp is Decimal:
        return _fast_decimal
    if tp is timedelta:
        return _compile_fast_timedelta(general)
    if issubclass(tp, enum.Enum):
        get_member = tp.__members__.get

        def load_member(data: Any, ledger: Any) -> Any:
            member = get_member(data) if type(data) is str else None
            return member if member is not None else general(data, ledger)

        return load_member
    if _has_attrs(tp) and not _is_ledger_type(tp) and not issubclass(tp, (Decimal, Money, datetime, date, time)):
        return _compile_fast_attrs(tp, tp, None)
    return general


def _fast_money(data: Any, ledger: Any) -> Any:
    if type(data) is dict and len(data) == 2:
        amount, code = data.get("amount"), data.get("currency")
        if type(amount) is str and type(code) is str:
            known = _MONEY.get(code)
            value = known.get(amount) if known is not None else None
            if value is None:
                value = _load_money(data, "$", ledger)  # checked as the general loader checks it
                _remember(_MONEY.setdefault(code, {}), amount, value)
            return value
    return _general_money(data, ledger)


def _fast_decimal(data: Any, ledger: Any) -> Any:
    if type(data) is str:
        value = _DECIMALS.get(data)
        if value is None:
            value = _decimal(data, "$")
            _remember(_DECIMALS, data, value)
        return value
    return _general_decimal(data, ledger)


def _compile_fast_iso(tp: type, general: _Fast) -> _Fast:
    cache: dict[str, Any] = _DATETIMES if tp is datetime else _DATES
    parse: Callable[[str], Any] = datetime.fromisoformat if tp is datetime else date.fromisoformat
    aware = tp is datetime

    def load_iso(data: Any, ledger: Any) -> Any:
        if type(data) is str:
            value = cache.get(data)
            if value is not None:
                return value
            try:
                value = parse(data)
            except ValueError:
                return general(data, ledger)
            if not aware or value.tzinfo is not None:
                _remember(cache, data, value)
                return value
        return general(data, ledger)

    return load_iso


def _compile_fast_timedelta(general: _Fast) -> _Fast:
    def load_timedelta(data: Any, ledger: Any) -> Any:
        if type(data) is dict and len(data) == 3:
            days, seconds, micro = data.get("days"), data.get("seconds"), data.get("microseconds")
            if (
                type(days) is int
                and type(seconds) is int
                and type(micro) is int
                and 0 <= seconds < 86_400
                and 0 <= micro < 1_000_000
                and abs(days) <= 999_999_999
            ):
                return timedelta(days, seconds, micro)
        return general(data, ledger)

    return load_timedelta


def _compile_fast_optional(tp: Any, one: Any) -> _Fast:
    general = _general(tp)
    load_one: _Fast | None = None

    def load_optional(data: Any, ledger: Any) -> Any:
        nonlocal load_one
        if data is None:
            return None
        if type(data) is dict and (_REF in data or _CLASS in data or _NAMED in data):
            return general(data, ledger)
        if load_one is None:
            load_one = _fast(one)
        return load_one(data, ledger)

    return load_optional


def _compile_fast_fixed_tuple(tp: Any, args: tuple[Any, ...]) -> _Fast:
    general = _general(tp)
    size = len(args)
    loaders: tuple[_Fast, ...] = ()
    if size == 2:

        def load_pair(data: Any, ledger: Any) -> Any:
            nonlocal loaders
            if type(data) is list and len(data) == 2:
                if not loaders:
                    loaders = (_fast(args[0]), _fast(args[1]))
                return (loaders[0](data[0], ledger), loaders[1](data[1], ledger))
            return general(data, ledger)

        return load_pair

    def load_fixed_tuple(data: Any, ledger: Any) -> Any:
        nonlocal loaders
        if type(data) is list and len(data) == size:
            if not loaders:
                loaders = tuple(_fast(arg) for arg in args)
            return tuple([load(item, ledger) for load, item in zip(loaders, data, strict=True)])
        return general(data, ledger)

    return load_fixed_tuple


def _compile_fast_sequence(tp: Any, origin: Any, item_type: Any) -> _Fast:
    general = _general(tp)
    load_item: _Fast | None = None
    make: Callable[[list[Any]], Any] = list if origin is list else frozenset if origin in (frozenset, set) else tuple

    def load_sequence(data: Any, ledger: Any) -> Any:
        nonlocal load_item
        if type(data) is list:
            if load_item is None:
                if not data:
                    return make(data)
                load_item = _fast(item_type)
            return make([load_item(item, ledger) for item in data])
        return general(data, ledger)

    return load_sequence


def _compile_fast_mapping(tp: Any, key_type: Any, value_type: Any) -> _Fast:
    general = _general(tp)
    load_key: _Fast | None = None
    load_value: _Fast | None = None

    def load_mapping(data: Any, ledger: Any) -> Any:
        nonlocal load_key, load_value
        if type(data) is dict:
            if load_value is None:
                if not data:
                    return {}
                load_key, load_value = (None if key_type is str else _fast(key_type)), _fast(value_type)
            if _ITEMS in data:
                if load_key is not None and len(data) == 1 and type(data[_ITEMS]) is list:
                    result = {}
                    for pair in data[_ITEMS]:
                        if type(pair) is not list or len(pair) != 2:
                            return general(data, ledger)
                        result[load_key(pair[0], ledger)] = load_value(pair[1], ledger)
                    return result
            elif not (_REF in data or _CLASS in data or _NAMED in data):
                if load_key is None:
                    return {key: load_value(item, ledger) for key, item in data.items()}
                return {load_key(key, ledger): load_value(item, ledger) for key, item in data.items()}
        return general(data, ledger)

    return load_mapping


def _compile_fast_archive(tp: Any, key_type: Any, value_type: Any) -> _Fast:
    general = _general(tp)
    load_mapping: _Fast | None = None

    def load_archive(data: Any, ledger: Any) -> Any:
        nonlocal load_mapping
        if type(data) is dict and (_REF in data or _CLASS in data or _NAMED in data):
            return general(data, ledger)
        if load_mapping is None:
            load_mapping = _fast(dict[key_type, value_type])
        return Archive(load_mapping(data, ledger))

    return load_archive


def _compile_fast_attrs(tp: Any, cls: type, parameters: Mapping[object, Any] | None) -> _Fast:
    """The fast loader of an attrs class declared as ``tp``: a generated function, and its unusual shapes."""
    general = _general(tp)

    def load_unusual(data: Any, ledger: Any) -> Any:
        """A reference or a named constant, loaded as the general loader would; anything else by it."""
        if type(data) is dict and len(data) == 1:
            ref = data.get(_REF)
            if type(ref) is str:
                find = _LOAD_REFS.get().get(tp)
                if find is not None:
                    return find(ref)
            name = data.get(_NAMED)
            if type(name) is str:
                value = _BY_NAME.get(name)
                if value is not None and type(value) is cls:
                    return value
        return general(data, ledger)

    return _generate_attrs_loader(cls, parameters, load_unusual)


#: The inline forms of a field's type in a generated loader: ``{r}`` is the data, ``{v}`` the value,
#: ``{f}`` the type's fast loader; each falls back on the fast loader when the inline check fails.
_INLINE_EXACT = "{v} = {r} if type({r}) is {t} else {f}({r}, ledger)"
_INLINE_MEMBER = "{v} = {m}({r}) if type({r}) is str else None\n    if {v} is None: {v} = {f}({r}, ledger)"
_INLINE_MONEY = (
    "{v} = (_money.get({r}.get('currency')) or _no_amounts).get({r}.get('amount'))"
    " if type({r}) is dict and len({r}) == 2 else None\n"
    "    if {v} is None: {v} = {f}({r}, ledger)"
)


def _inline(tp: Any, index: int, namespace: dict[str, Any]) -> str:
    """The statements that load field ``index`` (declared ``tp``) from ``r{index}`` into ``v{index}``."""
    names = {"r": f"r{index}", "v": f"v{index}", "f": f"f{index}", "t": f"t{index}", "m": f"m{index}"}
    namespace[names["f"]] = _lazy(namespace, names["f"], tp)
    if tp in (str, int, bool):
        namespace[names["t"]] = tp
        return _INLINE_EXACT.format(**names)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        namespace[names["m"]] = tp.__members__.get
        return _INLINE_MEMBER.format(**names)
    if tp in (datetime, date):
        namespace[names["m"]] = (_DATETIMES if tp is datetime else _DATES).get
        return _INLINE_MEMBER.format(**names)
    if tp is Money:
        return _INLINE_MONEY.format(**names)
    origin, args = _shape(tp)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        (one,) = [arg for arg in args if arg is not type(None)]
        if one in (str, int, bool, datetime, date, Money) or (isinstance(one, type) and issubclass(one, enum.Enum)):
            namespace[f"g{index}"] = _general(tp)
            inner = _inline(one, index, namespace).replace("\n", "\n    ")
            return (
                f"if r{index} is None: v{index} = None\n"
                f"    elif type(r{index}) is dict and (_REF in r{index} or _CLASS in r{index} or _NAMED in r{index}):"
                f" v{index} = g{index}(r{index}, ledger)\n"
                f"    else:\n        {inner}"
            )
    return f"v{index} = f{index}(r{index}, ledger)"


def _generate_attrs_loader(cls: type, parameters: Mapping[object, Any] | None, fallback: _Fast) -> _Fast:
    """Source for loading the usual document of ``cls`` (an object of exactly its fields), compiled once."""
    namespace: dict[str, Any] = {
        "cls": cls,
        "fallback": fallback,
        "_money": _MONEY,
        "_no_amounts": {},
        "_REF": _REF,
        "_CLASS": _CLASS,
        "_NAMED": _NAMED,
        "_setattr": object.__setattr__,
        "_check_derived": _check_derived,
    }
    body: list[str] = []
    arguments: list[str] = []
    later: list[str] = []
    fields: list[str] = []
    names = {field.name for field in attrs.fields(cls)}
    for index, (field, tp, is_ledger) in enumerate(_data_fields(cls, parameters)):
        if is_ledger:
            body.append(f"v{index} = ledger")
        else:
            fields.append(field.name)
            body.append(f"r{index} = data[{field.name!r}]")
            body.append(_inline(tp, index, namespace))
        if field.init:
            arguments.append(f"{field.alias or field.name}=v{index}")
        else:
            later.append(f"_setattr(instance, {field.name!r}, v{index})")
    namespace["FIELDS"] = frozenset(fields)
    checks: list[str] = []
    derived: Mapping[str, Any] = getattr(cls, _DERIVED_MARKER, {})
    if derived:  # an older document's derived values are checked against what the instance derives
        namespace["DERIVED"] = tuple((name, _loader(derived_tp)) for name, derived_tp in derived.items())
        checks.append('_check_derived(instance, DERIVED, data, "$", ledger)')
    check = inspect.getattr_static(cls, "check_invariants", None)
    if isinstance(check, types.FunctionType) and "check_invariants" not in names and "__getattr__" not in dir(cls):
        checks.append("instance.check_invariants()")  # the aggregate's own rules, as for state built through the API
    elif check is not None or "check_invariants" in names or "__getattr__" in dir(cls):
        checks.append("check = getattr(instance, 'check_invariants', None)")
        checks.append("if callable(check): check()")
    lines = [
        "def load(data, ledger):",
        "    if type(data) is not dict or data.keys() != FIELDS:",
        "        return fallback(data, ledger)",
        *(f"    {line}" for line in body),
        f"    instance = cls({', '.join(arguments)})",
        *(f"    {line}" for line in later + checks),
        "    return instance",
    ]
    source = "\n".join(lines)
    exec(compile(source, f"<antfin fast loader of {cls.__module__}.{cls.__qualname__}>", "exec"), namespace)
    load: _Fast = namespace["load"]
    return load


_general_money = _general(Money)
_general_decimal = _general(Decimal)


_DEPTHS: dict[object, int] = {}
_UNBOUNDED: typing.Final = 1 << 30


def _depth(tp: Any) -> int:
    """How deeply nested a document the fast loader of ``tp`` loads without the general loader, at most.

    Scalars 0, an object or a list one more than what it holds; a type that holds itself is unbounded.
    What the fast loaders hand to the general loader is counted instead (``_GENERAL_LOADS``).
    """
    try:
        return _DEPTHS[tp]
    except KeyError:
        pass
    except TypeError:
        return _UNBOUNDED
    _DEPTHS[tp] = _UNBOUNDED  # while it is worked out: a type met again inside itself is unbounded
    try:
        depth = min(_depth_uncached(tp), _UNBOUNDED)
    except Exception:  # hints that do not resolve: the general loader says what is wrong, after the count
        return _UNBOUNDED
    _DEPTHS[tp] = depth
    return depth


def _depth_uncached(tp: Any) -> int:
    if tp is Any or tp is object:
        return 0
    origin, args = _shape(tp)
    if origin is None and isinstance(tp, type) and tp not in (tuple, list, dict):
        if tp in (Money, timedelta):
            return 1
        if _has_attrs(tp) and not _is_ledger_type(tp) and not issubclass(tp, (Decimal, Money, datetime, date, time)):
            return _attrs_depth(tp, None)
        return 0
    if origin is not None and isinstance(origin, type) and _has_attrs(origin):
        return _attrs_depth(origin, dict(zip(getattr(origin, "__parameters__", ()), args, strict=False)))
    if origin in (types.UnionType, typing.Union):
        return max((_depth(arg) for arg in args), default=0)
    if origin in (tuple, Sequence, list, frozenset, set) and args:
        return 1 + max(_depth(arg) for arg in args if arg is not Ellipsis)
    if origin in (dict, Mapping, Archive) and args:
        key, value = args
        return max(1 + _depth(value), 0 if key is str else 3 + max(_depth(key), _depth(value)))
    return 0  # loaded by the general loader: counted


def _attrs_depth(cls: type, parameters: Mapping[object, Any] | None) -> int:
    return 1 + max((_depth(tp) for _, tp, is_ledger in _data_fields(cls, parameters) if not is_ledger), default=0)
