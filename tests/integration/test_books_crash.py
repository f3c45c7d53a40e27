"""A program killed with SIGKILL in the middle of a product operation leaves ledger and products both before or after.

A child process runs the books of a shop: each transaction creates and pays an
escrow trade (a product state change and a ledger hold), ships the previous
one and confirms the one before (a release: the seller paid, the fee booked),
and reports each commit on stdout. The parent kills it at an arbitrary
instant, many times over, reopens the file and checks: every stored trade
agrees with the ledger (its hold, its release), the trades are exactly those
of whole transactions, nothing is half-applied, and the books take new work.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from antfin import CNY, Books
from antfin.calendar import shanghai
from antfin.payments import TradeStatus

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")

CHILD = """
import sys
from datetime import timedelta
from antfin import Books, CNY
from antfin.calendar import shanghai
from antfin.payments import AccountType, GoodsType

books = Books.open(sys.argv[1])
start = shanghai(2024, 3, 1, 9)
with books.transaction() as tx:
    if "shop" not in tx.accounts:
        tx.accounts.open("shop", opened_at=start, account_type=AccountType.MERCHANT)
        buyer = tx.accounts.open("buyer", opened_at=start)
        buyer.link_card("C1", at=start)
        buyer.top_up("salary", card="C1", amount=CNY("1000000.00"), at=start)
    n = len(tx.escrow.ids())
while True:
    at = start + timedelta(minutes=n)
    with books.transaction() as tx:
        shop, buyer = tx.accounts.get("shop"), tx.accounts.get("buyer")
        trade = tx.escrow.create(f"T{n:06d}", buyer=buyer, seller=shop, amount=CNY("10.00"),
                                 goods=GoodsType.PHYSICAL_EXPRESS, at=at, timeout="1d")
        trade.pay(at=at)
        if n >= 1:
            tx.escrow.get(f"T{n - 1:06d}").ship(at=at)
        if n >= 2:
            tx.escrow.get(f"T{n - 2:06d}").confirm(at=at)
    n += 1
    print(n, flush=True)
"""


def test_sigkill_mid_operation_leaves_whole_transactions(tmp_path: Path, run_and_kill: Callable[..., int]) -> None:
    path = tmp_path / "shop.db"
    rng = random.Random(2016)
    reported = 0
    for _trial in range(12):
        reported = max(reported, run_and_kill(CHILD, (str(path),), rng, (1, 5), 0.03))
        with Books.open(path) as books:
            books.check()  # every trade agrees with its hold and release in the ledger
            with books.read() as tx:
                trades = tx.escrow.ids()
                n = len(trades)
                assert trades == tuple(f"T{i:06d}" for i in range(n))  # whole transactions only
                assert n >= reported
                statuses = [tx.escrow.get(no).status for no in trades]
                expected = [TradeStatus.TRADE_SUCCESS] * max(0, n - 2) + [
                    TradeStatus.WAIT_BUYER_CONFIRM_GOODS,
                    TradeStatus.WAIT_SELLER_SEND_GOODS,
                ][-min(n, 2) :]
                assert statuses == expected[-n:] if n else statuses == []
                released = CNY("10.00") * max(0, n - 2)
                fees = sum((tx.escrow.get(no).fee for no in trades[: max(0, n - 2)]), CNY.zero())
                assert tx.ledger.balance("wallet:shop") == released - fees
                assert tx.ledger.available("wallet:buyer") == CNY("1000000.00") - CNY("10.00") * n
    assert reported > 0
    with Books.open(path) as books, books.transaction() as tx:  # and the books take new work
        at = shanghai(2024, 6, 1)
        last = tx.escrow.ids()[-1]
        trade = tx.escrow.get(last)
        if trade.status is TradeStatus.WAIT_SELLER_SEND_GOODS:
            trade.ship(at=at)
        trade.confirm(at=at)
