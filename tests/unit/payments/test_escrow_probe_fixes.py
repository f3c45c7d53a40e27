"""Regression tests for the outside probe's escrow findings: funding, overflowing extensions, check-then-act."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from antfin.calendar import shanghai
from antfin.credit import HuabeiAccount
from antfin.errors import InvalidTimeError, InvalidTransitionError, LimitExceededError, PolicyViolationError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY
from antfin.payments import Account, EscrowDesk, EscrowTrade, RefundReason, TradeStatus
from antfin.serialization import to_data


def _snapshot(trade: EscrowTrade) -> tuple[Any, ...]:
    ledger = trade.ledger
    return (to_data(trade), ledger.entries(), ledger.holds(), ledger.trial_balance())


@pytest.mark.parametrize("source", ["asset:bank", "wallet:other", "asset:huabei:buyer"])
def test_pay_refuses_a_bare_account_id(trade: EscrowTrade, ledger: Ledger, source: str) -> None:
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:other", AccountKind.LIABILITY, non_negative=True)
    HuabeiAccount(ledger, "buyer", CNY("2000"))
    before = _snapshot(trade)
    with pytest.raises(TypeError, match="funded_by must be the buyer's credit product"):
        trade.pay(at=shanghai(2024, 5, 1, 10, 5), funded_by=source)  # type: ignore[arg-type]
    assert _snapshot(trade) == before


def test_another_users_huabei_line_cannot_fund_the_trade(trade: EscrowTrade, ledger: Ledger) -> None:
    other = HuabeiAccount(ledger, "someone", CNY("2000"))
    before = _snapshot(trade)
    with pytest.raises(PolicyViolationError, match="not Huabei user 'someone'"):
        trade.pay(at=shanghai(2024, 5, 1, 10, 5), funded_by=other)
    assert _snapshot(trade) == before


def test_the_buyers_own_line_funds_the_trade(trade: EscrowTrade, ledger: Ledger) -> None:
    line = HuabeiAccount(ledger, "buyer", CNY("2000"))
    line.pay_escrow(trade, at=shanghai(2024, 5, 1, 10, 5))
    assert trade.funded_by == line.receivable
    assert trade.status is TradeStatus.WAIT_SELLER_SEND_GOODS


def test_paying_with_the_line_directly_keeps_its_rules(trade: EscrowTrade, ledger: Ledger) -> None:
    """``trade.pay(funded_by=line)`` is the same as ``line.pay_escrow(trade)``: limit checked, purchase recorded."""
    small = HuabeiAccount(ledger, "buyer", CNY("500"))
    desk = EscrowDesk(ledger)
    desk.on_release(small.on_escrow_release)
    big = desk.create(
        "T2", buyer=trade.buyer, seller=trade.seller, amount=CNY("600"), goods=trade.goods, at=trade.created_at
    )
    before = _snapshot(big)
    with pytest.raises(LimitExceededError, match="available Huabei line"):
        big.pay(at=shanghai(2024, 5, 1, 10, 5), funded_by=small)
    assert _snapshot(big) == before
    ok = desk.create(
        "T3", buyer=trade.buyer, seller=trade.seller, amount=CNY("100"), goods=trade.goods, at=trade.created_at
    )
    ok.pay(at=shanghai(2024, 5, 1, 10, 5), funded_by=small)
    ok.ship(at=shanghai(2024, 5, 2))
    ok.confirm(at=shanghai(2024, 5, 3))
    assert [str(line.amount) for line in small.unbilled()] == ["100.00 CNY"]


def test_a_huge_extension_is_refused_before_any_arithmetic(desk: EscrowDesk, trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.ship(at=shanghai(2024, 5, 2))
    before = _snapshot(trade)
    with pytest.raises(InvalidTimeError, match="at most 365 days"):
        trade.extend_confirmation(timedelta(days=2_913_049), at=shanghai(2024, 5, 3))
    assert _snapshot(trade) == before
    # Many allowed extensions may still not push the deadline past the calendar's range.
    room = (shanghai(2999, 12, 31, 23) - trade.confirm_deadline).days // 365  # type: ignore[operator]
    for _ in range(room):
        trade.extend_confirmation(timedelta(days=365), at=shanghai(2024, 5, 3))
    with pytest.raises(InvalidTimeError, match="past 2999-12-31"):
        trade.extend_confirmation(timedelta(days=365), at=shanghai(2024, 5, 3))
    desk.advance_to(shanghai(2024, 6, 1))  # every trade keeps working
    assert trade.confirm_deadline is not None


def test_a_refund_with_a_bad_amount_applies_nothing_that_was_due(trade: EscrowTrade, seller: Account) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.ship(at=shanghai(2024, 5, 2))
    before = _snapshot(trade)
    late = shanghai(2024, 6, 1)  # the auto-confirm is due by now
    with pytest.raises(TypeError, match="amount must be Money"):
        trade.refund("R1", None, at=late)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tracking_no"):
        trade.ship(at=late, tracking_no=7)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="amount must be Money"):
        trade.request_refund("R2", "1", reason=RefundReason.OTHER, at=late)  # type: ignore[arg-type]
    assert _snapshot(trade) == before
    assert trade.status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS
    assert seller.balance() == CNY("0")


def test_a_call_refused_by_the_state_it_reached_changes_nothing(trade: EscrowTrade) -> None:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    trade.ship(at=shanghai(2024, 5, 2))
    trade.confirm(at=shanghai(2024, 5, 3))
    before = _snapshot(trade)
    with pytest.raises(InvalidTransitionError, match="TRADE_FINISHED"):
        trade.refund("R1", CNY("1.00"), at=shanghai(2024, 9, 1))
    assert _snapshot(trade) == before
