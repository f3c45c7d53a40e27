"""The SQLite store's file: its schema, and the migrations from older versions.

Part of :class:`~antfin.ledger.sqlite.SQLiteStore`, documented there.

A file is checked to be antfin's (or empty) before anything is written to
it; then it is created with the schema, or migrated from an older version in
one transaction.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Final

from antfin.errors import SchemaError, StoreError
from antfin.ledger.model import Hold, HoldStatus
from antfin.ledger.rows import due_columns

__all__ = ["APPLICATION_ID", "CHECKPOINT_PAGES", "SCHEMA_VERSION"]

#: Version of the on-disk schema this code reads and writes.
SCHEMA_VERSION: Final = 7

#: WAL pages written before SQLite copies them back into the database file (``PRAGMA wal_autocheckpoint``;
#: 64 MB of 4 KB pages, SQLite's default is 1,000). A page changed by several commits between two checkpoints
#: is copied back once: a day of the 2,000-user world dirties about 4,000 pages, many of them (index pages,
#: accounts' running totals) again the next day, and a checkpoint after each day wrote them all twice.
#: Measured at day 335: 0.79 s a day against 0.82-0.86 s; at day 15, 0.37 s either way.
CHECKPOINT_PAGES: Final = 16384

#: ``PRAGMA application_id`` of antfin's files: the bytes ``antf``.
APPLICATION_ID: Final = int.from_bytes(b"antf", "big")

# Migrations from each older schema version this code can upgrade, to the next one.
_MIGRATIONS: Final[dict[int, str]] = {
    2: """
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    due_us INTEGER,
    due_at TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS documents_due ON documents (kind, due_us) WHERE due_us IS NOT NULL;
CREATE INDEX IF NOT EXISTS documents_status ON documents (kind, status)
""",
    # 3 -> 4: the ledger reads on demand. Accounts keep their running totals; holds their
    # status and expiry for the index of pending expiries; postings are indexed by account
    # and reversals by the entry they reverse. (_fill_running_totals computes the new columns.)
    3: """
ALTER TABLE accounts ADD COLUMN debits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN credits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN debits_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN credits_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE holds ADD COLUMN expires_us INTEGER;
CREATE INDEX IF NOT EXISTS holds_due ON holds (expires_us, seq) WHERE status = 'pending' AND expires_us IS NOT NULL;
CREATE INDEX IF NOT EXISTS postings_account ON postings (account, entry_seq);
CREATE INDEX IF NOT EXISTS entries_reverses ON entries (reverses) WHERE reverses IS NOT NULL;
ALTER TABLE entries ADD COLUMN at_us INTEGER;
CREATE INDEX IF NOT EXISTS entries_at ON entries (at_us)
""",
    # 4 -> 5: an account's postings are found through a chain, not an index. Each posting keeps
    # the seq of the previous entry posting to its account, each account the seq of the last
    # one: a commit appends rows and updates the account rows it already updates, where an
    # index by account took a write in a page of its own for every posting (the cost of a
    # batched commit). The chains are filled from the old index before it is dropped.
    4: """
ALTER TABLE accounts ADD COLUMN last_entry INTEGER;
ALTER TABLE postings ADD COLUMN prev_entry INTEGER;
UPDATE postings SET prev_entry = (
    SELECT max(q.entry_seq) FROM postings q WHERE q.account = postings.account AND q.entry_seq < postings.entry_seq
);
UPDATE accounts SET last_entry = (SELECT max(entry_seq) FROM postings WHERE account = accounts.id);
DROP INDEX IF EXISTS postings_account
""",
    # 5 -> 6: documents in a rowid table, found through a unique index on (kind, id). In a WITHOUT
    # ROWID table the b-tree's cells are whole rows, dividers in interior pages included, and a
    # search compares a key with a cell only once it has read the cell's whole record: a lookup
    # that passed a large document (the fund's, the Zhaocaibao platform's) read all of its
    # overflow pages, megabytes at 100,000 users (a missed lookup took 780 µs there, a found one
    # 22 µs). The index's cells hold the key and a rowid; the bodies stay in the table's leaves.
    # The due and status indexes end with the id, so that the ids they answer for come from the
    # index alone, in order (without it, the planner walked every row of the kind to skip a sort).
    5: """
CREATE TABLE documents_v6 (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    due_us INTEGER,
    due_at TEXT,
    body TEXT NOT NULL,
    UNIQUE (kind, id)
);
INSERT INTO documents_v6 (kind, id, version, status, due_us, due_at, body)
SELECT kind, id, version, status, due_us, due_at, body FROM documents ORDER BY kind, id;
DROP TABLE documents;
ALTER TABLE documents_v6 RENAME TO documents;
CREATE INDEX IF NOT EXISTS documents_due ON documents (kind, due_us, id) WHERE due_us IS NOT NULL;
CREATE INDEX IF NOT EXISTS documents_status ON documents (kind, status, id)
""",
    # 6 -> 7: the status index leaves out archived records (status 'FINAL', RECORD_STATUS): they are written
    # once, read by id and never asked for by status, yet were four rows in five of the index at day 335 of
    # the 2,000-user world, and each new one wrote a page of it (a sixth of a day's pages).
    6: """
