"""The Zhaocaibao platform on the ledger: listings, subscriptions, 变现, 预约, maturity and claims.

Products never move money themselves: :class:`Zhaocaibao` decides, then posts
to a :class:`~antfin.ledger.Ledger`. Accounts it uses:

* ``wallet:<party>``: investors', issuers' and guarantors' wallets (liability
  accounts the caller opens, investors' with ``non_negative=True``);
* ``zcb:escrow:<product_id>``: money subscribed to a product until it issues
  (opened by the platform);
* ``zcb:reservations``: a clearing account reservation holds post through
  (always back to zero after each operation);
* the revenue account of ``ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE`` for the 0.2% fee.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> from antfin.rates import Rate
>>> from antfin.wealth.zhaocaibao import ProductKind, ProductTerms, Zhaocaibao
>>> ledger = Ledger()
>>> _ = ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
>>> for party in ("alice", "bank", "insurer"):
...     _ = ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("top-up:alice", debit="asset:bank_settlement", credit="wallet:alice",
...                     amount=CNY("20000.00"), at=shanghai(2024, 3, 1))
>>> zcb = Zhaocaibao(ledger)
>>> product = zcb.list_product(ProductTerms(
...     product_id="ZCB-90", issuer="bank", guarantor="insurer", kind=ProductKind.BANK,
...     amount=CNY("10000.00"), term_days=90, annual_yield=Rate.percent("4.5"),
...     sale_start=shanghai(2024, 3, 1), sale_end=shanghai(2024, 3, 8)), at=shanghai(2024, 3, 1))
>>> holding = zcb.subscribe("order-1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
>>> zcb.product("ZCB-90").status.value, str(zcb.product("ZCB-90").maturity_date)
('issued', '2024-05-31')
>>> ledger.balance("wallet:bank"), ledger.balance("wallet:alice")
(Money('10000.00', 'CNY'), Money('10000.00', 'CNY'))

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final, TypeVar

import attrs

from antfin.calendar import shanghai
from antfin.chart import BANK_SETTLEMENT, wallet, zhaocaibao_escrow
from antfin.errors import (
    InvalidAmountError,
    InvariantViolationError,
    NotFoundError,
    SerializationError,
)
from antfin.idempotency import IdempotencyRecord, remember, replay
from antfin.ledger import AccountKind, HoldStatus, Ledger
from antfin.money import CNY, Money
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.claims import DEFAULT_CLAIM_POLICY, ClaimPolicy, GuarantorClaim
from antfin.wealth.zhaocaibao.fees import DEFAULT_TRANSFER_FEE_POLICY, TransferFeePolicy
from antfin.wealth.zhaocaibao.platform_liquidity import _Liquidity
from antfin.wealth.zhaocaibao.platform_maturity import _Maturity
from antfin.wealth.zhaocaibao.platform_reservations import _Reservations
from antfin.wealth.zhaocaibao.platform_sales import _Sales
from antfin.wealth.zhaocaibao.products import (
    Holding,
    Product,
    ProductKind,
    ProductStatus,
    ProductTerms,
    UnsoldPolicy,
)
from antfin.wealth.zhaocaibao.reservations import (
    Reservation,
    ReservationStatus,
)

__all__ = ["Payout", "PayoutLine", "SettlementReport", "Zhaocaibao", "ZhaocaibaoConfig"]

#: The clearing account reservation holds post into on their way to a product's escrow.
RESERVATIONS_ACCOUNT: Final = "zcb:reservations"


def _kinds(value: Any) -> frozenset[ProductKind]:
    kinds = frozenset(value)
    for kind in kinds:
        if not isinstance(kind, ProductKind):
            raise TypeError(f"fee_payer_kinds must contain ProductKind members, not {type(kind).__name__}")
    return kinds


def _check_type(kind: type) -> Any:
    def check(_instance: Any, attribute: Any, value: Any) -> None:
        if isinstance(value, bool) and kind is int:
            raise TypeError(f"{attribute.name} must be an int, not bool")
        if not isinstance(value, kind):
            raise TypeError(f"{attribute.name} must be a {kind.__name__}, not {type(value).__name__}")

    return check


def _positive(_instance: Any, attribute: Any, value: Any) -> None:
    if value < 1:
        raise InvalidAmountError(f"{attribute.name} must be at least 1, got {value}")


@attrs.frozen
class ZhaocaibaoConfig:
    """Platform settings (every field is cfg, with the case study's numbers as defaults).

    >>> config = ZhaocaibaoConfig()
    >>> str(config.fee.rate), sorted(kind.value for kind in config.fee_payer_kinds)
    ('0.2%', ['pledged_loan', 'sme_loan', 'transfer'])
    >>> config.reservation_months, config.transfer_sale_days, config.partial_liquidation
    (1, 3, True)

    Args:
        fee: the 0.2% fee policy (rate and rounding).
        fee_payer_kinds: issuers of these kinds pay the fee on what they raise,
            when the product issues: borrowers (SME loans and 变现 borrowings,
            借款人) and transferors (变现 transfers, 转让人), as the case study says.
        claim: the guarantor's deadlines (30 days to confirm, 3 to pay).
        reservation_months: how long a reservation stays open (one month).
        partial_liquidation: whether a holder may cash out part of a holding.
        transfer_sale_days: the sale window of a transfer product, in days
            (shortened so the sale closes before the day ahead of maturity).
        transfer_unsold: what happens to an unsold transfer product at the end of its window.

    Raises:
        TypeError: for a field of the wrong type.
        antfin.errors.InvalidAmountError: for a period below one.

    .. versionadded:: 0.1.0
    """

    fee: TransferFeePolicy = attrs.field(default=DEFAULT_TRANSFER_FEE_POLICY, validator=_check_type(TransferFeePolicy))
    fee_payer_kinds: frozenset[ProductKind] = attrs.field(
        default=frozenset({ProductKind.SME_LOAN, ProductKind.TRANSFER, ProductKind.PLEDGED_LOAN}), converter=_kinds
    )
    claim: ClaimPolicy = attrs.field(default=DEFAULT_CLAIM_POLICY, validator=_check_type(ClaimPolicy))
    reservation_months: int = attrs.field(default=1, validator=[_check_type(int), _positive])
    partial_liquidation: bool = attrs.field(default=True, validator=_check_type(bool))
    transfer_sale_days: int = attrs.field(default=3, validator=[_check_type(int), _positive])
    transfer_unsold: UnsoldPolicy = attrs.field(default=UnsoldPolicy.ISSUE_SOLD, validator=_check_type(UnsoldPolicy))


@attrs.frozen
class PayoutLine:
    """What one holding receives at maturity (or from the guarantor).

    A seller who cashed out part of a holding gets a line with zero principal
    and the interest its transferred part earned beyond what the buyers get.

    >>> PayoutLine("h1", "alice", CNY("5000.00"), CNY("55.47")).total
    Money('5055.47', 'CNY')

    .. versionadded:: 0.1.0
    """

    holding_id: str
    investor: str
    principal: Money
    interest: Money

    @property
    def total(self) -> Money:
        """Principal plus interest.

        >>> PayoutLine("h", "a", CNY("1.00"), CNY("0.01")).total
        Money('1.01', 'CNY')
        """
        return self.principal + self.interest


@attrs.frozen
class Payout:
    """A product's repayment: who paid and every holder's line; the lines sum to the payment.

    >>> from antfin.calendar import shanghai
    >>> payout = Payout("ZCB-1", "bank", shanghai(2024, 6, 7), (PayoutLine("h1", "a", CNY("100.00"), CNY("1.10")),))
    >>> payout.total, payout.interest
    (Money('101.10', 'CNY'), Money('1.10', 'CNY'))

    .. versionadded:: 0.1.0
    """

    product_id: str
    payer: str
    at: datetime
    lines: tuple[PayoutLine, ...]

    @property
    def principal(self) -> Money:
        """Principal repaid.

        >>> from antfin.calendar import shanghai
        >>> Payout("P", "bank", shanghai(2024, 1, 1), (PayoutLine("h", "a", CNY("2.00"), CNY("0")),)).principal
        Money('2.00', 'CNY')
        """
        return sum((line.principal for line in self.lines[1:]), self.lines[0].principal)

    @property
    def interest(self) -> Money:
        """Interest paid.

        >>> from antfin.calendar import shanghai
        >>> Payout("P", "bank", shanghai(2024, 1, 1), (PayoutLine("h", "a", CNY("2.00"), CNY("0.02")),)).interest
        Money('0.02', 'CNY')
        """
        return sum((line.interest for line in self.lines[1:]), self.lines[0].interest)

    @property
    def total(self) -> Money:
        """What the payer paid: principal plus interest.

        >>> from antfin.calendar import shanghai
        >>> Payout("P", "bank", shanghai(2024, 1, 1), (PayoutLine("h", "a", CNY("2.00"), CNY("0.02")),)).total
        Money('2.02', 'CNY')
        """
        return self.principal + self.interest


@attrs.frozen
class SettlementReport:
    """What :meth:`Zhaocaibao.settle_due` did.

    >>> SettlementReport(expired=("r1",), closed=("ZCB-1",)).closed
    ('ZCB-1',)

    .. versionadded:: 0.1.0
    """

    expired: tuple[str, ...]
    closed: tuple[str, ...]


@attrs.define
class _State:
    products: dict[str, Product] = attrs.Factory(dict)
    holdings: dict[str, Holding] = attrs.Factory(dict)
    reservations: dict[str, Reservation] = attrs.Factory(dict)
    claims: dict[str, GuarantorClaim] = attrs.Factory(dict)
    keys: dict[str, IdempotencyRecord[str]] = attrs.Factory(dict)


_T = TypeVar("_T")


def _clone(entity: _T) -> _T:
    """A shallow copy of an attrs entity, field by field (``copy.copy`` of a slotted class is ~10x slower)."""
    cls: Any = type(entity)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in attrs.fields(cls))
    clone: _T = object.__new__(cls)
    for name in names:
        object.__setattr__(clone, name, getattr(entity, name))
    return clone


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _check_key(key: object, field: str = "key") -> str:
    if not isinstance(key, str):
        raise TypeError(f"{field} must be a str, not {type(key).__name__}")
    if not key.strip():
        raise InvalidAmountError(f"{field} must be a non-empty caller key")
    return key


def _check_money(amount: object, field: str = "amount") -> Money:
    if not isinstance(amount, Money):
        raise TypeError(f"{field} must be Money, not {type(amount).__name__}")
    if not amount.is_positive():
        raise InvalidAmountError(f"{field} must be positive, got {amount}")
    return amount


class Zhaocaibao(_Sales, _Reservations, _Liquidity, _Maturity):
    """The Zhaocaibao platform: every money movement is a ledger entry or hold.

    Every operation is atomic: it either completes, with its ledger entries and
    state changes, or raises and changes nothing (ledger and platform state
    alike). After each one the platform checks its invariants (escrow balances
    equal what is sold, the clearing account is empty, each open reservation
    holds exactly its remainder).

    >>> from antfin.ledger import Ledger
    >>> Zhaocaibao(Ledger()).config.fee.rounding.name
    'HALF_UP'

    Args:
        ledger: the ledger money moves through.
        config: the platform settings (cfg).

    .. versionadded:: 0.1.0
    """

    def __init__(self, ledger: Ledger, config: ZhaocaibaoConfig | None = None) -> None:
        if not isinstance(ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(ledger).__name__}")
        if config is not None and not isinstance(config, ZhaocaibaoConfig):
            raise TypeError(f"config must be a ZhaocaibaoConfig, not {type(config).__name__}")
        self._ledger: Ledger = ledger
        self._config: ZhaocaibaoConfig = config if config is not None else ZhaocaibaoConfig()
        self._state: _State = _State()
        self._depth: int = 0

    # -- plumbing -------------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """The ledger this platform posts to.

        >>> from antfin.ledger import Ledger
        >>> ledger = Ledger()
        >>> Zhaocaibao(ledger).ledger is ledger
        True
        """
        return self._ledger

    @property
    def config(self) -> ZhaocaibaoConfig:
        """The platform settings.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).config.reservation_months
        1
        """
        return self._config

    @staticmethod
    def wallet(party: str) -> str:
        """The wallet account id of a party: ``wallet:<party>``.

        >>> Zhaocaibao.wallet("alice")
        'wallet:alice'
        """
        return wallet(party)

    @staticmethod
    def escrow(product_id: str) -> str:
        """The escrow account id of a product: ``zcb:escrow:<product_id>``.

        >>> Zhaocaibao.escrow("ZCB-1")
        'zcb:escrow:ZCB-1'
        """
        return zhaocaibao_escrow(product_id)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._depth:
            yield
            return
        snapshot = self._snapshot()
        self._depth += 1
        try:
            with self._ledger.atomic():
                yield
                self.check_invariants()
        except BaseException:
            self._state = snapshot
            raise
        finally:
            self._depth -= 1

    def _snapshot(self) -> _State:
        # Entities are mutated in place but hold only immutable values (tuples, frozensets,
        # Money, datetimes), so a shallow copy of each is a complete snapshot.
        state = self._state
        return _State(
            {key: _clone(value) for key, value in state.products.items()},
            {key: _clone(value) for key, value in state.holdings.items()},
            {key: _clone(value) for key, value in state.reservations.items()},
            {key: _clone(value) for key, value in state.claims.items()},
            dict(state.keys),
        )

    def _replay(self, operation: str, key: str, asked: str) -> str | None:
        return replay(self._state.keys, f"{operation}:{key}", asked, what=f"{operation} key")

    def _remember(self, operation: str, key: str, asked: str, result_id: str) -> None:
        remember(self._state.keys, f"{operation}:{key}", asked, result_id)

    def _need_wallet(self, party: str, field: str) -> str:
        account = self.wallet(party)
        if not self._ledger.has_account(account):
            raise NotFoundError(f"{field} {party!r} has no wallet account {account!r}; open it in the ledger first")
        return account

    # -- queries --------------------------------------------------------------------

    def product(self, product_id: str) -> Product:
        """A listed product by id.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).product("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Zhaocaibao product 'nope'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.
        """
        try:
            return self._state.products[product_id]
        except (KeyError, TypeError):
            raise NotFoundError(f"no Zhaocaibao product {product_id!r}") from None

    def holding(self, holding_id: str) -> Holding:
        """A holding by id.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).holding("h")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Zhaocaibao holding 'h'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.
        """
        try:
            return self._state.holdings[holding_id]
        except (KeyError, TypeError):
            raise NotFoundError(f"no Zhaocaibao holding {holding_id!r}") from None

    def reservation(self, reservation_id: str) -> Reservation:
        """A reservation by id.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).reservation("r")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Zhaocaibao reservation 'r'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.
        """
        try:
            return self._state.reservations[reservation_id]
        except (KeyError, TypeError):
            raise NotFoundError(f"no Zhaocaibao reservation {reservation_id!r}") from None

    def claim(self, product_id: str) -> GuarantorClaim:
        """The guarantor claim on a defaulted product.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).claim("P")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no guarantor claim on product 'P'

        Raises:
            antfin.errors.NotFoundError: when the product has no claim.
        """
        try:
            return self._state.claims[product_id]
        except (KeyError, TypeError):
            raise NotFoundError(f"no guarantor claim on product {product_id!r}") from None

    def products(self) -> tuple[Product, ...]:
        """Every product, in listing order.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).products()
        ()
        """
        return tuple(self._state.products.values())

    def holdings(self, investor: str | None = None) -> tuple[Holding, ...]:
        """Every holding, or one investor's, in subscription order.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).holdings("alice")
        ()
        """
        return tuple(h for h in self._state.holdings.values() if investor is None or h.investor == investor)

    def reservations(self, investor: str | None = None) -> tuple[Reservation, ...]:
        """Every reservation, or one investor's, in reservation order.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).reservations()
        ()
        """
        return tuple(r for r in self._state.reservations.values() if investor is None or r.investor == investor)

    # -- listing and subscribing ----------------------------------------------------

    # -- reservations ---------------------------------------------------------------

    # -- liquidation (变现) -----------------------------------------------------------

    # -- maturity, default and the guarantor ----------------------------------------------

    # -- housekeeping ------------------------------------------------------------------

    def check_invariants(self) -> None:
        """Raise if the platform and the ledger disagree.

        Checked: each open product's escrow holds exactly what it sold and every
        other escrow is empty; the reservation clearing account is empty; each
        open reservation has a pending hold of exactly its remainder; each
        product's holdings add up to what it sold.

        >>> _example_platform().check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.
        """
        ledger = self._ledger
        for product in self._state.products.values():
            escrow = ledger.balance(self.escrow(product.product_id))
            expected = product.sold if product.status is ProductStatus.OPEN else product.sold.currency.zero()
            if escrow != expected:
                raise InvariantViolationError(
                    f"escrow of {product.product_id} holds {escrow}, expected {expected} ({product.status.value})"
                )
            held = sum(
                (self._state.holdings[hid].original_principal for hid in product.holding_ids),
                product.sold.currency.zero(),
            )
            if held != product.sold:
                raise InvariantViolationError(f"holdings of {product.product_id} sum to {held}, it sold {product.sold}")
        if ledger.has_account(RESERVATIONS_ACCOUNT) and not ledger.balance(RESERVATIONS_ACCOUNT).is_zero():
            raise InvariantViolationError(f"{RESERVATIONS_ACCOUNT} is not empty between operations")
        for reservation in self._state.reservations.values():
            if reservation.status is not ReservationStatus.OPEN:
                continue
            if reservation.hold_id is None:
                raise InvariantViolationError(f"open reservation {reservation.reservation_id} has no hold")
            hold = ledger.get_hold(reservation.hold_id)
            if hold.status is HoldStatus.PENDING and hold.amount != reservation.remaining:
                raise InvariantViolationError(
                    f"reservation {reservation.reservation_id} holds {hold.amount}, expected {reservation.remaining}"
                )

    def to_data(self) -> dict[str, Any]:
        """The platform's settings and state as JSON-compatible data (how the books store it).

        >>> from antfin.ledger import Ledger
        >>> sorted(Zhaocaibao(Ledger()).to_data())
        ['config', 'state']

        .. versionadded:: 0.2.0
        """
        from antfin.serialization import to_data

        return {"config": to_data(self._config), "state": to_data(self._state)}

    @classmethod
    def from_data(cls, ledger: Ledger, data: Any) -> Zhaocaibao:
        """A platform rebuilt from :meth:`to_data` output, checked against ``ledger`` before it is returned.

        >>> platform = _example_platform()
        >>> again = Zhaocaibao.from_data(platform.ledger, platform.to_data())
        >>> [p.product_id for p in again.products()] == [p.product_id for p in platform.products()]
        True

        Raises:
            antfin.errors.SerializationError: malformed data.
            antfin.errors.InvariantViolationError: state that disagrees with the ledger.

        .. versionadded:: 0.2.0
        """
        from antfin.serialization import from_data

        if not isinstance(data, dict) or set(data) != {"config", "state"}:
            raise SerializationError("$: expected an object with the platform's config and state")
        platform = cls(ledger, from_data(ZhaocaibaoConfig, data["config"]))
        platform._state = from_data(_State, data["state"])
        platform.check_invariants()
        return platform


def _example_platform() -> Zhaocaibao:
    """A ledger with alice (20,000 yuan), a bank issuer and an insurer, and one open 90-day product."""
    ledger = Ledger()
    ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET)
    for party in ("alice", "bob", "bank", "insurer"):
        ledger.open_account(wallet(party), AccountKind.LIABILITY, non_negative=True)
    ledger.transfer(
        "top-up:alice",
        debit=BANK_SETTLEMENT,
        credit=wallet("alice"),
        amount=CNY("20000.00"),
        at=shanghai(2024, 1, 1),
    )
    platform = Zhaocaibao(ledger)
    platform.list_product(
        ProductTerms(
            product_id="ZCB-90",
            issuer="bank",
            guarantor="insurer",
            kind=ProductKind.BANK,
            amount=CNY("10000.00"),
            term_days=90,
            annual_yield=Rate.percent("4.5"),
            sale_start=shanghai(2024, 3, 1),
            sale_end=shanghai(2024, 3, 8),
        ),
        at=shanghai(2024, 3, 1),
    )
    return platform
