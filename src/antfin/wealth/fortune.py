"""Ant Fortune (蚂蚁聚宝): one portfolio view over Yu'ebao, Zhaocaibao, funds and stocks, and fund fees.

The case study: 蚂蚁聚宝 gathers Yu'ebao, Zhaocaibao, funds and stocks in one
place and earns fees from investors, fund redemption fees among them
(手续费：向投资收益人收取的手续费、基金赎回费等).

* A :class:`Portfolio` takes any holdings that have a ``kind``, a ``name`` and
  an ``amount`` (the :class:`PortfolioHolding` protocol), so Yu'ebao or any
  other product plugs in without this module importing it.
* Fund subscription fees are tiered by amount, discounted by the platform, and
  computed the standard net way: fee = amount − amount ÷ (1 + rate).
* Redemption fees depend on how long the units were held, and only part of
  one is the distributor's: under the CSRC's rules at least 25% goes to the
  fund's assets, and a redemption held under 7 days pays at least 1.5%, all of
  it to the fund's assets (:data:`~antfin.wealth.fortune_fees.DEFAULT_REDEMPTION_FEE_RULES`, dated, sourced).
* :func:`book_fund_subscription` and :func:`book_fund_redemption` post them to
  the ledger: the subscription fee and the distributor's share of a
  redemption fee to their profit points, the fund assets' share back to the fund.

The fee schedules and rules live in :mod:`antfin.wealth.fortune_fees` and are
re-exported here.

>>> quote = DEFAULT_SUBSCRIPTION_FEES.quote(CNY("10000.00"))
>>> quote.effective_rate, quote.fee, quote.net
(Decimal('0.0015'), Money('14.98', 'CNY'), Money('9985.02', 'CNY'))
>>> DEFAULT_REDEMPTION_FEES.quote(CNY("10000.00"), held_days=6).fee
Money('150.00', 'CNY')
>>> split = split_redemption_fee(DEFAULT_REDEMPTION_FEES.quote(CNY("10000.00"), held_days=30), on=date(2024, 3, 1))
>>> split.fund_assets, split.distributor
(Money('12.50', 'CNY'), Money('37.50', 'CNY'))

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs

from antfin.calendar import ensure_aware, local_date
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import InvalidAmountError
from antfin.ledger import Ledger, Posting
from antfin.money import CNY, AmountLike, Currency, Money, allocate_minor_units
from antfin.tables import DatedTable
from antfin.validators import attribute, check_non_negative
from antfin.wealth.fortune_fees import (
    DEFAULT_REDEMPTION_FEE_RULES,
    DEFAULT_REDEMPTION_FEES,
    DEFAULT_SUBSCRIPTION_FEES,
    RedemptionFeeRule,
    RedemptionFeeSchedule,
    RedemptionFeeSplit,
    RedemptionFeeTier,
    RedemptionQuote,
    SubscriptionFeeSchedule,
    SubscriptionFeeTier,
    SubscriptionQuote,
    split_redemption_fee,
)
from antfin.wealth.zhaocaibao.platform import Zhaocaibao
from antfin.wealth.zhaocaibao.products import HoldingStatus

__all__ = [
    "DEFAULT_REDEMPTION_FEES",
    "DEFAULT_REDEMPTION_FEE_RULES",
    "DEFAULT_SUBSCRIPTION_FEES",
    "AssetClass",
    "Portfolio",
    "PortfolioHolding",
    "Position",
    "RedemptionFeeRule",
    "RedemptionFeeSchedule",
    "RedemptionFeeSplit",
    "RedemptionFeeTier",
    "RedemptionQuote",
    "SubscriptionFeeSchedule",
    "SubscriptionFeeTier",
    "SubscriptionQuote",
    "book_fund_redemption",
    "book_fund_subscription",
    "split_redemption_fee",
    "zhaocaibao_positions",
]


class AssetClass(enum.Enum):
    """What a portfolio position is.

    >>> AssetClass.YUEBAO.name_zh
    '余额宝'

    .. versionadded:: 0.1.0
    """

    YUEBAO = "yuebao"
    ZHAOCAIBAO = "zhaocaibao"
    FUND = "fund"
    STOCK = "stock"

    @property
    def name_zh(self) -> str:
        """The Chinese name.

        >>> AssetClass.FUND.name_zh
        '基金'
        """
        return {"yuebao": "余额宝", "zhaocaibao": "招财宝", "fund": "基金", "stock": "股票"}[self.value]


@runtime_checkable
class PortfolioHolding(Protocol):
    """Anything a portfolio can show: a kind, a name and a current amount.

    >>> isinstance(Position(AssetClass.FUND, "Index fund", CNY("10.00")), PortfolioHolding)
    True

    .. versionadded:: 0.1.0
    """

    @property
    def kind(self) -> AssetClass:
        """The asset class."""

    @property
    def name(self) -> str:
        """A display name."""

    @property
    def amount(self) -> Money:
        """The current value."""


def _check_kind(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, AssetClass):
        raise TypeError(f"kind must be an AssetClass, not {type(value).__name__}")


@attrs.frozen
class Position:
    """One line of a portfolio.

    >>> Position(AssetClass.STOCK, "600519", CNY("1688.00")).amount
    Money('1688.00', 'CNY')

    Raises:
        TypeError: for a kind that is not an :class:`AssetClass` or an amount that is not Money.
        antfin.errors.InvalidAmountError: for a negative amount.

    .. versionadded:: 0.1.0
    """

    kind: AssetClass = attrs.field(validator=_check_kind)
    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    amount: Money = attrs.field(validator=attribute(check_non_negative))


@attrs.frozen
class Portfolio:
    """An investor's holdings across Yu'ebao, Zhaocaibao, funds and stocks.

    >>> portfolio = Portfolio.of([
    ...     Position(AssetClass.YUEBAO, "余额宝", CNY("5000.00")),
    ...     Position(AssetClass.ZHAOCAIBAO, "ZCB-90", CNY("3000.00")),
    ...     Position(AssetClass.FUND, "Index fund", CNY("2000.00")),
    ... ])
    >>> portfolio.total
    Money('10000.00', 'CNY')
    >>> portfolio.weights()[AssetClass.YUEBAO]
    Decimal('0.5000')

    .. versionadded:: 0.1.0
    """

    positions: tuple[Position, ...]
    currency: Currency = CNY

    @classmethod
    def of(cls, holdings: Iterable[PortfolioHolding], currency: Currency = CNY) -> Portfolio:
        """Build a portfolio from any holdings with ``kind``, ``name`` and ``amount``.

        >>> Portfolio.of([]).total
        Money('0.00', 'CNY')

        Raises:
            TypeError: for a holding without the three attributes.
            antfin.errors.InvalidAmountError: for an amount in another currency.
        """
        positions = []
        for holding in holdings:
            if not isinstance(holding, PortfolioHolding):
                raise TypeError(f"holdings need kind, name and amount; got {type(holding).__name__}")
            position = (
                holding if isinstance(holding, Position) else Position(holding.kind, holding.name, holding.amount)
            )
            if position.amount.currency != currency:
                raise InvalidAmountError(
                    f"position {position.name!r} is in {position.amount.currency}, expected {currency}"
                )
            positions.append(position)
        return cls(tuple(positions), currency)

    @property
    def total(self) -> Money:
        """The value of everything held.

        >>> Portfolio.of([Position(AssetClass.FUND, "A", CNY("1.00"))]).total
        Money('1.00', 'CNY')
        """
        return sum((position.amount for position in self.positions), Money.zero(self.currency))

    def by_kind(self) -> Mapping[AssetClass, Money]:
        """Value per asset class, in :class:`AssetClass` order (classes held only).

        >>> mixed = [Position(AssetClass.STOCK, "S", CNY("2.00")), Position(AssetClass.FUND, "F", CNY("1.00"))]
        >>> [(kind.value, str(amount)) for kind, amount in Portfolio.of(mixed).by_kind().items()]
        [('fund', '1.00 CNY'), ('stock', '2.00 CNY')]
        """
        totals: dict[AssetClass, Money] = {}
        for kind in AssetClass:
            amounts = [position.amount for position in self.positions if position.kind is kind]
            if amounts:
                totals[kind] = sum(amounts[1:], amounts[0])
        return MappingProxyType(totals)

    def weights(self, places: int = 4) -> Mapping[AssetClass, Decimal]:
        """Each asset class's share of the total, to ``places`` decimals, summing to exactly 1.

        The shares are allocated by largest remainder, so they add up exactly
        (an empty portfolio has no weights).

        >>> thirds = Portfolio.of([Position(kind, kind.value, CNY("1.00")) for kind in
        ...                        (AssetClass.YUEBAO, AssetClass.FUND, AssetClass.STOCK)])
        >>> list(thirds.weights(places=2).values())
        [Decimal('0.34'), Decimal('0.33'), Decimal('0.33')]
        """
        totals = self.by_kind()
        if not totals or self.total.is_zero():
            return MappingProxyType({})
        units = 10**places
        parts = allocate_minor_units(units, [amount.minor_units for amount in totals.values()])
        return MappingProxyType({kind: Decimal(part).scaleb(-places) for kind, part in zip(totals, parts, strict=True)})


def zhaocaibao_positions(platform: Zhaocaibao, investor: str) -> tuple[Position, ...]:
    """An investor's Zhaocaibao holdings as portfolio positions (principal still held).

    >>> from antfin.wealth.zhaocaibao.platform import _example_platform
    >>> from antfin.calendar import shanghai
    >>> zcb = _example_platform()
    >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("3000.00"), at=shanghai(2024, 3, 2))
    >>> zhaocaibao_positions(zcb, "alice")
    (Position(kind=<AssetClass.ZHAOCAIBAO: 'zhaocaibao'>, name='ZCB-90', amount=Money('3000.00', 'CNY')),)

    Args:
        platform: a :class:`~antfin.wealth.zhaocaibao.Zhaocaibao`.
        investor: the investor.

    .. versionadded:: 0.1.0
    """
    finished = (HoldingStatus.PAID, HoldingStatus.REFUNDED)
    return tuple(
        Position(AssetClass.ZHAOCAIBAO, holding.product_id, holding.principal)
        for holding in platform.holdings(investor)
        if holding.status not in finished and holding.principal.is_positive()
    )


# -- the ledger -------------------------------------------------------------------------------------------


def book_fund_subscription(
    ledger: Ledger,
    key: str,
    *,
    wallet: str,
    fund_account: str,
    amount: Money,
    at: datetime,
    schedule: SubscriptionFeeSchedule = DEFAULT_SUBSCRIPTION_FEES,
) -> SubscriptionQuote:
    """Post a fund subscription: the wallet pays ``amount``, the fund gets the net, the fee is revenue.

    The fee goes to ``ProfitPoint.FORTUNE_SUBSCRIPTION_FEE``'s account. The key
    is the ledger's idempotency key (prefix it, e.g. ``fortune:<order>:subscribe``).

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import AccountKind, Ledger
    >>> ledger = Ledger()
    >>> _ = ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    >>> _ = ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
    >>> _ = ledger.open_account("fund:000001", AccountKind.LIABILITY, non_negative=True)
    >>> _ = ledger.transfer("in", debit="asset:bank_settlement", credit="wallet:alice",
    ...                     amount=CNY("10000.00"), at=shanghai(2024, 3, 1))
    >>> quote = book_fund_subscription(ledger, "fortune:o1:subscribe", wallet="wallet:alice",
    ...                                fund_account="fund:000001", amount=CNY("10000.00"), at=shanghai(2024, 3, 1))
    >>> ledger.balance("fund:000001"), ledger.balance("revenue:fortune:subscription_fee")
    (Money('9985.02', 'CNY'), Money('14.98', 'CNY'))

    Raises:
        antfin.errors.InsufficientFundsError: the wallet cannot pay.
        antfin.errors.NotFoundError: an unknown account.
        antfin.errors.IdempotencyConflictError: the key was used with other parameters.

    .. versionadded:: 0.1.0
    """
    quote = schedule.quote(amount)
    at = ensure_aware(at, "at")
    postings = [Posting.debit(wallet, amount)]
    if quote.net.is_positive():
        postings.append(Posting.credit(fund_account, quote.net))
    with ledger.atomic():  # a refused posting must not leave the revenue account opened
        if quote.fee.is_positive():
            postings.append(Posting.credit(revenue_account(ledger, ProfitPoint.FORTUNE_SUBSCRIPTION_FEE), quote.fee))
        ledger.post_entry(
            key,
            postings,
            at=at,
            memo="fund subscription",
            metadata={"product": "fortune", "fee": str(quote.fee.amount), "net": str(quote.net.amount)},
        )
    return quote


def book_fund_redemption(
    ledger: Ledger,
    key: str,
    *,
    fund_account: str,
    wallet: str,
    amount: Money,
    held_days: int,
    at: datetime,
    schedule: RedemptionFeeSchedule = DEFAULT_REDEMPTION_FEES,
    rules: DatedTable[RedemptionFeeRule] = DEFAULT_REDEMPTION_FEE_RULES,
    distributor_share: AmountLike = 1,
    manager_account: str | None = None,
) -> RedemptionFeeSplit:
    """Post a fund redemption: the wallet gets ``amount`` minus the fee; only the distributor's share is revenue.

    The fee is split with :func:`split_redemption_fee` under the rule in force
    on ``at``'s date: the fund's assets' share never leaves ``fund_account``
    (it stays for the remaining holders), the distributor's share goes to
    ``ProfitPoint.FORTUNE_REDEMPTION_FEE``'s account, and a manager's share
    (when ``distributor_share`` < 1) to ``manager_account``.

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import AccountKind, Ledger
    >>> ledger = Ledger()
    >>> _ = ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    >>> _ = ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
    >>> _ = ledger.open_account("fund:000001", AccountKind.LIABILITY, non_negative=True)
    >>> _ = ledger.transfer("in", debit="asset:bank_settlement", credit="fund:000001",
    ...                     amount=CNY("5000.00"), at=shanghai(2024, 3, 1))
    >>> split = book_fund_redemption(ledger, "fortune:r1", fund_account="fund:000001", wallet="wallet:alice",
    ...                              amount=CNY("5000.00"), held_days=3, at=shanghai(2024, 3, 4))
    >>> split.fee, split.fund_assets, split.distributor     # held under 7 days: all of it to the fund
    (Money('75.00', 'CNY'), Money('75.00', 'CNY'), Money('0.00', 'CNY'))
    >>> ledger.balance("wallet:alice"), ledger.balance("fund:000001")
    (Money('4925.00', 'CNY'), Money('75.00', 'CNY'))

    Raises:
        antfin.errors.InsufficientFundsError: the fund account cannot pay.
        antfin.errors.NotFoundError: an unknown account.
        antfin.errors.IdempotencyConflictError: the key was used with other parameters.
        antfin.errors.PolicyViolationError: the schedule charges a short holding less than the rule's minimum.
        antfin.errors.InvalidAmountError: a manager's share with no ``manager_account``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Returns the :class:`RedemptionFeeSplit`; the fund's assets' share of the fee is no longer revenue.
    """
    quote = schedule.quote(amount, held_days)
    at = ensure_aware(at, "at")
    split = split_redemption_fee(quote, on=local_date(at), rules=rules, distributor_share=distributor_share)
    if split.manager.is_positive() and manager_account is None:
        raise InvalidAmountError(f"the manager's share {split.manager} needs a manager_account; none was given")
    postings = [Posting.debit(fund_account, amount - split.fund_assets)]
    if quote.net.is_positive():
        postings.append(Posting.credit(wallet, quote.net))
    if split.manager.is_positive() and manager_account is not None:
        postings.append(Posting.credit(manager_account, split.manager))
    with ledger.atomic():  # a refused posting must not leave the revenue account opened
        if split.distributor.is_positive():
            postings.append(
                Posting.credit(revenue_account(ledger, ProfitPoint.FORTUNE_REDEMPTION_FEE), split.distributor)
            )
        ledger.post_entry(
            key,
            postings,
            at=at,
            memo="fund redemption",
            metadata={
                "product": "fortune",
                "fee": str(quote.fee.amount),
                "to_fund_assets": str(split.fund_assets.amount),
                "held_days": str(held_days),
            },
        )
    return split
