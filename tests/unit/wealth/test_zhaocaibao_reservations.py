"""Reservation criteria, expiry and lifecycle; guarantor claim deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from antfin.calendar import shanghai
from antfin.errors import InvalidAmountError, InvalidTimeError, InvalidTransitionError
from antfin.money import CNY
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.claims import ClaimPolicy, ClaimStatus, GuarantorClaim
from antfin.wealth.zhaocaibao.products import Product, ProductKind, ProductTerms
from antfin.wealth.zhaocaibao.reservations import (
    Reservation,
    ReservationCriteria,
    ReservationFill,
    ReservationStatus,
    expiry_of,
)


def product(kind: ProductKind = ProductKind.BANK, days: int = 90, rate: str = "4.5") -> Product:
    terms = ProductTerms(
        product_id="P1",
        issuer="bank",
        guarantor="insurer",
        kind=kind,
        amount=CNY("10000.00"),
        term_days=days,
        annual_yield=Rate.percent(rate),
        sale_start=shanghai(2024, 3, 1),
        sale_end=shanghai(2024, 3, 8),
    )
    return Product(terms, listed_at=shanghai(2024, 3, 1))


@pytest.mark.parametrize(
    ("reserved", "expires"),
    [
        (shanghai(2024, 1, 31, 10), shanghai(2024, 2, 29, 10)),
        (shanghai(2023, 1, 31, 10), shanghai(2023, 2, 28, 10)),
        (shanghai(2024, 3, 31), shanghai(2024, 4, 30)),
        (shanghai(2024, 12, 15, 8), shanghai(2025, 1, 15, 8)),
        # 31 January 17:00 UTC is 1 February 01:00 in Shanghai: a month later is 1 March.
        (datetime(2024, 1, 31, 17, tzinfo=UTC), shanghai(2024, 3, 1, 1)),
    ],
)
def test_a_reservation_runs_one_dateutil_month_in_shanghai_time(reserved: datetime, expires: datetime) -> None:
    assert expiry_of(reserved) == expires


def test_expiry_refuses_naive_times() -> None:
    with pytest.raises(InvalidTimeError):
        expiry_of(datetime(2024, 1, 31))


def test_criteria_explain_each_rule() -> None:
    criteria = ReservationCriteria(Rate.percent("4.5"), 90, kinds=[ProductKind.BANK, ProductKind.INSURANCE])
    assert criteria.evaluate(product()).approved
    assert bool(criteria.evaluate(product()))
    decision = criteria.evaluate(product(ProductKind.SME_LOAN, 91, "4.49"))
    assert not decision.approved
    assert [(r.rule, r.threshold, r.actual, r.passed) for r in decision.reasons] == [
        ("min_yield", "4.5%", "4.49%", False),
        ("max_term_days", "90", "91", False),
        ("kinds", "bank, insurance", "sme_loan", False),
    ]
    assert ReservationCriteria(Rate.percent("1"), 365).evaluate(product(ProductKind.TRANSFER)).approved


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((Rate.percent("4"), 0), InvalidAmountError),
        ((Rate.percent("4"), 30.0), TypeError),
        (("4%", 30), TypeError),
        ((Rate.percent("4"), 30, ["bank"]), TypeError),
    ],
)
def test_bad_criteria_are_refused(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        ReservationCriteria(*args)  # type: ignore[arg-type]


def make_reservation() -> Reservation:
    at = shanghai(2024, 2, 1, 9)
    return Reservation(
        "r1", "alice", CNY("5000.00"), ReservationCriteria(Rate.percent("4"), 90), at, expiry_of(at), hold_id="h0"
    )


def test_a_reservation_fills_partially_then_fully() -> None:
    reservation = make_reservation()
    reservation.transition(
        ReservationStatus.OPEN, shanghai(2024, 2, 2), fill=ReservationFill("P1", "r1@P1", CNY("3000.00")), hold_id="h1"
    )
    assert reservation.remaining == CNY("2000.00")
    assert reservation.hold_ids == ("h0", "h1")
    with pytest.raises(InvalidTransitionError, match=r"only 2000\.00 CNY remains"):
        reservation.transition(
            ReservationStatus.FILLED, shanghai(2024, 2, 3), fill=ReservationFill("P2", "r1@P2", CNY("2000.01"))
        )
    reservation.transition(
        ReservationStatus.FILLED, shanghai(2024, 2, 3), fill=ReservationFill("P2", "r1@P2", CNY("2000.00"))
    )
    assert reservation.filled == CNY("5000.00")
    assert reservation.hold_id is None
    assert not reservation.is_active(shanghai(2024, 2, 4))
    with pytest.raises(InvalidTransitionError, match="filled"):
        reservation.transition(ReservationStatus.EXPIRED, shanghai(2024, 3, 1, 9))


def test_a_reservation_is_active_from_its_time_until_just_before_expiry() -> None:
    reservation = make_reservation()
    assert not reservation.is_active(shanghai(2024, 2, 1, 8, 59, 59))
    assert reservation.is_active(shanghai(2024, 2, 1, 9))
    assert reservation.is_active(shanghai(2024, 3, 1, 8, 59, 59))
    assert not reservation.is_active(shanghai(2024, 3, 1, 9))


# -- guarantor claims -----------------------------------------------------------------------------------


def test_claim_deadlines_and_overdue() -> None:
    claim = GuarantorClaim("P1", "insurer", CNY("10110.95"), filed_at=shanghai(2024, 6, 1, 10))
    assert claim.confirm_by == shanghai(2024, 7, 1, 10)
    assert not claim.is_overdue(shanghai(2024, 7, 1, 10))
    assert claim.is_overdue(shanghai(2024, 7, 1, 10, 0, 1))
    with pytest.raises(InvalidTimeError, match="before"):
        claim.transition(ClaimStatus.CONFIRMED, shanghai(2024, 5, 31))
    claim.transition(ClaimStatus.CONFIRMED, shanghai(2024, 6, 20))
    assert claim.pay_by == shanghai(2024, 6, 23)
    assert claim.is_overdue(shanghai(2024, 6, 23, 0, 0, 1))
    with pytest.raises(InvalidTransitionError, match="expected paid"):
        claim.transition(ClaimStatus.CONFIRMED, shanghai(2024, 6, 21))
    claim.transition(ClaimStatus.PAID, shanghai(2024, 6, 22))
    assert claim.paid_at == shanghai(2024, 6, 22)
    assert not claim.is_overdue(shanghai(2025, 1, 1))
    with pytest.raises(InvalidTransitionError, match="final state"):
        claim.transition(ClaimStatus.PAID, shanghai(2024, 6, 23))


def test_claim_policy_is_validated() -> None:
    assert ClaimPolicy(confirm_within=timedelta(days=15)).confirm_within == timedelta(days=15)
    with pytest.raises(InvalidAmountError):
        ClaimPolicy(pay_within=timedelta(0))
    with pytest.raises(TypeError):
        ClaimPolicy(confirm_within=30)  # type: ignore[arg-type]
