"""Hostile input to Money, Currency, Rate, DayCount and the calendar helpers."""

from __future__ import annotations

from typing import Any

from hostile_values import (
    ALWAYS_BAD_AMOUNTS,
    BAD_DATES,
    BAD_DATETIMES,
    BAD_INTS,
    NOT_MONEY,
    OVER_PRECISE,
    WRONG_CURRENCY,
    bad_enum,
    refused,
    typed_or_ok,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin.calendar import add_months, ensure_aware, ensure_date, local_date, start_of_day
from antfin.money import CNY, Currency, Money, Rounding, parse_money
from antfin.rates import DayCount, Rate

NOTHING = tuple[()]


def _none() -> NOTHING:
    return ()


@settings(max_examples=50)
@given(ALWAYS_BAD_AMOUNTS)
def test_money_refuses_bad_amounts(value: Any) -> None:
    refused(lambda: Money(value, "CNY"), fields="amount", state=_none)
    refused(lambda: CNY(value), fields="amount", state=_none)


@settings(max_examples=25)
@given(OVER_PRECISE)
def test_money_refuses_over_precise_amounts_without_a_rounding(value: Any) -> None:
    refused(lambda: CNY(value), fields="amount", state=_none)


@settings(max_examples=25)
@given(st.one_of(st.text(max_size=5), st.sampled_from([None, 1, 1.5, b"CNY", "cny", "CN", "CNYY", "XXX", "¥"])))
def test_money_and_currency_refuse_bad_currencies(code: Any) -> None:
    if isinstance(code, str) and code in {"CNY", "USD", "EUR", "JPY", "HKD", "GBP"}:
        return
    typed_or_ok(lambda: Currency.of(code), fields="currency", state=_none)
    typed_or_ok(lambda: Money("1", code), fields="currency", state=_none)


@settings(max_examples=25)
@given(st.one_of(ALWAYS_BAD_AMOUNTS, OVER_PRECISE))
def test_from_minor_units_refuses_anything_but_an_int(value: Any) -> None:
    refused(lambda: Money.from_minor_units(value, "CNY"), fields="minor_units", state=_none)


@settings(max_examples=50)
@given(st.one_of(ALWAYS_BAD_AMOUNTS, st.sampled_from([CNY("1")])))
def test_multiply_and_divide_refuse_bad_factors(value: Any) -> None:
    money = CNY("10.00")
    refused(lambda: money.multiply(value, Rounding.HALF_UP), fields=("factor", "multiply", "amount"), state=_none)
    refused(lambda: money.divide(value, Rounding.HALF_UP), fields=("divisor", "divide", "amount"), state=_none)


@settings(max_examples=25)
@given(bad_enum(Rounding))
def test_rounding_modes_are_checked(mode: Any) -> None:
    if mode is None:
        return  # None means "no rounding", documented
    # a mode is checked when the result needs rounding; an exact result never looks at it (see the report)
    refused(lambda: CNY("10.00").multiply("0.3333", mode), fields="rounding", state=_none)


@settings(max_examples=25)
@given(st.one_of(ALWAYS_BAD_AMOUNTS, st.sampled_from([[], [0, 0], [-1, 2], [1.5, 1]])))
def test_allocate_and_split_refuse_bad_ratios(value: Any) -> None:
    money = CNY("10.00")
    ratios = value if isinstance(value, list) else [value, 1]
    refused(lambda: money.allocate(ratios), fields=("ratio", "ratios"), state=_none)
    if not isinstance(value, list):
        refused(lambda: money.split(value), fields="parts", state=_none)


@settings(max_examples=25)
@given(WRONG_CURRENCY)
def test_arithmetic_refuses_mixed_currencies(other: Money) -> None:
    refused(lambda: CNY("1") + other, fields=other.currency.code, state=_none)
    refused(lambda: CNY("1") < other, fields=other.currency.code, state=_none)


@settings(max_examples=25)
@given(
    st.one_of(
        st.sampled_from(["", " ", "NaN", "Infinity", "1e4000", "¥1.001", "1,0,0", "\x00"]),
        BAD_INTS.filter(lambda v: v != "3"),
    )
)
def test_parse_money_refuses_bad_text(text: Any) -> None:
    refused(lambda: parse_money(text), fields=("text", "amount", "number"), state=_none)


@settings(max_examples=50)
@given(st.one_of(ALWAYS_BAD_AMOUNTS, st.sampled_from([CNY("1")])))
def test_rate_constructors_refuse_bad_values(value: Any) -> None:
    refused(lambda: Rate(value), fields=("rate", "value"), state=_none)
    refused(lambda: Rate.percent(value), fields=("rate", "value", "percent"), state=_none)
    refused(lambda: Rate.per_mille(value), fields=("rate", "value", "per_mille", "mille"), state=_none)


@settings(max_examples=25)
@given(st.one_of(NOT_MONEY, WRONG_CURRENCY))
def test_rate_of_refuses_anything_but_money(value: Any) -> None:
    if isinstance(value, Money):
        typed_or_ok(lambda: Rate.percent("1").of(value, Rounding.HALF_UP), fields="amount", state=_none)
        return
    refused(lambda: Rate.percent("1").of(value, Rounding.HALF_UP), fields="amount", state=_none)


@settings(max_examples=25)
@given(BAD_DATES)
def test_day_counts_and_date_helpers_refuse_non_dates(value: Any) -> None:
    from datetime import date

    for count in DayCount:
        refused(lambda: count.days(value, date(2024, 1, 1)), fields="start", state=_none)  # noqa: B023
        refused(lambda: count.days(date(2024, 1, 1), value), fields="end", state=_none)  # noqa: B023
    refused(lambda: ensure_date(value, "due"), fields="due", state=_none)
    refused(lambda: add_months(value, 1), fields=("day", "date"), state=_none)
    refused(lambda: start_of_day(value), fields=("day", "date"), state=_none)


@settings(max_examples=25)
@given(BAD_DATETIMES)
def test_datetime_helpers_refuse_non_aware_values(value: Any) -> None:
    refused(lambda: ensure_aware(value, "paid_at"), fields="paid_at", state=_none)
    refused(lambda: local_date(value), fields="at", state=_none)


@settings(max_examples=25)
@given(BAD_INTS)
def test_add_months_refuses_non_int_months(months: Any) -> None:
    from datetime import date

    refused(lambda: add_months(date(2024, 1, 31), months), fields="months", state=_none)
