"""Loans on the ledger: disbursement, repayment order, overdue penalty, buckets, prepayment, refusals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.credit.loan import Loan, LoanStatus, PrepaymentMode
from antfin.credit.products import JIEBEI, MYBANK, Component, LoanProduct, PrepaymentFeePolicy
from antfin.credit.schedule import LoanRate, RepaymentMethod
from antfin.errors import (
    CurrencyMismatchError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.rates import DayCount, Rate

RATE_12 = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
BANK = "asset:bank_settlement"


def make(
    principal: str = "1200",
    term: int = 3,
    *,
    product: LoanProduct = JIEBEI,
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALMENT,
    top_up: str = "0",
    rate: LoanRate = RATE_12,
    **kwargs: object,
) -> Loan:
    ledger = Ledger()
    ledger.open_account(BANK, AccountKind.ASSET)
    loan = Loan(ledger, "L1", "wallet:u", CNY(principal), rate, term, product=product, method=method, **kwargs)  # type: ignore[arg-type]
    loan.disburse(shanghai(2024, 1, 10, 9))
    if CNY(top_up):
        ledger.transfer("topup", debit=BANK, credit="wallet:u", amount=CNY(top_up), at=shanghai(2024, 1, 10, 10))
    return loan


def snapshot(loan: Loan) -> tuple[object, ...]:
    ledger = loan.ledger
    return (
        loan.status,
        loan.outstanding_principal,
        loan.events,
        ledger.balance("wallet:u"),
        ledger.balance(loan.receivable_account),
        len(ledger.entries()),
        loan.schedule,
    )


def revenue(loan: Loan, point: ProfitPoint) -> Money:
    if not loan.ledger.has_account(point.account_id):
        return CNY("0")
    return loan.ledger.balance(point.account_id)


def test_disbursement_books_receivable_and_wallet() -> None:
    loan = make()
    assert loan.ledger.balance("wallet:u") == CNY("1200")
    assert loan.ledger.balance("asset:loans:jiebei:L1") == CNY("1200")
    loan.check_ledger()
    loan.ledger.check_invariants()
    again = loan.disburse(shanghai(2024, 1, 10, 9))
    assert again.id == loan.events[0].entry_id
    assert len(loan.ledger.entries()) == 1
    with pytest.raises(IdempotencyConflictError, match="disbursement of 'L1' was already used"):
        loan.disburse(shanghai(2024, 1, 11, 9))


def test_upfront_fee_is_deducted_and_booked_as_fee_revenue() -> None:
    loan = make(upfront_fee=CNY("12"))
    assert loan.ledger.balance("wallet:u") == CNY("1188")
    assert loan.outstanding_principal == CNY("1200")
    assert revenue(loan, ProfitPoint.JIEBEI_FEE) == CNY("12")


def test_repay_each_instalment_on_its_due_date_pays_off() -> None:
    loan = make(top_up="100")
    for n, row in enumerate(loan.schedule.instalments):
        due = row.due
        receipt = loan.repay(f"r{n}", row.total, shanghai(due.year, due.month, due.day, 20))
        assert (receipt.principal, receipt.interest) == (row.principal, row.interest)
        loan.check_ledger()
    assert loan.status is LoanStatus.PAID_OFF
    assert loan.outstanding_principal.is_zero()
    assert revenue(loan, ProfitPoint.JIEBEI_INTEREST) == loan.schedule.total_interest
    assert loan.ledger.balance("wallet:u") == CNY("1300") - loan.schedule.total
    with pytest.raises(InvalidTransitionError, match="paid_off"):
        loan.repay("late", CNY("1"), shanghai(2024, 5, 1))
    loan.ledger.check_invariants()


def test_partial_payment_follows_the_default_order_then_a_custom_one() -> None:
    loan = make()
    receipt = loan.repay("p", CNY("20"), shanghai(2024, 2, 10, 9))
    assert (receipt.interest, receipt.principal) == (CNY("12"), CNY("8"))
    principal_first = LoanProduct(
        "custom",
        "Custom",
        ProfitPoint.JIEBEI_INTEREST,
        ProfitPoint.JIEBEI_FEE,
        ProfitPoint.JIEBEI_PENALTY,
        allocation_order=(Component.PRINCIPAL, Component.INTEREST, Component.FEE, Component.PENALTY),
    )
    other = make(product=principal_first)
    receipt = other.repay("p", CNY("20"), shanghai(2024, 2, 10, 9))
    assert (receipt.interest, receipt.principal) == (CNY("0"), CNY("20"))
    other.check_ledger()


def test_allocation_order_must_name_each_component_once() -> None:
    with pytest.raises(InvalidAmountError, match="allocation_order must name every component"):
        LoanProduct(
            "x",
            "X",
            ProfitPoint.JIEBEI_INTEREST,
            ProfitPoint.JIEBEI_FEE,
            ProfitPoint.JIEBEI_PENALTY,
            allocation_order=(Component.PRINCIPAL, Component.PRINCIPAL, Component.FEE, Component.PENALTY),
        )


def test_penalty_accrues_daily_on_the_overdue_amount() -> None:
    loan = make(top_up="100")
    first = loan.schedule.instalments[0]  # 408.03 due 2024-02-10
    due = loan.amount_due(date(2024, 2, 20))
    expected = (Decimal(first.total.minor_units) * Decimal("0.0005") * 10).quantize(Decimal(1), ROUND_HALF_UP)
    assert due.penalty == Money.from_minor_units(int(expected))  # 2.04
    assert due.penalty == CNY("2.04")
    # the penalty is paid first, and is booked to the penalty profit point
    receipt = loan.repay("late", due.total, shanghai(2024, 2, 20, 9))
    assert receipt.penalty == CNY("2.04")
    assert revenue(loan, ProfitPoint.JIEBEI_PENALTY) == CNY("2.04")
    assert loan.days_past_due(date(2024, 2, 21)) == 0
    assert loan.amount_due(date(2024, 2, 21)).total.is_zero()
    loan.check_ledger()


def test_penalty_after_a_partial_payment_accrues_on_the_rest() -> None:
    loan = make()
    loan.repay("part", CNY("200"), shanghai(2024, 2, 15, 9))  # 5 days late: penalty 408.03 x 0.05% x 5
    assert loan.events[-1].amount == CNY("200")
    left = loan.amount_due(date(2024, 2, 25))
    # 1.02 paid; then 10 more days on 408.03 - (200 - 1.02) = 209.05
    exact = Decimal(40803) * Decimal("0.0005") * 5 + Decimal(20905) * Decimal("0.0005") * 10
    assert left.penalty.minor_units == int(exact.quantize(Decimal(1), ROUND_HALF_UP)) - 102


@pytest.mark.parametrize(
    ("on", "days", "bucket"),
    [
        (date(2024, 2, 10), 0, "CURRENT"),
        (date(2024, 2, 11), 1, "M1"),
        (date(2024, 3, 11), 30, "M1"),
        (date(2024, 3, 12), 31, "M2"),
        (date(2024, 4, 10), 60, "M2"),
        (date(2024, 4, 11), 61, "M3"),
        (date(2024, 5, 10), 90, "M3"),
        (date(2024, 5, 11), 91, "M3+"),
    ],
)
def test_delinquency_buckets_at_their_boundaries(on: date, days: int, bucket: str) -> None:
    loan = make()
    assert loan.days_past_due(on) == days
    assert loan.delinquency(on) == bucket


def test_days_past_due_count_from_the_oldest_unpaid_instalment() -> None:
    loan = make(top_up="100")
    first = loan.schedule.instalments[0]
    loan.repay("r1", first.total, shanghai(2024, 2, 10, 9))
    assert loan.days_past_due(date(2024, 4, 1)) == 22  # second instalment due 2024-03-10


def test_full_prepayment_between_dates_charges_days_used() -> None:
    loan = make(top_up="100")
    first = loan.schedule.instalments[0]
    loan.repay("r1", first.total, shanghai(2024, 2, 10, 9))
    outstanding = loan.outstanding_principal
    quote = loan.payoff_quote(shanghai(2024, 2, 25, 9))
    receipt = loan.prepay("payoff", shanghai(2024, 2, 25, 9))
    days = 15
    expected_interest = (Decimal(outstanding.minor_units) * Decimal("0.12") / 360 * days).quantize(
        Decimal(1), ROUND_HALF_UP
    )
    assert receipt.interest == Money.from_minor_units(int(expected_interest))
    assert receipt.principal == outstanding
    assert receipt.prepayment_fee == CNY("0")
    assert receipt.amount == quote.amount
    assert loan.status is LoanStatus.PAID_OFF
    assert loan.schedule.total_principal == CNY("1200")
    assert loan.schedule.instalments[-1].due == date(2024, 2, 25)
    loan.check_ledger()
    loan.ledger.check_invariants()


def test_full_prepayment_on_a_due_date_pays_that_instalment_and_no_extra_days() -> None:
    loan = make(top_up="100")
    first = loan.schedule.instalments[0]
    receipt = loan.prepay("payoff", shanghai(2024, 2, 10, 9))
    assert receipt.interest == first.interest
    assert receipt.principal == CNY("1200")
    assert receipt.amount == CNY("1212.00")
    assert loan.status is LoanStatus.PAID_OFF


def test_prepay_on_the_disbursement_day_costs_no_interest() -> None:
    loan = make()
    receipt = loan.prepay("same-day", shanghai(2024, 1, 10, 18))
    assert receipt.amount == CNY("1200")
    assert loan.ledger.balance("wallet:u").is_zero()


def test_partial_prepayment_shortens_the_term() -> None:
    loan = make("12000", 12, top_up="1000")
    level = loan.schedule.instalments[0].total
    loan.prepay("part", shanghai(2024, 1, 10, 12), principal=CNY("6000"))
    future = [row for row in loan.schedule.instalments if row.due > date(2024, 1, 10)]
    assert len(future) < 12
    assert {row.total for row in future[:-1]} == {level}
    assert loan.schedule.total_principal == CNY("12000")
    loan.check_ledger()


def test_partial_prepayment_lowers_the_instalment() -> None:
    loan = make("12000", 12, top_up="1000")
    level = loan.schedule.instalments[0].total
    loan.prepay("part", shanghai(2024, 1, 10, 12), principal=CNY("6000"), mode=PrepaymentMode.LOWER_INSTALMENT)
    future = [row for row in loan.schedule.instalments if row.due > date(2024, 1, 10)]
    assert len(future) == 12
    assert future[0].total < level
    assert future[0].total == CNY("533.09")  # annuity of 6,000 over 12 at 1% a month
    assert loan.schedule.total_principal == CNY("12000")


def test_partial_prepayment_of_equal_principal_shortens_by_whole_shares() -> None:
    loan = make("1200", 12, method=RepaymentMethod.EQUAL_PRINCIPAL, top_up="100")
    loan.prepay("part", shanghai(2024, 1, 10, 12), principal=CNY("300"))
    future = [row for row in loan.schedule.instalments if row.due > date(2024, 1, 10)]
    assert [row.principal for row in future] == [CNY("100")] * 9


def test_mybank_prepayment_fee_is_one_percent_of_prepaid_principal() -> None:
    loan = make("30000", 6, product=MYBANK, method=RepaymentMethod.INTEREST_FIRST, top_up="1000")
    receipt = loan.prepay("part", shanghai(2024, 1, 20, 9), principal=CNY("10000"))
    assert receipt.prepayment_fee == CNY("100")
    assert receipt.interest == CNY("33.33")  # 10,000 x 12% / 360 x 10 days
    assert revenue(loan, ProfitPoint.MYBANK_FEE) == CNY("100")
    assert revenue(loan, ProfitPoint.MYBANK_INTEREST) == CNY("33.33")
    assert loan.outstanding_principal == CNY("20000")
    loan.check_ledger()


def test_prepayment_fee_waived_after_the_free_period() -> None:
    policy = PrepaymentFeePolicy(Rate.percent("3"), free_after_months=1)
    product = LoanProduct(
        "p", "P", ProfitPoint.MYBANK_INTEREST, ProfitPoint.MYBANK_FEE, ProfitPoint.MYBANK_PENALTY, prepayment_fee=policy
    )
    loan = make(product=product, top_up="100")
    assert loan.payoff_quote(shanghai(2024, 2, 9)).prepayment_fee == CNY("36")
    assert loan.payoff_quote(shanghai(2024, 2, 10)).prepayment_fee == CNY("0")


def test_daily_interest_loan_repaid_any_time() -> None:
    rate = LoanRate.daily(Rate.percent("0.05"), DayCount.ACT_360)
    loan = make("10000", 12, method=RepaymentMethod.DAILY_INTEREST, rate=rate, top_up="100")
    assert loan.schedule.term == 1
    receipt = loan.prepay("out", shanghai(2024, 1, 30, 9))  # 20 days
    assert receipt.interest == CNY("100")
    assert loan.status is LoanStatus.PAID_OFF


# -- refusals change nothing ------------------------------------------------------------


def test_insufficient_funds_changes_nothing() -> None:
    loan = make()
    loan.ledger.transfer("spend", debit="wallet:u", credit=BANK, amount=CNY("1200"), at=shanghai(2024, 1, 11))
    before = snapshot(loan)
    with pytest.raises(InsufficientFundsError):
        loan.repay("r", CNY("408.03"), shanghai(2024, 2, 10, 9))
    with pytest.raises(InsufficientFundsError):
        loan.prepay("p", shanghai(2024, 2, 1, 9))
    assert snapshot(loan) == before


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda ln: ln.repay("r", CNY("409"), shanghai(2024, 2, 10)), PolicyViolationError, "exceeds"),
        (lambda ln: ln.repay("r", CNY("10"), shanghai(2024, 2, 1)), PolicyViolationError, "nothing is due"),
        (lambda ln: ln.repay("r", CNY("0"), shanghai(2024, 2, 10)), InvalidAmountError, "positive"),
        (lambda ln: ln.repay("r", -CNY("1"), shanghai(2024, 2, 10)), InvalidAmountError, "positive"),
        (lambda ln: ln.repay("r", Money("1", "USD"), shanghai(2024, 2, 10)), CurrencyMismatchError, "CNY"),
        (lambda ln: ln.repay("r", CNY("1"), datetime(2024, 2, 10)), InvalidTimeError, "aware"),
        (lambda ln: ln.repay("r", CNY("1"), shanghai(2024, 1, 1)), InvalidTimeError, "before the loan's last event"),
        (lambda ln: ln.repay("r", Decimal(1), shanghai(2024, 2, 10)), TypeError, "Money"),
        (lambda ln: ln.prepay("p", shanghai(2024, 2, 1), principal=CNY("2000")), PolicyViolationError, "exceeds"),
        (lambda ln: ln.prepay("p", shanghai(2024, 2, 1), principal=CNY("0")), InvalidAmountError, "positive"),
        (
            lambda ln: ln.prepay("p", shanghai(2024, 2, 1), principal=-CNY("1")),
            InvalidAmountError,
            "principal must be positive, got -1.00 CNY",
        ),
        (lambda ln: ln.prepay("p", shanghai(2024, 2, 1), principal=100), TypeError, "principal must be Money, not int"),
        (lambda ln: ln.prepay("p", shanghai(2024, 2, 1), principal=Money("1", "USD")), CurrencyMismatchError, "CNY"),
        (lambda ln: ln.prepay("p", datetime(2024, 2, 1)), InvalidTimeError, "aware"),
        (lambda ln: ln.prepay("p", shanghai(2024, 2, 1), mode="shorten"), TypeError, "PrepaymentMode"),
    ],
)
def test_bad_operations_raise_and_change_nothing(call: object, error: type[Exception], match: str) -> None:
    loan = make(top_up="100")
    before = snapshot(loan)
    with pytest.raises(error, match=match):
        call(loan)  # type: ignore[operator]
    assert snapshot(loan) == before


def test_idempotent_keys() -> None:
    loan = make(top_up="100")
    first = loan.repay("k", CNY("100"), shanghai(2024, 2, 10, 9))
    entries = len(loan.ledger.entries())
    assert loan.repay("k", CNY("100"), shanghai(2024, 2, 10, 9)) == first
    assert len(loan.ledger.entries()) == entries
    with pytest.raises(IdempotencyConflictError, match="'k'"):
        loan.repay("k", CNY("50"), shanghai(2024, 2, 10, 9))


def test_undisbursed_loan_refuses_operations() -> None:
    loan = Loan(Ledger(), "x", "wallet:x", CNY("100"), RATE_12, 3)
    with pytest.raises(InvalidTransitionError, match="no schedule until it is disbursed"):
        loan.amount_due(date(2024, 1, 1))
    with pytest.raises(InvalidTransitionError, match="only active loans"):
        loan.repay("r", CNY("1"), shanghai(2024, 1, 1))
    with pytest.raises(InvalidTransitionError, match="only active loans prepay"):
        loan.prepay("p", shanghai(2024, 1, 1))
    assert loan.days_past_due(date(2024, 1, 1)) == 0


def test_bad_loan_terms_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="term must be within 1-600"):
        Loan(Ledger(), "x", "wallet:x", CNY("100"), RATE_12, 0)
    with pytest.raises(InvalidAmountError, match="upfront_fee"):
        Loan(Ledger(), "x", "wallet:x", CNY("100"), RATE_12, 3, upfront_fee=CNY("100"))
    with pytest.raises(TypeError, match="ledger must be a Ledger"):
        Loan(object(), "x", "wallet:x", CNY("100"), RATE_12, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="float"):
        Loan(Ledger(), "x", "wallet:x", CNY("100"), LoanRate.annual(Rate(0.1), DayCount.ACT_360), 3)
    with pytest.raises(InvalidTimeError, match="aware"):
        Loan(Ledger(), "x", "wallet:x", CNY("100"), RATE_12, 3).disburse(datetime(2024, 1, 1))


def test_a_jiebei_loan_at_another_rate_pays_one_and_a_half_times_its_own_rate() -> None:
    rate = LoanRate.daily(Rate.percent("0.045"), DayCount.ACT_360)
    loan = make(rate=rate, product=JIEBEI.for_contract(rate))
    first = loan.schedule.instalments[0]
    due = loan.amount_due(date(2024, 2, 20))  # 10 days late at 1.5 x 0.045% = 0.0675% a day
    expected = (Decimal(first.total.minor_units) * Decimal("0.000675") * 10).quantize(Decimal(1), ROUND_HALF_UP)
    assert due.penalty == Money.from_minor_units(int(expected))
