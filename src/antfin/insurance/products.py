"""Partner insurers, insurance products sold through Alipay, and Ant's service fees: all data.

>>> from antfin.insurance.products import CATHAY, DEFAULT_SERVICE_FEES, TRAVEL
>>> CATHAY.name_zh, str(CATHAY.ant_stake), CATHAY.stake_since
('国泰产险', '51%', 2016)
>>> TRAVEL.insurer is CATHAY, TRAVEL.premium
(True, Money('30.00', 'CNY'))
>>> DEFAULT_SERVICE_FEES.table_on(date(2024, 5, 1)).fees_on_sale(CNY("30.00"))
(Money('3.00', 'CNY'), Money('0.60', 'CNY'))

The case study (seed) says users buy travel and health insurance through
Alipay, that Ant provides insurers with customer acquisition, risk assessment
and claims services (为保险公司提供客户获取、风险评估、理赔等服务), that Ant
took 51% of 国泰产险 in 2016 and that 信美人寿相互保险社 was set up in 2017.
It gives no premium, payout or fee: every such number here is an
**assumption** (each table says so in its ``source``), kept as data so a user
can price their own products with the same code.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.errors import InvalidAmountError, OutsideCoverageError
from antfin.money import CNY, Money, Rounding
from antfin.rates import Rate
from antfin.validators import attribute, check_int, check_key, check_non_negative, check_positive

__all__ = [
    "CATHAY",
    "DEFAULT_SERVICE_FEES",
    "HEALTH",
    "PRODUCTS",
    "RETURN_SHIPPING",
    "TRAVEL",
    "XINMEI",
    "CoverKind",
    "InsuranceProduct",
    "Insurer",
    "ServiceFeeSchedule",
    "ServiceFeeTable",
]

_SEED: Final = "case study (seed): 2016年蚂蚁金服向国泰产险增资，持股51%，2017年成立信美人寿相互保险社"


_text = attribute(check_key)
_non_negative = attribute(check_non_negative)
_positive = attribute(check_positive)
#: Up to a hundred years.
_days = attribute(check_int, at_least=0, at_most=36_600)


@attrs.frozen
class Insurer:
    """A partner insurer that underwrites the policies sold through Alipay.

    >>> XINMEI.name_en, XINMEI.ant_stake is None
    ('Trust Mutual Life', True)

    Args:
        code: short id; its account is :func:`antfin.chart.insurer_account`.
        name_zh: Chinese name.
        name_en: English name.
        ant_stake: Ant's equity stake, or ``None`` (a mutual is owned by its members).
        stake_since: the year the stake (or the partnership) dates from.
        source: where the facts come from.

    .. versionadded:: 0.2.0
    """

    code: str = attrs.field(validator=_text)
    name_zh: str = attrs.field(validator=_text)
    name_en: str = attrs.field(validator=_text)
    ant_stake: Rate | None = None
    stake_since: int | None = None
    source: str = ""


#: 国泰产险 (Cathay Insurance): Ant took 51% in 2016 (seed).
CATHAY: Final = Insurer("cathay", "国泰产险", "Cathay Insurance", Rate.percent("51"), 2016, _SEED)

#: 信美人寿相互保险社 (Trust Mutual Life), set up in 2017 (seed); a mutual, owned by its members.
XINMEI: Final = Insurer("xinmei", "信美人寿相互保险社", "Trust Mutual Life", None, 2017, _SEED)


class CoverKind(enum.Enum):
    """What a product covers; return-shipping cover is bought with an escrow trade.

    >>> CoverKind.RETURN_SHIPPING.name_zh
    '退货运费险'

    .. versionadded:: 0.2.0
    """

    TRAVEL = "travel"
    HEALTH = "health"
    RETURN_SHIPPING = "return_shipping"

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> CoverKind.HEALTH.name_zh
        '健康保险'
        """
        return {"travel": "旅行保险", "health": "健康保险", "return_shipping": "退货运费险"}[self.value]


