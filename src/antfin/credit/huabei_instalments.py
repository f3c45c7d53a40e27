"""Huabei instalments (花呗分期): dated fee tables, exact plans, early settlement and the disclosed APR.

A bill or a single purchase is spread over 3, 6, 9 or 12 monthly periods for a
total fee of a fixed percentage of the principal. Each period pays principal ÷ n
and fee ÷ n, rounded to the fen, and the LAST period takes the rounding residue,
so the plan's totals are exact.

>>> from antfin.credit.huabei_instalments import plan_instalments
>>> plan = plan_instalments(CNY("5000"), 12, on=date(2024, 3, 1))
>>> plan.total, plan.fee
(Money('5440.00', 'CNY'), Money('440.00', 'CNY'))
>>> plan.periods[0].total, plan.periods[-1].total
(Money('453.34', 'CNY'), Money('453.26', 'CNY'))
>>> plan.annualized_rate()
Decimal('0.1586')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import functools
import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from antfin.calendar import ensure_date
from antfin.credit.schedule import MAX_TERM  # the longest term in months: a forged plan derives no more periods
from antfin.errors import InvalidAmountError, OutsideCoverageError, PolicyViolationError
from antfin.money import Money, Rounding
from antfin.rates import Rate, annualized_rate
from antfin.validators import check_int, check_non_negative, check_positive, check_rate

__all__ = [
    "CURRENT_FEE_TABLE",
    "DEFAULT_FEE_SCHEDULE",
    "LEGACY_FEE_TABLE",
    "EarlySettlement",
    "EarlySettlementPolicy",
    "InstalmentFeeSchedule",
    "InstalmentFeeTable",
    "InstalmentPeriod",
    "InstalmentPlan",
    "plan_instalments",
    "split_exact",
]


def _rates_converter(value: Mapping[int, Rate] | Iterable[tuple[int, Rate]]) -> tuple[tuple[int, Rate], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((int(term), rate) for term, rate in items))


def _check_rates(instance: object, attribute: attrs.Attribute[Any], value: tuple[tuple[int, Rate], ...]) -> None:
    if not value:
        raise InvalidAmountError(f"{attribute.name} must list at least one term, got none")
    seen: set[int] = set()
    for term, rate in value:
        if not 2 <= term <= MAX_TERM:
            raise InvalidAmountError(f"{attribute.name}: a term must be 2 to {MAX_TERM} months, got {term}")
        if term in seen:
            raise InvalidAmountError(f"{attribute.name}: term {term} is listed twice")
        check_rate(rate, f"{attribute.name}: the fee for term {term}")
        seen.add(term)


@attrs.frozen
class InstalmentFeeTable:
    """One version of the instalment fee table: total fee rate by term, in force from a date (cfg).

    >>> CURRENT_FEE_TABLE.rate_for(12)
    Rate(value=Decimal('0.088'))
    >>> CURRENT_FEE_TABLE.terms
    (3, 6, 9, 12)
    >>> LEGACY_FEE_TABLE.rate_for(12)
    Traceback (most recent call last):
    ...
    antfin.errors.PolicyViolationError: term: 12 months is not in fee table 'huabei-2014'; expected one of 3, 6, 9

    Args:
        version: a name for the table, e.g. ``"huabei-2016"``.
        effective_from: first date the table applies to (Asia/Shanghai).
        rates: ``{term_months: Rate}``; the rate is the TOTAL fee over the plan, not per month.

    .. versionadded:: 0.1.0
    """

    version: str
    effective_from: date = attrs.field(validator=lambda _i, _a, v: ensure_date(v, "effective_from"))
    rates: tuple[tuple[int, Rate], ...] = attrs.field(converter=_rates_converter, validator=_check_rates)

    @property
    def terms(self) -> tuple[int, ...]:
        """The terms (months) this table offers, ascending.

        >>> LEGACY_FEE_TABLE.terms
        (3, 6, 9)
        """
        return tuple(term for term, _ in self.rates)

    def rate_for(self, term: int) -> Rate:
        """The total fee rate for ``term`` months.

        >>> str(CURRENT_FEE_TABLE.rate_for(6))
        '4.5%'

        Raises:
            TypeError: when ``term`` is not an int.
            antfin.errors.PolicyViolationError: for a term the table does not offer.
        """
        check_int(term, "term")
        for offered, rate in self.rates:
            if offered == term:
                return rate
        expected = ", ".join(str(t) for t in self.terms)
        raise PolicyViolationError(
            f"term: {term} months is not in fee table {self.version!r}; expected one of {expected}"
        )


#: The table Huabei launched with (cfg; commonly cited, not contract text): 2.3% / 4.5% / 7.5% for 3 / 6 / 9 months.
LEGACY_FEE_TABLE = InstalmentFeeTable(
    "huabei-2014",
    date(2014, 12, 1),
    {3: Rate.percent("2.3"), 6: Rate.percent("4.5"), 9: Rate.percent("7.5")},
)

#: The current table (cfg; commonly cited): 2.5% / 4.5% / 6.5% / 8.8% for 3 / 6 / 9 / 12 months.
CURRENT_FEE_TABLE = InstalmentFeeTable(
    "huabei-2016",
    date(2016, 1, 1),
    {3: Rate.percent("2.5"), 6: Rate.percent("4.5"), 9: Rate.percent("6.5"), 12: Rate.percent("8.8")},
)


def _tables_converter(value: Iterable[InstalmentFeeTable]) -> tuple[InstalmentFeeTable, ...]:
    return tuple(sorted(value, key=lambda table: table.effective_from))


def _check_tables(instance: object, attribute: attrs.Attribute[Any], value: tuple[InstalmentFeeTable, ...]) -> None:
    if not value:
        raise InvalidAmountError("tables must hold at least one InstalmentFeeTable")
    for earlier, later in itertools.pairwise(value):
        if earlier.effective_from == later.effective_from:
            raise InvalidAmountError(
                f"tables {earlier.version!r} and {later.version!r} both start on {later.effective_from}; "
                "expected one table per effective date"
            )


@attrs.frozen
class InstalmentFeeSchedule:
    """Versioned fee tables: the one in force on a date is the latest that started on or before it (cfg).

    >>> DEFAULT_FEE_SCHEDULE.table_on(date(2015, 6, 1)).version
    'huabei-2014'
    >>> DEFAULT_FEE_SCHEDULE.table_on(date(2024, 6, 1)).version
    'huabei-2016'
    >>> DEFAULT_FEE_SCHEDULE.table_on(date(2014, 1, 1))
    Traceback (most recent call last):
    ...
    antfin.errors.OutsideCoverageError: on: 2014-01-01 is before the first fee table (huabei-2014, from 2014-12-01)

    .. versionadded:: 0.1.0
    """

    tables: tuple[InstalmentFeeTable, ...] = attrs.field(converter=_tables_converter, validator=_check_tables)

    def table_on(self, on: date) -> InstalmentFeeTable:
        """The table in force on ``on``.

        >>> DEFAULT_FEE_SCHEDULE.table_on(date(2016, 1, 1)).terms
        (3, 6, 9, 12)

        Raises:
            antfin.errors.OutsideCoverageError: for a date before the first table.
            TypeError: when ``on`` is not a date.
        """
        ensure_date(on, "on")
        found: InstalmentFeeTable | None = None
        for table in self.tables:
            if table.effective_from <= on:
                found = table
        if found is None:
            first = self.tables[0]
            raise OutsideCoverageError(
                f"on: {on} is before the first fee table ({first.version}, from {first.effective_from})"
            )
        return found


#: Both tables, the legacy one and the current one (cfg).
DEFAULT_FEE_SCHEDULE = InstalmentFeeSchedule((LEGACY_FEE_TABLE, CURRENT_FEE_TABLE))


def split_exact(total: Money, parts: int, rounding: Rounding | str = Rounding.HALF_UP) -> tuple[Money, ...]:
    """Split ``total`` into ``parts``: each of the first ``parts - 1`` is total ÷ parts rounded with
    ``rounding``, and the last takes the residue, so the parts sum exactly to ``total``.

    If rounding up would leave the last part negative (only for totals of a few fen),
    the parts are rounded :attr:`~antfin.money.Rounding.DOWN` instead.

    >>> split_exact(CNY("5000"), 12)[-2:]
    (Money('416.67', 'CNY'), Money('416.63', 'CNY'))
    >>> split_exact(CNY("0.06"), 12)[-1]
    Money('0.06', 'CNY')

    Args:
        total: a non-negative amount.
        parts: the number of parts, at least 1.
        rounding: how each regular part is rounded to the fen (default HALF_UP).

    Raises:
        antfin.errors.InvalidAmountError: for a negative total or fewer than one part.

    .. versionadded:: 0.1.0
    """
    check_int(parts, "parts", at_least=1)
    check_non_negative(total, "total")
    regular = total.divide(parts, rounding=rounding)
    if regular * (parts - 1) > total:
        regular = total.divide(parts, rounding=Rounding.DOWN)
    last = total - regular * (parts - 1)
    return (regular,) * (parts - 1) + (last,)


@attrs.frozen
class InstalmentPeriod:
    """One period of a plan: principal and fee due in the ``number``-th bill of the plan.

    >>> period = plan_instalments(CNY("300"), 3, on=date(2024, 3, 1)).periods[0]
    >>> period.number, period.principal, period.fee, period.total
    (1, Money('100.00', 'CNY'), Money('2.50', 'CNY'), Money('102.50', 'CNY'))

    .. versionadded:: 0.1.0
    """

    number: int
    principal: Money
    fee: Money

    @property
    def total(self) -> Money:
        """Principal plus fee.

        >>> InstalmentPeriod(1, CNY("10"), CNY("1")).total
        Money('11.00', 'CNY')
        """
        return self.principal + self.fee


class EarlySettlementPolicy(enum.Enum):
    """What an early settlement costs beyond the principal left (cfg).

    >>> EarlySettlementPolicy.WAIVE_UNBILLED_FEES.value
    'waive_unbilled_fees'

    .. versionadded:: 0.1.0
    """

    #: Principal left plus fees already billed; fees of periods not yet billed are waived (Huabei's rule).
    WAIVE_UNBILLED_FEES = "waive_unbilled_fees"
    #: Principal left plus every remaining fee.
    CHARGE_ALL_FEES = "charge_all_fees"


@attrs.frozen
class EarlySettlement:
    """The amounts of an early settlement: principal still to pay, fee charged now and fee waived.

    >>> s = plan_instalments(CNY("600"), 6, on=date(2024, 3, 1)).early_settlement(2)
    >>> s.principal, s.fee, s.waived_fee, s.total
    (Money('400.00', 'CNY'), Money('0.00', 'CNY'), Money('18.00', 'CNY'), Money('400.00', 'CNY'))

    .. versionadded:: 0.1.0
    """

    principal: Money
    fee: Money
    waived_fee: Money

    @property
    def total(self) -> Money:
        """What the borrower pays now: principal plus the fee charged.

        >>> EarlySettlement(CNY("10"), CNY("1"), CNY("2")).total
        Money('11.00', 'CNY')
        """
        return self.principal + self.fee


@attrs.frozen
class InstalmentPlan:
    """An exact instalment plan. Build it with :func:`plan_instalments`.

    >>> plan = plan_instalments(CNY("1000"), 3, on=date(2024, 3, 1), merchant_paid=True)
    >>> plan.fee, plan.merchant_fee, plan.total
    (Money('0.00', 'CNY'), Money('25.00', 'CNY'), Money('1000.00', 'CNY'))

    Attributes:
        principal: the amount spread.
        term: months.
        fee_rate: the table's total fee rate for the term.
        fee_table: version of the fee table used.
        fee: total fee the BORROWER pays (zero when the merchant pays).
        merchant_fee: total fee the MERCHANT pays (免息分期), zero otherwise.
        merchant_paid: ``True`` when the merchant bears the fee (免息分期).
        period_rounding: how each regular period's principal and fee are
            rounded to the fen (:func:`split_exact`).

    The periods are derived from these fields, never stored: a document of an
    older version that holds them loads only if they are the ones derived.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``periods`` is derived (it was a field), from
       the new field ``period_rounding``.
    """

    #: Values derived from the fields that older documents stored (see :mod:`antfin.serialization`).
    __antfin_derived__: ClassVar[Mapping[str, object]] = {"periods": tuple[InstalmentPeriod, ...]}

    principal: Money
    term: int
    fee_rate: Rate
    fee_table: str
    fee: Money
    merchant_fee: Money
    merchant_paid: bool = False
    period_rounding: Rounding = Rounding.HALF_UP

    def __attrs_post_init__(self) -> None:
        check_positive(self.principal, "principal")
        check_int(self.term, "term", at_least=1, at_most=MAX_TERM)
        check_non_negative(self.fee, "fee")
        check_non_negative(self.merchant_fee, "merchant_fee")
        if not isinstance(self.period_rounding, Rounding):
            raise TypeError(f"period_rounding must be a Rounding, got {type(self.period_rounding).__name__}")

    @functools.cached_property
    def periods(self) -> tuple[InstalmentPeriod, ...]:
        """One :class:`InstalmentPeriod` per month: principal and fee each split with :func:`split_exact`.

        Derived once per plan (the plan is frozen), on first use.

        >>> [period.total for period in plan_instalments(CNY("100"), 3, on=date(2024, 3, 1)).periods]
        [Money('34.16', 'CNY'), Money('34.16', 'CNY'), Money('34.18', 'CNY')]
        """
        principals = split_exact(self.principal, self.term, self.period_rounding)
        fees = split_exact(self.fee, self.term, self.period_rounding)
        return tuple(
            InstalmentPeriod(number, part, fee)
            for number, (part, fee) in enumerate(zip(principals, fees, strict=True), 1)
        )

    @property
    def total(self) -> Money:
        """What the borrower repays over the plan: principal plus the borrower's fee.

        >>> plan_instalments(CNY("300"), 3, on=date(2024, 3, 1)).total
        Money('307.50', 'CNY')
        """
        return self.principal + self.fee

    def annualized_rate(self, *, places: int = 4) -> Decimal:
        """The disclosed annualized rate: monthly IRR of the borrower's flows × 12 (PBOC 2021 style).

        Uses :func:`antfin.rates.annualized_rate`; 8.8% over 12 months is about 15.86% a year.

        >>> plan_instalments(CNY("5000"), 12, on=date(2024, 3, 1)).annualized_rate()
        Decimal('0.1586')
        >>> plan_instalments(CNY("5000"), 12, on=date(2024, 3, 1), merchant_paid=True).annualized_rate()
        Decimal('0')

        Args:
            places: decimals of the returned fraction (4 = hundredths of a percent).

        Returns:
            The annual rate as a fraction, rounded half-even.
        """
        if self.fee.is_zero():
            return Decimal(0)
        flows = [self.principal] + [-period.total for period in self.periods]
        return annualized_rate(flows, 12, places=places)

    def early_settlement(
        self, periods_billed: int, policy: EarlySettlementPolicy = EarlySettlementPolicy.WAIVE_UNBILLED_FEES
    ) -> EarlySettlement:
        """The amounts to settle the plan after ``periods_billed`` periods have been billed.

        Billed periods are owed through their bills; settling pays the principal of the
        periods not yet billed, plus (by policy) their fees.

        >>> plan = plan_instalments(CNY("5000"), 12, on=date(2024, 3, 1))
        >>> plan.early_settlement(3).principal
        Money('3749.99', 'CNY')
        >>> plan.early_settlement(3, EarlySettlementPolicy.CHARGE_ALL_FEES).fee
        Money('329.99', 'CNY')

        Args:
            periods_billed: 0 .. term - 1.
            policy: see :class:`EarlySettlementPolicy` (cfg; default waives unbilled fees).

        Raises:
            antfin.errors.InvalidAmountError: when ``periods_billed`` is outside 0 .. term - 1.
        """
        check_int(periods_billed, "periods_billed")
        if not 0 <= periods_billed < self.term:
            raise InvalidAmountError(
                f"periods_billed must be between 0 and {self.term - 1} for a {self.term}-month plan, "
                f"got {periods_billed}"
            )
        rest = self.periods[periods_billed:]
        zero = self.principal.currency.zero()
        principal = sum((period.principal for period in rest), zero)
        fees = sum((period.fee for period in rest), zero)
        if policy is EarlySettlementPolicy.CHARGE_ALL_FEES:
            return EarlySettlement(principal, fees, zero)
        return EarlySettlement(principal, zero, fees)


def plan_instalments(
    principal: Money,
    term: int,
    *,
    on: date,
    schedule: InstalmentFeeSchedule = DEFAULT_FEE_SCHEDULE,
    merchant_paid: bool = False,
    fee_rounding: Rounding | str = Rounding.HALF_UP,
    period_rounding: Rounding | str = Rounding.HALF_UP,
) -> InstalmentPlan:
    """Spread ``principal`` over ``term`` months at the fee table in force ``on``.

    The total fee is principal × rate rounded to the fen with ``fee_rounding``; principal
    and fee are each split with :func:`split_exact` (the last period takes the residue).
    When ``merchant_paid`` the merchant bears the whole fee and the borrower pays
    principal only.

    >>> plan = plan_instalments(CNY("5000"), 12, on=date(2024, 3, 1))
    >>> sum(p.total for p in plan.periods)
    Money('5440.00', 'CNY')
    >>> plan_instalments(CNY("5000"), 12, on=date(2015, 3, 1))
    Traceback (most recent call last):
    ...
    antfin.errors.PolicyViolationError: term: 12 months is not in fee table 'huabei-2014'; expected one of 3, 6, 9

    Args:
        principal: a positive amount.
        term: months; must be offered by the table in force.
        on: the date the plan is made (selects the fee table version).
        schedule: versioned fee tables (cfg).
        merchant_paid: the merchant pays the fee (免息分期).
        fee_rounding: rounding of the total fee (default HALF_UP).
        period_rounding: rounding of each regular period's parts (default HALF_UP).

    Raises:
        antfin.errors.InvalidAmountError: for a zero or negative principal.
        antfin.errors.PolicyViolationError: for a term the table does not offer.
        antfin.errors.OutsideCoverageError: for a date before the first table.
        TypeError: for a principal that is not Money or a term that is not an int.

    .. versionadded:: 0.1.0
    """
    check_positive(principal, "principal")
    table = schedule.table_on(on)
    rate = table.rate_for(term)
    fee_total = rate.of(principal, rounding=fee_rounding)
    zero = principal.currency.zero()
    borrower_fee, merchant_fee = (zero, fee_total) if merchant_paid else (fee_total, zero)
    return InstalmentPlan(
        principal, term, rate, table.version, borrower_fee, merchant_fee, merchant_paid, Rounding.of(period_rounding)
    )
