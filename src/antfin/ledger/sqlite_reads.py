"""The SQLite store's reads, one row or one account's rows at a time.

Part of :class:`~antfin.ledger.sqlite.SQLiteStore`, documented there.

The ledger reads what it needs when it needs it (an account with its running
totals, a key, an entry, a hold); the books read their documents one at a
time or through the status and due-time indexes. Every row is checked as it
is read.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, Final

from antfin.errors import InvariantViolationError, StoreError
from antfin.ledger.model import Hold, JournalEntry
from antfin.ledger.rows import (
    ENTRY_COLUMNS,
    account_from_row,
    due_columns,
    entries_from_rows,
    hold_from_text,
    id_range,
    is_unicode,
    key_from_row,
    movements_from_rows,
    parse_due,
    state_from_rows,
    sum_until,
)
from antfin.ledger.store import RECORD_STATUS, AccountRow, Document, KeyRecord, StoreState

#: The seqs of the entries posting to the account ``?1``, newest first: its chain, from the
#: account's last entry back through each posting's previous one. Every step must go back
#: (a stored pointer that does not ends the chain), so a damaged file cannot make it loop.
_CHAIN: Final = (
    "WITH RECURSIVE chain(seq) AS ("
    "SELECT last_entry FROM accounts WHERE id = ?1 AND last_entry IS NOT NULL "
    "UNION ALL SELECT (SELECT max(p.prev_entry) FROM postings p "
    "WHERE p.entry_seq = chain.seq AND p.account = ?1 AND p.prev_entry < chain.seq) "
    "FROM chain WHERE chain.seq IS NOT NULL"
    ") SELECT seq FROM chain WHERE seq IS NOT NULL"
)

_KEY_QUERY: Final = (
    "SELECT key, fingerprint, 'entry', id, NULL FROM entries WHERE key = ? AND fingerprint <> '' "
    "UNION ALL SELECT key, fingerprint, kind, ref, hold FROM keys WHERE key = ? LIMIT 1"
)


#: The ids of a kind with a status, from the status index (which leaves out archived records: the query
#: states the index's condition, or the planner could not use it).
_BY_STATUS: Final = (
    f"SELECT id FROM documents WHERE kind = ? AND status = ? AND status <> '{RECORD_STATUS}' ORDER BY id"
)
#: The ids of a kind's archived records (``?2`` is RECORD_STATUS), from the index of ids: not a query the books make.
_RECORDS: Final = "SELECT id FROM documents WHERE kind = ?1 AND status = ?2 ORDER BY id"

#: Ids looked up by one statement of a read of many rows by id.
_IDS_A_READ: Final = 500

_ACCOUNT_COLUMNS: Final = (
    "id, kind, currency, non_negative, owner, purpose, metadata, closed, "
    "debits, credits, debits_pending, credits_pending"
)


class _SQLiteReads:
    """Reads of committed rows, under the store's lock (inside its write transaction, if one is open)."""

    path: str
    _conn: sqlite3.Connection
    _lock: threading.RLock
    _in_tx: bool

    def _read_head(self) -> tuple[int, int]:
        """The last commit's version and the seq of the last entry it left (0, 0 when empty)."""
        row = self._conn.execute("SELECT version, last_entry FROM commits ORDER BY version DESC LIMIT 1").fetchone()
        return (0, 0) if row is None else (row[0], row[1])

    def load(self) -> StoreState:
        """Read everything committed, in commit order, as one consistent snapshot (an export).

        The ledger never calls it: it reads what it needs, one row at a time.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").load().entries
        ()

        .. versionadded:: 0.1.0
        """
        with self._lock:
            if self._in_tx:
                return self._read(0)
            self._conn.execute("BEGIN")
            try:
                return self._read(0)
            finally:
                self._conn.execute("COMMIT")

    def _read(self, since: int) -> StoreState:
        conn = self._conn
        current = self._read_head()[0]
        accounts = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE version > ? ORDER BY seq", (since,)
        ).fetchall()
        entry_rows = conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM entries WHERE seq > "
            "(SELECT coalesce(max(last_entry), 0) FROM commits WHERE version <= ?) ORDER BY seq",
            (since,),
        ).fetchall()
        postings = (
            conn.execute(
                "SELECT entry_seq, account, minor, currency FROM postings WHERE entry_seq >= ? "
                "ORDER BY entry_seq, line",
                (entry_rows[0][0],),
            ).fetchall()
            if entry_rows
            else []
        )
        holds = conn.execute("SELECT record FROM holds WHERE version > ? ORDER BY seq", (since,)).fetchall()
        keys = conn.execute("SELECT key, fingerprint, kind, ref, hold FROM keys WHERE version > ?", (since,)).fetchall()
        return state_from_rows(accounts, entry_rows, postings, holds, keys, current)

    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(query, params).fetchall()
            except UnicodeEncodeError:  # text that is not Unicode (a lone surrogate) was never stored: nothing has it
                return []
            except sqlite3.Error as error:
                raise StoreError(f"{self.path!r} failed a read: {error}") from error

    def account(self, account_id: str) -> AccountRow | None:
        """The account with its running totals (checked as it is read), or ``None``.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").account("asset:bank") is None
        True

        Raises:
            antfin.errors.SchemaError: a row of the wrong types, an unknown kind or currency.

        .. versionadded:: 0.2.0
        """
        rows = self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,))
        return account_from_row(rows[0]) if rows else None

    def accounts(self, prefix: str = "") -> tuple[AccountRow, ...]:
        """Every account (whose id starts with ``prefix``) with its running totals, in opening order.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").accounts("wallet:")
        ()

        .. versionadded:: 0.2.0
        """
        if not prefix:
            return tuple(
                account_from_row(row) for row in self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY seq")
            )
        where, bounds = id_range(prefix)
        rows = self._rows(f"SELECT {_ACCOUNT_COLUMNS}, seq FROM accounts WHERE {where}", bounds)
        return tuple(account_from_row(row[:-1]) for row in sorted(rows, key=itemgetter(-1)))

    def account_ids(self, prefix: str) -> tuple[str, ...]:
        """The ids of the accounts whose id starts with ``prefix``, in opening order.

        A range of the unique index on ids (which holds each row's ``seq``), so
        the cost is the accounts found, not all of them.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").account_ids("fund:yuebao:position:")
        ()

        .. versionadded:: 0.2.0
        """
        where, bounds = id_range(prefix)
        rows = self._rows(f"SELECT id, seq FROM accounts WHERE {where}", bounds)
        return tuple(row[0] for row in sorted(rows, key=itemgetter(1)))

    def key(self, key: str) -> KeyRecord | None:
        """What ``key`` did (from the entries' unique key, or the keys table), or ``None``.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").key("k") is None
        True

        .. versionadded:: 0.2.0
        """
        # The hot read of every write (a key is looked up before it is used): one statement, no list.
        with self._lock:
            try:
                row = self._conn.execute(_KEY_QUERY, (key, key)).fetchone()
            except UnicodeEncodeError:  # not Unicode: never stored
                return None
            except sqlite3.Error as error:
                raise StoreError(f"{self.path!r} failed a read: {error}") from error
        return None if row is None else key_from_row(row)

    def _entries_where(self, condition: str, params: tuple[Any, ...]) -> tuple[JournalEntry, ...]:
        with self._lock:
            rows = self._rows(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE {condition} ORDER BY seq", params)
            if not rows:
                return ()
            postings = self._rows(
                f"SELECT entry_seq, account, minor, currency FROM postings WHERE entry_seq IN "
                f"(SELECT seq FROM entries WHERE {condition}) ORDER BY entry_seq, line",
                params,
            )
        return entries_from_rows(rows, postings)

    def entry(self, entry_id: str) -> JournalEntry | None:
        """The entry ``entry_id``, or ``None``.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").entry("E1") is None
        True

        .. versionadded:: 0.2.0
        """
        found = self._entries_where("id = ?", (entry_id,))
        return found[0] if found else None

    def entries(self) -> tuple[JournalEntry, ...]:
        """Every entry, in posting order.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").entries()
        ()

        .. versionadded:: 0.2.0
        """
        return self._entries_where("1 = 1", ())

    def entry_batches(self, size: int) -> Iterator[tuple[JournalEntry, ...]]:
        """Every entry committed when the iteration starts, in posting order, ``size`` or fewer at a time.

        Each batch is one read of a range of entry numbers, so a walk through
        the whole history holds one batch in memory, not the history.

        >>> from antfin.ledger import SQLiteStore
        >>> list(SQLiteStore(":memory:").entry_batches(100))
        []

        .. versionadded:: 0.2.0
        """
        last = int(self._rows("SELECT coalesce(max(seq), 0) FROM entries")[0][0])
        for start in range(0, last, size):
            yield self._entries_where("seq > ? AND seq <= ?", (start, min(start + size, last)))

    def entry_count(self) -> int:
        """How many entries are committed (the seq of the last one).

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").entry_count()
        0

        .. versionadded:: 0.2.0
        """
        return int(self._rows("SELECT coalesce(max(seq), 0) FROM entries")[0][0])

    def history(self, account_id: str) -> tuple[JournalEntry, ...]:
        """The entries posting to ``account_id``, in posting order (read back along the account's chain).

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").history("asset:bank")
        ()

        .. versionadded:: 0.2.0
        """
        return self._entries_where(f"seq IN ({_CHAIN})", (account_id,))

    def balance_at(self, account_id: str, at: datetime) -> int:
        """Debits - credits posted to ``account_id`` by entries at or before ``at`` (minor units).

        >>> from antfin.ledger import SQLiteStore
        >>> from antfin.calendar import shanghai
        >>> SQLiteStore(":memory:").balance_at("asset:bank", shanghai(2024, 1, 1))
        0

        .. versionadded:: 0.2.0
        """
        rows = self._rows(
            f"SELECT p.minor, e.at FROM postings p JOIN entries e ON e.seq = p.entry_seq "
            f"WHERE p.entry_seq IN ({_CHAIN}) AND p.account = ?1",
            (account_id,),
        )
        return sum_until(rows, at, account_id)

    def movements(self, accounts: Collection[str], after: datetime) -> tuple[tuple[str, datetime, int], ...]:
        """Postings to ``accounts`` by entries booked after ``after``: (account, instant, minor units).

        Read through the index of entries by instant: the cost is what was booked
        since ``after``, not the accounts' history.

        >>> from antfin.ledger import SQLiteStore
        >>> from antfin.calendar import shanghai
        >>> SQLiteStore(":memory:").movements({"asset:bank"}, shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        rows = self._rows(
            "SELECT p.account, e.at, p.minor FROM entries e JOIN postings p ON p.entry_seq = e.seq "
            "WHERE e.at_us > ? ORDER BY e.seq, p.line",
            (due_columns(after)[0],),
        )
        return movements_from_rows(rows, accounts)

    def reversal_of(self, entry_id: str) -> str | None:
        """The id of the entry reversing ``entry_id``, or ``None``.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").reversal_of("E1") is None
        True

        .. versionadded:: 0.2.0
        """
        rows = self._rows("SELECT id FROM entries WHERE reverses = ? LIMIT 1", (entry_id,))
        return str(rows[0][0]) if rows else None

    def hold(self, hold_id: str) -> Hold | None:
        """The hold ``hold_id`` at its latest state, or ``None``.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").hold("h") is None
        True

        .. versionadded:: 0.2.0
        """
        rows = self._rows("SELECT record FROM holds WHERE id = ?", (hold_id,))
        return hold_from_text(rows[0][0]) if rows else None

    def holds_by_id(self, hold_ids: Collection[str]) -> dict[str, Hold]:
        """The holds among ``hold_ids`` at their latest state, by id (ids not stored are left out).

        A statement per 500 ids (SQLite's limit on parameters is larger), each checked as :meth:`hold` checks it.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").holds_by_id(["h"])
        {}

        .. versionadded:: 0.2.0
        """
        ids = [hold_id for hold_id in dict.fromkeys(hold_ids) if is_unicode(hold_id)]  # the others were never stored
        found: dict[str, Hold] = {}
        for start in range(0, len(ids), _IDS_A_READ):
            chunk = ids[start : start + _IDS_A_READ]
            marks = ", ".join("?" * len(chunk))
            for hold_id, record in self._rows(f"SELECT id, record FROM holds WHERE id IN ({marks})", chunk):
                found[hold_id] = hold_from_text(record)
        return found

    def holds(self) -> tuple[Hold, ...]:
        """Every hold, in creation order.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").holds()
        ()

        .. versionadded:: 0.2.0
        """
        return tuple(hold_from_text(row[0]) for row in self._rows("SELECT record FROM holds ORDER BY seq"))

    def hold_batches(self, size: int) -> Iterator[tuple[Hold, ...]]:
        """Every hold made when the iteration starts, in creation order, ``size`` or fewer at a time.

        >>> from antfin.ledger import SQLiteStore
        >>> list(SQLiteStore(":memory:").hold_batches(100))
        []

        .. versionadded:: 0.2.0
        """
        last = int(self._rows("SELECT coalesce(max(seq), 0) FROM holds")[0][0])
        for start in range(0, last, size):
            rows = self._rows("SELECT record FROM holds WHERE seq > ? AND seq <= ? ORDER BY seq", (start, start + size))
            yield tuple(hold_from_text(row[0]) for row in rows)

    def holds_due(self, until: datetime) -> tuple[Hold, ...]:
        """The pending holds expiring at or before ``until``, by expiry then creation (from an index).

        >>> from antfin.ledger import SQLiteStore
        >>> from antfin.calendar import shanghai
        >>> SQLiteStore(":memory:").holds_due(shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        rows = self._rows(
            "SELECT record FROM holds WHERE status = 'pending' AND expires_us IS NOT NULL AND expires_us <= ? "
            "ORDER BY expires_us, seq",
            (due_columns(until)[0],),
        )
        return tuple(hold_from_text(row[0]) for row in rows)

    def counts(self) -> tuple[int, int, int]:
        """How many accounts, entries and holds are committed.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").counts()
        (0, 0, 0)

        .. versionadded:: 0.2.0
        """
        row = self._rows(
            "SELECT (SELECT count(*) FROM accounts), (SELECT coalesce(max(seq), 0) FROM entries), "
            "(SELECT count(*) FROM holds)"
        )[0]
        return int(row[0]), int(row[1]), int(row[2])

    def check_indexes(self) -> None:
        """Check the chains of postings against the postings themselves (one pass over the table).

        Each posting must point at the previous entry posting to its account, and each
        account at its last: a damaged pointer would hide entries from :meth:`history`
        and :meth:`balance_at`.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").check_indexes()

        Raises:
            antfin.errors.InvariantViolationError: naming the first account whose chain is broken.

        .. versionadded:: 0.2.0
        """
        broken = self._rows(
            "SELECT account, entry_seq FROM (SELECT account, entry_seq, prev_entry, "
            "lag(entry_seq) OVER (PARTITION BY account ORDER BY entry_seq) AS expected "
            "FROM (SELECT DISTINCT account, entry_seq, prev_entry FROM postings)) "
            "WHERE prev_entry IS NOT expected LIMIT 1"
        )
        if broken:
            raise InvariantViolationError(
                f"the chain of postings of {broken[0][0]!r} is broken at entry seq {broken[0][1]}"
            )
        broken = self._rows(
            "SELECT a.id FROM accounts a LEFT JOIN (SELECT account, max(entry_seq) AS last FROM postings "
            "GROUP BY account) p ON p.account = a.id WHERE a.last_entry IS NOT p.last LIMIT 1"
        )
        if broken:
            raise InvariantViolationError(f"the chain of postings of {broken[0][0]!r} does not end at its last entry")

    def document(self, kind: str, id: str) -> Document | None:
        """The stored document ``(kind, id)``, or ``None``.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").document("escrow", "T1") is None
        True

        .. versionadded:: 0.2.0
        """
        rows = self._rows("SELECT version, status, due_at, body FROM documents WHERE kind = ? AND id = ?", (kind, id))
        if not rows:
            return None
        row = rows[0]
        due = None if row[2] is None else parse_due(row[2], kind, id)
        return Document(kind, id, row[0], row[1], due, row[3])

    def document_ids(self, kind: str, status: Iterable[str] | None = None) -> tuple[str, ...]:
        """The ids of ``kind`` (with one of ``status``, if given), in id order, from the status index.

        >>> from antfin.ledger import SQLiteStore
        >>> SQLiteStore(":memory:").document_ids("loan", ["ACTIVE"])
        ()

        .. versionadded:: 0.2.0
        """
        if status is None:
            return tuple(row[0] for row in self._rows("SELECT id FROM documents WHERE kind = ? ORDER BY id", (kind,)))
        # One status at a time, each a range of the covering status index already in id order.
        found = [
            row[0]
            for one in dict.fromkeys(status)
            for row in self._rows(_RECORDS if one == RECORD_STATUS else _BY_STATUS, (kind, one))
        ]
        return tuple(sorted(found))

    def documents_due(self, kind: str, until: datetime) -> tuple[str, ...]:
        """The ids of ``kind`` due at or before ``until``, earliest first, from the due-time index.

        >>> from antfin.ledger import SQLiteStore
        >>> from antfin.calendar import shanghai
        >>> SQLiteStore(":memory:").documents_due("escrow", shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        limit, _ = due_columns(until)
        rows = self._rows(
            "SELECT id FROM documents WHERE kind = ? AND due_us IS NOT NULL AND due_us <= ? ORDER BY due_us, id",
            (kind, limit),
        )
        return tuple(row[0] for row in rows)
