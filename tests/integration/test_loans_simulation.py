"""A seeded random walk of repayments and prepayments, checked against the ledger after every step."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.credit.loan import Loan, LoanStatus, PrepaymentMode
from antfin.credit.products import JIEBEI, MYBANK
from antfin.credit.schedule import Accrual, LoanRate, RepaymentMethod
from antfin.errors import PolicyViolationError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.rates import DayCount, Rate
from antfin.serialization import from_data, to_data

steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=45),  # days to wait
        st.sampled_from(["repay_all", "repay_part", "prepay_part", "prepay_all", "skip"]),
        st.integers(min_value=1, max_value=10_000),  # a fraction in basis points
        st.sampled_from(list(PrepaymentMode)),
    ),
    max_size=12,
)


@settings(max_examples=40)
@given(
    principal=st.integers(min_value=100_00, max_value=200_000_00),
    daily_bp=st.integers(min_value=1, max_value=10),  # 0.01%..0.10% a day
    term=st.integers(min_value=1, max_value=12),
    method=st.sampled_from(list(RepaymentMethod)),
    accrual=st.sampled_from(list(Accrual)),
    mybank=st.booleans(),
    script=steps,
)
def test_random_loan_life_keeps_ledger_and_loan_in_step(
    principal: int,
    daily_bp: int,
    term: int,
    method: RepaymentMethod,
    accrual: Accrual,
    mybank: bool,
    script: list[tuple[int, str, int, PrepaymentMode]],
) -> None:
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    rate = LoanRate.daily(Rate(Money.from_minor_units(daily_bp).amount.scaleb(-2)), DayCount.ACT_360)
    loan = Loan(
        ledger,
        "S",
        "wallet:s",
        Money.from_minor_units(principal),
        rate,
        term,
        product=MYBANK if mybank else JIEBEI,
        method=method,
        accrual=accrual,
    )
    now = shanghai(2024, 1, 31, 10)
    loan.disburse(now)
    ledger.transfer("fund", debit="asset:bank", credit="wallet:s", amount=CNY("1000000"), at=now)
    paid = CNY("0")
    for index, (wait, action, fraction, mode) in enumerate(script):
        if loan.status is LoanStatus.PAID_OFF:
            break
        now += timedelta(days=wait)
        on = now.date()
        due = loan.amount_due(on).total
        receipt = None
        if action == "repay_all" and due.is_positive():
            receipt = loan.repay(f"k{index}", due, now)
        elif action == "repay_part" and due.is_positive():
            part = Money.from_minor_units(max(1, due.minor_units * fraction // 10_000))
            receipt = loan.repay(f"k{index}", part, now)
        elif action in ("prepay_part", "prepay_all"):
            outstanding = loan.outstanding_principal - loan.amount_due(on).principal
            amount = None
            if action == "prepay_part" and outstanding.minor_units > 1:
                amount = Money.from_minor_units(max(1, outstanding.minor_units * fraction // 10_000))
            try:
                receipt = loan.prepay(f"k{index}", now, principal=amount, mode=mode)
            except PolicyViolationError:
                assert loan.amount_due(on).total.is_zero()
        if receipt is not None:
            assert receipt.amount == (
                receipt.penalty + receipt.fee + receipt.interest + receipt.principal + receipt.prepayment_fee
            )
            paid += receipt.amount
        loan.check_ledger()
        assert not loan.outstanding_principal.is_negative()
        rows = loan.schedule.instalments
        assert sum(row.principal.minor_units for row in rows) == principal
        assert all(not row.balance.is_negative() for row in rows)
    assert ledger.balance("wallet:s") == CNY("1000000") + Money.from_minor_units(principal) - paid
    ledger.check_invariants()
    # Every event and receipt the walk recorded passes the checks a reloaded loan runs on them.
    again: Loan = from_data(Loan, to_data(loan), ledger=ledger)
    assert again.events == loan.events
    assert len(again._receipts) == len(again.events) - 1  # one receipt a payment, beside the disbursement
