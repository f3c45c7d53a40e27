"""MoneyFund: order timing, redemptions, the fast-redemption cap, daily close, refusals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from antfin import CNY, Money
from antfin.calendar import ChinaExchangeCalendar, WeekdayCalendar, shanghai
from antfin.chart import ProfitPoint
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    LimitExceededError,
    NotFoundError,
    OutsideCoverageError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.money import Rounding
from antfin.wealth import MoneyFund, MoneyFundConfig, OrderKind, OrderStatus, YieldMethod
from antfin.wealth.fees import FundParty

BANK = "asset:bank_settlement"


def make_ledger(**wallets: str) -> Ledger:
    ledger = Ledger()
    ledger.open_account(BANK, AccountKind.ASSET)
    for investor, amount in wallets.items():
        ledger.open_account(f"wallet:{investor}", AccountKind.LIABILITY, non_negative=True, owner=investor)
        ledger.transfer(
            f"top-up:{investor}", debit=BANK, credit=f"wallet:{investor}", amount=CNY(amount), at=shanghai(2024, 1, 2)
        )
    return ledger


def snapshot(fund: MoneyFund, ledger: Ledger) -> tuple[object, ...]:
    return (
        tuple((row.account, row.balance) for row in ledger.trial_balance().rows),
        tuple((account.id, ledger.available(account.id)) for account in ledger.accounts()),
        len(ledger.entries()),
        fund.total_units,
        tuple((investor, fund.units_of(investor)) for investor in fund.holders()),
        tuple((order.key, order.status) for order in fund.orders()),
        fund.last_closed_day,
    )


def breakeven(fund: MoneyFund, day: date) -> Money:
    """The gross income that exactly pays the day's fees, so units stay round."""
    units = fund.total_units
    for order in fund.orders(OrderStatus.PENDING):
        if order.effective_day <= day:
            units += order.units if order.kind is OrderKind.PURCHASE else -order.units
    return fund.config.fees.accrue(CNY(units), on=day).total


def close(fund: MoneyFund, first: date, last: date, gross: str | None = None) -> None:
    """Close first..last; with no gross, each day breaks even (income = fees)."""
    day = first
    while day <= last:
        income = breakeven(fund, day) if gross is None else CNY(gross)
        fund.close_day(day, gross_income=income, at=shanghai(day.year, day.month, day.day, 23, 30))
        day = date.fromordinal(day.toordinal() + 1)


@pytest.fixture
def ledger() -> Ledger:
    return make_ledger(ann="50000.00", bob="1000.00")


@pytest.fixture
def fund(ledger: Ledger) -> MoneyFund:
    return MoneyFund(ledger, calendar=WeekdayCalendar())


# -- purchase timing --------------------------------------------------------------------------------


def test_purchase_at_1459_59_vs_1500(fund: MoneyFund) -> None:
    early = fund.purchase("p1", "ann", CNY("100"), at=shanghai(2024, 6, 5, 14, 59, 59))  # Wednesday
    late = fund.purchase("p2", "ann", CNY("100"), at=shanghai(2024, 6, 5, 15, 0, 0))
    assert (early.trade_day, early.effective_day) == (date(2024, 6, 5), date(2024, 6, 6))
    assert (late.trade_day, late.effective_day) == (date(2024, 6, 6), date(2024, 6, 7))


def test_friday_purchase_earns_from_monday_thursday_purchase_earns_the_weekend(fund: MoneyFund, ledger: Ledger) -> None:
    thursday = fund.purchase("thu", "ann", CNY("10000"), at=shanghai(2024, 6, 6, 10))
    friday = fund.purchase("fri", "bob", CNY("1000"), at=shanghai(2024, 6, 7, 10))
    assert thursday.effective_day == date(2024, 6, 7)
    assert friday.effective_day == date(2024, 6, 10)
    close(fund, date(2024, 6, 6), date(2024, 6, 6))
    close(fund, date(2024, 6, 7), date(2024, 6, 9), gross="1.00")  # Fri, Sat, Sun: only ann holds units
    assert fund.units_of("bob") == 0
    assert fund.units_of("ann") > Decimal("10000.00")
    assert ledger.balance("wallet:bob") == CNY("1000.00")
    assert ledger.available("wallet:bob") == CNY("0.00")
    close(fund, date(2024, 6, 10), date(2024, 6, 10), gross="1.00")
    assert fund.units_of("bob") > Decimal("1000.00")
    assert ledger.balance("wallet:bob") == CNY("0.00")
    fund.check_invariants()


