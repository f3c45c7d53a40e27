"""Asset allocation targets and report; daily fee accrual."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.errors import InvalidAmountError, OutsideCoverageError
from antfin.money import Rounding
from antfin.rates import Rate
from antfin.wealth import AllocationTargets, AssetClass, FundFeeSchedule
from antfin.wealth.allocation import YUEBAO_YIELDS, AssetYields, PortfolioIncome
from antfin.wealth.fees import FundParty

YUEBAO = AllocationTargets.yuebao()


def test_yuebao_targets_follow_the_case_study() -> None:
    weights = YUEBAO.weights
    deposits = weights[AssetClass.DEPOSIT_1M] + weights[AssetClass.DEPOSIT_1_3M] + weights[AssetClass.DEPOSIT_OVER_3M]
    assert deposits == Decimal("0.90")
    assert weights[AssetClass.BONDS] == Decimal("0.07")
    assert weights[AssetClass.INSURANCE_WEALTH] == Decimal("0.02")
    assert weights[AssetClass.OTHER] == Decimal("0.01")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_allocation_conserves_to_the_fen(fen: int) -> None:
    amount = Money.from_minor_units(fen, CNY)
    plan = YUEBAO.allocate(amount)
    assert sum(plan.values(), CNY.zero()) == amount
    for asset, part in plan.items():
        exact = Decimal(fen) * YUEBAO.weights[asset]
        assert abs(Decimal(part.minor_units) - exact) < 1


def test_allocation_of_one_fen_and_of_a_round_amount() -> None:
    assert sum(YUEBAO.allocate(CNY("0.01")).values(), CNY.zero()) == CNY("0.01")
    plan = YUEBAO.allocate(CNY("100"))
    assert plan[AssetClass.BONDS] == CNY("7.00")
    assert plan[AssetClass.DEPOSIT_OVER_3M] == CNY("30.00")


def test_report_actual_vs_target() -> None:
    actual = {
        AssetClass.DEPOSIT_1M: CNY("300"),
        AssetClass.DEPOSIT_1_3M: CNY("300"),
        AssetClass.DEPOSIT_OVER_3M: CNY("250"),
        AssetClass.BONDS: CNY("120"),
        AssetClass.INSURANCE_WEALTH: CNY("20"),
        AssetClass.OTHER: CNY("10"),
    }
    report = YUEBAO.report(actual)
    assert report.total == CNY("1000")
    by_asset = {row.asset: row for row in report.rows}
    assert by_asset[AssetClass.BONDS].actual_weight == Decimal("0.1200")
    assert by_asset[AssetClass.BONDS].drift == Decimal("0.0500")
    assert by_asset[AssetClass.DEPOSIT_OVER_3M].drift == Decimal("-0.0500")
    assert report.max_drift == Decimal("0.0500")
    # a plan allocated from the targets reports no drift
    assert YUEBAO.report(YUEBAO.allocate(CNY("1000000"))).max_drift == 0


def test_report_of_nothing_and_custom_rounding() -> None:
    assert YUEBAO.report({}).total == CNY("0")
    assert YUEBAO.report({}).max_drift == 0
    targets = AllocationTargets({AssetClass.BONDS: "1"}, report_rounding=Rounding.DOWN)
    report = targets.report({AssetClass.BONDS: CNY("2"), AssetClass.OTHER: CNY("1")})
    assert [row.actual_weight for row in report.rows] == [Decimal("0.6666"), Decimal("0.3333")]


def test_bad_targets_and_holdings() -> None:
    with pytest.raises(InvalidAmountError, match="sum to exactly 1"):
        AllocationTargets({AssetClass.BONDS: "0.5"})
    with pytest.raises(InvalidAmountError, match="must not be negative"):
        AllocationTargets({AssetClass.BONDS: "1.5", AssetClass.OTHER: "-0.5"})
    with pytest.raises(TypeError, match="float"):
        AllocationTargets({AssetClass.BONDS: 1.0})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="AssetClass"):
        AllocationTargets({"bonds": "1"})  # type: ignore[dict-item]
    with pytest.raises(InvalidAmountError, match="non-empty"):
        AllocationTargets({})
    with pytest.raises(TypeError, match="Money"):
        YUEBAO.allocate("100")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="must not be negative"):
        YUEBAO.report({AssetClass.BONDS: CNY("-1")})
    with pytest.raises(TypeError, match="Money"):
        YUEBAO.report({AssetClass.BONDS: 1})  # type: ignore[dict-item]


# -- fees ------------------------------------------------------------------------------------------


def test_default_fee_rates_and_parties() -> None:
    accrual = FundFeeSchedule().accrue(CNY("36500000.00"), on=date(2024, 1, 1))  # 36.5M: 100,000 per 1% a year
    assert (accrual.management, accrual.custody, accrual.sales_service) == (CNY("300"), CNY("80"), CNY("250"))
    assert [party for party, _ in accrual.by_party()] == [FundParty.MANAGER, FundParty.CUSTODIAN, FundParty.DISTRIBUTOR]


@pytest.mark.parametrize(("day", "custody"), [(date(2025, 9, 22), "80.00"), (date(2025, 9, 23), "70.00")])
def test_custody_fee_falls_to_seven_basis_points_on_2025_09_23(day: date, custody: str) -> None:
    assert FundFeeSchedule().accrue(CNY("36500000.00"), on=day).custody == CNY(custody)


def test_custody_fee_before_the_fund_is_outside_coverage_and_a_flat_rate_covers_all_days() -> None:
    with pytest.raises(OutsideCoverageError, match="2013-05-29 onwards"):
        FundFeeSchedule().accrue(CNY("1"), on=date(2013, 5, 28))
    flat = FundFeeSchedule(custody=Rate.percent("0.1"))
    assert flat.accrue(CNY("36500000.00"), on=date(1999, 1, 1)).custody == CNY("100.00")


def test_the_portfolio_drives_gross_income_through_dated_yields() -> None:
    model = PortfolioIncome()
    by_asset = model.income_by_asset(CNY("3650000.00"), date(2024, 6, 3))
    # 3.65M on 90/7/2/1: 1,095,000 per deposit term at 1.5/1.7/1.9%, 255,500 bonds at 2.1%, ...
    assert by_asset[AssetClass.DEPOSIT_1M] == Decimal("45")
    assert by_asset[AssetClass.DEPOSIT_OVER_3M] == Decimal("57")
    assert model.gross_income(CNY("3650000.00"), date(2024, 6, 3)) == CNY("173.90")
    assert model.gross_income(CNY("3650000.00"), date(2013, 6, 13)) > model.gross_income(
        CNY("3650000.00"), date(2024, 6, 3)
    )
    with pytest.raises(OutsideCoverageError, match="Yu'ebao asset-class yields"):
        model.gross_income(CNY("1.00"), date(2013, 5, 28))
    assert all(row.source.startswith("assumption (cfg)") for row in YUEBAO_YIELDS.rows)


@given(st.integers(min_value=0, max_value=10**13), st.dates(min_value=date(2013, 5, 29), max_value=date(2030, 1, 1)))
def test_gross_income_is_the_exact_sum_rounded_down_once(fen: int, day: date) -> None:
    assets = Money.from_minor_units(fen, CNY)
    model = PortfolioIncome()
    exact = sum(model.income_by_asset(assets, day).values(), Decimal(0))
    gross = model.gross_income(assets, day)
    assert gross.amount <= exact < gross.amount + Decimal("0.01")


def test_a_yield_row_without_a_class_is_refused_when_used() -> None:
    with pytest.raises(InvalidAmountError, match="no yield for asset class bonds"):
        AssetYields({}).rate_for(AssetClass.BONDS)


def test_fee_rounding_mode_is_named_and_applied() -> None:
    # 1,000,000 x 0.30% / 365 = 8.2191...; 500 x 0.30% / 365 = 0.0041 -> 0.00 half-up, 0.01 up
    assert FundFeeSchedule().daily(CNY("500"), Rate.percent("0.30")) == CNY("0")
    assert FundFeeSchedule(rounding="UP").daily(CNY("500"), Rate.percent("0.30")) == CNY("0.01")
    # exactly half a fen: 0.365 x 5% / 365 ... = 0.005 -> half-up 0.01, half-even 0.00
    assert FundFeeSchedule().daily(CNY("36.50"), Rate.percent("5")) == CNY("0.01")
    assert FundFeeSchedule(rounding=Rounding.HALF_EVEN).daily(CNY("36.50"), Rate.percent("5")) == CNY("0.00")
    assert FundFeeSchedule(days_in_year=360).daily(CNY("36000"), Rate.percent("1")) == CNY("1.00")


@given(st.integers(min_value=0, max_value=10**14))
def test_each_fee_is_within_half_a_fen_of_exact(fen: int) -> None:
    accrual = FundFeeSchedule().accrue(Money.from_minor_units(fen, CNY), on=date(2024, 1, 1))
    for fee, rate in ((accrual.management, "0.003"), (accrual.custody, "0.0008"), (accrual.sales_service, "0.0025")):
        exact = Decimal(fen) * Decimal(rate) / 365
        assert abs(Decimal(fee.minor_units) - exact) <= Decimal("0.5")


def test_bad_fee_inputs() -> None:
    with pytest.raises(InvalidAmountError, match="days_in_year"):
        FundFeeSchedule(days_in_year=0)
    with pytest.raises(TypeError, match="Rate"):
        FundFeeSchedule(management="0.003")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="rounding"):
        FundFeeSchedule(rounding="NEAREST")
    with pytest.raises(InvalidAmountError, match="must not be negative"):
        FundFeeSchedule().accrue(CNY("-1"), on=date(2024, 1, 1))
    with pytest.raises(TypeError, match="Money"):
        FundFeeSchedule().accrue(100, on=date(2024, 1, 1))  # type: ignore[arg-type]
