"""The memory store: the ledger's default :class:`~antfin.ledger.store.LedgerStore`, in process memory.

>>> from antfin.ledger.memory import MemoryStore
>>> store = MemoryStore()
>>> store.entries(), store.counts()
((), (0, 0, 0))

.. versionadded:: 0.1.0
   As ``antfin.ledger.store.MemoryStore`` (still importable from there).
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime

from antfin.ledger.model import Hold, HoldStatus, JournalEntry, LedgerAccount
from antfin.ledger.store import (
    AccountRow,
    ChangeSet,
    Document,
    KeyRecord,
    StoreState,
    _entry_index,
    _make_key_record,
)

__all__ = ["MemoryStore"]


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
    share the *ledger* between threads instead, which is safe. It is the only
    copy of the entries and keys: the ledger reads them from here.

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
        self._totals: dict[str, list[int]] = {}
        self._entries: list[JournalEntry] = []
        # Per account, the index of every entry posting to it (once per posting), in order.
        # (Arrays, not lists: they hold no Python objects, so the garbage collector skips them.)
        self._lines: dict[str, array[int]] = {}
        self._holds: dict[str, Hold] = {}
        self._hold_seq: dict[str, int] = {}
        self._expiries: list[tuple[datetime, int, str]] = []  # pending holds' expiries (stale items skipped)
        self._keys: dict[str, KeyRecord] = {}
        self._entry_keys: dict[str, tuple[str, str]] = {}  # key -> (fingerprint, entry id)
        self._reversed: dict[str, str] = {}
        # Documents by kind, then id: a kind's scan does not walk the others (archived records are many).
        self._documents: dict[str, dict[str, Document]] = {}
        self._version = 0

    @property
    def version(self) -> int:
        """The number of commits made so far.

        >>> MemoryStore().version
        0

        .. versionadded:: 0.2.0
        """
        return self._version

    def load(self) -> StoreState:
        """Everything committed so far (an export: the ledger never calls it).

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
        """Keep ``changes`` (cannot fail part-way: the documents are checked first).

        >>> MemoryStore().commit(ChangeSet())

        .. versionadded:: 0.1.0
        """
        documents = self._documents
        for document in changes.documents:  # checked first: a lost race writes nothing
            _check_document_version(documents.get(document.kind, {}).get(document.id), document)
        for document in changes.documents:
            documents.setdefault(document.kind, {})[document.id] = document
        for account in changes.accounts:
            if account.id not in self._accounts:
                self._totals[account.id] = [0, 0, 0, 0]
                self._lines[account.id] = array("q")
            self._accounts[account.id] = account
        for account_id, debits, credits, debits_pending, credits_pending in changes.totals:
            self._totals[account_id][:] = (debits, credits, debits_pending, credits_pending)
        entries = self._entries
        lines = self._lines
        for entry in changes.entries:
            index = len(entries)
            entries.append(entry)
            for posting in entry.postings:
                lines[posting.account].append(index)
            if entry.reverses is not None:
                self._reversed[entry.reverses] = entry.id
        for hold in changes.holds:
            if hold.id not in self._hold_seq:
                self._hold_seq[hold.id] = len(self._hold_seq)
                if hold.expires_at is not None and hold.status is HoldStatus.PENDING:
                    heapq.heappush(self._expiries, (hold.expires_at, self._hold_seq[hold.id], hold.id))
            self._holds[hold.id] = hold
        for record in changes.keys:
            if record.kind == "entry":
                self._entry_keys[record.key] = (record.fingerprint, record.ref)
            else:
                self._keys[record.key] = record
        self._version += 1

    def _append(self, entry: JournalEntry, fingerprint: str) -> None:
        # The ledger's fast path for one transfer: commit() without building a ChangeSet or KeyRecord.
        index = len(self._entries)
        self._entries.append(entry)
        first, second = entry.postings
        minor = first.amount._minor
        self._totals[first.account][0] += minor
        self._totals[second.account][1] += minor
        self._lines[first.account].append(index)
        self._lines[second.account].append(index)
        self._entry_keys[entry.key] = (fingerprint, entry.id)
        self._version += 1

    def close(self) -> None:
        """Nothing to release.

        >>> MemoryStore().close()

        .. versionadded:: 0.1.0
        """

    # -- reads ----------------------------------------------------------------------

    def account(self, account_id: str) -> AccountRow | None:
        """The account with its running totals, or ``None``.

        >>> MemoryStore().account("asset:bank") is None
        True

        .. versionadded:: 0.2.0
        """
        account = self._accounts.get(account_id)
        if account is None:
            return None
        totals = self._totals[account_id]
        return account, (totals[0], totals[1], totals[2], totals[3])

    def accounts(self, prefix: str = "") -> tuple[AccountRow, ...]:
        """Every account (whose id starts with ``prefix``) with its running totals, in opening order.

        >>> MemoryStore().accounts()
        ()

        .. versionadded:: 0.2.0
        """
        totals = self._totals
        return tuple(
            (account, tuple(totals[account.id]))  # type: ignore[misc]
            for account in self._accounts.values()
            if account.id.startswith(prefix)
        )

    def account_ids(self, prefix: str) -> tuple[str, ...]:
        """The ids of the accounts whose id starts with ``prefix``, in opening order.

        >>> MemoryStore().account_ids("fund:yuebao:position:")
        ()

        .. versionadded:: 0.2.0
        """
        return tuple(account_id for account_id in self._accounts if account_id.startswith(prefix))

    def key(self, key: str) -> KeyRecord | None:
        """What ``key`` did, or ``None``.

        >>> MemoryStore().key("k") is None
        True

        .. versionadded:: 0.2.0
        """
        found = self._entry_keys.get(key)
        if found is not None:
            return _make_key_record(key, found[0], "entry", found[1], None)
        return self._keys.get(key)

    def entry(self, entry_id: str) -> JournalEntry | None:
        """The entry ``entry_id`` (found by its number: ids are ``E1``, ``E2`` …), or ``None``.

        >>> MemoryStore().entry("E1") is None
        True

        .. versionadded:: 0.2.0
        """
        index = _entry_index(entry_id)
        if 0 <= index < len(self._entries):
            entry = self._entries[index]
            if entry.id == entry_id:
                return entry
        return None

    def entries(self) -> tuple[JournalEntry, ...]:
        """Every entry, in posting order.

        >>> MemoryStore().entries()
        ()

        .. versionadded:: 0.2.0
        """
        return tuple(self._entries)

    def entry_batches(self, size: int) -> Iterator[tuple[JournalEntry, ...]]:
        """Every entry committed when the iteration starts, in posting order, ``size`` or fewer at a time.

        >>> list(MemoryStore().entry_batches(100))
        []

        .. versionadded:: 0.2.0
        """
        entries = self._entries
        end = len(entries)
        for start in range(0, end, size):
            yield tuple(entries[start : min(start + size, end)])

    def entry_count(self) -> int:
        """How many entries are committed.

        >>> MemoryStore().entry_count()
        0

        .. versionadded:: 0.2.0
        """
        return len(self._entries)

    def _indexes(self, account_id: str) -> list[int]:
        seen: list[int] = []
        for index in self._lines.get(account_id, ()):
            if not seen or seen[-1] != index:
                seen.append(index)
        return seen

    def history(self, account_id: str) -> tuple[JournalEntry, ...]:
        """The entries posting to ``account_id``, in posting order.

        >>> MemoryStore().history("asset:bank")
        ()

        .. versionadded:: 0.2.0
        """
        entries = self._entries
        return tuple(entries[index] for index in self._indexes(account_id))

    def movements(self, accounts: Collection[str], after: datetime) -> tuple[tuple[str, datetime, int], ...]:
        """Postings to ``accounts`` by entries booked after ``after``: (account, instant, minor units).

        A walk of the accounts' postings here (the memory store is for tests and
        notebooks); the SQL stores read an index of entries by instant.

        >>> from antfin.calendar import shanghai
        >>> MemoryStore().movements(["asset:bank"], shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        entries = self._entries
        found = sorted(
            (index, account, entries[index])
            for account in dict.fromkeys(accounts)
            for index in self._indexes(account)
            if entries[index].at > after
        )
        return tuple(
            (account, entry.at, posting.amount._minor)
            for index, account, entry in found
            for posting in entry.postings
            if posting.account == account
        )

    def balance_at(self, account_id: str, at: datetime) -> int:
        """Debits - credits posted to ``account_id`` by entries at or before ``at`` (minor units).

        >>> from antfin.calendar import shanghai
        >>> MemoryStore().balance_at("asset:bank", shanghai(2024, 1, 1))
        0

        .. versionadded:: 0.2.0
        """
        net = 0
        entries = self._entries
        for index in self._indexes(account_id):
            entry = entries[index]
            if entry.at <= at:
                net += sum(p.amount._minor for p in entry.postings if p.account == account_id)
        return net

    def reversal_of(self, entry_id: str) -> str | None:
        """The entry reversing ``entry_id``, or ``None``.

        >>> MemoryStore().reversal_of("E1") is None
        True

        .. versionadded:: 0.2.0
        """
        return self._reversed.get(entry_id)

    def hold(self, hold_id: str) -> Hold | None:
        """The hold ``hold_id``, or ``None``.

        >>> MemoryStore().hold("h") is None
        True

        .. versionadded:: 0.2.0
        """
        return self._holds.get(hold_id)

    def holds_by_id(self, hold_ids: Collection[str]) -> dict[str, Hold]:
        """The holds among ``hold_ids``, by id (ids not stored are left out).

        >>> MemoryStore().holds_by_id(["h"])
        {}

        .. versionadded:: 0.2.0
        """
        holds = self._holds
        return {hold_id: holds[hold_id] for hold_id in hold_ids if hold_id in holds}

    def holds(self) -> tuple[Hold, ...]:
        """Every hold, in creation order.

        >>> MemoryStore().holds()
        ()

        .. versionadded:: 0.2.0
        """
        return tuple(self._holds.values())

    def hold_batches(self, size: int) -> Iterator[tuple[Hold, ...]]:
        """Every hold made when the iteration starts, in creation order, ``size`` or fewer at a time.

        >>> list(MemoryStore().hold_batches(100))
        []

        .. versionadded:: 0.2.0
        """
        ids = list(self._holds)
        for start in range(0, len(ids), size):
            yield tuple(self._holds[hold_id] for hold_id in ids[start : start + size])

    def holds_due(self, until: datetime) -> tuple[Hold, ...]:
        """The pending holds expiring at or before ``until``, by expiry then creation (from a heap).

        >>> from antfin.calendar import shanghai
        >>> MemoryStore().holds_due(shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        heap = self._expiries
        holds = self._holds
        due: list[Hold] = []
        taken: list[tuple[datetime, int, str]] = []
        while heap and heap[0][0] <= until:
            item = heapq.heappop(heap)
            hold = holds[item[2]]
            if hold.status is HoldStatus.PENDING:
                due.append(hold)
                taken.append(item)
        for item in taken:  # still pending: they stay in the index until resolved
            heapq.heappush(heap, item)
        return tuple(due)

    def counts(self) -> tuple[int, int, int]:
        """How many accounts, entries and holds are committed.

        >>> MemoryStore().counts()
        (0, 0, 0)

        .. versionadded:: 0.2.0
        """
        return len(self._accounts), len(self._entries), len(self._holds)

    def check_indexes(self) -> None:
        """Nothing to check: the memory store finds everything by scanning its rows.

        >>> MemoryStore().check_indexes()

        .. versionadded:: 0.2.0
        """

    def document(self, kind: str, id: str) -> Document | None:
        """The stored document ``(kind, id)``, or ``None``.

        >>> MemoryStore().document("escrow", "T1") is None
        True

        .. versionadded:: 0.2.0
        """
        return self._documents.get(kind, {}).get(id)

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
                for doc_id, document in self._documents.get(kind, {}).items()
                if wanted is None or document.status in wanted
            )
        )

    def documents_due(self, kind: str, until: datetime) -> tuple[str, ...]:
        """The ids of ``kind`` due at or before ``until``, earliest first (ties by id).

        A scan of the kind here: the memory store is for tests and notebooks;
        the SQLite and PostgreSQL stores answer from an index.

        >>> from antfin.calendar import shanghai
        >>> MemoryStore().documents_due("escrow", shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        due = [
            (document.due_at, doc_id)
            for doc_id, document in self._documents.get(kind, {}).items()
            if document.due_at is not None and document.due_at <= until
        ]
        return tuple(doc_id for _, doc_id in sorted(due))
