"""The double-entry ledger: accounts, entries, two-phase holds, idempotent keys, stores.

>>> from antfin import CNY
>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> ledger = Ledger()
>>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
>>> _ = ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("top-up:1", debit="asset:bank", credit="wallet:alice",
...                     amount=CNY("20.00"), at=shanghai(2024, 5, 1, 12))
>>> ledger.balance("wallet:alice")
Money('20.00', 'CNY')

.. versionadded:: 0.1.0
"""

from antfin.ledger.batch import (
    EntryOp,
    HoldOp,
    LedgerOperation,
    OpenAccountOp,
    PostHoldOp,
    ReverseOp,
    TransferOp,
    VoidHoldOp,
)
from antfin.ledger.ledger import Ledger, TrialBalance, TrialBalanceRow
from antfin.ledger.memory import MemoryStore
from antfin.ledger.model import AccountKind, Hold, HoldStatus, JournalEntry, LedgerAccount, Posting
from antfin.ledger.sqlite import SQLiteStore
from antfin.ledger.store import ChangeSet, KeyRecord, LedgerStore, SharedLedgerStore, StoreState

__all__ = [
    "AccountKind",
    "ChangeSet",
    "EntryOp",
    "Hold",
    "HoldOp",
    "HoldStatus",
    "JournalEntry",
    "KeyRecord",
    "Ledger",
    "LedgerAccount",
    "LedgerOperation",
    "LedgerStore",
    "MemoryStore",
    "OpenAccountOp",
    "PostHoldOp",
    "Posting",
    "ReverseOp",
    "SQLiteStore",
    "SharedLedgerStore",
    "StoreState",
    "TransferOp",
    "TrialBalance",
    "TrialBalanceRow",
    "VoidHoldOp",
]
