"""Wealth products: the Yu'ebao money-market fund, its income and yield rules, asset allocation.

>>> from antfin.wealth import distribute_income
>>> distribute_income(CNY("0.05"), [1, 1])
(Money('0.03', 'CNY'), Money('0.02', 'CNY'))

.. versionadded:: 0.1.0
"""

from antfin.wealth.income import YieldMethod, distribute_income, income_per_10k, seven_day_annualized_yield

__all__ = [
    "YieldMethod",
    "distribute_income",
    "income_per_10k",
    "seven_day_annualized_yield",
]
