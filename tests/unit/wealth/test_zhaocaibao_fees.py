"""The 0.2% Zhaocaibao fee: rounding at the half fen, bad input, arithmetic laws."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.errors import InvalidAmountError
from antfin.money import CNY, Money, Rounding
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.fees import DEFAULT_TRANSFER_FEE_POLICY, TransferFeePolicy, transfer_fee

fen = st.integers(min_value=1, max_value=10**12)


@pytest.mark.parametrize(
    ("principal", "fee"),
    [
        ("10000.00", "20.00"),
        ("1002.50", "2.01"),  # 2.005: half up
        ("1002.49", "2.00"),  # 2.00498
        ("1007.50", "2.02"),  # 2.015: half up (half even would also give 2.02)
        ("2.50", "0.01"),  # 0.005
        ("2.49", "0.00"),
        ("0.01", "0.00"),
        ("123456789.99", "246913.58"),
    ],
)
def test_the_fee_is_two_per_mille_rounded_half_up(principal: str, fee: str) -> None:
    assert transfer_fee(CNY(principal)) == CNY(fee)


def test_the_rounding_mode_matters_at_the_half_fen() -> None:
    half_even = TransferFeePolicy(rounding=Rounding.HALF_EVEN)
    assert transfer_fee(CNY("1002.50")) == CNY("2.01")
    assert transfer_fee(CNY("1002.50"), half_even) == CNY("2.00")
    assert transfer_fee(CNY("1002.50"), TransferFeePolicy(rounding="DOWN")) == CNY("2.00")


def test_the_policy_is_configurable() -> None:
    assert DEFAULT_TRANSFER_FEE_POLICY.rate == Rate("0.002")
    assert transfer_fee(CNY("10000.00"), TransferFeePolicy(rate=Rate.per_mille("1.5"))) == CNY("15.00")


@pytest.mark.parametrize("bad", [1000.0, Decimal("1000"), 1000, "1000.00", None])
def test_a_principal_that_is_not_money_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="principal must be Money"):
        transfer_fee(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [CNY("0.00"), CNY("-1.00")])
def test_a_principal_that_is_not_positive_is_refused(bad: Money) -> None:
    with pytest.raises(InvalidAmountError, match="principal must be positive"):
        transfer_fee(bad)


def test_bad_policies_are_refused() -> None:
    with pytest.raises(TypeError, match="rate must be a Rate"):
        TransferFeePolicy(rate=Decimal("0.002"))
    with pytest.raises(TypeError, match="rate must be a Rate"):
        TransferFeePolicy(rate=0.002)
    with pytest.raises(InvalidAmountError, match="unknown rounding"):
        TransferFeePolicy(rounding="SIDEWAYS")
    with pytest.raises(TypeError, match="policy must be a TransferFeePolicy"):
        transfer_fee(CNY("1.00"), "0.2%")  # type: ignore[arg-type]


def test_the_fee_keeps_the_currency() -> None:
    assert transfer_fee(Money("1000", "USD")) == Money("2.00", "USD")


@given(fen)
def test_the_fee_is_within_half_a_fen_of_the_exact_fee(minor: int) -> None:
    exact_fen = Decimal(minor) * Decimal("0.002")
    fee = transfer_fee(Money.from_minor_units(minor)).minor_units
    assert abs(Decimal(fee) - exact_fen) <= Decimal("0.5")


@given(fen, fen)
def test_the_fee_is_monotone_and_nearly_additive(a: int, b: int) -> None:
    small, large = sorted((a, b))
    fee_small = transfer_fee(Money.from_minor_units(small))
    fee_large = transfer_fee(Money.from_minor_units(large))
    assert fee_small <= fee_large
    together = transfer_fee(Money.from_minor_units(a + b))
    assert abs((fee_small + fee_large - together).minor_units) <= 1
