"""The books: every product's state stored with the ledger, in one unit of work."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

import pytest

from antfin import CNY, Books
from antfin.books import REFUND_REQUESTED, Transaction
from antfin.calendar import WeekdayCalendar, shanghai
from antfin.credit import CreditProfile, LoanRate
from antfin.credit.huabei_bills import BillingCycle
from antfin.errors import (
    DetachedError,
    IdempotencyConflictError,
    InvalidTransitionError,
    InvariantViolationError,
    NotFoundError,
    SchemaError,
    SerializationError,
)
from antfin.ledger.store import Document
from antfin.payments import Account, AccountType, GoodsType, RefundReason, TradeStatus
from antfin.rates import DayCount, Rate
from antfin.serialization import to_data
from antfin.wealth.zhaocaibao import ProductKind, ProductTerms

DAY = shanghai(2024, 3, 1, 9)


def _shop(tx: Transaction) -> tuple[Account, Account]:
    tea = tx.accounts.open("tea-shop", opened_at=DAY, account_type=AccountType.MERCHANT)
    ann = tx.accounts.open("ann", opened_at=DAY)
    if not ann.cards:
        ann.link_card("C1", at=DAY)
        ann.top_up("top-up-1", card="C1", amount=CNY("5000.00"), at=DAY)
    return tea, ann


def test_an_order_survives_a_restart_and_is_confirmed_later(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tea, ann = _shop(tx)
        trade = tx.escrow.create(
            "TEA-1", buyer=ann, seller=tea, amount=CNY("38.00"), goods=GoodsType.PHYSICAL_EXPRESS, at=DAY
        )
        trade.pay(at=DAY + timedelta(minutes=5))
    with reopen().transaction() as tx:
        trade = tx.escrow.get("TEA-1")
        assert trade.status is TradeStatus.WAIT_SELLER_SEND_GOODS
        assert trade.buyer is tx.accounts.get("ann")  # one object per id per transaction
        trade.ship(at=DAY + timedelta(days=1))
    with reopen().transaction() as tx:
        tx.escrow.get("TEA-1").confirm(at=DAY + timedelta(days=2))
    books = reopen()
    with books.transaction() as tx:
        assert tx.escrow.get("TEA-1").status is TradeStatus.TRADE_SUCCESS
        assert tx.ledger.balance("wallet:tea-shop") == CNY("37.77")
        assert tx.escrow.ids("TRADE_SUCCESS") == ("TEA-1",)
    assert dict(books.check().counts)["escrow"] == 1


def test_an_exception_rolls_back_ledger_and_products(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        _shop(tx)

    def fail() -> None:
        with reopen().transaction() as tx:
            tea, ann = _shop(tx)
            trade = tx.escrow.create(
                "TEA-2", buyer=ann, seller=tea, amount=CNY("10.00"), goods=GoodsType.VIRTUAL, at=DAY
            )
            trade.pay(at=DAY)
            raise RuntimeError("the program crashed")

    with pytest.raises(RuntimeError):
        fail()
    with reopen().transaction() as tx:
        assert "TEA-2" not in tx.escrow
        assert tx.ledger.balance("wallet:ann") == CNY("5000.00")
        assert tx.ledger.holds() == ()


def test_objects_refuse_use_after_their_transaction(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tea, ann = _shop(tx)
        trade = tx.escrow.create("TEA-3", buyer=ann, seller=tea, amount=CNY("10.00"), goods=GoodsType.VIRTUAL, at=DAY)
    with pytest.raises(DetachedError, match="take it again"):
        trade.pay(at=DAY)
    with pytest.raises(DetachedError):
        _ = ann.cards
    with pytest.raises(DetachedError):
        _ = tx.accounts
    assert isinstance(trade, type(trade).__mro__[1])
    assert "detached" in repr(trade)


def test_one_transaction_at_a_time(reopen: Callable[[], Books]) -> None:
    books = reopen()
    with books.transaction(), pytest.raises(InvalidTransitionError, match="already open"):  # noqa: SIM117
        with books.transaction():
            pass


def test_every_kind_comes_back_equal(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        _, ann = _shop(tx)
        bank = tx.accounts.open("bank", opened_at=DAY, account_type=AccountType.MERCHANT)
        bank.link_card("B1", at=DAY)
        bank.top_up("bank-cash", card="B1", amount=CNY("100000.00"), at=DAY)
        fund = tx.funds.open(calendar=WeekdayCalendar())
        fund.purchase("yeb-1", "ann", CNY("100.00"), at=DAY)
        platform = tx.zhaocaibao.open()
        platform.list_product(
            ProductTerms(
                product_id="ZCB-1",
                issuer="bank",
                guarantor="bank",
                kind=ProductKind.BANK,
                amount=CNY("10000.00"),
                term_days=90,
                annual_yield=Rate.percent("4"),
                sale_start=DAY,
                sale_end=DAY + timedelta(days=5),
            ),
            at=DAY,
        )
        platform.subscribe("zcb-1", "ZCB-1", "ann", CNY("1000.00"), at=DAY)
        loan = tx.loans.create(
            "JB-1",
            wallet=ann.wallet_id,
            principal=CNY("1200.00"),
            rate=LoanRate.annual(Rate.percent("12"), DayCount.ACT_360),
            term=3,
        )
        loan.disburse(at=DAY)
        profile = tx.profiles.put(CreditProfile.of("ann", 700, date(2024, 3, 1)))
        huabei = tx.huabei.open(profile, cycle=BillingCycle(due_day=9))
        huabei.purchase("hb-1", merchant="tea-shop", amount=CNY("20.00"), at=DAY)
        tx.offers.create(
            "tea-A",
            issuer="tea-shop",
            target=CNY("200000"),
            min_ticket=CNY("10000"),
            opens_at=DAY,
            closes_at=DAY + timedelta(days=14),
            equity_units=100_000,
        )
        before = {
            "fund": to_data(fund),
            "zcb": platform.to_data(),
            "loan": to_data(loan),
            "huabei": to_data(huabei),
            "offer": to_data(tx.offers.get("tea-A")),
            "ann": to_data(ann),
        }
    books = reopen()
    with books.transaction() as tx:
        after = {
            "fund": to_data(tx.funds.get("yuebao")),
            "zcb": tx.zhaocaibao.get("zhaocaibao").to_data(),
            "loan": to_data(tx.loans.get("JB-1")),
            "huabei": to_data(tx.huabei.get("ann")),
            "offer": to_data(tx.offers.get("tea-A")),
            "ann": to_data(tx.accounts.get("ann")),
        }
        assert tx.profiles.get("ann").score == 700
        assert tx.loans.ids("ACTIVE") == ("JB-1",)
    assert after == before
    counts = dict(books.check().counts)
    assert counts == {
        "account": 3,
        "escrow": 0,
        "fund": 1,
        "zhaocaibao": 1,
        "loan": 1,
        "huabei": 1,
        "offer": 1,
        "profile": 1,
    }


def test_only_what_is_due_is_touched(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tea, ann = _shop(tx)
        for number in range(5):
            trade = tx.escrow.create(
                f"T{number}",
                buyer=ann,
                seller=tea,
                amount=CNY("1.00"),
                goods=GoodsType.VIRTUAL,
                at=DAY,
                timeout=f"{number + 1}h",
            )
            if number >= 3:
                trade.pay(at=DAY)
    with reopen().transaction() as tx:
        assert tx.escrow.due(DAY + timedelta(hours=2)) == ("T0", "T1")
        applied = tx.advance_to(DAY + timedelta(hours=2))
        assert [t.to_status for t in applied] == [TradeStatus.TRADE_CLOSED] * 2
        assert tx.escrow.due(DAY + timedelta(hours=2)) == ()
    with reopen().transaction() as tx:
        assert tx.escrow.ids("TRADE_CLOSED") == ("T0", "T1")
        assert tx.escrow.due(DAY + timedelta(days=1)) == ("T2",)


def test_creating_again_with_the_same_terms_returns_the_trade(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tea, ann = _shop(tx)
        tx.escrow.create("T9", buyer=ann, seller=tea, amount=CNY("1.00"), goods=GoodsType.VIRTUAL, at=DAY)
    with reopen().transaction() as tx:
        tea, ann = _shop(tx)
        again = tx.escrow.create("T9", buyer=ann, seller=tea, amount=CNY("1.00"), goods=GoodsType.VIRTUAL, at=DAY)
        assert again is tx.escrow.get("T9")
        with pytest.raises(IdempotencyConflictError):
            tx.escrow.create("T9", buyer=ann, seller=tea, amount=CNY("2.00"), goods=GoodsType.VIRTUAL, at=DAY)


def test_buyers_must_come_from_the_transaction(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tea, _ = _shop(tx)
        stranger = Account.open(tx.ledger, "stranger", opened_at=DAY)
        with pytest.raises(NotFoundError, match="this transaction's accounts"):
            tx.escrow.create("T8", buyer=stranger, seller=tea, amount=CNY("1.00"), goods=GoodsType.VIRTUAL, at=DAY)


def test_get_of_an_unknown_id_is_not_found(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        with pytest.raises(NotFoundError, match="no loan 'nope'"):
            tx.loans.get("nope")
        with pytest.raises(TypeError):
            tx.loans.get(42)  # type: ignore[arg-type]


# -- stored state is untrusted ----------------------------------------------------------------


def _forge(path: Path, kind: str, doc_id: str, change: Callable[[dict[str, object]], None]) -> None:
    with sqlite3.connect(path) as conn:
        (body,) = conn.execute("SELECT body FROM documents WHERE kind = ? AND id = ?", (kind, doc_id)).fetchone()
        data = json.loads(body)
        change(data)
        conn.execute("UPDATE documents SET body = ? WHERE kind = ? AND id = ?", (json.dumps(data), kind, doc_id))
    conn.close()


@pytest.fixture
def paid_trade_file(tmp_path: Path) -> Path:
    path = tmp_path / "forged.db"
    with Books.open(path) as books, books.transaction() as tx:
        tea, ann = _shop(tx)
        tx.escrow.create("T1", buyer=ann, seller=tea, amount=CNY("400.00"), goods=GoodsType.VIRTUAL, at=DAY)
    return path


def test_a_forged_trade_is_refused_and_nothing_moves(paid_trade_file: Path) -> None:
    def success(data: dict[str, object]) -> None:
        state = data["_state"]
        assert isinstance(state, dict)
        state["status"] = "TRADE_SUCCESS"
        state["released"] = {"amount": "400.00", "currency": "CNY"}

    _forge(paid_trade_file, "escrow", "T1", success)
    refused = (SerializationError, InvariantViolationError)
    with Books.open(paid_trade_file) as books:
        with books.transaction() as tx, pytest.raises(refused, match="T1"):
            tx.escrow.get("T1")
        with pytest.raises(refused):
            books.check()
        with books.transaction() as tx:
            assert tx.ledger.balance("wallet:ann") == CNY("5000.00")


def test_a_forged_buyer_equal_to_the_seller_is_refused(paid_trade_file: Path) -> None:
    def same(data: dict[str, object]) -> None:
        data["buyer"] = {"$ref": "tea-shop"}

    _forge(paid_trade_file, "escrow", "T1", same)
    refused = (SerializationError, InvariantViolationError)
    with Books.open(paid_trade_file) as books, books.transaction() as tx, pytest.raises(refused):
        tx.escrow.get("T1")


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.update(amount={"amount": "-5.00", "currency": "CNY"}),
        lambda data: data.update(amount=5),
        lambda data: data.update(out_trade_no="T2"),
        lambda data: data.update(buyer={"$ref": "nobody"}),
        lambda data: data.update(unexpected=1),
    ],
)
def test_corrupt_documents_are_typed_errors(paid_trade_file: Path, change: Callable[[dict[str, object]], None]) -> None:
    _forge(paid_trade_file, "escrow", "T1", change)
    refused = (SerializationError, InvariantViolationError)
    with Books.open(paid_trade_file) as books, books.transaction() as tx, pytest.raises(refused):
        tx.escrow.get("T1")


def test_a_document_that_is_not_json_is_a_typed_error(paid_trade_file: Path) -> None:
    with sqlite3.connect(paid_trade_file) as conn:
        conn.execute("UPDATE documents SET body = 'not json' WHERE kind = 'escrow'")
    conn.close()
    with Books.open(paid_trade_file) as books, books.transaction() as tx, pytest.raises(SerializationError):
        tx.escrow.get("T1")


def test_books_refuse_a_foreign_file_and_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="not an antfin database"):
        Books.open(path)
    assert path.read_bytes() == before


def test_a_read_writes_nothing(reopen: Callable[[], Books]) -> None:
    books = reopen()
    with books.read() as tx:
        _shop(tx)
    with books.transaction() as tx:
        assert tx.accounts.ids() == ()
        assert not tx.ledger.has_account("wallet:ann")


def test_an_open_refund_request_has_its_own_index_state(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tea, ann = _shop(tx)
        trade = tx.escrow.create("T7", buyer=ann, seller=tea, amount=CNY("10.00"), goods=GoodsType.VIRTUAL, at=DAY)
        trade.pay(at=DAY)
        trade.ship(at=DAY + timedelta(hours=1))
        trade.request_refund("T7-R1", CNY("10.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=DAY + timedelta(hours=2))
    with reopen().transaction() as tx:
        assert tx.escrow.ids(REFUND_REQUESTED) == ("T7",)
        assert tx.escrow.ids("WAIT_BUYER_CONFIRM_GOODS") == ()
        assert tx.escrow.get("T7").status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS
        tx.escrow.get("T7").agree_refund(at=DAY + timedelta(hours=3))
        assert tx.escrow.ids(REFUND_REQUESTED) == ()


def test_a_trade_paid_with_huabei_enters_its_bill_when_released(reopen: Callable[[], Books]) -> None:
    with reopen().transaction() as tx:
        tea, ann = _shop(tx)
        profile = tx.profiles.put(CreditProfile.of("ann", 700, date(2024, 3, 1)))
        huabei = tx.huabei.open(profile, cycle=BillingCycle(due_day=9))
        on_credit = tx.escrow.create(
            "TEA-H", buyer=ann, seller=tea, amount=CNY("30.00"), goods=GoodsType.PHYSICAL_EXPRESS, at=DAY
        )
        huabei.pay_escrow(on_credit, at=DAY + timedelta(minutes=5))
        from_wallet = tx.escrow.create(
            "TEA-W", buyer=ann, seller=tea, amount=CNY("12.00"), goods=GoodsType.PHYSICAL_EXPRESS, at=DAY
        )
        from_wallet.pay(at=DAY + timedelta(minutes=6))
    for trade_no in ("TEA-H", "TEA-W"):
        with reopen().transaction() as tx:
            trade = tx.escrow.get(trade_no)
            trade.ship(at=DAY + timedelta(days=1))
            trade.confirm(at=DAY + timedelta(days=2))
    with reopen().read() as tx:
        events = [(event.kind, event.reference) for event in tx.huabei.get("ann").events]
    assert ("escrow purchase", "escrow:TEA-H") in events
    assert not any(reference == "escrow:TEA-W" for _, reference in events)


# -- the commit writes what changed, and only that ----------------------------------------------


def _written(books: Books, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (kind, id) of every document the books hand to the ledger's commit from now on."""
    written: list[tuple[str, str]] = []
    original = type(books._ledger).write_documents

    def spy(ledger: object, documents: Iterable[Document]) -> None:
        documents = list(documents)
        written.extend((document.kind, document.id) for document in documents)
        original(ledger, documents)  # type: ignore[arg-type]

    monkeypatch.setattr(type(books._ledger), "write_documents", spy)
    return written


