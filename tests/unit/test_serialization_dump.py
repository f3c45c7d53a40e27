"""The generated attrs dumpers against the interpreting dumper: the same data for real aggregates and for any
values in declared fields (a declared type or not), with tags, named constants and references; refusals name
the path as before."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin import serialization_dump
from antfin.books.references import REFERENCES
from antfin.books.repositories import _text
from antfin.calendar import WeekdayCalendar, shanghai
from antfin.credit.huabei import HuabeiAccount
from antfin.credit.loan import Loan
from antfin.credit.schedule import LoanRate
from antfin.errors import SerializationError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Currency, Money
from antfin.payments import Account, AccountType, EscrowDesk, EscrowTrade, GoodsType, RefundReason
from antfin.rates import DayCount, Rate
from antfin.serialization import named, to_data
from antfin.wealth import MoneyFund

JPY = Currency.of("JPY")


def _interpreted(value: object, references: Any = None) -> Any:
    token = serialization_dump._DUMP_REFS.set(references) if references else None
    try:
        return serialization_dump._dump(value, "$")
    finally:
        if token is not None:
            serialization_dump._DUMP_REFS.reset(token)


def _same_both_ways(value: object) -> None:
    """The compiled dump is the interpreted one, with and without the books' references, down to the text."""
    for references in (None, REFERENCES):
        compiled = to_data(value, references=references)
        interpreted = _interpreted(value, references)
        assert compiled == interpreted
        assert _text(compiled) == _text(interpreted)
        assert repr(compiled) == repr(interpreted)  # the keys in the same order too


# -- real aggregates, built with the API -----------------------------------------------------------


def _trade(cents: int, steps: int) -> EscrowTrade:
    ledger = Ledger()
    buyer = Account.open(ledger, "buyer", opened_at=shanghai(2024, 1, 1))
    buyer.link_card("C", at=shanghai(2024, 1, 1))
    buyer.top_up("seed", card="C", amount=CNY("100000.00"), at=shanghai(2024, 1, 1))
    seller = Account.open(ledger, "shop", opened_at=shanghai(2024, 1, 1), account_type=AccountType.MERCHANT)
    amount = Money.from_minor_units(cents, CNY)
    trade = EscrowDesk(ledger).create(
        "T1", buyer=buyer, seller=seller, amount=amount, goods=GoodsType.PHYSICAL_EXPRESS, at=shanghai(2024, 5, 1, 10)
    )
    actions: list[Callable[[], object]] = [
        lambda: trade.pay(at=shanghai(2024, 5, 1, 10, 5)),
        lambda: trade.request_refund(
            "RQ",
            Money.from_minor_units(max(1, cents // 3), CNY),
            reason=RefundReason.NOT_AS_DESCRIBED,
            at=shanghai(2024, 5, 1, 11),
        ),
        lambda: trade.agree_refund(at=shanghai(2024, 5, 1, 12)),
        lambda: trade.ship(at=shanghai(2024, 5, 2)),
        lambda: trade.confirm(at=shanghai(2024, 5, 3)),
        lambda: trade.advance_to(shanghai(2024, 8, 3)),
    ]
    for action in actions[:steps]:
        action()
    return trade


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=3, max_value=10_000_000), st.integers(min_value=0, max_value=6))
def test_an_escrow_trade_through_its_life_dumps_as_interpreted(cents: int, steps: int) -> None:
    trade = _trade(cents, steps)
    _same_both_ways(trade)
    _same_both_ways(trade.buyer)
    assert to_data(trade, references=REFERENCES)["buyer"] == {"$ref": "buyer"}


def _huabei() -> HuabeiAccount:
    ledger = Ledger()
    for account in ("wallet:amy", "wallet:shop"):
        ledger.open_account(account, AccountKind.LIABILITY, non_negative=True)
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.transfer("top-up", debit="asset:bank", credit="wallet:amy", amount=CNY("50000"), at=shanghai(2024, 3, 1))
    return HuabeiAccount(ledger, "amy", CNY("50000"))


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=300_000), st.sampled_from([None, 3, 6])), min_size=0, max_size=4
    ),
    st.booleans(),
)
def test_a_huabei_account_with_bills_dumps_as_interpreted(purchases: list[tuple[int, int | None]], repay: bool) -> None:
    huabei = _huabei()
    for index, (cents, instalments) in enumerate(purchases):
        huabei.purchase(
            f"o{index}",
            merchant="shop",
            amount=Money.from_minor_units(cents, CNY),
            at=shanghai(2024, 3, 2, 10 + index),
            instalments=instalments,
        )
    bill = huabei.issue_bill(date(2024, 4, 1))
    if repay and bill.total.is_positive():
        huabei.repay("r1", bill.total, at=shanghai(2024, 4, 5, 9))
    _same_both_ways(huabei)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=3, max_value=12), st.integers(min_value=0, max_value=3), st.integers(1000, 900_000))
