"""Exact amortization schedules: 等额本息, 等额本金, 先息后本 and 随借随还.

>>> from antfin.credit.schedule import LoanRate, RepaymentMethod, amortize
>>> from antfin.rates import DayCount, Rate
>>> rate = LoanRate.annual(Rate.percent("4.9"), DayCount.ACT_360)
>>> schedule = amortize(CNY("1000000"), rate, 360, disbursed_on=date(2024, 1, 15))
>>> schedule.instalments[0].total, schedule.instalments[0].due
(Money('5307.27', 'CNY'), datetime.date(2024, 2, 15))
>>> schedule.total_principal
Money('1000000.00', 'CNY')

Every column sums exactly to its total: each period's interest is the
balance times the period rate, rounded to the fen with the schedule's named
:class:`~antfin.money.Rounding` mode (half-up by default), and the rounding
residue of principal (and of the fee) goes to the last period.

Period rates (cfg via ``accrual``):

* ``Accrual.MONTHLY``: the nominal monthly rate, annual ÷ 12 (a daily
  rate is first annualised with its day count: daily × 360 or × 365). Every
  period counts as one month, including a short or long first period.
* ``Accrual.DAILY``: the daily rate times the days of the period under the
  rate's :class:`~antfin.rates.DayCount` (actual/365, actual/360, 30/360).

The level instalment of ``RepaymentMethod.EQUAL_INSTALMENT`` is always the
annuity ``P·r(1+r)ⁿ/((1+r)ⁿ-1)`` at the nominal monthly rate, rounded with the
schedule's mode; it agrees with numpy-financial's ``pmt`` to the fen.

Due dates: the ``repayment_day`` (default: the disbursement day) of each month
after disbursement, computed with :mod:`dateutil`; a day the month lacks
becomes the month's last day (the 31st is 30 April, 29 February 2024).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta

from antfin.calendar import ensure_date
from antfin.money import _CONTEXT, Currency, Money, Rounding
from antfin.rates import DayCount, Rate
from antfin.validators import attribute, check_int, check_money, check_non_negative, check_positive, check_rate

__all__ = [
    "MAX_TERM",
    "Accrual",
    "Instalment",
    "LoanRate",
    "RepaymentMethod",
    "Schedule",
    "amortize",
    "due_dates",
]

#: The longest term accepted, in months (50 years).
MAX_TERM: Final = 600

_ONE: Final = Decimal(1)
_TWELVE: Final = Decimal(12)


class RepaymentMethod(enum.Enum):
    """How a loan is repaid.

    >>> RepaymentMethod.EQUAL_INSTALMENT.name_zh
    '等额本息'
    >>> [m.name_zh for m in RepaymentMethod]
    ['等额本息', '等额本金', '先息后本', '随借随还']

    * ``EQUAL_INSTALMENT`` (等额本息): the same total every month.
    * ``EQUAL_PRINCIPAL`` (等额本金): the same principal every month, interest on the balance.
    * ``INTEREST_FIRST`` (先息后本): interest every month, all principal with the last.
    * ``DAILY_INTEREST`` (随借随还): one repayment at maturity with interest on the
      actual days; repaying earlier costs only the days used.

    .. versionadded:: 0.1.0
    """

    EQUAL_INSTALMENT = ("equal_instalment", "等额本息", "Equal instalments")
    EQUAL_PRINCIPAL = ("equal_principal", "等额本金", "Equal principal")
    INTEREST_FIRST = ("interest_first", "先息后本", "Interest first, principal at maturity")
    DAILY_INTEREST = ("daily_interest", "随借随还", "Repay any time, daily interest")

    @property
    def code(self) -> str:
        """Short code.

        >>> RepaymentMethod.INTEREST_FIRST.code
        'interest_first'
        """
        return self.value[0]

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> RepaymentMethod.DAILY_INTEREST.name_zh
        '随借随还'
        """
        return self.value[1]

    @property
    def name_en(self) -> str:
        """English name.

        >>> RepaymentMethod.EQUAL_PRINCIPAL.name_en
        'Equal principal'
        """
        return self.value[2]


