"""Hostile input to every money-moving entry of the Ledger: typed errors naming the argument, nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hostile_values import (
    BAD_DATETIMES,
    BAD_FLAGS,
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
from antfin.ledger import AccountKind, Ledger, Posting
from antfin.money import CNY, Money

AT = shanghai(2024, 5, 1, 12)
BANK = "asset:bank"
# A wrong-currency refusal names the expected currency ("holds CNY, not USD") rather than the argument.
AMOUNT = ("amount", "CNY")


def make_ledger() -> Ledger:
    """Two funded wallets, one pending hold and one posted transfer."""
    ledger = Ledger()
    ledger.open_account(BANK, AccountKind.ASSET)
    for wallet in ("wallet:alice", "wallet:bob"):
        ledger.open_account(wallet, AccountKind.LIABILITY, non_negative=True)
        ledger.transfer(f"top-up:{wallet}", debit=BANK, credit=wallet, amount=CNY("100.00"), at=AT)
    ledger.hold("hold:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("10.00"), at=AT)
    return ledger


def transfer_args(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"debit": "wallet:alice", "credit": "wallet:bob", "amount": CNY("1.00"), "at": AT}
    args.update(changes)
    return args


# -- open_account -----------------------------------------------------------------------------------


@settings(max_examples=30)
@given(BAD_TEXT)
def test_open_account_refuses_bad_ids(account_id: Any) -> None:
    ledger = make_ledger()
    refused(
        lambda: ledger.open_account(account_id, AccountKind.ASSET),
        fields=("account_id", "account id"),
        state=lambda: ledger_state(ledger),
    )


@settings(max_examples=30)
@given(bad_enum(AccountKind))
def test_open_account_refuses_bad_kinds(kind: Any) -> None:
    ledger = make_ledger()
    refused(lambda: ledger.open_account("x", kind), fields="kind", state=lambda: ledger_state(ledger))


@settings(max_examples=30)
@given(st.one_of(BAD_TEXT, st.sampled_from(["XYZ", "CNYY", "C\x00Y", Money]), BAD_FLAGS))
def test_open_account_refuses_bad_currency_and_flags(value: Any) -> None:
    ledger = make_ledger()
    refused(
        lambda: ledger.open_account("x", AccountKind.ASSET, currency=value),
        fields="currency",
        state=lambda: ledger_state(ledger),
    )
    if not isinstance(value, bool):
        refused(
            lambda: ledger.open_account("y", AccountKind.ASSET, non_negative=value),
            fields="non_negative",
            state=lambda: ledger_state(ledger),
        )


@settings(max_examples=30)
@given(st.sampled_from([{"a": 1}, {1: "a"}, {"a": None}, ["a"], "a=b", 5]))
def test_open_account_refuses_bad_metadata(metadata: Any) -> None:
    ledger = make_ledger()
    refused(
        lambda: ledger.open_account("x", AccountKind.ASSET, metadata=metadata),
        fields="metadata",
        state=lambda: ledger_state(ledger),
    )


@settings(max_examples=30)
@given(ODD_TEXT)
def test_open_account_with_odd_ids_is_typed_or_ok(account_id: str) -> None:
    ledger = make_ledger()
    typed_or_ok(
        lambda: ledger.open_account(account_id, AccountKind.ASSET),
        fields=("account_id", "account"),
        state=lambda: ledger_state(ledger),
    )


# -- transfer, post_entry -------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money()))
def test_transfer_refuses_bad_amounts(amount: Any) -> None:
    ledger = make_ledger()
    refused(
        lambda: ledger.transfer("t", **transfer_args(amount=amount)),
        fields=AMOUNT,
        state=lambda: ledger_state(ledger),
    )
    # the refused call did not consume the key
    ledger.transfer("t", **transfer_args())


@settings(max_examples=50)
@given(BAD_DATETIMES)
def test_transfer_refuses_bad_times(at: Any) -> None:
    ledger = make_ledger()
    refused(lambda: ledger.transfer("t", **transfer_args(at=at)), fields="at", state=lambda: ledger_state(ledger))


@settings(max_examples=30)
@given(FAR_FUTURE)
def test_transfer_at_the_edge_of_time_is_typed_or_ok(at: datetime) -> None:
    ledger = make_ledger()
    typed_or_ok(lambda: ledger.transfer("t", **transfer_args(at=at)), fields="at", state=lambda: ledger_state(ledger))


@settings(max_examples=50)
@given(st.one_of(BAD_TEXT, ODD_TEXT), st.sampled_from(["key", "debit", "credit", "memo"]))
def test_transfer_refuses_bad_names(value: Any, field: str) -> None:
    ledger = make_ledger()
    if field in {"debit", "credit"} and isinstance(value, str) and ledger.has_account(value):
        return  # an existing account is no hostile value
    if field == "key":
        call = lambda: ledger.transfer(value, **transfer_args())  # noqa: E731
    else:
        call = lambda: ledger.transfer("t", **transfer_args(**{field: value}))  # noqa: E731
    if (field == "memo" and isinstance(value, str)) or (isinstance(value, str) and value.strip() and field == "key"):
        typed_or_ok(call, fields=field, state=lambda: ledger_state(ledger))
    elif isinstance(value, str) and value.strip():
        # an unknown account
        refused(call, fields=(field, "account"), state=lambda: ledger_state(ledger))
    else:
        refused(call, fields=(field, "account"), state=lambda: ledger_state(ledger))


@settings(max_examples=30)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY))
def test_post_entry_refuses_bad_postings(amount: Any) -> None:
    ledger = make_ledger()

    def call() -> object:
        postings = [Posting("wallet:alice", amount), Posting("wallet:bob", CNY("-1.00"))]
        return ledger.post_entry("e", postings, at=AT)

    refused(call, fields=(*AMOUNT, "posting", "balance"), state=lambda: ledger_state(ledger))


@settings(max_examples=30)
@given(st.sampled_from([None, "wallet:alice", [("wallet:alice", CNY("1"))], [None], [1, 2], (), []]))
def test_post_entry_refuses_bad_posting_lists(postings: Any) -> None:
    ledger = make_ledger()
    refused(lambda: ledger.post_entry("e", postings, at=AT), fields="posting", state=lambda: ledger_state(ledger))


# -- holds ----------------------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("1" + "0" * 30))))
def test_hold_refuses_bad_amounts(amount: Any) -> None:
    ledger = make_ledger()
    refused(
        lambda: ledger.hold("h", **transfer_args(amount=amount)),
        fields=(*AMOUNT, "available", "wallet:alice"),
        state=lambda: ledger_state(ledger),
    )


@settings(max_examples=50)
@given(BAD_DATETIMES, st.sampled_from(["at", "expires_at"]))
def test_hold_refuses_bad_times(value: Any, field: str) -> None:
    ledger = make_ledger()
    if field == "expires_at" and value is None:
        return  # no expiry, documented
    refused(
        lambda: ledger.hold("h", **transfer_args(**{field: value})), fields=field, state=lambda: ledger_state(ledger)
    )


def test_hold_refuses_an_expiry_before_its_creation() -> None:
    ledger = make_ledger()
    refused(
        lambda: ledger.hold("h", **transfer_args(expires_at=shanghai(2024, 4, 30))),
        fields="expires_at",
        state=lambda: ledger_state(ledger),
    )


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("10.01"))))
def test_post_hold_refuses_bad_amounts(amount: Any) -> None:
    ledger = make_ledger()
    if amount is None:
        return  # None posts in full, documented
    refused(
        lambda: ledger.post_hold("p", "hold:1", at=AT, amount=amount),
        fields=AMOUNT,
        state=lambda: ledger_state(ledger),
    )


@settings(max_examples=50)
@given(st.one_of(BAD_TEXT, ODD_TEXT), st.sampled_from(["post", "void", "reverse"]))
def test_resolving_unknown_or_bad_ids_is_refused(hold_id: Any, action: str) -> None:
    ledger = make_ledger()
    call: Callable[[], object]
    if action == "post":
        call = lambda: ledger.post_hold("p", hold_id, at=AT)  # noqa: E731
    elif action == "void":
        call = lambda: ledger.void_hold("v", hold_id, at=AT)  # noqa: E731
    else:
        call = lambda: ledger.reverse("r", hold_id, at=AT)  # noqa: E731
    refused(call, fields=("hold", "entry", "id"), state=lambda: ledger_state(ledger))


@settings(max_examples=30)
@given(BAD_DATETIMES, st.sampled_from(["post", "void", "reverse", "expire"]))
def test_resolving_at_bad_times_is_refused(at: Any, action: str) -> None:
    ledger = make_ledger()
    entry_id = ledger.entries()[0].id
    call: Callable[[], object]
    if action == "post":
        call = lambda: ledger.post_hold("p", "hold:1", at=at)  # noqa: E731
    elif action == "void":
        call = lambda: ledger.void_hold("v", "hold:1", at=at)  # noqa: E731
    elif action == "reverse":
        call = lambda: ledger.reverse("r", entry_id, at=at)  # noqa: E731
    else:
        call = lambda: ledger.expire_holds(at)  # noqa: E731
    refused(call, fields="at", state=lambda: ledger_state(ledger))


@settings(max_examples=20)
@given(FAR_FUTURE)
def test_resolving_at_the_edge_of_time_is_typed_or_ok(at: datetime) -> None:
    ledger = make_ledger()
    typed_or_ok(lambda: ledger.expire_holds(at), fields="at", state=lambda: ledger_state(ledger))
    typed_or_ok(lambda: ledger.post_hold("p", "hold:1", at=at), fields="at", state=lambda: ledger_state(ledger))


@settings(max_examples=30)
@given(st.one_of(BAD_TEXT, ODD_TEXT))
def test_queries_refuse_bad_account_ids(account_id: Any) -> None:
    ledger = make_ledger()
    if ledger.has_account(account_id) if isinstance(account_id, str) else False:
        return
    for query in (ledger.balance, ledger.pending, ledger.available, ledger.history, ledger.account):
        refused(lambda: query(account_id), fields=("account",), state=lambda: ledger_state(ledger))  # noqa: B023
