"""The ledger's storage port: the :class:`LedgerStore` protocol and the records stores exchange.

The store holds the ledger's state; the :class:`~antfin.ledger.ledger.Ledger` is a
cache over it. The ledger reads accounts (with their running totals), keys,
entries and holds one at a time when it needs them, and hands each committed
operation (or atomic batch) to its store as one :class:`ChangeSet`; the store
writes it all or nothing. Opening a ledger reads nothing per entry or key.
The adapters: :class:`~antfin.ledger.memory.MemoryStore` (the default),
:class:`~antfin.ledger.sqlite.SQLiteStore` and
:class:`~antfin.ledger.postgres.PostgresStore`.

>>> from antfin.ledger.memory import MemoryStore
>>> isinstance(MemoryStore(), LedgerStore)
True

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import Final, Protocol, runtime_checkable

import attrs

from antfin.ledger.model import Hold, JournalEntry, LedgerAccount

__all__ = [
    "RECORD_STATUS",
    "ChangeSet",
    "Document",
    "DocumentStore",
    "KeyRecord",
    "LedgerStore",
    "SharedLedgerStore",
    "StoreState",
]

#: The status of an archived record (a document written once and read only by its id: a trade's refund, a
#: Huabei bill that is paid). Stores leave such documents out of their index by status, which then holds only
#: the aggregates a query by status can ask for, not every record of their history.
RECORD_STATUS: Final = "FINAL"

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
class Document:
    """One stored aggregate of the books (a trade, a loan, a fund …), opaque to the ledger.

    The ledger's stores keep documents beside the ledger and write them in the
    same database transaction as the ledger's entries, so a product's state and
    the money it moved commit together or not at all. What the body means is
    the books' business (:mod:`antfin.books`); the store only indexes the
    columns a query needs: the kind and id, a status, and a due time.

    >>> Document("escrow", "T1", 1, "WAIT_BUYER_PAY", None, '{"amount": "5.00"}').version
    1

    Attributes:
        kind: the aggregate's kind (``"escrow"``, ``"loan"`` …).
        id: its business id, unique within the kind.
        version: 1 when first written, then one more on every write (a write
            whose previous version is not the stored one is a lost race).
        status: a short status text, indexed for queries by status (but for
            :data:`RECORD_STATUS`, an archived record's).
        due_at: when something next falls due on it (a timeout, an expiry), or ``None``.
        body: the aggregate's state as JSON text.

    .. versionadded:: 0.2.0
    """

    kind: str
    id: str
    version: int
    status: str
    due_at: datetime | None
    body: str


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
    #: Aggregates of the books written in the same transaction (:class:`Document`).
    documents: tuple[Document, ...] = ()
    #: The new running totals of every account the commit changed:
    #: ``(account id, debits, credits, debits pending, credits pending)`` in minor units.
    totals: tuple[tuple[str, int, int, int, int], ...] = ()

    @property
    def is_empty(self) -> bool:
        """``True`` when there is nothing to write.

        >>> ChangeSet(keys=(KeyRecord("k", "f", "entry", "E1"),)).is_empty
        False

        .. versionadded:: 0.1.0
        """
        return not (self.accounts or self.entries or self.holds or self.keys or self.documents or self.totals)


@attrs.frozen
class StoreState:
    """Everything a store holds, in commit order: an export (``load()``); the ledger never reads it.

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
    documents: tuple[Document, ...] = (),
    totals: tuple[tuple[str, int, int, int, int], ...] = (),
) -> ChangeSet:
    changes = _new(ChangeSet)
    _set(changes, "accounts", accounts)
    _set(changes, "entries", entries)
    _set(changes, "holds", holds)
    _set(changes, "keys", keys)
    _set(changes, "documents", documents)
    _set(changes, "totals", totals)
    return changes


