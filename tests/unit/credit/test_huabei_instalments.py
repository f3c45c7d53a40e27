"""Huabei instalment plans: exact totals, dated fee tables, merchant-paid plans, early settlement, APR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.credit.huabei_instalments import (
    CURRENT_FEE_TABLE,
    DEFAULT_FEE_SCHEDULE,
    LEGACY_FEE_TABLE,
    EarlySettlementPolicy,
    InstalmentFeeSchedule,
    InstalmentFeeTable,
    InstalmentPlan,
    plan_instalments,
    split_exact,
)
from antfin.errors import InvalidAmountError, OutsideCoverageError, PolicyViolationError, SerializationError
from antfin.money import CNY, Money, Rounding
from antfin.rates import Rate
from antfin.serialization import from_data, to_data

TODAY = date(2024, 3, 1)


def test_worked_example_5000_over_12_at_8_8_percent_costs_exactly_5440() -> None:
    plan = plan_instalments(CNY("5000"), 12, on=TODAY)
    assert plan.fee == CNY("440.00")
    assert plan.total == CNY("5440.00")
    assert sum(period.total for period in plan.periods) == CNY("5440.00")
    # The naive per-period rounding would charge 12 x 453.34 = 5440.08.
    assert [p.total for p in plan.periods[:11]] == [CNY("453.34")] * 11
    assert plan.periods[-1].principal == CNY("416.63")
    assert plan.periods[-1].fee == CNY("36.63")
    assert plan.periods[-1].total == CNY("453.26")
    assert [p.number for p in plan.periods] == list(range(1, 13))


@pytest.mark.parametrize(
    ("term", "fee"),
    [(3, "25.00"), (6, "45.00"), (9, "65.00"), (12, "88.00")],
)
def test_current_table_fees(term: int, fee: str) -> None:
    assert plan_instalments(CNY("1000"), term, on=TODAY).fee == CNY(fee)


@pytest.mark.parametrize(("term", "fee"), [(3, "23.00"), (6, "45.00"), (9, "75.00")])
def test_legacy_table_applies_before_the_current_one(term: int, fee: str) -> None:
    plan = plan_instalments(CNY("1000"), term, on=date(2015, 12, 31))
    assert plan.fee == CNY(fee)
    assert plan.fee_table == "huabei-2014"


def test_fee_table_switches_on_its_effective_date() -> None:
    assert DEFAULT_FEE_SCHEDULE.table_on(date(2015, 12, 31)) is LEGACY_FEE_TABLE
    assert DEFAULT_FEE_SCHEDULE.table_on(date(2016, 1, 1)) is CURRENT_FEE_TABLE


def test_fee_rounding_is_named_and_applied() -> None:
    # 333.33 x 2.5% = 8.33325 -> HALF_UP 8.33, UP 8.34
    assert plan_instalments(CNY("333.33"), 3, on=TODAY).fee == CNY("8.33")
    assert plan_instalments(CNY("333.33"), 3, on=TODAY, fee_rounding=Rounding.UP).fee == CNY("8.34")


def test_custom_table_prices_a_custom_product() -> None:
    schedule = InstalmentFeeSchedule([InstalmentFeeTable("mine", date(2020, 1, 1), {24: Rate.percent("15")})])
    plan = plan_instalments(CNY("2400"), 24, on=TODAY, schedule=schedule)
    assert plan.fee == CNY("360.00")
    assert plan.periods[0].total == CNY("115.00")


@given(
    minor=st.integers(min_value=1, max_value=5_000_000),
    term=st.sampled_from([3, 6, 9, 12]),
    merchant_paid=st.booleans(),
    rounding=st.sampled_from([Rounding.HALF_UP, Rounding.DOWN, Rounding.UP, Rounding.HALF_EVEN]),
)
def test_instalment_totals_are_exact_for_any_amount(
    minor: int, term: int, merchant_paid: bool, rounding: Rounding
) -> None:
    principal = Money.from_minor_units(minor)
    plan = plan_instalments(principal, term, on=TODAY, merchant_paid=merchant_paid, period_rounding=rounding)
    rate = CURRENT_FEE_TABLE.rate_for(term)
    fee_total = rate.of(principal, rounding=Rounding.HALF_UP)
    assert len(plan.periods) == term
    assert sum((p.principal for p in plan.periods), CNY.zero()) == principal
    assert sum((p.fee for p in plan.periods), CNY.zero()) == plan.fee
    assert plan.fee + plan.merchant_fee == fee_total
    assert all(not p.principal.is_negative() and not p.fee.is_negative() for p in plan.periods)
    # every regular period is the same; only the last may differ
    assert len({p.total for p in plan.periods[:-1]}) <= 1


@given(minor=st.integers(min_value=0, max_value=10_000_000), parts=st.integers(min_value=1, max_value=36))
def test_split_exact_conserves_and_keeps_parts_non_negative(minor: int, parts: int) -> None:
    total = Money.from_minor_units(minor)
    split = split_exact(total, parts)
    assert sum(split, CNY.zero()) == total
    assert len(split) == parts
    assert all(not part.is_negative() for part in split)
    assert len(set(split[:-1])) <= 1


def test_merchant_paid_plan_moves_the_fee_to_the_merchant() -> None:
    plan = plan_instalments(CNY("1200"), 12, on=TODAY, merchant_paid=True)
    assert plan.merchant_paid
    assert plan.fee == CNY.zero()
    assert plan.merchant_fee == CNY("105.60")
    assert plan.total == CNY("1200")
    assert all(p.fee.is_zero() for p in plan.periods)
    assert plan.annualized_rate() == Decimal(0)


def test_disclosed_apr_matches_numpy_financial() -> None:
    plan = plan_instalments(CNY("5000"), 12, on=TODAY)
    flows = [5000.0] + [-float(p.total.amount) for p in plan.periods]
    expected = Decimal(str(npf.irr(flows) * 12)).quantize(Decimal("0.0001"))
    assert plan.annualized_rate() == expected == Decimal("0.1586")
    # 3 months at 2.5% is far more than 2.5% a year
    assert plan_instalments(CNY("3000"), 3, on=TODAY).annualized_rate() > Decimal("0.14")


def test_early_settlement_waives_unbilled_fees_by_default() -> None:
    plan = plan_instalments(CNY("600"), 6, on=TODAY)  # fee 27.00, 4.50 a month
    settlement = plan.early_settlement(2)
    assert settlement.principal == CNY("400.00")
    assert settlement.fee == CNY.zero()
    assert settlement.waived_fee == CNY("18.00")
    assert settlement.total == CNY("400.00")
    charged = plan.early_settlement(2, EarlySettlementPolicy.CHARGE_ALL_FEES)
    assert charged.fee == CNY("18.00")
    assert charged.waived_fee == CNY.zero()
    assert charged.total == CNY("418.00")
    assert plan.early_settlement(0).principal == plan.principal


@pytest.mark.parametrize("billed", [-1, 6, 7])
def test_early_settlement_refuses_impossible_period_counts(billed: int) -> None:
    plan = plan_instalments(CNY("600"), 6, on=TODAY)
    with pytest.raises(InvalidAmountError, match="periods_billed must be between 0 and 5"):
        plan.early_settlement(billed)


def test_early_settlement_refuses_a_count_that_is_not_an_int() -> None:
    plan = plan_instalments(CNY("600"), 6, on=TODAY)
    with pytest.raises(TypeError, match="periods_billed must be an int, not float"):
        plan.early_settlement(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="periods_billed must be an int, not bool"):
        plan.early_settlement(True)


@pytest.mark.parametrize("term", [1, 2, 4, 24])
def test_unknown_term_is_refused_with_the_offered_terms(term: int) -> None:
    with pytest.raises(PolicyViolationError, match=r"term: .* expected one of 3, 6, 9, 12"):
        plan_instalments(CNY("1000"), term, on=TODAY)


def test_twelve_months_did_not_exist_in_the_legacy_table() -> None:
    with pytest.raises(PolicyViolationError, match="huabei-2014"):
        plan_instalments(CNY("1000"), 12, on=date(2015, 6, 1))


@pytest.mark.parametrize("amount", ["0", "-100"])
def test_non_positive_principal_is_refused(amount: str) -> None:
    with pytest.raises(InvalidAmountError, match="principal must be positive"):
        plan_instalments(CNY(amount), 3, on=TODAY)


def test_bad_types_are_refused() -> None:
    with pytest.raises(TypeError, match="principal must be Money"):
        plan_instalments("1000", 3, on=TODAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="term must be an int, not str"):
        plan_instalments(CNY("1000"), "3", on=TODAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on must be a date"):
        plan_instalments(CNY("1000"), 3, on="2024-03-01")  # type: ignore[arg-type]


def test_date_before_first_table_is_outside_coverage() -> None:
    with pytest.raises(OutsideCoverageError, match="2014-11-30 is before the first fee table"):
        plan_instalments(CNY("1000"), 3, on=date(2014, 11, 30))


def test_fee_table_validation() -> None:
    with pytest.raises(InvalidAmountError, match="at least one term"):
        InstalmentFeeTable("empty", TODAY, {})
    with pytest.raises(InvalidAmountError, match="a term must be 2 to 600 months"):
        InstalmentFeeTable("one", TODAY, {1: Rate.percent("1")})
    with pytest.raises(InvalidAmountError, match="a term must be 2 to 600 months, got 601"):
        InstalmentFeeTable("long", TODAY, {601: Rate.percent("1")})
    with pytest.raises(TypeError, match="rates: the fee for term 3 must be a Rate, not Decimal"):
        InstalmentFeeTable("bad", TODAY, {3: Decimal("0.02")})  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="listed twice"):
        InstalmentFeeTable("dup", TODAY, [(3, Rate.percent("1")), (3, Rate.percent("2"))])
    with pytest.raises(InvalidAmountError, match="both start on"):
        InstalmentFeeSchedule(
            [LEGACY_FEE_TABLE, InstalmentFeeTable("x", LEGACY_FEE_TABLE.effective_from, {3: Rate(0)})]
        )
    with pytest.raises(InvalidAmountError, match="at least one"):
        InstalmentFeeSchedule([])


def test_split_exact_refuses_bad_input() -> None:
    with pytest.raises(InvalidAmountError, match="must not be negative"):
        split_exact(CNY("-1"), 3)
    with pytest.raises(InvalidAmountError, match="at least 1"):
        split_exact(CNY("1"), 0)
    with pytest.raises(TypeError, match="parts must be an int, not float"):
        split_exact(CNY("1"), 3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="total must be Money, not str"):
        split_exact("1", 3)  # type: ignore[arg-type]


# -- periods are derived, not stored ------------------------------------------------------------------


def test_a_plan_is_stored_without_its_periods_and_derives_them_again() -> None:
    plan = plan_instalments(CNY("862.93"), 6, on=date(2024, 9, 1))
    data = to_data(plan)
    assert "periods" not in data
    again: InstalmentPlan = from_data(InstalmentPlan, data)
    assert again == plan
    assert again.periods == plan.periods
    assert [p.fee for p in again.periods] == [CNY("6.47")] * 5 + [CNY("6.48")]


def test_the_periods_follow_the_plans_period_rounding() -> None:
    plan = plan_instalments(CNY("100"), 3, on=date(2024, 3, 1), period_rounding=Rounding.DOWN)
    assert plan.period_rounding is Rounding.DOWN
    assert [p.principal for p in plan.periods] == [CNY("33.33"), CNY("33.33"), CNY("33.34")]
    assert from_data(InstalmentPlan, to_data(plan)).periods == plan.periods


def test_an_older_document_with_its_periods_loads_when_they_are_the_derived_ones() -> None:
    plan = plan_instalments(CNY("192"), 6, on=date(2024, 9, 11))
    older = to_data(plan) | {"periods": [to_data(period) for period in plan.periods]}
    assert from_data(InstalmentPlan, older) == plan


def test_an_older_document_whose_periods_differ_is_refused() -> None:
    plan = plan_instalments(CNY("192"), 6, on=date(2024, 9, 11))
    periods = [to_data(period) for period in plan.periods]
    periods[0]["fee"] = {"amount": "0.01", "currency": "CNY"}  # a forged first period: the fee moved
    with pytest.raises(SerializationError, match=r"\$\.periods: differs from the periods that InstalmentPlan derives"):
        from_data(InstalmentPlan, to_data(plan) | {"periods": periods})
    with pytest.raises(SerializationError, match=r"\$\.periods"):
        from_data(InstalmentPlan, to_data(plan) | {"periods": periods[:5]})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("term", 0),
        ("term", 10**9),  # a forged term: it would derive a billion periods
        ("principal", {"amount": "0.00", "currency": "CNY"}),
        ("fee", {"amount": "-1.00", "currency": "CNY"}),
    ],
)
def test_a_stored_plan_that_cannot_derive_its_periods_is_refused(field: str, value: object) -> None:
    data = to_data(plan_instalments(CNY("192"), 6, on=date(2024, 9, 11))) | {field: value}
    with pytest.raises(SerializationError, match="InstalmentPlan refused the data"):
        from_data(InstalmentPlan, data)
