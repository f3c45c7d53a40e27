"""The demo on a temporary SQLite ledger: its statement is the ledger's, and a continued run equals one run."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from antfin import CNY
from antfin.books import Books
from antfin.chart import Basis
from antfin.ecosystem import ProfitPoint, income_statement
from antfin.ecosystem.demo import DemoOptions, run_demo
from antfin.ecosystem.world import World
from antfin.errors import SchemaError
from antfin.ledger import AccountKind, Ledger, SQLiteStore


def _balances(path: Path) -> dict[str, str]:
    ledger = Ledger(SQLiteStore(path))
    try:
        return {account.id: str(ledger.balance(account.id)) for account in ledger.accounts()}
    finally:
        ledger.close()


def test_statement_matches_the_ledger_revenue_accounts(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = run_demo(DemoOptions(db=str(db), days=16, users=40, seed=5), out=io.StringIO())
    assert result.balanced
    assert result.statement is not None
    ledger = Ledger(SQLiteStore(db))
    try:
        for point in ProfitPoint:
            expected = ledger.balance(point.account_id) if ledger.has_account(point.account_id) else CNY("0")
            assert result.statement.amount(point) == expected, point
        assert income_statement(ledger) == result.statement
        assert ledger.trial_balance().is_balanced
    finally:
        ledger.close()
    # Fifteen days in, the products have all earned something.
    assert result.statement.amount(ProfitPoint.ALIPAY_ACQUIRING_COMMISSION).is_positive()
    assert result.statement.amount(ProfitPoint.DAKE_SERVICE_FEE).is_positive()
    assert result.statement.amount(ProfitPoint.YUEBAO_SALES_SERVICE_FEE).is_positive()


def test_interrupted_and_continued_equals_one_uninterrupted_run(tmp_path: Path) -> None:
    whole, parts = tmp_path / "whole.db", tmp_path / "parts.db"
    run_demo(DemoOptions(db=str(whole), days=9, users=30, seed=11), out=io.StringIO())
    run_demo(DemoOptions(db=str(parts), days=4, users=30, seed=11), out=io.StringIO())
    out = io.StringIO()
    result = run_demo(DemoOptions(db=str(parts), days=5, users=30, seed=11), out=out)
    assert "continuing" in out.getvalue()
    assert result.day == 9
    assert _balances(parts) == _balances(whole)


def test_a_plain_ledger_file_is_not_taken_for_a_demo(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    ledger = Ledger(SQLiteStore(db))
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.close()
    with pytest.raises(SchemaError, match="not a demo world"):
        run_demo(DemoOptions(db=str(db), days=1, users=10, seed=4), out=io.StringIO())
    assert _balances(db) == {"asset:bank": "0.00 CNY"}


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(SchemaError, match="not an antfin database"):
        run_demo(DemoOptions(db=str(db), days=1, users=10), out=io.StringIO())
    assert db.read_bytes() == before


def test_continuing_reads_the_stored_state_instead_of_replaying(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    run_demo(DemoOptions(db=str(db), days=3, users=12, seed=2), out=io.StringIO())
    with Books.open(db) as books:
        world = World.resume(books)
        assert (world.day, world.config.users, world.config.seed) == (3, 12, 2)
        with books.read() as tx:
            trades = tx.escrow.ids()
            assert trades
            assert tx.funds.get("yuebao").orders()
    out = io.StringIO()
    result = run_demo(DemoOptions(db=str(db), days=1, users=99, seed=7), out=out)
    assert "continuing" in out.getvalue()
    assert "created with --seed 2 --users 12" in out.getvalue()
    assert result.day == 4


@pytest.mark.slow
def test_the_default_demo_leads_with_what_the_case_study_states(tmp_path: Path) -> None:
    out = io.StringIO()
    result = run_demo(DemoOptions(db=str(tmp_path / "default.db"), locale="en_US"), out=out)
    assert result.balanced
    assert result.statement is not None
    parts = result.statement.by_basis()
    assert parts[Basis.STATED] > parts[Basis.ASSUMED], parts
    text = out.getvalue()
    assert text.index("Stated by the case study") < text.index("Assumed")
    assert "Digital payments and merchant services" in text  # the 2020 segments, next to the product view
