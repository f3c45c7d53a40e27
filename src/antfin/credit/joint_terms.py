"""Joint-lending terms (dated, sourced) and how one schedule is shared among its funders.

>>> from antfin.credit.joint_terms import DEFAULT_JOINT_LENDING
>>> str(DEFAULT_JOINT_LENDING.terms_on(date(2024, 1, 1)).ant_share)
'2%'

See :mod:`antfin.credit.joint` for the loans and the funding-model comparison.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.credit.schedule import Schedule
from antfin.errors import InvalidAmountError, OutsideCoverageError
from antfin.money import Money, Rounding
from antfin.rates import Rate
from antfin.validators import check_int, check_rate

__all__ = [
    "ANT",
    "CBIRC_DRAFT_2020",
    "DEFAULT_JOINT_LENDING",
    "PROSPECTUS_2020",
    "JointLendingSchedule",
    "JointLendingTerms",
    "split_schedule",
]

#: The funder name of Ant's own lender in splits and reports.
ANT: Final = "ant"


@attrs.frozen
class JointLendingTerms:
    """One dated version of the joint-lending terms: Ant's funding share and its technology service fee.

    >>> str(PROSPECTUS_2020.ant_share), str(PROSPECTUS_2020.tech_fee_share)
    ('2%', '30%')

    Args:
        version: a name for this version.
        effective_from: first day it applies.
        ant_share: the share of each loan funded by Ant's lender (the rest by partners).
        tech_fee_share: the share of the partners' interest they pay Ant as a technology service fee.
        rounding: rounding of each technology service fee to the fen.
        source: where the numbers come from.

    Raises:
        antfin.errors.InvalidAmountError: a share above 100%.

    .. versionadded:: 0.2.0
    """

    version: str
    effective_from: date
    ant_share: Rate
    tech_fee_share: Rate
    rounding: Rounding = Rounding.HALF_UP
    source: str = "assumption"

    def __attrs_post_init__(self) -> None:
        ensure_date(self.effective_from, "effective_from")
        for name in ("ant_share", "tech_fee_share"):
            value = check_rate(getattr(self, name), name)
            if value.value > 1:
                raise InvalidAmountError(f"{name} must be at most 100%, got {value}")


#: Ant Group's prospectus (招股说明书, 2020-08-25): at 2020-06-30 about 98% of the credit balance it
#: facilitated was funded by partner financial institutions or securitised, so Ant's lenders held about 2%.
#: The 30% fee share of the partners' interest is an assumption (not disclosed per loan).
PROSPECTUS_2020: Final = JointLendingTerms(
    "prospectus-2020",
    date(2020, 6, 30),
    Rate.percent("2"),
    Rate.percent("30"),
    source="Ant Group prospectus, 2020-08-25 (~98% funded by partners at 2020-06-30); fee share: assumption",
)

#: The CBIRC/PBOC draft rules for online microlenders (网络小额贷款业务管理暂行办法（征求意见稿）,
#: 2020-11-02): in joint lending the microlender funds at least 30%. A draft, so not in the default
#: schedule; add it to price the stricter regime.
CBIRC_DRAFT_2020: Final = JointLendingTerms(
    "cbirc-draft-2020-11",
    date(2020, 11, 2),
    Rate.percent("30"),
    Rate.percent("30"),
    source="CBIRC/PBOC draft of 2020-11-02 (at least 30% own funding); fee share: assumption",
)


def _terms_tables(value: Iterable[JointLendingTerms]) -> tuple[JointLendingTerms, ...]:
    tables = tuple(value)
    if not tables or not all(isinstance(table, JointLendingTerms) for table in tables):
        raise InvalidAmountError("a joint-lending schedule needs at least one JointLendingTerms")
    return tuple(sorted(tables, key=lambda table: table.effective_from))


@attrs.frozen
class JointLendingSchedule:
    """Dated joint-lending terms: the version in force on a date is the latest started on or before it.

    >>> DEFAULT_JOINT_LENDING.terms_on(date(2024, 1, 1)).version
    'prospectus-2020'
    >>> JointLendingSchedule((PROSPECTUS_2020, CBIRC_DRAFT_2020)).terms_on(date(2021, 1, 1)).version
    'cbirc-draft-2020-11'

    .. versionadded:: 0.2.0
    """

    tables: tuple[JointLendingTerms, ...] = attrs.field(converter=_terms_tables)

    def terms_on(self, on: date) -> JointLendingTerms:
        """The terms in force on ``on``.

        >>> DEFAULT_JOINT_LENDING.terms_on(date(2020, 6, 30)).source.startswith("Ant Group prospectus")
        True

        Raises:
            antfin.errors.OutsideCoverageError: for a date before the first version.
        """
        ensure_date(on, "on")
        found = [table for table in self.tables if table.effective_from <= on]
        if not found:
            first = self.tables[0]
            raise OutsideCoverageError(
                f"on: {on} is before the first joint-lending terms ({first.version}, from {first.effective_from})"
            )
        return found[-1]


#: The default schedule: the prospectus figures from 2020-06-30.
DEFAULT_JOINT_LENDING: Final = JointLendingSchedule((PROSPECTUS_2020,))


def _partners(value: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    pairs = tuple((name, weight) for name, weight in value)
    if not pairs:
        raise InvalidAmountError("partners: a joint loan needs at least one partner bank")
    for name, weight in pairs:
        if not isinstance(name, str) or not name or name == ANT or any(char.isspace() for char in name):
            raise InvalidAmountError(f"partners: {name!r} is not a usable partner id")
        check_int(weight, f"partners: the weight of {name!r}", at_least=1)
    if len({name for name, _ in pairs}) != len(pairs):
        raise InvalidAmountError("partners: each partner may appear once")
    return pairs


def _weights(terms: JointLendingTerms, partners: tuple[tuple[str, int], ...]) -> list[Decimal]:
    total = sum(weight for _, weight in partners)
    share = terms.ant_share.value
    return [share * total, *((1 - share) * weight for _, weight in partners)]


def split_schedule(
    schedule: Schedule, terms: JointLendingTerms, partners: Sequence[tuple[str, int]]
) -> dict[str, tuple[tuple[Money, Money], ...]]:
    """Each funder's (principal, interest) in every instalment, shared by funding; columns sum exactly.

    >>> from antfin.credit.schedule import LoanRate, amortize
    >>> from antfin.rates import DayCount
    >>> s = amortize(CNY("1000"), LoanRate.annual(Rate.percent("12"), DayCount.ACT_360), 2,
    ...              disbursed_on=date(2024, 1, 1))
    >>> parts = split_schedule(s, PROSPECTUS_2020, [("bank-a", 1), ("bank-b", 1)])
    >>> parts["ant"][0], parts["bank-a"][0]
    ((Money('9.95', 'CNY'), Money('0.20', 'CNY')), (Money('243.78', 'CNY'), Money('4.90', 'CNY')))

    Raises:
        antfin.errors.InvalidAmountError: a schedule with a fee column, or bad partners.

    .. versionadded:: 0.2.0
    """
    pairs = _partners(partners)
    if schedule.total_fee:
        raise InvalidAmountError("joint loans share principal and interest; a schedule with fees is not supported")
    weights = _weights(terms, pairs)
    names = [ANT, *(name for name, _ in pairs)]
    rows: dict[str, list[tuple[Money, Money]]] = {name: [] for name in names}
    zero = schedule.principal.currency.zero()
    repaid = zero
    before = (zero,) * len(names)
    for row in schedule.instalments:
        # Principal by cumulative allocation, so each funder's column sums to its funding exactly.
        repaid += row.principal
        after = repaid.allocate(weights) if repaid else (zero,) * len(names)
        interest = row.interest.allocate(weights) if row.interest else (zero,) * len(names)
        for index, name in enumerate(names):
            part = after[index] - before[index]
            if part.is_negative():
                raise InvalidAmountError(
                    f"instalment {row.number} repays {row.principal}, too little to share among {len(names)} funders"
                )
            rows[name].append((part, interest[index]))
        before = after
    return {name: tuple(parts) for name, parts in rows.items()}
