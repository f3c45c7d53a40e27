"""Escrow timeouts at their exact boundaries: unpaid close, auto-confirm, pauses, extensions, refund window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from antfin.calendar import shanghai
from antfin.ecosystem import ProfitPoint
from antfin.errors import InvalidTimeError, InvalidTransitionError
from antfin.ledger import Ledger
from antfin.money import CNY
from antfin.payments import (
    Account,
    EscrowDesk,
    EscrowPolicy,
    EscrowTrade,
    GoodsType,
    RefundReason,
    Release,
    TradeAction,
    TradeStatus,
)


def status(trade: EscrowTrade) -> TradeStatus:
    """The status, read through a call so mypy does not narrow it across operations."""
    return trade.status


ONE_US = timedelta(microseconds=1)


def test_unpaid_trade_closes_exactly_at_the_deadline(trade: EscrowTrade, buyer: Account) -> None:
    deadline = shanghai(2024, 5, 1, 10, 15)
    assert trade.pay_deadline == deadline
    assert trade.advance_to(deadline - ONE_US) == ()
    assert status(trade) is TradeStatus.WAIT_BUYER_PAY
    applied = trade.advance_to(deadline)
    assert [(t.action, t.at) for t in applied] == [(TradeAction.TIMEOUT, deadline)]
    assert status(trade) is TradeStatus.TRADE_CLOSED
    assert buyer.available() == CNY("1000.00")


def test_paying_one_microsecond_before_the_deadline_works(trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 15) - ONE_US)
    assert status(trade) is TradeStatus.WAIT_SELLER_SEND_GOODS


def test_paying_at_the_deadline_is_refused_and_moves_no_money(trade: EscrowTrade, buyer: Account) -> None:
    with pytest.raises(InvalidTransitionError, match="cannot pay trade 'T1' in status TRADE_CLOSED"):
        trade.pay(at=shanghai(2024, 5, 1, 10, 15))
    assert buyer.available() == CNY("1000.00")
    assert trade.ledger.holds() == ()
    # A refused call changes nothing, not even the timeout that was due: the next call applies it.
    assert trade.status is TradeStatus.WAIT_BUYER_PAY
    trade.advance_to(shanghai(2024, 5, 1, 10, 15))
    assert trade.transitions[-1].action is TradeAction.TIMEOUT


def test_one_c_closes_at_midnight(desk: EscrowDesk, buyer: Account, seller: Account) -> None:
    trade = desk.create(
        "T2",
        buyer=buyer,
        seller=seller,
        amount=CNY("1.00"),
        goods=GoodsType.VIRTUAL,
        timeout="1c",
        at=shanghai(2024, 5, 1, 23, 59, 59),
    )
    trade.advance_to(shanghai(2024, 5, 2) - ONE_US)
    assert status(trade) is TradeStatus.WAIT_BUYER_PAY
    trade.advance_to(shanghai(2024, 5, 2))
    assert status(trade) is TradeStatus.TRADE_CLOSED


@pytest.mark.parametrize(
    ("goods", "period"),
    [
        (GoodsType.PHYSICAL_EXPRESS, timedelta(days=10)),
        (GoodsType.ORDINARY_MAIL, timedelta(days=30)),
        (GoodsType.VIRTUAL, timedelta(days=3)),
        (GoodsType.AUTO_DELIVERY, timedelta(hours=24)),
    ],
)
def test_auto_confirm_at_the_boundary(
    desk: EscrowDesk, buyer: Account, seller: Account, goods: GoodsType, period: timedelta
) -> None:
    releases: list[Release] = []
    desk.on_release(releases.append)
    trade = desk.create("T2", buyer=buyer, seller=seller, amount=CNY("100.00"), goods=goods, at=shanghai(2024, 5, 1))
    trade.pay(at=shanghai(2024, 5, 1, 0, 1))
    shipped = shanghai(2024, 5, 1, 8)
    trade.ship(at=shipped)
    assert trade.confirm_deadline == shipped + period
    trade.advance_to(shipped + period - ONE_US)
    assert status(trade) is TradeStatus.WAIT_BUYER_CONFIRM_GOODS
    assert seller.balance() == CNY("0")
    applied = trade.advance_to(shipped + period + timedelta(days=1))
    assert [(t.action, t.at) for t in applied] == [(TradeAction.AUTO_CONFIRM, shipped + period)]
    assert status(trade) is TradeStatus.TRADE_SUCCESS
    assert seller.balance() == CNY("99.40")
    assert trade.ledger.balance(ProfitPoint.ALIPAY_ACQUIRING_COMMISSION.account_id) == CNY("0.60")
    assert len(releases) == 1
    assert releases[0].automatic
    assert releases[0].at == shipped + period


def test_open_request_pauses_the_clock(trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.ship(at=shanghai(2024, 5, 2, 12))
    trade.request_refund("R1", CNY("100.00"), reason=RefundReason.GOODS_NOT_RECEIVED, at=shanghai(2024, 5, 5, 12))
    assert trade.confirm_deadline is None
    trade.advance_to(shanghai(2024, 6, 30))  # way past 10 days: paused, nothing happens
    assert status(trade) is TradeStatus.WAIT_BUYER_CONFIRM_GOODS
    trade.withdraw_refund_request(at=shanghai(2024, 7, 1, 12))
    # 3 days ran before the request; 7 remain
    assert trade.confirm_deadline == shanghai(2024, 7, 8, 12)


def test_request_before_shipping_pauses_only_after_shipping(trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.request_refund("R1", CNY("5.00"), reason=RefundReason.OTHER, at=shanghai(2024, 5, 1, 11))
    trade.ship(at=shanghai(2024, 5, 2, 12))
    trade.withdraw_refund_request(at=shanghai(2024, 5, 4, 12))
    assert trade.confirm_deadline == shanghai(2024, 5, 14, 12)


def test_seller_extends_the_confirmation_time(trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.ship(at=shanghai(2024, 5, 2, 12))
    assert trade.extend_confirmation(timedelta(days=3), at=shanghai(2024, 5, 11)) == shanghai(2024, 5, 15, 12)
    trade.advance_to(shanghai(2024, 5, 15, 12) - ONE_US)
    assert status(trade) is TradeStatus.WAIT_BUYER_CONFIRM_GOODS
    trade.advance_to(shanghai(2024, 5, 15, 12))
    assert status(trade) is TradeStatus.TRADE_SUCCESS
    with pytest.raises(InvalidTimeError, match="positive timedelta"):
        trade.extend_confirmation(timedelta(0), at=shanghai(2024, 5, 16))


def test_refund_window_ends_exactly_three_months_after_release(trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.ship(at=shanghai(2024, 5, 2))
    trade.confirm(at=shanghai(2024, 5, 3, 12))
    assert trade.refund_deadline == shanghai(2024, 8, 3, 12)
    trade.refund("R1", CNY("1.00"), at=shanghai(2024, 8, 3, 12) - ONE_US)
    with pytest.raises(InvalidTransitionError, match="TRADE_FINISHED"):
        trade.refund("R2", CNY("1.00"), at=shanghai(2024, 8, 3, 12))
    assert trade.status is TradeStatus.TRADE_SUCCESS  # the refused call applied nothing
    trade.advance_to(shanghai(2024, 8, 3, 12))
    assert trade.transitions[-1].action is TradeAction.FINISH
    assert trade.transitions[-1].at == shanghai(2024, 8, 3, 12)


def test_refund_window_clamps_at_month_end(ledger: Ledger, buyer: Account, seller: Account) -> None:
    desk = EscrowDesk(ledger, EscrowPolicy(refund_window_months=3))
    trade = desk.create(
        "T3", buyer=buyer, seller=seller, amount=CNY("1.00"), goods=GoodsType.VIRTUAL, at=shanghai(2024, 11, 30)
    )
    trade.pay(at=shanghai(2024, 11, 30, 0, 1))
    trade.ship(at=shanghai(2024, 11, 30, 1))
    trade.confirm(at=shanghai(2024, 11, 30, 2))
    assert trade.refund_deadline == shanghai(2025, 2, 28, 2)


def test_open_request_blocks_finishing_until_resolved(trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.ship(at=shanghai(2024, 5, 2))
    trade.confirm(at=shanghai(2024, 5, 3, 12))
    trade.request_refund("R1", CNY("10.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 8, 1))
    trade.refuse_refund(at=shanghai(2024, 8, 2))
    trade.advance_to(shanghai(2024, 9, 1))
    assert status(trade) is TradeStatus.TRADE_SUCCESS
    trade.arbitrate(at=shanghai(2024, 9, 2), buyer=1, seller=0)
    assert trade.refunded == CNY("10.00")
    trade.advance_to(shanghai(2024, 9, 3))
    assert status(trade) is TradeStatus.TRADE_FINISHED
    assert trade.transitions[-1].at == shanghai(2024, 9, 2)  # not before the arbitration


def test_time_may_not_go_backwards(trade: EscrowTrade) -> None:
    trade.advance_to(shanghai(2024, 5, 1, 10, 10))
    with pytest.raises(InvalidTimeError, match="time may not go backwards"):
        trade.pay(at=shanghai(2024, 5, 1, 10, 9))
    with pytest.raises(InvalidTimeError, match="before trade 'T1'"):
        trade.advance_to(shanghai(2024, 5, 1, 10))
    assert status(trade) is TradeStatus.WAIT_BUYER_PAY


def test_desk_advances_every_open_trade(desk: EscrowDesk, buyer: Account, seller: Account) -> None:
    t1 = desk.create(
        "A",
        buyer=buyer,
        seller=seller,
        amount=CNY("1.00"),
        goods=GoodsType.VIRTUAL,
        at=shanghai(2024, 5, 1),
        timeout="1h",
    )
    t2 = desk.create(
        "B",
        buyer=buyer,
        seller=seller,
        amount=CNY("1.00"),
        goods=GoodsType.VIRTUAL,
        at=shanghai(2024, 5, 1),
        timeout="2h",
    )
    applied = desk.advance_to(shanghai(2024, 5, 1, 1, 30))
    assert [t.action for t in applied] == [TradeAction.TIMEOUT]
    assert (t1.status, t2.status) == (TradeStatus.TRADE_CLOSED, TradeStatus.WAIT_BUYER_PAY)
    assert desk.trades() == (t1, t2)


def test_policy_validation() -> None:
    with pytest.raises(InvalidTimeError, match="missing"):
        EscrowPolicy(auto_confirm={GoodsType.VIRTUAL: timedelta(days=1)})
    with pytest.raises(InvalidTimeError, match="positive timedelta"):
        EscrowPolicy(auto_confirm={g: timedelta(0) for g in GoodsType})
    with pytest.raises(InvalidTimeError, match="refund_window_months"):
        EscrowPolicy(refund_window_months=-1)
    custom = EscrowPolicy(auto_confirm={g: timedelta(days=7) for g in GoodsType})
    assert custom.auto_confirm_period(GoodsType.AUTO_DELIVERY) == timedelta(days=7)
