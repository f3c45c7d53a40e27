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

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from antfin.ledger.model import Hold, JournalEntry, LedgerAccount

__all__ = [
    "ChangeSet",
    "Document",
    "DocumentStore",
    "KeyRecord",
    "LedgerStore",
    "MemoryStore",
    "SharedLedgerStore",
    "StoreState",
]

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
        status: a short status text, indexed for queries by status.
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

    @property
    def is_empty(self) -> bool:
        """``True`` when there is nothing to write.

        >>> ChangeSet(keys=(KeyRecord("k", "f", "entry", "E1"),)).is_empty
        False

        .. versionadded:: 0.1.0
        """
        return not (self.accounts or self.entries or self.holds or self.keys or self.documents)


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
    documents: tuple[Document, ...] = (),
) -> ChangeSet:
    changes = _new(ChangeSet)
    _set(changes, "accounts", accounts)
    _set(changes, "entries", entries)
    _set(changes, "holds", holds)
    _set(changes, "keys", keys)
    _set(changes, "documents", documents)
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


@runtime_checkable
class DocumentStore(LedgerStore, Protocol):
    """A ledger store that also keeps the books' documents (:class:`Document`).

    Documents are written by :meth:`LedgerStore.commit` with the rest of a
    :class:`ChangeSet`, and read one at a time or through two indexes, never
    all at once: opening the books costs nothing per stored aggregate.

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


def _check_document_version(stored: Document | None, document: Document) -> None:
    """Refuse a write that did not start from the stored version (a lost race)."""
    expected = 0 if stored is None else stored.version
    if document.version != expected + 1:
        from antfin.errors import ConcurrencyError

        raise ConcurrencyError(
            f"{document.kind} {document.id!r} is at version {expected} in the store, "
            f"but this write expected version {document.version - 1}: another transaction changed it first"
        )


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
        self._documents: dict[tuple[str, str], Document] = {}
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
        documents = self._documents
        for document in changes.documents:  # checked first: a lost race writes nothing
            _check_document_version(documents.get((document.kind, document.id)), document)
        for document in changes.documents:
            documents[document.kind, document.id] = document
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

    def document(self, kind: str, id: str) -> Document | None:
        """The stored document ``(kind, id)``, or ``None``.

        >>> MemoryStore().document("escrow", "T1") is None
        True

        .. versionadded:: 0.2.0
        """
        return self._documents.get((kind, id))

    def document_ids(self, kind: str, status: Iterable[str] | None = None) -> tuple[str, ...]:
        """The ids of ``kind`` (with one of ``status``, if given), in id order.

        >>> MemoryStore().document_ids("loan")
        ()

        .. versionadded:: 0.2.0
        """
        wanted = None if status is None else frozenset(status)
        return tuple(
            sorted(
                doc_id
                for (doc_kind, doc_id), document in self._documents.items()
                if doc_kind == kind and (wanted is None or document.status in wanted)
            )
        )

    def documents_due(self, kind: str, until: datetime) -> tuple[str, ...]:
        """The ids of ``kind`` due at or before ``until``, earliest first (ties by id).

        A scan here: the memory store is for tests and notebooks; the SQLite
        and PostgreSQL stores answer from an index.

        >>> from antfin.calendar import shanghai
        >>> MemoryStore().documents_due("escrow", shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        due = [
            (document.due_at, doc_id)
            for (doc_kind, doc_id), document in self._documents.items()
            if doc_kind == kind and document.due_at is not None and document.due_at <= until
        ]
        return tuple(doc_id for _, doc_id in sorted(due))
