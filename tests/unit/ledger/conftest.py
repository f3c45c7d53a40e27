"""Fixtures for the ledger unit tests: a funded ledger on each store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from antfin.calendar import shanghai
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.money import CNY


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A ledger with a bank, two funded wallets (100 and 50 yuan), a merchant, revenue, a USD account."""
    if request.param == "memory":
        book = Ledger()
    elif request.param == "sqlite":
        book = Ledger(SQLiteStore(tmp_path / "ledger.db"))
    else:
        from antfin.ledger.postgres import PostgresStore

        schema = request.getfixturevalue("postgres_schema")
        book = Ledger(PostgresStore(request.getfixturevalue("postgres_url"), schema=schema))
    at = shanghai(2024, 1, 1, 9)
    book.open_account("asset:bank", AccountKind.ASSET)
    book.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
    book.open_account("wallet:bob", AccountKind.LIABILITY, non_negative=True)
    book.open_account("wallet:merchant", AccountKind.LIABILITY, non_negative=True)
    book.open_account("revenue:fee", AccountKind.REVENUE)
    book.open_account("asset:usd", AccountKind.ASSET, currency="USD")
    book.transfer("fund:alice", debit="asset:bank", credit="wallet:alice", amount=CNY("100.00"), at=at)
    book.transfer("fund:bob", debit="asset:bank", credit="wallet:bob", amount=CNY("50.00"), at=at)
    yield book
    book.close()


Snapshot = Callable[[Ledger], tuple[Any, ...]]


def _snapshot(book: Ledger) -> tuple[Any, ...]:
    """Balances, pending amounts, accounts, entries, holds, and what the store holds."""
    state = book.store.load()  # type: ignore[attr-defined]
    return (
        tuple((a, book.balance(a.id), book.pending(a.id), book.incoming(a.id)) for a in book.accounts()),
        book.entries(),
        tuple((h, h.status) for h in book.holds()),
        book.trial_balance(),
        len(state.accounts),
        state.entries,
        tuple(sorted((h.id, h.status.value) for h in state.holds)),
        tuple(sorted(k.key for k in state.keys)),
    )


@pytest.fixture
def snapshot() -> Snapshot:
    """A function that captures everything a ledger and its store show."""
    return _snapshot


@pytest.fixture
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """``make(kind)``: a new store of ``kind`` (``"sqlite"`` or ``"postgres"``) over the same data each time, closed
    at the end of the test (the PostgreSQL one in this test's own schema)."""
    stores: list[Any] = []

    def make(kind: str) -> Any:
        store: Any
        if kind == "sqlite":
            store = SQLiteStore(tmp_path / "store.db")
        elif kind == "postgres":
            from antfin.ledger.postgres import PostgresStore

            schema = request.getfixturevalue("postgres_schema")
            store = PostgresStore(request.getfixturevalue("postgres_url"), schema=schema)
        else:
            raise ValueError(f"no store kind {kind!r}")
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()
