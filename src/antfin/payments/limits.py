"""Real-name account classes and their balance-payment limits (PBOC 2015 online-payment rules).

>>> from antfin.payments.limits import AccountClassPolicy, RealNameLevel
>>> policy = AccountClassPolicy()
>>> decision = policy.check_payment(RealNameLevel.CLASS_I, used=CNY("900.00"), amount=CNY("100.00"))
>>> decision.approved
True
>>> policy.check_payment(RealNameLevel.CLASS_I, used=CNY("900.00"), amount=CNY("100.01")).approved
False

Every check answers with the project's one :class:`~antfin.decisions.Decision`.

The People's Bank of China's *Administrative Measures for the Online Payment
Business of Non-bank Payment Institutions* (PBOC announcement [2015] No. 43, in
force 1 July 2016) sort individual payment accounts into three classes by how
thoroughly the holder's identity was verified (cfg):

* class I: balance payments up to 1,000 yuan in total since the account was opened;
* class II: up to 100,000 yuan a year;
* class III: up to 200,000 yuan a year, and the balance may buy wealth products.

"A year" is the Asia/Shanghai calendar year here.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from datetime import date

import attrs

from antfin.decisions import Decision, Reason
from antfin.errors import InvalidAmountError, LimitExceededError, NotFoundError
from antfin.money import CNY, Money
from antfin.validators import attribute, check_non_negative

__all__ = [
    "AccountClassPolicy",
    "ClassLimit",
    "LimitPeriod",
    "RealNameLevel",
]


class RealNameLevel(enum.Enum):
    """A payment account's real-name class (I, II or III).

    >>> RealNameLevel.CLASS_III.value
    'III'
    >>> RealNameLevel.CLASS_I < RealNameLevel.CLASS_III
    True

    .. versionadded:: 0.1.0
    """

    CLASS_I = "I"
    CLASS_II = "II"
    CLASS_III = "III"

    @property
    def rank(self) -> int:
        """1, 2 or 3, for ordering classes.

        >>> RealNameLevel.CLASS_II.rank
        2
        """
        return len(self.value)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RealNameLevel):
            return NotImplemented
        return self.rank < other.rank


class LimitPeriod(enum.Enum):
    """Over what span a class's balance payments are totalled.

    >>> LimitPeriod.CALENDAR_YEAR.window_start(date(2016, 7, 1), date(2024, 5, 20))
    datetime.date(2024, 1, 1)
    >>> LimitPeriod.LIFETIME.window_start(date(2016, 7, 1), date(2024, 5, 20))
    datetime.date(2016, 7, 1)

    .. versionadded:: 0.1.0
    """

    LIFETIME = "since opening"
    CALENDAR_YEAR = "per calendar year"

    def window_start(self, opened_on: date, on: date) -> date:
        """First day whose payments count toward the limit on ``on``.

        >>> LimitPeriod.CALENDAR_YEAR.window_start(date(2024, 3, 1), date(2024, 12, 31))
        datetime.date(2024, 3, 1)
        """
        if self is LimitPeriod.LIFETIME:
            return opened_on
        return max(opened_on, date(on.year, 1, 1))


@attrs.frozen
class ClassLimit:
    """The limit of one real-name class (cfg).

    >>> ClassLimit(RealNameLevel.CLASS_I, CNY("1000.00"), LimitPeriod.LIFETIME, may_buy_wealth=False).cap
    Money('1000.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    level: RealNameLevel
    cap: Money = attrs.field(validator=attribute(check_non_negative))
    period: LimitPeriod
    may_buy_wealth: bool = False


_PBOC_2015: tuple[ClassLimit, ...] = (
    ClassLimit(RealNameLevel.CLASS_I, CNY("1000.00"), LimitPeriod.LIFETIME, may_buy_wealth=False),
    ClassLimit(RealNameLevel.CLASS_II, CNY("100000.00"), LimitPeriod.CALENDAR_YEAR, may_buy_wealth=False),
    ClassLimit(RealNameLevel.CLASS_III, CNY("200000.00"), LimitPeriod.CALENDAR_YEAR, may_buy_wealth=True),
)


def _limits(value: tuple[ClassLimit, ...]) -> tuple[ClassLimit, ...]:
    limits = tuple(value)
    levels = [limit.level for limit in limits]
    if len(set(levels)) != len(levels):
        raise InvalidAmountError("limits must have one ClassLimit per real-name level")
    return limits


@attrs.frozen
class AccountClassPolicy:
    """The class limits in force (cfg; defaults: PBOC announcement [2015] No. 43).

    >>> AccountClassPolicy().limit_for(RealNameLevel.CLASS_II).cap
    Money('100000.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    limits: tuple[ClassLimit, ...] = attrs.field(default=_PBOC_2015, converter=_limits)

    def limit_for(self, level: RealNameLevel) -> ClassLimit:
        """The limit of ``level``.

        >>> AccountClassPolicy().limit_for(RealNameLevel.CLASS_I).period
        <LimitPeriod.LIFETIME: 'since opening'>

        Raises:
            antfin.errors.NotFoundError: when the policy has no limit for the level.
        """
        for limit in self.limits:
            if limit.level is level:
                return limit
        raise NotFoundError(f"this class policy has no limit for real-name level {level.value}")

    def check_payment(self, level: RealNameLevel, *, used: Money, amount: Money) -> Decision:
        """Would a balance payment of ``amount`` stay within the class limit, with ``used`` already spent?

        The boundary is allowed: used + amount equal to the cap passes.

        >>> policy = AccountClassPolicy()
        >>> reason = policy.check_payment(RealNameLevel.CLASS_II, used=CNY("99999.99"), amount=CNY("0.02")).reasons[0]
        >>> reason.rule, reason.threshold, reason.actual, reason.passed
        ('class II balance payments per calendar year', Money('100000.00', 'CNY'), Money('100000.01', 'CNY'), False)
        """
        limit = self.limit_for(level)
        total = used + amount
        rule = f"class {level.value} balance payments {limit.period.value}"
        return Decision.of(f"class {level.value} payment limit", (Reason(rule, limit.cap, total, total <= limit.cap),))

    def require_payment(self, level: RealNameLevel, *, used: Money, amount: Money) -> Decision:
        """Like :meth:`check_payment`, but raise when the payment is over the limit.

        >>> AccountClassPolicy().require_payment(RealNameLevel.CLASS_I, used=CNY("999.00"), amount=CNY("2.00"))
        Traceback (most recent call last):
        ...
        antfin.errors.LimitExceededError: class I limit of 1000.00 CNY since opening exceeded: used 999.00 CNY, ...

        Raises:
            antfin.errors.LimitExceededError: naming the limit, the amount used and the amount asked.
        """
        decision = self.check_payment(level, used=used, amount=amount)
        if not decision.approved:
            limit = self.limit_for(level)
            raise LimitExceededError(
                f"class {level.value} limit of {limit.cap} {limit.period.value} exceeded: used {used}, asked {amount}"
            )
        return decision

    def may_buy_wealth(self, level: RealNameLevel) -> Decision:
        """May an account of ``level`` buy wealth products with its balance?

        >>> decision = AccountClassPolicy().may_buy_wealth(RealNameLevel.CLASS_II)
        >>> decision.approved, decision.reasons[0].threshold, decision.reasons[0].actual
        (False, 'class III', 'class II')
        """
        allowed = [limit.level for limit in self.limits if limit.may_buy_wealth]
        threshold = " or ".join(f"class {lvl.value}" for lvl in allowed) or "no class"
        reason = Reason(
            "wealth products need a class that allows them", threshold, f"class {level.value}", level in allowed
        )
        return Decision.of("wealth products from the balance", (reason,))
