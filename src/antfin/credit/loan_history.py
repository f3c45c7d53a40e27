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

from antfin.archive import NumberedLog
from antfin.credit.loan import LoanEvent  # defined before the loan's module imports this one

__all__ = ["LoanEvents"]


class LoanEvents(NumberedLog[LoanEvent]):
    """A loan's events, oldest first: a read-only sequence over its archived event log.

    A :class:`~antfin.archive.NumberedLog`.

    The event numbered ``n`` (from 0) is the log's record under key ``n``. Reading one
    event by index reads one record; iterating reads them all (a history query, never
    daily work).

    >>> from antfin.archive import Archive
    >>> from antfin.calendar import shanghai
    >>> from antfin.credit.loan import LoanEvent, LoanStatus
    >>> first = LoanEvent(shanghai(2024, 1, 10), "disbursed", CNY("1200"), LoanStatus.ACTIVE, "E1")
    >>> events = LoanEvents(Archive[int, LoanEvent]({0: first}), 1)
    >>> len(events), events[0].entry_id, events == (first,)
    (1, 'E1', True)

    .. versionadded:: 0.2.0
    """

    __slots__ = ()
