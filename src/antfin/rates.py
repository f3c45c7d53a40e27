"""Rates, day counts and the internal rate of return, all in exact decimals.

>>> from datetime import date
>>> from antfin.rates import DayCount, Rate
>>> Rate.percent("0.05").value
Decimal('0.0005')
>>> DayCount.ACT_365.year_fraction(date(2024, 1, 1), date(2024, 3, 14))
Decimal('0.2')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.errors import InvalidAmountError
from antfin.money import _CONTEXT, AmountLike, Money, Rounding, to_decimal

__all__ = [
    "DayCount",
    "Rate",
    "annualized_rate",
    "irr",
]

_HUNDRED: Final = Decimal(100)


def _rate_value(value: object) -> Decimal:
    result = to_decimal(value, "rate")
    if result < 0:
        raise InvalidAmountError(f"rate must not be negative, got {result}")
    return result


def _shift(value: Decimal, places: int) -> Decimal:
    """``value * 10**places`` exactly (moves the exponent; no context rounding)."""
    sign, digits, exponent = value.as_tuple()
    return Decimal((sign, digits, int(exponent) + places))


@attrs.frozen(order=True)
class Rate:
    """A non-negative rate as an exact fraction (``Decimal('0.006')`` is 0.6%).

    >>> Rate("0.002") == Rate.per_mille("2") == Rate.percent("0.2")
    True
    >>> Rate.percent("0.6").of(CNY("1234.56"), rounding="HALF_UP")
    Money('7.41', 'CNY')
    >>> str(Rate.percent("8.8"))
    '8.8%'

    Raises:
        TypeError: for a float.
        antfin.errors.InvalidAmountError: for a negative, NaN or infinite rate.

    .. versionadded:: 0.1.0
    """

    value: Decimal = attrs.field(converter=_rate_value)

    @classmethod
    def percent(cls, value: AmountLike) -> Rate:
        """A rate written in percent: ``Rate.percent("0.6")`` is 0.6%.

        >>> Rate.percent("0.6").value
        Decimal('0.006')
        """
        return cls(_shift(to_decimal(value, "rate"), -2))

    @classmethod
    def per_mille(cls, value: AmountLike) -> Rate:
        """A rate written per mille (千分之): ``Rate.per_mille("2")`` is 0.2%.

        >>> Rate.per_mille("2").value
        Decimal('0.002')
        """
        return cls(_shift(to_decimal(value, "rate"), -3))

    @property
    def as_percent(self) -> Decimal:
        """The rate in percent.

        >>> Rate("0.0005").as_percent
        Decimal('0.05')
        """
        return self.value.scaleb(2).normalize(_CONTEXT)

    def of(self, amount: Money, rounding: Rounding | str) -> Money:
        """This rate of ``amount``, rounded to the minor unit with the named mode.

        >>> Rate.per_mille("2").of(CNY("1002.50"), rounding="HALF_UP")
        Money('2.01', 'CNY')

        Raises:
            TypeError: ``amount`` is not Money.
            antfin.errors.InvalidAmountError: for an unknown rounding mode.
        """
        if not isinstance(amount, Money):
            raise TypeError(f"amount must be Money, not {type(amount).__name__}")
        return amount.multiply(self.value, rounding=rounding)

    def __str__(self) -> str:
        text = format(self.as_percent, "f")
        return f"{text}%"


class DayCount(enum.Enum):
    """A day-count convention: how a period becomes a fraction of a year.

    >>> from datetime import date
    >>> DayCount.ACT_360.year_fraction(date(2024, 1, 1), date(2024, 1, 19))
    Decimal('0.05')
    >>> DayCount.THIRTY_360.days(date(2024, 1, 31), date(2024, 2, 29))
    29
    >>> DayCount.ACT_365.days(date(2024, 1, 31), date(2024, 2, 29))
    29

    .. versionadded:: 0.1.0
    """

    ACT_365 = "actual/365"
    ACT_360 = "actual/360"
    THIRTY_360 = "30/360"

    @property
    def year_days(self) -> int:
        """Days in the conventional year: 365 or 360.

        >>> DayCount.ACT_365.year_days
        365
        """
        return 365 if self is DayCount.ACT_365 else 360

    def days(self, start: date, end: date) -> int:
        """Days from ``start`` to ``end`` under this convention (30/360 is the US/ISDA rule).

        >>> DayCount.THIRTY_360.days(date(2024, 1, 15), date(2024, 4, 15))
        90

        Raises:
            TypeError: ``start`` or ``end`` is not a plain date (a datetime is refused too).
        """
        start = ensure_date(start, "start")
        end = ensure_date(end, "end")
        if self is not DayCount.THIRTY_360:
            return (end - start).days
        d1 = min(start.day, 30)
        d2 = min(end.day, 30) if d1 == 30 else end.day
        return (end.year - start.year) * 360 + (end.month - start.month) * 30 + (d2 - d1)

    def year_fraction(self, start: date, end: date) -> Decimal:
        """The period as an exact fraction of the conventional year.

        >>> DayCount.ACT_365.year_fraction(date(2024, 1, 1), date(2025, 1, 1)).quantize(Decimal("0.000001"))
        Decimal('1.002740')
        """
        return _CONTEXT.divide(Decimal(self.days(start, end)), Decimal(self.year_days))

    def daily_rate(self, annual: Rate) -> Decimal:
        """An annual rate per day under this convention (exact to 60 digits).

        >>> DayCount.ACT_360.daily_rate(Rate("0.162"))
        Decimal('0.00045')
        """
        return _CONTEXT.divide(annual.value, Decimal(self.year_days))


def _npv(rate: Decimal, flows: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Net present value and its derivative at ``rate`` per period."""
    one_plus = 1 + rate
    value = Decimal(0)
    slope = Decimal(0)
    discount = Decimal(1)
    for period, flow in enumerate(flows):
        value += flow * discount
        if period:
            slope -= period * flow * discount / one_plus
        discount /= one_plus
    return value, slope