def test_purchase_before_national_day_on_the_sse_calendar() -> None:
    ledger = make_ledger(ann="1000.01")
    fund = MoneyFund(ledger, calendar=ChinaExchangeCalendar.sse())
    order = fund.purchase("p", "ann", CNY("1000"), at=shanghai(2024, 9, 30, 14))
    assert (order.trade_day, order.effective_day) == (date(2024, 9, 30), date(2024, 10, 8))
    after_cutoff = fund.purchase("p2", "ann", CNY("0.01"), at=shanghai(2024, 9, 30, 15))
    assert (after_cutoff.trade_day, after_cutoff.effective_day) == (date(2024, 10, 8), date(2024, 10, 9))


def test_purchase_on_a_make_up_saturday_counts_from_monday() -> None:
    ledger = make_ledger(ann="1000")
    fund = MoneyFund(ledger)  # SSE calendar by default
    order = fund.purchase("p", "ann", CNY("10"), at=shanghai(2024, 10, 12, 10))  # 调休 Saturday
    assert (order.trade_day, order.effective_day) == (date(2024, 10, 14), date(2024, 10, 15))


def test_purchase_outside_calendar_coverage_is_refused_and_changes_nothing() -> None:
    ledger = make_ledger(ann="1000")
    fund = MoneyFund(ledger)
    before = snapshot(fund, ledger)
    with pytest.raises(OutsideCoverageError):
        fund.purchase("p", "ann", CNY("10"), at=shanghai(2026, 12, 31, 16))
    assert snapshot(fund, ledger) == before


# -- redemption ------------------------------------------------------------------------------------


def funded(fund: MoneyFund, amount: str = "20000") -> None:
    fund.purchase("seed", "ann", CNY(amount), at=shanghai(2024, 6, 3, 10))  # Monday -> Tuesday
    close(fund, date(2024, 6, 3), date(2024, 6, 4))


def test_normal_redemption_pays_next_trading_day_and_earns_until_then(fund: MoneyFund, ledger: Ledger) -> None:
    funded(fund)
    order = fund.redeem("r", "ann", "20000.00", at=shanghai(2024, 6, 7, 14))  # Friday -> paid Monday
    assert order.effective_day == date(2024, 6, 10)
    assert fund.available_units("ann") == 0
    close(fund, date(2024, 6, 5), date(2024, 6, 9), gross="10.00")
    earned = fund.units_of("ann") - Decimal("20000.00")
    assert earned > 0  # the units earned through Sunday
    wallet_before = ledger.balance("wallet:ann")
    result = fund.close_day(date(2024, 6, 10), gross_income=CNY("10.00"), at=shanghai(2024, 6, 10, 23))
    assert ledger.balance("wallet:ann") == wallet_before + CNY("20000.00")
    assert fund.units_of("ann") == earned + result.distributable.amount  # the income units stay, now earning alone
    assert result.units == earned
    assert order.status is OrderStatus.DONE
    assert [status for status, _ in order.history] == [OrderStatus.PENDING, OrderStatus.DONE]
    fund.check_invariants()


def test_redeem_more_than_available_is_refused_and_changes_nothing(fund: MoneyFund, ledger: Ledger) -> None:
    funded(fund, "100")
    fund.redeem("r1", "ann", "60", at=shanghai(2024, 6, 5, 10))
    before = snapshot(fund, ledger)
    with pytest.raises(InsufficientFundsError, match=r"has 40.00 units available to redeem, asked 40.01"):
        fund.redeem("r2", "ann", "40.01", at=shanghai(2024, 6, 5, 11))
    with pytest.raises(InsufficientFundsError, match="available"):
        fund.fast_redeem("f", "ann", "40.01", at=shanghai(2024, 6, 5, 11))
    with pytest.raises(InsufficientFundsError):
        fund.redeem("r3", "bob", "1", at=shanghai(2024, 6, 5, 11))
    assert snapshot(fund, ledger) == before