class Accrual(enum.Enum):
    """How a period's interest rate is derived (see the module notes).

    >>> Accrual.DAILY.value
    'daily'

    .. versionadded:: 0.1.0
    """

    MONTHLY = "monthly"
    DAILY = "daily"


def _day_count(value: object) -> DayCount:
    if not isinstance(value, DayCount):
        raise TypeError(f"day_count must be a DayCount (ACT_365, ACT_360, THIRTY_360), not {type(value).__name__}")
    return value


@attrs.frozen
class LoanRate:
    """A loan's contract rate, quoted per year or per day, with an explicit day count.

    >>> jiebei = LoanRate.daily(Rate.percent("0.045"), DayCount.ACT_360)
    >>> jiebei.annual_rate
    Decimal('0.16200')
    >>> jiebei.interest_for_days(CNY("10000"), 30, Rounding.HALF_UP)
    Money('135.00', 'CNY')
    >>> LoanRate.annual(Rate.percent("18"), DayCount.ACT_365).daily_rate.quantize(Decimal("0.0000001"))
    Decimal('0.0004932')

    Args:
        rate: the quoted rate as a :class:`~antfin.rates.Rate` (never a float).
        per_day: ``True`` when ``rate`` is a daily rate (日利率), ``False`` for annual (年利率).
        day_count: how days convert to years (365 or 360 a year, or 30/360).

    Raises:
        TypeError: for a float, a string or anything that is not a ``Rate``;
            for a day count that is not a :class:`~antfin.rates.DayCount`.
        antfin.errors.InvalidAmountError: a negative rate (raised by ``Rate``).

    .. versionadded:: 0.1.0
    """

    rate: Rate = attrs.field(validator=attribute(check_rate))
    per_day: bool
    day_count: DayCount = attrs.field(converter=_day_count)

    @classmethod
    def annual(cls, rate: Rate, day_count: DayCount) -> LoanRate:
        """An annual (nominal) rate.

        >>> LoanRate.annual(Rate.percent("4.9"), DayCount.ACT_360).monthly_rate.quantize(Decimal("0.000001"))
        Decimal('0.004083')
        """
        return cls(rate, False, day_count)

    @classmethod
    def daily(cls, rate: Rate, day_count: DayCount) -> LoanRate:
        """A daily rate (日利率), e.g. Jiebei's 0.045% a day.

        >>> LoanRate.daily(Rate.percent("0.05"), DayCount.ACT_360).annual_rate
        Decimal('0.1800')
        """
        return cls(rate, True, day_count)

    @property
    def annual_rate(self) -> Decimal:
        """The nominal annual rate: a daily rate times the day count's year (360 or 365).

        >>> LoanRate.daily(Rate("0.0005"), DayCount.ACT_365).annual_rate
        Decimal('0.1825')
        """
        if self.per_day:
            return self.rate.value * self.day_count.year_days
        return self.rate.value

    @property
    def daily_rate(self) -> Decimal:
        """The daily rate (an annual rate divided by 360 or 365; exact to 60 digits).

        >>> LoanRate.annual(Rate.percent("18"), DayCount.ACT_360).daily_rate
        Decimal('0.0005')
        """
        if self.per_day:
            return self.rate.value
        return _CONTEXT.divide(self.rate.value, Decimal(self.day_count.year_days))

    @property
    def monthly_rate(self) -> Decimal:
        """The nominal monthly rate, annual ÷ 12 (exact to 60 digits).

        >>> LoanRate.annual(Rate.percent("12"), DayCount.ACT_360).monthly_rate
        Decimal('0.01')
        """
        return _CONTEXT.divide(self.annual_rate, _TWELVE)

    def _ratio(self) -> tuple[int, int]:
        """The quoted rate as an exact integer fraction ``(numerator, denominator)``."""
        _sign, digits, exponent = self.rate.value.as_tuple()
        numerator = int("".join(map(str, digits)) or "0")
        if isinstance(exponent, int) and exponent >= 0:
            return numerator * 10**exponent, 1
        return numerator, 10 ** -int(exponent)

    def _month_fraction(self) -> tuple[int, int]:
        num, den = self._ratio()
        if self.per_day:
            return num * self.day_count.year_days, den * 12
        return num, den * 12

    def _days_fraction(self, days: int) -> tuple[int, int]:
        num, den = self._ratio()
        if self.per_day:
            return num * days, den
        return num * days, den * self.day_count.year_days

    def interest_for_days(self, balance: Money, days: int, rounding: Rounding | str) -> Money:
        """Interest on ``balance`` for ``days`` days, rounded to the fen with the named mode.

        >>> LoanRate.annual(Rate.percent("3.65"), DayCount.ACT_365).interest_for_days(CNY("1000"), 10, "HALF_UP")
        Money('1.00', 'CNY')

        Raises:
            antfin.errors.InvalidAmountError: for negative days.
        """
        check_int(days, "days", at_least=0)
        num, den = self._days_fraction(days)
        minor = _interest_minor(balance.minor_units, num, den, Rounding.of(rounding).value)
        return Money.from_minor_units(minor, balance.currency)

    def __str__(self) -> str:
        unit = "a day" if self.per_day else "a year"
        return f"{self.rate} {unit} ({self.day_count.value})"


