"""Ant Fortune's fund fees: tiered subscription fees, redemption fees by holding period, and who gets them.

* Fund subscription fees are tiered by amount, discounted by the platform, and
  computed the standard net way: fee = amount − amount ÷ (1 + rate).
* Redemption fees depend on how long the units were held, and only part of
  one is the distributor's: under the CSRC's rules at least 25% goes to the
  fund's assets, and a redemption held under 7 days pays at least 1.5%, all of
  it to the fund's assets (``DEFAULT_REDEMPTION_FEE_RULES``, dated, sourced).

Every name here is re-exported by :mod:`antfin.wealth.fortune`, which books these
fees to the ledger; the classes and functions are documented there, the default
tables here.

>>> from antfin.wealth.fortune import DEFAULT_SUBSCRIPTION_FEES
>>> DEFAULT_SUBSCRIPTION_FEES.quote(CNY("10000.00")).fee
Money('14.98', 'CNY')

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.errors import InvalidAmountError, PolicyViolationError
from antfin.money import _CONTEXT, CNY, AmountLike, Money, Rounding, to_decimal
from antfin.rates import Rate
from antfin.tables import Dated, DatedTable
from antfin.validators import attribute, check_int, check_non_negative, check_positive, check_rate

__all__ = [
    "DEFAULT_REDEMPTION_FEES",
    "DEFAULT_REDEMPTION_FEE_RULES",
    "DEFAULT_SUBSCRIPTION_FEES",
    "RedemptionFeeRule",
    "RedemptionFeeSchedule",
    "RedemptionFeeSplit",
    "RedemptionFeeTier",
    "RedemptionQuote",
    "SubscriptionFeeSchedule",
    "SubscriptionFeeTier",
    "SubscriptionQuote",
    "split_redemption_fee",
]


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

    lower: Money = attrs.field(validator=attribute(check_non_negative))
    rate: Rate | None = None
    fixed: Money | None = None

    def __attrs_post_init__(self) -> None:
        if (self.rate is None) == (self.fixed is None):
            raise InvalidAmountError("a subscription fee tier needs exactly one of rate and fixed")
        if self.rate is not None:
            check_rate(self.rate, "rate")
        if self.fixed is not None:
            check_non_negative(self.fixed, "fixed")


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
        tier = self.tier(check_positive(amount))
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
        check_int(held_days, "held_days", at_least=0)
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
        check_positive(amount)
        rate = self.rate_for(held_days)
        fee = rate.of(amount, rounding=self.rounding)
        return RedemptionQuote(amount, held_days, rate, fee, amount - fee)


#: A typical equity fund's redemption table (cfg).
DEFAULT_REDEMPTION_FEES: Final = RedemptionFeeSchedule()


# -- who a redemption fee belongs to (the CSRC rules) -----------------------------------------------


def _share(value: object) -> Decimal:
    result = to_decimal(value, "share")
    if not Decimal(0) <= result <= Decimal(1):
        raise InvalidAmountError(f"a share must be between 0 and 1, got {result}")
    return result


@attrs.frozen
class RedemptionFeeRule:
    """The regulator's rule on redemption fees: a minimum share for the fund's assets, and short holdings.

    Units held fewer than ``short_days`` days pay at least ``short_min_rate``,
    and ``short_fund_share`` of that fee goes to the fund's assets; any other
    redemption fee puts at least ``min_fund_share`` into the fund's assets.

    >>> rule = DEFAULT_REDEMPTION_FEE_RULES.on(date(2024, 1, 1))
    >>> rule.short_days, str(rule.short_min_rate), rule.short_fund_share, rule.min_fund_share
    (7, '1.5%', Decimal('1'), Decimal('0.25'))

    Args:
        min_fund_share: the least share of a fee that goes to the fund's assets.
        short_days: holdings under this many days are "short" (``None``: no such rule).
        short_min_rate: the least rate a short holding pays.
        short_fund_share: the share of a short holding's fee that goes to the fund's assets.

    .. versionadded:: 0.2.0
    """

    min_fund_share: Decimal = attrs.field(converter=_share)
    short_days: int | None = None
    short_min_rate: Rate = attrs.field(default=Rate("0"), validator=attrs.validators.instance_of(Rate))
    short_fund_share: Decimal = attrs.field(default=Decimal(1), converter=_share)

    def fund_share(self, held_days: int) -> Decimal:
        """The least share of the fee that goes to the fund's assets for units held ``held_days``.

        >>> rule = DEFAULT_REDEMPTION_FEE_RULES.on(date(2024, 1, 1))
        >>> rule.fund_share(6), rule.fund_share(7)
        (Decimal('1'), Decimal('0.25'))
        """
        if self.short_days is not None and held_days < self.short_days:
            return self.short_fund_share
        return self.min_fund_share


#: Who a fund redemption fee belongs to, by date (each row sourced).
DEFAULT_REDEMPTION_FEE_RULES: Final[DatedTable[RedemptionFeeRule]] = DatedTable(
    "fund redemption fee rules",
    (
        Dated(
            date(2013, 6, 1),
            RedemptionFeeRule(min_fund_share="0.25"),
            "CSRC 开放式证券投资基金销售费用管理规定 (2013-03-15, in force 2013-06-01): at least 25% of a "
            "redemption fee goes to the fund's assets; its stricter tiers for funds without a sales service "
            "fee are not modelled (cfg)",
        ),
        Dated(
            date(2017, 10, 1),
            RedemptionFeeRule(min_fund_share="0.25", short_days=7, short_min_rate=Rate.percent("1.5")),
            "CSRC 公开募集开放式证券投资基金流动性风险管理规定 (2017-08-31, in force 2017-10-01), art. 23: "
            "holdings under 7 days pay at least 1.5%, all of it to the fund's assets (money-market funds and "
            "ETFs excepted; funds existing before applied it from 2018-03-31)",
        ),
    ),
)


@attrs.frozen
class RedemptionFeeSplit:
    """Where one redemption fee goes: the fund's assets, the distributor (Ant Fortune) and the manager.

    >>> quote = DEFAULT_REDEMPTION_FEES.quote(CNY("10000.00"), held_days=6)
    >>> split = split_redemption_fee(quote, on=date(2024, 3, 1))
    >>> split.fund_assets, split.distributor, split.manager
    (Money('150.00', 'CNY'), Money('0.00', 'CNY'), Money('0.00', 'CNY'))

    .. versionadded:: 0.2.0
    """

    quote: RedemptionQuote
    fund_assets: Money
    distributor: Money
    manager: Money
    source: str

    @property
    def fee(self) -> Money:
        """The whole fee (the three parts).

        >>> split_redemption_fee(DEFAULT_REDEMPTION_FEES.quote(CNY("100.00"), 30), on=date(2024, 1, 1)).fee
        Money('0.50', 'CNY')
        """
        return self.fund_assets + self.distributor + self.manager


def split_redemption_fee(
    quote: RedemptionQuote,
    *,
    on: date,
    rules: DatedTable[RedemptionFeeRule] = DEFAULT_REDEMPTION_FEE_RULES,
    fund_share: AmountLike | None = None,
    distributor_share: AmountLike = 1,
) -> RedemptionFeeSplit:
    """Split a redemption fee between the fund's assets, the distributor and the manager.

    The fund's assets get at least the rule's share on ``on`` (more when the
    fund contract's ``fund_share`` says so), rounded up to the fen in the
    fund's favour; the distributor gets ``distributor_share`` of the rest
    (all of it by default: an assumption, cfg), the manager the remainder.
    Only the distributor's part is Ant Fortune's revenue.

    >>> quote = DEFAULT_REDEMPTION_FEES.quote(CNY("1234.56"), held_days=100)   # fee 6.17
    >>> split = split_redemption_fee(quote, on=date(2024, 1, 1), distributor_share="0.5")
    >>> split.fund_assets, split.distributor, split.manager
    (Money('1.55', 'CNY'), Money('2.31', 'CNY'), Money('2.31', 'CNY'))
    >>> cheap = RedemptionFeeSchedule(tiers=(RedemptionFeeTier(None, Rate.percent("0.5")),))
    >>> split_redemption_fee(cheap.quote(CNY("100.00"), 3), on=date(2024, 1, 1))
    Traceback (most recent call last):
    ...
    antfin.errors.PolicyViolationError: a redemption held 3 days must pay at least 1.5% on 2024-01-01, ...0.5%...

    Raises:
        antfin.errors.PolicyViolationError: a schedule charging a short holding less than the rule's minimum.
        antfin.errors.OutsideCoverageError: a date before the first rule.
        antfin.errors.InvalidAmountError: a share outside [0, 1].

    .. versionadded:: 0.2.0
    """
    if not isinstance(quote, RedemptionQuote):
        raise TypeError(f"quote must be a RedemptionQuote, not {type(quote).__name__}")
    row = rules.row_on(on)
    rule = row.value
    if rule.short_days is not None and quote.held_days < rule.short_days and quote.rate < rule.short_min_rate:
        raise PolicyViolationError(
            f"a redemption held {quote.held_days} days must pay at least {rule.short_min_rate} on {on}, "
            f"the schedule charges {quote.rate} ({row.source})"
        )
    least = rule.fund_share(quote.held_days)
    share = least if fund_share is None else max(least, _share(fund_share))
    to_distributor = _share(distributor_share)
    fund_part = quote.fee.multiply(share, rounding=Rounding.UP)
    rest = quote.fee - fund_part
    distributor = rest.multiply(to_distributor, rounding=Rounding.DOWN)
    return RedemptionFeeSplit(quote, fund_part, distributor, rest - distributor, row.source)
