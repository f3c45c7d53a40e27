"""Dated rule tables: a parameter's values over time, each row with its first day and its source.

Product parameters change on known dates (a fee cut, a new regulation). A
:class:`DatedTable` holds the rows; the row in force on a day is the latest
that started on or before it. A day before the first row, or after the
table's ``until``, raises :class:`~antfin.errors.OutsideCoverageError` naming
the coverage, rather than guessing.

>>> from datetime import date
>>> from antfin.rates import Rate
>>> custody = DatedTable("custody fee", (
...     Dated(date(2013, 6, 13), Rate.percent("0.08"), "fund contract (cfg)"),
...     Dated(date(2025, 9, 23), Rate.percent("0.07"), "manager's fee-cut notice (cfg)"),
... ))
>>> str(custody.on(date(2025, 9, 22))), str(custody.on(date(2025, 9, 23)))
('0.08%', '0.07%')
>>> custody.on(date(2013, 6, 12))
Traceback (most recent call last):
...
antfin.errors.OutsideCoverageError: custody fee: 2013-06-12 is outside the table's coverage 2013-06-13 onwards

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from typing import Any, Generic, TypeVar, cast

import attrs

from antfin.calendar import ensure_date
from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError

__all__ = ["Dated", "DatedTable"]

_T = TypeVar("_T")


def _check_day(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        ensure_date(value, attribute.name)


def _check_source(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidAmountError(f"{attribute.name} must name a public source or say 'assumption (cfg)', got {value!r}")


@attrs.frozen
class Dated:
    """One row of a dated table: a value in force from ``effective_from``, with its source.

    >>> row = Dated(date(2019, 1, 14), "100%", "PBOC notice of 2018-06-29")
    >>> row.effective_from, row.value
    (datetime.date(2019, 1, 14), '100%')

    Args:
        effective_from: the first day (Asia/Shanghai) the value applies.
        value: the parameter's value.
        source: the public source (document and date), or ``"assumption (cfg)"``.

    Raises:
        TypeError: when ``effective_from`` is not a date.
        antfin.errors.InvalidAmountError: for an empty source.

    .. versionadded:: 0.2.0
    """

    effective_from: date = attrs.field(validator=_check_day)
    # Typed Any (the table is generic in it): the JSON layer records the concrete class of the value.
    value: Any
    source: str = attrs.field(validator=_check_source)


def _rows(value: Iterable[Dated]) -> tuple[Dated, ...]:
    rows = tuple(value)
    if not rows:
        raise InvalidAmountError("a dated table needs at least one row")
    for row in rows:
        if not isinstance(row, Dated):
            raise TypeError(f"rows must be Dated values, not {type(row).__name__}")
    rows = tuple(sorted(rows, key=lambda row: row.effective_from))
    for earlier, later in itertools.pairwise(rows):
        if earlier.effective_from == later.effective_from:
            raise InvalidAmountError(f"two rows start on {later.effective_from}; expected one row per date")
    return rows


@attrs.frozen
class DatedTable(Generic[_T]):
    """A parameter's dated values; the row in force on a day is the latest that started on or before it.

    >>> table = DatedTable("rate", (Dated(date(2020, 1, 1), 1, "a"), Dated(date(2021, 1, 1), 2, "b")),
    ...                    until=date(2021, 12, 31))
    >>> table.on(date(2020, 12, 31)), table.row_on(date(2021, 6, 1)).source, table.coverage
    (1, 'b', '2020-01-01..2021-12-31')

    Args:
        name: what the table prices (used in error messages).
        rows: the :class:`Dated` rows, in any order, one per date.
        until: the last day covered; ``None`` (the default) covers every later day.

    Raises:
        antfin.errors.InvalidAmountError: for no rows or two rows on one date.
        antfin.errors.InvalidTimeError: when ``until`` is before the first row.

    .. versionadded:: 0.2.0
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    rows: tuple[Dated, ...] = attrs.field(converter=_rows)
    until: date | None = attrs.field(default=None, validator=_check_day)

    def __attrs_post_init__(self) -> None:
        if self.until is not None and self.until < self.rows[0].effective_from:
            raise InvalidTimeError(f"until {self.until} is before the first row ({self.rows[0].effective_from})")

    @property
    def first(self) -> date:
        """The first day covered.

        >>> DatedTable("x", (Dated(date(2020, 1, 1), 1, "a"),)).first
        datetime.date(2020, 1, 1)
        """
        return self.rows[0].effective_from

    @property
    def coverage(self) -> str:
        """The covered days, as text for messages.

        >>> DatedTable("x", (Dated(date(2020, 1, 1), 1, "a"),)).coverage
        '2020-01-01 onwards'
        """
        if self.until is None:
            return f"{self.first} onwards"
        return f"{self.first}..{self.until}"

    def row_on(self, day: date) -> Dated:
        """The row in force on ``day``.

        >>> DatedTable("x", (Dated(date(2020, 1, 1), 1, "a"),)).row_on(date(2024, 1, 1)).value
        1

        Raises:
            antfin.errors.OutsideCoverageError: for a day outside the coverage (the message names it).
            TypeError: when ``day`` is not a date.
        """
        checked = ensure_date(day, "day")
        if checked < self.first or (self.until is not None and checked > self.until):
            raise OutsideCoverageError(f"{self.name}: {checked} is outside the table's coverage {self.coverage}")
        found = self.rows[0]
        for row in self.rows:
            if row.effective_from <= checked:
                found = row
        return found

    def on(self, day: date) -> _T:
        """The value in force on ``day``.

        >>> DatedTable("x", (Dated(date(2020, 1, 1), "v", "a"),)).on(date(2020, 1, 1))
        'v'

        Raises:
            antfin.errors.OutsideCoverageError: for a day outside the coverage.
        """
        return cast(_T, self.row_on(day).value)

    def with_row(self, row: Dated) -> DatedTable[_T]:
        """A copy with ``row`` added (a later fee cut, a new regulation).

        >>> table = DatedTable("x", (Dated(date(2020, 1, 1), 1, "a"),)).with_row(Dated(date(2030, 1, 1), 2, "b"))
        >>> table.on(date(2030, 1, 1))
        2

        Raises:
            antfin.errors.InvalidAmountError: when a row already starts on that date.
        """
        return attrs.evolve(self, rows=(*self.rows, row))
