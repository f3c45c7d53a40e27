"""Ant Fortune (蚂蚁聚宝): one portfolio view over Yu'ebao, Zhaocaibao, funds and stocks, and fund fees.

The case study: 蚂蚁聚宝 gathers Yu'ebao, Zhaocaibao, funds and stocks in one
place and earns fees from investors, fund redemption fees among them
(手续费：向投资收益人收取的手续费、基金赎回费等).

* A :class:`Portfolio` takes any holdings that have a ``kind``, a ``name`` and
  an ``amount`` (the :class:`PortfolioHolding` protocol), so Yu'ebao or any
  other product plugs in without this module importing it.
* Fund subscription fees are tiered by amount, discounted by the platform, and
  computed the standard net way: fee = amount − amount ÷ (1 + rate).
* Redemption fees depend on how long the units were held.
* :func:`book_fund_subscription` and :func:`book_fund_redemption` post them to
  the ledger, the fees to their profit points.

>>> quote = DEFAULT_SUBSCRIPTION_FEES.quote(CNY("10000.00"))
>>> quote.effective_rate, quote.fee, quote.net
(Decimal('0.0015'), Money('14.98', 'CNY'), Money('9985.02', 'CNY'))
>>> DEFAULT_REDEMPTION_FEES.quote(CNY("10000.00"), held_days=6).fee
Money('150.00', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from antfin.calendar import ensure_aware, ensure_date
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import InvalidAmountError
from antfin.ledger import Ledger, Posting
from antfin.money import _CONTEXT, CNY, Currency, Money, Rounding, allocate_minor_units, to_decimal
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.platform import Zhaocaibao
from antfin.wealth.zhaocaibao.products import HoldingStatus

__all__ = [
    "DEFAULT_REDEMPTION_FEES",
    "DEFAULT_SUBSCRIPTION_FEES",
    "AssetClass",
    "Portfolio",
    "PortfolioHolding",
    "Position",
    "RedemptionFeeSchedule",
    "RedemptionFeeTier",
    "RedemptionQuote",
    "SubscriptionFeeSchedule",
    "SubscriptionFeeTier",
    "SubscriptionQuote",
    "book_fund_redemption",
    "book_fund_subscription",
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


def _check_amount(_instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money):
        raise TypeError(f"{attribute.name} must be Money, not {type(value).__name__}")
    if value.is_negative():
        raise InvalidAmountError(f"{attribute.name} must not be negative, got {value}")


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
    amount: Money = attrs.field(validator=_check_amount)


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


# -- subscription fees ----------------------------------------------------------------------------------


@attrs.frozen
class SubscriptionFeeTier:
    """A subscription fee band starting at ``lower``: a rate, or a fixed fee per order.

    >>> SubscriptionFeeTier(CNY("0.00"), rate=Rate.percent("1.5")).rate
    Rate(value=Decimal('0.015'))

    Raises:
        antfin.errors.InvalidAmountError: unless exactly one of ``rate`` and ``fixed`` is given.

    .. versionadded:: 0.1.0
    """

    lower: Money = attrs.field(validator=_check_amount)
    rate: Rate | None = None
    fixed: Money | None = None

    def __attrs_post_init__(self) -> None:
        if (self.rate is None) == (self.fixed is None):
            raise InvalidAmountError("a subscription fee tier needs exactly one of rate and fixed")
        if self.rate is not None and not isinstance(self.rate, Rate):
            raise TypeError(f"rate must be a Rate, not {type(self.rate).__name__}")
        if self.fixed is not None:
            _check_amount(self, attrs.fields(SubscriptionFeeTier).fixed, self.fixed)


def _tiers(value: Iterable[SubscriptionFeeTier]) -> tuple[SubscriptionFeeTier, ...]:
    tiers = tuple(value)
    if not tiers or not tiers[0].lower.is_zero():
        raise InvalidAmountError("subscription fee tiers must start at zero")
    for before, after in itertools.pairwise(tiers):
        if after.lower <= before.lower:
            raise InvalidAmountError(f"subscription fee tiers must ascend: {after.lower} follows {before.lower}")
    return tiers


def _discount(value: object) -> Decimal:
    result = to_decimal(value, "discount")
    if not Decimal(0) <= result <= Decimal(1):
        raise InvalidAmountError(f"discount must be between 0 and 1 (the fraction of the rate charged), got {result}")
    return result


def _to_rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


@attrs.frozen
class SubscriptionQuote:
    """The fee on one subscription: the listed and the charged rate, the fee, and what is invested.

    >>> DEFAULT_SUBSCRIPTION_FEES.quote(CNY("10000.00")).listed_rate
    Decimal('0.015')

    .. versionadded:: 0.1.0
    """

    amount: Money
    listed_rate: Decimal | None
    effective_rate: Decimal | None
    fee: Money
    net: Money


@attrs.frozen
class SubscriptionFeeSchedule:
    """Fund subscription fees by amount tier, with the platform's discount (cfg).

    The default is a typical equity fund's prospectus table: under 500,000
    yuan 1.5%, under 2,000,000 1.2%, under 5,000,000 0.8%, then 1,000 yuan per
    order; Ant Fortune charges one tenth of the listed rate (一折, ``discount``
    0.1). ``discount`` is the fraction of the rate *charged*: 0.1 is 一折
    (90% off); "10% off" would be 0.9. Fixed per-order fees are not discounted.

    The fee is computed the standard net way (前端申购费, 外扣法):
    net = amount ÷ (1 + rate), fee = amount − net, rounded with ``rounding``
    (half up by default: fund fees are rounded 四舍五入 to the fen).

    >>> table = SubscriptionFeeSchedule(discount=Decimal("1"))
    >>> table.quote(CNY("10000.00")).fee
    Money('147.78', 'CNY')
    >>> table.quote(CNY("6000000.00")).fee
    Money('1000.00', 'CNY')

    Raises:
        antfin.errors.InvalidAmountError: tiers not ascending from zero, or a discount outside [0, 1].

    .. versionadded:: 0.1.0
    """

    tiers: tuple[SubscriptionFeeTier, ...] = attrs.field(
        factory=lambda: (
            SubscriptionFeeTier(CNY("0.00"), rate=Rate.percent("1.5")),
            SubscriptionFeeTier(CNY("500000.00"), rate=Rate.percent("1.2")),
            SubscriptionFeeTier(CNY("2000000.00"), rate=Rate.percent("0.8")),
            SubscriptionFeeTier(CNY("5000000.00"), fixed=CNY("1000.00")),
        ),
        converter=_tiers,
    )
    discount: Decimal = attrs.field(default=Decimal("0.1"), converter=_discount)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_to_rounding)

    def tier(self, amount: Money) -> SubscriptionFeeTier:
        """The tier ``amount`` falls in.

        >>> DEFAULT_SUBSCRIPTION_FEES.tier(CNY("500000.00")).rate
        Rate(value=Decimal('0.012'))
        """
        chosen = self.tiers[0]
        for tier in self.tiers:
            if amount >= tier.lower:
                chosen = tier
        return chosen

    def quote(self, amount: Money) -> SubscriptionQuote:
        """The fee and net investment for a subscription of ``amount``.

        >>> DEFAULT_SUBSCRIPTION_FEES.quote(CNY("100.00")).fee
        Money('0.15', 'CNY')

        Raises:
            TypeError: when ``amount`` is not Money.
            antfin.errors.InvalidAmountError: when it is not positive.
        """
        if not isinstance(amount, Money):
            raise TypeError(f"amount must be Money, not {type(amount).__name__}")
        if not amount.is_positive():
            raise InvalidAmountError(f"amount must be positive, got {amount}")
        tier = self.tier(amount)
        if tier.fixed is not None:
            fee = min(tier.fixed, amount)
            return SubscriptionQuote(amount, None, None, fee, amount - fee)
        listed = tier.rate.value if tier.rate is not None else Decimal(0)
        effective = (listed * self.discount).normalize(_CONTEXT)
        net = amount.divide(1 + effective, rounding=self.rounding)
        return SubscriptionQuote(amount, listed, effective, amount - net, net)


#: A typical equity fund table at Ant Fortune's one-tenth discount (cfg).
DEFAULT_SUBSCRIPTION_FEES: Final = SubscriptionFeeSchedule()


# -- redemption fees ----------------------------------------------------------------------------------------


@attrs.frozen
class RedemptionFeeTier:
    """A redemption fee for units held fewer than ``below_days`` days (``None``: any longer period).

    >>> RedemptionFeeTier(7, Rate.percent("1.5")).below_days
    7

    .. versionadded:: 0.1.0
    """

    below_days: int | None
    rate: Rate = attrs.field(validator=attrs.validators.instance_of(Rate))


def _redemption_tiers(value: Iterable[RedemptionFeeTier]) -> tuple[RedemptionFeeTier, ...]:
    tiers = tuple(value)
    if not tiers or tiers[-1].below_days is not None:
        raise InvalidAmountError("redemption fee tiers must end with an open tier (below_days=None)")
    bounds = [tier.below_days for tier in tiers[:-1]]
    if any(bound is None or bound < 1 for bound in bounds) or bounds != sorted(set(bounds), key=lambda b: b or 0):
        raise InvalidAmountError(f"redemption fee tier bounds must be positive and ascending, got {bounds}")
    return tiers


@attrs.frozen
class RedemptionQuote:
    """The fee on one redemption.

    >>> DEFAULT_REDEMPTION_FEES.quote(CNY("1000.00"), held_days=800).fee
    Money('0.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    amount: Money
    held_days: int
    rate: Rate
    fee: Money
    net: Money


@attrs.frozen
class RedemptionFeeSchedule:
    """Fund redemption fees by holding period (cfg).

    The default is a typical equity fund's table: under 7 days 1.5% (the
    CSRC minimum for very short holdings), under 1 year 0.5%, under 2 years
    0.25%, then nothing. fee = amount × rate, rounded half up to the fen.

    >>> [str(DEFAULT_REDEMPTION_FEES.quote(CNY("10000.00"), days).fee) for days in (6, 7, 364, 365, 729, 730)]
    ['150.00 CNY', '50.00 CNY', '50.00 CNY', '25.00 CNY', '25.00 CNY', '0.00 CNY']

    Raises:
        antfin.errors.InvalidAmountError: tiers not ascending or without a final open tier.

    .. versionadded:: 0.1.0
    """

    tiers: tuple[RedemptionFeeTier, ...] = attrs.field(
        factory=lambda: (
            RedemptionFeeTier(7, Rate.percent("1.5")),
            RedemptionFeeTier(365, Rate.percent("0.5")),
            RedemptionFeeTier(730, Rate.percent("0.25")),
            RedemptionFeeTier(None, Rate("0")),
        ),
        converter=_redemption_tiers,
    )
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_to_rounding)

    @staticmethod
    def held_days(bought_on: date, redeemed_on: date) -> int:
        """Calendar days from the confirmed purchase to the redemption.

        >>> RedemptionFeeSchedule.held_days(date(2024, 1, 1), date(2024, 1, 8))
        7

        Raises:
            antfin.errors.InvalidAmountError: when the redemption is before the purchase.
        """
        days = (ensure_date(redeemed_on, "redeemed_on") - ensure_date(bought_on, "bought_on")).days
        if days < 0:
            raise InvalidAmountError(f"redeemed_on {redeemed_on} is before bought_on {bought_on}")
        return days

    def rate_for(self, held_days: int) -> Rate:
        """The rate for units held ``held_days`` days.

        >>> str(DEFAULT_REDEMPTION_FEES.rate_for(30))
        '0.5%'

        Raises:
            antfin.errors.InvalidAmountError: for negative days.
        """
        if isinstance(held_days, bool) or not isinstance(held_days, int):
            raise TypeError(f"held_days must be an int, not {type(held_days).__name__}")
        if held_days < 0:
            raise InvalidAmountError(f"held_days must not be negative, got {held_days}")
        for tier in self.tiers:
            if tier.below_days is None or held_days < tier.below_days:
                return tier.rate
        raise AssertionError("unreachable: the last tier is open")  # pragma: no cover

    def quote(self, amount: Money, held_days: int) -> RedemptionQuote:
        """The fee and what the investor receives for redeeming ``amount`` after ``held_days``.

        >>> DEFAULT_REDEMPTION_FEES.quote(CNY("1234.56"), 100).fee
        Money('6.17', 'CNY')

        Raises:
            TypeError: when ``amount`` is not Money.
            antfin.errors.InvalidAmountError: for a non-positive amount or negative days.
        """
        if not isinstance(amount, Money):
            raise TypeError(f"amount must be Money, not {type(amount).__name__}")
        if not amount.is_positive():
            raise InvalidAmountError(f"amount must be positive, got {amount}")
        rate = self.rate_for(held_days)
        fee = rate.of(amount, rounding=self.rounding)
        return RedemptionQuote(amount, held_days, rate, fee, amount - fee)


