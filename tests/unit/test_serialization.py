"""JSON round trips are exact, and bad data names the field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.books import Transaction
from antfin.books.kinds import KINDS
from antfin.books.references import REFERENCES
from antfin.calendar import SHANGHAI, shanghai
from antfin.ecosystem import IncomeLine, IncomeStatement, ProfitPoint
from antfin.ecosystem.services import CloudContract
from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import SerializationError
from antfin.ledger import AccountKind, Hold, HoldStatus, JournalEntry, LedgerAccount, Posting
from antfin.payments import EscrowTrade
from antfin.rates import DayCount, Rate
from antfin.serialization import _TEXT_LENGTH, MAX_DEPTH, MAX_NODES, _load_within, dumps, from_data, loads, to_data
from antfin.serialization_fast import _depth, _fast
from antfin.serialization_load import _LOAD_REFS, _loader

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


# -- the fast loaders: the same values as the general loader, and its errors --------------------------


@attrs.frozen
class _Node:
    label: str
    children: tuple[_Node, ...] = ()


def _stored_documents() -> tuple[World, list[tuple[type, Any]]]:
    world = World.create(WorldConfig(users=12, seed=4))
    for _ in range(12):
        world.run_day()
    documents: list[tuple[type, Any]] = []
    with world.books.read() as tx:
        store = tx._store()
        for name in ("account", "escrow", "huabei", "loan", "profile", "offer"):
            for key in list(store.document_ids(name))[:3]:
                found = store.document(name, key)
                assert found is not None
                documents.append((KINDS[name].cls, json.loads(found.body)))
    return world, documents


_WORLD: list[tuple[World, list[tuple[type, Any]]]] = []


def _world() -> tuple[World, list[tuple[type, Any]]]:
    if not _WORLD:
        _WORLD.append(_stored_documents())
    return _WORLD[0]


def _outcome(load: Callable[[], Any]) -> tuple[str, str]:
    try:
        value = load()
    except Exception as error:  # any outcome is compared
        return type(error).__name__, str(error)
    return "value", json.dumps(to_data(value, references=REFERENCES), sort_keys=True)


def _three_ways(tx: Transaction, cls: Any, data: Any) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """The outcomes of the fast loader alone, of the general loader alone, and of from_data."""
    token = _LOAD_REFS.set(tx._finders())
    try:
        fast = _outcome(lambda: _load_within(_fast(cls), data, tx.ledger))
        general = _outcome(lambda: _load_within(lambda data, ledger: _loader(cls)(data, "$", ledger), data, tx.ledger))
    finally:
        _LOAD_REFS.reset(token)
    loaded = _outcome(lambda: from_data(cls, data, ledger=tx.ledger, references=tx._finders()))
    return fast, general, loaded


def test_stored_documents_load_fast_as_the_general_loader_loads_them() -> None:
    world, documents = _world()
    with world.books.read() as tx:
        for cls, data in documents:
            fast, general, loaded = _three_ways(tx, cls, data)
            assert fast[0] == "value", fast
            assert fast == general == loaded


def test_a_refusal_the_fast_loader_meets_is_named_by_the_general_loader() -> None:
    world, documents = _world()
    data = copy.deepcopy(next(data for cls, data in documents if cls is EscrowTrade))
    data["_transitions"][0]["at"] = "2024-01-01T00:00:00"  # no offset
    with world.books.read() as tx:
        fast, general, loaded = _three_ways(tx, EscrowTrade, data)
    assert fast[0] != "value"
    assert loaded == general
    assert loaded[1] == "$._transitions[0].at: datetime must carry its UTC offset, got '2024-01-01T00:00:00'"


_ODD_VALUES = [
    None,
    0,
    -1,
    True,
    1.5,
    "",
    "x",
    "2024-01-01",
    "2024-01-01T00:00:00+08:00",
    "1.00",
    "ARBITRATED",
    [],
    [1, 2],
    {},
    {"amount": "1.00", "currency": "CNY"},
    {"amount": "1.001", "currency": "CNY"},
    {"days": 1, "seconds": 0, "microseconds": 0},
    {"$ref": "u000001"},
    {"$named": "escrow-policy/1"},
    {"__class__": "antfin.money.Money"},
    {"__items__": [[1, 2]]},
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_documents_load_fast_as_the_general_loader_loads_them(draw: st.DataObject) -> None:
    world, documents = _world()
    cls, original = draw.draw(st.sampled_from(documents))
    data = copy.deepcopy(original)
    parent: Any = None
    key: Any = None
    node: Any = data
    while isinstance(node, (dict, list)) and node and draw.draw(st.integers(0, 3)):  # walk down to a node
        parent, key = node, draw.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        node = parent[key]
    action = draw.draw(st.sampled_from(["replace", "delete", "add"]))
    if parent is None or (action == "delete" and not isinstance(parent, dict)):
        action = "replace" if parent is not None else "add"
    if action == "replace":
        parent[key] = copy.deepcopy(draw.draw(st.sampled_from(_ODD_VALUES)))
    elif action == "delete":
        del parent[key]
    elif isinstance(node, dict):
        node[draw.draw(st.sampled_from(["extra", "$ref", "__class__", "$named", "__items__"]))] = "x"
    else:
        data = [data]
    with world.books.read() as tx:
        fast, general, loaded = _three_ways(tx, cls, data)
    assert loaded == general  # from_data: the general loader's value, or its error naming the path
    if fast[0] == "value":
        assert general == fast
    else:
        assert general[0] != "value", (fast, general)


def _deep(levels: int) -> Any:
    data: Any = 1
    for _ in range(levels):
        data = [data]
    return data


def _nested_tuples(levels: int) -> Any:
    tp: Any = int
    for _ in range(levels):
        tp = tuple[tp, ...]
    return tp


def _node(levels: int) -> Any:
    data: Any = {"label": "leaf", "children": []}
    for _ in range(levels):
        data = {"label": "x", "children": [data]}
    return data


@pytest.mark.parametrize("with_length", [False, True])
@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (dict[str, Any], {"a": _deep(MAX_DEPTH + 1)}),  # below a declared Any: loaded as it is
        (_nested_tuples(MAX_DEPTH + 2), _deep(MAX_DEPTH + 2)),  # a declared type deeper than the limit
        (_Node, _node(MAX_DEPTH)),  # a type that holds itself
        (LedgerAccount, {"id": "x", "kind": "ASSET", "extra": _deep(MAX_DEPTH + 1)}),  # an unknown field
        (Money, {"amount": "1.00", "currency": "CNY", "extra": _deep(MAX_DEPTH + 1)}),
    ],
)
def test_a_document_deeper_than_the_limit_is_refused(cls: Any, data: Any, with_length: bool) -> None:
    token = _TEXT_LENGTH.set((data, len(json.dumps(data)))) if with_length else None
    try:
        with pytest.raises(SerializationError) as caught:
            from_data(cls, data)
    finally:
        if token is not None:
            _TEXT_LENGTH.reset(token)
    assert str(caught.value) == f"$: the document is nested deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize("with_length", [False, True])
def test_a_document_with_too_many_values_is_refused(with_length: bool) -> None:
    data = [1] * MAX_NODES
    token = _TEXT_LENGTH.set((data, len(json.dumps(data)))) if with_length else None
    try:
        with pytest.raises(SerializationError) as caught:
            from_data(tuple[int, ...], data)
    finally:
        if token is not None:
            _TEXT_LENGTH.reset(token)
    assert str(caught.value) == f"$: the document holds more than {MAX_NODES} values"


def test_a_short_text_of_a_bounded_type_is_loaded_without_counting() -> None:
    data = {"label": "x", "children": []}
    assert _depth(LedgerAccount) <= MAX_DEPTH < _depth(_Node)
    document = {"id": "x", "kind": "ASSET", "metadata": {"k": "v"}}
    token = _TEXT_LENGTH.set((document, len(json.dumps(document))))
    try:
        assert from_data(LedgerAccount, document).metadata == {"k": "v"}
        assert from_data(_Node, data) == _Node("x")  # not the document the length is of: counted as before
    finally:
        _TEXT_LENGTH.reset(token)
