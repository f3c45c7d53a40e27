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

Several ledgers, in threads or processes, may open the same file, each with its
own ``SQLiteStore``: every write runs in ``BEGIN IMMEDIATE`` (the database's
single write lock); a ledger that finds the file moved since its last write
(the ``commits`` table says) drops its cached accounts and reads them again,
so no commit is lost and no idempotency key is applied twice. One
``SQLiteStore`` object may also be shared by threads: its own lock serialises them.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, Final

from antfin.errors import (
    ConcurrencyError,
    InvalidAmountError,
    InvariantViolationError,
    SchemaError,
    SerializationError,
    StoreError,
)
from antfin.ledger.model import (
    _EMPTY_METADATA,
    Hold,
    HoldStatus,
    JournalEntry,
    Posting,
    _make_posting,
)
from antfin.ledger.rows import (
    ENTRY_COLUMNS,
    account_from_row,
    due_columns,
    entry_from_row,
    hold_from_text,
    key_from_row,
    metadata_text,
    movements_from_rows,
    parse_due,
    sum_until,
)
from antfin.ledger.store import AccountRow, ChangeSet, Document, KeyRecord, StoreState
from antfin.money import Currency, Money

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

#: Version of the on-disk schema this code reads and writes.
SCHEMA_VERSION: Final = 5

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
}

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

_ACCOUNT_COLUMNS: Final = (
    "id, kind, currency, non_negative, owner, purpose, metadata, closed, "
    "debits, credits, debits_pending, credits_pending"
)

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


