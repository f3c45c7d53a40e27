"""Reservations (预约): standing orders that buy matching new products for one month.

An investor states conditions (a minimum yield, a maximum term, the kinds of
product, an amount) and the money is put on hold. Every product listed in the
next month (dateutil months: a reservation made on 31 January runs to the end
of February) is matched against open reservations first-come by reservation
time, partial fills allowed, until it is full. An unmatched remainder expires
at the exact instant one month after the reservation and its hold is released.

>>> from antfin.calendar import shanghai
>>> from antfin.rates import Rate
>>> criteria = ReservationCriteria(min_yield=Rate.percent("4"), max_term_days=180)
>>> expiry_of(shanghai(2024, 1, 31, 10)).isoformat()
'2024-02-29T10:00:00+08:00'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final

import attrs

from antfin.calendar import add_months_at, ensure_aware, shanghai
from antfin.decisions import Decision, Reason
from antfin.errors import InvalidTransitionError
from antfin.money import CNY, Money
from antfin.rates import Rate
from antfin.validators import attribute, check_int, check_rate
from antfin.wealth.zhaocaibao.products import Product, ProductKind, Transition

__all__ = [
    "Reservation",
    "ReservationCriteria",
    "ReservationFill",
    "ReservationStatus",
    "expiry_of",
]


def expiry_of(reserved_at: datetime, months: int = 1) -> datetime:
    """The instant a reservation made at ``reserved_at`` expires: ``months`` later, in Shanghai time.

    Month arithmetic is dateutil's: a day past the end of the month clamps to it.

    >>> from antfin.calendar import shanghai
    >>> expiry_of(shanghai(2023, 1, 31, 9, 30)).isoformat()
    '2023-02-28T09:30:00+08:00'
    >>> expiry_of(shanghai(2024, 3, 15)).isoformat()
    '2024-04-15T00:00:00+08:00'

    Raises:
        antfin.errors.InvalidTimeError: for a naive datetime.

    .. versionadded:: 0.1.0
    """
    return add_months_at(ensure_aware(reserved_at, "reserved_at"), months)


def _kinds(value: Iterable[ProductKind]) -> frozenset[ProductKind]:
    if isinstance(value, ProductKind | str) or not isinstance(value, Iterable):
        raise TypeError(f"kinds must be a set of ProductKind members, not {type(value).__name__}")
    kinds = frozenset(value)
    for kind in kinds:
        if not isinstance(kind, ProductKind):
            raise TypeError(f"kinds must contain ProductKind members, not {type(kind).__name__}")
    return kinds


@attrs.frozen
class ReservationCriteria:
    """The conditions a new product must meet to fill a reservation.

    >>> from antfin.calendar import shanghai
    >>> from antfin.wealth.zhaocaibao.products import ProductTerms, ProductKind, Product
    >>> terms = ProductTerms(
    ...     product_id="P", issuer="bank", guarantor="ins", kind=ProductKind.BANK, amount=CNY("10000.00"),
    ...     term_days=90, annual_yield=Rate.percent("4.2"),
    ...     sale_start=shanghai(2024, 3, 1), sale_end=shanghai(2024, 3, 8))
    >>> product = Product(terms, listed_at=shanghai(2024, 3, 1))
    >>> ReservationCriteria(min_yield=Rate.percent("4"), max_term_days=180).evaluate(product).approved
    True
    >>> decision = ReservationCriteria(Rate.percent("4.5"), 60, kinds=[ProductKind.INSURANCE]).evaluate(product)
    >>> [(reason.rule, reason.actual) for reason in decision.failed_reasons]
    [('min_yield', '4.2%'), ('max_term_days', '90'), ('kinds', 'bank')]

    Args:
        min_yield: the lowest acceptable expected annual yield.
        max_term_days: the longest acceptable term in days.
        kinds: the acceptable kinds; empty means any kind.

    Raises:
        TypeError: for a field of the wrong type.
        antfin.errors.InvalidAmountError: for a term below one day.

    .. versionadded:: 0.1.0
    """

    min_yield: Rate = attrs.field(validator=attribute(check_rate))
    max_term_days: int = attrs.field(validator=attribute(check_int, at_least=1))
    kinds: frozenset[ProductKind] = attrs.field(default=frozenset(), converter=_kinds)

    def evaluate(self, product: Product) -> Decision:
        """Check ``product`` against these conditions: the project's one :class:`~antfin.decisions.Decision`.

        The product matches when the decision is approved; each reason names a condition.

        >>> from antfin.wealth.zhaocaibao.products import _example_terms
        >>> example = Product(_example_terms(), listed_at=_example_terms().sale_start)
        >>> print(ReservationCriteria(Rate.percent("5"), 365).evaluate(example).explain())
        reservation criteria for ZCB-1: declined
          [fail] min_yield: threshold 5%, actual 4.5%
          [pass] max_term_days: threshold 365, actual 90
          [pass] kinds: threshold any, actual bank

        .. versionchanged:: 0.3.0
           Returns a :class:`~antfin.decisions.Decision` (``approved``) instead of ``MatchDecision`` (``matched``).
        """
        terms = product.terms
        kinds = ", ".join(sorted(kind.value for kind in self.kinds)) if self.kinds else "any"
        return Decision.of(
            f"reservation criteria for {terms.product_id}",
            (
                Reason("min_yield", str(self.min_yield), str(terms.annual_yield), terms.annual_yield >= self.min_yield),
                Reason(
                    "max_term_days",
                    str(self.max_term_days),
                    str(product.term_days),
                    product.term_days <= self.max_term_days,
                ),
                Reason("kinds", kinds, terms.kind.value, not self.kinds or terms.kind in self.kinds),
            ),
        )


class ReservationStatus(enum.Enum):
    """The life of a reservation.

    >>> [status.value for status in ReservationStatus]
    ['open', 'filled', 'expired', 'cancelled']

    .. versionadded:: 0.1.0
    """

    OPEN = "open"
    FILLED = "filled"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


_MOVES: Final[Mapping[ReservationStatus, frozenset[ReservationStatus]]] = {
    ReservationStatus.OPEN: frozenset(
        {ReservationStatus.OPEN, ReservationStatus.FILLED, ReservationStatus.EXPIRED, ReservationStatus.CANCELLED}
    ),
    ReservationStatus.FILLED: frozenset(),
    ReservationStatus.EXPIRED: frozenset(),
    ReservationStatus.CANCELLED: frozenset(),
}


@attrs.frozen
class ReservationFill:
    """One purchase a reservation made: the product, the holding and the amount.

    >>> ReservationFill("ZCB-2", "zcb-h-1", CNY("3000.00")).amount
    Money('3000.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    product_id: str
    holding_id: str
    amount: Money


@attrs.define(eq=False)
class Reservation:
    """An investor's standing order (a lifecycle entity; see :meth:`transition`).

    ``hold_id`` is the ledger hold currently reserving the unfilled amount.

    >>> from antfin.calendar import shanghai
    >>> reservation = Reservation(
    ...     "r1", "alice", CNY("5000.00"), ReservationCriteria(Rate.percent("4"), 180),
    ...     reserved_at=shanghai(2024, 1, 31, 10), expires_at=expiry_of(shanghai(2024, 1, 31, 10)), hold_id="h")
    >>> reservation.remaining, reservation.is_active(shanghai(2024, 2, 29, 9, 59))
    (Money('5000.00', 'CNY'), True)
    >>> reservation.is_active(shanghai(2024, 2, 29, 10))
    False

    .. versionadded:: 0.1.0
    """

    reservation_id: str
    investor: str
    amount: Money
    criteria: ReservationCriteria
    reserved_at: datetime
    expires_at: datetime
    hold_id: str | None
    status: ReservationStatus = ReservationStatus.OPEN
    fills: tuple[ReservationFill, ...] = ()
    hold_ids: tuple[str, ...] = attrs.field(
        default=attrs.Factory(lambda self: (self.hold_id,) if self.hold_id else (), takes_self=True)
    )
    history: tuple[Transition, ...] = ()

    @property
    def filled(self) -> Money:
        """What the reservation has bought so far.

        >>> _example_reservation().filled
        Money('0.00', 'CNY')
        """
        return sum((fill.amount for fill in self.fills), self.amount.currency.zero())

    @property
    def remaining(self) -> Money:
        """What it may still buy.

        >>> _example_reservation().remaining
        Money('5000.00', 'CNY')
        """
        return self.amount - self.filled

    def is_active(self, at: datetime) -> bool:
        """``True`` when open at ``at``: made at or before it and expiring strictly after it.

        >>> from antfin.calendar import shanghai
        >>> _example_reservation().is_active(shanghai(2024, 1, 31, 9))
        False
        """
        ensure_aware(at, "at")
        return self.status is ReservationStatus.OPEN and self.reserved_at <= at < self.expires_at

    def transition(
        self,
        to: ReservationStatus,
        at: datetime,
        *,
        fill: ReservationFill | None = None,
        hold_id: str | None = None,
    ) -> Reservation:
        """Record a fill and/or a status change at ``at``; the only way a reservation changes.

        ``fill`` adds a purchase (the status stays ``OPEN`` or becomes ``FILLED``);
        ``hold_id`` is the hold that now reserves the remainder (``None`` once
        nothing is reserved).

        >>> from antfin.calendar import shanghai
        >>> reservation = _example_reservation()
        >>> _ = reservation.transition(ReservationStatus.EXPIRED, shanghai(2024, 2, 29, 10), hold_id=None)
        >>> reservation.transition(ReservationStatus.CANCELLED, shanghai(2024, 3, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: reservation r1 is expired; it cannot become cancelled

        Raises:
            antfin.errors.InvalidTransitionError: for a move the lifecycle forbids or
                a fill beyond the remaining amount.
        """
        ensure_aware(at, "at")
        if to not in _MOVES[self.status]:
            raise InvalidTransitionError(
                f"reservation {self.reservation_id} is {self.status.value}; it cannot become {to.value}"
            )
        if fill is not None and fill.amount > self.remaining:
            raise InvalidTransitionError(
                f"reservation {self.reservation_id} cannot fill {fill.amount}; only {self.remaining} remains"
            )
        if fill is not None:
            self.fills = (*self.fills, fill)
        if hold_id is not None and hold_id not in self.hold_ids:
            self.hold_ids = (*self.hold_ids, hold_id)
        self.hold_id = hold_id
        self.history = (*self.history, Transition(self.status.value, to.value, at))
        self.status = to
        return self


def _example_reservation() -> Reservation:
    at = shanghai(2024, 1, 31, 10)
    return Reservation(
        "r1", "alice", CNY("5000.00"), ReservationCriteria(Rate.percent("4"), 180), at, expiry_of(at), hold_id="h"
    )
