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
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

import attrs

from antfin.calendar import ensure_aware, local_date, shanghai, start_of_day
from antfin.chart import ProfitPoint, revenue_account, wallet, zhaocaibao_escrow
from antfin.errors import (
    IdempotencyConflictError,
    InvalidAmountError,
    InvalidTransitionError,
    InvariantViolationError,
    NotFoundError,
    PolicyViolationError,
    SerializationError,
)
from antfin.idempotency import IdempotencyRecord, remember, replay, same_request
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.ledger import AccountKind, HoldStatus, Ledger, Posting
from antfin.money import CNY, Money
from antfin.rates import Rate
from antfin.wealth.zhaocaibao.claims import DEFAULT_CLAIM_POLICY, ClaimPolicy, ClaimStatus, GuarantorClaim
from antfin.wealth.zhaocaibao.fees import DEFAULT_TRANSFER_FEE_POLICY, TransferFeePolicy
from antfin.wealth.zhaocaibao.products import (
    BACKED_KINDS,
    Holding,
    HoldingStatus,
    Product,
    ProductKind,
    ProductStatus,
    ProductTerms,
    TransferSlice,
    UnsoldPolicy,
)
from antfin.wealth.zhaocaibao.reservations import (
    Reservation,
    ReservationCriteria,
    ReservationFill,
    ReservationStatus,
    expiry_of,
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


class Zhaocaibao:
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
        self._ledger = ledger
        self._config = config if config is not None else ZhaocaibaoConfig()
        self._state = _State()
        self._depth = 0

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

    def list_product(self, terms: ProductTerms, *, at: datetime) -> Product:
        """List a product at ``at`` and fill it from open reservations first (first come, first served).

        The product id is the idempotency key: listing the same terms again
        returns the product; other terms under the same id raise. Transfer
        products are listed by :meth:`liquidate`, not here.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> zcb.product("ZCB-90").remaining
        Money('10000.00', 'CNY')

        Args:
            terms: the offer.
            at: the listing instant, inside the sale window.

        Returns:
            The product (already issued if reservations filled it).

        Raises:
            antfin.errors.IdempotencyConflictError: the id is listed with other terms.
            antfin.errors.NotFoundError: the issuer has no wallet.
            antfin.errors.PolicyViolationError: a transfer product, or ``at`` outside the sale window.
        """
        if not isinstance(terms, ProductTerms):
            raise TypeError(f"terms must be ProductTerms, not {type(terms).__name__}")
        ensure_aware(at, "at")
        existing = self._state.products.get(terms.product_id)
        if existing is not None:
            asked = request_fingerprint("list", terms)
            same_request(terms.product_id, request_fingerprint("list", existing.terms), asked, what="product id")
            return existing
        if terms.kind in BACKED_KINDS:
            raise PolicyViolationError(
                f"{terms.kind.value} products are listed by liquidate() or borrow_against(), not list_product()"
            )
        if not terms.sale_start <= at < terms.sale_end:
            raise PolicyViolationError(
                f"listing at {at.isoformat()} is outside product {terms.product_id}'s sale window "
                f"[{terms.sale_start.isoformat()}, {terms.sale_end.isoformat()})"
            )
        self._need_wallet(terms.issuer, "issuer")
        if terms.guarantor is not None:
            self._need_wallet(terms.guarantor, "guarantor")
        with self._transaction():
            product = self._list(terms, at, backing_holding_id=None)
        return product

    def _list(self, terms: ProductTerms, at: datetime, backing_holding_id: str | None) -> Product:
        self._ledger.open_account(
            self.escrow(terms.product_id),
            AccountKind.LIABILITY,
            currency=terms.amount.currency,
            non_negative=True,
            owner=terms.issuer,
            purpose="Zhaocaibao product escrow",
            metadata={"product": "zhaocaibao", "product_id": terms.product_id},
        )
        product = Product(terms, listed_at=at, backing_holding_id=backing_holding_id)
        self._state.products[terms.product_id] = product
        self._expire_due(at)
        self._match(product, at)
        return product

    def subscribe(self, key: str, product_id: str, investor: str, amount: Money, *, at: datetime) -> Holding:
        """Buy ``amount`` of a product from the investor's wallet; the holding's id is ``key``.

        A subscription that fills the product issues it: the escrow pays the
        issuer (minus the 0.2% fee for borrowers and transferors) and interest
        runs from the value date.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> zcb.subscribe("o1", "ZCB-90", "alice", CNY("4000.00"), at=shanghai(2024, 3, 2)).principal
        Money('4000.00', 'CNY')
        >>> zcb.subscribe("o2", "ZCB-90", "alice", CNY("500.00"), at=shanghai(2024, 3, 2))
        Traceback (most recent call last):
        ...
        antfin.errors.PolicyViolationError: subscription 500.00 CNY is below product ZCB-90's minimum 1000.00 CNY

        Args:
            key: the caller's order number; also the holding id.
            product_id: the product.
            investor: the buyer (its wallet pays).
            amount: the amount; at least the minimum unless it buys the whole remainder.
            at: the instant, inside the sale window.

        Returns:
            The new holding (the first one again for a repeated key).

        Raises:
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
            antfin.errors.NotFoundError: unknown product or wallet.
            antfin.errors.InsufficientFundsError: the wallet cannot pay.
            antfin.errors.PolicyViolationError: minimum, remaining, investor cap or window broken.
            antfin.errors.InvalidTransitionError: the product is not open.
        """
        key = _check_key(key)
        money = _check_money(amount)
        fingerprint = request_fingerprint("subscribe", product_id, investor, money)
        replayed = self._replay("subscribe", key, fingerprint)
        if replayed is not None:
            return self.holding(replayed)
        if key in self._state.holdings:
            raise IdempotencyConflictError(f"holding id {key!r} already exists; use a new key")
        product = self.product(product_id)
        at = ensure_aware(at, "at")
        product.check_open_for_sale(at)
        product.check_subscription(investor, money)
        wallet = self._need_wallet(investor, "investor")
        with self._transaction():
            self._ledger.transfer(
                f"zcb:subscribe:{key}",
                debit=wallet,
                credit=self.escrow(product_id),
                amount=money,
                at=at,
                memo=f"subscribe {product_id}",
                metadata={"product": "zhaocaibao", "product_id": product_id, "holding": key},
            )
            holding = self._add_holding(product, key, investor, money, at, reservation_id=None)
            self._remember("subscribe", key, fingerprint, key)
            if product.remaining.is_zero():
                self._issue(product, at)
        return holding

    def _add_holding(
        self, product: Product, holding_id: str, investor: str, amount: Money, at: datetime, reservation_id: str | None
    ) -> Holding:
        holding = Holding(holding_id, product.product_id, investor, amount, at, reservation_id=reservation_id)
        self._state.holdings[holding_id] = holding
        product.sold = product.sold + amount
        product.holding_ids = (*product.holding_ids, holding_id)
        product.investors = product.investors | {investor}
        return holding

    def _issue(self, product: Product, at: datetime) -> None:
        terms = product.terms
        value_date = terms.value_date(at)
        maturity = terms.maturity_date(at)
        if value_date >= maturity:
            # A transfer that could only start earning on or after its backing's maturity is cancelled.
            self._cancel(product, at)
            return
        sold = product.sold
        fee = self._config.fee.fee(sold) if terms.kind in self._config.fee_payer_kinds else sold.currency.zero()
        postings = [
            Posting.debit(self.escrow(product.product_id), sold),
            Posting.credit(self.wallet(terms.issuer), sold - fee),
        ]
        if fee.is_positive():
            revenue = revenue_account(self._ledger, ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE, sold.currency)
            postings.append(Posting.credit(revenue, fee))
        self._ledger.post_entry(
            f"zcb:{product.product_id}:issue",
            postings,
            at=at,
            memo=f"issue {product.product_id}: {sold} raised, fee {fee}",
            metadata={"product": "zhaocaibao", "product_id": product.product_id, "fee": str(fee.amount)},
        )
        product.transition(ProductStatus.ISSUED, at)
        product.issued_at = at
        product.value_date = value_date
        product.maturity_date = maturity
        for holding_id in product.holding_ids:
            self._state.holdings[holding_id].transition(HoldingStatus.ACTIVE, at)
        if product.backing_holding_id is not None:
            backing = self._state.holdings[product.backing_holding_id]
            backing.principal = backing.principal - sold
            backing.transfers = (*backing.transfers, TransferSlice(product.product_id, sold))
            backing.liquidating_product_id = None
            done = HoldingStatus.PLEDGED if terms.kind is ProductKind.PLEDGED_LOAN else HoldingStatus.TRANSFERRED
            backing.transition(done if backing.principal.is_zero() else HoldingStatus.ACTIVE, at)

    def _cancel(self, product: Product, at: datetime) -> None:
        for holding_id in product.holding_ids:
            holding = self._state.holdings[holding_id]
            self._ledger.transfer(
                f"zcb:{product.product_id}:refund:{holding_id}",
                debit=self.escrow(product.product_id),
                credit=self.wallet(holding.investor),
                amount=holding.principal,
                at=at,
                memo=f"refund {product.product_id}",
                metadata={"product": "zhaocaibao", "product_id": product.product_id, "holding": holding_id},
            )
            holding.transition(HoldingStatus.REFUNDED, at)
        product.transition(ProductStatus.CANCELLED, at)
        if product.backing_holding_id is not None:
            backing = self._state.holdings[product.backing_holding_id]
            backing.liquidating_product_id = None
            backing.transition(HoldingStatus.ACTIVE, at)

    def close_sale(self, product_id: str, *, at: datetime) -> Product:
        """Close an unsold product at or after the end of its window: issue what sold, or cancel and refund.

        The product's :class:`~antfin.wealth.zhaocaibao.UnsoldPolicy` decides;
        a product that sold nothing is cancelled either way.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("4000.00"), at=shanghai(2024, 3, 2))
        >>> product = zcb.close_sale("ZCB-90", at=shanghai(2024, 3, 8))
        >>> product.status.value, product.sold, zcb.ledger.balance("wallet:bank")
        ('issued', Money('4000.00', 'CNY'), Money('4000.00', 'CNY'))

        Raises:
            antfin.errors.NotFoundError: unknown product.
            antfin.errors.InvalidTransitionError: the product is not open.
            antfin.errors.PolicyViolationError: the sale window has not ended.
        """
        product = self.product(product_id)
        at = ensure_aware(at, "at")
        if product.status is not ProductStatus.OPEN:
            raise InvalidTransitionError(f"product {product_id} is {product.status.value}; only an open sale closes")
        if at < product.terms.sale_end:
            raise PolicyViolationError(
                f"product {product_id}'s sale runs until {product.terms.sale_end.isoformat()}; "
                f"cannot close it at {at.isoformat()}"
            )
        with self._transaction():
            self._close(product, at)
        return product

    def _close(self, product: Product, at: datetime) -> None:
        if product.sold.is_zero() or product.terms.unsold is UnsoldPolicy.CANCEL:
            self._cancel(product, at)
        else:
            self._issue(product, at)

    # -- reservations ---------------------------------------------------------------

    def reserve(
        self, key: str, investor: str, amount: Money, criteria: ReservationCriteria, *, at: datetime
    ) -> Reservation:
        """Put ``amount`` on hold in the investor's wallet to buy matching new products for a month.

        The reservation's id is ``key``. The hold expires with the reservation
        (dateutil months: 31 January → the end of February, same time of day).

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
        key = _check_key(key)
        money = _check_money(amount)
        if not isinstance(criteria, ReservationCriteria):
            raise TypeError(f"criteria must be ReservationCriteria, not {type(criteria).__name__}")
        at = ensure_aware(at, "at")
        fingerprint = request_fingerprint("reserve", investor, money, criteria)
        replayed = self._replay("reserve", key, fingerprint)
        if replayed is not None:
            return self.reservation(replayed)
        if key in self._state.reservations:
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
            self._state.reservations[key] = reservation
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
            if reservation.hold_id is not None:
                self._ledger.void_hold(f"zcb:reservation:{reservation_id}:cancel", reservation.hold_id, at=at)
            reservation.transition(ReservationStatus.CANCELLED, at, hold_id=None)
        return reservation

    def expire_reservations(self, at: datetime) -> tuple[Reservation, ...]:
        """Expire every open reservation whose month ended at or before ``at``; its hold is released once.

        The holds are expired by :meth:`Ledger.expire_holds <antfin.ledger.Ledger.expire_holds>`,
        which also expires any other hold past its expiry (they can no longer be
        posted anyway). Calling again expires nothing more.

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

    # -- liquidation (变现) -----------------------------------------------------------

    def liquidate(
        self,
        key: str,
        holding_id: str,
        *,
        at: datetime,
        principal: Money | None = None,
        annual_yield: Rate | None = None,
    ) -> Product:
        """Cash out a holding before maturity (变现) by listing a transfer product backed by it.

        The transfer product's id is ``key``. It raises ``principal`` (the whole
        holding by default), matures with the holding, and pays its buyers
        ``annual_yield`` (the holding's own by default) from its value date; it
        is offered to open reservations first. When it issues the seller
        receives the proceeds minus the 0.2% fee, which is booked to
        ``ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE``; at maturity the seller keeps the
        interest its transferred part earned beyond what the buyers receive.
        This is the transfer form (转让人, the case study's fee line); the
        borrowing form the case study describes first is :meth:`borrow_against`.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
        >>> transfer = zcb.liquidate("sell-1", "o1", principal=CNY("5000.00"), at=shanghai(2024, 3, 31))
        >>> transfer.terms.kind.value, transfer.terms.fixed_maturity, transfer.terms.term_days
        ('transfer', datetime.date(2024, 5, 31), 60)
        >>> zcb.liquidate("sell-2", "o1", at=shanghai(2024, 4, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: holding o1 is already being liquidated by sell-1

        Raises:
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
            antfin.errors.NotFoundError: unknown holding.
            antfin.errors.InvalidTransitionError: the holding is being liquidated, or is not active.
            antfin.errors.PolicyViolationError: a transfer of a transfer, a partial amount when
                partial liquidation is off, too close to maturity, or a yield that
                promises buyers more than the holding earns.
            antfin.errors.InvalidAmountError: a principal that is not positive or above the holding.
        """
        return self._offer_backed(key, holding_id, at, principal, annual_yield, ProductKind.TRANSFER)

    def borrow_against(
        self,
        key: str,
        holding_id: str,
        *,
        at: datetime,
        principal: Money | None = None,
        annual_yield: Rate | None = None,
    ) -> Product:
        """Cash out a holding before maturity (变现) by publishing a borrowing product against it.

        The case study's 变现: "购买理财产品的投资者可以通过'变现'功能在平台发布借款产品获得资金".
        The holder borrows ``principal`` (the whole holding by default) from
        other investors, with the holding pledged: the borrowing product's id
        is ``key``, it matures with the holding and pays its lenders
        ``annual_yield`` (the holding's own by default) from its value date. It
        is offered to open reservations first. When it issues, the borrower
        receives the loan minus the 0.2% fee (借款人 pay it: 10,000.00 borrowed
        costs 20.00), booked to ``ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE``. At the
        holding's maturity its payout repays the lenders' principal and
        interest first and the borrower keeps the rest (the platform nets the
        two payments); a fully pledged holding is ``PLEDGED`` until then.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
        >>> loan = zcb.borrow_against("loan-1", "o1", at=shanghai(2024, 3, 31))
        >>> loan.terms.kind.name_zh, loan.terms.issuer, loan.terms.amount, loan.terms.fixed_maturity
        ('变现借款', 'alice', Money('10000.00', 'CNY'), datetime.date(2024, 5, 31))

        Raises:
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
            antfin.errors.NotFoundError: unknown holding.
            antfin.errors.InvalidTransitionError: the holding is being liquidated, or is not active.
            antfin.errors.PolicyViolationError: a holding bought from a 变现 product, a partial
                amount when partial liquidation is off, too close to maturity, or a yield
                that promises lenders more than the holding earns.
            antfin.errors.InvalidAmountError: a principal that is not positive or above the holding.

        .. versionadded:: 0.2.0
        """
        return self._offer_backed(key, holding_id, at, principal, annual_yield, ProductKind.PLEDGED_LOAN)

    def _offer_backed(
        self,
        key: str,
        holding_id: str,
        at: datetime,
        principal: Money | None,
        annual_yield: Rate | None,
        kind: ProductKind,
    ) -> Product:
        """List a 变现 product of ``kind`` (a transfer or a borrowing) backed by a holding."""
        key = _check_key(key)
        at = ensure_aware(at, "at")
        holding = self.holding(holding_id)
        amount = holding.principal if principal is None else _check_money(principal, "principal")
        source = self.product(holding.product_id)
        rate = source.terms.annual_yield if annual_yield is None else annual_yield
        if not isinstance(rate, Rate):
            raise TypeError(f"annual_yield must be a Rate, not {type(rate).__name__}")
        # The fingerprint is the request as made ("all", "the source's yield"), not what it resolved to:
        # after a liquidation "all" of the holding is no longer the same amount, and a replay must still match.
        operation = "liquidate" if kind is ProductKind.TRANSFER else "borrow_against"
        fingerprint = request_fingerprint(operation, holding_id, principal, annual_yield)
        replayed = self._replay(operation, key, fingerprint)
        if replayed is not None:
            return self.product(replayed)
        if key in self._state.products:
            raise IdempotencyConflictError(f"product id {key!r} already exists; use a new key")
        if holding.status is HoldingStatus.LIQUIDATING:
            raise InvalidTransitionError(
                f"holding {holding_id} is already being liquidated by {holding.liquidating_product_id}"
            )
        if holding.status is not HoldingStatus.ACTIVE:
            raise InvalidTransitionError(
                f"holding {holding_id} is {holding.status.value}; only an active holding can be liquidated"
            )
        if source.terms.kind in BACKED_KINDS:
            raise PolicyViolationError(
                f"holding {holding_id} was bought from a {source.terms.kind.value} product; it cannot back another"
            )
        if source.status is not ProductStatus.ISSUED or source.maturity_date is None or source.value_date is None:
            raise InvalidTransitionError(f"product {source.product_id} is {source.status.value}; expected issued")
        if amount.currency != holding.principal.currency:
            raise InvalidAmountError(f"principal is in {amount.currency}, expected {holding.principal.currency}")
        if amount > holding.principal:
            raise InvalidAmountError(f"principal {amount} exceeds holding {holding_id}'s {holding.principal}")
        if amount != holding.principal and not self._config.partial_liquidation:
            raise PolicyViolationError(
                f"partial liquidation is off: liquidate all {holding.principal} of holding {holding_id}, not {amount}"
            )
        maturity = source.maturity_date
        lag = source.terms.value_date_lag_days
        sale_end = min(at + timedelta(days=self._config.transfer_sale_days), start_of_day(maturity - timedelta(lag)))
        if local_date(at) < source.value_date or sale_end <= at:
            raise PolicyViolationError(
                f"holding {holding_id} can be liquidated from its value date {source.value_date} until the day "
                f"before {maturity - timedelta(lag)}; not at {at.isoformat()}"
            )
        days = (maturity - (local_date(at) + timedelta(lag))).days
        if rate.value * days > source.terms.annual_yield.value * source.term_days:
            raise PolicyViolationError(
                f"a {rate} yield for {days} days promises buyers more than holding {holding_id} earns "
                f"({source.terms.annual_yield} for {source.term_days} days)"
            )
        terms = ProductTerms(
            product_id=key,
            issuer=holding.investor,
            guarantor=source.terms.guarantor,
            kind=kind,
            amount=amount,
            term_days=days,
            annual_yield=rate,
            sale_start=at,
            sale_end=sale_end,
            day_count=source.terms.day_count,
            min_subscription=min(source.terms.min_subscription, amount),
            investor_cap=source.terms.investor_cap,
            unsold=self._config.transfer_unsold,
            value_date_lag_days=lag,
            interest_rounding=source.terms.interest_rounding,
            fixed_maturity=maturity,
            name=f"{'变现' if kind is ProductKind.TRANSFER else kind.name_zh} {source.product_id}",
        )
        with self._transaction():
            holding.liquidating_product_id = key
            holding.transition(HoldingStatus.LIQUIDATING, at)
            self._remember(operation, key, fingerprint, key)
            product = self._list(terms, at, backing_holding_id=holding_id)
        return product

    # -- maturity, default and the guarantor ----------------------------------------------

    def _transfers_of(self, product: Product) -> list[Product]:
        found: list[Product] = []
        for holding_id in product.holding_ids:
            holding = self._state.holdings[holding_id]
            found.extend(self._state.products[part.product_id] for part in holding.transfers)
            if holding.liquidating_product_id is not None:
                found.append(self._state.products[holding.liquidating_product_id])
        return found

    def _check_payable(self, product: Product, at: datetime) -> None:
        if product.terms.kind in BACKED_KINDS:
            backing = self._state.holdings[product.backing_holding_id or ""]
            raise PolicyViolationError(
                f"{product.terms.kind.value} product {product.product_id} is repaid with its backing product "
                f"{backing.product_id}"
            )
        if product.status is not ProductStatus.ISSUED:
            raise InvalidTransitionError(f"product {product.product_id} is {product.status.value}; expected issued")

    def _close_open_transfers(self, product: Product, at: datetime) -> None:
        for transfer in self._transfers_of(product):
            if transfer.status is ProductStatus.OPEN:
                self._cancel(transfer, at)

    def _payout_lines(self, product: Product) -> tuple[PayoutLine, ...]:
        positions: list[tuple[Holding, TransferSlice | None]] = []
        for holding_id in product.holding_ids:
            holding = self._state.holdings[holding_id]
            positions.append((holding, None))
            positions.extend((holding, part) for part in holding.transfers)
        weights = [part.principal.minor_units if part else holding.principal.minor_units for holding, part in positions]
        if sum(weights) != product.sold.minor_units:
            raise InvariantViolationError(
                f"product {product.product_id}'s positions sum to {sum(weights)} fen, but it sold {product.sold}"
            )
        interest = product.terms.expected_interest(product.sold, days=product.term_days)
        lines: list[PayoutLine] = []
        zero = product.sold.currency.zero()
        for (holding, part), share in zip(positions, interest.allocate(weights), strict=True):
            if part is None:
                if holding.principal.is_positive():
                    lines.append(PayoutLine(holding.holding_id, holding.investor, holding.principal, share))
                continue
            transfer = self._state.products[part.product_id]
            promised = transfer.terms.expected_interest(transfer.sold, days=transfer.term_days)
            buyers_interest = min(promised, share)
            buyers = [self._state.holdings[hid] for hid in transfer.holding_ids]
            buyer_shares = buyers_interest.allocate([buyer.principal.minor_units for buyer in buyers])
            lines.extend(
                PayoutLine(buyer.holding_id, buyer.investor, buyer.principal, buyer_share)
                for buyer, buyer_share in zip(buyers, buyer_shares, strict=True)
            )
            lines.append(PayoutLine(holding.holding_id, holding.investor, zero, share - buyers_interest))
        return tuple(lines)

    def _pay(self, product: Product, payer: str, key: str, at: datetime, memo: str) -> Payout:
        lines = self._payout_lines(product)
        payout = Payout(product.product_id, payer, at, lines)
        credits: dict[str, Money] = {}
        for line in lines:
            account = self.wallet(line.investor)
            credits[account] = credits.get(account, product.sold.currency.zero()) + line.total
        postings = [Posting.debit(self.wallet(payer), payout.total)]
        postings.extend(Posting.credit(account, amount) for account, amount in credits.items() if amount.is_positive())
        self._ledger.post_entry(
            key,
            postings,
            at=at,
            memo=memo,
            metadata={
                "product": "zhaocaibao",
                "product_id": product.product_id,
                "principal": str(payout.principal.amount),
                "interest": str(payout.interest.amount),
            },
        )
        holdings = [self._state.holdings[hid] for hid in product.holding_ids]
        for transfer in self._transfers_of(product):
            holdings.extend(self._state.holdings[hid] for hid in transfer.holding_ids)
        for holding in holdings:
            if holding.status in (HoldingStatus.ACTIVE, HoldingStatus.TRANSFERRED, HoldingStatus.PLEDGED):
                holding.transition(HoldingStatus.PAID, at)
        return payout

    def mature(self, product_id: str, *, at: datetime) -> Payout:
        """Repay a product at maturity: the issuer pays principal plus interest to every holder.

        The issuer's interest is computed once on the whole amount sold (rounded
        per the terms) and split over the holdings by principal with the largest
        remainder, so the holders' lines sum exactly to the issuer's payment.
        Transferred parts pay their buyers first; the seller keeps the rest.
        Transfer sales still open are cancelled and refunded first.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
        >>> _ = zcb.ledger.transfer("fund-bank", debit="asset:bank_settlement", credit="wallet:bank",
        ...                         amount=CNY("200.00"), at=shanghai(2024, 5, 31))
        >>> payout = zcb.mature("ZCB-90", at=shanghai(2024, 5, 31, 9))
        >>> payout.total, zcb.ledger.balance("wallet:alice")
        (Money('10110.95', 'CNY'), Money('20110.95', 'CNY'))

        Raises:
            antfin.errors.NotFoundError: unknown product.
            antfin.errors.InvalidTransitionError: the product is not issued.
            antfin.errors.PolicyViolationError: before the maturity date, or a transfer product.
            antfin.errors.InsufficientFundsError: the issuer's wallet cannot pay (see :meth:`default`).
        """
        product = self.product(product_id)
        at = ensure_aware(at, "at")
        self._check_payable(product, at)
        if product.maturity_date is None or local_date(at) < product.maturity_date:
            raise PolicyViolationError(
                f"product {product_id} matures on {product.maturity_date}; cannot repay it at {at.isoformat()}"
            )
        with self._transaction():
            self._close_open_transfers(product, at)
            payout = self._pay(product, product.terms.issuer, f"zcb:{product_id}:maturity", at, "maturity")
            for transfer in self._transfers_of(product):
                if transfer.status is ProductStatus.ISSUED:
                    transfer.transition(ProductStatus.MATURED, at)
            product.transition(ProductStatus.MATURED, at)
        return payout

    def default(self, product_id: str, *, at: datetime) -> GuarantorClaim:
        """Record the issuer's default and file a claim on the guarantor for principal plus expected interest.

        Open transfer sales backed by the product are cancelled and refunded.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
        >>> claim = zcb.default("ZCB-90", at=shanghai(2024, 5, 31, 9))
        >>> claim.amount, claim.confirm_by.isoformat()
        (Money('10110.95', 'CNY'), '2024-06-30T09:00:00+08:00')

        Raises:
            antfin.errors.NotFoundError: unknown product.
            antfin.errors.InvalidTransitionError: the product is not issued.
            antfin.errors.PolicyViolationError: the product has no guarantor, or is a transfer product.
        """
        product = self.product(product_id)
        at = ensure_aware(at, "at")
        self._check_payable(product, at)
        guarantor = product.terms.guarantor
        if guarantor is None:
            raise PolicyViolationError(f"product {product_id} has no guarantor to claim on")
        with self._transaction():
            self._close_open_transfers(product, at)
            amount = sum((line.total for line in self._payout_lines(product)), product.sold.currency.zero())
            claim = GuarantorClaim(product_id, guarantor, amount, filed_at=at, policy=self._config.claim)
            self._state.claims[product_id] = claim
            for transfer in self._transfers_of(product):
                if transfer.status is ProductStatus.ISSUED:
                    transfer.transition(ProductStatus.DEFAULTED, at)
            product.transition(ProductStatus.DEFAULTED, at)
        return claim

    def confirm_claim(self, product_id: str, *, at: datetime) -> GuarantorClaim:
        """The guarantor confirms the claim (it has 30 days from filing; cfg). Payment is due within 3 days.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
        >>> _ = zcb.default("ZCB-90", at=shanghai(2024, 5, 31, 9))
        >>> zcb.confirm_claim("ZCB-90", at=shanghai(2024, 6, 20)).pay_by.isoformat()
        '2024-06-23T00:00:00+08:00'

        Raises:
            antfin.errors.NotFoundError: no claim on the product.
            antfin.errors.InvalidTransitionError: the claim is not filed.
        """
        claim = self.claim(product_id)
        at = ensure_aware(at, "at")
        with self._transaction():
            claim.transition(ClaimStatus.CONFIRMED, at)
        return claim

    def pay_claim(self, product_id: str, *, at: datetime) -> Payout:
        """The guarantor pays a confirmed claim: every holder gets principal plus expected interest.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> _ = zcb.subscribe("o1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
        >>> _ = zcb.default("ZCB-90", at=shanghai(2024, 5, 31, 9))
        >>> zcb.pay_claim("ZCB-90", at=shanghai(2024, 6, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: claim on ZCB-90 is filed; it cannot become paid (expected confirmed)

        Raises:
            antfin.errors.NotFoundError: no claim on the product.
            antfin.errors.InvalidTransitionError: the claim is not confirmed.
            antfin.errors.InsufficientFundsError: the guarantor's wallet cannot pay.
        """
        claim = self.claim(product_id)
        product = self.product(product_id)
        at = ensure_aware(at, "at")
        with self._transaction():
            claim.transition(ClaimStatus.PAID, at)
            payout = self._pay(product, claim.guarantor, f"zcb:{product_id}:guarantee", at, "guarantor payout")
            if payout.total != claim.amount:
                raise InvariantViolationError(f"claim on {product_id} is {claim.amount} but pays {payout.total}")
            for transfer in self._transfers_of(product):
                if transfer.status is ProductStatus.DEFAULTED:
                    transfer.transition(ProductStatus.GUARANTEE_PAID, at)
            product.transition(ProductStatus.GUARANTEE_PAID, at)
        return payout

    # -- housekeeping ------------------------------------------------------------------

    def settle_due(self, at: datetime) -> SettlementReport:
        """Expire due reservations and close every sale whose window has ended, at ``at``.

        >>> from antfin.calendar import shanghai
        >>> zcb = _example_platform()
        >>> zcb.settle_due(shanghai(2024, 3, 8))
        SettlementReport(expired=(), closed=('ZCB-90',))
        >>> zcb.product("ZCB-90").status.value
        'cancelled'
        """
        at = ensure_aware(at, "at")
        with self._transaction():
            expired = self._expire_due(at)
            closed = []
            for product in list(self._state.products.values()):
                if product.status is ProductStatus.OPEN and product.terms.sale_end <= at:
                    self._close(product, at)
                    closed.append(product.product_id)
        return SettlementReport(tuple(r.reservation_id for r in expired), tuple(closed))

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
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    for party in ("alice", "bob", "bank", "insurer"):
        ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True)
    ledger.transfer(
        "top-up:alice",
        debit="asset:bank_settlement",
        credit="wallet:alice",
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
