"""Yu'ebao income rules: daily distribution to the fen, income per 10,000 units, 7-day yield.

>>> from antfin.wealth import distribute_income, income_per_10k, seven_day_annualized_yield
>>> distribute_income(100, [1, 1, 1])            # fen over units: truncate, then largest remainder
[34, 33, 33]
>>> income_per_10k(CNY("0.64"), Decimal("10000.00"))
Decimal('0.6400')
>>> seven_day_annualized_yield(["0.6400"] * 7)
Decimal('2.363')

Sources: the 7-day annualized yield formulas are the CSRC's for money-market
funds (《货币市场基金信息披露特别规定》, 2005, and its later editions): compound
for funds that carry income forward daily, simple for those that do it
monthly, both published as a percentage to 3 decimals. The distribution rule
(each holder's income truncated to the fen, the fen left over handed out by
largest remainder so the total is exact) is antfin's choice: Yu'ebao publishes
that income is paid daily by holding, not how the fen are rounded.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Sequence
from decimal import Decimal
from typing import Final, overload

from antfin.errors import InvalidAmountError
from antfin.money import AmountLike, Money, Rounding, allocate_minor_units, integer_ratios, to_decimal
from antfin.validators import check_money

__all__ = [
    "YieldMethod",
    "distribute_income",
    "income_per_10k",
    "seven_day_annualized_yield",
]

_TEN_THOUSAND: Final = Decimal(10000)
_PER_10K_QUANTUM: Final = Decimal("0.0001")
_YIELD_QUANTUM: Final = Decimal("0.001")
# ln/exp for the compound yield: 50 significant digits leave an error far below the
# 3rd decimal of a percent, so the published figure is the correctly rounded exact value
# unless that exact value lies within 1e-40 of a rounding boundary.
_POWER_CONTEXT: Final = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)
_EXACT_CONTEXT: Final = decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)


@overload
def distribute_income(income: int, units: Sequence[int]) -> list[int]: ...


@overload
def distribute_income(income: Money, units: Sequence[int | Decimal | str]) -> tuple[Money, ...]: ...


def distribute_income(
    income: int | Money, units: Sequence[int] | Sequence[int | Decimal | str]
) -> list[int] | tuple[Money, ...]:
    """Split a day's distributable income over the holders' units, exact to the fen.

    Each holder first gets their exact share ``income × units / total units``
    truncated to the fen (toward zero); the fen left over go one each to the
    holders with the largest truncated remainders (ties to the earlier holder).
    The shares then sum to ``income`` exactly and none is more than one fen
    from its exact value. A negative day (a loss) is split as the mirror image.

    Two forms: plain integers for batch use (``income`` in fen, ``units`` as
    ints in any fixed scale, result a list of fen) and :class:`~antfin.money.Money`
    for convenience (``units`` as ints, Decimals or decimal strings, result a
    tuple of Money). The integer form is
    :func:`antfin.money.allocate_minor_units`, whose semantics are exactly
    "truncate, then largest remainder".

    >>> distribute_income(100, [1, 1, 1])
    [34, 33, 33]
    >>> distribute_income(-5, [3, 1, 0])
    [-4, -1, 0]
    >>> distribute_income(CNY("0.10"), [Decimal("300.00"), "100.00", 0])
    (Money('0.08', 'CNY'), Money('0.02', 'CNY'), Money('0.00', 'CNY'))
    >>> distribute_income(0, [0, 0])
    [0, 0]

    Args:
        income: the day's distributable income: an int count of fen, or Money.
        units: each holder's units, non-negative; at least one positive unless
            ``income`` is zero.

    Returns:
        A list of ints (fen) for int income, a tuple of Money for Money income,
        one per holder, summing to ``income``.

    Raises:
        TypeError: for a float, a bool or another unsupported type.
        antfin.errors.InvalidAmountError: for negative units, or nonzero
            income and no units at all.

    .. versionadded:: 0.1.0
    """
    if isinstance(income, Money):
        weights = _weights(units)
        currency = income.currency
        return tuple(Money.from_minor_units(part, currency) for part in _distribute(income.minor_units, weights))
    _check_income_type(income)
    if not isinstance(units, list):
        units = list(units)
    return _distribute(income, units)  # type: ignore[arg-type]


def _weights(units: Sequence[int | Decimal | str]) -> list[int]:
    values = list(units)
    if not values:
        return []
    if all(value.__class__ is int for value in values):
        return values  # type: ignore[return-value]
    if any(to_decimal(value, "units") < 0 for value in values):
        raise InvalidAmountError(f"units must not be negative, got {min(to_decimal(v, 'units') for v in values)}")
    if all(to_decimal(value, "units") == 0 for value in values):
        return [0] * len(values)
    return integer_ratios(values)


def _check_income_type(income: object) -> None:
    """Refuse anything but a plain int count of fen (the batch paths share this check)."""
    if income.__class__ is not int:
        raise TypeError(f"income must be an int count of fen or Money, not {type(income).__name__}")


def _negative_units(smallest: object) -> InvalidAmountError:
    """The refusal for a negative holding (the batch paths raise the same error)."""
    return InvalidAmountError(f"units must not be negative, got {smallest}; expected values >= 0")


def _no_positive_units(income: int) -> InvalidAmountError:
    """The refusal for nonzero income over no positive holding (the batch paths raise the same error)."""
    return InvalidAmountError(
        f"units must hold at least one positive value to distribute nonzero income {income}; got none"
    )


def _distribute(income: int, units: list[int]) -> list[int]:
    if income == 0:
        if any(unit.__class__ is not int for unit in units):
            raise TypeError("units must be ints in the integer form")
        if units and min(units) < 0:
            raise _negative_units(min(units))
        return [0] * len(units)
    if not units or not any(units):
        raise _no_positive_units(income)
    return allocate_minor_units(income, units)


def income_per_10k(income: Money, units: AmountLike, *, rounding: Rounding | str = Rounding.HALF_UP) -> Decimal:
    """Income per 10,000 units (每万份收益): ``income ÷ units × 10,000``, to 4 decimals.

    >>> income_per_10k(CNY("1234567.89"), Decimal("19876543210.00"))
    Decimal('0.6211')
    >>> income_per_10k(CNY("-1.00"), "30000")
    Decimal('-0.3333')

    Args:
        income: the day's distributable income.
        units: the units that earned it (at 1.00 yuan per unit), positive.
        rounding: mode for the 4th decimal; half-up by default (cfg: the
            published figure is a rounded 4-decimal number; the fund contract
            names the mode).

    Raises:
        TypeError: for a float or non-Money income.
        antfin.errors.InvalidAmountError: for zero or negative units.

    .. versionadded:: 0.1.0
    """
    check_money(income, "income")
    total = to_decimal(units, "units")
    if total <= 0:
        raise InvalidAmountError(f"units must be positive to compute income per 10,000 units, got {total}")
    exact = _EXACT_CONTEXT.divide(income.amount * _TEN_THOUSAND, total)
    return exact.quantize(_PER_10K_QUANTUM, rounding=Rounding.of(rounding).value)


class YieldMethod(enum.Enum):
    """Which 7-day annualized yield formula: compound (daily carry-forward) or simple.

    >>> YieldMethod.COMPOUND.value
    'compound'

    .. versionadded:: 0.1.0
    """

    #: {∏(1 + Rᵢ/10000)^(365/7) − 1} × 100%: funds that carry income forward as units daily (Yu'ebao).
    COMPOUND = "compound"
    #: (ΣRᵢ / 7) × 365 / 10000 × 100%: funds that carry income forward monthly.
    SIMPLE = "simple"


def seven_day_annualized_yield(
    per_10k: Sequence[AmountLike],
    *,
    method: YieldMethod = YieldMethod.COMPOUND,
    rounding: Rounding | str = Rounding.HALF_UP,
    days_in_year: int = 365,
) -> Decimal:
    """The 7-day annualized yield (七日年化收益率) in percent, to 3 decimals.

    ``per_10k`` are the income per 10,000 units ``R₁ … R₇`` of the last 7
    calendar days (weekends and holidays included).

    Compound (daily carry-forward, the Yu'ebao case):
    ``{∏(1 + Rᵢ/10000)^(365/7) − 1} × 100``. Simple: ``(ΣRᵢ/7) × 365/10000 × 100``.

    The product ∏(1 + Rᵢ/10000) is exact; the fractional power is computed as
    ``exp(365/7 × ln x)`` with Decimal's correctly rounded ``ln``/``exp`` at 50
    significant digits (no floats), then rounded once to 3 decimals with
    ``rounding``.

    >>> seven_day_annualized_yield(["0.6400"] * 7)
    Decimal('2.363')
    >>> seven_day_annualized_yield(["0.6400"] * 7, method=YieldMethod.SIMPLE)
    Decimal('2.336')
    >>> seven_day_annualized_yield(["0.6012", "0.6105", "0.5988", "0.5988", "0.5988", "0.6020", "0.6031"])
    Decimal('2.221')

    Args:
        per_10k: exactly 7 values of income per 10,000 units (str, int or Decimal).
        method: :attr:`YieldMethod.COMPOUND` (default) or :attr:`YieldMethod.SIMPLE`.
        rounding: mode for the 3rd decimal of the percentage; half-up by
            default (cfg: published yields are rounded 四舍五入).
        days_in_year: 365 by default, as in the CSRC formula.

    Returns:
        The yield in percent, e.g. ``Decimal('2.364')`` for 2.364%.

    Raises:
        TypeError: for a float.
        antfin.errors.InvalidAmountError: for other than 7 values, or a day
            losing 10,000 per 10,000 units or more.

    .. versionadded:: 0.1.0
    """
    values = [to_decimal(value, "income per 10,000 units") for value in per_10k]
    if len(values) != 7:
        raise InvalidAmountError(f"per_10k must hold the last 7 calendar days' values, got {len(values)}")
    if isinstance(days_in_year, bool) or not isinstance(days_in_year, int) or days_in_year <= 0:
        raise InvalidAmountError(f"days_in_year must be a positive int, got {days_in_year!r}")
    mode = Rounding.of(rounding).value
    if not isinstance(method, YieldMethod):
        raise TypeError(f"method must be a YieldMethod, not {type(method).__name__}")
    if method is YieldMethod.SIMPLE:
        exact = _EXACT_CONTEXT.divide(sum(values, Decimal(0)) * days_in_year * 100, Decimal(7) * _TEN_THOUSAND)
        return exact.quantize(_YIELD_QUANTUM, rounding=mode)
    growth = Decimal(1)
    for value in values:
        factor = _EXACT_CONTEXT.add(1, _EXACT_CONTEXT.divide(value, _TEN_THOUSAND))
        if factor <= 0:
            raise InvalidAmountError(
                f"income per 10,000 units must be above -10000 for the compound yield, got {value}"
            )
        growth = _EXACT_CONTEXT.multiply(growth, factor)
    if growth == 1:
        return Decimal(0).quantize(_YIELD_QUANTUM)
    exponent = _POWER_CONTEXT.divide(Decimal(days_in_year), Decimal(7))
    annual = _POWER_CONTEXT.exp(_POWER_CONTEXT.multiply(exponent, _POWER_CONTEXT.ln(growth)))
    percent = _POWER_CONTEXT.multiply(_POWER_CONTEXT.subtract(annual, 1), Decimal(100))
    return percent.quantize(_YIELD_QUANTUM, rounding=mode)
