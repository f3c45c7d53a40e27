"""Many holds by id in one read of the store: what get_hold gives for each, on every store, in and out of a block."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from antfin.calendar import shanghai
from antfin.errors import InvariantViolationError, NotFoundError
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.ledger.store import LedgerStore
from antfin.money import CNY

AT = shanghai(2024, 1, 2, 9)


def _holds(ledger: Ledger, count: int, prefix: str = "h") -> list[str]:
    keys = [f"{prefix}{n}" for n in range(count)]
    with ledger.atomic():
        for key in keys:
            ledger.hold(key, debit="wallet:alice", credit="wallet:merchant", amount=CNY("0.01"), at=AT)
    return keys


def test_the_holds_come_in_the_order_asked_as_get_hold_gives_them(ledger: Ledger) -> None:
    keys = _holds(ledger, 3)
    ledger.post_hold("post:h1", "h1", at=AT)
    asked = ["h2", "h0", "h1", "h2"]
    assert ledger.get_holds(asked) == tuple(ledger.get_hold(key) for key in asked)
    assert ledger.get_holds([]) == ()
    assert [hold.status.value for hold in ledger.get_holds(keys)] == ["pending", "posted", "pending"]


def test_an_unknown_id_is_not_found(ledger: Ledger) -> None:
    _holds(ledger, 2)
    cases: list[list[Any]] = [["h0", "missing"], ["h1", 7], ["h0", "\ud800"]]  # 7: not text, as get_hold(7)
    for asked in cases:
        with pytest.raises(NotFoundError, match="no hold"):
            ledger.get_holds(asked)


def test_a_block_sees_the_holds_it_made_and_changed(ledger: Ledger) -> None:
    _holds(ledger, 2)
    with ledger.atomic():
        ledger.hold("new", debit="wallet:bob", credit="wallet:merchant", amount=CNY("1.00"), at=AT)
        ledger.void_hold("void:h0", "h0", at=AT)
        found = ledger.get_holds(["h0", "new", "h1"])
        assert [(hold.id, hold.status.value) for hold in found] == [
            ("h0", "voided"),
            ("new", "pending"),
            ("h1", "pending"),
        ]


def test_the_store_reads_many_ids_together(tmp_path: Path) -> None:
    """More ids than one statement takes: every hold is found, and each statement reads a chunk."""
    store = SQLiteStore(tmp_path / "many.db")
    ledger = Ledger(store)
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:alice", AccountKind.LIABILITY)
    ledger.open_account("wallet:merchant", AccountKind.LIABILITY)
    keys = _holds(ledger, 1_201)
    reads: list[str] = []
    store._conn.set_trace_callback(reads.append)
    found = ledger.get_holds([*reversed(keys), "missing-one"][:-1])
    store._conn.set_trace_callback(None)
    assert [hold.id for hold in found] == keys[::-1]
    assert len([read for read in reads if read.startswith("SELECT id, record FROM holds")]) == 3
    assert store.holds_by_id(["h5", "nope", "h5"]).keys() == {"h5"}
    ledger.close()


def test_every_store_reads_holds_by_id(ledger: Ledger) -> None:
    _holds(ledger, 3)
    store: LedgerStore = ledger._store
    found = store.holds_by_id(["h2", "h0", "nope", "\ud800"])
    assert sorted(found) == ["h0", "h2"]
    assert found["h2"] == ledger.get_hold("h2")


def test_a_stored_hold_that_names_another_hold_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forged.db"
    ledger = Ledger(SQLiteStore(path))
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:alice", AccountKind.LIABILITY)
    ledger.open_account("wallet:merchant", AccountKind.LIABILITY)
    _holds(ledger, 2)
    ledger.close()
    with sqlite3.connect(path) as conn:  # h1's row now carries h0's record
        conn.execute("UPDATE holds SET record = (SELECT record FROM holds WHERE id = 'h0') WHERE id = 'h1'")
    conn.close()
    reopened = Ledger(SQLiteStore(path))
    with pytest.raises(InvariantViolationError, match="'h1' describes hold 'h0'"):
        reopened.get_holds(["h0", "h1"])
    with pytest.raises(InvariantViolationError, match="'h1' describes hold 'h0'"):
        reopened.get_hold("h1")
    assert reopened.get_holds(["h0"])[0].id == "h0"
    reopened.close()
