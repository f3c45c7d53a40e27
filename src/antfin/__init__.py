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

The names are loaded on first use (:pep:`562`), so ``import antfin.money`` (or
any other low floor) does not import every product.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from antfin.books import Books
    from antfin.credit import CreditProfile, Loan
    from antfin.crowdfunding import CrowdfundOffer
    from antfin.errors import AntfinError
    from antfin.money import CNY, Currency, Money, format_money
    from antfin.payments import Account, EscrowTrade
    from antfin.wealth import MoneyFund

__version__ = "0.1.0"

#: Where each top-level name lives: loaded from that module on first access.
_EXPORTS: dict[str, str] = {
    "CNY": "antfin.money",
    "Account": "antfin.payments",
    "AntfinError": "antfin.errors",
    "Books": "antfin.books",
    "CreditProfile": "antfin.credit",
    "CrowdfundOffer": "antfin.crowdfunding",
    "Currency": "antfin.money",
    "EscrowTrade": "antfin.payments",
    "Loan": "antfin.credit",
    "Money": "antfin.money",
    "MoneyFund": "antfin.wealth",
    "format_money": "antfin.money",
}

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


#: The subpackages reachable as attributes (``antfin.wealth``) without importing them first.
_SUBPACKAGES = frozenset({"books", "credit", "crowdfunding", "ecosystem", "insurance", "ledger", "payments", "wealth"})


def __getattr__(name: str) -> Any:
    """Import a top-level name from its module on first access (then cache it here)."""
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
