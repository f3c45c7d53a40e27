"""Guarantor claims: when an issuer defaults, its insurer pays the holders.

Zhaocaibao replaced guarantee companies with insurers (用保险代替担保公司担保).
When an issuer does not repay, a claim is filed against the guarantor; the
guarantor has 30 days to confirm it and then pays within 3 days (cfg:
:class:`ClaimPolicy`) principal plus the expected interest to maturity.

>>> from antfin.calendar import shanghai
>>> claim = GuarantorClaim("ZCB-1", "insurer", CNY("10110.95"), filed_at=shanghai(2024, 6, 7))
>>> claim.confirm_by.isoformat()
'2024-07-07T00:00:00+08:00'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from antfin.calendar import ensure_aware, shanghai
from antfin.errors import InvalidAmountError, InvalidTimeError, InvalidTransitionError
from antfin.money import CNY, Money
from antfin.wealth.zhaocaibao.products import Transition

__all__ = ["DEFAULT_CLAIM_POLICY", "ClaimPolicy", "ClaimStatus", "GuarantorClaim"]


def _positive_delta(_instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, timedelta):
        raise TypeError(f"{attribute.name} must be a timedelta, not {type(value).__name__}")
    if value <= timedelta(0):
        raise InvalidAmountError(f"{attribute.name} must be positive, got {value}")


@attrs.frozen
class ClaimPolicy:
    """The guarantor's deadlines (cfg).

    >>> ClaimPolicy().confirm_within.days, ClaimPolicy().pay_within.days
    (30, 3)

    Args:
        confirm_within: how long the guarantor has to confirm a claim after it is filed.
        pay_within: how long it has to pay after confirming.

    Raises:
        TypeError: when a deadline is not a timedelta.
        antfin.errors.InvalidAmountError: for a deadline that is not positive.

    .. versionadded:: 0.1.0
    """

    confirm_within: timedelta = attrs.field(default=timedelta(days=30), validator=_positive_delta)
    pay_within: timedelta = attrs.field(default=timedelta(days=3), validator=_positive_delta)


#: 30 days to confirm, 3 days to pay (cfg).
DEFAULT_CLAIM_POLICY: Final = ClaimPolicy()


class ClaimStatus(enum.Enum):
    """The life of a claim.

    >>> [status.value for status in ClaimStatus]
    ['filed', 'confirmed', 'paid']

    .. versionadded:: 0.1.0
    """

    FILED = "filed"
    CONFIRMED = "confirmed"
    PAID = "paid"


_MOVES: Final[Mapping[ClaimStatus, ClaimStatus | None]] = {
    ClaimStatus.FILED: ClaimStatus.CONFIRMED,
    ClaimStatus.CONFIRMED: ClaimStatus.PAID,
    ClaimStatus.PAID: None,
}


@attrs.define(eq=False)
class GuarantorClaim:
    """A claim against a product's guarantor (a lifecycle entity; see :meth:`transition`).

    ``amount`` is what the guarantor owes: principal plus expected interest.

    >>> from antfin.calendar import shanghai
    >>> claim = _example_claim()
    >>> _ = claim.transition(ClaimStatus.CONFIRMED, shanghai(2024, 6, 20))
    >>> claim.pay_by.isoformat(), claim.is_overdue(shanghai(2024, 6, 23, 0, 0, 1))
    ('2024-06-23T00:00:00+08:00', True)

    .. versionadded:: 0.1.0
    """

    product_id: str
    guarantor: str
    amount: Money
    filed_at: datetime
    policy: ClaimPolicy = DEFAULT_CLAIM_POLICY
    status: ClaimStatus = ClaimStatus.FILED
    confirmed_at: datetime | None = None
    paid_at: datetime | None = None
    history: tuple[Transition, ...] = ()

    @property
    def confirm_by(self) -> datetime:
        """The last instant to confirm: filing time plus ``confirm_within``.

        >>> _example_claim().confirm_by.isoformat()
        '2024-07-07T00:00:00+08:00'
        """
        return self.filed_at + self.policy.confirm_within

    @property
    def pay_by(self) -> datetime | None:
        """The last instant to pay: confirmation time plus ``pay_within`` (``None`` until confirmed).

        >>> _example_claim().pay_by is None
        True
        """
        return None if self.confirmed_at is None else self.confirmed_at + self.policy.pay_within

    def is_overdue(self, at: datetime) -> bool:
        """``True`` when a deadline passed at ``at`` without the step being done.

        >>> from antfin.calendar import shanghai
        >>> _example_claim().is_overdue(shanghai(2024, 7, 7)), _example_claim().is_overdue(shanghai(2024, 7, 8))
        (False, True)
        """
        ensure_aware(at, "at")
        if self.status is ClaimStatus.FILED:
            return at > self.confirm_by
        if self.status is ClaimStatus.CONFIRMED:
            pay_by = self.pay_by
            return pay_by is not None and at > pay_by
        return False

    def transition(self, to: ClaimStatus, at: datetime) -> GuarantorClaim:
        """Confirm or pay the claim at ``at``; the only way a claim changes.

        >>> from antfin.calendar import shanghai
        >>> _example_claim().transition(ClaimStatus.PAID, shanghai(2024, 6, 8))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: claim on ZCB-1 is filed; it cannot become paid (expected confirmed)

        Raises:
            antfin.errors.InvalidTransitionError: for a step out of order.
            antfin.errors.InvalidTimeError: for an instant before the previous step.
        """
        ensure_aware(at, "at")
        expected = _MOVES[self.status]
        if to is not expected:
            wanted = expected.value if expected is not None else "nothing (final state)"
            raise InvalidTransitionError(
                f"claim on {self.product_id} is {self.status.value}; it cannot become {to.value} (expected {wanted})"
            )
        previous = self.history[-1].at if self.history else self.filed_at
        if at < previous:
            raise InvalidTimeError(
                f"at {at.isoformat()} is before the claim's last step at {previous.isoformat()}; expected later"
            )
        if to is ClaimStatus.CONFIRMED:
            self.confirmed_at = at
        else:
            self.paid_at = at
        self.history = (*self.history, Transition(self.status.value, to.value, at))
        self.status = to
        return self


def _example_claim() -> GuarantorClaim:
    return GuarantorClaim("ZCB-1", "insurer", CNY("10110.95"), filed_at=shanghai(2024, 6, 7))
