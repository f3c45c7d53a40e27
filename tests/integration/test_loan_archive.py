"""A loan's events and repayment receipts are rows of their own in the books: the loan's document holds only its
live state, stays the same size however many repayments it takes, and a retried key still replays its answer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.integration.conftest import stored_body

from antfin import CNY, Books
from antfin.calendar import add_months, shanghai
from antfin.credit import LoanRate
from antfin.credit.loan import Loan, Repayment
from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import IdempotencyConflictError, SerializationError
from antfin.ledger import AccountKind, Ledger
from antfin.ledger.store import DocumentStore
from antfin.rates import DayCount, Rate
from antfin.serialization import from_data, to_data

DISBURSED = shanghai(2024, 1, 10, 9)


def _open_loan(books: Books, term: int = 12) -> None:
    with books.transaction() as tx:
        ann = tx.accounts.open("ann", opened_at=shanghai(2024, 1, 1))
        ann.link_card("C1", at=shanghai(2024, 1, 1))
        ann.top_up("top-up", card="C1", amount=CNY("20000.00"), at=shanghai(2024, 1, 1))
        loan = tx.loans.create(
            "L-1",
            wallet=ann.wallet_id,
            principal=CNY("12000.00"),
            rate=LoanRate.annual(Rate.percent("12"), DayCount.ACT_360),
            term=term,
        )
        loan.disburse(DISBURSED)


def _due_day(month: int) -> date:
    return add_months(date(2024, 1, 10), month)


def _repay(books: Books, month: int) -> Repayment:
    """Pay what is due on the ``month``-th due date, in a transaction of its own."""
    day = _due_day(month)
    with books.transaction() as tx:
        loan = tx.loans.get("L-1")
        return loan.repay(f"m{month}", loan.amount_due(day).total, shanghai(day.year, day.month, day.day, 9))


def _store(books: Books) -> DocumentStore:
    store = books._ledger._store
    assert isinstance(store, DocumentStore)
    return store


def _size(books: Books) -> int:
    document = _store(books).document("loan", "L-1")
    assert document is not None
    return len(document.body)


def test_the_document_does_not_grow_with_the_repayments() -> None:
    books = Books.memory()
    _open_loan(books)
    sizes = [_size(books)]
    for month in range(1, 13):
        _repay(books, month)
        sizes.append(_size(books))
    # Only figures of the live state change (what was paid of each instalment, the count): a few bytes.
    assert sizes[12] - sizes[1] <= 128, sizes
    assert sizes[12] <= sizes[0] + 160, sizes
    body = stored_body(books, "loan", "L-1")
    assert body["_event_log"] == {}
    assert body["_receipts"] == {}
    assert body["_event_count"] == 13
    assert body["_state"]["status"] == "PAID_OFF"
    store = _store(books)
    assert len(store.document_ids("loan/events")) == 13
    assert len(store.document_ids("loan/receipts")) == 12
    assert stored_body(books, "loan/receipts", '["L-1","m1"]')["fingerprint"] == '["repay","1066.19 CNY"]'
    assert stored_body(books, "loan/events", '["L-1",0]')["kind"] == "disbursed"
    with books.read() as tx:
        events = tx.loans.get("L-1").events
        assert [event.kind for event in events] == ["disbursed"] + ["repaid"] * 12
        assert events[-1].status.name == "PAID_OFF"
    books.check()


def test_a_retried_key_replays_its_first_answer_after_reopening(reopen: Callable[[], Books]) -> None:
    books = reopen()
    _open_loan(books, term=3)
    first = _repay(books, 1)
    books = reopen()
    entries = len(books._ledger.entries())
    with books.transaction() as tx:
        loan = tx.loans.get("L-1")
        day = _due_day(2)  # a retry a month later is the same request: it replays, nothing is paid
        assert loan.repay("m1", first.amount, shanghai(day.year, day.month, day.day, 9)) == first
        with pytest.raises(IdempotencyConflictError, match="key 'm1' was already used"):
            loan.repay("m1", CNY("1.00"), shanghai(day.year, day.month, day.day, 9))
        assert loan.disburse(DISBURSED).id == loan.events[0].entry_id
        with pytest.raises(IdempotencyConflictError, match="disbursement of 'L-1'"):
            loan.disburse(shanghai(2024, 1, 11, 9))
    assert len(books._ledger.entries()) == entries
    books = reopen()
    with books.transaction() as tx:
        prepaid = tx.loans.get("L-1").prepay("all", shanghai(2024, 3, 1, 9))
    books = reopen()
    with books.read() as tx:
        loan = tx.loans.get("L-1")
        assert loan.prepay("all", shanghai(2024, 3, 1, 9)) == prepaid  # a paid-off loan still replays its keys
        assert loan.repay("m1", first.amount, shanghai(2024, 3, 2, 9)) == first
        assert [event.kind for event in loan.events] == ["disbursed", "repaid", "prepaid"]
    books.check()


def _sqlite_books(path: Path) -> None:
    with Books.open(path) as books:
        _open_loan(books, term=3)
        _repay(books, 1)
        _repay(books, 2)


def _rows(db: sqlite3.Connection, kind: str) -> dict[Any, Any]:
    found = db.execute("SELECT id, body FROM documents WHERE kind = ?", (kind,)).fetchall()
    return {json.loads(id)[1]: json.loads(body) for id, body in found}


def _write_as_before(path: Path, change: Callable[[dict[str, Any]], None] = lambda _: None) -> int:
    """Rewrite the loan as the code before the archives wrote it: its events and receipts in its document."""
    with sqlite3.connect(path) as db:
        (body,) = db.execute("SELECT body FROM documents WHERE kind = 'loan' AND id = 'L-1'").fetchone()
        old = json.loads(body)
        events = _rows(db, "loan/events")
        old["_events"] = [events[number] for number in sorted(events)]
        old["_receipts"] = _rows(db, "loan/receipts")
        for field in ("_event_log", "_event_count", "_disbursed_at", "_disbursement_entry"):
            del old[field]
        change(old)
        db.execute("UPDATE documents SET body = ? WHERE kind = 'loan' AND id = 'L-1'", (json.dumps(old),))
        db.execute("DELETE FROM documents WHERE kind LIKE 'loan/%'")
        (version,) = db.execute("SELECT version FROM documents WHERE kind = 'loan' AND id = 'L-1'").fetchone()
    return int(version)


def test_a_document_written_before_the_archives_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    _sqlite_books(path)
    with Books.open(path) as books, books.transaction() as tx:
        first = tx.loans.get("L-1")._receipts["m1"].result
    version = _write_as_before(path)
    with sqlite3.connect(path) as db:
        (old_size,) = db.execute("SELECT length(body) FROM documents WHERE kind = 'loan'").fetchone()
    with Books.open(path) as books:
        with books.read() as tx:  # loading and reading write nothing
            loan = tx.loans.get("L-1")
            assert [event.kind for event in loan.events] == ["disbursed", "repaid", "repaid"]
            assert loan.repay("m1", first.amount, shanghai(2024, 4, 1, 9)) == first
            assert loan.disburse(DISBURSED).id == loan.events[0].entry_id
        books.check()  # the old document passes the same checks
        with sqlite3.connect(path) as db:
            (again,) = db.execute("SELECT version FROM documents WHERE kind = 'loan' AND id = 'L-1'").fetchone()
            assert again == version
            assert _rows(db, "loan/events") == {}
        with books.transaction() as tx:  # written again, in today's format: its records move to rows
            loan = tx.loans.get("L-1")
            day = _due_day(3)
            loan.repay("m3", loan.amount_due(day).total, shanghai(day.year, day.month, day.day, 9))
        with sqlite3.connect(path) as db:
            assert sorted(_rows(db, "loan/events")) == [0, 1, 2, 3]
            assert sorted(_rows(db, "loan/receipts")) == ["m1", "m2", "m3"]
            (body,) = db.execute("SELECT body FROM documents WHERE kind = 'loan' AND id = 'L-1'").fetchone()
            assert json.loads(body)["_event_log"] == {}
            assert json.loads(body)["_receipts"] == {}
            assert len(body) < old_size
        with books.read() as tx:
            loan = tx.loans.get("L-1")
            assert loan.status.name == "PAID_OFF"
            assert [event.kind for event in loan.events] == ["disbursed", "repaid", "repaid", "repaid"]
            assert loan.repay("m1", first.amount, shanghai(2024, 5, 1, 9)) == first
        books.check()


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda old: old["_events"][1]["amount"].update(amount="-1.00"), "a negative amount"),
        (lambda old: old["_events"].pop(0), "no disbursement recorded"),
        (lambda old: old["_events"].pop(), "the last event leaves the loan"),
        (lambda old: old["_receipts"].update(other=old["_receipts"].pop("m1")), "filed under another key"),
        (lambda old: old.update(_events={"0": "not a list"}), "unknown field"),
    ],
)
def test_a_forged_old_document_is_refused(tmp_path: Path, change: Callable[[dict[str, Any]], None], match: str) -> None:
    path = tmp_path / "shop.db"
    _sqlite_books(path)
    _write_as_before(path, change)
    with Books.open(path) as books, books.read() as tx, pytest.raises(SerializationError, match=match):
        tx.loans.get("L-1")


def test_a_forged_row_is_a_typed_error_when_read(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    _sqlite_books(path)
    forgeries: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
        ("loan/receipts", '["L-1","m1"]', lambda row: row["result"]["interest"].update(amount="0.01")),
        ("loan/events", '["L-1",1]', lambda row: row.update(kind="forgiven")),
    ]
    with sqlite3.connect(path) as db:
        for kind, id, change in forgeries:
            (body,) = db.execute("SELECT body FROM documents WHERE kind = ? AND id = ?", (kind, id)).fetchone()
            forged = json.loads(body)
            change(forged)
            db.execute("UPDATE documents SET body = ? WHERE kind = ? AND id = ?", (json.dumps(forged), kind, id))
    with Books.open(path) as books, books.read() as tx:
        loan = tx.loans.get("L-1")  # the loan's own document is sound, and no row is read on loading
        with pytest.raises(SerializationError, match="is not the sum of its parts"):
            loan.repay("m1", CNY("1.00"), shanghai(2024, 4, 1, 9))
        with pytest.raises(SerializationError, match="not a kind a loan records"):
            loan.events[1]
        assert loan.events[2].kind == "repaid"


def test_a_world_stores_its_loans_history_as_rows() -> None:
    world = World.create(WorldConfig(users=60, seed=7))
    for _ in range(75):
        world.run_day()
    store = _store(world.books)
    ids = store.document_ids("loan")
    assert ids
    counted = 0
    with world.books.read() as tx:
        for loan_id in ids:
            body = stored_body(world.books, "loan", loan_id)
            assert body["_event_log"] == {}
            assert body["_receipts"] == {}
            events = tx.loans.get(loan_id).events
            assert len(events) == body["_event_count"]
            assert events[0].kind == "disbursed"
            counted += len(events)
    assert counted == len(store.document_ids("loan/events")) > len(ids)  # some loans took repayments
    world.check()


def _as_before(loan: Loan) -> dict[str, Any]:
    """The JSON of a loan on a bare ledger as an earlier version wrote it: every event in a list."""
    old: dict[str, Any] = to_data(loan)
    old["_events"] = [event for _, event in old.pop("_event_log")["__items__"]]
    for field in ("_event_count", "_disbursed_at", "_disbursement_entry"):
        del old[field]
    return old


def test_the_json_of_a_loan_saved_on_a_bare_ledger_by_an_earlier_version_loads() -> None:
    ledger = Ledger()
    ledger.open_account("wallet:ann", AccountKind.LIABILITY, non_negative=True)
    rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    loan = Loan(ledger, "L-1", "wallet:ann", CNY("12000.00"), rate, 3)
    loan.disburse(DISBURSED)
    first = loan.repay("m1", loan.amount_due(_due_day(1)).total, shanghai(2024, 2, 10, 9))
    old = _as_before(loan)
    again: Loan = from_data(Loan, json.loads(json.dumps(old)), ledger=ledger)
    assert to_data(again) == to_data(loan)
    assert [event.kind for event in again.events] == ["disbursed", "repaid"]
    assert again.repay("m1", first.amount, shanghai(2024, 3, 1, 9)) == first  # a retried key replays its answer
    old["_events"][1]["amount"]["amount"] = "-1.00"
    with pytest.raises(SerializationError, match="a negative amount"):
        from_data(Loan, old, ledger=ledger)
