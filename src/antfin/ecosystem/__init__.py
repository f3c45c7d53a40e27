"""The ecosystem view: profit points, revenue and the demo scenario.

>>> from antfin.ecosystem import ProfitPoint
>>> ProfitPoint.ALIPAY_ACQUIRING_COMMISSION.account_id
'revenue:alipay:acquiring_commission'

.. versionadded:: 0.1.0
"""

from antfin.chart import Basis, Product, ProfitPoint, Segment, revenue_account
from antfin.ecosystem.revenue import IncomeLine, IncomeStatement, income_statement

__all__ = [
    "Basis",
    "IncomeLine",
    "IncomeStatement",
    "Product",
    "ProfitPoint",
    "Segment",
    "income_statement",
    "revenue_account",
]
