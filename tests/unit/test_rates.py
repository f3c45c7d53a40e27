"""Rates, day counts, IRR and the annualized rate (checked against numpy-financial when present)."""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY
from antfin.errors import InvalidAmountError
from antfin.rates import DayCount, Rate, annualized_rate, irr

try:
    import numpy_financial as npf
except ImportError:  # pragma: no cover - the bench/dev extra brings it
    npf = None


# -- Rate -------------------------------------------------------------------------


def test_rate_spellings_agree() -> None:
    assert Rate("0.002") == Rate.per_mille("2") == Rate.percent("0.2") == Rate(Decimal("0.002"))
    assert Rate.percent("8.8").value == Decimal("0.088")
    assert Rate.percent(5).value == Decimal("0.05")
    assert Rate("0.0005").as_percent == Decimal("0.05")
    assert str(Rate.percent("0.6")) == "0.6%"


def test_rate_percent_is_exact_for_long_values() -> None:
    digits = "1." + "3" * 40
    assert Rate.percent(digits).value == Decimal(digits).scaleb(-2, decimal.Context(prec=100))


def test_rates_order() -> None:
    assert Rate.percent("0.38") < Rate.percent("0.6") < Rate.percent("1.0")


def test_rate_of_money_names_its_rounding() -> None:
    assert Rate.percent("0.6").of(CNY("1234.56"), rounding="HALF_UP") == CNY("7.41")
    assert Rate.percent("0.6").of(CNY("1234.56"), rounding="DOWN") == CNY("7.40")
    assert Rate.per_mille("2").of(CNY("1002.50"), rounding="HALF_EVEN") == CNY("2.00")
    assert Rate.per_mille("2").of(CNY("1002.50"), rounding="HALF_UP") == CNY("2.01")


@pytest.mark.parametrize("value", [0.006, 1.0])
def test_float_rate_is_a_type_error(value: float) -> None:
    with pytest.raises(TypeError, match="rate must be str, int or Decimal, not float"):
        Rate(value)
    with pytest.raises(TypeError, match="float"):
        Rate.percent(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "message"), [("-0.01", "must not be negative"), ("NaN", "finite"), ("x", "decimal")])
def test_bad_rates_are_invalid_amounts(value: str, message: str) -> None:
    with pytest.raises(InvalidAmountError, match=message):
        Rate(value)


def test_rate_is_frozen() -> None:
    rate = Rate("0.01")
    with pytest.raises(AttributeError):
        rate.value = Decimal("0.02")  # type: ignore[misc]
    assert rate == Rate("0.01")


# -- day counts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2024, 1, 15), date(2024, 4, 15), 90),
        (date(2024, 1, 31), date(2024, 2, 29), 29),  # d1 31 -> 30; d2 29 stays
        (date(2024, 1, 31), date(2024, 3, 31), 60),  # both ends become 30
        (date(2023, 2, 28), date(2023, 3, 31), 33),  # d1 28 is not 30, so d2 stays 31
        (date(2024, 1, 30), date(2024, 3, 31), 60),  # d1 30 -> d2 31 becomes 30
        (date(2024, 1, 1), date(2025, 1, 1), 360),
        (date(2024, 1, 15), date(2024, 7, 15), 180),
        (date(2024, 3, 1), date(2024, 2, 1), -30),
    ],
)
def test_thirty_360_days(start: date, end: date, days: int) -> None:
    assert DayCount.THIRTY_360.days(start, end) == days


@pytest.mark.parametrize("convention", [DayCount.ACT_365, DayCount.ACT_360])
def test_actual_days_are_calendar_days(convention: DayCount) -> None:
    assert convention.days(date(2024, 2, 1), date(2024, 3, 1)) == 29
    assert convention.days(date(2023, 2, 1), date(2023, 3, 1)) == 28


def test_year_fractions_are_exact() -> None:
    assert DayCount.ACT_365.year_fraction(date(2024, 1, 1), date(2024, 3, 14)) == Decimal("0.2")
    assert DayCount.ACT_360.year_fraction(date(2024, 1, 1), date(2024, 1, 19)) == Decimal("0.05")
    assert DayCount.THIRTY_360.year_fraction(date(2024, 1, 15), date(2024, 7, 15)) == Decimal("0.5")
    assert DayCount.ACT_365.year_days == 365
    assert DayCount.THIRTY_360.year_days == 360


