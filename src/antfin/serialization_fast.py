"""Loading fast: compiled loaders that carry no path (see :func:`antfin.serialization.from_data`).

A fast loader loads the usual shape of its declared type without building a
path; anything unusual goes to the general loaders of
:mod:`antfin.serialization_load`, and a refused document is loaded again by
those alone, so every refusal names its path as before.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs

from antfin.archive import Archive
from antfin.money import Money
from antfin.serialization_common import (
    _CLASS,
    _DERIVED_MARKER,
    _ITEMS,
    _NAMED,
    _REF,
    _has_attrs,
    _is_ledger_type,
    _shape,
)
from antfin.serialization_load import (
    _BY_NAME,
    _LOAD_REFS,
    _check_derived,
    _data_fields,
    _decimal,
    _load_money,
    _Loader,
    _loader,
)

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