def irr(flows: Sequence[Money | AmountLike], *, places: int = 12) -> Decimal:
    """Internal rate of return per period of evenly spaced cash flows.

    ``flows[0]`` is at period 0 (usually the amount lent, negative from the
    lender's side or positive from the borrower's); the rate ``r`` makes
    Σ flowsᵢ / (1 + r)ⁱ zero. Solved by bisection then Newton in 60-digit
    decimals and rounded half-even to ``places`` decimals.

    >>> irr([CNY("-100"), CNY("110")])
    Decimal('0.100000000000')
    >>> irr(["-5000"] + ["453.33"] * 12, places=6)
    Decimal('0.013219')

    Raises:
        antfin.errors.InvalidAmountError: when the flows do not change sign,
            or no rate above -100% solves them.

    .. versionadded:: 0.1.0
    """
    values = [flow.amount if isinstance(flow, Money) else to_decimal(flow, "cash flow") for flow in flows]
    with decimal.localcontext(_CONTEXT):
        return _solve_irr(values, places)


def _solve_irr(values: Sequence[Decimal], places: int) -> Decimal:
    if not any(value > 0 for value in values) or not any(value < 0 for value in values):
        raise InvalidAmountError("cash flows must contain both inflows and outflows to have an IRR")
    low, high = Decimal("-0.99"), Decimal(1)
    # Widen the upper bracket until the sign changes (rates up to 1e6 per period).
    f_low = _npv_only(low, values)
    f_high = _npv_only(high, values)
    while f_low * f_high > 0 and high < Decimal(10) ** 6:
        high *= 10
        f_high = _npv_only(high, values)
    if f_low * f_high > 0:
        raise InvalidAmountError("no internal rate of return above -100% for these cash flows")
    for _ in range(60):  # bisection to a good starting point
        mid = (low + high) / 2
        f_mid = _npv_only(mid, values)
        if f_mid == 0:
            low = high = mid
            break
        if (f_mid > 0) == (f_low > 0):
            low, f_low = mid, f_mid
        else:
            high = mid
    rate = (low + high) / 2
    quantum = Decimal(1).scaleb(-(places + 8))
    for _ in range(50):  # Newton polish
        value, slope = _npv(rate, values)
        if slope == 0:
            break
        step = value / slope
        rate -= step
        if abs(step) < quantum:
            break
    return rate.quantize(Decimal(1).scaleb(-places), rounding=Rounding.HALF_EVEN.value)


def _npv_only(rate: Decimal, flows: Sequence[Decimal]) -> Decimal:
    return _npv(rate, flows)[0]


def annualized_rate(flows: Sequence[Money | AmountLike], periods_per_year: int, *, places: int = 6) -> Decimal:
    """The annualized rate of evenly spaced flows: periodic IRR × periods per year.

    This is the nominal annualization the PBOC's 2021 disclosure rule asks
    lenders to show (月 IRR × 12 for monthly instalments).

    >>> # Huabei: 5,000 over 12 months at an 8.8% total fee, principal and fee
    >>> # paid in equal parts: about 16% a year, not 8.8%.
    >>> annualized_rate(["5000"] + ["-453.33"] * 11 + ["-453.37"], 12, places=4)
    Decimal('0.1586')

    .. versionadded:: 0.1.0
    """
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, int) or periods_per_year < 1:
        raise InvalidAmountError(f"periods_per_year must be a positive int, got {periods_per_year!r}")
    periodic = irr(flows, places=places + 6)
    return (periodic * periods_per_year).quantize(Decimal(1).scaleb(-places), rounding=Rounding.HALF_EVEN.value)
