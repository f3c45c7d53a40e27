"""Bill payment: the user pays the bill only; the biller pays the commission."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.errors import IdempotencyConflictError, InsufficientFundsError, InvalidAmountError
from antfin.ledger import Ledger
from antfin.money import CNY, Money
from antfin.payments import Account, AccountType, BillPaymentFeePolicy, pay_bill

AT = shanghai(2024, 5, 2, 9)


def _parties(balance: str) -> tuple[Ledger, Account, Account]:
    ledger = Ledger()
    user = Account.open(ledger, "amy", opened_at=shanghai(2024, 5, 1))
    biller = Account.open(ledger, "grid", opened_at=shanghai(2024, 5, 1), account_type=AccountType.MERCHANT)
    if balance != "0":
        user.link_card("C", at=shanghai(2024, 5, 1))
        user.top_up("t", card="C", amount=CNY(balance), at=shanghai(2024, 5, 1))
    return ledger, user, biller


def test_the_user_pays_exactly_the_bill() -> None:
    ledger, user, biller = _parties("500.00")
    quote = pay_bill(ledger, "b1", payer=user, biller=biller, amount=CNY("356.78"), at=AT)
    assert user.balance() == CNY("143.22")
    assert biller.balance() == CNY("356.42")
    assert ledger.balance(ProfitPoint.ALIPAY_VALUE_ADDED.account_id) == CNY("0.36") == quote.commission
    assert pay_bill(ledger, "b1", payer=user, biller=biller, amount=CNY("356.78"), at=AT) == quote
    with pytest.raises(IdempotencyConflictError):
        pay_bill(ledger, "b1", payer=user, biller=biller, amount=CNY("1.00"), at=AT)


def test_a_refused_payment_books_nothing() -> None:
    ledger, user, biller = _parties("0")
    with pytest.raises(InsufficientFundsError):
        pay_bill(ledger, "b1", payer=user, biller=biller, amount=CNY("30.00"), at=AT)
    assert not ledger.has_account(ProfitPoint.ALIPAY_VALUE_ADDED.account_id)
    assert ledger.entries() == ()
    with pytest.raises(InvalidAmountError):
        pay_bill(ledger, "b2", payer=user, biller=user, amount=CNY("1.00"), at=AT)
    with pytest.raises(InvalidAmountError):
        pay_bill(ledger, "b3", payer=user, biller=biller, amount=CNY("0.00"), at=AT)


@given(st.integers(min_value=1, max_value=10**10))
def test_the_parts_always_add_up_and_the_user_fee_is_zero(fen: int) -> None:
    amount = Money.from_minor_units(fen, CNY)
    quote = BillPaymentFeePolicy().quote(amount)
    assert quote.user_fee.is_zero()
    assert quote.user_pays == amount == quote.biller_receives + quote.commission