def _round_div(num: int, den: int, mode: str) -> int:
    """``num / den`` for ``num >= 0, den > 0``, rounded to an integer with a decimal rounding mode, exactly."""
    quotient, remainder = divmod(num, den)
    if remainder == 0 or mode in _TOWARD_ZERO:
        return quotient
    if mode in _AWAY_FROM_ZERO:
        return quotient + 1
    twice = 2 * remainder
    if twice > den or (twice == den and (mode == _HALF_UP or (mode == _HALF_EVEN and quotient % 2 == 1))):
        return quotient + 1
    return quotient


_HALF_UP: Final = Rounding.HALF_UP.value
_HALF_EVEN: Final = Rounding.HALF_EVEN.value
_TOWARD_ZERO: Final = frozenset({Rounding.DOWN.value, Rounding.FLOOR.value})
_AWAY_FROM_ZERO: Final = frozenset({Rounding.UP.value, Rounding.CEILING.value})


def _interest_minor(balance: int, num: int, den: int, mode: str) -> int:
    """``balance × num ÷ den`` rounded to an integer with ``mode``, in exact integer arithmetic."""
    if balance <= 0 or num == 0:
        return 0
    return _round_div(balance * num, den, mode)


@attrs.frozen
class Instalment:
    """One period of a schedule.

    >>> row = Instalment(1, date(2024, 1, 15), date(2024, 2, 15), CNY("100"), CNY("5"), CNY("1"), CNY("900"))
    >>> row.total
    Money('106.00', 'CNY')

    Args:
        number: 1-based period number.
        start: the day interest starts accruing for this period.
        due: the due date.
        principal: principal repaid.
        interest: interest for the period.
        fee: the period's share of the fee.
        balance: principal still owed after this instalment.

    .. versionadded:: 0.1.0
    """

    number: int
    start: date
    due: date
    principal: Money
    interest: Money
    fee: Money
    balance: Money

    @property
    def total(self) -> Money:
        """Principal + interest + fee.

        >>> Instalment(1, date(2024, 1, 1), date(2024, 2, 1), CNY("1"), CNY("2"), CNY("3"), CNY("0")).total
        Money('6.00', 'CNY')
        """
        return self.principal + self.interest + self.fee


