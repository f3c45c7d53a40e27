"""Insurance policies and claims: the aggregate's state, its transitions, and the claim assessment.

>>> from antfin.calendar import shanghai
>>> from antfin.insurance.products import TRAVEL
>>> policy = Policy.issue("P1", TRAVEL, holder="alice", sold_at=shanghai(2024, 5, 1, 9))
>>> policy.starts_on, policy.ends_on, policy.status
(datetime.date(2024, 5, 1), datetime.date(2024, 5, 7), <PolicyStatus.ACTIVE: 'active'>)
>>> print(assess_claim(policy, CNY("800"), date(2024, 5, 3)).explain())
claim on P1: approved
  [pass] policy is active: threshold active, actual active
  [pass] incident within cover: threshold 2024-05-01 – 2024-05-07, actual 2024-05-03
  [pass] claims paid so far below the limit: threshold no limit, actual 0 paid
  [pass] payout after deductible and limit is positive: threshold > ¥0.00, actual ¥800.00

Policies are frozen values: every change makes a new one through
:meth:`Policy.move_to` (which checks :data:`TRANSITIONS`) or
:meth:`Policy.with_claim`, so a policy round-trips through
:mod:`antfin.serialization` and the books can store it as it is.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Final

import attrs

from antfin.calendar import ensure_aware, ensure_date, local_date
from antfin.decisions import Decision, Reason
from antfin.errors import InvalidAmountError, InvalidTimeError, InvalidTransitionError, InvariantViolationError
from antfin.insurance.products import InsuranceProduct
from antfin.money import Money, format_money
from antfin.validators import check_name, check_non_negative

__all__ = [
    "TRANSITIONS",
    "Claim",
    "Policy",
    "PolicyEvent",
    "PolicyStatus",
    "assess_claim",
]


class PolicyStatus(enum.Enum):
    """A policy's life: active until its cover is used up (exhausted) or its term ends (expired).

    >>> PolicyStatus.EXPIRED.is_final
    True

    .. versionadded:: 0.2.0
    """

    ACTIVE = "active"
    EXHAUSTED = "exhausted"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        """``True`` once no claim can be paid any more.

        >>> PolicyStatus.ACTIVE.is_final
        False
        """
        return self is not PolicyStatus.ACTIVE


#: The legal moves of a policy's status.
TRANSITIONS: Final[Mapping[PolicyStatus, frozenset[PolicyStatus]]] = {
    PolicyStatus.ACTIVE: frozenset({PolicyStatus.EXHAUSTED, PolicyStatus.EXPIRED}),
    PolicyStatus.EXHAUSTED: frozenset(),
    PolicyStatus.EXPIRED: frozenset(),
}


@attrs.frozen
class PolicyEvent:
    """One recorded change of a policy's status.

    >>> from antfin.calendar import shanghai
    >>> PolicyEvent(shanghai(2024, 5, 8), PolicyStatus.ACTIVE, PolicyStatus.EXPIRED).to_status.value
    'expired'

    .. versionadded:: 0.2.0
    """

    at: datetime
    from_status: PolicyStatus
    to_status: PolicyStatus


@attrs.frozen
class Claim:
    """A claim on a policy: what was asked, the assessment, and what the insurer paid.

    >>> from antfin.calendar import shanghai
    >>> Claim("C1", "P1", CNY("50"), date(2024, 5, 3), shanghai(2024, 5, 4), Decision.of("x", ()), CNY("50"),
    ...       CNY("1"), ()).approved
    True

    Attributes:
        claim_id: the caller's key.
        policy_id: the policy claimed on.
        claimed: the amount asked for.
        incident_on: the date of the loss.
        at: when it was assessed (and paid).
        decision: the assessment with its reasons.
        paid: what the insurer paid the holder (zero when declined).
        service_fee: Ant's claims service fee, paid by the insurer.
        entry_ids: the ledger entries it booked.

    .. versionadded:: 0.2.0
    """

    claim_id: str
    policy_id: str
    claimed: Money
    incident_on: date
    at: datetime
    decision: Decision
    paid: Money
    service_fee: Money
    entry_ids: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        for name in ("claimed", "paid", "service_fee"):
            check_non_negative(getattr(self, name), name)
        if not isinstance(self.decision, Decision):
            raise TypeError(f"decision must be a Decision, not {type(self.decision).__name__}")
        if self.paid and not self.decision.approved:
            raise InvalidAmountError(f"paid: a declined claim pays nothing, got {self.paid}")
        ensure_date(self.incident_on, "incident_on")
        ensure_aware(self.at, "at")

    @property
    def approved(self) -> bool:
        """Whether the assessment approved the claim.

        >>> from antfin.calendar import shanghai
        >>> Claim("C", "P", CNY("1"), date(2024, 1, 1), shanghai(2024, 1, 1), Decision.of("x", ()), CNY("1"), CNY("0"),
        ...       ()).approved
        True
        """
        return self.decision.approved


@attrs.frozen
class Policy:
    """An insurance policy sold through Alipay: the aggregate (a frozen value; changes return new ones).

    >>> from antfin.calendar import shanghai
    >>> from antfin.insurance.products import RETURN_SHIPPING
    >>> policy = Policy.issue("P2", RETURN_SHIPPING, holder="bob", sold_at=shanghai(2024, 5, 1), subject="T1001")
    >>> policy.subject, policy.premium
    ('T1001', Money('0.90', 'CNY'))

    Attributes:
        policy_id: the caller's key of the sale.
        product: the product's terms as sold.
        holder: the policyholder's user id (paid the premium, receives payouts).
        premium: what the holder paid.
        sold_at: the instant of the sale.
        starts_on: first day of cover (the sale's Asia/Shanghai date).
        ends_on: last day of cover.
        subject: what it covers beyond the holder (the escrow trade of return-shipping cover).
        status: the current status.
        claims: every claim assessed, in order.
        events: every status change.
        entry_ids: the sale's journal entries (premium, then service fees).

    .. versionadded:: 0.2.0
    """

    policy_id: str
    product: InsuranceProduct
    holder: str
    premium: Money
    sold_at: datetime
    starts_on: date
    ends_on: date
    subject: str = ""
    status: PolicyStatus = PolicyStatus.ACTIVE
    claims: tuple[Claim, ...] = ()
    events: tuple[PolicyEvent, ...] = ()
    entry_ids: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        # Stored state is untrusted: a loaded policy passes the same checks as one built here.
        if not isinstance(self.product, InsuranceProduct):
            raise TypeError(f"product must be an InsuranceProduct, not {type(self.product).__name__}")
        for name in ("policy_id", "holder"):
            check_name(getattr(self, name), name)
        if not isinstance(self.premium, Money) or not self.premium.is_positive():
            raise InvalidAmountError(f"premium must be positive Money, got {self.premium!r}")
        moment = ensure_aware(self.sold_at, "sold_at")
        start = local_date(moment)
        end = start + timedelta(days=max(self.product.term_days - 1, 0))
        if (self.starts_on, self.ends_on) != (start, end):
            raise InvalidTimeError(
                f"starts_on/ends_on: a policy sold on {start} covers {start} – {end}, "
                f"not {self.starts_on} – {self.ends_on}"
            )
        if any(claim.policy_id != self.policy_id for claim in self.claims):
            raise InvariantViolationError(f"claims: every claim of policy {self.policy_id} must name it")
        if self.paid > self.product.sum_insured:
            raise InvariantViolationError(
                f"claims: policy {self.policy_id} paid {self.paid}, above its sum insured {self.product.sum_insured}"
            )
        status = PolicyStatus.ACTIVE
        for event in self.events:
            if event.from_status is not status or event.to_status not in TRANSITIONS[status]:
                raise InvalidTransitionError(f"events: policy {self.policy_id} cannot go from {status.value} "
                                             f"to {event.to_status.value}")  # fmt: skip
            status = event.to_status
        if status is not self.status:
            raise InvariantViolationError(
                f"status: policy {self.policy_id} is {self.status.value} but its events end at {status.value}"
            )

    @classmethod
    def issue(
        cls, policy_id: str, product: InsuranceProduct, *, holder: str, sold_at: datetime, subject: str = ""
    ) -> Policy:
        """A new active policy, covering ``product.term_days`` days from the sale's date.

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import HEALTH
        >>> Policy.issue("H1", HEALTH, holder="c", sold_at=shanghai(2024, 1, 1)).ends_on
        datetime.date(2024, 12, 30)
        """
        moment = ensure_aware(sold_at, "sold_at")
        start = local_date(moment)
        end = start + timedelta(days=max(product.term_days - 1, 0))
        return cls(policy_id, product, holder, product.premium, moment, start, end, subject)

    @property
    def paid(self) -> Money:
        """What the insurer has paid on this policy so far.

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import TRAVEL
        >>> Policy.issue("P", TRAVEL, holder="a", sold_at=shanghai(2024, 1, 1)).paid
        Money('0.00', 'CNY')
        """
        return sum((claim.paid for claim in self.claims), self.premium.currency.zero())

    @property
    def claims_paid(self) -> int:
        """How many claims were paid (approved).

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import TRAVEL
        >>> Policy.issue("P", TRAVEL, holder="a", sold_at=shanghai(2024, 1, 1)).claims_paid
        0
        """
        return sum(1 for claim in self.claims if claim.approved)

    def covers(self, on: date) -> bool:
        """Whether an incident on ``on`` falls in the cover (after any waiting days, up to the end date).

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import HEALTH
        >>> policy = Policy.issue("H", HEALTH, holder="c", sold_at=shanghai(2024, 1, 1))
        >>> policy.covers(date(2024, 1, 15)), policy.covers(date(2024, 2, 1))
        (False, True)
        """
        day = ensure_date(on, "on")
        return self.starts_on + timedelta(days=self.product.waiting_days) <= day <= self.ends_on

    def move_to(self, status: PolicyStatus, at: datetime) -> Policy:
        """The policy in ``status``, with the change recorded; illegal moves raise.

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import TRAVEL
        >>> policy = Policy.issue("P", TRAVEL, holder="a", sold_at=shanghai(2024, 1, 1))
        >>> expired = policy.move_to(PolicyStatus.EXPIRED, shanghai(2024, 1, 8))
        >>> expired.move_to(PolicyStatus.ACTIVE, shanghai(2024, 1, 9))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: policy P is expired; it cannot become active

        Raises:
            antfin.errors.InvalidTransitionError: for a move not in :data:`TRANSITIONS`.
        """
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransitionError(
                f"policy {self.policy_id} is {self.status.value}; it cannot become {status.value}"
            )
        event = PolicyEvent(ensure_aware(at, "at"), self.status, status)
        return attrs.evolve(self, status=status, events=(*self.events, event))

    def with_claim(self, claim: Claim) -> Policy:
        """The policy with ``claim`` recorded, exhausted when its cover or its claim count is used up.

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import RETURN_SHIPPING
        >>> policy = Policy.issue("R", RETURN_SHIPPING, holder="b", sold_at=shanghai(2024, 5, 1))
        >>> claim = Claim("C", "R", CNY("12"), date(2024, 5, 5), shanghai(2024, 5, 5), Decision.of("ok", ()),
        ...               CNY("12"), CNY("1"), ())
        >>> policy.with_claim(claim).status
        <PolicyStatus.EXHAUSTED: 'exhausted'>
        """
        updated = attrs.evolve(self, claims=(*self.claims, claim))
        limit = self.product.max_claims
        used_up = updated.paid >= self.product.sum_insured or (limit is not None and updated.claims_paid >= limit)
        if self.status is PolicyStatus.ACTIVE and used_up:
            return updated.move_to(PolicyStatus.EXHAUSTED, claim.at)
        return updated


def assess_claim(policy: Policy, claimed: Money, incident_on: date, *, extra: tuple[Reason, ...] = ()) -> Decision:
    """Assess a claim: approved only when the policy is active, the incident is covered, claims are left,
    and the payout is positive; every rule is listed with its threshold and the actual value.

    >>> from antfin.calendar import shanghai
    >>> from antfin.insurance.products import HEALTH
    >>> policy = Policy.issue("H", HEALTH, holder="c", sold_at=shanghai(2024, 1, 1))
    >>> decision = assess_claim(policy, CNY("80"), date(2024, 1, 10))
    >>> [reason.rule for reason in decision.failed_reasons]
    ['incident within cover', 'payout after deductible and limit is positive']

    Args:
        policy: the policy claimed on.
        claimed: the loss claimed.
        incident_on: the date of the loss.
        extra: further reasons the caller checked (return shipping: the trade was returned).

    .. versionadded:: 0.2.0
    """
    product = policy.product
    first = policy.starts_on + timedelta(days=product.waiting_days)
    limit = product.max_claims
    payout = product.payout_for(claimed, already_paid=policy.paid)
    zero = claimed.currency.zero()
    reasons = (
        Reason(
            "policy is active", PolicyStatus.ACTIVE.value, policy.status.value, policy.status is PolicyStatus.ACTIVE
        ),
        Reason(
            "incident within cover",
            f"{first} – {policy.ends_on}",
            str(incident_on),
            policy.covers(incident_on),
        ),
        Reason(
            "claims paid so far below the limit",
            "no limit" if limit is None else f"{limit} claim(s) at most",
            f"{policy.claims_paid} paid",
            limit is None or policy.claims_paid < limit,
        ),
        *extra,
        Reason(
            "payout after deductible and limit is positive",
            f"> {format_money(zero)}",
            format_money(payout),
            payout.is_positive(),
        ),
    )
    return Decision.of(f"claim on {policy.policy_id}", reasons)
