"""An Ant Dake equity crowdfunding offer (蚂蚁达客): lead and followers, holds, all-or-nothing close.

>>> from antfin.calendar import shanghai
>>> from antfin.crowdfunding import CrowdfundOffer, InvestorFacts, Role
>>> from antfin.ledger import AccountKind, Ledger
>>> ledger = Ledger()
>>> for account in ("wallet:issuer", "wallet:lead", "wallet:fan"):
...     _ = ledger.open_account(account, AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
>>> for who in ("lead", "fan"):
...     _ = ledger.transfer(f"top-up:{who}", debit="asset:bank", credit=f"wallet:{who}",
...                         amount=CNY("600000"), at=shanghai(2016, 3, 1))
>>> offer = CrowdfundOffer("tea", issuer="issuer", target=CNY("1000000"), min_ticket=CNY("10000"),
...     opens_at=shanghai(2016, 3, 1), closes_at=shanghai(2016, 3, 31), equity_units=100_000, ledger=ledger)
>>> rich = dict(personal_financial_assets=CNY("2000000"))
>>> _ = offer.subscribe("s1", InvestorFacts("lead", **rich), CNY("500000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
>>> _ = offer.subscribe("s2", InvestorFacts("fan", **rich), CNY("500000"), at=shanghai(2016, 3, 3))
>>> settlement = offer.advance_to(shanghai(2016, 3, 31))
>>> settlement.status.name, settlement.service_fee, ledger.balance("wallet:issuer")
('FUNDED', Money('30000.00', 'CNY'), Money('970000.00', 'CNY'))
>>> [(a.investor_id, a.units) for a in settlement.allocations]
[('lead', 50000), ('fan', 50000)]

Money moves only through the ledger: a subscription is a two-phase hold from
the investor's wallet to the offer's escrow account; the close posts the
holds and pays the issuer net of the service fee (booked to
``DAKE_SERVICE_FEE`` (:class:`~antfin.chart.ProfitPoint`)), or voids
every hold exactly once.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Final, NoReturn

import attrs

from antfin.calendar import ensure_aware
from antfin.chart import wallet
from antfin.crowdfunding.decision import QualificationDecision
from antfin.crowdfunding.policy import QualifiedInvestorPolicy
from antfin.crowdfunding.presets import SEED_2016
from antfin.crowdfunding.terms import OfferTerms
from antfin.errors import (
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    NotFoundError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, HoldStatus, Ledger
from antfin.money import Money, Rounding
from antfin.validators import attribute, check_int, check_key, check_name, check_positive

__all__ = [
    "CrowdfundOffer",
    "OfferEvent",
    "OfferStatus",
    "Role",
    "Settlement",
    "ShareAllocation",
    "Subscription",
    "SubscriptionStatus",
]


class Role(enum.Enum):
    """An investor's role in an offer: the lead (领投) or a follower (跟投).

    >>> from antfin.crowdfunding.offer import Role
    >>> Role.LEAD.name_zh, Role.FOLLOWER.name_en
    ('领投', 'follower')

    .. versionadded:: 0.1.0
    """

    LEAD = ("lead", "领投", "lead")
    FOLLOWER = ("follower", "跟投", "follower")

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> Role.FOLLOWER.name_zh
        '跟投'
        """
        return self.value[1]

    @property
    def name_en(self) -> str:
        """English name.

        >>> Role.LEAD.name_en
        'lead'
        """
        return self.value[2]


class OfferStatus(enum.Enum):
    """Where an offer is: open for subscriptions, or closed funded / not funded.

    >>> from antfin.crowdfunding.offer import OfferStatus
    >>> [status.name for status in OfferStatus]
    ['OPEN', 'FUNDED', 'NOT_FUNDED']

    .. versionadded:: 0.1.0
    """

    OPEN = "open"
    FUNDED = "funded"
    NOT_FUNDED = "not_funded"