@attrs.frozen
class Schedule:
    """A repayment schedule: the loan's terms and its instalments.

    >>> rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    >>> s = amortize(CNY("1200"), rate, 3, disbursed_on=date(2024, 1, 31), method=RepaymentMethod.EQUAL_PRINCIPAL)
    >>> [(str(i.due), str(i.principal), str(i.interest)) for i in s.instalments]  # doctest: +NORMALIZE_WHITESPACE
    [('2024-02-29', '400.00 CNY', '12.00 CNY'),
     ('2024-03-31', '400.00 CNY', '8.00 CNY'),
     ('2024-04-30', '400.00 CNY', '4.00 CNY')]
    >>> s.total_interest, s.total
    (Money('24.00', 'CNY'), Money('1224.00', 'CNY'))

    .. versionadded:: 0.1.0
    """

    principal: Money
    rate: LoanRate
    method: RepaymentMethod
    accrual: Accrual
    disbursed_on: date
    rounding: Rounding
    instalments: tuple[Instalment, ...]

    @property
    def term(self) -> int:
        """Number of instalments.

        >>> amortize(CNY("100"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 4, disbursed_on=date(2024, 1, 1)).term
        4
        """
        return len(self.instalments)

    @property
    def maturity(self) -> date:
        """The last due date.

        >>> free = LoanRate.annual(Rate("0"), DayCount.ACT_360)
        >>> amortize(CNY("100"), free, 2, disbursed_on=date(2024, 1, 1)).maturity
        datetime.date(2024, 3, 1)
        """
        return self.instalments[-1].due

    def _column(self, name: str) -> Money:
        currency = self.principal.currency
        total = sum(getattr(row, name).minor_units for row in self.instalments)
        return Money.from_minor_units(total, currency)

    @property
    def total_principal(self) -> Money:
        """Sum of the principal column (always equals ``principal``).

        >>> rate = LoanRate.annual(Rate("0.1"), DayCount.ACT_360)
        >>> amortize(CNY("100"), rate, 3, disbursed_on=date(2024, 1, 1)).total_principal
        Money('100.00', 'CNY')
        """
        return self._column("principal")

    @property
    def total_interest(self) -> Money:
        """Sum of the interest column.

        >>> free = LoanRate.annual(Rate("0"), DayCount.ACT_360)
        >>> amortize(CNY("100"), free, 3, disbursed_on=date(2024, 1, 1)).total_interest
        Money('0.00', 'CNY')
        """
        return self._column("interest")

    @property
    def total_fee(self) -> Money:
        """Sum of the fee column.

        >>> amortize(CNY("100"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 3, disbursed_on=date(2024, 1, 1),
        ...          fee=CNY("1")).total_fee
        Money('1.00', 'CNY')
        """
        return self._column("fee")

    @property
    def total(self) -> Money:
        """Everything the borrower pays: principal + interest + fee.

        >>> amortize(CNY("100"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 3, disbursed_on=date(2024, 1, 1)).total
        Money('100.00', 'CNY')
        """
        return self.total_principal + self.total_interest + self.total_fee

    def format(self) -> str:
        """The schedule as a fixed-width text table.

        >>> s = amortize(CNY("300"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 2, disbursed_on=date(2024, 1, 1))
        >>> print(s.format())
         #  due         principal  interest  fee   total   balance
         1  2024-02-01     150.00      0.00  0.00  150.00   150.00
         2  2024-03-01     150.00      0.00  0.00  150.00     0.00
        """
        rows = [" #  due         principal  interest  fee   total   balance"]
        for row in self.instalments:
            rows.append(
                f"{row.number:>2}  {row.due.isoformat()}  {row.principal.amount:>9}  {row.interest.amount:>8}  "
                f"{row.fee.amount:>4}  {row.total.amount:>6}  {row.balance.amount:>7}"
            )
        return "\n".join(rows)


@lru_cache(maxsize=4096)
def _due_dates_cached(disbursed_on: date, term: int, repayment_day: int) -> tuple[date, ...]:
    first = disbursed_on.replace(day=1)
    return tuple(first + relativedelta(months=k, day=repayment_day) for k in range(1, term + 1))