def _entry_index(entry_id: str) -> int:
    """The position of entry ``E{n}`` in posting order (``n - 1``), or -1 for an id of another shape."""
    if (
        entry_id.__class__ is str
        and entry_id[:1] == "E"
        and entry_id[1:].isascii()
        and entry_id[1:].isdigit()
        and entry_id[1:2] != "0"
    ):
        return int(entry_id[1:]) - 1
    return -1


#: An account as a store returns it: its definition and its running totals in minor units
#: (debits posted, credits posted, debits reserved by pending holds, credits reserved).
AccountRow = tuple[LedgerAccount, tuple[int, int, int, int]]


@runtime_checkable
class LedgerStore(Protocol):
    """Where a ledger's accounts, entries, holds and keys live; the ledger is a cache over it.

    The ledger reads what it needs one row at a time (an account with its
    running totals, an idempotency key, an entry, a hold) and hands each
    committed operation (or atomic batch) to :meth:`commit` as one
    :class:`ChangeSet`. Opening a ledger reads nothing per entry or key.

    >>> from antfin.ledger.memory import MemoryStore
    >>> isinstance(MemoryStore(), LedgerStore)
    True

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Reads on demand (``account``, ``key``, ``entry``, ``hold`` …) instead of
       one ``load`` of everything; accounts carry their running totals.
    """

    def commit(self, changes: ChangeSet) -> None:
        """Write ``changes`` wholly or not at all; raise if it cannot.

        >>> from antfin.ledger.memory import MemoryStore
        >>> store = MemoryStore()
        >>> store.commit(ChangeSet())
        >>> store.version
        1

        .. versionadded:: 0.1.0
        """
        ...

    def close(self) -> None:
        """Release resources; the store may not be used afterwards.

        >>> from antfin.ledger.memory import MemoryStore
        >>> MemoryStore().close()

        .. versionadded:: 0.1.0
        """
        ...

    def account(self, account_id: str) -> AccountRow | None:
        """The account ``account_id`` with its running totals, or ``None``."""
        ...  # pragma: no cover

    def accounts(self, prefix: str = "") -> tuple[AccountRow, ...]:
        """Every account (whose id starts with ``prefix``) with its running totals, in opening order."""
        ...  # pragma: no cover

    def account_ids(self, prefix: str) -> tuple[str, ...]:
        """The ids of the accounts whose id starts with ``prefix``, in opening order."""
        ...  # pragma: no cover

    def key(self, key: str) -> KeyRecord | None:
        """What the idempotency key ``key`` did, or ``None`` if it is unused."""
        ...  # pragma: no cover

    def entry(self, entry_id: str) -> JournalEntry | None:
        """The journal entry ``entry_id``, or ``None``."""
        ...  # pragma: no cover

    def entries(self) -> tuple[JournalEntry, ...]:
        """Every journal entry, in posting order."""
        ...  # pragma: no cover

    def entry_batches(self, size: int) -> Iterator[tuple[JournalEntry, ...]]:
        """Every journal entry committed when the iteration starts, in posting order, ``size`` or fewer at a time."""
        ...  # pragma: no cover

    def entry_count(self) -> int:
        """How many journal entries are committed (the last entry is ``E{count}``)."""
        ...  # pragma: no cover

    def history(self, account_id: str) -> tuple[JournalEntry, ...]:
        """The entries posting to ``account_id``, in posting order."""
        ...  # pragma: no cover

    def balance_at(self, account_id: str, at: datetime) -> int:
        """The net (debits - credits, in minor units) posted to ``account_id`` by entries at or before ``at``."""
        ...  # pragma: no cover

    def movements(self, accounts: Collection[str], after: datetime) -> tuple[tuple[str, datetime, int], ...]:
        """Postings to ``accounts`` by entries booked after ``after``: (account, instant, minor units), in
        posting order. The SQL stores read them through an index of entries by instant."""
        ...  # pragma: no cover

    def reversal_of(self, entry_id: str) -> str | None:
        """The id of the entry that reverses ``entry_id``, or ``None``."""
        ...  # pragma: no cover

    def hold(self, hold_id: str) -> Hold | None:
        """The hold ``hold_id`` at its latest state, or ``None``."""
        ...  # pragma: no cover

    def holds_by_id(self, hold_ids: Collection[str]) -> dict[str, Hold]:
        """The holds among ``hold_ids`` at their latest state, by id, in one read (ids not stored are left out)."""
        ...  # pragma: no cover

    def holds(self) -> tuple[Hold, ...]:
        """Every hold at its latest state, in creation order."""
        ...  # pragma: no cover

    def hold_batches(self, size: int) -> Iterator[tuple[Hold, ...]]:
        """Every hold made when the iteration starts, at its latest state, in creation order, ``size`` or fewer at
        a time."""
        ...  # pragma: no cover

    def holds_due(self, until: datetime) -> tuple[Hold, ...]:
        """The pending holds expiring at or before ``until``, by expiry then creation order."""
        ...  # pragma: no cover

    def counts(self) -> tuple[int, int, int]:
        """How many accounts, journal entries and holds are committed."""
        ...  # pragma: no cover

    def check_indexes(self) -> None:
        """Raise :class:`~antfin.errors.InvariantViolationError` where the store's own look-up structures
        disagree with its rows (a store whose indexes the database maintains has nothing to check)."""
        ...  # pragma: no cover


