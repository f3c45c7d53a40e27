"""MoneyFund regressions: check-then-act daily close, the first close's anchor, one idempotency mechanism."""

from __future__ import annotations

import decimal
from datetime import date

import pytest

from antfin import CNY
from antfin.calendar import WeekdayCalendar, shanghai
from antfin.errors import AntfinError, IdempotencyConflictError, InvalidAmountError, InvalidTimeError
from antfin.ledger import AccountKind, Ledger
from antfin.serialization import from_data, to_data
from antfin.wealth import MoneyFund, OrderStatus

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


def state(fund: MoneyFund, ledger: Ledger) -> tuple[object, ...]:
    return (
        tuple((row.account, row.debits, row.credits) for row in ledger.trial_balance().rows),
        tuple(hold.status for hold in ledger.holds()),
        len(ledger.entries()),
        fund.total_units,
        tuple((investor, fund.units_of(investor)) for investor in fund.holders()),
        tuple((order.key, order.status, order.history) for order in fund.orders()),
        fund.last_closed_day,
        fund.daily_incomes(),
    )


@pytest.fixture
def ledger() -> Ledger:
    return make_ledger(ann="1000.00")


@pytest.fixture
def fund(ledger: Ledger) -> MoneyFund:
    return MoneyFund(ledger, calendar=WeekdayCalendar())


# -- check, then act ---------------------------------------------------------------------------------


def test_an_income_that_cannot_be_computed_is_refused_before_anything_is_booked(
    fund: MoneyFund, ledger: Ledger
) -> None:
    fund.purchase("p", "ann", CNY("0.01"), at=shanghai(2024, 6, 3, 10))  # effective Tuesday 06-04
    fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    before = state(fund, ledger)
    # Income per 10,000 units of 10 billion yuan on 0.01 units does not fit a 16-digit context:
    # this used to post the order and the income, then raise decimal.InvalidOperation.
    with decimal.localcontext(prec=16), pytest.raises(InvalidAmountError, match="out of range") as caught:
        fund.close_day(date(2024, 6, 4), gross_income=CNY("10000000000"), at=shanghai(2024, 6, 4, 23))
    assert isinstance(caught.value, AntfinError)
    assert state(fund, ledger) == before
    fund.check_invariants()
    ledger.check_invariants()
    # The day can still be closed.
    result = fund.close_day(date(2024, 6, 4), gross_income=CNY("0.01"), at=shanghai(2024, 6, 4, 23))
    assert result.per_10k == decimal.Decimal("10000.0000")
    assert fund.units_of("ann") == decimal.Decimal("0.02")
    assert fund.order("p").status is OrderStatus.DONE


def test_an_income_beyond_the_ledger_is_refused_and_changes_nothing(fund: MoneyFund, ledger: Ledger) -> None:
    fund.purchase("p", "ann", CNY("1"), at=shanghai(2024, 6, 3, 10))
    fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    before = state(fund, ledger)
    with pytest.raises(InvalidAmountError, match="2\\*\\*63"):
        fund.close_day(date(2024, 6, 4), gross_income=CNY("92233720368547758.08"), at=shanghai(2024, 6, 4, 23))
    assert state(fund, ledger) == before


# -- the first close -----------------------------------------------------------------------------------


def test_the_first_close_of_an_empty_fund_is_anchored_to_its_booking_day(fund: MoneyFund, ledger: Ledger) -> None:
    before = state(fund, ledger)
    with pytest.raises(InvalidTimeError, match="no orders"):
        fund.close_day(date(1990, 1, 1), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    with pytest.raises(InvalidTimeError, match="no orders"):
        fund.close_day(date(2024, 5, 26), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    assert state(fund, ledger) == before
    assert fund.last_closed_day is None
    # A week back is fine; so is the day itself.
    fund.close_day(date(2024, 5, 27), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    assert fund.last_closed_day == date(2024, 5, 27)


def test_the_first_close_is_not_before_the_first_order_nor_after_an_order_takes_effect(
    fund: MoneyFund, ledger: Ledger
) -> None:
    order = fund.purchase("p", "ann", CNY("100"), at=shanghai(2024, 6, 7, 16))  # Friday 16:00: effective 06-11
    assert order.effective_day == date(2024, 6, 11)
    before = state(fund, ledger)
    with pytest.raises(InvalidTimeError, match="before the fund's first order"):
        fund.close_day(date(1990, 1, 1), gross_income=CNY("0"), at=shanghai(2024, 6, 7, 23))
    with pytest.raises(InvalidTimeError, match="takes effect on 2024-06-11"):
        fund.close_day(date(2999, 12, 30), gross_income=CNY("0"), at=shanghai(2999, 12, 30, 23))
    with pytest.raises(InvalidTimeError, match="takes effect on 2024-06-11"):
        fund.close_day(date(2024, 6, 12), gross_income=CNY("0"), at=shanghai(2024, 6, 12, 23))
    assert state(fund, ledger) == before
    # Purchases still work after the refusals, and the days from the order on close in order.
    fund.purchase("q", "ann", CNY("1"), at=shanghai(2024, 6, 8, 10))
    for day in range(7, 12):
        fund.close_day(date(2024, 6, day), gross_income=CNY("0"), at=shanghai(2024, 6, day, 23))
    assert fund.units_of("ann") == decimal.Decimal("101.00")


# -- idempotency ---------------------------------------------------------------------------------------


def test_an_order_retried_later_returns_the_first(fund: MoneyFund, ledger: Ledger) -> None:
    order = fund.purchase("p", "ann", CNY("5"), at=shanghai(2024, 6, 3, 10))
    assert fund.purchase("p", "ann", CNY("5.00"), at=shanghai(2024, 6, 3, 11, 30)) is order
    assert ledger.available("wallet:ann") == CNY("995")
    with pytest.raises(IdempotencyConflictError, match="fund order key 'p' was already used"):
        fund.redeem("p", "ann", "5", at=shanghai(2024, 6, 3, 10))
    fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    fund.close_day(date(2024, 6, 4), gross_income=CNY("0"), at=shanghai(2024, 6, 4, 23))
    redemption = fund.redeem("r", "ann", "2", at=shanghai(2024, 6, 5, 10))
    assert fund.redeem("r", "ann", "2.00", at=shanghai(2024, 6, 5, 14)) is redemption
    fast = fund.fast_redeem("f", "ann", "1", at=shanghai(2024, 6, 5, 10))
    assert fund.fast_redeem("f", "ann", 1, at=shanghai(2024, 6, 5, 20)) is fast
    with pytest.raises(IdempotencyConflictError, match="'f'"):
        fund.redeem("f", "ann", "1", at=shanghai(2024, 6, 5, 10))


def test_a_close_is_replayed_after_a_round_trip(fund: MoneyFund, ledger: Ledger) -> None:
    fund.purchase("p", "ann", CNY("5"), at=shanghai(2024, 6, 3, 10))
    first = fund.close_day(date(2024, 6, 3), gross_income=CNY("0"), at=shanghai(2024, 6, 3, 23))
    loaded: MoneyFund = from_data(MoneyFund, to_data(fund), ledger=ledger)
    assert loaded.close_day(date(2024, 6, 3), at=shanghai(2024, 6, 4, 1)) == first
    assert loaded.purchase("p", "ann", CNY("5"), at=shanghai(2024, 6, 3, 12)) == fund.order("p")
    with pytest.raises(IdempotencyConflictError, match="close of day '2024-06-03'"):
        loaded.close_day(date(2024, 6, 3), gross_income=CNY("0.01"), at=shanghai(2024, 6, 4, 1))
