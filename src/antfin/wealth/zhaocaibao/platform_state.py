"""Zhaocaibao's records: the live state, the archives of final records, and the undo of one operation.

The platform keeps what its daily work walks (open products, live holdings,
open reservations, pending claims) apart from what is final (matured,
settled or cancelled products and the holdings paid or refunded with them,
filled, expired or cancelled reservations, paid claims, and every answered
request key). Final records go to :class:`~antfin.archive.Archive` fields: in
the books each is a row of its own, read only when its key is asked for.

An operation records what it touches (a copy of each entity before its first
change, and what it adds), checks the invariants of just those entities, and
either archives what became final once the ledger has accepted it or puts
every touched entity back as it was.

>>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
>>> from antfin.calendar import shanghai
>>> zcb = _example_platform()
>>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("4000.00"), at=shanghai(2024, 3, 2))
>>> sorted(zcb._state.keys), list(zcb._state.products)
(['subscribe:o1'], ['ZCB-90'])
>>> _ = zcb.close_sale("ZCB-90", at=shanghai(2024, 3, 8))
>>> _ = zcb.ledger.transfer("fund-bank", debit="asset:bank_settlement", credit="wallet:bank",
...                         amount=CNY("100.00"), at=shanghai(2024, 6, 7))
>>> _ = zcb.mature("ZCB-90", at=shanghai(2024, 6, 7, 9))
>>> list(zcb._state.products), list(zcb._state.done_products), zcb.product("ZCB-90").status.value
([], ['ZCB-90'], 'matured')

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from antfin.archive import Archive
from antfin.chart import zhaocaibao_escrow
from antfin.errors import InvariantViolationError
from antfin.idempotency import IdempotencyRecord, remember, replay
from antfin.ledger import HoldStatus, Ledger
from antfin.wealth.zhaocaibao.claims import ClaimStatus, GuarantorClaim
from antfin.wealth.zhaocaibao.products import Holding, HoldingStatus, Product, ProductStatus
from antfin.wealth.zhaocaibao.reservations import Reservation, ReservationStatus

#: The clearing account reservation holds post into on their way to a product's escrow.
RESERVATIONS_ACCOUNT: Final = "zcb:reservations"

#: Per table of the state: the entity's id attribute and the statuses in which it is final (archived).
_TABLES: Final[dict[type, tuple[str, str, frozenset[Any]]]] = {
    Product: (
        "products",
        "product_id",
        frozenset({ProductStatus.MATURED, ProductStatus.CANCELLED, ProductStatus.GUARANTEE_PAID}),
    ),
    Holding: ("holdings", "holding_id", frozenset({HoldingStatus.PAID, HoldingStatus.REFUNDED})),
    Reservation: (
        "reservations",
        "reservation_id",
        frozenset({ReservationStatus.FILLED, ReservationStatus.EXPIRED, ReservationStatus.CANCELLED}),
    ),
    GuarantorClaim: ("claims", "product_id", frozenset({ClaimStatus.PAID})),
}


def is_final(entity: Product | Holding | Reservation | GuarantorClaim) -> bool:
    """Whether ``entity`` is final: it will never change again, and is kept in an archive.

    >>> from antfin.wealth.zhaocaibao.platform import _example_platform
    >>> is_final(_example_platform().product("ZCB-90"))
    False

    .. versionadded:: 0.2.0
    """
    return entity.status in _TABLES[type(entity)][2]


@attrs.define
class _State:
    # Live records: what daily work walks.
    products: dict[str, Product] = attrs.Factory(dict)
    holdings: dict[str, Holding] = attrs.Factory(dict)
    reservations: dict[str, Reservation] = attrs.Factory(dict)
    claims: dict[str, GuarantorClaim] = attrs.Factory(dict)
    # Final records, read by key (every request key, and the records above once final).
    keys: Archive[str, IdempotencyRecord[str]] = attrs.Factory(Archive)
    done_products: Archive[str, Product] = attrs.Factory(Archive)
    done_holdings: Archive[str, Holding] = attrs.Factory(Archive)
    done_reservations: Archive[str, Reservation] = attrs.Factory(Archive)
    done_claims: Archive[str, GuarantorClaim] = attrs.Factory(Archive)


_T = TypeVar("_T")

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _fields_of(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in attrs.fields(cls))
    return names


def _clone(entity: _T) -> _T:
    """A shallow copy of an attrs entity, field by field (``copy.copy`` of a slotted class is ~10x slower)."""
    clone: _T = object.__new__(type(entity))
    for name in _fields_of(type(entity)):
        object.__setattr__(clone, name, getattr(entity, name))
    return clone


def _restore(entity: object, before: object) -> None:
    # Entities hold only immutable values (tuples, frozensets, Money, datetimes): their fields are their state.
    for name in _fields_of(type(entity)):
        object.__setattr__(entity, name, getattr(before, name))


@attrs.define
class _Journal:
    """What one operation touched: ``(table, id) -> (entity, its copy before the change or None if added)``."""

    touched: dict[tuple[str, str], tuple[Any, Any]] = attrs.Factory(dict)
    keys: dict[str, IdempotencyRecord[str]] = attrs.Factory(dict)


class _Records:
    """The records and the operation undo of :class:`~antfin.wealth.zhaocaibao.platform.Zhaocaibao`."""

    # At run time the mixin adds no instance storage (the public class holds the state).
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:
        _ledger: Ledger
        _state: _State
        _journal: _Journal | None

    # -- one operation ------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Run an operation: all of it, checked on what it touched, or nothing (ledger and platform)."""
        if self._journal is not None:
            yield
            return
        journal = self._journal = _Journal()
        try:
            with self._ledger.atomic():
                yield
                self._check_touched(journal)
        except BaseException:
            self._undo(journal)
            raise
        finally:
            self._journal = None
        self._keep(journal)

    def _touch(self, *entities: Product | Holding | Reservation | GuarantorClaim) -> None:
        """Note ``entities`` before the operation changes them, to put them back if it fails."""
        journal = self._journal
        if journal is None:
            raise InvariantViolationError("Zhaocaibao records change only inside an operation")
        for entity in entities:
            table, id_field, _final = _TABLES[type(entity)]
            where = (table, getattr(entity, id_field))
            if where not in journal.touched:
                journal.touched[where] = (entity, _clone(entity))

    def _add(self, entity: Product | Holding | Reservation | GuarantorClaim) -> None:
        """Add a new live record (removed again if the operation fails)."""
        journal = self._journal
        if journal is None:
            raise InvariantViolationError("Zhaocaibao records change only inside an operation")
        table, id_field, _final = _TABLES[type(entity)]
        key = getattr(entity, id_field)
        getattr(self._state, table)[key] = entity
        journal.touched.setdefault((table, key), (entity, None))

    def _undo(self, journal: _Journal) -> None:
        for (table, key), (entity, before) in reversed(journal.touched.items()):
            if before is None:
                live = getattr(self._state, table)
                if live.get(key) is entity:
                    del live[key]
            else:
                _restore(entity, before)

    def _keep(self, journal: _Journal) -> None:
        """Once the ledger has accepted the operation: archive what became final, and the request keys."""
        state = self._state
        for (table, key), (entity, _before) in journal.touched.items():
            if entity.status in _TABLES[type(entity)][2]:
                live = getattr(state, table)
                if live.get(key) is entity:
                    getattr(state, f"done_{table}")[key] = entity
                    del live[key]
        for key, record in journal.keys.items():
            state.keys[key] = record

    # -- request keys ---------------------------------------------------------------------

    def _replay(self, operation: str, key: str, asked: str) -> str | None:
        name = f"{operation}:{key}"
        journal = self._journal
        records = journal.keys if journal is not None and name in journal.keys else self._state.keys
        return replay(records, name, asked, what=f"{operation} key")

    def _remember(self, operation: str, key: str, asked: str, result_id: str) -> None:
        journal = self._journal
        remember(self._state.keys if journal is None else journal.keys, f"{operation}:{key}", asked, result_id)

    # -- lookups, live or archived ----------------------------------------------------------

    def _find_product(self, product_id: object) -> Product | None:
        if not isinstance(product_id, str):
            return None
        found = self._state.products.get(product_id)
        return self._state.done_products.get(product_id) if found is None else found

    def _find_holding(self, holding_id: object) -> Holding | None:
        if not isinstance(holding_id, str):
            return None
        found = self._state.holdings.get(holding_id)
        return self._state.done_holdings.get(holding_id) if found is None else found

    def _find_reservation(self, reservation_id: object) -> Reservation | None:
        if not isinstance(reservation_id, str):
            return None
        found = self._state.reservations.get(reservation_id)
        return self._state.done_reservations.get(reservation_id) if found is None else found

    def _find_claim(self, product_id: object) -> GuarantorClaim | None:
        if not isinstance(product_id, str):
            return None
        found = self._state.claims.get(product_id)
        return self._state.done_claims.get(product_id) if found is None else found

    def _holding_of(self, holding_id: str) -> Holding:
        found = self._find_holding(holding_id)
        if found is None:
            raise InvariantViolationError(f"Zhaocaibao holding {holding_id!r} is referred to but missing")
        return found

    def _product_of(self, product_id: str) -> Product:
        found = self._find_product(product_id)
        if found is None:
            raise InvariantViolationError(f"Zhaocaibao product {product_id!r} is referred to but missing")
        return found

    # -- invariants -----------------------------------------------------------------------

    def _check_touched(self, journal: _Journal) -> None:
        """The invariants of what an operation touched: its products (and those of its holdings), its reservations."""
        products: dict[str, None] = {}
        for (table, key), (entity, _before) in journal.touched.items():
            if table in {"products", "claims"}:
                products[key] = None
            elif table == "holdings":
                products[entity.product_id] = None
            elif table == "reservations":
                self._check_reservation(entity)
        for product_id in products:
            self._check_product(self._product_of(product_id))
        self._check_clearing()

    def _check_product(self, product: Product) -> None:
        escrow = self._ledger.balance(zhaocaibao_escrow(product.product_id))
        expected = product.sold if product.status is ProductStatus.OPEN else product.sold.currency.zero()
        if escrow != expected:
            raise InvariantViolationError(
                f"escrow of {product.product_id} holds {escrow}, expected {expected} ({product.status.value})"
            )
        held = sum(
            (self._holding_of(hid).original_principal for hid in product.holding_ids),
            product.sold.currency.zero(),
        )
        if held != product.sold:
            raise InvariantViolationError(f"holdings of {product.product_id} sum to {held}, it sold {product.sold}")

    def _check_clearing(self) -> None:
        ledger = self._ledger
        if ledger.has_account(RESERVATIONS_ACCOUNT) and not ledger.balance(RESERVATIONS_ACCOUNT).is_zero():
            raise InvariantViolationError(f"{RESERVATIONS_ACCOUNT} is not empty between operations")

    def _check_reservation(self, reservation: Reservation) -> None:
        if reservation.status is not ReservationStatus.OPEN:
            return
        if reservation.hold_id is None:
            raise InvariantViolationError(f"open reservation {reservation.reservation_id} has no hold")
        hold = self._ledger.get_hold(reservation.hold_id)
        if hold.status is HoldStatus.PENDING and hold.amount != reservation.remaining:
            raise InvariantViolationError(
                f"reservation {reservation.reservation_id} holds {hold.amount}, expected {reservation.remaining}"
            )
