"""An escrow trade's refunds and disputes: direct refunds, refund requests (agree, refuse, withdraw) and arbitration.

Each refund is keyed by its own request number; the total never exceeds what was paid, and a full refund
closes the trade. :class:`~antfin.payments.escrow.EscrowTrade` is built on these operations.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
)
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.idempotency import same_request
from antfin.ledger import Ledger
from antfin.money import CNY, AmountLike, Money
from antfin.payments import escrow as _escrow
from antfin.payments.account import Account
from antfin.payments.escrow_lifecycle import _all_or_nothing, _EscrowLifecycle
from antfin.payments.refunds import Arbitration, Refund, RefundReason, RefundRequest, RefundStage, RequestStatus
from antfin.validators import check_positive, check_str


class _EscrowRefunds(_EscrowLifecycle):
    """Refunds, refund requests and arbitration of :class:`~antfin.payments.escrow.EscrowTrade`."""

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
        def _ledger_key(self, *parts: str) -> str: ...
        def _metadata(self, operation: str) -> dict[str, str]: ...

        _refunds: dict[str, Refund]
        _requests: dict[str, RefundRequest]
        _state: _escrow._State

        def _target(self, action: _escrow.TradeAction) -> _escrow.TradeStatus: ...

        buyer: Account

        @property
        def in_escrow(self) -> Money: ...

        ledger: Ledger
        out_trade_no: str

        @property
        def paid(self) -> Money: ...

        policy: _escrow.EscrowPolicy

        @property
        def refundable(self) -> Money: ...
        @property
        def refunded(self) -> Money: ...

        seller: Account

    @_all_or_nothing
    def refund(self, out_request_no: str, amount: Money, *, at: datetime, reason: str = "") -> Refund:
        """Refund the buyer (the merchant's refund API); repeated and partial refunds are fine.

        Keyed by ``out_request_no``: the same key and amount return the first
        refund; the same key with another amount raises. Before release the
        refund comes out of escrow; after release, out of the seller's wallet
        (with the proportional acquiring fee given back when the policy says so).
        Refunding everything left closes the trade.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.refund("R1", CNY("30.00"), at=shanghai(2024, 5, 1, 11)).stage
        <RefundStage.FROM_ESCROW: 'from_escrow'>
        >>> trade.in_escrow, trade.refundable
        (Money('70.00', 'CNY'), Money('70.00', 'CNY'))
        >>> _ = trade.refund("R2", CNY("70.00"), at=shanghai(2024, 5, 1, 12))
        >>> trade.status.value
        'TRADE_CLOSED'

        Raises:
            antfin.errors.InvalidTransitionError: the trade is unpaid, finished or closed.
            antfin.errors.InvalidAmountError: not positive, or more than is refundable.
            antfin.errors.InsufficientFundsError: after release, the seller cannot cover it.
            antfin.errors.IdempotencyConflictError: the key was used with another amount.
        """
        key = _escrow._check_request_no(out_request_no)
        previous = self._replayed_refund(key, amount)
        if previous is not None:
            return previous
        if key in self._requests:
            raise IdempotencyConflictError(
                f"out_request_no {key!r} belongs to a refund request of trade {self.out_trade_no!r}; "
                f"use agree_refund or arbitrate to settle it"
            )
        check_str(reason, "reason")
        check_positive(amount, currency=CNY)
        when = self._begin(at)
        return self._refund(key, amount, when, reason, _escrow.TradeAction.REFUND, None)

    def _replayed_refund(self, key: str, amount: Money) -> Refund | None:
        previous = self._refunds.get(key)
        if previous is None:
            return None
        what = f"out_request_no of trade {self.out_trade_no!r}"
        same_request(
            key, request_fingerprint("refund", previous.amount), request_fingerprint("refund", amount), what=what
        )
        return previous

    def _refund(
        self,
        key: str,
        amount: Money,
        when: datetime,
        reason: str,
        action: _escrow.TradeAction,
        request: RefundRequest | None,
    ) -> Refund:
        """Move a refund's money and apply ``action`` once (``request`` is the open request it settles)."""
        target = self._target(action)
        check_positive(amount, currency=CNY)
        refundable = self.refundable
        if amount > refundable:
            raise InvalidAmountError(
                f"refund {amount} exceeds what trade {self.out_trade_no!r} can still refund: {refundable} "
                f"(paid {self.paid}, refunded {self.refunded})"
            )
        state = self._state
        full = amount == refundable
        if state.released_at is None:
            refund, state = self._refund_from_escrow(key, amount, when, reason, state)
        else:
            refund, state = self._refund_from_seller(key, amount, when, reason, state)
        settled: RefundRequest | None = None
        if request is not None:  # this refund settles the open request
            settled = attrs.evolve(request, status=_escrow._settled_status(action), resolved_at=when)
        elif full and state.request is not None:  # the trade closes under an open request
            settled = attrs.evolve(state.request, status=RequestStatus.CLOSED, resolved_at=when)
        if settled is not None:
            state = attrs.evolve(self._resumed(state, settled, when), request=None)
        state = attrs.evolve(state, status=_escrow.TradeStatus.TRADE_CLOSED if full else target)
        self._apply(
            action, when, state, detail=f"refund {key} {amount} {refund.stage.value}", refund=refund, settled=settled
        )
        return refund

    def _refund_from_escrow(
        self, key: str, amount: Money, when: datetime, reason: str, state: _escrow._State
    ) -> tuple[Refund, _escrow._State]:
        if state.hold_id is None:  # pragma: no cover - paid and unreleased means a pending hold
            raise InvalidTransitionError(f"trade {self.out_trade_no!r} has no escrow hold to refund from")
        rest = self.in_escrow - amount
        ids = [state.hold_id]
        seq = state.hold_seq
        hold_id: str | None = None
        with self.ledger.atomic():
            self.ledger.void_hold(self._ledger_key("refund", key, "void"), state.hold_id, at=when)
            if rest.is_positive():
                seq += 1
                hold = self.ledger.hold(
                    self._ledger_key("hold", str(seq)),
                    debit=state.funded_by or self.buyer.wallet_id,
                    credit=self.seller.wallet_id,
                    amount=rest,
                    at=when,
                    memo=f"escrow {self.out_trade_no} after refund {key}",
                    metadata=self._metadata("escrow_hold"),
                )
                hold_id = hold.id
                ids.append(hold.id)
        refund = Refund(key, amount, when, RefundStage.FROM_ESCROW, amount.currency.zero(), tuple(ids), reason)
        return refund, attrs.evolve(
            state, hold_id=hold_id, hold_seq=seq, refunded_before=state.refunded_before + amount
        )

    def _refund_from_seller(
        self, key: str, amount: Money, when: datetime, reason: str, state: _escrow._State
    ) -> tuple[Refund, _escrow._State]:
        fee_back = amount.currency.zero()
        if self.policy.refund_returns_fee and state.fee.is_positive():
            after_total = state.refunded_after + amount
            returned_total = _escrow._half_up_ratio(
                state.fee.minor_units, after_total.minor_units, state.released.minor_units
            )
            fee_back = Money.from_minor_units(returned_total, amount.currency) - state.fee_returned
        needed = amount - fee_back
        available = self.ledger.available(self.seller.wallet_id)
        if available < needed:
            raise InsufficientFundsError(
                f"seller wallet {self.seller.wallet_id!r} has {available} available and cannot cover refund "
                f"{key!r} of {amount} (fee returned {fee_back}) on trade {self.out_trade_no!r}"
            )
        ids = []
        with self.ledger.atomic():
            if fee_back.is_positive():
                entry = self.ledger.transfer(
                    self._ledger_key("refund", key, "fee"),
                    debit=revenue_account(self.ledger, ProfitPoint.ALIPAY_ACQUIRING_COMMISSION),
                    credit=self.seller.wallet_id,
                    amount=fee_back,
                    at=when,
                    memo=f"acquiring fee returned on refund {key}",
                    metadata=self._metadata("acquiring_fee_return"),
                )
                ids.append(entry.id)
            entry = self.ledger.transfer(
                self._ledger_key("refund", key),
                debit=self.seller.wallet_id,
                credit=self.buyer.wallet_id,
                amount=amount,
                at=when,
                memo=f"refund {key} of escrow {self.out_trade_no}",
                metadata=self._metadata("refund"),
            )
            ids.append(entry.id)
        refund = Refund(key, amount, when, RefundStage.FROM_SELLER, fee_back, tuple(ids), reason)
        return refund, attrs.evolve(
            state, refunded_after=state.refunded_after + amount, fee_returned=state.fee_returned + fee_back
        )

    def _resumed(self, state: _escrow._State, request: RefundRequest, when: datetime) -> _escrow._State:
        """Add the time ``request`` paused the auto-confirm clock (only the part after shipping)."""
        if state.shipped_at is None or state.released_at is not None:
            return state
        start = max(request.opened_at, state.shipped_at)
        if when <= start:
            return state
        return attrs.evolve(state, paused=state.paused + (when - start))

    @_all_or_nothing
    def request_refund(
        self, out_request_no: str, amount: Money, *, reason: RefundReason, at: datetime
    ) -> RefundRequest:
        """The buyer asks for a refund; until it is resolved the auto-confirm clock stops.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2))
        >>> trade.request_refund("R1", CNY("100.00"), reason=RefundReason.GOODS_NOT_RECEIVED,
        ...                      at=shanghai(2024, 5, 5)).status
        <RequestStatus.OPEN: 'open'>
        >>> trade.confirm_deadline is None
        True

        Raises:
            antfin.errors.InvalidTransitionError: another request is open, or the trade cannot be refunded.
            antfin.errors.InvalidAmountError: not positive, or more than is refundable.
            antfin.errors.IdempotencyConflictError: ``out_request_no`` was already used on this trade.
        """
        key = _escrow._check_request_no(out_request_no)
        if not isinstance(reason, RefundReason):
            raise TypeError(f"reason must be a RefundReason, not {type(reason).__name__}")
        existing = self._requests.get(key)
        if existing is not None:
            asked = request_fingerprint("request_refund", amount, reason)
            recorded = request_fingerprint("request_refund", existing.amount, existing.reason)
            same_request(key, recorded, asked, what=f"out_request_no of trade {self.out_trade_no!r}")
            return existing
        if key in self._refunds:
            raise IdempotencyConflictError(
                f"out_request_no {key!r} of trade {self.out_trade_no!r} was already refunded"
            )
        check_positive(amount, currency=CNY)
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.REQUEST_REFUND)
        if self._state.request is not None:
            raise InvalidTransitionError(
                f"cannot request a refund on trade {self.out_trade_no!r}: request "
                f"{self._state.request.out_request_no!r} is still open"
            )
        check_positive(amount, currency=CNY)
        if amount > self.refundable:
            raise InvalidAmountError(
                f"refund request {amount} exceeds what trade {self.out_trade_no!r} can still refund: {self.refundable}"
            )
        request = RefundRequest(key, amount, reason, when)
        self._apply(
            _escrow.TradeAction.REQUEST_REFUND,
            when,
            attrs.evolve(self._state, status=target, request=request),
            detail=f"request {key} {amount} ({reason.value})",
        )
        return request

    def _open_request(self, action: _escrow.TradeAction, *statuses: RequestStatus) -> RefundRequest:
        request = self._state.request
        if request is None:
            raise InvalidTransitionError(
                f"cannot {action.value.replace('_', ' ')} on trade {self.out_trade_no!r} "
                f"in status {self._state.status.value}: no refund request is open"
            )
        if request.status not in statuses:
            raise InvalidTransitionError(
                f"cannot {action.value.replace('_', ' ')} refund request {request.out_request_no!r}: "
                f"it is {request.status.value}"
            )
        return request

    @_all_or_nothing
    def agree_refund(self, *, at: datetime) -> Refund:
        """The seller agrees to the open request: the requested amount is refunded.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("40.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
        >>> trade.agree_refund(at=shanghai(2024, 5, 3)).amount, trade.refund_requests[0].status.value
        (Money('40.00', 'CNY'), 'agreed')

        Raises:
            antfin.errors.InvalidTransitionError: no request is open, or the trade cannot be refunded.
        """
        when = self._begin(at)
        self._target(_escrow.TradeAction.AGREE_REFUND)
        request = self._open_request(_escrow.TradeAction.AGREE_REFUND, RequestStatus.OPEN, RequestStatus.ARBITRATION)
        amount = min(request.amount, self.refundable)
        return self._refund(
            request.out_request_no, amount, when, request.reason.value, _escrow.TradeAction.AGREE_REFUND, request
        )

    @_all_or_nothing
    def refuse_refund(self, *, at: datetime) -> RefundRequest:
        """The seller refuses the open request: it becomes a dispute for platform arbitration.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("40.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
        >>> trade.refuse_refund(at=shanghai(2024, 5, 3)).status.value
        'arbitration'

        Raises:
            antfin.errors.InvalidTransitionError: no request is open (or it is already in arbitration).
        """
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.REFUSE_REFUND)
        request = self._open_request(_escrow.TradeAction.REFUSE_REFUND, RequestStatus.OPEN)
        escalated = attrs.evolve(request, status=RequestStatus.ARBITRATION)
        self._apply(
            _escrow.TradeAction.REFUSE_REFUND,
            when,
            attrs.evolve(self._state, status=target, request=escalated),
            detail=f"request {request.out_request_no} refused; to arbitration",
        )
        return escalated

    @_all_or_nothing
    def withdraw_refund_request(self, *, at: datetime) -> RefundRequest:
        """The buyer withdraws the open request; the auto-confirm clock resumes.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("1.00"), reason=RefundReason.OTHER, at=shanghai(2024, 5, 2))
        >>> trade.withdraw_refund_request(at=shanghai(2024, 5, 3)).status.value
        'withdrawn'

        Raises:
            antfin.errors.InvalidTransitionError: no request is open.
        """
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.WITHDRAW_REQUEST)
        request = self._open_request(
            _escrow.TradeAction.WITHDRAW_REQUEST, RequestStatus.OPEN, RequestStatus.ARBITRATION
        )
        closed = attrs.evolve(request, status=RequestStatus.WITHDRAWN, resolved_at=when)
        state = self._resumed(self._state, request, when)
        self._apply(
            _escrow.TradeAction.WITHDRAW_REQUEST,
            when,
            attrs.evolve(state, status=target, request=None),
            detail=f"request {request.out_request_no} withdrawn",
            settled=closed,
        )
        return closed

    @_all_or_nothing
    def arbitrate(self, *, at: datetime, buyer: AmountLike = 1, seller: AmountLike = 1) -> Arbitration:
        """The platform decides a dispute: the disputed amount is split buyer:seller, exactly to the fen.

        The buyer's part is refunded (keyed by the request's ``out_request_no``);
        the seller keeps the rest. The split uses largest-remainder allocation,
        so the parts always add up to the disputed amount.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("100.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
        >>> _ = trade.refuse_refund(at=shanghai(2024, 5, 3))
        >>> result = trade.arbitrate(at=shanghai(2024, 5, 6), buyer=2, seller=1)
        >>> result.buyer_amount, result.seller_amount
        (Money('66.67', 'CNY'), Money('33.33', 'CNY'))

        Args:
            at: when the platform decides.
            buyer: the buyer's weight (int, Decimal or decimal string; not a float).
            seller: the seller's weight.

        Raises:
            antfin.errors.InvalidTransitionError: no request is in arbitration.
            antfin.errors.InvalidAmountError: negative or all-zero weights.
        """
        CNY("1.00").allocate([buyer, seller])  # the weights, checked before anything is applied
        when = self._begin(at)
        target = self._target(_escrow.TradeAction.ARBITRATE)
        request = self._open_request(_escrow.TradeAction.ARBITRATE, RequestStatus.ARBITRATION)
        disputed = min(request.amount, self.refundable)
        buyer_part, seller_part = disputed.allocate([buyer, seller])
        refund: Refund | None = None
        if buyer_part.is_positive():
            refund = self._refund(
                request.out_request_no, buyer_part, when, request.reason.value, _escrow.TradeAction.ARBITRATE, request
            )
        else:
            closed = attrs.evolve(request, status=RequestStatus.ARBITRATED, resolved_at=when)
            state = self._resumed(self._state, request, when)
            self._apply(
                _escrow.TradeAction.ARBITRATE,
                when,
                attrs.evolve(state, status=target, request=None),
                detail=f"request {request.out_request_no}: seller keeps {seller_part}",
                settled=closed,
            )
        return Arbitration(request.out_request_no, disputed, buyer_part, seller_part, when, refund)
