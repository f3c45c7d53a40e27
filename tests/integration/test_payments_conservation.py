"""Random operation sequences on many escrow trades conserve money and never leave a wallet negative.

A simple reference model, computed from each trade's own figures, predicts every
wallet and revenue balance: before release the buyer's money only sits on hold;
on release it moves to the seller, who pays the fee; refunds after release move
back from the seller, with any returned fee coming back from revenue.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.ecosystem import ProfitPoint
from antfin.errors import AntfinError
from antfin.ledger import HoldStatus, Ledger
from antfin.money import CNY, Money
from antfin.payments import (
    BANK_SETTLEMENT,
    Account,
    AccountType,
    EscrowDesk,
    EscrowPolicy,
    EscrowTrade,
    GoodsType,
    RealNameLevel,
    RefundReason,
    RefundStage,
)

START = shanghai(2024, 3, 1, 9)
FEES = ProfitPoint.ALIPAY_ACQUIRING_COMMISSION.account_id

# Weighted: the money-moving steps come up more often than cancellations.
OPS = (
    *("create",) * 3,
    *("pay",) * 3,
    *("ship",) * 2,
    "confirm",
    *("refund",) * 2,
    "request",
    "agree",
    "refuse",
    "withdraw",
    "arbitrate",
    "cancel",
    "extend",
    *("wait",) * 2,
)

operation = st.tuples(
    st.sampled_from(OPS),
    st.integers(min_value=0, max_value=7),  # trade / account selector
    st.integers(min_value=1, max_value=40_000),  # an amount in fen
    st.integers(min_value=0, max_value=3),  # a weight
    st.sampled_from(
        (1, 30, 24 * 60, 4 * 24 * 60, 11 * 24 * 60, 31 * 24 * 60, 95 * 24 * 60, 200 * 24 * 60)
    ),  # minutes to wait
)


class World:
    def __init__(self, returns_fee: bool) -> None:
        self.ledger = Ledger()
        self.buyers = [
            self._user(f"b{i}", level, top_up)
            for i, (level, top_up) in enumerate(
                [
                    (RealNameLevel.CLASS_I, "800.00"),
                    (RealNameLevel.CLASS_II, "300.00"),
                    (RealNameLevel.CLASS_III, "50.00"),
                ]
            )
        ]
        self.sellers = [
            Account.open(self.ledger, "s0", opened_at=START, account_type=AccountType.MERCHANT),
            Account.open(
                self.ledger, "s1", opened_at=START, account_type=AccountType.MERCHANT, merchant_category="virtual_goods"
            ),
        ]
        self.desk = EscrowDesk(self.ledger, EscrowPolicy(refund_returns_fee=returns_fee))
        self.now = START
        self.counter = 0

    def _user(self, name: str, level: RealNameLevel, amount: str) -> Account:
        account = Account.open(self.ledger, name, opened_at=START, level=level)
        account.link_card("C", at=START)
        account.top_up("seed", card="C", amount=CNY(amount), at=START)
        return account

    def trade(self, index: int) -> EscrowTrade | None:
        trades = [t for t in self.desk.trades() if not t.status.is_final] or list(self.desk.trades())
        return trades[-1 - index % len(trades)] if trades else None

    def key(self) -> str:
        self.counter += 1
        return f"K{self.counter}"

    def apply(self, op: str, index: int, fen: int, weight: int, minutes: int) -> None:
        self.now += timedelta(minutes=1)
        amount = Money.from_minor_units(fen)
        if op == "wait":
            self.now += timedelta(minutes=minutes)
            self.desk.advance_to(self.now)
            return
        if op == "create":
            self.desk.create(
                self.key(),
                buyer=self.buyers[index % 3],
                seller=self.sellers[index % 2],
                amount=amount,
                goods=list(GoodsType)[index % 4],
                at=self.now,
                timeout=("15m", "2h", "1c", "3d")[weight],
            )
            return
        trade = self.trade(index)
        if trade is None:
            return
        now = self.now
        # a refund of up to everything refundable, or one fen more (refused)
        refund = Money.from_minor_units(1 + fen % (trade.refundable.minor_units + 1))
        actions: dict[str, Callable[[], object]] = {
            "pay": lambda: trade.pay(at=now),
            "ship": lambda: trade.ship(at=now),
            "confirm": lambda: trade.confirm(at=now),
            "refund": lambda: trade.refund(self.key(), refund, at=now),
            "request": lambda: trade.request_refund(self.key(), refund, reason=RefundReason.OTHER, at=now),
            "agree": lambda: trade.agree_refund(at=now),
            "refuse": lambda: trade.refuse_refund(at=now),
            "withdraw": lambda: trade.withdraw_refund_request(at=now),
            "arbitrate": lambda: trade.arbitrate(at=now, buyer=weight, seller=3 - weight),
            "cancel": lambda: trade.cancel(at=now),
            "extend": lambda: trade.extend_confirmation(timedelta(hours=weight + 1), at=now),
        }
        # refused operations are part of the game; they must change nothing (checked in the test)
        with contextlib.suppress(AntfinError):
            actions[op]()

    def check(self) -> None:
        ledger = self.ledger
        ledger.check_invariants()
        wallets = [*self.buyers, *self.sellers]
        revenue = ledger.balance(FEES) if ledger.has_account(FEES) else CNY.zero()
        # conservation: what came in from the banks is in wallets or revenue
        assert sum((w.balance() for w in wallets), CNY.zero()) + revenue == ledger.balance(BANK_SETTLEMENT)
        for wallet in wallets:
            assert not wallet.balance().is_negative()
            assert not wallet.available().is_negative()
        expected = {w.account_id: w.balance() - w.balance() for w in wallets}
        held = {w.account_id: CNY.zero() for w in wallets}
        fees = CNY.zero()
        for trade in self.desk.trades():
            after = sum((r.amount for r in trade.refunds if r.stage is RefundStage.FROM_SELLER), CNY.zero())
            before = sum((r.amount for r in trade.refunds if r.stage is RefundStage.FROM_ESCROW), CNY.zero())
            returned = sum((r.fee_returned for r in trade.refunds), CNY.zero())
            assert trade.refunded == before + after
            assert trade.refunded <= trade.paid
            assert trade.in_escrow == trade.paid - trade.released - before
            if trade.hold_id is not None:
                hold = ledger.get_hold(trade.hold_id)
                assert hold.status is HoldStatus.PENDING
                assert hold.amount == trade.in_escrow
            else:
                assert trade.in_escrow.is_zero()
            expected[trade.buyer.account_id] -= trade.released - after
            held[trade.buyer.account_id] += trade.in_escrow
            release_fee = trade.fee + returned
            expected[trade.seller.account_id] += trade.released - release_fee + returned - after
            fees += release_fee - returned
        for buyer, top_up in zip(self.buyers, ("800.00", "300.00", "50.00"), strict=True):
            assert buyer.balance() == CNY(top_up) + expected[buyer.account_id]
            assert buyer.available() == buyer.balance() - held[buyer.account_id]
        for seller in self.sellers:
            assert seller.balance() == expected[seller.account_id]
        assert revenue == fees
        pending = {hold.id for hold in ledger.holds(HoldStatus.PENDING)}
        assert pending == {t.hold_id for t in self.desk.trades() if t.hold_id is not None}


@settings(max_examples=100)
@given(ops=st.lists(operation, min_size=1, max_size=60), returns_fee=st.booleans())
def test_random_operations_conserve_money(ops: list[tuple[str, int, int, int, int]], returns_fee: bool) -> None:
    world = World(returns_fee)
    for op in ops:
        balances = {a.id: (world.ledger.balance(a.id), world.ledger.available(a.id)) for a in world.ledger.accounts()}
        trades = [(t.status, len(t.transitions), t.refunded) for t in world.desk.trades()]
        world.apply(*op)
        world.check()
        if op[0] not in ("wait", "create"):
            # time-driven changes aside, a refused operation changed nothing: if no transition was recorded,
            # no money moved either
            after = [(t.status, len(t.transitions), t.refunded) for t in world.desk.trades()]
            if after == trades:
                now = {
                    a.id: (world.ledger.balance(a.id), world.ledger.available(a.id)) for a in world.ledger.accounts()
                }
                assert {k: v for k, v in now.items() if k in balances} == balances
