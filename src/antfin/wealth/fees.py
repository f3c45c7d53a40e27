"""Daily accrual of a money-market fund's fees: management, custody and sales service.

Each fee accrues every calendar day on the fund's assets at ``annual rate ÷
days in year`` (the fund contract's "前一日基金资产净值 × 年费率 ÷ 当年天数"),
rounded to the fen with a named mode. Defaults are the rates commonly cited
for Yu'ebao (Tianhong): management 0.30%, custody 0.08%, sales service 0.25% a
year over 365 days (cfg).

>>> from antfin.wealth.fees import FundFeeSchedule
>>> accrual = FundFeeSchedule().accrue(CNY("1000000.00"))
>>> accrual.management, accrual.custody, accrual.sales_service
(Money('8.22', 'CNY'), Money('2.19', 'CNY'), Money('6.85', 'CNY'))
>>> accrual.total
Money('17.26', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Final

import attrs

from antfin.chart import ProfitPoint
from antfin.errors import InvalidAmountError
from antfin.money import Money, Rounding
from antfin.rates import Rate

__all__ = ["FeeAccrual", "FundFeeSchedule"]

_CONTEXT: Final = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)


def _check_days(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidAmountError(f"days_in_year must be a positive int, got {value!r}")


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


def _check_rate(_instance: object, attribute: attrs.Attribute[Rate], value: object) -> None:
    if not isinstance(value, Rate):
        raise TypeError(f"{attribute.name} must be a Rate (e.g. Rate.percent('0.30')), not {type(value).__name__}")


@attrs.frozen
class FeeAccrual:
    """One day's fees on one day's assets.

    >>> FundFeeSchedule().accrue(CNY("365000.00")).total
    Money('6.30', 'CNY')

    .. versionadded:: 0.1.0
    """

    assets: Money
    management: Money
    custody: Money
    sales_service: Money

    @property
    def total(self) -> Money:
        """The three fees together.

        >>> FundFeeSchedule().accrue(CNY("0")).total
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        return self.management + self.custody + self.sales_service

    def by_profit_point(self) -> tuple[tuple[ProfitPoint, Money], ...]:
        """Each fee with the profit point whose revenue account it is booked to.

        >>> [point.code for point, _ in FundFeeSchedule().accrue(CNY("1")).by_profit_point()]
        ['management_fee', 'custody_fee', 'sales_service_fee']

        .. versionadded:: 0.1.0
        """
        return (
            (ProfitPoint.YUEBAO_MANAGEMENT_FEE, self.management),
            (ProfitPoint.YUEBAO_CUSTODY_FEE, self.custody),
            (ProfitPoint.YUEBAO_SALES_SERVICE_FEE, self.sales_service),
        )


@attrs.frozen
class FundFeeSchedule:
    """Annual fee rates of a money-market fund, accrued daily (cfg).

    >>> FundFeeSchedule(management=Rate.percent("0.15")).accrue(CNY("3650000")).management
    Money('15.00', 'CNY')

    Args:
        management: management fee (管理费), 0.30% a year by default (cfg).
        custody: custody fee (托管费), 0.08% a year by default (cfg).
        sales_service: sales service fee (销售服务费), 0.25% a year by default (cfg).
        days_in_year: the divisor for a day's accrual, 365 by default (cfg).
        rounding: mode for each fee's fen, half-up by default (cfg).

    Raises:
        TypeError: for a rate that is not a :class:`~antfin.rates.Rate`.
        antfin.errors.InvalidAmountError: for a non-positive ``days_in_year`` or an unknown rounding.

    .. versionadded:: 0.1.0
    """

    management: Rate = attrs.field(default=Rate.percent("0.30"), validator=_check_rate)
    custody: Rate = attrs.field(default=Rate.percent("0.08"), validator=_check_rate)
    sales_service: Rate = attrs.field(default=Rate.percent("0.25"), validator=_check_rate)
    days_in_year: int = attrs.field(default=365, validator=_check_days)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)

    def daily(self, assets: Money, rate: Rate) -> Money:
        """``assets × rate ÷ days_in_year``, rounded once to the fen with ``rounding``.

        >>> FundFeeSchedule().daily(CNY("1000000.00"), Rate.percent("0.30"))
        Money('8.22', 'CNY')

        Raises:
            TypeError: when ``assets`` is not Money.
            antfin.errors.InvalidAmountError: for negative assets.

        .. versionadded:: 0.1.0
        """
        if not isinstance(assets, Money):
            raise TypeError(f"assets must be Money, not {type(assets).__name__}")
        if assets.is_negative():
            raise InvalidAmountError(f"assets must not be negative, got {assets}")
        exact = _CONTEXT.divide(Decimal(assets.minor_units) * rate.value, Decimal(self.days_in_year))
        fen = int(exact.to_integral_value(rounding=self.rounding.value))
        return Money.from_minor_units(fen, assets.currency)

    def accrue(self, assets: Money) -> FeeAccrual:
        """The day's three fees on ``assets`` (the fund's assets that day).

        >>> FundFeeSchedule().accrue(CNY("100.00")).total
        Money('0.00', 'CNY')

        Raises:
            TypeError: when ``assets`` is not Money.
            antfin.errors.InvalidAmountError: for negative assets.

        .. versionadded:: 0.1.0
        """
        return FeeAccrual(
            assets,
            self.daily(assets, self.management),
            self.daily(assets, self.custody),
            self.daily(assets, self.sales_service),
        )
