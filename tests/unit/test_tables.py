"""Dated rule tables: the row in force, coverage errors, ordering."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError
from antfin.tables import Dated, DatedTable

TABLE: DatedTable[str] = DatedTable(
    "demo",
    (Dated(date(2021, 1, 1), "b", "source b"), Dated(date(2020, 1, 1), "a", "source a")),
    until=date(2022, 12, 31),
)


def test_rows_are_sorted_and_the_latest_started_row_applies() -> None:
    assert [row.value for row in TABLE.rows] == ["a", "b"]
    assert TABLE.on(date(2020, 12, 31)) == "a"
    assert TABLE.on(date(2021, 1, 1)) == "b"
    assert TABLE.on(date(2022, 12, 31)) == "b"


@pytest.mark.parametrize("day", [date(2019, 12, 31), date(2023, 1, 1)])
def test_outside_coverage_names_the_coverage(day: date) -> None:
    with pytest.raises(OutsideCoverageError, match=r"demo: .* coverage 2020-01-01\.\.2022-12-31"):
        TABLE.on(day)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="at least one row"):
        DatedTable("x", ())
    with pytest.raises(InvalidAmountError, match="one row per date"):
        DatedTable("x", (Dated(date(2020, 1, 1), 1, "a"), Dated(date(2020, 1, 1), 2, "b")))
    with pytest.raises(InvalidAmountError, match="source"):
        Dated(date(2020, 1, 1), 1, " ")
    with pytest.raises(InvalidTimeError, match="before the first row"):
        DatedTable("x", (Dated(date(2020, 1, 1), 1, "a"),), until=date(2019, 1, 1))
    with pytest.raises(TypeError):
        DatedTable("x", ("not a row",))  # type: ignore[arg-type]


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2022, 12, 31)))
def test_the_row_in_force_started_on_or_before_the_day_and_no_later_row_did(day: date) -> None:
    row = TABLE.row_on(day)
    assert row.effective_from <= day
    assert all(other.effective_from > day or other.effective_from <= row.effective_from for other in TABLE.rows)
    later = day + timedelta(days=1)
    if all(other.effective_from != later for other in TABLE.rows):  # a table has one row per date
        assert TABLE.with_row(Dated(later, "z", "later")).on(day) == row.value
