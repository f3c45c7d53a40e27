"""SQLite schema 5: an account's postings are a chain (each posting points at the previous entry
posting to its account), not an index; and the guarantees of batched writes on SQLite."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import attrs
import pytest
from tests.unit.ledger.schema3 import write_schema3_file

from antfin import CNY
from antfin.calendar import shanghai
from antfin.errors import ConcurrencyError, InsufficientFundsError, InvariantViolationError
from antfin.ledger import AccountKind, Ledger, MemoryStore, Posting, SQLiteStore
from antfin.ledger.sqlite_schema import SCHEMA_VERSION
from antfin.ledger.store import ChangeSet, Document

AT = shanghai(2024, 1, 1, 9)
ACCOUNTS = ("asset:bank", "wallet:a", "wallet:b", "wallet:c")


def _open(ledger: Ledger) -> None:
    ledger.open_account("asset:bank", AccountKind.ASSET)
    for name in ACCOUNTS[1:]:
        ledger.open_account(name, AccountKind.LIABILITY)


def _book(ledger: Ledger, seed: int, count: int, prefix: str = "") -> None:
    """Transfers in batches and alone, at instants out of order, and entries posting twice to one account."""
    rng = random.Random(seed)
    n = 0
    while n < count:
        with ledger.atomic():
            for _ in range(rng.randint(1, 7)):
                debit, credit = rng.sample(ACCOUNTS, 2)
                at = shanghai(2024, 1, rng.randint(1, 28), 9)
                if rng.random() < 0.2:
                    lines = [
                        Posting.debit(debit, CNY("1.00")),
                        Posting.debit(debit, CNY("2.00")),
                        Posting.credit(credit, CNY("3.00")),
                    ]
                    ledger.post_entry(f"{prefix}e:{n}", lines, at=at)
                else:
                    ledger.transfer(
                        f"{prefix}t:{n}", debit=debit, credit=credit, amount=CNY(rng.randint(1, 900)), at=at
                    )
                n += 1


def _views(ledger: Ledger) -> list[object]:
    store = ledger.store
    instants = [shanghai(2024, 1, day, 9) for day in (1, 5, 14, 28)]
    return [
        (
            [entry.id for entry in store.history(account)],
            [store.balance_at(account, at) for at in instants],
        )
        for account in ACCOUNTS
    ]


def test_history_and_balance_at_follow_the_chains_as_the_memory_store_answers(tmp_path: Path) -> None:
    memory, stored = Ledger(MemoryStore()), Ledger(SQLiteStore(tmp_path / "l.db"))
    for ledger in (memory, stored):
        _open(ledger)
        _book(ledger, 7, 120)
    assert _views(stored) == _views(memory)
    assert any(len(entry.postings) == 3 for entry in stored.store.history("asset:bank"))
    stored.close()
    again = Ledger(SQLiteStore(tmp_path / "l.db"))
    assert _views(again) == _views(memory)
    again.close()


def test_two_stores_writing_one_file_keep_one_chain_per_account(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    first, second = Ledger(SQLiteStore(path)), Ledger(SQLiteStore(path))
    _open(first)
    for n in range(6):  # each store's cached chain ends go stale when the other one commits
        writer = first if n % 3 else second
        with writer.atomic():
            writer.transfer(f"t:{n}", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
            writer.transfer(f"u:{n}", debit="wallet:b", credit="asset:bank", amount=CNY("1.00"), at=AT)
    expected = [f"E{n}" for n in range(1, 13)]
    for ledger in (first, second):
        assert [entry.id for entry in ledger.store.history("asset:bank")] == expected
        assert [entry.id for entry in ledger.store.history("wallet:a")] == expected[0::2]
    first.close()
    second.close()


def test_a_failed_commit_forgets_the_chain_ends_it_had_moved(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "l.db")
    ledger = Ledger(store)
    _open(ledger)
    ledger.transfer("t:1", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)

    def lost_race() -> None:  # the documents fail after the entries' rows are built
        with ledger.atomic():
            ledger.transfer("t:2", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
            ledger.write_documents([Document("note", "n1", 2, "OPEN", None, "{}")])

    with pytest.raises(ConcurrencyError):
        lost_race()
    ledger.transfer("t:3", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
    assert [entry.key for entry in store.history("wallet:a")] == ["t:1", "t:3"]
    with sqlite3.connect(tmp_path / "l.db") as conn:
        assert conn.execute("SELECT last_entry FROM accounts WHERE id = 'wallet:a'").fetchone() == (2,)
        assert conn.execute("SELECT prev_entry FROM postings WHERE entry_seq = 2 AND line = 1").fetchone() == (1,)
    store.close()


def test_a_store_committing_without_totals_still_extends_the_chain(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "l.db")
    ledger = Ledger(store)
    _open(ledger)
    entry = ledger.transfer("t:1", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
    store.commit(ChangeSet(entries=(attrs.evolve(entry, id="E2", key="t:2"),)))
    assert [e.id for e in store.history("wallet:a")] == ["E1", "E2"]
    store.close()


def _downgrade_to_4(path: Path) -> None:
    """What schema 4 kept: no chains, an index of postings by account."""
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE postings DROP COLUMN prev_entry")
        conn.execute("ALTER TABLE accounts DROP COLUMN last_entry")
        conn.execute("CREATE INDEX postings_account ON postings (account, entry_seq)")
        conn.execute("UPDATE meta SET value = '4' WHERE name = 'schema_version'")
    conn.close()


def test_a_schema_4_file_is_migrated_to_chains_and_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    memory, stored = Ledger(MemoryStore()), Ledger(SQLiteStore(path))
    for ledger in (memory, stored):
        _open(ledger)
        _book(ledger, 11, 60)
    stored.close()
    _downgrade_to_4(path)
    migrated = Ledger(SQLiteStore(path))
    assert migrated.store.schema_version == SCHEMA_VERSION  # type: ignore[attr-defined]
    assert _views(migrated) == _views(memory)
    _book(migrated, 12, 30, "more:")  # and it goes on from the migrated chain ends
    _book(memory, 12, 30, "more:")
    assert _views(migrated) == _views(memory)
    migrated.check_invariants()
    migrated.close()
    with sqlite3.connect(path) as conn:
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()
    assert "postings_account" not in indexes


def test_a_schema_3_file_gets_its_chains_through_both_migrations(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    write_schema3_file(path)
    store = SQLiteStore(path)
    assert store.schema_version == SCHEMA_VERSION
    assert [entry.id for entry in store.history("wallet:a")] == ["E1", "E2"]
    assert [entry.id for entry in store.history("wallet:b")] == ["E2"]
    store.close()


@pytest.mark.parametrize("pointer", [3, 4, 99])
def test_a_damaged_chain_cannot_make_a_read_loop(tmp_path: Path, pointer: int) -> None:
    path = tmp_path / "l.db"
    ledger = Ledger(SQLiteStore(path))
    _open(ledger)
    for n in range(3):
        ledger.transfer(f"t:{n}", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
    ledger.close()
    with sqlite3.connect(path) as conn:  # entry 3 points at itself or forward: the chain stops there
        conn.execute("UPDATE postings SET prev_entry = ? WHERE entry_seq = 3", (pointer,))
    conn.close()
    store = SQLiteStore(path)
    assert [entry.id for entry in store.history("wallet:a")] == ["E3"]
    store.close()


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE postings SET prev_entry = NULL WHERE entry_seq = 3",
        "UPDATE accounts SET last_entry = 2 WHERE id = 'wallet:a'",
    ],
)
def test_the_full_check_finds_a_damaged_chain(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "l.db"
    ledger = Ledger(SQLiteStore(path))
    _open(ledger)
    for n in range(3):
        ledger.transfer(f"t:{n}", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
    ledger.check_invariants()
    ledger.close()
    with sqlite3.connect(path) as conn:  # entries hidden from the account's history
        conn.execute(damage)
    conn.close()
    damaged = Ledger(SQLiteStore(path))
    with pytest.raises(InvariantViolationError, match=r"the chain of postings of '(wallet:a|asset:bank)'"):
        damaged.check_invariants()
    damaged.close()


# -- the guarantees of a batch on SQLite ------------------------------------------------


def _funded(path: Path) -> Ledger:
    ledger = Ledger(SQLiteStore(path))
    _open(ledger)
    ledger.transfer("fund", debit="asset:bank", credit="wallet:a", amount=CNY("10.00"), at=AT)
    return ledger


def _state(ledger: Ledger) -> object:
    store = ledger.store
    return store.counts(), store.version, [ledger.balance(a) for a in ACCOUNTS]  # type: ignore[attr-defined]


def test_a_key_repeated_in_one_batch_and_across_batches_and_reopening_is_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    ledger = _funded(path)
    ledger.open_account("wallet:z", AccountKind.LIABILITY, non_negative=True)
    with ledger.atomic():
        first = ledger.transfer("k", debit="wallet:a", credit="wallet:b", amount=CNY("4.00"), at=AT)
        assert ledger.transfer("k", debit="wallet:a", credit="wallet:b", amount=CNY("4.00"), at=AT) is first
    with ledger.atomic():
        again = ledger.transfer("k", debit="wallet:a", credit="wallet:b", amount=CNY("4.00"), at=AT)
        ledger.transfer("k2", debit="wallet:a", credit="wallet:b", amount=CNY("1.00"), at=AT)
    assert again == first
    ledger.close()
    reopened = Ledger(SQLiteStore(path))
    with reopened.atomic():
        assert reopened.transfer("k", debit="wallet:a", credit="wallet:b", amount=CNY("4.00"), at=AT) == first
    assert reopened.balance("wallet:b") == CNY("5.00")
    assert reopened.store.counts() == (5, 3, 0)
    reopened.close()


def test_a_refused_transfer_in_the_middle_of_a_batch_leaves_the_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    ledger = _funded(path)
    ledger.open_account("wallet:n", AccountKind.LIABILITY, non_negative=True)
    before = _state(ledger)

    def batch() -> None:
        with ledger.atomic():
            ledger.transfer("b:1", debit="asset:bank", credit="wallet:n", amount=CNY("1.00"), at=AT)
            ledger.transfer("b:2", debit="wallet:n", credit="wallet:b", amount=CNY("5.00"), at=AT)
            ledger.transfer("b:3", debit="asset:bank", credit="wallet:n", amount=CNY("1.00"), at=AT)  # pragma: no cover

    with pytest.raises(InsufficientFundsError):
        batch()
    assert _state(ledger) == before
    assert ledger.store.key("b:1") is None
    assert [entry.key for entry in ledger.store.history("wallet:n")] == []
    ledger.close()
    reopened = Ledger(SQLiteStore(path))
    assert _state(reopened) == before
    # The keys of the refused batch are free; the chain ends were not moved by it.
    reopened.transfer("b:1", debit="asset:bank", credit="wallet:n", amount=CNY("1.00"), at=AT)
    assert [entry.key for entry in reopened.store.history("wallet:n")] == ["b:1"]
    reopened.close()


def test_a_commit_without_entries_does_not_vouch_for_chain_ends_another_writer_moved(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    first, second = Ledger(SQLiteStore(path)), Ledger(SQLiteStore(path))
    _open(first)
    first.transfer("t:1", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)  # first keeps its ends
    second.transfer("t:2", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)  # and they go stale
    first.open_account("wallet:d", AccountKind.LIABILITY)  # a commit of no entries
    first.transfer("t:3", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
    assert [entry.key for entry in second.store.history("wallet:a")] == ["t:1", "t:2", "t:3"]
    first.close()
    second.close()


@pytest.mark.parametrize("seed", range(4))
def test_chains_agree_with_a_scan_of_the_postings_under_interleaved_writers(tmp_path: Path, seed: int) -> None:
    """Three stores on one file, in a random order: transfers alone and in blocks, commits of no
    entries, commits that fail after their rows are built. Each account's chain must name exactly
    the entries a scan of the postings finds."""
    rng = random.Random(seed)
    path = tmp_path / "l.db"
    ledgers = [Ledger(SQLiteStore(path)) for _ in range(3)]
    _open(ledgers[0])
    opened = list(ACCOUNTS)
    for n in range(60):
        ledger = rng.choice(ledgers)
        roll = rng.random()
        if roll < 0.1:
            opened.append(f"wallet:x{n}")
            ledger.open_account(opened[-1], AccountKind.LIABILITY)
        elif roll < 0.2:

            def lost_race(ledger: Ledger = ledger, n: int = n) -> None:
                with ledger.atomic():
                    ledger.transfer(f"lost:{n}", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
                    ledger.write_documents([Document("note", f"n{n}", 2, "OPEN", None, "{}")])

            with pytest.raises(ConcurrencyError):
                lost_race()
        else:
            with ledger.atomic():
                for m in range(rng.randint(1, 4)):
                    debit, credit = rng.sample(opened, 2)
                    ledger.transfer(f"t:{n}:{m}", debit=debit, credit=credit, amount=CNY("1.00"), at=AT)
    for ledger in ledgers:
        ledger.close()
    store = SQLiteStore(path)
    with sqlite3.connect(path) as conn:
        for account in opened:
            scanned = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT entry_seq FROM postings WHERE account = ? ORDER BY entry_seq", (account,)
                )
            ]
            assert [int(entry.id[1:]) for entry in store.history(account)] == scanned, account
    conn.close()
    store.close()
