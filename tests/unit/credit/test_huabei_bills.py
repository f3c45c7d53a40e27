"""Huabei bill rules: cycles, due dates, interest-free periods, minimum repayment, revolving and overdue interest."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.credit.huabei_bills import (
    Bill,
    BillCharges,
    BillingCycle,
    BillLine,
    DueDateAdjustment,
    LineKind,
    RepaymentTerms,
    bill_charges,
)
from antfin.errors import InvalidAmountError, InvalidTimeError, PolicyViolationError
from antfin.money import CNY, Money, Rounding
from antfin.rates import Rate

CYCLE = BillingCycle(due_day=10)


def test_purchase_on_the_bill_day_enters_that_days_bill() -> None:
    assert CYCLE.statement_date(date(2024, 3, 1)) == date(2024, 3, 1)
    assert CYCLE.interest_free_days(date(2024, 3, 1)) == 10  # 1..10 March


def test_purchase_on_the_day_after_the_bill_day_gets_the_longest_period() -> None:
    assert CYCLE.statement_date(date(2024, 3, 2)) == date(2024, 4, 1)
    assert CYCLE.interest_free_days(date(2024, 3, 2)) == 40  # 2 March .. 10 April
    days = [CYCLE.interest_free_days(date(2024, 3, 1) + timedelta(days=n)) for n in range(31)]
    assert max(days) == days[1]
    # after the day after the bill day, each later purchase waits one day less
    assert all(earlier - later == 1 for earlier, later in itertools.pairwise(days[1:]))


def test_bill_day_excluded_from_cycle_moves_it_to_the_next_bill() -> None:
    cycle = BillingCycle(due_day=10, bill_day_in_cycle=False)
    assert cycle.statement_date(date(2024, 3, 1)) == date(2024, 4, 1)
    assert cycle.interest_free_days(date(2024, 3, 1)) == 41
    assert cycle.cycle(date(2024, 4, 1)) == (date(2024, 3, 1), date(2024, 3, 31))


def test_month_ends_and_february() -> None:
    assert CYCLE.statement_date(date(2024, 1, 31)) == date(2024, 2, 1)
    assert CYCLE.statement_date(date(2024, 2, 29)) == date(2024, 3, 1)
    assert CYCLE.statement_date(date(2024, 12, 31)) == date(2025, 1, 1)
    assert CYCLE.cycle(date(2024, 3, 1)) == (date(2024, 2, 2), date(2024, 3, 1))
    assert CYCLE.cycle(date(2023, 3, 1)) == (date(2023, 2, 2), date(2023, 3, 1))
    # February's short month shortens the longest interest-free period (2 Feb .. 10 Mar)
    assert CYCLE.interest_free_days(date(2024, 2, 2)) == 38
    assert CYCLE.interest_free_days(date(2023, 2, 2)) == 37
    assert CYCLE.interest_free_days(date(2024, 1, 2)) == 40


def test_a_bill_day_other_than_the_first_and_a_due_day_in_the_next_month() -> None:
    cycle = BillingCycle(due_day=5, bill_day=20, allowed_due_days=(5,))
    assert cycle.due_date(date(2024, 1, 20)) == date(2024, 2, 5)
    assert cycle.statement_date(date(2024, 1, 21)) == date(2024, 2, 20)
    assert cycle.interest_free_days(date(2024, 1, 21)) == 45  # 21 Jan .. 5 Mar: 11 + 29 + 5 days


def test_weekend_due_date_does_not_move_by_default() -> None:
    # 1 June 2024 is a Saturday, so the 8th is a Saturday and the 9th a Sunday.
    assert BillingCycle(due_day=8).due_date(date(2024, 6, 1)) == date(2024, 6, 8)
    assert BillingCycle(due_day=9).due_date(date(2024, 6, 1)) == date(2024, 6, 9)


def test_weekend_due_date_moves_when_configured() -> None:
    moving = BillingCycle(due_day=8, weekend=DueDateAdjustment.NEXT_WEEKDAY)
    assert moving.due_date(date(2024, 6, 1)) == date(2024, 6, 10)
    assert moving.due_date(date(2024, 5, 1)) == date(2024, 5, 8)  # a Wednesday stays
    assert moving.interest_free_days(date(2024, 5, 2)) == 40  # 2 May .. 10 June


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), due=st.sampled_from([8, 9, 10]))
def test_every_day_belongs_to_exactly_one_cycle(day: date, due: int) -> None:
    cycle = BillingCycle(due_day=due)
    statement = cycle.statement_date(day)
    start, end = cycle.cycle(statement)
    assert start <= day <= end
    assert cycle.next_statement_date(cycle.previous_statement_date(statement)) == statement
    assert 1 <= cycle.interest_free_days(day) <= 41


def test_cycle_configuration_is_validated() -> None:
    with pytest.raises(PolicyViolationError, match="due_day: 12 is not offered; expected one of 8, 9, 10"):
        BillingCycle(due_day=12)
    with pytest.raises(InvalidAmountError, match="bill_day must be between 1 and 28"):
        BillingCycle(bill_day=31)
    with pytest.raises(InvalidAmountError, match="must differ from bill_day"):
        BillingCycle(due_day=1, allowed_due_days=(1,))
    with pytest.raises(TypeError, match="due_day must be an int, not str"):
        BillingCycle(due_day="9")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bill_day must be an int, not bool"):
        BillingCycle(bill_day=True)
    with pytest.raises(InvalidTimeError, match="statement_date must fall on the bill day"):
        CYCLE.due_date(date(2024, 3, 2))
    with pytest.raises(TypeError, match="posted_on must be a date"):
        CYCLE.statement_date("2024-03-02")  # type: ignore[arg-type]


def test_minimum_repayment_is_ten_percent_of_the_bill() -> None:
    terms = RepaymentTerms()
    assert terms.minimum_payment(CNY("1000")) == CNY("100.00")
    assert terms.minimum_payment(CNY("1234.55")) == CNY("123.46")  # 123.455 HALF_UP
    assert RepaymentTerms(minimum_rounding=Rounding.DOWN).minimum_payment(CNY("1234.55")) == CNY("123.45")
    assert terms.minimum_payment(CNY("0")) == CNY.zero()
    # instalment periods are due in full
    assert terms.minimum_payment(CNY("600"), CNY("102.50")) == CNY("152.25")
    assert terms.minimum_payment(CNY("50"), CNY("102.50")) == CNY("50")


def test_bill_build_totals_lines_and_refuses_lines_outside_the_cycle() -> None:
    lines = [
        BillLine(date(2024, 2, 20), LineKind.PURCHASE, CNY("300"), "b"),
        BillLine(date(2024, 2, 2), LineKind.PURCHASE, CNY("800"), "a"),
        BillLine(date(2024, 2, 25), LineKind.REFUND, CNY("-100"), "b"),
    ]
    bill = Bill.build(date(2024, 3, 1), lines, CYCLE, RepaymentTerms())
    assert [line.reference for line in bill.lines] == ["a", "b", "b"]
    assert bill.total == CNY("1000")
    assert bill.minimum_payment == CNY("100")
    assert (bill.cycle_start, bill.cycle_end, bill.due_date) == (date(2024, 2, 2), date(2024, 3, 1), date(2024, 3, 10))
    with pytest.raises(
        InvalidTimeError, match=r"late posted on 2024-03-02 is outside the cycle 2024-02-02..2024-03-01"
    ):
        Bill.build(
            date(2024, 3, 1), [BillLine(date(2024, 3, 2), LineKind.PURCHASE, CNY("1"), "late")], CYCLE, RepaymentTerms()
        )


DUE = date(2024, 3, 10)


def test_paid_in_full_by_the_due_date_costs_nothing() -> None:
    charges = bill_charges(CNY("1000"), CNY("100"), DUE, [(DUE, CNY("1000"))], date(2024, 12, 31))
    assert charges == BillCharges(CNY.zero(), CNY.zero())


def test_revolving_interest_worked_example() -> None:
    # 1,000 bill, minimum 100 paid on the due date; 900 unpaid at 0.05% a day = 0.45 a day.
    paid = [(DUE, CNY("100"))]
    assert bill_charges(CNY("1000"), CNY("100"), DUE, paid, DUE).total == CNY.zero()
    assert bill_charges(CNY("1000"), CNY("100"), DUE, paid, date(2024, 3, 11)).revolving_interest == CNY("0.45")
    # 11 March .. 9 April is 30 days: 13.50
    charges = bill_charges(CNY("1000"), CNY("100"), DUE, paid, date(2024, 4, 9))
    assert charges == BillCharges(CNY("13.50"), CNY.zero())
    # The rest repaid on 20 March: days 11..20 March accrue (10 days, 4.50), nothing after.
    settled = [*paid, (date(2024, 3, 20), CNY("900"))]
    assert bill_charges(CNY("1000"), CNY("100"), DUE, settled, date(2024, 6, 1)).revolving_interest == CNY("4.50")


def test_overdue_interest_worked_example() -> None:
    # Nothing repaid: the minimum's 100 is overdue (0.05 a day), the other 900 revolves (0.45 a day).
    charges = bill_charges(CNY("1000"), CNY("100"), DUE, [], date(2024, 3, 19))  # 9 days
    assert charges.overdue_interest == CNY("0.45")
    assert charges.revolving_interest == CNY("4.05")
    # 60 repaid on 12 March: covers the minimum first; 40 stays overdue from the 13th.
    charges = bill_charges(CNY("1000"), CNY("100"), DUE, [(date(2024, 3, 12), CNY("60"))], date(2024, 3, 19))
    # overdue: 100 x 2 days + 40 x 7 days = 480 yuan-days x 0.0005 = 0.24
    # revolving: 900 x 9 days = 8100 yuan-days x 0.0005 = 4.05
    assert charges == BillCharges(CNY("4.05"), CNY("0.24"))


def test_overdue_rate_is_configurable() -> None:
    terms = RepaymentTerms(overdue_daily=Rate.percent("0.1"))
    charges = bill_charges(CNY("1000"), CNY("100"), DUE, [], date(2024, 3, 20), terms)
    assert charges.overdue_interest == CNY("1.00")
    assert charges.revolving_interest == CNY("4.50")


def test_interest_is_summed_exactly_and_rounded_once() -> None:
    # 333.33 x 0.0005 = 0.166665 a day; 3 days = 0.499995 -> 0.50 (not 3 x 0.17 = 0.51)
    charges = bill_charges(CNY("333.33"), CNY.zero(), DUE, [], date(2024, 3, 13))
    assert charges.revolving_interest == CNY("0.50")


@given(
    amount=st.integers(min_value=1, max_value=10_000_000),
    paid=st.lists(
        st.tuples(st.integers(min_value=-5, max_value=60), st.integers(min_value=0, max_value=2_000_000)), max_size=5
    ),
    days=st.integers(min_value=0, max_value=90),
)
def test_interest_never_exceeds_the_daily_rate_on_the_full_bill(
    amount: int, paid: list[tuple[int, int]], days: int
) -> None:
    due_amount = Money.from_minor_units(amount)
    minimum = RepaymentTerms().minimum_payment(due_amount)
    reductions = [(DUE + timedelta(days=offset), Money.from_minor_units(minor)) for offset, minor in paid]
    charges = bill_charges(due_amount, minimum, DUE, reductions, DUE + timedelta(days=days))
    ceiling = due_amount.multiply(days).multiply("0.0005", rounding=Rounding.UP)
    assert CNY.zero() <= charges.total <= ceiling + CNY("0.01")
    # accrual only grows with time
    later = bill_charges(due_amount, minimum, DUE, reductions, DUE + timedelta(days=days + 1))
    assert later.total >= charges.total


def test_negative_reductions_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="reductions must not be negative"):
        bill_charges(CNY("10"), CNY("1"), DUE, [(DUE, CNY("-1"))], DUE)
    with pytest.raises(TypeError, match="reductions must be Money, not str"):
        bill_charges(CNY("10"), CNY("1"), DUE, [(DUE, "1")], DUE)  # type: ignore[list-item]