@attrs.frozen
class InsuranceProduct:
    """An insurance product sold through Alipay (every number is data; the presets are assumptions).

    >>> RETURN_SHIPPING.fixed_payout, RETURN_SHIPPING.kind.name_zh
    (Money('12.00', 'CNY'), '退货运费险')
    >>> HEALTH.payout_for(CNY("1500"), already_paid=CNY("0"))
    Money('1400.00', 'CNY')

    Args:
        code: short id.
        name: display name.
        kind: what it covers.
        insurer: who underwrites it (premiums go to, and claims are paid by, the insurer).
        premium: the premium of one policy.
        sum_insured: the most all claims of one policy may pay in total.
        term_days: days of cover from the start date (the end date is included).
        waiting_days: days after the start in which incidents are not covered (health).
        deductible: taken off each claim (indemnity products).
        fixed_payout: a fixed amount per claim instead of an indemnity (return shipping).
        max_claims: how many claims one policy pays (``None``: until ``sum_insured`` is used).
        effective_from: first sale date of these terms.
        source: where the numbers come from (``"assumption: …"`` when no public source).

    Raises:
        antfin.errors.InvalidAmountError: a negative amount, a non-positive premium or sum
            insured, or a fixed payout above the sum insured.

    .. versionadded:: 0.2.0
    """

    code: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    kind: CoverKind
    insurer: Insurer
    premium: Money = attrs.field(validator=_positive)
    sum_insured: Money = attrs.field(validator=_positive)
    term_days: int = attrs.field(validator=_days)
    waiting_days: int = attrs.field(default=0, validator=_days)
    deductible: Money = attrs.field(default=CNY.zero(), validator=_non_negative)
    fixed_payout: Money | None = None
    max_claims: int | None = None
    effective_from: date = date(2016, 1, 1)
    source: str = "assumption"

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.kind, CoverKind):
            raise TypeError(f"kind must be a CoverKind, not {type(self.kind).__name__}")
        if not isinstance(self.insurer, Insurer):
            raise TypeError(f"insurer must be an Insurer, not {type(self.insurer).__name__}")
        if self.fixed_payout is not None:
            _positive(self, attrs.fields(InsuranceProduct).sum_insured, self.fixed_payout)
            if self.fixed_payout > self.sum_insured:
                raise InvalidAmountError(f"fixed_payout {self.fixed_payout} exceeds sum_insured {self.sum_insured}")
        if self.max_claims is not None and (isinstance(self.max_claims, bool) or not isinstance(self.max_claims, int)):
            raise TypeError(f"max_claims must be an int or None, not {type(self.max_claims).__name__}")
        if self.max_claims is not None and self.max_claims < 1:
            raise InvalidAmountError(f"max_claims must be at least 1, got {self.max_claims}")
        ensure_date(self.effective_from, "effective_from")

    def payout_for(self, claimed: Money, *, already_paid: Money) -> Money:
        """What a claim of ``claimed`` pays: the fixed payout, or the claim less the deductible, capped by what
        is left of the sum insured; never below zero.

        >>> TRAVEL.payout_for(CNY("60000"), already_paid=CNY("0"))
        Money('50000.00', 'CNY')
        >>> RETURN_SHIPPING.payout_for(CNY("8"), already_paid=CNY("0"))
        Money('12.00', 'CNY')
        """
        left = max(self.sum_insured - already_paid, self.sum_insured.currency.zero())
        wanted = self.fixed_payout if self.fixed_payout is not None else claimed - self.deductible
        return max(min(wanted, left), left.currency.zero())


_ASSUMED: Final = "assumption: the case study gives no premium or cover; illustrative figures"

#: Travel insurance by 国泰产险: 30 yuan for 7 days, up to 50,000 (assumption).
TRAVEL: Final = InsuranceProduct(
    "travel", "旅行意外险", CoverKind.TRAVEL, CATHAY, CNY("30.00"), CNY("50000.00"), 7, source=_ASSUMED
)

#: Health insurance by 信美人寿: 300 yuan a year, up to 200,000, 30 waiting days, 100 deductible (assumption).
HEALTH: Final = InsuranceProduct(
    "health",
    "健康保险",
    CoverKind.HEALTH,
    XINMEI,
    CNY("300.00"),
    CNY("200000.00"),
    365,
    waiting_days=30,
    deductible=CNY("100.00"),
    source=_ASSUMED,
)

#: 退货运费险 by 国泰产险: 0.90 yuan a trade, pays 12 yuan of return postage once, 90 days (assumption).
RETURN_SHIPPING: Final = InsuranceProduct(
    "return_shipping",
    "退货运费险",
    CoverKind.RETURN_SHIPPING,
    CATHAY,
    CNY("0.90"),
    CNY("12.00"),
    90,
    fixed_payout=CNY("12.00"),
    max_claims=1,
    source=_ASSUMED,
)