class SubscriptionStatus(enum.Enum):
    """Where a subscription is: held, cancelled, settled to the issuer, or refunded at the close.

    >>> from antfin.crowdfunding.offer import SubscriptionStatus
    >>> SubscriptionStatus.PENDING.is_live, SubscriptionStatus.REFUNDED.is_live
    (True, False)

    .. versionadded:: 0.1.0
    """

    PENDING = "pending"
    CANCELLED = "cancelled"
    SETTLED = "settled"
    REFUNDED = "refunded"

    @property
    def is_live(self) -> bool:
        """``True`` for a subscription still holding money (pending).

        >>> SubscriptionStatus.SETTLED.is_live
        False
        """
        return self is SubscriptionStatus.PENDING


_OFFER_MOVES: Final = {OfferStatus.OPEN: frozenset({OfferStatus.FUNDED, OfferStatus.NOT_FUNDED})}
_SUBSCRIPTION_MOVES: Final = {
    None: frozenset({SubscriptionStatus.PENDING}),
    SubscriptionStatus.PENDING: frozenset(
        {SubscriptionStatus.CANCELLED, SubscriptionStatus.SETTLED, SubscriptionStatus.REFUNDED}
    ),
}


@attrs.frozen
class Subscription:
    """One investor's subscription: the amount held, the role, the qualification it passed.

    >>> from antfin.calendar import shanghai
    >>> from antfin.crowdfunding import InvestorFacts
    >>> from antfin.crowdfunding.offer import Role, _example_offer
    >>> offer = _example_offer()
    >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
    >>> sub = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
    >>> sub.investor_id, sub.role.name, sub.amount, sub.status.name, sub.hold_id
    ('lead', 'LEAD', Money('100000.00', 'CNY'), 'PENDING', 'dake:tea:s1:hold')

    Attributes:
        key: the caller's key (unique within the offer).
        investor_id: who subscribed.
        role: lead or follower.
        amount: the amount held.
        wallet: the wallet the money is held from.
        hold_id: the ledger hold.
        subscribed_at: when.
        represented_by: for a follower, the lead investor who represents them.
        decision: the qualification decision the subscription passed.
        status: pending, cancelled, settled or refunded.
        resolved_at: when the status left pending.

    .. versionadded:: 0.1.0
    """

    key: str
    investor_id: str
    role: Role
    amount: Money
    wallet: str
    hold_id: str
    subscribed_at: datetime
    represented_by: str | None
    decision: QualificationDecision
    status: SubscriptionStatus = SubscriptionStatus.PENDING
    resolved_at: datetime | None = None


@attrs.frozen
class ShareAllocation:
    """An investor's share of the equity issued at the close.

    >>> from antfin.crowdfunding.offer import Role, ShareAllocation
    >>> ShareAllocation("a", Role.LEAD, CNY("10"), 7).units
    7

    .. versionadded:: 0.1.0
    """

    investor_id: str
    role: Role
    amount: Money
    units: int


@attrs.frozen
class Settlement:
    """The result of the close: funded or not, the fee, the issuer's proceeds, the equity split.

    >>> from antfin.calendar import shanghai
    >>> from antfin.crowdfunding import InvestorFacts
    >>> from antfin.crowdfunding.offer import Role, _example_offer
    >>> offer = _example_offer()
    >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
    >>> _ = offer.subscribe("s1", rich, CNY("600000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
    >>> fan = InvestorFacts("fan", personal_financial_assets=CNY("2000000"))
    >>> _ = offer.subscribe("s2", fan, CNY("400000"), at=shanghai(2016, 3, 3))
    >>> settlement = offer.advance_to(shanghai(2016, 3, 31))
    >>> settlement.raised, settlement.service_fee, settlement.issuer_proceeds, settlement.units_issued
    (Money('1000000.00', 'CNY'), Money('30000.00', 'CNY'), Money('970000.00', 'CNY'), 100000)

    Attributes:
        status: funded or not funded.
        at: when the close was processed.
        raised: the total settled to the issuer (zero when not funded).
        service_fee: the platform's fee, booked to its profit point.
        issuer_proceeds: ``raised - service_fee``, paid to the issuer's wallet.
        units_issued: equity units issued (all offered when the target is raised).
        allocations: per investor, in subscription order; units sum to ``units_issued``.
        refunded: the total released back to investors.

    .. versionadded:: 0.1.0
    """

    status: OfferStatus
    at: datetime
    raised: Money
    service_fee: Money
    issuer_proceeds: Money
    units_issued: int
    allocations: tuple[ShareAllocation, ...]
    refunded: Money


