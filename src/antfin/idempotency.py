"""One idempotency mechanism for the ledger and every product: request fingerprints and the replay rule.

An operation that moves money takes a caller key. The first call records the
key with the *fingerprint* of its request and a reference to its result; a
repeated call with the same key and the same fingerprint gets the first result
back, and one with another fingerprint raises
:class:`~antfin.errors.IdempotencyConflictError` naming the key.

The fingerprint is canonical JSON text of the operation name and its fields,
so no field can run into the next one (an account id may contain ``|`` or any
other separator), and equal values give equal text whatever their spelling:
amounts are exact (``Money`` at its currency's exponent, ``Decimal``
normalised), instants are compared as instants (converted to UTC, so
``09:00+08:00`` and ``01:00+00:00`` are the same request), enums by class and
member. The text survives a JSON round trip of the entity that keeps it, so a
retry after reloading is recognised.

>>> from antfin.calendar import shanghai
>>> from antfin.money import CNY
>>> fingerprint("transfer", "wallet:a|b", "c", CNY("1.00"))
'["transfer","wallet:a|b","c","1.00 CNY"]'
>>> split_elsewhere = fingerprint("transfer", "wallet:a", "b|c", CNY("1.00"))
>>> split_elsewhere == fingerprint("transfer", "wallet:a|b", "c", CNY("1.00"))
False
>>> keys: dict[str, IdempotencyRecord[str]] = {}
>>> replay(keys, "k1", fingerprint("pay", CNY("5"))) is None
True
>>> _ = remember(keys, "k1", fingerprint("pay", CNY("5")), "E1")
>>> replay(keys, "k1", fingerprint("pay", CNY("5.00")))
'E1'
>>> replay(keys, "k1", fingerprint("pay", CNY("6")))
Traceback (most recent call last):
...
antfin.errors.IdempotencyConflictError: key 'k1' was already used for ["pay","5.00 CNY"]; this call asks for ...

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from json.encoder import encode_basestring as _quote  # the C encoder when available
from typing import Any, Generic, TypeVar, cast

import attrs

from antfin.errors import IdempotencyConflictError
from antfin.money import Currency, Money

__all__ = ["DerivedRecords", "IdempotencyRecord", "canonical", "fingerprint", "remember", "replay", "same_request"]

_R = TypeVar("_R")

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def canonical(value: object) -> Any:
    """The JSON-compatible canonical form of one fingerprint field.

    >>> from antfin.calendar import shanghai
    >>> from antfin.money import CNY
    >>> canonical(shanghai(2024, 1, 1, 9)), canonical(Decimal("1.50")), canonical(CNY("2"))
    ('2024-01-01T01:00:00+00:00', '1.5', '2.00 CNY')

    It never raises: a value of a type that has no canonical form (a float, a
    naive datetime, an object) is written as its type and ``repr``, so a request
    with a bad argument still gets a fingerprint and is refused by the
    operation's own checks, with their messages.

    >>> canonical(0.1)
    {'float': '0.1'}

    .. versionadded:: 0.2.0
    """
    cls = value.__class__
    if cls is str or cls is int or value is None or cls is bool:
        return value
    if isinstance(value, Money):
        return _money_text(value)
    if isinstance(value, enum.Enum):
        return f"{cls.__name__}.{value.name}"
    if isinstance(value, (str, int)):  # str and int subclasses other than enums
        return str(value) if isinstance(value, str) else int(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return {"Decimal": str(value)}
        return str(value.normalize()) if value else "0"
    if isinstance(value, Currency):
        return value.code
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return {"naive": value.isoformat()}
        return value.astimezone(UTC).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.days}d{value.seconds}s{value.microseconds}us"
    if isinstance(value, (tuple, list)):
        return [canonical(item) for item in value]
    if attrs.has(cls):
        fields = {field.name: canonical(getattr(value, field.name)) for field in attrs.fields(cls)}
        return {"class": cls.__qualname__, **fields}
    return {cls.__name__: repr(value)}


def _money_text(money: Money) -> str:
    """``"12.30 CNY"``: the amount at its currency's exponent, from the integer minor units (no Decimal)."""
    minor = money._minor
    currency = money._currency
    digits = currency.digits
    if not digits:
        return f"{minor} {currency.code}"
    whole, part = divmod(-minor if minor < 0 else minor, 10**digits)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{digits}d} {currency.code}"


def _field_text(value: object) -> str:
    """The JSON text of one field's canonical form (fast paths for the common types)."""
    cls = value.__class__
    if cls is str:
        return _quote(cast(str, value))
    if cls is int:
        return str(value)
    if cls is Money:
        return _quote(_money_text(cast(Money, value)))
    if value is None:
        return "null"
    return _ENCODE(canonical(value))


def fingerprint(operation: str, *fields: object) -> str:
    """Canonical JSON text of a request: the operation and its fields, in order.

    >>> from datetime import timedelta, timezone
    >>> from antfin.calendar import shanghai
    >>> fingerprint("hold", "a", shanghai(2024, 1, 1, 9))
    '["hold","a","2024-01-01T01:00:00+00:00"]'
    >>> utc_spelling = shanghai(2024, 1, 1, 9).astimezone(timezone(timedelta(0)))
    >>> fingerprint("hold", "a", utc_spelling) == fingerprint("hold", "a", shanghai(2024, 1, 1, 9))
    True

    .. versionadded:: 0.2.0
    """
    parts = [_quote(operation)]
    for field in fields:  # the hot types inline (a transfer's two ids and its amount), the rest by _field_text
        cls = field.__class__
        if cls is str:
            parts.append(_quote(cast(str, field)))
        elif cls is Money:
            parts.append(_quote(_money_text(cast(Money, field))))
        else:
            parts.append(_field_text(field))
    return "[" + ",".join(parts) + "]"


