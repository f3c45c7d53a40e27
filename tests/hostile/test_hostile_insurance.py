"""Hostile arguments to the insurance desk and joint loans: typed refusals naming the argument, nothing changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from hostile_values import (
    BAD_DATES,
    BAD_DATETIMES,
    BAD_TEXT,
    NOT_MONEY,
    ODD_TEXT,
    WRONG_CURRENCY,
    ledger_state,
    negative_money,
    refused,
    typed_or_ok,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.chart import BANK_SETTLEMENT, wallet
from antfin.credit.joint import JointLoan
from antfin.credit.schedule import LoanRate
from antfin.insurance import CATHAY, TRAVEL, InsuranceDesk
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY
from antfin.rates import DayCount, Rate


def make_desk() -> InsuranceDesk:
    ledger = Ledger()
    ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET)
    ledger.open_account(wallet("alice"), AccountKind.LIABILITY, non_negative=True)
    ledger.transfer("top", debit=BANK_SETTLEMENT, credit=wallet("alice"), amount=CNY("500"), at=shanghai(2024, 5, 1))
    desk = InsuranceDesk(ledger)
    desk.fund_insurer("cap", CATHAY, CNY("10000"), at=shanghai(2024, 5, 1))
    desk.sell("P1", TRAVEL, holder="alice", at=shanghai(2024, 5, 1, 9))
    return desk


def desk_state(desk: InsuranceDesk) -> tuple[object, ...]:
    return ledger_state(desk.ledger), desk.policies()


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        BAD_TEXT.map(lambda v: ("key", v)),
        st.one_of(BAD_TEXT, ODD_TEXT).map(lambda v: ("holder", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
        st.sampled_from([None, "travel", CATHAY, 1]).map(lambda v: ("product", v)),
        st.sampled_from([None, 1, b"T1"]).map(lambda v: ("subject", v)),
    )
)
def test_a_sale_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    desk = make_desk()
    args: dict[str, Any] = {
        "key": "P2",
        "product": TRAVEL,
        "holder": "alice",
        "at": shanghai(2024, 5, 2),
        "subject": "",
    }
    args[field] = value

    def call() -> object:
        return desk.sell(args["key"], args["product"], holder=args["holder"], at=args["at"], subject=args["subject"])

    if field == "holder" and isinstance(value, str):
        typed_or_ok(call, fields=field, state=lambda: desk_state(desk))
    else:
        refused(call, fields=field, state=lambda: desk_state(desk))


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        BAD_TEXT.map(lambda v: ("key", v)),
        BAD_TEXT.map(lambda v: ("policy_id", v)),
        st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money()).map(lambda v: ("amount", v)),
        BAD_DATES.map(lambda v: ("incident_on", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
    )
)
def test_a_claim_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    desk = make_desk()
    args: dict[str, Any] = {
        "key": "C1",
        "policy_id": "P1",
        "amount": CNY("100"),
        "incident_on": date(2024, 5, 2),
        "at": shanghai(2024, 5, 3),
    }
    args[field] = value
    refused(
        lambda: desk.claim(
            args["key"], args["policy_id"], args["amount"], incident_on=args["incident_on"], at=args["at"]
        ),
        fields=field,
        state=lambda: desk_state(desk),
    )


def make_joint() -> tuple[Ledger, JointLoan]:
    ledger = Ledger()
    rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    loan = JointLoan(ledger, "J1", wallet("amy"), CNY("10000"), rate, 3, partners=(("bank-a", 1),))
    loan.disburse(shanghai(2024, 1, 10, 9))
    return ledger, loan


@settings(max_examples=40, deadline=None)
@given(st.one_of(BAD_TEXT.map(lambda v: ("key", v)), BAD_DATETIMES.map(lambda v: ("at", v))))
def test_a_joint_repayment_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    ledger, loan = make_joint()
    args: dict[str, Any] = {"key": "r1", "at": shanghai(2024, 2, 10)}
    args[field] = value
    refused(lambda: loan.repay_due(args["key"], args["at"]), fields=field, state=lambda: ledger_state(ledger))


@settings(max_examples=40, deadline=None)
@given(st.one_of(NOT_MONEY, negative_money()))
def test_a_joint_loan_refuses_a_bad_principal(principal: Any) -> None:
    rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    ledger = Ledger()
    refused(
        lambda: JointLoan(ledger, "J1", wallet("amy"), principal, rate, 3, partners=(("bank-a", 1),)),
        fields=("principal", "amount", "money"),
        state=lambda: ledger_state(ledger),
    )
