"""Zhaocaibao (招财宝): fixed-term products, 变现 (liquidation), 预约 (reservations) and the 0.2% fee.

>>> from antfin.wealth.zhaocaibao import transfer_fee
>>> transfer_fee(CNY("1002.50"))
Money('2.01', 'CNY')

.. versionadded:: 0.1.0
"""

from antfin.wealth.zhaocaibao.claims import DEFAULT_CLAIM_POLICY, ClaimPolicy, ClaimStatus, GuarantorClaim
from antfin.wealth.zhaocaibao.fees import DEFAULT_TRANSFER_FEE_POLICY, TransferFeePolicy, transfer_fee
from antfin.wealth.zhaocaibao.platform import Payout, PayoutLine, SettlementReport, Zhaocaibao, ZhaocaibaoConfig
from antfin.wealth.zhaocaibao.products import (
    DEFAULT_INVESTOR_CAP,
    Holding,
    HoldingStatus,
    Product,
    ProductKind,
    ProductStatus,
    ProductTerms,
    TransferSlice,
    Transition,
    UnsoldPolicy,
    interest_for,
)
from antfin.wealth.zhaocaibao.reservations import (
    Reservation,
    ReservationCriteria,
    ReservationFill,
    ReservationStatus,
    expiry_of,
)

__all__ = [
    "DEFAULT_CLAIM_POLICY",
    "DEFAULT_INVESTOR_CAP",
    "DEFAULT_TRANSFER_FEE_POLICY",
    "ClaimPolicy",
    "ClaimStatus",
    "GuarantorClaim",
    "Holding",
    "HoldingStatus",
    "Payout",
    "PayoutLine",
    "Product",
    "ProductKind",
    "ProductStatus",
    "ProductTerms",
    "Reservation",
    "ReservationCriteria",
    "ReservationFill",
    "ReservationStatus",
    "SettlementReport",
    "TransferFeePolicy",
    "TransferSlice",
    "Transition",
    "UnsoldPolicy",
    "Zhaocaibao",
    "ZhaocaibaoConfig",
    "expiry_of",
    "interest_for",
    "transfer_fee",
]