def same_request(key: str, recorded: str | None, asked: str, *, what: str = "key") -> bool:
    """The replay rule on fingerprints: ``False`` for a new key, ``True`` for a repeat, or raise.

    >>> same_request("k", None, "x"), same_request("k", "x", "x")
    (False, True)
    >>> same_request("k", "x", "y", what="refund key")
    Traceback (most recent call last):
    ...
    antfin.errors.IdempotencyConflictError: refund key 'k' was already used for x; this call asks for y

    Raises:
        antfin.errors.IdempotencyConflictError: the key was used for another request (the message names it).

    .. versionadded:: 0.2.0
    """
    if recorded is None:
        return False
    if recorded != asked:
        raise IdempotencyConflictError(f"{what} {key!r} was already used for {recorded}; this call asks for {asked}")
    return True


@attrs.frozen
class IdempotencyRecord(Generic[_R]):
    """What a key did: the request's fingerprint and (a reference to) its result.

    >>> IdempotencyRecord("k1", fingerprint("pay", 1), "E1").result
    'E1'

    Attributes:
        key: the caller's key.
        fingerprint: :func:`fingerprint` text of the first request.
        result: the first result, or its id in the owner's records.

    .. versionadded:: 0.2.0
    """

    key: str = attrs.field(validator=attrs.validators.instance_of(str))
    fingerprint: str = attrs.field(validator=attrs.validators.instance_of(str))
    result: _R


def replay(records: Mapping[str, IdempotencyRecord[_R]], key: str, asked: str, *, what: str = "key") -> _R | None:
    """The first result for a repeated request, ``None`` for a new key; raise for another request.

    >>> records = {"k": IdempotencyRecord("k", fingerprint("pay", 1), "E1")}
    >>> replay(records, "k", fingerprint("pay", 1)), replay(records, "other", fingerprint("pay", 1))
    ('E1', None)

    Raises:
        antfin.errors.IdempotencyConflictError: the key was used for another request (the message names it).

    .. versionadded:: 0.2.0
    """
    record = records.get(key)
    if record is None:
        return None
    same_request(key, record.fingerprint, asked, what=what)
    return record.result


def remember(
    records: MutableMapping[str, IdempotencyRecord[_R]], key: str, asked: str, result: _R
) -> IdempotencyRecord[_R]:
    """Record ``key``'s request and result (call it only once the operation has succeeded).

    >>> records: dict[str, IdempotencyRecord[int]] = {}
    >>> remember(records, "k", fingerprint("op"), 7).result, list(records)
    (7, ['k'])

    .. versionadded:: 0.2.0
    """
    record = IdempotencyRecord(key, asked, result)
    records[key] = record
    return record


_K = TypeVar("_K")


class DerivedRecords(MutableMapping[str, IdempotencyRecord[_R]], Generic[_K, _R]):
    """An owner's stored results seen as :class:`IdempotencyRecord` values, for :func:`replay` and :func:`remember`.

    For an owner that stores its results by key (a fund's orders by order key,
    its daily incomes by day) rather than records: each record's fingerprint is
    derived from the stored result, so the stored shape stays what it was and a
    reloaded owner replays the same way. ``key`` turns the caller's key text into
    the results' key and ``name`` back; ``fingerprint_of`` gives a result's
    request fingerprint. Remembering stores the record's result.

    >>> from datetime import date
    >>> totals = {date(2024, 6, 3): 5}
    >>> records = DerivedRecords(totals, date.fromisoformat, date.isoformat, lambda n: fingerprint("close", n))
    >>> replay(records, "2024-06-03", fingerprint("close", 5)), list(records)
    (5, ['2024-06-03'])
    >>> _ = remember(records, "2024-06-04", fingerprint("close", 7), 7)
    >>> totals[date(2024, 6, 4)]
    7

    .. versionadded:: 0.2.0
    """

    __slots__ = ("_fingerprint_of", "_key", "_name", "_results")

    def __init__(
        self,
        results: MutableMapping[_K, _R],
        key: Callable[[str], _K],
        name: Callable[[_K], str],
        fingerprint_of: Callable[[_R], str],
    ) -> None:
        self._results = results
        self._key = key
        self._name = name
        self._fingerprint_of = fingerprint_of

    def __getitem__(self, key: str) -> IdempotencyRecord[_R]:
        result = self._results[self._key(key)]
        return IdempotencyRecord(key, self._fingerprint_of(result), result)

    def __setitem__(self, key: str, record: IdempotencyRecord[_R]) -> None:
        self._results[self._key(key)] = record.result

    def __delitem__(self, key: str) -> None:
        del self._results[self._key(key)]

    def __iter__(self) -> Iterator[str]:
        return (self._name(key) for key in self._results)

    def __len__(self) -> int:
        return len(self._results)
