"""Zhaocaibao's history apart from its live state: final records archived, operations that touch only what they use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from tests.integration.conftest import stored_body

from antfin import CNY, Books
from antfin.calendar import shanghai
from antfin.errors import IdempotencyConflictError, InsufficientFundsError
from antfin.ledger import AccountKind, Ledger
from antfin.payments import AccountType
from antfin.rates import Rate
from antfin.wealth.zhaocaibao import (
    HoldingStatus,
    ProductKind,
    ProductStatus,
    ProductTerms,
    ReservationCriteria,
    ReservationStatus,
    Zhaocaibao,
)
from antfin.wealth.zhaocaibao.platform_state import _Records

DAY = shanghai(2024, 3, 1, 10)
ANY_PRODUCT = ReservationCriteria(min_yield=Rate.percent("4"), max_term_days=365)
NOTHING_MATCHES = ReservationCriteria(min_yield=Rate.percent("20"), max_term_days=365)


def _terms(product_id: str, start: datetime, amount: str = "10000.00") -> ProductTerms:
    return ProductTerms(
        product_id=product_id,
        issuer="bank",
        guarantor="bank",
        kind=ProductKind.BANK,
        amount=CNY(amount),
        term_days=30,
        annual_yield=Rate.percent("4.5"),
        sale_start=start,
        sale_end=start + timedelta(days=3),
    )


def _document(books: Books) -> dict[str, Any]:
    return stored_body(books, "zhaocaibao", "zhaocaibao")


def test_final_records_leave_the_platform_document_and_keys_replay_after_reopening(
    reopen: Callable[[], Books],
) -> None:
    with reopen().transaction() as tx:
        for name, kind in (("ann", AccountType.USER), ("bob", AccountType.USER), ("bank", AccountType.MERCHANT)):
            account = tx.accounts.open(name, opened_at=DAY, account_type=kind)
            account.link_card("C1", at=DAY)
            account.top_up(f"cash-{name}", card="C1", amount=CNY("50000.00"), at=DAY)
    with reopen().transaction() as tx:
        platform = tx.zhaocaibao.open()
        platform.reserve("r-fill", "ann", CNY("3000.00"), ANY_PRODUCT, at=DAY)
        platform.reserve("r-expire", "bob", CNY("1000.00"), NOTHING_MATCHES, at=DAY + timedelta(seconds=1))
        platform.reserve("r-cancel", "bob", CNY("1000.00"), NOTHING_MATCHES, at=DAY + timedelta(seconds=2))
        platform.cancel_reservation("r-cancel", at=DAY + timedelta(minutes=1))
        platform.list_product(_terms("P1", DAY + timedelta(minutes=2)), at=DAY + timedelta(minutes=2))
        assert platform.reservation("r-fill").status is ReservationStatus.FILLED
        platform.subscribe("s-1", "P1", "bob", CNY("7000.00"), at=DAY + timedelta(minutes=3))
        assert platform.product("P1").status is ProductStatus.ISSUED
    later = DAY + timedelta(days=5)
    with reopen().transaction() as tx:
        platform = tx.zhaocaibao.get("zhaocaibao")
        platform.liquidate("T1", "r-fill@P1", at=later)  # 变现: ann sells her holding
        platform.subscribe("s-2", "T1", "bob", CNY("3000.00"), at=later + timedelta(minutes=1))
        assert platform.holding("r-fill@P1").status is HoldingStatus.TRANSFERRED
    with reopen().transaction() as tx:
        platform = tx.zhaocaibao.get("zhaocaibao")
        assert platform.settle_due(DAY + timedelta(days=32)).expired == ("r-expire",)
        maturity = platform.product("P1").maturity_date
        assert maturity is not None
        platform.mature("P1", at=shanghai(maturity.year, maturity.month, maturity.day, 9))
    books = reopen()
    state = _document(books)["state"]
    # Every record is final: the document carries none of them, nor any request key.
    assert {name: value for name, value in state.items() if value} == {}
    with books.transaction() as tx:
        platform = tx.zhaocaibao.get("zhaocaibao")
        assert platform.product("P1").status is ProductStatus.MATURED
        assert platform.product("T1").status is ProductStatus.MATURED
        assert {h.status for h in platform.holdings()} == {HoldingStatus.PAID}
        assert [r.status for r in platform.reservations()] == [
            ReservationStatus.FILLED,
            ReservationStatus.EXPIRED,
            ReservationStatus.CANCELLED,
        ]
        assert [p.product_id for p in platform.products()] == ["P1", "T1"]
        assert platform.products(include_final=False) == ()
        # Retried requests whose records are archived replay their first answer, after a restart.
        assert platform.subscribe("s-1", "P1", "bob", CNY("7000.00"), at=later).status is HoldingStatus.PAID
        assert platform.reserve("r-fill", "ann", CNY("3000.00"), ANY_PRODUCT, at=later).reservation_id == "r-fill"
        assert platform.liquidate("T1", "r-fill@P1", at=later).product_id == "T1"
        with pytest.raises(IdempotencyConflictError):
            platform.subscribe("s-1", "P1", "bob", CNY("7001.00"), at=later)
        with pytest.raises(IdempotencyConflictError):
            platform.reserve("r-expire", "ann", CNY("1000.00"), NOTHING_MATCHES, at=later)
        platform.check_invariants()  # the full check reads the archives too
    books.check()


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    for party in ("alice", "bob", "bank"):
        ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True)
    for party in ("alice", "bob"):
        ledger.transfer(
            f"top-up:{party}",
            debit="asset:bank_settlement",
            credit=f"wallet:{party}",
            amount=CNY("1000000.00"),
            at=shanghai(2024, 1, 1),
        )
    return ledger


def test_a_refused_maturity_puts_back_what_it_had_already_changed() -> None:
    platform = Zhaocaibao(_ledger())
    platform.list_product(_terms("P1", DAY), at=DAY)
    platform.subscribe("s-1", "P1", "alice", CNY("10000.00"), at=DAY)
    later = DAY + timedelta(days=5)
    platform.liquidate("T1", "s-1", principal=CNY("4000.00"), at=later)
    platform.subscribe("s-2", "T1", "bob", CNY("1000.00"), at=later)  # T1 is still on sale
    before = platform.to_data()
    balances = {party: platform.ledger.balance(f"wallet:{party}") for party in ("alice", "bob", "bank")}
    maturity = platform.product("P1").maturity_date
    assert maturity is not None
    # The bank has the principal but not the interest: the maturity cancels T1 (refunding bob), then fails to pay.
    with pytest.raises(InsufficientFundsError):
        platform.mature("P1", at=shanghai(maturity.year, maturity.month, maturity.day, 9))
    assert platform.to_data() == before
    assert platform.product("T1").status is ProductStatus.OPEN
    assert platform.holding("s-2").status is HoldingStatus.SUBSCRIBED
    assert platform.holding("s-1").status is HoldingStatus.LIQUIDATING
    assert {party: platform.ledger.balance(f"wallet:{party}") for party in balances} == balances
    platform.check_invariants()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many products and reservations the per-operation checks read; the full check must not run."""
    counts = {"products": 0, "reservations": 0}
    check_product, check_reservation = _Records._check_product, _Records._check_reservation

    def product(self: _Records, entity: Any) -> None:
        counts["products"] += 1
        check_product(self, entity)

    def reservation(self: _Records, entity: Any) -> None:
        counts["reservations"] += 1
        check_reservation(self, entity)

    monkeypatch.setattr(_Records, "_check_product", product)
    monkeypatch.setattr(_Records, "_check_reservation", reservation)
    return counts


