"""Zhaocaibao's liquidation (变现): cash a holding early by transferring it or borrowing against it, each a new
product backed by the holding.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from antfin.calendar import ensure_aware, local_date, start_of_day
from antfin.errors import (
    IdempotencyConflictError,
    InvalidAmountError,
    InvalidTransitionError,
    PolicyViolationError,
)
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.money import Money
from antfin.rates import Rate
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
)


class _Liquidity(_Records):
    """Liquidation and borrowing of :class:`~antfin.wealth.zhaocaibao.platform.Zhaocaibao`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:
        _config: _platform.ZhaocaibaoConfig

        def _list(self, terms: ProductTerms, at: datetime, backing_holding_id: str | None) -> Product: ...

        def holding(self, holding_id: str) -> Holding: ...
        def product(self, product_id: str) -> Product: ...

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

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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
        key = check_key(key)
        at = ensure_aware(at, "at")
        holding = self.holding(holding_id)
        amount = holding.principal if principal is None else check_positive(principal, "principal")
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
        if self._find_product(key) is not None:
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
            self._touch(holding)
            holding.liquidating_product_id = key
            holding.transition(HoldingStatus.LIQUIDATING, at)
            self._remember(operation, key, fingerprint, key)
            product = self._list(terms, at, backing_holding_id=holding_id)
        return product

    def _transfers_of(self, product: Product) -> list[Product]:
        found: list[Product] = []
        for holding_id in product.holding_ids:
            holding = self._holding_of(holding_id)
            found.extend(self._product_of(part.product_id) for part in holding.transfers)
            if holding.liquidating_product_id is not None:
                found.append(self._product_of(holding.liquidating_product_id))
        return found
