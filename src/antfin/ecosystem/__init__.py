"""The ecosystem view: profit points, revenue and the demo scenario.

>>> from antfin.ecosystem import ProfitPoint
>>> ProfitPoint.ALIPAY_ACQUIRING_COMMISSION.account_id
'revenue:alipay:acquiring_commission'

.. versionadded:: 0.1.0
"""

from antfin.chart import Product, ProfitPoint, revenue_account
from antfin.ecosystem.revenue import IncomeLine, IncomeStatement, income_statement

__all__ = ["IncomeLine", "IncomeStatement", "Product", "ProfitPoint", "income_statement", "revenue_account"]
