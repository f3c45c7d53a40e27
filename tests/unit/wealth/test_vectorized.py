"""The vectorized distribution equals the pure one holder by holder, at every size of number."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from antfin import CNY
from antfin.errors import InvalidAmountError
from antfin.money import allocate_minor_units
from antfin.wealth import distribute_income

np = pytest.importorskip("numpy")
vectorized = pytest.importorskip("antfin.wealth.vectorized")
distribute_income_array = vectorized.distribute_income_array

# Units from tiny to far beyond int64 products (and beyond int64 itself), with many zeros and ties.
unit_values = st.one_of(
    st.just(0),
    st.integers(0, 10),
    st.integers(0, 10**9),
    st.integers(0, 2**62),
    st.integers(2**62, 2**64 - 1),
    st.integers(0, 2**80),
)
incomes = st.one_of(st.integers(-1000, 1000), st.integers(-(10**12), 10**12), st.integers(-(2**70), 2**70))


def pure(income: int, units: list[int]) -> list[int]:
    return distribute_income(income, units)


@given(incomes, st.lists(unit_values, min_size=1, max_size=40))
@example(100, [1, 1, 1])
@example(7, [5])
@example(2**63 + 5, [1, 2, 3])  # income past int64
@example(150_641_969, [10**15, 3 * 10**15 + 1, 7])  # products past int64, total within it
@example(10**9, [2**61, 2**61 - 1, 3])  # total just below 2**62: long division in small chunks
@example(-(10**9), [2**62, 1])  # total at 2**62: the pure fallback
def test_vectorized_equals_pure(income: int, units: list[int]) -> None:
    if not any(units):
        units = [*units, 1]
    expected = pure(income, units)
    got = distribute_income_array(income, units)
    assert got.tolist() == expected
    assert sum(got.tolist()) == income


@settings(max_examples=50)
@given(st.integers(-(10**10), 10**10), st.lists(st.integers(0, 5), min_size=1, max_size=200))
def test_many_ties_follow_holder_order(income: int, units: list[int]) -> None:
    if not any(units):
        units[0] = 1
    assert distribute_income_array(income, np.array(units)).tolist() == pure(income, units)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64"])
def test_any_integer_dtype(dtype: str) -> None:
    units = np.array([3, 0, 1, 2, 2], dtype=dtype)
    assert distribute_income_array(1001, units).tolist() == pure(1001, [3, 0, 1, 2, 2])


def test_uint64_beyond_int64_is_exact() -> None:
    units = np.array([2**64 - 1, 2**63, 1], dtype=np.uint64)
    assert distribute_income_array(12345, units).tolist() == pure(12345, [2**64 - 1, 2**63, 1])


def test_int64_wraparound_would_be_wrong_and_is_avoided() -> None:
    # The naive product wraps silently in int64; the answer must not.
    units = np.array([2**40, 2**40 + 1, 5], dtype=np.int64)
    income = 2**30 + 3
    with np.errstate(over="ignore"):
        naive = (units * income // int(units.sum())).tolist()
    exact = pure(income, units.tolist())
    assert naive != exact
    assert distribute_income_array(income, units).tolist() == exact


def test_long_sums_do_not_wrap() -> None:
    units = np.full(4, 2**62 - 1, dtype=np.int64)  # their sum is past int64
    assert distribute_income_array(10**6 + 1, units).tolist() == pure(10**6 + 1, units.tolist())


def test_large_random_input_matches_pure() -> None:
    rng = np.random.default_rng(19)
    units = rng.integers(0, 10**8, 20_000)
    units[::7] = 12_345  # ties
    for income in (150_641_969, -150_641_969, 10**15 + 7):
        assert distribute_income_array(income, units).tolist() == pure(income, units.tolist())


def test_money_income_and_results() -> None:
    got = distribute_income_array(CNY("0.10"), [300, 100, 0])
    assert got.dtype == np.int64
    assert got.tolist() == [8, 2, 0]
    assert distribute_income_array(0, [0, 0]).tolist() == [0, 0]
    assert distribute_income_array(0, []).tolist() == []
    assert distribute_income_array(2**63 + 1, [1, 1]).dtype == object


def test_input_array_is_not_modified() -> None:
    units = np.array([3, 1, 1])
    distribute_income_array(-100, units)
    assert units.tolist() == [3, 1, 1]


def test_refusals_match_the_pure_path() -> None:
    bad: list[tuple[Any, Any, type[Exception], str]] = [
        (5, [0, 0], InvalidAmountError, "at least one positive"),
        (5, [], InvalidAmountError, "at least one positive"),
        (5, [3, -1], InvalidAmountError, "negative"),
        (0, [3, -1], InvalidAmountError, "negative"),
        (5, np.array([3, -1]), InvalidAmountError, "negative"),
        (1.5, [1], TypeError, "float"),
        (True, [1], TypeError, "bool"),
        (5, [1.5, 1], TypeError, "float"),
        (5, np.array([1.0, 2.0]), TypeError, "float64"),
        (5, np.array([True, False]), TypeError, "bool"),
        (5, ["1"], TypeError, "str"),
        (5, np.array([[1, 2], [3, 4]]), InvalidAmountError, "1-d"),
        (5, np.array(7), InvalidAmountError, "1-d"),
    ]
    for income, units, error, words in bad:
        with pytest.raises(error, match=words):
            distribute_income_array(income, units)
        if not isinstance(units, np.ndarray) and error is InvalidAmountError:
            with pytest.raises(error, match=words):
                distribute_income(income, units)


def test_long_division_rounds_agree_with_python() -> None:
    floors_and_remainders = vectorized._floors_and_remainders
    units = np.array([0, 1, 2**40, 2**55 + 12345, 2**62 - 1], dtype=np.int64)
    total = 2**62 - 1
    for income in (1, 2**35 + 1, 2**61 + 3, total - 1):
        floors, remainders = floors_and_remainders(income, units, total)
        assert floors.tolist() == [income * int(u) // total for u in units]
        assert remainders.tolist() == [income * int(u) % total for u in units]
    assert allocate_minor_units(7, [1, 1]) == distribute_income_array(7, [1, 1]).tolist()


def test_importing_the_package_does_not_import_the_batch_libraries() -> None:
    code = (
        "import sys, antfin, antfin.wealth, antfin.cli\n"
        "heavy = [name for name in ('numpy', 'dask', 'distributed', 'pyarrow') if name in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
