"""Loan product parameters: buckets, prepayment fee policies, allocation order."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.credit.products import (
    DEFAULT_BUCKETS,
    DEFAULT_ORDER,
    JIEBEI,
    MYBANK,
    Component,
    DelinquencyBuckets,
    PrepaymentFeePolicy,
)
from antfin.errors import InvalidAmountError
from antfin.money import CNY
from antfin.rates import Rate


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, "CURRENT"), (1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (90, "M3"), (91, "M3+")],
)
def test_default_bucket_boundaries(days: int, bucket: str) -> None:
    assert DEFAULT_BUCKETS.bucket(days) == bucket


@given(st.integers(min_value=0, max_value=2000))
def test_buckets_are_monotone(days: int) -> None:
    names = ["CURRENT", "M1", "M2", "M3", "M3+"]
    assert names.index(DEFAULT_BUCKETS.bucket(days)) <= names.index(DEFAULT_BUCKETS.bucket(days + 1))


def test_bucket_bad_inputs() -> None:
    with pytest.raises(InvalidAmountError, match="days_past_due must not be negative, got -1"):
        DEFAULT_BUCKETS.bucket(-1)
    with pytest.raises(TypeError, match="days_past_due must be an int, not float"):
        DEFAULT_BUCKETS.bucket(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="begin at 1"):
        DelinquencyBuckets((("M1", 0),))
    with pytest.raises(InvalidAmountError, match="strictly increase"):
        DelinquencyBuckets((("M1", 1), ("M2", 1)))


def test_custom_buckets() -> None:
    weekly = DelinquencyBuckets((("W1", 1), ("W2", 8)))
    assert [weekly.bucket(d) for d in (0, 7, 8)] == ["CURRENT", "W1", "W2"]


def test_product_defaults() -> None:
    assert (
        JIEBEI.allocation_order
        == DEFAULT_ORDER
        == (
            Component.PENALTY,
            Component.FEE,
            Component.INTEREST,
            Component.PRINCIPAL,
        )
    )
    assert JIEBEI.prepayment_fee.fee(CNY("10000"), date(2024, 1, 1), date(2024, 2, 1)) == CNY("0")
    assert MYBANK.prepayment_fee.fee(CNY("10000"), date(2024, 1, 1), date(2024, 2, 1)) == CNY("100")
    assert JIEBEI.penalty_rate == Rate.percent("0.05")


def test_prepayment_fee_rounds_half_up() -> None:
    policy = PrepaymentFeePolicy(Rate.percent("2.5"))
    assert policy.fee(CNY("0.30"), date(2024, 1, 1), date(2024, 1, 2)) == CNY("0.01")  # 0.0075 -> 0.01
    with pytest.raises(TypeError):
        policy.fee(CNY("1"), date(2024, 1, 1), "2024-01-02")  # type: ignore[arg-type]


def test_jiebei_penalty_is_a_multiple_of_the_contract_rate() -> None:
    from decimal import Decimal

    from antfin.credit.products import JIEBEI_PENALTY_MULTIPLE, JIEBEI_REFERENCE_RATE
    from antfin.credit.schedule import LoanRate
    from antfin.rates import DayCount

    assert JIEBEI.penalty_multiple == JIEBEI_PENALTY_MULTIPLE == Decimal("1.5")
    assert JIEBEI.penalty_rate == JIEBEI.penalty_rate_for(JIEBEI_REFERENCE_RATE) == Rate.percent("0.05")
    daily = LoanRate.daily(Rate.percent("0.045"), DayCount.ACT_360)
    assert JIEBEI.penalty_rate_for(daily) == Rate.percent("0.0675")
    assert JIEBEI.for_contract(daily).penalty_rate == Rate.percent("0.0675")
    assert MYBANK.penalty_rate_for(daily) == MYBANK.penalty_rate  # a fixed-rate product ignores the contract
    with pytest.raises(TypeError):
        JIEBEI.penalty_rate_for(Rate.percent("0.045"))  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=100_000))
def test_the_multiple_scales_any_daily_rate(hundred_thousandths: int) -> None:
    from decimal import Decimal

    from antfin.credit.schedule import LoanRate
    from antfin.rates import DayCount

    rate = Rate(Decimal(hundred_thousandths).scaleb(-7))
    assert JIEBEI.penalty_rate_for(LoanRate.daily(rate, DayCount.ACT_365)).value == rate.value * Decimal("1.5")