#: The presets by code.
PRODUCTS: Final = {product.code: product for product in (TRAVEL, HEALTH, RETURN_SHIPPING)}


@attrs.frozen
class ServiceFeeTable:
    """Ant's service fees to insurers, one dated version (the presets are assumptions).

    >>> table = DEFAULT_SERVICE_FEES.table_on(date(2024, 1, 1))
    >>> str(table.acquisition), str(table.risk_assessment), table.claims_service
    ('10%', '2%', Money('1.00', 'CNY'))

    Args:
        version: a name for this version.
        effective_from: first day it applies.
        acquisition: customer acquisition fee, a share of each premium.
        risk_assessment: risk assessment fee, a share of each premium.
        claims_service: claims service fee per claim assessed (approved or declined).
        rounding: rounding of the premium shares to the fen.
        source: where the numbers come from.

    .. versionadded:: 0.2.0
    """

    version: str = attrs.field(validator=_text)
    effective_from: date
    acquisition: Rate
    risk_assessment: Rate
    claims_service: Money = attrs.field(validator=_non_negative)
    rounding: Rounding = Rounding.HALF_UP
    source: str = "assumption"

    def __attrs_post_init__(self) -> None:
        ensure_date(self.effective_from, "effective_from")
        if self.acquisition.value + self.risk_assessment.value > 1:
            raise InvalidAmountError(
                f"acquisition {self.acquisition} and risk assessment {self.risk_assessment} exceed the premium"
            )

    def fees_on_sale(self, premium: Money) -> tuple[Money, Money]:
        """The acquisition and risk assessment fees on a premium, rounded with ``rounding``.

        The acquisition fee is rounded on its own and the two fees together, so
        their sum is the rounded sum of the shares and never exceeds the premium.

        >>> DEFAULT_SERVICE_FEES.table_on(date(2024, 1, 1)).fees_on_sale(CNY("0.90"))
        (Money('0.09', 'CNY'), Money('0.02', 'CNY'))
        """
        acquisition = self.acquisition.of(premium, rounding=self.rounding)
        # Round the two shares together, then take the first off: the fees never exceed the premium.
        both = Rate(self.acquisition.value + self.risk_assessment.value).of(premium, rounding=self.rounding)
        return acquisition, both - acquisition


def _tables(value: Iterable[ServiceFeeTable]) -> tuple[ServiceFeeTable, ...]:
    tables = tuple(value)
    if not tables or not all(isinstance(table, ServiceFeeTable) for table in tables):
        raise InvalidAmountError("a service fee schedule needs at least one ServiceFeeTable")
    return tuple(sorted(tables, key=lambda table: table.effective_from))


@attrs.frozen
class ServiceFeeSchedule:
    """Dated service fee tables: the one in force on a date is the latest that started on or before it.

    >>> DEFAULT_SERVICE_FEES.table_on(date(2015, 12, 31))
    Traceback (most recent call last):
    ...
    antfin.errors.OutsideCoverageError: on: 2015-12-31 is before the first service fee table ...

    .. versionadded:: 0.2.0
    """

    tables: tuple[ServiceFeeTable, ...] = attrs.field(converter=_tables)

    def table_on(self, on: date) -> ServiceFeeTable:
        """The table in force on ``on``.

        >>> DEFAULT_SERVICE_FEES.table_on(date(2020, 7, 1)).version
        'assumed-2016'

        Raises:
            antfin.errors.OutsideCoverageError: for a date before the first table.
        """
        ensure_date(on, "on")
        found = [table for table in self.tables if table.effective_from <= on]
        if not found:
            first = self.tables[0]
            raise OutsideCoverageError(
                f"on: {on} is before the first service fee table ({first.version}, from {first.effective_from})"
            )
        return found[-1]


#: Ant's service fees from 2016 (assumption: 10% of premium for acquisition, 2% for risk assessment,
#: 1 yuan per claim assessed; the case study names the services but no fee).
DEFAULT_SERVICE_FEES: Final = ServiceFeeSchedule(
    (
        ServiceFeeTable(
            "assumed-2016",
            date(2016, 1, 1),
            Rate.percent("10"),
            Rate.percent("2"),
            CNY("1.00"),
            source="assumption: the case study names 客户获取、风险评估、理赔 services but no fee",
        ),
    )
)
