"""Loading: JSON-compatible data to checked values (see :func:`antfin.serialization.from_data`).

The compiled loaders (one per declared type) and the general loader, which
interprets the type, loads what is allowed and refuses the rest naming the path.
"""

from __future__ import annotations

import contextvars
import enum
import functools
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