def test_a_loan_with_repayments_dumps_as_interpreted(term: int, repayments: int, cents: int) -> None:
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    loan = Loan(ledger, "L1", "wallet:u", Money.from_minor_units(cents * 100, CNY), rate, term)
    loan.disburse(shanghai(2024, 1, 10, 9))
    ledger.transfer("top-up", debit="asset:bank", credit="wallet:u", amount=CNY("100000"), at=shanghai(2024, 1, 10))
    for month in range(repayments):
        loan.repay(f"m{month}", Money.from_minor_units(cents % 500 + 1, CNY), shanghai(2024, 2 + month, 10, 9))
    _same_both_ways(loan)


def test_a_fund_with_orders_dumps_as_interpreted() -> None:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    for investor in ("ann", "bob"):
        ledger.open_account(f"wallet:{investor}", AccountKind.LIABILITY, non_negative=True, owner=investor)
        ledger.transfer(
            f"top-up:{investor}",
            debit="asset:bank_settlement",
            credit=f"wallet:{investor}",
            amount=CNY("5000"),
            at=shanghai(2024, 1, 2),
        )
    fund = MoneyFund(ledger, calendar=WeekdayCalendar())
    fund.purchase("p1", "ann", CNY("100"), at=shanghai(2024, 6, 5, 10))
    fund.purchase("p2", "bob", CNY("250.50"), at=shanghai(2024, 6, 5, 16))
    _same_both_ways(fund)


# -- any values in declared fields -------------------------------------------------------------------


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


class Mode(enum.StrEnum):
    FAST = "fast"
    SLOW = "slow"


@attrs.frozen
class Leaf:
    n: int


@attrs.frozen
class Sub(Leaf):
    extra: str = "x"


@attrs.define
class Holder:
    s: str
    i: int
    b: bool
    m: Money
    at: datetime
    day: date
    colour: Colour
    mode: Mode
    d: Decimal
    span: timedelta
    maybe: int | None
    maybe_money: Money | None
    either: str | Colour | None
    leaf: Leaf
    anything: Any
    items: list[Leaf]
    table: dict[str, Any]
    pairs: tuple[tuple[int, str], ...]
    tags: frozenset[str]


#: Amounts of up to 26 digits: beyond, the interpreting dumper's ``str(amount)`` rounds to the decimal context's
#: 28 digits and the compiled one (before and after the generated dumpers) does not.
_MINOR = st.integers(min_value=-(10**26), max_value=10**26)
_AWARE = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))]),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=5),
    st.builds(Money.from_minor_units, _MINOR, st.sampled_from([CNY, JPY])),
    _AWARE,
    st.dates(),
    st.sampled_from(list(Colour) + list(Mode)),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.timedeltas(),
    st.builds(Leaf, st.integers(-5, 5)),
    st.builds(Sub, st.integers(-5, 5), st.text(max_size=2)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 3)), inner, max_size=3),
    ),
    max_leaves=6,
)


