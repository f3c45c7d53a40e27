"""Amortization schedules: exactness, references, due dates and bad inputs."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import SHANGHAI
from antfin.credit.schedule import (
    Accrual,
    LoanRate,
    RepaymentMethod,
    Schedule,
    amortize,
    due_dates,
)
from antfin.errors import CurrencyMismatchError, InvalidAmountError
from antfin.money import CNY, Money, Rounding
from antfin.rates import DayCount, Rate

try:  # numpy-financial is a benchmark/test-only reference, never a runtime dependency
    import numpy_financial as npf
except ImportError:  # pragma: no cover - exercised only without the bench extra
    npf = None

ACT360 = DayCount.ACT_360


def annual(percent: str, day_count: DayCount = ACT360) -> LoanRate:
    return LoanRate.annual(Rate.percent(percent), day_count)


def assert_exact(schedule: Schedule) -> None:
    rows = schedule.instalments
    assert sum(r.principal.minor_units for r in rows) == schedule.principal.minor_units
    assert schedule.total == schedule.total_principal + schedule.total_interest + schedule.total_fee
    assert sum(r.total.minor_units for r in rows) == schedule.total.minor_units
    balance = schedule.principal
    for row in rows:
        assert not row.principal.is_negative()
        assert not row.interest.is_negative()
        assert not row.fee.is_negative()
        balance -= row.principal
        assert row.balance == balance
        assert not row.balance.is_negative()
    assert rows[-1].balance.is_zero()
    dues = [r.due for r in rows]
    assert dues == sorted(set(dues))
    assert rows[0].start == schedule.disbursed_on
    assert all(later.start == earlier.due for earlier, later in itertools.pairwise(rows))


# -- references -----------------------------------------------------------------


def _pmt_fen(monthly: str, periods: int, principal: str, fallback: str) -> Money:
    if npf is None:
        return CNY(fallback)
    value = npf.pmt(float(monthly), periods, -float(principal))
    return CNY(Decimal(str(value)), rounding=Rounding.HALF_UP)


@pytest.mark.parametrize(
    ("principal", "percent", "term", "table_value"),
    [
        ("1000000", "4.9", 360, "5307.27"),  # the textbook Chinese mortgage table: 100万, 30 years, 4.9%
        ("10000", "12", 12, "888.49"),
        ("5000", "18", 6, "877.63"),
        ("300000", "3.85", 240, "1794.32"),
        ("123456.78", "7.2", 36, "3823.29"),
    ],
)
def test_equal_instalment_agrees_with_numpy_financial_pmt(
    principal: str, percent: str, term: int, table_value: str
) -> None:
    rate = annual(percent)
    schedule = amortize(CNY(principal), rate, term, disbursed_on=date(2024, 1, 15))
    monthly = str(Decimal(percent) / 100 / 12)
    expected = _pmt_fen(monthly, term, principal, table_value)
    assert expected == CNY(table_value)
    assert {row.total for row in schedule.instalments[:-1]} == {expected}
    assert_exact(schedule)


def test_equal_principal_mortgage_table() -> None:
    schedule = amortize(
        CNY("1000000"), annual("4.9"), 360, disbursed_on=date(2024, 1, 15), method=RepaymentMethod.EQUAL_PRINCIPAL
    )
    first, second = schedule.instalments[:2]
    assert (first.principal, first.interest, first.total) == (CNY("2777.78"), CNY("4083.33"), CNY("6861.11"))
    assert second.total == CNY("6849.77")
    assert schedule.instalments[-1].principal == CNY("1000000") - CNY("2777.78") * 359
    assert_exact(schedule)


def test_interest_first_pays_principal_at_maturity() -> None:
    schedule = amortize(
        CNY("12000"), annual("12"), 6, disbursed_on=date(2024, 1, 1), method=RepaymentMethod.INTEREST_FIRST
    )
    assert [r.interest for r in schedule.instalments] == [CNY("120")] * 6
    assert [r.principal for r in schedule.instalments] == [CNY("0")] * 5 + [CNY("12000")]
    assert schedule.total_interest == CNY("720")


def test_daily_interest_uses_actual_days_in_a_leap_february() -> None:
    rate = LoanRate.daily(Rate.percent("0.05"), ACT360)
    bullet = amortize(CNY("10000"), rate, 1, disbursed_on=date(2024, 2, 1), method=RepaymentMethod.DAILY_INTEREST)
    assert bullet.instalments[0].due == date(2024, 3, 1)
    assert bullet.instalments[0].interest == CNY("145.00")  # 29 days x 5.00
    non_leap = amortize(CNY("10000"), rate, 1, disbursed_on=date(2023, 2, 1), method=RepaymentMethod.DAILY_INTEREST)
    assert non_leap.instalments[0].interest == CNY("140.00")  # 28 days
    assert bullet.term == 1


def test_daily_accrual_with_each_day_count() -> None:
    for day_count, feb_interest in [
        (DayCount.ACT_365, CNY("14.30")),  # 1,000 x 18% x 29/365 = 14.30
        (DayCount.ACT_360, CNY("14.50")),  # x 29/360
        (DayCount.THIRTY_360, CNY("15.00")),  # x 30/360
    ]:
        rate = LoanRate.annual(Rate.percent("18"), day_count)
        schedule = amortize(
            CNY("1000"),
            rate,
            2,
            disbursed_on=date(2024, 2, 1),
            method=RepaymentMethod.INTEREST_FIRST,
            accrual=Accrual.DAILY,
        )
        assert schedule.instalments[0].interest == feb_interest, day_count


def test_fee_is_spread_with_residue_last() -> None:
    schedule = amortize(CNY("5000"), annual("0"), 12, disbursed_on=date(2024, 1, 1), fee=CNY("440"))
    assert [r.fee for r in schedule.instalments] == [CNY("36.66")] * 11 + [CNY("36.74")]
    assert schedule.total == CNY("5440.00")
    assert schedule.instalments[0].total == CNY("453.33")


def test_rounding_mode_is_honoured() -> None:
    up = amortize(CNY("100"), annual("10"), 3, disbursed_on=date(2024, 1, 1), rounding=Rounding.UP)
    down = amortize(CNY("100"), annual("10"), 3, disbursed_on=date(2024, 1, 1), rounding="DOWN")
    assert up.instalments[0].interest == CNY("0.84")
    assert down.instalments[0].interest == CNY("0.83")
    assert up.rounding is Rounding.UP


def test_format_renders_every_row() -> None:
    text = amortize(CNY("1000"), annual("12"), 3, disbursed_on=date(2024, 1, 1)).format()
    assert len(text.splitlines()) == 4
    assert "2024-04-01" in text


# -- due dates --------------------------------------------------------------------


def test_due_dates_clamp_the_31st_to_month_end() -> None:
    assert due_dates(date(2023, 12, 31), 6) == (
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 30),
    )
    assert due_dates(date(2023, 1, 30), 1) == (date(2023, 2, 28),)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=60),
    st.one_of(st.none(), st.integers(min_value=1, max_value=31)),
)
def test_due_dates_property(start: date, term: int, repayment_day: int | None) -> None:
    dues = due_dates(start, term, repayment_day)
    wanted = start.day if repayment_day is None else repayment_day
    assert len(dues) == term
    for k, due in enumerate(dues, start=1):
        months = start.year * 12 + start.month - 1 + k
        assert (due.year, due.month) == (months // 12, months % 12 + 1)
        assert due.day == min(wanted, calendar.monthrange(due.year, due.month)[1])
    assert dues[0] > start


def test_repayment_day_shapes_the_first_period() -> None:
    schedule = amortize(
        CNY("1000"), annual("18"), 2, disbursed_on=date(2024, 1, 20), repayment_day=5, accrual=Accrual.DAILY
    )
    first = schedule.instalments[0]
    assert (first.start, first.due) == (date(2024, 1, 20), date(2024, 2, 5))
    assert first.interest == CNY("8.00")  # 1000 x 18% x 16/360


# -- properties -----------------------------------------------------------------------

methods = st.sampled_from(list(RepaymentMethod))
accruals = st.sampled_from(list(Accrual))
day_counts = st.sampled_from(list(DayCount))


@given(
    principal=st.integers(min_value=1, max_value=10**11),
    rate_bp=st.integers(min_value=0, max_value=3600),
    term=st.integers(min_value=1, max_value=120),
    method=methods,
    accrual=accruals,
    day_count=day_counts,
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    repayment_day=st.one_of(st.none(), st.integers(min_value=1, max_value=31)),
    fee=st.integers(min_value=0, max_value=10**6),
)
def test_every_schedule_is_exact_and_never_negative(
    principal: int,
    rate_bp: int,
    term: int,
    method: RepaymentMethod,
    accrual: Accrual,
    day_count: DayCount,
    start: date,
    repayment_day: int | None,
    fee: int,
) -> None:
    rate = LoanRate.annual(Rate(Decimal(rate_bp).scaleb(-4)), day_count)
    schedule = amortize(
        Money.from_minor_units(principal),
        rate,
        term,
        disbursed_on=start,
        method=method,
        accrual=accrual,
        repayment_day=repayment_day,
        fee=Money.from_minor_units(fee),
    )
    assert_exact(schedule)
    assert schedule.total_fee == Money.from_minor_units(fee)
    assert schedule.term == (1 if method is RepaymentMethod.DAILY_INTEREST else term)


@given(
    principal=st.integers(min_value=100_000, max_value=10**10),
    rate_bp=st.integers(min_value=1, max_value=3600),
    term=st.integers(min_value=2, max_value=60),
)
def test_equal_instalments_are_level_and_match_the_annuity(principal: int, rate_bp: int, term: int) -> None:
    rate = LoanRate.annual(Rate(Decimal(rate_bp).scaleb(-4)), ACT360)
    schedule = amortize(Money.from_minor_units(principal), rate, term, disbursed_on=date(2024, 1, 31))
    level = {row.total for row in schedule.instalments[:-1]}
    assert len(level) == 1
    r = Decimal(rate_bp).scaleb(-4) / 12
    growth = (1 + r) ** term
    annuity = (Decimal(principal) * r * growth / (growth - 1)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert level == {Money.from_minor_units(int(annuity))}
    # the residue in the last instalment is small: each period's rounding (under a fen), compounded
    assert abs(schedule.instalments[-1].total.minor_units - int(annuity)) <= term * growth


@given(
    principal=st.integers(min_value=1, max_value=10**10),
    term=st.integers(min_value=2, max_value=60),
)
def test_equal_principal_is_level_except_the_last(principal: int, term: int) -> None:
    schedule = amortize(
        Money.from_minor_units(principal),
        annual("6"),
        term,
        disbursed_on=date(2024, 1, 1),
        method=RepaymentMethod.EQUAL_PRINCIPAL,
    )
    share = int((Decimal(principal) / term).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if share * (term - 1) <= principal:
        assert {r.principal.minor_units for r in schedule.instalments[:-1]} == {share}
    assert_exact(schedule)


# -- bad inputs ---------------------------------------------------------------------------


def test_bad_inputs_raise_typed_errors() -> None:
    rate = annual("12")
    start = date(2024, 1, 1)
    with pytest.raises(InvalidAmountError, match="rate must not be negative"):
        LoanRate.annual(Rate("-0.01"), ACT360)
    with pytest.raises(TypeError, match="float"):
        LoanRate.annual(Rate(0.12), ACT360)
    with pytest.raises(TypeError, match="rate must be a Rate, not float"):
        LoanRate.annual(0.12, ACT360)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="day_count must be a DayCount"):
        LoanRate.annual(Rate("0.1"), 360)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="term must be within 1-600, got 0"):
        amortize(CNY("100"), rate, 0, disbursed_on=start)
    with pytest.raises(InvalidAmountError, match="term must be within 1-600, got 601"):
        amortize(CNY("100"), rate, 601, disbursed_on=start)
    with pytest.raises(TypeError, match="term must be an int"):
        amortize(CNY("100"), rate, 12.0, disbursed_on=start)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="principal must be positive"):
        amortize(CNY("0"), rate, 12, disbursed_on=start)
    with pytest.raises(TypeError, match="principal must be Money"):
        amortize(Decimal(100), rate, 12, disbursed_on=start)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rate must be a LoanRate"):
        amortize(CNY("100"), Rate("0.1"), 12, disbursed_on=start)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="disbursed_on must be a date"):
        amortize(CNY("100"), rate, 12, disbursed_on=datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="disbursed_on must be a date"):
        amortize(CNY("100"), rate, 12, disbursed_on=datetime(2024, 1, 1, tzinfo=SHANGHAI))
    with pytest.raises(InvalidAmountError, match="repayment_day must be within 1-31, got 32"):
        amortize(CNY("100"), rate, 12, disbursed_on=start, repayment_day=32)
    with pytest.raises(InvalidAmountError, match="fee must not be negative"):
        amortize(CNY("100"), rate, 12, disbursed_on=start, fee=-CNY("1"))
    with pytest.raises(CurrencyMismatchError):
        amortize(CNY("100"), rate, 12, disbursed_on=start, fee=Money("1", "USD"))
    with pytest.raises(TypeError, match="method must be a RepaymentMethod"):
        amortize(CNY("100"), rate, 12, disbursed_on=start, method="等额本息")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="unknown rounding mode"):
        amortize(CNY("100"), rate, 12, disbursed_on=start, rounding="NEAREST")
    with pytest.raises(InvalidAmountError, match="days must not be negative"):
        rate.interest_for_days(CNY("100"), -1, Rounding.HALF_UP)


@given(
    num=st.integers(min_value=0, max_value=10**20),
    den=st.integers(min_value=1, max_value=10**12),
    mode=st.sampled_from(list(Rounding)),
)
def test_integer_rounding_matches_decimal_quantize(num: int, den: int, mode: Rounding) -> None:
    from decimal import localcontext

    from antfin.credit.schedule import _round_div

    with localcontext() as ctx:
        ctx.prec = 80
        expected = (Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding=mode.value)
    assert _round_div(num, den, mode.value) == int(expected)
