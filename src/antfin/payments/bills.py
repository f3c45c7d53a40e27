"""Bill payment (生活缴费): the user pays the bill, the biller pays Alipay's commission.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import Ledger
>>> from antfin.payments import Account, AccountType
>>> ledger = Ledger()
>>> amy = Account.open(ledger, "amy", opened_at=shanghai(2024, 5, 1))
>>> power = Account.open(ledger, "state-grid", opened_at=shanghai(2024, 5, 1), account_type=AccountType.MERCHANT)
>>> amy.link_card("C1", at=shanghai(2024, 5, 1))
>>> _ = amy.top_up("t", card="C1", amount=CNY("200.00"), at=shanghai(2024, 5, 1, 9))
>>> quote = pay_bill(ledger, "electricity-2024-05", payer=amy, biller=power, amount=CNY("200.00"),
...                  at=shanghai(2024, 5, 2, 9))
>>> amy.balance(), power.balance(), ledger.balance("revenue:alipay:value_added_services")
(Money('0.00', 'CNY'), Money('199.80', 'CNY'), Money('0.20', 'CNY'))

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime

from antfin.calendar import ensure_aware, local_date
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import InvalidAmountError
from antfin.ledger import Ledger, Posting
from antfin.money import CNY, Money
from antfin.payments.account import Account
from antfin.payments.fees import BillPaymentFeePolicy, BillPaymentQuote

__all__ = ["pay_bill"]


def pay_bill(
    ledger: Ledger,
    key: str,
    *,
    payer: Account,
    biller: Account,
    amount: Money,
    at: datetime,
    policy: BillPaymentFeePolicy | None = None,
) -> BillPaymentQuote:
    """Pay a bill: the payer's wallet pays exactly ``amount``; the biller gets it minus the commission.

    One balanced entry (key ``bill:<key>``): debit the payer's wallet with the
    bill, credit the biller's wallet with the bill minus the commission and the
    ``ALIPAY_VALUE_ADDED`` revenue account with the commission. The user never
    pays a fee. Everything is checked before anything is booked; a refusal
    books nothing. Repeating the key with the same parameters returns the first result.

    >>> from antfin.calendar import shanghai
    >>> from antfin.payments import AccountType
    >>> ledger = Ledger()
    >>> amy = Account.open(ledger, "amy", opened_at=shanghai(2024, 5, 1))
    >>> water = Account.open(ledger, "water", opened_at=shanghai(2024, 5, 1), account_type=AccountType.MERCHANT)
    >>> pay_bill(ledger, "w-1", payer=amy, biller=water, amount=CNY("30.00"), at=shanghai(2024, 5, 2))
    Traceback (most recent call last):
    ...
    antfin.errors.InsufficientFundsError: ...wallet:amy...

    Raises:
        TypeError: for a payer or biller that is not an :class:`~antfin.payments.Account`.
        antfin.errors.InvalidAmountError: for a non-positive amount or paying oneself.
        antfin.errors.InsufficientFundsError: the payer's wallet cannot cover the bill.
        antfin.errors.IdempotencyConflictError: the key was used with other parameters.

    .. versionadded:: 0.2.0
    """
    if not isinstance(payer, Account) or not isinstance(biller, Account):
        raise TypeError("payer and biller must be Account objects")
    if payer.wallet_id == biller.wallet_id:
        raise InvalidAmountError(f"account {payer.account_id!r} cannot pay a bill to itself")
    if isinstance(amount, Money) and amount.currency != CNY:
        raise InvalidAmountError(f"amount must be in CNY (the wallets' currency), got {amount.currency.code}")
    when = ensure_aware(at)
    chosen = BillPaymentFeePolicy() if policy is None else policy
    quote = chosen.quote(amount, on=local_date(when))
    ledger_key = f"bill:{key}"
    postings = [Posting.debit(payer.wallet_id, amount), Posting.credit(biller.wallet_id, quote.biller_receives)]
    with ledger.atomic():  # a refused posting must not leave the revenue account opened
        if quote.commission.is_positive():
            revenue = revenue_account(ledger, ProfitPoint.ALIPAY_VALUE_ADDED, amount.currency)
            postings.append(Posting.credit(revenue, quote.commission))
        ledger.post_entry(
            ledger_key,
            postings,
            at=when,
            memo=f"bill payment to {biller.account_id}",
            metadata={"product": "alipay", "operation": "bill_payment", "commission": str(quote.commission.amount)},
        )
    return quote
