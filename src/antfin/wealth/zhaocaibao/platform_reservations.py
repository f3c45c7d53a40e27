"""Zhaocaibao's reservations (预约): money set aside to buy a matching product within the reservation period,
filled when one is listed, cancelled or expired otherwise.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from antfin.calendar import ensure_aware
from antfin.errors import (
    IdempotencyConflictError,
    InvalidTransitionError,
    InvariantViolationError,
    PolicyViolationError,
)
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.ledger import AccountKind, HoldStatus
from antfin.money import Money
from antfin.validators import check_key, check_positive
from antfin.wealth.zhaocaibao import platform as _platform
from antfin.wealth.zhaocaibao.platform_state import RESERVATIONS_ACCOUNT, _Records
from antfin.wealth.zhaocaibao.products import (
    Holding,
    Product,
)
from antfin.wealth.zhaocaibao.reservations import (
    Reservation,
    ReservationCriteria,
    ReservationFill,
    ReservationStatus,
    expiry_of,
)


class _Reservations(_Records):
    """Reservations of :class:`~antfin.wealth.zhaocaibao.platform.Zhaocaibao`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:

        def _add_holding(
            self,
            product: Product,
            holding_id: str,
            investor: str,
            amount: Money,
            at: datetime,
            reservation_id: str | None,
        ) -> Holding: ...

        _config: _platform.ZhaocaibaoConfig

        def _issue(self, product: Product, at: datetime) -> None: ...

        def _need_wallet(self, party: str, field: str) -> str: ...

        @staticmethod
        def escrow(product_id: str) -> str: ...
        def reservation(self, reservation_id: str) -> Reservation: ...
        @staticmethod
        def wallet(party: str) -> str: ...

    def reserve(
        self, key: str, investor: str, amount: Money, criteria: ReservationCriteria, *, at: datetime
    ) -> Reservation:
        """Put ``amount`` on hold in the investor's wallet to buy matching new products for a month.

        The reservation's id is ``key``. The hold expires with the reservation
        (dateutil months: 31 January → the end of February, same time of day).

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
        >>> from antfin.calendar import shanghai
        >>> from antfin.rates import Rate
        >>> zcb = _example_platform()
        >>> r = zcb.reserve("r1", "alice", CNY("3000.00"), ReservationCriteria(Rate.percent("4"), 120),
        ...                 at=shanghai(2024, 1, 31, 10))
        >>> r.expires_at.isoformat(), zcb.ledger.available("wallet:alice")
        ('2024-02-29T10:00:00+08:00', Money('17000.00', 'CNY'))

        Raises:
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
            antfin.errors.NotFoundError: the investor has no wallet.
            antfin.errors.InsufficientFundsError: the wallet's available balance is too small.
        """
        key = check_key(key)
        money = check_positive(amount)
        if not isinstance(criteria, ReservationCriteria):
            raise TypeError(f"criteria must be ReservationCriteria, not {type(criteria).__name__}")
        at = ensure_aware(at, "at")
        fingerprint = request_fingerprint("reserve", investor, money, criteria)
        replayed = self._replay("reserve", key, fingerprint)
        if replayed is not None:
            return self.reservation(replayed)
        if self._find_reservation(key) is not None:
            raise IdempotencyConflictError(f"reservation id {key!r} already exists; use a new key")
        wallet = self._need_wallet(investor, "investor")
        expires_at = expiry_of(at, self._config.reservation_months)
        with self._transaction():
            self._open_clearing(money)
            hold = self._ledger.hold(
                f"zcb:reservation:{key}:hold:0",
                debit=wallet,
                credit=RESERVATIONS_ACCOUNT,
                amount=money,
                at=at,
                expires_at=expires_at,
                memo=f"reservation {key}",
                metadata={"product": "zhaocaibao", "reservation": key},
            )
            reservation = Reservation(key, investor, money, criteria, at, expires_at, hold_id=hold.id)
            self._add(reservation)
            self._remember("reserve", key, fingerprint, key)
        return reservation

    def _open_clearing(self, money: Money) -> None:
        self._ledger.open_account(
            RESERVATIONS_ACCOUNT,
            AccountKind.LIABILITY,
            currency=money.currency,
            non_negative=True,
            purpose="Zhaocaibao reservation clearing",
            metadata={"product": "zhaocaibao"},
        )

    def cancel_reservation(self, reservation_id: str, *, at: datetime) -> Reservation:
        """Cancel an open reservation and release its hold.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
        >>> from antfin.calendar import shanghai
        >>> from antfin.rates import Rate
        >>> zcb = _example_platform()
        >>> _ = zcb.reserve("r1", "alice", CNY("3000.00"), ReservationCriteria(Rate.percent("4"), 120),
        ...                 at=shanghai(2024, 2, 1))
        >>> zcb.cancel_reservation("r1", at=shanghai(2024, 2, 2)).status.value, zcb.ledger.pending("wallet:alice")
        ('cancelled', Money('0.00', 'CNY'))

        Raises:
            antfin.errors.NotFoundError: unknown reservation.
            antfin.errors.InvalidTransitionError: not open, or already past its expiry.
        """
        reservation = self.reservation(reservation_id)
        at = ensure_aware(at, "at")
        if not reservation.is_active(at):
            raise InvalidTransitionError(
                f"reservation {reservation_id} is {reservation.status.value} and expires "
                f"{reservation.expires_at.isoformat()}; only an active one can be cancelled at {at.isoformat()}"
            )
        with self._transaction():
            self._touch(reservation)
            if reservation.hold_id is not None:
                self._ledger.void_hold(f"zcb:reservation:{reservation_id}:cancel", reservation.hold_id, at=at)
            reservation.transition(ReservationStatus.CANCELLED, at, hold_id=None)
        return reservation

    def expire_reservations(self, at: datetime) -> tuple[Reservation, ...]:
        """Expire every open reservation whose month ended at or before ``at``; its hold is released once.

        The holds are expired by :meth:`Ledger.expire_holds <antfin.ledger.Ledger.expire_holds>`,
        which also expires any other hold past its expiry (they can no longer be
        posted anyway). Calling again expires nothing more.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
        >>> from antfin.calendar import shanghai
        >>> from antfin.rates import Rate
        >>> zcb = _example_platform()
        >>> _ = zcb.reserve("r1", "alice", CNY("3000.00"), ReservationCriteria(Rate.percent("4"), 120),
        ...                 at=shanghai(2024, 2, 1, 9))
        >>> zcb.expire_reservations(shanghai(2024, 3, 1, 8, 59, 59))
        ()
        >>> [r.reservation_id for r in zcb.expire_reservations(shanghai(2024, 3, 1, 9))]
        ['r1']
        >>> zcb.expire_reservations(shanghai(2024, 3, 2)), zcb.ledger.available("wallet:alice")
        ((), Money('20000.00', 'CNY'))
        """
        at = ensure_aware(at, "at")
        with self._transaction():
            expired = self._expire_due(at)
        return expired

    def _expire_due(self, at: datetime) -> tuple[Reservation, ...]:
        due = [
            r for r in self._state.reservations.values() if r.status is ReservationStatus.OPEN and r.expires_at <= at
        ]
        if not due:
            return ()
        self._ledger.expire_holds(at)
        for reservation in due:
            if reservation.hold_id is not None:
                hold = self._ledger.get_hold(reservation.hold_id)
                if hold.status is not HoldStatus.EXPIRED:
                    raise InvariantViolationError(
                        f"reservation {reservation.reservation_id}'s hold {hold.id} is {hold.status.value} at expiry"
                    )
            self._touch(reservation)
            reservation.transition(ReservationStatus.EXPIRED, reservation.expires_at, hold_id=None)
        return tuple(due)

    def _match(self, product: Product, at: datetime) -> None:
        """Fill a newly listed product from active reservations, oldest first."""
        queue = sorted(
            (r for r in self._state.reservations.values() if r.is_active(at)),
            key=lambda r: r.reserved_at,
        )
        for reservation in queue:
            if product.remaining.is_zero():
                break
            if not reservation.criteria.evaluate(product).approved:
                continue
            if reservation.amount.currency != product.terms.amount.currency:
                continue
            fill = min(reservation.remaining, product.remaining)
            try:
                product.check_subscription(reservation.investor, fill)
            except PolicyViolationError:
                continue
            self._fill(reservation, product, fill, at)
        if product.remaining.is_zero():
            self._issue(product, at)

    def _fill(self, reservation: Reservation, product: Product, fill: Money, at: datetime) -> None:
        rid, pid = reservation.reservation_id, product.product_id
        self._touch(reservation)
        if reservation.hold_id is None:
            raise InvariantViolationError(f"open reservation {rid} has no hold")
        base = f"zcb:reservation:{rid}:fill:{pid}"
        self._ledger.post_hold(base, reservation.hold_id, at=at, amount=fill)
        self._ledger.transfer(
            f"{base}:escrow",
            debit=RESERVATIONS_ACCOUNT,
            credit=self.escrow(pid),
            amount=fill,
            at=at,
            memo=f"reservation {rid} buys {pid}",
            metadata={"product": "zhaocaibao", "reservation": rid, "product_id": pid},
        )
        holding = self._add_holding(product, f"{rid}@{pid}", reservation.investor, fill, at, reservation_id=rid)
        rest = reservation.remaining - fill
        new_hold: str | None = None
        if rest.is_positive():
            new_hold = self._ledger.hold(
                f"zcb:reservation:{rid}:hold:{len(reservation.hold_ids)}",
                debit=self.wallet(reservation.investor),
                credit=RESERVATIONS_ACCOUNT,
                amount=rest,
                at=at,
                expires_at=reservation.expires_at,
                memo=f"reservation {rid} (rest)",
                metadata={"product": "zhaocaibao", "reservation": rid},
            ).id
        reservation.transition(
            ReservationStatus.OPEN if rest.is_positive() else ReservationStatus.FILLED,
            at,
            fill=ReservationFill(pid, holding.holding_id, fill),
            hold_id=new_hold,
        )
