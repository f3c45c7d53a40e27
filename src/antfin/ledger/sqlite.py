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
from datetime import datetime

from antfin.errors import (
    ConcurrencyError,
    InvalidAmountError,
    InvariantViolationError,
    SerializationError,
    StoreError,
)
from antfin.ledger.model import _EMPTY_METADATA, JournalEntry
from antfin.ledger.rows import ENTRY_COLUMNS, due_columns, metadata_text, split_keys
from antfin.ledger.sqlite_reads import _SQLiteReads
from antfin.ledger.sqlite_schema import SCHEMA_VERSION, _SQLiteSchema
from antfin.ledger.store import ChangeSet, Document

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]


class SQLiteStore(_SQLiteReads, _SQLiteSchema):
    """Keep the ledger in an SQLite file (or ``":memory:"``).

    >>> store = SQLiteStore(":memory:")
    >>> store.load().accounts
    ()
    >>> store.close()

    The schema (version 7): ``meta`` (``schema_version``), ``commits`` (one
    row per commit: the version), ``accounts`` (with their running totals:
    debits, credits, pending debits and pending credits in minor units, and
    the seq of the last entry posting to the account), ``entries`` with their
    ``postings`` (one row per posting, in minor units, each with the seq of
    the previous entry posting to its account: an account's postings are a
    chain read back from the account, so a commit only appends), ``holds``
    (latest state as JSON, with the status and expiry indexed for expiring),
    ``keys`` (idempotency keys of hold operations; an entry's key and
    fingerprint are on its row) and ``documents`` (the books' aggregates:
    kind, id, version, status, due time and a JSON body, in a rowid table
    with a unique index on kind and id, indexed by due time and, but for
    archived records, by status). Keys are unique across both tables. A
    file of version 2 to 6 is migrated on opening (the running totals
    computed from the postings and pending holds, the chains from the
    postings, the documents moved out of schema 5's ``WITHOUT ROWID`` table,
    the archived records out of the status index); a file that is not
    antfin's (``PRAGMA application_id`` is ``antf``) or of another version is
    refused before anything is written.

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

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file.

        >>> SQLiteStore(":memory:").schema_version
        7

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

    # -- transactions and writes -------------------------------------------------------

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
        tails = self._tails  # (checked against the file's version by _write)
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
        # The chain ends this store kept hold while no other writer committed since its last commit
        # (every commit, with entries or not, must check: a commit vouches for them on success).
        if self._tails_version != version:
            self._tails.clear()
        self._tails_version = -1  # until this commit is in: a failed one leaves the cache unknown
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
        fingerprints, other_keys = split_keys(changes.keys)
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

    def close(self) -> None:
        """Close the database connection (rolling back a transaction left open).

        >>> SQLiteStore(":memory:").close()

        .. versionadded:: 0.1.0
        """
        with self._lock:
            if self._in_tx:
                self._end("ROLLBACK")
            self._conn.close()