def _history(platform: Zhaocaibao, rounds: int) -> None:
    """``rounds`` products listed, sold, matured; a reservation filled and one cancelled each round."""
    platform.ledger.transfer(
        "top-up:bank",
        debit="asset:bank_settlement",
        credit="wallet:bank",
        amount=CNY("100000.00"),
        at=shanghai(2024, 1, 1),
    )
    for number in range(rounds):
        start = DAY + timedelta(days=40 * number)
        platform.reserve(f"r-{number}", "bob", CNY("2000.00"), ANY_PRODUCT, at=start)
        platform.reserve(f"c-{number}", "bob", CNY("2000.00"), NOTHING_MATCHES, at=start)
        platform.cancel_reservation(f"c-{number}", at=start)
        platform.list_product(_terms(f"H{number}", start), at=start)
        platform.subscribe(f"s-{number}", f"H{number}", "alice", CNY("8000.00"), at=start)
        maturity = platform.product(f"H{number}").maturity_date
        assert maturity is not None
        platform.mature(f"H{number}", at=shanghai(maturity.year, maturity.month, maturity.day, 9))


def _one_day_of_work(platform: Zhaocaibao, start: datetime) -> None:
    platform.reserve("today-r", "bob", CNY("1000.00"), NOTHING_MATCHES, at=start)
    platform.list_product(_terms("TODAY", start), at=start)
    platform.subscribe("today-s", "TODAY", "alice", CNY("1000.00"), at=start)
    platform.settle_due(start)


@pytest.mark.parametrize("rounds", [0, 6])
def test_an_operation_reads_what_it_touches_whatever_the_history(
    rounds: int, counted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not hasattr(Zhaocaibao, "_snapshot")
    platform = Zhaocaibao(_ledger())
    _history(platform, rounds)
    assert len(platform.products()) == rounds
    assert platform.products(include_final=False) == ()
    assert platform.reservations(include_final=False) == ()
    counted.update(products=0, reservations=0)

    def full_check(_self: Zhaocaibao) -> None:
        raise AssertionError("an operation ran the full check")

    monkeypatch.setattr(Zhaocaibao, "check_invariants", full_check)
    _one_day_of_work(platform, DAY + timedelta(days=40 * rounds + 1))
    # The same counts with no history and with six rounds of it.
    assert counted == {"products": 2, "reservations": 1}


def test_an_old_document_with_its_whole_history_in_the_live_state_still_loads() -> None:
    platform = Zhaocaibao(_ledger())
    _history(platform, 2)
    data = platform.to_data()
    state = data["state"]
    for table in ("products", "holdings", "reservations", "claims"):
        state[table] = {**state.pop(f"done_{table}"), **state[table]}  # as written before the archives
    again = Zhaocaibao.from_data(platform.ledger, data)
    assert [p.product_id for p in again.products()] == ["H0", "H1"]
    assert again.product("H1").status is ProductStatus.MATURED
    assert again.subscribe("s-1", "H1", "alice", CNY("8000.00"), at=DAY).holding_id == "s-1"  # replayed
    with pytest.raises(IdempotencyConflictError):
        again.reserve("r-0", "bob", CNY("2001.00"), ANY_PRODUCT, at=DAY)
    again.check_invariants()
