"""A Huabei account's final records (purchases, refunds, paid bills, finished plans, events) are rows of their own:
the account's document holds only open work, stays bounded over many cycles, and every lookup still finds them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from antfin import CNY, Books
from antfin.books import Transaction
from antfin.calendar import add_months, shanghai
from antfin.credit import CreditProfile
from antfin.credit.huabei import BillStatus, PlanStatus
from antfin.errors import InvalidAmountError, InvariantViolationError, SerializationError
from antfin.ledger.store import DocumentStore
from antfin.money import Money
from antfin.payments import AccountType

START = date(2024, 3, 1)


def _document(books: Books, kind: str = "huabei", id: str = "ann") -> dict[str, object]:
    store = books._ledger._store  # what is written is what these tests are about
    assert isinstance(store, DocumentStore)
    document = store.document(kind, id)
    assert document is not None
    loaded: dict[str, object] = json.loads(document.body)
    return loaded


def _size(books: Books) -> int:
    store = books._ledger._store
    assert isinstance(store, DocumentStore)
    document = store.document("huabei", "ann")
    assert document is not None
    return len(document.body)


def _open(books: Books) -> None:
    with books.transaction() as tx:
        tx.accounts.open("tea-shop", opened_at=shanghai(2024, 3, 1), account_type=AccountType.MERCHANT)
        ann = tx.accounts.open("ann", opened_at=shanghai(2024, 3, 1))
        ann.link_card("C1", at=shanghai(2024, 3, 1))
        ann.top_up("top-up", card="C1", amount=CNY("20000.00"), at=shanghai(2024, 3, 1))
        tx.huabei.open(tx.profiles.add(CreditProfile.of("ann", 700, START)))


def _repay_all(tx: Transaction, day: date) -> None:
    huabei = tx.huabei.get("ann")
    owed = sum((bill.outstanding for bill in huabei.open_bills), CNY("0"))
    if owed.is_positive():
        huabei.repay(f"repay:{day}", owed, at=shanghai(day.year, day.month, day.day, 9))


def _cycle(books: Books, month: int) -> None:
    """One month: two purchases and a partial refund in the cycle, then the bill issued and repaid in full."""
    day = add_months(date(2024, 3, 3), month)
    with books.transaction() as tx:
        huabei = tx.huabei.get("ann")
        at = shanghai(day.year, day.month, day.day, 10)
        huabei.purchase(f"m{month}-a", merchant="tea-shop", amount=CNY("120.00"), at=at)
        huabei.purchase(f"m{month}-b", merchant="tea-shop", amount=CNY("35.50"), at=at)
        huabei.refund(f"m{month}-a:r", f"m{month}-a", CNY("20.00"), at=at)
    statement = add_months(START, month + 1)
    with books.transaction() as tx:
        tx.huabei.get("ann").issue_bill(statement)
    with books.transaction() as tx:
        _repay_all(tx, statement.replace(day=5))


def test_final_records_leave_the_document_and_are_found_after_reopening(reopen: Callable[[], Books]) -> None:
    books = reopen()
    _open(books)
    with books.transaction() as tx:  # March: a purchase, one in instalments, one partly refunded
        huabei = tx.huabei.get("ann")
        at = shanghai(2024, 3, 4, 10)
        first = huabei.purchase("p1", merchant="tea-shop", amount=CNY("100.00"), at=at)
        huabei.purchase("p2", merchant="tea-shop", amount=CNY("300.00"), at=at, instalments=3)
        huabei.purchase("p3", merchant="tea-shop", amount=CNY("50.00"), at=at)
        huabei.refund("p3:r1", "p3", CNY("20.00"), at=shanghai(2024, 3, 6))
    for statement in (date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1), date(2024, 7, 1)):
        with books.transaction() as tx:
            tx.huabei.get("ann").issue_bill(statement)
        with books.transaction() as tx:
            _repay_all(tx, statement.replace(day=5))
    body = _document(books)
    assert body["_purchases"] == {}
    assert body["_purchase_log"] == {}
    assert body["_refund_log"] == {}
    assert body["_refunded"] == {}
    assert body["_bills"] == []
    assert body["_bill_log"] == {}
    assert body["_plans"] == {}
    assert body["_plan_log"] == {}
    assert body["_event_log"] == {}
    assert body["_legacy_events"] == []
    assert body["_last_bill"] == "2024-07-01"
    assert _document(books, "huabei/purchases", '["ann","p1"]')["amount"] == {"amount": "100.00", "currency": "CNY"}
    assert _document(books, "huabei/bills", '["ann","2024-04-01"]')["status"] == "PAID"

    books = reopen()
    with books.transaction() as tx:
        huabei = tx.huabei.get("ann")
        assert huabei.bill(date(2024, 4, 1)).status is BillStatus.PAID
        assert huabei.plan("purchase:p2").status is PlanStatus.COMPLETED
        assert [bill.bill.statement_date for bill in huabei.bills] == [date(2024, m, 1) for m in (4, 5, 6, 7)]
        assert huabei.events[0].reference == "p1"
        assert huabei.events[-1].kind == "bill"
        # An old purchase is refunded: found by key, the rest is a credit on the next bill.
        assert huabei.refund("p1:r1", "p1", CNY("30.00"), at=shanghai(2024, 7, 10)) == CNY("30.00")
        assert huabei.refund("p3:r2", "p3", CNY("30.00"), at=shanghai(2024, 7, 10)) == CNY("30.00")
        with pytest.raises(InvalidAmountError, match=r"0\.00 CNY left to refund on p3"):
            huabei.refund("p3:r3", "p3", CNY("0.01"), at=shanghai(2024, 7, 10))
        assert [line.amount for line in huabei.unbilled()] == [CNY("-30.00"), CNY("-30.00")]
        # A retried key replays its first answer with no second effect.
        entries = len(tx.ledger.entries())
        assert huabei.purchase("p1", merchant="tea-shop", amount=CNY("100.00"), at=shanghai(2024, 3, 4, 10)) == first
        assert huabei.refund("p1:r1", "p1", CNY("30.00"), at=shanghai(2024, 7, 10)) == CNY("30.00")
        assert len(tx.ledger.entries()) == entries
    books = reopen()
    with books.read() as tx:
        huabei = tx.huabei.get("ann")
        assert huabei.refund("p1:r1", "p1", CNY("30.00"), at=shanghai(2024, 7, 10)) == CNY("30.00")
        assert _document(books, "huabei/refunds", '["ann","p3#2"]')["refunded"] == {
            "amount": "50.00",
            "currency": "CNY",
        }


def test_the_document_stays_bounded_over_twelve_monthly_cycles() -> None:
    books = Books.memory()
    _open(books)
    sizes = []
    for month in range(12):
        _cycle(books, month)
        sizes.append(_size(books))
    assert sizes[11] <= sizes[1] + 16, sizes  # the same open work each month: only dates and counters differ
    with books.read() as tx:
        huabei = tx.huabei.get("ann")
        assert len(huabei.events) == 12 * 5  # two purchases, a refund, a bill and a repayment a month
        assert len(huabei.bills) == 12
        assert huabei.open_bills == ()
        assert huabei.refund("m0-a:r", "m0-a", CNY("20.00"), at=shanghai(2024, 3, 3, 10)) == CNY("20.00")


def test_a_refused_refund_of_an_archived_purchase_changes_nothing() -> None:
    books = Books.memory()
    _open(books)
    _cycle(books, 0)
    store = books._ledger._store
    assert isinstance(store, DocumentStore)
    before = (
        store.document("huabei", "ann"),
        store.document_ids("huabei/refunds"),
        store.document_ids("huabei/events"),
    )
    with books.transaction() as tx:
        huabei = tx.huabei.get("ann")
        with pytest.raises(InvalidAmountError):
            huabei.refund("too-much", "m0-a", CNY("100.01"), at=shanghai(2024, 4, 10))
    after = (store.document("huabei", "ann"), store.document_ids("huabei/refunds"), store.document_ids("huabei/events"))
    assert after == before


def _sqlite_books(path: Path) -> None:
    with Books.open(path) as books:
        _open(books)
        _cycle(books, 0)
        _cycle(books, 1)


def test_a_forged_archived_record_is_a_typed_error_when_read(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    _sqlite_books(path)
    with sqlite3.connect(path) as db:
        for kind, id, field, value in (
            ("huabei/purchases", '["ann","m0-b"]', "amount", {"amount": "-35.50", "currency": "CNY"}),
            (
                "huabei/bills",
                '["ann","2024-04-01"]',
                "reductions",
                [["2024-04-05", {"amount": "-1", "currency": "CNY"}]],
            ),
            ("huabei/refunds", '["ann","m0-a#1"]', "refunded", {"amount": "999.00", "currency": "CNY"}),
            ("huabei/bills", '["ann","2024-05-01"]', "status", "ISSUED"),  # sound by itself, but not paid
        ):
            (body,) = db.execute("SELECT body FROM documents WHERE kind = ? AND id = ?", (kind, id)).fetchone()
            forged = json.loads(body)
            forged[field] = value
            if value == "ISSUED":
                forged["history"] = []
            db.execute("UPDATE documents SET body = ? WHERE kind = ? AND id = ?", (json.dumps(forged), kind, id))
    with Books.open(path) as books, books.read() as tx:
        huabei = tx.huabei.get("ann")  # the account's own document is sound, and no row is read on loading
        with pytest.raises(SerializationError):
            huabei.refund("r", "m0-b", CNY("1.00"), at=shanghai(2024, 5, 10))
        with pytest.raises(SerializationError):
            huabei.bill(date(2024, 4, 1))
        with pytest.raises(SerializationError):
            huabei.refund("r2", "m0-a", CNY("1.00"), at=shanghai(2024, 5, 10))
        with pytest.raises(InvariantViolationError, match="not the paid bill"):
            huabei.bill(date(2024, 5, 1))


def _rows(db: sqlite3.Connection, kind: str) -> dict[str, object]:
    found = db.execute("SELECT id, body FROM documents WHERE kind = ?", (kind,)).fetchall()
    return {json.loads(id)[1]: json.loads(body) for id, body in found}


def test_a_document_written_before_the_archives_still_loads_with_its_records_live(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    _sqlite_books(path)
    with sqlite3.connect(path) as db:  # rewrite the account as documents were written before: everything live
        (body,) = db.execute("SELECT body FROM documents WHERE kind = 'huabei' AND id = 'ann'").fetchone()
        old = json.loads(body)
        events = _rows(db, "huabei/events")
        old["events"] = [events[number] for number in sorted(events, key=int)]
        old["_purchases"] = _rows(db, "huabei/purchases")
        refunds = _rows(db, "huabei/refunds")
        old["_refunded"] = {
            tally["purchase"]: [tally["refunded"], tally["fee_returned"]]  # type: ignore[index]
            for _, tally in sorted(refunds.items())
        }
        bills = _rows(db, "huabei/bills")
        old["_bills"] = [bills[key] for key in sorted(bills)] + old["_bills"]
        for field in ("_legacy_events", "_event_log", "_purchase_log", "_refund_log", "_bill_log", "_plan_log"):
            del old[field]
        for field in ("_last_bill", "_first_at", "_events_archived"):
            del old[field]
        db.execute("UPDATE documents SET body = ? WHERE kind = 'huabei' AND id = 'ann'", (json.dumps(old),))
        db.execute("DELETE FROM documents WHERE kind LIKE 'huabei/%' AND kind != 'huabei/requests'")
        (version,) = db.execute("SELECT version FROM documents WHERE kind = 'huabei' AND id = 'ann'").fetchone()
    with Books.open(path) as books:
        with books.read() as tx:  # loading and reading write nothing
            huabei = tx.huabei.get("ann")
            assert len(huabei.events) == 10
            assert huabei.events[0].reference == "m0-a"
            assert huabei.bill(date(2024, 4, 1)).status is BillStatus.PAID
            assert huabei.credit_line.used == Money("0.00", "CNY")
        with sqlite3.connect(path) as db:
            (again,) = db.execute("SELECT version FROM documents WHERE kind = 'huabei' AND id = 'ann'").fetchone()
            assert again == version
        with books.transaction() as tx:  # a write transaction saves it in today's format, its records still live
            assert len(tx.huabei.get("ann").events) == 10
        with sqlite3.connect(path) as db:
            assert _rows(db, "huabei/events") == {}
            assert _rows(db, "huabei/purchases") == {}
            (body,) = db.execute("SELECT body FROM documents WHERE kind = 'huabei' AND id = 'ann'").fetchone()
            assert len(json.loads(body)["_legacy_events"]) == 10
            assert len(json.loads(body)["_purchases"]) == 4
        with books.transaction() as tx:  # an old purchase, live in the old document, is refunded
            huabei = tx.huabei.get("ann")
            huabei.refund("m0-a:r2", "m0-a", CNY("100.00"), at=shanghai(2024, 5, 10))
            with pytest.raises(InvalidAmountError):
                huabei.refund("m0-a:r3", "m0-a", CNY("0.01"), at=shanghai(2024, 5, 10))
            huabei.issue_bill(date(2024, 6, 1))
        with books.read() as tx:
            huabei = tx.huabei.get("ann")
            assert [event.kind for event in huabei.events][-2:] == ["refund", "bill"]
            assert len(huabei.events) == 12
            assert len(huabei.bills) == 3