def _versions(books: Books) -> dict[tuple[str, str], int]:
    store = books._documents
    return {
        (kind, key): document.version
        for kind in ("account", "escrow", "huabei", "profile", "loan")
        for key in store.document_ids(kind)
        if (document := store.document(kind, key)) is not None
    }


def _stocked(tx: Transaction) -> None:
    tea, ann = _shop(tx)
    profile = tx.profiles.put(CreditProfile.of("ann", 700, date(2024, 3, 1)))
    huabei = tx.huabei.open(profile, cycle=BillingCycle(due_day=9))
    huabei.purchase("hb-1", merchant="tea-shop", amount=CNY("20.00"), at=DAY)
    trade = tx.escrow.create("T1", buyer=ann, seller=tea, amount=CNY("38.00"), goods=GoodsType.VIRTUAL, at=DAY)
    trade.pay(at=DAY + timedelta(minutes=5))
    loan = tx.loans.create(
        "JB-1",
        wallet=ann.wallet_id,
        principal=CNY("1200.00"),
        rate=LoanRate.annual(Rate.percent("12"), DayCount.ACT_360),
        term=3,
    )
    loan.disburse(at=DAY)


def _read_everything(tx: Transaction) -> None:
    for repository in (tx.accounts, tx.escrow, tx.huabei, tx.profiles, tx.loans):
        for entity in repository:
            to_data(entity, references={Account: lambda account: account.account_id})


