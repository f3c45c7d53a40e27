"""Escrow refunds (before and after release, idempotent by out_request_no), disputes and the desk."""

from __future__ import annotations

from datetime import datetime

import pytest

from antfin.calendar import shanghai
from antfin.ecosystem import ProfitPoint
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    LimitExceededError,
    NotFoundError,
)
from antfin.ledger import HoldStatus, Ledger
from antfin.money import CNY, Money
from antfin.payments import (
    Account,
    AccountType,
    EscrowDesk,
    EscrowPolicy,
    EscrowTrade,
    GoodsType,
    RealNameLevel,
    RefundReason,
    RefundStage,
    Release,
    RequestStatus,
    TradeAction,
    TradeStatus,
)


def status(trade: EscrowTrade) -> TradeStatus:
    """The status, read through a call so mypy does not narrow it across operations."""
    return trade.status


FEE_ACCOUNT = ProfitPoint.ALIPAY_ACQUIRING_COMMISSION.account_id


def t(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return shanghai(2024, 5, day, hour, minute)


def balances(ledger: Ledger) -> dict[str, tuple[Money, Money]]:
    return {a.id: (ledger.balance(a.id), ledger.available(a.id)) for a in ledger.accounts()}


def paid(trade: EscrowTrade) -> EscrowTrade:
    trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    return trade


def released(trade: EscrowTrade) -> EscrowTrade:
    paid(trade)
    trade.ship(at=t(2))
    trade.confirm(at=t(3))
    return trade


def escrow_invariant(trade: EscrowTrade) -> None:
    """The pending hold equals paid - released - refunded before release."""
    if trade.hold_id is None:
        assert trade.in_escrow.is_zero()
    else:
        hold = trade.ledger.get_hold(trade.hold_id)
        assert hold.status is HoldStatus.PENDING
        assert hold.amount == trade.in_escrow
    assert trade.in_escrow == trade.paid - trade.released - sum(
        (r.amount for r in trade.refunds if r.stage is RefundStage.FROM_ESCROW), CNY.zero()
    )


def test_paying_holds_the_money_for_the_seller(trade: EscrowTrade, buyer: Account, seller: Account) -> None:
    hold = trade.pay(at=t(1, 10, 10))
    assert (hold.debit, hold.credit, hold.amount) == (buyer.wallet_id, seller.wallet_id, CNY("100.00"))
    assert buyer.balance() == CNY("1000.00")
    assert buyer.available() == CNY("900.00")
    assert seller.balance() == CNY("0.00")
    assert buyer.payments_used(t(1, 10, 10)) == CNY("100.00")
    escrow_invariant(trade)


def test_refused_payments_change_nothing(ledger: Ledger, desk: EscrowDesk, seller: Account) -> None:
    poor = Account.open(ledger, "poor", opened_at=shanghai(2024, 1, 1), level=RealNameLevel.CLASS_I)
    poor.link_card("C", at=shanghai(2024, 1, 1))
    poor.top_up("seed", card="C", amount=CNY("5000.00"), at=shanghai(2024, 1, 1))
    big = desk.create("BIG", buyer=poor, seller=seller, amount=CNY("1000.01"), goods=GoodsType.VIRTUAL, at=t(1))
    short = desk.create("SHORT", buyer=poor, seller=seller, amount=CNY("999.00"), goods=GoodsType.VIRTUAL, at=t(1))
    poor.transfer("x", to=seller, amount=CNY("900.00"), at=t(1))  # 900 used of 1000
    before = balances(ledger)
    with pytest.raises(LimitExceededError, match=r"class I limit of 1000.00 CNY since opening"):
        big.pay(at=t(1, 12, 1))
    with pytest.raises(LimitExceededError, match=r"used 900.00 CNY, asked 999.00 CNY"):
        short.pay(at=t(1, 12, 1))
    assert balances(ledger) == before
    assert big.status is TradeStatus.WAIT_BUYER_PAY
    assert big.transitions == ()
    broke = Account.open(ledger, "broke", opened_at=shanghai(2024, 1, 1))
    before = balances(ledger)
    third = desk.create("T3", buyer=broke, seller=seller, amount=CNY("1.00"), goods=GoodsType.VIRTUAL, at=t(1))
    with pytest.raises(InsufficientFundsError):
        third.pay(at=t(1, 12, 1))
    assert balances(ledger) == before
    assert broke.payments_used(t(1)) == CNY("0")


def test_partial_refunds_before_release_come_out_of_escrow(trade: EscrowTrade, buyer: Account) -> None:
    paid(trade)
    first = trade.refund("R1", CNY("30.00"), at=t(1, 13), reason="out of stock: one item")
    assert first.stage is RefundStage.FROM_ESCROW
    assert trade.ledger.get_hold("escrow:T1:hold:1").status is HoldStatus.VOIDED
    assert trade.hold_id == "escrow:T1:hold:2"
    assert buyer.available() == CNY("930.00")
    escrow_invariant(trade)
    trade.ship(at=t(2))
    trade.refund("R2", CNY("20.00"), at=t(3))
    escrow_invariant(trade)
    release = trade.confirm(at=t(4))
    assert (release.amount, release.fee) == (CNY("50.00"), CNY("0.30"))
    assert buyer.balance() == CNY("950.00")
    assert trade.ledger.balance("wallet:shop") == CNY("49.70")
    escrow_invariant(trade)


def test_refund_is_idempotent_by_out_request_no(trade: EscrowTrade, buyer: Account) -> None:
    paid(trade)
    first = trade.refund("R1", CNY("30.00"), at=t(2))
    assert trade.refund("R1", CNY("30.00"), at=t(3)) is first
    assert trade.refund("R1", CNY("30.00"), at=t(1, 11)) is first  # an earlier retry is still the same refund
    assert trade.refunded == CNY("30.00")
    with pytest.raises(IdempotencyConflictError, match=r'\["refund","30.00 CNY"\]'):
        trade.refund("R1", CNY("31.00"), at=t(3))
    assert len(trade.refunds) == 1
    assert buyer.available() == CNY("930.00")


def test_refund_total_never_exceeds_what_was_paid(trade: EscrowTrade) -> None:
    paid(trade)
    trade.refund("R1", CNY("60.00"), at=t(2))
    before = balances(trade.ledger)
    with pytest.raises(InvalidAmountError, match=r"can still refund: 40.00"):
        trade.refund("R2", CNY("40.01"), at=t(2))
    with pytest.raises(InvalidAmountError, match="positive"):
        trade.refund("R2", CNY("0.00"), at=t(2))
    with pytest.raises(InvalidAmountError, match="out_request_no"):
        trade.refund("bad key!", CNY("1.00"), at=t(2))
    assert balances(trade.ledger) == before
    assert trade.refundable == CNY("40.00")


def test_full_refund_before_release_closes_the_trade(trade: EscrowTrade, buyer: Account) -> None:
    paid(trade)
    trade.refund("R1", CNY("100.00"), at=t(2))
    assert status(trade) is TradeStatus.TRADE_CLOSED
    assert trade.transitions[-1].to_status is TradeStatus.TRADE_CLOSED
    assert trade.hold_id is None
    assert buyer.available() == CNY("1000.00")
    assert trade.ledger.holds(HoldStatus.PENDING) == ()


def test_refund_after_release_comes_from_the_seller(trade: EscrowTrade, buyer: Account, seller: Account) -> None:
    released(trade)
    refund = trade.refund("R1", CNY("40.00"), at=t(5))
    assert refund.stage is RefundStage.FROM_SELLER
    assert refund.fee_returned == CNY("0")
    assert seller.balance() == CNY("59.40")
    assert buyer.balance() == CNY("940.00")
    assert status(trade) is TradeStatus.TRADE_SUCCESS
    # the fee was kept, so the seller is 0.60 short of refunding the rest
    with pytest.raises(InsufficientFundsError, match=r"59.40 CNY available"):
        trade.refund("R2", CNY("60.00"), at=t(6))
    seller.link_card("BANK", at=t(6))
    seller.top_up("cover", card="BANK", amount=CNY("0.60"), at=t(6))
    trade.refund("R2", CNY("60.00"), at=t(6))
    assert status(trade) is TradeStatus.TRADE_CLOSED
    assert seller.balance() == CNY("0.00")
    assert buyer.balance() == CNY("1000.00")
    assert trade.ledger.balance(FEE_ACCOUNT) == CNY("0.60")  # the fee stays with the platform


def test_refund_after_release_refused_when_seller_cannot_cover(
    trade: EscrowTrade, seller: Account, buyer: Account
) -> None:
    released(trade)
    other = Account.open(trade.ledger, "other", opened_at=shanghai(2024, 1, 1))
    seller.transfer("out", to=other, amount=CNY("90.00"), at=t(4))
    before = balances(trade.ledger)
    with pytest.raises(InsufficientFundsError, match=r"cannot cover refund 'R1' of 40.00"):
        trade.refund("R1", CNY("40.00"), at=t(5))
    assert balances(trade.ledger) == before
    assert trade.refunds == ()
    assert trade.refunded == CNY("0")


def test_fee_returned_on_refund_when_the_contract_says_so(ledger: Ledger, buyer: Account, seller: Account) -> None:
    trade = EscrowDesk(ledger, EscrowPolicy(refund_returns_fee=True)).create(
        "T9", buyer=buyer, seller=seller, amount=CNY("99.99"), goods=GoodsType.VIRTUAL, at=t(1)
    )
    trade.pay(at=t(1, 12, 5))
    trade.ship(at=t(2))
    assert trade.confirm(at=t(3)).fee == CNY("0.60")
    parts = [trade.refund(f"R{i}", CNY("33.33"), at=t(4 + i)) for i in range(3)]
    assert [p.fee_returned for p in parts] == [CNY("0.20"), CNY("0.20"), CNY("0.20")]
    assert sum((p.fee_returned for p in parts), CNY.zero()) == CNY("0.60")
    assert ledger.balance(FEE_ACCOUNT) == CNY("0.00")
    assert seller.balance() == CNY("0.00")
    assert buyer.balance() == CNY("1000.00")
    assert status(trade) is TradeStatus.TRADE_CLOSED
    assert trade.fee == CNY("0")


def test_dispute_agreed(trade: EscrowTrade, buyer: Account) -> None:
    paid(trade)
    trade.ship(at=t(2))
    request = trade.request_refund("D1", CNY("25.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=t(3))
    assert trade.request_refund("D1", CNY("25.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=t(3)) is request
    with pytest.raises(IdempotencyConflictError):
        trade.request_refund("D1", CNY("26.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=t(3))
    with pytest.raises(InvalidTransitionError, match="still open"):
        trade.request_refund("D2", CNY("1.00"), reason=RefundReason.OTHER, at=t(3))
    with pytest.raises(InvalidTransitionError, match="while refund request 'D1' is open"):
        trade.confirm(at=t(3))
    refund = trade.agree_refund(at=t(4))
    assert refund.amount == CNY("25.00")
    assert refund.out_request_no == "D1"
    assert trade.refund_requests[0].status is RequestStatus.AGREED
    assert trade.open_request is None
    assert trade.transitions[-1].action is TradeAction.AGREE_REFUND
    assert buyer.available() == CNY("925.00")
    with pytest.raises(IdempotencyConflictError, match=r'\["refund","25.00 CNY"\]'):
        trade.refund("D1", CNY("5.00"), at=t(4))
    trade.request_refund("D2", CNY("5.00"), reason=RefundReason.OTHER, at=t(4))
    with pytest.raises(IdempotencyConflictError, match="belongs to a refund request"):
        trade.refund("D2", CNY("5.00"), at=t(4))


def test_dispute_arbitrated_split_exactly_to_the_fen(trade: EscrowTrade, buyer: Account, seller: Account) -> None:
    released(trade)
    trade.request_refund("D1", CNY("100.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=t(4))
    with pytest.raises(InvalidTransitionError, match="it is open"):
        trade.arbitrate(at=t(4))
    trade.refuse_refund(at=t(5))
    with pytest.raises(InvalidTransitionError, match="it is arbitration"):
        trade.refuse_refund(at=t(5))
    result = trade.arbitrate(at=t(6), buyer=1, seller=2)
    assert (result.buyer_amount, result.seller_amount) == (CNY("33.33"), CNY("66.67"))
    assert result.buyer_amount + result.seller_amount == result.disputed == CNY("100.00")
    assert result.refund is not None
    assert result.refund.amount == CNY("33.33")
    assert trade.refund_requests[0].status is RequestStatus.ARBITRATED
    assert buyer.balance() == CNY("933.33")
    assert seller.balance() == CNY("66.07")
    trade.ledger.check_invariants()


def test_arbitration_for_the_seller_moves_nothing(trade: EscrowTrade, buyer: Account) -> None:
    paid(trade)
    trade.request_refund("D1", CNY("100.00"), reason=RefundReason.GOODS_NOT_RECEIVED, at=t(2))
    trade.refuse_refund(at=t(3))
    before = balances(trade.ledger)
    with pytest.raises(InvalidAmountError, match="all be zero"):
        trade.arbitrate(at=t(4), buyer=0, seller=0)
    with pytest.raises(TypeError):
        trade.arbitrate(at=t(4), buyer=0.5, seller=1)  # type: ignore[arg-type]
    assert trade.open_request is not None
    assert trade.open_request.status is RequestStatus.ARBITRATION
    result = trade.arbitrate(at=t(4), buyer=0, seller=1)
    assert result.refund is None
    assert result.seller_amount == CNY("100.00")
    assert balances(trade.ledger) == before
    assert trade.refund_requests[0].status is RequestStatus.ARBITRATED


def test_no_request_to_settle(trade: EscrowTrade) -> None:
    paid(trade)
    for settle in (trade.agree_refund, trade.refuse_refund, trade.withdraw_refund_request):
        with pytest.raises(InvalidTransitionError, match="no refund request is open"):
            settle(at=t(2))


def test_full_refund_closes_an_open_request(trade: EscrowTrade) -> None:
    paid(trade)
    trade.request_refund("D1", CNY("10.00"), reason=RefundReason.OTHER, at=t(2))
    trade.refund("R-all", CNY("100.00"), at=t(3))
    assert status(trade) is TradeStatus.TRADE_CLOSED
    assert trade.refund_requests[0].status is RequestStatus.CLOSED


def test_release_listener_runs_atomically(desk: EscrowDesk, trade: EscrowTrade, seller: Account) -> None:
    seen: list[Release] = []

    def refuse(release: Release) -> None:
        seen.append(release)
        raise RuntimeError("bill system down")

    desk.on_release(refuse)
    paid(trade)
    trade.ship(at=t(2))
    with pytest.raises(RuntimeError, match="bill system down"):
        trade.confirm(at=t(3))
    assert seller.balance() == CNY("0")
    assert status(trade) is TradeStatus.WAIT_BUYER_CONFIRM_GOODS
    assert trade.ledger.get_hold("escrow:T1:hold:1").status is HoldStatus.PENDING
    assert len(seen) == 1
    assert seen[0].net == CNY("99.40")
    with pytest.raises(TypeError):
        desk.on_release("not callable")  # type: ignore[arg-type]


def test_desk_never_reuses_out_trade_no(desk: EscrowDesk, trade: EscrowTrade, buyer: Account, seller: Account) -> None:
    trade.cancel(at=t(1, 10, 10))
    same = desk.create(
        "T1", buyer=buyer, seller=seller, amount=CNY("100.00"), goods=GoodsType.PHYSICAL_EXPRESS, at=t(2)
    )
    assert same is trade
    assert same.status is TradeStatus.TRADE_CLOSED
    with pytest.raises(IdempotencyConflictError, match=r"\(of a trade in TRADE_\w+\) .T1. was already used"):
        desk.create("T1", buyer=buyer, seller=seller, amount=CNY("100.01"), goods=GoodsType.VIRTUAL, at=t(2))
    assert desk.get("T1") is trade
    with pytest.raises(NotFoundError):
        desk.get("T2")


def test_create_validation(ledger: Ledger, desk: EscrowDesk, buyer: Account, seller: Account) -> None:
    def create(**changes: object) -> EscrowTrade:
        args: dict[str, object] = {
            "buyer": buyer,
            "seller": seller,
            "amount": CNY("1.00"),
            "goods": GoodsType.VIRTUAL,
            "at": t(1),
        }
        no = str(changes.pop("no", "N1"))
        args.update(changes)
        return desk.create(no, **args)  # type: ignore[arg-type]

    with pytest.raises(InvalidAmountError, match="out_trade_no"):
        create(no="")
    with pytest.raises(InvalidAmountError, match="out_trade_no"):
        create(no="x" * 65)
    with pytest.raises(InvalidAmountError, match="must differ"):
        create(seller=buyer)
    with pytest.raises(InvalidAmountError, match="positive"):
        create(amount=CNY("0"))
    with pytest.raises(InvalidAmountError, match="at most"):
        create(amount=CNY("100000000.01"))
    with pytest.raises(InvalidTimeError, match="15 days"):
        create(timeout="16d")
    with pytest.raises(TypeError):
        create(goods="virtual")
    with pytest.raises(TypeError):
        create(amount="1.00")
    other = Account.open(Ledger(), "x", opened_at=t(1))
    with pytest.raises(InvalidAmountError, match="this desk's ledger"):
        create(buyer=other)
    assert desk.trades() == ()
    with pytest.raises(TypeError):
        EscrowDesk("ledger")  # type: ignore[arg-type]


def test_merchant_category_prices_the_fee(ledger: Ledger, desk: EscrowDesk, buyer: Account) -> None:
    games = Account.open(
        ledger, "games", opened_at=t(1), account_type=AccountType.MERCHANT, merchant_category="virtual_goods"
    )
    trade = desk.create(
        "G1", buyer=buyer, seller=games, amount=CNY("50.00"), goods=GoodsType.AUTO_DELIVERY, at=t(1), timeout="2h"
    )
    trade.pay(at=t(1, 13))
    trade.ship(at=t(1, 14))
    assert trade.confirm(at=t(1, 15)).fee == CNY("0.50")


def test_bad_inputs_are_typed_errors_and_change_nothing(trade: EscrowTrade) -> None:
    paid(trade)
    trade.ship(at=t(2))
    before = (balances(trade.ledger), trade.transitions)
    with pytest.raises(TypeError, match="RefundReason"):
        trade.request_refund("R1", CNY("1.00"), reason="broken", at=t(3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="reason must be a str"):
        trade.refund("R1", CNY("1.00"), at=t(3), reason=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Money"):
        trade.refund("R1", "1.00", at=t(3))  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="CNY"):
        trade.refund("R1", Money("1.00", "USD"), at=t(3))
    with pytest.raises(InvalidTimeError, match="positive timedelta"):
        trade.extend_confirmation(3, at=t(3))  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="naive"):
        trade.confirm(at=datetime(2024, 5, 3))
    with pytest.raises(InvalidAmountError, match="can still refund"):
        trade.request_refund("R1", CNY("100.01"), reason=RefundReason.OTHER, at=t(3))
    assert (balances(trade.ledger), trade.transitions) == before
    assert trade.refund_requests == ()