#: A typical equity fund's redemption table (cfg).
DEFAULT_REDEMPTION_FEES: Final = RedemptionFeeSchedule()


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
) -> RedemptionQuote:
    """Post a fund redemption: the fund pays ``amount``, the wallet gets it minus the fee, the fee is revenue.

    The fee goes to ``ProfitPoint.FORTUNE_REDEMPTION_FEE``'s account (the
    whole fee is booked as platform revenue; a fund that credits part of it
    to fund assets would post that part separately).

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import AccountKind, Ledger
    >>> ledger = Ledger()
    >>> _ = ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    >>> _ = ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
    >>> _ = ledger.open_account("fund:000001", AccountKind.LIABILITY, non_negative=True)
    >>> _ = ledger.transfer("in", debit="asset:bank_settlement", credit="fund:000001",
    ...                     amount=CNY("5000.00"), at=shanghai(2024, 3, 1))
    >>> book_fund_redemption(ledger, "fortune:r1", fund_account="fund:000001", wallet="wallet:alice",
    ...                      amount=CNY("5000.00"), held_days=3, at=shanghai(2024, 3, 4)).fee
    Money('75.00', 'CNY')
    >>> ledger.balance("wallet:alice")
    Money('4925.00', 'CNY')

    Raises:
        antfin.errors.InsufficientFundsError: the fund account cannot pay.
        antfin.errors.NotFoundError: an unknown account.
        antfin.errors.IdempotencyConflictError: the key was used with other parameters.

    .. versionadded:: 0.1.0
    """
    quote = schedule.quote(amount, held_days)
    at = ensure_aware(at, "at")
    postings = [Posting.debit(fund_account, amount)]
    if quote.net.is_positive():
        postings.append(Posting.credit(wallet, quote.net))
    with ledger.atomic():  # a refused posting must not leave the revenue account opened
        if quote.fee.is_positive():
            postings.append(Posting.credit(revenue_account(ledger, ProfitPoint.FORTUNE_REDEMPTION_FEE), quote.fee))
        ledger.post_entry(
            key,
            postings,
            at=at,
            memo="fund redemption",
            metadata={"product": "fortune", "fee": str(quote.fee.amount), "held_days": str(held_days)},
        )
    return quote
