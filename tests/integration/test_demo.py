"""The demo on a temporary SQLite ledger: its statement is the ledger's, and a continued run equals one run."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from antfin import CNY
from antfin.ecosystem import ProfitPoint, income_statement
from antfin.ecosystem.demo import DemoOptions, run_demo
from antfin.errors import AntfinError
from antfin.ledger import Ledger, SQLiteStore


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


def test_a_foreign_ledger_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    run_demo(DemoOptions(db=str(db), days=2, users=10, seed=3), out=io.StringIO())
    with sqlite3.connect(db) as conn:  # pretend another seed wrote it
        conn.execute("UPDATE demo_meta SET seed = 4")
    with pytest.raises(AntfinError, match="does not match a replay"):
        run_demo(DemoOptions(db=str(db), days=1, users=10, seed=4), out=io.StringIO())
