"""Joint lending: funding shared by partner banks and Ant, interest by funding, Ant's technology service fee."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.calendar import shanghai
from antfin.chart import BANK_SETTLEMENT, ProfitPoint, partner_clearing, wallet
from antfin.credit.joint import (
    ANT,
    CBIRC_DRAFT_2020,
    DEFAULT_JOINT_LENDING,
    PROSPECTUS_2020,
    JointLendingSchedule,
    JointLendingTerms,
    JointLoan,
    compare_funding_models,
    split_schedule,
)
from antfin.credit.products import MYBANK
from antfin.credit.schedule import LoanRate, RepaymentMethod, amortize
from antfin.ecosystem import income_statement
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    OutsideCoverageError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.rates import DayCount, Rate

RATE = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
METHODS = list(RepaymentMethod)


def _loan(ledger: Ledger, **kwargs: object) -> JointLoan:
    args: dict[str, object] = {"partners": (("bank-a", 2), ("bank-b", 1))}
    args.update(kwargs)
    return JointLoan(ledger, "J1", wallet("amy"), CNY("30000"), RATE, 6, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("loan_id", "wallet_id", "match"),
    [
        (" J1", wallet("amy"), "loan_id must be a non-blank id without surrounding spaces"),
        ("", wallet("amy"), "loan_id must be a non-blank id"),
        ("J1", "w\ud800", "wallet must be valid Unicode text"),
    ],
)
def test_the_ids_are_checked_like_a_loans(loan_id: str, wallet_id: str, match: str) -> None:
    with pytest.raises(InvalidAmountError, match=match):
        JointLoan(Ledger(), loan_id, wallet_id, CNY("30000"), RATE, 6, (("bank-a", 1),))


def test_an_id_that_is_not_a_str_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="loan_id must be a str, not int"):
        JointLoan(Ledger(), 7, wallet("amy"), CNY("30000"), RATE, 6, (("bank-a", 1),))  # type: ignore[arg-type]


def _fund_wallet(ledger: Ledger, amount: str) -> None:
    ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET)
    ledger.transfer("top", debit=BANK_SETTLEMENT, credit=wallet("amy"), amount=CNY(amount), at=shanghai(2024, 1, 10))


def test_a_joint_loan_is_funded_two_percent_by_ant_and_repaid_by_funding() -> None:
    ledger = Ledger()
    loan = _loan(ledger)
    loan.disburse(shanghai(2024, 1, 10, 9))
    assert loan.funding() == {ANT: CNY("600.00"), "bank-a": CNY("19600.00"), "bank-b": CNY("9800.00")}
    assert ledger.balance(loan.receivable_account) == CNY("600.00")
    assert ledger.balance(partner_clearing("bank-a")) == CNY("19600.00")
    _fund_wallet(ledger, "2000")
    for month in range(2, 8):
        loan.repay_due(f"r{month}", shanghai(2024, month, 10, 12))
        loan.check_ledger()
    assert loan.status.value == "paid_off"
    assert ledger.balance(loan.receivable_account) == CNY.zero()
    statement = income_statement(ledger)
    interest = loan.schedule.total_interest
    ant_interest = statement.amount(ProfitPoint.JIEBEI_INTEREST)
    fee = statement.amount(ProfitPoint.CREDIT_TECH_SERVICE_FEE)
    partners_got = -(ledger.balance(partner_clearing("bank-a")) + ledger.balance(partner_clearing("bank-b")))
    # Everything the borrower paid in interest went to Ant (its share and the fee) or to the partners.
    assert ant_interest + fee + partners_got == interest
    assert ant_interest == sum((i for _, i in loan.parts()[ANT]), CNY.zero())
    expected_fee = sum(
        (
            Rate.percent("30").of(part_interest, rounding="HALF_UP")
            for name, rows in loan.parts().items()
            if name != ANT
            for _, part_interest in rows
        ),
        CNY.zero(),
    )
    assert fee == expected_fee == CNY("311.25")  # 30% of the partners' 98%, per instalment and partner
    ledger.check_invariants()


def test_repayment_is_idempotent_and_refusals_change_nothing() -> None:
    ledger = Ledger()
    loan = _loan(ledger)
    with pytest.raises(InvalidTransitionError):
        loan.repay_due("r1", shanghai(2024, 2, 10))
    loan.disburse(shanghai(2024, 1, 10, 9))
    assert loan.disburse(shanghai(2024, 1, 10, 9)).key == "joint:J1:disburse"
    with pytest.raises(IdempotencyConflictError):
        loan.disburse(shanghai(2024, 1, 11))
    entries = len(ledger.entries())
    with pytest.raises(PolicyViolationError):
        loan.repay_due("r0", shanghai(2024, 2, 9))  # nothing due yet
    ledger.transfer("out", debit=wallet("amy"), credit=partner_clearing("bank-a"), amount=CNY("29000"),
                    at=shanghai(2024, 1, 11))  # fmt: skip
    with pytest.raises(InsufficientFundsError):
        loan.repay_due("r1", shanghai(2024, 2, 10))
    assert len(ledger.entries()) == entries + 1
    ledger.transfer("back", debit=partner_clearing("bank-a"), credit=wallet("amy"), amount=CNY("29000"),
                    at=shanghai(2024, 1, 12))  # fmt: skip
    first = loan.repay_due("r1", shanghai(2024, 2, 10))
    assert loan.repay_due("r1", shanghai(2024, 2, 10)) == first
    with pytest.raises(IdempotencyConflictError):
        loan.repay_due("r1", shanghai(2024, 3, 10))
    entries = len(ledger.entries())
    with pytest.raises(InvalidAmountError, match="key must be a non-empty string without spaces, got 'r 2'"):
        loan.repay_due("r 2", shanghai(2024, 4, 10))
    with pytest.raises(InvalidAmountError, match="key must be a non-empty string, got ''"):
        loan.repay_due("", shanghai(2024, 4, 10))
    with pytest.raises(InvalidAmountError, match="key must be valid Unicode text"):
        loan.repay_due("r\ud800", shanghai(2024, 4, 10))
    with pytest.raises(TypeError, match="key must be a str, not int"):
        loan.repay_due(2, shanghai(2024, 4, 10))  # type: ignore[arg-type]
    assert len(ledger.entries()) == entries
    two = loan.repay_due("r2", shanghai(2024, 4, 10))  # two instalments due at once
    assert two.instalments == (2, 3)
    loan.check_ledger()


def test_bad_partners_and_terms_are_refused() -> None:
    ledger = Ledger()
    with pytest.raises(InvalidAmountError):
        _loan(ledger, partners=())
    with pytest.raises(InvalidAmountError):
        _loan(ledger, partners=(("ant", 1),))
    with pytest.raises(InvalidAmountError):
        _loan(ledger, partners=(("a", 1), ("a", 2)))
    with pytest.raises(TypeError, match="partners: the weight of 'a' must be an int, not float"):
        _loan(ledger, partners=(("a", 1.5),))
    with pytest.raises(InvalidAmountError, match="partners: the weight of 'a' must be at least 1, got 0"):
        _loan(ledger, partners=(("a", 0),))
    with pytest.raises(InvalidAmountError):
        JointLendingTerms("x", date(2020, 1, 1), Rate.percent("101"), Rate("0"))
    with pytest.raises(TypeError, match="tech_fee_share must be a Rate, not Decimal"):
        JointLendingTerms("x", date(2020, 1, 1), Rate("0.3"), Decimal("0.3"))  # type: ignore[arg-type]
    with pytest.raises(OutsideCoverageError):
        DEFAULT_JOINT_LENDING.terms_on(date(2019, 1, 1))
    both = JointLendingSchedule((CBIRC_DRAFT_2020, PROSPECTUS_2020))
    assert both.terms_on(date(2020, 11, 1)) is PROSPECTUS_2020
    assert both.terms_on(date(2020, 11, 2)) is CBIRC_DRAFT_2020


def test_ant_interest_goes_to_the_loan_products_profit_point() -> None:
    ledger = Ledger()
    loan = _loan(ledger, product=MYBANK, method=RepaymentMethod.INTEREST_FIRST)
    loan.disburse(shanghai(2024, 1, 10, 9))
    _fund_wallet(ledger, "2000")
    loan.repay_due("r1", shanghai(2024, 2, 10))
    assert income_statement(ledger).amount(ProfitPoint.MYBANK_INTEREST) == CNY("6.00")  # 2% of 300
    loan.check_ledger()


@settings(max_examples=80, deadline=None)
@given(
    st.integers(10_000, 10**9),
    st.integers(1, 36),
    st.sampled_from(METHODS),
    st.integers(0, 40),
    st.lists(st.integers(1, 9), min_size=1, max_size=4),
)
def test_the_split_conserves_every_instalment_and_the_funding(
    minor: int, term: int, method: RepaymentMethod, ant_percent: int, weights: list[int]
) -> None:
    schedule = amortize(Money.from_minor_units(minor, CNY), RATE, term, disbursed_on=date(2024, 1, 31), method=method)
    terms = JointLendingTerms("t", date(2020, 1, 1), Rate.percent(ant_percent), Rate.percent("30"))
    partners = [(f"bank-{index}", weight) for index, weight in enumerate(weights)]
    parts = split_schedule(schedule, terms, partners)
    for index, row in enumerate(schedule.instalments):
        assert sum((rows[index][0] for rows in parts.values()), CNY.zero()) == row.principal
        assert sum((rows[index][1] for rows in parts.values()), CNY.zero()) == row.interest
        assert all(not rows[index][0].is_negative() for rows in parts.values())
    funded = {name: sum((p for p, _ in rows), CNY.zero()) for name, rows in parts.items()}
    exact = Money.from_minor_units(minor, CNY).allocate(
        [Decimal(ant_percent) / 100 * sum(weights), *((1 - Decimal(ant_percent) / 100) * w for w in weights)]
    )
    assert tuple(funded.values()) == exact


def test_the_same_book_under_both_models() -> None:
    book = [amortize(CNY("5000"), RATE, 12, disbursed_on=date(2024, 1, 10)) for _ in range(10)]
    comparison = compare_funding_models(book, PROSPECTUS_2020)
    own, joint = comparison.balance_sheet, comparison.joint_lending
    assert own.volume == joint.volume == CNY("50000.00")
    assert own.capital == CNY("50000.00")
    assert joint.capital == CNY("1000.00")
    assert own.revenue == own.interest == sum((s.total_interest for s in book), CNY.zero())
    assert joint.revenue < own.revenue
    assert joint.return_on_capital is not None
    assert own.return_on_capital is not None
    assert joint.return_on_capital > 10 * own.return_on_capital
    data = comparison.to_json()
    assert data["joint_lending"]["capital"] == {"amount": "1000.00", "currency": "CNY"}
    assert "利润表模式" in comparison.to_text()
    assert "Balance sheet" in comparison.to_text("en_US")
    empty = compare_funding_models([])
    assert empty.balance_sheet.return_on_capital is None


def test_a_joint_loan_round_trips_through_json_and_still_agrees_with_the_ledger() -> None:
    from antfin.serialization import dumps, loads

    ledger = Ledger()
    loan = _loan(ledger)
    loan.disburse(shanghai(2024, 1, 10, 9))
    _fund_wallet(ledger, "6000")
    loan.repay_due("r1", shanghai(2024, 2, 10))
    back: JointLoan = loads(JointLoan, dumps(loan), ledger=ledger)
    assert back.ant_outstanding() == loan.ant_outstanding()
    back.check_ledger()
    assert back.repay_due("r1", shanghai(2024, 2, 10)) == loan.repay_due("r1", shanghai(2024, 2, 10))
    back.repay_due("r2", shanghai(2024, 3, 10))
    back.check_ledger()