def test_aggregates_read_but_not_changed_are_not_rewritten(
    reopen: Callable[[], Books], monkeypatch: pytest.MonkeyPatch
) -> None:
    with reopen().transaction() as tx:
        _stocked(tx)
    books = reopen()
    before = _versions(books)
    written = _written(books, monkeypatch)
    with books.transaction() as tx:
        _read_everything(tx)
        assert tx.huabei.get("ann").available > CNY("0")  # reading through the API changes nothing either
    assert written == []
    assert _versions(books) == before


def test_a_changed_aggregate_is_written_and_only_it(
    reopen: Callable[[], Books], monkeypatch: pytest.MonkeyPatch
) -> None:
    with reopen().transaction() as tx:
        _stocked(tx)
    books = reopen()
    before = _versions(books)
    written = _written(books, monkeypatch)
    with books.transaction() as tx:
        _read_everything(tx)
        tx.escrow.get("T1").ship(at=DAY + timedelta(days=1))  # the trade's state only: no money moves
    assert written == [("escrow", "T1")]
    after = _versions(books)
    assert after == {**before, ("escrow", "T1"): before["escrow", "T1"] + 1}
    with books.transaction() as tx:
        assert tx.escrow.get("T1").status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS


def test_a_change_deep_inside_an_aggregate_is_written(
    reopen: Callable[[], Books], monkeypatch: pytest.MonkeyPatch
) -> None:
    with reopen().transaction() as tx:
        _stocked(tx)
    books = reopen()
    written = _written(books, monkeypatch)
    with books.transaction() as tx:
        _read_everything(tx)
        tx.huabei.get("ann").purchase("hb-2", merchant="tea-shop", amount=CNY("5.00"), at=DAY + timedelta(hours=1))
        tx.accounts.get("ann").link_card("C2", at=DAY + timedelta(hours=1))
    assert ("huabei", "ann") in written
    assert ("account", "ann") in written
    assert ("account", "tea-shop") not in written
    assert ("escrow", "T1") not in written
    with books.transaction() as tx:
        assert tx.accounts.get("ann").cards == ("C1", "C2")
        assert tx.huabei.get("ann").available == tx.huabei.get("ann").line - CNY("25.00")


