"""Hostile input to the Yu'ebao MoneyFund and the Zhaocaibao platform (and its transfer fee)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hostile_values import (
    ALWAYS_BAD_AMOUNTS,
    BAD_DATES,
    BAD_DATETIMES,
    BAD_INTS,
    BAD_TEXT,
    FAR_FUTURE,
    NOT_MONEY,
    ODD_TEXT,
    OVER_PRECISE,
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
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY
from antfin.rates import Rate
from antfin.wealth import MoneyFund
from antfin.wealth.zhaocaibao import ProductKind, ProductTerms, ReservationCriteria, Zhaocaibao, transfer_fee

BANK = "asset:bank_settlement"
AT = shanghai(2024, 3, 5, 10)  # a Tuesday, before the 15:00 cut-off, after the last closed day
AMOUNT = ("amount", "CNY")
# An instant past a dated calendar's coverage is refused with the date it was asked about.
EDGE = ("at", "calendar", "cover", "day")


def make_ledger(*parties: str) -> Ledger:
    ledger = Ledger()
    at = shanghai(2024, 2, 1)
    ledger.open_account(BANK, AccountKind.ASSET)
    for party in parties:
        ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True, owner=party)
        ledger.transfer(f"top-up:{party}", debit=BANK, credit=f"wallet:{party}", amount=CNY("50000"), at=at)
    return ledger


# -- MoneyFund ------------------------------------------------------------------------------------


def make_fund() -> tuple[Ledger, MoneyFund]:
    ledger = make_ledger("alice")
    fund = MoneyFund(ledger)
    fund.purchase("buy:1", "alice", CNY("1000.00"), at=shanghai(2024, 3, 1, 10))
    fund.close_day(date(2024, 3, 4), gross_income=CNY("0.00"), at=shanghai(2024, 3, 4, 18))
    return ledger, fund


def fund_state(ledger: Ledger, fund: MoneyFund) -> tuple[object, ...]:
    return (
        ledger_state(ledger),
        fund.total_units,
        tuple((investor, fund.units_of(investor)) for investor in fund.holders()),
        tuple((order.key, order.status, order.history) for order in fund.orders()),
        fund.last_closed_day,
        fund.daily_incomes,
    )


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("1" + "0" * 30))))
def test_purchase_refuses_bad_amounts(amount: Any) -> None:
    ledger, fund = make_fund()
    refused(
        lambda: fund.purchase("buy:2", "alice", amount, at=AT),
        fields=(*AMOUNT, "wallet:alice"),
        state=lambda: fund_state(ledger, fund),
    )


@settings(max_examples=50)
@given(st.one_of(ALWAYS_BAD_AMOUNTS, OVER_PRECISE, st.sampled_from([0, -1, "-0.01", 10**30, CNY("1")])))
def test_redemptions_refuse_bad_units(units: Any) -> None:
    ledger, fund = make_fund()
    refused(lambda: fund.redeem("r", "alice", units, at=AT), fields="units", state=lambda: fund_state(ledger, fund))
    refused(
        lambda: fund.fast_redeem("f", "alice", units, at=AT),
        fields=("units", "asked"),
        state=lambda: fund_state(ledger, fund),
    )


@settings(max_examples=50)
@given(
    st.one_of(
        BAD_TEXT.map(lambda v: ("key", v)),
        BAD_TEXT.map(lambda v: ("investor", v)),
        ODD_TEXT.map(lambda v: ("investor", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
    )
)
def test_fund_orders_refuse_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    ledger, fund = make_fund()
    args: dict[str, Any] = {"key": "k", "investor": "alice", "at": AT}
    args[field] = value
    # a blank (whitespace) caller key is taken (the fund prefixes it before the ledger sees it): see the report
    check = typed_or_ok if isinstance(value, str) and (value.strip() or (field == "key" and value)) else refused
    fields = (field, "wallet", "units", "account") if field == "investor" else field
    state = lambda: fund_state(ledger, fund)  # noqa: E731
    check(lambda: fund.purchase(args["key"], args["investor"], CNY("1"), at=args["at"]), fields=fields, state=state)
    check(lambda: fund.redeem(args["key"], args["investor"], 1, at=args["at"]), fields=fields, state=state)
    if field != "key":
        fund.purchase(args["key"], "alice", CNY("1"), at=AT)  # refused calls did not consume the key


@settings(max_examples=20)
@given(FAR_FUTURE)
def test_fund_orders_at_the_edge_of_time_are_typed_or_ok(at: datetime) -> None:
    ledger, fund = make_fund()
    state = lambda: fund_state(ledger, fund)  # noqa: E731
    typed_or_ok(lambda: fund.purchase("k", "alice", CNY("1"), at=at), fields=EDGE, state=state)
    typed_or_ok(lambda: fund.redeem("r", "alice", 1, at=at), fields=EDGE, state=state)
    typed_or_ok(lambda: fund.fast_redeem("f", "alice", 1, at=at), fields=EDGE, state=state)


@settings(max_examples=40)
@given(
    st.one_of(
        BAD_DATES.map(lambda v: ("day", v)),
        # None is not hostile: it asks for the portfolio's own income (documented).
        st.one_of(NOT_MONEY, WRONG_CURRENCY).filter(lambda v: v is not None).map(lambda v: ("gross_income", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
    )
)
def test_close_day_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    ledger, fund = make_fund()
    args: dict[str, Any] = {"day": date(2024, 3, 5), "gross_income": CNY("1.00"), "at": shanghai(2024, 3, 5, 18)}
    args[field] = value
    refused(
        lambda: fund.close_day(args["day"], gross_income=args["gross_income"], at=args["at"]),
        fields=(field, "income", "CNY") if field == "gross_income" else field,
        state=lambda: fund_state(ledger, fund),
    )


# -- Zhaocaibao -----------------------------------------------------------------------------------


def terms(**changes: Any) -> ProductTerms:
    values: dict[str, Any] = {
        "product_id": "P1",
        "issuer": "bank",
        "guarantor": "insurer",
        "kind": ProductKind.BANK,
        "amount": CNY("10000.00"),
        "term_days": 90,
        "annual_yield": Rate.percent("4.5"),
        "sale_start": shanghai(2024, 3, 1),
        "sale_end": shanghai(2024, 3, 8),
    }
    values.update(changes)
    return ProductTerms(**values)


def make_platform() -> tuple[Ledger, Zhaocaibao]:
    ledger = make_ledger("alice", "bob", "bank", "insurer")
    platform = Zhaocaibao(ledger)
    platform.list_product(terms(), at=shanghai(2024, 3, 1))
    platform.subscribe("sub:1", "P1", "alice", CNY("10000.00"), at=shanghai(2024, 3, 2))
    return ledger, platform


def platform_state(ledger: Ledger, platform: Zhaocaibao) -> tuple[object, ...]:
    products = tuple((p.product_id, p.status, p.sold, p.holding_ids, p.history) for p in platform.products())
    holdings = tuple((h.holding_id, h.status, h.principal, h.transfers) for h in platform.holdings())
    reservations = tuple((r.reservation_id, r.status, r.fills, r.hold_id) for r in platform.reservations())
    return ledger_state(ledger), products, holdings, reservations


@settings(max_examples=50)
@given(
    st.one_of(
        st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money()).map(lambda v: ("amount", v)),
        BAD_TEXT.map(lambda v: ("product_id", v)),
        BAD_TEXT.map(lambda v: ("issuer", v)),
        bad_enum(ProductKind).map(lambda v: ("kind", v)),
        BAD_INTS.map(lambda v: ("term_days", v)),
        st.sampled_from([0, -1]).map(lambda v: ("term_days", v)),  # 10**9 days: see the report
        st.one_of(ALWAYS_BAD_AMOUNTS, st.sampled_from(["0.045", Rate.percent("4") and "-0.01"])).map(
            lambda v: ("annual_yield", v)
        ),
        BAD_DATETIMES.map(lambda v: ("sale_start", v)),
        BAD_DATETIMES.map(lambda v: ("sale_end", v)),
        st.just(("sale_end", shanghai(2024, 2, 1))),
    )
)
def test_product_terms_refuse_bad_values(pair: tuple[str, Any]) -> None:
    field, value = pair
    refused(lambda: terms(**{field: value}), fields=field, state=lambda: ())


@settings(max_examples=20)
@given(FAR_FUTURE)
def test_listing_at_the_edge_of_time_is_typed_or_ok(at: datetime) -> None:
    ledger, platform = make_platform()
    state = lambda: platform_state(ledger, platform)  # noqa: E731
    typed_or_ok(
        lambda: platform.list_product(terms(product_id="P2", sale_start=at, sale_end=at), at=at),
        fields=("sale", "at", "term"),
        state=state,
    )
    typed_or_ok(lambda: platform.settle_due(at), fields="at", state=state)


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY, negative_money(), st.just(CNY("1" + "0" * 30))))
def test_subscribe_reserve_and_liquidate_refuse_bad_amounts(amount: Any) -> None:
    ledger, platform = make_platform()
    platform.list_product(terms(product_id="P2"), at=shanghai(2024, 3, 1))
    state = lambda: platform_state(ledger, platform)  # noqa: E731
    fields = (*AMOUNT, "principal", "wallet", "available", "product")
    refused(lambda: platform.subscribe("s", "P2", "bob", amount, at=shanghai(2024, 3, 2)), fields=fields, state=state)
    criteria = ReservationCriteria(min_yield=Rate.percent("4"), max_term_days=365)
    refused(lambda: platform.reserve("r", "bob", amount, criteria, at=shanghai(2024, 3, 2)), fields=fields, state=state)
    holding = platform.holdings("alice")[0].holding_id
    if amount is not None:
        refused(
            lambda: platform.liquidate("l", holding, at=shanghai(2024, 4, 1), principal=amount),
            fields=fields,
            state=state,
        )
        refused(
            lambda: platform.borrow_against("b", holding, at=shanghai(2024, 4, 1), principal=amount),
            fields=fields,
            state=state,
        )


@settings(max_examples=50)
@given(
    st.one_of(
        BAD_TEXT.map(lambda v: ("key", v)),
        BAD_TEXT.map(lambda v: ("investor", v)),
        ODD_TEXT.map(lambda v: ("investor", v)),
        BAD_TEXT.map(lambda v: ("product_id", v)),
        ODD_TEXT.map(lambda v: ("product_id", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
    )
)
def test_subscribe_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    ledger, platform = make_platform()
    platform.list_product(terms(product_id="P2"), at=shanghai(2024, 3, 1))
    args: dict[str, Any] = {"key": "s", "product_id": "P2", "investor": "bob", "at": shanghai(2024, 3, 2)}
    args[field] = value
    check = typed_or_ok if field in {"key", "investor"} and isinstance(value, str) and value.strip() else refused
    check(
        lambda: platform.subscribe(args["key"], args["product_id"], args["investor"], CNY("100"), at=args["at"]),
        fields=(field, "product", "wallet", "account"),
        state=lambda: platform_state(ledger, platform),
    )


@settings(max_examples=40)
@given(
    st.one_of(
        st.one_of(ALWAYS_BAD_AMOUNTS, st.sampled_from([CNY("1"), "0.04", Rate("100")])).map(
            lambda v: ("annual_yield", v)
        ),
        st.one_of(BAD_TEXT, ODD_TEXT).map(lambda v: ("holding_id", v)),
        BAD_DATETIMES.map(lambda v: ("at", v)),
    )
)
def test_liquidate_refuses_bad_arguments(pair: tuple[str, Any]) -> None:
    field, value = pair
    if value is None and field == "annual_yield":
        return  # None: the product's own yield, documented
    ledger, platform = make_platform()
    holding = platform.holdings("alice")[0].holding_id
    args: dict[str, Any] = {"holding_id": holding, "at": shanghai(2024, 4, 1), "annual_yield": None}
    args[field] = value
    for offer in (platform.liquidate, platform.borrow_against):
        refused(
            lambda: offer("l", args["holding_id"], at=args["at"], annual_yield=args["annual_yield"]),  # noqa: B023
            fields=(field, "holding", "yield"),
            state=lambda: platform_state(ledger, platform),
        )


@settings(max_examples=30)
@given(
    st.one_of(
        st.one_of(ALWAYS_BAD_AMOUNTS, st.just(CNY("1"))).map(lambda v: ("min_yield", v)),
        st.one_of(BAD_INTS, st.sampled_from([0, -5])).map(lambda v: ("max_term_days", v)),
        st.sampled_from([{"BANK"}, frozenset({1}), "BANK", 5]).map(lambda v: ("kinds", v)),
    )
)
def test_reservation_criteria_refuse_bad_values(pair: tuple[str, Any]) -> None:
    field, value = pair
    args: dict[str, Any] = {"min_yield": Rate.percent("4"), "max_term_days": 365}
    args[field] = value
    refused(lambda: ReservationCriteria(**args), fields=field, state=lambda: ())


@settings(max_examples=40)
@given(st.one_of(NOT_MONEY, negative_money(allow_zero=False)))
def test_transfer_fee_refuses_bad_principals(principal: Any) -> None:
    refused(lambda: transfer_fee(principal), fields=("principal", "CNY"), state=lambda: ())


@settings(max_examples=20)
@given(WRONG_CURRENCY.filter(lambda m: m.is_positive()))
def test_transfer_fee_prices_other_currencies_in_their_own_currency(principal: Any) -> None:
    # the fee calculator is a currency-neutral rate table (cfg); the platform itself only books CNY
    assert transfer_fee(principal).currency == principal.currency


# -- the portfolio's income and the redemption fee split -------------------------------------------


@settings(max_examples=50)
@given(st.one_of(NOT_MONEY, negative_money(allow_zero=False)), st.one_of(BAD_DATES, st.just(date(1990, 1, 1))))
def test_portfolio_income_refuses_bad_assets_and_days(assets: Any, day: Any) -> None:
    from antfin.wealth import PortfolioIncome

    model = PortfolioIncome()
    refused(lambda: model.gross_income(assets, date(2024, 1, 2)), fields=("assets", "amount"), state=lambda: ())
    refused(lambda: model.gross_income(CNY("1.00"), day), fields=("on", "day", "coverage"), state=lambda: ())


@settings(max_examples=30)
@given(st.one_of(BAD_DATES, st.just(date(2013, 5, 31))))
def test_redemption_fee_split_refuses_bad_days(day: Any) -> None:
    from antfin.wealth.fortune import DEFAULT_REDEMPTION_FEES, split_redemption_fee

    quote = DEFAULT_REDEMPTION_FEES.quote(CNY("100.00"), 30)
    refused(lambda: split_redemption_fee(quote, on=day), fields=("day", "coverage"), state=lambda: ())
