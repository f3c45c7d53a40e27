"""Zhaocaibao fixed-term products, their holdings, and the interest they pay.

A product is offered by an issuer (a bank, an asset manager, an SME borrower, or
an investor cashing out a holding), guaranteed by an insurer, for a fixed term
at an expected annual yield. Investors subscribe during the sale window; the
product issues when it sells out (or, at the window's end, issues what it sold
or is cancelled, a product setting); interest accrues on actual days from the
value date; at maturity the issuer pays principal plus interest.

>>> from antfin.calendar import shanghai
>>> from antfin.rates import Rate
>>> terms = ProductTerms(
...     product_id="ZCB-1", issuer="bank", guarantor="insurer", kind=ProductKind.BANK,
...     amount=CNY("100000.00"), term_days=90, annual_yield=Rate.percent("4.5"),
...     sale_start=shanghai(2024, 3, 1), sale_end=shanghai(2024, 3, 8),
... )
>>> terms.expected_interest(CNY("10000.00"))
Money('110.95', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeAlias

import attrs

from antfin.calendar import ensure_aware, local_date, shanghai
from antfin.errors import InvalidAmountError, InvalidTimeError, InvalidTransitionError, PolicyViolationError
from antfin.money import CNY, Money, Rounding
from antfin.rates import DayCount, Rate
from antfin.validators import (
    attribute,
    check_int,
    check_key,
    check_money,
    check_non_negative,
    check_positive,
    check_rate,
)

__all__ = [
    "BACKED_KINDS",
    "DEFAULT_INVESTOR_CAP",
    "Holding",
    "HoldingStatus",
    "Product",
    "ProductKind",
    "ProductStatus",
    "ProductTerms",
    "TransferSlice",
    "Transition",
    "UnsoldPolicy",
    "interest_for",
]

_Validator: TypeAlias = Callable[[Any, Any, Any], None]

#: At most 200 investors per product (the private-placement ceiling; cfg).
DEFAULT_INVESTOR_CAP: Final = 200


class ProductKind(enum.Enum):
    """What kind of product is on offer, by who issues it.

    >>> ProductKind.SME_LOAN.name_zh
    '中小企业贷'
    >>> ProductKind("transfer") is ProductKind.TRANSFER
    True

    .. versionadded:: 0.1.0
    """

    BANK = "bank"
    INSURANCE = "insurance"
    ASSET_MANAGEMENT = "asset_management"
    SME_LOAN = "sme_loan"
    TRANSFER = "transfer"
    PLEDGED_LOAN = "pledged_loan"

    @property
    def name_zh(self) -> str:
        """The Chinese name of the kind.

        >>> ProductKind.TRANSFER.name_zh
        '变现产品'
        """
        return _KIND_NAMES[self]


_KIND_NAMES: Final = {
    ProductKind.BANK: "银行理财",
    ProductKind.INSURANCE: "保险理财",
    ProductKind.ASSET_MANAGEMENT: "资管产品",
    ProductKind.SME_LOAN: "中小企业贷",
    ProductKind.TRANSFER: "变现产品",
    ProductKind.PLEDGED_LOAN: "变现借款",
}

#: The kinds a holder offers against a holding (变现): a transfer (转让) or a borrowing (借款).
BACKED_KINDS: Final = frozenset({ProductKind.TRANSFER, ProductKind.PLEDGED_LOAN})


class UnsoldPolicy(enum.Enum):
    """What happens to a product that has not sold out when its sale window ends.

    >>> UnsoldPolicy.ISSUE_SOLD.value
    'issue_sold'

    ``ISSUE_SOLD`` issues the amount sold (nothing sold: cancelled);
    ``CANCEL`` cancels the product and refunds every subscription.

    .. versionadded:: 0.1.0
    """

    ISSUE_SOLD = "issue_sold"
    CANCEL = "cancel"


class ProductStatus(enum.Enum):
    """The life of a product.

    >>> [status.value for status in ProductStatus]
    ['open', 'issued', 'cancelled', 'matured', 'defaulted', 'guarantee_paid']

    .. versionadded:: 0.1.0
    """

    OPEN = "open"
    ISSUED = "issued"
    CANCELLED = "cancelled"
    MATURED = "matured"
    DEFAULTED = "defaulted"
    GUARANTEE_PAID = "guarantee_paid"


class HoldingStatus(enum.Enum):
    """The life of one investor's holding in a product.

    >>> HoldingStatus.LIQUIDATING.value
    'liquidating'

    ``SUBSCRIBED`` until the product issues; ``ACTIVE`` while it earns;
    ``LIQUIDATING`` while a transfer or borrowing product backed by it is on sale;
    ``TRANSFERRED`` once all of it is sold on; ``PLEDGED`` once all of it backs
    a loan its holder took (变现借款); ``PAID`` after maturity or the
    guarantor's payout; ``REFUNDED`` when the product was cancelled.

    .. versionadded:: 0.1.0
    """

    SUBSCRIBED = "subscribed"
    ACTIVE = "active"
    LIQUIDATING = "liquidating"
    TRANSFERRED = "transferred"
    PLEDGED = "pledged"
    PAID = "paid"
    REFUNDED = "refunded"


@attrs.frozen
class Transition:
    """One recorded state change of a product, holding, reservation or claim.

    >>> from antfin.calendar import shanghai
    >>> Transition("open", "issued", shanghai(2024, 3, 8)).to
    'issued'

    .. versionadded:: 0.1.0
    """

    source: str
    to: str
    at: datetime


def _instance_of(field: str, kind: type) -> _Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if not isinstance(value, kind):
            raise TypeError(f"{field} must be a {kind.__name__}, not {type(value).__name__}")

    return check


def _aware(field: str) -> _Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        ensure_aware(value, field)

    return check


def _to_rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


def interest_for(
    principal: Money,
    annual_yield: Rate,
    days: int,
    day_count: DayCount = DayCount.ACT_365,
    rounding: Rounding = Rounding.DOWN,
) -> Money:
    """Simple interest on ``principal`` for ``days`` actual days, rounded to the fen.

    principal × yield × days ÷ year days (365 for ACT/365), then rounded with
    ``rounding`` (truncated, ``Rounding.DOWN``, by default: a fraction of a fen
    is never promised).

    >>> interest_for(CNY("10000.00"), Rate.percent("4.5"), 90)
    Money('110.95', 'CNY')
    >>> interest_for(CNY("10000.00"), Rate.percent("4.5"), 90, rounding=Rounding.HALF_UP)
    Money('110.96', 'CNY')
    >>> interest_for(CNY("10000.00"), Rate.percent("3.6"), 30, DayCount.ACT_360)
    Money('30.00', 'CNY')

    Args:
        principal: a non-negative amount.
        annual_yield: the annual rate.
        days: whole days, not negative.
        day_count: the convention giving the days in a year.
        rounding: the named rounding to the fen.

    Raises:
        TypeError: for arguments of the wrong type.
        antfin.errors.InvalidAmountError: for a negative principal or negative days.

    .. versionadded:: 0.1.0
    """
    check_non_negative(principal, "principal")
    check_rate(annual_yield, "annual_yield")
    check_int(days, "days", at_least=0)
    if not isinstance(day_count, DayCount):
        raise TypeError(f"day_count must be a DayCount, not {type(day_count).__name__}")
    factor = annual_yield.value * days / day_count.year_days
    return principal.multiply(factor, rounding=Rounding.of(rounding))


@attrs.frozen
class ProductTerms:
    """The offer of a fixed-term product (every field with a default is cfg).

    >>> from antfin.calendar import shanghai
    >>> terms = ProductTerms(
    ...     product_id="SME-7", issuer="acme", guarantor="insurer", kind=ProductKind.SME_LOAN,
    ...     amount=CNY("50000.00"), term_days=180, annual_yield=Rate.percent("5.2"),
    ...     sale_start=shanghai(2024, 3, 1), sale_end=shanghai(2024, 3, 8), min_subscription=CNY("100.00"),
    ... )
    >>> terms.investor_cap, terms.unsold.name, terms.value_date_lag_days
    (200, 'ISSUE_SOLD', 1)
    >>> terms.value_date(shanghai(2024, 3, 5, 10)), terms.maturity_date(shanghai(2024, 3, 5, 10))
    (datetime.date(2024, 3, 6), datetime.date(2024, 9, 2))

    Args:
        product_id: unique id of the product (also its idempotency key when listed).
        issuer: the party that receives the money raised and repays it (its wallet
            is ``wallet:<issuer>``).
        guarantor: the insurer that pays holders if the issuer defaults, or ``None``.
        kind: the kind of product.
        amount: the amount to raise.
        term_days: days from the value date to maturity.
        annual_yield: the expected annual yield.
        sale_start: first instant subscriptions are taken.
        sale_end: the instant the sale window closes (exclusive).
        day_count: the day count of the interest (actual/365 by default).
        min_subscription: the smallest subscription, except one that buys the
            whole remaining amount (1,000 yuan by default, cfg).
        investor_cap: the most distinct investors (200 by default, cfg).
        unsold: what happens if the product has not sold out at ``sale_end``.
        value_date_lag_days: days from the issue date to the value date (T+1 by default, cfg).
        interest_rounding: rounding of the issuer's total interest to the fen
            (truncation, ``DOWN``, by default).
        fixed_maturity: a fixed maturity date instead of ``term_days`` after the
            value date (transfer products inherit their backing's maturity).
        name: a display name.

    Raises:
        TypeError: for a field of the wrong type.
        antfin.errors.InvalidAmountError: for a non-positive amount, term or cap,
            or a minimum above the amount, or mixed currencies.
        antfin.errors.InvalidTimeError: for naive instants or an empty sale window.

    .. versionadded:: 0.1.0
    """

    product_id: str = attrs.field(validator=attribute(check_key))
    issuer: str = attrs.field(validator=attribute(check_key))
    guarantor: str | None = attrs.field(validator=attrs.validators.optional(attribute(check_key)))
    kind: ProductKind = attrs.field(validator=_instance_of("kind", ProductKind))
    amount: Money = attrs.field(validator=attribute(check_positive))
    term_days: int = attrs.field(validator=attribute(check_int, at_least=1))
    annual_yield: Rate = attrs.field(validator=_instance_of("annual_yield", Rate))
    sale_start: datetime = attrs.field(validator=_aware("sale_start"))
    sale_end: datetime = attrs.field(validator=_aware("sale_end"))
    day_count: DayCount = attrs.field(
        default=DayCount.ACT_365,
        validator=_instance_of("day_count", DayCount),
    )
    min_subscription: Money = attrs.field(
        default=CNY("1000.00"),
        validator=attribute(check_positive),
    )
    investor_cap: int = attrs.field(
        default=DEFAULT_INVESTOR_CAP,
        validator=attribute(check_int, at_least=1),
    )
    unsold: UnsoldPolicy = attrs.field(
        default=UnsoldPolicy.ISSUE_SOLD,
        validator=_instance_of("unsold", UnsoldPolicy),
    )
    value_date_lag_days: int = attrs.field(
        default=1,
        validator=attribute(check_int, at_least=0),
    )
    interest_rounding: Rounding = attrs.field(default=Rounding.DOWN, converter=_to_rounding)
    fixed_maturity: date | None = attrs.field(default=None)
    name: str = attrs.field(default="", validator=_instance_of("name", str))

    def __attrs_post_init__(self) -> None:
        if self.min_subscription.currency != self.amount.currency:
            raise InvalidAmountError(
                f"min_subscription is in {self.min_subscription.currency}, expected the amount's "
                f"currency {self.amount.currency}"
            )
        if self.min_subscription > self.amount:
            raise InvalidAmountError(
                f"min_subscription {self.min_subscription} must not exceed the amount {self.amount}"
            )
        if self.sale_end <= self.sale_start:
            raise InvalidTimeError(
                f"sale_end {self.sale_end.isoformat()} must be after sale_start {self.sale_start.isoformat()}"
            )
        if self.fixed_maturity is not None and (
            isinstance(self.fixed_maturity, datetime) or not isinstance(self.fixed_maturity, date)
        ):
            raise TypeError(f"fixed_maturity must be a date or None, not {type(self.fixed_maturity).__name__}")

    def value_date(self, issued_at: datetime) -> date:
        """The date interest starts for a product issued at ``issued_at`` (Shanghai date + lag).

        >>> from antfin.calendar import shanghai
        >>> _example_terms().value_date(shanghai(2024, 3, 31, 23, 59))
        datetime.date(2024, 4, 1)
        """
        return local_date(issued_at) + timedelta(days=self.value_date_lag_days)

    def maturity_date(self, issued_at: datetime) -> date:
        """The maturity date of a product issued at ``issued_at``.

        >>> from antfin.calendar import shanghai
        >>> _example_terms().maturity_date(shanghai(2024, 3, 8))
        datetime.date(2024, 6, 7)
        """
        if self.fixed_maturity is not None:
            return self.fixed_maturity
        return self.value_date(issued_at) + timedelta(days=self.term_days)

    def expected_interest(self, principal: Money, days: int | None = None) -> Money:
        """Interest on ``principal`` for ``days`` (the full term by default), rounded per the terms.

        >>> _example_terms().expected_interest(CNY("10000.00"), days=30)
        Money('36.98', 'CNY')

        Raises:
            antfin.errors.InvalidAmountError: for a negative principal or days.
        """
        return interest_for(
            principal,
            self.annual_yield,
            self.term_days if days is None else days,
            self.day_count,
            self.interest_rounding,
        )


def _example_terms() -> ProductTerms:
    return ProductTerms(
        product_id="ZCB-1",
        issuer="bank",
        guarantor="insurer",
        kind=ProductKind.BANK,
        amount=CNY("100000.00"),
        term_days=90,
        annual_yield=Rate.percent("4.5"),
        sale_start=shanghai(2024, 3, 1),
        sale_end=shanghai(2024, 3, 8),
    )


_PRODUCT_MOVES: Final[Mapping[ProductStatus, frozenset[ProductStatus]]] = {
    ProductStatus.OPEN: frozenset({ProductStatus.ISSUED, ProductStatus.CANCELLED}),
    ProductStatus.ISSUED: frozenset({ProductStatus.MATURED, ProductStatus.DEFAULTED}),
    ProductStatus.DEFAULTED: frozenset({ProductStatus.GUARANTEE_PAID}),
    ProductStatus.CANCELLED: frozenset(),
    ProductStatus.MATURED: frozenset(),
    ProductStatus.GUARANTEE_PAID: frozenset(),
}


@attrs.frozen
class TransferSlice:
    """A part of a holding sold on through a transfer product (变现).

    >>> TransferSlice("ZCB-1/T1", CNY("5000.00")).principal
    Money('5000.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    product_id: str
    principal: Money


@attrs.define(eq=False)
class Product:
    """A listed product: its terms, sales, status and dates (a lifecycle entity).

    Create products through :class:`~antfin.wealth.zhaocaibao.Zhaocaibao`; every
    state change goes through :meth:`transition`.

    >>> from antfin.calendar import shanghai
    >>> product = Product(_example_terms(), listed_at=shanghai(2024, 3, 1))
    >>> product.status, product.remaining
    (<ProductStatus.OPEN: 'open'>, Money('100000.00', 'CNY'))
    >>> product.transition(ProductStatus.CANCELLED, shanghai(2024, 3, 8)).status
    <ProductStatus.CANCELLED: 'cancelled'>

    .. versionadded:: 0.1.0
    """

    terms: ProductTerms
    listed_at: datetime
    status: ProductStatus = ProductStatus.OPEN
    sold: Money = attrs.field(default=attrs.Factory(lambda self: self.terms.amount.currency.zero(), takes_self=True))
    holding_ids: tuple[str, ...] = ()
    investors: frozenset[str] = frozenset()
    issued_at: datetime | None = None
    value_date: date | None = None
    maturity_date: date | None = None
    backing_holding_id: str | None = None
    history: tuple[Transition, ...] = ()

    @property
    def product_id(self) -> str:
        """The product's id.

        >>> Product(_example_terms(), listed_at=_example_terms().sale_start).product_id
        'ZCB-1'
        """
        return self.terms.product_id

    @property
    def remaining(self) -> Money:
        """What is still for sale.

        >>> Product(_example_terms(), listed_at=_example_terms().sale_start).remaining
        Money('100000.00', 'CNY')
        """
        return self.terms.amount - self.sold

    @property
    def term_days(self) -> int:
        """Days of interest: value date to maturity once issued, else the offered term.

        >>> Product(_example_terms(), listed_at=_example_terms().sale_start).term_days
        90
        """
        if self.value_date is not None and self.maturity_date is not None:
            return (self.maturity_date - self.value_date).days
        return self.terms.term_days

    def transition(self, to: ProductStatus, at: datetime) -> Product:
        """Move to ``to`` at ``at`` if the lifecycle allows it, recording the change.

        >>> from antfin.calendar import shanghai
        >>> product = Product(_example_terms(), listed_at=shanghai(2024, 3, 1))
        >>> product.transition(ProductStatus.MATURED, shanghai(2024, 6, 7))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: product ZCB-1 cannot go from open to matured; expected cancelled or issued

        Raises:
            antfin.errors.InvalidTransitionError: for a move the lifecycle forbids.
            antfin.errors.InvalidTimeError: for a naive ``at``.
        """
        ensure_aware(at, "at")
        allowed = _PRODUCT_MOVES[self.status]
        if to not in allowed:
            expected = " or ".join(sorted(status.value for status in allowed)) or "nothing (final state)"
            raise InvalidTransitionError(
                f"product {self.product_id} cannot go from {self.status.value} to {to.value}; expected {expected}"
            )
        self.history = (*self.history, Transition(self.status.value, to.value, at))
        self.status = to
        return self

    def check_open_for_sale(self, at: datetime) -> None:
        """Raise unless subscriptions are taken at ``at``.

        >>> from antfin.calendar import shanghai
        >>> product = Product(_example_terms(), listed_at=shanghai(2024, 3, 1))
        >>> product.check_open_for_sale(shanghai(2024, 3, 8))
        Traceback (most recent call last):
        ...
        antfin.errors.PolicyViolationError: product ZCB-1 sale window is [2024-03-01T00:00:00+08:00, ...); at ... closed

        Raises:
            antfin.errors.InvalidTransitionError: when the product is no longer open.
            antfin.errors.PolicyViolationError: outside the sale window.
        """
        ensure_aware(at, "at")
        if self.status is not ProductStatus.OPEN:
            raise InvalidTransitionError(
                f"product {self.product_id} is {self.status.value}; subscriptions need an open product"
            )
        start, end = self.terms.sale_start, self.terms.sale_end
        if not start <= at < end:
            raise PolicyViolationError(
                f"product {self.product_id} sale window is [{start.isoformat()}, {end.isoformat()}); "
                f"at {at.isoformat()} it is closed"
            )

    def check_subscription(self, investor: str, amount: Money) -> None:
        """Raise unless ``investor`` may buy ``amount`` now (minimum, remaining, investor cap).

        >>> product = Product(_example_terms(), listed_at=_example_terms().sale_start)
        >>> product.check_subscription("alice", CNY("999.99"))
        Traceback (most recent call last):
        ...
        antfin.errors.PolicyViolationError: subscription 999.99 CNY is below product ZCB-1's minimum 1000.00 CNY

        Raises:
            TypeError: when ``amount`` is not Money.
            antfin.errors.InvalidAmountError: for a non-positive amount or another currency.
            antfin.errors.PolicyViolationError: below the minimum (unless it buys the
                whole remainder), above the remainder, past the investor cap, or the
                issuer buying its own product.
        """
        check_money(amount, "amount")
        if amount.currency != self.terms.amount.currency:
            raise InvalidAmountError(
                f"amount is in {amount.currency}, expected product {self.product_id}'s currency "
                f"{self.terms.amount.currency}"
            )
        check_positive(amount)
        remaining = self.remaining
        if amount > remaining:
            raise PolicyViolationError(
                f"subscription {amount} exceeds product {self.product_id}'s remaining {remaining}"
            )
        if amount < self.terms.min_subscription and amount != remaining:
            raise PolicyViolationError(
                f"subscription {amount} is below product {self.product_id}'s minimum {self.terms.min_subscription}"
            )
        if investor == self.terms.issuer:
            raise PolicyViolationError(f"investor {investor} is the issuer of product {self.product_id}")
        if investor not in self.investors and len(self.investors) >= self.terms.investor_cap:
            raise PolicyViolationError(
                f"product {self.product_id} already has {len(self.investors)} investors, "
                f"the cap is {self.terms.investor_cap}"
            )


_HOLDING_MOVES: Final[Mapping[HoldingStatus, frozenset[HoldingStatus]]] = {
    HoldingStatus.SUBSCRIBED: frozenset({HoldingStatus.ACTIVE, HoldingStatus.REFUNDED}),
    HoldingStatus.ACTIVE: frozenset({HoldingStatus.LIQUIDATING, HoldingStatus.PAID}),
    HoldingStatus.LIQUIDATING: frozenset({HoldingStatus.ACTIVE, HoldingStatus.TRANSFERRED, HoldingStatus.PLEDGED}),
    HoldingStatus.TRANSFERRED: frozenset({HoldingStatus.PAID}),
    HoldingStatus.PLEDGED: frozenset({HoldingStatus.PAID}),
    HoldingStatus.PAID: frozenset(),
    HoldingStatus.REFUNDED: frozenset(),
}


@attrs.define(eq=False)
class Holding:
    """One investor's subscription to a product (a lifecycle entity).

    ``principal`` is the part the investor still holds; the parts sold on by
    liquidation are in ``transfers``.

    >>> from antfin.calendar import shanghai
    >>> holding = Holding("h1", "ZCB-1", "alice", CNY("5000.00"), shanghai(2024, 3, 2))
    >>> holding.transition(HoldingStatus.ACTIVE, shanghai(2024, 3, 8)).status
    <HoldingStatus.ACTIVE: 'active'>

    .. versionadded:: 0.1.0
    """

    holding_id: str
    product_id: str
    investor: str
    principal: Money
    subscribed_at: datetime
    status: HoldingStatus = HoldingStatus.SUBSCRIBED
    reservation_id: str | None = None
    transfers: tuple[TransferSlice, ...] = ()
    liquidating_product_id: str | None = None
    history: tuple[Transition, ...] = ()

    @property
    def original_principal(self) -> Money:
        """The principal subscribed: what is held plus what was sold on.

        >>> from antfin.calendar import shanghai
        >>> Holding("h1", "ZCB-1", "alice", CNY("5000.00"), shanghai(2024, 3, 2)).original_principal
        Money('5000.00', 'CNY')
        """
        return sum((part.principal for part in self.transfers), self.principal)

    def transition(self, to: HoldingStatus, at: datetime) -> Holding:
        """Move to ``to`` at ``at`` if the lifecycle allows it, recording the change.

        >>> from antfin.calendar import shanghai
        >>> holding = Holding("h1", "ZCB-1", "alice", CNY("5000.00"), shanghai(2024, 3, 2))
        >>> holding.transition(HoldingStatus.PAID, shanghai(2024, 4, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: holding h1 cannot go from subscribed to paid; expected active or refunded

        Raises:
            antfin.errors.InvalidTransitionError: for a move the lifecycle forbids.
        """
        ensure_aware(at, "at")
        allowed = _HOLDING_MOVES[self.status]
        if to not in allowed:
            expected = " or ".join(sorted(status.value for status in allowed)) or "nothing (final state)"
            raise InvalidTransitionError(
                f"holding {self.holding_id} cannot go from {self.status.value} to {to.value}; expected {expected}"
            )
        self.history = (*self.history, Transition(self.status.value, to.value, at))
        self.status = to
        return self