def test_a_replaced_profile_is_written(reopen: Callable[[], Books], monkeypatch: pytest.MonkeyPatch) -> None:
    with reopen().transaction() as tx:
        _stocked(tx)
    books = reopen()
    written = _written(books, monkeypatch)
    with books.transaction() as tx:
        tx.profiles.put(CreditProfile.of("ann", 710, date(2024, 4, 1)))
    assert written == [("profile", "ann")]
    with books.transaction() as tx:
        assert tx.profiles.get("ann").score == 710


# -- the fund's units are the ledger's positions -------------------------------------------------


@pytest.fixture
def fund_file(tmp_path: Path) -> Path:
    path = tmp_path / "fund.db"
    with Books.open(path) as books, books.transaction() as tx:
        _shop(tx)
        fund = tx.funds.open(calendar=WeekdayCalendar())
        fund.purchase("yeb-1", "ann", CNY("100.00"), at=DAY)  # a Friday: confirmed on Monday
        for day in range(1, 6):
            fund.close_day(date(2024, 3, day), gross_income=CNY("0.00"), at=shanghai(2024, 3, day, 23))
    return path


def test_the_full_check_compares_the_funds_units_with_the_positions(fund_file: Path) -> None:
    with Books.open(fund_file) as books:
        books.check()
    _forge(fund_file, "fund", "yuebao", lambda data: data.update(_total=10001))
    with Books.open(fund_file) as books:
        with books.read() as tx:
            tx.funds.get("yuebao")  # what a load checks costs the pending orders, not the holders
        with pytest.raises(InvariantViolationError, match=r"100\.01 units outstanding but .* sum to 100\.00"):
            books.check()


