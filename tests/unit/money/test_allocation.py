"""Allocation and split: exact totals, one-unit bound, largest remainder, ties, bad ratios."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.errors import InvalidAmountError
from antfin.money import allocate_minor_units, integer_ratios
from antfin.money_allocation import _kth_largest

totals = st.integers(min_value=-(10**12), max_value=10**12)
ratio_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(any)


def reference_allocation(total: int, ratios: list[int]) -> list[int]:
    """Largest remainder spelled out with Fractions and an explicit sort (the specification)."""
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    weight = sum(ratios)
    shares = [Fraction(magnitude * ratio, weight) for ratio in ratios]
    parts = [int(share) for share in shares]
    leftover = magnitude - sum(parts)
    order = sorted(range(len(ratios)), key=lambda index: (-(shares[index] - parts[index]), index))
    for index in order[:leftover]:
        parts[index] += 1
    return [sign * part for part in parts]


@given(totals, ratio_lists)
def test_allocation_sums_and_stays_within_one_unit(total: int, ratios: list[int]) -> None:
    parts = allocate_minor_units(total, ratios)
    assert sum(parts) == total
    weight = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Fraction(total * ratio, weight)
        assert abs(part - exact) < 1
        if ratio == 0:
            assert part == 0


@given(totals, ratio_lists)
def test_allocation_matches_the_reference(total: int, ratios: list[int]) -> None:
    assert allocate_minor_units(total, ratios) == reference_allocation(total, ratios)


@given(totals, ratio_lists)
def test_negative_total_mirrors_positive(total: int, ratios: list[int]) -> None:
    assert allocate_minor_units(-total, ratios) == [-part for part in allocate_minor_units(total, ratios)]


@settings(max_examples=30)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=2**32),
    st.sampled_from([1, 3, 50, 10**6]),
)
def test_large_allocations_take_the_sampling_path_and_agree(total: int, seed: int, spread: int) -> None:
    rng = random.Random(seed)
    ratios = [rng.randrange(0, spread + 1) for _ in range(5000)]
    ratios[0] = 1
    assert allocate_minor_units(total, ratios) == reference_allocation(total, ratios)


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=300), st.data())
def test_kth_largest_by_sampling_is_exact(values: list[int], data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=1, max_value=len(values)))
    assert _kth_largest(values, k, sort_below=0) == sorted(values, reverse=True)[k - 1]


def test_kth_largest_on_skewed_data_falls_back_exactly() -> None:
    values = [0] * 5000 + list(range(5000))
    for k in (1, 10, 2500, 5000, 7000, 10000):
        assert _kth_largest(values, k) == sorted(values, reverse=True)[k - 1]


def test_hundred_over_three_gives_the_extra_fen_to_the_first() -> None:
    assert CNY("100.00").allocate([1, 1, 1]) == (CNY("33.34"), CNY("33.33"), CNY("33.33"))


def test_ties_go_to_the_earlier_ratio() -> None:
    assert allocate_minor_units(2, [1, 1, 1, 1]) == [1, 1, 0, 0]
    assert allocate_minor_units(1, [3, 1, 1]) == [1, 0, 0]
    assert allocate_minor_units(3, [1, 2, 1, 2]) == [1, 1, 0, 1]  # shares 0.5, 1, 0.5, 1: the first 0.5 wins
    assert allocate_minor_units(-2, [1, 1, 1, 1]) == [-1, -1, 0, 0]


def test_largest_remainder_beats_earlier_index() -> None:
    # shares 0.3, 0.3, 0.4 of 1 unit: the 0.4 gets it.
    assert allocate_minor_units(1, [3, 3, 4]) == [0, 0, 1]


def test_zero_ratios_get_zero() -> None:
    assert CNY("0.05").allocate([0, 1, 0, 1]) == (CNY("0"), CNY("0.03"), CNY("0"), CNY("0.02"))
    assert allocate_minor_units(0, [0, 5]) == [0, 0]


def test_negative_totals() -> None:
    assert CNY("-100.00").allocate([1, 1, 1]) == (CNY("-33.34"), CNY("-33.33"), CNY("-33.33"))


def test_decimal_and_string_ratios() -> None:
    parts = CNY("1.00").allocate([Decimal("0.9"), Decimal("0.07"), Decimal("0.02"), Decimal("0.01")])
    assert parts == (CNY("0.90"), CNY("0.07"), CNY("0.02"), CNY("0.01"))
    assert CNY("10.00").allocate(["1.5", "0.5"]) == (CNY("7.50"), CNY("2.50"))
    assert CNY("10.00").allocate([Decimal("2E+1"), 20]) == (CNY("5.00"), CNY("5.00"))
    assert integer_ratios([Decimal("0.25"), Decimal("0.5")]) == [25, 50]


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.decimals(min_value=0, max_value=1000, places=4), min_size=1, max_size=20).filter(any),
)
def test_decimal_ratio_allocation_conserves(units: int, ratios: list[Decimal]) -> None:
    money = Money.from_minor_units(units, CNY)
    parts = money.allocate(ratios)
    assert sum(parts, CNY.zero()) == money
    weight = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        assert abs(Fraction(part.minor_units) - Fraction(units) * Fraction(ratio) / Fraction(weight)) < 1


def test_allocation_keeps_the_currency() -> None:
    assert Money("10", "JPY").allocate([1, 2]) == (Money("3", "JPY"), Money("7", "JPY"))
    assert all(part.currency.code == "KWD" for part in Money("1", "KWD").allocate([1, 1, 1]))


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        ([], "must not be empty"),
        ([0, 0], "must not all be zero"),
        ([1, -1], "must not be negative"),
        ([Decimal("-0.5"), Decimal("1")], "must not be negative"),
        (["0", "0.0"], "must not all be zero"),
        (["abc"], "decimal number"),
        ([Decimal("NaN")], "finite"),
    ],
)
def test_bad_ratios_are_invalid_amounts(ratios: list[int | Decimal | str], message: str) -> None:
    with pytest.raises(InvalidAmountError, match=message):
        CNY("1.00").allocate(ratios)


@pytest.mark.parametrize("ratios", [[0.5, 0.5], [1, 0.5], [True, 1]])
def test_float_or_bool_ratios_are_type_errors(ratios: list[object]) -> None:
    with pytest.raises(TypeError):
        CNY("1.00").allocate(ratios)  # type: ignore[arg-type]


def test_engine_refuses_non_int_input() -> None:
    with pytest.raises(TypeError, match="ratios must be ints"):
        allocate_minor_units(100, [Decimal("1"), 2])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="ratios must be ints"):
        allocate_minor_units(100, [0.5, 2])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="total must be an int"):
        allocate_minor_units(Decimal(100), [1, 2])  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="must not be empty"):
        allocate_minor_units(100, [])


def test_allocate_does_not_change_the_inputs() -> None:
    ratios = [3, 1, 2]
    money = CNY("1.00")
    money.allocate(ratios)
    allocate_minor_units(100, ratios)
    assert ratios == [3, 1, 2]
    assert money == CNY("1.00")


# -- split ------------------------------------------------------------------------


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=1, max_value=200))
def test_split_sums_and_is_near_equal(units: int, parts: int) -> None:
    money = Money.from_minor_units(units, CNY)
    pieces = money.split(parts)
    assert len(pieces) == parts
    assert sum(pieces, CNY.zero()) == money
    magnitudes = [abs(piece.minor_units) for piece in pieces]
    assert max(magnitudes) - min(magnitudes) <= 1
    assert magnitudes == sorted(magnitudes, reverse=True)
    assert pieces == money.allocate([1] * parts)


def test_split_examples() -> None:
    assert CNY("10.00").split(3) == (CNY("3.34"), CNY("3.33"), CNY("3.33"))
    assert CNY("-0.01").split(2) == (CNY("-0.01"), CNY("0"))
    assert CNY("5").split(1) == (CNY("5"),)


@pytest.mark.parametrize("parts", [0, -3])
def test_split_needs_a_positive_count(parts: int) -> None:
    with pytest.raises(InvalidAmountError, match="parts must be at least 1"):
        CNY("1").split(parts)


@pytest.mark.parametrize("parts", [True, Decimal(2), "2"])
def test_split_count_must_be_an_int(parts: object) -> None:
    with pytest.raises(TypeError, match="parts must be an int"):
        CNY("1").split(parts)  # type: ignore[arg-type]


def test_kth_largest_when_the_strided_sample_misleads() -> None:
    # Every other value is large; a stride-2 sample sees only those, so the guessed band
    # misses for k past the middle and the exact fallback must answer.
    values = [100_000 + index if index % 2 == 0 else index % 1000 for index in range(20_000)]
    expected = sorted(values, reverse=True)
    for k in (1, 5_000, 10_000, 10_001, 15_000, 20_000):
        assert _kth_largest(values, k) == expected[k - 1]
