"""Hostile input to Account (open, top-up, transfer, withdraw) and the escrow desk and trade."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hostile_values import (
    ALWAYS_BAD_AMOUNTS,
    BAD_DATETIMES,
    BAD_TEXT,
    FAR_FUTURE,
    NOT_MONEY,
    ODD_TEXT,
    WRONG_CURRENCY,
    bad_enum,
    ledger_state,
    negative_money,
    refused,
    typed_or_ok,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.ledger import Ledger
from antfin.money import CNY
from antfin.payments import Account, AccountType, EscrowDesk, EscrowTrade, GoodsType, RealNameLevel, RefundReason

OPENED = shanghai(2024, 1, 1)
AT = shanghai(2024, 5, 1, 10)
# A wrong-currency refusal may name the expected currency instead of the argument.
AMOUNT = ("amount", "CNY")
# An instant outside a dated fee table is refused with the date it was asked for ("on 0001-01-01 ...").
EDGE = ("at", "on ")


def make_accounts() -> tuple[Ledger, Account, Account]:
    ledger = Ledger()
    buyer = Account.open(ledger, "buyer", opened_at=OPENED)
    buyer.link_card("ICBC-1", at=OPENED)
    buyer.top_up("seed", card="ICBC-1", amount=CNY("1000.00"), at=OPENED)
    seller = Account.open(ledger, "shop", opened_at=OPENED, account_type=AccountType.MERCHANT)
    seller.link_card("CMB-1", at=OPENED)
    return ledger, buyer, seller


def account_state(ledger: Ledger, *accounts: Account) -> tuple[object, ...]:
    return (
        ledger_state(ledger),
        tuple((a.events, a.cards, a.withdrawn, a.level) for a in accounts),
    )


def make_trade(
    *, paid: bool = False, shipped: bool = False
) -> tuple[Ledger, Account, Account, EscrowDesk, EscrowTrade]:
    ledger, buyer, seller = make_accounts()
    desk = EscrowDesk(ledger)
    trade = desk.create("T1", buyer=buyer, seller=seller, amount=CNY("100.00"), goods=GoodsType.PHYSICAL_EXPRESS, at=AT)
    if paid:
        trade.pay(at=shanghai(2024, 5, 1, 10, 5))
    if shipped:
        trade.ship(at=shanghai(2024, 5, 1, 11), tracking_no="SF1")
    return ledger, buyer, seller, desk, trade


def trade_state(ledger: Ledger, desk: EscrowDesk, trade: EscrowTrade) -> tuple[object, ...]:
    return (
        ledger_state(ledger),
        tuple(t.out_trade_no for t in desk.trades()),
        trade.status,
        trade.transitions,
        trade.paid,
        trade.refunded,
        trade.released,
        trade.in_escrow,
        trade.fee,
        trade.refunds,
        trade.refund_requests,
    )


# -- Account --------------------------------------------------------------------------------------


@settings(max_examples=30)
@given(st.one_of(BAD_TEXT, ODD_TEXT))
def test_account_open_refuses_bad_ids(account_id: Any) -> None:
    ledger, _buyer, _seller = make_accounts()
    typed_or_ok(
        lambda: Account.open(ledger, account_id, opened_at=OPENED),
        fields=("account_id", "account"),
        state=lambda: ledger_state(ledger),
    )
    if not (isinstance(account_id, str) and account_id.strip()):
        refused(
            lambda: Account.open(ledger, account_id, opened_at=OPENED),
            fields="account_id",
            state=lambda: ledger_state(ledger),
        )


@settings(max_examples=30)
@given(
    st.one_of(
        BAD_DATETIMES.map(lambda v: ("opened_at", v)),
        bad_enum(AccountType).map(lambda v: ("account_type", v)),
        bad_enum(RealNameLevel).map(lambda v: ("level", v)),
        st.sampled_from([("ledger", None), ("ledger", "L")]),
    )
)
def test_account_open_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    if field == "level" and value is None:
        return  # no level: the default class
    ledger = Ledger()
    args: dict[str, Any] = {"ledger": ledger, "account_id": "alice", "opened_at": OPENED}
    args[field] = value
    refused(lambda: Account.open(**args), fields=field, state=lambda: ledger_state(ledger))


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("1" + "0" * 30))))
def test_top_up_transfer_and_withdraw_refuse_bad_amounts(amount: Any) -> None:
    ledger, buyer, seller = make_accounts()

    def state() -> object:
        return account_state(ledger, buyer, seller)

    if isinstance(amount, CNY.zero().__class__) and amount.is_positive():
        # a huge top-up is a valid request (no cap on card top-ups); it must not break anything
        typed_or_ok(lambda: buyer.top_up("k0", card="ICBC-1", amount=amount, at=AT), fields=AMOUNT, state=state)
        ledger.check_invariants()
    else:
        refused(lambda: buyer.top_up("k1", card="ICBC-1", amount=amount, at=AT), fields=AMOUNT, state=state)
    refused(lambda: buyer.transfer("k2", to=seller, amount=amount, at=AT), fields=(*AMOUNT, "limit"), state=state)
    refused(lambda: buyer.withdraw("k3", card="ICBC-1", amount=amount, at=AT), fields=(*AMOUNT, "balance"), state=state)
    typed_or_ok(lambda: buyer.quote_withdrawal(amount, at=AT), fields=AMOUNT, state=state)
    # the keys were not consumed
    buyer.top_up("k1", card="ICBC-1", amount=CNY("1.00"), at=AT)


@settings(max_examples=50)
@given(BAD_DATETIMES)
def test_account_operations_refuse_bad_times(at: Any) -> None:
    ledger, buyer, seller = make_accounts()

    def state() -> object:
        return account_state(ledger, buyer, seller)

    refused(lambda: buyer.top_up("k1", card="ICBC-1", amount=CNY("1"), at=at), fields="at", state=state)
    refused(lambda: buyer.transfer("k2", to=seller, amount=CNY("1"), at=at), fields="at", state=state)
    refused(lambda: buyer.withdraw("k3", card="ICBC-1", amount=CNY("1"), at=at), fields="at", state=state)
    refused(lambda: buyer.link_card("X-1", at=at), fields="at", state=state)


@settings(max_examples=20)
@given(FAR_FUTURE)
def test_account_operations_at_the_edge_of_time_are_typed_or_ok(at: datetime) -> None:
    ledger, buyer, seller = make_accounts()

    def state() -> object:
        return account_state(ledger, buyer, seller)

    typed_or_ok(lambda: buyer.transfer("k2", to=seller, amount=CNY("1"), at=at), fields=EDGE, state=state)
    typed_or_ok(lambda: buyer.withdraw("k3", card="ICBC-1", amount=CNY("1"), at=at), fields=EDGE, state=state)


@settings(max_examples=40)
@given(st.one_of(BAD_TEXT, ODD_TEXT), st.sampled_from(["key", "card", "to", "memo"]))
def test_account_operations_refuse_bad_names(value: Any, field: str) -> None:
    ledger, buyer, seller = make_accounts()

    def state() -> object:
        return account_state(ledger, buyer, seller)

    calls: list[Callable[[], object]]
    if field == "key":
        calls = [lambda: buyer.top_up(value, card="ICBC-1", amount=CNY("1"), at=AT)]
    elif field == "card":
        calls = [
            lambda: buyer.top_up("k", card=value, amount=CNY("1"), at=AT),
            lambda: buyer.withdraw("k", card=value, amount=CNY("1"), at=AT),
        ]
    elif field == "to":
        calls = [lambda: buyer.transfer("k", to=value, amount=CNY("1"), at=AT)]
    else:
        calls = [lambda: buyer.transfer("k", to=seller, amount=CNY("1"), at=AT, memo=value)]
    for call in calls:
        if isinstance(value, str) and (field == "memo" or (value.strip() and field == "key")):
            typed_or_ok(call, fields=field, state=state)
        else:
            refused(call, fields=field, state=state)


# -- escrow ---------------------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("100000000.01"))))
def test_create_refuses_bad_amounts(amount: Any) -> None:
    ledger, buyer, seller = make_accounts()
    desk = EscrowDesk(ledger)
    refused(
        lambda: desk.create("T1", buyer=buyer, seller=seller, amount=amount, goods=GoodsType.VIRTUAL, at=AT),
        fields=AMOUNT,
        state=lambda: (ledger_state(ledger), desk.trades()),
    )


@settings(max_examples=50)
@given(
    st.one_of(
        BAD_TEXT.map(lambda v: ("out_trade_no", v)),
        ODD_TEXT.map(lambda v: ("out_trade_no", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
        bad_enum(GoodsType).map(lambda v: ("goods", v)),
        st.sampled_from([("buyer", None), ("buyer", "buyer"), ("seller", "shop"), ("seller", 1)]),
        st.sampled_from(["", "0m", "-1m", "15", "15x", "1.5h", "16d", "\x00"]).map(lambda v: ("timeout", v)),
        ALWAYS_BAD_AMOUNTS.map(lambda v: ("timeout", v)),
        st.sampled_from([None, 1, b"x"]).map(lambda v: ("subject", v)),
    )
)
def test_create_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    ledger, buyer, seller = make_accounts()
    desk = EscrowDesk(ledger)
    args: dict[str, Any] = {
        "out_trade_no": "T1",
        "buyer": buyer,
        "seller": seller,
        "amount": CNY("10"),
        "goods": GoodsType.VIRTUAL,
        "at": AT,
    }
    args[field] = value
    no = args.pop("out_trade_no")
    check = typed_or_ok if field == "out_trade_no" and isinstance(value, str) and value.strip() else refused
    check(lambda: desk.create(no, **args), fields=field, state=lambda: (ledger_state(ledger), desk.trades()))


@settings(max_examples=40)
@given(BAD_DATETIMES, st.sampled_from(["pay", "ship", "confirm", "cancel", "advance_to"]))
def test_trade_steps_refuse_bad_times(at: Any, step: str) -> None:
    ledger, _, _, desk, trade = make_trade(paid=step in {"ship", "confirm"}, shipped=step == "confirm")
    call = {
        "pay": lambda: trade.pay(at=at),
        "ship": lambda: trade.ship(at=at),
        "confirm": lambda: trade.confirm(at=at),
        "cancel": lambda: trade.cancel(at=at),
        "advance_to": lambda: trade.advance_to(at),
    }[step]
    refused(call, fields="at", state=lambda: trade_state(ledger, desk, trade))


@settings(max_examples=20)
@given(FAR_FUTURE, st.sampled_from(["pay", "confirm", "advance_to", "desk"]))
def test_trade_steps_at_the_edge_of_time_are_typed_or_ok(at: datetime, step: str) -> None:
    ledger, _, _, desk, trade = make_trade(paid=step != "pay", shipped=step != "pay")
    if step in {"pay", "confirm"}:
        # every step first lets time pass (timeouts fire: a late payment finds the trade closed); that is
        # no refusal, so move the clock first, then the refused step must change nothing.
        typed_or_ok(lambda: trade.advance_to(at), fields="at", state=lambda: trade_state(ledger, desk, trade))
    call = {
        "pay": lambda: trade.pay(at=at),
        "confirm": lambda: trade.confirm(at=at),
        "advance_to": lambda: trade.advance_to(at),
        "desk": lambda: desk.advance_to(at),
    }[step]
    typed_or_ok(call, fields="at", state=lambda: trade_state(ledger, desk, trade))


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("100.01"))))
def test_refund_refuses_bad_amounts(amount: Any) -> None:
    ledger, _, _, desk, trade = make_trade(paid=True)
    refused(
        lambda: trade.refund("R1", amount, at=shanghai(2024, 5, 2)),
        fields=(*AMOUNT, "refund"),
        state=lambda: trade_state(ledger, desk, trade),
    )
    refused(
        lambda: trade.request_refund("R1", amount, reason=RefundReason.OTHER, at=shanghai(2024, 5, 2)),
        fields=(*AMOUNT, "refund"),
        state=lambda: trade_state(ledger, desk, trade),
    )


@settings(max_examples=30)
@given(
    st.one_of(
        BAD_TEXT.map(lambda v: (v, "no")),
        bad_enum(RefundReason).map(lambda v: (v, "reason")),
        BAD_DATETIMES.map(lambda v: (v, "at")),
    )
)
def test_refund_requests_refuse_bad_arguments(pair: tuple[Any, str]) -> None:
    value, field = pair
    ledger, _, _, desk, trade = make_trade(paid=True)
    args: dict[str, Any] = {"no": "R1", "reason": RefundReason.OTHER, "at": shanghai(2024, 5, 2)}
    args[field] = value
    refused(
        lambda: trade.request_refund(args["no"], CNY("1"), reason=args["reason"], at=args["at"]),
        fields=("out_request_no", "request") if field == "no" else field,
        state=lambda: trade_state(ledger, desk, trade),
    )


@settings(max_examples=50)
@given(
    st.one_of(ALWAYS_BAD_AMOUNTS, st.sampled_from([-1, "-1", "-0.5", -(10**30)])),
    st.sampled_from(["buyer", "seller"]),
)
def test_arbitrate_refuses_bad_weights(weight: Any, side: str) -> None:
    ledger, _, _, desk, trade = make_trade(paid=True, shipped=True)
    trade.request_refund("R1", CNY("50"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
    trade.refuse_refund(at=shanghai(2024, 5, 2, 12))
    weights: dict[str, Any] = {"buyer": 1, "seller": 1}
    weights[side] = weight
    refused(
        lambda: trade.arbitrate(at=shanghai(2024, 5, 3), **weights),
        fields=(side, "weight", "ratio"),
        state=lambda: trade_state(ledger, desk, trade),
    )


def test_arbitrate_refuses_two_zero_weights() -> None:
    ledger, _, _, desk, trade = make_trade(paid=True, shipped=True)
    trade.request_refund("R1", CNY("50"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
    trade.refuse_refund(at=shanghai(2024, 5, 2, 12))
    refused(
        lambda: trade.arbitrate(at=shanghai(2024, 5, 3), buyer=0, seller=0),
        fields=("buyer", "seller", "weight", "ratio"),
        state=lambda: trade_state(ledger, desk, trade),
    )


# -- bill payment -----------------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money()))
def test_pay_bill_refuses_bad_amounts_and_books_nothing(amount: Any) -> None:
    from antfin.payments import pay_bill

    ledger, buyer, seller = make_accounts()
    refused(
        lambda: pay_bill(ledger, "bill-1", payer=buyer, biller=seller, amount=amount, at=AT),
        fields=AMOUNT,
        state=lambda: ledger_state(ledger),
    )


@settings(max_examples=30)
@given(BAD_DATETIMES)
def test_pay_bill_refuses_bad_times(at: Any) -> None:
    from antfin.payments import pay_bill

    ledger, buyer, seller = make_accounts()
    refused(
        lambda: pay_bill(ledger, "bill-1", payer=buyer, biller=seller, amount=CNY("1.00"), at=at),
        fields=("at", "aware", "datetime"),
        state=lambda: ledger_state(ledger),
    )
