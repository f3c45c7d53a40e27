"""Zhaocaibao liquidation (变现) and reservations (预约) on the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, HoldStatus, Ledger
from antfin.money import CNY
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.platform import Zhaocaibao, ZhaocaibaoConfig, _example_platform
from antfin.wealth.zhaocaibao.products import (
    HoldingStatus,
    ProductKind,
    ProductStatus,
    ProductTerms,
    TransferSlice,
    UnsoldPolicy,
)
from antfin.wealth.zhaocaibao.reservations import ReservationCriteria, ReservationStatus

INVESTORS = ("alice", "bob", "carol")
FEE_ACCOUNT = ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE.account_id
ANY_PRODUCT = ReservationCriteria(min_yield=Rate.percent("4"), max_term_days=365)


def make_platform(config: ZhaocaibaoConfig | None = None, funds: str = "100000.00") -> Zhaocaibao:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    for party in (*INVESTORS, "bank", "insurer"):
        ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True)
    for party, amount in ((name, funds) for name in (*INVESTORS, "bank", "insurer")):
        ledger.transfer(
            f"top-up:{party}",
            debit="asset:bank_settlement",
            credit=f"wallet:{party}",
            amount=CNY(amount),
            at=shanghai(2024, 1, 1),
        )
    return Zhaocaibao(ledger, config)


def make_terms(product_id: str = "P1", **overrides: Any) -> ProductTerms:
    values: dict[str, Any] = {
        "product_id": product_id,
        "issuer": "bank",
        "guarantor": "insurer",
        "kind": ProductKind.BANK,
        "amount": CNY("10000.00"),
        "term_days": 90,
        "annual_yield": Rate.percent("4.5"),
        "sale_start": shanghai(2024, 3, 1),
        "sale_end": shanghai(2024, 3, 8),
    }
    values.update(overrides)
    return ProductTerms(**values)


def snapshot(platform: Zhaocaibao) -> tuple[object, ...]:
    ledger = platform.ledger
    balances = tuple((a.id, ledger.balance(a.id), ledger.pending(a.id)) for a in ledger.accounts())
    products = tuple((p.product_id, p.status, p.sold, p.holding_ids, p.history) for p in platform.products())
    holdings = tuple((h.holding_id, h.status, h.principal, h.transfers) for h in platform.holdings())
    reservations = tuple((r.reservation_id, r.status, r.fills, r.hold_id) for r in platform.reservations())
    return balances, len(ledger.entries()), products, holdings, reservations


def signed_total(ledger: Ledger) -> int:
    total = 0
    for account in ledger.accounts():
        minor = ledger.balance(account.id).minor_units
        total += minor if account.kind.debit_normal else -minor
    return total


def bought(platform: Zhaocaibao, investor: str = "alice", amount: str = "10000.00") -> Zhaocaibao:
    """``investor`` buys all of P1 (10,000, 90 days, 4.5%) on 1 March 2024; value date 2 March, maturity 31 May."""
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", investor, CNY(amount), at=shanghai(2024, 3, 1, 10))
    return platform


# -- liquidation --------------------------------------------------------------------------------


def test_liquidating_half_on_day_30_conserves_money_among_seller_buyer_platform_and_issuer() -> None:
    platform = bought(make_platform())
    ledger = platform.ledger
    transfer = platform.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 4, 1, 10))
    assert platform.holding("o1").status is HoldingStatus.LIQUIDATING
    assert transfer.terms.issuer == "alice"
    assert transfer.terms.term_days == 59
    platform.subscribe("b1", "sell-1", "bob", CNY("5000.00"), at=shanghai(2024, 4, 1, 11))
    assert transfer.status is ProductStatus.ISSUED
    # The seller receives the proceeds minus 0.2%, booked to the fee's profit point.
    assert ledger.balance("wallet:alice") == CNY("90000.00") + CNY("4990.00")
    assert ledger.balance(FEE_ACCOUNT) == CNY("10.00")
    holding = platform.holding("o1")
    assert holding.status is HoldingStatus.ACTIVE
    assert holding.principal == CNY("5000.00")
    assert holding.transfers == (TransferSlice("sell-1", CNY("5000.00")),)
    payout = platform.mature("P1", at=shanghai(2024, 5, 31, 9))
    # The issuer pays 10,000 × 4.5% × 90/365 = 110.95 (truncated); bob gets 59 days on 5,000 = 36.36;
    # alice keeps her half's 55.48 plus the 19.11 her sold half earned beyond bob's share.
    assert payout.total == CNY("10110.95")
    assert ledger.balance("wallet:bob") == CNY("95000.00") + CNY("5036.36")
    assert ledger.balance("wallet:alice") == CNY("94990.00") + CNY("5074.59")
    assert ledger.balance("wallet:bank") == CNY("100000.00") + CNY("10000.00") - CNY("10110.95")
    gains = {
        "alice": ledger.balance("wallet:alice") - CNY("100000.00"),
        "bob": ledger.balance("wallet:bob") - CNY("100000.00"),
        "platform": ledger.balance(FEE_ACCOUNT),
    }
    assert sum(gains.values(), CNY("0")) == payout.interest
    assert signed_total(ledger) == 0
    assert platform.product("sell-1").status is ProductStatus.MATURED
    assert {h.status for h in platform.holdings()} == {HoldingStatus.PAID}
    ledger.check_invariants()


def test_a_holding_cannot_be_liquidated_twice() -> None:
    platform = bought(make_platform())
    platform.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 4, 1))
    before = snapshot(platform)
    with pytest.raises(InvalidTransitionError, match="already being liquidated by sell-1"):
        platform.liquidate("sell-2", "o1", principal=CNY("1000.00"), at=shanghai(2024, 4, 1, 1))
    assert snapshot(platform) == before
    # The same key and parameters is a replay, not a second liquidation.
    assert platform.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 4, 1)) is platform.product(
        "sell-1"
    )
    with pytest.raises(IdempotencyConflictError):
        platform.liquidate("sell-1", "o1", principal=CNY("4000.00"), at=shanghai(2024, 4, 1))


@pytest.mark.parametrize(
    ("kwargs", "at", "error", "message"),
    [
        ({}, shanghai(2024, 3, 1, 23), PolicyViolationError, "from its value date"),
        ({}, shanghai(2024, 5, 30), PolicyViolationError, "day before"),
        ({"principal": CNY("10000.01")}, shanghai(2024, 4, 1), InvalidAmountError, "exceeds"),
        ({"principal": CNY("0.00")}, shanghai(2024, 4, 1), InvalidAmountError, "positive"),
        ({"annual_yield": Rate.percent("7")}, shanghai(2024, 4, 1), PolicyViolationError, "more than holding"),
    ],
)
def test_a_refused_liquidation_changes_nothing(
    kwargs: dict[str, Any], at: datetime, error: type[Exception], message: str
) -> None:
    platform = bought(make_platform())
    before = snapshot(platform)
    with pytest.raises(error, match=message):
        platform.liquidate("sell-1", "o1", at=at, **kwargs)
    assert snapshot(platform) == before


def test_a_higher_transfer_yield_within_what_the_holding_earns_is_allowed() -> None:
    platform = bought(make_platform())
    transfer = platform.liquidate("sell-1", "o1", annual_yield=Rate.percent("6.8"), at=shanghai(2024, 4, 1))
    assert transfer.terms.annual_yield == Rate.percent("6.8")


def test_partial_liquidation_can_be_switched_off() -> None:
    platform = bought(make_platform(ZhaocaibaoConfig(partial_liquidation=False)))
    with pytest.raises(PolicyViolationError, match="partial liquidation is off"):
        platform.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 4, 1))
    assert platform.liquidate("sell-2", "o1", at=shanghai(2024, 4, 1)).terms.amount == CNY("10000.00")


def test_a_holding_bought_from_a_transfer_cannot_be_resold_nor_a_subscribed_one_liquidated() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("4000.00"), at=shanghai(2024, 3, 1, 10))
    with pytest.raises(InvalidTransitionError, match="subscribed"):
        platform.liquidate("sell-0", "o1", at=shanghai(2024, 3, 2))
    platform.subscribe("o2", "P1", "carol", CNY("6000.00"), at=shanghai(2024, 3, 1, 10))
    platform.liquidate("sell-1", "o1", at=shanghai(2024, 4, 1))
    platform.subscribe("b1", "sell-1", "bob", CNY("4000.00"), at=shanghai(2024, 4, 1, 1))
    assert platform.holding("o1").status is HoldingStatus.TRANSFERRED
    with pytest.raises(PolicyViolationError, match="transfer product"):
        platform.liquidate("sell-2", "b1", at=shanghai(2024, 4, 2))
    with pytest.raises(PolicyViolationError, match="repaid with its backing"):
        platform.mature("sell-1", at=shanghai(2024, 6, 1))
    with pytest.raises(InvalidTransitionError, match="transferred"):
        platform.liquidate("sell-3", "o1", at=shanghai(2024, 4, 2))


def test_an_unsold_transfer_issues_what_sold_and_the_rest_stays_with_the_seller() -> None:
    platform = bought(make_platform())
    transfer = platform.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 4, 1))
    assert transfer.terms.sale_end == shanghai(2024, 4, 4)
    platform.subscribe("b1", "sell-1", "bob", CNY("2000.00"), at=shanghai(2024, 4, 2))
    platform.close_sale("sell-1", at=shanghai(2024, 4, 4))
    holding = platform.holding("o1")
    assert holding.principal == CNY("8000.00")
    assert holding.status is HoldingStatus.ACTIVE
    assert platform.ledger.balance(FEE_ACCOUNT) == CNY("4.00")
    assert platform.ledger.balance("wallet:alice") == CNY("90000.00") + CNY("1996.00")
    # The rest can be liquidated again.
    platform.liquidate("sell-2", "o1", principal=CNY("1000.00"), at=shanghai(2024, 4, 5))
    payout = platform.mature("P1", at=shanghai(2024, 5, 31))
    assert payout.total == CNY("10110.95")
    assert platform.product("sell-2").status is ProductStatus.CANCELLED  # still on sale at maturity: refunded
    assert signed_total(platform.ledger) == 0


def test_an_unsold_transfer_set_to_cancel_refunds_and_frees_the_holding() -> None:
    platform = bought(make_platform(ZhaocaibaoConfig(transfer_unsold=UnsoldPolicy.CANCEL)))
    platform.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 4, 1))
    platform.subscribe("b1", "sell-1", "bob", CNY("2000.00"), at=shanghai(2024, 4, 2))
    platform.settle_due(shanghai(2024, 4, 4))
    assert platform.product("sell-1").status is ProductStatus.CANCELLED
    assert platform.holding("o1").status is HoldingStatus.ACTIVE
    assert platform.holding("o1").principal == CNY("10000.00")
    assert platform.ledger.balance("wallet:bob") == CNY("100000.00")
    assert not platform.ledger.has_account(FEE_ACCOUNT)


def test_default_with_a_transfer_pays_buyers_and_seller_from_the_guarantor() -> None:
    platform = bought(make_platform())
    platform.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 4, 1, 10))
    platform.subscribe("b1", "sell-1", "bob", CNY("5000.00"), at=shanghai(2024, 4, 1, 11))
    platform.liquidate("sell-2", "o1", principal=CNY("2000.00"), at=shanghai(2024, 4, 2))
    platform.subscribe("c1", "sell-2", "carol", CNY("1000.00"), at=shanghai(2024, 4, 2, 1))
    claim = platform.default("P1", at=shanghai(2024, 5, 31, 9))
    assert platform.product("sell-2").status is ProductStatus.CANCELLED  # the open sale is refunded
    assert platform.ledger.balance("wallet:carol") == CNY("100000.00")
    assert platform.product("sell-1").status is ProductStatus.DEFAULTED
    platform.confirm_claim("P1", at=shanghai(2024, 6, 10))
    payout = platform.pay_claim("P1", at=shanghai(2024, 6, 12))
    assert payout.total == claim.amount == CNY("10110.95")
    assert platform.ledger.balance("wallet:bob") == CNY("95000.00") + CNY("5036.36")
    assert platform.product("sell-1").status is ProductStatus.GUARANTEE_PAID
    assert signed_total(platform.ledger) == 0


# -- reservations -----------------------------------------------------------------------------------


def test_reservations_fill_first_come_by_reservation_time_with_partial_fills() -> None:
    platform = make_platform()
    ledger = platform.ledger
    platform.reserve("r-alice", "alice", CNY("6000.00"), ANY_PRODUCT, at=shanghai(2024, 2, 1, 10))
    platform.reserve("r-bob", "bob", CNY("6000.00"), ANY_PRODUCT, at=shanghai(2024, 2, 1, 9))
    strict = ReservationCriteria(min_yield=Rate.percent("5"), max_term_days=365)
    platform.reserve("r-carol", "carol", CNY("3000.00"), strict, at=shanghai(2024, 2, 1, 8))
    assert ledger.available("wallet:alice") == CNY("94000.00")
    product = platform.list_product(
        make_terms("P2", sale_start=shanghai(2024, 2, 10), sale_end=shanghai(2024, 2, 17)), at=shanghai(2024, 2, 10)
    )
    assert product.status is ProductStatus.ISSUED
    assert [(h.investor, h.principal) for h in platform.holdings()] == [
        ("bob", CNY("6000.00")),
        ("alice", CNY("4000.00")),
    ]
    alice = platform.reservation("r-alice")
    assert alice.status is ReservationStatus.OPEN
    assert alice.remaining == CNY("2000.00")
    assert ledger.pending("wallet:alice") == CNY("2000.00")
    assert ledger.balance("wallet:alice") == CNY("96000.00")
    assert platform.reservation("r-bob").status is ReservationStatus.FILLED
    assert ledger.pending("wallet:bob") == CNY("0.00")
    assert platform.reservation("r-carol").remaining == CNY("3000.00")
    # The next listing fills alice's rest; carol's yield condition still excludes it.
    platform.list_product(
        make_terms("P3", amount=CNY("5000.00"), sale_start=shanghai(2024, 2, 15), sale_end=shanghai(2024, 2, 20)),
        at=shanghai(2024, 2, 15),
    )
    assert platform.reservation("r-alice").status is ReservationStatus.FILLED
    assert [fill.product_id for fill in alice.fills] == ["P2", "P3"]
    assert platform.product("P3").sold == CNY("2000.00")
    assert len(alice.hold_ids) == 2
    assert {ledger.get_hold(hold_id).status for hold_id in alice.hold_ids} == {HoldStatus.POSTED}
    assert ledger.balance("zcb:reservations") == CNY("0.00")
    assert signed_total(ledger) == 0


def test_a_reservation_only_matches_products_listed_after_it() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.reserve("r1", "alice", CNY("5000.00"), ANY_PRODUCT, at=shanghai(2024, 3, 2))
    assert platform.product("P1").sold == CNY("0.00")


def test_a_reservation_skips_products_it_cannot_buy_the_minimum_of() -> None:
    platform = make_platform()
    platform.reserve("r1", "alice", CNY("500.00"), ANY_PRODUCT, at=shanghai(2024, 2, 15))
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    assert platform.product("P1").sold == CNY("0.00")
    # A product whose whole amount is within reach is bought, even below its minimum.
    platform.list_product(
        make_terms("P2", amount=CNY("500.00"), min_subscription=CNY("500.00")), at=shanghai(2024, 3, 1)
    )
    assert platform.reservation("r1").status is ReservationStatus.FILLED


@pytest.mark.parametrize(
    ("listed_at", "filled"),
    [(shanghai(2024, 2, 29, 9, 59, 59), True), (shanghai(2024, 2, 29, 10), False)],
)
def test_a_reservation_expires_at_the_exact_instant_one_month_later(listed_at: datetime, filled: bool) -> None:
    platform = make_platform()
    reservation = platform.reserve("r1", "alice", CNY("5000.00"), ANY_PRODUCT, at=shanghai(2024, 1, 31, 10))
    assert reservation.expires_at == shanghai(2024, 2, 29, 10)  # 31 January + 1 month = end of February
    platform.list_product(make_terms(sale_start=shanghai(2024, 2, 28), sale_end=shanghai(2024, 3, 8)), at=listed_at)
    assert (platform.product("P1").sold == CNY("5000.00")) is filled
    expected = ReservationStatus.FILLED if filled else ReservationStatus.EXPIRED
    assert reservation.status is expected
    assert platform.ledger.pending("wallet:alice") == CNY("0.00")


def test_an_expired_reservation_releases_its_hold_exactly_once() -> None:
    platform = make_platform()
    ledger = platform.ledger
    reservation = platform.reserve("r1", "alice", CNY("8000.00"), ANY_PRODUCT, at=shanghai(2024, 2, 1, 9))
    platform.list_product(
        make_terms(amount=CNY("3000.00"), sale_start=shanghai(2024, 2, 5), sale_end=shanghai(2024, 2, 9)),
        at=shanghai(2024, 2, 5),
    )
    assert reservation.remaining == CNY("5000.00")
    assert platform.expire_reservations(shanghai(2024, 3, 1, 8, 59, 59)) == ()
    assert ledger.pending("wallet:alice") == CNY("5000.00")
    assert platform.expire_reservations(shanghai(2024, 3, 1, 9)) == (reservation,)
    assert reservation.status is ReservationStatus.EXPIRED
    assert reservation.history[-1].at == shanghai(2024, 3, 1, 9)
    last_hold = ledger.get_hold(reservation.hold_ids[-1])
    assert last_hold.status is HoldStatus.EXPIRED
    assert last_hold.resolved_at == shanghai(2024, 3, 1, 9)
    assert ledger.available("wallet:alice") == ledger.balance("wallet:alice") == CNY("97000.00")
    entries = len(ledger.entries())
    assert platform.expire_reservations(shanghai(2024, 3, 2)) == ()
    assert ledger.expire_holds(shanghai(2024, 3, 2)) == ()
    assert len(ledger.entries()) == entries
    assert ledger.available("wallet:alice") == CNY("97000.00")
    with pytest.raises(InvalidTransitionError):
        platform.cancel_reservation("r1", at=shanghai(2024, 3, 2))


def test_a_transfer_product_is_offered_to_reservations_but_not_to_the_seller_own() -> None:
    platform = bought(make_platform())
    platform.reserve("r-alice", "alice", CNY("3000.00"), ANY_PRODUCT, at=shanghai(2024, 3, 20))
    platform.reserve("r-bob", "bob", CNY("3000.00"), ANY_PRODUCT, at=shanghai(2024, 3, 21))
    transfer = platform.liquidate("sell-1", "o1", principal=CNY("3000.00"), at=shanghai(2024, 4, 1))
    assert transfer.status is ProductStatus.ISSUED
    assert [platform.holding(hid).investor for hid in transfer.holding_ids] == ["bob"]
    assert platform.reservation("r-alice").remaining == CNY("3000.00")
    assert platform.ledger.balance("wallet:alice") == CNY("90000.00") + CNY("2994.00")


def test_reservation_kinds_and_term_are_respected() -> None:
    platform = make_platform()
    only_insurance = ReservationCriteria(Rate.percent("1"), 365, kinds=frozenset({ProductKind.INSURANCE}))
    short = ReservationCriteria(Rate.percent("1"), 60)
    platform.reserve("r1", "alice", CNY("5000.00"), only_insurance, at=shanghai(2024, 2, 15))
    platform.reserve("r2", "bob", CNY("5000.00"), short, at=shanghai(2024, 2, 15, 1))
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    assert platform.product("P1").sold == CNY("0.00")
    platform.list_product(make_terms("P2", kind=ProductKind.INSURANCE, term_days=60), at=shanghai(2024, 3, 1))
    assert [platform.holding(hid).investor for hid in platform.product("P2").holding_ids] == ["alice", "bob"]


def test_reserve_refusals_change_nothing_and_keys_are_idempotent() -> None:
    platform = make_platform(funds="1000.00")
    before = snapshot(platform)
    with pytest.raises(InsufficientFundsError):
        platform.reserve("r1", "alice", CNY("1000.01"), ANY_PRODUCT, at=shanghai(2024, 2, 1))
    with pytest.raises(InvalidAmountError):
        platform.reserve("r1", "alice", CNY("0.00"), ANY_PRODUCT, at=shanghai(2024, 2, 1))
    with pytest.raises(TypeError):
        platform.reserve("r1", "alice", CNY("10.00"), "any", at=shanghai(2024, 2, 1))  # type: ignore[arg-type]
    assert snapshot(platform) == before
    first = platform.reserve("r1", "alice", CNY("600.00"), ANY_PRODUCT, at=shanghai(2024, 2, 1))
    assert platform.reserve("r1", "alice", CNY("600.00"), ANY_PRODUCT, at=shanghai(2024, 2, 2)) is first
    with pytest.raises(IdempotencyConflictError):
        platform.reserve("r1", "alice", CNY("700.00"), ANY_PRODUCT, at=shanghai(2024, 2, 1))
    assert platform.ledger.pending("wallet:alice") == CNY("600.00")


def test_a_cancelled_reservation_releases_its_hold() -> None:
    platform = make_platform()
    platform.reserve("r1", "alice", CNY("6000.00"), ANY_PRODUCT, at=shanghai(2024, 2, 1))
    cancelled = platform.cancel_reservation("r1", at=shanghai(2024, 2, 2))
    assert cancelled.status is ReservationStatus.CANCELLED
    assert platform.ledger.get_hold(cancelled.hold_ids[0]).status is HoldStatus.VOIDED
    assert platform.ledger.available("wallet:alice") == CNY("100000.00")
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    assert platform.product("P1").sold == CNY("0.00")
    with pytest.raises(InvalidTransitionError):
        platform.cancel_reservation("r1", at=shanghai(2024, 2, 3))


def test_replaying_a_whole_liquidation_returns_the_same_transfer_product() -> None:
    """Found by the whole-system simulation: "all of the holding" must fingerprint as asked, not as resolved."""
    zcb = _example_platform()
    zcb.subscribe("o1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
    first = zcb.liquidate("sell-all", "o1", at=shanghai(2024, 4, 1, 10))
    entries = len(zcb.ledger.entries())
    again = zcb.liquidate("sell-all", "o1", at=shanghai(2024, 4, 1, 11))
    assert again is first
    assert len(zcb.ledger.entries()) == entries


# -- 变现 as the case study says: a borrowing product against the holding ------------------------


def test_borrowing_against_a_holding_costs_the_borrower_two_per_mille() -> None:
    platform = make_platform()
    ledger = platform.ledger
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("a1", "P1", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
    before = ledger.balance("wallet:alice")
    loan = platform.borrow_against("L1", "a1", at=shanghai(2024, 3, 31, 10))
    assert (loan.terms.kind, loan.terms.issuer, loan.terms.name) == (ProductKind.PLEDGED_LOAN, "alice", "变现借款 P1")
    assert platform.holding("a1").status is HoldingStatus.LIQUIDATING
    platform.subscribe("b1", "L1", "bob", CNY("10000.00"), at=shanghai(2024, 3, 31, 11))
    assert loan.status is ProductStatus.ISSUED
    assert ledger.balance("wallet:alice") - before == CNY("9980.00")  # 10,000.00 borrowed, fee 20.00
    assert ledger.balance(FEE_ACCOUNT) == CNY("20.00")
    assert platform.holding("a1").status is HoldingStatus.PLEDGED
    assert platform.borrow_against("L1", "a1", at=shanghai(2024, 3, 31, 10)) is loan  # replay
    with pytest.raises(PolicyViolationError, match="repaid with its backing product"):
        platform.mature("L1", at=shanghai(2024, 6, 1))
    with pytest.raises(PolicyViolationError, match="cannot back another"):
        platform.liquidate("T1", "b1", at=shanghai(2024, 4, 2))
    # At maturity the holding's payout repays the lender first; the borrower keeps the rest.
    payout = platform.mature("P1", at=shanghai(2024, 5, 31, 12))
    bob = sum((line.total for line in payout.lines if line.investor == "bob"), CNY.zero())
    alice = sum((line.total for line in payout.lines if line.investor == "alice"), CNY.zero())
    assert bob > CNY("10000.00")
    assert bob + alice == payout.total
    assert platform.holding("a1").status is HoldingStatus.PAID
    platform.check_invariants()
    ledger.check_invariants()


def test_borrowing_products_are_listed_only_against_a_holding() -> None:
    platform = make_platform()
    with pytest.raises(PolicyViolationError, match="borrow_against"):
        platform.list_product(make_terms(kind=ProductKind.PLEDGED_LOAN), at=shanghai(2024, 3, 1))
