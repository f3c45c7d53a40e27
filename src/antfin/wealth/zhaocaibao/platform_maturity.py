"""Zhaocaibao's maturity and claims: paying products at maturity, defaults, the guarantor's claims and the
daily settlement of what is due.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from antfin.calendar import ensure_aware, local_date
from antfin.errors import (
    InvalidTransitionError,
    InvariantViolationError,
    PolicyViolationError,
)
from antfin.ledger import Posting
from antfin.money import Money
from antfin.wealth.zhaocaibao import platform as _platform
from antfin.wealth.zhaocaibao.claims import ClaimStatus, GuarantorClaim
from antfin.wealth.zhaocaibao.platform_state import _Records
from antfin.wealth.zhaocaibao.products import (
    BACKED_KINDS,
    Holding,
    HoldingStatus,
    Product,
    ProductStatus,
    TransferSlice,
)
from antfin.wealth.zhaocaibao.reservations import (
    Reservation,
)


class _Maturity(_Records):
    """Maturity, defaults and guarantor claims of :class:`~antfin.wealth.zhaocaibao.platform.Zhaocaibao`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:

        def _cancel(self, product: Product, at: datetime) -> None: ...
        def _close(self, product: Product, at: datetime) -> None: ...

        _config: _platform.ZhaocaibaoConfig

        def _expire_due(self, at: datetime) -> tuple[Reservation, ...]: ...

        def _transfers_of(self, product: Product) -> list[Product]: ...
        def claim(self, product_id: str) -> GuarantorClaim: ...
        def product(self, product_id: str) -> Product: ...
        @staticmethod
        def wallet(party: str) -> str: ...

    def _check_payable(self, product: Product, at: datetime) -> None:
        if product.terms.kind in BACKED_KINDS:
            backing = self._holding_of(product.backing_holding_id or "")
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

    def _payout_lines(self, product: Product) -> tuple[_platform.PayoutLine, ...]:
        positions: list[tuple[Holding, TransferSlice | None]] = []
        for holding_id in product.holding_ids:
            holding = self._holding_of(holding_id)
            positions.append((holding, None))
            positions.extend((holding, part) for part in holding.transfers)
        weights = [part.principal.minor_units if part else holding.principal.minor_units for holding, part in positions]
        if sum(weights) != product.sold.minor_units:
            raise InvariantViolationError(
                f"product {product.product_id}'s positions sum to {sum(weights)} fen, but it sold {product.sold}"
            )
        interest = product.terms.expected_interest(product.sold, days=product.term_days)
        lines: list[_platform.PayoutLine] = []
        zero = product.sold.currency.zero()
        for (holding, part), share in zip(positions, interest.allocate(weights), strict=True):
            if part is None:
                if holding.principal.is_positive():
                    lines.append(_platform.PayoutLine(holding.holding_id, holding.investor, holding.principal, share))
                continue
            transfer = self._product_of(part.product_id)
            promised = transfer.terms.expected_interest(transfer.sold, days=transfer.term_days)
            buyers_interest = min(promised, share)
            buyers = [self._holding_of(hid) for hid in transfer.holding_ids]
            buyer_shares = buyers_interest.allocate([buyer.principal.minor_units for buyer in buyers])
            lines.extend(
                _platform.PayoutLine(buyer.holding_id, buyer.investor, buyer.principal, buyer_share)
                for buyer, buyer_share in zip(buyers, buyer_shares, strict=True)
            )
            lines.append(_platform.PayoutLine(holding.holding_id, holding.investor, zero, share - buyers_interest))
        return tuple(lines)

    def _pay(self, product: Product, payer: str, key: str, at: datetime, memo: str) -> _platform.Payout:
        lines = self._payout_lines(product)
        payout = _platform.Payout(product.product_id, payer, at, lines)
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
        holdings = [self._holding_of(hid) for hid in product.holding_ids]
        for transfer in self._transfers_of(product):
            holdings.extend(self._holding_of(hid) for hid in transfer.holding_ids)
        for holding in holdings:
            if holding.status in (HoldingStatus.ACTIVE, HoldingStatus.TRANSFERRED, HoldingStatus.PLEDGED):
                self._touch(holding)
                holding.transition(HoldingStatus.PAID, at)
        return payout

    def mature(self, product_id: str, *, at: datetime) -> _platform.Payout:
        """Repay a product at maturity: the issuer pays principal plus interest to every holder.

        The issuer's interest is computed once on the whole amount sold (rounded
        per the terms) and split over the holdings by principal with the largest
        remainder, so the holders' lines sum exactly to the issuer's payment.
        Transferred parts pay their buyers first; the seller keeps the rest.
        Transfer sales still open are cancelled and refunded first.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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
                    self._touch(transfer)
                    transfer.transition(ProductStatus.MATURED, at)
            self._touch(product)
            product.transition(ProductStatus.MATURED, at)
        return payout

    def default(self, product_id: str, *, at: datetime) -> GuarantorClaim:
        """Record the issuer's default and file a claim on the guarantor for principal plus expected interest.

        Open transfer sales backed by the product are cancelled and refunded.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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
            self._add(claim)
            for transfer in self._transfers_of(product):
                if transfer.status is ProductStatus.ISSUED:
                    self._touch(transfer)
                    transfer.transition(ProductStatus.DEFAULTED, at)
            self._touch(product)
            product.transition(ProductStatus.DEFAULTED, at)
        return claim

    def confirm_claim(self, product_id: str, *, at: datetime) -> GuarantorClaim:
        """The guarantor confirms the claim (it has 30 days from filing; cfg). Payment is due within 3 days.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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
            self._touch(claim)
            claim.transition(ClaimStatus.CONFIRMED, at)
        return claim

    def pay_claim(self, product_id: str, *, at: datetime) -> _platform.Payout:
        """The guarantor pays a confirmed claim: every holder gets principal plus expected interest.

        >>> from antfin.wealth.zhaocaibao.platform import CNY, _example_platform
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
            self._touch(claim)
            claim.transition(ClaimStatus.PAID, at)
            payout = self._pay(product, claim.guarantor, f"zcb:{product_id}:guarantee", at, "guarantor payout")
            if payout.total != claim.amount:
                raise InvariantViolationError(f"claim on {product_id} is {claim.amount} but pays {payout.total}")
            for transfer in self._transfers_of(product):
                if transfer.status is ProductStatus.DEFAULTED:
                    self._touch(transfer)
                    transfer.transition(ProductStatus.GUARANTEE_PAID, at)
            self._touch(product)
            product.transition(ProductStatus.GUARANTEE_PAID, at)
        return payout

    def settle_due(self, at: datetime) -> _platform.SettlementReport:
        """Expire due reservations and close every sale whose window has ended, at ``at``.

        >>> from antfin.wealth.zhaocaibao.platform import _example_platform
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
        return _platform.SettlementReport(tuple(r.reservation_id for r in expired), tuple(closed))
