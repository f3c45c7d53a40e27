"""A loan's events and repayment receipts are archived records: on a bare ledger they travel with the loan
through JSON, a retried key replays its first answer, and loading refuses a history the loan could not have."""

from __future__ import annotations

import json
from typing import Any

import pytest

from antfin.archive import Archive
from antfin.calendar import shanghai
from antfin.credit.loan import Loan, LoanEvent, LoanStatus, PrepaymentMode, Repayment
from antfin.credit.loan_history import LoanEvents
from antfin.credit.schedule import LoanRate
from antfin.errors import IdempotencyConflictError, InvariantViolationError, SerializationError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY
from antfin.rates import DayCount, Rate
from antfin.serialization import dumps, from_data, loads, to_data

RATE_12 = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
BANK = "asset:bank"


def _loan(term: int = 3) -> Loan:
    ledger = Ledger()
    ledger.open_account(BANK, AccountKind.ASSET)
    loan = Loan(ledger, "L1", "wallet:u", CNY("1200"), RATE_12, term)
    loan.disburse(shanghai(2024, 1, 10, 9))
    ledger.transfer("top-up", debit=BANK, credit="wallet:u", amount=CNY("500"), at=shanghai(2024, 1, 10, 10))
    return loan


def _round_trip(loan: Loan) -> Loan:
    again: Loan = loads(Loan, dumps(loan), ledger=loan.ledger)
    return again


def test_the_events_are_a_read_only_sequence_over_the_log() -> None:
    loan = _loan()
    before = loan.events
    first = loan.repay("feb", CNY("408.03"), shanghai(2024, 2, 10, 9))
    events = loan.events
    assert len(before) == 1
    assert len(events) == 2
    assert [event.kind for event in events] == ["disbursed", "repaid"]
    assert events[-1].entry_id == first.entry_id
    assert events[1] == events[-1]
    assert events[0].entry_id == loan.disburse(shanghai(2024, 1, 10, 9)).id
    assert events[0:1] == (events[0],)
    assert events[::-1] == (events[1], events[0])
    assert events == tuple(events)
    assert events not in (before, "no")
    assert repr(events) == "LoanEvents(2 events)"
    with pytest.raises(IndexError, match="event index 2 out of range"):
        events[2]
    with pytest.raises(IndexError, match="event index -3 out of range"):
        events[-3]
    with pytest.raises(TypeError):
        hash(events)
    assert isinstance(events, LoanEvents)


def test_a_retried_repayment_replays_after_a_json_round_trip() -> None:
    loan = _loan()
    first = loan.repay("feb", CNY("408.03"), shanghai(2024, 2, 10, 9))
    entries = len(loan.ledger.entries())
    again = _round_trip(loan)
    assert to_data(again) == to_data(loan)
    assert again.repay("feb", CNY("408.03"), shanghai(2024, 3, 1, 9)) == first  # the same request, later
    assert len(again.ledger.entries()) == entries
    with pytest.raises(IdempotencyConflictError, match="loan L1 key 'feb' was already used"):
        again.repay("feb", CNY("100.00"), shanghai(2024, 3, 10, 9))
    assert again.events == loan.events
    second = again.prepay("all", shanghai(2024, 3, 1, 9))
    third = _round_trip(again)
    assert third.prepay("all", shanghai(2024, 3, 1, 9)) == second
    with pytest.raises(IdempotencyConflictError):
        third.prepay("all", shanghai(2024, 3, 1, 9), principal=CNY("1"), mode=PrepaymentMode.LOWER_INSTALMENT)
    assert third.status is LoanStatus.PAID_OFF
    assert [event.kind for event in third.events] == ["disbursed", "repaid", "prepaid"]


def test_a_retried_disbursement_replays_after_a_json_round_trip() -> None:
    loan = _loan()
    entry = loan.events[0].entry_id
    again = _round_trip(loan)
    assert again.disburse(shanghai(2024, 1, 10, 9)).id == entry
    with pytest.raises(IdempotencyConflictError, match="disbursement of 'L1' was already used"):
        again.disburse(shanghai(2024, 1, 10, 10))


def test_a_refused_repayment_records_nothing() -> None:
    loan = _loan()
    loan.repay("feb", CNY("408.03"), shanghai(2024, 2, 10, 9))
    before = to_data(loan)
    with pytest.raises(IdempotencyConflictError):
        loan.repay("feb", CNY("1.00"), shanghai(2024, 3, 10, 9))
    assert to_data(loan) == before
    with pytest.raises(Exception, match="exceeds"):
        loan.repay("too-much", CNY("999.00"), shanghai(2024, 3, 10, 9))
    assert to_data(loan) == before
    assert "too-much" not in loan._receipts


def _data(loan: Loan) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dumps(loan))
    return data


