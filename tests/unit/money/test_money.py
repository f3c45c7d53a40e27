"""Money: construction, bad input, arithmetic laws, comparisons, hashing."""

from __future__ import annotations

import copy
import decimal
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY, Currency, Money
from antfin.errors import AntfinError, CurrencyMismatchError, InvalidAmountError
from antfin.money import Rounding, to_decimal

USD = Currency.of("USD")
JPY = Currency.of("JPY")
KWD = Currency.of("KWD")

minor_units = st.integers(min_value=-(10**15), max_value=10**15)
cny = minor_units.map(lambda units: Money.from_minor_units(units, CNY))


# -- currencies -------------------------------------------------------------------


@pytest.mark.parametrize(("code", "digits"), [("CNY", 2), ("JPY", 0), ("KWD", 3), ("USD", 2)])
def test_currency_digits_come_from_cldr(code: str, digits: int) -> None:
    assert Currency.of(code).digits == digits


def test_currency_of_is_case_insensitive_and_cached() -> None:
    assert Currency.of("cny") is CNY
    assert Currency.of(" CNY ") is CNY
    assert Currency.of(CNY) is CNY


def test_unknown_currency_code_is_refused() -> None:
    with pytest.raises(InvalidAmountError, match="unknown currency code 'XYZ'"):
        Currency.of("XYZ")


def test_currency_of_a_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="ISO code string"):
        Currency.of(156)  # type: ignore[arg-type]


@pytest.mark.parametrize(("code", "digits"), [("cny", 2), ("CN", 2), ("CNY", -1), ("CNY", True), ("CNY", 9)])
def test_currency_constructor_validates(code: str, digits: int) -> None:
    with pytest.raises(InvalidAmountError, match="currency"):
        Currency(code, digits)


def test_currency_quantum_and_zero() -> None:
    assert CNY.quantum == Decimal("0.01")
    assert JPY.quantum == Decimal("1")
    assert KWD.zero() == Money("0", "KWD")
    assert str(CNY) == "CNY"
    assert repr(JPY) == "Currency('JPY')"


# -- construction -----------------------------------------------------------------


@pytest.mark.parametrize("amount", ["12.34", Decimal("12.34"), "12.340", " 12.34 ", Decimal("1234E-2")])
def test_equal_spellings_make_equal_money(amount: str | Decimal) -> None:
    assert CNY(amount) == Money("12.34", "CNY") == Money.from_minor_units(1234, CNY)
    assert CNY(amount).minor_units == 1234


def test_int_amount_and_currency_digits() -> None:
    assert CNY(5).minor_units == 500
    assert Money(5, "JPY").minor_units == 5
    assert Money("1.234", "KWD").minor_units == 1234
    assert Money("1.234", KWD).amount == Decimal("1.234")


def test_amount_has_the_currency_digits() -> None:
    assert CNY("5").amount.as_tuple().exponent == -2
    assert str(CNY("-0.5")) == "-0.50 CNY"
    assert repr(Money("3", "JPY")) == "Money('3', 'JPY')"


def test_default_currency_is_cny() -> None:
    assert Money("1").currency is CNY


@pytest.mark.parametrize("amount", [0.1, 1.0, float("nan"), float("inf")])
def test_float_amount_is_a_type_error(amount: float) -> None:
    with pytest.raises(TypeError, match="float"):
        CNY(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [True, False, None, [1], CNY("1")])
