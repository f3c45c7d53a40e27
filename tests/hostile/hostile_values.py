"""Hostile values (hypothesis strategies) and the refusal checks shared by ``tests/hostile``.

Every public entry of antfin must answer a hostile argument with a *typed*
error - an :class:`antfin.errors.AntfinError` subclass, or ``TypeError`` where
the library deliberately refuses a wrong Python type (a float amount, a date
where a datetime is due) - whose message names the argument, and a refused
call must leave every piece of state exactly as it was.

>>> from antfin.errors import InvalidAmountError
>>> from antfin.money import CNY
>>> error = refused(lambda: CNY("NaN"), fields="amount", state=lambda: ())
>>> isinstance(error, InvalidAmountError)
True
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from antfin.calendar import SHANGHAI, shanghai
from antfin.errors import AntfinError
from antfin.ledger import Ledger
from antfin.money import CNY, Money

__all__ = [
    "ALWAYS_BAD_AMOUNTS",
    "BAD_DATES",
    "BAD_DATETIMES",
    "BAD_FLAGS",
    "BAD_INTS",
    "BAD_TEXT",
    "FAR_FUTURE",
    "NOT_MONEY",
    "ODD_TEXT",
    "OVER_PRECISE",
    "TYPED",
    "WRONG_CURRENCY",
    "Other",
    "bad_enum",
    "ledger_state",
    "negative_money",
    "refused",
    "typed_or_ok",
]

# The errors a hostile argument may cause: antfin's own, or TypeError for a wrong Python type.
TYPED: tuple[type[BaseException], ...] = (AntfinError, TypeError)


class Other(enum.Enum):
    """A foreign enum: its members are never valid for an antfin enum argument."""

    A = "A"
    CNY = "CNY"
    ONE = 1


# -- numbers ---------------------------------------------------------------------------------------

SPECIAL_FLOATS = st.sampled_from([0.1, -0.0, 0.0, 1.0, 100.0, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf])
FLOATS = SPECIAL_FLOATS | st.floats(allow_nan=True, allow_infinity=True)
NON_FINITE = st.sampled_from(
    [
        Decimal("NaN"),
        Decimal("-NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
    ]
)
HUGE = st.sampled_from([10**30, -(10**30), Decimal(10) ** 30, Decimal("1E+30"), "1" + "0" * 30, "1E+999999", 2**200])
OVER_PRECISE = st.sampled_from(["0.001", Decimal("0.001"), "1.005", Decimal("1E-10"), "-0.009"])
JUNK_TEXT = st.sampled_from(["", " ", "\t\n", "abc", "1,000", "¥1", "1 000", "0x10", "1e", "--1", "\x00"])
WRONG_TYPES = st.sampled_from(
    [None, True, False, object(), [], {}, (), b"1", complex(1, 0), Other.A, timedelta(days=1), date(2024, 1, 1)]
)

#: Anything that is not a ``Money``: where a ``Money`` is due, each of these must be refused.
NOT_MONEY: st.SearchStrategy[Any] = st.one_of(
    FLOATS,
    NON_FINITE,
    HUGE,
    OVER_PRECISE,
    JUNK_TEXT,
    WRONG_TYPES,
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1.00", "10", Decimal("5")]),
)

#: Amount-like values (``str | int | Decimal``) no rule accepts: floats, non-finite, junk, wrong types.
ALWAYS_BAD_AMOUNTS: st.SearchStrategy[Any] = st.one_of(FLOATS, NON_FINITE, JUNK_TEXT, WRONG_TYPES)

#: Money in a currency other than CNY, where CNY is expected.
WRONG_CURRENCY: st.SearchStrategy[Money] = st.builds(
    Money.from_minor_units,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(["USD", "EUR", "JPY", "HKD", "KWD"]),
)


def negative_money(allow_zero: bool = True) -> st.SearchStrategy[Money]:
    """Negative (and, with ``allow_zero``, zero) CNY amounts, including huge ones.

    >>> negative_money(allow_zero=False).validate()
    """
    upper = 0 if allow_zero else -1
    return st.integers(min_value=-(10**30), max_value=upper).map(lambda minor: Money.from_minor_units(minor, CNY))


# -- time ------------------------------------------------------------------------------------------

NAIVE = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31))

#: Values that are not an aware datetime: naive datetimes, dates, strings, numbers, times, None.
BAD_DATETIMES: st.SearchStrategy[Any] = st.one_of(
    NAIVE,
    st.dates(),
    st.sampled_from(
        [
            "2024-01-01T00:00:00+08:00",
            "",
            "now",
            0,
            1_700_000_000,
            1.7e9,
            None,
            True,
            time(12, 0, tzinfo=SHANGHAI),
            timedelta(days=1),
            Decimal(1),
        ]
    ),
)

#: Aware instants at the edge of the representable range (valid types; a rule may still refuse them).
FAR_FUTURE: st.SearchStrategy[datetime] = st.sampled_from(
    [
        shanghai(9999, 12, 31, 23, 59, 59),
        datetime(9999, 12, 31, 15, 59, 59, tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-12))),
        shanghai(1, 1, 1, 8),
        datetime.min.replace(tzinfo=timezone(timedelta(hours=14))),
    ]
)

#: Values that are not a plain date: datetimes (aware or naive), strings, numbers, None.
BAD_DATES: st.SearchStrategy[Any] = st.one_of(
    NAIVE,
    st.sampled_from([shanghai(2024, 5, 1), "2024-05-01", "", 20240501, None, 1.5, True, Decimal(1)]),
)


# -- text, ints, flags, enums ---------------------------------------------------------------------

#: Identifiers no rule accepts: empty, blank, or not a str.
BAD_TEXT: st.SearchStrategy[Any] = st.sampled_from(["", " ", "\t", "\n\r ", None, 0, 1.5, b"alice", True, ["a"]])

#: Unusual but well-typed text: a rule may accept it or refuse it with a typed error.
ODD_TEXT: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(
        [
            "💸🐜",
            "\u202eecila",  # right-to-left override
            "עליס",
            "al\x00ice",
            "\u200b",  # zero-width space
            "a" * 10_000,
            "e\u0301",  # combining accent
            "wallet:alice",
            "../etc/passwd",
            "'; DROP TABLE entries; --",
        ]
    ),
    st.text(min_size=1, max_size=40),
)

#: Values that are not a plain positive-range int: floats, bools, None, strings, Decimals.
BAD_INTS: st.SearchStrategy[Any] = st.sampled_from(
    [1.0, 0.5, math.nan, math.inf, True, False, None, "3", "", Decimal(3), Decimal("NaN"), Other.ONE]
)

#: Values that are not a bool.
BAD_FLAGS: st.SearchStrategy[Any] = st.sampled_from([None, 0, 1, "yes", "", "False", 1.0, Decimal(1)])


def bad_enum(enum_type: type[enum.Enum]) -> st.SearchStrategy[Any]:
    """Values that are not a member of ``enum_type``: its members' values and names, other enums, junk.

    >>> from antfin.ledger import AccountKind
    >>> bad_enum(AccountKind).validate()
    """
    members = list(enum_type)
    raw: list[Any] = [m.value for m in members if not isinstance(m.value, str)]
    raw += [m.name.lower() + "?" for m in members]
    others: list[Any] = list(Other)
    others += [None, True, 0, -1, 10**6, 1.5, "", " ", "NOT_A_MEMBER", object()]
    return st.sampled_from(raw + others)


# -- state and checks ------------------------------------------------------------------------------


def ledger_state(ledger: Ledger) -> tuple[object, ...]:
    """Everything a refused call must leave alone: balances, pending, entries, holds, trial balance.

    >>> ledger_state(Ledger())[1]
    0
    """
    accounts = tuple(
        (account.id, account.kind, ledger.balance(account.id), ledger.pending(account.id), ledger.available(account.id))
        for account in ledger.accounts()
    )
    holds = tuple((h.id, h.status, h.amount, h.posted_amount, h.resolved_at) for h in ledger.holds())
    return accounts, len(ledger.entries()), holds, ledger.trial_balance()


def _names(fields: str | Iterable[str]) -> tuple[str, ...]:
    return (fields,) if isinstance(fields, str) else tuple(fields)


def _check(error: BaseException, fields: tuple[str, ...]) -> None:
    if not isinstance(error, TYPED):
        raise AssertionError(f"untyped {type(error).__name__}: {error}") from error
    message = str(error).lower()
    if not any(field.lower() in message for field in fields):
        raise AssertionError(f"{type(error).__name__} message {str(error)!r} names none of {fields}") from error


def refused(call: Callable[[], object], *, fields: str | Iterable[str], state: Callable[[], object]) -> BaseException:
    """Run ``call``, which must be refused with a typed error naming one of ``fields`` and change nothing.

    >>> refused(lambda: Money("1", "XYZ"), fields="currency", state=lambda: ()).__class__.__name__
    'InvalidAmountError'

    Raises:
        AssertionError: the call was accepted, raised an untyped error, named no field or changed ``state()``.
    """
    names = _names(fields)
    before = state()
    try:
        result = call()
    except Exception as error:
        _check(error, names)
        after = state()
        if after != before:
            raise AssertionError(f"refused call ({error}) changed state:\n{before}\n->\n{after}") from error
        return error
    raise AssertionError(f"hostile input accepted, returned {result!r:.300}")


def typed_or_ok(
    call: Callable[[], object], *, fields: str | Iterable[str], state: Callable[[], object]
) -> BaseException | None:
    """Run ``call`` on a value a rule may accept: success, or a refusal as strict as :func:`refused`.

    >>> typed_or_ok(lambda: CNY("1"), fields="amount", state=lambda: ()) is None
    True
    """
    names = _names(fields)
    before = state()
    try:
        call()
    except Exception as error:
        _check(error, names)
        after = state()
        if after != before:
            raise AssertionError(f"refused call ({error}) changed state:\n{before}\n->\n{after}") from error
        return error
    return None
