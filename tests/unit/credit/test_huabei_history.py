"""A Huabei account's history on a bare ledger: the event log as a sequence, final records moved out of the live
state, the due time, and records that check themselves when read."""

from __future__ import annotations

from datetime import date

import pytest

from antfin import CNY
from antfin.calendar import shanghai, start_of_day
from antfin.credit.huabei import BillRecord, BillStatus, HuabeiAccount, PlanRecord, PlanStatus, Purchase
from antfin.credit.huabei_history import RefundTally
from antfin.errors import InvariantViolationError, SerializationError
from antfin.ledger import AccountKind, Ledger
from antfin.serialization import from_data, to_data


def make() -> HuabeiAccount:
    ledger = Ledger()
    for account in ("wallet:amy", "wallet:shop"):
        ledger.open_account(account, AccountKind.LIABILITY, non_negative=True)
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.transfer("top-up", debit="asset:bank", credit="wallet:amy", amount=CNY("5000"), at=shanghai(2024, 3, 1))
    return HuabeiAccount(ledger, "amy", CNY("5000"))


def test_the_event_log_reads_like_a_sequence() -> None:
    huabei = make()
    assert huabei.due_at() is None
    huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2, 10))
    huabei.purchase("o2", merchant="shop", amount=CNY("50"), at=shanghai(2024, 3, 3, 10))
    events = huabei.events
    assert len(events) == 2
    assert events[-1].reference == "o2"
    assert [event.reference for event in events[0:2]] == ["o1", "o2"]
    assert events == list(events)
    with pytest.raises(IndexError):
        events[2]
    with pytest.raises(TypeError):
        hash(events)


def test_paid_bills_and_finished_plans_leave_the_live_state_and_are_still_found() -> None:
    huabei = make()
    huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2, 10))
    huabei.purchase("o2", merchant="shop", amount=CNY("300"), at=shanghai(2024, 3, 2, 11), instalments=3)
    assert huabei.due_at() == start_of_day(date(2024, 4, 2))
    huabei.issue_bill(date(2024, 4, 1))
    assert huabei.due_at() == start_of_day(huabei.bill(date(2024, 4, 1)).bill.due_date)
    for month in (4, 5, 6):
        owed = sum((bill.outstanding for bill in huabei.open_bills), CNY("0"))
        huabei.repay(f"r{month}", owed, at=shanghai(2024, month, 5))
        assert huabei._bills == []  # paid by its due date: nothing left to charge, archived at once
        huabei.issue_bill(date(2024, month + 1, 1))
    assert huabei.plan("purchase:o2").status is PlanStatus.COMPLETED
    assert huabei._plans == {}
    assert huabei._bills == []  # the empty July bill too: paid as issued, nothing to charge
    assert [record.status for record in huabei.bills] == [BillStatus.PAID] * 4
    assert huabei.bill(date(2024, 4, 1)).status is BillStatus.PAID
    assert huabei.due_at() == start_of_day(date(2024, 8, 2))  # the next bill, nothing open
    again: HuabeiAccount = from_data(
        HuabeiAccount, to_data(huabei), ledger=huabei.ledger
    )  # a bare ledger: archives in the JSON
    assert again.bills == huabei.bills
    assert again.events == huabei.events
    assert again.refund("o1:r", "o1", CNY("10"), at=shanghai(2024, 7, 3)) == CNY("10")


def test_archived_records_check_themselves_when_read() -> None:
    huabei = make()
    huabei.purchase("o1", merchant="shop", amount=CNY("300"), at=shanghai(2024, 3, 2, 11), instalments=3)
    plan = to_data(huabei.plan("purchase:o1"))
    with pytest.raises(SerializationError, match="completed with 0 periods billed"):
        from_data(PlanRecord, {**plan, "status": "COMPLETED"})
    with pytest.raises(SerializationError, match="settled with settlement None"):
        from_data(PlanRecord, {**plan, "status": "SETTLED"})
    purchase = to_data(huabei._purchase_log["o1"])
    with pytest.raises(SerializationError, match="merchant fee"):
        from_data(Purchase, {**purchase, "merchant_fee": {"amount": "301", "currency": "CNY"}})
    huabei.issue_bill(date(2024, 4, 1))
    bill = to_data(huabei.bill(date(2024, 4, 1)))
    with pytest.raises(SerializationError, match="paid with"):
        from_data(BillRecord, {**bill, "status": "PAID", "history": [["PAID", "2024-04-01"]]})
    with pytest.raises(InvariantViolationError, match="not within"):
        RefundTally("o1", 1, CNY("0.01"), CNY("0"), CNY("0.00")).check_invariants()


def test_a_forged_live_state_is_refused_on_loading() -> None:
    huabei = make()
    huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2, 10))
    huabei.issue_bill(date(2024, 4, 1))
    data = to_data(huabei)
    with pytest.raises(SerializationError, match="after the last bill issued"):
        from_data(HuabeiAccount, {**data, "_last_bill": "2024-03-01"}, ledger=huabei.ledger)
    with pytest.raises(SerializationError, match="outside the log"):
        from_data(HuabeiAccount, {**data, "_events_archived": 0}, ledger=huabei.ledger)


def test_an_overdue_bill_is_past_due_and_the_next_bill_is_what_falls_due() -> None:
    huabei = make()
    huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2, 10))
    huabei.issue_bill(date(2024, 4, 1))
    due = huabei.bill(date(2024, 4, 1)).bill.due_date
    assert huabei.due_at() == start_of_day(due)
    huabei.repay("r", CNY("1"), at=shanghai(2024, 4, 20))  # less than the minimum, after the due date
    assert huabei.bill(date(2024, 4, 1)).status is BillStatus.OVERDUE
    assert huabei.due_at() == start_of_day(date(2024, 5, 2))
    assert [bill.bill.statement_date for bill in huabei.open_bills] == [date(2024, 4, 1)]