def _refused(loan: Loan, data: dict[str, Any], match: str) -> None:
    with pytest.raises(SerializationError, match=match):
        from_data(Loan, data, ledger=loan.ledger)


def test_loading_refuses_a_history_the_loan_could_not_have() -> None:
    loan = _loan()
    loan.repay("feb", CNY("408.03"), shanghai(2024, 2, 10, 9))
    sound = _data(loan)
    assert from_data(Loan, sound, ledger=loan.ledger).events == loan.events
    items = sound["_event_log"]["__items__"]

    data = _data(loan)
    data["_event_count"] = 1  # the repayment is beyond the log
    _refused(loan, data, "event 1 is outside the log of 1 events")
    data = _data(loan)
    data["_event_count"] = 0
    _refused(loan, data, "no disbursement recorded for a disbursed loan")
    data = _data(loan)
    data["_disbursement_entry"] = None
    _refused(loan, data, "no disbursement recorded")
    data = _data(loan)
    data["_disbursed_at"] = "2024-01-11T09:00:00+08:00"
    _refused(loan, data, "disbursed at 2024-01-11T09:00:00\\+08:00, not on 2024-01-10")
    data = _data(loan)
    data["_disbursed_at"] = "2024-01-10T10:00:00+08:00"  # the right day, another instant than its event's
    _refused(loan, data, "only the first event is the disbursement")
    data = _data(loan)
    data["_event_log"]["__items__"] = [items[1], items[0]]  # the numbers swapped
    data["_event_log"]["__items__"][0][0], data["_event_log"]["__items__"][1][0] = 0, 1
    _refused(loan, data, "only the first event is the disbursement")
    data = _data(loan)
    data["_event_log"]["__items__"][1][1]["status"] = "PAID_OFF"
    _refused(loan, data, "the last event leaves the loan paid_off")
    data = _data(loan)
    data["_event_log"]["__items__"][1][1]["amount"]["amount"] = "-408.03"
    _refused(loan, data, "a negative amount")
    data = _data(loan)
    data["_event_log"]["__items__"][1][1]["kind"] = "forgiven"
    _refused(loan, data, "not a kind a loan records")
    data = _data(loan)
    data["_receipts"]["other"] = data["_receipts"].pop("feb")
    _refused(loan, data, "a receipt is filed under another key than 'other'")
    data = _data(loan)
    data["_receipts"]["feb"]["result"]["principal"]["amount"] = "1.00"
    _refused(loan, data, "is not the sum of its parts")


def test_an_approved_loan_has_no_history_to_forge() -> None:
    ledger = Ledger()
    loan = Loan(ledger, "L2", "wallet:u", CNY("1200"), RATE_12, 3)
    assert loan.events == ()
    assert len(loan.events) == 0
    data = _data(loan)
    data["_event_count"] = 1
    _refused(loan, data, "an event recorded before the loan is disbursed")
    data = _data(loan)
    data["_disbursed_at"] = "2024-01-10T09:00:00+08:00"
    _refused(loan, data, "a disbursement or an event recorded before")


def test_a_recorded_event_number_is_never_reused() -> None:
    loan = _loan()
    clash = LoanEvent(shanghai(2024, 1, 12), "repaid", CNY("1.00"), LoanStatus.ACTIVE, "E9")
    loan._event_log[1] = clash  # a record the loan does not count yet (a forged row in the books)
    entries = len(loan.ledger.entries())
    with pytest.raises(InvariantViolationError, match="archived record 1 is final"):
        loan.repay("feb", CNY("408.03"), shanghai(2024, 2, 10, 9))
    assert len(loan.ledger.entries()) == entries  # the ledger entry was rolled back
    assert "feb" not in loan._receipts
    assert len(loan.events) == 1


def test_records_check_themselves() -> None:
    receipt = Repayment("k", "E2", CNY("3"), CNY("0"), CNY("0"), CNY("1"), CNY("2"), CNY("0"))
    receipt.check_invariants()
    with pytest.raises(InvariantViolationError, match="a negative amount"):
        Repayment("k", "E2", CNY("-1"), CNY("0"), CNY("0"), CNY("-1"), CNY("0"), CNY("0")).check_invariants()
    with pytest.raises(InvariantViolationError, match="the loan cannot be paid_off after it"):
        LoanEvent(shanghai(2024, 1, 1), "disbursed", CNY("1"), LoanStatus.PAID_OFF, "E1").check_invariants()
    with pytest.raises(InvariantViolationError, match="the loan cannot be approved after it"):
        LoanEvent(shanghai(2024, 1, 1), "repaid", CNY("1"), LoanStatus.APPROVED, "E1").check_invariants()
    log = Archive[int, LoanEvent]()
    assert LoanEvents(log, 0) == []
    assert list(LoanEvents(log, 0)) == []