# -- fast redemption cap ---------------------------------------------------------------------------


def test_fast_redemption_cap_boundary_and_daily_reset(fund: MoneyFund, ledger: Ledger) -> None:
    funded(fund, "30000")
    fund.fast_redeem("f1", "ann", "9000.00", at=shanghai(2024, 6, 5, 9))
    before = snapshot(fund, ledger)
    with pytest.raises(LimitExceededError, match=r"has 1000.00 yuan left on 2024-06-05 and asked 1000.01"):
        fund.fast_redeem("f2", "ann", "1000.01", at=shanghai(2024, 6, 5, 10))
    assert snapshot(fund, ledger) == before
    fund.fast_redeem("f3", "ann", "1000.00", at=shanghai(2024, 6, 5, 23, 59, 59))  # exactly at the cap
    assert fund.fast_redemption_left("ann", date(2024, 6, 5)) == CNY("0")
    with pytest.raises(LimitExceededError, match=r"0.00 yuan left"):
        fund.fast_redeem("f4", "ann", "0.01", at=shanghai(2024, 6, 5, 23, 59, 59))
    # a new calendar day (Shanghai midnight) resets the quota
    fund.fast_redeem("f5", "ann", "10000.00", at=shanghai(2024, 6, 6, 0, 0, 0))
    assert fund.units_of("ann") == Decimal("10000.00")
    assert ledger.balance("wallet:ann") == CNY("50000") - CNY("30000") + CNY("20000")
    fund.check_invariants()


def test_fast_redemption_cap_is_per_investor_and_configurable(ledger: Ledger) -> None:
    fund = MoneyFund(ledger, calendar=WeekdayCalendar(), config=MoneyFundConfig(fast_redemption_daily_cap=CNY("5")))
    fund.purchase("a", "ann", CNY("10"), at=shanghai(2024, 6, 3, 10))
    fund.purchase("b", "bob", CNY("10"), at=shanghai(2024, 6, 3, 10))
    close(fund, date(2024, 6, 3), date(2024, 6, 4))
    fund.fast_redeem("fa", "ann", "5", at=shanghai(2024, 6, 5, 10))
    fund.fast_redeem("fb", "bob", "5", at=shanghai(2024, 6, 5, 10))
    with pytest.raises(LimitExceededError, match=r"capped at 5\.00 yuan"):
        fund.fast_redeem("fa2", "ann", "0.01", at=shanghai(2024, 6, 5, 10))
    assert fund.fast_redemption_left("bob", date(2024, 6, 6)) == CNY("5")


def test_fast_redemption_units_stop_earning_at_once(fund: MoneyFund) -> None:
    funded(fund, "10000")
    fund.fast_redeem("f", "ann", "4000", at=shanghai(2024, 6, 5, 8))
    result = fund.close_day(date(2024, 6, 5), gross_income=CNY("1.00"), at=shanghai(2024, 6, 5, 23))
    assert result.units == Decimal("6000.00")
    assert fund.units_of("ann") == Decimal("6000.00") + result.distributable.amount


# -- daily close -----------------------------------------------------------------------------------