def test_other_types_are_type_errors(amount: object) -> None:
    with pytest.raises(TypeError, match="must be str, int or Decimal"):
        CNY(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-inf", Decimal("NaN"), Decimal("-Infinity")])
def test_nan_and_infinity_are_invalid_amounts(amount: str | Decimal) -> None:
    with pytest.raises(InvalidAmountError, match="finite"):
        CNY(amount)


@pytest.mark.parametrize("amount", ["", "abc", "1,000", "1.2.3", "¥1"])
def test_unparsable_text_is_an_invalid_amount(amount: str) -> None:
    with pytest.raises(InvalidAmountError, match="decimal number"):
        CNY(amount)


@pytest.mark.parametrize(
    ("amount", "currency"), [("1.001", "CNY"), ("0.5", "JPY"), ("1.0001", "KWD"), (Decimal("0.001"), "CNY")]
)
def test_excess_precision_needs_a_rounding_mode(amount: str, currency: str) -> None:
    with pytest.raises(InvalidAmountError, match="decimal places"):
        Money(amount, currency)


def test_errors_are_antfin_errors_and_value_errors() -> None:
    with pytest.raises(ValueError, match="decimal places") as info:
        CNY("1.001")
    assert isinstance(info.value, AntfinError)


def test_out_of_range_amounts_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="out of range"):
        CNY("1E+5000")
    with pytest.raises(InvalidAmountError, match="out of range"):
        CNY("1E-5000", rounding="HALF_UP")


@pytest.mark.parametrize(
    ("amount", "mode", "expected"),
    [
        ("10.005", Rounding.HALF_UP, "10.01"),
        ("10.005", Rounding.HALF_EVEN, "10.00"),
        ("10.015", Rounding.HALF_EVEN, "10.02"),
        ("10.005", Rounding.HALF_DOWN, "10.00"),
        ("10.006", Rounding.HALF_DOWN, "10.01"),
        ("10.009", Rounding.DOWN, "10.00"),
        ("10.001", Rounding.UP, "10.01"),
        ("-10.005", Rounding.HALF_UP, "-10.01"),
        ("-10.001", Rounding.FLOOR, "-10.01"),
        ("-10.009", Rounding.CEILING, "-10.00"),
        ("10.001", Rounding.CEILING, "10.01"),
        ("10.009", Rounding.FLOOR, "10.00"),
        ("10.005", "HALF_UP", "10.01"),
        ("10.005", "ROUND_HALF_UP", "10.01"),
    ],
)
def test_named_rounding_modes(amount: str, mode: Rounding | str, expected: str) -> None:
    assert CNY(amount, rounding=mode) == CNY(expected)


def test_unknown_rounding_mode_is_refused() -> None:
    with pytest.raises(InvalidAmountError, match="unknown rounding mode 'NEAREST'"):
        CNY("1.005", rounding="NEAREST")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9))
def test_rounding_matches_decimal_quantize(value: Decimal) -> None:
    for mode in Rounding:
        expected = value.quantize(Decimal("0.01"), rounding=mode.value, context=decimal.Context(prec=50))
        assert CNY(value, rounding=mode).amount == expected


def test_rounding_is_exact_beyond_sixty_digits() -> None:
    # 0.00499...9 (70 nines) is below half a fen: HALF_UP must give 0.00, not 0.01.
    tiny = "0.00" + "4" + "9" * 70
    assert CNY(tiny, rounding="HALF_UP") == CNY("0")
    big = "1" + "0" * 70 + ".005"
    assert CNY(big, rounding="HALF_EVEN").minor_units == 10**72


def test_from_minor_units_refuses_non_ints() -> None:
    with pytest.raises(TypeError, match="minor_units must be an int"):
        Money.from_minor_units(Decimal(5))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="minor_units must be an int"):
        Money.from_minor_units(True)


def test_money_is_immutable() -> None:
    money = CNY("1")
    with pytest.raises(AttributeError):
        money.minor_units = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        money.amount = Decimal(5)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        money.currency = Currency.of("USD")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        money.note = "extra"  # type: ignore[attr-defined]
    assert money == CNY("1")


def test_results_are_new_objects() -> None:
    a, b = CNY("1"), CNY("2")
    total = a + b
    assert total is not a
    assert total is not b
    assert (a, b) == (CNY("1"), CNY("2"))


def test_pickle_and_copy_round_trip() -> None:
    money = Money("1.234", "KWD")
    assert pickle.loads(pickle.dumps(money)) == money
    assert copy.copy(money) is money
    assert copy.deepcopy(money) is money


