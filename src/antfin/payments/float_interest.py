"""Interest on float (沉淀资金利息): what the platform earns on the money its users leave with it.

>>> from antfin.payments.float_interest import FloatInterestPolicy
>>> FloatInterestPolicy().interest([CNY("36500000.00")] * 30)   # 36.5M for 30 days at 0.35%
Money('10500.00', 'CNY')

Payments are collected before they are paid out, so wallet balances and money
in escrow sit at the banks as customer reserves; the case study lists the
interest on it as Alipay's first profit point. Interest accrues per calendar
day on the end-of-day float (wallet balances, escrow holds included, as they
stay in the buyer's wallet until released), at an annual rate over a day-count
year, summed exactly and rounded once per accrual (cfg).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import attrs

from antfin.calendar import ensure_aware, ensure_date, start_of_day
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import InvalidAmountError, InvalidTimeError
from antfin.ledger import JournalEntry, Ledger
from antfin.money import CNY, Money, Rounding
from antfin.payments.account import BANK_SETTLEMENT, Account
from antfin.rates import DayCount, Rate

__all__ = ["FloatInterestAccrual", "FloatInterestPolicy", "accrue_float_interest"]


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


def _check_rate(_instance: object, attribute: attrs.Attribute[Rate], value: Rate) -> None:
    if not isinstance(value, Rate):
        raise TypeError(f"{attribute.name} must be a Rate, not {type(value).__name__}")


@attrs.frozen
class FloatInterestPolicy:
    """The interest rate earned on float (cfg).

    Default: 0.35% a year, the PBOC benchmark rate for demand deposits since
    24 October 2015, on an actual/365 day count, rounded half-even to the fen
    once per accrual.

    >>> policy = FloatInterestPolicy(annual_rate=Rate.percent("1.5"), day_count=DayCount.ACT_360)
    >>> policy.interest([CNY("1000000.00")] * 2)
    Money('83.33', 'CNY')

    .. versionadded:: 0.1.0
    """

    annual_rate: Rate = attrs.field(default=Rate.percent("0.35"), validator=_check_rate)
    day_count: DayCount = DayCount.ACT_365
    rounding: Rounding = attrs.field(default=Rounding.HALF_EVEN, converter=_rounding)

    def interest(self, daily_float: Sequence[Money]) -> Money:
        """Interest on a run of end-of-day float amounts, one per calendar day.

        >>> FloatInterestPolicy().interest([CNY("1000.00"), CNY("3000.00")])  # 4000 x 0.0035 / 365
        Money('0.04', 'CNY')

        Raises:
            antfin.errors.InvalidAmountError: for an empty run or a negative amount.
            TypeError: for values that are not Money.
        """
        amounts = tuple(daily_float)
        if not amounts:
            raise InvalidAmountError("daily_float must hold at least one day's float")
        for amount in amounts:
            if not isinstance(amount, Money):
                raise TypeError(f"daily_float must hold Money, not {type(amount).__name__}")
            if amount.is_negative():
                raise InvalidAmountError(f"daily float must not be negative, got {amount}")
        total = sum(amounts, amounts[0].currency.zero())
        daily = self.day_count.daily_rate(self.annual_rate)
        return total.multiply(daily, rounding=self.rounding)


@attrs.frozen
class FloatInterestAccrual:
    """One booked accrual: the period, the float per day, the interest and its entry.

    >>> from antfin.calendar import shanghai
    >>> FloatInterestAccrual(date(2024, 1, 1), date(2024, 1, 2), (CNY("1"),), CNY("0"), None).days
    1

    .. versionadded:: 0.1.0
    """

    start: date
    end: date
    daily_float: tuple[Money, ...]
    interest: Money
    entry: JournalEntry | None

    @property
    def days(self) -> int:
        """Number of calendar days accrued.

        >>> FloatInterestAccrual(date(2024, 1, 1), date(2024, 1, 31), (), CNY("0"), None).days
        30
        """
        return (self.end - self.start).days


def accrue_float_interest(
    ledger: Ledger,
    key: str,
    *,
    wallets: Sequence[Account | str],
    start: date,
    end: date,
    at: datetime,
    policy: FloatInterestPolicy | None = None,
    cash_account: str = BANK_SETTLEMENT,
) -> FloatInterestAccrual:
    """Accrue interest on the float of ``wallets`` for the days ``start`` ≤ day < ``end`` and book it.

    The float of a day is the sum of the wallets' posted balances at the end of
    that day (Asia/Shanghai). The interest is booked as one entry: debit
    ``cash_account`` (the bank pays it into the reserve), credit the
    ``ALIPAY_FLOAT_INTEREST`` revenue account. A zero interest books nothing.
    The key is prefixed ``float_interest:``; retrying it returns the first entry.

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import Ledger
    >>> ledger = Ledger()
    >>> alice = Account.open(ledger, "alice", opened_at=shanghai(2024, 1, 1))
    >>> alice.link_card("C1", at=shanghai(2024, 1, 1))
    >>> _ = alice.top_up("t", card="C1", amount=CNY("3650000.00"), at=shanghai(2024, 1, 1, 9))
    >>> accrual = accrue_float_interest(ledger, "2024-01", wallets=[alice], start=date(2024, 1, 1),
    ...                                 end=date(2024, 2, 1), at=shanghai(2024, 2, 1))
    >>> accrual.interest, ledger.balance("revenue:alipay:float_interest")
    (Money('1085.00', 'CNY'), Money('1085.00', 'CNY'))

    Raises:
        antfin.errors.InvalidTimeError: ``end`` not after ``start``, or ``at`` before the end of the period.
        antfin.errors.NotFoundError: an unknown wallet.

    .. versionadded:: 0.1.0
    """
    first = ensure_date(start, "start")
    last = ensure_date(end, "end")
    when = ensure_aware(at)
    if last <= first:
        raise InvalidTimeError(f"end {last} must be after start {first}")
    if when < start_of_day(last):
        raise InvalidTimeError(f"at {when.isoformat()} is before the accrual period ends ({last} 00:00)")
    ids = [wallet.wallet_id if isinstance(wallet, Account) else wallet for wallet in wallets]
    if not ids:
        raise InvalidAmountError("wallets must name at least one wallet")
    chosen = FloatInterestPolicy() if policy is None else policy
    daily: list[Money] = []
    day = first
    while day < last:
        cutoff = start_of_day(day + timedelta(days=1)) - timedelta(microseconds=1)
        daily.append(sum((ledger.balance(wallet, at=cutoff) for wallet in ids), CNY.zero()))
        day += timedelta(days=1)
    interest = chosen.interest(daily)
    entry = None
    if interest.is_positive():
        with ledger.atomic():
            entry = ledger.transfer(
                f"float_interest:{key}",
                debit=cash_account,
                credit=revenue_account(ledger, ProfitPoint.ALIPAY_FLOAT_INTEREST),
                amount=interest,
                at=when,
                memo=f"interest on float {first}..{last}",
                metadata={"product": "alipay", "operation": "float_interest"},
            )
    return FloatInterestAccrual(first, last, tuple(daily), interest, entry)
