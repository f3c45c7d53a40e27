"""Insurance sold through Alipay: premiums, Ant's fees, claims and return-shipping cover, all on the ledger."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.calendar import shanghai
from antfin.chart import BANK_SETTLEMENT, ProfitPoint, insurer_account, wallet
from antfin.ecosystem import income_statement
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidTimeError,
    InvalidTransitionError,
    NotFoundError,
    OutsideCoverageError,
    PolicyViolationError,
)
from antfin.insurance import (
    CATHAY,
    HEALTH,
    RETURN_SHIPPING,
    TRAVEL,
    XINMEI,
    InsuranceDesk,
    InsuranceProduct,
    Policy,
    PolicyStatus,
    ServiceFeeSchedule,
    ServiceFeeTable,
)
from antfin.ledger import AccountKind, Ledger
from antfin.payments import Account, EscrowDesk, EscrowTrade, GoodsType, RefundReason
from antfin.rates import Rate
from antfin.serialization import dumps, from_data, loads, to_data

T0 = shanghai(2024, 5, 1, 9)


def _desk(cash: str = "1000", capital: str | None = "100000") -> InsuranceDesk:
    ledger = Ledger()
    ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET)
    ledger.open_account(wallet("alice"), AccountKind.LIABILITY, non_negative=True)
    ledger.transfer("top", debit=BANK_SETTLEMENT, credit=wallet("alice"), amount=CNY(cash), at=T0)
    desk = InsuranceDesk(ledger)
    if capital is not None:
        for insurer in (CATHAY, XINMEI):
            desk.fund_insurer(f"cap-{insurer.code}", insurer, CNY(capital), at=T0)
    return desk


def _snapshot(desk: InsuranceDesk) -> tuple[Any, ...]:
    return (len(desk.ledger.entries()), tuple(desk.policies()))


def test_a_sale_moves_the_premium_to_the_insurer_and_ants_fees_to_its_profit_points() -> None:
    desk = _desk()
    policy = desk.sell("P1", TRAVEL, holder="alice", at=T0)
    ledger = desk.ledger
    assert policy.status is PolicyStatus.ACTIVE
    assert ledger.balance(wallet("alice")) == CNY("970.00")
    assert ledger.balance(insurer_account("cathay")) == CNY("100026.40")
    statement = income_statement(ledger)
    assert statement.amount(ProfitPoint.INSURANCE_ACQUISITION_FEE) == CNY("3.00")
    assert statement.amount(ProfitPoint.INSURANCE_RISK_ASSESSMENT_FEE) == CNY("0.60")
    ledger.check_invariants()
    desk.check()


def test_the_same_key_replays_and_other_parameters_conflict() -> None:
    desk = _desk()
    first = desk.sell("P1", TRAVEL, holder="alice", at=T0)
    before = _snapshot(desk)
    assert desk.sell("P1", TRAVEL, holder="alice", at=T0) == first
    assert _snapshot(desk) == before
    with pytest.raises(IdempotencyConflictError):
        desk.sell("P1", HEALTH, holder="alice", at=T0)
    claim = desk.claim("C1", "P1", CNY("100"), incident_on=date(2024, 5, 2), at=shanghai(2024, 5, 3))
    assert desk.claim("C1", "P1", CNY("100"), incident_on=date(2024, 5, 2), at=shanghai(2024, 5, 3)) == claim
    with pytest.raises(IdempotencyConflictError):
        desk.claim("C1", "P1", CNY("101"), incident_on=date(2024, 5, 2), at=shanghai(2024, 5, 3))
    assert len(desk.get("P1").claims) == 1


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda d: d.sell("P1", TRAVEL, holder="bob", at=T0), NotFoundError),
        (lambda d: d.sell("P1", HEALTH, holder="alice", at=T0), InsufficientFundsError),
        (lambda d: d.sell("P1", TRAVEL, holder="alice", at=datetime(2024, 5, 1)), InvalidTimeError),
        (lambda d: d.sell("P1", TRAVEL, holder="alice", at=shanghai(2015, 1, 1)), PolicyViolationError),
        (lambda d: d.sell("P 1", TRAVEL, holder="alice", at=T0), ValueError),
        (lambda d: d.sell("P1", "travel", holder="alice", at=T0), TypeError),
        (lambda d: d.claim("C1", "nope", CNY("1"), incident_on=date(2024, 5, 1), at=T0), NotFoundError),
        (lambda d: d.fund_insurer("k", CATHAY, 10.0, at=T0), TypeError),
    ],
)
def test_refusals_are_typed_and_change_nothing(call: Any, error: type[Exception]) -> None:
    desk = _desk(cash="100")
    before = _snapshot(desk)
    with pytest.raises(error):
        call(desk)
    assert _snapshot(desk) == before


def test_claims_are_assessed_with_reasons_and_paid_by_the_insurer() -> None:
    desk = _desk()
    desk.sell("H1", HEALTH, holder="alice", at=T0)
    early = desk.claim("C1", "H1", CNY("5000"), incident_on=date(2024, 5, 20), at=shanghai(2024, 5, 21))
    assert not early.approved
    assert early.paid == CNY.zero()
    assert [reason.rule for reason in early.decision.failed_reasons] == ["incident within cover"]
    assert early.service_fee == CNY("1.00")  # the assessment was done
    paid = desk.claim("C2", "H1", CNY("5000"), incident_on=date(2024, 7, 1), at=shanghai(2024, 7, 2))
    assert paid.approved
    assert paid.paid == CNY("4900.00")  # the 100 deductible
    assert desk.ledger.balance(wallet("alice")) == CNY("5600.00")
    assert income_statement(desk.ledger).amount(ProfitPoint.INSURANCE_CLAIMS_SERVICE_FEE) == CNY("2.00")
    desk.check()


def test_cover_is_capped_by_the_sum_insured_and_then_exhausted() -> None:
    desk = _desk()
    desk.sell("T1", TRAVEL, holder="alice", at=T0)
    first = desk.claim("C1", "T1", CNY("30000"), incident_on=date(2024, 5, 2), at=shanghai(2024, 5, 2, 10))
    second = desk.claim("C2", "T1", CNY("30000"), incident_on=date(2024, 5, 3), at=shanghai(2024, 5, 3, 10))
    assert (first.paid, second.paid) == (CNY("30000.00"), CNY("20000.00"))
    assert desk.get("T1").status is PolicyStatus.EXHAUSTED
    third = desk.claim("C3", "T1", CNY("10"), incident_on=date(2024, 5, 4), at=shanghai(2024, 5, 4, 10))
    assert not third.approved
    assert third.decision.failed_reasons[0].rule == "policy is active"


def test_an_insurer_that_cannot_pay_refuses_the_claim_and_nothing_changes() -> None:
    desk = _desk(capital=None)
    desk.sell("T1", TRAVEL, holder="alice", at=T0)
    before = _snapshot(desk)
    with pytest.raises(InsufficientFundsError):
        desk.claim("C1", "T1", CNY("1000"), incident_on=date(2024, 5, 2), at=shanghai(2024, 5, 2))
    assert _snapshot(desk) == before
    assert desk.get("T1").claims == ()


def test_an_incident_after_the_claim_is_refused() -> None:
    desk = _desk()
    desk.sell("T1", TRAVEL, holder="alice", at=T0)
    with pytest.raises(InvalidTimeError):
        desk.claim("C1", "T1", CNY("10"), incident_on=date(2024, 5, 5), at=shanghai(2024, 5, 2))
    with pytest.raises(InvalidTimeError):
        desk.claim("C1", "T1", CNY("10"), incident_on=date(2024, 5, 1), at=shanghai(2024, 5, 1, 8))  # before the sale


def test_policies_expire_and_illegal_transitions_raise() -> None:
    desk = _desk()
    desk.sell("T1", TRAVEL, holder="alice", at=T0)
    assert desk.expire(shanghai(2024, 5, 7, 23)) == ()
    (expired,) = desk.expire(shanghai(2024, 5, 8))
    assert expired.status is PolicyStatus.EXPIRED
    with pytest.raises(InvalidTransitionError):
        expired.move_to(PolicyStatus.ACTIVE, shanghai(2024, 5, 9))
    with pytest.raises(InvalidTransitionError):
        expired.move_to(PolicyStatus.EXHAUSTED, shanghai(2024, 5, 9))


def test_fee_tables_are_dated() -> None:
    schedule = ServiceFeeSchedule(
        (
            ServiceFeeTable("a", date(2016, 1, 1), Rate.percent("10"), Rate("0"), CNY("1")),
            ServiceFeeTable("b", date(2021, 1, 1), Rate.percent("5"), Rate("0"), CNY("0")),
        )
    )
    assert schedule.table_on(date(2020, 12, 31)).version == "a"
    assert schedule.table_on(date(2021, 1, 1)).version == "b"
    with pytest.raises(OutsideCoverageError):
        schedule.table_on(date(2015, 1, 1))
    desk = InsuranceDesk(_desk().ledger, fees=schedule)
    desk.sell("T1", TRAVEL, holder="alice", at=shanghai(2022, 1, 1))
    assert income_statement(desk.ledger).amount(ProfitPoint.INSURANCE_ACQUISITION_FEE) == CNY("1.50")


def _trade(ledger: Ledger, no: str = "T1") -> EscrowTrade:
    buyer = Account.open(ledger, f"buyer-{no}", opened_at=T0)
    seller = Account.open(ledger, f"seller-{no}", opened_at=T0)
    buyer.link_card("C1", at=T0)
    buyer.top_up("t", card="C1", amount=CNY("101"), at=T0)
    trade = EscrowDesk(ledger).create(
        no, buyer=buyer, seller=seller, amount=CNY("100"), goods=GoodsType.PHYSICAL_EXPRESS, at=T0
    )
    trade.pay(at=shanghai(2024, 5, 1, 9, 1))
    return trade


def test_return_shipping_cover_pays_the_postage_when_the_goods_are_returned() -> None:
    desk = _desk()
    trade = _trade(desk.ledger)
    policy = desk.cover_return("RS1", trade, at=shanghai(2024, 5, 1, 9, 2))
    assert policy.premium == CNY("0.90")
    with pytest.raises(PolicyViolationError):
        desk.cover_return("RS2", trade, at=shanghai(2024, 5, 1, 9, 3))  # covered already
    trade.ship(at=shanghai(2024, 5, 2))
    trade.request_refund("R1", CNY("100"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 4))
    trade.agree_refund(at=shanghai(2024, 5, 5))
    claim = desk.claim_return("K1", "RS1", trade, at=shanghai(2024, 5, 6))
    assert claim.approved
    assert claim.paid == CNY("12.00")
    assert claim.incident_on == date(2024, 5, 5)
    assert desk.ledger.balance(trade.buyer.wallet_id) == CNY("112.10")
    again = desk.claim_return("K2", "RS1", trade, at=shanghai(2024, 5, 7))
    assert not again.approved  # one payout per trade
    desk.ledger.check_invariants()
    desk.check()


def test_return_shipping_pays_nothing_for_goods_never_shipped() -> None:
    desk = _desk()
    trade = _trade(desk.ledger)
    desk.cover_return("RS1", trade, at=shanghai(2024, 5, 1, 9, 2))
    trade.refund("R1", CNY("100"), at=shanghai(2024, 5, 2), reason="buyer changed mind")
    claim = desk.claim_return("K1", "RS1", trade, at=shanghai(2024, 5, 3))
    assert not claim.approved
    assert {reason.rule for reason in claim.decision.failed_reasons} == {
        "goods were shipped",
        "trade refunded for a return",
    }


def test_return_shipping_needs_a_paid_open_trade_and_its_own_product() -> None:
    desk = _desk()
    trade = _trade(desk.ledger)
    with pytest.raises(PolicyViolationError):
        desk.cover_return("RS1", trade, at=shanghai(2024, 5, 1, 9, 2), product=TRAVEL)
    other = _trade(desk.ledger, "T2")
    desk.cover_return("RS1", other, at=shanghai(2024, 5, 1, 9, 2))
    with pytest.raises(PolicyViolationError):
        desk.claim_return("K1", "RS1", trade, at=shanghai(2024, 5, 2))  # another trade's cover
    trade.ship(at=shanghai(2024, 5, 2))
    trade.confirm(at=shanghai(2024, 5, 3))
    trade.advance_to(shanghai(2024, 9, 1))
    with pytest.raises(PolicyViolationError):
        desk.cover_return("RS3", trade, at=shanghai(2024, 9, 1))


def test_policies_round_trip_through_json_exactly() -> None:
    desk = _desk()
    desk.sell("H1", HEALTH, holder="alice", at=T0)
    desk.claim("C1", "H1", CNY("50"), incident_on=date(2024, 5, 2), at=shanghai(2024, 5, 3))
    desk.claim("C2", "H1", CNY("5000"), incident_on=date(2024, 7, 1), at=shanghai(2024, 7, 2))
    policy = desk.get("H1")
    text = dumps(policy)
    back: Policy = loads(Policy, text)
    assert back == policy
    assert json.loads(dumps(back)) == json.loads(text)
    assert from_data(InsuranceProduct, to_data(RETURN_SHIPPING)) == RETURN_SHIPPING


def test_fees_on_a_one_fen_premium_never_exceed_it() -> None:
    table = ServiceFeeTable("t", date(2016, 1, 1), Rate.percent("50"), Rate.percent("50"), CNY("0"))
    assert table.fees_on_sale(CNY("0.01")) == (CNY("0.01"), CNY("0.00"))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 10**8), st.integers(0, 100), st.integers(0, 100))
def test_premium_splits_between_insurer_and_ant_without_losing_a_fen(premium: int, acq: int, risk: int) -> None:
    if acq + risk > 100:
        return
    table = ServiceFeeTable("t", date(2016, 1, 1), Rate.percent(acq), Rate.percent(risk), CNY("0"))
    amount = Money.from_minor_units(premium, CNY)
    acquisition, assessment = table.fees_on_sale(amount)
    insurer_keeps = amount - acquisition - assessment
    assert not insurer_keeps.is_negative()
    assert not assessment.is_negative()
    exact = premium * risk / 100  # the assessment share in fen, exactly
    assert abs(assessment.minor_units - exact) <= 1
    assert acquisition + assessment + insurer_keeps == amount


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 3_000_000), min_size=1, max_size=8))
def test_payouts_never_exceed_the_sum_insured(claims: list[int]) -> None:
    desk = _desk()
    desk.sell("T1", TRAVEL, holder="alice", at=T0)
    for number, minor in enumerate(claims):
        desk.claim(f"C{number}", "T1", Money.from_minor_units(minor, CNY), incident_on=date(2024, 5, 2),
                   at=shanghai(2024, 5, 2, 10, number))  # fmt: skip
    policy = desk.get("T1")
    assert policy.paid <= TRAVEL.sum_insured
    assert policy.paid == min(sum((Money.from_minor_units(m, CNY) for m in claims), CNY.zero()), TRAVEL.sum_insured)
    desk.ledger.check_invariants()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("premium", "amount"), "-1.00"),
        (("ends_on",), "2030-01-01"),
        (("status",), "EXPIRED"),  # no event says so
        (("claims", 0, "policy_id"), "OTHER"),
        (("claims", 1, "paid", "amount"), "999999.00"),
        (("claims", 0, "paid", "amount"), "5.00"),  # a declined claim that paid
        (("holder",), " "),
    ],
)
def test_tampered_policies_are_refused_on_loading(path: tuple[str | int, ...], value: str) -> None:
    from antfin.errors import SerializationError

    desk = _desk()
    desk.sell("H1", HEALTH, holder="alice", at=T0)
    desk.claim("C1", "H1", CNY("50"), incident_on=date(2024, 5, 2), at=shanghai(2024, 5, 3))
    desk.claim("C2", "H1", CNY("5000"), incident_on=date(2024, 7, 1), at=shanghai(2024, 7, 2))
    data = to_data(desk.get("H1"))
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(SerializationError):
        from_data(Policy, data)
