"""What a Yu'ebao fund records: its configuration, its orders and their states, and each closed day's income.

Every name here is re-exported by :mod:`antfin.wealth.fund` (and documented there),
whose :class:`~antfin.wealth.fund.MoneyFund` places the orders and closes the days.

>>> from antfin.wealth.fund import MoneyFundConfig, OrderKind
>>> MoneyFundConfig().fast_redemption_daily_cap, OrderKind.PURCHASE.value
(Money('10000.00', 'CNY'), 'purchase')

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_aware
from antfin.errors import InvalidAmountError, InvalidTransitionError, InvariantViolationError
from antfin.money import CNY, Money, Rounding
from antfin.validators import check_money
from antfin.wealth.allocation import PortfolioIncome
from antfin.wealth.fees import FundFeeSchedule

__all__ = [
    "DailyIncome",
    "FundOrder",
    "MoneyFundConfig",
    "OrderKind",
    "OrderStatus",
]


def _positive_cny(_instance: object, attribute: attrs.Attribute[Money], value: object) -> None:
    money = check_money(value, attribute.name)
    if money.minor_units <= 0 or money.currency != CNY:
        raise InvalidAmountError(f"{attribute.name} must be a positive CNY amount, got {value}")


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


@attrs.frozen
class MoneyFundConfig:
    """The fund's product parameters (cfg).

    >>> MoneyFundConfig().fast_redemption_daily_cap
    Money('10000.00', 'CNY')

    Args:
        fast_redemption_daily_cap: T+0 redemptions per investor per calendar
            day; 10,000 yuan since 2018 (cfg).
        fees: the daily fee accrual.
        per_10k_rounding: mode for the 4th decimal of income per 10,000 units (cfg).
        yield_rounding: mode for the 3rd decimal of the 7-day yield (cfg).
        portfolio: what the fund's assets earn a day when :meth:`MoneyFund.close_day`
            is not given the gross income (the case study's allocation at dated yields).
        platform_distributes: ``True`` (Yu'ebao: Ant distributes it) books the sales
            service fee as the platform's revenue (``YUEBAO_SALES_SERVICE_FEE``);
            ``False`` owes it to a distributor account of its own.

    .. versionadded:: 0.1.0
    """

    fast_redemption_daily_cap: Money = attrs.field(default=CNY("10000.00"), validator=_positive_cny)
    fees: FundFeeSchedule = attrs.field(factory=FundFeeSchedule)
    per_10k_rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)
    yield_rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)
    portfolio: PortfolioIncome = attrs.field(factory=PortfolioIncome)
    platform_distributes: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))


class OrderKind(enum.Enum):
    """What an order does.

    >>> OrderKind.FAST_REDEMPTION.value
    'fast_redemption'

    .. versionadded:: 0.1.0
    """

    PURCHASE = "purchase"
    REDEMPTION = "redemption"
    FAST_REDEMPTION = "fast_redemption"


class OrderStatus(enum.Enum):
    """Where an order is: pending until its effective day, then done.

    >>> OrderStatus.PENDING.value
    'pending'

    .. versionadded:: 0.1.0
    """

    PENDING = "pending"
    DONE = "done"


_TRANSITIONS: Final = {OrderStatus.PENDING: frozenset({OrderStatus.DONE}), OrderStatus.DONE: frozenset()}


@attrs.define
class FundOrder:
    """A purchase or redemption, with its trading day, effective day and status history.

    >>> from antfin.calendar import shanghai
    >>> order = FundOrder("k", "ann", OrderKind.PURCHASE, CNY("5"), shanghai(2024, 6, 7, 16),
    ...                   date(2024, 6, 10), date(2024, 6, 11))
    >>> order.status, order.history[0][0]
    (<OrderStatus.PENDING: 'pending'>, <OrderStatus.PENDING: 'pending'>)

    Attributes:
        key: the caller's idempotency key.
        investor: the holder.
        kind: purchase, redemption or fast redemption.
        amount: money paid in or out (units × 1.00).
        placed_at: when the order was placed.
        trade_day: the trading day it counts on (15:00 cut-off).
        effective_day: the day units are confirmed (purchase) or stop earning and are paid (redemption).
        status: :class:`OrderStatus`; changed only by :meth:`transition`.
        history: each status with the instant it was reached.

    .. versionadded:: 0.1.0
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    investor: str = attrs.field(validator=attrs.validators.min_len(1))
    kind: OrderKind = attrs.field(validator=attrs.validators.instance_of(OrderKind))
    amount: Money = attrs.field(validator=_positive_cny)
    placed_at: datetime = attrs.field(validator=attrs.validators.instance_of(datetime))
    trade_day: date = attrs.field(validator=attrs.validators.instance_of(date))
    effective_day: date = attrs.field(validator=attrs.validators.instance_of(date))
    status: OrderStatus = attrs.field(default=OrderStatus.PENDING, validator=attrs.validators.instance_of(OrderStatus))
    history: tuple[tuple[OrderStatus, datetime], ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.history:
            self.history = ((self.status, self.placed_at),)
        self.check_invariants()

    def check_invariants(self) -> None:
        """Raise unless the order's days and history agree with its status (also run on loading).

        >>> from antfin.calendar import shanghai
        >>> order = FundOrder("k", "a", OrderKind.PURCHASE, CNY("1"), shanghai(2024, 6, 3), date(2024, 6, 3),
        ...                   date(2024, 6, 4))
        >>> order.check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        if self.effective_day < self.trade_day:
            raise InvariantViolationError(f"order {self.key!r} takes effect before its trading day")
        steps = [status for status, _ in self.history]
        if steps[0] is not OrderStatus.PENDING and steps != [OrderStatus.DONE]:
            raise InvariantViolationError(f"order {self.key!r} does not start pending: {steps}")
        if steps[-1] is not self.status:
            raise InvariantViolationError(f"order {self.key!r} is {self.status.value} but its history ends {steps[-1]}")

    @property
    def units(self) -> Decimal:
        """The units bought or sold (one per yuan).

        >>> from antfin.calendar import shanghai
        >>> FundOrder("k", "a", OrderKind.REDEMPTION, CNY("2.5"), shanghai(2024, 6, 3), date(2024, 6, 3),
        ...           date(2024, 6, 4)).units
        Decimal('2.50')

        .. versionadded:: 0.1.0
        """
        return self.amount.amount

    def transition(self, to: OrderStatus, at: datetime) -> None:
        """Move to ``to`` at ``at``, checking the transition and recording it.

        >>> from antfin.calendar import shanghai
        >>> order = FundOrder("k", "a", OrderKind.PURCHASE, CNY("1"), shanghai(2024, 6, 3), date(2024, 6, 3),
        ...                   date(2024, 6, 4))
        >>> order.transition(OrderStatus.DONE, shanghai(2024, 6, 4, 1))
        >>> order.transition(OrderStatus.DONE, shanghai(2024, 6, 4, 2))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: order 'k' cannot go from done to done; expected one of: none

        Raises:
            antfin.errors.InvalidTransitionError: for a transition the order's status does not allow.

        .. versionadded:: 0.1.0
        """
        allowed = _TRANSITIONS[self.status]
        if to not in allowed:
            names = ", ".join(sorted(status.value for status in allowed)) or "none"
            raise InvalidTransitionError(
                f"order {self.key!r} cannot go from {self.status.value} to {to.value}; expected one of: {names}"
            )
        self.status = to
        self.history = (*self.history, (to, ensure_aware(at)))


@attrs.frozen
class DailyIncome:
    """One calendar day's income: gross, fees, distributable, units that earned it, per 10,000 units.

    >>> DailyIncome(date(2024, 6, 4), CNY("1"), CNY("0.1"), CNY("0.9"), Decimal("10000.00"), Decimal("0.9000"),
    ...             None).per_10k
    Decimal('0.9000')

    Attributes:
        day: the calendar day.
        gross: the portfolio's income that day, before fees.
        fees: the fees accrued that day (0 when no units earned).
        distributable: ``gross - fees``, split over the holders.
        units: the units that earned it (holdings at the start of the day).
        per_10k: income per 10,000 units (4 decimals); 0 when no units earned.
        entry_id: the ledger entry that booked it, ``None`` when nothing moved.

    .. versionadded:: 0.1.0
    """

    day: date
    gross: Money
    fees: Money
    distributable: Money
    units: Decimal
    per_10k: Decimal
    entry_id: str | None