class SQLiteStore:
    """Keep the ledger in an SQLite file (or ``":memory:"``).

    >>> store = SQLiteStore(":memory:")
    >>> store.load().accounts
    ()
    >>> store.close()

    The schema (version 5): ``meta`` (``schema_version``), ``commits`` (one
    row per commit: the version), ``accounts`` (with their running totals:
    debits, credits, pending debits and pending credits in minor units, and
    the seq of the last entry posting to the account), ``entries`` with their
    ``postings`` (one row per posting, in minor units, each with the seq of
    the previous entry posting to its account: an account's postings are a
    chain read back from the account, so a commit only appends), ``holds``
    (latest state as JSON, with the status and expiry indexed for expiring),
    ``keys`` (idempotency keys of hold operations; an entry's key and
    fingerprint are on its row) and ``documents`` (the books' aggregates:
    kind, id, version, status, due time and a JSON body, indexed by status
    and due time). Keys are unique across both tables. A file of version 2,
    3 or 4 is migrated on opening (the running totals computed from the
    postings and pending holds, the chains from the postings); a file that
    is not antfin's (``PRAGMA application_id`` is
    ``antf``) or of another version is refused before anything is written.

    Args:
        path: the database file; created with the schema if new.
        synchronous: SQLite's ``synchronous`` setting. ``"NORMAL"`` (default)
            with WAL survives a crash of the process at any point; ``"FULL"``
            also survives power loss, at the cost of an fsync per commit.
        timeout: seconds to wait for another writer's lock before failing.

    Raises:
        antfin.errors.SchemaError: the file is not an SQLite database, not antfin's (it has
            tables of another program), or of a schema version this antfin neither reads nor
            migrates; nothing is written to it.
        antfin.errors.StoreError: the file cannot be opened or created (a missing folder, no
            permission).
        ValueError: an unknown ``synchronous`` setting.

    .. versionadded:: 0.1.0
    """

    # ``timeout`` is sqlite3's lock wait in seconds (a duration, not money), hence a float.
    def __init__(  # timeout: seconds to wait for the write lock, not money
        self, path: str | os.PathLike[str], *, synchronous: str = "NORMAL", timeout: float = 30.0
    ) -> None:
        if not isinstance(synchronous, str) or synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, got {synchronous!r}")
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._in_tx = False
        self._head = (0, 0)
        self._currencies: dict[str, Currency] = {}
        # The end of each account's chain (the last entry posting to it) as this store last wrote
        # it, valid while the file is at version ``_tails_version`` (no other writer since).
        self._tails: dict[str, int | None] = {}
        self._tails_version = -1
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=timeout)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {self.path!r}: {error}") from error
        try:
            with self._lock:
                self._open_schema(synchronous.upper())
        except BaseException:
            self._conn.close()
            raise

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

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file.

        >>> SQLiteStore(":memory:").schema_version
        5

        .. versionadded:: 0.1.0
        """
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        return int(row[0])

    @property
    def version(self) -> int:
        """The number of commits made to the file so far (by any ledger).

        >>> SQLiteStore(":memory:").version
        0

        .. versionadded:: 0.1.0
        """
        with self._lock:
            return self._read_head()[0]

    def _read_head(self) -> tuple[int, int]:
        """The last commit's version and the seq of the last entry it left (0, 0 when empty)."""
        row = self._conn.execute("SELECT version, last_entry FROM commits ORDER BY version DESC LIMIT 1").fetchone()
        return (0, 0) if row is None else (row[0], row[1])

    def _currency(self, code: str) -> Currency:
        currency = self._currencies.get(code)
        if currency is None:
            currency = self._currencies[code] = Currency.of(code)
        return currency

    # -- reading ------------------------------------------------------------------

    def load(self) -> StoreState:
        """Read everything committed, in commit order, as one consistent snapshot (an export).

        The ledger never calls it: it reads what it needs, one row at a time.

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
        accounts = tuple(
            account_from_row(row)[0]
            for row in conn.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE version > ? ORDER BY seq", (since,))
        )
        entry_rows = conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM entries WHERE seq > "
            "(SELECT coalesce(max(last_entry), 0) FROM commits WHERE version <= ?) ORDER BY seq",
            (since,),
        ).fetchall()
        entries: list[JournalEntry] = []
        keys: list[KeyRecord] = []
        if entry_rows:
            lines: dict[int, list[Posting]] = {}
            for seq, account, minor, code in conn.execute(
                "SELECT entry_seq, account, minor, currency FROM postings WHERE entry_seq >= ? "
                "ORDER BY entry_seq, line",
                (entry_rows[0][0],),
            ):
                posting = _make_posting(account, Money._from_minor(minor, self._currency(code)))
                found = lines.get(seq)
                if found is None:
                    lines[seq] = [posting]
                else:
                    found.append(posting)
            for row in entry_rows:
                entry = entry_from_row(row, lines.get(row[0], ()))
                entries.append(entry)
                if row[3]:
                    keys.append(KeyRecord(entry.key, row[3], "entry", entry.id))
        holds = tuple(
            Hold.from_record(json.loads(row[0]))
            for row in conn.execute("SELECT record FROM holds WHERE version > ? ORDER BY seq", (since,))
        )
        keys.extend(
            KeyRecord(row[0], row[1], row[2], row[3], None if row[4] is None else Hold.from_record(json.loads(row[4])))
            for row in conn.execute("SELECT key, fingerprint, kind, ref, hold FROM keys WHERE version > ?", (since,))
        )
        return StoreState(accounts, tuple(entries), holds, tuple(keys), current)

    # -- reads for the ledger (one row, or one account's rows, at a time) ---------------

    def _rows(self, query: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(query, params).fetchall()
            except sqlite3.Error as error:
                raise StoreError(f"{self.path!r} failed a read: {error}") from error

    def account(self, account_id: str) -> AccountRow | None:
        """The account with its running totals (checked as it is read), or ``None``.

        >>> SQLiteStore(":memory:").account("asset:bank") is None
        True

        Raises:
            antfin.errors.SchemaError: a row of the wrong types, an unknown kind or currency.

        .. versionadded:: 0.2.0
        """
        rows = self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,))
        return account_from_row(rows[0]) if rows else None

    def accounts(self) -> tuple[AccountRow, ...]:
        """Every account with its running totals, in opening order.

        >>> SQLiteStore(":memory:").accounts()
        ()

        .. versionadded:: 0.2.0
        """
        return tuple(
            account_from_row(row) for row in self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY seq")
        )

    def key(self, key: str) -> KeyRecord | None:
        """What ``key`` did (from the entries' unique key, or the keys table), or ``None``.

        >>> SQLiteStore(":memory:").key("k") is None
        True

        .. versionadded:: 0.2.0
        """
        # The hot read of every write (a key is looked up before it is used): one statement, no list.
        with self._lock:
            try:
                row = self._conn.execute(_KEY_QUERY, (key, key)).fetchone()
            except sqlite3.Error as error:
                raise StoreError(f"{self.path!r} failed a read: {error}") from error
        return None if row is None else key_from_row(row)

    def _entries_where(self, condition: str, params: tuple[Any, ...]) -> tuple[JournalEntry, ...]:
        with self._lock:
            rows = self._rows(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE {condition} ORDER BY seq", params)
            if not rows:
                return ()
            lines: dict[int, list[Posting]] = {}
            postings = self._rows(
                f"SELECT entry_seq, account, minor, currency FROM postings WHERE entry_seq IN "
                f"(SELECT seq FROM entries WHERE {condition}) ORDER BY entry_seq, line",
                params,
            )
        for seq, account, minor, code in postings:
            lines.setdefault(seq, []).append(_make_posting(account, Money._from_minor(minor, self._currency(code))))
        return tuple(entry_from_row(row, lines.get(row[0], ())) for row in rows)

    def entry(self, entry_id: str) -> JournalEntry | None:
        """The entry ``entry_id``, or ``None``.

        >>> SQLiteStore(":memory:").entry("E1") is None
        True

        .. versionadded:: 0.2.0
        """
        found = self._entries_where("id = ?", (entry_id,))
        return found[0] if found else None

    def entries(self) -> tuple[JournalEntry, ...]:
        """Every entry, in posting order.

        >>> SQLiteStore(":memory:").entries()
        ()

        .. versionadded:: 0.2.0
        """
        return self._entries_where("1 = 1", ())

    def entry_count(self) -> int:
        """How many entries are committed (the seq of the last one).

        >>> SQLiteStore(":memory:").entry_count()
        0

        .. versionadded:: 0.2.0
        """
        return int(self._rows("SELECT coalesce(max(seq), 0) FROM entries")[0][0])

    def history(self, account_id: str) -> tuple[JournalEntry, ...]:
        """The entries posting to ``account_id``, in posting order (read back along the account's chain).

        >>> SQLiteStore(":memory:").history("asset:bank")
        ()

        .. versionadded:: 0.2.0
        """
        return self._entries_where(f"seq IN ({_CHAIN})", (account_id,))

    def balance_at(self, account_id: str, at: datetime) -> int:
        """Debits - credits posted to ``account_id`` by entries at or before ``at`` (minor units).

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

        >>> SQLiteStore(":memory:").reversal_of("E1") is None
        True

        .. versionadded:: 0.2.0
        """
        rows = self._rows("SELECT id FROM entries WHERE reverses = ? LIMIT 1", (entry_id,))
        return str(rows[0][0]) if rows else None

    def hold(self, hold_id: str) -> Hold | None:
        """The hold ``hold_id`` at its latest state, or ``None``.

        >>> SQLiteStore(":memory:").hold("h") is None
        True

        .. versionadded:: 0.2.0
        """
        rows = self._rows("SELECT record FROM holds WHERE id = ?", (hold_id,))
        return hold_from_text(rows[0][0]) if rows else None

    def holds(self) -> tuple[Hold, ...]:
        """Every hold, in creation order.

        >>> SQLiteStore(":memory:").holds()
        ()

        .. versionadded:: 0.2.0
        """
        return tuple(hold_from_text(row[0]) for row in self._rows("SELECT record FROM holds ORDER BY seq"))

    def holds_due(self, until: datetime) -> tuple[Hold, ...]:
        """The pending holds expiring at or before ``until``, by expiry then creation (from an index).

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

        >>> SQLiteStore(":memory:").counts()
        (0, 0, 0)

        .. versionadded:: 0.2.0
        """
        row = self._rows(
            "SELECT (SELECT count(*) FROM accounts), (SELECT coalesce(max(seq), 0) FROM entries), "
            "(SELECT count(*) FROM holds)"
        )[0]
        return int(row[0]), int(row[1]), int(row[2])

    # -- writing ------------------------------------------------------------------

    def begin(self) -> int:
        """Take the write lock (``BEGIN IMMEDIATE``) and return the committed version.

        The next :meth:`commit` or :meth:`rollback` ends the transaction and
        releases the lock; the ledger calls these, you rarely need to.

        >>> store = SQLiteStore(":memory:")
        >>> store.begin()
        0
        >>> store.rollback()

        Raises:
            antfin.errors.StoreError: another writer held the lock longer than ``timeout``,
                or the database failed.

        .. versionadded:: 0.1.0
        """
        self._lock.acquire()
        try:
            if self._in_tx:
                raise InvariantViolationError("SQLiteStore.begin() called inside an open transaction")
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self._lock.release()
            raise StoreError(f"cannot start a write on {self.path!r}: {error}") from error
        except BaseException:
            self._lock.release()
            raise
        self._in_tx = True
        try:
            self._head = self._read_head()
        except BaseException:
            self._end("ROLLBACK")
            raise
        return self._head[0]

    def rollback(self) -> None:
        """End the transaction opened by :meth:`begin` without writing.

        >>> SQLiteStore(":memory:").rollback()  # nothing open: nothing to do

        .. versionadded:: 0.1.0
        """
        with self._lock:
            if self._in_tx:
                self._end("ROLLBACK")

    def _end(self, statement: str) -> None:
        # Ends the transaction of begin() and releases the lock begin() kept.
        try:
            self._conn.execute(statement)
        finally:
            self._in_tx = False
            self._lock.release()

    def commit(self, changes: ChangeSet) -> None:
        """Write ``changes`` in one transaction (the one :meth:`begin` opened, if any): all or none.

        >>> from antfin.ledger.store import ChangeSet
        >>> store = SQLiteStore(":memory:")
        >>> store.commit(ChangeSet())
        >>> store.version
        1

        Raises:
            antfin.errors.StoreError: the database refused the write (nothing is kept).
            antfin.errors.ConcurrencyError: a document changed since it was read.

        .. versionadded:: 0.1.0
        """
        with self._lock:
            if not self._in_tx:
                self._conn.execute("BEGIN IMMEDIATE")
                self._in_tx = True
                self._lock.acquire()  # released by _end, as if begin() had taken it
                try:
                    self._head = self._read_head()
                except BaseException:
                    self._end("ROLLBACK")
                    raise
            try:
                self._write(changes)
            except sqlite3.Error as error:
                self._end("ROLLBACK")
                raise StoreError(f"{self.path!r} refused the commit, nothing was written: {error}") from error
            except UnicodeEncodeError as error:  # typed, as on PostgreSQL
                self._end("ROLLBACK")
                raise SerializationError(
                    f"text {error.object[error.start : error.end + 8]!r}… is not valid Unicode (it contains a lone "
                    "surrogate) and cannot be stored; nothing was written"
                ) from None
            except OverflowError as error:
                self._end("ROLLBACK")
                raise InvalidAmountError(
                    f"an amount is beyond what the database stores (a 64-bit integer of minor units): {error}; "
                    "nothing was written"
                ) from None
            except BaseException:
                self._end("ROLLBACK")
                raise
            try:
                self._end("COMMIT")
            except sqlite3.Error as error:
                raise StoreError(f"{self.path!r} could not commit, nothing was written: {error}") from error
            self._tails_version = self._head[0] + 1  # the chain ends this store wrote are the file's

    def _chain_tails(self, entries: tuple[JournalEntry, ...]) -> dict[str, int | None]:
        """The last entry posting to each account of ``entries`` (``None``: none yet), as committed.

        Kept from this store's own commits while no other writer commits in
        between (the version says); read from the accounts otherwise.
        """
        tails = self._tails
        if self._tails_version != self._head[0]:
            tails.clear()
        self._tails_version = -1  # until this commit is in: a failed one leaves the cache unknown
        missing = {p.account for entry in entries for p in entry.postings if p.account not in tails}
        if missing:
            wanted = list(missing)
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for account_id, last in self._conn.execute(
                    f"SELECT id, last_entry FROM accounts WHERE id IN ({marks})", chunk
                ):
                    tails[account_id] = last
            for account_id in missing:
                tails.setdefault(account_id, None)
        return tails

    def _write_entries(
        self, entries: tuple[JournalEntry, ...], fingerprints: dict[str, str], last_entry: int, moved: dict[str, int]
    ) -> int:
        """Insert ``entries`` after entry ``last_entry``, their postings on their accounts' chains.

        Returns how many of them carry their key's fingerprint; ``moved`` gets each
        account's new chain end.
        """
        conn = self._conn
        stored = 0
        rows = []
        lines = []
        tails = self._chain_tails(entries)
        seq = last_entry + 1
        last_at: datetime | None = None
        stamp = ""
        micros: int | None = None
        for entry in entries:
            if entry.at is not last_at:  # a batch often books many entries at one instant
                last_at = entry.at
                micros, text = due_columns(last_at)
                stamp = text or ""
            fingerprint = fingerprints.get(entry.id)
            if fingerprint is None:
                fingerprint = ""
            else:
                stored += 1
            rows.append(
                (
                    seq,
                    entry.id,
                    entry.key,
                    fingerprint,
                    stamp,
                    entry.memo,
                    "{}" if entry.metadata is _EMPTY_METADATA else metadata_text(entry.metadata),
                    entry.reverses,
                    entry.hold_id,
                    micros,
                )
            )
            postings = entry.postings
            for line, posting in enumerate(postings):
                amount = posting.amount
                account = posting.account
                lines.append((seq, line, account, amount._minor, amount._currency.code, tails[account]))
            for posting in postings:  # after every line: two lines on one account share their pointer
                tails[posting.account] = seq
                moved[posting.account] = seq
            seq += 1
        conn.executemany(f"INSERT INTO entries ({ENTRY_COLUMNS}, at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany(
            "INSERT INTO postings (entry_seq, line, account, minor, currency, prev_entry) VALUES (?, ?, ?, ?, ?, ?)",
            lines,
        )
        return stored

    def _write(self, changes: ChangeSet) -> None:
        conn = self._conn
        version, last_entry = self._head
        version += 1
        if changes.accounts:
            conn.executemany(
                "INSERT INTO accounts (id, kind, currency, non_negative, owner, purpose, metadata, closed, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET closed = excluded.closed, version = excluded.version",
                [
                    (
                        account.id,
                        account.kind.value,
                        account.currency.code,
                        int(account.non_negative),
                        account.owner,
                        account.purpose,
                        metadata_text(account.metadata),
                        int(account.closed),
                        version,
                    )
                    for account in changes.accounts
                ],
            )
        # An entry's key and fingerprint are stored on its row; other keys (holds, voids) in ``keys``.
        moved: dict[str, int] = {}  # the accounts whose chain this commit extends, and its new end
        fingerprints: dict[str, str] = {}
        other_keys: list[KeyRecord] = []
        for record in changes.keys:
            if record.kind == "entry" and record.ref not in fingerprints:
                fingerprints[record.ref] = record.fingerprint
            else:
                other_keys.append(record)
        if changes.entries:
            stored = self._write_entries(changes.entries, fingerprints, last_entry, moved)
            last_entry += len(changes.entries)
            if stored != len(fingerprints):  # an entry key whose entry is not in this commit
                written = {entry.id for entry in changes.entries}
                other_keys = [r for r in changes.keys if r.kind != "entry" or r.ref not in written]
        elif fingerprints:  # entry keys without their entries: keep them in ``keys``
            other_keys = list(changes.keys)
        if changes.holds:
            conn.executemany(
                "INSERT INTO holds (id, record, version, status, expires_us) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET record = excluded.record, version = excluded.version, "
                "status = excluded.status, expires_us = excluded.expires_us",
                [
                    (
                        hold.id,
                        json.dumps(hold.to_record(), ensure_ascii=False),
                        version,
                        hold.status.value,
                        due_columns(hold.expires_at)[0],
                    )
                    for hold in changes.holds
                ],
            )
        if changes.totals:  # with the end of the account's chain, if it moved
            conn.executemany(
                "UPDATE accounts SET debits = ?, credits = ?, debits_pending = ?, credits_pending = ?, "
                "last_entry = coalesce(?, last_entry) WHERE id = ?",
                [(*totals[1:], moved.pop(totals[0], None), totals[0]) for totals in changes.totals],
            )
        if moved:  # (the ledger sends the totals of every account it posts to: this is for other callers)
            conn.executemany("UPDATE accounts SET last_entry = ? WHERE id = ?", [(s, a) for a, s in moved.items()])
        if other_keys:
            conn.executemany(
                "INSERT INTO keys (key, fingerprint, kind, ref, hold, version) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        record.key,
                        record.fingerprint,
                        record.kind,
                        record.ref,
                        None if record.hold is None else json.dumps(record.hold.to_record(), ensure_ascii=False),
                        version,
                    )
                    for record in other_keys
                ],
            )
        if changes.documents:
            self._write_documents(changes.documents)
        conn.execute("INSERT INTO commits (version, last_entry) VALUES (?, ?)", (version, last_entry))

    def _write_documents(self, documents: tuple[Document, ...]) -> None:
        conn = self._conn
        for document in documents:
            due_us, due_at = due_columns(document.due_at)
            if document.version == 1:
                cursor = conn.execute(
                    "INSERT INTO documents (kind, id, version, status, due_us, due_at, body) "
                    "VALUES (?, ?, 1, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING",
                    (document.kind, document.id, document.status, due_us, due_at, document.body),
                )
            else:
                cursor = conn.execute(
                    "UPDATE documents SET version = ?, status = ?, due_us = ?, due_at = ?, body = ? "
                    "WHERE kind = ? AND id = ? AND version = ?",
                    (
                        document.version,
                        document.status,
                        due_us,
                        due_at,
                        document.body,
                        document.kind,
                        document.id,
                        document.version - 1,
                    ),
                )
            if cursor.rowcount != 1:
                raise ConcurrencyError(
                    f"{document.kind} {document.id!r} changed underneath this transaction "
                    f"(it expected version {document.version - 1}); nothing was written"
                )

    # -- the books' documents -------------------------------------------------------

    def document(self, kind: str, id: str) -> Document | None:
        """The stored document ``(kind, id)``, or ``None``.

        >>> SQLiteStore(":memory:").document("escrow", "T1") is None
        True

        .. versionadded:: 0.2.0
        """
        with self._lock:
            row = self._conn.execute(
                "SELECT version, status, due_at, body FROM documents WHERE kind = ? AND id = ?", (kind, id)
            ).fetchone()
        if row is None:
            return None
        due = None if row[2] is None else parse_due(row[2], kind, id)
        return Document(kind, id, row[0], row[1], due, row[3])

    def document_ids(self, kind: str, status: Iterable[str] | None = None) -> tuple[str, ...]:
        """The ids of ``kind`` (with one of ``status``, if given), in id order, from the status index.

        >>> SQLiteStore(":memory:").document_ids("loan", ["ACTIVE"])
        ()

        .. versionadded:: 0.2.0
        """
        with self._lock:
            if status is None:
                rows = self._conn.execute("SELECT id FROM documents WHERE kind = ? ORDER BY id", (kind,))
            else:
                wanted = tuple(status)
                marks = ", ".join("?" * len(wanted))
                rows = self._conn.execute(
                    f"SELECT id FROM documents WHERE kind = ? AND status IN ({marks}) ORDER BY id", (kind, *wanted)
                )
            return tuple(row[0] for row in rows)

    def documents_due(self, kind: str, until: datetime) -> tuple[str, ...]:
        """The ids of ``kind`` due at or before ``until``, earliest first, from the due-time index.

        >>> from antfin.calendar import shanghai
        >>> SQLiteStore(":memory:").documents_due("escrow", shanghai(2024, 1, 1))
        ()

        .. versionadded:: 0.2.0
        """
        limit, _ = due_columns(until)
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM documents WHERE kind = ? AND due_us IS NOT NULL AND due_us <= ? ORDER BY due_us, id",
                (kind, limit),
            )
            return tuple(row[0] for row in rows)

    def close(self) -> None:
        """Close the database connection (rolling back a transaction left open).

        >>> SQLiteStore(":memory:").close()

        .. versionadded:: 0.1.0
        """
        with self._lock:
            if self._in_tx:
                self._end("ROLLBACK")
            self._conn.close()
