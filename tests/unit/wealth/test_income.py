"""distribute_income, income_per_10k and seven_day_annualized_yield."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.errors import InvalidAmountError
from antfin.money import Rounding, allocate_minor_units
from antfin.wealth import YieldMethod, distribute_income, income_per_10k, seven_day_annualized_yield

HOLDINGS = st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=60).filter(any)
INCOME = st.integers(min_value=-(10**9), max_value=10**12)


@given(INCOME, HOLDINGS)
def test_total_is_exact_and_each_share_within_one_fen(income: int, units: list[int]) -> None:
    shares = distribute_income(income, units)
    assert sum(shares) == income
    total = sum(units)
    for share, unit in zip(shares, units, strict=True):
        exact = Fraction(income * unit, total)
        assert abs(share - exact) < 1
        # truncation first: never further from zero than the exact share rounded away from zero
        assert abs(share) <= abs(exact) + 1


@given(st.integers(min_value=0, max_value=10**12), HOLDINGS)
def test_truncate_then_largest_remainder(income: int, units: list[int]) -> None:
    shares = distribute_income(income, units)
    total = sum(units)
    floors = [income * unit // total for unit in units]
    extra = [share - floor for share, floor in zip(shares, floors, strict=True)]
    assert set(extra) <= {0, 1}
    remainders = [income * unit % total for unit in units]
    got = [rem for rem, bump in zip(remainders, extra, strict=True) if bump]
    missed = [rem for rem, bump in zip(remainders, extra, strict=True) if not bump]
    if got and missed:
        assert min(got) >= max(missed)


@given(INCOME, HOLDINGS)
def test_money_form_matches_int_form(income: int, units: list[int]) -> None:
    as_money = distribute_income(Money.from_minor_units(income, CNY), units)
    assert [share.minor_units for share in as_money] == distribute_income(income, units)
    assert sum(as_money, CNY.zero()) == Money.from_minor_units(income, CNY)


@given(INCOME, HOLDINGS)
def test_int_form_is_the_shared_allocator(income: int, units: list[int]) -> None:
    assert distribute_income(income, units) == allocate_minor_units(income, units)


@given(INCOME, HOLDINGS)
def test_negative_income_mirrors_positive(income: int, units: list[int]) -> None:
    assert distribute_income(-income, units) == [-share for share in distribute_income(income, units)]


def test_worked_examples() -> None:
    assert distribute_income(100, [1, 1, 1]) == [34, 33, 33]
    assert distribute_income(1, [5, 5, 5]) == [1, 0, 0]  # tie goes to the earlier holder
    assert distribute_income(7, [0, 10, 0, 20]) == [0, 2, 0, 5]
    assert distribute_income(-10, [1, 2]) == [-3, -7]


def test_single_holder_gets_everything() -> None:
    assert distribute_income(123456, [7]) == [123456]
    assert distribute_income(CNY("-0.01"), ["0.01"]) == (CNY("-0.01"),)


def test_zero_and_tiny_holdings() -> None:
    # 1 fen over 10,000,001 holders: the big holder gets it, tiny ones and zeros get nothing
    units = [10_000_000, 1, 0]
    assert distribute_income(1, units) == [1, 0, 0]
    # tiny holdings whose shares are all below a fen: the largest remainder, then the earlier tie
    assert distribute_income(2, [1, 1, 1, 1, 3]) == [1, 0, 0, 0, 1]
    assert distribute_income(0, [0, 0, 0]) == [0, 0, 0]
    assert distribute_income(0, []) == []
    assert distribute_income(CNY("0"), []) == ()


def test_decimal_units_in_money_form() -> None:
    shares = distribute_income(CNY("1.00"), [Decimal("0.01"), "99.99", 0])
    assert shares == (CNY("0.00"), CNY("1.00"), CNY("0.00"))
    assert distribute_income(CNY("0.00"), ["0", "0.00"]) == (CNY("0"), CNY("0"))


def test_bad_inputs() -> None:
    with pytest.raises(InvalidAmountError, match="units must hold at least one positive value"):
        distribute_income(5, [0, 0])
    with pytest.raises(InvalidAmountError, match="units must hold at least one positive value"):
        distribute_income(5, [])
    with pytest.raises(InvalidAmountError, match="negative"):
        distribute_income(5, [3, -1])
    with pytest.raises(InvalidAmountError, match="negative"):
        distribute_income(0, [3, -1])
    with pytest.raises(InvalidAmountError, match="negative"):
        distribute_income(CNY("1"), ["3", "-1"])
    with pytest.raises(TypeError, match="float"):
        distribute_income(1.5, [1])  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="bool"):
        distribute_income(True, [1])
    with pytest.raises(TypeError, match="float"):
        distribute_income(CNY("1"), [0.5, 1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        distribute_income(5, [1.5, 1])  # type: ignore[list-item]


def test_input_list_is_not_modified() -> None:
    units = [3, 1, 1]
    distribute_income(-100, units)
    assert units == [3, 1, 1]


# -- income per 10,000 units ----------------------------------------------------------------------


def test_income_per_10k_worked_example() -> None:
    # 1,000,000.00 yuan of income over 15,000,000,000 units: 0.66666... per 10,000 -> 0.6667
    assert income_per_10k(CNY("1000000.00"), "15000000000") == Decimal("0.6667")
    assert income_per_10k(CNY("1000000.00"), "15000000000", rounding=Rounding.DOWN) == Decimal("0.6666")
    assert income_per_10k(CNY("0"), 1) == Decimal("0.0000")


def test_income_per_10k_bad_inputs() -> None:
    with pytest.raises(InvalidAmountError, match="units must be positive"):
        income_per_10k(CNY("1"), 0)
    with pytest.raises(TypeError, match="float"):
        income_per_10k(CNY("1"), 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Money"):
        income_per_10k(100, 1)  # type: ignore[arg-type]


# -- 7-day yield ----------------------------------------------------------------------------------


def test_compound_constant_income_is_the_365th_power() -> None:
    # With the same R every day, ∏(1+R/10000)^(365/7) is exactly (1+R/10000)^365.
    exact = (Decimal("1.000064") ** 365 - 1) * 100
    assert exact.quantize(Decimal("0.001")) == Decimal("2.363")
    assert seven_day_annualized_yield(["0.64"] * 7) == Decimal("2.363")


def test_compound_worked_example_against_an_independent_route() -> None:
    values = ["0.6012", "0.6105", "0.5988", "0.5988", "0.5988", "0.6020", "0.6031"]
    context = decimal.Context(prec=80)
    growth = Decimal(1)
    for value in values:
        growth = context.multiply(growth, 1 + Decimal(value) / 10000)
    seventh_root_of_power = context.power(context.power(growth, 365), context.divide(1, 7))
    expected = ((seventh_root_of_power - 1) * 100).quantize(Decimal("0.001"), rounding=decimal.ROUND_HALF_UP)
    assert expected == Decimal("2.221")
    assert seven_day_annualized_yield(values) == expected


def test_simple_worked_example() -> None:
    # (0.64 * 7 / 7) * 365 / 10000 = 0.02336 -> 2.336%
    assert seven_day_annualized_yield(["0.64"] * 7, method=YieldMethod.SIMPLE) == Decimal("2.336")
    # Σ = 4.2132; /7 * 365 / 100 = 2.19688... -> 2.197
    values = ["0.6012", "0.6105", "0.5988", "0.5988", "0.5988", "0.6020", "0.6031"]
    assert seven_day_annualized_yield(values, method=YieldMethod.SIMPLE) == Decimal("2.197")


def test_rounding_mode_is_applied() -> None:
    values = ["0.6012", "0.6105", "0.5988", "0.5988", "0.5988", "0.6020", "0.6031"]
    # simple exact value 2.196882857...: half-up 2.197, down 2.196
    assert seven_day_annualized_yield(values, method=YieldMethod.SIMPLE, rounding=Rounding.DOWN) == Decimal("2.196")
    assert seven_day_annualized_yield(values, rounding="DOWN") == Decimal("2.221")


def test_zero_and_negative_days() -> None:
    assert seven_day_annualized_yield([0] * 7) == Decimal("0.000")
    assert seven_day_annualized_yield(["-0.10"] * 7) < 0
    assert seven_day_annualized_yield(["-0.10"] * 7, method=YieldMethod.SIMPLE) == Decimal("-0.365")


@given(st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("3"), places=4), min_size=7, max_size=7))
def test_compound_is_never_below_simple_for_gains(values: list[Decimal]) -> None:
    compound = seven_day_annualized_yield(values)
    simple = seven_day_annualized_yield(values, method=YieldMethod.SIMPLE)
    assert compound >= simple - Decimal("0.001")


def test_yield_bad_inputs() -> None:
    with pytest.raises(InvalidAmountError, match="got 6"):
        seven_day_annualized_yield(["0.6"] * 6)
    with pytest.raises(TypeError, match="float"):
        seven_day_annualized_yield([0.6] * 7)  # type: ignore[list-item]
    with pytest.raises(InvalidAmountError, match="above -10000"):
        seven_day_annualized_yield(["-10000"] + ["0"] * 6)
    with pytest.raises(InvalidAmountError, match="days_in_year"):
        seven_day_annualized_yield(["0.6"] * 7, days_in_year=0)
    with pytest.raises(TypeError, match="YieldMethod"):
        seven_day_annualized_yield(["0.6"] * 7, method="compound")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="rounding"):
        seven_day_annualized_yield(["0.6"] * 7, rounding="NEAREST")
