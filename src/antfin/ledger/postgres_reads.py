"""The PostgreSQL store's reads: one row, or one account's rows, at a time.

Part of :class:`~antfin.ledger.postgres.PostgresStore`, documented there. Inside
a write transaction the ledger's reads lock the rows they return (``FOR
UPDATE``) and come in one round trip (``prefetch``); outside one, a read
runs on its own, and reads of several tables share one snapshot.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from antfin.errors import InvariantViolationError
from antfin.ledger.model import Hold, JournalEntry
from antfin.ledger.postgres_schema import _unholdable
from antfin.ledger.rows import (
    ENTRY_COLUMNS,
    account_from_row,
    due_columns,
    entries_from_rows,
    hold_from_text,
    id_range,
    key_from_row,
    movements_from_rows,
    parse_due,
    state_from_rows,
    sum_until,
)
from antfin.ledger.store import RECORD_STATUS, AccountRow, Document, KeyRecord, StoreState

if TYPE_CHECKING:
    import psycopg

_ACCOUNT_COLUMNS: Final = (
    "id, kind, currency, non_negative::int, owner, purpose, metadata, closed::int, "
    "debits, credits, debits_pending, credits_pending"
)


class _PostgresReads:
    """Reads of committed rows: inside the open transaction (locking), or on their own."""

    _lock: threading.RLock
    _conn: psycopg.Connection[Any] | None
    _in_tx: bool
    _pending_begin: bool

    if TYPE_CHECKING:  # the connection's machinery, in antfin.ledger.postgres

        def _reading(self, read: Any, *, snapshot: bool = False, begins: bool = False) -> Any: ...

        def _opening(self, conn: psycopg.Connection[Any]) -> None: ...

    def load(self) -> StoreState:
        """Read everything committed, in commit order, as one consistent snapshot (an export).

        The ledger never calls it: it reads what it needs, one row at a time.

        >>> from antfin.ledger.postgres import PostgresStore
        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.load().version
        0
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        state: StoreState = self._reading(lambda conn: self._read(conn, 0), snapshot=True)
        return state

    def _read(self, conn: psycopg.Connection[Any], since: int) -> StoreState:
        # Every query in one pipeline: one round trip to the server however much there is to read.
        with conn.pipeline():
            head = conn.cursor()
            head.execute("SELECT coalesce(max(version), 0) FROM commits")
            cursors = self._send_reads(conn, since)
        row = head.fetchone()
        return self._parse_reads(cursors, 0 if row is None else int(row[0]))

    def _send_reads(self, conn: psycopg.Connection[Any], since: int) -> list[psycopg.Cursor[Any]]:
        """Queue (in the open pipeline) the queries for everything committed after ``since``."""
        first_seq = "coalesce((SELECT last_entry FROM commits WHERE version <= %s ORDER BY version DESC LIMIT 1), 0)"
        queries = (
            (f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE version > %s ORDER BY seq", (since,)),
            (f"SELECT {ENTRY_COLUMNS} FROM entries WHERE seq > {first_seq} ORDER BY seq", (since,)),
            (
                f"SELECT entry_seq, account, minor, currency FROM postings WHERE entry_seq > {first_seq} "
                "ORDER BY entry_seq, line",
                (since,),
            ),
            ("SELECT record FROM holds WHERE version > %s ORDER BY seq", (since,)),
            ("SELECT key, fingerprint, kind, ref, hold FROM keys WHERE version > %s ORDER BY version, key", (since,)),
        )
        cursors = []
        for query, params in queries:
            cursor = conn.cursor()
            cursor.execute(query, params)
            cursors.append(cursor)
        return cursors

    def _parse_reads(self, cursors: list[psycopg.Cursor[Any]], current: int) -> StoreState:
        account_rows, entry_rows, posting_rows, hold_rows, key_rows = (c.fetchall() for c in cursors)
        return state_from_rows(account_rows, entry_rows, posting_rows, hold_rows, key_rows, current)

    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        for value in params:
            if value.__class__ is str and _unholdable(value):
                return []  # text PostgreSQL cannot hold was never stored: nothing has it

        def read(conn: psycopg.Connection[Any]) -> list[Any]:
            if not (self._in_tx and self._pending_begin):
                return conn.execute(query, params).fetchall()
            with conn.pipeline():  # BEGIN and the query in one round trip
                conn.execute("BEGIN")
                cursor = conn.execute(query, params)
            return cursor.fetchall()

        rows: list[Any] = self._reading(read, begins=True)
        return rows

    def account(self, account_id: str) -> AccountRow | None:
        """The account with its running totals (checked as it is read), or ``None``.

        >>> from antfin.ledger.postgres import PostgresStore
        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.account("asset:bank") is None
        True
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        lock = " FOR UPDATE" if self._in_tx else ""  # in a write: the row stays locked until it ends
        rows = self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = %s{lock}", (account_id,))
        return account_from_row(rows[0]) if rows else None

    def accounts(self, prefix: str = "") -> tuple[AccountRow, ...]:
        """Every account (whose id starts with ``prefix``) with its running totals, in opening order."""
        # A range of the unique index on ids (COLLATE "C": code point order), not a scan of every account.
        where, bounds = id_range(prefix, "%s")
        rows = self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} ORDER BY seq", bounds)
        return tuple(account_from_row(row) for row in rows)

    def account_ids(self, prefix: str) -> tuple[str, ...]:
        """The ids of the accounts whose id starts with ``prefix``, in opening order."""
        where, bounds = id_range(prefix, "%s")
        rows = self._rows(f"SELECT id FROM accounts WHERE {where} ORDER BY seq", bounds)
        return tuple(row[0] for row in rows)

    def key(self, key: str) -> KeyRecord | None:
        """What ``key`` did (the entries' unique key, or the keys table), or ``None``."""
        rows = self._rows(
            "(SELECT key, fingerprint, 'entry', id, NULL FROM entries WHERE key = %s AND fingerprint <> '') "
            "UNION ALL (SELECT key, fingerprint, kind, ref, hold FROM keys WHERE key = %s) LIMIT 1",
            (key, key),
        )
        return key_from_row(rows[0]) if rows else None

    def _entries_where(self, condition: str, params: Sequence[Any]) -> tuple[JournalEntry, ...]:
        if any(value.__class__ is str and _unholdable(value) for value in params):
            return ()  # text PostgreSQL cannot hold was never stored: nothing has it

        def read(conn: psycopg.Connection[Any]) -> tuple[list[Any], list[Any]]:
            with conn.pipeline():
                self._opening(conn)
                entries = conn.execute(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE {condition} ORDER BY seq", params)
                postings = conn.execute(
                    "SELECT entry_seq, account, minor, currency FROM postings WHERE entry_seq IN "
                    f"(SELECT seq FROM entries WHERE {condition}) ORDER BY entry_seq, line",
                    params,
                )
            return entries.fetchall(), postings.fetchall()

        rows, postings = self._reading(read, snapshot=not self._in_tx, begins=True)
        return entries_from_rows(rows, postings)

    def entry(self, entry_id: str) -> JournalEntry | None:
        """The entry ``entry_id``, or ``None``."""
        found = self._entries_where("id = %s", (entry_id,))
        return found[0] if found else None

    def entries(self) -> tuple[JournalEntry, ...]:
        """Every entry, in posting order."""
        return self._entries_where("TRUE", ())

    def entry_batches(self, size: int) -> Iterator[tuple[JournalEntry, ...]]:
        """Every entry committed when the iteration starts, in posting order, at most ``size`` entry numbers a read."""
        last = int(self._rows("SELECT coalesce(max(seq), 0) FROM entries")[0][0])
        for start in range(0, last, size):
            yield self._entries_where("seq > %s AND seq <= %s", (start, min(start + size, last)))

    def entry_count(self) -> int:
        """How many entries are committed."""
        return int(self._rows("SELECT count(*) FROM entries")[0][0])

    #: The ledger locks the rows it reads in a write and numbers entries with :meth:`next_entry_number`.
    locks_rows: Final = True

    def prefetch(
        self, key: str | None, account_ids: Sequence[str], numbers: int
    ) -> tuple[KeyRecord | None, tuple[AccountRow, ...], tuple[int, ...]]:
        """In one round trip: what ``key`` did, the accounts locked (in id order, so two writers never
        deadlock on them) with their fresh totals, and ``numbers`` new entry numbers.

        Only inside a write transaction; the ledger calls it for the rows an operation needs.
        """
        checked = [value for value in (key, *account_ids) if value is not None]
        if not self._in_tx or self._conn is None or any(_unholdable(value) for value in checked):
            raise InvariantViolationError("prefetch needs an open write transaction and text PostgreSQL can hold")

        def read(conn: psycopg.Connection[Any]) -> tuple[list[Any], list[Any], list[Any]]:
            with conn.pipeline():
                self._opening(conn)
                keys = conn.execute(
                    "(SELECT key, fingerprint, 'entry', id, NULL FROM entries WHERE key = %s AND fingerprint <> '') "
                    "UNION ALL (SELECT key, fingerprint, kind, ref, hold FROM keys WHERE key = %s) LIMIT 1",
                    (key, key),
                )
                accounts = conn.execute(
                    f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    (sorted(set(account_ids)),),
                )
                ids = conn.execute("SELECT nextval('entry_numbers') FROM generate_series(1, %s)", (numbers,))
            return keys.fetchall(), accounts.fetchall(), ids.fetchall()

        key_rows, account_rows, number_rows = self._reading(read, begins=True)
        return (
            key_from_row(key_rows[0]) if key_rows else None,
            tuple(account_from_row(row) for row in account_rows),
            tuple(int(row[0]) for row in number_rows),
        )

    def next_entry_number(self) -> int:
        """A new entry number from the ``entry_numbers`` sequence (unique; a rolled-back one leaves a gap)."""
        return int(self._rows("SELECT nextval('entry_numbers')")[0][0])

    def history(self, account_id: str) -> tuple[JournalEntry, ...]:
        """The entries posting to ``account_id``, in posting order (from the postings' account index)."""
        return self._entries_where("seq IN (SELECT entry_seq FROM postings WHERE account = %s)", (account_id,))

    def balance_at(self, account_id: str, at: datetime) -> int:
        """Debits - credits posted to ``account_id`` by entries at or before ``at`` (minor units)."""
        rows = self._rows(
            "SELECT p.minor, e.at FROM postings p JOIN entries e ON e.seq = p.entry_seq WHERE p.account = %s",
            (account_id,),
        )
        return sum_until(rows, at, account_id)

    def movements(self, accounts: Collection[str], after: datetime) -> tuple[tuple[str, datetime, int], ...]:
        """Postings to ``accounts`` by entries booked after ``after`` (from the index of entries by instant)."""
        rows = self._rows(
            "SELECT p.account, e.at, p.minor FROM entries e JOIN postings p ON p.entry_seq = e.seq "
            "WHERE e.at_us > %s ORDER BY e.seq, p.line",
            (due_columns(after)[0],),
        )
        return movements_from_rows(rows, accounts)

    def reversal_of(self, entry_id: str) -> str | None:
        """The id of the entry reversing ``entry_id``, or ``None``."""
        rows = self._rows("SELECT id FROM entries WHERE reverses = %s LIMIT 1", (entry_id,))
        return str(rows[0][0]) if rows else None

    def hold(self, hold_id: str) -> Hold | None:
        """The hold ``hold_id`` at its latest state, or ``None``."""
        lock = " FOR UPDATE" if self._in_tx else ""
        rows = self._rows(f"SELECT record FROM holds WHERE id = %s{lock}", (hold_id,))
        return hold_from_text(rows[0][0]) if rows else None

    def holds_by_id(self, hold_ids: Collection[str]) -> dict[str, Hold]:
        """The holds among ``hold_ids`` at their latest state, by id, in one round trip (ids not stored are left out).

        In a write transaction the rows stay locked until it ends, as :meth:`hold` locks its row.
        """
        ids = [hold_id for hold_id in dict.fromkeys(hold_ids) if not _unholdable(hold_id)]  # never stored
        if not ids:
            return {}
        lock = " FOR UPDATE" if self._in_tx else ""
        rows = self._rows(f"SELECT id, record FROM holds WHERE id = ANY(%s){lock}", (ids,))
        return {hold_id: hold_from_text(record) for hold_id, record in rows}

    def holds(self) -> tuple[Hold, ...]:
        """Every hold, in creation order."""
        return tuple(hold_from_text(row[0]) for row in self._rows("SELECT record FROM holds ORDER BY seq"))

    def hold_batches(self, size: int) -> Iterator[tuple[Hold, ...]]:
        """Every hold made when the iteration starts, in creation order, at most ``size`` hold numbers a read."""
        last = int(self._rows("SELECT coalesce(max(seq), 0) FROM holds")[0][0])
        for start in range(0, last, size):
            rows = self._rows(
                "SELECT record FROM holds WHERE seq > %s AND seq <= %s ORDER BY seq", (start, start + size)
            )
            yield tuple(hold_from_text(row[0]) for row in rows)

    def holds_due(self, until: datetime) -> tuple[Hold, ...]:
        """The pending holds expiring at or before ``until``, by expiry then creation (from an index)."""
        rows = self._rows(
            "SELECT record FROM holds WHERE status = 'pending' AND expires_us IS NOT NULL AND expires_us <= %s "
            "ORDER BY expires_us, seq",
            (due_columns(until)[0],),
        )
        return tuple(hold_from_text(row[0]) for row in rows)

    def counts(self) -> tuple[int, int, int]:
        """How many accounts, entries and holds are committed."""
        row = self._rows(
            "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM entries), (SELECT count(*) FROM holds)"
        )[0]
        return int(row[0]), int(row[1]), int(row[2])

    def check_indexes(self) -> None:
        """Nothing to check: PostgreSQL maintains the indexes the store reads through."""

    def document(self, kind: str, id: str) -> Document | None:
        """The stored document ``(kind, id)``, or ``None``.

        >>> from antfin.ledger.postgres import PostgresStore
        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.document("escrow", "T1") is None
        True
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        if _unholdable(kind) or _unholdable(id):
            return None  # text PostgreSQL cannot hold was never stored: nothing has it
        rows = self._reading(
            lambda conn: conn.execute(
                "SELECT version, status, due_at, body FROM documents WHERE kind = %s AND id = %s", (kind, id)
            ).fetchall()
        )
        if not rows:
            return None
        row = rows[0]
        due = None if row[2] is None else parse_due(row[2], kind, id)
        return Document(kind, id, int(row[0]), row[1], due, row[3])

    def document_ids(self, kind: str, status: Iterable[str] | None = None) -> tuple[str, ...]:
        """The ids of ``kind`` (with one of ``status``, if given), in id order, from the status index.

        >>> from antfin.ledger.postgres import PostgresStore
        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.document_ids("loan", ["ACTIVE"])
        ()
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        wanted = None if status is None else [one for one in status if not _unholdable(one)]
        if _unholdable(kind) or wanted == []:
            return ()  # text PostgreSQL cannot hold was never stored: nothing has it
        if wanted is None:
            rows = self._reading(
                lambda conn: conn.execute("SELECT id FROM documents WHERE kind = %s ORDER BY id", (kind,)).fetchall()
            )
        else:  # the status index leaves out archived records: a query states its condition to use it
            condition = "" if RECORD_STATUS in wanted else f" AND status <> '{RECORD_STATUS}'"
            rows = self._reading(
                lambda conn: conn.execute(
                    f"SELECT id FROM documents WHERE kind = %s AND status = ANY(%s){condition} ORDER BY id",
                    (kind, wanted),
                ).fetchall()
            )
        return tuple(row[0] for row in rows)

    def documents_due(self, kind: str, until: datetime) -> tuple[str, ...]:
        """The ids of ``kind`` due at or before ``until``, earliest first, from the due-time index.

        >>> from antfin.ledger.postgres import PostgresStore
        >>> from antfin.calendar import shanghai
        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.documents_due("escrow", shanghai(2024, 1, 1))
        ()
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        if _unholdable(kind):
            return ()
        limit, _ = due_columns(until)
        rows = self._reading(
            lambda conn: conn.execute(
                "SELECT id FROM documents WHERE kind = %s AND due_us IS NOT NULL AND due_us <= %s ORDER BY due_us, id",
                (kind, limit),
            ).fetchall()
        )
        return tuple(row[0] for row in rows)
