"""Asset allocation of a money-market fund: target weights, allocating an amount, actual vs target.

The case study's Yu'ebao portfolio (余额宝盈利点 · 投资收益): bank deposits
about 90% (1-month, 1-3-month and over-3-month term deposits), bonds about 7%,
insurance wealth products about 2%, other about 1%. The split of the deposits
over the three terms is not given in the source; the default splits them
equally, 30% each (cfg).

>>> from antfin.wealth.allocation import AllocationTargets
>>> plan = AllocationTargets.yuebao().allocate(CNY("1000000.00"))
>>> [str(amount.amount) for amount in plan.values()]
['300000.00', '300000.00', '300000.00', '70000.00', '20000.00', '10000.00']

The allocation drives the fund's gross income: :class:`PortfolioIncome` puts
the day's assets on the targets and earns each class's dated annual yield
(:data:`YUEBAO_YIELDS`, assumptions) for one day.

>>> PortfolioIncome().gross_income(CNY("1000000.00"), date(2024, 6, 3))
Money('47.64', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.errors import InvalidAmountError
from antfin.money import _CONTEXT, AmountLike, Money, Rounding, to_decimal
from antfin.rates import Rate
from antfin.tables import Dated, DatedTable

__all__ = [
    "YUEBAO_YIELDS",
    "AllocationReport",
    "AllocationRow",
    "AllocationTargets",
    "AssetClass",
    "AssetYields",
    "PortfolioIncome",
]

_WEIGHT_QUANTUM: Final = Decimal("0.0001")


class AssetClass(enum.Enum):
    """What the fund invests in, with the case study's Chinese name.

    >>> AssetClass.BONDS.name_zh
    '债券'

    .. versionadded:: 0.1.0
    """

    DEPOSIT_1M = ("deposit_1m", "1月期定期存款")
    DEPOSIT_1_3M = ("deposit_1_3m", "1-3月期定期存款")
    DEPOSIT_OVER_3M = ("deposit_over_3m", "3月期以上定期存款")
    BONDS = ("bonds", "债券")
    INSURANCE_WEALTH = ("insurance_wealth", "保险理财")
    OTHER = ("other", "其他投资")

    @property
    def code(self) -> str:
        """Short code.

        >>> AssetClass.DEPOSIT_1M.code
        'deposit_1m'
        """
        return self.value[0]

    @property
    def name_zh(self) -> str:
        """Chinese name from the case study.

        >>> AssetClass.OTHER.name_zh
        '其他投资'
        """
        return self.value[1]


def _weights(value: Mapping[AssetClass, AmountLike]) -> Mapping[AssetClass, Decimal]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidAmountError("weights must be a non-empty mapping of AssetClass to weight")
    result: dict[AssetClass, Decimal] = {}
    for asset, weight in value.items():
        if not isinstance(asset, AssetClass):
            raise TypeError(f"weights keys must be AssetClass, not {type(asset).__name__}")
        number = to_decimal(weight, f"weight of {asset.code}")
        if number < 0:
            raise InvalidAmountError(f"weight of {asset.code} must not be negative, got {number}")
        result[asset] = number
    total = sum(result.values(), Decimal(0))
    if total != 1:
        raise InvalidAmountError(f"weights must sum to exactly 1, got {total}")
    return MappingProxyType(result)


@attrs.frozen
class AllocationRow:
    """One asset class in a report: amount, actual weight, target weight, drift.

    >>> row = AllocationTargets.yuebao().report({AssetClass.BONDS: CNY("1")}).rows[3]
    >>> row.asset, row.actual_weight, row.target_weight, row.drift
    (<AssetClass.BONDS: ...>, Decimal('1.0000'), Decimal('0.07'), Decimal('0.9300'))

    .. versionadded:: 0.1.0
    """

    asset: AssetClass
    amount: Money
    actual_weight: Decimal
    target_weight: Decimal

    @property
    def drift(self) -> Decimal:
        """Actual minus target weight.

        >>> AllocationRow(AssetClass.OTHER, CNY("0"), Decimal("0.0000"), Decimal("0.01")).drift
        Decimal('-0.0100')
        """
        return self.actual_weight - self.target_weight


@attrs.frozen
class AllocationReport:
    """Actual holdings against the targets.

    >>> report = AllocationTargets.yuebao().report({AssetClass.DEPOSIT_1M: CNY("90"), AssetClass.BONDS: CNY("10")})
    >>> report.total, report.max_drift
    (Money('100.00', 'CNY'), Decimal('0.6000'))

    .. versionadded:: 0.1.0
    """

    total: Money
    rows: tuple[AllocationRow, ...]

    @property
    def max_drift(self) -> Decimal:
        """The largest absolute drift of any asset class.

        >>> AllocationTargets.yuebao().report({AssetClass.OTHER: CNY("0")}).max_drift
        Decimal('0')
        """
        return max((abs(row.drift) for row in self.rows), default=Decimal(0)) if self.total.minor_units else Decimal(0)


@attrs.frozen
class AllocationTargets:
    """Target weights per asset class that sum to exactly 1 (cfg).

    >>> targets = AllocationTargets({AssetClass.BONDS: "0.5", AssetClass.OTHER: "0.5"})
    >>> targets.allocate(CNY("0.03"))[AssetClass.BONDS]
    Money('0.02', 'CNY')

    Args:
        weights: asset class → weight (str, int or Decimal; never float).
        report_rounding: mode for the 4 decimals of actual weights in reports.

    Raises:
        antfin.errors.InvalidAmountError: for negative weights or weights not summing to 1.
        TypeError: for float weights or keys that are not :class:`AssetClass`.

    .. versionadded:: 0.1.0
    """

    weights: Mapping[AssetClass, Decimal] = attrs.field(converter=_weights, eq=False, hash=False)
    report_rounding: Rounding = Rounding.HALF_EVEN

    @classmethod
    def yuebao(cls) -> AllocationTargets:
        """The case study's targets: deposits 90% (30% per term, cfg), bonds 7%, insurance 2%, other 1%.

        >>> AllocationTargets.yuebao().weights[AssetClass.BONDS]
        Decimal('0.07')

        .. versionadded:: 0.1.0
        """
        return cls(
            {
                AssetClass.DEPOSIT_1M: "0.30",
                AssetClass.DEPOSIT_1_3M: "0.30",
                AssetClass.DEPOSIT_OVER_3M: "0.30",
                AssetClass.BONDS: "0.07",
                AssetClass.INSURANCE_WEALTH: "0.02",
                AssetClass.OTHER: "0.01",
            }
        )

    def allocate(self, amount: Money) -> Mapping[AssetClass, Money]:
        """Split ``amount`` over the targets, exact to the fen (largest remainder).

        >>> plan = AllocationTargets.yuebao().allocate(CNY("0.99"))
        >>> sum(plan.values(), CNY.zero()), plan[AssetClass.DEPOSIT_1M]
        (Money('0.99', 'CNY'), Money('0.30', 'CNY'))

        Raises:
            TypeError: when ``amount`` is not Money.

        .. versionadded:: 0.1.0
        """
        if not isinstance(amount, Money):
            raise TypeError(f"amount must be Money, not {type(amount).__name__}")
        assets = list(self.weights)
        parts = amount.allocate([self.weights[asset] for asset in assets])
        return MappingProxyType(dict(zip(assets, parts, strict=True)))

    def report(self, actual: Mapping[AssetClass, Money]) -> AllocationReport:
        """Compare actual holdings with the targets (classes missing from either side count as 0).

        >>> report = AllocationTargets.yuebao().report({AssetClass.DEPOSIT_1M: CNY("1")})
        >>> report.rows[0].actual_weight, report.rows[0].target_weight
        (Decimal('1.0000'), Decimal('0.30'))

        Raises:
            TypeError: for keys that are not :class:`AssetClass` or values that are not Money.
            antfin.errors.InvalidAmountError: for a negative holding.

        .. versionadded:: 0.1.0
        """
        for asset, money in actual.items():
            if not isinstance(asset, AssetClass):
                raise TypeError(f"actual keys must be AssetClass, not {type(asset).__name__}")
            if not isinstance(money, Money):
                raise TypeError(f"actual[{asset.code}] must be Money, not {type(money).__name__}")
            if money.is_negative():
                raise InvalidAmountError(f"actual[{asset.code}] must not be negative, got {money}")
        currency = next(iter(actual.values())).currency if actual else None
        total = sum(actual.values(), Money.zero(currency)) if currency else Money.zero()
        rows = []
        for asset in AssetClass:
            if asset not in self.weights and asset not in actual:
                continue
            money = actual.get(asset, Money.zero(total.currency))
            weight = (
                (money.amount / total.amount).quantize(_WEIGHT_QUANTUM, rounding=self.report_rounding.value)
                if total.minor_units
                else Decimal("0.0000")
            )
            rows.append(AllocationRow(asset, money, weight, self.weights.get(asset, Decimal(0))))
        return AllocationReport(total, tuple(rows))


# -- income from the portfolio ----------------------------------------------------------------------


def _yield_pairs(
    value: Mapping[AssetClass, Rate] | Iterable[tuple[AssetClass, Rate]],
) -> tuple[tuple[AssetClass, Rate], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    pairs = []
    for asset, rate in items:
        if not isinstance(asset, AssetClass):
            raise TypeError(f"yield keys must be AssetClass, not {type(asset).__name__}")
        if not isinstance(rate, Rate):
            raise TypeError(f"the yield of {asset.code} must be a Rate, not {type(rate).__name__}")
        pairs.append((asset, rate))
    if len({asset for asset, _ in pairs}) != len(pairs):
        raise InvalidAmountError("each asset class may have one yield only")
    return tuple(sorted(pairs, key=lambda pair: list(AssetClass).index(pair[0])))


@attrs.frozen
class AssetYields:
    """Annual yields per asset class, in force together (one row of a dated yield table).

    >>> AssetYields({AssetClass.BONDS: Rate.percent("2.1")}).rate_for(AssetClass.BONDS)
    Rate(value=Decimal('0.021'))

    Raises:
        TypeError: for keys that are not :class:`AssetClass` or yields that are not Rate.

    .. versionadded:: 0.2.0
    """

    rates: tuple[tuple[AssetClass, Rate], ...] = attrs.field(converter=_yield_pairs)

    def rate_for(self, asset: AssetClass) -> Rate:
        """The yield of ``asset``.

        >>> AssetYields({}).rate_for(AssetClass.OTHER)
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidAmountError: no yield for asset class other; the table lists: none

        Raises:
            antfin.errors.InvalidAmountError: for a class the row has no yield for.
        """
        for listed, rate in self.rates:
            if listed is asset:
                return rate
        names = ", ".join(listed.code for listed, _ in self.rates) or "none"
        raise InvalidAmountError(f"no yield for asset class {asset.code}; the table lists: {names}")


def _row(deposits: tuple[str, str, str], bonds: str, insurance: str, other: str) -> AssetYields:
    return AssetYields(
        {
            AssetClass.DEPOSIT_1M: Rate.percent(deposits[0]),
            AssetClass.DEPOSIT_1_3M: Rate.percent(deposits[1]),
            AssetClass.DEPOSIT_OVER_3M: Rate.percent(deposits[2]),
            AssetClass.BONDS: Rate.percent(bonds),
            AssetClass.INSURANCE_WEALTH: Rate.percent(insurance),
            AssetClass.OTHER: Rate.percent(other),
        }
    )


_ILLUSTRATIVE: Final = (
    "assumption (cfg): illustrative annual yields for the period, longer deposit terms paying more; "
    "not sourced per asset class"
)

#: Annual yields of Yu'ebao's asset classes by date: every row is an assumption (cfg).
YUEBAO_YIELDS: Final[DatedTable[AssetYields]] = DatedTable(
    "Yu'ebao asset-class yields",
    (
        Dated(date(2013, 5, 29), _row(("4.5", "5.0", "5.5"), "4.5", "5.0", "3.0"), _ILLUSTRATIVE),
        Dated(date(2016, 1, 1), _row(("2.8", "3.0", "3.2"), "3.0", "3.5", "2.0"), _ILLUSTRATIVE),
        Dated(date(2019, 1, 1), _row(("2.4", "2.6", "2.8"), "3.0", "3.5", "2.0"), _ILLUSTRATIVE),
        Dated(date(2022, 1, 1), _row(("1.8", "2.0", "2.2"), "2.4", "3.0", "1.5"), _ILLUSTRATIVE),
        Dated(date(2024, 1, 1), _row(("1.5", "1.7", "1.9"), "2.1", "2.5", "1.2"), _ILLUSTRATIVE),
    ),
)


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


def _positive_days(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidAmountError(f"days_in_year must be a positive int, got {value!r}")


@attrs.frozen
class PortfolioIncome:
    """A fund's gross income for a day: its assets on the target allocation, each class at its dated yield.

    gross = Σ allocated amount × annual yield ÷ ``days_in_year``, summed exactly
    and rounded once to the fen (``DOWN`` by default: a fund does not distribute
    income it has not earned; cfg).

    >>> model = PortfolioIncome()
    >>> model.gross_income(CNY("1000000.00"), date(2014, 1, 2)), model.gross_income(CNY("1000000.00"), date(2024, 1, 2))
    (Money('135.47', 'CNY'), Money('47.64', 'CNY'))
    >>> model.annual_yield(date(2024, 1, 2))
    Decimal('0.01739')

    Args:
        targets: the allocation (the case study's 90/7/2/1 by default, deposits split 30/30/30: cfg).
        yields: annual yields per asset class, dated (:data:`YUEBAO_YIELDS`, assumptions).
        days_in_year: the divisor for one day's income (365, cfg).
        rounding: how the day's gross income is rounded to the fen.

    .. versionadded:: 0.2.0
    """

    targets: AllocationTargets = attrs.field(factory=AllocationTargets.yuebao)
    yields: DatedTable[AssetYields] = attrs.field(
        default=YUEBAO_YIELDS, validator=attrs.validators.instance_of(DatedTable)
    )
    days_in_year: int = attrs.field(default=365, validator=_positive_days)
    rounding: Rounding = attrs.field(default=Rounding.DOWN, converter=_rounding)

    def annual_yield(self, on: date) -> Decimal:
        """The portfolio's gross annual yield on ``on``: the target weights times the class yields.

        >>> PortfolioIncome().annual_yield(date(2013, 6, 13))
        Decimal('0.04945')

        Raises:
            antfin.errors.OutsideCoverageError: for a day the yield table does not cover.
        """
        row = self.yields.on(ensure_date(on, "on"))
        total = sum(
            (_CONTEXT.multiply(weight, row.rate_for(asset).value) for asset, weight in self.targets.weights.items()),
            Decimal(0),
        )
        return total.normalize(_CONTEXT)

    def income_by_asset(self, assets: Money, on: date) -> Mapping[AssetClass, Decimal]:
        """Each class's exact income for the day (yuan, unrounded), on ``assets`` allocated to the targets.

        >>> income = PortfolioIncome().income_by_asset(CNY("3650000.00"), date(2024, 1, 2))
        >>> income[AssetClass.DEPOSIT_1M], income[AssetClass.BONDS]
        (Decimal('45'), Decimal('14.7'))

        Raises:
            TypeError: when ``assets`` is not Money.
            antfin.errors.InvalidAmountError: for negative assets.
            antfin.errors.OutsideCoverageError: for a day the yield table does not cover.
        """
        if not isinstance(assets, Money):
            raise TypeError(f"assets must be Money, not {type(assets).__name__}")
        if assets.is_negative():
            raise InvalidAmountError(f"assets must not be negative, got {assets}")
        row = self.yields.on(ensure_date(on, "on"))
        result: dict[AssetClass, Decimal] = {}
        for asset, amount in self.targets.allocate(assets).items():
            exact = _CONTEXT.divide(
                _CONTEXT.multiply(amount.amount, row.rate_for(asset).value), Decimal(self.days_in_year)
            )
            result[asset] = exact.normalize(_CONTEXT)
        return MappingProxyType(result)

    def gross_income(self, assets: Money, on: date) -> Money:
        """The day's gross income on ``assets``, rounded once to the fen.

        >>> PortfolioIncome().gross_income(CNY("0.00"), date(2024, 1, 2))
        Money('0.00', 'CNY')

        Raises:
            TypeError: when ``assets`` is not Money.
            antfin.errors.InvalidAmountError: for negative assets.
            antfin.errors.OutsideCoverageError: for a day the yield table does not cover.
        """
        exact = sum(self.income_by_asset(assets, on).values(), Decimal(0))
        return Money(exact, assets.currency, rounding=self.rounding)
