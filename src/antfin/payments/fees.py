"""Alipay's fee rules as data: the withdrawal fee, the merchant acquiring fee and the bill-payment commission.

>>> from antfin.payments.fees import DEFAULT_ACQUIRING_FEES, WithdrawalFeePolicy
>>> WithdrawalFeePolicy().quote(CNY("30000.00"), used=CNY("0.00"), on=date(2024, 5, 1)).fee
Money('10.00', 'CNY')
>>> DEFAULT_ACQUIRING_FEES.fee(CNY("100.00"), "standard", on=date(2024, 5, 1))
Money('0.60', 'CNY')

Every number here is a (cfg) default: commonly cited, not contract text. Build
your own :class:`WithdrawalFeePolicy` or :class:`AcquiringFeeSchedule` to price
another product with the same code.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.errors import InvalidAmountError, OutsideCoverageError
from antfin.money import CNY, Money, Rounding
from antfin.rates import Rate
from antfin.validators import attribute, check_non_negative, check_positive, check_rate

__all__ = [
    "DEFAULT_ACQUIRING_FEES",
    "AcquiringFeeSchedule",
    "AcquiringFeeTable",
    "BillPaymentFeePolicy",
    "BillPaymentQuote",
    "MerchantCategory",
    "WithdrawalFeePolicy",
    "WithdrawalFeeQuote",
]


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


_check_money = attribute(check_non_negative)
_check_rate = attribute(check_rate)


def _check_date(_instance: object, attribute: attrs.Attribute[date], value: date) -> None:
    ensure_date(value, attribute.name)


@attrs.frozen
class WithdrawalFeeQuote:
    """What one withdrawal to a bank card costs, and how the free quota was used.

    >>> quote = WithdrawalFeePolicy().quote(CNY("30000.00"), used=CNY("0.00"), on=date(2024, 5, 1))
    >>> quote.free_part, quote.charged_part, quote.fee
    (Money('20000.00', 'CNY'), Money('10000.00', 'CNY'), Money('10.00', 'CNY'))
    >>> quote.quota_left
    Money('0.00', 'CNY')

    Attributes:
        amount: the amount withdrawn (what reaches the bank card).
        free_part: the part covered by the remaining free quota.
        charged_part: the part above the remaining quota, on which the fee is due.
        fee: the fee, paid from the wallet on top of ``amount``.
        quota_left: free quota left after this withdrawal.
        exempt: ``True`` when the holder pays no withdrawal fee at all (a contracted merchant);
            the withdrawal then uses none of the quota.

    .. versionadded:: 0.1.0
    """

    amount: Money
    free_part: Money
    charged_part: Money
    fee: Money
    quota_left: Money
    exempt: bool = False


@attrs.frozen
class WithdrawalFeePolicy:
    """The withdrawal fee (提现手续费) rule (cfg).

    Defaults are Alipay's rule announced for 12 October 2016: every person has
    20,000 yuan of free withdrawals for life; above the quota the fee is 0.1% of
    the part above it, at least 0.10 yuan, rounded to the fen half-up. The fee
    is for personal accounts: contracted merchants (签约商户, enterprise
    accounts) withdraw free of charge, so holders whose type is listed in
    ``exempt_holders`` (``"merchant"`` by default) pay nothing and use no quota.

    >>> policy = WithdrawalFeePolicy()
    >>> policy.quote(CNY("20000.00"), used=CNY("0.00"), on=date(2024, 1, 1)).fee
    Money('0.00', 'CNY')
    >>> policy.quote(CNY("20.00"), used=CNY("19990.00"), on=date(2024, 1, 1)).fee  # 10.00 over: 0.01 -> minimum
    Money('0.10', 'CNY')
    >>> policy.quote(CNY("1234.56"), used=CNY("20000.00"), on=date(2024, 1, 1)).fee  # 1.23456 half-up
    Money('1.23', 'CNY')
    >>> policy.quote(CNY("30000.00"), used=CNY("0.00"), on=date(2024, 1, 1), holder="merchant").fee
    Money('0.00', 'CNY')

    Args:
        free_quota: lifetime free amount per person (cfg, 20,000.00).
        rate: fee rate on the part above the quota (cfg, 0.1%).
        minimum: smallest fee when any part is charged (cfg, 0.10).
        rounding: how the fee is rounded to the fen (cfg, ``HALF_UP``).
        effective_from: first day the policy applies (cfg, 2016-10-12).
        exempt_holders: account types (``AccountType`` values) that pay no
            withdrawal fee: contracted merchants (``"merchant"``) by default.

    .. versionadded:: 0.1.0
    """

    free_quota: Money = attrs.field(default=CNY("20000.00"), validator=_check_money)
    rate: Rate = attrs.field(default=Rate.percent("0.1"), validator=_check_rate)
    minimum: Money = attrs.field(default=CNY("0.10"), validator=_check_money)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)
    effective_from: date = attrs.field(default=date(2016, 10, 12), validator=_check_date)
    exempt_holders: frozenset[str] = attrs.field(default=frozenset({"merchant"}), converter=frozenset)

    def quote(self, amount: Money, *, used: Money, on: date, holder: str = "user") -> WithdrawalFeeQuote:
        """Price a withdrawal of ``amount`` when ``used`` of the free quota is already spent.

        >>> WithdrawalFeePolicy().quote(CNY("5000.00"), used=CNY("18000.00"), on=date(2024, 1, 1)).fee
        Money('3.00', 'CNY')

        Args:
            amount: the amount to withdraw (positive).
            used: lifetime withdrawals so far (what has consumed the free quota).
            on: the Asia/Shanghai date of the withdrawal.
            holder: the holder's account type (``"user"`` or ``"merchant"``, the
                ``AccountType`` values); a type in ``exempt_holders`` pays nothing.

        Returns:
            The quote with the free and charged parts and the fee.

        Raises:
            antfin.errors.InvalidAmountError: for a non-positive ``amount`` or a negative ``used``.
            antfin.errors.OutsideCoverageError: for a date before ``effective_from``.
            TypeError: for non-Money amounts or a non-date ``on``.
        """
        check_positive(amount, "amount")
        check_non_negative(used, "used")
        day = ensure_date(on, "on")
        if day < self.effective_from:
            raise OutsideCoverageError(
                f"on {day} is before this withdrawal fee policy starts ({self.effective_from}); "
                f"use a policy whose effective_from covers it"
            )
        if not isinstance(holder, str):
            raise TypeError(f"holder must be an account type string, not {type(holder).__name__}")
        left = max(self.free_quota - used, self.free_quota.currency.zero())
        if holder in self.exempt_holders:
            zero = amount.currency.zero()
            return WithdrawalFeeQuote(
                amount=amount, free_part=amount, charged_part=zero, fee=zero, quota_left=left, exempt=True
            )
        free_part = min(amount, left)
        charged = amount - free_part
        fee = max(self.rate.of(charged, self.rounding), self.minimum) if charged else amount.currency.zero()
        return WithdrawalFeeQuote(
            amount=amount, free_part=free_part, charged_part=charged, fee=fee, quota_left=left - free_part
        )


class MerchantCategory(enum.StrEnum):
    """Merchant categories of the default acquiring fee table (cfg; any string code works too).

    >>> MerchantCategory.STANDARD.value
    'standard'

    .. versionadded:: 0.1.0
    """

    STANDARD = "standard"
    VIRTUAL_GOODS = "virtual_goods"
    PUBLIC_SERVICE = "public_service"
    CHARITY = "charity"


def _category_rates(value: Mapping[str, Rate] | tuple[tuple[str, Rate], ...]) -> tuple[tuple[str, Rate], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    result = []
    for code, rate in items:
        key = code.value if isinstance(code, MerchantCategory) else code
        if not isinstance(key, str) or not key:
            raise TypeError(f"merchant category must be a non-empty str, got {code!r}")
        if not isinstance(rate, Rate):
            raise TypeError(f"rate for category {key!r} must be a Rate, not {type(rate).__name__}")
        result.append((key, rate))
    return tuple(sorted(result))


@attrs.frozen
class AcquiringFeeTable:
    """One version of the merchant acquiring fee (收单费) table, effective from a date.

    >>> table = AcquiringFeeTable(date(2024, 1, 1), Rate.percent("0.6"), {"games": Rate.percent("1.0")})
    >>> table.rate_for("games"), table.rate_for("bakery")
    (Rate(value=Decimal('0.010')), Rate(value=Decimal('0.006')))

    Args:
        effective_from: first day this version applies.
        default_rate: the rate for a category not in the table (cfg, 0.6%).
        category_rates: a mapping (or pairs) from category code to rate.
        rounding: how a fee is rounded to the fen (cfg, ``HALF_UP``).

    .. versionadded:: 0.1.0
    """

    effective_from: date = attrs.field(validator=_check_date)
    default_rate: Rate = attrs.field(validator=_check_rate)
    category_rates: tuple[tuple[str, Rate], ...] = attrs.field(default=(), converter=_category_rates)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)

    def rate_for(self, category: str | None) -> Rate:
        """The rate of a merchant category; ``None`` or an unlisted code gets the default rate.

        >>> DEFAULT_ACQUIRING_FEES.table_on(date(2024, 1, 1)).rate_for(MerchantCategory.PUBLIC_SERVICE)
        Rate(value=Decimal('0.0038'))
        """
        if category is None:
            return self.default_rate
        key = category.value if isinstance(category, MerchantCategory) else category
        for code, rate in self.category_rates:
            if code == key:
                return rate
        return self.default_rate


def _tables(value: tuple[AcquiringFeeTable, ...] | list[AcquiringFeeTable]) -> tuple[AcquiringFeeTable, ...]:
    tables = tuple(value)
    if not tables:
        raise InvalidAmountError("tables must contain at least one AcquiringFeeTable")
    for table in tables:
        if not isinstance(table, AcquiringFeeTable):
            raise TypeError(f"tables must hold AcquiringFeeTable values, not {type(table).__name__}")
    days = [table.effective_from for table in tables]
    if len(set(days)) != len(days):
        raise InvalidAmountError("tables must have distinct effective_from dates")
    return tuple(sorted(tables, key=lambda table: table.effective_from))


@attrs.frozen
class AcquiringFeeSchedule:
    """Dated versions of the acquiring fee table; the one in force on a day prices it.

    >>> old = AcquiringFeeTable(date(2020, 1, 1), Rate.percent("0.6"))
    >>> new = AcquiringFeeTable(date(2024, 7, 1), Rate.percent("0.55"))
    >>> schedule = AcquiringFeeSchedule((old, new))
    >>> [schedule.fee(CNY("1000.00"), None, on=day) for day in (date(2024, 6, 30), date(2024, 7, 1))]
    [Money('6.00', 'CNY'), Money('5.50', 'CNY')]

    .. versionadded:: 0.1.0
    """

    tables: tuple[AcquiringFeeTable, ...] = attrs.field(converter=_tables)

    def table_on(self, on: date) -> AcquiringFeeTable:
        """The table version in force on ``on``.

        >>> DEFAULT_ACQUIRING_FEES.table_on(date(2024, 1, 1)).default_rate
        Rate(value=Decimal('0.006'))

        Raises:
            antfin.errors.OutsideCoverageError: for a day before the first version.
        """
        day = ensure_date(on, "on")
        found = None
        for table in self.tables:
            if table.effective_from <= day:
                found = table
        if found is None:
            raise OutsideCoverageError(
                f"on {day} is before the first acquiring fee table ({self.tables[0].effective_from})"
            )
        return found

    def fee(self, amount: Money, category: str | None, *, on: date) -> Money:
        """The acquiring fee on ``amount`` for a merchant category, rounded by the table's mode.

        >>> DEFAULT_ACQUIRING_FEES.fee(CNY("99.99"), "standard", on=date(2024, 1, 1))  # 0.59994 half-up
        Money('0.60', 'CNY')
        >>> DEFAULT_ACQUIRING_FEES.fee(CNY("99.99"), "charity", on=date(2024, 1, 1))
        Money('0.00', 'CNY')

        Raises:
            antfin.errors.InvalidAmountError: for a negative amount.
            antfin.errors.OutsideCoverageError: for a day no version covers.
        """
        check_non_negative(amount, "amount")
        table = self.table_on(on)
        return table.rate_for(category).of(amount, table.rounding)

    def rate_for(self, category: str | None, *, on: date) -> Rate:
        """The rate for a category on a day.

        >>> str(DEFAULT_ACQUIRING_FEES.rate_for("virtual_goods", on=date(2024, 1, 1)))
        '1%'
        """
        return self.table_on(on).rate_for(category)


#: The default acquiring fee schedule (cfg), with 0.6% standard (Alipay's commonly cited
#: rate for online merchants), 1.0% for virtual goods, 0.38% for public services
#: (the "民生类" tier of China's 2013 bank-card fee categories), 0% for charities.
DEFAULT_ACQUIRING_FEES: Final = AcquiringFeeSchedule(
    (
        AcquiringFeeTable(
            date(2004, 12, 8),
            Rate.percent("0.6"),
            {
                MerchantCategory.VIRTUAL_GOODS: Rate.percent("1.0"),
                MerchantCategory.PUBLIC_SERVICE: Rate.percent("0.38"),
                MerchantCategory.CHARITY: Rate("0"),
            },
        ),
    )
)


# -- bill payment (生活缴费) ---------------------------------------------------------------------


@attrs.frozen
class BillPaymentQuote:
    """Who pays what on one bill payment: the user pays the bill, the biller pays the commission.

    >>> quote = BillPaymentFeePolicy().quote(CNY("200.00"))
    >>> quote.user_pays, quote.user_fee, quote.commission, quote.biller_receives
    (Money('200.00', 'CNY'), Money('0.00', 'CNY'), Money('0.20', 'CNY'), Money('199.80', 'CNY'))

    .. versionadded:: 0.2.0
    """

    amount: Money
    commission: Money

    @property
    def user_fee(self) -> Money:
        """Always zero: users pay their bills through Alipay free of charge.

        >>> BillPaymentFeePolicy().quote(CNY("1.00")).user_fee
        Money('0.00', 'CNY')
        """
        return self.amount.currency.zero()

    @property
    def user_pays(self) -> Money:
        """The bill amount, nothing more.

        >>> BillPaymentFeePolicy().quote(CNY("1.00")).user_pays
        Money('1.00', 'CNY')
        """
        return self.amount

    @property
    def biller_receives(self) -> Money:
        """The bill amount minus the commission.

        >>> BillPaymentFeePolicy().quote(CNY("1000.00")).biller_receives
        Money('999.00', 'CNY')
        """
        return self.amount - self.commission


@attrs.frozen
class BillPaymentFeePolicy:
    """The bill-payment (生活缴费) commission: paid by the biller, never by the user.

    The case study lists 生活缴费 among Alipay's value-added services
    (其他收益：增值服务收益). Users pay utility, phone and similar bills free of
    charge; the biller (the utility company, or the bank or aggregator collecting
    for it) pays a per-payment commission out of what it collects. The rate is
    an assumption (cfg): 0.1% of the bill, rounded half-up, from 2004-12-08
    (Alipay's founding, also the start of the acquiring fee table).

    >>> BillPaymentFeePolicy().quote(CNY("356.78")).commission   # 0.35678 half-up
    Money('0.36', 'CNY')
    >>> BillPaymentFeePolicy(biller_rate=Rate("0")).quote(CNY("356.78")).biller_receives
    Money('356.78', 'CNY')

    Args:
        biller_rate: the commission rate on the bill amount, charged to the biller (assumption, cfg).
        rounding: how the commission is rounded to the fen (cfg, ``HALF_UP``).
        effective_from: first day the policy applies (cfg).

    .. versionadded:: 0.2.0
    """

    biller_rate: Rate = attrs.field(default=Rate.percent("0.1"), validator=_check_rate)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)
    effective_from: date = attrs.field(default=date(2004, 12, 8), validator=_check_date)

    def quote(self, amount: Money, *, on: date | None = None) -> BillPaymentQuote:
        """Price a bill payment of ``amount`` (on ``on``, when given: before ``effective_from`` raises).

        >>> BillPaymentFeePolicy().quote(CNY("50.00"), on=date(2024, 1, 1)).commission
        Money('0.05', 'CNY')

        Raises:
            antfin.errors.InvalidAmountError: for a non-positive amount.
            antfin.errors.OutsideCoverageError: for a date before ``effective_from``.
            TypeError: for a non-Money amount.
        """
        check_positive(amount, "amount")
        if on is not None and ensure_date(on, "on") < self.effective_from:
            raise OutsideCoverageError(
                f"on {on} is before this bill-payment policy starts ({self.effective_from}); "
                "use a policy whose effective_from covers it"
            )
        return BillPaymentQuote(amount, self.biller_rate.of(amount, self.rounding))
