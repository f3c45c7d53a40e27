"""An account named by a trade is read only when it is used beyond its id (:mod:`antfin.books.references`)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from antfin import CNY, Books
from antfin.books.references import is_pending
from antfin.calendar import shanghai
from antfin.errors import DetachedError, InvariantViolationError, SerializationError
from antfin.payments import Account, AccountType, GoodsType, TradeStatus

DAY = shanghai(2024, 3, 1, 9)


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A books file with one paid and shipped trade between ann and a tea shop."""
    path = tmp_path / "shop.db"
    with Books.open(path) as books, books.transaction() as tx:
        tea = tx.accounts.open("tea-shop", opened_at=DAY, account_type=AccountType.MERCHANT)
        ann = tx.accounts.open("ann", opened_at=DAY)
        ann.link_card("C1", at=DAY)
        ann.top_up("top-up-1", card="C1", amount=CNY("500.00"), at=DAY)
        trade = tx.escrow.create("T1", buyer=ann, seller=tea, amount=CNY("40.00"), goods=GoodsType.VIRTUAL, at=DAY)
        trade.pay(at=DAY + timedelta(minutes=1))
        trade.ship(at=DAY + timedelta(hours=1))
    return path


def _versions(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, version FROM documents WHERE kind = 'account'").fetchall()
    conn.close()
    return dict(rows)


def test_confirming_a_trade_does_not_load_or_rewrite_its_buyer(shipped: Path) -> None:
    before = _versions(shipped)
    with Books.open(shipped) as books:
        with books.transaction() as tx:
            trade = tx.escrow.get("T1")
            assert is_pending(trade.buyer)
            trade.confirm(at=DAY + timedelta(days=1))
            assert trade.status is TradeStatus.TRADE_SUCCESS
            assert is_pending(trade.buyer)  # the wallet follows from the id: the account was never read
            assert not is_pending(trade.seller)  # the acquiring fee needs the seller's merchant category
        with books.transaction() as tx:
            assert tx.ledger.balance("wallet:ann") == CNY("460.00")
            assert tx.escrow.get("T1").status is TradeStatus.TRADE_SUCCESS
    assert _versions(shipped) == before  # neither account changed, so neither was written


def test_a_pending_account_is_the_one_the_repository_gives_and_loads_at_first_use(shipped: Path) -> None:
    with Books.open(shipped) as books, books.transaction() as tx:
        buyer = tx.escrow.get("T1").buyer
        assert tx.accounts.get("ann") is buyer  # one object per id per transaction
        assert buyer.cards == ("C1",)
        assert type(buyer) is Account
        assert not is_pending(buyer)
        assert "ann" in tx.accounts.ids("USER")


def test_a_pending_account_refuses_use_after_its_transaction(shipped: Path) -> None:
    with Books.open(shipped) as books:
        with books.transaction() as tx:
            buyer = tx.escrow.get("T1").buyer
        with pytest.raises(DetachedError):
            _ = buyer.cards


def test_a_forged_account_is_refused_at_its_first_use_and_nothing_is_written(shipped: Path) -> None:
    with sqlite3.connect(shipped) as conn:
        (body,) = conn.execute("SELECT body FROM documents WHERE kind = 'account' AND id = 'ann'").fetchone()
        data = json.loads(body)
        data["_withdrawn"] = -5  # no API reaches a negative withdrawn total
        conn.execute("UPDATE documents SET body = ? WHERE kind = 'account' AND id = 'ann'", (json.dumps(data),))
    conn.close()
    refused = (SerializationError, InvariantViolationError)
    with Books.open(shipped) as books:
        with books.transaction() as tx:
            trade = tx.escrow.get("T1")  # the trade itself is sound; its buyer's document is found, not yet read
            with pytest.raises(refused):
                _ = trade.buyer.cards
            with pytest.raises(refused):  # still refused: never a live object
                _ = trade.buyer.account_type
            with pytest.raises(refused):
                tx.accounts.get("ann").available()
        with pytest.raises(refused):
            books.check()
        with books.transaction() as tx:
            assert tx.ledger.balance("wallet:ann") == CNY("500.00")


def test_a_pending_account_does_not_keep_its_transaction_alive(shipped: Path) -> None:
    import gc
    import weakref

    from antfin.books import references

    with Books.open(shipped) as books:
        with books.transaction() as tx:
            trade = tx.escrow.get("T1")
            assert is_pending(trade.buyer)
            watched = weakref.ref(tx)
        del tx, trade
        gc.collect()
        assert watched() is None  # the transaction, its repositories and what they loaded are gone
        assert len(references._LOADERS) == 0