def due_dates(disbursed_on: date, term: int, repayment_day: int | None = None) -> tuple[date, ...]:
    """The due dates: ``repayment_day`` in each of the ``term`` months after disbursement.

    A day the month lacks becomes its last day (dateutil's ``relativedelta(day=...)``).

    >>> due_dates(date(2024, 1, 31), 3)
    (datetime.date(2024, 2, 29), datetime.date(2024, 3, 31), datetime.date(2024, 4, 30))
    >>> due_dates(date(2024, 1, 20), 2, repayment_day=5)
    (datetime.date(2024, 2, 5), datetime.date(2024, 3, 5))

    Args:
        disbursed_on: the disbursement date.
        term: number of monthly due dates (1-600).
        repayment_day: day of the month (1-31); the disbursement day by default.

    Raises:
        TypeError: for a datetime or a non-int term or day.
        antfin.errors.InvalidAmountError: for a term or day out of range.

    .. versionadded:: 0.1.0
    """
    day = ensure_date(disbursed_on, "disbursed_on")
    months = check_int(term, "term", at_least=1, at_most=MAX_TERM)
    repay_day = day.day if repayment_day is None else check_int(repayment_day, "repayment_day", at_least=1, at_most=31)
    return _due_dates_cached(day, months, repay_day)


def _annuity_minor(balance: int, monthly: Decimal, periods: int, mode: str) -> int:
    """The level instalment in minor units: P·r(1+r)ⁿ/((1+r)ⁿ-1), or P/n at a zero rate."""
    if monthly == 0:
        exact = _CONTEXT.divide(Decimal(balance), Decimal(periods))
    else:
        growth = _CONTEXT.power(_CONTEXT.add(_ONE, monthly), periods)
        exact = _CONTEXT.divide(
            _CONTEXT.multiply(_CONTEXT.multiply(Decimal(balance), monthly), growth), _CONTEXT.subtract(growth, _ONE)
        )
    return int(exact.to_integral_value(rounding=mode, context=_CONTEXT))


def _fee_parts(fee_minor: int, periods: int) -> list[int]:
    """Equal fee shares rounded down (Rounding.DOWN); the residue goes to the last period."""
    if periods == 0:
        return []
    share = fee_minor // periods
    return [share] * (periods - 1) + [fee_minor - share * (periods - 1)]


def _build(
    balance: int,
    currency: Currency,
    rate: LoanRate,
    method: RepaymentMethod,
    accrual: Accrual,
    periods: Sequence[tuple[date, date]],
    fees: Sequence[int],
    mode: str,
    *,
    payment: int | None = None,
    principal_part: int | None = None,
    first_number: int = 1,
) -> tuple[Instalment, ...]:
    """Amortize ``balance`` (minor units) over ``periods`` (start, due) pairs; the core of every schedule."""
    count = len(periods)
    daily = accrual is Accrual.DAILY or method is RepaymentMethod.DAILY_INTEREST
    month_num, month_den = rate._month_fraction()
    if method is RepaymentMethod.EQUAL_INSTALMENT and payment is None:
        payment = _annuity_minor(balance, rate.monthly_rate, count, mode)
    if method is RepaymentMethod.EQUAL_PRINCIPAL and principal_part is None:
        exact = _CONTEXT.divide(Decimal(balance), Decimal(count))
        principal_part = int(exact.to_integral_value(rounding=mode, context=_CONTEXT))
    from_minor = Money._from_minor
    cur = currency
    day_count = rate.day_count
    rows = []
    last_index = count - 1
    for index, (start, due) in enumerate(periods):
        if daily:
            num, den = rate._days_fraction(day_count.days(start, due))
        else:
            num, den = month_num, month_den
        interest = _interest_minor(balance, num, den, mode)
        if index == last_index:
            principal = balance
        elif method is RepaymentMethod.EQUAL_INSTALMENT:
            principal = min(max((payment or 0) - interest, 0), balance)
        elif method is RepaymentMethod.EQUAL_PRINCIPAL:
            principal = min(principal_part or 0, balance)
        else:
            principal = 0
        balance -= principal
        rows.append(
            Instalment(
                first_number + index,
                start,
                due,
                from_minor(principal, cur),
                from_minor(interest, cur),
                from_minor(fees[index], cur),
                from_minor(balance, cur),
            )
        )
    return tuple(rows)


