"""Float interest follows the dated client-reserve rules (2017-04-17, 2019-01-14, January 2020)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.errors import OutsideCoverageError
from antfin.money import CNY, Money
from antfin.payments.float_interest import DEFAULT_FLOAT_REGIMES, FloatInterestPolicy

POLICY = FloatInterestPolicy()
FLOAT = CNY("36500000.00")  # 36.5M: 0.35% a year is 350.00 a day


@pytest.mark.parametrize(
    ("day", "per_day"),
    [
        (date(2017, 4, 16), "350.00"),  # all at the banks
        (date(2017, 4, 17), "280.00"),  # 20% centrally, no interest on it
        (date(2018, 4, 16), "175.00"),  # 50%
        (date(2019, 1, 13), "175.00"),
        (date(2019, 1, 14), "0.00"),  # 100% centrally, no interest
        (date(2019, 12, 31), "0.00"),
        (date(2020, 1, 1), "350.00"),  # the PBOC pays 0.35%
    ],
)
def test_each_regime_boundary(day: date, per_day: str) -> None:
    assert POLICY.interest([FLOAT], start=day) == CNY(per_day)


def test_a_run_across_a_boundary_prices_each_day_by_its_own_regime() -> None:
    assert POLICY.interest([FLOAT] * 2, start=date(2019, 1, 13)) == CNY("175.00")


def test_every_row_names_its_source() -> None:
    assert all(row.source for row in DEFAULT_FLOAT_REGIMES.rows)
    assert DEFAULT_FLOAT_REGIMES.first == date(2015, 10, 24)


def test_before_the_table_is_outside_coverage() -> None:
    with pytest.raises(OutsideCoverageError, match="2015-10-24 onwards"):
        POLICY.interest([FLOAT], start=date(2015, 10, 23))


@given(
    st.lists(st.integers(min_value=0, max_value=10**12), min_size=2, max_size=40),
    st.dates(min_value=date(2015, 10, 24), max_value=date(2030, 1, 1)),
    st.integers(min_value=1, max_value=39),
)
def test_splitting_a_period_changes_the_total_by_at_most_a_fen(fen: list[int], start: date, cut: int) -> None:
    amounts = [Money.from_minor_units(value, CNY) for value in fen]
    cut = min(cut, len(amounts) - 1)
    whole = POLICY.interest(amounts, start=start)
    parts = POLICY.interest(amounts[:cut], start=start) + POLICY.interest(
        amounts[cut:], start=start + timedelta(days=cut)
    )
    assert abs((whole - parts).minor_units) <= 1
