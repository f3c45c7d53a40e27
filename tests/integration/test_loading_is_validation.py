"""Loading is validation: a loaded entity passes the API's checks and invariants, and loading never writes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from antfin.calendar import shanghai
from antfin.credit import HuabeiAccount
from antfin.errors import SerializationError
from antfin.ledger import Hold, JournalEntry, Ledger
from antfin.money import CNY, Money
from antfin.payments import EscrowTrade
from antfin.payments.escrow import _demo_trade
from antfin.serialization import MAX_DEPTH, MAX_TEXT, dumps, from_data, loads, to_data


def _ledger_state(ledger: Ledger) -> tuple[Any, ...]:
    return (ledger.accounts(), ledger.entries(), ledger.holds(), ledger.trial_balance())


def test_an_unpaid_trade_cannot_load_as_released() -> None:
    trade = _demo_trade(funded=True)
    data = to_data(trade)
    data["_state"]["status"] = "TRADE_SUCCESS"
    data["_state"]["released"] = {"amount": "4000.00", "currency": "CNY"}
    before = _ledger_state(trade.ledger)
    with pytest.raises(SerializationError, match="invariants"):
        from_data(EscrowTrade, data, ledger=trade.ledger)
    assert _ledger_state(trade.ledger) == before


def test_a_trade_whose_buyer_is_the_seller_is_refused() -> None:
    trade = _demo_trade()
    data = to_data(trade)
    data["seller"] = data["buyer"]
    with pytest.raises(SerializationError, match="the buyer is the seller"):
        from_data(EscrowTrade, data, ledger=trade.ledger)


def test_a_paid_trade_needs_its_hold_in_the_ledger() -> None:
    trade = _demo_trade(paid=True)
    assert loads(EscrowTrade, dumps(trade), ledger=trade.ledger).in_escrow == CNY("100")
    with pytest.raises(SerializationError, match="not in the ledger"):
        loads(EscrowTrade, dumps(trade), ledger=Ledger())


def test_a_negative_hold_and_an_unbalanced_entry_are_refused() -> None:
    hold = to_data(Hold("h1", "wallet:a", "wallet:b", CNY("10.00"), shanghai(2024, 1, 1)))
    hold["amount"]["amount"] = "-10.00"
    with pytest.raises(SerializationError, match="amount must be positive"):
        from_data(Hold, hold)
    trade = _demo_trade(paid=True)
    entry = to_data(trade.ledger.entries()[0])
    entry["postings"][0]["amount"]["amount"] = "999.00"
    with pytest.raises(SerializationError, match="does not balance"):
        from_data(JournalEntry, entry)


def test_a_class_tag_must_fit_the_declared_type() -> None:
    hold = to_data(Hold("h1", "wallet:a", "wallet:b", CNY("10.00"), shanghai(2024, 1, 1)))
    hold["amount"] = {"__class__": "antfin.rates.Rate", "value": "0.5"}
    with pytest.raises(SerializationError, match="not allowed where Money is declared"):
        from_data(Hold, hold)


def test_loading_never_writes_to_the_ledger() -> None:
    ledger = Ledger()
    data = to_data(HuabeiAccount(Ledger(), "amy", CNY("500")))
    before = _ledger_state(ledger)
    with pytest.raises(SerializationError, match="would write to the ledger"):
        from_data(HuabeiAccount, data, ledger=ledger)
    assert _ledger_state(ledger) == before
    home = Ledger()
    account = HuabeiAccount(home, "amy", CNY("500"))
    saved = _ledger_state(home)
    assert from_data(HuabeiAccount, to_data(account), ledger=home).user == "amy"
    assert _ledger_state(home) == saved


def test_deep_nesting_is_a_typed_error() -> None:
    with pytest.raises(SerializationError, match="nested deeper"):
        loads(Money, "[" * 200_000 + "]" * 200_000)
    deep: Any = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(SerializationError, match="nested deeper"):
        from_data(tuple[Any, ...], deep)


def test_a_huge_document_is_refused_quickly() -> None:
    amounts = [{"amount": "1.00", "currency": "CNY"}] * 2_000_000  # the probe's 72 s, 650 MB document
    started = time.perf_counter()
    with pytest.raises(SerializationError, match="longer than"):
        loads(tuple[Money, ...], " " * (MAX_TEXT + 1))
    with pytest.raises(SerializationError, match="more than 1000000 values"):
        from_data(tuple[Money, ...], amounts)
    assert time.perf_counter() - started < 10
