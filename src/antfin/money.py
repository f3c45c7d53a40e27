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

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar, Final, TypeAlias

import attrs
from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
    parse_decimal,
)

from antfin.errors import CurrencyMismatchError, InvalidAmountError

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


class Rounding(str, enum.Enum):
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

    HALF_UP = decimal.ROUND_HALF_UP
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    DOWN = decimal.ROUND_DOWN
    UP = decimal.ROUND_UP
    FLOOR = decimal.ROUND_FLOOR
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
        raise TypeError(
            f"{field} must be str, int or Decimal, not float (floats are inexact; write '{value!r}')"
        )
    else:
        raise TypeError(f"{field} must be str, int or Decimal, not {type(value).__name__}")
    if not result.is_finite():
        raise InvalidAmountError(f"{field} must be a finite number, got {str(value)!r}")
    return result


@lru_cache(maxsize=None)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


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

    code: str
    digits: int

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
            raise InvalidAmountError(
                f"unknown currency code {code!r}; expected an ISO 4217 code such as 'CNY'"
            )
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

    Money is immutable and hashable; it is a hand-written ``__slots__`` class
    rather than an attrs class because it is the hottest value in the library.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_minor", "_currency")

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
        scaled = value.scaleb(cur.digits, _CONTEXT)
        integral = scaled.to_integral_value(rounding=decimal.ROUND_DOWN, context=_CONTEXT)
        if integral != scaled:
            if rounding is None:
                raise InvalidAmountError(
                    f"{value} has more than {cur.digits} decimal places for {cur.code}; "
                    f"pass rounding=... to round it"
                )
            integral = scaled.to_integral_value(rounding=Rounding.of(rounding).value, context=_CONTEXT)
        _set_minor(self, int(integral))
        _set_currency(self, cur)

    @classmethod
    def _from_minor(cls, minor: int, currency: Currency) -> Money:
        money = _new(cls)
        _set_minor(money, minor)
        _set_currency(money, currency)
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

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Money is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Money is immutable; cannot delete {name!r}")

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
            if other._currency is not cur:  # type: ignore[attr-defined]
                cur = self._check(other)  # type: ignore[arg-type]
            money = _new(Money)
            _set_minor(money, self._minor + other._minor)  # type: ignore[attr-defined]
            _set_currency(money, cur)
            return money
        if other.__class__ is int and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        if other.__class__ is Money:
            cur = self._currency
            if other._currency is not cur:  # type: ignore[attr-defined]
                cur = self._check(other)  # type: ignore[arg-type]
            money = _new(Money)
            _set_minor(money, self._minor - other._minor)  # type: ignore[attr-defined]
            _set_currency(money, cur)
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
        antfin.errors.InvalidAmountError: 1.25 CNY x 0.5 = 0.625 has more than 2 decimal places; pass rounding=... to round it

        Raises:
            TypeError: for a float or Money factor.
            antfin.errors.InvalidAmountError: for a result that needs rounding
                when none is given.
        """
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        value = to_decimal(factor, "factor")
        exact = _CONTEXT.multiply(Decimal(self._minor), value)
        return self._rounded(exact, rounding, f"{self} x {value}")

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
        exact = _CONTEXT.divide(Decimal(self._minor), value)
        return self._rounded(exact, rounding, f"{self} / {value}")

    def _rounded(self, exact_minor: Decimal, rounding: Rounding | str | None, what: str) -> Money:
        integral = exact_minor.to_integral_value(rounding=decimal.ROUND_DOWN, context=_CONTEXT)
        if integral != exact_minor:
            if rounding is None:
                shown = exact_minor.scaleb(-self._currency.digits, _CONTEXT).normalize(_CONTEXT)
                raise InvalidAmountError(
                    f"{what} = {shown} has more than {self._currency.digits} decimal places; "
                    f"pass rounding=... to round it"
                )
            integral = exact_minor.to_integral_value(rounding=Rounding.of(rounding).value, context=_CONTEXT)
        return Money._from_minor(int(integral), self._currency)

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
        return self._minor == other._minor and self._currency == other._currency  # type: ignore[attr-defined]

    def _cmp_minor(self, other: object) -> int:
        if other.__class__ is not Money:
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._check(other)  # type: ignore[arg-type]
        return other._minor  # type: ignore[attr-defined, no-any-return]

    def __lt__(self, other: object) -> bool:
        return self._minor < self._cmp_minor(other)

    def __le__(self, other: object) -> bool:
        return self._minor <= self._cmp_minor(other)

    def __gt__(self, other: object) -> bool:
        return self._minor > self._cmp_minor(other)

    def __ge__(self, other: object) -> bool:
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


_set_minor = Money._minor.__set__  # type: ignore[attr-defined]
_set_currency = Money._currency.__set__  # type: ignore[attr-defined]


def integer_ratios(ratios: Iterable[int | Decimal | str]) -> list[int]:
    """Scale ratios (ints, Decimals or decimal strings) to integers with the same proportions.

    >>> integer_ratios([Decimal("0.9"), Decimal("0.07"), 1])
    [90, 7, 100]

    Raises:
        antfin.errors.InvalidAmountError: for empty, negative or all-zero ratios.
        TypeError: for float ratios.

    .. versionadded:: 0.1.0
    """
    values = list(ratios)
    if values and all(value.__class__ is int for value in values):
        weights: list[int] = values  # type: ignore[assignment]
    else:
        decimals = [to_decimal(value, "ratio") for value in values]
        exponent = min((value.as_tuple().exponent for value in decimals), default=0)
        shift = -int(exponent) if isinstance(exponent, int) and exponent < 0 else 0
        weights = [int(value.scaleb(shift, _CONTEXT)) for value in decimals]
    _check_weights(weights)
    return weights


def _check_weights(weights: Sequence[int]) -> int:
    if not weights:
        raise InvalidAmountError("ratios must not be empty")
    if min(weights) < 0:
        raise InvalidAmountError(f"ratios must not be negative, got {min(weights)}")
    total = sum(weights)
    if total == 0:
        raise InvalidAmountError("ratios must not all be zero")
    return total


def allocate_minor_units(total: int, ratios: Sequence[int]) -> list[int]:
    """Allocate an integer ``total`` over integer ``ratios`` by largest remainder.

    The integer-in, integer-out engine behind :meth:`Money.allocate`, for batch
    use: parts sum exactly to ``total``; each is the floor of its exact share or
    one more; the extra units go to the largest remainders, ties to the earlier
    index; a negative total is allocated as the mirror of its absolute value.

    >>> allocate_minor_units(10000, [1, 1, 1])
    [3334, 3333, 3333]
    >>> allocate_minor_units(-7, [2, 1])
    [-5, -2]

    Raises:
        antfin.errors.InvalidAmountError: for empty, negative or all-zero ratios.

    .. versionadded:: 0.1.0
    """
    weight_sum = _check_weights(ratios)
    if isinstance(total, bool) or not isinstance(total, int):
        raise TypeError(f"total must be an int, not {type(total).__name__}")
    if total < 0:
        return [-part for part in allocate_minor_units(-total, ratios)]
    products = list(map(total.__mul__, ratios))
    parts = list(map(weight_sum.__rfloordiv__, products))
    leftover = total - sum(parts)
    if leftover == 0:
        return parts
    remainders = list(map(weight_sum.__rmod__, products))
    # The leftover goes to the `leftover` largest remainders, ties to the earlier index.
    threshold = sorted(remainders, reverse=True)[leftover - 1]
    above = [index for index, rem in enumerate(remainders) if rem > threshold]
    for index in above:
        parts[index] += 1
    needed = leftover - len(above)
    start = 0
    for _ in range(needed):
        index = remainders.index(threshold, start)
        parts[index] += 1
        start = index + 1
    return parts


def format_money(money: Money, locale: str = "zh_CN") -> str:
    """Format an amount for display with Babel's CLDR data.

    >>> from antfin import CNY, format_money
    >>> format_money(CNY("1234.5"))
    '¥1,234.50'
    >>> format_money(CNY("1234.5"), locale="en_US")
    'CN¥1,234.50'
    >>> format_money(-CNY("3"), locale="en_US")
    '-CN¥3.00'

    Args:
        money: the amount.
        locale: a Babel locale identifier such as ``"zh_CN"`` or ``"en_US"``.

    Raises:
        TypeError: when ``money`` is not :class:`Money`.
        antfin.errors.InvalidAmountError: for an unknown locale.

    .. versionadded:: 0.1.0
    """
    if not isinstance(money, Money):
        raise TypeError(f"format_money takes Money, not {type(money).__name__}")
    return format_currency(money.amount, money.currency.code, locale=_locale(locale), currency_digits=True)


def parse_money(text: str, currency: Currency | str = CNY, locale: str = "zh_CN") -> Money:
    """Parse a formatted amount back into :class:`Money` (inverse of :func:`format_money`).

    >>> parse_money("¥1,234.50")
    Money('1234.50', 'CNY')
    >>> parse_money("CN¥1,234.50", locale="en_US")
    Money('1234.50', 'CNY')
    >>> parse_money(format_money(-CNY("0.05"), "en_US"), locale="en_US")
    Money('-0.05', 'CNY')

    Raises:
        antfin.errors.InvalidAmountError: when the text is not an amount in this
            locale, or has more decimals than the currency.

    .. versionadded:: 0.1.0
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    cur = Currency.of(currency)
    loc = _locale(locale)
    symbol = get_currency_symbol(cur.code, locale=loc)
    cleaned = text.strip()
    for token in sorted({symbol, cur.code}, key=len, reverse=True):
        cleaned = cleaned.replace(token, "")
    cleaned = cleaned.replace("\u00a0", "").strip()
    try:
        value = parse_decimal(cleaned, locale=loc, strict=True)
    except NumberFormatError:
        raise InvalidAmountError(f"{text!r} is not a {cur.code} amount in locale {loc}") from None
    return Money(value, cur)


def _locale(locale: str) -> str:
    if not isinstance(locale, str):
        raise TypeError(f"locale must be a str such as 'zh_CN', not {type(locale).__name__}")
    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        raise InvalidAmountError(f"unknown locale {locale!r}; expected one such as 'zh_CN' or 'en_US'") from None
    return locale
