"""Loan product parameters (cfg): allocation order, prepayment fees, penalty rate, delinquency buckets.

>>> from antfin.credit.products import JIEBEI, MYBANK, Component
>>> from antfin.credit.schedule import LoanRate
>>> from antfin.rates import DayCount
>>> JIEBEI.penalty_multiple, JIEBEI.prepayment_fee.rate.as_percent
(Decimal('1.5'), Decimal('0'))
>>> JIEBEI.penalty_rate_for(LoanRate.daily(Rate.percent("0.04"), DayCount.ACT_360)).as_percent   # 1.5 x 0.04%
Decimal('0.06')
>>> JIEBEI.penalty_rate.as_percent, MYBANK.penalty_rate.as_percent   # Jiebei's at 12% a year: 1.5 x 0.0333%
(Decimal('0.05'), Decimal('0.05'))
>>> [c.value for c in MYBANK.allocation_order]
['penalty', 'fee', 'interest', 'principal']
>>> MYBANK.buckets.bucket(61)
'M3'

Every number here is a commonly cited default, not contract text; build your
own :class:`LoanProduct` to price another product with the same code.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.chart import ProfitPoint
from antfin.credit.schedule import LoanRate
from antfin.errors import InvalidAmountError
from antfin.money import _CONTEXT, AmountLike, Money, Rounding, to_decimal
from antfin.rates import DayCount, Rate
from antfin.validators import check_int

__all__ = [
    "DEFAULT_BUCKETS",
    "DEFAULT_ORDER",
    "JIEBEI",
    "JIEBEI_PENALTY_MULTIPLE",
    "JIEBEI_REFERENCE_RATE",
    "MYBANK",
    "NO_PREPAYMENT_FEE",
    "Component",
    "DelinquencyBuckets",
    "LoanProduct",
    "PrepaymentFeePolicy",
]


class Component(enum.Enum):
    """A part of what a borrower owes; repayments are applied component by component.

    >>> Component.PENALTY.name_zh
    '罚息'

    .. versionadded:: 0.1.0
    """

    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> Component.PRINCIPAL.name_zh
        '本金'
        """
        return {"penalty": "罚息", "fee": "费用", "interest": "利息", "principal": "本金"}[self.value]


_ZERO_RATE: Final = Rate("0")
_DAILY_PENALTY: Final = Rate.percent("0.05")
#: The contract rate :data:`JIEBEI`'s ``penalty_rate`` is resolved for (cfg): 12% a year on actual/360,
#: the rate of the library's loan examples, so the resolved penalty is 1.5 x 0.0333% = 0.05% a day.
JIEBEI_REFERENCE_RATE: Final = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
#: Jiebei's overdue penalty as a multiple of the contract rate (cfg): the contract rate plus 50%
#: (在合同利率基础上上浮50%), the form commonly cited for Jiebei's contract.
JIEBEI_PENALTY_MULTIPLE: Final = Decimal("1.5")


def _multiple(value: AmountLike | None) -> Decimal | None:
    if value is None:
        return None
    number = to_decimal(value, "penalty_multiple")
    if number < 0:
        raise InvalidAmountError(f"penalty_multiple must not be negative, got {number}")
    return number


#: Penalty, then fees, then interest, then principal (先罚息、后费用、再利息、最后本金).
DEFAULT_ORDER: Final = (Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL)


def _order(value: Iterable[Component]) -> tuple[Component, ...]:
    order = tuple(value)
    if sorted(order, key=lambda c: c.value) != sorted(Component, key=lambda c: c.value):
        raise InvalidAmountError(
            f"allocation_order must name every component exactly once, got {[c.value for c in order]}"
        )
    return order


