"""A loan's history: its event log, kept in an archive and read by sequence number.

A :class:`~antfin.credit.loan.Loan` keeps in its live state only what its daily
work needs: the schedule, what was paid of each instalment, the penalty, the
disbursement's instant and ledger entry (a retried disbursement replays it) and
how many events it has recorded. Each event, and each repayment's receipt (the
first answer to its key), is a final record kept in an
:class:`~antfin.archive.Archive`: on a bare ledger a mapping serialized with the
loan, in the books a row of its own (``loan/events``, ``loan/receipts``) read
only when asked for, so that loading and saving a loan costs the same after
its twelfth repayment as after its first.

>>> from antfin.calendar import shanghai
>>> from antfin.credit.loan import _demo
>>> loan = _demo()
>>> _ = loan.repay("feb", CNY("408.03"), shanghai(2024, 2, 10, 9))
>>> events = loan.events
>>> len(events), events[-1].kind, [event.kind for event in events]
(2, 'repaid', ['disbursed', 'repaid'])

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from antfin.archive import Archive
from antfin.credit import loan as _loan  # the event class (the loan's module imports this one after defining it)

__all__ = ["LoanEvents"]


class LoanEvents(Sequence["_loan.LoanEvent"]):
    """A loan's events, oldest first: a read-only sequence over its archived event log.

    The event numbered ``n`` (from 0) is the log's record under key ``n``. Reading one
    event by index reads one record; iterating reads them all (a history query, never
    daily work). A sequence is taken with the count of its moment: records are final,
    so it reads the same later.

    >>> from antfin.calendar import shanghai
    >>> from antfin.credit.loan import LoanEvent, LoanStatus
    >>> first = LoanEvent(shanghai(2024, 1, 10), "disbursed", CNY("1200"), LoanStatus.ACTIVE, "E1")
    >>> events = LoanEvents(Archive[int, LoanEvent]({0: first}), 1)
    >>> len(events), events[0].entry_id, events == (first,)
    (1, 'E1', True)

    .. versionadded:: 0.2.0
    """

    __slots__ = ("_count", "_log")

    def __init__(self, log: Archive[int, _loan.LoanEvent], count: int) -> None:
        self._log = log
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> _loan.LoanEvent: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[_loan.LoanEvent]: ...
    def __getitem__(self, index: int | slice) -> _loan.LoanEvent | Sequence[_loan.LoanEvent]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._count)))
        position = index + self._count if index < 0 else index
        if not 0 <= position < self._count:
            raise IndexError(f"event index {index} out of range ({self._count} events)")
        return self._log[position]

    def __iter__(self) -> Iterator[_loan.LoanEvent]:
        for position in range(self._count):
            yield self._log[position]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LoanEvents({self._count} events)"