@attrs.frozen
class OfferEvent:
    """One recorded state change of an offer or of one of its subscriptions.

    >>> from antfin.calendar import shanghai
    >>> from antfin.crowdfunding import InvestorFacts
    >>> from antfin.crowdfunding.offer import Role, _example_offer
    >>> offer = _example_offer()
    >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
    >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
    >>> _ = offer.cancel("s1", at=shanghai(2016, 3, 3))
    >>> [(event.subject, event.before, event.after, event.at.day) for event in offer.events]
    [('subscription:s1', 'new', 'pending', 2), ('subscription:s1', 'pending', 'cancelled', 3)]

    .. versionadded:: 0.1.0
    """

    at: datetime
    subject: str
    before: str
    after: str


def _aware(_instance: object, attribute: attrs.Attribute[datetime], value: datetime) -> None:
    ensure_aware(value, attribute.name)


# The operations are defined on the names above (Role, Subscription, ...): imported after them.
from antfin.crowdfunding.offer_closing import _Closing  # noqa: E402
from antfin.crowdfunding.offer_subscriptions import _Subscriptions  # noqa: E402


@attrs.define(eq=False)
class CrowdfundOffer(_Subscriptions, _Closing):
    """An equity crowdfunding offer on Ant Dake, settled through the ledger.

    >>> from antfin.crowdfunding.offer import CrowdfundOffer
    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import AccountKind, Ledger
    >>> ledger = Ledger()
    >>> _ = ledger.open_account("wallet:maker", AccountKind.LIABILITY, non_negative=True)
    >>> offer = CrowdfundOffer("o1", issuer="maker", target=CNY("100000"), min_ticket=CNY("1000"),
    ...     opens_at=shanghai(2016, 5, 1), closes_at=shanghai(2016, 5, 31), equity_units=1000, ledger=ledger)
    >>> offer.status.name, offer.minimum_lead, offer.cancellation_deadline.isoformat()
    ('OPEN', Money('10000.00', 'CNY'), '2016-05-29T00:00:00+08:00')
    >>> offer.advance_to(shanghai(2016, 5, 31)).status.name
    'NOT_FUNDED'

    Subscriptions are accepted in ``[opens_at, closes_at)``. The lead (领投)
    subscribes first with at least ``terms.lead_min_share`` of the target; then
    followers (跟投), each recorded as represented by the lead. The total is capped
    at the target; at most ``terms.max_investors`` investors hold live
    subscriptions. Cancellation is allowed before ``closes_at -
    terms.cancellation_cutoff`` (at that instant it is refused).
    :meth:`advance_to` brings the offer to an instant; from ``closes_at`` on it
    settles once, and replays return the same :class:`Settlement`.

    Args:
        offer_id: unique id; prefixes every ledger key (``dake:<offer_id>:...``).
        issuer: the issuer's id.
        target: the amount to raise; also the cap on the total.
        min_ticket: smallest subscription.
        opens_at: first instant subscriptions are accepted.
        closes_at: the close (subscriptions are accepted strictly before it).
        equity_units: share units offered for the target (e.g. shares, or basis points).
        ledger: the ledger; the issuer's wallet must already exist in it.
        policy: the qualified-investor policy (default :data:`~antfin.crowdfunding.presets.SEED_2016`).
        max_ticket: optional largest subscription.
        terms: platform settings (cfg).
        issuer_wallet: the issuer's wallet account (default ``wallet:<issuer>``).

    Raises:
        TypeError: for values of the wrong type.
        antfin.errors.InvalidAmountError: for non-positive amounts, a minimum ticket
            above the target or the maximum, or a maximum below the lead minimum.
        antfin.errors.InvalidTimeError: naive instants or a close not after the opening.
        antfin.errors.NotFoundError: when the issuer's wallet is not in the ledger.

    .. versionadded:: 0.1.0
    """

    offer_id: str = attrs.field(validator=attribute(check_name))
    issuer: str = attrs.field(validator=attribute(check_name), kw_only=True)
    target: Money = attrs.field(validator=attribute(check_positive), kw_only=True)
    min_ticket: Money = attrs.field(validator=attribute(check_positive), kw_only=True)
    opens_at: datetime = attrs.field(validator=_aware, kw_only=True)
    closes_at: datetime = attrs.field(validator=_aware, kw_only=True)
    equity_units: int = attrs.field(validator=attribute(check_int, at_least=1), kw_only=True)
    ledger: Ledger = attrs.field(validator=attrs.validators.instance_of(Ledger), kw_only=True, repr=False)
    policy: QualifiedInvestorPolicy = attrs.field(
        default=SEED_2016, validator=attrs.validators.instance_of(QualifiedInvestorPolicy), kw_only=True
    )
    max_ticket: Money | None = attrs.field(
        default=None, validator=attrs.validators.optional(attribute(check_positive)), kw_only=True
    )
    terms: OfferTerms = attrs.field(
        factory=OfferTerms, validator=attrs.validators.instance_of(OfferTerms), kw_only=True
    )
    issuer_wallet: str = attrs.field(
        default=attrs.Factory(lambda self: wallet(self.issuer), takes_self=True), kw_only=True
    )
    _status: OfferStatus = attrs.field(default=OfferStatus.OPEN, init=False)
    _subscriptions: dict[str, Subscription] = attrs.field(factory=dict, init=False, repr=False)
    _events: list[OfferEvent] = attrs.field(factory=list, init=False, repr=False)
    _settlement: Settlement | None = attrs.field(default=None, init=False, repr=False)
    _clock: datetime | None = attrs.field(default=None, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.closes_at <= self.opens_at:
            raise InvalidTimeError(
                f"closes_at {self.closes_at.isoformat()} must be after opens_at {self.opens_at.isoformat()}"
            )
        if self.min_ticket > self.target:
            raise InvalidAmountError(f"min_ticket {self.min_ticket} must not exceed the target {self.target}")
        if self.max_ticket is not None:
            if self.max_ticket < self.min_ticket:
                raise InvalidAmountError(f"max_ticket {self.max_ticket} must not be below min_ticket {self.min_ticket}")
            if self.max_ticket < self.minimum_lead:
                raise InvalidAmountError(
                    f"max_ticket {self.max_ticket} must allow the lead's minimum {self.minimum_lead} "
                    f"({self.terms.lead_min_share} of the target)"
                )
        if not self.ledger.has_account(self.issuer_wallet):
            raise NotFoundError(f"issuer wallet {self.issuer_wallet!r} is not in the ledger; open it first")
        self.ledger.open_account(
            self.escrow_account,
            AccountKind.LIABILITY,
            currency=self.target.currency,
            non_negative=True,
            owner=self.issuer,
            purpose="Ant Dake offer escrow",
            metadata={"offer_id": self.offer_id},
        )

    # -- queries ----------------------------------------------------------------

    @property
    def escrow_account(self) -> str:
        """The ledger account subscriptions are held to, ``dake:<offer_id>:escrow``.

        >>> from antfin.crowdfunding.offer import _example_offer
        >>> _example_offer().escrow_account
        'dake:tea:escrow'
        """
        return f"dake:{self.offer_id}:escrow"

    @property
    def status(self) -> OfferStatus:
        """Open, funded or not funded.

        >>> from antfin.crowdfunding.offer import _example_offer
        >>> _example_offer().status
        <OfferStatus.OPEN: 'open'>
        """
        return self._status

    @property
    def minimum_lead(self) -> Money:
        """The lead's minimum, ``lead_min_share`` of the target rounded UP to the fen.

        >>> from antfin.crowdfunding.offer import _example_offer
        >>> _example_offer().minimum_lead
        Money('100000.00', 'CNY')
        """
        return self.terms.lead_min_share.of(self.target, rounding=Rounding.UP)

    @property
    def cancellation_deadline(self) -> datetime:
        """First instant at which cancelling is refused, ``closes_at - cancellation_cutoff``.

        >>> from antfin.crowdfunding.offer import _example_offer
        >>> _example_offer().cancellation_deadline.isoformat()
        '2016-03-29T00:00:00+08:00'

        """
        return self.closes_at - self.terms.cancellation_cutoff

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        """Every subscription ever made, in order, at its current status.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> [sub.key for sub in offer.subscriptions]
        ['s1']
        """
        return tuple(self._subscriptions.values())

    def check_invariants(self) -> None:
        """Raise unless the offer's state is one the API can reach; with a ledger, check the holds too.

        Run on every loaded offer (:mod:`antfin.serialization`): positive tickets filed
        under their own keys, at most ``terms.max_investors`` live investors, live money
        within the target, subscriptions pending only while the offer is open, and each
        pending subscription's hold pending in the ledger for its amount from its wallet.

        >>> _example_offer().check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """

        def fail(rule: str) -> NoReturn:
            raise InvariantViolationError(f"offer {self.offer_id} ({self._status.value}): {rule}")

        live = self.live_subscriptions
        for key, sub in self._subscriptions.items():
            if sub.key != key or not sub.amount.is_positive() or sub.amount.currency != self.target.currency:
                fail(f"subscription {key!r} is filed under {sub.key!r} or holds {sub.amount}")
            if sub.status is SubscriptionStatus.PENDING and self._status is not OfferStatus.OPEN:
                fail(f"subscription {key!r} is still pending after the close")
            if (sub.status is SubscriptionStatus.PENDING) != (sub.resolved_at is None):
                fail(f"subscription {key!r} is {sub.status.name} but resolved_at says otherwise")
        if len({sub.investor_id for sub in live}) > self.terms.max_investors:
            fail(f"more than {self.terms.max_investors} live investors")
        if (
            self._status is OfferStatus.OPEN
            and sum((sub.amount for sub in live), self.target.currency.zero()) > self.target
        ):
            fail("live subscriptions exceed the target")
        if not isinstance(self.ledger, Ledger):
            return
        for sub in self._subscriptions.values():
            if sub.status is not SubscriptionStatus.PENDING:
                continue
            try:
                hold = self.ledger.get_hold(sub.hold_id)
            except NotFoundError:
                fail(f"the hold {sub.hold_id!r} of subscription {sub.key!r} is not in the ledger")
            if (hold.status, hold.amount, hold.debit) != (HoldStatus.PENDING, sub.amount, sub.wallet):
                fail(
                    f"the hold {sub.hold_id!r} of subscription {sub.key!r} is {hold.status.value} {hold.amount} "
                    f"from {hold.debit}; expected pending {sub.amount} from {sub.wallet}"
                )

    @property
    def live_subscriptions(self) -> tuple[Subscription, ...]:
        """The subscriptions still holding money, in order.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> _ = offer.cancel("s1", at=shanghai(2016, 3, 3))
        >>> offer.live_subscriptions, offer.subscriptions[0].status.name
        ((), 'CANCELLED')
        """
        return tuple(sub for sub in self._subscriptions.values() if sub.status.is_live)

    @property
    def lead(self) -> Subscription | None:
        """The live lead subscription, if any.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> offer.lead.investor_id
        'lead'
        """
        for sub in self._subscriptions.values():
            if sub.role is Role.LEAD and sub.status in (SubscriptionStatus.PENDING, SubscriptionStatus.SETTLED):
                return sub
        return None

    @property
    def raised(self) -> Money:
        """The total of live subscriptions (or, after a funded close, the total settled).

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> offer.raised
        Money('100000.00', 'CNY')
        """
        if self._settlement is not None:
            return self._settlement.raised
        return sum((sub.amount for sub in self.live_subscriptions), self.target.currency.zero())

    @property
    def investor_count(self) -> int:
        """How many investors hold live subscriptions (the number the cap counts).

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> offer.investor_count
        1
        """
        return len(self.live_subscriptions)

    @property
    def events(self) -> tuple[OfferEvent, ...]:
        """Every recorded state change, in order.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding import InvestorFacts
        >>> from antfin.crowdfunding.offer import Role, _example_offer
        >>> offer = _example_offer()
        >>> rich = InvestorFacts("lead", personal_financial_assets=CNY("2000000"))
        >>> _ = offer.subscribe("s1", rich, CNY("100000"), at=shanghai(2016, 3, 2), role=Role.LEAD)
        >>> [(event.subject, event.before, event.after) for event in offer.events]
        [('subscription:s1', 'new', 'pending')]
        """
        return tuple(self._events)

    @property
    def settlement(self) -> Settlement | None:
        """The close's result, once closed.

        >>> from antfin.calendar import shanghai
        >>> from antfin.crowdfunding.offer import _example_offer
        >>> offer = _example_offer()
        >>> offer.settlement is None
        True
        >>> offer.advance_to(shanghai(2016, 4, 1)) is offer.settlement
        True
        """
        return self._settlement

    def get(self, key: str) -> Subscription:
        """The subscription made with ``key``.

        >>> from antfin.crowdfunding.offer import _example_offer
        >>> _example_offer().get("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: offer 'tea' has no subscription 'nope'

        Raises:
            antfin.errors.NotFoundError: for an unknown key.
        """
        check_key(key)
        try:
            return self._subscriptions[key]
        except KeyError:
            raise NotFoundError(f"offer {self.offer_id!r} has no subscription {key!r}") from None

    # -- commands ---------------------------------------------------------------

    # -- internals --------------------------------------------------------------

    def _ledger_key(self, key: str, action: str) -> str:
        return f"dake:{self.offer_id}:{key}:{action}"

    def _now(self, at: datetime) -> datetime:
        at = ensure_aware(at)
        if self._clock is not None and at < self._clock:
            raise InvalidTimeError(
                f"at {at.isoformat()} is before the offer's last event at {self._clock.isoformat()}; "
                "operations must come in time order"
            )
        return at

    def _check_open(self, at: datetime, action: str) -> None:
        if self._status is not OfferStatus.OPEN or at >= self.closes_at:
            raise PolicyViolationError(
                f"cannot {action}: offer {self.offer_id} closed at {self.closes_at.isoformat()} "
                f"(asked at {at.isoformat()})"
            )
        if at < self.opens_at:
            raise PolicyViolationError(
                f"cannot {action}: offer {self.offer_id} opens at {self.opens_at.isoformat()} "
                f"(asked at {at.isoformat()})"
            )

    def _change(
        self,
        at: datetime,
        *,
        subscription: Subscription | None = None,
        status: OfferStatus | None = None,
        settlement: Settlement | None = None,
    ) -> None:
        """The one place state changes: check the transition, apply it, record it with its time."""
        if subscription is not None:
            previous = self._subscriptions.get(subscription.key)
            before = None if previous is None else previous.status
            if subscription.status not in _SUBSCRIPTION_MOVES.get(before, frozenset()):
                raise InvalidTransitionError(
                    f"subscription {subscription.key!r} cannot go from {before} to {subscription.status.value}"
                )
            self._subscriptions[subscription.key] = subscription
            self._events.append(
                OfferEvent(
                    at,
                    f"subscription:{subscription.key}",
                    "new" if before is None else before.value,
                    subscription.status.value,
                )
            )
        if status is not None:
            if status not in _OFFER_MOVES.get(self._status, frozenset()):
                raise InvalidTransitionError(
                    f"offer {self.offer_id} cannot go from {self._status.value} to {status.value}"
                )
            self._events.append(OfferEvent(at, f"offer:{self.offer_id}", self._status.value, status.value))
            self._status = status
            self._settlement = settlement
        self._clock = at if self._clock is None else max(self._clock, at)


def _example_offer() -> CrowdfundOffer:
    """An open offer for docstring examples: wallets ``lead`` and ``fan`` hold 600,000 each.

    >>> from antfin.crowdfunding.offer import _example_offer
    >>> _example_offer().offer_id
    'tea'
    """
    from antfin.calendar import shanghai

    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    for who in ("issuer", "lead", "fan"):
        ledger.open_account(wallet(who), AccountKind.LIABILITY, non_negative=True)
    for who in ("lead", "fan"):
        ledger.transfer(
            f"top-up:{who}",
            debit="asset:bank",
            credit=wallet(who),
            amount=Money("600000"),
            at=shanghai(2016, 3, 1),
        )
    return CrowdfundOffer(
        "tea",
        issuer="issuer",
        target=Money("1000000"),
        min_ticket=Money("10000"),
        opens_at=shanghai(2016, 3, 1),
        closes_at=shanghai(2016, 3, 31),
        equity_units=100_000,
        ledger=ledger,
    )
