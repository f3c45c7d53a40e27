"""Yu'ebao (余额宝) as a money-market fund whose every movement of money is booked in the ledger.

>>> from antfin.calendar import WeekdayCalendar, shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> from antfin.wealth import MoneyFund
>>> ledger = Ledger()
>>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
>>> _ = ledger.open_account("wallet:ann", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("top-up", debit="asset:bank", credit="wallet:ann", amount=CNY("10000"),
...                     at=shanghai(2024, 6, 3, 9))
>>> fund = MoneyFund(ledger, calendar=WeekdayCalendar())
>>> order = fund.purchase("p1", "ann", CNY("10000.00"), at=shanghai(2024, 6, 3, 10))  # Monday
>>> order.effective_day                                    # confirmed on Tuesday, earns from then
datetime.date(2024, 6, 4)
>>> fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
DailyIncome(day=datetime.date(2024, 6, 3), ...)
>>> fund.close_day(date(2024, 6, 4), gross_income=CNY("0.82"), at=shanghai(2024, 6, 4, 23)).distributable
Money('0.65', 'CNY')
>>> fund.units_of("ann")
Decimal('10000.65')

Rules (the Yu'ebao reference page, docs/reference/yuebao.md, gives the sources):

- a unit is worth 1.00 yuan for ever; purchases are by amount, redemptions by units;
- a purchase placed before 15:00 on trading day T is confirmed on the next
  trading day and earns from that day; after 15:00 or on a non-trading day it
  counts from the next trading day (:meth:`antfin.calendar.TradingCalendar.trading_day_for`);
- a normal redemption placed on T pays on the next trading day; the units earn
  until then and stop earning that day;
- a fast (T+0) redemption pays at once, at most 10,000 yuan per investor per
  calendar day (cfg); its units stop earning at once;
- income is closed per calendar day (weekends and holidays too) with
  :meth:`MoneyFund.close_day`: the gross income comes from the portfolio (the
  case study's 90/7/2/1 allocation at dated yields,
  :class:`~antfin.wealth.allocation.PortfolioIncome`) unless the caller passes
  the day's gross income; fees accrue on the day's assets, each to its own
  party (manager, custodian bank, distributor); the rest is split with
  :func:`~antfin.wealth.distribute_income` and reinvested as units; a negative
  day reduces units.

The fund's records (:class:`MoneyFundConfig`, :class:`FundOrder`, :class:`DailyIncome`)
are defined in :mod:`antfin.wealth.fund_model` and re-exported here; the daily close
is in :mod:`antfin.wealth.fund_close`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from antfin.archive import Archive
from antfin.calendar import (
    ChinaExchangeCalendar,
    TradingCalendar,
    WeekdayCalendar,
    ensure_aware,
    ensure_date,
    local_date,
    shanghai,
)
from antfin.chart import (
    ProfitPoint,
    fund_assets,
    fund_custodian,
    fund_distributor,
    fund_manager,
    fund_position,
    revenue_account,
    wallet,
)
from antfin.errors import (
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvariantViolationError,
    LimitExceededError,
    NotFoundError,
)
from antfin.idempotency import DerivedRecords, fingerprint, remember, replay
from antfin.ledger import AccountKind, HoldStatus, Ledger
from antfin.money import CNY, AmountLike, Money, to_decimal
from antfin.validators import check_name, check_positive
from antfin.wealth.fees import FundParty
from antfin.wealth.fund_close import _DailyClose
from antfin.wealth.fund_model import (
    DailyIncome,
    FundOrder,
    MoneyFundConfig,
    OrderKind,
    OrderStatus,
)
from antfin.wealth.income import YieldMethod, seven_day_annualized_yield

__all__ = [
    "DailyIncome",
    "FundOrder",
    "MoneyFund",
    "MoneyFundConfig",
    "OrderKind",
    "OrderStatus",
]

_ONE_DAY: Final = timedelta(days=1)
_MAX_MINOR: Final = 2**63 - 1
_UNIT: Final = Decimal("0.01")
#: How far before the booking day the first close of a fund with no orders may be (it anchors the fund).
_FIRST_CLOSE_WINDOW: Final = timedelta(days=7)


#: The idempotency operation of each order kind (the fingerprint's first field).
_OPERATIONS: Final = {
    OrderKind.PURCHASE: "purchase",
    OrderKind.REDEMPTION: "redeem",
    OrderKind.FAST_REDEMPTION: "fast_redeem",
}


def _order_fingerprint(order: FundOrder) -> str:
    return fingerprint(_OPERATIONS[order.kind], order.investor, order.amount)


def _close_fingerprint(income: DailyIncome) -> str:
    return fingerprint("close_day", income.day, income.gross)


def _units_to_fen(value: AmountLike, field: str = "units") -> int:
    units = to_decimal(value, field)
    scaled = units.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise InvalidAmountError(f"{field} must have at most 2 decimal places (0.01 unit), got {units}")
    if units <= 0:
        raise InvalidAmountError(f"{field} must be positive, got {units}")
    return int(scaled)


@attrs.define(eq=False)
class MoneyFund(_DailyClose):
    """A money-market fund with a fixed 1.00 unit value, booked in a :class:`~antfin.ledger.Ledger`.

    Accounts (opened idempotently): ``fund:<id>:assets`` (ASSET, the
    portfolio), one ``fund:<id>:position:<investor>`` per holder (LIABILITY,
    non-negative: what the fund owes the holder, always equal to their units),
    and the fee revenue accounts of the Yu'ebao profit points. Investor
    wallets are the payments package's ``wallet:<investor>`` accounts and
    must already exist.

    An investor's units are their position's posted balance, kept by the
    ledger alone: the fund keeps their total, not a copy per holder, so a fund
    stored in the books holds its pending orders and recent days, not one
    number per holder. :meth:`check_positions` compares the two.

    Purchases and normal redemptions are two-phase ledger holds (wallet →
    position, position → wallet) posted on their effective day; a fast
    redemption is a transfer. Every operation is idempotent by the caller's key.

    >>> from antfin.ledger import Ledger
    >>> fund = MoneyFund(Ledger())
    >>> fund.total_units, fund.assets_account
    (Decimal('0.00'), 'fund:yuebao:assets')

    Args:
        ledger: the ledger every movement is booked in.
        calendar: trading days; the SSE calendar by default.
        fund_id: prefix of the fund's accounts and keys.
        config: product parameters (cfg).

    .. versionadded:: 0.1.0
    """

    ledger: Ledger = attrs.field(repr=False)
    calendar: TradingCalendar = attrs.field(factory=ChinaExchangeCalendar.sse)
    fund_id: str = "yuebao"
    config: MoneyFundConfig = attrs.field(factory=MoneyFundConfig)
    #: Orders still pending; done ones move to the archive (history, replay), so daily work never walks them.
    _orders: dict[str, FundOrder] = attrs.field(init=False, factory=dict, repr=False)
    #: All units outstanding in fen: the sum of the positions, kept to tell a position moved behind the fund's back.
    _total: int = attrs.field(init=False, default=0)
    _done: Archive[str, FundOrder] = attrs.field(init=False, factory=Archive, repr=False)
    #: Fast redemptions used per (investor, day) for days not yet closed; closed days' totals are archived.
    _fast_used: dict[tuple[str, date], int] = attrs.field(init=False, factory=dict, repr=False)
    _fast_closed: Archive[tuple[str, date], int] = attrs.field(init=False, factory=Archive, repr=False)
    #: The last seven closed days (what the 7-day yield reads); older days move to the archive.
    _incomes: dict[date, DailyIncome] = attrs.field(init=False, factory=dict, repr=False)
    _closed: Archive[date, DailyIncome] = attrs.field(init=False, factory=Archive, repr=False)
    _last_closed: date | None = attrs.field(init=False, default=None)

    @staticmethod
    def __antfin_upgrade__(data: dict[str, Any]) -> dict[str, Any]:
        """A document written when the fund kept a copy of every holder's units: without that copy.

        The units were always equal to the ledger's positions (loading refused a
        document where they were not); the positions are what the fund reads now.
        """
        return {name: value for name, value in data.items() if name != "_units"}

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(self.ledger).__name__}")
        if not isinstance(self.calendar, TradingCalendar):
            raise TypeError(f"calendar must be a TradingCalendar, not {type(self.calendar).__name__}")
        check_name(self.fund_id, "fund_id")
        self.ledger.open_account(
            self.assets_account, AccountKind.ASSET, purpose=f"{self.fund_id} portfolio (money-market fund assets)"
        )

    # -- accounts and queries ---------------------------------------------------------------------

    @property
    def assets_account(self) -> str:
        """Id of the fund's portfolio account.

        >>> MoneyFund(Ledger(), fund_id="mmf").assets_account
        'fund:mmf:assets'

        .. versionadded:: 0.1.0
        """
        return fund_assets(self.fund_id)

    def party_account(self, party: FundParty) -> str:
        """Id of the account a fee party's fees are booked to.

        The manager and the custodian bank have accounts of their own (what the
        fund owes them; never the platform's revenue). The distributor's fee is
        the platform's revenue when it distributes the fund (the default).

        >>> fund = MoneyFund(Ledger())
        >>> [fund.party_account(party) for party in FundParty]
        ['fund:yuebao:party:manager', 'fund:yuebao:party:custodian', 'revenue:yuebao:sales_service_fee']

        .. versionadded:: 0.2.0
        """
        if party is FundParty.MANAGER:
            return fund_manager(self.fund_id)
        if party is FundParty.CUSTODIAN:
            return fund_custodian(self.fund_id)
        if self.config.platform_distributes:
            return ProfitPoint.YUEBAO_SALES_SERVICE_FEE.account_id
        return fund_distributor(self.fund_id)

    def _open_party(self, party: FundParty) -> str:
        account = self.party_account(party)
        if account == ProfitPoint.YUEBAO_SALES_SERVICE_FEE.account_id:
            return revenue_account(self.ledger, ProfitPoint.YUEBAO_SALES_SERVICE_FEE)
        self.ledger.open_account(
            account,
            AccountKind.LIABILITY,
            owner=party.value,
            purpose=f"{self.fund_id} fees owed to its {party.value} ({party.name_zh})",
        )
        return account

    def position_account(self, investor: str) -> str:
        """Id of an investor's position account.

        >>> MoneyFund(Ledger()).position_account("ann")
        'fund:yuebao:position:ann'

        .. versionadded:: 0.1.0
        """
        return fund_position(self.fund_id, investor)

    @staticmethod
    def wallet_account(investor: str) -> str:
        """Id of an investor's wallet (opened by the payments package).

        >>> MoneyFund.wallet_account("ann")
        'wallet:ann'

        .. versionadded:: 0.1.0
        """
        return wallet(investor)

    @property
    def total_units(self) -> Decimal:
        """All units outstanding (confirmed, not yet redeemed).

        >>> MoneyFund(Ledger()).total_units
        Decimal('0.00')

        .. versionadded:: 0.1.0
        """
        return Decimal(self._total).scaleb(-2)

    def units_of(self, investor: str) -> Decimal:
        """An investor's confirmed units (0 for a stranger).

        >>> MoneyFund(Ledger()).units_of("nobody")
        Decimal('0.00')

        .. versionadded:: 0.1.0
        """
        return Decimal(self._units_fen(investor)).scaleb(-2)

    def value_of(self, investor: str) -> Money:
        """An investor's holding in yuan (units × 1.00).

        >>> MoneyFund(Ledger()).value_of("nobody")
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        return Money.from_minor_units(self._units_fen(investor), CNY)

    def available_units(self, investor: str) -> Decimal:
        """Units not already reserved by a pending normal redemption.

        >>> MoneyFund(Ledger()).available_units("nobody")
        Decimal('0.00')

        .. versionadded:: 0.1.0
        """
        return Decimal(self._available_fen(investor)).scaleb(-2)

    def holders(self) -> tuple[str, ...]:
        """Investors with units, in the order their positions were opened (their first purchase).

        >>> MoneyFund(Ledger()).holders()
        ()

        .. versionadded:: 0.1.0
        """
        holders, units = self._holdings()
        return tuple(investor for investor, fen in zip(holders, units, strict=True) if fen)

    def _units_fen(self, investor: str) -> int:
        """An investor's units in fen: their position's posted balance (0 without a position)."""
        account = self._own_position(investor)
        return 0 if account is None else self.ledger.balance(account).minor_units

    def _own_position(self, investor: object) -> str | None:
        """The investor's position account, if the ledger has it and it is theirs (see :meth:`_holdings`)."""
        if not isinstance(investor, str):
            return None
        account = self.position_account(investor)
        if not self.ledger.has_account(account) or self.ledger.account(account).owner != investor:
            return None
        return account

    def _holdings(self) -> tuple[list[str], list[int]]:
        """Every investor with a position in this fund, in opening order, and their units in fen.

        The ledger lists the accounts under the fund's position prefix from its
        index of ids; an account there that another fund's ids happen to share
        (a fund ``a:position`` beside a fund ``a``) is not this fund's position
        unless its owner is the investor its id names.
        """
        prefix = self.position_account("")
        investors: list[str] = []
        accounts: list[str] = []
        for account in self.ledger.accounts(prefix):
            investor = account.id[len(prefix) :]
            if investor and account.owner == investor:
                investors.append(investor)
                accounts.append(account.id)
        balances = self.ledger.balances(accounts)
        return investors, [balances[account].minor_units for account in accounts]

    def order(self, key: str) -> FundOrder:
        """The order placed with ``key``.

        >>> MoneyFund(Ledger()).order("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no fund order with key 'nope'

        Raises:
            antfin.errors.NotFoundError: for an unknown key.

        .. versionadded:: 0.1.0
        """
        found = self._orders.get(key) if isinstance(key, str) else None
        if found is None:
            found = self._done.get(key) if isinstance(key, str) else None
        if found is None:
            raise NotFoundError(f"no fund order with key {key!r}")
        return found

    def orders(self, status: OrderStatus | None = None) -> tuple[FundOrder, ...]:
        """All orders in placement order, optionally only those with ``status``.

        Pending orders are the fund's live state; asking for done ones (or for
        all) reads its history, which in the books is a scan of stored rows.

        >>> MoneyFund(Ledger()).orders(OrderStatus.PENDING)
        ()

        .. versionadded:: 0.1.0
        """
        found = list(self._orders.values()) if status is not OrderStatus.DONE else []
        if status is not OrderStatus.PENDING:
            found.extend(self._done.values())
        found.sort(key=lambda order: order.placed_at)
        return tuple(order for order in found if status is None or order.status is status)

    def daily_incomes(self) -> tuple[DailyIncome, ...]:
        """Every closed day's income, oldest first.

        >>> MoneyFund(Ledger()).daily_incomes()
        ()

        .. versionadded:: 0.1.0
        """
        found = [*self._closed.values(), *self._incomes.values()]  # the archive is a history query
        found.sort(key=lambda income: income.day)
        return tuple(found)

    def _income(self, day: date) -> DailyIncome | None:
        found = self._incomes.get(day)
        return self._closed.get(day) if found is None else found

    @property
    def last_closed_day(self) -> date | None:
        """The last day :meth:`close_day` closed, ``None`` before the first.

        >>> MoneyFund(Ledger()).last_closed_day is None
        True

        .. versionadded:: 0.1.0
        """
        return self._last_closed

    def fast_redemption_left(self, investor: str, day: date) -> Money:
        """How much of the daily fast-redemption cap ``investor`` has left on ``day``.

        >>> MoneyFund(Ledger()).fast_redemption_left("ann", date(2024, 6, 3))
        Money('10000.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        asked = (investor, ensure_date(day, "day"))
        used = self._fast_used.get(asked)
        if used is None:
            used = self._fast_closed.get(asked, 0) if isinstance(investor, str) else 0
        return Money.from_minor_units(self.config.fast_redemption_daily_cap.minor_units - used, CNY)

    def seven_day_yield(self, as_of: date, *, method: YieldMethod = YieldMethod.COMPOUND) -> Decimal:
        """The 7-day annualized yield in percent over the 7 closed calendar days ending ``as_of``.

        >>> MoneyFund(Ledger()).seven_day_yield(date(2024, 6, 9))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: day 2024-06-03 has not been closed; the 7-day yield needs 2024-06-03..2024-06-09

        Raises:
            antfin.errors.NotFoundError: when one of the 7 days has not been closed.

        .. versionadded:: 0.1.0
        """
        end = ensure_date(as_of, "as_of")
        days = [end - _ONE_DAY * back for back in range(6, -1, -1)]
        values: list[AmountLike] = []
        for day in days:
            income = self._income(day)
            if income is None:
                raise NotFoundError(f"day {day} has not been closed; the 7-day yield needs {days[0]}..{days[-1]}")
            values.append(income.per_10k)
        return seven_day_annualized_yield(values, method=method, rounding=self.config.yield_rounding)

    # -- orders -------------------------------------------------------------------------------------

    def purchase(self, key: str, investor: str, amount: Money, *, at: datetime) -> FundOrder:
        """Buy units for ``amount`` from the investor's wallet; confirmed on the next trading day.

        The money is reserved in the wallet at once (a ledger hold wallet →
        position) and moves on the confirmation day, when the units start to earn.

        >>> ledger = _demo_ledger()
        >>> fund = MoneyFund(ledger, calendar=WeekdayCalendar())
        >>> order = fund.purchase("p1", "ann", CNY("100.00"), at=shanghai(2024, 6, 7, 16))  # Friday 16:00
        >>> order.trade_day, order.effective_day
        (datetime.date(2024, 6, 10), datetime.date(2024, 6, 11))
        >>> ledger.available("wallet:ann")
        Money('900.00', 'CNY')

        Args:
            key: the caller's idempotency key (unique per order).
            investor: the buyer, whose ``wallet:<investor>`` pays.
            amount: a positive CNY amount.
            at: when the order is placed (aware).

        Returns:
            The pending order.

        Raises:
            antfin.errors.InsufficientFundsError: when the wallet's available balance is short.
            antfin.errors.InvalidAmountError: for a non-positive or non-CNY amount.
            antfin.errors.InvalidTimeError: for a naive instant or one on an already closed day.
            antfin.errors.IdempotencyConflictError: for a reused key with other terms.
            antfin.errors.NotFoundError: when the investor has no wallet.

        .. versionadded:: 0.1.0
        """
        money = check_positive(amount, currency=CNY)
        return self._place(key, investor, OrderKind.PURCHASE, money, at)

    def redeem(self, key: str, investor: str, units: AmountLike, *, at: datetime) -> FundOrder:
        """Redeem ``units`` normally: paid to the wallet on the next trading day.

        The units are reserved at once (a ledger hold position → wallet), keep
        earning until the payment day, and stop earning on it.

        >>> fund, ledger = _demo_fund_with_units()
        >>> order = fund.redeem("r1", "ann", "40.00", at=shanghai(2024, 6, 13, 10))  # Thursday
        >>> order.effective_day, fund.available_units("ann")
        (datetime.date(2024, 6, 14), Decimal('60.00'))

        Raises:
            antfin.errors.InsufficientFundsError: when the investor's available units are fewer.
            antfin.errors.InvalidAmountError: for non-positive units or more than 2 decimals.
            antfin.errors.InvalidTimeError: for a naive instant or one on an already closed day.
            antfin.errors.IdempotencyConflictError: for a reused key with other terms.

        .. versionadded:: 0.1.0
        """
        money = Money.from_minor_units(_units_to_fen(units), CNY)
        return self._place(key, investor, OrderKind.REDEMPTION, money, at)

    def fast_redeem(self, key: str, investor: str, units: AmountLike, *, at: datetime) -> FundOrder:
        """Redeem ``units`` at once (T+0), within the per-investor daily cap.

        >>> fund, ledger = _demo_fund_with_units()
        >>> order = fund.fast_redeem("f1", "ann", "30", at=shanghai(2024, 6, 15, 22))  # a Saturday night
        >>> order.status, ledger.balance("wallet:ann")
        (<OrderStatus.DONE: 'done'>, Money('930.00', 'CNY'))

        Raises:
            antfin.errors.LimitExceededError: above what is left of today's cap; the
                message says how much is left.
            antfin.errors.InsufficientFundsError: when the investor's available units are fewer.
            antfin.errors.InvalidAmountError: for non-positive units or more than 2 decimals.
            antfin.errors.InvalidTimeError: for a naive instant or one on an already closed day.
            antfin.errors.IdempotencyConflictError: for a reused key with other terms.

        .. versionadded:: 0.1.0
        """
        money = Money.from_minor_units(_units_to_fen(units), CNY)
        return self._place(key, investor, OrderKind.FAST_REDEMPTION, money, at)

    def _available_fen(self, investor: str) -> int:
        account = self._own_position(investor)
        return 0 if account is None else self.ledger.available(account).minor_units

    def _place(self, key: str, investor: str, kind: OrderKind, money: Money, at: datetime) -> FundOrder:
        check_name(key, "key")
        check_name(investor, "investor")
        placed = ensure_aware(at)
        records = self._order_records()
        # A retry (same investor, kind and amount; the instant is not compared) returns the first order.
        first = replay(records, key, fingerprint(_OPERATIONS[kind], investor, money), what="fund order key")
        if first is not None:
            return first
        day = local_date(placed)
        if self._last_closed is not None and day <= self._last_closed:
            raise InvalidTimeError(
                f"at {placed.isoformat()} falls on {day}, already closed; expected an instant after {self._last_closed}"
            )
        wallet, position = self.wallet_account(investor), self.position_account(investor)
        if not self.ledger.has_account(wallet):
            raise NotFoundError(f"investor {investor!r} has no wallet account {wallet!r}")
        if kind is OrderKind.FAST_REDEMPTION:
            trade_day = effective_day = day
            self._check_fast_cap(investor, day, money)
        else:
            trade_day = self.calendar.trading_day_for(placed)
            effective_day = self.calendar.next_trading_day(trade_day)
        if kind is not OrderKind.PURCHASE and self._available_fen(investor) < money.minor_units:
            raise InsufficientFundsError(
                f"investor {investor!r} has {self.available_units(investor)} units available to redeem, "
                f"asked {money.amount}"
            )
        order = FundOrder(key, investor, kind, money, placed, trade_day, effective_day)
        ledger_key = self._ledger_key(order)
        memo = f"{self.fund_id} {kind.value} {key}"
        with self.ledger.atomic():
            if kind is OrderKind.PURCHASE:
                self._open_position(investor)
                self.ledger.hold(ledger_key, debit=wallet, credit=position, amount=money, at=placed, memo=memo)
            elif kind is OrderKind.REDEMPTION:
                self.ledger.hold(ledger_key, debit=position, credit=wallet, amount=money, at=placed, memo=memo)
            else:
                self.ledger.transfer(ledger_key, debit=position, credit=wallet, amount=money, at=placed, memo=memo)
        # The ledger accepted it: now change our own state (nothing above mutated it).
        if kind is OrderKind.FAST_REDEMPTION:
            self._fast_used[(investor, day)] = self._fast_used.get((investor, day), 0) + money.minor_units
            self._total -= money.minor_units
            order.transition(OrderStatus.DONE, placed)
        remember(records, key, _order_fingerprint(order), order)
        if order.status is OrderStatus.DONE:
            self._archive(order)
        return order

    def _order_records(self) -> DerivedRecords[str, FundOrder]:
        # Pending orders first, then the archive: a retried key is found wherever its order is now.
        return DerivedRecords(ChainMap(self._orders, self._done), str, str, _order_fingerprint)

    def _archive(self, order: FundOrder) -> None:
        """Move a done order out of the live state into the archive."""
        self._done[order.key] = self._orders.pop(order.key)

    def _check_fast_cap(self, investor: str, day: date, money: Money) -> None:
        left = self.fast_redemption_left(investor, day)
        if money > left:
            cap = self.config.fast_redemption_daily_cap
            raise LimitExceededError(
                f"fast redemption is capped at {cap.amount} yuan per investor per day; {investor!r} has "
                f"{left.amount} yuan left on {day} and asked {money.amount}; use a normal redemption for the rest"
            )

    def _ledger_key(self, order: FundOrder) -> str:
        return f"{self.fund_id}:{order.kind.value}:{order.key}"

    def _open_position(self, investor: str) -> None:
        self.ledger.open_account(
            self.position_account(investor),
            AccountKind.LIABILITY,
            non_negative=True,
            owner=investor,
            purpose=f"{self.fund_id} units of {investor}",
        )

    # -- the daily close ----------------------------------------------------------------------------

    # -- invariants ---------------------------------------------------------------------------------

    def check_invariants(self) -> None:
        """Raise unless every pending order still has its pending ledger hold for its amount.

        Its cost is the pending orders', whose holds come in one read. The units are the ledger's position
        balances; :meth:`check_positions` (the books' full check, and every
        daily close) compares them with the fund's total.

        >>> MoneyFund(Ledger()).check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the first broken invariant.

        .. versionadded:: 0.1.0
        .. versionchanged:: 0.2.0
           The units against the positions moved to :meth:`check_positions`.
        """
        if self._total < 0:
            raise InvariantViolationError(f"fund units {self.total_units} are negative")
        pending = list(self._pending())
        holds = self.ledger.get_holds([self._ledger_key(order) for order in pending])  # one read, not one each
        for order, hold in zip(pending, holds, strict=True):
            if hold.status is not HoldStatus.PENDING or hold.amount != order.amount:
                raise InvariantViolationError(
                    f"order {order.key!r} is pending for {order.amount} but its ledger hold is "
                    f"{hold.status.value} for {hold.amount}"
                )

    def check_positions(self) -> None:
        """Raise unless the fund's units outstanding equal the sum of its holders' ledger positions.

        A posting to a position that the fund did not make (money moved behind
        its back) breaks it. Its cost is the number of holders.

        >>> fund, ledger = _demo_fund_with_units()
        >>> fund.check_positions()

        Raises:
            antfin.errors.InvariantViolationError: naming both sums.

        .. versionadded:: 0.2.0
        """
        self._check_total(sum(self._holdings()[1]))

    def _check_total(self, positions: int) -> None:
        if positions != self._total:
            raise InvariantViolationError(
                f"fund {self.fund_id!r} has {self.total_units} units outstanding but its holders' ledger "
                f"positions sum to {Decimal(positions).scaleb(-2)}"
            )

    def _pending(self) -> Iterator[FundOrder]:
        return (order for order in self._orders.values() if order.status is OrderStatus.PENDING)


def _demo_ledger() -> Ledger:
    """A ledger with ``wallet:ann`` holding 1,000.00 yuan, for examples."""
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    ledger.open_account("wallet:ann", AccountKind.LIABILITY, non_negative=True, owner="ann")
    ledger.transfer(
        "demo:top-up:ann",
        debit="asset:bank_settlement",
        credit="wallet:ann",
        amount=CNY("1000.00"),
        at=shanghai(2024, 6, 3, 9),
    )
    return ledger


def _demo_fund_with_units() -> tuple[MoneyFund, Ledger]:
    """A weekday-calendar fund where ann holds 100.00 units from Tuesday 2024-06-11 (days closed to 06-12)."""
    ledger = _demo_ledger()
    fund = MoneyFund(ledger, calendar=WeekdayCalendar())
    fund.purchase("demo:p", "ann", CNY("100.00"), at=shanghai(2024, 6, 10, 10))
    for day in (10, 11, 12):
        fund.close_day(date(2024, 6, day), gross_income=CNY("0"), at=shanghai(2024, 6, day, 23))
    return fund, ledger
