"""The loan lifecycle (Jiebei 借呗, MYbank 网商贷): disburse, repay, prepay, go overdue, all on the ledger.

>>> from antfin.calendar import shanghai
>>> from antfin.credit.loan import Loan
>>> from antfin.credit.products import JIEBEI
>>> from antfin.credit.schedule import LoanRate
>>> from antfin.ledger import Ledger
>>> from antfin.rates import DayCount, Rate
>>> ledger = Ledger()
>>> loan = Loan(ledger, "L1", "wallet:alice", CNY("1200"), LoanRate.annual(Rate.percent("12"), DayCount.ACT_360),
...             3, product=JIEBEI)
>>> _ = loan.disburse(shanghai(2024, 1, 10, 9))
>>> ledger.balance("wallet:alice"), loan.outstanding_principal
(Money('1200.00', 'CNY'), Money('1200.00', 'CNY'))
>>> receipt = loan.repay("r1", CNY("408.03"), shanghai(2024, 2, 10, 9))
>>> receipt.principal, receipt.interest, loan.outstanding_principal
(Money('396.03', 'CNY'), Money('12.00', 'CNY'), Money('803.97', 'CNY'))
>>> loan.check_ledger()

Money moves only through the ledger: disbursement debits the loan receivable
``asset:loans:<product>:<loan_id>`` and credits the borrower's wallet (a
non-negative liability account); a repayment debits the wallet and credits the
receivable with the principal and the product's revenue accounts with
interest, fees and penalty, so the receivable's balance is always the
outstanding principal (:meth:`Loan.check_ledger`).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, NoReturn

import attrs

from antfin.archive import Archive
from antfin.calendar import ensure_aware, local_date
from antfin.chart import loan_receivable, revenue_account
from antfin.credit.products import JIEBEI, LoanProduct
from antfin.credit.schedule import (
    Accrual,
    LoanRate,
    RepaymentMethod,
    Schedule,
    amortize,
)
from antfin.errors import (
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
)
from antfin.idempotency import IdempotencyRecord, fingerprint, replay, same_request
from antfin.ledger import AccountKind, JournalEntry, Ledger, Posting
from antfin.money import _CONTEXT, CNY, Money
from antfin.validators import check_id, check_key

__all__ = [
    "AmountDue",
    "Loan",
    "LoanEvent",
    "LoanStatus",
    "PrepaymentMode",
    "Repayment",
]


class LoanStatus(enum.Enum):
    """Where a loan is in its life.

    >>> [s.value for s in LoanStatus]
    ['approved', 'active', 'paid_off']

    .. versionadded:: 0.1.0
    """

    APPROVED = "approved"
    ACTIVE = "active"
    PAID_OFF = "paid_off"


_ALLOWED: dict[LoanStatus, frozenset[LoanStatus]] = {
    LoanStatus.APPROVED: frozenset({LoanStatus.ACTIVE}),
    LoanStatus.ACTIVE: frozenset({LoanStatus.ACTIVE, LoanStatus.PAID_OFF}),
    LoanStatus.PAID_OFF: frozenset(),
}


class PrepaymentMode(enum.Enum):
    """What a partial prepayment changes (提前还款: 缩短期限 or 减少月供).

    >>> PrepaymentMode.SHORTEN_TERM.value
    'shorten_term'

    .. versionadded:: 0.1.0
    """

    SHORTEN_TERM = "shorten_term"
    LOWER_INSTALMENT = "lower_instalment"


@attrs.frozen
class AmountDue:
    """What is owed on a date, by component.

    >>> AmountDue(CNY("1"), CNY("2"), CNY("3"), CNY("4")).total
    Money('10.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    penalty: Money
    fee: Money
    interest: Money
    principal: Money

    @property
    def total(self) -> Money:
        """The sum of the components.

        >>> AmountDue(CNY("0"), CNY("0"), CNY("0"), CNY("5")).total
        Money('5.00', 'CNY')
        """
        return self.penalty + self.fee + self.interest + self.principal


@attrs.frozen
class Repayment:
    """The receipt of a repayment or prepayment: how the amount was applied.

    >>> r = Repayment("k", "e1", CNY("10"), CNY("1"), CNY("2"), CNY("3"), CNY("4"), CNY("0"))
    >>> r.amount == r.penalty + r.fee + r.interest + r.principal + r.prepayment_fee
    True

    Args:
        key: the caller's key.
        entry_id: the ledger entry that moved the money.
        amount: the total paid.
        penalty: applied to overdue penalty.
        fee: applied to periodic fees.
        interest: applied to interest (including interest for days used when prepaying).
        principal: applied to principal.
        prepayment_fee: the prepayment fee charged.

    .. versionadded:: 0.1.0
    """

    key: str
    entry_id: str
    amount: Money
    penalty: Money
    fee: Money
    interest: Money
    principal: Money
    prepayment_fee: Money

    def check_invariants(self) -> None:
        """Raise unless the receipt is one a repayment can give (run on every receipt read back).

        >>> Repayment("k", "e1", CNY("3"), CNY("0"), CNY("0"), CNY("1"), CNY("2"), CNY("0")).check_invariants()
        >>> Repayment("k", "e1", CNY("4"), CNY("0"), CNY("0"), CNY("1"), CNY("2"), CNY("0")).check_invariants()
        Traceback (most recent call last):
        ...
        antfin.errors.InvariantViolationError: repayment 'k': 4.00 CNY is not the sum of its parts 3.00 CNY

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        parts = (self.penalty, self.fee, self.interest, self.principal, self.prepayment_fee)
        if self.amount.is_negative() or any(part.is_negative() for part in parts):
            raise InvariantViolationError(f"repayment {self.key!r}: a negative amount")
        total = sum(parts, self.amount.currency.zero())
        if total != self.amount:
            raise InvariantViolationError(f"repayment {self.key!r}: {self.amount} is not the sum of its parts {total}")


@attrs.frozen
class LoanEvent:
    """One recorded state change of a loan.

    >>> from antfin.calendar import shanghai
    >>> LoanEvent(shanghai(2024, 1, 1), "disbursed", CNY("1"), LoanStatus.ACTIVE, "e1").kind
    'disbursed'

    .. versionadded:: 0.1.0
    """

    at: datetime
    kind: str
    amount: Money
    status: LoanStatus
    entry_id: str

    def check_invariants(self) -> None:
        """Raise unless the event is one a loan can record (run on every event read back).

        >>> from antfin.calendar import shanghai
        >>> LoanEvent(shanghai(2024, 1, 1), "repaid", CNY("-1"), LoanStatus.ACTIVE, "e2").check_invariants()
        Traceback (most recent call last):
        ...
        antfin.errors.InvariantViolationError: loan event repaid (e2): a negative amount -1.00 CNY

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        if self.kind not in _EVENT_KINDS:
            raise InvariantViolationError(f"loan event {self.kind!r} ({self.entry_id}): not a kind a loan records")
        if self.amount.is_negative():
            raise InvariantViolationError(f"loan event {self.kind} ({self.entry_id}): a negative amount {self.amount}")
        if self.status is LoanStatus.APPROVED or (self.kind == "disbursed" and self.status is not LoanStatus.ACTIVE):
            raise InvariantViolationError(
                f"loan event {self.kind} ({self.entry_id}): the loan cannot be {self.status.value} after it"
            )


#: What a loan records: its disbursement, repayments and prepayments.
_EVENT_KINDS: Final = frozenset({"disbursed", "repaid", "prepaid"})


@attrs.frozen
class _State:
    """A complete snapshot of the mutable part of a loan, swapped in one assignment."""

    status: LoanStatus
    schedule: Schedule | None
    paid: tuple[tuple[int, int, int], ...]  # per instalment: principal, interest, fee paid (minor units)
    penalty_accrued: Decimal  # exact, minor units
    penalty_through: date | None
    penalty_paid: int
    last_at: datetime | None


def _demo() -> Loan:
    """A disbursed 1,200-yuan, 3-month, 12%-a-year Jiebei loan (10 January 2024), for the examples."""
    from antfin.calendar import shanghai
    from antfin.rates import DayCount, Rate

    loan = Loan(Ledger(), "demo", "wallet:demo", CNY("1200"), LoanRate.annual(Rate.percent("12"), DayCount.ACT_360), 3)
    loan.disburse(shanghai(2024, 1, 10, 9))
    return loan


# The repayments and the history use the names above (PrepaymentMode, Repayment, LoanEvent ...): imported after them.
from antfin.credit.loan_history import LoanEvents, upgrade_loan_document  # noqa: E402
from antfin.credit.loan_repayments import _Repayments  # noqa: E402


@attrs.define(eq=False)
class Loan(_Repayments):
    """A loan from approval to payoff, booked on a ledger.

    >>> from antfin.calendar import shanghai
    >>> from antfin.credit.products import MYBANK
    >>> from antfin.credit.schedule import LoanRate, RepaymentMethod
    >>> from antfin.ledger import Ledger
    >>> from antfin.rates import DayCount, Rate
    >>> loan = Loan(Ledger(), "M1", "wallet:shop", CNY("30000"),
    ...             LoanRate.daily(Rate.percent("0.04"), DayCount.ACT_360), 6,
    ...             product=MYBANK, method=RepaymentMethod.INTEREST_FIRST)
    >>> loan.status
    <LoanStatus.APPROVED: 'approved'>
    >>> _ = loan.disburse(shanghai(2024, 3, 1, 10))
    >>> loan.amount_due(date(2024, 4, 1)).total
    Money('360.00', 'CNY')

    Args:
        ledger: the ledger that holds the money.
        loan_id: unique id; ledger keys are ``loan:<loan_id>:...``.
        wallet: the borrower's wallet account id (opened as a non-negative
            liability if it does not exist yet).
        principal: the amount lent.
        rate: the contract rate.
        term: months (instalments, or months to maturity for 随借随还).
        product: the product's rules (:data:`~antfin.credit.products.JIEBEI` by default).
        method: the repayment method.
        repayment_day: day of month of the due dates (default: the disbursement day).
        accrual: monthly or daily period interest (see :mod:`antfin.credit.schedule`).
        fee: a total periodic fee spread over the instalments.
        upfront_fee: a fee deducted from the amount disbursed.

    Raises:
        TypeError: for wrong types (floats, naive datetimes at disbursement).
        antfin.errors.InvalidAmountError: for a non-positive principal, a bad
            term, or an upfront fee not below the principal.

    .. versionadded:: 0.1.0
    """

    ledger: Ledger
    loan_id: str
    wallet: str
    principal: Money
    rate: LoanRate
    term: int
    product: LoanProduct = JIEBEI
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALMENT
    repayment_day: int | None = None
    accrual: Accrual = Accrual.MONTHLY
    fee: Money | None = None
    upfront_fee: Money | None = None
    _state: _State = attrs.field(init=False)
    # Live state beside _state: the disbursement (a retried disbursement replays it) and the events' count.
    _disbursed_at: datetime | None = attrs.field(init=False, default=None)
    _disbursement_entry: str | None = attrs.field(init=False, default=None)
    _event_count: int = attrs.field(init=False, default=0)
    # Final records, kept apart from the live state (one row each in the books): every event by its
    # sequence number, and what each repayment key did.
    _event_log: Archive[int, LoanEvent] = attrs.field(init=False, factory=Archive)
    _receipts: Archive[str, IdempotencyRecord[Repayment]] = attrs.field(init=False, factory=Archive)

    @staticmethod
    def __antfin_upgrade__(data: dict[str, Any]) -> dict[str, Any]:
        """A document written before the history was archived, in today's shape (:func:`upgrade_loan_document`)."""
        return upgrade_loan_document(data)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(self.ledger).__name__}")
        check_id(self.loan_id, "loan_id")
        check_id(self.wallet, "wallet")
        # Validate every term now, on a nominal date, so a bad loan is refused at construction.
        amortize(
            self.principal,
            self.rate,
            self.term,
            disbursed_on=date(2000, 1, 1),
            method=self.method,
            repayment_day=self.repayment_day,
            accrual=self.accrual,
            fee=self.fee,
        )
        upfront = self._upfront
        if upfront.is_negative() or upfront >= self.principal:
            raise InvalidAmountError(f"upfront_fee must be at least 0 and below the principal, got {upfront}")
        self._state = _State(LoanStatus.APPROVED, None, (), Decimal(0), None, 0, None)

    # -- read-only views ----------------------------------------------------------

    @property
    def _upfront(self) -> Money:
        zero = self.principal.currency.zero()
        return zero if self.upfront_fee is None else self.principal + self.upfront_fee - self.principal

    @property
    def status(self) -> LoanStatus:
        """The current status.

        >>> from antfin.rates import DayCount, Rate
        >>> Loan(Ledger(), "x", "wallet:x", CNY("100"), LoanRate.annual(Rate("0.1"), DayCount.ACT_360), 1).status
        <LoanStatus.APPROVED: 'approved'>
        """
        return self._state.status

    @property
    def receivable_account(self) -> str:
        """The ledger account holding this loan's outstanding principal.

        >>> from antfin.rates import DayCount, Rate
        >>> Loan(Ledger(), "x", "wallet:x", CNY("100"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 1
        ...      ).receivable_account
        'asset:loans:jiebei:x'
        """
        return loan_receivable(self.product.code, self.loan_id)

    @property
    def schedule(self) -> Schedule:
        """The current schedule (after any prepayment, the rows actually paid and still due).

        >>> [str(row.due) for row in _demo().schedule.instalments]
        ['2024-02-10', '2024-03-10', '2024-04-10']

        Raises:
            antfin.errors.InvalidTransitionError: before disbursement.
        """
        if self._state.schedule is None:
            raise InvalidTransitionError(f"loan {self.loan_id} has no schedule until it is disbursed")
        return self._state.schedule

    @property
    def next_due(self) -> date | None:
        """The due date of the oldest instalment not yet fully paid; ``None`` before disbursement or when paid off.

        >>> _demo().next_due
        datetime.date(2024, 2, 10)

        .. versionadded:: 0.2.0
        """
        state = self._state
        if state.schedule is None:
            return None
        for index, row in enumerate(state.schedule.instalments):
            if any(self._unpaid(index)):
                return row.due
        return None

    @property
    def events(self) -> LoanEvents:
        """Every recorded state change, oldest first (a read-only sequence: ``len``, index, iteration).

        ``events[-1]`` reads one record; iterating reads the whole log (a history query).

        >>> from antfin.rates import DayCount, Rate
        >>> loan = Loan(Ledger(), "x", "wallet:x", CNY("100"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 1)
        >>> len(loan.events), loan.events == ()
        (0, True)
        >>> [event.kind for event in _demo().events]
        ['disbursed']

        .. versionchanged:: 0.2.0
           A sequence over the archived event log (:class:`~antfin.credit.loan_history.LoanEvents`), not a tuple.
        """
        return LoanEvents(self._event_log, self._event_count)

    @property
    def disbursed_on(self) -> date:
        """The disbursement date (Asia/Shanghai).

        >>> _demo().disbursed_on
        datetime.date(2024, 1, 10)

        Raises:
            antfin.errors.InvalidTransitionError: before disbursement.
        """
        return self.schedule.disbursed_on

    @property
    def outstanding_principal(self) -> Money:
        """Principal lent minus principal repaid.

        >>> from antfin.rates import DayCount, Rate
        >>> Loan(Ledger(), "x", "wallet:x", CNY("100"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 1
        ...      ).outstanding_principal
        Money('0.00', 'CNY')
        """
        state = self._state
        if state.schedule is None:
            return self.principal.currency.zero()
        owed = sum(
            row.principal.minor_units - paid[0]
            for row, paid in zip(state.schedule.instalments, state.paid, strict=True)
        )
        return Money.from_minor_units(owed, self.principal.currency)

    def check_invariants(self) -> None:
        """Raise unless the loan's state is one the API can reach; with a ledger, check the receivable too.

        Run on every loaded loan (:mod:`antfin.serialization`): a schedule and a
        disbursement exactly when disbursed, what was paid per instalment within what it
        asks, nothing negative, and :meth:`check_ledger`; of the archives, what is in
        memory (events numbered within the log, the first one the disbursement, receipts
        filed under their own keys). Records stored as rows in the books check
        themselves as they are read; loading never scans them.

        >>> _demo().check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        state = self._state

        def fail(rule: str) -> NoReturn:
            raise InvariantViolationError(f"loan {self.loan_id} ({state.status.value}): {rule}")

        schedule = state.schedule
        if (schedule is None) != (state.status is LoanStatus.APPROVED):
            fail("a schedule exists exactly once the loan is disbursed")
        if schedule is not None:
            rows = schedule.instalments
            if (
                schedule.principal != self.principal
                or sum((row.principal for row in rows), self.principal.currency.zero()) != self.principal
            ):
                fail(f"the schedule repays {schedule.principal}, not the principal {self.principal}")
            if (schedule.rate, schedule.method, schedule.accrual) != (self.rate, self.method, self.accrual):
                fail("the schedule's rate, method or accrual differ from the loan's terms")
            if any(part.is_negative() for row in rows for part in (row.principal, row.interest, row.fee, row.balance)):
                fail("the schedule has a negative amount")
            if [row.number for row in rows] != list(range(1, len(rows) + 1)):
                fail("the instalments are not numbered 1..n")
            if len(state.paid) != len(schedule.instalments):
                fail(f"{len(state.paid)} paid rows for {len(schedule.instalments)} instalments")
            for row, paid in zip(schedule.instalments, state.paid, strict=True):
                asked = (row.principal.minor_units, row.interest.minor_units, row.fee.minor_units)
                if any(not 0 <= part <= limit for part, limit in zip(paid, asked, strict=True)):
                    fail(f"instalment due {row.due}: paid {paid} (minor units) outside 0 .. {asked}")
        if state.penalty_paid < 0 or state.penalty_accrued < 0:
            fail("a negative penalty")
        self._check_history(fail)
        if isinstance(self.ledger, Ledger):
            self.check_ledger()

    def _check_history(self, fail: Callable[[str], NoReturn]) -> None:
        """The disbursement and the event count against the state; the archives' records in memory."""
        state = self._state
        at, entry, count = self._disbursed_at, self._disbursement_entry, self._event_count
        if state.schedule is None:
            if at is not None or entry is not None or count:
                fail("a disbursement or an event recorded before the loan is disbursed")
        elif at is None or entry is None or count < 1:
            fail("no disbursement recorded for a disbursed loan")
        elif local_date(at) != state.schedule.disbursed_on or state.last_at is None or at > state.last_at:
            fail(f"disbursed at {at.isoformat()}, not on {state.schedule.disbursed_on} nor by the last event")
        log = self._event_log.in_memory()
        for number in log:
            if not 0 <= number < count:
                fail(f"event {number} is outside the log of {count} events")
        for number, event in log.items():
            event.check_invariants()
            if (number == 0) != (event.kind == "disbursed") or (
                number == 0 and (event.at, event.entry_id) != (at, entry)
            ):
                fail(f"event {number} ({event.kind}): only the first event is the disbursement")
            if number == count - 1 and (event.status, event.at) != (state.status, state.last_at):
                fail(f"the last event leaves the loan {event.status.value} at {event.at.isoformat()}")
        for key, record in self._receipts.in_memory().items():
            if record.key != key or record.result.key != key:
                fail(f"a receipt is filed under another key than {key!r}")
            record.result.check_invariants()

    def check_ledger(self) -> None:
        """Check that the receivable's ledger balance equals :attr:`outstanding_principal`.

        >>> from antfin.rates import DayCount, Rate
        >>> Loan(Ledger(), "x", "wallet:x", CNY("100"), LoanRate.annual(Rate("0"), DayCount.ACT_360), 1).check_ledger()

        Raises:
            antfin.errors.InvariantViolationError: when they differ.
        """
        if self._state.schedule is None:
            return
        booked = self.ledger.balance(self.receivable_account)
        if booked != self.outstanding_principal:
            raise InvariantViolationError(
                f"loan {self.loan_id}: receivable {self.receivable_account} holds {booked}, "
                f"expected the outstanding principal {self.outstanding_principal}"
            )

    # -- penalty and arrears (pure computations over the current state) --------------

    def _unpaid(self, index: int) -> tuple[int, int, int]:
        state = self._state
        row = state.schedule.instalments[index]  # type: ignore[union-attr]
        paid = state.paid[index]
        return (row.principal.minor_units - paid[0], row.interest.minor_units - paid[1], row.fee.minor_units - paid[2])

    def _penalty_exact_through(self, on: date) -> Decimal:
        """Exact penalty (minor units) accrued through ``on``: Σ unpaid overdue amount × rate × overdue days."""
        state = self._state
        accrued = state.penalty_accrued
        since = state.penalty_through
        if state.schedule is None or since is None or on <= since:
            return accrued
        rate = self.product.penalty_rate_for(self.rate).value
        for index, row in enumerate(state.schedule.instalments):
            if row.due >= on:
                break
            owed = sum(self._unpaid(index))
            if owed:
                days = (on - max(since, row.due)).days
                accrued += _CONTEXT.multiply(Decimal(owed * days), rate)
        return accrued

    def _penalty_due_minor(self, on: date) -> int:
        exact = self._penalty_exact_through(on)
        rounded = int(exact.to_integral_value(rounding=self.product.rounding.value, context=_CONTEXT))
        return rounded - self._state.penalty_paid

    def amount_due(self, on: date) -> AmountDue:
        """What is owed on ``on``: penalty, and the unpaid parts of instalments due on or before it.

        >>> due = _demo().amount_due(date(2024, 2, 20))  # the first instalment is 10 days late
        >>> due.interest, due.principal, due.penalty
        (Money('12.00', 'CNY'), Money('396.03', 'CNY'), Money('2.04', 'CNY'))

        The penalty accrues each day an instalment is past due, at the product's
        penalty rate for this loan's contract rate (``penalty_rate_for``: Jiebei's is a
        multiple of the contract rate) on its unpaid principal, interest and fee (not on
        penalty), and is rounded to the fen with the product's rounding.

        Raises:
            antfin.errors.InvalidTransitionError: before disbursement.
        """
        schedule = self.schedule
        totals = [0, 0, 0]
        for index, row in enumerate(schedule.instalments):
            if row.due > on:
                break
            for part, owed in enumerate(self._unpaid(index)):
                totals[part] += owed
        cur = self.principal.currency
        return AmountDue(
            Money.from_minor_units(self._penalty_due_minor(on), cur),
            Money.from_minor_units(totals[2], cur),
            Money.from_minor_units(totals[1], cur),
            Money.from_minor_units(totals[0], cur),
        )

    def days_past_due(self, on: date) -> int:
        """Days since the due date of the oldest instalment still unpaid on ``on`` (0 when current).

        >>> loan = _demo()
        >>> loan.days_past_due(date(2024, 2, 10)), loan.days_past_due(date(2024, 2, 11))
        (0, 1)

        An instalment becomes past due the day after its due date.
        """
        state = self._state
        if state.schedule is None:
            return 0
        for index, row in enumerate(state.schedule.instalments):
            if row.due >= on:
                return 0
            if any(self._unpaid(index)):
                return (on - row.due).days
        return 0

    def delinquency(self, on: date) -> str:
        """The delinquency bucket on ``on`` (``CURRENT``, ``M1`` 1-30, ``M2`` 31-60, ``M3`` 61-90, ``M3+``; cfg).

        >>> loan = _demo()
        >>> [loan.delinquency(date(2024, 2, d)) for d in (10, 11)], loan.delinquency(date(2024, 5, 10))
        (['CURRENT', 'M1'], 'M3')
        """
        return self.product.buckets.bucket(self.days_past_due(on))

    # -- the one state-changing method -------------------------------------------------

    def _commit(self, new: _State, event: LoanEvent, receipt: IdempotencyRecord[Repayment] | None = None) -> None:
        """Check the transition, record the event (and a repayment's receipt) and swap in the new state."""
        current = self._state.status
        if new.status not in _ALLOWED[current]:
            raise InvalidTransitionError(
                f"loan {self.loan_id} cannot go from {current.value} to {new.status.value} ({event.kind})"
            )
        number = self._event_count
        # Archived records are final: another event already under this number is refused before anything changes.
        self._event_log[number] = event
        if receipt is not None:
            self._receipts[receipt.key] = receipt  # a new key: its replay found none
        self._event_count = number + 1
        self._state = new

    def _check_time(self, at: datetime) -> datetime:
        moment = ensure_aware(at, "at")
        last = self._state.last_at
        if last is not None and moment < last:
            raise InvalidTimeError(f"at must not be before the loan's last event at {last.isoformat()}, got {moment}")
        return moment

    def _replay(self, key: str, asked: str) -> Repayment | None:
        check_key(key)
        return replay(self._receipts, key, asked, what=f"loan {self.loan_id} key")

    # -- operations ------------------------------------------------------------------------

    def disburse(self, at: datetime) -> JournalEntry:
        """Pay the principal (less any upfront fee) into the borrower's wallet and fix the schedule.

        >>> loan = _demo()
        >>> loan.ledger.balance(loan.receivable_account), loan.status.value
        (Money('1200.00', 'CNY'), 'active')

        Idempotent: disbursing again at the same instant returns the same entry.

        Raises:
            antfin.errors.InvalidTimeError: for a naive ``at``.
            antfin.errors.InvalidTransitionError: when the loan is not approved.
            antfin.errors.IdempotencyConflictError: a second disbursement at another instant.
        """
        moment = ensure_aware(at, "at")
        key = f"loan:{self.loan_id}:disburse"
        if self._state.status is not LoanStatus.APPROVED:
            first, entry_id = self._disbursed_at, self._disbursement_entry
            if first is not None and entry_id is not None:  # the loan is the key; the instant the request
                same_request(
                    self.loan_id,
                    fingerprint("disburse", first),
                    fingerprint("disburse", moment),
                    what="loan disbursement of",
                )
                return self.ledger.entry(entry_id)
            raise InvalidTransitionError(f"loan {self.loan_id} is {self.status.value}; only approved loans disburse")
        schedule = amortize(
            self.principal,
            self.rate,
            self.term,
            disbursed_on=local_date(moment),
            method=self.method,
            repayment_day=self.repayment_day,
            accrual=self.accrual,
            fee=self.fee,
            rounding=self.product.rounding,
        )
        cur = self.principal.currency
        upfront = self._upfront
        with self.ledger.atomic():
            self.ledger.open_account(
                self.receivable_account,
                AccountKind.ASSET,
                currency=cur,
                owner=self.wallet,
                purpose=f"{self.product.name} loan receivable",
            )
            if not self.ledger.has_account(self.wallet):
                self.ledger.open_account(self.wallet, AccountKind.LIABILITY, currency=cur, non_negative=True)
            postings = [
                Posting.debit(self.receivable_account, self.principal),
                Posting.credit(self.wallet, self.principal - upfront),
            ]
            if upfront:
                postings.append(Posting.credit(revenue_account(self.ledger, self.product.fee_point, cur), upfront))
            entry = self.ledger.post_entry(
                key,
                postings,
                at=moment,
                memo=f"{self.product.name} loan {self.loan_id} disbursed",
                metadata={"loan_id": self.loan_id, "kind": "disburse"},
            )
            paid = tuple((0, 0, 0) for _ in schedule.instalments)
            state = _State(LoanStatus.ACTIVE, schedule, paid, Decimal(0), schedule.disbursed_on, 0, moment)
            self._commit(state, LoanEvent(moment, "disbursed", self.principal, LoanStatus.ACTIVE, entry.id))
            self._disbursed_at, self._disbursement_entry = moment, entry.id
        return entry