DROP INDEX IF EXISTS documents_status;
CREATE INDEX IF NOT EXISTS documents_status ON documents (kind, status, id) WHERE status <> 'FINAL'
""",
}

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commits (
    version INTEGER PRIMARY KEY,
    last_entry INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    non_negative INTEGER NOT NULL,
    owner TEXT,
    purpose TEXT NOT NULL,
    metadata TEXT NOT NULL,
    closed INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS accounts_version ON accounts (version);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    at TEXT NOT NULL,
    memo TEXT NOT NULL,
    metadata TEXT NOT NULL,
    reverses TEXT,
    hold_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS entries_hold_id ON entries (hold_id) WHERE hold_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS postings (
    entry_seq INTEGER NOT NULL REFERENCES entries (seq),
    line INTEGER NOT NULL,
    account TEXT NOT NULL,
    minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    PRIMARY KEY (entry_seq, line)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS holds (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS holds_version ON holds (version);
CREATE TABLE IF NOT EXISTS keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    hold TEXT,
    version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys_version ON keys (version);
CREATE TRIGGER IF NOT EXISTS keys_unique_across_entries BEFORE INSERT ON keys
WHEN EXISTS (SELECT 1 FROM entries WHERE key = NEW.key)
BEGIN SELECT RAISE(ABORT, 'idempotency key already used by a journal entry'); END;
"""


class _SQLiteSchema:
    """Opening a file: check that it is antfin's, create or migrate its schema."""

    path: str
    _conn: sqlite3.Connection

    def _open_schema(self, synchronous: str) -> None:
        """Check the file is antfin's (or empty) before writing anything; create or migrate its schema."""
        conn = self._conn
        try:
            conn.execute("BEGIN")  # a read transaction: nothing is written until the file is known
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = None
            if "meta" in tables:
                row = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
                version = None if row is None else str(row[0])
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            raise SchemaError(f"{self.path!r} is not an SQLite database antfin can read: {error}") from error
        if tables and version is None:
            shown = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
            raise SchemaError(
                f"{self.path!r} is not an antfin database (it has other tables: {shown}); nothing was written"
            )
        if (
            version is not None
            and version != str(SCHEMA_VERSION)
            and not (version.isdigit() and int(version) in _MIGRATIONS)
        ):
            raise SchemaError(
                f"{self.path!r} has ledger schema version {version}; this antfin reads version {SCHEMA_VERSION} "
                f"(and migrates {', '.join(str(v) for v in sorted(_MIGRATIONS))}); nothing was written"
            )
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={synchronous}")
            conn.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("BEGIN IMMEDIATE")
            try:
                if version is None:
                    self._create_schema()
                else:
                    self._migrate(int(version))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise StoreError(f"cannot prepare {self.path!r}: {error}") from error

    def _create_schema(self) -> None:
        for script in (_SCHEMA, *_MIGRATIONS.values()):
            for statement in script.split(";\n"):
                if statement.strip():
                    self._conn.execute(statement)
        self._conn.execute("INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _migrate(self, version: int) -> None:
        while version < SCHEMA_VERSION:
            for statement in _MIGRATIONS[version].split(";\n"):
                if statement.strip():
                    self._conn.execute(statement)
            if version == 3:
                self._fill_running_totals()
            version += 1
        self._conn.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (str(SCHEMA_VERSION),))
        self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _fill_running_totals(self) -> None:
        """Migration 3 -> 4: accounts' totals from postings and pending holds; holds' and entries' index columns."""
        conn = self._conn
        conn.execute(
            "UPDATE accounts SET "
            "debits = coalesce((SELECT sum(minor) FROM postings WHERE account = accounts.id AND minor > 0), 0), "
            "credits = coalesce((SELECT -sum(minor) FROM postings WHERE account = accounts.id AND minor < 0), 0)"
        )
        pending: dict[str, list[int]] = {}
        updates = []
        for hold_id, record in conn.execute("SELECT id, record FROM holds").fetchall():
            hold = Hold.from_record(json.loads(record))
            updates.append((hold.status.value, due_columns(hold.expires_at)[0], hold_id))
            if hold.status is HoldStatus.PENDING:
                minor = hold.amount.minor_units
                pending.setdefault(hold.debit, [0, 0])[0] += minor
                pending.setdefault(hold.credit, [0, 0])[1] += minor
        conn.executemany("UPDATE holds SET status = ?, expires_us = ? WHERE id = ?", updates)
        conn.executemany(
            "UPDATE accounts SET debits_pending = ?, credits_pending = ? WHERE id = ?",
            [(debits, credits, account_id) for account_id, (debits, credits) in pending.items()],
        )
        instants = conn.execute("SELECT seq, at FROM entries").fetchall()
        conn.executemany(
            "UPDATE entries SET at_us = ? WHERE seq = ?",
            [(due_columns(datetime.fromisoformat(at))[0], seq) for seq, at in instants],
        )
