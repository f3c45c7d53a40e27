"""antfin: the business rules of an Ant Group-style fintech ecosystem, exact and tested.

>>> import antfin
>>> antfin.CNY("100.00").allocate([1, 1, 1])
(Money('33.34', 'CNY'), Money('33.33', 'CNY'), Money('33.33', 'CNY'))
>>> antfin.format_money(antfin.CNY("1234.5"), locale="en_US")
'CN¥1,234.50'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from antfin.errors import AntfinError
from antfin.money import CNY, Currency, Money, format_money

__version__ = "0.1.0"

__all__ = [
    "CNY",
    "AntfinError",
    "Currency",
    "Money",
    "format_money",
]
