"""Property: no sequence of Zhaocaibao operations creates or destroys money.

A seeded random walk of listings, subscriptions, reservations, liquidations,
cancellations, sale closes and maturities. After every step the ledger's
debit-normal balances equal its credit-normal balances (all money came from
the one settlement asset), wallets never go negative, every invariant of the
ledger and the platform holds, and a refused step changes nothing.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from antfin.calendar import shanghai, start_of_day
from antfin.errors import AntfinError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.platform import Zhaocaibao
from antfin.wealth.zhaocaibao.products import HoldingStatus, ProductKind, ProductStatus, ProductTerms, UnsoldPolicy
from antfin.wealth.zhaocaibao.reservations import ReservationCriteria

INVESTORS = ("alice", "bob", "carol")
START = shanghai(2024, 3, 1, 9)

amounts = st.integers(min_value=1, max_value=40).map(lambda hundreds: CNY(hundreds * 100))
steps = st.one_of(
    st.tuples(
        st.just("list"),
        st.sampled_from([30, 60, 90]),
        st.sampled_from(["3.5", "4.5", "5.5"]),
        st.integers(min_value=10, max_value=60).map(lambda hundreds: CNY(hundreds * 100)),
        st.sampled_from([ProductKind.BANK, ProductKind.SME_LOAN]),
        st.sampled_from(list(UnsoldPolicy)),
    ),
    st.tuples(st.just("subscribe"), st.integers(0, 2), st.integers(0, 9), amounts),
    st.tuples(st.just("liquidate"), st.integers(0, 19), st.sampled_from([None, 1, 2])),
    st.tuples(st.just("subscribe"), st.integers(0, 2), st.integers(0, 9), amounts),
    st.tuples(
        st.just("reserve"), st.integers(0, 2), amounts, st.sampled_from(["3", "4.5", "5"]), st.sampled_from([60, 90])
    ),
    st.tuples(st.just("liquidate"), st.integers(0, 19), st.sampled_from([None, 1, 2])),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("wait"), st.integers(min_value=1, max_value=24 * 20)),
    st.tuples(st.just("settle")),
    st.tuples(st.just("mature"), st.integers(0, 9)),
)


def world() -> Zhaocaibao:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    for party in (*INVESTORS, "bank", "acme", "insurer"):
        ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True)
        ledger.transfer(
            f"top-up:{party}",
            debit="asset:bank_settlement",
            credit=f"wallet:{party}",
            amount=CNY("10000.00"),
            at=shanghai(2024, 1, 1),
        )
    return Zhaocaibao(ledger)


def state(platform: Zhaocaibao) -> tuple[object, ...]:
    ledger = platform.ledger
    balances = tuple((a.id, ledger.balance(a.id), ledger.pending(a.id)) for a in ledger.accounts())
    products = tuple((p.product_id, p.status, p.sold, p.holding_ids) for p in platform.products())
    holdings = tuple((h.holding_id, h.status, h.principal, h.transfers) for h in platform.holdings())
    reservations = tuple((r.reservation_id, r.status, r.fills, r.hold_id) for r in platform.reservations())
    return balances, len(ledger.entries()), products, holdings, reservations


def check_money(platform: Zhaocaibao) -> None:
    ledger = platform.ledger
    ledger.check_invariants()
    platform.check_invariants()
    signed = 0
    for account in ledger.accounts():
        balance = ledger.balance(account.id)
        signed += balance.minor_units if account.kind.debit_normal else -balance.minor_units
        if account.id.startswith("wallet:"):
            assert not balance.is_negative(), account.id
            assert not ledger.available(account.id).is_negative(), account.id
    assert signed == 0
    # Every yuan the settlement asset paid out is somewhere: wallets, escrows, fees.
    assert ledger.balance("asset:bank_settlement") == CNY("60000.00")


def run(platform: Zhaocaibao, step: tuple[Any, ...], now: datetime, counter: int) -> tuple[str, datetime]:
    """Apply one step; return what happened and the (possibly advanced) clock."""
    kind = step[0]
    open_products = [p for p in platform.products() if p.status is ProductStatus.OPEN]
    issued = [
        p for p in platform.products() if p.status is ProductStatus.ISSUED and p.terms.kind is not ProductKind.TRANSFER
    ]
    active = [h for h in platform.holdings() if h.status is HoldingStatus.ACTIVE]
    if kind == "list":
        _, days, rate, amount, product_kind, unsold = step
        platform.list_product(
            ProductTerms(
                product_id=f"P{counter}",
                issuer="acme" if product_kind is ProductKind.SME_LOAN else "bank",
                guarantor="insurer",
                kind=product_kind,
                amount=amount,
                term_days=days,
                annual_yield=Rate.percent(rate),
                sale_start=now,
                sale_end=now + timedelta(days=5),
                unsold=unsold,
            ),
            at=now,
        )
    elif kind == "subscribe" and open_products:
        _, investor, index, amount = step
        product = open_products[index % len(open_products)]
        amount = min(amount, product.remaining)
        platform.subscribe(f"s{counter}", product.product_id, INVESTORS[investor], amount, at=now)
    elif kind == "reserve":
        _, investor, amount, rate, term = step
        criteria = ReservationCriteria(Rate.percent(rate), term)
        platform.reserve(f"r{counter}", INVESTORS[investor], amount, criteria, at=now)
    elif kind == "liquidate" and active:
        _, index, part = step
        holding = active[index % len(active)]
        principal = None if part is None else holding.principal.split(2)[part - 1]
        platform.liquidate(f"T{counter}", holding.holding_id, principal=principal, at=now)
    elif kind == "cancel" and platform.reservations():
        reservations = platform.reservations()
        platform.cancel_reservation(reservations[step[1] % len(reservations)].reservation_id, at=now)
    elif kind == "settle":
        platform.settle_due(now)
    elif kind == "mature" and issued:
        product = issued[step[1] % len(issued)]
        if product.maturity_date is not None:
            now = max(now, start_of_day(product.maturity_date) + timedelta(hours=9))
        platform.mature(product.product_id, at=now)
    else:
        return "skipped", now
    return "done", now


@settings(max_examples=60)
@given(st.lists(steps, min_size=1, max_size=30))
def test_no_sequence_of_operations_creates_or_destroys_money(sequence: list[tuple[Any, ...]]) -> None:
    platform = world()
    now = START
    # A prelude so every walk has something to liquidate: P0 sells out to alice and bob.
    prelude: list[tuple[Any, ...]] = [
        ("list", 90, "4.5", CNY("5000.00"), ProductKind.BANK, UnsoldPolicy.ISSUE_SOLD),
        ("subscribe", 0, 0, CNY("3000.00")),
        ("subscribe", 1, 0, CNY("2000.00")),
        ("wait", 30),
    ]
    sequence = prelude + sequence
    for counter, step in enumerate(sequence):
        if step[0] == "wait":
            now = now + timedelta(hours=step[1])
            continue
        before = state(platform)
        try:
            outcome, now = run(platform, step, now, counter)
            event(f"{step[0]} {outcome}")
        except AntfinError as error:
            event(f"{step[0]} refused: {type(error).__name__}")
            assert state(platform) == before  # a refused operation changes nothing
        check_money(platform)
    # Whatever happened, settling and repaying everything at the end still conserves money.
    end = now + timedelta(days=200)
    platform.settle_due(end)
    for product in platform.products():
        if product.status is ProductStatus.ISSUED and product.terms.kind is not ProductKind.TRANSFER:
            with contextlib.suppress(AntfinError):  # an issuer short of funds: nothing moves
                platform.mature(product.product_id, at=end)
        check_money(platform)
    for investor in INVESTORS:
        assert platform.ledger.pending(f"wallet:{investor}") == CNY("0.00")
