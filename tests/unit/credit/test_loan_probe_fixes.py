"""Regression tests for the outside probe's loan findings and the shared idempotency rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from antfin.calendar import shanghai
from antfin.credit import Loan
from antfin.credit.schedule import LoanRate
from antfin.errors import IdempotencyConflictError, InsufficientFundsError, InvalidAmountError
from antfin.ledger import Ledger
from antfin.money import CNY
from antfin.rates import DayCount, Rate
from antfin.serialization import dumps, loads

RATE = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)


def _loan(ledger: Ledger | None = None) -> Loan:
    loan = Loan(ledger or Ledger(), "L1", "wallet:bo", CNY("1200"), RATE, 3)
    loan.disburse(shanghai(2024, 1, 10, 9))
    return loan


def test_a_retry_later_or_after_a_json_round_trip_replays() -> None:
    loan = _loan()
    first = loan.repay("feb", CNY("100"), shanghai(2024, 2, 10, 12))
    assert loan.repay("feb", CNY("100"), shanghai(2024, 2, 10, 12) + timedelta(seconds=1)) == first
    restored: Loan = loads(Loan, dumps(loan), ledger=loan.ledger)
    assert restored.repay("feb", CNY("100"), shanghai(2024, 2, 10, 12, 5)) == first
    with pytest.raises(IdempotencyConflictError, match="'feb'"):
        restored.repay("feb", CNY("101"), shanghai(2024, 2, 10, 12, 5))


def test_a_refused_prepayment_opens_no_account() -> None:
    loan = _loan()
    loan.ledger.transfer(  # the borrower spends the money: the prepayment cannot be paid
        "spend", debit="wallet:bo", credit=loan.receivable_account, amount=CNY("1200"), at=shanghai(2024, 1, 11)
    )
    accounts = loan.ledger.accounts()
    with pytest.raises(InsufficientFundsError):
        loan.prepay("all", shanghai(2024, 1, 25, 12))
    assert loan.ledger.accounts() == accounts


@pytest.mark.parametrize("loan_id", ["", "  ", " L1", "L1 ", "L\ud8001"])
def test_loan_ids_are_checked(loan_id: str) -> None:
    with pytest.raises(InvalidAmountError, match="loan_id"):
        Loan(Ledger(), loan_id, "wallet:bo", CNY("1200"), RATE, 3)


def test_a_non_string_loan_id_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="loan_id"):
        Loan(Ledger(), 7, "wallet:bo", CNY("1200"), RATE, 3)  # type: ignore[arg-type]


def test_a_wallet_id_no_store_can_encode_is_refused() -> None:
    with pytest.raises(InvalidAmountError, match="wallet must be valid Unicode text"):
        Loan(Ledger(), "L1", "wallet:\ud800", CNY("1200"), RATE, 3)
