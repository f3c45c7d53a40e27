"""A durable :class:`SQLiteStore` for the ledger, on the standard library's sqlite3.

WAL journal, one transaction per committed operation or atomic batch, keys
unique in the database, a versioned schema. Reopening the file gives back the
same accounts, entries, holds and keys.

>>> import tempfile, os
>>> from antfin import CNY
>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger, SQLiteStore
>>> path = os.path.join(tempfile.mkdtemp(), "ledger.db")
>>> ledger = Ledger(SQLiteStore(path))
>>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
>>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("t1", debit="asset:bank", credit="wallet:a", amount=CNY("8.80"), at=shanghai(2024, 1, 1))
>>> ledger.close()
>>> Ledger(SQLiteStore(path)).balance("wallet:a")
Money('8.80', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import datetime
from typing import Any, Final

from antfin.errors import AntfinError, InvariantViolationError
from antfin.ledger.model import Hold, JournalEntry, LedgerAccount, Posting
from antfin.ledger.store import ChangeSet, KeyRecord, StoreState
from antfin.money import Currency, Money

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

#: Version of the on-disk schema this code reads and writes.
SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    non_negative INTEGER NOT NULL,
    owner TEXT,
    purpose TEXT NOT NULL,
    metadata TEXT NOT NULL,
    closed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    memo TEXT NOT NULL,
    metadata TEXT NOT NULL,
    reverses TEXT,
    hold_id TEXT UNIQUE,
    postings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS holds (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    hold TEXT
);
"""


class SQLiteStore:
    """Keep the ledger in an SQLite file (or ``":memory:"``).

    >>> store = SQLiteStore(":memory:")
    >>> store.load().accounts
    ()
    >>> store.close()

    Args:
        path: the database file; created with the schema if new.
        synchronous: SQLite's ``synchronous`` setting. ``"NORMAL"`` (default)
            with WAL survives a crash of the process at any point; ``"FULL"``
            also survives power loss, at the cost of an fsync per commit.

    Raises:
        antfin.errors.AntfinError: the file holds a newer or unknown schema.

    .. versionadded:: 0.1.0
    """

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, got {synchronous!r}")
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
        self._conn.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            row = self._conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
            if row is None:
                self._conn.execute(
                    "INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(row[0]) != SCHEMA_VERSION:
                self._conn.execute("ROLLBACK")
                raise AntfinError(
                    f"{self.path} has ledger schema version {row[0]}; this antfin reads version {SCHEMA_VERSION}"
                )
            self._conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file.

        >>> SQLiteStore(":memory:").schema_version
        1
        """
        row = self._conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        return int(row[0])

    def load(self) -> StoreState:
        """Read everything committed, in commit order.

        >>> SQLiteStore(":memory:").load().entries
        ()
        """
        with self._lock:
            conn = self._conn
            accounts = tuple(
                LedgerAccount(
                    row[0],
                    row[1],
                    row[2],
                    non_negative=bool(row[3]),
                    owner=row[4],
                    purpose=row[5],
                    metadata=json.loads(row[6]),
                    closed=bool(row[7]),
                )
                for row in conn.execute(
                    "SELECT id, kind, currency, non_negative, owner, purpose, metadata, closed "
                    "FROM accounts ORDER BY seq"
                )
            )
            entries = tuple(
                _entry_from_row(row)
                for row in conn.execute(
                    "SELECT id, key, at, memo, metadata, reverses, hold_id, postings FROM entries ORDER BY seq"
                )
            )
            holds = tuple(
                Hold.from_record(json.loads(row[0])) for row in conn.execute("SELECT record FROM holds ORDER BY seq")
            )
            keys = tuple(
                KeyRecord(
                    row[0], row[1], row[2], row[3], None if row[4] is None else Hold.from_record(json.loads(row[4]))
                )
                for row in conn.execute("SELECT key, fingerprint, kind, ref, hold FROM keys")
            )
        return StoreState(accounts, entries, holds, keys)

    def commit(self, changes: ChangeSet) -> None:
        """Write ``changes`` in one transaction: all of it or none.

        >>> from antfin.ledger.store import ChangeSet
        >>> SQLiteStore(":memory:").commit(ChangeSet())

        Raises:
            sqlite3.Error: the database refused the write (nothing is kept).
        """
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if changes.accounts:
                    conn.executemany(
                        "INSERT INTO accounts (id, kind, currency, non_negative, owner, purpose, metadata, closed) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET closed = excluded.closed",
                        [
                            (
                                account.id,
                                account.kind.value,
                                account.currency.code,
                                int(account.non_negative),
                                account.owner,
                                account.purpose,
                                json.dumps(dict(account.metadata), ensure_ascii=False, sort_keys=True),
                                int(account.closed),
                            )
                            for account in changes.accounts
                        ],
                    )
                if changes.entries:
                    conn.executemany(
                        "INSERT INTO entries (id, key, at, memo, metadata, reverses, hold_id, postings) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [_entry_to_row(entry) for entry in changes.entries],
                    )
                if changes.holds:
                    conn.executemany(
                        "INSERT INTO holds (id, record) VALUES (?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET record = excluded.record",
                        [(hold.id, json.dumps(hold.to_record(), ensure_ascii=False)) for hold in changes.holds],
                    )
                if changes.keys:
                    conn.executemany(
                        "INSERT INTO keys (key, fingerprint, kind, ref, hold) VALUES (?, ?, ?, ?, ?)",
                        [
                            (
                                record.key,
                                record.fingerprint,
                                record.kind,
                                record.ref,
                                None
                                if record.hold is None
                                else json.dumps(record.hold.to_record(), ensure_ascii=False),
                            )
                            for record in changes.keys
                        ],
                    )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the database connection.

        >>> SQLiteStore(":memory:").close()
        """
        with self._lock:
            self._conn.close()


def _entry_to_row(entry: JournalEntry) -> tuple[Any, ...]:
    postings = [
        [posting.account, posting.amount.minor_units, posting.amount.currency.code] for posting in entry.postings
    ]
    return (
        entry.id,
        entry.key,
        entry.at.isoformat(),
        entry.memo,
        json.dumps(dict(entry.metadata), ensure_ascii=False, sort_keys=True),
        entry.reverses,
        entry.hold_id,
        json.dumps(postings, ensure_ascii=False),
    )


def _entry_from_row(row: tuple[Any, ...]) -> JournalEntry:
    try:
        postings = tuple(
            Posting(account, Money.from_minor_units(minor, Currency.of(code)))
            for account, minor, code in json.loads(row[7])
        )
    except (ValueError, TypeError) as error:
        raise InvariantViolationError(f"entry {row[0]!r} has unreadable postings: {error}") from None
    return JournalEntry(
        row[0],
        row[1],
        datetime.fromisoformat(row[2]),
        postings,
        row[3],
        json.loads(row[4]),
        row[5],
        row[6],
    )
