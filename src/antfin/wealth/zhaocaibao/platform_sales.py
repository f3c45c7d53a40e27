"""Zhaocaibao's primary market: listing products, subscriptions, issuing at the close of the sale or cancelling
an undersubscribed product.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from antfin.calendar import ensure_aware
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import (
    IdempotencyConflictError,
    InvalidTransitionError,
    PolicyViolationError,
)
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.idempotency import same_request
from antfin.ledger import AccountKind, Posting
from antfin.money import Money
from antfin.validators import check_key, check_positive
from antfin.wealth.zhaocaibao import platform as _platform
from antfin.wealth.zhaocaibao.platform_state import _Records
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
)


class _Sales(_Records):
    """Listing, subscriptions and the close of sale of :class:`~antfin.wealth.zhaocaibao.platform.Zhaocaibao`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:
        _config: _platform.ZhaocaibaoConfig

        def _expire_due(self, at: datetime) -> tuple[Reservation, ...]: ...

        def _match(self, product: Product, at: datetime) -> None: ...
        def _need_wallet(self, party: str, field: str) -> str: ...

        @staticmethod
        def escrow(product_id: str) -> str: ...
        def holding(self, holding_id: str) -> Holding: ...
        def product(self, product_id: str) -> Product: ...
        @staticmethod
        def wallet(party: str) -> str: ...

    def list_product(self, terms: ProductTerms, *, at: datetime) -> Product:
        """List a product at ``at`` and fill it from open reservations first (first come, first served).

        The product id is the idempotency key: listing the same terms again
        returns the product; other terms under the same id raise. Transfer
        products are listed by :meth:`liquidate`, not here.

        >>> from antfin.wealth.zhaocaibao.platform import _example_platform
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
        existing = self._find_product(terms.product_id)
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
        self._add(product)
        self._expire_due(at)
        self._match(product, at)
        return product

    def subscribe(self, key: str, product_id: str, investor: str, amount: Money, *, at: datetime) -> Holding:
        """Buy ``amount`` of a product from the investor's wallet; the holding's id is ``key``.

        A subscription that fills the product issues it: the escrow pays the
        issuer (minus the 0.2% fee for borrowers and transferors) and interest
        runs from the value date.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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
        key = check_key(key)
        money = check_positive(amount)
        fingerprint = request_fingerprint("subscribe", product_id, investor, money)
        replayed = self._replay("subscribe", key, fingerprint)
        if replayed is not None:
            return self.holding(replayed)
        if self._find_holding(key) is not None:
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
        self._touch(product)
        self._add(holding)
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
        self._touch(product)
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
            holding = self._holding_of(holding_id)
            self._touch(holding)
            holding.transition(HoldingStatus.ACTIVE, at)
        if product.backing_holding_id is not None:
            backing = self._holding_of(product.backing_holding_id)
            self._touch(backing)
            backing.principal = backing.principal - sold
            backing.transfers = (*backing.transfers, TransferSlice(product.product_id, sold))
            backing.liquidating_product_id = None
            done = HoldingStatus.PLEDGED if terms.kind is ProductKind.PLEDGED_LOAN else HoldingStatus.TRANSFERRED
            backing.transition(done if backing.principal.is_zero() else HoldingStatus.ACTIVE, at)

    def _cancel(self, product: Product, at: datetime) -> None:
        self._touch(product)
        for holding_id in product.holding_ids:
            holding = self._holding_of(holding_id)
            self._touch(holding)
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
            backing = self._holding_of(product.backing_holding_id)
            self._touch(backing)
            backing.liquidating_product_id = None
            backing.transition(HoldingStatus.ACTIVE, at)

    def close_sale(self, product_id: str, *, at: datetime) -> Product:
        """Close an unsold product at or after the end of its window: issue what sold, or cancel and refund.

        The product's :class:`~antfin.wealth.zhaocaibao.UnsoldPolicy` decides;
        a product that sold nothing is cancelled either way.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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
