"""The ledger's storage port: a :class:`LedgerStore` protocol and the memory adapter.

The :class:`~antfin.ledger.Ledger` keeps its working state in memory and hands
each committed operation (or atomic batch) to its store as one
:class:`ChangeSet`; the store writes it all or nothing. On opening, the ledger
rebuilds its state from :meth:`LedgerStore.load`.

>>> from antfin.ledger.store import MemoryStore
>>> store = MemoryStore()
>>> store.load().entries
()

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs

from antfin.ledger.model import Hold, JournalEntry, LedgerAccount

__all__ = ["ChangeSet", "KeyRecord", "LedgerStore", "MemoryStore", "StoreState"]


@attrs.frozen
class KeyRecord:
    """What an idempotency key did: its parameters' fingerprint and its result.

    >>> KeyRecord("k1", "('transfer', 'a', 'b', 100, 'CNY')", "entry", "E1").kind
    'entry'

    Attributes:
        key: the caller's key.
        fingerprint: canonical text of the operation's parameters.
        kind: ``"entry"`` (the result is a journal entry) or ``"hold"``.
        ref: the entry id or hold id of the result.
        hold: for ``"hold"`` results, the hold as it was returned.

    .. versionadded:: 0.1.0
    """

    key: str
    fingerprint: str
    kind: str
    ref: str
    hold: Hold | None = None


@attrs.frozen
class ChangeSet:
    """Everything one commit adds or updates, written atomically by a store.

    >>> ChangeSet().is_empty
    True

    .. versionadded:: 0.1.0
    """

    accounts: tuple[LedgerAccount, ...] = ()
    entries: tuple[JournalEntry, ...] = ()
    holds: tuple[Hold, ...] = ()
    keys: tuple[KeyRecord, ...] = ()

    @property
    def is_empty(self) -> bool:
        """``True`` when there is nothing to write."""
        return not (self.accounts or self.entries or self.holds or self.keys)


@attrs.frozen
class StoreState:
    """Everything a store holds, in commit order, for a ledger to rebuild from.

    >>> StoreState().holds
    ()

    .. versionadded:: 0.1.0
    """

    accounts: tuple[LedgerAccount, ...] = ()
    entries: tuple[JournalEntry, ...] = ()
    holds: tuple[Hold, ...] = ()
    keys: tuple[KeyRecord, ...] = ()


@runtime_checkable
class LedgerStore(Protocol):
    """Where a ledger's accounts, entries, holds and keys live.

    >>> isinstance(MemoryStore(), LedgerStore)
    True

    .. versionadded:: 0.1.0
    """

    def load(self) -> StoreState:
        """Everything committed so far (accounts and holds at their latest state)."""
        ...

    def commit(self, changes: ChangeSet) -> None:
        """Write ``changes`` wholly or not at all; raise if it cannot."""
        ...

    def close(self) -> None:
        """Release resources; the store may not be used afterwards."""
        ...


class MemoryStore:
    """The default store: keeps committed values in process memory.

    >>> from antfin.ledger import Ledger
    >>> store = MemoryStore()
    >>> ledger = Ledger(store)
    >>> from antfin.ledger import AccountKind
    >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
    >>> [account.id for account in Ledger(store).accounts()]
    ['asset:bank']

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._accounts: dict[str, LedgerAccount] = {}
        self._entries: list[JournalEntry] = []
        self._holds: dict[str, Hold] = {}
        self._keys: dict[str, KeyRecord] = {}

    def load(self) -> StoreState:
        """Everything committed so far.

        >>> MemoryStore().load().accounts
        ()
        """
        return StoreState(
            tuple(self._accounts.values()),
            tuple(self._entries),
            tuple(self._holds.values()),
            tuple(self._keys.values()),
        )

    def commit(self, changes: ChangeSet) -> None:
        """Keep ``changes`` (cannot fail part-way: plain dict and list updates).

        >>> MemoryStore().commit(ChangeSet())
        """
        for account in changes.accounts:
            self._accounts[account.id] = account
        self._entries.extend(changes.entries)
        for hold in changes.holds:
            self._holds[hold.id] = hold
        for record in changes.keys:
            self._keys[record.key] = record

    def close(self) -> None:
        """Nothing to release.

        >>> MemoryStore().close()
        """