def _periods_of(disbursed_on: date, dues: Sequence[date]) -> list[tuple[date, date]]:
    starts = [disbursed_on, *dues[:-1]]
    return list(zip(starts, dues, strict=True))


def amortize(
    principal: Money,
    rate: LoanRate,
    term: int,
    *,
    disbursed_on: date,
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALMENT,
    repayment_day: int | None = None,
    accrual: Accrual = Accrual.MONTHLY,
    fee: Money | None = None,
    rounding: Rounding | str = Rounding.HALF_UP,
) -> Schedule:
    """Build the exact repayment schedule of a loan.

    >>> rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    >>> s = amortize(CNY("10000"), rate, 12, disbursed_on=date(2024, 1, 10))
    >>> s.instalments[0].total, s.instalments[-1].total, s.total_interest
    (Money('888.49', 'CNY'), Money('888.47', 'CNY'), Money('661.86', 'CNY'))

    A 随借随还 loan has one instalment at maturity with interest on the actual days:

    >>> jiebei = LoanRate.daily(Rate.percent("0.05"), DayCount.ACT_360)
    >>> bullet = amortize(CNY("1000"), jiebei, 1, disbursed_on=date(2024, 2, 1), method=RepaymentMethod.DAILY_INTEREST)
    >>> bullet.instalments[0].due, bullet.instalments[0].interest
    (datetime.date(2024, 3, 1), Money('14.50', 'CNY'))

    Args:
        principal: the amount lent (positive).
        rate: the contract rate with its day count.
        term: number of monthly instalments, 1-600 (for ``DAILY_INTEREST``: months to maturity).
        disbursed_on: the disbursement date (a ``date``, not a ``datetime``).
        method: the repayment method (等额本息 by default).
        repayment_day: day of month of the due dates; the disbursement day by default.
        accrual: monthly (annual ÷ 12) or daily (days × daily rate) period interest;
            ``DAILY_INTEREST`` always accrues daily.
        fee: a total fee (e.g. a service fee) spread equally over the periods,
            rounded down (Rounding.DOWN) with the residue in the last period.
        rounding: the rounding mode of each period's interest and of the level
            instalment or principal (Rounding.HALF_UP by default).

    Returns:
        The :class:`Schedule`; columns sum exactly to their totals and no balance is negative.

    Raises:
        TypeError: for a float or other wrong type (rate, term, dates).
        antfin.errors.InvalidAmountError: for a non-positive principal, a term
            outside 1-600, a negative fee or a repayment day outside 1-31.
        antfin.errors.CurrencyMismatchError: a fee in another currency.

    .. versionadded:: 0.1.0
    """
    check_positive(principal, "principal")
    if not isinstance(rate, LoanRate):
        raise TypeError(f"rate must be a LoanRate (LoanRate.annual or LoanRate.daily), not {type(rate).__name__}")
    if not isinstance(method, RepaymentMethod):
        raise TypeError(f"method must be a RepaymentMethod, not {type(method).__name__}")
    if not isinstance(accrual, Accrual):
        raise TypeError(f"accrual must be an Accrual, not {type(accrual).__name__}")
    mode = Rounding.of(rounding)
    fee_money = principal.currency.zero() if fee is None else check_money(fee, "fee")
    fee_money = principal + fee_money - principal  # raises CurrencyMismatchError for another currency
    check_non_negative(fee_money, "fee")
    dues = due_dates(disbursed_on, term, repayment_day)
    if method is RepaymentMethod.DAILY_INTEREST:
        dues = dues[-1:]
    periods = _periods_of(disbursed_on, dues)
    instalments = _build(
        principal.minor_units,
        principal.currency,
        rate,
        method,
        accrual,
        periods,
        _fee_parts(fee_money.minor_units, len(periods)),
        mode.value,
    )
    return Schedule(principal, rate, method, accrual, disbursed_on, mode, instalments)