def test_close_day_books_each_fee_to_its_party_and_income_to_positions(fund: MoneyFund, ledger: Ledger) -> None:
    funded(fund, "50000")  # ann holds 50,000 units from Tuesday 2024-06-04 (that day broke even)
    accounts = [fund.party_account(party) for party in FundParty]
    assert accounts == [
        "fund:yuebao:party:manager",  # Tianhong's, not Ant's revenue
        "fund:yuebao:party:custodian",  # the custodian bank's, not Ant's revenue
        ProfitPoint.YUEBAO_SALES_SERVICE_FEE.account_id,  # Ant distributes Yu'ebao: its revenue
    ]
    fees_before = [ledger.balance(account) for account in accounts]
    assets_before = ledger.balance(fund.assets_account)
    result = fund.close_day(date(2024, 6, 5), gross_income=CNY("10.00"), at=shanghai(2024, 6, 5, 23))
    # fees on 50,000: 0.30% -> 0.41096 -> 0.41; 0.08% -> 0.10959 -> 0.11; 0.25% -> 0.34247 -> 0.34
    fees_after = [ledger.balance(account) for account in accounts]
    assert [after - before for before, after in zip(fees_before, fees_after, strict=True)] == [
        CNY("0.41"),
        CNY("0.11"),
        CNY("0.34"),
    ]
    assert result.fees == CNY("0.86")
    assert result.distributable == CNY("9.14")
    assert result.per_10k == Decimal("1.8280")
    assert ledger.balance(fund.position_account("ann")) == CNY("50009.14")
    assert ledger.balance(fund.assets_account) - assets_before == CNY("10.00")
    assert fund.units_of("ann") == Decimal("50009.14")
    ledger.check_invariants()
    fund.check_invariants()


def test_negative_day_reduces_units(fund: MoneyFund, ledger: Ledger) -> None:
    fund.purchase("a", "ann", CNY("300"), at=shanghai(2024, 6, 3, 10))
    fund.purchase("b", "bob", CNY("100"), at=shanghai(2024, 6, 3, 10))
    close(fund, date(2024, 6, 3), date(2024, 6, 4))
    result = fund.close_day(date(2024, 6, 5), gross_income=CNY("-0.05"), at=shanghai(2024, 6, 5, 23))
    assert result.distributable == CNY("-0.05")
    assert result.per_10k == Decimal("-1.2500")
    assert (fund.units_of("ann"), fund.units_of("bob")) == (Decimal("299.96"), Decimal("99.99"))
    assert ledger.balance(fund.assets_account) == CNY("-0.05")
    fund.check_invariants()


def test_income_split_is_exact_over_holders(fund: MoneyFund) -> None:
    fund.purchase("a", "ann", CNY("1"), at=shanghai(2024, 6, 3, 10))
    fund.purchase("b", "bob", CNY("1"), at=shanghai(2024, 6, 3, 10))
    close(fund, date(2024, 6, 3), date(2024, 6, 4))
    total_before = fund.total_units
    fund.close_day(date(2024, 6, 5), gross_income=CNY("0.03"), at=shanghai(2024, 6, 5, 23))
    assert fund.total_units == total_before + Decimal("0.03")
    assert {fund.units_of("ann"), fund.units_of("bob")} == {Decimal("1.02"), Decimal("1.01")}


def test_close_day_order_and_idempotency(fund: MoneyFund, ledger: Ledger) -> None:
    funded(fund, "100")
    first = fund.close_day(date(2024, 6, 5), gross_income=CNY("0.02"), at=shanghai(2024, 6, 5, 23))
    assert fund.close_day(date(2024, 6, 5), gross_income=CNY("0.02"), at=shanghai(2024, 6, 6, 1)) is first
    before = snapshot(fund, ledger)
    with pytest.raises(IdempotencyConflictError, match=r"close of day '2024-06-05' was already used"):
        fund.close_day(date(2024, 6, 5), gross_income=CNY("0.03"), at=shanghai(2024, 6, 5, 23))
    with pytest.raises(InvalidTransitionError, match="the next day to close is 2024-06-06"):
        fund.close_day(date(2024, 6, 7), gross_income=CNY("0"), at=shanghai(2024, 6, 7, 23))
    with pytest.raises(InvalidTimeError, match="before the day it closes"):
        fund.close_day(date(2024, 6, 6), gross_income=CNY("0"), at=shanghai(2024, 6, 5, 23))
    with pytest.raises(InvalidAmountError, match="CNY"):
        fund.close_day(date(2024, 6, 6), gross_income=Money("1", "USD"), at=shanghai(2024, 6, 6, 23))
    with pytest.raises(TypeError, match="Money"):
        fund.close_day(date(2024, 6, 6), gross_income="1", at=shanghai(2024, 6, 6, 23))  # type: ignore[arg-type]
    assert snapshot(fund, ledger) == before


