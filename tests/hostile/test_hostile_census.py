"""A hostile-input census: over 1,500 deterministic hostile calls on every public entry point, counted.

Each probe builds a small world, then feeds one argument of one entry point every
value of a hostile list; :func:`census.attempt` counts the call and checks that a
refusal is typed and changes nothing (ledger and entity). The last test asserts the
totals and prints them; ``conftest.py`` prints the same line at the end of the run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from census import CENSUS, FAILURES, attempt, snapshot, summary

from antfin.calendar import shanghai
from antfin.credit import HuabeiAccount, Loan
from antfin.credit.loan import _demo
from antfin.crowdfunding import InvestorFacts
from antfin.crowdfunding.offer import Role, _example_offer
from antfin.ledger import AccountKind, Ledger, Posting
from antfin.money import CNY, Currency, Money
from antfin.payments import Account, AccountType, EscrowDesk, EscrowTrade, GoodsType, RefundReason
from antfin.rates import Rate
from antfin.serialization import from_data, loads, to_data
from antfin.wealth.fund import MoneyFund, _demo_ledger
from antfin.wealth.zhaocaibao.platform import _example_platform
from antfin.wealth.zhaocaibao.reservations import ReservationCriteria

AT = shanghai(2024, 5, 1, 10)

# -- hostile values, by the kind of argument they attack ------------------------------------------

BAD_MONEY: list[Any] = [
    None, 1.5, 0.1, math.nan, math.inf, "1.00", "abc", 100, Decimal("1"), Decimal("NaN"), True, object(), [], {},
    CNY("0"), CNY("-1"), CNY("-0.01"), Money.from_minor_units(-(10**30)), Money.from_minor_units(2**63),
    Money.from_minor_units(10**30), Money("1", "USD"), Money("1", "JPY"), Money("-5", "EUR"), b"1", complex(1, 0),
]  # fmt: skip
BAD_AT: list[Any] = [
    None, datetime(2024, 5, 1, 10), date(2024, 5, 1), "2024-05-01T10:00:00+08:00", "", 0, 1.7e9, True,
    time(10, tzinfo=UTC), timedelta(days=1), Decimal(1), datetime(3000, 1, 1, tzinfo=UTC),
    datetime(1800, 1, 1, tzinfo=UTC), datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC),
    shanghai(1990, 1, 1), object(),
]  # fmt: skip
BAD_KEY: list[Any] = ["", " ", "\t\n", None, 0, 1.5, b"key", ["k"], True, object(), "x\ud800", "\ud800"]
BAD_ID: list[Any] = [*BAD_KEY, "no-such-id", "wallet:nobody", "💸", "a" * 10_000, "\x00"]
BAD_DATE: list[Any] = [None, "2024-05-01", 20240501, 1.5, True, AT, date(1, 1, 1), date(9999, 12, 31), object()]
BAD_INT: list[Any] = [0, -1, 1.5, math.nan, None, "3", True, False, Decimal(3), 10**9, -(10**9), object()]
BAD_TEXT: list[Any] = [None, 0, 1.5, b"x", True, ["x"], object(), "x\ud800"]
BAD_SPAN: list[Any] = [None, 0, 1, 1.5, "1d", timedelta(0), -timedelta(days=1), timedelta(days=2_913_049), True]
BAD_WEIGHT: list[Any] = [None, 1.5, -1, "x", math.nan, Decimal("NaN"), object(), [], "-1"]
_A, _B = "wallet:a", "wallet:b"
BAD_POSTINGS: list[Any] = [
    None,
    "x",
    [],
    [Posting(_A, CNY("-1"))],
    [Posting(_A, CNY("-1")), Posting(_A, CNY("1"))],
    [Posting(_A, CNY("-1")), Posting(_B, CNY("2"))],
    [Posting(_A, CNY("0")), Posting(_B, CNY("0"))],
    [Posting(_A, CNY("-1")), _B],
    [Posting(_A, Money("-1", "USD")), Posting(_B, Money("1", "USD"))],
    [Posting(_A, CNY("-1")), Posting("nowhere", CNY("1"))],
    [Posting(_A, CNY("-1000")), Posting(_B, CNY("1000"))],
    [Posting(_A, Money.from_minor_units(-(2**63))), Posting(_B, Money.from_minor_units(2**63))],
]
BAD_ENUM: list[Any] = [None, "x", 0, 1, True, "PHYSICAL_EXPRESS", object(), 1.5]

# -- worlds ------------------------------------------------------------------------------------------


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
    ledger.open_account("wallet:b", AccountKind.LIABILITY, non_negative=True)
    ledger.transfer("in", debit="asset:bank", credit="wallet:a", amount=CNY("100"), at=shanghai(2024, 1, 1))
    ledger.hold("h1", debit="wallet:a", credit="wallet:b", amount=CNY("10"), at=shanghai(2024, 1, 1))
    return ledger


def _escrow(paid: bool = True, shipped: bool = False) -> tuple[Ledger, EscrowTrade]:
    ledger = Ledger()
    buyer = Account.open(ledger, "buyer", opened_at=shanghai(2024, 1, 1))
    buyer.link_card("C1", at=shanghai(2024, 1, 1))
    buyer.top_up("t", card="C1", amount=CNY("1000"), at=shanghai(2024, 1, 1))
    seller = Account.open(ledger, "shop", opened_at=shanghai(2024, 1, 1), account_type=AccountType.MERCHANT)
    trade = EscrowDesk(ledger).create(
        "T1", buyer=buyer, seller=seller, amount=CNY("100"), goods=GoodsType.PHYSICAL_EXPRESS, at=AT
    )
    if paid:
        trade.pay(at=AT + timedelta(minutes=1))
    if shipped:
        trade.ship(at=AT + timedelta(hours=1))
    return ledger, trade


def _account() -> tuple[Ledger, Account]:
    ledger = Ledger()
    account = Account.open(ledger, "amy", opened_at=shanghai(2024, 1, 1))
    account.link_card("C1", at=shanghai(2024, 1, 1))
    account.top_up("t", card="C1", amount=CNY("500"), at=shanghai(2024, 1, 1))
    return ledger, account


def _huabei() -> tuple[Ledger, HuabeiAccount]:
    ledger = Ledger()
    for account in ("wallet:alice", "wallet:shop"):
        ledger.open_account(account, AccountKind.LIABILITY, non_negative=True)
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.transfer("in", debit="asset:bank", credit="wallet:alice", amount=CNY("3000"), at=shanghai(2024, 1, 1))
    huabei = HuabeiAccount(ledger, "alice", CNY("5000"))
    huabei.purchase("p1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 1, 3, 12))
    huabei.issue_bill(date(2024, 2, 1))
    return ledger, huabei


def _fund() -> tuple[Ledger, MoneyFund]:
    ledger = _demo_ledger()
    return ledger, MoneyFund(ledger)


def _ledger_world() -> tuple[Ledger, Ledger]:
    ledger = _ledger()
    return ledger, ledger


def _zcb() -> tuple[Ledger, Any]:
    platform = _example_platform()
    return platform.ledger, platform


def _loan() -> tuple[Ledger, Loan]:
    loan = _demo()
    return loan.ledger, loan


def _offer() -> tuple[Ledger, Any]:
    offer = _example_offer()
    return offer.ledger, offer


def _desk() -> tuple[Ledger, EscrowDesk]:
    ledger = Ledger()
    Account.open(ledger, "b9", opened_at=shanghai(2024, 1, 1))
    Account.open(ledger, "s9", opened_at=shanghai(2024, 1, 1))
    return ledger, EscrowDesk(ledger)


def _create(desk: EscrowDesk, **changes: Any) -> EscrowTrade:
    ledger = desk.ledger
    args: dict[str, Any] = {
        "out_trade_no": "T9",
        "buyer": Account.open(ledger, "b9", opened_at=shanghai(2024, 1, 1)),
        "seller": Account.open(ledger, "s9", opened_at=shanghai(2024, 1, 1)),
        "amount": CNY("10"),
        "goods": GoodsType.VIRTUAL,
        "at": AT,
    }
    args.update(changes)
    out_trade_no = args.pop("out_trade_no")
    return desk.create(out_trade_no, **args)


RICH = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))


@attrs.frozen
class Probe:
    """One argument of one entry point, and the hostile values it gets."""

    area: str
    name: str
    world: Callable[[], tuple[Ledger | None, Any]]
    call: Callable[[Any, Any], object]
    values: Sequence[Any]


def _money_world() -> tuple[None, None]:
    return None, None


# fmt: off
PROBES: list[Probe] = [
    # money
    Probe("money", "CNY(amount)", _money_world, lambda _, v: CNY(v), [*BAD_MONEY, *BAD_TEXT, "1.005", "1E+999999"]),
    Probe("money", "Money(amount, currency)", _money_world, lambda _, v: Money("1", v), [*BAD_TEXT, "XYZ", "", "cny"]),
    Probe("money", "Money.from_minor_units", _money_world, lambda _, v: Money.from_minor_units(v), BAD_INT[2:]),
    Probe("money", "Currency.of", _money_world, lambda _, v: Currency.of(v), [*BAD_TEXT, "", "XX", "usd?"]),
    Probe("money", "Money + x", _money_world, lambda _, v: CNY("1") + v, BAD_MONEY),
    Probe("money", "Money.allocate(weights)", _money_world, lambda _, v: CNY("1").allocate([v, 1]), BAD_WEIGHT),
    # ledger
    Probe(
        "ledger", "open_account(id)", _ledger_world, lambda lg, v: lg.open_account(v, AccountKind.ASSET), BAD_KEY
    ),
    Probe(
        "ledger", "open_account(kind)", _ledger_world, lambda lg, v: lg.open_account("x:new", v), BAD_ENUM
    ),
    Probe(
        "ledger",
        "transfer(amount)",
        _ledger_world,
        lambda lg, v: lg.transfer("k", debit="wallet:a", credit="wallet:b", amount=v, at=AT),
        BAD_MONEY,
    ),
    Probe(
        "ledger",
        "transfer(at)",
        _ledger_world,
        lambda lg, v: lg.transfer("k", debit="wallet:a", credit="wallet:b", amount=CNY("1"), at=v),
        BAD_AT,
    ),
    Probe(
        "ledger",
        "transfer(key)",
        _ledger_world,
        lambda lg, v: lg.transfer(v, debit="wallet:a", credit="wallet:b", amount=CNY("1"), at=AT),
        BAD_KEY,
    ),
    Probe(
        "ledger",
        "transfer(debit)",
        _ledger_world,
        lambda lg, v: lg.transfer("k", debit=v, credit="wallet:b", amount=CNY("1"), at=AT),
        [*BAD_ID, "wallet:b"],
    ),
    Probe(
        "ledger",
        "transfer(memo)",
        _ledger_world,
        lambda lg, v: lg.transfer("k", debit="wallet:a", credit="wallet:b", amount=CNY("1"), at=AT, memo=v),
        BAD_TEXT,
    ),
    Probe(
        "ledger",
        "hold(amount)",
        _ledger_world,
        lambda lg, v: lg.hold("h2", debit="wallet:a", credit="wallet:b", amount=v, at=AT),
        BAD_MONEY,
    ),
    Probe(
        "ledger",
        "hold(expires_at)",
        _ledger_world,
        lambda lg, v: lg.hold("h2", debit="wallet:a", credit="wallet:b", amount=CNY("1"), at=AT, expires_at=v),
        [*BAD_AT, AT, AT - timedelta(1)],
    ),
    Probe("ledger", "post_hold(hold_id)", _ledger_world, lambda lg, v: lg.post_hold("p", v, at=AT), BAD_ID),
    Probe(
        "ledger",
        "post_hold(amount)",
        _ledger_world,
        lambda lg, v: lg.post_hold("p", "h1", at=AT, amount=v),
        [*BAD_MONEY, CNY("10.01")],
    ),
    Probe(
        "ledger",
        "post_hold(at)",
        _ledger_world,
        lambda lg, v: lg.post_hold("p", "h1", at=v),
        [*BAD_AT, shanghai(2023, 12, 31)],
    ),
    Probe("ledger", "void_hold(at)", _ledger_world, lambda lg, v: lg.void_hold("v", "h1", at=v), BAD_AT),
    Probe("ledger", "reverse(entry_id)", _ledger_world, lambda lg, v: lg.reverse("r", v, at=AT), BAD_ID),
    Probe("ledger", "post_entry(postings)", _ledger_world, lambda lg, v: lg.post_entry("e", v, at=AT), BAD_POSTINGS),
    Probe("ledger", "expire_holds(at)", _ledger_world, lambda lg, v: lg.expire_holds(v), BAD_AT[:11]),
    # payments (accounts)
    Probe("payments", "top_up(amount)", _account, lambda a, v: a.top_up("k", card="C1", amount=v, at=AT), BAD_MONEY),
    Probe("payments", "top_up(card)", _account, lambda a, v: a.top_up("k", card=v, amount=CNY("1"), at=AT), BAD_ID),
    Probe(
        "payments",
        "withdraw(amount)",
        _account,
        lambda a, v: a.withdraw("k", card="C1", amount=v, at=AT),
        [*BAD_MONEY, CNY("501")],
    ),
    Probe("payments", "withdraw(at)", _account, lambda a, v: a.withdraw("k", card="C1", amount=CNY("1"), at=v), BAD_AT),
    Probe("payments", "link_card(card)", _account, lambda a, v: a.link_card(v, at=AT), BAD_KEY),
    # escrow
    Probe("escrow", "pay(at)", lambda: _escrow(paid=False), lambda t, v: t.pay(at=v), BAD_AT),
    Probe(
        "escrow",
        "pay(funded_by)",
        lambda: _escrow(paid=False),
        lambda t, v: t.pay(at=AT + timedelta(minutes=1), funded_by=v),
        ["asset:bank_settlement", "wallet:buyer", "wallet:shop", "asset:huabei:buyer", 1.5, object(), True],
    ),
    Probe(
        "escrow",
        "ship(tracking_no)",
        _escrow,
        lambda t, v: t.ship(at=AT + timedelta(days=1), tracking_no=v),
        BAD_TEXT[:-1],
    ),
    Probe("escrow", "ship(at)", _escrow, lambda t, v: t.ship(at=v), BAD_AT),
    Probe(
        "escrow",
        "extend_confirmation(by)",
        lambda: _escrow(shipped=True),
        lambda t, v: t.extend_confirmation(v, at=AT + timedelta(days=2)),
        BAD_SPAN,
    ),
    Probe("escrow", "confirm(at)", lambda: _escrow(shipped=True), lambda t, v: t.confirm(at=v), BAD_AT),
    Probe(
        "escrow",
        "refund(amount)",
        lambda: _escrow(shipped=True),
        lambda t, v: t.refund("R1", v, at=AT + timedelta(days=30)),
        [*BAD_MONEY, CNY("100.01")],
    ),
    Probe(
        "escrow",
        "refund(out_request_no)",
        _escrow,
        lambda t, v: t.refund(v, CNY("1"), at=AT + timedelta(days=1)),
        [*BAD_KEY, "a" * 65, "R 1"],
    ),
    Probe(
        "escrow",
        "request_refund(reason)",
        _escrow,
        lambda t, v: t.request_refund("R1", CNY("1"), reason=v, at=AT + timedelta(days=1)),
        BAD_ENUM,
    ),
    Probe(
        "escrow",
        "request_refund(amount)",
        _escrow,
        lambda t, v: t.request_refund("R1", v, reason=RefundReason.OTHER, at=AT + timedelta(days=1)),
        BAD_MONEY,
    ),
    Probe("escrow", "advance_to(at)", _escrow, lambda t, v: t.advance_to(v), [*BAD_AT, AT - timedelta(days=1)]),
    Probe("escrow", "desk.create(amount)", _desk, lambda d, v: _create(d, amount=v), [*BAD_MONEY, CNY("1e9")]),
    Probe("escrow", "desk.create(goods)", _desk, lambda d, v: _create(d, goods=v), BAD_ENUM),
    Probe("escrow", "desk.create(out_trade_no)", _desk, lambda d, v: _create(d, out_trade_no=v), [*BAD_KEY, "T 1"]),
    Probe("escrow", "desk.create(timeout)", _desk, lambda d, v: _create(d, timeout=v), [*BAD_TEXT, "0m", "99d", "x"]),
    # fund
    Probe("fund", "purchase(amount)", _fund, lambda f, v: f.purchase("k", "ann", v, at=AT), [*BAD_MONEY, CNY("2000")]),
    Probe("fund", "purchase(at)", _fund, lambda f, v: f.purchase("k", "ann", CNY("1"), at=v), BAD_AT),
    Probe("fund", "purchase(investor)", _fund, lambda f, v: f.purchase("k", v, CNY("1"), at=AT), BAD_ID),
    Probe("fund", "redeem(units)", _fund, lambda f, v: f.redeem("k", "ann", v, at=AT), [*BAD_WEIGHT, "1", 10**9]),
    Probe("fund", "fast_redeem(units)", _fund, lambda f, v: f.fast_redeem("k", "ann", v, at=AT), [*BAD_WEIGHT, "1"]),
    # Zhaocaibao
    Probe(
        "zhaocaibao",
        "subscribe(amount)",
        _zcb,
        lambda p, v: p.subscribe("k", "ZCB-90", "alice", v, at=shanghai(2024, 3, 2)),
        BAD_MONEY,
    ),
    Probe(
        "zhaocaibao",
        "subscribe(product_id)",
        _zcb,
        lambda p, v: p.subscribe("k", v, "alice", CNY("1000"), at=shanghai(2024, 3, 2)),
        BAD_ID,
    ),
    Probe(
        "zhaocaibao", "subscribe(at)", _zcb, lambda p, v: p.subscribe("k", "ZCB-90", "alice", CNY("1000"), at=v), BAD_AT
    ),
    Probe(
        "zhaocaibao",
        "reserve(criteria)",
        _zcb,
        lambda p, v: p.reserve("r", "alice", CNY("1000"), v, at=shanghai(2024, 3, 2)),
        BAD_ENUM,
    ),
    Probe(
        "zhaocaibao",
        "reserve(amount)",
        _zcb,
        lambda p, v: p.reserve("r", "alice", v, ReservationCriteria(Rate.percent("4"), 120), at=shanghai(2024, 3, 2)),
        BAD_MONEY,
    ),
    Probe(
        "zhaocaibao", "liquidate(holding_id)", _zcb, lambda p, v: p.liquidate("l", v, at=shanghai(2024, 3, 20)), BAD_ID
    ),
    # loans
    Probe(
        "loans",
        "repay(amount)",
        _loan,
        lambda lo, v: lo.repay("k", v, shanghai(2024, 2, 10, 12)),
        [*BAD_MONEY, CNY("100000")],
    ),
    Probe("loans", "repay(at)", _loan, lambda lo, v: lo.repay("k", CNY("1"), v), [*BAD_AT, shanghai(2024, 1, 1)]),
    Probe("loans", "repay(key)", _loan, lambda lo, v: lo.repay(v, CNY("1"), shanghai(2024, 2, 10, 12)), BAD_KEY),
    Probe(
        "loans",
        "prepay(principal)",
        _loan,
        lambda lo, v: lo.prepay("k", shanghai(2024, 1, 25), principal=v),
        [*BAD_MONEY, CNY("5000")],
    ),
    Probe(
        "loans",
        "prepay(mode)",
        _loan,
        lambda lo, v: lo.prepay("k", shanghai(2024, 1, 25), principal=CNY("1"), mode=v),
        BAD_ENUM,
    ),
    Probe(
        "loans", "Loan(term)", _loan, lambda lo, v: Loan(lo.ledger, "L2", "wallet:x", CNY("100"), lo.rate, v), BAD_INT
    ),
    Probe(
        "loans",
        "Loan(loan_id)",
        _loan,
        lambda lo, v: Loan(lo.ledger, v, "wallet:x", CNY("100"), lo.rate, 3),
        [*BAD_KEY[:-2], " L", "L "],
    ),
    Probe("loans", "Loan(principal)", _loan, lambda lo, v: Loan(lo.ledger, "L3", "wallet:x", v, lo.rate, 3), BAD_MONEY),
    # Huabei
    Probe(
        "huabei",
        "purchase(amount)",
        _huabei,
        lambda h, v: h.purchase("k", merchant="shop", amount=v, at=shanghai(2024, 2, 3)),
        [*BAD_MONEY, CNY("9000")],
    ),
    Probe(
        "huabei",
        "purchase(channel)",
        _huabei,
        lambda h, v: h.purchase("k", merchant="shop", amount=CNY("1"), at=shanghai(2024, 2, 3), channel=v),
        BAD_ENUM,
    ),
    Probe(
        "huabei",
        "purchase(instalments)",
        _huabei,
        lambda h, v: h.purchase("k", merchant="shop", amount=CNY("100"), at=shanghai(2024, 2, 3), instalments=v),
        [*BAD_INT, 5, 24],
    ),
    Probe(
        "huabei",
        "purchase(at)",
        _huabei,
        lambda h, v: h.purchase("k", merchant="shop", amount=CNY("1"), at=v),
        [*BAD_AT, shanghai(2024, 1, 20)],
    ),
    Probe("huabei", "repay(amount)", _huabei, lambda h, v: h.repay("k", v, at=shanghai(2024, 2, 5)), BAD_MONEY),
    Probe(
        "huabei",
        "issue_bill(statement_date)",
        _huabei,
        lambda h, v: h.issue_bill(v),
        [*BAD_DATE, date(2024, 4, 1), date(2024, 3, 2), date(1990, 1, 1)],
    ),
    Probe(
        "huabei",
        "convert_bill(term)",
        _huabei,
        lambda h, v: h.convert_bill("c", date(2024, 2, 1), v, at=shanghai(2024, 2, 5)),
        [*BAD_INT, 5, 24],
    ),
    Probe(
        "huabei",
        "refund(amount)",
        _huabei,
        lambda h, v: h.refund("r", "p1", v, at=shanghai(2024, 2, 5)),
        [*BAD_MONEY, CNY("1000.01")],
    ),
    # crowdfunding
    Probe(
        "crowdfunding",
        "subscribe(amount)",
        _offer,
        lambda o, v: o.subscribe("s", RICH, v, at=shanghai(2016, 3, 2), role=Role.LEAD),
        [*BAD_MONEY, CNY("10")],
    ),
    Probe(
        "crowdfunding",
        "subscribe(investor)",
        _offer,
        lambda o, v: o.subscribe("s", v, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD),
        [*BAD_TEXT, InvestorFacts("poor")],
    ),
    Probe(
        "crowdfunding",
        "subscribe(role)",
        _offer,
        lambda o, v: o.subscribe("s", RICH, CNY("100000"), at=shanghai(2016, 3, 2), role=v),
        BAD_ENUM,
    ),
    Probe(
        "crowdfunding",
        "subscribe(at)",
        _offer,
        lambda o, v: o.subscribe("s", RICH, CNY("100000"), at=v, role=Role.LEAD),
        BAD_AT,
    ),
    Probe("crowdfunding", "cancel(key)", _offer, lambda o, v: o.cancel(v, at=shanghai(2016, 3, 2)), BAD_ID),
    Probe("crowdfunding", "advance_to(at)", _offer, lambda o, v: o.advance_to(v), BAD_AT),
]
# fmt: on

# -- serialization: every field of stored documents replaced by hostile data ------------------------

FIELD_POISON: list[Any] = [
    None, 1.5, -1, "x", [], {}, True, {"__class__": "antfin.rates.Rate", "value": "0.5"},
    {"__class__": "os.system"}, {"amount": "-4000.00", "currency": "CNY"}, "9999-99-99",
]  # fmt: skip


def _documents() -> list[tuple[str, type, Any, Callable[[], Ledger]]]:
    """(name, class, data, ledger factory) for stored entities of each product."""
    docs: list[tuple[str, type, Any, Callable[[], Ledger]]] = []
    ledger, trade = _escrow(shipped=True)
    docs.append(("EscrowTrade", EscrowTrade, to_data(trade), lambda: ledger))
    loan = _demo()
    docs.append(("Loan", Loan, to_data(loan), lambda: loan.ledger))
    hb_ledger, huabei = _huabei()
    docs.append(("HuabeiAccount", HuabeiAccount, to_data(huabei), lambda: hb_ledger))
    offer = _example_offer()
    offer.subscribe("s", RICH, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
    docs.append(("CrowdfundOffer", type(offer), to_data(offer), lambda: offer.ledger))
    return docs


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data[:2]):
            found.append((*prefix, index))
            found.extend(_paths(value, (*prefix, index)))
    return found


def _poisoned(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(data))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


# -- the tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("probe", PROBES, ids=[f"{p.area}:{p.name}" for p in PROBES])
def test_probe(probe: Probe) -> None:
    ledger, entity = probe.world()
    failures_before = len(FAILURES)
    for value in probe.values:
        attempt(
            probe.area,
            f"{probe.name} <- {value!r:.60}",
            lambda value=value: probe.call(entity, value),  # type: ignore[misc]
            lambda: snapshot(ledger, entity),
        )
    assert FAILURES[failures_before:] == []


@pytest.mark.parametrize("index", range(4), ids=["EscrowTrade", "Loan", "HuabeiAccount", "CrowdfundOffer"])
def test_poisoned_documents(index: int) -> None:
    name, cls, data, make_ledger = _documents()[index]
    ledger = make_ledger()
    failures_before = len(FAILURES)
    paths = _paths(data)
    for n, path in enumerate(paths):
        for value in FIELD_POISON[n % 3 :: 3]:  # a third of the poisons per field, rotating
            attempt(
                "serialization",
                f"{name}{list(path)} <- {value!r:.40}",
                lambda path=path, value=value: from_data(cls, _poisoned(data, path, value), ledger=ledger),  # type: ignore[misc]
                lambda: snapshot(ledger),
            )
    for text in ("", "{", "[" * 100_000, '{"a": NaN}', "1e999999", json.dumps(data)[:-1], "\ud800"):
        attempt(
            "serialization",
            f"loads({text[:20]!r})",
            lambda text=text: loads(cls, text, ledger=ledger),  # type: ignore[misc]
            lambda: snapshot(ledger),
        )  # fmt: skip
    assert FAILURES[failures_before:] == []


def test_census_totals() -> None:
    """Runs last in this module: at least 1,500 hostile calls over every area, every refusal clean."""
    line = summary()
    print(line)
    areas = set(CENSUS)
    expected = {"money", "ledger", "payments", "escrow", "fund", "zhaocaibao", "loans", "huabei", "crowdfunding"}
    assert expected | {"serialization"} <= areas, line
    calls = sum(sum(outcomes.values()) for outcomes in CENSUS.values())
    assert calls >= 1_500, line
    assert FAILURES == [], FAILURES[:10]
    assert all(outcomes["untyped"] == 0 and outcomes["changed"] == 0 for outcomes in CENSUS.values()), line
