"""Huabei bills and repayments: issuing the monthly bill, repaying it, converting it to instalments and settling
a plan early.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from antfin.archive import Archive
from antfin.calendar import ensure_aware, ensure_date, local_date, start_of_day
from antfin.chart import ProfitPoint
from antfin.credit.huabei_bills import (
    Bill,
    BillCharges,
    BillingCycle,
    BillLine,
    LineKind,
)
from antfin.credit.huabei_instalments import (
    EarlySettlement,
    plan_instalments,
)
from antfin.errors import (
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    PolicyViolationError,
)
from antfin.idempotency import IdempotencyRecord, remember
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.ledger import Ledger
from antfin.money import Money
from antfin.validators import check_positive

if TYPE_CHECKING:
    pass
from antfin.credit import huabei as _huabei


class _Bills:
    """Bills, repayments and instalment plans of :class:`~antfin.credit.huabei.HuabeiAccount`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:
        _bills: list[_huabei.BillRecord]

        def _archive_final(self) -> None: ...
        def _archive_paid(self) -> None: ...
        def _charges(self, record: _huabei.BillRecord, as_of: date) -> BillCharges: ...
        def _file_bill(self, bill: Bill) -> _huabei.BillRecord: ...
        def _first_activity(self) -> datetime | None: ...
        def _check_open_cycle(self, day: date, field: str) -> date: ...
        def _last_statement(self) -> date | None: ...
        def _ledger_key(self, key: str, step: str) -> str: ...

        _plans: dict[str, _huabei.PlanRecord]
        _plan_log: Archive[str, _huabei.PlanRecord]

        def _post(self, action: Callable[[], object]) -> None: ...
        def _record(self, at: datetime, kind: str, reference: str, amount: Money) -> None: ...
        def _refresh(self, day: date) -> None: ...
        def _replay(self, key: str, fingerprint: str, result_type: type[_huabei._T]) -> _huabei._T | None: ...

        _requests: Archive[
            str, IdempotencyRecord[_huabei.Purchase | Money | _huabei.Repayment | _huabei.PlanRecord | EarlySettlement]
        ]
        _unbilled: list[tuple[date, BillLine]]
        _last_bill: date | None

        def bill(self, statement_date: date) -> _huabei.BillRecord: ...

        config: _huabei.HuabeiConfig
        cycle: BillingCycle
        ledger: Ledger
        line: Money

        def plan(self, plan_id: str) -> _huabei.PlanRecord: ...
        @property
        def receivable(self) -> str: ...

        user: str

        @property
        def wallet(self) -> str: ...

    def _settle_if_paid(self, record: _huabei.BillRecord, day: date) -> None:
        if record.status is not _huabei.BillStatus.PAID and not record.outstanding.is_positive():
            record.move_to(_huabei.BillStatus.PAID, day)

    def _check_first_bill(self, statement_date: date) -> bool:
        """Whether a first bill starts the sequence (``False``: nothing to bill yet); raise if it is too early."""
        first_at = self._first_activity()
        if first_at is None and not self._unbilled:
            return False
        first = self.cycle.statement_date(local_date(first_at)) if first_at is not None else statement_date
        if statement_date < first:
            raise InvalidTimeError(
                f"statement_date: the first bill is due for the cycle of the first activity ({first}) "
                f"or later, got {statement_date}"
            )
        return True

    def issue_bill(self, statement_date: date) -> Bill:
        """Issue the bill of ``statement_date``: the cycle's lines, instalment periods due and interest.

        Interest accrued on earlier bills through the cycle's last day is charged first
        (booked to its profit points and put on this bill); instalment fees billed now are
        booked to ``ProfitPoint.HUABEI_INSTALMENT_FEE``. A bill of zero or less is paid
        at once and a credit carries to the next bill. Bills are issued in order, one per month;
        issuing the last bill again returns it unchanged.

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> huabei = HuabeiAccount(Ledger(), "fay", CNY("500"))
        >>> huabei.issue_bill(date(2024, 3, 1)).total  # nothing to bill yet: no bill sequence starts
        Money('0.00', 'CNY')
        >>> huabei.bills
        ()

        The first bill is the one of the first activity's cycle or later (never
        a cycle before the account was used); each later bill is the next one.

        Raises:
            antfin.errors.InvalidTimeError: not a bill day, or not the next bill, or lines of an earlier cycle
                are still unbilled.
        """
        ensure_date(statement_date, "statement_date")
        end = self.cycle.cycle(statement_date)[1]
        last = self._last_statement()
        if last is None and not self._check_first_bill(statement_date):
            return Bill.build(statement_date, [], self.cycle, self.config.terms, self.line.currency.code)
        if last is not None and statement_date == last:
            return self.bill(last).bill  # issuing the same bill again is a no-op
        if last is not None and statement_date != self.cycle.next_statement_date(last):
            raise InvalidTimeError(
                f"statement_date: expected the next bill {self.cycle.next_statement_date(last)}, got {statement_date}"
            )
        early = [line for when, line in self._unbilled if when < statement_date]
        if early:
            raise InvalidTimeError(
                f"statement_date: {len(early)} line(s) belong to a bill before {statement_date}; issue that bill first"
            )
        self._refresh(end + timedelta(days=1))
        at = start_of_day(end + timedelta(days=1))
        zero = self.line.currency.zero()
        lines = [line for when, line in self._unbilled if when == statement_date]
        interest = self._interest_due(end)
        for record, charges in interest:
            ref = f"bill:{record.bill.statement_date}"
            if charges.revolving_interest.is_positive():
                lines.append(BillLine(end, LineKind.REVOLVING_INTEREST, charges.revolving_interest, ref))
            if charges.overdue_interest.is_positive():
                lines.append(BillLine(end, LineKind.OVERDUE_INTEREST, charges.overdue_interest, ref))
        periods = self._periods_due(statement_date)
        for plan_record in periods:
            period = plan_record.plan.periods[plan_record.billed]
            lines.append(BillLine(end, LineKind.INSTALMENT_PRINCIPAL, period.principal, plan_record.id))
            if period.fee.is_positive():
                lines.append(BillLine(end, LineKind.INSTALMENT_FEE, period.fee, plan_record.id))
        bill = Bill.build(statement_date, lines, self.cycle, self.config.terms, self.line.currency.code)
        fees = sum((line.amount for line in lines if line.kind is LineKind.INSTALMENT_FEE), zero)
        revolving = sum((c.revolving_interest for _, c in interest), zero)
        overdue = sum((c.overdue_interest for _, c in interest), zero)

        def book() -> None:
            postings = [
                (ProfitPoint.HUABEI_INSTALMENT_FEE, fees, "instalment_fees"),
                (ProfitPoint.HUABEI_REVOLVING_INTEREST, revolving, "revolving_interest"),
                (ProfitPoint.HUABEI_OVERDUE_INTEREST, overdue, "overdue_interest"),
            ]
            for point, amount, step in postings:
                if amount.is_positive():
                    self.ledger.transfer(
                        self._ledger_key(f"bill:{statement_date}", step),
                        debit=self.receivable,
                        credit=point.account_id,
                        amount=amount,
                        at=at,
                        memo=f"Huabei {step.replace('_', ' ')} on the bill of {statement_date}",
                        metadata={"product": "huabei", "user": self.user, "bill": str(statement_date)},
                    )

        self._post(book)
        for record, charges in interest:
            previous = record.charged
            record.charged = (
                charges
                if previous is None
                else BillCharges(
                    previous.revolving_interest + charges.revolving_interest,
                    previous.overdue_interest + charges.overdue_interest,
                )
            )
        for plan_record in periods:
            plan_record.billed += 1
            if plan_record.billed == plan_record.plan.term:
                plan_record.move_to(_huabei.PlanStatus.COMPLETED, statement_date)
        self._unbilled = [(when, line) for when, line in self._unbilled if when != statement_date]
        issued = self._file_bill(bill)
        if not bill.total.is_positive():
            issued.move_to(_huabei.BillStatus.PAID, statement_date)
            if bill.total.is_negative():
                following = self.cycle.next_statement_date(statement_date)
                carried = BillLine(statement_date, LineKind.CREDIT_CARRIED, bill.total, f"bill:{statement_date}")
                self._unbilled.append((following, carried))
        self._record(at, "bill", str(statement_date), bill.total)
        self._archive_final()
        return bill

    def _interest_due(self, end: date) -> list[tuple[_huabei.BillRecord, BillCharges]]:
        found = []
        for record in self._bills:
            charges = self._charges(record, end)
            if charges.total.is_positive():
                found.append((record, charges))
        return found

    def _periods_due(self, statement_date: date) -> list[_huabei.PlanRecord]:
        return [
            record
            for record in self._plans.values()
            if record.status is _huabei.PlanStatus.ACTIVE and record.statement_of(record.billed + 1) == statement_date
        ]

    def repay(self, key: str, amount: Money, *, at: datetime) -> _huabei.Repayment:
        """Repay from the user's wallet: oldest issued bill first, the rest against unbilled purchases.

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "gil", CNY("500")).repay("r-1", CNY("1"), at=shanghai(2024, 3, 5))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidAmountError: amount: 1.00 CNY is more than the 0.00 CNY owed (bills and unbilled purchases)

        Raises:
            antfin.errors.InvalidAmountError: a non-positive amount, or more than is owed.
            antfin.errors.InsufficientFundsError: the wallet holds less.
            antfin.errors.InvalidTimeError: a date in an issued cycle.
        """
        money = check_positive(amount, "amount")
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("repay", money)
        replay = self._replay(key, fingerprint, _huabei.Repayment)
        if replay is not None:
            return replay
        day = local_date(when)
        statement = self._check_open_cycle(day, "at")
        zero = money.currency.zero()
        unbilled = sum((line.amount for _, line in self._unbilled), zero)
        owed = sum((record.outstanding for record in self._bills), zero) + max(unbilled, zero)
        if money > owed:
            raise InvalidAmountError(f"amount: {money} is more than the {owed} owed (bills and unbilled purchases)")
        self._post(
            lambda: self.ledger.transfer(
                self._ledger_key(key, "repay"),
                debit=self.wallet,
                credit=self.receivable,
                amount=money,
                at=when,
                memo=f"Huabei repayment {key}",
                metadata={"product": "huabei", "user": self.user, "repayment": key},
            )
        )
        self._refresh(day)
        left = money
        applied: list[tuple[str, Money]] = []
        for record in self._bills:
            part = min(left, record.outstanding)
            if part.is_positive():
                record.reductions.append((day, part))
                applied.append((str(record.bill.statement_date), part))
                left -= part
                self._settle_if_paid(record, day)
        if left.is_positive():
            self._unbilled.append((statement, BillLine(day, LineKind.REPAYMENT, -left, key)))
        self._archive_paid()
        result = _huabei.Repayment(key, money, tuple(applied), left)
        remember(self._requests, key, fingerprint, result)
        self._record(when, "repayment", key, money)
        return result

    def convert_bill(self, key: str, statement_date: date, term: int, *, at: datetime) -> _huabei.PlanRecord:
        """Put what is left of an issued bill into instalments (账单分期) by its due date.

        The bill's regular outstanding becomes a plan at the fee table in force on the
        date; its first period is due on this bill (so the bill now asks for that
        period in full) and the others on the following bills.

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> huabei = HuabeiAccount(Ledger(), "hal", CNY("500"))
        >>> _ = huabei.issue_bill(date(2024, 3, 1))
        >>> huabei.convert_bill("c-1", date(2024, 3, 1), 6, at=shanghai(2024, 3, 5))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei bill of 2024-03-01 for hal

        Raises:
            antfin.errors.NotFoundError: for a bill that was not issued.
            antfin.errors.PolicyViolationError: a bill already converted, paid, with nothing left, or an
                unknown term.
            antfin.errors.InvalidTimeError: after the due date.
        """
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("convert", statement_date, term)
        replay = self._replay(key, fingerprint, _huabei.PlanRecord)
        if replay is not None:
            return replay
        record = self.bill(statement_date)
        day = local_date(when)
        if day > record.bill.due_date or day < statement_date:
            raise InvalidTimeError(
                f"at: a bill can be put into instalments from {statement_date} to its due date "
                f"{record.bill.due_date}, got {day}"
            )
        if record.plan_id is not None:
            raise PolicyViolationError(f"bill {statement_date} is already in instalments (plan {record.plan_id})")
        zero = self.line.currency.zero()
        instalment_part = max(record.bill.instalment_part - record.repaid, zero)
        principal = record.outstanding - instalment_part
        if record.status is not _huabei.BillStatus.ISSUED or not principal.is_positive():
            raise PolicyViolationError(
                f"bill {statement_date} has nothing to put into instalments (outstanding {record.outstanding})"
            )
        plan = plan_instalments(principal, term, on=day, schedule=self.config.instalment_fees)
        first = plan.periods[0]
        plan_id = f"bill:{statement_date}"

        def book() -> None:
            if first.fee.is_positive():
                self.ledger.transfer(
                    self._ledger_key(key, "instalment_fee"),
                    debit=self.receivable,
                    credit=ProfitPoint.HUABEI_INSTALMENT_FEE.account_id,
                    amount=first.fee,
                    at=when,
                    memo=f"Huabei instalment fee, period 1 of plan {plan_id}",
                    metadata={"product": "huabei", "user": self.user, "plan": plan_id},
                )

        self._post(book)
        record.adjustments.append(BillLine(day, LineKind.REPAYMENT, -principal, f"plan:{plan_id}"))
        record.adjustments.append(BillLine(day, LineKind.INSTALMENT_PRINCIPAL, first.principal, plan_id))
        if first.fee.is_positive():
            record.adjustments.append(BillLine(day, LineKind.INSTALMENT_FEE, first.fee, plan_id))
        record.minimum_payment = record.amount_due
        record.plan_id = plan_id
        plan_record = _huabei.PlanRecord(plan_id, plan, statement_date, f"bill:{statement_date}", billed=1)
        self._plans[plan_id] = plan_record
        remember(self._requests, key, fingerprint, plan_record)
        self._record(when, "instalments", plan_id, principal)
        return plan_record

    def settle_plan(self, key: str, plan_id: str, *, at: datetime) -> EarlySettlement:
        """Settle an instalment plan early: pay the principal not yet billed (+ fees by policy).

        Periods already billed stay on their bills; by default the fees of unbilled periods
        are waived (cfg ``early_settlement``).

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "ida", CNY("500")).settle_plan("s", "nope", at=shanghai(2024, 3, 5))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei instalment plan 'nope' for ida

        Raises:
            antfin.errors.NotFoundError: for an unknown plan.
            antfin.errors.InvalidTransitionError: for a plan no longer active.
            antfin.errors.InsufficientFundsError: the wallet holds less than the settlement.
        """
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("settle", plan_id)
        replay = self._replay(key, fingerprint, EarlySettlement)
        if replay is not None:
            return replay
        record = self.plan(plan_id)
        if record.status is not _huabei.PlanStatus.ACTIVE:
            raise InvalidTransitionError(f"plan {plan_id} is {record.status.value}; only an active plan can be settled")
        settlement = record.plan.early_settlement(record.billed, self.config.early_settlement)
        meta = {"product": "huabei", "user": self.user, "plan": plan_id}

        def book() -> None:
            if settlement.fee.is_positive():
                self.ledger.transfer(
                    self._ledger_key(key, "instalment_fee"),
                    debit=self.receivable,
                    credit=ProfitPoint.HUABEI_INSTALMENT_FEE.account_id,
                    amount=settlement.fee,
                    at=when,
                    memo=f"Huabei instalment fees on early settlement of {plan_id}",
                    metadata=meta,
                )
            self.ledger.transfer(
                self._ledger_key(key, "settle"),
                debit=self.wallet,
                credit=self.receivable,
                amount=settlement.total,
                at=when,
                memo=f"Huabei early settlement of {plan_id}",
                metadata=meta,
            )

        self._post(book)
        record.settlement = settlement
        record.move_to(_huabei.PlanStatus.SETTLED, local_date(when))
        if self._plans.pop(plan_id, None) is not None:  # final: from the live plans to the archive
            self._plan_log[plan_id] = record
        remember(self._requests, key, fingerprint, settlement)
        self._record(when, "settlement", plan_id, settlement.total)
        return settlement