def test_income_without_units_is_refused(fund: MoneyFund, ledger: Ledger) -> None:
    before = snapshot(fund, ledger)
    with pytest.raises(InvalidAmountError, match="no units earn that day"):
        fund.close_day(date(2024, 6, 3), gross_income=CNY("1"), at=shanghai(2024, 6, 3, 23))
    assert snapshot(fund, ledger) == before
    assert fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23)).entry_id is None


def test_orders_on_closed_days_are_refused(fund: MoneyFund) -> None:
    close(fund, date(2024, 6, 3), date(2024, 6, 3))
    with pytest.raises(InvalidTimeError, match="already closed"):
        fund.purchase("p", "ann", CNY("1"), at=shanghai(2024, 6, 3, 23, 59))


def test_seven_day_yield_from_history(fund: MoneyFund) -> None:
    funded(fund, "10000")  # ann holds 10,000.00 units from 2024-06-04, days closed to 06-04
    config_fees = fund.config.fees.accrue(CNY("10000"), on=date(2024, 6, 5)).total
    assert config_fees == CNY("0.17")
    close(fund, date(2024, 6, 5), date(2024, 6, 11), gross="0.81")
    incomes = fund.daily_incomes()[-7:]
    assert incomes[0].day == date(2024, 6, 5)
    compound = fund.seven_day_yield(date(2024, 6, 11))
    simple = fund.seven_day_yield(date(2024, 6, 11), method=YieldMethod.SIMPLE)
    assert Decimal("2.2") < simple <= compound < Decimal("2.4")
    with pytest.raises(NotFoundError, match="has not been closed"):
        fund.seven_day_yield(date(2024, 6, 12))


# -- idempotency and bad input ---------------------------------------------------------------------


def test_same_key_same_order_returns_it_other_terms_conflict(fund: MoneyFund, ledger: Ledger) -> None:
    order = fund.purchase("p", "ann", CNY("5"), at=shanghai(2024, 6, 3, 10))
    assert fund.purchase("p", "ann", CNY("5"), at=shanghai(2024, 6, 3, 10)) is order
    assert ledger.available("wallet:ann") == CNY("49995")
    with pytest.raises(IdempotencyConflictError, match="'p' was already used"):
        fund.purchase("p", "ann", CNY("6"), at=shanghai(2024, 6, 3, 10))
    with pytest.raises(IdempotencyConflictError):
        fund.redeem("p", "ann", "5", at=shanghai(2024, 6, 3, 10))
    assert fund.order("p") is order
    assert fund.orders(OrderStatus.PENDING) == (order,)
    assert order.kind is OrderKind.PURCHASE


def test_bad_inputs_are_refused_and_change_nothing(fund: MoneyFund, ledger: Ledger) -> None:
    funded(fund, "100")
    before = snapshot(fund, ledger)
    at = shanghai(2024, 6, 5, 10)
    with pytest.raises(TypeError, match="amount must be Money"):
        fund.purchase("x", "ann", 5.0, at=at)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="amount must be positive"):
        fund.purchase("x", "ann", CNY("0"), at=at)
    with pytest.raises(InvalidAmountError, match="CNY"):
        fund.purchase("x", "ann", Money("1", "USD"), at=at)
    with pytest.raises(InsufficientFundsError):
        fund.purchase("x", "bob", CNY("1000.01"), at=at)
    with pytest.raises(NotFoundError, match="no wallet"):
        fund.purchase("x", "carol", CNY("1"), at=at)
    with pytest.raises(InvalidTimeError, match="aware"):
        fund.purchase("x", "ann", CNY("1"), at=at.replace(tzinfo=None))
    with pytest.raises(InvalidAmountError, match="at most 2 decimal places"):
        fund.redeem("x", "ann", "1.001", at=at)
    with pytest.raises(InvalidAmountError, match="units must be positive"):
        fund.fast_redeem("x", "ann", "0", at=at)
    with pytest.raises(TypeError, match="float"):
        fund.redeem("x", "ann", 1.5, at=at)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="key"):
        fund.purchase("", "ann", CNY("1"), at=at)
    with pytest.raises(InvalidAmountError, match="investor"):
        fund.purchase("x", "", CNY("1"), at=at)
    assert snapshot(fund, ledger) == before


