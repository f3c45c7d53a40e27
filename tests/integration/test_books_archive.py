"""Archived records: final records stored one row each, apart from their aggregate's document."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.integration.conftest import stored_body

from antfin import CNY, Books
from antfin.archive import Archive
from antfin.calendar import WeekdayCalendar, shanghai
from antfin.credit import CreditProfile
from antfin.credit.huabei_bills import BillingCycle
from antfin.errors import IdempotencyConflictError, InvariantViolationError, SerializationError
from antfin.ledger import AccountKind, Ledger
from antfin.ledger.store import DocumentStore
from antfin.payments import AccountType
from antfin.serialization import from_data, to_data
from antfin.wealth import MoneyFund
from antfin.wealth.fund import OrderStatus

DAY = shanghai(2024, 6, 3, 10)  # a Monday


def _fund_document(books: Books) -> dict[str, Any]:
    return stored_body(books, "fund", "yuebao")


def test_done_orders_leave_the_fund_document_and_stay_findable(reopen: Callable[[], Books]) -> None:
    books = reopen()
    with books.transaction() as tx:
        tx.accounts.open("ann", opened_at=DAY)
    with books.transaction() as tx:
        ann = tx.accounts.get("ann")
        ann.link_card("C1", at=DAY)
        ann.top_up("top-up-1", card="C1", amount=CNY("500.00"), at=DAY)
        fund = tx.funds.open(calendar=WeekdayCalendar())
        fund.purchase("p-1", "ann", CNY("100.00"), at=DAY)
        fund.purchase("p-2", "ann", CNY("50.00"), at=DAY)
    for day in (3, 4):
        with reopen().transaction() as tx:
            tx.funds.get("yuebao").close_day(date(2024, 6, day), gross_income=CNY("0"), at=shanghai(2024, 6, day, 23))
    books = reopen()
    body = _fund_document(books)
    assert body["_orders"] == {}  # the history is not in the aggregate's document
    assert body["_done"] == {}
    with books.transaction() as tx:
        fund = tx.funds.get("yuebao")
        assert fund.order("p-1").status is OrderStatus.DONE
        assert [order.key for order in fund.orders(OrderStatus.DONE)] == ["p-1", "p-2"]
        # A retried request is recognised from the archive, after a restart.
        assert fund.purchase("p-1", "ann", CNY("100.00"), at=DAY) is fund.order("p-1")
        with pytest.raises(IdempotencyConflictError):
            fund.purchase("p-2", "ann", CNY("51.00"), at=DAY)
        fund.redeem("r-1", "ann", "30.00", at=shanghai(2024, 6, 5, 10))
        fund.fast_redeem("f-1", "ann", "20.00", at=shanghai(2024, 6, 5, 11))
    with reopen().transaction() as tx:
        fund = tx.funds.get("yuebao")
        assert [order.key for order in fund.orders()] == ["p-1", "p-2", "r-1", "f-1"]
        assert fund.order("r-1").status is OrderStatus.PENDING
        fund.close_day(date(2024, 6, 5), gross_income=CNY("0"), at=shanghai(2024, 6, 5, 23))
    books = reopen()
    assert _fund_document(books)["_fast_used"] == {}
    with books.transaction() as tx:
        assert tx.funds.get("yuebao").fast_redemption_left("ann", date(2024, 6, 5)) == CNY("9980.00")


def test_an_archive_refuses_to_change_a_record() -> None:
    archive = Archive[str, int]({"a": 1})
    archive["a"] = 1  # the same record again is no change
    with pytest.raises(InvariantViolationError):
        archive["a"] = 2
    with pytest.raises(InvariantViolationError):
        del archive["a"]
    assert dict(archive) == {"a": 1}


def test_a_bare_fund_keeps_its_history_through_json() -> None:
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:ann", AccountKind.LIABILITY, non_negative=True)
    ledger.transfer("t", debit="asset:bank", credit="wallet:ann", amount=CNY("100.00"), at=DAY)
    fund = MoneyFund(ledger, calendar=WeekdayCalendar())
    fund.purchase("p-1", "ann", CNY("10.00"), at=DAY)
    fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    fund.close_day(date(2024, 6, 4), gross_income=CNY("0"), at=shanghai(2024, 6, 4, 23))
    again: MoneyFund = from_data(MoneyFund, to_data(fund), ledger=ledger)
    assert again.order("p-1").status is OrderStatus.DONE
    assert to_data(again) == to_data(fund)


def test_a_forged_archived_record_is_refused() -> None:
    with pytest.raises(SerializationError):
        from_data(Archive[str, int], {"a": "not a number"})


def test_huabei_requests_are_rows_and_replay_after_a_restart(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tx.accounts.open("tea-shop", opened_at=DAY, account_type=AccountType.MERCHANT)
        tx.accounts.open("ann", opened_at=DAY)
        profile = tx.profiles.add(CreditProfile.of("ann", 700, date(2024, 6, 1)))
        first = tx.huabei.open(profile, cycle=BillingCycle(due_day=9)).purchase(
            "hb-1", merchant="tea-shop", amount=CNY("20.00"), at=DAY
        )
    books = reopen()
    store = books._ledger._store
    assert isinstance(store, DocumentStore)
    huabei = store.document("huabei", "ann")
    assert huabei is not None
    assert json.loads(huabei.body)["_requests"] == {}
    assert store.document("huabei/requests", '["ann","hb-1"]') is not None
    with books.transaction() as tx:
        again = tx.huabei.get("ann").purchase("hb-1", merchant="tea-shop", amount=CNY("20.00"), at=DAY)
        assert again == first
        with pytest.raises(IdempotencyConflictError):
            tx.huabei.get("ann").purchase("hb-1", merchant="tea-shop", amount=CNY("21.00"), at=DAY)


def test_a_forged_archived_row_is_a_typed_error_when_read(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with Books.open(path) as books:
        with books.transaction() as tx:
            ann = tx.accounts.open("ann", opened_at=DAY)
            ann.link_card("C1", at=DAY)
            ann.top_up("top-up-1", card="C1", amount=CNY("500.00"), at=DAY)
            tx.funds.open(calendar=WeekdayCalendar()).purchase("p-1", "ann", CNY("100.00"), at=DAY)
        for day in (3, 4):
            with books.transaction() as tx:
                close = tx.funds.get("yuebao").close_day
                close(date(2024, 6, day), gross_income=CNY("0"), at=shanghai(2024, 6, day, 23))
    with sqlite3.connect(path) as db:
        (body,) = db.execute("SELECT body FROM documents WHERE kind = 'fund/orders'").fetchone()
        forged = json.loads(body)
        forged["amount"]["amount"] = "-100.00"
        db.execute("UPDATE documents SET body = ? WHERE kind = 'fund/orders'", (json.dumps(forged),))
    with Books.open(path) as books, books.read() as tx:
        fund = tx.funds.get("yuebao")  # the fund's own document is sound
        with pytest.raises(SerializationError):
            fund.order("p-1")


def test_an_account_keeps_usage_totals_and_its_payments_as_rows(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        ann = tx.accounts.open("ann", opened_at=DAY)
        bob = tx.accounts.open("bob", opened_at=DAY)
        ann.link_card("C1", at=DAY)
        ann.top_up("top-up-1", card="C1", amount=CNY("500.00"), at=DAY)
        ann.transfer("t-1", to=bob, amount=CNY("40.00"), at=DAY)
        ann.withdraw("w-1", card="C1", amount=CNY("10.00"), at=DAY)
    books = reopen()
    store = books._ledger._store
    assert isinstance(store, DocumentStore)
    document = store.document("account", "ann")
    assert document is not None
    body = json.loads(document.body)
    assert body["_payments"] == {}
    assert body["_withdrawals"] == {}
    with books.transaction() as tx:
        ann, bob = tx.accounts.get("ann"), tx.accounts.get("bob")
        assert ann.payments_used(DAY) == CNY("40.00")
        assert ann.withdrawn() == CNY("10.00")
        ann.transfer("t-1", to=bob, amount=CNY("40.00"), at=DAY)  # a retry: recognised from its row
        assert bob.balance() == CNY("40.00")
        with pytest.raises(IdempotencyConflictError):
            ann.withdraw("w-1", card="C1", amount=CNY("11.00"), at=DAY)


def test_a_fund_keeps_its_last_seven_days_live_and_the_rest_as_rows(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        ann = tx.accounts.open("ann", opened_at=DAY)
        ann.link_card("C1", at=DAY)
        ann.top_up("top-up-1", card="C1", amount=CNY("500.00"), at=DAY)
        tx.funds.open(calendar=WeekdayCalendar()).purchase("p-1", "ann", CNY("100.00"), at=DAY)
    closes = [date(2024, 6, 3) + timedelta(days=n) for n in range(12)]
    for n, day in enumerate(closes):
        with reopen().transaction() as tx:
            close = tx.funds.get("yuebao").close_day
            close(day, gross_income=CNY("1.00" if n else "0"), at=shanghai(day.year, day.month, day.day, 23))
    books = reopen()
    assert len(_fund_document(books)["_incomes"]) == 7
    with books.transaction() as tx:
        fund = tx.funds.get("yuebao")
        assert [income.day for income in fund.daily_incomes()] == closes
        assert fund.seven_day_yield(closes[-1]) > 0
        first = fund.daily_incomes()[0]
        again = fund.close_day(closes[0], gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))  # a retry
        assert again == first
        with pytest.raises(IdempotencyConflictError):
            fund.close_day(closes[0], gross_income=CNY("2.00"), at=shanghai(2024, 6, 3, 23))
