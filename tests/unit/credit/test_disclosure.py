"""APR disclosure and the LPR rate cap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from antfin.credit.disclosure import (
    LPR,
    LprFixing,
    LprTable,
    annualized_cost,
    borrower_cash_flows,
    check_rate_cap,
)
from antfin.credit.schedule import LoanRate, RepaymentMethod, amortize
from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError
from antfin.money import CNY
from antfin.rates import DayCount, Rate

try:
    import numpy_financial as npf
except ImportError:  # pragma: no cover
    npf = None


def test_apr_of_a_plain_loan_equals_its_nominal_rate() -> None:
    for percent in ("4.9", "12", "18", "24"):
        schedule = amortize(
            CNY("100000"), LoanRate.annual(Rate.percent(percent), DayCount.ACT_360), 24, disbursed_on=date(2024, 1, 1)
        )
        assert annualized_cost(schedule, places=3) == Decimal(percent) / 100


def test_fees_raise_the_apr_and_agree_with_numpy_irr() -> None:
    schedule = amortize(
        CNY("5000"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 12, disbursed_on=date(2024, 1, 1), fee=CNY("440")
    )
    apr = annualized_cost(schedule)
    assert apr == Decimal("0.1586")  # 8.8% total fee is ~15.86% a year, not 8.8%
    if npf is not None:
        flows = [float(m.amount) for m in borrower_cash_flows(schedule)]
        assert abs(Decimal(str(npf.irr(flows))) * 12 - apr) < Decimal("0.0001")


def test_upfront_fee_counts_in_the_apr() -> None:
    schedule = amortize(
        CNY("10000"), LoanRate.annual(Rate.percent("12"), DayCount.ACT_360), 12, disbursed_on=date(2024, 1, 1)
    )
    assert annualized_cost(schedule, CNY("100")) > annualized_cost(schedule)
    with pytest.raises(InvalidAmountError, match="upfront_fee"):
        borrower_cash_flows(schedule, CNY("10000"))
    with pytest.raises(InvalidAmountError, match="upfront_fee"):
        borrower_cash_flows(schedule, -CNY("1"))
    with pytest.raises(TypeError, match="schedule must be a Schedule"):
        borrower_cash_flows("schedule")  # type: ignore[arg-type]


def test_bullet_loan_apr_is_annualized_by_its_months() -> None:
    rate = LoanRate.daily(Rate.percent("0.05"), DayCount.ACT_360)
    bullet = amortize(CNY("10000"), rate, 3, disbursed_on=date(2024, 1, 1), method=RepaymentMethod.DAILY_INTEREST)
    # 91 days at 0.05% = 4.55% over 3 months: 18.2% a year
    assert annualized_cost(bullet) == Decimal("0.1820")


@pytest.mark.parametrize(
    ("day", "one_year"),
    [
        (date(2019, 8, 20), "4.25"),
        (date(2020, 4, 19), "4.05"),
        (date(2020, 4, 20), "3.85"),
        (date(2022, 5, 20), "3.70"),
        (date(2024, 10, 21), "3.10"),
        (date(2030, 1, 1), "3.00"),
    ],
)
def test_lpr_table_lookup(day: date, one_year: str) -> None:
    assert LPR.one_year(day) == Rate.percent(one_year)


def test_lpr_table_bounds_and_order() -> None:
    with pytest.raises(OutsideCoverageError, match="table starts on 2019-08-20"):
        LPR.one_year(date(2019, 1, 1))
    with pytest.raises(InvalidTimeError, match="increasing date order"):
        LPR.with_fixing(LprFixing(date(2020, 1, 1), Rate.percent("1"), Rate.percent("1")))
    with pytest.raises(InvalidAmountError, match="at least one fixing"):
        LprTable(())
    extended = LPR.with_fixing(LprFixing(date(2030, 1, 20), Rate.percent("2.8"), Rate.percent("3.2")))
    assert extended.one_year(date(2030, 1, 20)) == Rate.percent("2.8")
    assert LPR.one_year(date(2030, 1, 20)) == Rate.percent("3.00")


def test_rate_cap_boundary_is_inclusive() -> None:
    # 2024-01-01: one-year LPR 3.45%, cap 13.80%
    assert check_rate_cap(Decimal("0.138"), date(2024, 1, 1)).approved
    decision = check_rate_cap(Decimal("0.1381"), date(2024, 1, 1))
    assert not decision.approved
    assert decision.reasons[0].threshold == "13.80%"
    assert check_rate_cap(Rate.percent("24"), date(2024, 1, 1), multiple=8).approved


def test_rate_cap_bad_inputs() -> None:
    with pytest.raises(TypeError, match="float"):
        check_rate_cap(0.1, date(2024, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="rate must not be negative"):
        check_rate_cap(Decimal("-0.1"), date(2024, 1, 1))
    with pytest.raises(InvalidAmountError, match="multiple must be at least 1, got 0"):
        check_rate_cap(Decimal("0.1"), date(2024, 1, 1), multiple=0)
    with pytest.raises(TypeError, match="multiple must be an int, not float"):
        check_rate_cap(Decimal("0.1"), date(2024, 1, 1), multiple=4.0)  # type: ignore[arg-type]
    with pytest.raises(OutsideCoverageError):
        check_rate_cap(Decimal("0.1"), date(2018, 1, 1))
