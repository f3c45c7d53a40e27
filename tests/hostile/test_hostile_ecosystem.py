"""Hostile input to crowdfunding offers and policies, Cloud contracts and serialization.from_data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hostile_values import (
    BAD_DATES,
    BAD_DATETIMES,
    BAD_TEXT,
    FAR_FUTURE,
    NOT_MONEY,
    WRONG_CURRENCY,
    ledger_state,
    negative_money,
    refused,
    typed_or_ok,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.crowdfunding import SEED_2016, CrowdfundOffer, InvestorFacts
from antfin.ecosystem.services import CloudContract
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.rates import Rate
from antfin.serialization import from_data

OPENS = shanghai(2016, 3, 1)
CLOSES = shanghai(2016, 3, 31, 12)
AMOUNT = ("amount", "CNY")


def make_offer() -> tuple[Ledger, CrowdfundOffer]:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    ledger.open_account("wallet:issuer", AccountKind.LIABILITY, non_negative=True)
    for investor in ("lead", "a"):
        ledger.open_account(f"wallet:{investor}", AccountKind.LIABILITY, non_negative=True)
        ledger.transfer(
            f"top-up:{investor}",
            debit="asset:bank_settlement",
            credit=f"wallet:{investor}",
            amount=CNY("1000000"),
            at=shanghai(2016, 2, 1),
        )
    offer = CrowdfundOffer(
        "tea",
        issuer="issuer",
        target=CNY("1000000"),
        min_ticket=CNY("10000"),
        opens_at=OPENS,
        closes_at=CLOSES,
        equity_units=100_000,
        ledger=ledger,
    )
    return ledger, offer


def qualified(investor_id: str) -> InvestorFacts:
    return InvestorFacts(investor_id, personal_financial_assets=CNY("1000000.01"))


def offer_state(ledger: Ledger, offer: CrowdfundOffer) -> tuple[object, ...]:
    return ledger_state(ledger), offer.status, offer.subscriptions, offer.events, offer.raised


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("1" + "0" * 30))))
def test_subscribe_refuses_bad_amounts(amount: Any) -> None:
    ledger, offer = make_offer()
    refused(
        lambda: offer.subscribe("s", qualified("a"), amount, at=OPENS),
        fields=(*AMOUNT, "ticket", "lead", "wallet", "target", "available"),
        state=lambda: offer_state(ledger, offer),
    )


@settings(max_examples=40)
@given(
    st.one_of(
        BAD_TEXT.map(lambda v: ("key", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
        FAR_FUTURE.map(lambda v: ("at", v)),
        st.sampled_from([None, "a", 1]).map(lambda v: ("investor", v)),
        st.sampled_from([None, "lead", 1]).map(lambda v: ("role", v)),
    )
)
def test_subscribe_and_cancel_refuse_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    ledger, offer = make_offer()
    args: dict[str, Any] = {"key": "s", "investor": qualified("a"), "at": OPENS}
    args[field] = value
    extra: dict[str, Any] = {"role": value} if field == "role" else {}
    check = typed_or_ok if isinstance(value, datetime) and value.tzinfo is not None else refused
    check(
        lambda: offer.subscribe(args["key"], args["investor"], CNY("20000"), at=args["at"], **extra),
        fields=(field, "closed", "lead", "open"),
        state=lambda: offer_state(ledger, offer),
    )
    if field in {"key", "at"}:
        check(
            lambda: offer.cancel(args["key"], at=args["at"]),
            fields=(field, "subscription", "closed"),
            state=lambda: offer_state(ledger, offer),
        )


@settings(max_examples=40)
@given(
    st.one_of(
        st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money()).map(lambda v: ("target", v)),
        st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money()).map(lambda v: ("min_ticket", v)),
        BAD_DATETIMES.map(lambda v: ("opens_at", v)),
        BAD_DATETIMES.map(lambda v: ("closes_at", v)),
        st.just(("closes_at", OPENS)),
        st.sampled_from([0, -1, 1.5, None, True, "100"]).map(lambda v: ("equity_units", v)),
        BAD_TEXT.map(lambda v: ("issuer", v)),
        st.sampled_from([None, "ledger"]).map(lambda v: ("ledger", v)),
    )
)
def test_offer_construction_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    args: dict[str, Any] = {
        "issuer": "issuer",
        "target": CNY("1000000"),
        "min_ticket": CNY("10000"),
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "equity_units": 100_000,
        "ledger": Ledger(),
    }
    args[field] = value
    refused(lambda: CrowdfundOffer("tea", **args), fields=(field, "CNY"), state=lambda: ())


@settings(max_examples=30)
@given(st.one_of(BAD_DATES, st.sampled_from([None, "x", 1, InvestorFacts])), st.sampled_from(["on", "investor"]))
def test_policy_check_refuses_bad_arguments(value: Any, field: str) -> None:
    if field == "on" and value is None:
        return  # None: the policy's own dates, documented
    args: dict[str, Any] = {"investor": qualified("a"), "on": None}
    args[field] = value
    refused(lambda: SEED_2016.check(args["investor"], on=args["on"]), fields=field, state=lambda: ())


@settings(max_examples=40)
@given(
    st.one_of(
        st.one_of(NOT_MONEY, negative_money()).map(lambda v: ("fee", v)),
        BAD_TEXT.map(lambda v: ("contract_id", v)),
        BAD_TEXT.map(lambda v: ("payer_wallet", v)),
    )
)
def test_cloud_contract_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    args: dict[str, Any] = {"contract_id": "c1", "payer_wallet": "wallet:acme", "fee": CNY("100")}
    args[field] = value
    refused(lambda: CloudContract.monthly(**args), fields=(field, "CNY"), state=lambda: ())


@settings(max_examples=30)
@given(st.one_of(NOT_MONEY, negative_money(allow_zero=False)))
def test_cloud_savings_share_refuses_bad_savings(savings: Any) -> None:
    # a share of savings in another currency is priced in that currency (a currency-neutral rate), so no refusal
    contract = CloudContract.savings_share("c1", "wallet:acme", Rate.percent("10"))
    refused(lambda: contract.fee_for(savings), fields=("savings", "CNY"), state=lambda: ())


@settings(max_examples=50)
@given(
    st.one_of(
        st.sampled_from(
            [
                None,
                1,
                1.5,
                "12.34",
                [],
                {},
                {"amount": "1.00"},
                {"amount": 1.5, "currency": "CNY"},
                {"amount": "NaN", "currency": "CNY"},
                {"amount": "1.001", "currency": "CNY"},
                {"amount": "1.00", "currency": "XYZ"},
                {"amount": "1.00", "currency": None},
                {"amount": "1e999999", "currency": "CNY"},
                {"amount": "1.00", "currency": "CNY", "extra": 1},
            ]
        ),
        st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.text(max_size=5), st.integers()), max_size=3),
    )
)
def test_from_data_refuses_bad_money_data(data: Any) -> None:
    typed_or_ok(lambda: from_data(Money, data), fields=("$", "amount", "currency"), state=lambda: ())
    if not isinstance(data, str):
        refused(lambda: from_data(Money, data), fields=("$", "amount", "currency"), state=lambda: ())
