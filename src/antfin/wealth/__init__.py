"""Wealth products: the Yu'ebao money-market fund, its income and yield rules, asset allocation,
Zhaocaibao's fee (the platform itself is :mod:`antfin.wealth.zhaocaibao`) and Ant Fortune
(:mod:`antfin.wealth.fortune`).

>>> from antfin.wealth import distribute_income
>>> distribute_income(CNY("0.05"), [1, 1])
(Money('0.03', 'CNY'), Money('0.02', 'CNY'))

.. versionadded:: 0.1.0
"""

from antfin.wealth.allocation import (
    YUEBAO_YIELDS,
    AllocationReport,
    AllocationRow,
    AllocationTargets,
    AssetClass,
    AssetYields,
    PortfolioIncome,
)
from antfin.wealth.equity import TIANHONG, EquityIncome, EquityInterest, equity_method_income
from antfin.wealth.fees import YUEBAO_CUSTODY_FEES, FeeAccrual, FundFeeSchedule, FundParty
from antfin.wealth.fund import DailyIncome, FundOrder, MoneyFund, MoneyFundConfig, OrderKind, OrderStatus
from antfin.wealth.income import YieldMethod, distribute_income, income_per_10k, seven_day_annualized_yield
from antfin.wealth.zhaocaibao.fees import TransferFeePolicy, transfer_fee

__all__ = [
    "TIANHONG",
    "YUEBAO_CUSTODY_FEES",
    "YUEBAO_YIELDS",
    "AllocationReport",
    "AllocationRow",
    "AllocationTargets",
    "AssetClass",
    "AssetYields",
    "DailyIncome",
    "EquityIncome",
    "EquityInterest",
    "FeeAccrual",
    "FundFeeSchedule",
    "FundOrder",
    "FundParty",
    "MoneyFund",
    "MoneyFundConfig",
    "OrderKind",
    "OrderStatus",
    "PortfolioIncome",
    "TransferFeePolicy",
    "YieldMethod",
    "distribute_income",
    "equity_method_income",
    "income_per_10k",
    "seven_day_annualized_yield",
    "transfer_fee",
]
