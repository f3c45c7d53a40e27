"""The shared argument checks: one type error and one value error per kind of argument."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from antfin import CNY, Money
from antfin.errors import InvalidAmountError
from antfin.rates import Rate
from antfin.validators import (
    attribute,
    check_id,
    check_int,
    check_key,
    check_money,
    check_name,
    check_non_negative,
    check_positive,
    check_rate,
    check_str,
    check_text,
)


@pytest.mark.parametrize("value", ["", " ", "\t\n"])
def test_a_blank_key_is_a_value_error_and_a_non_str_a_type_error(value: str) -> None:
    with pytest.raises(InvalidAmountError, match="order_key must be a non-empty string"):
        check_key(value, "order_key")
    with pytest.raises(TypeError, match="order_key must be a str, not bytes"):
        check_key(value.encode(), "order_key")


@pytest.mark.parametrize("check", [check_key, check_str, check_text])
def test_text_no_store_can_encode_is_refused(check: Any) -> None:
    with pytest.raises(InvalidAmountError, match="memo must be valid Unicode text"):
        check("a\ud800", "memo")
    assert check("备注", "memo") == "备注"


def test_a_name_refuses_anything_but_text_as_a_value() -> None:
    for value in (None, 3, "", "  "):
        with pytest.raises(InvalidAmountError, match="holder must be a non-empty string"):
            check_name(value, "holder")
    assert check_name(" a ", "holder") == " a "


def test_money_checks_type_then_currency_then_sign() -> None:
    with pytest.raises(TypeError, match="fee must be Money, not str"):
        check_non_negative("1.00", "fee")
    with pytest.raises(InvalidAmountError, match="amount must be in CNY, got USD"):
        check_positive(Money("-1", "USD"), currency=CNY)
    with pytest.raises(InvalidAmountError, match=r"amount must be positive, got 0\.00 CNY"):
        check_positive(CNY("0"))
    with pytest.raises(InvalidAmountError, match="fee must not be negative"):
        check_non_negative(-CNY("0.01"), "fee")
    assert check_money(-CNY("1"), "delta") == -CNY("1")
    assert check_non_negative(CNY("0"), "fee", currency=CNY) == CNY("0")


def test_a_bool_is_not_an_int_and_bounds_name_themselves() -> None:
    with pytest.raises(TypeError, match="days must be an int, not bool"):
        check_int(True, "days")
    with pytest.raises(InvalidAmountError, match="days must not be negative, got -1"):
        check_int(-1, "days", at_least=0)
    with pytest.raises(InvalidAmountError, match="term must be at least 3, got 2"):
        check_int(2, "term", at_least=3)
    with pytest.raises(InvalidAmountError, match="term must be at most 36, got 37"):
        check_int(37, "term", at_most=36)
    with pytest.raises(InvalidAmountError, match="month must be within 1-12, got 0"):
        check_int(0, "month", at_least=1, at_most=12)
    assert check_int(12, "month", at_least=1, at_most=12) == 12


def test_a_rate_must_be_a_rate() -> None:
    with pytest.raises(TypeError, match="rate must be a Rate, not Decimal"):
        check_rate(Rate.percent("1").value, "rate")


def test_attribute_names_the_field_and_passes_options() -> None:
    @attrs.frozen
    class Terms:
        cap: Money = attrs.field(validator=attribute(check_positive, currency=CNY))
        months: int = attrs.field(validator=attribute(check_int, at_least=1))

    assert Terms(CNY("1"), 1).months == 1
    with pytest.raises(InvalidAmountError, match="cap must be in CNY"):
        Terms(Money("1", "USD"), 1)
    with pytest.raises(InvalidAmountError, match="months must be at least 1"):
        Terms(CNY("1"), 0)


@pytest.mark.parametrize("bad", ["", "   ", " L-1", "L-1 ", "\tL-1"])
def test_an_id_is_not_blank_and_has_no_surrounding_spaces(bad: str) -> None:
    with pytest.raises(InvalidAmountError, match="loan_id must be a non-blank id"):
        check_id(bad, "loan_id")


def test_an_id_keeps_inner_spaces_and_refuses_other_types() -> None:
    assert check_id("order 1", "key") == "order 1"
    with pytest.raises(TypeError):
        check_id(1, "key")


def test_a_channel_fee_names_its_source() -> None:
    from datetime import date

    from antfin.credit.huabei_channels import ChannelFee

    with pytest.raises(InvalidAmountError, match="source"):
        ChannelFee(date(2024, 1, 1), Rate.percent("1"), source="  ")
