"""Every (status, action) pair of the escrow trade: legal ones move as the table says, illegal ones raise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from antfin.calendar import shanghai
from antfin.errors import InvalidTransitionError
from antfin.ledger import Ledger
from antfin.money import CNY
from antfin.payments import (
    LEGAL_ACTIONS,
    Account,
    AccountType,
    EscrowDesk,
    EscrowTrade,
    GoodsType,
    RefundReason,
    TradeAction,
    TradeStatus,
)

CREATED = shanghai(2024, 5, 1, 10)


def make_trade(status: TradeStatus) -> tuple[EscrowTrade, datetime]:
    """A trade brought to ``status``, and an instant at which to try the next action."""
    ledger = Ledger()
    buyer = Account.open(ledger, "buyer", opened_at=shanghai(2024, 1, 1))
    buyer.link_card("C", at=shanghai(2024, 1, 1))
    buyer.top_up("seed", card="C", amount=CNY("1000.00"), at=shanghai(2024, 1, 1))
    seller = Account.open(ledger, "shop", opened_at=shanghai(2024, 1, 1), account_type=AccountType.MERCHANT)
    trade = EscrowDesk(ledger).create(
        "T1", buyer=buyer, seller=seller, amount=CNY("100.00"), goods=GoodsType.PHYSICAL_EXPRESS, at=CREATED
    )
    if status is TradeStatus.WAIT_BUYER_PAY:
        return trade, shanghai(2024, 5, 1, 10, 6)
    if status is TradeStatus.TRADE_CLOSED:
        trade.cancel(at=shanghai(2024, 5, 1, 10, 5))
        return trade, shanghai(2024, 5, 1, 10, 6)
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    if status is TradeStatus.WAIT_SELLER_SEND_GOODS:
        return trade, shanghai(2024, 5, 2)
    trade.ship(at=shanghai(2024, 5, 2))
    if status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS:
        return trade, shanghai(2024, 5, 3)
    trade.confirm(at=shanghai(2024, 5, 3))
    if status is TradeStatus.TRADE_SUCCESS:
        return trade, shanghai(2024, 5, 4)
    trade.advance_to(shanghai(2024, 8, 3))
    assert trade.status is TradeStatus.TRADE_FINISHED
    return trade, shanghai(2024, 8, 4)


def _with_request(trade: EscrowTrade, when: datetime, *, refuse: bool = False) -> EscrowTrade:
    if TradeAction.REQUEST_REFUND in LEGAL_ACTIONS[trade.status]:
        trade.request_refund("RQ", CNY("10.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=when)
        if refuse:
            trade.refuse_refund(at=when)
    return trade


Act = Callable[[EscrowTrade, datetime], object]

ACTIONS: dict[TradeAction, Act] = {
    TradeAction.PAY: lambda t, w: t.pay(at=w),
    TradeAction.CANCEL: lambda t, w: t.cancel(at=w),
    TradeAction.SHIP: lambda t, w: t.ship(at=w),
    TradeAction.EXTEND: lambda t, w: t.extend_confirmation(timedelta(days=1), at=w),
    TradeAction.CONFIRM: lambda t, w: t.confirm(at=w),
    TradeAction.REFUND: lambda t, w: t.refund("RX", CNY("1.00"), at=w),
    TradeAction.REQUEST_REFUND: lambda t, w: t.request_refund(
        "RQ2", CNY("1.00"), reason=RefundReason.GOODS_NOT_RECEIVED, at=w
    ),
    TradeAction.AGREE_REFUND: lambda t, w: _with_request(t, w).agree_refund(at=w),
    TradeAction.REFUSE_REFUND: lambda t, w: _with_request(t, w).refuse_refund(at=w),
    TradeAction.WITHDRAW_REQUEST: lambda t, w: _with_request(t, w).withdraw_refund_request(at=w),
    TradeAction.ARBITRATE: lambda t, w: _with_request(t, w, refuse=True).arbitrate(at=w, buyer=1, seller=1),
}

# Time-driven actions are applied by advance_to and tested in test_escrow_timeouts.py.
TIME_DRIVEN = {TradeAction.TIMEOUT, TradeAction.AUTO_CONFIRM, TradeAction.FINISH}


def test_every_action_is_covered() -> None:
    assert set(ACTIONS) | TIME_DRIVEN == set(TradeAction)


@pytest.mark.parametrize("status", list(TradeStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("action", list(ACTIONS), ids=lambda a: a.value)
def test_transition(status: TradeStatus, action: TradeAction) -> None:
    trade, when = make_trade(status)
    target = LEGAL_ACTIONS[status].get(action)
    if target is None:
        ledger = trade.ledger
        before = ([(a.id, ledger.balance(a.id), ledger.available(a.id)) for a in ledger.accounts()], trade.transitions)
        with pytest.raises(InvalidTransitionError) as info:
            ACTIONS[action](trade, when)
        assert status.value in str(info.value)
        assert action.value.replace("_", " ") in str(info.value)
        after = ([(a.id, ledger.balance(a.id), ledger.available(a.id)) for a in ledger.accounts()], trade.transitions)
        assert after == before
        assert trade.status is status
    else:
        ACTIONS[action](trade, when)
        last = trade.transitions[-1]
        assert (last.action, last.from_status, last.to_status, last.at) == (action, status, target, when)
        assert trade.status is target
        trade.ledger.check_invariants()


def test_transitions_are_recorded_in_order_with_times() -> None:
    trade, _ = make_trade(TradeStatus.TRADE_FINISHED)
    steps = [(t.action, t.from_status, t.to_status, t.at) for t in trade.transitions]
    assert steps == [
        (TradeAction.PAY, TradeStatus.WAIT_BUYER_PAY, TradeStatus.WAIT_SELLER_SEND_GOODS, shanghai(2024, 5, 1, 10, 5)),
        (
            TradeAction.SHIP,
            TradeStatus.WAIT_SELLER_SEND_GOODS,
            TradeStatus.WAIT_BUYER_CONFIRM_GOODS,
            shanghai(2024, 5, 2),
        ),
        (TradeAction.CONFIRM, TradeStatus.WAIT_BUYER_CONFIRM_GOODS, TradeStatus.TRADE_SUCCESS, shanghai(2024, 5, 3)),
        (TradeAction.FINISH, TradeStatus.TRADE_SUCCESS, TradeStatus.TRADE_FINISHED, shanghai(2024, 8, 3)),
    ]


def test_final_statuses_accept_nothing() -> None:
    for status in (TradeStatus.TRADE_FINISHED, TradeStatus.TRADE_CLOSED):
        assert LEGAL_ACTIONS[status] == {}
        assert status.is_final
