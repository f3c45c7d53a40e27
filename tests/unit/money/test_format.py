"""Formatting with Babel and parsing back, in zh_CN and en_US."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY, Currency, Money, format_money
from antfin.errors import InvalidAmountError
from antfin.money import parse_money


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (CNY("1234.5"), "zh_CN", "¥1,234.50"),
        (CNY("1234.5"), "en_US", "CN¥1,234.50"),
        (-CNY("1234567.89"), "zh_CN", "-¥1,234,567.89"),
        (-CNY("3"), "en_US", "-CN¥3.00"),
        (CNY("0"), "zh_CN", "¥0.00"),
        (Money("1234", "JPY"), "en_US", "¥1,234"),
        (Money("1.234", "KWD"), "en_US", "KWD1.234"),
    ],
)
def test_format_money(money: Money, locale: str, text: str) -> None:
    assert format_money(money, locale=locale) == text
    assert parse_money(text, money.currency, locale) == money


def test_default_locale_is_zh_cn() -> None:
    assert format_money(CNY("1234.5")) == "¥1,234.50"
    assert parse_money("¥1,234.50") == CNY("1234.50")


@given(
    st.integers(min_value=-(10**14), max_value=10**14),
    st.sampled_from(["CNY", "JPY", "KWD", "USD"]),
    st.sampled_from(["zh_CN", "en_US", "de_DE"]),
)
def test_format_then_parse_round_trips(units: int, code: str, locale: str) -> None:
    money = Money.from_minor_units(units, Currency.of(code))
    assert parse_money(format_money(money, locale), code, locale) == money


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("", "zh_CN"),
        ("¥", "zh_CN"),
        ("abc", "zh_CN"),
        ("1¥2", "zh_CN"),
        ("¥¥1", "zh_CN"),
        ("--¥1", "zh_CN"),
        ("$5.00", "zh_CN"),
        ("¥1,234.50", "en_US"),  # in en_US ¥ is the yen
        ("CN¥1.234,50", "en_US"),
    ],
)
def test_parse_refuses_text_that_is_not_an_amount(text: str, locale: str) -> None:
    with pytest.raises(InvalidAmountError, match="is not a CNY amount"):
        parse_money(text, "CNY", locale)


def test_parse_refuses_excess_precision() -> None:
    with pytest.raises(InvalidAmountError, match="decimal places"):
        parse_money("¥1,234.567")


def test_unknown_locale_is_an_invalid_amount_error() -> None:
    with pytest.raises(InvalidAmountError, match="unknown locale 'xx_YY'"):
        format_money(CNY("1"), locale="xx_YY")
    with pytest.raises(InvalidAmountError, match="unknown locale"):
        parse_money("¥1", locale="not a locale")


def test_format_and_parse_type_errors() -> None:
    with pytest.raises(TypeError, match="format_money takes Money, not Decimal"):
        format_money(CNY("1").amount)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="locale must be a str"):
        format_money(CNY("1"), locale=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text must be a str"):
        parse_money(CNY("1"))  # type: ignore[arg-type]
