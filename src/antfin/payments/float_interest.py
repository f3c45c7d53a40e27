"""Interest on float (沉淀资金利息): what the platform earns on the money its users leave with it.

>>> from antfin.payments.float_interest import FloatInterestPolicy
>>> policy = FloatInterestPolicy()
>>> policy.interest([CNY("36500000.00")] * 30, start=date(2016, 6, 1))   # at the banks, 0.35%
Money('10500.00', 'CNY')
>>> policy.interest([CNY("36500000.00")] * 30, start=date(2019, 6, 1))   # all at the PBOC, no interest
Money('0.00', 'CNY')
>>> policy.interest([CNY("36500000.00")] * 30, start=date(2024, 6, 1))   # the PBOC pays 0.35% from 2020
Money('10500.00', 'CNY')

Payments are collected before they are paid out, so wallet balances and money
in escrow sit as client reserve funds (客户备付金); the case study lists the
interest on them as Alipay's first profit point. That point changed with the
rules: from 2017-04-17 a share of the reserves had to be deposited centrally,
at no interest, rising to all of them on 2019-01-14; from January 2020 the
PBOC pays 0.35% a year on them. :data:`DEFAULT_FLOAT_REGIMES` is that history
as a dated table (each row with its source). Interest accrues per calendar day
on the end-of-day float (wallet balances, escrow holds included, as they stay
in the buyer's wallet until released), at the blended rate of the day over a
day-count year, summed exactly and rounded once per accrual.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_aware, ensure_date, start_of_day
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import InvalidAmountError, InvalidTimeError
from antfin.ledger import JournalEntry, Ledger
from antfin.money import _CONTEXT, AmountLike, Money, Rounding, to_decimal
from antfin.payments.account import BANK_SETTLEMENT, Account
from antfin.rates import DayCount, Rate
from antfin.tables import Dated, DatedTable
from antfin.validators import attribute, check_rate

__all__ = [
    "DEFAULT_FLOAT_REGIMES",
    "FloatInterestAccrual",
    "FloatInterestPolicy",
    "FloatRegime",
    "accrue_float_interest",
]


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


def _share(value: AmountLike) -> Decimal:
    share = to_decimal(value, "central_share")
    if not Decimal(0) <= share <= Decimal(1):
        raise InvalidAmountError(f"central_share must be between 0 and 1, got {share}")
    return share


@attrs.frozen
class FloatRegime:
    """Where client reserve funds sit and what they earn: one row of :data:`DEFAULT_FLOAT_REGIMES`.

    ``central_share`` of the float is deposited centrally (集中存管) and earns
    ``central_rate``; the rest stays at commercial banks and earns ``bank_rate``.

    >>> FloatRegime(central_share="0.2", central_rate=Rate("0"), bank_rate=Rate.percent("0.35")).annual_rate
    Decimal('0.0028')

    Raises:
        antfin.errors.InvalidAmountError: for a share outside [0, 1].
        TypeError: for rates that are not :class:`~antfin.rates.Rate`.

    .. versionadded:: 0.2.0
    """

    central_share: Decimal = attrs.field(converter=_share)
    central_rate: Rate = attrs.field(validator=attribute(check_rate))
    bank_rate: Rate = attrs.field(validator=attribute(check_rate))

    @property
    def annual_rate(self) -> Decimal:
        """The blended annual rate the platform earns on the whole float.

        >>> FloatRegime(central_share=1, central_rate=Rate.percent("0.35"), bank_rate=Rate("0")).annual_rate
        Decimal('0.0035')
        """
        share = self.central_share
        blended = _CONTEXT.add(
            _CONTEXT.multiply(share, self.central_rate.value),
            _CONTEXT.multiply(1 - share, self.bank_rate.value),
        )
        return blended.normalize(_CONTEXT)


_DEMAND: Final = Rate.percent("0.35")
_NIL: Final = Rate("0")

#: Client reserve funds (客户备付金) over time; every row cites its source, assumptions say (cfg).
DEFAULT_FLOAT_REGIMES: Final[DatedTable[FloatRegime]] = DatedTable(
    "float interest regime",
    (
        Dated(
            date(2015, 10, 24),
            FloatRegime(central_share=0, central_rate=_NIL, bank_rate=_DEMAND),
            "all reserves at commercial banks; earning the PBOC benchmark demand-deposit rate, 0.35% in the "
            "benchmark table of 2015-10-24 (negotiated bank rates were often higher: cfg)",
        ),
        Dated(
            date(2017, 4, 17),
            FloatRegime(central_share="0.20", central_rate=_NIL, bank_rate=_DEMAND),
            "PBOC notice of 2017-01-13 on central custody of payment institutions' client reserves "
            "(关于实施支付机构客户备付金集中存管有关事项的通知): from 2017-04-17 a share, about 20% on average "
            "(12-20% for online payment), in a dedicated account that pays no interest (Xinhua, 2017-01-13)",
        ),
        Dated(
            date(2018, 4, 16),
            FloatRegime(central_share="0.50", central_rate=_NIL, bank_rate=_DEMAND),
            "PBOC order of late 2017 raising the share to 50% by April 2018 (Caixin, 2018-06-30); "
            "the day in April is an assumption (cfg)",
        ),
        Dated(
            date(2019, 1, 14),
            FloatRegime(central_share=1, central_rate=_NIL, bank_rate=_DEMAND),
            "PBOC notice of 2018-06-29: the share rises monthly from 2018-07-09 to 100% on 2019-01-14 "
            "(Caixin, 2018-06-30); the monthly steps between July 2018 and January 2019 are not modelled (cfg)",
        ),
        Dated(
            date(2020, 1, 1),
            FloatRegime(central_share=1, central_rate=_DEMAND, bank_rate=_DEMAND),
            "the PBOC pays 0.35% a year on centrally deposited reserves from January 2020 (Caixin, 2020-01-07); "
            "the first day of the month is an assumption (cfg)",
        ),
    ),
)


@attrs.frozen
class FloatInterestPolicy:
    """What the platform earns on float, day by day, from a dated table of regimes.

    Default: :data:`DEFAULT_FLOAT_REGIMES` on an actual/365 day count, rounded
    half-even to the fen once per accrual (cfg). Use :meth:`flat` to price
    another product at one rate.

    >>> policy = FloatInterestPolicy.flat(Rate.percent("1.5"), since=date(2024, 1, 1), day_count=DayCount.ACT_360)
    >>> policy.interest([CNY("1000000.00")] * 2, start=date(2024, 1, 1))
    Money('83.33', 'CNY')

    .. versionadded:: 0.1.0
    """

    regimes: DatedTable[FloatRegime] = attrs.field(
        default=DEFAULT_FLOAT_REGIMES, validator=attrs.validators.instance_of(DatedTable)
    )
    day_count: DayCount = DayCount.ACT_365
    rounding: Rounding = attrs.field(default=Rounding.HALF_EVEN, converter=_rounding)

    @classmethod
    def flat(
        cls,
        annual_rate: Rate,
        *,
        since: date,
        day_count: DayCount = DayCount.ACT_365,
        rounding: Rounding | str = Rounding.HALF_EVEN,
        source: str = "assumption (cfg)",
    ) -> FloatInterestPolicy:
        """A policy earning ``annual_rate`` on the whole float from ``since`` on.

        >>> FloatInterestPolicy.flat(Rate.percent("3.65"), since=date(2024, 1, 1)).interest(
        ...     [CNY("10000.00")], start=date(2024, 1, 1))
        Money('1.00', 'CNY')

        Raises:
            TypeError: when ``annual_rate`` is not a :class:`~antfin.rates.Rate`.

        .. versionadded:: 0.2.0
        """
        regime = FloatRegime(central_share=0, central_rate=_NIL, bank_rate=annual_rate)
        return cls(DatedTable("float interest regime", (Dated(since, regime, source),)), day_count, rounding)

    def annual_rate(self, on: date) -> Decimal:
        """The blended annual rate the platform earns on float on day ``on``.

        >>> [str(FloatInterestPolicy().annual_rate(date(year, 6, 1))) for year in (2016, 2017, 2018, 2019, 2020)]
        ['0.0035', '0.0028', '0.00175', '0', '0.0035']

        Raises:
            antfin.errors.OutsideCoverageError: for a day outside the table's coverage.

        .. versionadded:: 0.2.0
        """
        return self.regimes.on(on).annual_rate

    def interest(self, daily_float: Sequence[Money], *, start: date) -> Money:
        """Interest on a run of end-of-day float amounts, one per calendar day from ``start``.

        Each day earns at the regime in force that day; the exact sum is rounded once.

        >>> FloatInterestPolicy().interest([CNY("1000.00"), CNY("3000.00")], start=date(2024, 1, 1))
        Money('0.04', 'CNY')

        Raises:
            antfin.errors.InvalidAmountError: for an empty run or a negative amount.
            antfin.errors.OutsideCoverageError: for a day outside the regimes' coverage.
            TypeError: for values that are not Money.
        """
        amounts = tuple(daily_float)
        first = ensure_date(start, "start")
        if not amounts:
            raise InvalidAmountError("daily_float must hold at least one day's float")
        for amount in amounts:
            if not isinstance(amount, Money):
                raise TypeError(f"daily_float must hold Money, not {type(amount).__name__}")
            if amount.is_negative():
                raise InvalidAmountError(f"daily float must not be negative, got {amount}")
        currency = amounts[0].currency
        exact = Decimal(0)
        for offset, amount in enumerate(amounts):
            rate = self.annual_rate(first + timedelta(days=offset))
            daily = self.day_count.daily_rate(Rate(rate))
            exact = _CONTEXT.add(exact, _CONTEXT.multiply(Decimal(amount.minor_units), daily))
        fen = int(exact.to_integral_value(rounding=self.rounding.value, context=_CONTEXT))
        return Money.from_minor_units(fen, currency)


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
    chosen.annual_rate(first)  # outside the regimes' coverage: refuse before reading anything
    # Each day's float: the wallets' posted balances at the end of the day, worked back from their running
    # totals through what was booked since the period began (not a scan of their history per day).
    cutoffs = [
        start_of_day(first + timedelta(days=offset + 1)) - timedelta(microseconds=1)
        for offset in range((last - first).days)
    ]
    daily = list(ledger.balances_at(ids, cutoffs))
    interest = chosen.interest(daily, start=first)
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
