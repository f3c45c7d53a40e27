"""A crowdfunding offer's subscriptions: eligibility of an investor, subscribing (lead or follow) and cancelling
within the cooling-off period.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from antfin import chart
from antfin.calendar import ensure_aware, local_date
from antfin.crowdfunding import offer as _offer
from antfin.crowdfunding.decision import QualificationDecision
from antfin.crowdfunding.investor import InvestorFacts
from antfin.crowdfunding.policy import QualifiedInvestorPolicy
from antfin.crowdfunding.terms import OfferTerms
from antfin.errors import (
    InvalidTransitionError,
    LimitExceededError,
    PolicyViolationError,
)
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.idempotency import same_request
from antfin.ledger import Ledger
from antfin.money import Money
from antfin.validators import check_key, check_money, check_positive


class _Subscriptions:
    """Eligibility, subscriptions and cancellations of :class:`~antfin.crowdfunding.offer.CrowdfundOffer`."""

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
        def _check_open(self, at: datetime, action: str) -> None: ...
        def _ledger_key(self, key: str, action: str) -> str: ...
        def _now(self, at: datetime) -> datetime: ...

        _subscriptions: dict[str, _offer.Subscription]

        @property
        def cancellation_deadline(self) -> datetime: ...
        @property
        def escrow_account(self) -> str: ...
        def get(self, key: str) -> _offer.Subscription: ...
        @property
        def investor_count(self) -> int: ...
        @property
        def lead(self) -> _offer.Subscription | None: ...

        ledger: Ledger

        @property
        def live_subscriptions(self) -> tuple[_offer.Subscription, ...]: ...

        max_ticket: Money | None
        min_ticket: Money

        @property
        def minimum_lead(self) -> Money: ...

        offer_id: str
        policy: QualifiedInvestorPolicy

        @property
        def raised(self) -> Money: ...

        target: Money
        terms: OfferTerms

    def eligibility(self, investor: InvestorFacts, amount: Money, *, at: datetime) -> QualificationDecision:
        """The qualification decision a subscription of ``amount`` at ``at`` would be judged by.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import _example_offer
        >>> decision = _example_offer().eligibility(InvestorFacts("x"), CNY("10000"), at=shanghai(2016, 3, 2))
        >>> decision.status.name, [fact.name for fact in decision.missing]
        ('INCOMPLETE', ['PERSONAL_FINANCIAL_ASSETS', 'AVERAGE_ANNUAL_INCOME_3Y'])

        The investor's single-project commitment defaults to ``amount`` when not
        declared (it is what they commit to this project). The policy must be in
        force on the Shanghai date of ``at``.

        Raises:
            antfin.errors.OutsideCoverageError: the policy is not in force that day.
        """
        facts = investor if investor.single_project_commitment is not None else investor.with_commitment(amount)
        return self.policy.check(facts, on=local_date(ensure_aware(at)))

    def subscribe(
        self,
        key: str,
        investor: InvestorFacts,
        amount: Money,
        *,
        at: datetime,
        role: _offer.Role = _offer.Role.FOLLOWER,
        wallet: str | None = None,
    ) -> _offer.Subscription:
        """Subscribe ``amount`` for ``investor``: checks every rule, then holds the money.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> fan = InvestorFacts("fan", annual_incomes=(CNY("300000"),) * 3)
        >>> offer.subscribe("s1", fan, CNY("10000"), at=shanghai(2016, 3, 2))
        Traceback (most recent call last):
        ...
        antfin.errors.PolicyViolationError: offer tea has no lead investor yet; followers may subscribe only after ...
        >>> lead = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> offer.subscribe("s2", fan, CNY("10000"), at=shanghai(2016, 3, 3)).represented_by
        'lead'
        >>> offer.ledger.available("wallet:fan")
        Money('590000.00', 'CNY')

        Idempotent by ``key``: the same key with the same investor, amount, role
        and wallet returns the original subscription with no second hold; with
        different ones it raises.

        Args:
            key: the caller's request key, unique within the offer.
            investor: the investor's facts, checked against the policy.
            amount: the ticket.
            at: when (aware).
            role: ``Role.LEAD`` for the lead (first), else follower.
            wallet: the wallet to hold from (default ``wallet:<investor_id>``).

        Returns:
            The pending subscription.

        Raises:
            antfin.errors.PolicyViolationError: an unqualified investor, a closed or
                not-yet-open offer, a follower before the lead, a second lead, a lead
                under the minimum share, a ticket outside the limits, or an investor
                who already holds a live subscription.
            antfin.errors.LimitExceededError: the investor cap or the target would be exceeded.
            antfin.errors.InsufficientFundsError: the wallet's available balance is too low.
            antfin.errors.IdempotencyConflictError: the key was used with different parameters.
            antfin.errors.InvalidTimeError: a naive instant or one before the offer's last event.
        """
        check_key(key)
        if not isinstance(investor, InvestorFacts):
            raise TypeError(f"investor must be InvestorFacts, not {type(investor).__name__}")
        if not isinstance(role, _offer.Role):
            raise TypeError(f"role must be a Role, not {type(role).__name__}")
        check_money(amount, "amount")
        wallet = chart.wallet(investor.investor_id) if wallet is None else wallet
        existing = self._subscriptions.get(key)
        if existing is not None:
            asked = request_fingerprint("subscribe", investor.investor_id, amount, role, wallet)
            recorded = request_fingerprint(
                "subscribe", existing.investor_id, existing.amount, existing.role, existing.wallet
            )
            same_request(key, recorded, asked, what=f"subscription key of offer {self.offer_id}")
            return existing
        at = self._now(at)
        self._check_open(at, "subscribe")
        check_positive(amount)
        if any(sub.investor_id == investor.investor_id for sub in self.live_subscriptions):
            raise PolicyViolationError(
                f"investor {investor.investor_id} already has a live subscription to offer {self.offer_id}; "
                "cancel it before subscribing again"
            )
        decision = self.eligibility(investor, amount, at=at)
        if not decision.approved:
            reasons = "; ".join(outcome.text("en_US") for outcome in decision.outcomes)
            raise PolicyViolationError(
                f"investor {investor.investor_id} is not a qualified investor under {self.policy.name} "
                f"({decision.status.words('en_US')}): {reasons}"
            )
        lead = self.lead
        if role is _offer.Role.LEAD:
            if lead is not None:
                raise PolicyViolationError(f"offer {self.offer_id} already has a lead investor ({lead.investor_id})")
            if amount < self.minimum_lead:
                raise PolicyViolationError(
                    f"the lead must subscribe at least {self.minimum_lead} "
                    f"({self.terms.lead_min_share} of the target {self.target}), got {amount}"
                )
        elif lead is None:
            raise PolicyViolationError(
                f"offer {self.offer_id} has no lead investor yet; followers may subscribe only after the lead"
            )
        if amount < self.min_ticket:
            raise PolicyViolationError(f"amount {amount} is below the minimum ticket {self.min_ticket}")
        if self.max_ticket is not None and amount > self.max_ticket:
            raise PolicyViolationError(f"amount {amount} is above the maximum ticket {self.max_ticket}")
        if self.investor_count >= self.terms.max_investors:
            raise LimitExceededError(
                f"offer {self.offer_id} already has {self.investor_count} investors, "
                f"the most allowed is {self.terms.max_investors}"
            )
        room = self.target - self.raised
        if amount > room:
            raise LimitExceededError(
                f"amount {amount} exceeds what is left of the target {self.target}: {room} (raised {self.raised})"
            )
        hold = self.ledger.hold(
            self._ledger_key(key, "hold"),
            debit=wallet,
            credit=self.escrow_account,
            amount=amount,
            at=at,
            memo=f"Ant Dake subscription {key} to {self.offer_id}",
            metadata={"offer_id": self.offer_id, "investor_id": investor.investor_id, "role": role.value[0]},
        )
        subscription = _offer.Subscription(
            key,
            investor.investor_id,
            role,
            amount,
            wallet,
            hold.id,
            at,
            None if role is _offer.Role.LEAD or lead is None else lead.investor_id,
            decision,
        )
        self._change(at, subscription=subscription)
        return subscription

    def cancel(self, key: str, *, at: datetime) -> _offer.Subscription:
        """Cancel a pending subscription before the cut-off, releasing its hold.

        Cancelling an already cancelled subscription returns it unchanged. The
        lead cannot cancel while followers it represents hold live subscriptions.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> offer.cancel("s1", at=shanghai(2016, 3, 29))
        Traceback (most recent call last):
        ...
        antfin.errors.PolicyViolationError: cancellation closed at 2016-03-29T00:00:00+08:00 ...
        >>> offer.cancel("s1", at=shanghai(2016, 3, 28, 23, 59, 59)).status.name
        'CANCELLED'

        Raises:
            antfin.errors.NotFoundError: for an unknown key.
            antfin.errors.PolicyViolationError: at or after the cancellation
                deadline, or a lead with live followers.
            antfin.errors.InvalidTransitionError: the subscription was settled or refunded.
            antfin.errors.InvalidTimeError: a naive instant or one before the offer's last event.
        """
        subscription = self.get(key)
        if subscription.status is _offer.SubscriptionStatus.CANCELLED:
            return subscription
        at = self._now(at)
        if subscription.status is not _offer.SubscriptionStatus.PENDING:
            raise InvalidTransitionError(
                f"cannot cancel subscription {key!r}: it is {subscription.status.value}, not pending"
            )
        if at >= self.cancellation_deadline:
            raise PolicyViolationError(
                f"cancellation closed at {self.cancellation_deadline.isoformat()} "
                f"({self.terms.cancellation_cutoff} before the close); asked at {at.isoformat()}"
            )
        if subscription.role is _offer.Role.LEAD:
            followers = [sub for sub in self.live_subscriptions if sub.represented_by == subscription.investor_id]
            if followers:
                raise PolicyViolationError(
                    f"the lead {subscription.investor_id} represents {len(followers)} live follower subscription(s) "
                    "and cannot cancel before they do"
                )
        self.ledger.void_hold(self._ledger_key(key, "cancel"), subscription.hold_id, at=at)
        cancelled = attrs.evolve(subscription, status=_offer.SubscriptionStatus.CANCELLED, resolved_at=at)
        self._change(at, subscription=cancelled)
        return cancelled
