"""Ant's 51% of Tianhong is equity-method income, reported apart from fee revenue."""

from __future__ import annotations

from datetime import date

import pytest

from antfin.calendar import WeekdayCalendar, shanghai
from antfin.chart import ProfitPoint, fund_manager
from antfin.errors import InvalidAmountError, InvalidTimeError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY
from antfin.wealth import TIANHONG, EquityInterest, MoneyFund, equity_method_income


def test_a_month_of_yuebao_management_fees_gives_ant_51_percent_as_equity_income_not_revenue() -> None:
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:ann", AccountKind.LIABILITY, non_negative=True)
    ledger.transfer("in", debit="asset:bank", credit="wallet:ann", amount=CNY("3650000.00"), at=shanghai(2024, 5, 31))
    fund = MoneyFund(ledger, calendar=WeekdayCalendar())
    fund.purchase("p", "ann", CNY("3650000.00"), at=shanghai(2024, 5, 31, 10))  # Friday: earns from Monday 06-03
    fund.close_day(date(2024, 5, 31), at=shanghai(2024, 5, 31, 23))
    for day in range(1, 31):
        fund.close_day(date(2024, 6, day), at=shanghai(2024, 6, day, 23))  # gross from the portfolio
    income = equity_method_income(
        ledger, TIANHONG, manager_account=fund_manager("yuebao"), start=shanghai(2024, 6, 1), end=shanghai(2024, 7, 1)
    )
    # 28 earning days (06-03..06-30) of 0.30% a year on about 3.65M: about 30.00 a day
    assert CNY("830.00") < income.investee_income < CNY("850.00")
    assert income.share_of_income == TIANHONG.share_of(income.investee_income)
    assert not ledger.has_account("revenue:yuebao:management_fee")
    revenue = [account.id for account in ledger.accounts() if account.id.startswith("revenue:")]
    assert revenue == [ProfitPoint.YUEBAO_SALES_SERVICE_FEE.account_id]


def test_periods_before_the_stake_and_bad_stakes_are_refused() -> None:
    ledger = Ledger()
    ledger.open_account(fund_manager("yuebao"), AccountKind.LIABILITY)
    with pytest.raises(InvalidTimeError):
        equity_method_income(
            ledger,
            TIANHONG,
            manager_account=fund_manager("yuebao"),
            start=shanghai(2024, 2, 1),
            end=shanghai(2024, 1, 1),
        )
    with pytest.raises(InvalidAmountError):
        EquityInterest("x", "1.5", date(2020, 1, 1), CNY("1"), "cfg")
    with pytest.raises(TypeError):
        EquityInterest("x", "0.5", date(2020, 1, 1), 1, "cfg")  # type: ignore[arg-type]
