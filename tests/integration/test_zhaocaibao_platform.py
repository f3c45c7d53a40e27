"""Zhaocaibao on the ledger: subscriptions, issuance, sale close, maturity, default and the guarantor."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    NotFoundError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.claims import ClaimPolicy
from antfin.wealth.zhaocaibao.platform import Zhaocaibao, ZhaocaibaoConfig
from antfin.wealth.zhaocaibao.products import (
    HoldingStatus,
    ProductKind,
    ProductStatus,
    ProductTerms,
    UnsoldPolicy,
)

INVESTORS = ("alice", "bob", "carol")
FEE_ACCOUNT = ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE.account_id


def make_platform(config: ZhaocaibaoConfig | None = None, funds: str = "100000.00") -> Zhaocaibao:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    for party in (*INVESTORS, "bank", "acme", "insurer"):
        ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True)
    for investor in INVESTORS:
        ledger.transfer(
            f"top-up:{investor}",
            debit="asset:bank_settlement",
            credit=f"wallet:{investor}",
            amount=CNY(funds),
            at=shanghai(2024, 1, 1),
        )
    return Zhaocaibao(ledger, config)


def fund(platform: Zhaocaibao, party: str, amount: str) -> None:
    platform.ledger.transfer(
        f"fund:{party}:{len(platform.ledger.entries())}",
        debit="asset:bank_settlement",
        credit=f"wallet:{party}",
        amount=CNY(amount),
        at=shanghai(2024, 1, 1),
    )


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
    balances = tuple(
        (account.id, ledger.balance(account.id), ledger.pending(account.id)) for account in ledger.accounts()
    )
    products = tuple((p.product_id, p.status, p.sold, p.holding_ids, p.history) for p in platform.products())
    holdings = tuple((h.holding_id, h.status, h.principal, h.transfers) for h in platform.holdings())
    reservations = tuple((r.reservation_id, r.status, r.fills, r.hold_id) for r in platform.reservations())
    return balances, len(ledger.entries()), products, holdings, reservations


def signed_total(ledger: Ledger) -> int:
    """Debit-normal balances minus credit-normal balances: zero when no money was created or destroyed."""
    total = 0
    for account in ledger.accounts():
        minor = ledger.balance(account.id).minor_units
        total += minor if account.kind.debit_normal else -minor
    return total


# -- subscriptions and issuance -------------------------------------------------------------


def test_a_sell_out_issues_the_product_and_pays_the_issuer() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    first = platform.subscribe("o1", "P1", "alice", CNY("6000.00"), at=shanghai(2024, 3, 2))
    assert platform.product("P1").status is ProductStatus.OPEN
    assert platform.ledger.balance(Zhaocaibao.escrow("P1")) == CNY("6000.00")
    platform.subscribe("o2", "P1", "bob", CNY("4000.00"), at=shanghai(2024, 3, 3, 15, 30))
    product = platform.product("P1")
    assert product.status is ProductStatus.ISSUED
    assert product.issued_at == shanghai(2024, 3, 3, 15, 30)
    assert str(product.value_date) == "2024-03-04"
    assert str(product.maturity_date) == "2024-06-02"
    assert first.status is HoldingStatus.ACTIVE
    assert platform.ledger.balance("wallet:bank") == CNY("10000.00")
    assert platform.ledger.balance(Zhaocaibao.escrow("P1")) == CNY("0.00")
    assert not platform.ledger.has_account(FEE_ACCOUNT)  # a bank product pays no fee


def test_a_borrower_pays_the_fee_when_its_loan_issues() -> None:
    platform = make_platform()
    platform.list_product(
        make_terms(issuer="acme", kind=ProductKind.SME_LOAN, amount=CNY("100250.00")), at=shanghai(2024, 3, 1)
    )
    platform.subscribe("o1", "P1", "alice", CNY("60000.00"), at=shanghai(2024, 3, 2))
    platform.subscribe("o2", "P1", "bob", CNY("40250.00"), at=shanghai(2024, 3, 2))
    # 0.2% of 100,250.00 = 200.50 exactly.
    assert platform.ledger.balance(FEE_ACCOUNT) == CNY("200.50")
    assert platform.ledger.balance("wallet:acme") == CNY("100049.50")


def test_a_subscription_is_idempotent_by_key() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    first = platform.subscribe("o1", "P1", "alice", CNY("3000.00"), at=shanghai(2024, 3, 2))
    again = platform.subscribe("o1", "P1", "alice", CNY("3000.00"), at=shanghai(2024, 3, 2, 1))
    assert again is first
    assert platform.product("P1").sold == CNY("3000.00")
    assert platform.ledger.balance("wallet:alice") == CNY("97000.00")
    before = snapshot(platform)
    with pytest.raises(IdempotencyConflictError):
        platform.subscribe("o1", "P1", "alice", CNY("3000.01"), at=shanghai(2024, 3, 2))
    assert snapshot(platform) == before


@pytest.mark.parametrize(
    ("investor", "amount", "at", "error"),
    [
        ("alice", CNY("999.99"), shanghai(2024, 3, 2), PolicyViolationError),
        ("alice", CNY("10000.01"), shanghai(2024, 3, 2), PolicyViolationError),
        ("alice", CNY("2000.00"), shanghai(2024, 3, 8), PolicyViolationError),
        ("alice", CNY("2000.00"), shanghai(2024, 2, 29, 23, 59, 59), PolicyViolationError),
        ("bank", CNY("2000.00"), shanghai(2024, 3, 2), PolicyViolationError),
        ("nobody", CNY("2000.00"), shanghai(2024, 3, 2), NotFoundError),
        ("alice", CNY("0.00"), shanghai(2024, 3, 2), InvalidAmountError),
        ("alice", Money("2000", "USD"), shanghai(2024, 3, 2), InvalidAmountError),
    ],
)
def test_a_refused_subscription_changes_nothing(
    investor: str, amount: Money, at: datetime, error: type[Exception]
) -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    before = snapshot(platform)
    with pytest.raises(error):
        platform.subscribe("o1", "P1", investor, amount, at=at)
    assert snapshot(platform) == before


def test_a_wallet_that_cannot_pay_is_refused_and_nothing_changes() -> None:
    platform = make_platform(funds="1500.00")
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    before = snapshot(platform)
    with pytest.raises(InsufficientFundsError):
        platform.subscribe("o1", "P1", "alice", CNY("1500.01"), at=shanghai(2024, 3, 2))
    assert snapshot(platform) == before


def test_the_investor_cap_counts_distinct_investors() -> None:
    platform = make_platform()
    platform.list_product(make_terms(investor_cap=2), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("1000.00"), at=shanghai(2024, 3, 2))
    platform.subscribe("o2", "P1", "bob", CNY("1000.00"), at=shanghai(2024, 3, 2))
    platform.subscribe("o3", "P1", "alice", CNY("1000.00"), at=shanghai(2024, 3, 2))  # alice again: allowed
    with pytest.raises(PolicyViolationError, match="cap is 2"):
        platform.subscribe("o4", "P1", "carol", CNY("1000.00"), at=shanghai(2024, 3, 2))


def test_the_last_subscription_may_take_a_remainder_below_the_minimum() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("9500.00"), at=shanghai(2024, 3, 2))
    platform.subscribe("o2", "P1", "bob", CNY("500.00"), at=shanghai(2024, 3, 2))
    assert platform.product("P1").status is ProductStatus.ISSUED


def test_listing_is_idempotent_by_product_id_and_checks_its_inputs() -> None:
    platform = make_platform()
    product = platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    assert platform.list_product(make_terms(), at=shanghai(2024, 3, 2)) is product
    with pytest.raises(IdempotencyConflictError):
        platform.list_product(make_terms(term_days=91), at=shanghai(2024, 3, 1))
    with pytest.raises(PolicyViolationError, match="outside"):
        platform.list_product(make_terms("P2"), at=shanghai(2024, 3, 8))
    with pytest.raises(NotFoundError, match="issuer"):
        platform.list_product(make_terms("P3", issuer="ghost"), at=shanghai(2024, 3, 1))
    with pytest.raises(PolicyViolationError, match="liquidate"):
        platform.list_product(make_terms("P4", kind=ProductKind.TRANSFER), at=shanghai(2024, 3, 1))
    assert [p.product_id for p in platform.products()] == ["P1"]


# -- the end of the sale window ----------------------------------------------------------------


def test_an_unsold_product_issues_what_it_sold() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("4000.00"), at=shanghai(2024, 3, 2))
    with pytest.raises(PolicyViolationError, match="runs until"):
        platform.close_sale("P1", at=shanghai(2024, 3, 7, 23, 59, 59))
    product = platform.close_sale("P1", at=shanghai(2024, 3, 8))
    assert product.status is ProductStatus.ISSUED
    assert platform.ledger.balance("wallet:bank") == CNY("4000.00")
    with pytest.raises(InvalidTransitionError):
        platform.close_sale("P1", at=shanghai(2024, 3, 9))


def test_an_unsold_product_set_to_cancel_refunds_every_subscriber() -> None:
    platform = make_platform()
    platform.list_product(make_terms(unsold=UnsoldPolicy.CANCEL), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("4000.00"), at=shanghai(2024, 3, 2))
    platform.subscribe("o2", "P1", "bob", CNY("2000.00"), at=shanghai(2024, 3, 2))
    report = platform.settle_due(shanghai(2024, 3, 8))
    assert report.closed == ("P1",)
    assert platform.product("P1").status is ProductStatus.CANCELLED
    assert platform.ledger.balance("wallet:alice") == CNY("100000.00")
    assert platform.ledger.balance("wallet:bob") == CNY("100000.00")
    assert {h.status for h in platform.holdings()} == {HoldingStatus.REFUNDED}
    assert platform.settle_due(shanghai(2024, 3, 9)).closed == ()


def test_a_product_that_sold_nothing_is_cancelled() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    assert platform.close_sale("P1", at=shanghai(2024, 3, 8)).status is ProductStatus.CANCELLED


# -- maturity ------------------------------------------------------------------------------------


def test_maturity_pays_principal_and_interest_that_reconcile_with_the_issuer() -> None:
    platform = make_platform()
    platform.list_product(make_terms(amount=CNY("10000.00"), annual_yield=Rate.percent("4.7")), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("3333.33"), at=shanghai(2024, 3, 2))
    platform.subscribe("o2", "P1", "bob", CNY("3333.33"), at=shanghai(2024, 3, 2))
    platform.subscribe("o3", "P1", "carol", CNY("3333.34"), at=shanghai(2024, 3, 2))
    fund(platform, "bank", "200.00")
    with pytest.raises(PolicyViolationError, match="matures on"):
        platform.mature("P1", at=shanghai(2024, 5, 31, 23, 59, 59))
    payout = platform.mature("P1", at=shanghai(2024, 6, 1, 10))
    # 10,000 × 4.7% × 90 / 365 = 115.890..., truncated to 115.89.
    assert payout.interest == CNY("115.89")
    assert payout.total == CNY("10115.89")
    assert platform.ledger.balance("wallet:bank") == CNY("10200.00") - CNY("10115.89")
    received = {line.investor: line.interest for line in payout.lines}
    assert sum(received.values(), CNY("0")) == CNY("115.89")
    for investor, principal in (("alice", "3333.33"), ("bob", "3333.33"), ("carol", "3333.34")):
        exact = Decimal("115.89") * Decimal(principal) / Decimal("10000.00")
        assert abs(received[investor].amount - exact) < Decimal("0.01")
    assert platform.product("P1").status is ProductStatus.MATURED
    assert {h.status for h in platform.holdings()} == {HoldingStatus.PAID}
    with pytest.raises(InvalidTransitionError):
        platform.mature("P1", at=shanghai(2024, 6, 2))


def test_an_issuer_that_cannot_repay_changes_nothing() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("10000.00"), at=shanghai(2024, 3, 2))
    before = snapshot(platform)
    with pytest.raises(InsufficientFundsError):
        platform.mature("P1", at=shanghai(2024, 6, 1, 10))
    assert snapshot(platform) == before


# -- default and the guarantor ------------------------------------------------------------------------


def test_the_guarantor_pays_principal_and_expected_interest_after_confirming() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("6000.00"), at=shanghai(2024, 3, 2))
    platform.subscribe("o2", "P1", "bob", CNY("4000.00"), at=shanghai(2024, 3, 2))
    claim = platform.default("P1", at=shanghai(2024, 6, 1, 10))
    assert claim.amount == CNY("10110.95")
    assert claim.confirm_by == shanghai(2024, 7, 1, 10)
    assert platform.product("P1").status is ProductStatus.DEFAULTED
    with pytest.raises(InvalidTransitionError, match="expected confirmed"):
        platform.pay_claim("P1", at=shanghai(2024, 6, 2))
    platform.confirm_claim("P1", at=shanghai(2024, 6, 25))
    assert platform.claim("P1").pay_by == shanghai(2024, 6, 28)
    fund(platform, "insurer", "20000.00")
    payout = platform.pay_claim("P1", at=shanghai(2024, 6, 27))
    assert payout.payer == "insurer"
    assert payout.total == claim.amount
    assert platform.ledger.balance("wallet:insurer") == CNY("20000.00") - CNY("10110.95")
    assert platform.ledger.balance("wallet:alice") == CNY("94000.00") + CNY("6066.57")
    assert platform.ledger.balance("wallet:bob") == CNY("96000.00") + CNY("4044.38")
    assert platform.product("P1").status is ProductStatus.GUARANTEE_PAID
    assert not platform.claim("P1").is_overdue(shanghai(2024, 12, 31))
    with pytest.raises(InvalidTransitionError):
        platform.pay_claim("P1", at=shanghai(2024, 6, 28))


def test_a_guarantor_that_cannot_pay_changes_nothing() -> None:
    platform = make_platform()
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("10000.00"), at=shanghai(2024, 3, 2))
    platform.default("P1", at=shanghai(2024, 6, 1, 10))
    platform.confirm_claim("P1", at=shanghai(2024, 6, 2))
    before = snapshot(platform)
    claim_status = platform.claim("P1").status
    with pytest.raises(InsufficientFundsError):
        platform.pay_claim("P1", at=shanghai(2024, 6, 3))
    assert snapshot(platform) == before
    assert platform.claim("P1").status is claim_status


def test_a_product_without_guarantor_cannot_default_to_a_claim() -> None:
    platform = make_platform()
    platform.list_product(make_terms(guarantor=None), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("10000.00"), at=shanghai(2024, 3, 2))
    with pytest.raises(PolicyViolationError, match="no guarantor"):
        platform.default("P1", at=shanghai(2024, 6, 1))
    with pytest.raises(NotFoundError):
        platform.claim("P1")


def test_claim_deadlines_are_configurable() -> None:
    config = ZhaocaibaoConfig(claim=ClaimPolicy(confirm_within=timedelta(days=10), pay_within=timedelta(days=1)))
    platform = make_platform(config)
    platform.list_product(make_terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("10000.00"), at=shanghai(2024, 3, 2))
    claim = platform.default("P1", at=shanghai(2024, 6, 1))
    assert claim.confirm_by == shanghai(2024, 6, 11)
    assert claim.is_overdue(shanghai(2024, 6, 11, 0, 0, 1))


def test_money_is_conserved_through_a_full_life() -> None:
    platform = make_platform()
    platform.list_product(make_terms(kind=ProductKind.SME_LOAN, issuer="acme"), at=shanghai(2024, 3, 1))
    platform.subscribe("o1", "P1", "alice", CNY("10000.00"), at=shanghai(2024, 3, 2))
    fund(platform, "acme", "500.00")
    platform.mature("P1", at=shanghai(2024, 6, 1))
    platform.ledger.check_invariants()
    assert signed_total(platform.ledger) == 0
    # acme got 10,000 - 20 fee, repaid 10,110.95 from that plus its 500.
    assert platform.ledger.balance("wallet:acme") == CNY("10500.00") - CNY("20.00") - CNY("10110.95")
