"""What the ledger does when calls succeed: replays, holds, expiry, queries, batches, stores."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.errors import AntfinError, IdempotencyConflictError, InsufficientFundsError, InvalidAmountError
from antfin.ledger import (
    AccountKind,
    EntryOp,
    HoldOp,
    HoldStatus,
    Ledger,
    MemoryStore,
    OpenAccountOp,
    PostHoldOp,
    Posting,
    ReverseOp,
    SharedLedgerStore,
    SQLiteStore,
    TransferOp,
    VoidHoldOp,
)
from antfin.money import CNY, Money

AT = shanghai(2024, 1, 2, 10)


def test_replay_returns_the_first_result_without_a_second_effect(ledger: Ledger) -> None:
    first = ledger.transfer("t:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("7.00"), at=AT)
    again = ledger.transfer(
        "t:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("7.00"), at=shanghai(2024, 2, 1), memo="retry"
    )
    assert again == first
    assert ledger.balance("wallet:alice") == CNY("93.00")
    assert len(ledger.entries()) == 3


def test_hold_posted_in_part_releases_the_rest(ledger: Ledger) -> None:
    ledger.hold("h", debit="wallet:alice", credit="wallet:merchant", amount=CNY("40.00"), at=AT)
    assert ledger.available("wallet:alice") == CNY("60.00")
    assert ledger.incoming("wallet:merchant") == CNY("40.00")
    entry = ledger.post_hold("h:post", "h", at=AT, amount=CNY("25.50"))
    hold = ledger.get_hold("h")
    assert (hold.status, hold.posted_amount, hold.entry_id, hold.resolved_at) == (
        HoldStatus.POSTED,
        CNY("25.50"),
        entry.id,
        AT,
    )
    assert entry.hold_id == "h"
    assert ledger.balance("wallet:alice") == ledger.available("wallet:alice") == CNY("74.50")
    assert ledger.balance("wallet:merchant") == CNY("25.50")
    assert ledger.pending("wallet:alice") == ledger.incoming("wallet:merchant") == CNY("0")


def test_expiry_is_deterministic_and_oldest_first(ledger: Ledger) -> None:
    ledger.hold("h:late", debit="wallet:alice", credit="wallet:merchant", amount=CNY("1"), at=AT,
                expires_at=shanghai(2024, 1, 4))  # fmt: skip
    ledger.hold("h:early", debit="wallet:alice", credit="wallet:merchant", amount=CNY("2"), at=AT,
                expires_at=shanghai(2024, 1, 3))  # fmt: skip
    ledger.hold("h:never", debit="wallet:alice", credit="wallet:merchant", amount=CNY("3"), at=AT)
    assert ledger.expire_holds(shanghai(2024, 1, 2, 23)) == ()
    expired = ledger.expire_holds(shanghai(2024, 1, 5))
    assert [hold.id for hold in expired] == ["h:early", "h:late"]
    assert [hold.resolved_at for hold in expired] == [shanghai(2024, 1, 3), shanghai(2024, 1, 4)]
    assert ledger.expire_holds(shanghai(2024, 1, 5)) == ()
    assert ledger.pending("wallet:alice") == CNY("3.00")
    assert ledger.get_hold("h:never").status is HoldStatus.PENDING


def test_expiry_rolled_back_with_its_block_expires_later(ledger: Ledger) -> None:
    ledger.hold("h", debit="wallet:alice", credit="wallet:merchant", amount=CNY("1"), at=AT,
                expires_at=shanghai(2024, 1, 3))  # fmt: skip
    expired: list[int] = []

    def block() -> None:
        with ledger.atomic():
            expired.append(len(ledger.expire_holds(shanghai(2024, 1, 4))))
            ledger.transfer("t:big", debit="wallet:bob", credit="wallet:alice", amount=CNY("999"), at=AT)

    with pytest.raises(InsufficientFundsError):
        block()
    assert expired == [1]
    assert ledger.get_hold("h").status is HoldStatus.PENDING
    assert [hold.id for hold in ledger.expire_holds(shanghai(2024, 1, 4))] == ["h"]


def test_balance_at_a_time_history_and_trial_balance(ledger: Ledger) -> None:
    ledger.transfer("t:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("10"), at=shanghai(2024, 1, 5))
    ledger.post_entry(
        "e:fee",
        [
            Posting.debit("wallet:alice", CNY("1.00")),
            Posting.debit("wallet:alice", CNY("0.50")),
            Posting.credit("revenue:fee", CNY("1.50")),
        ],
        at=shanghai(2024, 1, 6),
    )
    assert ledger.balance("wallet:alice", at=shanghai(2024, 1, 1, 8)) == CNY("0")
    assert ledger.balance("wallet:alice", at=shanghai(2024, 1, 5)) == CNY("90.00")
    assert ledger.balance("wallet:alice", at=shanghai(2024, 1, 6)) == CNY("88.50")
    assert [entry.key for entry in ledger.history("wallet:alice")] == ["fund:alice", "t:1", "e:fee"]
    trial = ledger.trial_balance()
    assert trial.is_balanced
    assert trial.totals["CNY"] == (CNY("161.50"), CNY("161.50"))
    assert ledger.balance("revenue:fee") == CNY("1.50")


def test_reversal_points_at_the_original(ledger: Ledger) -> None:
    wrong = ledger.transfer("t:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("9"), at=AT)
    fix = ledger.reverse("t:1:rev", wrong.id, at=AT)
    assert fix.reverses == wrong.id
    assert [p.amount for p in fix.postings] == [-p.amount for p in wrong.postings]
    assert ledger.balance("wallet:alice") == CNY("100.00")
    assert ledger.reverse("t:1:rev", wrong.id, at=AT) == fix


def test_nested_atomic_blocks_are_savepoints(ledger: Ledger) -> None:
    with ledger.atomic():
        ledger.transfer("t:outer", debit="wallet:alice", credit="wallet:bob", amount=CNY("1"), at=AT)

        def inner() -> None:
            with ledger.atomic():
                ledger.transfer("t:inner", debit="wallet:alice", credit="wallet:bob", amount=CNY("2"), at=AT)
                ledger.transfer("t:boom", debit="wallet:alice", credit="wallet:bob", amount=CNY("500"), at=AT)

        with pytest.raises(InsufficientFundsError):
            inner()
        ledger.hold("h", debit="wallet:bob", credit="wallet:merchant", amount=CNY("3"), at=AT)
    assert [e.key for e in ledger.entries()][-1] == "t:outer"
    assert not ledger.key_used("t:inner")
    assert ledger.balance("wallet:alice") == CNY("99.00")
    keys = {record.key for record in ledger.store.load().keys}  # type: ignore[attr-defined]
    assert {"t:outer", "h"} <= keys
    assert "t:inner" not in keys


def test_batch_of_every_operation(ledger: Ledger) -> None:
    ops = [
        OpenAccountOp("wallet:carol", AccountKind.LIABILITY, non_negative=True),
        TransferOp("b:in", debit="asset:bank", credit="wallet:carol", amount=CNY("20"), at=AT),
        EntryOp("b:fee", [Posting.debit("wallet:carol", CNY("1")), Posting.credit("revenue:fee", CNY("1"))], at=AT),
        HoldOp("b:h1", debit="wallet:carol", credit="wallet:merchant", amount=CNY("5"), at=AT),
        PostHoldOp("b:h1:post", "b:h1", at=AT, amount=CNY("4")),
        HoldOp("b:h2", debit="wallet:carol", credit="wallet:merchant", amount=CNY("5"), at=AT),
        VoidHoldOp("b:h2:void", "b:h2", at=AT),
        ReverseOp("b:fee:rev", "E4", at=AT),
    ]
    results = ledger.apply_batch(ops)
    assert len(results) == len(ops)
    assert ledger.balance("wallet:carol") == CNY("16.00")
    assert ledger.balance("revenue:fee") == CNY("0")
    assert ledger.get_hold("b:h2").status is HoldStatus.VOIDED
    assert ledger.apply_batch(ops[1:3]) == results[1:3]  # replays
    ledger.check_invariants()


def test_sqlite_reopens_identically(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    book = Ledger(SQLiteStore(path))
    book.open_account("asset:bank", AccountKind.ASSET)
    book.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True, owner="a", metadata={"tier": "gold"})
    book.open_account("wallet:b", AccountKind.LIABILITY, non_negative=True)
    book.transfer("in", debit="asset:bank", credit="wallet:a", amount=CNY("50"), at=AT, metadata={"channel": "card"})
    book.hold("h1", debit="wallet:a", credit="wallet:b", amount=CNY("20"), at=AT, expires_at=shanghai(2024, 2, 1))
    book.hold("h2", debit="wallet:a", credit="wallet:b", amount=CNY("5"), at=AT)
    book.post_hold("h2:post", "h2", at=AT, amount=CNY("3"))
    state = (book.accounts(), book.entries(), book.holds(), book.trial_balance())
    book.close()
    again = Ledger(SQLiteStore(path))
    assert (again.accounts(), again.entries(), again.holds(), again.trial_balance()) == state
    assert again.entries()[0].metadata == {"channel": "card"}
    assert again.account("wallet:a").metadata == {"tier": "gold"}
    assert again.available("wallet:a") == CNY("27.00")
    assert again.post_hold("h2:post", "h2", at=AT, amount=CNY("3")) == state[1][-1]
    assert [h.id for h in again.expire_holds(shanghai(2024, 2, 1))] == ["h1"]
    again.close()


def test_sqlite_refuses_another_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE name = 'schema_version'")
    with pytest.raises(AntfinError, match="schema version 1"):
        SQLiteStore(path)


def test_sqlite_refuses_a_bad_synchronous_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteStore(tmp_path / "x.db", synchronous="SOMETIMES")


def test_the_database_keeps_keys_unique(tmp_path: Path) -> None:
    book = Ledger(SQLiteStore(tmp_path / "k.db"))
    book.open_account("a", AccountKind.ASSET)
    book.open_account("b", AccountKind.ASSET)
    book.transfer("k", debit="a", credit="b", amount=CNY("1"), at=AT)
    with sqlite3.connect(tmp_path / "k.db") as conn:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO entries (seq, id, key, fingerprint, at, memo, metadata) "
                         "VALUES (99, 'E99', 'k', '', '', '', '{}')")  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError, match="already used"):
            conn.execute("INSERT INTO keys (key, fingerprint, kind, ref, version) VALUES ('k', '', 'hold', 'x', 9)")
    book.close()


def test_store_kinds() -> None:
    assert isinstance(SQLiteStore(":memory:"), SharedLedgerStore)
    assert not isinstance(MemoryStore(), SharedLedgerStore)


def test_two_ledgers_on_one_file_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    one = Ledger(SQLiteStore(path))
    one.open_account("a", AccountKind.ASSET)
    one.open_account("w", AccountKind.LIABILITY, non_negative=True)
    two = Ledger(SQLiteStore(path))
    assert two.balance("w") == CNY("0")  # read into two's cache
    one.transfer("t1", debit="a", credit="w", amount=CNY("5"), at=AT)
    assert two.balance("w") == CNY("0")  # cached, not refreshed yet
    two.refresh()
    assert two.balance("w") == CNY("5.00")
    one.hold("h", debit="w", credit="a", amount=CNY("4"), at=AT)
    with pytest.raises(InsufficientFundsError):  # two catches up before validating
        two.transfer("t2", debit="w", credit="a", amount=CNY("2"), at=AT)
    assert two.transfer("t1", debit="a", credit="w", amount=CNY("5"), at=AT).id == "E1"
    entry = two.transfer("t3", debit="w", credit="a", amount=CNY("1"), at=AT)
    assert entry.id == "E2"
    one.post_hold("h:post", "h", at=AT)
    two.refresh()
    one.refresh()
    assert one.entries() == two.entries()
    assert one.get_hold("h") == two.get_hold("h")
    assert two.balance("w") == one.balance("w") == CNY("0")
    two.check_invariants()
    one.close()
    two.close()


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 5_000)), max_size=40))
def test_transfers_conserve_money(moves: list[tuple[int, int, int]]) -> None:
    book = Ledger()
    book.open_account("asset:bank", AccountKind.ASSET)
    for i in range(4):
        book.open_account(f"w{i}", AccountKind.LIABILITY, non_negative=True)
        book.transfer(f"in{i}", debit="asset:bank", credit=f"w{i}", amount=CNY("20.00"), at=AT)
    for n, (a, b, minor) in enumerate(moves):
        if a == b:  # a self-transfer is refused
            with pytest.raises(InvalidAmountError):
                book.transfer(f"m{n}", debit=f"w{a}", credit=f"w{b}", amount=Money.from_minor_units(minor), at=AT)
            continue
        with contextlib.suppress(InsufficientFundsError):
            book.transfer(f"m{n}", debit=f"w{a}", credit=f"w{b}", amount=Money.from_minor_units(minor), at=AT)
    wallets = sum((book.balance(f"w{i}") for i in range(4)), CNY("0"))
    assert wallets == book.balance("asset:bank") == CNY("80.00")
    assert all(not book.balance(f"w{i}").is_negative() for i in range(4))
    book.check_invariants()


def test_opening_again_compares_metadata_too(ledger: Ledger) -> None:
    """Re-opening a cached account takes a shortcut; it must still refuse other metadata and non-string values."""
    first = ledger.open_account("revenue:ads", AccountKind.REVENUE, metadata={"product": "alipay"})
    assert ledger.open_account("revenue:ads", AccountKind.REVENUE, metadata={"product": "alipay"}) is first
    with pytest.raises(IdempotencyConflictError, match="other terms"):
        ledger.open_account("revenue:ads", AccountKind.REVENUE, metadata={"product": "huabei"})
    with pytest.raises(IdempotencyConflictError, match="other terms"):
        ledger.open_account("revenue:ads", AccountKind.REVENUE)
    with pytest.raises(TypeError, match="str to str"):
        ledger.open_account("revenue:ads", AccountKind.REVENUE, metadata={"product": 1})  # type: ignore[dict-item]
