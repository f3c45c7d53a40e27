"""A :class:`PostgresStore` for the ledger and the books, on psycopg 3 (the ``postgres`` extra).

The same tables as :class:`~antfin.ledger.sqlite.SQLiteStore` (accounts, entries
with their postings in minor units, holds, idempotency keys, the books'
documents), in one PostgreSQL schema, with a schema version table
(``antfin_schema``) and numbered migrations. A schema that holds other tables
and no ``antfin_schema`` is refused before anything is written.

Concurrency is done with row locks (issue 15), at ``READ COMMITTED``: a write
transaction locks only the rows it touches. The ledger reads each account it
uses in the transaction with ``SELECT … FOR UPDATE`` (fresh running totals,
held until the commit), and each hold it resolves the same way; entries are
numbered from a sequence and commits tagged from another, so no global row is
updated and writers on disjoint accounts never wait for each other.
Idempotency keys, entries' keys, held postings and reversals are ``UNIQUE``:
when two transactions race for one, the loser is rolled back and the ledger
retries a single call (it then finds the winner's result); deadlocks are
retried the same way; inside an atomic block they raise
:class:`~antfin.errors.ConcurrencyError`. The ledger drops its cached accounts at
the start of every transaction on this store.
A connection that is lost between transactions (a restarted server, a killed
backend) is reopened on the next one; a connection lost inside a transaction
raises :class:`~antfin.errors.StoreError` and nothing of that transaction is kept.

psycopg is imported when a store is created, never by ``import antfin``.
(In these examples ``pg_url`` is a server such as ``postgresql://postgres@127.0.0.1:5432/test``
and ``pg_schema`` a schema name of the example's own.)

>>> from antfin import CNY
>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> ledger = Ledger(PostgresStore(pg_url, schema=pg_schema))
>>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
>>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("t1", debit="asset:bank", credit="wallet:a", amount=CNY("8.80"), at=shanghai(2024, 1, 1))
>>> ledger.close()
>>> again = Ledger(PostgresStore(pg_url, schema=pg_schema))
>>> again.balance("wallet:a")
Money('8.80', 'CNY')
>>> again.close()

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, NoReturn

from antfin.errors import (
    ConcurrencyError,
    InvariantViolationError,
    StoreError,
)
from antfin.ledger.postgres_reads import _PostgresReads
from antfin.ledger.postgres_rows import BIGINT_MAX, BIGINT_MIN, _statements
from antfin.ledger.postgres_schema import (
    _VERSION_TABLE,
    SCHEMA_VERSION,
    _check_text,
    _PostgresSchema,
)
from antfin.ledger.rows import (
    ENTRY_COLUMNS,
    due_columns,
)
from antfin.ledger.store import ChangeSet, Document

if TYPE_CHECKING:
    import psycopg

__all__ = ["BIGINT_MAX", "BIGINT_MIN", "SCHEMA_VERSION", "PostgresStore"]

_SCHEMA_NAME: Final = re.compile(r"[^\x00]{1,63}")


def _check_schema_name(schema: object) -> str:
    if not isinstance(schema, str):
        raise TypeError(f"schema must be a str, not {type(schema).__name__}")
    if not _SCHEMA_NAME.fullmatch(schema) or len(schema.encode("utf-8", "surrogatepass")) > 63:
        raise ValueError(f"schema must be 1 to 63 bytes without NUL, got {schema!r}")
    _check_text(schema, "schema name")
    if schema.lower().startswith("pg_"):
        raise ValueError(f"schema names starting with 'pg_' are reserved by PostgreSQL, got {schema!r}")
    return schema


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise StoreError(
            "PostgreSQL books need psycopg 3: install antfin with the postgres extra (pip install 'antfin[postgres]')"
        ) from error
    return psycopg


def _redact(conninfo: str) -> str:
    """The connection string without its password, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", re.sub(r"(password=)\S+", r"\1***", conninfo))


def _CONFLICTS(pg: Any) -> tuple[type[BaseException], ...]:  # noqa: N802 - reads as a constant
    """The server's errors that mean another transaction won a race (retrying may succeed)."""
    errors = pg.errors
    return (errors.UniqueViolation, errors.DeadlockDetected, errors.SerializationFailure, errors.LockNotAvailable)


