"""Huabei bills (花呗账单): cycles, due dates, the interest-free period, minimum repayment and interest.

Pure date and money rules, no ledger. A bill is issued on the bill day (the
1st, cfg) and falls due on the user's due day (the 8th, 9th or 10th, cfg). By
default a purchase posted ON the bill day enters that day's bill, so a purchase
on the day AFTER a bill day waits a whole cycle and gets the longest
interest-free period. The interest-free period is derived from the dates.

>>> from antfin.credit.huabei_bills import BillingCycle
>>> cycle = BillingCycle(due_day=10)
>>> cycle.statement_date(date(2024, 3, 2)), cycle.due_date(date(2024, 4, 1))
(datetime.date(2024, 4, 1), datetime.date(2024, 4, 10))
>>> cycle.interest_free_days(date(2024, 3, 2)), cycle.interest_free_days(date(2024, 3, 1))
(40, 10)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import attrs

from antfin.calendar import add_months, ensure_date
from antfin.errors import InvalidAmountError, InvalidTimeError, PolicyViolationError
from antfin.money import _CONTEXT, Money, Rounding
from antfin.rates import Rate
from antfin.validators import check_int, check_non_negative

__all__ = [
    "Bill",
    "BillCharges",
    "BillLine",
    "BillingCycle",
    "DueDateAdjustment",
    "LineKind",
    "RepaymentTerms",
    "bill_charges",
]

_SATURDAY = 5
_MINIMUM_RATE = Rate.percent(10)
_DAILY_RATE = Rate.percent("0.05")


class DueDateAdjustment(enum.Enum):
    """What happens to a due date that falls on a weekend (cfg).

    >>> BillingCycle(due_day=9, weekend=DueDateAdjustment.NEXT_WEEKDAY).due_date(date(2024, 6, 1))
    datetime.date(2024, 6, 10)

    .. versionadded:: 0.1.0
    """

    #: The due date does not move (Huabei's rule).
    NONE = "none"
    #: A Saturday or Sunday due date moves to the next Monday.
    NEXT_WEEKDAY = "next_weekday"


def _check_day(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    check_int(value, attribute.name)
    if not 1 <= value <= 28:
        raise InvalidAmountError(f"{attribute.name} must be between 1 and 28 (every month has it), got {value}")


def _int_tuple(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(values)


@attrs.frozen
class BillingCycle:
    """A user's bill day and due day (cfg: bill on the 1st, due on the 8th, 9th or 10th).

    >>> BillingCycle(due_day=8).cycle(date(2024, 3, 1))
    (datetime.date(2024, 2, 2), datetime.date(2024, 3, 1))
    >>> BillingCycle(due_day=12)
    Traceback (most recent call last):
    ...
    antfin.errors.PolicyViolationError: due_day: 12 is not offered; expected one of 8, 9, 10

    Args:
        due_day: the user's due day; one of ``allowed_due_days``.
        bill_day: the day bills are issued (1-28, default 1).
        allowed_due_days: the due days the product offers (default 8, 9, 10).
        weekend: what happens to a weekend due date (default: it does not move).
        bill_day_in_cycle: a purchase posted on the bill day enters that day's bill
            (default ``True``); ``False`` moves it to the next bill.

    .. versionadded:: 0.1.0
    """

    due_day: int = attrs.field(default=10, validator=_check_day)
    bill_day: int = attrs.field(default=1, validator=_check_day)
    allowed_due_days: tuple[int, ...] = attrs.field(default=(8, 9, 10), converter=_int_tuple)
    weekend: DueDateAdjustment = DueDateAdjustment.NONE
    bill_day_in_cycle: bool = True

    def __attrs_post_init__(self) -> None:
        if self.due_day not in self.allowed_due_days:
            expected = ", ".join(str(day) for day in self.allowed_due_days)
            raise PolicyViolationError(f"due_day: {self.due_day} is not offered; expected one of {expected}")
        if self.due_day == self.bill_day:
            raise InvalidAmountError(f"due_day must differ from bill_day ({self.bill_day}), got {self.due_day}")

    def is_statement_date(self, day: date) -> bool:
        """``True`` when ``day`` is a bill day.

        >>> BillingCycle().is_statement_date(date(2024, 2, 1))
        True
        """
        return ensure_date(day, "day").day == self.bill_day

    def _check_statement(self, statement_date: date) -> date:
        if not self.is_statement_date(statement_date):
            raise InvalidTimeError(
                f"statement_date must fall on the bill day ({self.bill_day}), got {statement_date.isoformat()}"
            )
        return statement_date

    def statement_date(self, posted_on: date) -> date:
        """The bill day of the bill that carries something posted on ``posted_on``.

        >>> cycle = BillingCycle()
        >>> cycle.statement_date(date(2024, 2, 1)), cycle.statement_date(date(2024, 2, 29))
        (datetime.date(2024, 2, 1), datetime.date(2024, 3, 1))

        Raises:
            TypeError: when ``posted_on`` is not a date.
        """
        ensure_date(posted_on, "posted_on")
        this_month = posted_on.replace(day=self.bill_day)
        closes_today = posted_on.day <= self.bill_day if self.bill_day_in_cycle else posted_on.day < self.bill_day
        return this_month if closes_today else add_months(this_month, 1)

    def previous_statement_date(self, statement_date: date) -> date:
        """The bill day one month before ``statement_date``.

        >>> BillingCycle().previous_statement_date(date(2024, 3, 1))
        datetime.date(2024, 2, 1)

        Raises:
            antfin.errors.InvalidTimeError: when ``statement_date`` is not a bill day.
        """
        return add_months(self._check_statement(statement_date), -1)

    def next_statement_date(self, statement_date: date) -> date:
        """The bill day one month after ``statement_date``.

        >>> BillingCycle().next_statement_date(date(2024, 12, 1))
        datetime.date(2025, 1, 1)

        Raises:
            antfin.errors.InvalidTimeError: when ``statement_date`` is not a bill day.
        """
        return add_months(self._check_statement(statement_date), 1)

    def cycle(self, statement_date: date) -> tuple[date, date]:
        """First and last posting dates that the bill of ``statement_date`` carries.

        >>> BillingCycle(bill_day_in_cycle=False).cycle(date(2024, 3, 1))
        (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))

        Raises:
            antfin.errors.InvalidTimeError: when ``statement_date`` is not a bill day.
        """
        previous = self.previous_statement_date(statement_date)
        one = timedelta(days=1)
        if self.bill_day_in_cycle:
            return previous + one, statement_date
        return previous, statement_date - one

    def due_date(self, statement_date: date) -> date:
        """The due date of the bill issued on ``statement_date`` (after the weekend rule).

        >>> BillingCycle(due_day=8).due_date(date(2024, 6, 1))  # a Saturday: it does not move
        datetime.date(2024, 6, 8)

        Raises:
            antfin.errors.InvalidTimeError: when ``statement_date`` is not a bill day.
        """
        self._check_statement(statement_date)
        due = statement_date.replace(day=self.due_day)
        if self.due_day < self.bill_day:
            due = add_months(due, 1)
        if self.weekend is DueDateAdjustment.NEXT_WEEKDAY and due.weekday() >= _SATURDAY:
            due += timedelta(days=7 - due.weekday())
        return due

    def interest_free_days(self, posted_on: date) -> int:
        """Days from a purchase to its due date, both counted: the purchase's interest-free period.

        >>> BillingCycle(due_day=9).interest_free_days(date(2024, 1, 2))  # the longest in January
        39

        Raises:
            TypeError: when ``posted_on`` is not a date.
        """
        return (self.due_date(self.statement_date(posted_on)) - posted_on).days + 1


class LineKind(enum.Enum):
    """What a bill line is; positive amounts are owed by the user, negative ones reduce the bill.

    >>> LineKind.PURCHASE.value, LineKind.REFUND.value
    ('purchase', 'refund')

    .. versionadded:: 0.1.0
    """

    PURCHASE = "purchase"
    REFUND = "refund"
    REPAYMENT = "repayment"
    INSTALMENT_PRINCIPAL = "instalment_principal"
    INSTALMENT_FEE = "instalment_fee"
    REVOLVING_INTEREST = "revolving_interest"
    OVERDUE_INTEREST = "overdue_interest"
    CREDIT_CARRIED = "credit_carried"

    @property
    def is_instalment(self) -> bool:
        """``True`` for instalment principal and fee lines (paid in full by the minimum payment).

        >>> LineKind.INSTALMENT_FEE.is_instalment
        True
        """
        return self in (LineKind.INSTALMENT_PRINCIPAL, LineKind.INSTALMENT_FEE)


@attrs.frozen
class BillLine:
    """One line of a bill: when it was posted, what it is, the signed amount and a reference.

    >>> BillLine(date(2024, 3, 5), LineKind.PURCHASE, CNY("99.00"), "p1").amount
    Money('99.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    posted_on: date = attrs.field(validator=lambda _i, _a, v: ensure_date(v, "posted_on"))
    kind: LineKind
    amount: Money
    reference: str = ""


@attrs.frozen
class RepaymentTerms:
    """Minimum repayment and daily interest rates of Huabei bills (cfg).

    >>> terms = RepaymentTerms()
    >>> str(terms.minimum_rate), str(terms.revolving_daily), str(terms.overdue_daily)
    ('10%', '0.05%', '0.05%')
    >>> terms.minimum_payment(CNY("1234.56"))
    Money('123.46', 'CNY')

    Args:
        minimum_rate: share of the bill's regular (non-instalment) part due by the due date (10%).
        revolving_daily: daily rate on the unpaid rest after the due date (0.05%).
        overdue_daily: daily rate on the unpaid part of the minimum after the due date (0.05%).
        minimum_rounding: rounding of the minimum payment to the fen (HALF_UP).
        interest_rounding: rounding of each interest charge to the fen (HALF_UP).

    .. versionadded:: 0.1.0
    """

    minimum_rate: Rate = _MINIMUM_RATE
    revolving_daily: Rate = _DAILY_RATE
    overdue_daily: Rate = _DAILY_RATE
    minimum_rounding: Rounding = Rounding.HALF_UP
    interest_rounding: Rounding = Rounding.HALF_UP

    def minimum_payment(self, total: Money, instalments: Money | None = None) -> Money:
        """The minimum repayment: instalment periods in full plus ``minimum_rate`` of the rest.

        Never more than the bill and never below zero.

        >>> RepaymentTerms().minimum_payment(CNY("1000"), instalments=CNY("453.34"))
        Money('508.01', 'CNY')
        >>> RepaymentTerms().minimum_payment(CNY("-5"))
        Money('0.00', 'CNY')

        Args:
            total: the bill total.
            instalments: the part of ``total`` that is instalment principal and fees.
        """
        zero = total.currency.zero()
        if not total.is_positive():
            return zero
        due_in_full = min(instalments if instalments is not None else zero, total)
        regular = total - due_in_full
        return due_in_full + self.minimum_rate.of(max(regular, zero), rounding=self.minimum_rounding)


@attrs.frozen
class Bill:
    """An issued bill: its dates, its lines, the total and the minimum repayment.

    >>> lines = [BillLine(date(2024, 2, 5), LineKind.PURCHASE, CNY("800")),
    ...          BillLine(date(2024, 2, 20), LineKind.PURCHASE, CNY("200"))]
    >>> bill = Bill.build(date(2024, 3, 1), lines, BillingCycle(due_day=10), RepaymentTerms())
    >>> bill.due_date, bill.total, bill.minimum_payment
    (datetime.date(2024, 3, 10), Money('1000.00', 'CNY'), Money('100.00', 'CNY'))

    .. versionadded:: 0.1.0
    """

    statement_date: date
    due_date: date
    cycle_start: date
    cycle_end: date
    lines: tuple[BillLine, ...]
    total: Money
    minimum_payment: Money

    @classmethod
    def build(
        cls,
        statement_date: date,
        lines: Iterable[BillLine],
        cycle: BillingCycle,
        terms: RepaymentTerms,
        currency: str = "CNY",
    ) -> Bill:
        """Issue the bill of ``statement_date`` from its lines (sorted by posting date).

        >>> Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms()).total
        Money('0.00', 'CNY')

        Raises:
            antfin.errors.InvalidTimeError: when ``statement_date`` is not a bill day, or a
                line was posted outside the bill's cycle.
        """
        start, end = cycle.cycle(statement_date)
        ordered = tuple(sorted(lines, key=lambda line: line.posted_on))
        for line in ordered:
            if line.kind is not LineKind.CREDIT_CARRIED and not start <= line.posted_on <= end:
                raise InvalidTimeError(
                    f"line {line.reference or line.kind.value} posted on {line.posted_on} is outside the cycle "
                    f"{start}..{end} of the bill of {statement_date}"
                )
        zero = Money.zero(ordered[0].amount.currency if ordered else currency)
        total = sum((line.amount for line in ordered), zero)
        instalments = sum((line.amount for line in ordered if line.kind.is_instalment), zero)
        minimum = terms.minimum_payment(total, instalments)
        return cls(statement_date, cycle.due_date(statement_date), start, end, ordered, total, minimum)

    @property
    def instalment_part(self) -> Money:
        """Instalment principal and fees on this bill.

        >>> Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms()).instalment_part
        Money('0.00', 'CNY')
        """
        return sum((line.amount for line in self.lines if line.kind.is_instalment), self.total.currency.zero())


@attrs.frozen
class BillCharges:
    """Interest a bill has accrued after its due date, split by kind.

    >>> BillCharges(CNY("13.50"), CNY("0")).total
    Money('13.50', 'CNY')

    Attributes:
        revolving_interest: on the unpaid rest above the minimum (循环利息).
        overdue_interest: on the unpaid part of the minimum (逾期利息).

    .. versionadded:: 0.1.0
    """

    revolving_interest: Money
    overdue_interest: Money

    @property
    def total(self) -> Money:
        """Both charges together.

        >>> BillCharges(CNY("1"), CNY("2")).total
        Money('3.00', 'CNY')
        """
        return self.revolving_interest + self.overdue_interest


def bill_charges(
    amount_due: Money,
    minimum: Money,
    due_date: date,
    reductions: Sequence[tuple[date, Money]],
    as_of: date,
    terms: RepaymentTerms = RepaymentTerms(),
) -> BillCharges:
    """Interest accrued by a bill from the day after its due date through ``as_of``.

    Each day ``d`` after the due date, the amount still unpaid at the start of ``d``
    (repayments and refunds dated ``d`` count from ``d + 1``) accrues: its part up to
    the unpaid minimum at ``overdue_daily``, the rest at ``revolving_daily``.
    Repayments cover the minimum first. Interest is simple (not on interest) and each
    kind is summed exactly and rounded once with ``terms.interest_rounding``.

    Worked example: a 1,000.00 bill due 10 March, 100.00 (the minimum) repaid on the due
    date; the other 900.00 accrues 0.45 a day, 13.50 over 30 days:

    >>> bill_charges(CNY("1000"), CNY("100"), date(2024, 3, 10), [(date(2024, 3, 10), CNY("100"))],
    ...              date(2024, 4, 9))
    BillCharges(revolving_interest=Money('13.50', 'CNY'), overdue_interest=Money('0.00', 'CNY'))

    Args:
        amount_due: what the bill asked for (after conversions to instalments).
        minimum: the minimum repayment.
        due_date: the last day to repay without interest.
        reductions: dated repayments and refunds applied to this bill.
        as_of: the last day to accrue.
        terms: rates and rounding (cfg).

    Raises:
        antfin.errors.InvalidAmountError: for a negative reduction.

    .. versionadded:: 0.1.0
    """
    ensure_date(due_date, "due_date")
    ensure_date(as_of, "as_of")
    zero = amount_due.currency.zero()
    for _, amount in reductions:
        check_non_negative(amount, "reductions")
    revolving_minor = Decimal(0)
    overdue_minor = Decimal(0)
    if as_of > due_date and amount_due.is_positive():
        # Breakpoints: interest for day d uses reductions dated <= d - 1.
        events = sorted(reductions, key=lambda item: item[0])
        day = due_date + timedelta(days=1)
        paid = sum((amount for when, amount in events if when < day), zero)
        pending = [(when, amount) for when, amount in events if when >= day]
        while day <= as_of:
            next_change = as_of + timedelta(days=1)
            if pending and pending[0][0] + timedelta(days=1) < next_change:
                next_change = pending[0][0] + timedelta(days=1)
            days = (next_change - day).days
            unpaid = max(amount_due - paid, zero)
            overdue = min(max(minimum - paid, zero), unpaid)
            revolving = unpaid - overdue
            revolving_minor += Decimal(revolving.minor_units * days) * terms.revolving_daily.value
            overdue_minor += Decimal(overdue.minor_units * days) * terms.overdue_daily.value
            day = next_change
            while pending and pending[0][0] + timedelta(days=1) <= day:
                paid += pending.pop(0)[1]
    mode = Rounding.of(terms.interest_rounding).value
    revolving_fen = int(revolving_minor.to_integral_value(rounding=mode, context=_CONTEXT))
    overdue_fen = int(overdue_minor.to_integral_value(rounding=mode, context=_CONTEXT))
    currency = amount_due.currency
    return BillCharges(Money.from_minor_units(revolving_fen, currency), Money.from_minor_units(overdue_fen, currency))