def _field_values(typed: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value of the declared type, sometimes anything (the dumper must not trust the declaration)."""
    return st.one_of(typed, typed, _VALUES)


_HOLDERS = st.builds(
    Holder,
    s=_field_values(st.text(max_size=4)),
    i=_field_values(st.integers()),
    b=_field_values(st.booleans()),
    m=_field_values(st.builds(Money.from_minor_units, _MINOR, st.just(CNY))),
    at=_field_values(_AWARE),
    day=_field_values(st.dates()),
    colour=_field_values(st.sampled_from(Colour)),
    mode=_field_values(st.sampled_from(Mode)),
    d=_field_values(st.decimals(allow_nan=False, allow_infinity=False)),
    span=_field_values(st.timedeltas()),
    maybe=_field_values(st.one_of(st.none(), st.integers())),
    maybe_money=_field_values(st.one_of(st.none(), st.builds(Money.from_minor_units, _MINOR, st.just(CNY)))),
    either=_field_values(st.one_of(st.none(), st.text(max_size=2), st.sampled_from(Colour))),
    leaf=_field_values(st.builds(Leaf, st.integers(-3, 3))),
    anything=_VALUES,
    items=_field_values(st.lists(st.builds(Leaf, st.integers(-3, 3)), max_size=3)),
    table=_field_values(st.dictionaries(st.text(max_size=3), _VALUES, max_size=3)),
    pairs=_field_values(st.lists(st.tuples(st.integers(), st.text(max_size=2)), max_size=3).map(tuple)),
    tags=_field_values(st.frozensets(st.text(max_size=3), max_size=3)),
)


@settings(max_examples=300, deadline=None)
@given(_HOLDERS)
def test_any_values_in_declared_fields_dump_as_interpreted(holder: Holder) -> None:
    leaves: dict[type, Callable[[Any], str]] = {Leaf: lambda leaf: f"leaf-{leaf.n}"}
    for references in (None, leaves):
        compiled = to_data(holder, references=references)
        assert compiled == _interpreted(holder, references)
        assert repr(compiled) == repr(_interpreted(holder, references))


def test_a_subclass_or_an_untyped_field_is_tagged_and_a_declared_one_is_not() -> None:
    holder = Holder(
        "s", 1, True, CNY("1.05"), shanghai(2024, 1, 2), date(2024, 1, 2), Colour.RED, Mode.FAST, Decimal("0.10"),
        timedelta(seconds=5), None, None, Colour.BLUE, Sub(1), Leaf(2), [Leaf(3), Sub(4)], {"k": Sub(5)}, ((1, "a"),),
        frozenset({"b", "a"}),
    )  # fmt: skip
    data = to_data(holder)
    assert data["leaf"] == {"n": 1, "extra": "x", "__class__": f"{__name__}.Sub"}
    assert data["anything"] == {"n": 2, "__class__": f"{__name__}.Leaf"}
    assert data["items"] == [{"n": 3}, {"n": 4, "extra": "x"}]  # list items carry no tag, as before
    assert data["m"] == {"amount": "1.05", "currency": "CNY"}
    assert (data["mode"], data["either"], data["tags"]) == ("FAST", "BLUE", ["a", "b"])
    assert data == _interpreted(holder)


def test_a_bool_in_an_int_field_and_an_int_in_a_str_field_stay_what_they_are() -> None:
    holder = _holder(s=7, i=True, b=1, d=Decimal("-0.00"), maybe=False, maybe_money=CNY("-0.05"))
    data = to_data(holder)
    assert (data["s"], data["i"], data["b"], data["maybe"]) == (7, True, 1, False)
    assert (data["d"], data["maybe_money"]) == ("-0.00", {"amount": "-0.05", "currency": "CNY"})
    assert data == _interpreted(holder)


@given(st.integers(), st.sampled_from([CNY, JPY, Currency.of("KWD")]))
def test_an_amount_is_written_as_before_at_any_size(minor: int, currency: Currency) -> None:
    money = Money.from_minor_units(minor, currency)
    assert serialization_dump._money_dict(money) == {"amount": _amount_text(money), "currency": currency.code}
    if abs(minor) < 10**26:
        assert serialization_dump._money_dict(money)["amount"] == str(money.amount)


def _amount_text(money: Money) -> str:
    """What the compiled dumper wrote before the generated dumpers."""
    minor, digits = money.minor_units, money.currency.digits
    if digits == 0:
        return str(minor)
    whole, part = divmod(-minor if minor < 0 else minor, 10**digits)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{digits}d}"


# -- named constants and references ------------------------------------------------------------------


@attrs.frozen
class Terms:
    days: int


@attrs.frozen
class Contract:
    terms: Terms
    party: Leaf
    other: Any = None


def test_a_named_constant_in_a_field_is_written_by_its_name_even_when_named_after_compiling() -> None:
    first = named("test-serialization-dump/terms-30", Terms(30))
    assert to_data(Contract(first, Leaf(1))) == {
        "terms": {"$named": "test-serialization-dump/terms-30"},
        "party": {"n": 1},
        "other": None,
    }
    assert to_data(Contract(Terms(7), Leaf(1)))["terms"] == {"days": 7}
    named("test-serialization-dump/terms-7", Terms(7))  # after the dumpers were compiled
    contract = Contract(Terms(7), Leaf(1), other=Terms(30))
    data = to_data(contract)
    assert data["terms"] == {"$named": "test-serialization-dump/terms-7"}
    assert data["other"] == {"$named": "test-serialization-dump/terms-30"}  # a named value is never tagged
    assert data == _interpreted(contract)


def test_references_name_an_entity_in_a_field_not_the_value_itself() -> None:
    leaf = Leaf(9)
    contract = Contract(Terms(3), leaf, other=Sub(4))
    references: dict[type, Callable[[Any], str]] = {
        Leaf: lambda value: f"leaf:{value.n}",
        Sub: lambda value: f"sub:{value.n}",
    }
    data = to_data(contract, references=references)
    assert data == {"terms": {"days": 3}, "party": {"$ref": "leaf:9"}, "other": {"$ref": "sub:4"}}
    assert data == _interpreted(contract, references)
    assert to_data(leaf, references=references) == {"n": 9}


def test_references_that_name_a_type_written_in_place_are_still_honoured() -> None:
    holder = Holder(
        "s", 1, True, CNY("1"), shanghai(2024, 1, 2), date(2024, 1, 2), Colour.RED, Mode.FAST, Decimal(1),
        timedelta(0), None, None, "e", Leaf(1), None, [], {}, (), frozenset(),
    )  # fmt: skip
    kinds: tuple[type, ...] = (str, Money, Colour, list)
    for kind in kinds:
        references: dict[type, Callable[[Any], str]] = {kind: lambda value: "named"}
        data = to_data(holder, references=references)
        assert data == _interpreted(holder, references)
        assert {"$ref": "named"} in data.values()


# -- refusals ------------------------------------------------------------------------------------------


@attrs.frozen
class Outer:
    inner: Holder | None
    rows: list[Any]


def _holder(**changes: Any) -> Holder:
    values: dict[str, Any] = {
        "s": "s", "i": 1, "b": True, "m": CNY("1"), "at": shanghai(2024, 1, 2), "day": date(2024, 1, 2),
        "colour": Colour.RED, "mode": Mode.FAST, "d": Decimal(1), "span": timedelta(0), "maybe": None,
        "maybe_money": None, "either": None, "leaf": Leaf(1), "anything": None, "items": [], "table": {},
        "pairs": (), "tags": frozenset(),
    }  # fmt: skip
    values.update(changes)
    return Holder(**values)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"i": 1.5}, r"^\$\.inner\.i: floats are not allowed in antfin data, got 1\.5$"),
        ({"at": datetime(2024, 1, 2)}, r"^\$\.inner\.at: datetime must be aware, got naive 2024-01-02 00:00:00$"),
        ({"table": {"k": [object()]}}, r"^\$\.inner\.table\['k'\]\[0\]: cannot convert object to JSON data$"),
        ({"leaf": Leaf(0.5)}, r"^\$\.inner\.leaf\.n: floats are not allowed"),  # type: ignore[arg-type]
    ],
)
def test_a_refusal_names_the_path(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SerializationError, match=message):
        to_data(Outer(_holder(**changes), []))
    with pytest.raises(SerializationError, match=message):
        to_data(Outer(_holder(**changes), []), references=REFERENCES)


def test_a_refusal_in_a_list_names_its_index() -> None:
    with pytest.raises(SerializationError, match=r"^\$\.rows\[1\]\.maybe: floats are not allowed"):
        to_data(Outer(None, [_holder(), _holder(maybe=2.0)]))


# -- the generated source ------------------------------------------------------------------------------


def test_each_class_gets_a_dumper_of_its_own_read_from_its_fields() -> None:
    namespace: dict[str, Any] = {}
    source = serialization_dump._attrs_dumper_source(Holder, namespace)
    assert source.startswith("def dump_Holder(value, refs):\n")
    assert "    x = value.s\n" in source
    assert "v12 = x._name_" in source  # either: str | Colour | None, a Colour written in place
    assert "v15 = _list_data(x, refs)" in source
    assert "v16 = _mapping_data(x, refs)" in source
    assert "_field(x, refs, tags14, tp14)" in source  # anything: Any, always the general path
    assert "v14 =" in source
    dumper = serialization_dump._compile_attrs_dumper(Holder)
    holder = _holder()
    assert dumper(holder, None) == _interpreted(holder)


def test_every_type_written_in_place_is_one_the_references_are_checked_against() -> None:
    assert set(serialization_dump._IN_PLACE) <= serialization_dump._INLINED
    assert serialization_dump._AS_IS <= serialization_dump._INLINED
