"""Exact money: :class:`Currency`, :class:`Money`, rounding and allocation.

>>> from antfin import CNY, Money
>>> CNY("12.34") + CNY("0.66")
Money('13.00', 'CNY')
>>> CNY("100.00").allocate([1, 1, 1])
(Money('33.34', 'CNY'), Money('33.33', 'CNY'), Money('33.33', 'CNY'))

An amount is held as an integer number of minor units (fen for CNY), so
addition, comparison and hashing are exact and cheap. A ``float`` is never
accepted; an amount with more decimals than the currency has is refused unless
the caller names a :class:`Rounding` mode.

The integer allocation engine (:mod:`antfin.money_allocation`) and formatting
(:mod:`antfin.money_format`) are modules of their own; their functions are
re-exported here.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar, Final, TypeAlias

import attrs
from babel.numbers import get_currency_precision, list_currencies

from antfin.errors import CurrencyMismatchError, InvalidAmountError
from antfin.money_allocation import allocate_minor_units, integer_ratios
from antfin.money_format import format_money, parse_money

__all__ = [
    "CNY",
    "AmountLike",
    "Currency",
    "Money",
    "Rounding",
    "allocate_minor_units",
    "format_money",
    "integer_ratios",
    "parse_money",
    "to_decimal",
]

#: What an amount may be written as: never a float.
AmountLike: TypeAlias = "str | int | Decimal"

# Decimal context wide enough for any product of money and rate the library
# computes; quantize results are exact because every input is exact.
_CONTEXT: Final = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)

# Amounts, factors and ratios must lie within 1E-1000 .. 1E+1000 in magnitude (or be zero),
# which keeps exact integer arithmetic on them bounded.
_MAX_ADJUSTED: Final = 1000


class Rounding(enum.StrEnum):
    """A named rounding mode; the values are :mod:`decimal`'s own constants.

    >>> from antfin import CNY
    >>> from antfin.money import Rounding
    >>> CNY("10.005", rounding=Rounding.HALF_UP)
    Money('10.01', 'CNY')
    >>> CNY("10.005", rounding=Rounding.HALF_EVEN)
    Money('10.00', 'CNY')
    >>> CNY("10.009", rounding=Rounding.DOWN)
    Money('10.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    #: Nearest; ties away from zero (0.625 -> 0.63, -0.625 -> -0.63).
    HALF_UP = decimal.ROUND_HALF_UP
    #: Nearest; ties to the even digit, "banker's rounding" (0.625 -> 0.62, 0.635 -> 0.64).
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    #: Nearest; ties toward zero (0.625 -> 0.62).
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    #: Toward zero, i.e. truncate (0.629 -> 0.62, -0.629 -> -0.62).
    DOWN = decimal.ROUND_DOWN
    #: Away from zero (0.621 -> 0.63, -0.621 -> -0.63).
    UP = decimal.ROUND_UP
    #: Toward negative infinity (-0.621 -> -0.63).
    FLOOR = decimal.ROUND_FLOOR
    #: Toward positive infinity (0.621 -> 0.63, -0.629 -> -0.62).
    CEILING = decimal.ROUND_CEILING

    @classmethod
    def of(cls, value: Rounding | str) -> Rounding:
        """Return the mode for an enum member, its name or a decimal constant.

        >>> Rounding.of("ROUND_HALF_UP") is Rounding.HALF_UP
        True
        >>> Rounding.of("HALF_EVEN") is Rounding.HALF_EVEN
        True

        Raises:
            ValueError: for an unknown mode (as :class:`~antfin.errors.InvalidAmountError`).
        """
        if isinstance(value, Rounding):
            return value
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                pass
            try:
                return cls[value]
            except KeyError:
                pass
        names = ", ".join(member.name for member in cls)
        raise InvalidAmountError(f"unknown rounding mode {value!r}; expected one of {names}")


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Convert ``value`` to a finite :class:`~decimal.Decimal`, refusing floats.

    >>> to_decimal("1.50")
    Decimal('1.50')
    >>> to_decimal(3)
    Decimal('3')
    >>> to_decimal(0.1)
    Traceback (most recent call last):
    ...
    TypeError: amount must be str, int or Decimal, not float (floats are inexact; write '0.1')

    Raises:
        TypeError: for a float, bool or any other type.
        antfin.errors.InvalidAmountError: for NaN, infinity or unparsable text.

    .. versionadded:: 0.1.0
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError(f"{field} must be str, int or Decimal, not bool")
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace("_", ""))
        except decimal.InvalidOperation:
            raise InvalidAmountError(f"{field} must be a decimal number, got {value!r}") from None
    elif isinstance(value, float):
        raise TypeError(f"{field} must be str, int or Decimal, not float (floats are inexact; write '{value!r}')")
    else:
        raise TypeError(f"{field} must be str, int or Decimal, not {type(value).__name__}")
    if not result.is_finite():
        raise InvalidAmountError(f"{field} must be a finite number, got {str(value)!r}")
    if result and (result.adjusted() > _MAX_ADJUSTED or int(result.as_tuple().exponent) < -_MAX_ADJUSTED):
        raise InvalidAmountError(
            f"{field} {value!r} is out of range; expected a magnitude between 1E-{_MAX_ADJUSTED} and 1E+{_MAX_ADJUSTED}"
        )
    return result