@attrs.frozen
class PrepaymentFeePolicy:
    """The fee for repaying principal early: ``rate`` × prepaid principal (cfg).

    Rounded to the fen with ``rounding`` (half-up by default); waived once
    ``free_after_months`` full months have passed since disbursement.

    >>> policy = PrepaymentFeePolicy(Rate.percent("2"), free_after_months=12)
    >>> policy.fee(CNY("5000"), date(2024, 1, 15), date(2024, 6, 1))
    Money('100.00', 'CNY')
    >>> policy.fee(CNY("5000"), date(2024, 1, 15), date(2025, 1, 15))
    Money('0.00', 'CNY')

    Args:
        rate: the fee rate on the prepaid principal (0 for no fee).
        free_after_months: months after disbursement from which prepayment is free; ``None`` = never.
        rounding: the rounding mode of the fee.

    .. versionadded:: 0.1.0
    """

    rate: Rate = _ZERO_RATE
    free_after_months: int | None = None
    rounding: Rounding = Rounding.HALF_UP

    def fee(self, prepaid: Money, disbursed_on: date, on: date) -> Money:
        """The fee for prepaying ``prepaid`` principal on ``on``.

        >>> NO_PREPAYMENT_FEE.fee(CNY("1000"), date(2024, 1, 1), date(2024, 2, 1))
        Money('0.00', 'CNY')
        """
        from antfin.calendar import add_months

        ensure_date(on, "on")
        if self.free_after_months is not None and on >= add_months(disbursed_on, self.free_after_months):
            return prepaid.currency.zero()
        return self.rate.of(prepaid, rounding=self.rounding)


#: No prepayment fee (Jiebei).
NO_PREPAYMENT_FEE: Final = PrepaymentFeePolicy()


