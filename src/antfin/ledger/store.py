"""The ledger's storage port: a :class:`LedgerStore` protocol and the memory adapter.

The :class:`~antfin.ledger.ledger.Ledger` keeps its working state in memory and hands
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

__all__ = ["ChangeSet", "KeyRecord", "LedgerStore", "MemoryStore", "SharedLedgerStore", "StoreState"]

_new = object.__new__
_set = object.__setattr__


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
        """``True`` when there is nothing to write.

        >>> ChangeSet(keys=(KeyRecord("k", "f", "entry", "E1"),)).is_empty
        False

        .. versionadded:: 0.1.0
        """
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
    #: The store's commit version this state reflects (0 for a store that does not count).
    version: int = 0


def _make_key_record(key: str, fingerprint: str, kind: str, ref: str, hold: Hold | None) -> KeyRecord:
    record = _new(KeyRecord)
    _set(record, "key", key)
    _set(record, "fingerprint", fingerprint)
    _set(record, "kind", kind)
    _set(record, "ref", ref)
    _set(record, "hold", hold)
    return record


def _make_change_set(
    accounts: tuple[LedgerAccount, ...],
    entries: tuple[JournalEntry, ...],
    holds: tuple[Hold, ...],
    keys: tuple[KeyRecord, ...],
) -> ChangeSet:
    changes = _new(ChangeSet)
    _set(changes, "accounts", accounts)
    _set(changes, "entries", entries)
    _set(changes, "holds", holds)
    _set(changes, "keys", keys)
    return changes


@runtime_checkable
class LedgerStore(Protocol):
    """Where a ledger's accounts, entries, holds and keys live.

    >>> isinstance(MemoryStore(), LedgerStore)
    True

    .. versionadded:: 0.1.0
    """

    def load(self) -> StoreState:
        """Everything committed so far (accounts and holds at their latest state).

        >>> MemoryStore().load().version
        0

        .. versionadded:: 0.1.0
        """
        ...

    def commit(self, changes: ChangeSet) -> None:
        """Write ``changes`` wholly or not at all; raise if it cannot.

        >>> store = MemoryStore()
        >>> store.commit(ChangeSet())
        >>> store.load().version
        1

        .. versionadded:: 0.1.0
        """
        ...

    def close(self) -> None:
        """Release resources; the store may not be used afterwards.

        >>> MemoryStore().close()

        .. versionadded:: 0.1.0
        """
        ...


@runtime_checkable
class SharedLedgerStore(LedgerStore, Protocol):
    """A store several ledgers (threads, processes) may write at once.

    A ledger on such a store wraps every outermost operation in
    :meth:`begin` ... :meth:`LedgerStore.commit` (or :meth:`rollback`): ``begin`` takes
    the store's exclusive write lock and returns the committed version; if
    it moved since the ledger last synced, the ledger reads the difference
    with :meth:`load_since`, applies it, and only then validates and applies
    its own operation. Each commit raises the version by one.

    >>> from antfin.ledger import SQLiteStore
    >>> isinstance(SQLiteStore(":memory:"), SharedLedgerStore), isinstance(MemoryStore(), SharedLedgerStore)
    (True, False)

    .. versionadded:: 0.1.0
    """

    def begin(self) -> int:
        """Take the exclusive write lock; return the committed version.

        >>> from antfin.ledger import SQLiteStore
        >>> store = SQLiteStore(":memory:")
        >>> store.begin()
        0
        >>> store.rollback()

        .. versionadded:: 0.1.0
        """
        ...

    def load_since(self, version: int) -> StoreState:
        """Everything committed after ``version`` (accounts and holds at their latest state).

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").load_since(0).entries
        ()

        .. versionadded:: 0.1.0
        """
        ...

    def rollback(self) -> None:
        """Release the lock taken by :meth:`begin` without writing.

        >>> from antfin.ledger import SQLiteStore
        >>> store = SQLiteStore(":memory:")
        >>> _ = store.begin()
        >>> store.rollback()

        .. versionadded:: 0.1.0
        """
        ...


class MemoryStore:
    """The default store: keeps committed values in process memory.

    A memory store belongs to one :class:`~antfin.ledger.ledger.Ledger` at a time
    (it may be reopened by a new ledger once the old one is no longer used);
    share the *ledger* between threads instead, which is safe.

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
        self._entry_keys: dict[str, tuple[str, str]] = {}  # key -> (fingerprint, entry id), from _append
        self._version = 0

    def load(self) -> StoreState:
        """Everything committed so far.

        >>> MemoryStore().load().accounts
        ()

        .. versionadded:: 0.1.0
        """
        return StoreState(
            tuple(self._accounts.values()),
            tuple(self._entries),
            tuple(self._holds.values()),
            tuple(self._keys.values())
            + tuple(KeyRecord(key, fp, "entry", ref) for key, (fp, ref) in self._entry_keys.items()),
            self._version,
        )

    def commit(self, changes: ChangeSet) -> None:
        """Keep ``changes`` (cannot fail part-way: plain dict and list updates).

        >>> MemoryStore().commit(ChangeSet())

        .. versionadded:: 0.1.0
        """
        for account in changes.accounts:
            self._accounts[account.id] = account
        self._entries.extend(changes.entries)
        for hold in changes.holds:
            self._holds[hold.id] = hold
        for record in changes.keys:
            self._keys[record.key] = record
        self._version += 1

    def _append(self, entry: JournalEntry, fingerprint: str) -> None:
        # The ledger's fast path for one transfer: commit() without building a ChangeSet or KeyRecord.
        self._entries.append(entry)
        self._entry_keys[entry.key] = (fingerprint, entry.id)
        self._version += 1

    def close(self) -> None:
        """Nothing to release.

        >>> MemoryStore().close()

        .. versionadded:: 0.1.0
        """
