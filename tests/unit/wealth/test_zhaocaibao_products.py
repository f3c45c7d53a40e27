"""Zhaocaibao product terms, interest, product and holding lifecycles."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.errors import InvalidAmountError, InvalidTimeError, InvalidTransitionError, PolicyViolationError
from antfin.money import CNY, Money, Rounding
from antfin.rates import DayCount, Rate
from antfin.wealth.zhaocaibao.products import (
    Holding,
    HoldingStatus,
    Product,
    ProductKind,
    ProductStatus,
    ProductTerms,
    TransferSlice,
    interest_for,
)


def make_terms(**overrides: Any) -> ProductTerms:
    values: dict[str, Any] = {
        "product_id": "P1",
        "issuer": "bank",
        "guarantor": "insurer",
        "kind": ProductKind.BANK,
        "amount": CNY("10000.00"),
        "term_days": 90,
        "annual_yield": Rate.percent("4.5"),
        "sale_start": shanghai(2024, 3, 1),
        "sale_end": shanghai(2024, 3, 8),
    }
    values.update(overrides)
    return ProductTerms(**values)


# -- interest ------------------------------------------------------------------------------------


def test_interest_is_simple_on_actual_days_and_truncated_by_default() -> None:
    assert interest_for(CNY("10000.00"), Rate.percent("4.5"), 90) == CNY("110.95")  # 110.9589...
    assert interest_for(CNY("10000.00"), Rate.percent("4.5"), 90, rounding=Rounding.HALF_UP) == CNY("110.96")
    assert interest_for(CNY("10000.00"), Rate.percent("4.5"), 0) == CNY("0.00")
    assert interest_for(CNY("10000.00"), Rate.percent("3.6"), 30, DayCount.ACT_360) == CNY("30.00")
    assert interest_for(CNY("0.00"), Rate.percent("4.5"), 30) == CNY("0.00")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((CNY("-1.00"), Rate("0.04"), 30), InvalidAmountError),
        ((CNY("1.00"), Rate("0.04"), -1), InvalidAmountError),
        ((Decimal("1.00"), Rate("0.04"), 30), TypeError),
        ((CNY("1.00"), Decimal("0.04"), 30), TypeError),
        ((CNY("1.00"), Rate("0.04"), 30.0), TypeError),
        ((CNY("1.00"), Rate("0.04"), True), TypeError),
        ((CNY("1.00"), Rate("0.04"), 30, "ACT_365"), TypeError),
    ],
)
def test_bad_interest_inputs_are_refused(args: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        interest_for(*args)


@given(st.integers(0, 10**10), st.integers(0, 2000), st.integers(0, 3650))
def test_truncated_interest_is_below_the_exact_amount_by_less_than_a_fen(minor: int, bp: int, days: int) -> None:
    rate = Rate(Decimal(bp).scaleb(-4))
    interest = interest_for(Money.from_minor_units(minor), rate, days)
    exact_fen = Decimal(minor) * rate.value * days / 365
    assert Decimal(interest.minor_units) <= exact_fen < interest.minor_units + 1


@given(st.integers(1, 10**9), st.integers(1, 10**9), st.integers(0, 400))
def test_interest_on_a_sum_is_at_least_the_sum_of_interests(a: int, b: int, days: int) -> None:
    rate = Rate.percent("4.5")
    parts = interest_for(Money.from_minor_units(a), rate, days) + interest_for(Money.from_minor_units(b), rate, days)
    whole = interest_for(Money.from_minor_units(a + b), rate, days)
    assert parts <= whole <= parts + CNY("0.01")


# -- terms ------------------------------------------------------------------------------------------


def test_terms_have_dated_defaults() -> None:
    terms = make_terms()
    assert terms.investor_cap == 200
    assert terms.min_subscription == CNY("1000.00")
    assert terms.value_date(shanghai(2024, 3, 5, 23, 59)) == date(2024, 3, 6)
    assert terms.maturity_date(shanghai(2024, 3, 5, 23, 59)) == date(2024, 6, 4)
    assert make_terms(value_date_lag_days=0).maturity_date(shanghai(2024, 3, 5)) == date(2024, 6, 3)
    fixed = make_terms(fixed_maturity=date(2024, 5, 31))
    assert fixed.maturity_date(shanghai(2024, 4, 1)) == date(2024, 5, 31)
    assert terms.expected_interest(CNY("10000.00")) == CNY("110.95")


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"amount": CNY("0.00")}, InvalidAmountError, "amount must be positive"),
        ({"amount": Decimal("1000")}, TypeError, "amount must be Money"),
        ({"term_days": 0}, InvalidAmountError, "term_days must be at least 1"),
        ({"term_days": True}, TypeError, "term_days must be an int"),
        ({"min_subscription": CNY("10000.01")}, InvalidAmountError, "must not exceed"),
        ({"min_subscription": Money("100", "USD")}, InvalidAmountError, "currency"),
        ({"investor_cap": 0}, InvalidAmountError, "investor_cap"),
        ({"sale_end": shanghai(2024, 3, 1)}, InvalidTimeError, "sale_end"),
        ({"sale_start": datetime(2024, 3, 1)}, InvalidTimeError, "sale_start"),
        ({"issuer": ""}, InvalidAmountError, "issuer"),
        ({"guarantor": 7}, TypeError, "guarantor"),
        ({"kind": "bank"}, TypeError, "kind"),
        ({"annual_yield": Decimal("0.045")}, TypeError, "annual_yield"),
        ({"value_date_lag_days": -1}, InvalidAmountError, "value_date_lag_days"),
        ({"fixed_maturity": shanghai(2024, 6, 1)}, TypeError, "fixed_maturity"),
        ({"interest_rounding": "NEAREST"}, InvalidAmountError, "rounding"),
    ],
)
def test_bad_terms_are_refused_with_the_field_named(
    overrides: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make_terms(**overrides)


# -- product lifecycle ---------------------------------------------------------------------------------


def test_a_product_records_each_transition_with_its_time() -> None:
    product = Product(make_terms(), listed_at=shanghai(2024, 3, 1))
    product.transition(ProductStatus.ISSUED, shanghai(2024, 3, 5))
    product.transition(ProductStatus.DEFAULTED, shanghai(2024, 6, 4))
    assert [(t.source, t.to, t.at) for t in product.history] == [
        ("open", "issued", shanghai(2024, 3, 5)),
        ("issued", "defaulted", shanghai(2024, 6, 4)),
    ]
    with pytest.raises(InvalidTransitionError, match="expected guarantee_paid"):
        product.transition(ProductStatus.MATURED, shanghai(2024, 6, 5))
    assert product.status is ProductStatus.DEFAULTED
    with pytest.raises(InvalidTimeError):
        product.transition(ProductStatus.GUARANTEE_PAID, datetime(2024, 6, 5))


def test_subscription_rules() -> None:
    product = Product(make_terms(investor_cap=1), listed_at=shanghai(2024, 3, 1))
    product.check_subscription("alice", CNY("1000.00"))
    with pytest.raises(PolicyViolationError, match="below"):
        product.check_subscription("alice", CNY("999.99"))
    with pytest.raises(PolicyViolationError, match="exceeds"):
        product.check_subscription("alice", CNY("10000.01"))
    with pytest.raises(PolicyViolationError, match="issuer"):
        product.check_subscription("bank", CNY("1000.00"))
    product.investors = frozenset({"alice"})
    product.sold = CNY("9500.00")
    product.check_subscription("alice", CNY("500.00"))  # the whole remainder may be below the minimum
    with pytest.raises(PolicyViolationError, match="cap is 1"):
        product.check_subscription("bob", CNY("500.00"))
    with pytest.raises(InvalidAmountError):
        product.check_subscription("alice", Money("500", "USD"))
    with pytest.raises(TypeError):
        product.check_subscription("alice", "500")  # type: ignore[arg-type]


def test_the_sale_window_is_half_open() -> None:
    product = Product(make_terms(), listed_at=shanghai(2024, 3, 1))
    product.check_open_for_sale(shanghai(2024, 3, 1))
    product.check_open_for_sale(shanghai(2024, 3, 7, 23, 59, 59))
    with pytest.raises(PolicyViolationError):
        product.check_open_for_sale(shanghai(2024, 3, 8))
    product.transition(ProductStatus.CANCELLED, shanghai(2024, 3, 2))
    with pytest.raises(InvalidTransitionError, match="cancelled"):
        product.check_open_for_sale(shanghai(2024, 3, 2))


def test_term_days_follow_the_issued_dates() -> None:
    product = Product(make_terms(), listed_at=shanghai(2024, 3, 1))
    assert product.term_days == 90
    product.value_date, product.maturity_date = date(2024, 4, 2), date(2024, 5, 31)
    assert product.term_days == 59


def test_a_holding_lifecycle() -> None:
    holding = Holding("h1", "P1", "alice", CNY("6000.00"), shanghai(2024, 3, 1))
    holding.transition(HoldingStatus.ACTIVE, shanghai(2024, 3, 2))
    holding.transition(HoldingStatus.LIQUIDATING, shanghai(2024, 4, 1))
    holding.principal = CNY("4000.00")
    holding.transfers = (TransferSlice("T1", CNY("2000.00")),)
    assert holding.original_principal == CNY("6000.00")
    holding.transition(HoldingStatus.ACTIVE, shanghai(2024, 4, 2))
    holding.transition(HoldingStatus.PAID, shanghai(2024, 6, 1))
    with pytest.raises(InvalidTransitionError, match="final state"):
        holding.transition(HoldingStatus.ACTIVE, shanghai(2024, 6, 2))
    assert len(holding.history) == 4
