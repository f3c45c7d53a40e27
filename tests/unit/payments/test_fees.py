"""Withdrawal and acquiring fee rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.errors import InvalidAmountError, OutsideCoverageError
from antfin.money import CNY, Money, Rounding
from antfin.payments.fees import (
    DEFAULT_ACQUIRING_FEES,
    AcquiringFeeSchedule,
    AcquiringFeeTable,
    MerchantCategory,
    WithdrawalFeePolicy,
)
from antfin.rates import Rate

DAY = date(2024, 5, 1)
POLICY = WithdrawalFeePolicy()


def test_issue_example_30000_with_untouched_quota_costs_10() -> None:
    quote = POLICY.quote(CNY("30000.00"), used=CNY("0.00"), on=DAY)
    assert quote.fee == CNY("10.00")
    assert quote.free_part == CNY("20000.00")
    assert quote.charged_part == CNY("10000.00")
    assert quote.quota_left == CNY("0.00")


@pytest.mark.parametrize(
    ("amount", "used", "fee"),
    [
        ("20000.00", "0.00", "0.00"),  # exactly the quota: free
        ("20000.01", "0.00", "0.10"),  # one fen over: minimum fee
        ("100.00", "19999.99", "0.10"),
        ("100.00", "20000.00", "0.10"),  # 0.1% of 100 = 0.10, equal to the minimum
        ("100.01", "20000.00", "0.10"),  # 0.10001 rounds half-up to 0.10
        ("105.00", "20000.00", "0.11"),  # 0.105 rounds half-up to 0.11
        ("1000.00", "50000.00", "1.00"),  # used above the quota is fine
        ("0.01", "20000.00", "0.10"),
    ],
)
def test_withdrawal_fee_boundaries(amount: str, used: str, fee: str) -> None:
    assert POLICY.quote(CNY(amount), used=CNY(used), on=DAY).fee == CNY(fee)


def test_withdrawal_policy_is_configurable() -> None:
    mine = WithdrawalFeePolicy(free_quota=CNY("0"), rate=Rate.percent("0.2"), minimum=CNY("1.00"), rounding="DOWN")
    assert mine.quote(CNY("1999.99"), used=CNY("0"), on=DAY).fee == CNY("3.99")
    assert mine.quote(CNY("10.00"), used=CNY("0"), on=DAY).fee == CNY("1.00")
    assert mine.rounding is Rounding.DOWN


def test_withdrawal_policy_dates() -> None:
    with pytest.raises(OutsideCoverageError, match="2016-10-12"):
        POLICY.quote(CNY("1.00"), used=CNY("0"), on=date(2016, 10, 11))
    assert POLICY.quote(CNY("1.00"), used=CNY("0"), on=date(2016, 10, 12)).fee == CNY("0")


@pytest.mark.parametrize(
    ("amount", "used", "error"),
    [
        (CNY("0"), CNY("0"), InvalidAmountError),
        (CNY("-1"), CNY("0"), InvalidAmountError),
        (CNY("1"), CNY("-0.01"), InvalidAmountError),
        ("1.00", CNY("0"), TypeError),
    ],
)
def test_withdrawal_bad_input(amount: object, used: Money, error: type[Exception]) -> None:
    with pytest.raises(error):
        POLICY.quote(amount, used=used, on=DAY)  # type: ignore[arg-type]


def test_withdrawal_bad_on_and_bad_policy() -> None:
    with pytest.raises(TypeError, match="on must be a date"):
        POLICY.quote(CNY("1"), used=CNY("0"), on="2024-01-01")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="free_quota must not be negative"):
        WithdrawalFeePolicy(free_quota=CNY("-1"))
    with pytest.raises(TypeError, match="rate must be a Rate"):
        WithdrawalFeePolicy(rate="0.001")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="unknown rounding"):
        WithdrawalFeePolicy(rounding="SIDEWAYS")


@given(
    amount=st.integers(min_value=1, max_value=10**9),
    used=st.integers(min_value=0, max_value=4 * 10**6),
)
def test_withdrawal_quote_laws(amount: int, used: int) -> None:
    quote = POLICY.quote(Money.from_minor_units(amount), used=Money.from_minor_units(used), on=DAY)
    assert quote.free_part + quote.charged_part == quote.amount
    assert quote.free_part.minor_units >= 0
    assert quote.charged_part.minor_units >= 0
    assert quote.quota_left.minor_units == max(0, 2_000_000 - used - amount)
    if quote.charged_part.is_zero():
        assert quote.fee.is_zero()
    else:
        assert quote.fee >= CNY("0.10")
        # the fee is 0.1% of the charged part, rounded to within half a fen
        exact = quote.charged_part.minor_units / 1000  # a bound for the check, not money arithmetic
        assert quote.fee.minor_units == max(10, int(exact + 0.5)) or abs(quote.fee.minor_units - exact) <= 0.5


def test_acquiring_default_table() -> None:
    assert DEFAULT_ACQUIRING_FEES.fee(CNY("1000.00"), None, on=DAY) == CNY("6.00")
    assert DEFAULT_ACQUIRING_FEES.fee(CNY("1000.00"), MerchantCategory.STANDARD, on=DAY) == CNY("6.00")
    assert DEFAULT_ACQUIRING_FEES.fee(CNY("1000.00"), "virtual_goods", on=DAY) == CNY("10.00")
    assert DEFAULT_ACQUIRING_FEES.fee(CNY("1000.00"), MerchantCategory.PUBLIC_SERVICE, on=DAY) == CNY("3.80")
    assert DEFAULT_ACQUIRING_FEES.fee(CNY("1000.00"), "charity", on=DAY) == CNY("0.00")
    assert DEFAULT_ACQUIRING_FEES.fee(CNY("1000.00"), "unknown-category", on=DAY) == CNY("6.00")


@pytest.mark.parametrize(
    ("amount", "fee"),
    [("0.83", "0.00"), ("0.84", "0.01"), ("2.50", "0.02"), ("7.50", "0.05"), ("99.99", "0.60"), ("0.00", "0.00")],
)
def test_acquiring_fee_rounds_half_up(amount: str, fee: str) -> None:
    # 0.83 x 0.6% = 0.00498 -> 0.00; 0.84 -> 0.00504 -> 0.01; 2.50 -> 0.015 -> 0.02 (half up); 7.50 -> 0.045 -> 0.05
    assert DEFAULT_ACQUIRING_FEES.fee(CNY(amount), None, on=DAY) == CNY(fee)


def test_acquiring_schedule_versions_and_coverage() -> None:
    old = AcquiringFeeTable(date(2020, 1, 1), Rate.percent("0.6"), {"games": Rate.percent("1.2")})
    new = AcquiringFeeTable(date(2024, 7, 1), Rate.percent("0.55"), (("games", Rate.percent("1.0")),), "HALF_EVEN")
    schedule = AcquiringFeeSchedule((new, old))  # order does not matter
    assert schedule.tables == (old, new)
    assert schedule.fee(CNY("100.00"), "games", on=date(2024, 6, 30)) == CNY("1.20")
    assert schedule.fee(CNY("100.00"), "games", on=date(2024, 7, 1)) == CNY("1.00")
    assert schedule.fee(CNY("2.50"), None, on=date(2024, 7, 1)) == CNY("0.01")  # 0.01375 -> 0.01
    with pytest.raises(OutsideCoverageError, match="2020-01-01"):
        schedule.fee(CNY("1.00"), None, on=date(2019, 12, 31))


def test_acquiring_bad_input() -> None:
    with pytest.raises(InvalidAmountError, match="at least one"):
        AcquiringFeeSchedule(())
    day = date(2024, 1, 1)
    with pytest.raises(InvalidAmountError, match="distinct"):
        AcquiringFeeSchedule((AcquiringFeeTable(day, Rate("0")), AcquiringFeeTable(day, Rate("0.01"))))
    with pytest.raises(TypeError, match="AcquiringFeeTable"):
        AcquiringFeeSchedule(("x",))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a Rate"):
        AcquiringFeeTable(day, Rate("0"), {"games": "0.01"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="non-empty str"):
        AcquiringFeeTable(day, Rate("0"), {"": Rate("0.01")})
    with pytest.raises(InvalidAmountError, match="must not be negative"):
        DEFAULT_ACQUIRING_FEES.fee(CNY("-1.00"), None, on=day)
    with pytest.raises(TypeError, match="float"):
        Rate(0.006)


def test_contracted_merchants_pay_no_withdrawal_fee_and_use_no_quota() -> None:
    policy = WithdrawalFeePolicy()
    quote = policy.quote(CNY("30000.00"), used=CNY("25000.00"), on=date(2024, 1, 1), holder="merchant")
    assert (quote.fee, quote.charged_part, quote.free_part, quote.exempt) == (
        CNY("0.00"),
        CNY("0.00"),
        CNY("30000.00"),
        True,
    )
    assert quote.quota_left == CNY("0.00")  # 25,000 used: nothing left, nothing charged
    assert policy.quote(CNY("30000.00"), used=CNY("0"), on=date(2024, 1, 1), holder="user").fee == CNY("10.00")
    charging = WithdrawalFeePolicy(exempt_holders=())
    assert charging.quote(CNY("30000.00"), used=CNY("0"), on=date(2024, 1, 1), holder="merchant").fee == CNY("10.00")