def _bounds(value: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    bounds = tuple((str(name), int(start)) for name, start in value)
    starts = [start for _, start in bounds]
    if not bounds or starts[0] != 1 or starts != sorted(set(starts)):
        raise InvalidAmountError(f"bucket starts must begin at 1 and strictly increase, got {starts}")
    return bounds


@attrs.frozen
class DelinquencyBuckets:
    """Delinquency buckets by days past due (cfg): each bucket starts at its day and runs to the next.

    >>> [DEFAULT_BUCKETS.bucket(d) for d in (0, 1, 30, 31, 60, 61, 90, 91, 400)]
    ['CURRENT', 'M1', 'M1', 'M2', 'M2', 'M3', 'M3', 'M3+', 'M3+']

    Args:
        bounds: ``(name, first day)`` pairs, the first starting at day 1.

    Raises:
        antfin.errors.InvalidAmountError: when the starts do not begin at 1 and increase.

    .. versionadded:: 0.1.0
    """

    bounds: tuple[tuple[str, int], ...] = attrs.field(converter=_bounds)
    current: str = "CURRENT"

    def bucket(self, days_past_due: int) -> str:
        """The bucket for a number of days past due (``current`` for 0).

        >>> DEFAULT_BUCKETS.bucket(45)
        'M2'

        Raises:
            antfin.errors.InvalidAmountError: for negative days.
        """
        check_int(days_past_due, "days_past_due", at_least=0)
        found = self.current
        for name, start in self.bounds:
            if days_past_due >= start:
                found = name
        return found


#: M1 1-30, M2 31-60, M3 61-90, M3+ over 90 days past due.
DEFAULT_BUCKETS: Final = DelinquencyBuckets((("M1", 1), ("M2", 31), ("M3", 61), ("M3+", 91)))


@attrs.frozen
class LoanProduct:
    """A loan product's rules (cfg): where its revenue goes and how it treats payments and lateness.

    >>> custom = LoanProduct("demo", "Demo loan", ProfitPoint.MYBANK_INTEREST, ProfitPoint.MYBANK_FEE,
    ...                      ProfitPoint.MYBANK_PENALTY, penalty_rate=Rate.percent("0.03"))
    >>> custom.penalty_rate.value
    Decimal('0.0003')

    Args:
        code: short code used in account ids (``asset:loans:<code>:<loan_id>``).
        name: display name.
        interest_point: profit point credited with interest.
        fee_point: profit point credited with fees (periodic, upfront and prepayment fees).
        penalty_point: profit point credited with overdue penalty.
        penalty_rate: penalty per day on the overdue amount (0.05%/day by default); for a
            product with a ``penalty_multiple``, the rate resolved for one contract rate
            (see :meth:`penalty_rate_for` and :meth:`for_contract`).
        penalty_multiple: when set, the daily penalty is this multiple of the loan's
            contract daily rate (Jiebei: 1.5, cfg) instead of a fixed rate.
        allocation_order: the order components are paid in.
        prepayment_fee: the prepayment fee policy.
        buckets: the delinquency buckets.
        rounding: rounding mode for interest for days used and for the penalty.

    .. versionadded:: 0.1.0
    """

    code: str
    name: str
    interest_point: ProfitPoint
    fee_point: ProfitPoint
    penalty_point: ProfitPoint
    penalty_rate: Rate = _DAILY_PENALTY
    allocation_order: tuple[Component, ...] = attrs.field(default=DEFAULT_ORDER, converter=_order)
    prepayment_fee: PrepaymentFeePolicy = NO_PREPAYMENT_FEE
    buckets: DelinquencyBuckets = DEFAULT_BUCKETS
    rounding: Rounding = Rounding.HALF_UP
    penalty_multiple: Decimal | None = attrs.field(default=None, converter=_multiple)

    def penalty_rate_for(self, contract: LoanRate) -> Rate:
        """The daily penalty rate for a loan at ``contract``: the multiple of its daily rate, or the fixed rate.

        >>> from antfin.rates import DayCount
        >>> str(JIEBEI.penalty_rate_for(LoanRate.annual(Rate.percent("18"), DayCount.ACT_360)))  # 1.5 x 0.05%
        '0.075%'
        >>> str(MYBANK.penalty_rate_for(LoanRate.annual(Rate.percent("18"), DayCount.ACT_360)))
        '0.05%'

        Raises:
            TypeError: when ``contract`` is not a :class:`~antfin.credit.schedule.LoanRate`.

        .. versionadded:: 0.2.0
        """
        if not isinstance(contract, LoanRate):
            raise TypeError(f"contract must be a LoanRate, not {type(contract).__name__}")
        if self.penalty_multiple is None:
            return self.penalty_rate
        return Rate(_CONTEXT.multiply(self.penalty_multiple, contract.daily_rate).normalize(_CONTEXT))

    def for_contract(self, contract: LoanRate) -> LoanProduct:
        """This product with ``penalty_rate`` resolved for a loan at ``contract`` (unchanged without a multiple).

        A :class:`~antfin.credit.loan.Loan` charges its product's ``penalty_rate``;
        pass ``product=JIEBEI.for_contract(rate)`` so a Jiebei loan's penalty is
        1.5 times its own contract rate.

        >>> from antfin.rates import DayCount
        >>> JIEBEI.for_contract(LoanRate.daily(Rate.percent("0.03"), DayCount.ACT_360)).penalty_rate
        Rate(value=Decimal('0.00045'))

        .. versionadded:: 0.2.0
        """
        return attrs.evolve(self, penalty_rate=self.penalty_rate_for(contract))


#: Jiebei (借呗) loans, no prepayment fee; the overdue penalty is 1.5 times the contract rate (cfg).
#: ``penalty_rate`` is resolved for :data:`JIEBEI_REFERENCE_RATE` (0.05%/day); a loan at another rate
#: gets its own with ``product=JIEBEI.for_contract(rate)``.
JIEBEI: Final = LoanProduct(
    "jiebei",
    "Jiebei",
    ProfitPoint.JIEBEI_INTEREST,
    ProfitPoint.JIEBEI_FEE,
    ProfitPoint.JIEBEI_PENALTY,
    penalty_rate=Rate(_CONTEXT.multiply(JIEBEI_PENALTY_MULTIPLE, JIEBEI_REFERENCE_RATE.daily_rate).normalize(_CONTEXT)),
    penalty_multiple=JIEBEI_PENALTY_MULTIPLE,
)

#: MYbank (网商贷) business loans, 1% prepayment fee on prepaid principal (cited range 1-3%), 0.05%/day penalty (cfg).
MYBANK: Final = LoanProduct(
    "mybank",
    "MYbank",
    ProfitPoint.MYBANK_INTEREST,
    ProfitPoint.MYBANK_FEE,
    ProfitPoint.MYBANK_PENALTY,
    prepayment_fee=PrepaymentFeePolicy(Rate.percent("1")),
)
