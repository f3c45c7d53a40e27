"""A loan's repayments: allocation of a payment (penalty, fee, interest, principal), booking it, the payoff quote
and prepayments (shorten the term or lower the instalment).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from antfin.calendar import ensure_aware, local_date
from antfin.chart import revenue_account
from antfin.credit import loan as _loan
from antfin.credit.products import Component, LoanProduct
from antfin.credit.schedule import (
    Accrual,
    Instalment,
    LoanRate,
    RepaymentMethod,
    Schedule,
    _build,
)
from antfin.errors import (
    InvalidTransitionError,
    InvariantViolationError,
    PolicyViolationError,
)
from antfin.idempotency import IdempotencyRecord, fingerprint
from antfin.ledger import Ledger, Posting
from antfin.money import _CONTEXT, Money
from antfin.validators import check_money, check_positive


class _Repayments:
    """Repayments, the payoff quote and prepayments of :class:`~antfin.credit.loan.Loan`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:

        def _check_time(self, at: datetime) -> datetime: ...
        def _commit(
            self,
            new: _loan._State,
            event: _loan.LoanEvent,
            receipt: IdempotencyRecord[_loan.Repayment] | None = None,
        ) -> None: ...
        def _penalty_due_minor(self, on: date) -> int: ...
        def _penalty_exact_through(self, on: date) -> Decimal: ...

        def _replay(self, key: str, asked: str) -> _loan.Repayment | None: ...

        _state: _loan._State
        accrual: Accrual

        def amount_due(self, on: date) -> _loan.AmountDue: ...

        ledger: Ledger
        loan_id: str
        method: RepaymentMethod
        principal: Money
        product: LoanProduct
        rate: LoanRate

        @property
        def receivable_account(self) -> str: ...
        @property
        def schedule(self) -> Schedule: ...
        @property
        def status(self) -> _loan.LoanStatus: ...

        wallet: str

    def _allocate(self, budget: int, on: date, paid: list[list[int]]) -> tuple[int, list[int], int]:
        """Apply ``budget`` to what is due on ``on`` in the product's order; returns (penalty, parts, left)."""
        penalty_due = self._penalty_due_minor(on)
        schedule = self.schedule
        due_rows = [index for index, row in enumerate(schedule.instalments) if row.due <= on]
        applied = [0, 0, 0]  # principal, interest, fee
        penalty = 0
        slot = {Component.PRINCIPAL: 0, Component.INTEREST: 1, Component.FEE: 2}
        for component in self.product.allocation_order:
            if component is Component.PENALTY:
                penalty = min(budget, penalty_due)
                budget -= penalty
                continue
            part = slot[component]
            for index in due_rows:
                row = schedule.instalments[index]
                amounts = (row.principal, row.interest, row.fee)
                owed = amounts[part].minor_units - paid[index][part]
                take = min(budget, owed)
                if take:
                    paid[index][part] += take
                    applied[part] += take
                    budget -= take
        return penalty, applied, budget

    def _postings(self, total: int, principal: int, interest: int, fee: int, penalty: int) -> list[Posting]:
        cur = self.principal.currency
        money = Money.from_minor_units
        postings = [Posting.debit(self.wallet, money(total, cur))]
        if principal:
            postings.append(Posting.credit(self.receivable_account, money(principal, cur)))
        for amount, point in (
            (interest, self.product.interest_point),
            (fee, self.product.fee_point),
            (penalty, self.product.penalty_point),
        ):
            if amount:
                postings.append(Posting.credit(revenue_account(self.ledger, point, cur), money(amount, cur)))
        return postings

    def repay(self, key: str, amount: Money, at: datetime) -> _loan.Repayment:
        """Pay what is due on ``at``'s date, applied in the product's allocation order.

        >>> from antfin.credit.loan import CNY, _demo
        >>> from antfin.calendar import shanghai
        >>> loan = _demo()
        >>> r = loan.repay("feb", CNY("100"), shanghai(2024, 2, 10, 12))  # partial: interest first
        >>> r.interest, r.principal
        (Money('12.00', 'CNY'), Money('88.00', 'CNY'))

        Instalments due on or before the date (and the penalty) are payable; a
        partial payment is applied component by component (penalty, fee,
        interest, principal by default), oldest instalment first. To pay more
        than is due, use :meth:`prepay`.

        Args:
            key: the caller's idempotency key (ledger key ``loan:<id>:repay:<key>``).
            amount: the amount paid (positive; at most the amount due).
            at: when the payment is made (aware).

        Returns:
            The :class:`Repayment` receipt; repeating the key with the same
            parameters returns it again without a second payment.

        Raises:
            antfin.errors.InvalidAmountError: a non-positive amount.
            antfin.errors.PolicyViolationError: nothing is due, or the amount exceeds what is due.
            antfin.errors.InsufficientFundsError: the wallet cannot pay (nothing changes).
            antfin.errors.InvalidTransitionError: the loan is not active.
            antfin.errors.InvalidTimeError: a naive ``at`` or one before the last event.
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
        """
        moment = ensure_aware(at, "at")
        check_money(amount, "amount")
        # The request is the amount: a retry later (or after reloading the loan) is the same request.
        params = fingerprint("repay", amount)
        replay = self._replay(key, params)
        if replay is not None:
            return replay
        if self._state.status is not _loan.LoanStatus.ACTIVE:
            raise InvalidTransitionError(
                f"loan {self.loan_id} is {self.status.value}; only active loans take repayments"
            )
        self._check_time(moment)
        cur = self.principal.currency
        amount = check_positive(amount + cur.zero(), "amount")  # the sum raises CurrencyMismatchError
        on = local_date(moment)
        due = self.amount_due(on)
        if due.total.is_zero():
            raise PolicyViolationError(f"nothing is due on loan {self.loan_id} on {on}; use prepay to repay early")
        if amount > due.total:
            raise PolicyViolationError(
                f"amount {amount} exceeds the {due.total} due on loan {self.loan_id} on {on}; "
                "use prepay to repay more than is due"
            )
        paid = [list(row) for row in self._state.paid]
        penalty, applied, left = self._allocate(amount.minor_units, on, paid)
        if left:  # pragma: no cover - the amount never exceeds what is due
            raise InvariantViolationError(f"repayment left {left} unapplied")
        return self._book(key, params, moment, on, amount.minor_units, paid, penalty, applied, None, 0, "repaid")

    def _book(
        self,
        key: str,
        params: str,
        moment: datetime,
        on: date,
        total: int,
        paid: list[list[int]],
        penalty: int,
        applied: list[int],
        schedule: Schedule | None,
        prepayment_fee: int,
        kind: str,
    ) -> _loan.Repayment:
        state = self._state
        new_schedule = schedule if schedule is not None else self.schedule
        principal, interest, fee = applied
        exact_penalty = self._penalty_exact_through(on)
        penalty_paid = state.penalty_paid + penalty
        cleared = all(
            row.principal.minor_units == p[0] and row.interest.minor_units == p[1] and row.fee.minor_units == p[2]
            for row, p in zip(new_schedule.instalments, paid, strict=True)
        )
        rounded_penalty = int(exact_penalty.to_integral_value(rounding=self.product.rounding.value, context=_CONTEXT))
        status = _loan.LoanStatus.PAID_OFF if cleared and penalty_paid == rounded_penalty else _loan.LoanStatus.ACTIVE
        cur = self.principal.currency
        money = Money.from_minor_units
        with self.ledger.atomic():  # revenue accounts are opened inside: a refused payment opens none
            postings = self._postings(total, principal, interest, fee + prepayment_fee, penalty)
            entry = self.ledger.post_entry(
                f"loan:{self.loan_id}:{kind}:{key}",
                postings,
                at=moment,
                memo=f"{self.product.name} loan {self.loan_id} {kind}",
                metadata={"loan_id": self.loan_id, "kind": kind},
            )
            receipt = _loan.Repayment(
                key,
                entry.id,
                money(total, cur),
                money(penalty, cur),
                money(fee, cur),
                money(interest, cur),
                money(principal, cur),
                money(prepayment_fee, cur),
            )
            new_state = _loan._State(
                status,
                new_schedule,
                tuple((p[0], p[1], p[2]) for p in paid),
                exact_penalty,
                max(on, state.penalty_through) if state.penalty_through else on,
                penalty_paid,
                moment,
            )
            event = _loan.LoanEvent(moment, kind, receipt.amount, status, entry.id)
            self._commit(new_state, event, IdempotencyRecord(key, params, receipt))
        return receipt

    def payoff_quote(self, at: datetime) -> _loan.Repayment:
        """What :meth:`prepay` in full would charge at ``at``, without paying it (the key is ``"quote"``).

        >>> from antfin.credit.loan import _demo
        >>> from antfin.calendar import shanghai
        >>> quote = _demo().payoff_quote(shanghai(2024, 1, 25, 12))  # 15 days used
        >>> quote.principal, quote.interest, quote.amount
        (Money('1200.00', 'CNY'), Money('6.00', 'CNY'), Money('1206.00', 'CNY'))

        Everything due (with penalty), interest for the days used in the current
        period on the outstanding principal, the outstanding principal and the
        prepayment fee. Fees of later periods are waived.

        Raises:
            antfin.errors.InvalidTransitionError: the loan is not active.
        """
        moment = ensure_aware(at, "at")
        plan = self._prepay_plan(moment, None, _loan.PrepaymentMode.SHORTEN_TERM)
        return plan[0]

    def _prepay_plan(
        self, moment: datetime, principal: Money | None, mode: _loan.PrepaymentMode
    ) -> tuple[_loan.Repayment, list[list[int]], int, list[int], Schedule, int]:
        if self._state.status is not _loan.LoanStatus.ACTIVE:
            raise InvalidTransitionError(f"loan {self.loan_id} is {self.status.value}; only active loans prepay")
        self._check_time(moment)
        on = local_date(moment)
        schedule = self.schedule
        rows = list(schedule.instalments)
        paid = [list(p) for p in self._state.paid]
        due_count = sum(1 for row in rows if row.due <= on)
        outstanding = sum(row.principal.minor_units - paid[i][0] for i, row in enumerate(rows[due_count:], due_count))
        due_before = self.amount_due(on)
        penalty, applied, _ = self._allocate(due_before.total.minor_units, on, paid)
        cur = self.principal.currency
        if principal is None:
            prepaid = outstanding
        else:
            # (prepay checked the type; the sum raises CurrencyMismatchError)
            prepaid = check_positive(principal + cur.zero(), "principal").minor_units
            if prepaid > outstanding:
                raise PolicyViolationError(
                    f"principal to prepay {principal} exceeds the {Money.from_minor_units(outstanding, cur)} "
                    f"not yet due on loan {self.loan_id}"
                )
        full = prepaid == outstanding
        new_rows = rows[:due_count]
        new_paid = paid[:due_count]
        interest_used = 0
        fee = 0
        if prepaid:
            current = rows[due_count]
            days = self.rate.day_count.days(current.start, on)
            interest_used = self.rate.interest_for_days(
                Money.from_minor_units(prepaid, cur), days, self.product.rounding
            ).minor_units
            fee = self.product.prepayment_fee.fee(
                Money.from_minor_units(prepaid, cur), schedule.disbursed_on, on
            ).minor_units
            remaining = outstanding - prepaid
            number = current.number
            new_rows.append(
                Instalment(
                    number,
                    current.start,
                    on,
                    Money.from_minor_units(prepaid, cur),
                    Money.from_minor_units(interest_used, cur),
                    Money.from_minor_units(fee, cur),
                    Money.from_minor_units(remaining, cur),
                )
            )
            new_paid.append([prepaid, interest_used, fee])
            if not full:
                future = rows[due_count:]
                new_rows.extend(self._reamortize(remaining, future, mode, number + 1))
                new_paid.extend([0, 0, 0] for _ in range(len(new_rows) - len(new_paid)))
        applied[0] += prepaid
        applied[1] += interest_used
        total = due_before.total.minor_units + prepaid + interest_used + fee
        new_schedule = attrs.evolve(schedule, instalments=tuple(new_rows))
        money = Money.from_minor_units
        quote = _loan.Repayment(
            "quote",
            "",
            money(total, cur),
            money(penalty, cur),
            money(applied[2], cur),
            money(applied[1], cur),
            money(applied[0], cur),
            money(fee, cur),
        )
        return quote, new_paid, penalty, applied, new_schedule, fee

    def _reamortize(
        self, balance: int, future: list[Instalment], mode: _loan.PrepaymentMode, first_number: int
    ) -> tuple[Instalment, ...]:
        periods = [(row.start, row.due) for row in future]
        fees = [row.fee.minor_units for row in future]
        method = self.method
        cur = self.principal.currency
        mode_value = self.product.rounding.value
        payment = None
        part = None
        count = len(periods)
        level = future[0]
        if mode is _loan.PrepaymentMode.SHORTEN_TERM and method is RepaymentMethod.EQUAL_INSTALMENT and count > 1:
            # keep the current level instalment (principal + interest of the next period)
            payment = (level.principal + level.interest).minor_units
            trial = _build(balance, cur, self.rate, method, self.accrual, periods, fees, mode_value, payment=payment)
            count = next((i + 1 for i, row in enumerate(trial) if row.balance.is_zero()), count)
        elif mode is _loan.PrepaymentMode.SHORTEN_TERM and method is RepaymentMethod.EQUAL_PRINCIPAL and count > 1:
            part = max(level.principal.minor_units, 1)
            count = min(count, -(-balance // part))
        return _build(
            balance,
            cur,
            self.rate,
            method,
            self.accrual,
            periods[:count],
            fees[:count],
            mode_value,
            payment=payment,
            principal_part=part,
            first_number=first_number,
        )

    def prepay(
        self,
        key: str,
        at: datetime,
        principal: Money | None = None,
        mode: _loan.PrepaymentMode = _loan.PrepaymentMode.SHORTEN_TERM,
    ) -> _loan.Repayment:
        """Repay early: everything due, then ``principal`` (all of it when ``None``) with interest for the days used.

        >>> from antfin.credit.loan import CNY, _demo
        >>> from antfin.calendar import shanghai
        >>> loan = _demo()
        >>> r = loan.prepay("half", shanghai(2024, 1, 25, 12), principal=CNY("600"))
        >>> r.amount, loan.outstanding_principal, len(loan.schedule.instalments)
        (Money('603.00', 'CNY'), Money('600.00', 'CNY'), 3)

        The payment is: the amount due (with penalty), the prepaid principal,
        interest on the prepaid principal from the current period's start to
        today (actual days under the rate's day count), and the product's
        prepayment fee on the prepaid principal. A full prepayment waives the
        fees of later periods and pays the loan off. A partial one re-amortizes
        the rest from the current period's start: ``SHORTEN_TERM`` keeps the
        instalment (等额本息) or the principal share (等额本金) and drops
        periods; ``LOWER_INSTALMENT`` keeps the periods and lowers the
        instalment. Prepaying on a due date pays that date's instalment first
        and charges no days.

        Args:
            key: the caller's idempotency key (ledger key ``loan:<id>:prepaid:<key>``).
            at: when the prepayment is made (aware).
            principal: principal to prepay; ``None`` repays the loan in full.
            mode: what a partial prepayment changes.

        Raises:
            antfin.errors.InvalidAmountError: a non-positive principal.
            antfin.errors.PolicyViolationError: more principal than is outstanding.
            antfin.errors.InsufficientFundsError: the wallet cannot pay (nothing changes).
            antfin.errors.InvalidTransitionError: the loan is not active.
            antfin.errors.InvalidTimeError: a naive ``at`` or one before the last event.
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
        """
        moment = ensure_aware(at, "at")
        if not isinstance(mode, _loan.PrepaymentMode):
            raise TypeError(f"mode must be a PrepaymentMode, not {type(mode).__name__}")
        if principal is not None:
            check_money(principal, "principal")
        params = fingerprint("prepay", principal, mode)
        replay = self._replay(key, params)
        if replay is not None:
            return replay
        quote, paid, penalty, applied, schedule, fee = self._prepay_plan(moment, principal, mode)
        if quote.amount.is_zero():
            raise PolicyViolationError(f"nothing to prepay on loan {self.loan_id} on {local_date(moment)}")
        on = local_date(moment)
        return self._book(
            key, params, moment, on, quote.amount.minor_units, paid, penalty, applied, schedule, fee, "prepaid"
        )