@runtime_checkable
class SharedLedgerStore(LedgerStore, Protocol):
    """A store several ledgers (threads, processes) may write at once.

    A ledger on such a store wraps every outermost operation in
    :meth:`begin` ... :meth:`LedgerStore.commit` (or :meth:`rollback`). ``begin``
    starts the write transaction and returns the committed version; if it
    moved since the ledger last synced, the ledger drops its cached accounts
    (they are read again, fresh, when used) and only then validates and
    applies its own operation. Each commit raises the version by one.

    >>> from antfin.ledger import SQLiteStore
    >>> from antfin.ledger.memory import MemoryStore
    >>> isinstance(SQLiteStore(":memory:"), SharedLedgerStore), isinstance(MemoryStore(), SharedLedgerStore)
    (True, False)

    .. versionadded:: 0.1.0
    """

    def begin(self) -> int:
        """Start the write transaction; return the committed version.

        >>> from antfin.ledger import SQLiteStore
        >>> store = SQLiteStore(":memory:")
        >>> store.begin()
        0
        >>> store.rollback()

        .. versionadded:: 0.1.0
        """
        ...

    def rollback(self) -> None:
        """End the transaction taken by :meth:`begin` without writing.

        >>> from antfin.ledger import SQLiteStore
        >>> store = SQLiteStore(":memory:")
        >>> _ = store.begin()
        >>> store.rollback()

        .. versionadded:: 0.1.0
        """
        ...


@runtime_checkable
class DocumentStore(LedgerStore, Protocol):
    """A ledger store that also keeps the books' documents (:class:`Document`).

    Documents are written by :meth:`LedgerStore.commit` with the rest of a
    :class:`ChangeSet`, and read one at a time or through two indexes, never
    all at once: opening the books costs nothing per stored aggregate.

    >>> from antfin.ledger.memory import MemoryStore
    >>> isinstance(MemoryStore(), DocumentStore)
    True

    .. versionadded:: 0.2.0
    """

    def document(self, kind: str, id: str) -> Document | None:
        """The stored document ``(kind, id)``, or ``None``."""
        ...  # pragma: no cover

    def document_ids(self, kind: str, status: Iterable[str] | None = None) -> tuple[str, ...]:
        """The ids of ``kind`` (with one of ``status``, if given), in id order."""
        ...  # pragma: no cover

    def documents_due(self, kind: str, until: datetime) -> tuple[str, ...]:
        """The ids of ``kind`` whose due time is at or before ``until``, earliest first."""
        ...  # pragma: no cover


def __getattr__(name: str) -> object:
    """``MemoryStore`` moved to :mod:`antfin.ledger.memory`; importing it from here still works."""
    if name == "MemoryStore":
        from antfin.ledger.memory import MemoryStore

        return MemoryStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