# -- arithmetic -------------------------------------------------------------------


@given(cny, cny)
def test_add_then_subtract_is_identity(a: Money, b: Money) -> None:
    assert (a + b) - b == a


@given(cny, cny)
def test_addition_commutes_and_matches_minor_units(a: Money, b: Money) -> None:
    assert a + b == b + a
    assert (a + b).minor_units == a.minor_units + b.minor_units


@given(cny, cny, cny)
def test_addition_associates(a: Money, b: Money, c: Money) -> None:
    assert (a + b) + c == a + (b + c)


@given(cny)
def test_negation_and_abs(a: Money) -> None:
    assert -a == Money.from_minor_units(-a.minor_units, CNY)
    assert -(a * -1) == a
    assert a + (-a) == CNY.zero()
    assert abs(a) >= CNY.zero()
    assert abs(a) in (a, -a)
    assert +a == a


@given(st.lists(cny, max_size=20))
def test_sum_starts_from_zero(values: list[Money]) -> None:
    total = sum(values, CNY.zero())
    assert total.minor_units == sum(value.minor_units for value in values)
    if values:
        assert sum(values) == total


def test_zero_int_is_the_additive_identity_only() -> None:
    assert CNY("1") + 0 == CNY("1")
    assert 0 + CNY("1") == CNY("1")
    assert CNY("1") - 0 == CNY("1")
    assert 0 - CNY("1") == CNY("-1")
    with pytest.raises(TypeError):
        CNY("1") + 1
    with pytest.raises(TypeError):
        1 - CNY("1")
    with pytest.raises(TypeError):
        CNY("1") + Decimal(1)


def test_mixing_currencies_raises() -> None:
    with pytest.raises(CurrencyMismatchError, match="cannot combine CNY and USD"):
        CNY("1") + Money("1", "USD")
    with pytest.raises(CurrencyMismatchError):
        CNY("1") - Money("1", "USD")
    with pytest.raises(CurrencyMismatchError):
        _ = CNY("1") < Money("1", "USD")
    with pytest.raises(CurrencyMismatchError):
        sum([CNY("1"), Money("1", "JPY")])


