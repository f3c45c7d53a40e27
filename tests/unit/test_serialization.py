"""JSON round trips are exact, and bad data names the field."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.calendar import SHANGHAI, shanghai
from antfin.ecosystem import IncomeLine, IncomeStatement, ProfitPoint
from antfin.ecosystem.services import CloudContract
from antfin.errors import SerializationError
from antfin.ledger import AccountKind, Hold, HoldStatus, JournalEntry, LedgerAccount, Posting
from antfin.rates import DayCount, Rate
from antfin.serialization import dumps, from_data, loads, to_data

money = st.builds(Money.from_minor_units, st.integers(-(10**15), 10**15), st.sampled_from(["CNY", "USD", "JPY", "KWD"]))
aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.sampled_from([SHANGHAI, UTC])
)
rates = st.decimals(min_value=0, max_value=10, places=6, allow_nan=False).map(Rate)


def _round_trip(cls: Any, value: object) -> Any:
    return loads(cls, dumps(value))


@given(money)
def test_money_round_trips(value: Money) -> None:
    assert _round_trip(Money, value) == value


@given(aware)
def test_datetimes_round_trip_with_offset(value: datetime) -> None:
    back = _round_trip(datetime, value)
    assert back == value
    assert back.utcoffset() == value.utcoffset()


@given(rates)
def test_rates_round_trip(rate: Rate) -> None:
    assert _round_trip(Rate, rate) == rate


@given(st.sampled_from(list(AccountKind)), st.booleans(), st.text(max_size=10))
def test_ledger_accounts_round_trip(kind: AccountKind, non_negative: bool, purpose: str) -> None:
    account = LedgerAccount("wallet:用户", kind, non_negative=non_negative, purpose=purpose, metadata={"k": purpose})
    back = _round_trip(LedgerAccount, account)
    assert back == account
    assert dict(back.metadata) == {"k": purpose}


@given(money.filter(lambda m: m.currency.code == "CNY" and m.is_positive()), aware)
def test_entries_and_holds_round_trip(amount: Money, at: datetime) -> None:
    entry = JournalEntry("E1", "key", at, (Posting.debit("a", amount), Posting.credit("b", amount)), "memo")
    assert _round_trip(JournalEntry, entry) == entry
    hold = Hold("h", "a", "b", amount, at, at + timedelta(days=1), HoldStatus.POSTED, amount, at, "E1")
    assert _round_trip(Hold, hold) == hold


def test_statement_and_contract_round_trip() -> None:
    statement = IncomeStatement(
        shanghai(2024, 1, 1), None, (IncomeLine(ProfitPoint.HUABEI_INSTALMENT_FEE, CNY("440.00")),)
    )
    assert _round_trip(IncomeStatement, statement) == statement
    contract = CloudContract.savings_share("c", "wallet:x", Rate.percent("12.5"))
    assert _round_trip(CloudContract, contract) == contract


def test_plain_forms() -> None:
    assert to_data(CNY("1")) == {"amount": "1.00", "currency": "CNY"}
    assert to_data(DayCount.ACT_360) == "ACT_360"
    assert to_data(date(2024, 2, 29)) == "2024-02-29"
    assert to_data({"a": Decimal("1.5")}) == {"a": "1.5"}
    assert json.loads(dumps(ProfitPoint.DAKE_SERVICE_FEE)) == "DAKE_SERVICE_FEE"


@pytest.mark.parametrize(
    ("cls", "data", "fragment"),
    [
        (Money, {"amount": 1.5, "currency": "CNY"}, "$.amount"),
        (Money, {"amount": "1.005", "currency": "CNY"}, "decimal places"),
        (Money, {"amount": "NaN", "currency": "CNY"}, "finite"),
        (Money, {"amount": "1", "currency": "XXY"}, "unknown currency"),
        (Money, {"amount": "1"}, '"currency"'),
        (datetime, "2024-01-01T00:00:00", "offset"),
        (date, "2024-02-30", "ISO 8601 date"),
        (AccountKind, "WALLET", "one of ASSET"),
        (LedgerAccount, {"id": "x", "kind": "ASSET", "colour": "red"}, "unknown field(s) colour"),
        (LedgerAccount, {"kind": "ASSET"}, "$.id: missing required field"),
        (Rate, {"value": "-0.1"}, "Rate refused the data"),
        (JournalEntry, {"id": "E", "key": "k", "at": "2024-01-01T00:00:00+08:00", "postings": "no"}, "$.postings"),
    ],
)
def test_bad_data_raises_naming_the_field(cls: Any, data: Any, fragment: str) -> None:
    with pytest.raises(SerializationError, match=None) as caught:
        from_data(cls, data)
    assert fragment in str(caught.value)


def test_floats_and_naive_datetimes_are_refused_on_the_way_out() -> None:
    with pytest.raises(SerializationError, match="floats"):
        to_data({"x": 0.1})
    with pytest.raises(SerializationError, match="aware"):
        to_data(datetime(2024, 1, 1))
    with pytest.raises(SerializationError, match="not valid JSON"):
        loads(Money, "{")


# -- the compiled loaders and dumpers: the same data, the same refusals, the same paths --------------


@given(money)
def test_an_amount_is_written_as_its_decimal_and_read_back_exactly(value: Money) -> None:
    data = to_data(value)
    assert data == {"amount": str(value.amount), "currency": value.currency.code}
    back: Money = from_data(Money, data)
    assert back == value
    assert back.currency is value.currency


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("12.30", CNY("12.30")), ("-0.05", CNY("-0.05")), ("-0.00", CNY("0")), ("12.3", CNY("12.30")), (" 7 ", CNY("7"))],
)
def test_amounts_not_in_the_written_form_load_as_the_api_reads_them(amount: str, expected: Money) -> None:
    assert from_data(Money, {"amount": amount, "currency": "CNY"}) == expected


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"a": [1, {"b": 0.5}]}, "$['a'][1]['b']: floats"),
        ((1, (2, datetime(2024, 1, 1))), "$[1][1]: datetime must be aware"),
        (IncomeStatement(datetime(2024, 1, 1), None, ()), "$.start: datetime must be aware"),
    ],
)
def test_a_refusal_on_the_way_out_names_the_path(value: object, path: str) -> None:
    with pytest.raises(SerializationError) as caught:
        to_data(value)
    assert str(caught.value).startswith(path)


def test_a_refusal_deep_inside_names_the_path() -> None:
    at = "2024-01-01T00:00:00+08:00"
    good = {"account": "a", "amount": {"amount": "1.00", "currency": "CNY"}}
    for bad, path in [
        (
            {"account": "b", "amount": {"amount": "1.001", "currency": "CNY"}},
            "$.postings[1].amount: amount 1.001 has more than 2",
        ),
        (
            {"account": "b", "amount": {"amount": "1", "currency": "XXY"}},
            "$.postings[1].amount: $.postings[1].amount.currency: unknown",
        ),
        ({"account": 7, "amount": {"amount": "1", "currency": "CNY"}}, "$.postings[1].account: expected a string"),
        ({"account": "b"}, "$.postings[1].amount: missing required field"),
        (
            {"account": "b", "amount": {"amount": 1, "currency": "CNY"}},
            "$.postings[1].amount.amount: expected a decimal",
        ),
        ({"account": "b", "amount": {"$ref": "x"}}, "$.postings[1].amount: expected a stored Money"),
    ]:
        data = {"id": "E", "key": "k", "at": at, "postings": [good, bad]}
        with pytest.raises(SerializationError) as caught:
            from_data(JournalEntry, data)
        assert str(caught.value).startswith(path), (str(caught.value), path)


def test_a_union_refusal_names_every_type_tried() -> None:
    cls: Any = Money | Decimal | None
    assert from_data(cls, None) is None
    assert from_data(cls, "1.5") == Decimal("1.5")
    assert from_data(cls, {"amount": "1.50", "currency": "CNY"}) == CNY("1.50")
    with pytest.raises(SerializationError) as caught:
        from_data(cls, 7)
    assert str(caught.value) == (
        '$: expected an object {"amount": "...", "currency": "..."}, got int 7; $: expected a decimal string, got int 7'
    )
