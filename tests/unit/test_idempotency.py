"""The one idempotency mechanism: unambiguous fingerprints, the replay rule, and replays after a round trip."""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.credit import HuabeiAccount
from antfin.errors import IdempotencyConflictError
from antfin.idempotency import IdempotencyRecord, canonical, fingerprint, remember, replay, same_request
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.payments import EscrowTrade
from antfin.payments.escrow import _demo_trade
from antfin.rates import Rate
from antfin.serialization import dumps, from_data, loads, to_data

TEXT = st.text(alphabet='ab|:,[]"\\ ', max_size=6)


@given(st.lists(TEXT, min_size=1, max_size=4), st.lists(TEXT, min_size=1, max_size=4))
def test_different_fields_never_share_a_fingerprint(one: list[str], other: list[str]) -> None:
    if one != other:
        assert fingerprint("op", *one) != fingerprint("op", *other)


def test_equal_values_share_a_fingerprint_whatever_their_spelling() -> None:
    at = shanghai(2024, 1, 1, 9)
    assert fingerprint("x", at) == fingerprint("x", at.astimezone(UTC))
    assert fingerprint("x", at) == fingerprint("x", at.astimezone(timezone(timedelta(hours=-5))))
    assert fingerprint("x", Decimal("1.50")) == fingerprint("x", Decimal("1.5"))
    assert fingerprint("x", CNY("5")) == fingerprint("x", CNY("5.00"))
    assert fingerprint("x", CNY("5")) != fingerprint("x", Money("5", "USD"))
    assert fingerprint("x", Rate.percent("4")) == fingerprint("x", Rate.percent("4.0"))
    assert fingerprint("x", 1) != fingerprint("x", "1")
    assert fingerprint("x", date(2024, 1, 1)) != fingerprint("x", "2024-01-01T00:00:00")


def test_canonical_never_raises_on_odd_values() -> None:
    assert canonical(0.5) == {"float": "0.5"}
    assert canonical(shanghai(2024, 1, 1).replace(tzinfo=None)) == {"naive": "2024-01-01T00:00:00"}
    assert canonical(Decimal("NaN")) == {"Decimal": "NaN"}


def test_the_replay_rule() -> None:
    records: dict[str, IdempotencyRecord[str]] = {}
    asked = fingerprint("pay", CNY("1"))
    assert replay(records, "k", asked) is None
    remember(records, "k", asked, "E1")
    assert replay(records, "k", asked) == "E1"
    with pytest.raises(IdempotencyConflictError, match="refund key 'k' was already used"):
        replay(records, "k", fingerprint("pay", CNY("2")), what="refund key")
    assert same_request("k", None, asked) is False


def test_a_record_round_trips() -> None:
    record = IdempotencyRecord("k", fingerprint("pay", CNY("1")), CNY("1"))
    assert from_data(IdempotencyRecord[Money], to_data(record)) == record


def test_escrow_refund_replays_after_a_round_trip() -> None:
    trade = _demo_trade(paid=True)
    first = trade.refund("R1", CNY("30"), at=shanghai(2024, 5, 1, 11))
    restored: EscrowTrade = loads(EscrowTrade, dumps(trade), ledger=trade.ledger)
    assert restored.refund("R1", CNY("30.00"), at=shanghai(2024, 5, 2)) == first
    with pytest.raises(IdempotencyConflictError, match="'R1'"):
        restored.refund("R1", CNY("31"), at=shanghai(2024, 5, 2))


def test_huabei_purchase_replays_after_a_round_trip() -> None:
    ledger = Ledger()
    ledger.open_account("wallet:shop", AccountKind.LIABILITY, non_negative=True)
    huabei = HuabeiAccount(ledger, "amy", CNY("2000"))
    first = huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2))
    restored: HuabeiAccount = loads(HuabeiAccount, dumps(huabei), ledger=ledger)
    assert restored.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 3)) == first
    with pytest.raises(IdempotencyConflictError, match="'o1'"):
        restored.purchase("o1", merchant="shop", amount=CNY("101"), at=shanghai(2024, 3, 3))


@pytest.mark.parametrize(
    "value",
    ["a|b", "中文", '"q\\', 1, -5, None, True, CNY("-0.05"), CNY("12.3"), Money("100", "JPY"), Money("1.234", "KWD"),
     shanghai(2024, 1, 1), Decimal("1.50"), [("x", CNY("1"))], 0.5, Rate.percent("4")],
)  # fmt: skip
def test_the_fast_text_is_the_canonical_json(value: object) -> None:
    assert fingerprint("op", value) == json.dumps(["op", canonical(value)], ensure_ascii=False, separators=(",", ":"))
