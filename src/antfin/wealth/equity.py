"""Equity interests: Ant's 51% of Tianhong (天弘基金), Yu'ebao's manager, is ownership, not fee revenue.

The case study: in October 2013 Alipay subscribed 51% of Tianhong for 1.18
billion yuan (同年10月支付宝以11.8亿元认购了天弘基金51%的股份). Tianhong earns
Yu'ebao's management fee; Ant earns a share of Tianhong's results as its
owner. That share is equity-method income (投资收益), reported apart from the
fees Ant earns itself and never booked to a fee revenue account.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> ledger = Ledger()
>>> _ = ledger.open_account("asset:fund", AccountKind.ASSET)
>>> _ = ledger.open_account("fund:yuebao:party:manager", AccountKind.LIABILITY)
>>> _ = ledger.transfer("fee", debit="asset:fund", credit="fund:yuebao:party:manager", amount=CNY("1000.00"),
...                     at=shanghai(2024, 6, 3, 23))
>>> income = equity_method_income(ledger, TIANHONG, manager_account="fund:yuebao:party:manager",
...                               start=shanghai(2024, 6, 1), end=shanghai(2024, 7, 1))
>>> income.investee_income, income.share_of_income
(Money('1000.00', 'CNY'), Money('510.00', 'CNY'))

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_aware, ensure_date, local_date
from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError
from antfin.ledger import Ledger
from antfin.money import CNY, AmountLike, Money, Rounding, to_decimal

__all__ = ["TIANHONG", "EquityIncome", "EquityInterest", "equity_method_income"]


def _share(value: AmountLike) -> Decimal:
    share = to_decimal(value, "share")
    if not Decimal(0) < share <= Decimal(1):
        raise InvalidAmountError(f"share must be above 0 and at most 1, got {share}")
    return share


def _check_cost(_instance: object, _attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money):
        raise TypeError(f"cost must be Money, not {type(value).__name__}")
    if value.is_negative():
        raise InvalidAmountError(f"cost must not be negative, got {value}")


@attrs.frozen
class EquityInterest:
    """An ownership stake in another company: who, how much, since when, at what cost, and the source.

    >>> TIANHONG.share, TIANHONG.cost, TIANHONG.acquired_on
    (Decimal('0.51'), Money('1180000000.00', 'CNY'), datetime.date(2013, 10, 1))

    Args:
        investee: the company owned.
        share: the fraction owned (0 < share <= 1).
        acquired_on: the first day of ownership.
        cost: what the stake cost.
        source: the public source, or an assumption (cfg).

    .. versionadded:: 0.2.0
    """

    investee: str = attrs.field(validator=attrs.validators.instance_of(str))
    share: Decimal = attrs.field(converter=_share)
    acquired_on: date = attrs.field(validator=lambda _i, _a, value: ensure_date(value, "acquired_on"))
    cost: Money = attrs.field(validator=_check_cost)
    source: str = attrs.field(validator=attrs.validators.instance_of(str))

    def share_of(self, income: Money, rounding: Rounding | str = Rounding.HALF_EVEN) -> Money:
        """The owner's share of the investee's ``income``, rounded to the fen with a named mode.

        >>> TIANHONG.share_of(CNY("0.03"))   # 0.0153 -> 0.02 half-even
        Money('0.02', 'CNY')
        """
        return income.multiply(self.share, rounding=rounding)


#: Ant's stake in Tianhong Asset Management (天弘基金), Yu'ebao's manager.
TIANHONG: Final = EquityInterest(
    investee="Tianhong Asset Management (天弘基金管理有限公司)",
    share="0.51",
    acquired_on=date(2013, 10, 1),
    cost=CNY("1180000000.00"),
    source="case study (2020 report): 2013年10月支付宝以11.8亿元认购了天弘基金51%的股份; the day in October "
    "is an assumption (cfg)",
)


@attrs.frozen
class EquityIncome:
    """The owner's share of an investee's income over a period: equity-method income, not fee revenue.

    >>> EquityIncome(TIANHONG, date(2024, 1, 1), date(2024, 2, 1), CNY("100.00"), CNY("51.00")).kind
    'equity-method income (投资收益), not fee revenue'

    Attributes:
        interest: the stake.
        start: first day of the period.
        end: the day after the period.
        investee_income: what the investee earned in the period (here: the manager's fee income,
            a proxy for its results, since the model books no manager costs; cfg).
        share_of_income: the owner's share of it.

    .. versionadded:: 0.2.0
    """

    interest: EquityInterest
    start: date
    end: date
    investee_income: Money
    share_of_income: Money

    @property
    def kind(self) -> str:
        """How the amount is reported.

        >>> EquityIncome(TIANHONG, date(2024, 1, 1), date(2024, 1, 2), CNY("0"), CNY("0")).kind.split(" (")[0]
        'equity-method income'
        """
        return "equity-method income (投资收益), not fee revenue"


def equity_method_income(
    ledger: Ledger,
    interest: EquityInterest,
    *,
    manager_account: str,
    start: datetime,
    end: datetime,
    rounding: Rounding | str = Rounding.HALF_EVEN,
) -> EquityIncome:
    """The owner's share of the fees booked to ``manager_account`` between ``start`` and ``end``.

    Reads the ledger only (nothing is booked): the manager's fee income is the
    growth of what the fund owes it over the period (a liability account, so
    fees paid out to the manager in between would have to be added back: the
    model keeps them on the account). The share is reported, not posted to any
    revenue account: the income statement's fee revenue does not include it.

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import AccountKind, Ledger
    >>> ledger = Ledger()
    >>> _ = ledger.open_account("fund:yuebao:party:manager", AccountKind.LIABILITY)
    >>> equity_method_income(ledger, TIANHONG, manager_account="fund:yuebao:party:manager",
    ...                      start=shanghai(2013, 6, 1), end=shanghai(2013, 7, 1))
    Traceback (most recent call last):
    ...
    antfin.errors.OutsideCoverageError: Ant's stake in Tianhong... starts on 2013-10-01; the period starts 2013-06-01

    Raises:
        antfin.errors.InvalidTimeError: ``end`` not after ``start``, or naive instants.
        antfin.errors.OutsideCoverageError: a period that starts before the stake was acquired.
        antfin.errors.NotFoundError: an unknown manager account.

    .. versionadded:: 0.2.0
    """
    first, last = ensure_aware(start, "start"), ensure_aware(end, "end")
    if last <= first:
        raise InvalidTimeError(f"end {last.isoformat()} must be after start {first.isoformat()}")
    if local_date(first) < interest.acquired_on:
        opened = local_date(first)
        raise OutsideCoverageError(
            f"Ant's stake in {interest.investee} starts on {interest.acquired_on}; the period starts {opened}"
        )
    earned = ledger.balance(manager_account, at=last) - ledger.balance(manager_account, at=first)
    return EquityIncome(
        interest, local_date(first), local_date(last), earned, interest.share_of(earned, rounding=rounding)
    )
