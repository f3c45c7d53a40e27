"""An escrow trade's lifecycle: pay into escrow, cancel, ship, extend the confirmation, confirm and release,
and the timeouts (:meth:`~antfin.payments.escrow.EscrowTrade.advance_to`).

:class:`~antfin.payments.escrow.EscrowTrade` is built on these operations; each runs in one ledger block
and a refused call restores the trade and books nothing.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar, cast

import attrs

from antfin.calendar import ensure_aware, local_date
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import (
    InvalidTimeError,
    InvalidTransitionError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, Hold, Ledger
from antfin.money import Money
from antfin.payments import escrow as _escrow
from antfin.payments.account import Account
from antfin.payments.refunds import Refund, RefundRequest
from antfin.payments.timeouts import PaymentTimeout
from antfin.validators import check_str

if TYPE_CHECKING:
    from antfin.payments.escrow import EscrowTrade

_S = TypeVar("_S")
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _all_or_nothing(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """Run a trade operation in one ledger block; a refused call restores the trade and books nothing.

    The timeouts due before the call are applied inside the same block, so a call
    refused after them leaves them unapplied, as if it had never been made.
    """

    @functools.wraps(method)
    def run(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        trade = cast("EscrowTrade", self)
        saved = (trade._state, trade._clock, len(trade._transitions), dict(trade._refunds), dict(trade._requests))
        try:
            with trade.ledger.atomic():
                return method(self, *args, **kwargs)
        except BaseException:
            trade._state, trade._clock = saved[0], saved[1]
            del trade._transitions[saved[2] :]
            trade._refunds.clear()
            trade._refunds.update(saved[3])
            trade._requests.clear()
            trade._requests.update(saved[4])
            raise

    return run


class _EscrowLifecycle:
    """Payment, shipping, confirmation, release and timeouts of :class:`~antfin.payments.escrow.EscrowTrade`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:

        def _apply(
            self,
            action: _escrow.TradeAction,
            at: datetime,
            state: _escrow._State,
            *,
            detail: str = "",
            refund: Refund | None = None,
            settled: RefundRequest | None = None,
        ) -> _escrow.Transition: ...
        def _begin(self, at: datetime) -> datetime: ...

        _clock: datetime | None

        def _deadline_of(self, state: _escrow._State) -> datetime | None: ...
        def _ledger_key(self, *parts: str) -> str: ...

        _listeners: list[_escrow.ReleaseListener]

        def _metadata(self, operation: str) -> dict[str, str]: ...

        _state: _escrow._State

        def _target(self, action: _escrow.TradeAction) -> _escrow.TradeStatus: ...

        _transitions: list[_escrow.Transition]
        amount: Money
        buyer: Account

        @property
        def confirm_deadline(self) -> datetime | None: ...
        @property
        def in_escrow(self) -> Money: ...

        ledger: Ledger
        out_trade_no: str

        @property
        def pay_deadline(self) -> datetime: ...

        policy: _escrow.EscrowPolicy

        @property
        def refund_deadline(self) -> datetime | None: ...

        seller: Account
        timeout: PaymentTimeout

    @_all_or_nothing
    def advance_to(self, at: datetime) -> tuple[_escrow.Transition, ...]:
        """Bring the trade to ``at``: apply every timeout due by then, at its own instant.

        Due means the deadline is at or before ``at``: an unpaid trade closes at
        its payment deadline; a shipped trade with no open refund request is
        confirmed (and released) at its confirm deadline; a successful trade with
        no open request finishes when its refund window ends.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade()
        >>> trade.advance_to(shanghai(2024, 5, 1, 10, 14, 59))
        ()
        >>> [t.action.value for t in trade.advance_to(shanghai(2024, 5, 1, 10, 15))]
        ['timeout']

        Returns:
            The transitions applied, oldest first.

        Raises:
            antfin.errors.InvalidTimeError: for a naive ``at`` or one before the trade's last instant.
        """
        when = ensure_aware(at)
        if self._clock is not None and when < self._clock:
            raise InvalidTimeError(
                f"at {when.isoformat()} is before trade {self.out_trade_no!r}'s last instant "
                f"{self._clock.isoformat()}; time may not go backwards"
            )
        self._clock = when
        applied: list[_escrow.Transition] = []
        while True:
            state = self._state
            if state.status is _escrow.TradeStatus.WAIT_BUYER_PAY and self.pay_deadline <= when:
                applied.append(
                    self._apply(
                        _escrow.TradeAction.TIMEOUT,
                        self.pay_deadline,
                        attrs.evolve(state, status=_escrow.TradeStatus.TRADE_CLOSED),
                        detail=f"unpaid after {self.timeout}",
                    )
                )
                continue
            confirm_at = self.confirm_deadline
            if (
                state.status is _escrow.TradeStatus.WAIT_BUYER_CONFIRM_GOODS
                and confirm_at is not None
                and confirm_at <= when
            ):
                self._release(confirm_at, automatic=True)
                applied.append(self._transitions[-1])
                continue
            finish_at = self.refund_deadline
            if (
                state.status is _escrow.TradeStatus.TRADE_SUCCESS
                and state.request is None
                and finish_at is not None
                and finish_at <= when
            ):
                finish_at = max(finish_at, self._transitions[-1].at)
                applied.append(
                    self._apply(
                        _escrow.TradeAction.FINISH,
                        finish_at,
                        attrs.evolve(state, status=_escrow.TradeStatus.TRADE_FINISHED),
                        detail="refund window over",
                    )
                )
                continue
            return tuple(applied)

    @_all_or_nothing
    def pay(self, *, at: datetime, funded_by: _escrow.EscrowFunding | None = None) -> Hold:
        """The buyer pays: a hold from the buyer's wallet to the seller's, counted toward the buyer's class limit.

        With ``funded_by``, the hold is taken from the account of that credit
        product instead (the buyer's own Huabei line: see
        :meth:`antfin.credit.HuabeiAccount.pay_escrow`; a bare account id is
        refused with a ``TypeError``); such a payment is not a
        balance payment, so it does not count toward the class limit. What is
        refunded before release stays in (or returns to) the funding account;
        refunds after release go to the buyer's wallet.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(funded=True)
        >>> trade.pay(at=shanghai(2024, 5, 1, 10, 1)).amount
        Money('100.00', 'CNY')
        >>> trade.status, trade.in_escrow
        (<TradeStatus.WAIT_SELLER_SEND_GOODS: 'WAIT_SELLER_SEND_GOODS'>, Money('100.00', 'CNY'))

        Raises:
            antfin.errors.InvalidTransitionError: not awaiting payment (or the timeout has passed: closed).
            antfin.errors.LimitExceededError: over the buyer's class limit.
            antfin.errors.InsufficientFundsError: the buyer's available balance is short.
            antfin.errors.PolicyViolationError: ``funded_by`` does not lend to this trade's buyer.
        """
        source = None if funded_by is None else self._funding_account(funded_by)
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.PAY)
        if source is None:
            self.buyer.require_payment(self.amount, at=when)
        seq = self._state.hold_seq + 1
        hold_key = self._ledger_key("hold", str(seq))
        with self.ledger.atomic():
            hold = self.ledger.hold(
                hold_key,
                debit=self.buyer.wallet_id if source is None else source,
                credit=self.seller.wallet_id,
                amount=self.amount,
                at=when,
                memo=f"escrow {self.out_trade_no}",
                metadata=self._metadata("escrow_hold"),
            )
            if funded_by is not None:
                funded_by.escrow_funded(cast("EscrowTrade", self), when)
            if source is None:
                self.buyer.count_payment(
                    self._ledger_key("pay"), self.amount, at=when, counterparty=self.seller.account_id
                )
        self._apply(
            _escrow.TradeAction.PAY,
            when,
            attrs.evolve(self._state, status=target, hold_id=hold.id, hold_seq=seq, paid_at=when, funded_by=source),
            detail=f"{self.amount} held as {hold.id}",
        )
        return hold

    @_all_or_nothing
    def _funding_account(self, funding: object) -> str:
        """The ledger account a credit product lends from for this buyer, checked before anything moves."""
        if not isinstance(funding, _escrow.EscrowFunding):
            raise TypeError(
                f"funded_by must be the buyer's credit product (see HuabeiAccount.pay_escrow), "
                f"not {type(funding).__name__}"
            )
        source = funding.escrow_funding_account(cast("EscrowTrade", self))
        account = self.ledger.account(source)  # NotFoundError before anything moves
        if account.kind is not AccountKind.ASSET or account.owner != self.buyer.account_id:
            raise PolicyViolationError(
                f"funded_by: {source!r} is not a credit line of buyer {self.buyer.account_id!r} "
                f"(an asset account the buyer owns)"
            )
        return source

    def cancel(self, *, at: datetime) -> None:
        """Cancel an unpaid trade (it closes; nothing moves).

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade()
        >>> trade.cancel(at=shanghai(2024, 5, 1, 10, 1))
        >>> trade.status.value
        'TRADE_CLOSED'

        Raises:
            antfin.errors.InvalidTransitionError: the trade is not awaiting payment.
        """
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.CANCEL)
        self._apply(_escrow.TradeAction.CANCEL, when, attrs.evolve(self._state, status=target))

    @_all_or_nothing
    def ship(self, *, at: datetime, tracking_no: str = "") -> None:
        """The seller ships; the auto-confirm clock starts.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2, 9), tracking_no="SF123")
        >>> trade.confirm_deadline.isoformat()
        '2024-05-12T09:00:00+08:00'

        Raises:
            antfin.errors.InvalidTransitionError: the trade is not awaiting shipment.
        """
        check_str(tracking_no, "tracking_no")
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.SHIP)
        self._apply(
            _escrow.TradeAction.SHIP,
            when,
            attrs.evolve(self._state, status=target, shipped_at=when),
            detail=f"tracking {tracking_no}" if tracking_no else "",
        )

    @_all_or_nothing
    def extend_confirmation(self, by: timedelta, *, at: datetime) -> datetime | None:
        """The seller extends the buyer's time to confirm receipt; returns the new deadline.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2, 9))
        >>> trade.extend_confirmation(timedelta(days=3), at=shanghai(2024, 5, 5)).isoformat()
        '2024-05-15T09:00:00+08:00'

        Raises:
            antfin.errors.InvalidTimeError: ``by`` is not a positive timedelta.
            antfin.errors.InvalidTransitionError: the trade is not awaiting confirmation.
        """
        if not isinstance(by, timedelta) or by <= timedelta(0):
            raise InvalidTimeError(f"by must be a positive timedelta, got {by!r}")
        if by > _escrow.MAX_EXTENSION:
            raise InvalidTimeError(f"by must be at most {_escrow.MAX_EXTENSION.days} days, got {by}")
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.EXTEND)
        extended = attrs.evolve(self._state, status=target, extension=self._state.extension + by)
        self._deadline_of(extended)  # raises if the new deadline would pass LATEST_DATE
        self._apply(
            _escrow.TradeAction.EXTEND,
            when,
            extended,
            detail=f"confirmation extended by {by}",
        )
        return self.confirm_deadline

    @_all_or_nothing
    def confirm(self, *, at: datetime) -> _escrow.Release:
        """The buyer confirms receipt: the hold is posted to the seller and the acquiring fee booked.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2))
        >>> release = trade.confirm(at=shanghai(2024, 5, 3))
        >>> release.amount, release.fee, release.automatic
        (Money('100.00', 'CNY'), Money('0.60', 'CNY'), False)

        Raises:
            antfin.errors.InvalidTransitionError: not awaiting confirmation, or a refund request is open.
        """
        when = self._begin(at)
        return self._release(when, automatic=False)

    def _release(self, when: datetime, *, automatic: bool) -> _escrow.Release:
        action = _escrow.TradeAction.AUTO_CONFIRM if automatic else _escrow.TradeAction.CONFIRM
        target = self._target(action)
        state = self._state
        if state.request is not None:
            raise InvalidTransitionError(
                f"cannot confirm trade {self.out_trade_no!r} in status {state.status.value} while refund request "
                f"{state.request.out_request_no!r} is open; resolve or withdraw it first"
            )
        if state.hold_id is None:  # pragma: no cover - a paid, unreleased trade always has a hold
            raise InvalidTransitionError(f"trade {self.out_trade_no!r} has no escrow hold to release")
        amount = self.in_escrow
        fee = self.policy.acquiring_fees.fee(amount, self.seller.merchant_category, on=local_date(when))
        with self.ledger.atomic():
            entry = self.ledger.post_hold(self._ledger_key("release"), state.hold_id, at=when)
            entry_ids = [entry.id]
            if fee.is_positive():
                fee_entry = self.ledger.transfer(
                    self._ledger_key("fee"),
                    debit=self.seller.wallet_id,
                    credit=revenue_account(self.ledger, ProfitPoint.ALIPAY_ACQUIRING_COMMISSION),
                    amount=fee,
                    at=when,
                    memo=f"acquiring fee on escrow {self.out_trade_no}",
                    metadata=self._metadata("acquiring_fee"),
                )
                entry_ids.append(fee_entry.id)
            release = _escrow.Release(
                self.out_trade_no,
                self.buyer.account_id,
                self.seller.account_id,
                amount,
                fee,
                when,
                automatic,
                tuple(entry_ids),
            )
            for listener in self._listeners:
                listener(release)
        self._apply(
            action,
            when,
            attrs.evolve(state, status=target, hold_id=None, released_at=when, released=amount, fee=fee),
            detail=f"released {amount}, fee {fee}",
        )
        return release
