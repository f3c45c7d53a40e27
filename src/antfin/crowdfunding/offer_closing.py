"""A crowdfunding offer's close: at the deadline (or when fully subscribed) the offer is settled to the issuer
if it is funded, or every live subscription is refunded.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from antfin.calendar import ensure_aware
from antfin.chart import ProfitPoint, revenue_account
from antfin.crowdfunding import offer as _offer
from antfin.crowdfunding.terms import FundingMode, OfferTerms
from antfin.ledger import Ledger, Posting
from antfin.money import Money, allocate_minor_units


class _Closing:
    """The close and settlement of :class:`~antfin.crowdfunding.offer.CrowdfundOffer`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:

        def _change(
            self,
            at: datetime,
            *,
            subscription: _offer.Subscription | None = None,
            status: _offer.OfferStatus | None = None,
            settlement: _offer.Settlement | None = None,
        ) -> None: ...
        def _ledger_key(self, key: str, action: str) -> str: ...
        def _now(self, at: datetime) -> datetime: ...

        _settlement: _offer.Settlement | None
        closes_at: datetime
        equity_units: int

        @property
        def escrow_account(self) -> str: ...

        issuer_wallet: str
        ledger: Ledger

        @property
        def live_subscriptions(self) -> tuple[_offer.Subscription, ...]: ...

        offer_id: str
        target: Money
        terms: OfferTerms

    def advance_to(self, at: datetime) -> _offer.Settlement | None:
        """Bring the offer to the instant ``at``: from ``closes_at`` on, close it (once).

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> offer.advance_to(shanghai(2016, 3, 30)) is None
        True
        >>> settlement = offer.advance_to(shanghai(2016, 3, 31))
        >>> settlement.status.name, settlement.refunded, offer.ledger.available("wallet:lead")
        ('NOT_FUNDED', Money('100000.00', 'CNY'), Money('600000.00', 'CNY'))
        >>> offer.advance_to(shanghai(2016, 4, 30)) is settlement
        True

        Funded (the target is raised, or in keep-what-you-raise mode anything is):
        every hold is posted into escrow, then escrow pays the issuer the total
        minus the service fee (``terms.service_fee_rate`` of the total, rounded with
        ``terms.fee_rounding``) and the fee to the profit point ``DAKE_SERVICE_FEE``
        (:class:`~antfin.chart.ProfitPoint`), all in one atomic ledger
        batch. Not funded: every hold is voided, exactly once. Equity: ``equity_units``
        when the target is raised, else ``equity_units x raised / target`` rounded
        DOWN, allocated by amount with the largest-remainder method (the units sum
        exactly).

        Returns:
            ``None`` before the close; the :class:`Settlement` from then on, the same
            object on every replay.

        Raises:
            antfin.errors.InvalidTimeError: a naive instant, or (while open) one before
                the offer's last event.
        """
        at = ensure_aware(at)
        if self._settlement is not None:
            return self._settlement
        at = self._now(at)
        if at < self.closes_at:
            return None
        live = self.live_subscriptions
        raised = sum((sub.amount for sub in live), self.target.currency.zero())
        funded = raised >= self.target or (self.terms.mode is FundingMode.KEEP_WHAT_YOU_RAISE and raised.is_positive())
        settlement = self._settle_funded(live, raised, at) if funded else self._refund(live, raised, at)
        self._change(at, status=settlement.status, settlement=settlement)
        return settlement

    def _settle_funded(self, live: tuple[_offer.Subscription, ...], raised: Money, at: datetime) -> _offer.Settlement:
        fee = self.terms.service_fee_rate.of(raised, rounding=self.terms.fee_rounding)
        proceeds = raised - fee
        with self.ledger.atomic():
            for sub in live:
                self.ledger.post_hold(self._ledger_key(sub.key, "settle"), sub.hold_id, at=at)
            postings = [Posting.debit(self.escrow_account, raised)]
            if proceeds.is_positive():
                postings.append(Posting.credit(self.issuer_wallet, proceeds))
            if fee.is_positive():
                revenue = revenue_account(self.ledger, ProfitPoint.DAKE_SERVICE_FEE, raised.currency)
                postings.append(Posting.credit(revenue, fee))
            self.ledger.post_entry(
                f"dake:{self.offer_id}:payout",
                postings,
                at=at,
                memo=f"Ant Dake offer {self.offer_id} funded: proceeds to issuer, service fee to platform",
                metadata={"offer_id": self.offer_id, "raised": str(raised.amount), "fee": str(fee.amount)},
            )
        if raised == self.target:
            units = self.equity_units
        else:
            units = (self.equity_units * raised.minor_units) // self.target.minor_units  # DOWN
        parts = allocate_minor_units(units, [sub.amount.minor_units for sub in live])
        allocations = tuple(
            _offer.ShareAllocation(sub.investor_id, sub.role, sub.amount, part)
            for sub, part in zip(live, parts, strict=True)
        )
        for sub in live:
            self._change(at, subscription=attrs.evolve(sub, status=_offer.SubscriptionStatus.SETTLED, resolved_at=at))
        zero = raised.currency.zero()
        return _offer.Settlement(_offer.OfferStatus.FUNDED, at, raised, fee, proceeds, units, allocations, zero)

    def _refund(self, live: tuple[_offer.Subscription, ...], raised: Money, at: datetime) -> _offer.Settlement:
        with self.ledger.atomic():
            for sub in live:
                self.ledger.void_hold(self._ledger_key(sub.key, "refund"), sub.hold_id, at=at)
        for sub in live:
            self._change(at, subscription=attrs.evolve(sub, status=_offer.SubscriptionStatus.REFUNDED, resolved_at=at))
        zero = raised.currency.zero()
        return _offer.Settlement(_offer.OfferStatus.NOT_FUNDED, at, zero, zero, zero, 0, (), raised)
