"""Refunds, refund requests and dispute arbitration of an escrow trade, as immutable values.

>>> from antfin.calendar import shanghai
>>> from antfin.payments.refunds import RefundReason, RefundRequest, RequestStatus
>>> request = RefundRequest("R1", CNY("30.00"), RefundReason.NOT_AS_DESCRIBED, shanghai(2024, 5, 3))
>>> request.status is RequestStatus.OPEN, request.is_open
(True, True)

The trade (:class:`~antfin.payments.escrow.EscrowTrade`) creates these; they
are what its refund and dispute methods return.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from antfin.money import Money

__all__ = [
    "Arbitration",
    "Refund",
    "RefundReason",
    "RefundRequest",
    "RefundStage",
    "RequestStatus",
]


class RefundReason(enum.Enum):
    """Why a buyer asks for a refund.

    >>> RefundReason.GOODS_NOT_RECEIVED.value
    'goods_not_received'

    .. versionadded:: 0.1.0
    """

    GOODS_NOT_RECEIVED = "goods_not_received"
    NOT_AS_DESCRIBED = "not_as_described"
    OTHER = "other"


class RefundStage(enum.Enum):
    """Where a refund's money came from: the escrow hold (before release) or the seller's wallet (after).

    >>> RefundStage.FROM_ESCROW.value
    'from_escrow'

    .. versionadded:: 0.1.0
    """

    FROM_ESCROW = "from_escrow"
    FROM_SELLER = "from_seller"


class RequestStatus(enum.Enum):
    """The life of a buyer's refund request (a dispute when the seller refuses).

    ``OPEN`` → ``AGREED`` (seller agrees, refunded) | ``ARBITRATION`` (seller refuses)
    | ``WITHDRAWN`` (buyer gives up); ``ARBITRATION`` → ``ARBITRATED`` | ``WITHDRAWN``
    | ``AGREED``; any open request becomes ``CLOSED`` when the trade closes.

    >>> RequestStatus.ARBITRATION.is_open, RequestStatus.ARBITRATED.is_open
    (True, False)

    .. versionadded:: 0.1.0
    """

    OPEN = "open"
    ARBITRATION = "arbitration"
    AGREED = "agreed"
    ARBITRATED = "arbitrated"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """``True`` while the request is unresolved (it pauses the auto-confirm clock).

        >>> RequestStatus.OPEN.is_open
        True
        """
        return self in (RequestStatus.OPEN, RequestStatus.ARBITRATION)


@attrs.frozen
class Refund:
    """One executed refund, keyed by its ``out_request_no``.

    >>> from antfin.calendar import shanghai
    >>> Refund("R1", CNY("5.00"), shanghai(2024, 5, 3), RefundStage.FROM_ESCROW, CNY("0"), ("escrow:T1:hold:1",)).amount
    Money('5.00', 'CNY')

    Attributes:
        out_request_no: the caller's refund key.
        amount: what went back to the buyer.
        at: when.
        stage: out of escrow (before release) or out of the seller's wallet (after).
        fee_returned: acquiring fee given back to the seller with it (contract setting).
        ledger_ids: ids of the journal entries and holds it created or resolved.
        reason: free text or the request's reason.

    .. versionadded:: 0.1.0
    """

    out_request_no: str
    amount: Money
    at: datetime
    stage: RefundStage
    fee_returned: Money
    ledger_ids: tuple[str, ...]
    reason: str = ""


@attrs.frozen
class RefundRequest:
    """A buyer's refund request (and dispute) in one state; changes make new values.

    >>> from antfin.calendar import shanghai
    >>> RefundRequest("R1", CNY("9.90"), RefundReason.GOODS_NOT_RECEIVED, shanghai(2024, 5, 3)).resolved_at is None
    True

    Attributes:
        out_request_no: the key the refund will use.
        amount: what the buyer asks for.
        reason: why.
        opened_at: when the buyer asked.
        status: where the request stands.
        resolved_at: when it left the open states.

    .. versionadded:: 0.1.0
    """

    out_request_no: str
    amount: Money
    reason: RefundReason
    opened_at: datetime
    status: RequestStatus = RequestStatus.OPEN
    resolved_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """``True`` while unresolved.

        >>> from antfin.calendar import shanghai
        >>> RefundRequest("R1", CNY("1"), RefundReason.OTHER, shanghai(2024, 1, 1)).is_open
        True
        """
        return self.status.is_open


@attrs.frozen
class Arbitration:
    """The platform's split of a disputed amount; the parts add up to it exactly.

    >>> from antfin.calendar import shanghai
    >>> parts = CNY("99.99").allocate([1, 2])
    >>> Arbitration("R1", CNY("99.99"), parts[0], parts[1], shanghai(2024, 5, 9), None).buyer_amount
    Money('33.33', 'CNY')

    Attributes:
        out_request_no: the disputed request.
        disputed: the amount in dispute.
        buyer_amount: refunded to the buyer.
        seller_amount: kept by the seller.
        at: when the platform decided.
        refund: the refund paid to the buyer, if any.

    .. versionadded:: 0.1.0
    """

    out_request_no: str
    disputed: Money
    buyer_amount: Money
    seller_amount: Money
    at: datetime
    refund: Refund | None
