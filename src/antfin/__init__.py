"""antfin: the business rules of an Ant Group-style fintech ecosystem, exact and tested.

>>> import antfin
>>> antfin.CNY("100.00").allocate([1, 1, 1])
(Money('33.34', 'CNY'), Money('33.33', 'CNY'), Money('33.33', 'CNY'))
>>> antfin.format_money(antfin.CNY("1234.5"), locale="en_US")
'CN¥1,234.50'

The value types and the six domain objects are importable from here; each
product's full API lives in its subpackage (:mod:`antfin.ledger`,
:mod:`antfin.payments`, :mod:`antfin.wealth`, :mod:`antfin.credit`,
:mod:`antfin.crowdfunding`, :mod:`antfin.ecosystem`).

>>> sorted(name for name in antfin.__all__ if name[0].isupper() and name not in {"CNY"})[:4]
['Account', 'AntfinError', 'Books', 'CreditProfile']

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from antfin.books import Books
from antfin.credit import CreditProfile, Loan
from antfin.crowdfunding import CrowdfundOffer
from antfin.errors import AntfinError
from antfin.money import CNY, Currency, Money, format_money
from antfin.payments import Account, EscrowTrade
from antfin.wealth import MoneyFund

__version__ = "0.1.0"

__all__ = [
    "CNY",
    "Account",
    "AntfinError",
    "Books",
    "CreditProfile",
    "CrowdfundOffer",
    "Currency",
    "EscrowTrade",
    "Loan",
    "Money",
    "MoneyFund",
    "format_money",
]