def test_config_and_constructor_validation() -> None:
    with pytest.raises(InvalidAmountError, match="positive CNY"):
        MoneyFundConfig(fast_redemption_daily_cap=CNY("0"))
    with pytest.raises(TypeError):
        MoneyFund("ledger")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="TradingCalendar"):
        MoneyFund(Ledger(), calendar=object())  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="fund_id"):
        MoneyFund(Ledger(), fund_id="")
    assert MoneyFundConfig(per_10k_rounding="DOWN").per_10k_rounding is Rounding.DOWN


def test_check_positions_detects_a_position_moved_behind_the_funds_back(fund: MoneyFund, ledger: Ledger) -> None:
    funded(fund, "100")
    fund.check_positions()
    ledger.transfer(
        "tamper", debit=BANK, credit=fund.position_account("ann"), amount=CNY("0.01"), at=shanghai(2024, 6, 5)
    )
    fund.check_invariants()  # the pending orders' rules: what every load checks
    with pytest.raises(InvariantViolationError, match=r"100\.00 units outstanding but .* positions sum to 100\.01"):
        fund.check_positions()
    last = fund.last_closed_day
    assert last is not None
    before = ledger.counts()
    with pytest.raises(InvariantViolationError, match=r"positions sum to 100\.01"):
        fund.close_day(last + timedelta(days=1), gross_income=CNY("1"), at=shanghai(2024, 6, 30, 23))
    assert ledger.counts() == before
    assert fund.last_closed_day == last


def test_units_are_the_ledger_positions_in_opening_order(fund: MoneyFund, ledger: Ledger) -> None:
    for name in ("zed", "amy"):
        ledger.open_account(f"wallet:{name}", AccountKind.LIABILITY, non_negative=True, owner=name)
        ledger.transfer(f"top:{name}", debit=BANK, credit=f"wallet:{name}", amount=CNY("50"), at=shanghai(2024, 6, 3))
        fund.purchase(f"p:{name}", name, CNY("50"), at=shanghai(2024, 6, 3, 10))
    # Another fund whose ids extend this fund's position prefix is not a holder of this one.
    other = MoneyFund(ledger, calendar=fund.calendar, fund_id=f"{fund.fund_id}:position")
    assert other.assets_account.startswith(fund.position_account(""))
    fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    fund.close_day(date(2024, 6, 4), gross_income=CNY("0"), at=shanghai(2024, 6, 4, 23))
    assert fund.holders() == ("zed", "amy")
    assert fund.units_of("amy") == Decimal("50.00") == ledger.balance(fund.position_account("amy")).amount
    assert fund.total_units == Decimal("100.00")
    assert other.holders() == ()
    ledger.transfer("other-income", debit=other.assets_account, credit=BANK, amount=CNY("3"), at=shanghai(2024, 6, 5))
    assert fund.units_of("assets") == 0  # the other fund's portfolio, not a holder of this one
    assert fund.available_units("assets") == 0
    fund.check_positions()


def test_check_invariants_detects_a_voided_purchase_hold(fund: MoneyFund, ledger: Ledger) -> None:
    order = fund.purchase("p", "ann", CNY("5"), at=shanghai(2024, 6, 3, 10))
    ledger.void_hold("tamper", f"yuebao:purchase:{order.key}", at=shanghai(2024, 6, 3, 11))
    with pytest.raises(InvariantViolationError, match=r"is pending for 5\.00 CNY but its ledger hold is voided"):
        fund.check_invariants()
