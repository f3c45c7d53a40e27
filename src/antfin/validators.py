"""The argument checks every product shares: ids and keys, amounts, rates and counts.

Each check takes the value and the name of the field it came from, returns the
value when it is acceptable, and otherwise raises with one message for the whole
library: a value of the wrong type is a ``TypeError``, a value of the right type
that a rule refuses is an :class:`~antfin.errors.InvalidAmountError`.

>>> from antfin import CNY
>>> from antfin.validators import check_positive
>>> check_positive(CNY("1.00"), "amount")
Money('1.00', 'CNY')
>>> check_positive(CNY("0.00"), "amount")
Traceback (most recent call last):
...
antfin.errors.InvalidAmountError: amount must be positive, got 0.00 CNY

:func:`attribute` turns any of them into an ``attrs`` validator that names the
attribute.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from antfin.errors import InvalidAmountError
from antfin.money import Currency, Money
from antfin.rates import Rate

__all__ = [
    "AttrsValidator",
    "attribute",
    "check_id",
    "check_int",
    "check_key",
    "check_money",
    "check_name",
    "check_non_negative",
    "check_positive",
    "check_rate",
    "check_str",
    "check_text",
]

#: What ``attrs`` calls to validate a field: ``(instance, attribute, value)``.
AttrsValidator: TypeAlias = Callable[[Any, Any, Any], None]


def check_text(value: str, field: str) -> str:
    """Return ``value`` if every store can encode it (no lone surrogates).

    >>> check_text("备注", "memo")
    '备注'
    >>> check_text("x\\ud800", "memo")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: memo must be valid Unicode text (no lone surrogates), got 'x\\ud800'

    Raises:
        antfin.errors.InvalidAmountError: for text with a lone surrogate.

    .. versionadded:: 0.2.0
    """
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidAmountError(
                f"{field} must be valid Unicode text (no lone surrogates), got {value!r}"
            ) from None
    return value


def check_str(value: object, field: str) -> str:
    """Return ``value`` if it is a ``str`` every store can encode (it may be empty).

    >>> check_str("", "memo")
    ''
    >>> check_str(None, "memo")
    Traceback (most recent call last):
    ...
    TypeError: memo must be a str, not NoneType

    Raises:
        TypeError: for anything but a ``str``.
        antfin.errors.InvalidAmountError: for text with a lone surrogate.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    return check_text(value, field)


def check_key(value: object, field: str = "key") -> str:
    """Return a caller's request key: a ``str`` that is not blank, which every store can encode.

    >>> check_key("order-1")
    'order-1'
    >>> check_key("  ")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: key must be a non-empty string, got '  '

    Raises:
        TypeError: for anything but a ``str``.
        antfin.errors.InvalidAmountError: for blank text or text with a lone surrogate.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise InvalidAmountError(f"{field} must be a non-empty string, got {value!r}")
    return check_text(value, field)


def check_id(value: object, field: str) -> str:
    """Return an id or request key: a ``str`` that is not blank and has no surrounding spaces.

    ``" L-1"`` and ``"L-1"`` would look alike on a statement but be two ids, so
    spaces around an id are refused rather than stripped.

    >>> check_id("L-1", "loan_id")
    'L-1'
    >>> check_id(" L-1", "loan_id")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: loan_id must be a non-blank id without surrounding spaces, got ' L-1'

    Raises:
        TypeError: for anything but a ``str``.
        antfin.errors.InvalidAmountError: for blank text, surrounding spaces or a lone surrogate.

    .. versionadded:: 0.2.0
    """
    text = check_str(value, field)
    if not text.strip() or text != text.strip():
        raise InvalidAmountError(f"{field} must be a non-blank id without surrounding spaces, got {text!r}")
    return text


def check_name(value: object, field: str) -> str:
    """Return a name or id: a ``str`` that is not blank (anything else is refused as a value).

    >>> check_name("alice", "investor_id")
    'alice'
    >>> check_name(None, "investor_id")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: investor_id must be a non-empty string, got None

    Raises:
        antfin.errors.InvalidAmountError: for blank text or anything but a ``str``.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidAmountError(f"{field} must be a non-empty string, got {value!r}")
    return value