def _round_quotient(numerator: int, denominator: int, rounding: Rounding | str | None) -> int | None:
    """``numerator / denominator`` as an int, rounded with ``rounding``; ``None`` if inexact and no mode.

    Pure integer arithmetic, so the result is exact whatever the size of the operands
    (no Decimal context precision is involved). The modes mean what :mod:`decimal`'s do.
    """
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    negative = numerator < 0
    quotient, remainder = divmod(-numerator if negative else numerator, denominator)
    if remainder:
        if rounding is None:
            return None
        mode = Rounding.of(rounding)
        if mode is Rounding.UP:
            quotient += 1
        elif mode is Rounding.FLOOR:
            quotient += negative
        elif mode is Rounding.CEILING:
            quotient += not negative
        elif mode is not Rounding.DOWN:  # the three HALF_ modes
            twice = 2 * remainder
            if twice > denominator or (
                twice == denominator
                and (mode is Rounding.HALF_UP or (mode is Rounding.HALF_EVEN and quotient % 2 == 1))
            ):
                quotient += 1
    return -quotient if negative else quotient


def _shown(numerator: int, denominator: int, digits: int) -> str:
    """A readable (possibly approximate) decimal for an error message."""
    context = decimal.Context(prec=20, rounding=decimal.ROUND_HALF_EVEN)
    value = context.divide(Decimal(numerator), Decimal(denominator)).scaleb(-digits, context)
    text = format(value.normalize(context), "f")
    return text + "..." if context.flags[decimal.Inexact] else text


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def _check_code(code: object) -> None:
    if not (isinstance(code, str) and len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
        raise InvalidAmountError(f"currency code must be three upper-case letters such as 'CNY', got {code!r}")


def _check_digits(digits: object) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 8:
        raise InvalidAmountError(f"currency digits must be an int from 0 to 8, got {digits!r}")


@attrs.frozen(repr=False)
class Currency:
    """An ISO 4217 currency with its minor-unit digits from Babel's CLDR data.

    Calling a currency makes an amount in it.

    >>> from antfin import CNY, Currency
    >>> CNY.code, CNY.digits
    ('CNY', 2)
    >>> Currency.of("JPY").digits, Currency.of("KWD").digits
    (0, 3)
    >>> CNY("12.34")
    Money('12.34', 'CNY')

    .. versionadded:: 0.1.0
    """

    code: str = attrs.field(validator=lambda _, __, value: _check_code(value))
    digits: int = attrs.field(validator=lambda _, __, value: _check_digits(value))

    _registry: ClassVar[dict[str, Currency]] = {}

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """Return the currency for an ISO code (case-insensitive).

        >>> Currency.of("cny") is Currency.of("CNY")
        True
        >>> Currency.of("XYZ")
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidAmountError: unknown currency code 'XYZ'; expected an ISO 4217 code such as 'CNY'

        Raises:
            TypeError: when ``code`` is not a string.
            antfin.errors.InvalidAmountError: for a code Babel does not know.
        """
        if isinstance(code, Currency):
            return code
        if not isinstance(code, str):
            raise TypeError(f"currency must be a Currency or an ISO code string, not {type(code).__name__}")
        found = cls._registry.get(code)
        if found is not None:
            return found
        upper = code.strip().upper()
        if upper not in _known_currencies():
            raise InvalidAmountError(f"unknown currency code {code!r}; expected an ISO 4217 code such as 'CNY'")
        found = cls._registry.get(upper)
        if found is None:
            found = cls(upper, get_currency_precision(upper))
            cls._registry[upper] = found
        cls._registry[code] = found
        return found

    @property
    def quantum(self) -> Decimal:
        """The smallest amount, as a Decimal exponent: ``Decimal('0.01')`` for CNY.

        >>> CNY.quantum
        Decimal('0.01')
        """
        return Decimal(1).scaleb(-self.digits)

    def __call__(self, amount: AmountLike, *, rounding: Rounding | str | None = None) -> Money:
        return Money(amount, self, rounding=rounding)

    def zero(self) -> Money:
        """Return zero in this currency.

        >>> CNY.zero()
        Money('0.00', 'CNY')
        """
        return Money._from_minor(0, self)

    def __repr__(self) -> str:
        return f"Currency({self.code!r})"

    def __str__(self) -> str:
        return self.code


#: Renminbi, the library's home currency.
CNY: Final = Currency.of("CNY")

_new = object.__new__


class Money:
    """An exact amount of one currency.

    >>> from antfin import CNY, Money
    >>> Money("12.34", "CNY") == CNY("12.34")
    True
    >>> Money.from_minor_units(1234, CNY).minor_units
    1234
    >>> sum([CNY("1.10"), CNY("2.20")])
    Money('3.30', 'CNY')
    >>> CNY("0.1") * 3
    Money('0.30', 'CNY')
    >>> CNY("10.00").multiply(Decimal("0.006"), rounding="HALF_UP")
    Money('0.06', 'CNY')

    Args:
        amount: a ``str``, ``int`` or :class:`~decimal.Decimal`; never a float.
        currency: a :class:`Currency` or an ISO code.
        rounding: required when ``amount`` has more decimals than the currency.

    Raises:
        TypeError: for a float or any other unsupported type.
        antfin.errors.InvalidAmountError: NaN, infinity, or excess precision
            without a rounding mode.

    Money is immutable and hashable: its public attributes are read-only
    properties and no attribute can be added. It is a hand-written ``__slots__``
    class rather than an attrs class because it is the hottest value in the
    library; like :class:`fractions.Fraction` it leaves its two private slots
    unguarded, since a Python-level ``__setattr__`` guard would double the cost
    of every operation.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_currency", "_minor")

    _minor: int
    _currency: Currency

    def __init__(
        self,
        amount: AmountLike,
        currency: Currency | str = CNY,
        *,
        rounding: Rounding | str | None = None,
    ) -> None:
        cur = Currency.of(currency)
        value = to_decimal(amount)
        numerator, denominator = value.as_integer_ratio()
        minor = _round_quotient(numerator * 10**cur.digits, denominator, rounding)
        if minor is None:
            raise InvalidAmountError(
                f"amount {value} has more than {cur.digits} decimal places for {cur.code}; pass rounding=..."
            )
        self._minor = minor
        self._currency = cur

    @classmethod
    def _from_minor(cls, minor: int, currency: Currency) -> Money:
        money = _new(cls)
        money._minor = minor
        money._currency = currency
        return money

    @classmethod
    def from_minor_units(cls, minor_units: int, currency: Currency | str = CNY) -> Money:
        """Make an amount from an integer count of minor units (fen).

        >>> Money.from_minor_units(-5, "CNY")
        Money('-0.05', 'CNY')

        Raises:
            TypeError: when ``minor_units`` is not an ``int``.
        """
        if isinstance(minor_units, bool) or not isinstance(minor_units, int):
            raise TypeError(f"minor_units must be an int, not {type(minor_units).__name__}")
        return cls._from_minor(minor_units, Currency.of(currency))

    @classmethod
    def zero(cls, currency: Currency | str = CNY) -> Money:
        """Zero in ``currency``.

        >>> Money.zero()
        Money('0.00', 'CNY')
        """
        return cls._from_minor(0, Currency.of(currency))

    # -- attributes ---------------------------------------------------------------

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units.

        >>> CNY("1.23").minor_units
        123
        """
        return self._minor

    @property
    def currency(self) -> Currency:
        """The currency.

        >>> CNY("1").currency
        Currency('CNY')
        """
        return self._currency

    @property
    def amount(self) -> Decimal:
        """The amount as a Decimal with exactly the currency's digits.

        >>> CNY("5").amount
        Decimal('5.00')
        """
        return Decimal(self._minor).scaleb(-self._currency.digits)

    def is_zero(self) -> bool:
        """``True`` for zero.

        >>> CNY("0").is_zero()
        True
        """
        return self._minor == 0

    def is_positive(self) -> bool:
        """``True`` above zero.

        >>> CNY("0.01").is_positive()
        True
        """
        return self._minor > 0

    def is_negative(self) -> bool:
        """``True`` below zero.

        >>> (-CNY("0.01")).is_negative()
        True
        """
        return self._minor < 0

    # -- immutability and identity -----------------------------------------------

    # Immutability is by convention for the two private slots, as in fractions.Fraction:
    # the public attributes are read-only properties and no other attribute can be added.
    # A Python-level __setattr__/__delattr__ guard would double the cost of every Money
    # operation (see docs/performance.md).

    def __reduce__(self) -> tuple[Any, ...]:
        return (Money.from_minor_units, (self._minor, self._currency.code))

    def __copy__(self) -> Money:
        return self

    def __deepcopy__(self, memo: object) -> Money:
        return self

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self._currency.code}')"

    def __str__(self) -> str:
        return f"{self.amount} {self._currency.code}"

    def __hash__(self) -> int:
        return hash((self._minor, self._currency.code))

    def __bool__(self) -> bool:
        return self._minor != 0

    # -- arithmetic ---------------------------------------------------------------

    def _check(self, other: Money) -> Currency:
        cur = self._currency
        if other._currency is not cur and other._currency != cur:
            raise CurrencyMismatchError(f"cannot combine {cur.code} and {other._currency.code} amounts")
        return cur

    def __add__(self, other: object) -> Money:
        if other.__class__ is Money:
            cur = self._currency
            if other._currency is not cur:  # type: ignore[attr-defined, unused-ignore]
                cur = self._check(other)  # type: ignore[arg-type, unused-ignore]
            money = _new(Money)
            money._minor = self._minor + other._minor  # type: ignore[attr-defined, unused-ignore]
            money._currency = cur
            return money
        if other.__class__ is int and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        if other.__class__ is Money:
            cur = self._currency
            if other._currency is not cur:  # type: ignore[attr-defined, unused-ignore]
                cur = self._check(other)  # type: ignore[arg-type, unused-ignore]
            money = _new(Money)
            money._minor = self._minor - other._minor  # type: ignore[attr-defined, unused-ignore]
            money._currency = cur
            return money
        if other.__class__ is int and other == 0:
            return self
        return NotImplemented

    def __rsub__(self, other: object) -> Money:
        if other.__class__ is int and other == 0:
            return -self
        return NotImplemented

    def __neg__(self) -> Money:
        return Money._from_minor(-self._minor, self._currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return self if self._minor >= 0 else -self

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        if isinstance(factor, bool) or not isinstance(factor, (int, Decimal)):
            if isinstance(factor, float):
                raise TypeError("cannot multiply Money by a float (inexact); use a Decimal or str")
            return NotImplemented
        if isinstance(factor, int):
            return Money._from_minor(self._minor * factor, self._currency)
        return self.multiply(factor)

    __rmul__ = __mul__

    def multiply(self, factor: AmountLike, rounding: Rounding | str | None = None) -> Money:
        """Multiply by a number; a result with sub-minor-unit digits needs ``rounding``.

        >>> CNY("100.00").multiply("0.002")
        Money('0.20', 'CNY')
        >>> CNY("1.25").multiply("0.5", rounding="HALF_EVEN")
        Money('0.62', 'CNY')
        >>> CNY("1.25").multiply("0.5")
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidAmountError: 1.25 CNY x 0.5 = 0.625 has more than 2 decimal places; pass rounding=...

        Raises:
            TypeError: for a float or Money factor.
            antfin.errors.InvalidAmountError: for a result that needs rounding
                when none is given.
        """
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        value = to_decimal(factor, "factor")
        numerator, denominator = value.as_integer_ratio()
        return self._rounded(self._minor * numerator, denominator, rounding, f"{self} x {value}")

    def divide(self, divisor: AmountLike, rounding: Rounding | str | None = None) -> Money:
        """Divide by a number; a result with sub-minor-unit digits needs ``rounding``.

        >>> CNY("10.00").divide(4)
        Money('2.50', 'CNY')
        >>> CNY("10.00").divide(3, rounding="DOWN")
        Money('3.33', 'CNY')

        Raises:
            TypeError: for a float or Money divisor.
            antfin.errors.InvalidAmountError: dividing by zero, or a result that
                needs rounding when none is given.
        """
        if isinstance(divisor, Money):
            raise TypeError("cannot divide Money by Money; compare minor_units for a ratio")
        value = to_decimal(divisor, "divisor")
        if value == 0:
            raise InvalidAmountError("cannot divide an amount by zero")
        numerator, denominator = value.as_integer_ratio()
        return self._rounded(self._minor * denominator, numerator, rounding, f"{self} / {value}")

    def _rounded(self, numerator: int, denominator: int, rounding: Rounding | str | None, what: str) -> Money:
        digits = self._currency.digits
        minor = _round_quotient(numerator, denominator, rounding)
        if minor is None:
            raise InvalidAmountError(
                f"{what} = {_shown(numerator, denominator, digits)} has more than {digits} decimal places; "
                "pass rounding=..."
            )
        return Money._from_minor(minor, self._currency)

    def __truediv__(self, divisor: object) -> Money:
        if isinstance(divisor, Money):
            raise TypeError("cannot divide Money by Money; compare minor_units for a ratio")
        if isinstance(divisor, float):
            raise TypeError("cannot divide Money by a float (inexact); use a Decimal or str")
        if isinstance(divisor, bool) or not isinstance(divisor, (int, Decimal)):
            return NotImplemented
        return self.divide(divisor)

    # -- comparisons --------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Money:
            return NotImplemented
        return self._minor == other._minor and self._currency == other._currency  # type: ignore[attr-defined, unused-ignore]

    def _cmp_minor(self, other: object) -> int:
        if other.__class__ is not Money:
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._check(other)  # type: ignore[arg-type, unused-ignore]
        return other._minor  # type: ignore[attr-defined, no-any-return, unused-ignore]

    def __lt__(self, other: object) -> bool:
        if other.__class__ is Money and other._currency is self._currency:  # type: ignore[attr-defined, unused-ignore]
            return self._minor < other._minor  # type: ignore[attr-defined, no-any-return, unused-ignore]
        return self._minor < self._cmp_minor(other)

    def __le__(self, other: object) -> bool:
        if other.__class__ is Money and other._currency is self._currency:  # type: ignore[attr-defined, unused-ignore]
            return self._minor <= other._minor  # type: ignore[attr-defined, no-any-return, unused-ignore]
        return self._minor <= self._cmp_minor(other)

    def __gt__(self, other: object) -> bool:
        if other.__class__ is Money and other._currency is self._currency:  # type: ignore[attr-defined, unused-ignore]
            return self._minor > other._minor  # type: ignore[attr-defined, no-any-return, unused-ignore]
        return self._minor > self._cmp_minor(other)

    def __ge__(self, other: object) -> bool:
        if other.__class__ is Money and other._currency is self._currency:  # type: ignore[attr-defined, unused-ignore]
            return self._minor >= other._minor  # type: ignore[attr-defined, no-any-return, unused-ignore]
        return self._minor >= self._cmp_minor(other)

    # -- allocation ---------------------------------------------------------------

    def allocate(self, ratios: Sequence[int | Decimal | str]) -> tuple[Money, ...]:
        """Split into parts proportional to ``ratios`` that sum exactly to this amount.

        Each part is within one minor unit of its exact share; the leftover units
        go by largest remainder, ties to the earlier ratio. Zero ratios get zero.

        >>> CNY("100.00").allocate([1, 1, 1])
        (Money('33.34', 'CNY'), Money('33.33', 'CNY'), Money('33.33', 'CNY'))
        >>> CNY("-0.05").allocate([1, 0, 1])
        (Money('-0.03', 'CNY'), Money('0.00', 'CNY'), Money('-0.02', 'CNY'))
        >>> CNY("1.00").allocate([Decimal("0.9"), Decimal("0.07"), Decimal("0.02"), Decimal("0.01")])
        (Money('0.90', 'CNY'), Money('0.07', 'CNY'), Money('0.02', 'CNY'), Money('0.01', 'CNY'))

        Raises:
            antfin.errors.InvalidAmountError: for empty, negative or all-zero ratios.
            TypeError: for float ratios.
        """
        weights = integer_ratios(ratios)
        cur = self._currency
        return tuple(Money._from_minor(part, cur) for part in allocate_minor_units(self._minor, weights))

    def split(self, parts: int) -> tuple[Money, ...]:
        """Split into ``parts`` near-equal amounts that sum exactly, larger first.

        >>> CNY("10.00").split(3)
        (Money('3.34', 'CNY'), Money('3.33', 'CNY'), Money('3.33', 'CNY'))

        Raises:
            antfin.errors.InvalidAmountError: when ``parts`` is not a positive int.
        """
        if isinstance(parts, bool) or not isinstance(parts, int):
            raise TypeError(f"parts must be an int, not {type(parts).__name__}")
        if parts < 1:
            raise InvalidAmountError(f"parts must be at least 1, got {parts}")
        quotient, remainder = divmod(abs(self._minor), parts)
        sign = -1 if self._minor < 0 else 1
        cur = self._currency
        return tuple(
            Money._from_minor(sign * (quotient + (1 if index < remainder else 0)), cur) for index in range(parts)
        )