def test_daily_rate() -> None:
    assert DayCount.ACT_360.daily_rate(Rate("0.162")) == Decimal("0.00045")
    assert DayCount.ACT_365.daily_rate(Rate("0.1825")) == Decimal("0.0005")


# -- IRR --------------------------------------------------------------------------

# Values from numpy-financial's documentation and standard annuity tables.
KNOWN_IRR = [
    (["-100", "39", "59", "55", "20"], Decimal("0.28095")),
    (["-100", "0", "0", "74"], Decimal("-0.09550")),
    (["-100", "100", "0", "7"], Decimal("0.06206")),
    (["-100", "110"], Decimal("0.10000")),
    # 1,000 repaid in 12 monthly payments of 88.85: 1% a month (annuity table factor 11.2551).
    (["-1000"] + ["88.85"] * 12, Decimal("0.01000")),
    # 10,000 over 36 months at 0.5%: payment 304.22.
    (["-10000"] + ["304.22"] * 36, Decimal("0.00500")),
]


@pytest.mark.parametrize(("flows", "expected"), KNOWN_IRR)
def test_irr_matches_known_values(flows: list[str], expected: Decimal) -> None:
    assert irr(flows, places=5) == expected


@pytest.mark.skipif(npf is None, reason="numpy-financial is not installed")
@pytest.mark.parametrize(("flows", "expected"), KNOWN_IRR)
def test_irr_matches_numpy_financial(flows: list[str], expected: Decimal) -> None:
    assert npf is not None
    reference = Decimal(repr(float(npf.irr([float(flow) for flow in flows]))))
    assert abs(irr(flows, places=12) - reference) < Decimal("1e-9")
    assert abs(reference - expected) < Decimal("0.000006")


@given(
    st.integers(min_value=100, max_value=1_000_000),
    st.integers(min_value=2, max_value=36),
    st.integers(min_value=1, max_value=300),
)
def test_irr_recovers_the_rate_of_an_annuity(principal: int, periods: int, basis_points: int) -> None:
    rate = Decimal(basis_points) / 10_000
    with decimal.localcontext(decimal.Context(prec=50)):
        payment = Decimal(principal) * rate / (1 - (1 + rate) ** -periods)
    flows = [Decimal(-principal)] + [payment] * periods
    assert abs(irr(flows, places=10) - rate) <= Decimal("1e-10")
    if npf is not None:
        reference = npf.irr([float(flow) for flow in flows])
        assert abs(float(irr(flows)) - reference) < 1e-8


def test_irr_takes_money_and_is_sign_symmetric() -> None:
    assert irr([CNY("-100"), CNY("110")]) == Decimal("0.100000000000")
    assert irr([CNY("100"), CNY("-110")]) == Decimal("0.100000000000")


def test_irr_does_not_depend_on_the_callers_decimal_context() -> None:
    flows = ["-5000"] + ["453.33"] * 12
    expected = irr(flows)
    with decimal.localcontext(decimal.Context(prec=4)):
        assert irr(flows) == expected


@pytest.mark.parametrize("flows", [["100", "10"], ["-100", "-10"], ["0", "0"], []])
def test_irr_needs_inflows_and_outflows(flows: list[str]) -> None:
    with pytest.raises(InvalidAmountError, match="both inflows and outflows"):
        irr(flows)


def test_irr_refuses_floats() -> None:
    with pytest.raises(TypeError, match="cash flow must be str, int or Decimal, not float"):
        irr([-100.0, 110.0])  # type: ignore[list-item]


def test_annualized_rate_is_periodic_irr_times_periods() -> None:
    flows = ["5000"] + ["-453.33"] * 11 + ["-453.37"]
    assert annualized_rate(flows, 12, places=4) == Decimal("0.1586")
    periodic = irr(flows, places=12)
    assert annualized_rate(flows, 12, places=6) == (periodic * 12).quantize(Decimal("0.000001"))


@pytest.mark.skipif(npf is None, reason="numpy-financial is not installed")
def test_annualized_rate_matches_numpy_financial() -> None:
    assert npf is not None
    flows = ["5000"] + ["-453.33"] * 11 + ["-453.37"]
    reference = npf.irr([float(flow) for flow in flows]) * 12
    assert abs(float(annualized_rate(flows, 12, places=8)) - reference) < 1e-7


@pytest.mark.parametrize("periods", [0, -12, True])
def test_annualized_rate_needs_positive_int_periods(periods: int) -> None:
    with pytest.raises(InvalidAmountError, match="periods_per_year must be a positive int"):
        annualized_rate(["-100", "110"], periods)
