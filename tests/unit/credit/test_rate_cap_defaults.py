"""The library's own Huabei and Jiebei defaults exceed 4 x LPR, and the docs say so.

4 x the one-year LPR is the courts' ceiling for private lending (revised 2020-08-20), not a cap on
licensed consumer lenders; :func:`check_rate_cap` is an informative comparison. These tests pin the
fact that the defaults shipped here are above it, so nobody reads the check as a benchmark they meet.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from antfin.credit import amortize, annualized_cost, check_rate_cap
from antfin.credit.huabei_instalments import CURRENT_FEE_TABLE
from antfin.credit.schedule import LoanRate
from antfin.money import CNY, Rounding
from antfin.rates import DayCount, Rate

CONTRACT_DAY = date(2024, 12, 1)  # one-year LPR 3.10% (from 2024-10-21): cap 12.40%


def test_huabei_twelve_month_instalments_exceed_four_times_lpr() -> None:
    fee = CURRENT_FEE_TABLE.rate_for(12).of(CNY("5000.00"), rounding=Rounding.HALF_UP)
    plan = amortize(
        CNY("5000.00"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 12, disbursed_on=CONTRACT_DAY, fee=fee
    )
    apr = annualized_cost(plan)
    assert apr == Decimal("0.1586")
    decision = check_rate_cap(apr, CONTRACT_DAY)
    assert not decision.approved
    assert "threshold 12.40%" in decision.explain()


def test_jiebei_default_daily_rate_exceeds_four_times_lpr() -> None:
    jiebei = LoanRate.daily(Rate.percent("0.045"), DayCount.ACT_360)
    assert jiebei.annual_rate == Decimal("0.16200")
    assert not check_rate_cap(jiebei.annual_rate, CONTRACT_DAY).approved


def test_the_reference_page_says_the_defaults_exceed_it_and_where_the_cap_applies() -> None:
    from pathlib import Path

    page = (Path(__file__).parents[3] / "docs" / "reference" / "credit.md").read_text(encoding="utf-8")
    assert "private lending" in page
    assert "The library's own defaults are above it" in page
    assert "not a consumer-credit benchmark" in page
