"""The ledger as a cache over its store: opening reads nothing per entry or key, accounts carry
their running totals, old files are migrated, forged rows are refused on loading."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.unit.ledger.schema3 import write_schema3_file

from antfin import CNY
from antfin.calendar import shanghai
from antfin.errors import InsufficientFundsError, InvariantViolationError, SchemaError
from antfin.ledger import AccountKind, HoldStatus, Ledger, MemoryStore, SQLiteStore
from antfin.ledger.sqlite import SCHEMA_VERSION

AT = shanghai(2024, 1, 1, 9)


class _NoBulkReads:
    """Fails the test if the ledger asks its store for everything (``load``, all entries, keys or holds)."""

    bulk = ("load", "entries", "holds", "accounts", "history")

    def __getattribute__(self, name: str) -> Any:
        if name in type(self).bulk and object.__getattribute__(self, "strict"):

            def refuse(*args: Any) -> Any:
                raise AssertionError(f"the ledger asked the store for {name}()")

            return refuse
        return super().__getattribute__(name)


class _StrictMemory(_NoBulkReads, MemoryStore):
    strict = False


class _StrictSQLite(_NoBulkReads, SQLiteStore):
    strict = False


def _fill(ledger: Ledger) -> None:
    ledger.open_account("asset:bank", AccountKind.ASSET)
    for name in ("wallet:a", "wallet:b"):
        ledger.open_account(name, AccountKind.LIABILITY, non_negative=True)
    for n in range(50):
        ledger.transfer(f"fund:{n}", debit="asset:bank", credit="wallet:a", amount=CNY("2.00"), at=AT)
    ledger.hold("h1", debit="wallet:a", credit="wallet:b", amount=CNY("10.00"), at=AT, expires_at=shanghai(2024, 1, 3))
    ledger.hold("h2", debit="wallet:a", credit="wallet:b", amount=CNY("5.00"), at=AT)
    ledger.post_hold("h2:post", "h2", at=AT)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_reopening_reads_no_entry_or_key_and_gives_the_same_ledger(kind: str, tmp_path: Path) -> None:
    store: Any = _StrictMemory() if kind == "memory" else _StrictSQLite(tmp_path / "l.db")
    first = Ledger(store)
    _fill(first)
    expected = (first.balance("wallet:a"), first.available("wallet:a"), first.pending("wallet:a"), first.counts())
    if kind == "sqlite":
        store.close()
        store = _StrictSQLite(tmp_path / "l.db")
    store.strict = True
    again = Ledger(store)
    assert again._accounts == {}  # nothing cached on opening
    got = (again.balance("wallet:a"), again.available("wallet:a"), again.pending("wallet:a"), again.counts())
    assert got == expected
    assert again.key_used("fund:7")
    assert not again.key_used("fund:77")
    assert again.transfer("fund:7", debit="asset:bank", credit="wallet:a", amount=CNY("2.00"), at=AT).id == "E8"
    assert again.get_hold("h1").status is HoldStatus.PENDING
    assert [h.id for h in again.expire_holds(shanghai(2024, 1, 3))] == ["h1"]
    assert again.transfer("next", debit="wallet:a", credit="wallet:b", amount=CNY("1.00"), at=AT).id == "E52"
    assert again.available("wallet:a") == CNY("94.00")
    with pytest.raises(InsufficientFundsError):
        again.transfer("too-much", debit="wallet:a", credit="wallet:b", amount=CNY("95.00"), at=AT)
    assert set(again._accounts) <= {"asset:bank", "wallet:a", "wallet:b"}  # only what was used
    store.strict = False
    again.check_invariants()
    store.close()


def test_the_running_totals_are_stored_with_the_entries(tmp_path: Path) -> None:
    ledger = Ledger(SQLiteStore(tmp_path / "l.db"))
    _fill(ledger)
    ledger.close()
    conn = sqlite3.connect(tmp_path / "l.db")
    row = conn.execute(
        "SELECT debits, credits, debits_pending, credits_pending FROM accounts WHERE id = 'wallet:a'"
    ).fetchone()
    conn.close()
    assert row == (500, 10000, 1000, 0)


def test_a_schema_3_file_is_migrated_with_totals_from_postings_and_pending_holds(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    write_schema3_file(path)
    store = SQLiteStore(path)
    assert store.schema_version == SCHEMA_VERSION == 7
    assert store.account("wallet:a") == (store.account("wallet:a")[0], (3000, 10000, 2000, 0))  # type: ignore[index]
    ledger = Ledger(store)
    assert ledger.balance("wallet:a") == CNY("70.00")
    assert ledger.available("wallet:a") == CNY("50.00")
    assert ledger.incoming("wallet:b") == CNY("20.00")
    assert ledger.balance("wallet:b") == CNY("30.00")
    assert ledger.balance("wallet:a", at=shanghai(2024, 1, 1, 12)) == CNY("100.00")
    # The migration indexes entries by instant: daily balances read only what came later.
    before, noon = shanghai(2023, 12, 31), shanghai(2024, 1, 1, 12)
    assert ledger.balances_at(["wallet:a"], [before, noon]) == (CNY("0"), ledger.balance("wallet:a", at=noon))
    assert ledger.key_used("fund")
    assert ledger.key_used("h2")
    replay = ledger.transfer("fund", debit="asset:bank", credit="wallet:a", amount=CNY("100.00"), at=AT)
    assert replay.id == "E1"
    assert [h.id for h in ledger.expire_holds(shanghai(2024, 1, 5))] == ["h2"]
    assert ledger.transfer("t3", debit="wallet:a", credit="wallet:b", amount=CNY("70.00"), at=AT).id == "E3"
    ledger.check_invariants()
    ledger.close()


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    rows = list(conn.iterdump())
    conn.close()
    return rows


def _forge(path: Path, statement: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("UPDATE accounts SET debits = 20000 WHERE id = 'wallet:a'", InvariantViolationError),
        ("UPDATE accounts SET debits_pending = 20000 WHERE id = 'wallet:a'", InvariantViolationError),
        ("UPDATE accounts SET debits = 'lots' WHERE id = 'wallet:a'", SchemaError),
        ("UPDATE accounts SET credits = -1 WHERE id = 'wallet:a'", SchemaError),
        ("UPDATE accounts SET currency = 'XQQ' WHERE id = 'wallet:a'", SchemaError),
        ("UPDATE accounts SET kind = 'dream' WHERE id = 'wallet:a'", SchemaError),
        ("UPDATE accounts SET credits = 1.5 WHERE id = 'wallet:a'", SchemaError),
    ],
)
def test_a_forged_account_row_is_refused_on_loading_and_nothing_is_written(
    tmp_path: Path, statement: str, error: type[Exception]
) -> None:
    path = tmp_path / "l.db"
    ledger = Ledger(SQLiteStore(path))
    _fill(ledger)
    ledger.close()
    _forge(path, statement)
    before = _dump(path)
    again = Ledger(SQLiteStore(path))  # opening reads no account
    with pytest.raises(error):
        again.balance("wallet:a")
    with pytest.raises(error):
        again.transfer("t", debit="wallet:a", credit="wallet:b", amount=CNY("1.00"), at=AT)
    assert again.balance("wallet:b") == CNY("5.00")  # the other accounts still load
    again.close()
    assert _dump(path) == before


def test_a_failed_commit_leaves_the_cache_as_it_was(tmp_path: Path) -> None:
    ledger = Ledger(SQLiteStore(tmp_path / "l.db"))
    _fill(ledger)
    conn = sqlite3.connect(tmp_path / "l.db")
    conn.execute("CREATE TRIGGER no_more BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'full'); END")
    conn.commit()
    conn.close()
    before = (ledger.balance("wallet:a"), ledger.balance("wallet:b"), ledger.counts())
    with pytest.raises(Exception, match="full"):
        ledger.transfer("t", debit="wallet:a", credit="wallet:b", amount=CNY("1.00"), at=AT)
    assert (ledger.balance("wallet:a"), ledger.balance("wallet:b"), ledger.counts()) == before
    ledger.check_invariants()
    ledger.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_balances_at_many_instants_equal_balance_as_of_each(kind: str, tmp_path: Path) -> None:
    store: Any = _StrictMemory() if kind == "memory" else _StrictSQLite(tmp_path / "l.db")
    ledger = Ledger(store)
    ledger.open_account("asset:bank", AccountKind.ASSET)
    for name in ("wallet:a", "wallet:b"):
        ledger.open_account(name, AccountKind.LIABILITY, non_negative=True)
    days = [shanghai(2024, 3, day, 9) for day in (5, 1, 3, 2, 4)]  # booked out of time order on purpose
    for n, at in enumerate(days):
        ledger.transfer(f"in:{n}", debit="asset:bank", credit="wallet:a", amount=CNY(f"{n + 1}.00"), at=at)
        ledger.transfer(f"move:{n}", debit="wallet:a", credit="wallet:b", amount=CNY("0.50"), at=at)
    instants = [shanghai(2024, 2, 29), *(shanghai(2024, 3, day, 23) for day in range(1, 7))]
    store.strict = True  # no scan of the history: the index of entries by instant
    with ledger.atomic():  # what the block books is seen too
        ledger.transfer("late", debit="asset:bank", credit="wallet:b", amount=CNY("9.00"), at=shanghai(2024, 3, 4, 10))
        summed = ledger.balances_at(["wallet:a", "wallet:b"], instants)
        store.strict = False
        expected = tuple(ledger.balance("wallet:a", at=at) + ledger.balance("wallet:b", at=at) for at in instants)
    assert summed == expected
    assert summed[0] == CNY("0")
    assert summed[-1] == CNY("24.00")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_balances_equal_balance_of_each_and_leave_out_unknown_accounts(kind: str, tmp_path: Path) -> None:
    ledger = Ledger(MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "l.db"))
    _fill(ledger)
    with ledger.atomic():  # what the block books is seen too
        ledger.transfer("t-more", debit="wallet:a", credit="wallet:b", amount=CNY("1.25"), at=AT)
        found = ledger.balances(["asset:bank", "wallet:a", "nobody", "wallet:b", "wallet:a"])
        assert found == {name: ledger.balance(name) for name in ("asset:bank", "wallet:a", "wallet:b")}
    assert list(found) == ["asset:bank", "wallet:a", "wallet:b"]
