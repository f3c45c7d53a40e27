"""A purchase through an escrow trade paid with Huabei enters the bill when receipt is confirmed."""

from __future__ import annotations

from datetime import date

import pytest

from antfin import CNY
from antfin.calendar import shanghai
from antfin.credit import HuabeiAccount
from antfin.errors import LimitExceededError, PolicyViolationError
from antfin.ledger import Ledger
from antfin.payments import Account, AccountType, EscrowDesk, EscrowTrade, GoodsType, TradeStatus


def _setup() -> tuple[Ledger, Account, Account, HuabeiAccount, EscrowDesk]:
    ledger = Ledger()
    buyer = Account.open(ledger, "amy", opened_at=shanghai(2024, 3, 1))
    shop = Account.open(ledger, "shop", opened_at=shanghai(2024, 3, 1), account_type=AccountType.MERCHANT)
    huabei = HuabeiAccount(ledger, "amy", CNY("2000.00"))
    desk = EscrowDesk(ledger)
    desk.on_release(huabei.on_escrow_release)
    return ledger, buyer, shop, huabei, desk


def _trade(desk: EscrowDesk, buyer: Account, shop: Account, number: str, amount: str) -> EscrowTrade:
    return desk.create(
        number,
        buyer=buyer,
        seller=shop,
        amount=CNY(amount),
        goods=GoodsType.PHYSICAL_EXPRESS,
        at=shanghai(2024, 3, 5, 9),
        timeout="1c",
    )


def test_the_line_funds_escrow_and_the_bill_gets_the_purchase_on_confirmation() -> None:
    ledger, buyer, shop, huabei, desk = _setup()
    trade = _trade(desk, buyer, shop, "T1", "300.00")
    huabei.pay_escrow(trade, at=shanghai(2024, 3, 5, 10))
    assert buyer.balance() == CNY("0")  # the buyer's own money is not touched
    assert huabei.available == CNY("1700.00")
    assert ledger.balance(huabei.receivable) == CNY("0")  # not drawn until release
    assert huabei.unbilled() == ()
    trade.ship(at=shanghai(2024, 3, 6))
    release = trade.confirm(at=shanghai(2024, 3, 8))
    assert ledger.balance(huabei.receivable) == CNY("300.00")
    assert huabei.available == CNY("1700.00")
    assert [line.amount for line in huabei.unbilled()] == [CNY("300.00")]
    assert shop.balance() == CNY("300.00") - release.fee
    bill = huabei.issue_bill(date(2024, 4, 1))
    assert bill.total == CNY("300.00")
    ledger.check_invariants()


def test_a_refund_before_release_gives_the_line_back_and_bills_only_what_was_released() -> None:
    ledger, buyer, shop, huabei, desk = _setup()
    trade = _trade(desk, buyer, shop, "T2", "500.00")
    huabei.pay_escrow(trade, at=shanghai(2024, 3, 5, 10))
    trade.refund("R1", CNY("200.00"), at=shanghai(2024, 3, 6))
    assert huabei.available == CNY("1700.00")
    trade.ship(at=shanghai(2024, 3, 6, 12))
    trade.confirm(at=shanghai(2024, 3, 7))
    assert [line.amount for line in huabei.unbilled()] == [CNY("300.00")]
    assert ledger.balance(huabei.receivable) == CNY("300.00")
    assert buyer.balance() == CNY("0")
    ledger.check_invariants()


def test_a_full_refund_before_release_leaves_no_bill_and_the_whole_line() -> None:
    ledger, buyer, shop, huabei, desk = _setup()
    trade = _trade(desk, buyer, shop, "T3", "800.00")
    huabei.pay_escrow(trade, at=shanghai(2024, 3, 5, 10))
    trade.refund("R1", CNY("800.00"), at=shanghai(2024, 3, 6))
    assert trade.status is TradeStatus.TRADE_CLOSED
    assert huabei.available == CNY("2000.00")
    assert huabei.unbilled() == ()
    assert ledger.balance(huabei.receivable) == CNY("0")
    ledger.check_invariants()


def test_refused_payments_change_nothing() -> None:
    ledger, buyer, shop, huabei, desk = _setup()
    big = _trade(desk, buyer, shop, "T4", "2000.01")
    before = (len(ledger.entries()), huabei.available, big.status)
    with pytest.raises(LimitExceededError, match=r"2000\.01"):
        huabei.pay_escrow(big, at=shanghai(2024, 3, 5, 10))
    assert (len(ledger.entries()), huabei.available, big.status) == before
    other = Account.open(ledger, "bob", opened_at=shanghai(2024, 3, 1))
    theirs = _trade(desk, other, shop, "T5", "10.00")
    with pytest.raises(PolicyViolationError, match="bob"):
        huabei.pay_escrow(theirs, at=shanghai(2024, 3, 5, 10))
    assert theirs.status is TradeStatus.WAIT_BUYER_PAY
    assert huabei.available == CNY("2000.00")


def test_other_trades_on_the_desk_do_not_touch_the_bill() -> None:
    _, buyer, shop, huabei, desk = _setup()
    buyer.link_card("card", at=shanghai(2024, 3, 1))
    buyer.top_up("top", card="card", amount=CNY("100.00"), at=shanghai(2024, 3, 1))
    cash = _trade(desk, buyer, shop, "T6", "50.00")
    cash.pay(at=shanghai(2024, 3, 5, 10))
    cash.ship(at=shanghai(2024, 3, 6))
    cash.confirm(at=shanghai(2024, 3, 7))
    assert huabei.unbilled() == ()
    assert huabei.available == CNY("2000.00")
