"""The blockwise path of the vectorized distribution (one fresh array, a sampled band, a scan in blocks)
gives the pure path's fen in every branch: several blocks, a strided sample, a band that misses, ties at the
threshold given to some or all of the tied holders, whole fen per unit, and inputs it must hand back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from antfin.wealth import distribute_income

np = pytest.importorskip("numpy")
vectorized = pytest.importorskip("antfin.wealth.vectorized")
blocks = pytest.importorskip("antfin.wealth.vectorized_blocks")
distribute_income_array = vectorized.distribute_income_array


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 3 holders and a sample of about 2, so that small inputs take every branch."""
    monkeypatch.setattr(blocks, "_BLOCK", 3)
    monkeypatch.setattr(blocks, "_SAMPLE", 2)


@pytest.fixture
def outcomes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the blockwise path did on each call: "blocks" (answered) or "handed back" (None)."""
    seen: list[str] = []
    original = blocks.distribute_in_blocks

    def spy(*args: Any) -> Any:
        found = original(*args)
        seen.append("handed back" if found is None else "blocks")
        return found

    monkeypatch.setattr(vectorized, "distribute_in_blocks", spy)
    return seen


def _with_a_holder(units: list[int]) -> list[int]:
    return units if any(units) else [*units, 1]


# The fixtures' patches are the same for every example, so sharing them across examples is fine.
shared = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@shared
@given(st.integers(-(10**12), 10**12), st.lists(st.one_of(st.integers(0, 5), st.integers(0, 10**9)), max_size=60))
@example(7, [1] * 10 + [0])  # ten holders tie at the threshold, seven get a fen: holder order decides
@example(3, [1, 1, 2])  # both holders at the threshold get a fen: no tie-break needed
@example(10**12 + 3, [5, 0, 7, 7, 1, 9, 2])  # whole fen per unit as well as a remainder
@example(-(10**9) - 7, [3] * 20 + [4] * 20)  # a loss, many ties
def test_blocks_equal_the_pure_path(small_blocks: None, income: int, units: list[int]) -> None:
    units = _with_a_holder(units)
    assert distribute_income_array(income, np.array(units, dtype=np.int64)).tolist() == distribute_income(income, units)


@shared
@given(st.integers(1, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=60))
def test_a_band_that_misses_hands_back_and_the_answer_is_unchanged(
    small_blocks: None, monkeypatch: pytest.MonkeyPatch, income: int, units: list[int]
) -> None:
    # No margin at all: the band is one sampled value, so it usually misses the threshold.
    monkeypatch.setattr(blocks, "_MARGIN_ROOTS", 0)
    monkeypatch.setattr(blocks, "_MARGIN_RANKS", 0)
    units = _with_a_holder(units)
    assert distribute_income_array(income, np.array(units)).tolist() == distribute_income(income, units)


def test_a_misplaced_band_is_detected(small_blocks: None, outcomes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "_MARGIN_ROOTS", 0)
    monkeypatch.setattr(blocks, "_MARGIN_RANKS", 0)
    # The two sampled holders (the 1st and the 31st) have the largest remainder, 205 of 240: the band is that
    # one value, which 20 holders have, but 21 fen are left over. The counts show it; the full arrays answer.
    units = [5, 1, 6] * 20
    assert distribute_income_array(1001, units).tolist() == distribute_income(1001, units)
    assert outcomes == ["handed back"]


def test_the_sample_band_holds_the_threshold_at_scale(outcomes: list[str]) -> None:
    rng = np.random.default_rng(19)
    units = rng.integers(0, 10**8, 300_000)
    units[::7] = 12_345  # ties
    units[5::11] = 0
    whole_fen = int(units.sum()) * 3  # three fen a unit, then the same remainder
    for income in (150_641_969, -150_641_969, whole_fen + 150_641_969, 3):
        assert distribute_income_array(income, units).tolist() == distribute_income(income, units.tolist())
    assert outcomes == ["blocks"] * 4


def test_ties_at_the_threshold_go_to_the_earlier_holders_across_blocks(small_blocks: None, outcomes: list[str]) -> None:
    # 30 holders with the same units: 10 fen are left over, so the first 10 of the tied holders get one.
    units = [2] * 30 + [1]
    total = sum(units)
    income = total * 7 + 10  # 14 fen a holder of 2 units, 7 for the last, and 10 fen left over
    got = distribute_income_array(income, units).tolist()
    assert got == distribute_income(income, units)
    assert got == [15] * 10 + [14] * 20 + [7]
    assert outcomes == ["blocks"]


def test_zero_remainders_and_whole_fen_only(small_blocks: None) -> None:
    units = np.array([4, 0, 2, 6, 8], dtype=np.int64)
    assert distribute_income_array(20 * 3, units).tolist() == [12, 0, 6, 18, 24]  # every remainder is 0
    assert distribute_income_array(1, [0, 0, 0, 5]).tolist() == [0, 0, 0, 1]


def test_inputs_beyond_its_bounds_are_handed_back() -> None:
    units = np.array([2**40, 3, 2**40 + 1], dtype=np.int64)
    total = int(units.sum())
    # rest × largest + total past int64: the full arrays' long division answers.
    rest = total - 1
    assert blocks.distribute_in_blocks(rest, units, total, 2**40 + 1) is None
    assert distribute_income_array(rest, units).tolist() == distribute_income(rest, units.tolist())
    assert blocks.distribute_in_blocks(5, units.astype(np.uint64), total, 2**40 + 1) is None
    assert blocks.distribute_in_blocks(2**62, units, total, 2**40 + 1) is None
    assert blocks.distribute_in_blocks(5, units, total, 2**40 + 1).tolist() == distribute_income(5, units.tolist())