class PostgresStore(_PostgresReads, _PostgresSchema):
    """Keep the ledger and the books in a PostgreSQL database (one schema of it).

    >>> store = PostgresStore(pg_url, schema=pg_schema)
    >>> store.schema == pg_schema, store.load().entries
    (True, ())
    >>> store.close()

    Args:
        conninfo: a libpq connection string or URL, e.g. ``postgresql://user@host:5432/db`` or
            ``postgresql:///db?host=/var/run/postgresql``; a ``?options=-csearch_path%3Dname``
            parameter chooses the schema too.
        schema: the PostgreSQL schema to keep the tables in (created if missing); by default
            the connection's current schema (the first one of its ``search_path``).
        timeout: seconds to wait for another writer's lock before giving up
            (:class:`~antfin.errors.ConcurrencyError`); also the connect timeout.
        retries: how many times to reconnect when the connection is found lost at the start
            of a transaction or a read, before raising :class:`~antfin.errors.StoreError`.

    Raises:
        antfin.errors.SchemaError: the schema holds other tables and no antfin version table, or
            a schema version this antfin neither reads nor migrates; nothing is written.
        antfin.errors.StoreError: the server cannot be reached or refused (the message never
            shows a password), or psycopg is not installed.
        ValueError: a schema name PostgreSQL cannot hold (empty, over 63 bytes, ``pg_…``).

    .. versionadded:: 0.2.0
    """

    # ``timeout`` is a duration in seconds (not money), hence a float.
    def __init__(  # timeout: seconds to wait for a lock or a connection, not money
        self, conninfo: str, *, schema: str | None = None, timeout: float = 30.0, retries: int = 5
    ) -> None:
        if not isinstance(conninfo, str):
            raise TypeError(f"conninfo must be a str, not {type(conninfo).__name__}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries must be a non-negative int, got {retries!r}")
        self._psycopg = _psycopg()
        self._conninfo = conninfo
        self._shown = _redact(conninfo)
        self._wanted_schema = None if schema is None else _check_schema_name(schema)
        self._timeout = float(timeout)  # seconds, not money
        self._retries = retries
        self._lock = threading.RLock()
        self._conn: psycopg.Connection[Any] | None = None
        self._in_tx = False
        self._pending_begin = False  # the open transaction's BEGIN has not been sent yet
        #: How many times this store reopened a lost connection (for tests and benchmarks).
        self.reconnects = 0
        with self._lock:
            conn = self._connect()
            try:
                self.schema = self._open_schema(conn)
            except BaseException:
                self._drop()
                raise

    # -- connections --------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        pg = self._psycopg
        try:
            # No server-side prepared statements (prepare_threshold=None): a transaction that fails inside a
            # pipeline can take statements psycopg prepared in it along, and the next use of one then failed with
            # 'prepared statement "_pg3_…" does not exist' (seen under concurrent writers; psycopg's documented switch).
            conn: psycopg.Connection[Any] = pg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=max(1, round(self._timeout)),
                prepare_threshold=None,
            )
        except pg.Error as error:
            raise StoreError(f"cannot connect to {self._shown}: {error}".strip()) from None
        except (ValueError, TypeError) as error:  # a malformed connection string
            raise StoreError(f"cannot connect to {self._shown}: {error}") from None
        try:
            conn.execute("SELECT set_config('lock_timeout', %s, false)", (f"{round(self._timeout * 1000)}ms",))
            conn.execute("SELECT set_config('application_name', 'antfin', false)")
            if self._wanted_schema is not None or getattr(self, "schema", None) is not None:
                name = self._wanted_schema if self._wanted_schema is not None else self.schema
                conn.execute(pg.sql.SQL("SET search_path TO {}").format(pg.sql.Identifier(name)))
        except pg.Error as error:
            conn.close()
            raise StoreError(f"cannot prepare the connection to {self._shown}: {error}") from None
        self._conn = conn
        return conn

    def _drop(self) -> None:
        """Forget the connection (it is lost or unusable); the next use opens a new one."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail; it is gone either way
                conn.close()

    def _lost(self, error: BaseException) -> bool:
        pg = self._psycopg
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            return True
        return isinstance(error, pg.OperationalError) and not isinstance(error, _CONFLICTS(pg))

    def _connection(self) -> psycopg.Connection[Any]:
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._connect()
            self.reconnects += 1
        return conn

    def _retry_wait(self, attempt: int) -> None:
        time.sleep(min(0.1 * 2**attempt, 2.0))  # 0.1, 0.2, 0.4, 0.8, 1.6 s: a restart has about 3 s

    # -- the schema's and the store's versions ----------------------------------------

    @property
    def schema_version(self) -> int:
        """The antfin schema version recorded in the database.

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.schema_version
        3
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        return int(self._read_one(f"SELECT max(version) FROM {_VERSION_TABLE}")[0])

    @property
    def version(self) -> int:
        """The version of the last commit made to the schema (by any ledger): 0, then 1, 2 … (gaps are possible).

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.version
        0
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        return int(self._read_one("SELECT coalesce(max(version), 0) FROM commits")[0])

    @property
    def backend_pid(self) -> int | None:
        """The server process of the current connection (``None`` while disconnected).

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.backend_pid > 0
        True
        >>> store.close()
        >>> store.backend_pid is None
        True

        .. versionadded:: 0.2.0
        """
        conn = self._conn
        return None if conn is None or conn.closed else int(conn.info.backend_pid)

    # -- running a read on the connection ---------------------------------------------

    def _read_one(self, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        rows = self._reading(lambda conn: conn.execute(query, params).fetchall())
        if not rows:
            raise InvariantViolationError(f"the store returned no row for {query!r}")
        return tuple(rows[0])

    def _reading(self, read: Any, *, snapshot: bool = False, begins: bool = False) -> Any:
        """Run ``read(conn)``: inside the open transaction, or on its own (reconnecting if needed).

        ``begins``: ``read`` sends the transaction's pending ``BEGIN`` itself (in its pipeline).
        """
        pg = self._psycopg
        with self._lock:
            if self._in_tx:
                if self._pending_begin:
                    return self._first(read, begins)
                conn = self._conn
                if conn is None:
                    raise StoreError(f"the connection to {self._shown} was lost in this transaction")
                try:
                    return read(conn)
                except pg.Error as error:
                    self._raise_in_tx(error)
            for attempt in range(self._retries + 1):
                try:
                    conn = self._connection()
                except StoreError:  # a reconnection failed: the server may be restarting
                    if attempt == self._retries:
                        raise
                    self._retry_wait(attempt)
                    continue
                try:
                    if not snapshot:
                        return read(conn)
                    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    try:
                        result = read(conn)
                    except BaseException:
                        if not conn.closed and not conn.broken:
                            conn.execute("ROLLBACK")
                        raise
                    conn.execute("COMMIT")
                    return result
                except pg.Error as error:
                    if not self._lost(error) or attempt == self._retries:
                        if self._lost(error):
                            self._drop()
                        raise StoreError(f"{self._shown} failed a read: {error}") from None
                    self._drop()
                    self._retry_wait(attempt)
            raise StoreError(f"{self._shown} failed a read")  # pragma: no cover - the loop returns or raises

    # -- transactions and writes -------------------------------------------------------

    def begin(self) -> int:
        """Start a write transaction (``READ COMMITTED``); returns 0 (the version is not read).

        Nothing is sent yet: ``BEGIN`` travels in the same round trip as the
        transaction's first read (or its writes). No lock is taken here: the
        ledger locks the rows it touches (the accounts, with ``SELECT … FOR
        UPDATE`` when it first reads each one in the transaction, and the holds
        it resolves), so writers on disjoint accounts do not wait for each other;
        and it re-reads those rows in every transaction, so it needs no version.

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.begin()
        0
        >>> store.rollback()
        >>> store.close()

        A connection found lost at the transaction's first statement is reopened
        and the statement retried (nothing has been done yet). The next
        :meth:`commit` or :meth:`rollback` ends the transaction and releases the
        row locks taken in it.

        .. versionadded:: 0.2.0
        """
        self._lock.acquire()
        if self._in_tx:
            self._lock.release()
            raise InvariantViolationError("PostgresStore.begin() called inside an open transaction")
        self._in_tx = True
        self._pending_begin = True
        return 0

    def _opening(self, conn: psycopg.Connection[Any]) -> None:
        """Queue the transaction's ``BEGIN`` (in the read's pipeline) if it has not been sent yet."""
        if self._in_tx and self._pending_begin:
            conn.execute("BEGIN")

    def _first(self, read: Any, begins: bool) -> Any:
        """The transaction's first read (its ``BEGIN`` rides along); a connection found lost is reopened."""
        pg = self._psycopg
        for attempt in range(self._retries + 1):
            try:
                conn = self._connection()
            except StoreError:  # a reconnection failed: the server may be restarting
                if attempt == self._retries:
                    raise
                self._retry_wait(attempt)
                continue
            try:
                if not begins:
                    conn.execute("BEGIN")
                result = read(conn)
            except pg.Error as error:
                if not self._lost(error):
                    self._pending_begin = False  # the server has the transaction (aborted): rollback() ends it
                    self._raise_in_tx(error)
                self._drop()
                if attempt == self._retries:
                    raise StoreError(
                        f"cannot start a write on {self._shown}: the connection was lost "
                        f"and {self._retries} reconnection(s) failed: {error}"
                    ) from None
                self._retry_wait(attempt)
                continue
            self._pending_begin = False
            return result
        raise StoreError(f"cannot start a write on {self._shown}")  # pragma: no cover - the loop returns or raises

    def _raise_in_tx(self, error: BaseException) -> NoReturn:
        """A read failed inside the transaction: a lost race is a ConcurrencyError, the rest a StoreError."""
        if self._lost(error):
            self._drop()
        elif isinstance(error, _CONFLICTS(self._psycopg)):
            raise ConcurrencyError(
                f"another transaction on {self._shown} holds or changed a row this one needs "
                f"({getattr(error, 'sqlstate', '')}: {str(error).splitlines()[0]}); nothing was written"
            ) from None
        raise StoreError(f"{self._shown} failed a read in this transaction: {error}") from None

    def _end_quietly(self) -> None:
        """Roll back whatever is open; a lost connection is dropped (the server rolled it back)."""
        conn = self._conn
        if conn is None:
            return
        try:
            if not conn.closed and not conn.broken:
                conn.execute("ROLLBACK")
                return
        except self._psycopg.Error:
            pass
        self._drop()

    def rollback(self) -> None:
        """End the transaction opened by :meth:`begin` without writing.

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.rollback()  # nothing open: nothing to do
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        with self._lock:
            if self._in_tx:
                try:
                    if not self._pending_begin:  # else nothing was sent: nothing to end
                        self._end_quietly()
                finally:
                    self._pending_begin = False
                    self._in_tx = False
                    self._lock.release()

    def commit(self, changes: ChangeSet) -> None:
        """Write ``changes`` in one transaction (the one :meth:`begin` opened, if any): all or none.

        >>> from antfin.ledger.store import ChangeSet
        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.commit(ChangeSet())
        >>> store.version
        1
        >>> store.close()

        Amounts and text are checked before any SQL is sent.

        Raises:
            antfin.errors.InvalidAmountError: an amount beyond a ``BIGINT`` of minor units.
            antfin.errors.SerializationError: text PostgreSQL cannot hold (a lone surrogate, U+0000).
            antfin.errors.ConcurrencyError: a document changed since it was read.
            antfin.errors.StoreError: the server refused the write or the connection was lost
                (nothing was written; when the connection broke during ``COMMIT`` itself, the
                message says the outcome is unknown and the next transaction catches up with it).

        .. versionadded:: 0.2.0
        """
        with self._lock:
            if not self._in_tx:
                self.begin()  # ended below, as if the ledger had called begin()
            pg = self._psycopg
            # Without documents or new accounts to check, COMMIT rides in the same round trip.
            committing = not changes.documents and all(account.closed for account in changes.accounts)
            token = uuid.uuid4()
            try:
                statements = _statements(changes)  # checked before anything is sent
                begin, self._pending_begin = self._pending_begin, False
                conn = self._connection() if begin else self._conn
                if conn is None:
                    raise StoreError(f"the connection to {self._shown} was lost in this transaction")
                self._write(conn, statements, changes.documents, commit=committing, token=token, begin=begin)
                if not committing:
                    committing = True
                    conn.execute("COMMIT")
            except pg.Error as error:
                lost = self._lost(error)
                self._finish_failed()
                if lost and committing and self._written(token, error):
                    return  # COMMIT reached the server before the connection broke: the commit stands
                if not lost and isinstance(error, _CONFLICTS(pg)):
                    raise ConcurrencyError(
                        f"another transaction on {self._shown} conflicted with this one "
                        f"({getattr(error, 'sqlstate', '')}: {str(error).splitlines()[0]}); nothing was written"
                    ) from None
                reason = "the connection was lost" if lost else "the server refused it"
                raise StoreError(
                    f"{self._shown} did not take the commit ({reason}); nothing was written: {error}"
                ) from None
            except BaseException:
                self._finish_failed()
                raise
            self._in_tx = False
            self._lock.release()

    def _written(self, token: uuid.UUID, error: BaseException) -> bool:
        """After a connection broke during ``COMMIT``: did the commit ``token`` reach the database?

        Asked on a new connection (reconnecting as a read does); an outcome that cannot be
        learnt is a :class:`~antfin.errors.StoreError` saying so.
        """
        try:
            rows = self._reading(
                lambda conn: conn.execute("SELECT 1 FROM commits WHERE token = %s", (token,)).fetchall()
            )
        except StoreError as unknown:
            raise StoreError(
                f"the connection to {self._shown} broke while committing ({error}) and the server could not be asked "
                f"whether the commit was written ({unknown}); the next transaction catches up with whatever was"
            ) from None
        return bool(rows)

    def _finish_failed(self) -> None:
        try:
            if not self._pending_begin:  # else nothing was sent: nothing to end
                self._end_quietly()
        finally:
            self._pending_begin = False
            self._in_tx = False
            self._lock.release()

    def _write(
        self,
        conn: psycopg.Connection[Any],
        statements: list[tuple[str, list[tuple[Any, ...]]]],
        documents: tuple[Document, ...],
        *,
        commit: bool,
        token: uuid.UUID,
        begin: bool = False,
    ) -> None:
        """Send the commit's row, every row, the documents and (if ``commit``) ``COMMIT`` in one pipeline.

        The commit's version comes from a sequence (``currval`` tags the rows it
        writes) and entries carry the numbers of their ids: no global row is updated.
        """
        version = "currval('commit_versions')"
        checks: list[tuple[psycopg.Cursor[Any], Document]] = []
        created: list[tuple[psycopg.Cursor[Any], str]] = []
        with conn.pipeline(), conn.cursor() as cursor:
            if begin:
                cursor.execute("BEGIN")
            cursor.execute(
                "INSERT INTO commits (version, last_entry, token) VALUES (nextval('commit_versions'), %s, %s)",
                (max((row[0] for table, rows in statements if table == "entries" for row in rows), default=0), token),
            )
            for table, rows in statements:
                if table == "accounts":
                    for row in rows:
                        # An open account is new: if another transaction created it first, this one
                        # read no locked row for it, so it must lose (and a single call is re-run).
                        # A closed one may exist already (opened by an earlier commit): upserted.
                        opened = conn.cursor()
                        opened.execute(
                            "INSERT INTO accounts (id, kind, currency, non_negative, owner, purpose, metadata, "
                            f"closed, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {version}) "
                            + (
                                "ON CONFLICT (id) DO UPDATE SET closed = excluded.closed, version = excluded.version"
                                if row[7]
                                else "ON CONFLICT (id) DO NOTHING"
                            ),
                            row,
                        )
                        if not row[7]:
                            created.append((opened, row[0]))
                elif table == "entries":
                    cursor.executemany(
                        f"INSERT INTO entries ({ENTRY_COLUMNS}, at_us) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        rows,
                    )
                elif table == "postings":
                    cursor.executemany(
                        "INSERT INTO postings (entry_seq, line, account, minor, currency) VALUES (%s, %s, %s, %s, %s)",
                        rows,
                    )
                elif table == "holds":
                    cursor.executemany(
                        "INSERT INTO holds (id, record, status, expires_us, version) "
                        f"VALUES (%s, %s, %s, %s, {version}) "
                        "ON CONFLICT (id) DO UPDATE SET record = excluded.record, status = excluded.status, "
                        "expires_us = excluded.expires_us, version = excluded.version",
                        rows,
                    )
                elif table == "totals":
                    cursor.executemany(
                        "UPDATE accounts SET debits = %s, credits = %s, debits_pending = %s, credits_pending = %s "
                        "WHERE id = %s",
                        rows,
                    )
                else:
                    cursor.executemany(
                        "INSERT INTO keys (key, fingerprint, kind, ref, hold, version) "
                        f"VALUES (%s, %s, %s, %s, %s, {version})",
                        rows,
                    )
            for document in documents:
                checks.append((self._write_document(conn, document), document))
            if commit:
                cursor.execute("COMMIT")
        for opened, account_id in created:
            if opened.rowcount != 1:
                raise ConcurrencyError(
                    f"account {account_id!r} was opened by another transaction first; nothing was written"
                )
        for written, document in checks:
            if written.rowcount != 1:
                raise ConcurrencyError(
                    f"{document.kind} {document.id!r} changed underneath this transaction "
                    f"(it expected version {document.version - 1}); nothing was written"
                )

    def _write_document(self, conn: psycopg.Connection[Any], document: Document) -> psycopg.Cursor[Any]:
        due_us, due_at = due_columns(document.due_at)
        cursor = conn.cursor()
        if document.version == 1:
            cursor.execute(
                "INSERT INTO documents (kind, id, version, status, due_us, due_at, body) "
                "VALUES (%s, %s, 1, %s, %s, %s, %s) ON CONFLICT (kind, id) DO NOTHING",
                (document.kind, document.id, document.status, due_us, due_at, document.body),
            )
        else:
            cursor.execute(
                "UPDATE documents SET version = %s, status = %s, due_us = %s, due_at = %s, body = %s "
                "WHERE kind = %s AND id = %s AND version = %s",
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
        return cursor

    def close(self) -> None:
        """Close the connection (rolling back a transaction left open).

        >>> PostgresStore(pg_url, schema=pg_schema).close()

        .. versionadded:: 0.2.0
        """
        with self._lock:
            if self._in_tx:
                self.rollback()
            self._drop()
