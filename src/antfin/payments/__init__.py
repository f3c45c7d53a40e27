"""Alipay payments: accounts and wallets, fees, and the escrow trade with refunds and disputes.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import Ledger
>>> from antfin.payments import Account
>>> Account.open(Ledger(), "alice", opened_at=shanghai(2024, 5, 1)).wallet_id
'wallet:alice'

.. versionadded:: 0.1.0
"""

from antfin.payments.account import BANK_SETTLEMENT, Account, AccountEvent, AccountType, Withdrawal
from antfin.payments.bills import pay_bill
from antfin.payments.escrow import (
    LEGAL_ACTIONS,
    EscrowDesk,
    EscrowFunding,
    EscrowPolicy,
    EscrowTrade,
    GoodsType,
    Release,
    ReleaseListener,
    TradeAction,
    TradeStatus,
    Transition,
)
from antfin.payments.fees import (
    DEFAULT_ACQUIRING_FEES,
    AcquiringFeeSchedule,
    AcquiringFeeTable,
    BillPaymentFeePolicy,
    BillPaymentQuote,
    MerchantCategory,
    WithdrawalFeePolicy,
    WithdrawalFeeQuote,
)
from antfin.payments.float_interest import FloatInterestAccrual, FloatInterestPolicy, accrue_float_interest
from antfin.payments.limits import AccountClassPolicy, ClassLimit, LimitPeriod, RealNameLevel
from antfin.payments.refunds import Arbitration, Refund, RefundReason, RefundRequest, RefundStage, RequestStatus
from antfin.payments.timeouts import PaymentTimeout

__all__ = [
    "BANK_SETTLEMENT",
    "DEFAULT_ACQUIRING_FEES",
    "LEGAL_ACTIONS",
    "Account",
    "AccountClassPolicy",
    "AccountEvent",
    "AccountType",
    "AcquiringFeeSchedule",
    "AcquiringFeeTable",
    "Arbitration",
    "BillPaymentFeePolicy",
    "BillPaymentQuote",
    "ClassLimit",
    "EscrowDesk",
    "EscrowFunding",
    "EscrowPolicy",
    "EscrowTrade",
    "FloatInterestAccrual",
    "FloatInterestPolicy",
    "GoodsType",
    "LimitPeriod",
    "MerchantCategory",
    "PaymentTimeout",
    "RealNameLevel",
    "Refund",
    "RefundReason",
    "RefundRequest",
    "RefundStage",
    "Release",
    "ReleaseListener",
    "RequestStatus",
    "TradeAction",
    "TradeStatus",
    "Transition",
    "Withdrawal",
    "WithdrawalFeePolicy",
    "WithdrawalFeeQuote",
    "accrue_float_interest",
    "pay_bill",
]