def test_a_fund_document_with_a_copy_of_the_units_loads_without_it(fund_file: Path) -> None:
    _forge(fund_file, "fund", "yuebao", lambda data: data.update(_units={"ann": 10000}))
    with Books.open(fund_file) as books, books.read() as tx:
        fund = tx.funds.get("yuebao")
        assert fund.holders() == ("ann",)
        assert fund.units_of("ann") == fund.total_units == CNY("100.00").amount


def test_loading_the_fund_reads_its_pending_orders_holds_in_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pending.db"
    with Books.open(path) as books, books.transaction() as tx:
        _shop(tx)
        fund = tx.funds.open(calendar=WeekdayCalendar())
        for number in range(3):  # a Saturday: pending until the next trading day
            fund.purchase(f"yeb-{number}", "ann", CNY("10.00"), at=shanghai(2024, 3, 2, 10, number))
    with Books.open(path) as books:
        store = books._ledger._store
        read_together = store.holds_by_id
        asked: list[list[str]] = []

        def one_read(hold_ids: list[str]) -> object:
            asked.append(list(hold_ids))
            return read_together(hold_ids)

        def one_each(hold_id: str) -> None:
            raise AssertionError(f"hold {hold_id!r} read on its own")

        monkeypatch.setattr(store, "holds_by_id", one_read)
        monkeypatch.setattr(store, "hold", one_each)
        with books.read() as tx:
            assert len(tx.funds.get("yuebao").orders()) == 3
    assert [len(ids) for ids in asked] == [3]
