"""Rate disclosure: the all-in annualized rate (PBOC 2021, IRR of real cash flows) and the 4×LPR cap.

>>> from antfin.credit.disclosure import annualized_cost, check_rate_cap
>>> from antfin.credit.schedule import LoanRate, amortize
>>> from antfin.rates import DayCount, Rate
>>> schedule = amortize(CNY("5000"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 12,
...                     disbursed_on=date(2024, 1, 1), fee=CNY("440"))
>>> annualized_cost(schedule)
Decimal('0.1586')
>>> check_rate_cap(annualized_cost(schedule), date(2024, 1, 1)).approved  # above 4 x 3.45%
False

The one-year Loan Prime Rate (LPR, 贷款市场报价利率) table is data: extend it
with :meth:`LprTable.with_fixing` or build your own.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.credit.schedule import Schedule
from antfin.decisions import Decision, Reason
from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError
from antfin.money import Money, Rounding
from antfin.rates import Rate, annualized_rate, irr
from antfin.validators import check_int

__all__ = [
    "LPR",
    "LprFixing",
    "LprTable",
    "annualized_cost",
    "borrower_cash_flows",
    "check_rate_cap",
]


@attrs.frozen
class LprFixing:
    """One LPR publication: the rates in force from ``effective`` until the next fixing.

    >>> LprFixing(date(2024, 10, 21), Rate.percent("3.10"), Rate.percent("3.60")).one_year
    Rate(value=Decimal('0.0310'))

    .. versionadded:: 0.1.0
    """

    effective: date
    one_year: Rate
    five_year: Rate


def _fixings(value: Iterable[LprFixing]) -> tuple[LprFixing, ...]:
    fixings = tuple(value)
    if not fixings:
        raise InvalidAmountError("an LPR table needs at least one fixing")
    for earlier, later in itertools.pairwise(fixings):
        if later.effective <= earlier.effective:
            raise InvalidTimeError(
                f"LPR fixings must be in increasing date order; {later.effective} follows {earlier.effective}"
            )
    return fixings


@attrs.frozen
class LprTable:
    """A dated table of LPR fixings; the rate on a date is the latest fixing on or before it.

    >>> LPR.one_year(date(2024, 7, 22)), LPR.one_year(date(2024, 7, 21))
    (Rate(value=Decimal('0.0335')), Rate(value=Decimal('0.0345')))
    >>> LPR.one_year(date(2019, 8, 19))
    Traceback (most recent call last):
    ...
    antfin.errors.OutsideCoverageError: no LPR fixing on or before 2019-08-19; the table starts on 2019-08-20

    Raises:
        antfin.errors.InvalidTimeError: fixings not in increasing date order.

    .. versionadded:: 0.1.0
    """

    fixings: tuple[LprFixing, ...] = attrs.field(converter=_fixings)

    def fixing(self, on: date) -> LprFixing:
        """The fixing in force on ``on``.

        >>> LPR.fixing(date(2025, 6, 1)).effective
        datetime.date(2025, 5, 20)

        Raises:
            antfin.errors.OutsideCoverageError: for a date before the first fixing.
        """
        day = ensure_date(on, "on")
        found = None
        for fixing in self.fixings:
            if fixing.effective > day:
                break
            found = fixing
        if found is None:
            raise OutsideCoverageError(
                f"no LPR fixing on or before {day}; the table starts on {self.fixings[0].effective}"
            )
        return found

    def one_year(self, on: date) -> Rate:
        """The one-year LPR in force on ``on``.

        >>> LPR.one_year(date(2020, 8, 20)).as_percent
        Decimal('3.85')
        """
        return self.fixing(on).one_year

    def with_fixing(self, fixing: LprFixing) -> LprTable:
        """A new table with a later fixing appended (this table is unchanged).

        >>> LPR.with_fixing(LprFixing(date(2099, 1, 20), Rate.percent("2.5"), Rate.percent("3"))).one_year(
        ...     date(2099, 2, 1))
        Rate(value=Decimal('0.025'))

        Raises:
            antfin.errors.InvalidTimeError: when the fixing is not after the last one.
        """
        return LprTable((*self.fixings, fixing))


def _fix(day: tuple[int, int, int], one: str, five: str) -> LprFixing:
    return LprFixing(date(*day), Rate.percent(one), Rate.percent(five))


#: National Interbank Funding Center LPR fixings since the August 2019 reform (percent, cfg data).
LPR: Final = LprTable(
    (
        _fix((2019, 8, 20), "4.25", "4.85"),
        _fix((2019, 9, 20), "4.20", "4.85"),
        _fix((2019, 11, 20), "4.15", "4.80"),
        _fix((2020, 2, 20), "4.05", "4.75"),
        _fix((2020, 4, 20), "3.85", "4.65"),
        _fix((2021, 12, 20), "3.80", "4.65"),
        _fix((2022, 1, 20), "3.70", "4.60"),
        _fix((2022, 5, 20), "3.70", "4.45"),
        _fix((2022, 8, 22), "3.65", "4.30"),
        _fix((2023, 6, 20), "3.55", "4.20"),
        _fix((2023, 8, 21), "3.45", "4.20"),
        _fix((2024, 2, 20), "3.45", "3.95"),
        _fix((2024, 7, 22), "3.35", "3.85"),
        _fix((2024, 10, 21), "3.10", "3.60"),
        _fix((2025, 5, 20), "3.00", "3.50"),
    )
)


def borrower_cash_flows(schedule: Schedule, upfront_fee: Money | None = None) -> tuple[Money, ...]:
    """The borrower's real cash flows: the amount received (net of an upfront fee), then each instalment paid.

    >>> from antfin.credit.schedule import LoanRate, amortize
    >>> from antfin.rates import DayCount
    >>> s = amortize(CNY("300"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 2, disbursed_on=date(2024, 1, 1))
    >>> borrower_cash_flows(s, CNY("6"))
    (Money('294.00', 'CNY'), Money('-150.00', 'CNY'), Money('-150.00', 'CNY'))

    Raises:
        antfin.errors.InvalidAmountError: an upfront fee that is negative or not below the principal.

    .. versionadded:: 0.1.0
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a Schedule, not {type(schedule).__name__}")
    fee = (
        schedule.principal.currency.zero() if upfront_fee is None else upfront_fee + schedule.principal.currency.zero()
    )
    if fee.is_negative() or fee >= schedule.principal:
        raise InvalidAmountError(f"upfront_fee must be at least 0 and below the principal, got {fee}")
    return (schedule.principal - fee, *(-row.total for row in schedule.instalments))


def annualized_cost(schedule: Schedule, upfront_fee: Money | None = None, *, places: int = 4) -> Decimal:
    """The all-in annualized rate shown to borrowers (PBOC 2021): the IRR of the real cash flows.

    Monthly schedules: periodic IRR × 12 (:func:`antfin.rates.annualized_rate`).
    A single repayment after ``m`` months: its IRR × 12 / m. Rounded half-even to ``places``.

    >>> from antfin.credit.schedule import LoanRate, amortize
    >>> from antfin.rates import DayCount
    >>> s = amortize(CNY("10000"), LoanRate.annual(Rate.percent("12"), DayCount.ACT_360), 12,
    ...              disbursed_on=date(2024, 1, 1))
    >>> annualized_cost(s), annualized_cost(s, upfront_fee=CNY("100"))
    (Decimal('0.1200'), Decimal('0.1391'))

    Raises:
        antfin.errors.InvalidAmountError: for a bad upfront fee.

    .. versionadded:: 0.1.0
    """
    flows = borrower_cash_flows(schedule, upfront_fee)
    if schedule.term > 1:
        return annualized_rate(flows, 12, places=places)
    first = schedule.instalments[0]
    months = max(1, (first.due.year - schedule.disbursed_on.year) * 12 + first.due.month - schedule.disbursed_on.month)
    periodic = irr(flows, places=places + 6)
    return (periodic * 12 / months).quantize(Decimal(1).scaleb(-places), rounding=Rounding.HALF_EVEN.value)


def check_rate_cap(
    annual_rate: Decimal | Rate,
    contract_date: date,
    *,
    table: LprTable = LPR,
    multiple: int = 4,
) -> Decision:
    """Check an annualized rate against ``multiple`` × the one-year LPR on the contract date.

    The 4× cap is the Supreme People's Court's ceiling (revised 2020-08-20) on
    the interest courts protect in *private lending* (民间借贷); licensed lenders
    (microlenders, consumer-finance companies, banks) are outside it (the
    Court's reply of 2020-12-29), so for consumer credit this is an informative
    comparison, not a legal cap or a benchmark (cfg: ``multiple`` and ``table``).
    Huabei's and Jiebei's own defaults in this library exceed it.

    >>> decision = check_rate_cap(Decimal("0.18"), date(2024, 12, 1))
    >>> decision.approved
    False
    >>> print(decision.explain())
    rate cap (4 x one-year LPR): declined
      [fail] annualized rate <= 4 x one-year LPR 3.1% (2024-10-21): threshold 12.40%, actual 18.00%

    Raises:
        TypeError: for a float rate or a ``multiple`` that is not an int.
        antfin.errors.InvalidAmountError: a negative rate or a ``multiple`` below 1.
        antfin.errors.OutsideCoverageError: a contract date before the table.

    .. versionadded:: 0.1.0
    """
    rate = annual_rate.value if isinstance(annual_rate, Rate) else Rate(annual_rate).value
    check_int(multiple, "multiple", at_least=1)
    fixing = table.fixing(contract_date)
    cap = fixing.one_year.value * multiple
    reason = Reason(
        f"annualized rate <= {multiple} x one-year LPR {fixing.one_year} ({fixing.effective})",
        f"{cap * 100:.2f}%",
        f"{rate * 100:.2f}%",
        rate <= cap,
    )
    return Decision.of(f"rate cap ({multiple} x one-year LPR)", (reason,))
