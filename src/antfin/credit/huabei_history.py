"""Huabei's history: what an account no longer works on, kept in archives and read by key.

A :class:`~antfin.credit.huabei.HuabeiAccount` keeps in its live state only what its
daily work walks: the unbilled lines, the bills still open (or paid late and not
yet charged their last interest), the active instalment plans, the credit line and the
cycle. What is final is kept in :class:`~antfin.archive.Archive` fields, one record
per key: every purchase (found by key for a refund), the running refund total of a
purchase, the paid bills, the finished plans and the event log. On a bare ledger
they are plain mappings serialized with the account; in the books each record is
a row of its own, read only when its key is asked for, so that what loading and
saving an account costs does not grow with its history.

>>> from antfin.calendar import shanghai
>>> from antfin.credit.huabei import HuabeiAccount
>>> from antfin.ledger import AccountKind, Ledger
>>> ledger = Ledger()
>>> _ = ledger.open_account("wallet:shop", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.open_account("wallet:amy", AccountKind.LIABILITY, non_negative=True)
>>> huabei = HuabeiAccount(ledger, "amy", CNY("500"))
>>> _ = huabei.purchase("o-1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2))
>>> [(event.kind, event.reference) for event in huabei.events]
[('purchase', 'o-1')]
>>> huabei.due_at().isoformat()  # the bill of 1 April is issued once 1 April is over
'2024-04-02T00:00:00+08:00'

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from antfin.archive import Archive, NumberedLog
from antfin.calendar import local_date, start_of_day
from antfin.credit import huabei as _huabei  # the records' classes (the account's module imports this one first)
from antfin.credit.huabei_bills import Bill, BillCharges, BillingCycle, BillLine
from antfin.errors import InvariantViolationError, NotFoundError
from antfin.money import Money

__all__ = ["HuabeiEvents", "RefundTally"]


@attrs.frozen
class RefundTally:
    """What has been refunded of one purchase after its ``number``-th refund (a final record).

    Each refund of a purchase adds the next tally (``"<purchase>#<number>"``), so the
    running total is found by key without keeping every purchase's refunds live.

    >>> tally = RefundTally("o-1", 1, CNY("40"), CNY("0.24"), CNY("100"))
    >>> tally.left
    Money('60.00', 'CNY')
    >>> RefundTally("o-1", 1, CNY("140"), CNY("0"), CNY("100")).check_invariants()
    Traceback (most recent call last):
    ...
    antfin.errors.InvariantViolationError: refund tally of 'o-1' #1: 140.00 CNY refunded is not within 0 and 100.00 CNY

    Attributes:
        purchase: the purchase's key.
        number: how many refunds this tally counts (from 1).
        refunded: the purchase's amount refunded so far.
        fee_returned: the merchant fee given back so far.
        cost: what the purchase cost.

    .. versionadded:: 0.2.0
    """

    purchase: str
    number: int
    refunded: Money
    fee_returned: Money
    cost: Money

    @property
    def left(self) -> Money:
        """What may still be refunded.

        >>> RefundTally("o", 1, CNY("100"), CNY("0"), CNY("100")).left
        Money('0.00', 'CNY')
        """
        return self.cost - self.refunded

    def check_invariants(self) -> None:
        """Raise unless the tally is one a refund can leave (run on every record read).

        >>> RefundTally("o", 1, CNY("1"), CNY("0"), CNY("1")).check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.
        """
        where = f"refund tally of {self.purchase!r} #{self.number}"
        if self.number < 1:
            raise InvariantViolationError(f"{where}: the refund number must be 1 or more")
        if not self.refunded.is_positive() or self.refunded > self.cost:
            raise InvariantViolationError(f"{where}: {self.refunded} refunded is not within 0 and {self.cost}")
        if self.fee_returned.is_negative():
            raise InvariantViolationError(f"{where}: a negative merchant fee returned {self.fee_returned}")


class HuabeiEvents(NumberedLog["_huabei.HuabeiEvent"]):
    """An account's event log, oldest first: a read-only sequence over its archive.

    A :class:`~antfin.archive.NumberedLog`.

    Reading one event by index reads one record; iterating reads them all (a history
    query, never daily work). Events of documents written before the log was archived
    are kept live and come first.

    >>> from antfin.credit.huabei import HuabeiEvent
    >>> from antfin.calendar import shanghai
    >>> log = Archive[int, HuabeiEvent]({0: HuabeiEvent(shanghai(2024, 3, 1), "purchase", "o", CNY("1"))})
    >>> events = HuabeiEvents(log, 1)
    >>> len(events), events[-1].reference, [event.kind for event in events]
    (1, 'o', ['purchase'])

    .. versionadded:: 0.2.0
    """

    __slots__ = ()


class _History:
    """Where :class:`~antfin.credit.huabei.HuabeiAccount` finds its final records, and what falls due next."""

    # At run time the mixin adds no instance storage (the public class holds the state).
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:
        _bills: list[_huabei.BillRecord]
        _plans: dict[str, _huabei.PlanRecord]
        _purchases: dict[str, _huabei.Purchase]
        _refunded: dict[str, tuple[Money, Money]]
        _unbilled: list[tuple[date, BillLine]]
        _legacy_events: list[_huabei.HuabeiEvent]
        _events_archived: int
        _first_at: datetime | None
        _last_bill: date | None
        _event_log: Archive[int, _huabei.HuabeiEvent]
        _purchase_log: Archive[str, _huabei.Purchase]
        _refund_log: Archive[str, RefundTally]
        _bill_log: Archive[str, _huabei.BillRecord]
        _plan_log: Archive[str, _huabei.PlanRecord]
        cycle: BillingCycle
        user: str

        def _charges(self, record: _huabei.BillRecord, as_of: date) -> BillCharges: ...

    # -- the event log ------------------------------------------------------------------------

    @property
    def events(self) -> HuabeiEvents:
        """Every recorded change, oldest first (a read-only sequence: ``len``, index, iteration).

        ``events[-1]`` reads one record; iterating reads the whole log (a history query).

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> len(HuabeiAccount(Ledger(), "dan", CNY("500")).events)
        0
        """
        return HuabeiEvents(self._event_log, self._events_archived, live=self._legacy_events)

    def _record(self, at: datetime, kind: str, reference: str, amount: Money) -> None:
        from antfin.credit.huabei import HuabeiEvent

        if self._first_at is None and not self._legacy_events:
            self._first_at = at
        self._event_log[len(self._legacy_events) + self._events_archived] = HuabeiEvent(at, kind, reference, amount)
        self._events_archived += 1

    def _first_activity(self) -> datetime | None:
        if self._legacy_events:
            return self._legacy_events[0].at
        return self._first_at

    # -- purchases and refunds ----------------------------------------------------------------------

    def _find_purchase(self, key: str) -> _huabei.Purchase | None:
        found = self._purchases.get(key)
        return found if found is not None else self._purchase_log.get(key)

    def _refund_tally(self, purchase: _huabei.Purchase) -> tuple[int, Money, Money]:
        """How many refunds the purchase had, what they refunded and what merchant fee they returned."""
        zero = purchase.amount.currency.zero()
        number, tally = 0, None
        while (found := self._refund_log.get(f"{purchase.id}#{number + 1}")) is not None:
            number, tally = number + 1, found
        if tally is not None:
            return number, tally.refunded, tally.fee_returned
        refunded, fee_returned = self._refunded.get(purchase.id, (zero, zero))  # kept live by older documents
        return 0, refunded, fee_returned

    # -- bills and plans ------------------------------------------------------------------------------

    @property
    def bills(self) -> tuple[_huabei.BillRecord, ...]:
        """Every issued bill, oldest first (the paid ones are read from the archive: a history query).

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).bills
        ()
        """
        found = {str(record.bill.statement_date): record for record in self._bills}
        for key in self._bill_log:
            found.setdefault(key, self._bill_log[key])
        return tuple(found[key] for key in sorted(found))

    @property
    def open_bills(self) -> tuple[_huabei.BillRecord, ...]:
        """The bills not yet paid, oldest first (live state: what repayments and daily work walk).

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).open_bills
        ()

        .. versionadded:: 0.2.0
        """
        from antfin.credit.huabei import BillStatus

        return tuple(record for record in self._bills if record.status is not BillStatus.PAID)

    def bill(self, statement_date: date) -> _huabei.BillRecord:
        """The issued bill of ``statement_date`` (open, or paid and archived).

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).bill(date(2024, 3, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei bill of 2024-03-01 for dan

        Raises:
            antfin.errors.NotFoundError: when no such bill was issued.
        """
        found = self._find_bill(statement_date)
        if found is None:
            raise NotFoundError(f"no Huabei bill of {statement_date} for {self.user}")
        return found

    def _find_bill(self, statement_date: date) -> _huabei.BillRecord | None:
        for record in self._bills:
            if record.bill.statement_date == statement_date:
                return record
        archived = self._bill_log.get(str(statement_date))
        if archived is not None and (
            archived.status is not _huabei.BillStatus.PAID or archived.bill.statement_date != statement_date
        ):
            raise InvariantViolationError(
                f"archived Huabei bill {statement_date} of {self.user} is not the paid bill of that date"
            )
        return archived

    def plan(self, plan_id: str) -> _huabei.PlanRecord:
        """An instalment plan by id (active, or finished and archived).

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).plan("x")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei instalment plan 'x' for dan

        Raises:
            antfin.errors.NotFoundError: for an unknown plan.
        """
        found = self._plans.get(plan_id)
        if found is not None:
            return found
        archived = self._plan_log.get(plan_id)
        if archived is None:
            raise NotFoundError(f"no Huabei instalment plan {plan_id!r} for {self.user}")
        if archived.status is _huabei.PlanStatus.ACTIVE or archived.id != plan_id:
            raise InvariantViolationError(f"archived Huabei plan {plan_id!r} of {self.user} is not that plan, finished")
        return archived

    def _last_statement(self) -> date | None:
        live = self._bills[-1].bill.statement_date if self._bills else None
        if live is None or (self._last_bill is not None and self._last_bill > live):
            return self._last_bill
        return live

    def _file_bill(self, bill: Bill) -> _huabei.BillRecord:
        from antfin.credit.huabei import BillRecord

        issued = BillRecord(bill)
        self._bills.append(issued)
        self._last_bill = bill.statement_date
        return issued

    def _archive_paid(self) -> None:
        """Move the paid bills with no interest left to charge to the archive.

        A paid bill accrues nothing after its last repayment or refund: once the interest
        through that day is charged (at once, for a bill paid by its due date), it is final.
        """
        keep = []
        for record in self._bills:
            last = max((when for when, _ in record.reductions), default=record.bill.statement_date)
            if record.status is _huabei.BillStatus.PAID and not self._charges(record, last).total.is_positive():
                self._bill_log[str(record.bill.statement_date)] = record
            else:
                keep.append(record)
        if len(keep) != len(self._bills):
            self._bills = keep

    def _archive_final(self) -> None:
        """Move what is final to the archives (once a bill is issued): paid bills, finished plans."""
        self._archive_paid()
        for plan_id, plan in list(self._plans.items()):
            if plan.status is not _huabei.PlanStatus.ACTIVE:
                self._plan_log[plan_id] = plan
                del self._plans[plan_id]

    # -- what falls due -------------------------------------------------------------------------------

    def due_at(self) -> datetime | None:
        """When something next falls due on the account: a bill to issue or the latest bill's due date.

        The next bill is due to be issued once its cycle is over (the day after its last
        day, at 00:00 Asia/Shanghai), from the cycle of the account's first activity on.
        The latest bill, while issued and not paid nor overdue, falls due on its due date
        (00:00). Older unpaid bills are already past due: what next happens to them (their
        interest charged) happens when the next bill is issued. ``None`` for an account
        never used.

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).due_at() is None
        True

        .. versionadded:: 0.2.0
        """
        last = self._last_statement()
        statement: date | None
        if last is not None:
            statement = self.cycle.next_statement_date(last)
        else:
            first = self._first_activity()
            if first is not None:
                statement = self.cycle.statement_date(local_date(first))
            else:
                statement = min((when for when, _ in self._unbilled), default=None)
        times: list[Any] = []
        if statement is not None:
            times.append(start_of_day(self.cycle.cycle(statement)[1] + timedelta(days=1)))
        latest = self._bills[-1] if self._bills else None
        if latest is not None and latest.bill.statement_date == last and latest.status is _huabei.BillStatus.ISSUED:
            times.append(start_of_day(latest.bill.due_date))
        return min(times, default=None)
