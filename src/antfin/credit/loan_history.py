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

from typing import Any

from antfin.archive import NumberedLog
from antfin.credit.loan import LoanEvent  # defined before the loan's module imports this one

__all__ = ["LoanEvents", "upgrade_loan_document"]


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


def upgrade_loan_document(data: dict[str, Any]) -> dict[str, Any]:
    """A loan's document as written before its history was archived, in today's shape (``Loan.__antfin_upgrade__``).

    Every event was in a list, ``_events``: its events become the log's
    records (in memory, so the books store them as rows the next time the loan
    is written), and the disbursement and the count are read from them. Its
    receipts (``_receipts``, a mapping) load as they are, into the receipts'
    archive. Nothing is trusted: what this returns is loaded and checked as any
    loan's document, and a document that is not an old one is returned as it is.

    >>> old = {"_events": [{"kind": "disbursed", "at": "2024-03-01T10:00:00+08:00", "entry_id": "E1"}]}
    >>> upgraded = upgrade_loan_document(old)
    >>> upgraded["_event_count"], upgraded["_disbursement_entry"], sorted(upgraded)[0]
    (1, 'E1', '_disbursed_at')

    .. versionadded:: 0.2.0
    """
    if "_events" not in data or "_event_log" in data or not isinstance(data["_events"], list):
        return data  # not an old document: refused for its unknown field, naming it
    upgraded = dict(data)
    events = upgraded.pop("_events")
    upgraded["_event_log"] = {"__items__": [[number, event] for number, event in enumerate(events)]}
    upgraded["_event_count"] = len(events)
    first = events[0] if events else None
    if isinstance(first, dict) and first.get("kind") == "disbursed":
        upgraded["_disbursed_at"] = first.get("at")
        upgraded["_disbursement_entry"] = first.get("entry_id")
    return upgraded