def check_money(value: object, field: str, *, currency: Currency | None = None) -> Money:
    """Return ``value`` if it is :class:`~antfin.money.Money` (in ``currency``, when one is named).

    >>> from antfin import CNY, Money
    >>> check_money(-CNY("1"), "delta")
    Money('-1.00', 'CNY')
    >>> check_money(Money("1", "USD"), "amount", currency=CNY)
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: amount must be in CNY, got USD

    Raises:
        TypeError: for anything but :class:`~antfin.money.Money`.
        antfin.errors.InvalidAmountError: for an amount in another currency.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, Money):
        raise TypeError(f"{field} must be Money, not {type(value).__name__}")
    if currency is not None and value.currency != currency:
        raise InvalidAmountError(f"{field} must be in {currency.code}, got {value.currency.code}")
    return value


def check_positive(value: object, field: str = "amount", *, currency: Currency | None = None) -> Money:
    """Return ``value`` if it is :class:`~antfin.money.Money` above zero (in ``currency``, when one is named).

    >>> from antfin import CNY
    >>> check_positive(CNY("0.01"), currency=CNY)
    Money('0.01', 'CNY')
    >>> check_positive("1.00", "principal")
    Traceback (most recent call last):
    ...
    TypeError: principal must be Money, not str

    Raises:
        TypeError: for anything but :class:`~antfin.money.Money`.
        antfin.errors.InvalidAmountError: for zero, a negative amount or another currency.

    .. versionadded:: 0.2.0
    """
    # (The checks of check_money written out: this one runs on every payment.)
    if not isinstance(value, Money):
        raise TypeError(f"{field} must be Money, not {type(value).__name__}")
    if currency is not None and value.currency != currency:
        raise InvalidAmountError(f"{field} must be in {currency.code}, got {value.currency.code}")
    if value.minor_units <= 0:
        raise InvalidAmountError(f"{field} must be positive, got {value}")
    return value


def check_non_negative(value: object, field: str, *, currency: Currency | None = None) -> Money:
    """Return ``value`` if it is :class:`~antfin.money.Money` of zero or more (in ``currency``, when named).

    >>> from antfin import CNY
    >>> check_non_negative(CNY("0"), "fee")
    Money('0.00', 'CNY')
    >>> check_non_negative(-CNY("0.01"), "fee")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: fee must not be negative, got -0.01 CNY

    Raises:
        TypeError: for anything but :class:`~antfin.money.Money`.
        antfin.errors.InvalidAmountError: for a negative amount or another currency.

    .. versionadded:: 0.2.0
    """
    money = check_money(value, field, currency=currency)
    if money.minor_units < 0:
        raise InvalidAmountError(f"{field} must not be negative, got {money}")
    return money


def check_rate(value: object, field: str) -> Rate:
    """Return ``value`` if it is a :class:`~antfin.rates.Rate` (a rate is never negative).

    >>> check_rate(Rate.percent("0.6"), "rate")
    Rate(value=Decimal('0.006'))
    >>> check_rate("0.006", "rate")
    Traceback (most recent call last):
    ...
    TypeError: rate must be a Rate, not str

    Raises:
        TypeError: for anything but a :class:`~antfin.rates.Rate`.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, Rate):
        raise TypeError(f"{field} must be a Rate, not {type(value).__name__}")
    return value


def check_int(value: object, field: str, *, at_least: int | None = None, at_most: int | None = None) -> int:
    """Return ``value`` if it is an ``int`` (never a ``bool``) within the bounds given.

    >>> check_int(3, "term_days", at_least=1)
    3
    >>> check_int(0, "term_days", at_least=1)
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: term_days must be at least 1, got 0
    >>> check_int(-1, "days", at_least=0)
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: days must not be negative, got -1
    >>> check_int(13, "month", at_least=1, at_most=12)
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: month must be within 1-12, got 13

    Raises:
        TypeError: for anything but an ``int``, a ``bool`` included.
        antfin.errors.InvalidAmountError: for a value out of bounds.

    .. versionadded:: 0.2.0
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field} must be an int, not {type(value).__name__}")
    if at_least is not None and at_most is not None:
        if not at_least <= value <= at_most:
            raise InvalidAmountError(f"{field} must be within {at_least}-{at_most}, got {value}")
    elif at_least is not None and value < at_least:
        if at_least == 0:
            raise InvalidAmountError(f"{field} must not be negative, got {value}")
        raise InvalidAmountError(f"{field} must be at least {at_least}, got {value}")
    elif at_most is not None and value > at_most:
        raise InvalidAmountError(f"{field} must be at most {at_most}, got {value}")
    return value


def attribute(check: Callable[..., object], **options: Any) -> AttrsValidator:
    """An ``attrs`` validator that runs ``check(value, <attribute name>, **options)``.

    >>> import attrs
    >>> from antfin import CNY
    >>> @attrs.frozen
    ... class Fee:
    ...     amount: object = attrs.field(validator=attribute(check_non_negative, currency=CNY))
    >>> Fee(CNY("-1"))
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: amount must not be negative, got -1.00 CNY

    .. versionadded:: 0.2.0
    """

    def validate(_instance: object, attr: Any, value: object) -> None:
        check(value, attr.name, **options)

    validate.__qualname__ = validate.__name__ = f"attribute({check.__name__})"
    return validate
