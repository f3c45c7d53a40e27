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
refused before any work (a document the books read, whose text is shorter
than :data:`MAX_NODES` and whose declared type cannot nest deeper than
:data:`MAX_DEPTH`, is checked as it loads instead, and counted after if a
part of it was not loaded by its declared type). Loading never writes: with
``ledger=``, the whole document is loaded inside an atomic block that is
always rolled back if loading would open an account, book an entry or create
a hold, and the load is then refused.

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
load and dump without reading a hint again. Loading runs loaders that carry
no path first (for an attrs class, a function generated from its fields, as
attrs generates ``__init__``), which hand anything unusual (a class tag, an
upgrade, data of the wrong shape) to the general loader; when anything is
refused, the document is loaded again by the general loader alone, whose
error names the path, so the checks and the messages are the same either way.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextvars
import json
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from antfin import serialization_dump, serialization_load
from antfin.errors import SerializationError
from antfin.serialization_common import _Context, _has_attrs, _is_ledger_type
from antfin.serialization_dump import _DUMPERS, _NAMES, _dump, _dump_fast
from antfin.serialization_fast import _GENERAL_LOADS, _depth, _fast
from antfin.serialization_load import _BY_NAME, _loader

# Assigned, not imported with ``from ... import``: CPython 3.11 compiles ``name.method()`` on a name a
# module imports as an attribute load and a call (a bound method made each time), on an assigned name
# as a method call, as before the split. Each call of to_data and from_data with references uses these.
_DUMP_REFS = serialization_dump._DUMP_REFS
_LOAD_REFS = serialization_load._LOAD_REFS

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
    text = _TEXT_LENGTH.get()
    checked = text is None or text[0] is not data or text[1] > MAX_NODES or _depth(cls) > MAX_DEPTH
    if checked:
        _check_size(data)
    token = _LOAD_REFS.set(references) if references else None
    try:
        general_loads = _GENERAL_LOADS[0]
        try:
            loaded = _load_within(_fast(cls), data, ledger)
        except Exception:  # whatever it is, the general loader finds it again and names its path
            pass
        else:
            if not checked and _GENERAL_LOADS[0] != general_loads:
                _check_size(data)  # a part of it was not checked against its declared type: count it
            return typing.cast(T, loaded)
        if not checked:
            _check_size(data)
        load = _loader(cls)
        return typing.cast(T, _load_within(lambda data, ledger: load(data, "$", ledger), data, ledger))
    finally:
        if token is not None:
            _LOAD_REFS.reset(token)


#: The JSON text a document was read from (the books set it): ``(data, len(text))``. No document has more
#: values than its text has characters, so a short one need not be counted; it is checked against its
#: declared type as it loads, which bounds its depth (see :func:`antfin.serialization_fast._depth`).
_TEXT_LENGTH: contextvars.ContextVar[tuple[object, int] | None] = contextvars.ContextVar(
    "antfin_text_length", default=None
)


def _load_within(load: Callable[[Any, Any], Any], data: Any, ledger: object | None) -> Any:
    """``load(data, ledger)``, with a ledger inside an atomic block: loading never writes."""
    if ledger is None or not _is_ledger_type(type(ledger)):
        return load(data, ledger)
    ledger = typing.cast(_Context, ledger)
    with ledger.atomic():  # loading never writes: anything it would write is rolled back and refused
        before = ledger.uncommitted()
        loaded = load(data, ledger)
        after = ledger.uncommitted()
        if after != before:
            raise SerializationError(
                f"$: loading would write to the ledger ({after[0] - before[0]} accounts, "
                f"{after[1] - before[1]} entries, {after[2] - before[2]} holds); "
                "load into the ledger the document was saved with"
            )
    return loaded


#: The types of the values that hold others, in data: what the size of a document counts.
_NESTED: typing.Final = (dict, list)


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
