"""The accounts under an id prefix, in opening order, on every store, in and out of a block."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.errors import SchemaError
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.ledger.rows import prefix_end
from antfin.money import CNY

AT = shanghai(2024, 1, 2, 9)


def _ids(ledger: Ledger, prefix: str) -> list[str]:
    return [account.id for account in ledger.accounts(prefix)]


def test_the_accounts_under_a_prefix_come_in_opening_order(ledger: Ledger) -> None:
    assert _ids(ledger, "wallet:") == ["wallet:alice", "wallet:bob", "wallet:merchant"]
    for name in ("wallet:zoe", "wallet:amy", "wallets:not-under", "wallet;next", "wallet"):
        ledger.open_account(name, AccountKind.LIABILITY)
    assert _ids(ledger, "wallet:") == ["wallet:alice", "wallet:bob", "wallet:merchant", "wallet:zoe", "wallet:amy"]
    assert _ids(ledger, "wallet:a") == ["wallet:alice", "wallet:amy"]
    assert _ids(ledger, "nothing:") == []
    assert _ids(ledger, "") == [account.id for account in ledger.accounts()]


def _open_and_fail(ledger: Ledger, name: str) -> None:
    with ledger.atomic():
        ledger.open_account(name, AccountKind.LIABILITY)
        raise RuntimeError


def test_a_block_sees_its_own_new_accounts_after_the_stored_ones(ledger: Ledger) -> None:
    with ledger.atomic():
        ledger.open_account("wallet:new", AccountKind.LIABILITY)
        assert _ids(ledger, "wallet:")[-2:] == ["wallet:merchant", "wallet:new"]
        with pytest.raises(RuntimeError):
            _open_and_fail(ledger, "wallet:gone")
        assert "wallet:gone" not in _ids(ledger, "wallet:")
    assert _ids(ledger, "wallet:")[-1] == "wallet:new"


def test_ids_beyond_ascii_are_found_by_their_prefix(ledger: Ledger) -> None:
    for name in ("位置:张三", "位置:李四", "位置\U0010ffff", "位罝:other"):
        ledger.open_account(name, AccountKind.LIABILITY)
    assert _ids(ledger, "位置:") == ["位置:张三", "位置:李四"]
    assert _ids(ledger, "位置") == ["位置:张三", "位置:李四", "位置\U0010ffff"]
    assert _ids(ledger, "位置\U0010ffff") == ["位置\U0010ffff"]


def _positions(ledger: Ledger, count: int) -> None:
    for n in range(count):
        ledger.open_account(f"pos:{n:03d}", AccountKind.LIABILITY, owner=f"{n:03d}")
        ledger.transfer(f"buy:{n}", debit="asset:bank", credit=f"pos:{n:03d}", amount=CNY(n + 1), at=AT)


def test_a_new_ledger_reads_many_accounts_under_a_prefix_together(ledger: Ledger) -> None:
    _positions(ledger, 100)
    fresh = Ledger(ledger._store)  # nothing cached: the rows are read in one call, not one at a time
    reads: list[str] = []
    single = fresh._store.account

    def counted(account_id: str) -> object:
        reads.append(account_id)
        return single(account_id)

    fresh._store.account = counted  # type: ignore[method-assign,assignment]
    assert _ids(fresh, "pos:") == _ids(ledger, "pos:")
    assert fresh.balances(_ids(fresh, "pos:")) == ledger.balances(_ids(ledger, "pos:"))
    assert reads == []


def test_a_forged_row_read_together_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forged.db"
    ledger = Ledger(SQLiteStore(path))
    ledger.open_account("asset:bank", AccountKind.ASSET)
    _positions(ledger, 70)
    ledger.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE accounts SET credits = -5 WHERE id = 'pos:042'")
    conn.close()
    reopened = Ledger(SQLiteStore(path))
    with pytest.raises(SchemaError, match="pos:042"):
        reopened.accounts("pos:")
    reopened.close()


def test_a_prefix_that_is_not_text_is_a_type_error(ledger: Ledger) -> None:
    with pytest.raises(TypeError, match="prefix must be a str"):
        ledger.accounts(b"wallet:")  # type: ignore[arg-type]


@given(st.text(min_size=1, max_size=6), st.text(max_size=4))
def test_prefix_end_bounds_exactly_the_texts_that_start_with_the_prefix(prefix: str, rest: str) -> None:
    end = prefix_end(prefix)
    text = prefix + rest
    assert text >= prefix
    assert end is None or text < end
    if end is not None:
        assert not end.startswith(prefix)
        assert end.encode("utf-8", "surrogatepass") > (prefix + rest).encode("utf-8", "surrogatepass")


def test_sqlite_finds_them_from_the_index_of_ids(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT id, seq FROM accounts WHERE id >= ? AND id < ?", ("a", "b"))
        (detail,) = [row[3] for row in plan]
    conn.close()
    assert "COVERING INDEX" in detail