def test_money_times_money_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="Money by Money"):
        CNY("2") * CNY("3")
    with pytest.raises(TypeError, match="Money by Money"):
        CNY("2").multiply(CNY("3"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Money by Money"):
        CNY("2") / CNY("3")
    with pytest.raises(TypeError, match="Money by Money"):
        CNY("2").divide(CNY("3"))  # type: ignore[arg-type]


def test_multiplying_or_dividing_by_float_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="float"):
        CNY("2") * 1.5
    with pytest.raises(TypeError, match="float"):
        1.5 * CNY("2")
    with pytest.raises(TypeError, match="float"):
        CNY("2") / 2.0
    with pytest.raises(TypeError, match="float"):
        CNY("2").multiply(0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CNY("2") * "2"
    with pytest.raises(TypeError):
        CNY("2") * True


def test_int_and_exact_decimal_factors() -> None:
    assert CNY("0.10") * 3 == CNY("0.30")
    assert 3 * CNY("0.10") == CNY("0.30")
    assert CNY("2.50") * Decimal("0.4") == CNY("1.00")
    assert CNY("10.00") / 4 == CNY("2.50")
    assert CNY("10.00") / Decimal("0.5") == CNY("20.00")


def test_multiply_needing_rounding_raises_without_a_mode() -> None:
    with pytest.raises(InvalidAmountError, match=r"1.25 CNY x 0.5 = 0.625 has more than 2 decimal places"):
        CNY("1.25").multiply("0.5")
    with pytest.raises(InvalidAmountError, match="decimal places"):
        CNY("1.25") * Decimal("0.5")
    assert CNY("1.25").multiply("0.5", rounding=Rounding.HALF_UP) == CNY("0.63")
    assert CNY("1.25").multiply("0.5", rounding=Rounding.HALF_EVEN) == CNY("0.62")


def test_divide_needing_rounding_raises_without_a_mode() -> None:
    with pytest.raises(InvalidAmountError, match=r"10.00 CNY / 3 = 3.333.*\.\.\. has more than 2"):
        CNY("10.00").divide(3)
    with pytest.raises(InvalidAmountError, match="decimal places"):
        CNY("10.00") / 3
    assert CNY("10.00").divide(3, rounding="UP") == CNY("3.34")
    assert CNY("-10.00").divide(3, rounding="FLOOR") == CNY("-3.34")
    assert CNY("10.00").divide(Decimal("-3"), rounding="DOWN") == CNY("-3.33")


def test_divide_by_zero_is_an_invalid_amount() -> None:
    with pytest.raises(InvalidAmountError, match="by zero"):
        CNY("1").divide(0)
    with pytest.raises(InvalidAmountError, match="by zero"):
        CNY("1") / Decimal("0.00")


def test_multiply_is_exact_for_long_factors() -> None:
    # 60+ significant digits: no silent context rounding.
    factor = Decimal("0." + "3" * 70)
    with pytest.raises(InvalidAmountError, match="decimal places"):
        Money.from_minor_units(10**20).multiply(factor)
    # 3E70 fen x 0.33...3 (70 threes) is exactly 10**70 - 1 fen: no rounding needed.
    assert Money.from_minor_units(3 * 10**70).multiply(factor).minor_units == 10**70 - 1


@given(cny, st.integers(min_value=-1000, max_value=1000))
def test_int_multiplication_distributes(a: Money, n: int) -> None:
    assert (a * n).minor_units == a.minor_units * n
    assert a * n == a.multiply(n)


@given(cny, st.integers(min_value=1, max_value=1000))
def test_divide_down_then_multiply_never_exceeds(a: Money, n: int) -> None:
    part = abs(a).divide(n, rounding="DOWN")
    assert part * n <= abs(a)
    assert abs(a) - part * n < Money.from_minor_units(n)


# -- comparisons and hashing ------------------------------------------------------


@given(cny, cny)
def test_ordering_matches_minor_units(a: Money, b: Money) -> None:
    assert (a < b) == (a.minor_units < b.minor_units)
    assert (a <= b) == (a.minor_units <= b.minor_units)
    assert (a > b) == (a.minor_units > b.minor_units)
    assert (a >= b) == (a.minor_units >= b.minor_units)
    assert (a == b) == (a.minor_units == b.minor_units)


@given(minor_units)
def test_equal_money_hashes_equal(units: int) -> None:
    a = Money.from_minor_units(units, CNY)
    b = CNY(Decimal(units).scaleb(-2))
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1


def test_equality_across_currencies_and_types() -> None:
    assert Money("1", "CNY") != Money("1", "USD")
    assert CNY("0") != 0
    assert CNY("1") != Decimal("1")
    assert CNY("1") != "1.00"


def test_ordering_against_non_money_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot compare Money with int"):
        _ = CNY("1") < 2
    with pytest.raises(TypeError, match="cannot compare Money with Decimal"):
        _ = CNY("1") >= Decimal(2)


def test_predicates_and_truthiness() -> None:
    assert CNY("0").is_zero()
    assert not CNY("0")
    assert CNY("0.01")
    assert CNY("0.01").is_positive()
    assert not CNY("0").is_positive()
    assert CNY("-0.01").is_negative()
    assert not CNY("0").is_negative()


# -- to_decimal -------------------------------------------------------------------


def test_to_decimal_names_the_field() -> None:
    with pytest.raises(TypeError, match=r"^rate must be str, int or Decimal, not float"):
        to_decimal(0.5, "rate")
    with pytest.raises(InvalidAmountError, match=r"^factor must be a finite number"):
        to_decimal("nan", "factor")
    assert to_decimal("1_000.5") == Decimal("1000.5")
    assert to_decimal(Decimal("-0")) == 0
