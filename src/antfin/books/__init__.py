"""The books: every product's state stored with the ledger, in one unit of work.

>>> from antfin.books import Books
>>> from antfin.calendar import shanghai
>>> books = Books.memory()
>>> with books.transaction() as tx:
...     _ = tx.accounts.open("ann", opened_at=shanghai(2024, 3, 1))
>>> books.check().counts[0]
('account', 1)

.. versionadded:: 0.2.0
"""

from antfin.books.books import Books, BooksCheck
from antfin.books.kinds import KINDS, REFUND_REQUESTED, Kind
from antfin.books.repositories import (
    AccountRepository,
    EscrowRepository,
    FundRepository,
    HuabeiRepository,
    LoanRepository,
    OfferRepository,
    ProfileRepository,
    Repository,
    ZhaocaibaoRepository,
)
from antfin.books.transaction import Transaction

__all__ = [
    "KINDS",
    "REFUND_REQUESTED",
    "AccountRepository",
    "Books",
    "BooksCheck",
    "EscrowRepository",
    "FundRepository",
    "HuabeiRepository",
    "Kind",
    "LoanRepository",
    "OfferRepository",
    "ProfileRepository",
    "Repository",
    "Transaction",
    "ZhaocaibaoRepository",
]
