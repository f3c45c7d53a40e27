"""Daily accrual of a money-market fund's fees, each owed to its own party.

Each fee accrues every calendar day on the fund's assets at ``annual rate ÷
days in year`` (the fund contract's "前一日基金资产净值 × 年费率 ÷ 当年天数"),
rounded to the fen with a named mode. Defaults are the rates commonly cited
for Yu'ebao (Tianhong): management 0.30%, sales service 0.25%, and custody
0.08% until 2025-09-22, 0.07% from 2025-09-23 (a dated table), a year over
365 days (cfg). The fees belong to three different parties
(:class:`FundParty`): the manager (天弘基金, Tianhong), the custodian bank, and
the distributor. Only the distributor's fee is Ant's revenue when Ant
distributes the fund; Ant's 51% of Tianhong is an equity interest
(:mod:`antfin.wealth.equity`), not fee revenue.

>>> from antfin.wealth.fees import FundFeeSchedule
>>> accrual = FundFeeSchedule().accrue(CNY("1000000.00"), on=date(2024, 6, 3))
>>> accrual.management, accrual.custody, accrual.sales_service
(Money('8.22', 'CNY'), Money('2.19', 'CNY'), Money('6.85', 'CNY'))
>>> accrual.total
Money('17.26', 'CNY')
>>> FundFeeSchedule().accrue(CNY("1000000.00"), on=date(2025, 9, 23)).custody
Money('1.92', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import decimal
import enum
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import EARLIEST_DATE, ensure_date
from antfin.errors import InvalidAmountError
from antfin.money import Money, Rounding
from antfin.rates import Rate
from antfin.tables import Dated, DatedTable

__all__ = ["YUEBAO_CUSTODY_FEES", "FeeAccrual", "FundFeeSchedule", "FundParty"]

_CONTEXT: Final = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)


def _check_days(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidAmountError(f"days_in_year must be a positive int, got {value!r}")


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


def _check_rate(_instance: object, attribute: attrs.Attribute[Rate], value: object) -> None:
    if not isinstance(value, Rate):
        raise TypeError(f"{attribute.name} must be a Rate (e.g. Rate.percent('0.30')), not {type(value).__name__}")


class FundParty(enum.Enum):
    """Who a money-market fund's fee is owed to.

    >>> [(party.value, party.name_zh) for party in FundParty]
    [('manager', '基金管理人'), ('custodian', '基金托管人'), ('distributor', '基金销售机构')]

    .. versionadded:: 0.2.0
    """

    MANAGER = "manager"
    CUSTODIAN = "custodian"
    DISTRIBUTOR = "distributor"

    @property
    def name_zh(self) -> str:
        """The Chinese name of the role.

        >>> FundParty.CUSTODIAN.name_zh
        '基金托管人'
        """
        return {"manager": "基金管理人", "custodian": "基金托管人", "distributor": "基金销售机构"}[self.value]


#: Yu'ebao's custody fee (托管费) by date (cfg).
YUEBAO_CUSTODY_FEES: Final[DatedTable[Rate]] = DatedTable(
    "Yu'ebao custody fee",
    (
        Dated(
            date(2013, 5, 29),
            Rate.percent("0.08"),
            "Tianhong Yu'ebao (天弘余额宝, formerly 天弘增利宝) fund contract and prospectus: 0.08% a year; "
            "the first day is the fund's inception (cfg)",
        ),
        Dated(
            date(2025, 9, 23),
            Rate.percent("0.07"),
            "a reported fee cut: 0.07% a year from 2025-09-23 (an assumption, not verified against the "
            "manager's announcement: cfg)",
        ),
    ),
)


def _custody(value: Rate | DatedTable[Rate]) -> DatedTable[Rate]:
    if isinstance(value, Rate):
        return DatedTable("custody fee", (Dated(EARLIEST_DATE, value, "the caller's flat rate (cfg)"),))
    if not isinstance(value, DatedTable):
        raise TypeError(f"custody must be a Rate or a DatedTable of Rate, not {type(value).__name__}")
    return value


@attrs.frozen
class FeeAccrual:
    """One day's fees on one day's assets.

    >>> FundFeeSchedule().accrue(CNY("365000.00"), on=date(2024, 1, 1)).total
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

        >>> FundFeeSchedule().accrue(CNY("0"), on=date(2024, 1, 1)).total
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        return self.management + self.custody + self.sales_service

    def by_party(self) -> tuple[tuple[FundParty, Money], ...]:
        """Each fee with the party it is owed to.

        >>> [(party.value, str(fee)) for party, fee in FundFeeSchedule().accrue(CNY("3650000"),
        ...                                                                    on=date(2024, 1, 1)).by_party()]
        [('manager', '30.00 CNY'), ('custodian', '8.00 CNY'), ('distributor', '25.00 CNY')]

        .. versionadded:: 0.2.0
        """
        return (
            (FundParty.MANAGER, self.management),
            (FundParty.CUSTODIAN, self.custody),
            (FundParty.DISTRIBUTOR, self.sales_service),
        )


@attrs.frozen
class FundFeeSchedule:
    """Annual fee rates of a money-market fund, accrued daily (cfg).

    >>> FundFeeSchedule(management=Rate.percent("0.15")).accrue(CNY("3650000"), on=date(2024, 1, 1)).management
    Money('15.00', 'CNY')
    >>> FundFeeSchedule().accrue(CNY("1"), on=date(2013, 5, 28))
    Traceback (most recent call last):
    ...
    antfin.errors.OutsideCoverageError: Yu'ebao custody fee: 2013-05-28 is outside the table's coverage 2013-05-29...

    Args:
        management: management fee (管理费), 0.30% a year by default (cfg).
        custody: custody fee (托管费): :data:`YUEBAO_CUSTODY_FEES` by default (0.08%,
            0.07% from 2025-09-23); a plain :class:`~antfin.rates.Rate` applies on every day.
        sales_service: sales service fee (销售服务费), 0.25% a year by default (cfg).
        days_in_year: the divisor for a day's accrual, 365 by default (cfg).
        rounding: mode for each fee's fen, half-up by default (cfg).

    Raises:
        TypeError: for a rate that is not a :class:`~antfin.rates.Rate`.
        antfin.errors.InvalidAmountError: for a non-positive ``days_in_year`` or an unknown rounding.

    .. versionadded:: 0.1.0
    """

    management: Rate = attrs.field(default=Rate.percent("0.30"), validator=_check_rate)
    custody: DatedTable[Rate] = attrs.field(default=YUEBAO_CUSTODY_FEES, converter=_custody)
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

    def accrue(self, assets: Money, *, on: date) -> FeeAccrual:
        """The three fees of day ``on`` on ``assets`` (the fund's assets that day).

        >>> FundFeeSchedule().accrue(CNY("100.00"), on=date(2024, 1, 1)).total
        Money('0.00', 'CNY')

        Raises:
            TypeError: when ``assets`` is not Money or ``on`` not a date.
            antfin.errors.InvalidAmountError: for negative assets.
            antfin.errors.OutsideCoverageError: for a day the custody table does not cover.

        .. versionadded:: 0.1.0
        .. versionchanged:: 0.2.0
           ``on`` is required: the custody fee is dated.
        """
        custody = self.custody.on(ensure_date(on, "on"))
        return FeeAccrual(
            assets,
            self.daily(assets, self.management),
            self.daily(assets, custody),
            self.daily(assets, self.sales_service),
        )
