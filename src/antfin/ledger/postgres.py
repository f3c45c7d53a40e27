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
import json
import re
import threading
import time
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, NoReturn

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
from antfin.ledger.store import AccountRow, ChangeSet, Document, KeyRecord, StoreState, _entry_index
from antfin.money import Currency, Money

if TYPE_CHECKING:
    import psycopg

__all__ = ["SCHEMA_VERSION", "PostgresStore"]

#: Version of the PostgreSQL schema this code reads and writes.
SCHEMA_VERSION: Final = 2

#: The smallest and largest amount (in minor units) a ``BIGINT`` column holds.
BIGINT_MIN: Final = -(2**63)
BIGINT_MAX: Final = 2**63 - 1

# Numbered migrations: _MIGRATIONS[n] takes a schema from version n - 1 to version n
# (version 0 is an empty schema); each script runs as one multi-statement query.
_MIGRATIONS: Final[dict[int, tuple[str, str]]] = {
    1: (
        "ledger tables, idempotency keys and the books' documents",
        """
CREATE TABLE head (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    version BIGINT NOT NULL,
    last_entry BIGINT NOT NULL
);
INSERT INTO head (one, version, last_entry) VALUES (TRUE, 0, 0);
CREATE TABLE commits (
    version BIGINT PRIMARY KEY,
    last_entry BIGINT NOT NULL,
    token UUID NOT NULL UNIQUE
);
CREATE TABLE accounts (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    non_negative BOOLEAN NOT NULL,
    owner TEXT,
    purpose TEXT NOT NULL,
    metadata TEXT NOT NULL,
    closed BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX accounts_version ON accounts (version);
CREATE TABLE entries (
    seq BIGINT PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    key TEXT COLLATE "C" NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    at TEXT NOT NULL,
    memo TEXT NOT NULL,
    metadata TEXT NOT NULL,
    reverses TEXT,
    hold_id TEXT
);
CREATE UNIQUE INDEX entries_hold_id ON entries (hold_id) WHERE hold_id IS NOT NULL;
CREATE TABLE postings (
    entry_seq BIGINT NOT NULL REFERENCES entries (seq),
    line INTEGER NOT NULL,
    account TEXT COLLATE "C" NOT NULL,
    minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    PRIMARY KEY (entry_seq, line)
);
CREATE TABLE holds (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    record TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX holds_version ON holds (version);
CREATE TABLE keys (
    key TEXT COLLATE "C" PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    hold TEXT,
    version BIGINT NOT NULL
);
CREATE INDEX keys_version ON keys (version);
CREATE FUNCTION keys_unique_across_entries() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM entries WHERE key = NEW.key) THEN
        RAISE EXCEPTION 'idempotency key already used by a journal entry' USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER keys_unique_across_entries BEFORE INSERT ON keys
    FOR EACH ROW EXECUTE FUNCTION keys_unique_across_entries();
CREATE TABLE documents (
    kind TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    due_us BIGINT,
    due_at TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX documents_due ON documents (kind, due_us, id) WHERE due_us IS NOT NULL;
CREATE INDEX documents_status ON documents (kind, status)
""",
    ),
    2: (
        "row locks: running totals on accounts, entry and commit numbers from sequences, pending holds' expiries, "
        "entries by instant",
        """
ALTER TABLE accounts ADD COLUMN debits BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN credits BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN debits_pending BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN credits_pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN status TEXT NOT NULL DEFAULT 'pending', ADD COLUMN expires_us BIGINT;
UPDATE holds SET status = record::jsonb->>'status',
    expires_us = CASE WHEN record::jsonb->>'expires_at' IS NULL THEN NULL
        ELSE (extract(epoch FROM (record::jsonb->>'expires_at')::timestamptz) * 1000000)::bigint END;
UPDATE accounts SET
    debits = coalesce((SELECT sum(minor) FROM postings WHERE account = accounts.id AND minor > 0), 0),
    credits = coalesce((SELECT -sum(minor) FROM postings WHERE account = accounts.id AND minor < 0), 0),
    debits_pending = coalesce((SELECT sum((record::jsonb->>'amount_minor')::bigint) FROM holds
        WHERE status = 'pending' AND record::jsonb->>'debit' = accounts.id), 0),
    credits_pending = coalesce((SELECT sum((record::jsonb->>'amount_minor')::bigint) FROM holds
        WHERE status = 'pending' AND record::jsonb->>'credit' = accounts.id), 0);
CREATE INDEX holds_due ON holds (expires_us, seq) WHERE status = 'pending' AND expires_us IS NOT NULL;
CREATE INDEX postings_account ON postings (account, entry_seq);
CREATE UNIQUE INDEX entries_reverses ON entries (reverses) WHERE reverses IS NOT NULL;
ALTER TABLE entries ADD COLUMN at_us BIGINT;
UPDATE entries SET at_us = (extract(epoch FROM at::timestamptz) * 1000000)::bigint;
CREATE INDEX entries_at ON entries (at_us);
CREATE SEQUENCE entry_numbers AS BIGINT;
SELECT setval('entry_numbers', greatest((SELECT max(seq) FROM entries), 1), (SELECT max(seq) FROM entries) IS NOT NULL);
DROP TABLE head;
CREATE SEQUENCE commit_versions AS BIGINT;
SELECT setval('commit_versions', greatest((SELECT max(version) FROM commits), 1),
    (SELECT max(version) FROM commits) IS NOT NULL)
""",
    ),
}

_ACCOUNT_COLUMNS: Final = (
    "id, kind, currency, non_negative::int, owner, purpose, metadata, closed::int, "
    "debits, credits, debits_pending, credits_pending"
)

_VERSION_TABLE: Final = "antfin_schema"
_SCHEMA_NAME: Final = re.compile(r"[^\x00]{1,63}")


def _check_text(value: str, what: str) -> None:
    """Refuse text PostgreSQL cannot hold: a lone surrogate (not Unicode) or U+0000."""
    if "\x00" in value:
        raise SerializationError(
            f"{what} {value!r} contains the character U+0000, which PostgreSQL text cannot hold; nothing was written"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise SerializationError(
            f"{what} {value!r} is not valid Unicode (it contains a lone surrogate); nothing was written"
        ) from None


def _check_rows(rows: Iterable[Sequence[Any]], what: str) -> None:
    """Check every text value of ``rows`` before any of them reaches SQL."""
    for row in rows:
        for value in row:
            if value.__class__ is str and not (value.isascii() and "\x00" not in value):
                _check_text(value, what)


def _check_amount(minor: int, what: str) -> None:
    if not BIGINT_MIN <= minor <= BIGINT_MAX:
        raise InvalidAmountError(
            f"{what}: {minor} minor units is beyond what the database stores "
            f"(a BIGINT, {BIGINT_MIN} to {BIGINT_MAX}); nothing was written"
        )


def _totals_rows(rows: Iterable[tuple[str, int, int, int, int]]) -> list[tuple[Any, ...]]:
    """The accounts' new running totals as UPDATE parameters (totals first, then the id), checked."""
    out: list[tuple[Any, ...]] = []
    for account_id, *totals in rows:
        for minor in totals:
            _check_amount(minor, f"the running totals of {account_id!r}")
        out.append((*totals, account_id))
    return out


def _hold_rows(holds: Iterable[Hold]) -> list[tuple[Any, ...]]:
    """Holds as (id, JSON record, status, expiry in microseconds) rows, amounts checked."""
    rows: list[tuple[Any, ...]] = []
    for hold in holds:
        _check_amount(hold.amount.minor_units, f"hold {hold.id!r}")
        record = json.dumps(hold.to_record(), ensure_ascii=False)
        rows.append((hold.id, record, hold.status.value, due_columns(hold.expires_at)[0]))
    _check_rows(rows, "hold")
    return rows


def _unholdable(value: str) -> bool:
    """Whether ``value`` is text PostgreSQL cannot hold (a lone surrogate, U+0000)."""
    if value.__class__ is str and value.isascii() and "\x00" not in value:
        return False
    try:
        _check_text(value, "a looked-up value")
    except (SerializationError, AttributeError):
        return True
    return False


def _entry_seq(entry_id: str) -> int:
    """An entry's seq: the number of its id ``E{n}``."""
    seq = _entry_index(entry_id) + 1
    if seq <= 0:
        raise InvariantViolationError(f"entry id {entry_id!r} is not E followed by its number")
    return seq


def _CONFLICTS(pg: Any) -> tuple[type[BaseException], ...]:  # noqa: N802 - reads as a constant
    """The server's errors that mean another transaction won a race (retrying may succeed)."""
    errors = pg.errors
    return (errors.UniqueViolation, errors.DeadlockDetected, errors.SerializationFailure, errors.LockNotAvailable)


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


class PostgresStore:
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
        self._currencies: dict[str, Currency] = {}
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

    # -- the schema ---------------------------------------------------------------

    def _open_schema(self, conn: psycopg.Connection[Any]) -> str:
        """Check the schema is antfin's (or empty) before writing anything; create or migrate it."""
        pg = self._psycopg
        sql = pg.sql
        try:
            conn.execute("BEGIN")
            try:
                schema = self._wanted_schema
                if schema is None:
                    row = conn.execute("SELECT current_schema()").fetchone()
                    if row is None or row[0] is None:
                        raise SchemaError(
                            f"{self._shown} has no current schema (its search_path names none that exists): "
                            "create one or pass schema=; nothing was written"
                        )
                    schema = str(row[0])
                # One opener at a time prepares a schema (two processes opening a new database at once).
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"antfin:{schema}",))
                tables = [
                    str(row[0])
                    for row in conn.execute(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname",
                        (schema,),
                    )
                ]
                version = 0
                if _VERSION_TABLE in tables:
                    row = conn.execute(
                        sql.SQL("SELECT max(version) FROM {}.{}").format(
                            sql.Identifier(schema), sql.Identifier(_VERSION_TABLE)
                        )
                    ).fetchone()
                    version = 0 if row is None or row[0] is None else int(row[0])
                elif tables:
                    shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
                    raise SchemaError(
                        f"schema {schema!r} of {self._shown} is not antfin's (it has other tables: {shown} "
                        f"and no {_VERSION_TABLE} table); nothing was written"
                    )
                if version > SCHEMA_VERSION:
                    raise SchemaError(
                        f"schema {schema!r} of {self._shown} has antfin schema version {version}; this antfin "
                        f"reads version {SCHEMA_VERSION}; nothing was written"
                    )
                if version < SCHEMA_VERSION:
                    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                    conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema)))
                    conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {_VERSION_TABLE} (version INTEGER PRIMARY KEY, "
                        "applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), description TEXT NOT NULL)"
                    )
                    for number in range(version + 1, SCHEMA_VERSION + 1):
                        description, script = _MIGRATIONS[number]
                        conn.execute(script)  # no parameters: sent as one multi-statement query
                        conn.execute(
                            f"INSERT INTO {_VERSION_TABLE} (version, description) VALUES (%s, %s)",
                            (number, description),
                        )
                conn.execute("COMMIT")
            except BaseException:
                if not conn.closed:
                    conn.execute("ROLLBACK")
                raise
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        except pg.Error as error:
            raise StoreError(f"cannot prepare {self._shown}: {error}") from None
        return schema

    @property
    def schema_version(self) -> int:
        """The antfin schema version recorded in the database.

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.schema_version
        2
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

    def _currency(self, code: str) -> Currency:
        currency = self._currencies.get(code)
        if currency is None:
            currency = self._currencies[code] = Currency.of(code)
        return currency

    # -- reading --------------------------------------------------------------------

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

    def load(self) -> StoreState:
        """Read everything committed, in commit order, as one consistent snapshot (an export).

        The ledger never calls it: it reads what it needs, one row at a time.

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
        accounts = tuple(account_from_row(row)[0] for row in account_rows)
        entries: list[JournalEntry] = []
        keys: list[KeyRecord] = []
        if entry_rows:
            lines: dict[int, list[Posting]] = {}
            for seq, account, minor, code in posting_rows:
                posting = _make_posting(account, Money._from_minor(minor, self._currency(code)))
                found = lines.get(seq)
                if found is None:
                    lines[seq] = [posting]
                else:
                    found.append(posting)
            for entry_row in entry_rows:
                entry = entry_from_row(entry_row, lines.get(entry_row[0], ()))
                entries.append(entry)
                if entry_row[3]:
                    keys.append(KeyRecord(entry.key, entry_row[3], "entry", entry.id))
        holds = tuple(Hold.from_record(json.loads(row[0])) for row in hold_rows)
        keys.extend(
            KeyRecord(row[0], row[1], row[2], row[3], None if row[4] is None else Hold.from_record(json.loads(row[4])))
            for row in key_rows
        )
        return StoreState(accounts, tuple(entries), holds, tuple(keys), current)

    # -- reads for the ledger (one row, or one account's rows, at a time) ---------------

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

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.account("asset:bank") is None
        True
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        lock = " FOR UPDATE" if self._in_tx else ""  # in a write: the row stays locked until it ends
        rows = self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = %s{lock}", (account_id,))
        return account_from_row(rows[0]) if rows else None

    def accounts(self) -> tuple[AccountRow, ...]:
        """Every account with its running totals, in opening order."""
        return tuple(account_from_row(r) for r in self._rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY seq"))

    def key(self, key: str) -> KeyRecord | None:
        """What ``key`` did (the entries' unique key, or the keys table), or ``None``."""
        rows = self._rows(
            "(SELECT key, fingerprint, 'entry', id, NULL FROM entries WHERE key = %s AND fingerprint <> '') "
            "UNION ALL (SELECT key, fingerprint, kind, ref, hold FROM keys WHERE key = %s) LIMIT 1",
            (key, key),
        )
        return key_from_row(rows[0]) if rows else None

    def _entries_where(self, condition: str, params: Sequence[Any]) -> tuple[JournalEntry, ...]:
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
        lines: dict[int, list[Posting]] = {}
        for seq, account, minor, code in postings:
            lines.setdefault(seq, []).append(_make_posting(account, Money._from_minor(minor, self._currency(code))))
        return tuple(entry_from_row(row, lines.get(row[0], ())) for row in rows)

    def entry(self, entry_id: str) -> JournalEntry | None:
        """The entry ``entry_id``, or ``None``."""
        found = self._entries_where("id = %s", (entry_id,))
        return found[0] if found else None

    def entries(self) -> tuple[JournalEntry, ...]:
        """Every entry, in posting order."""
        return self._entries_where("TRUE", ())

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

    def holds(self) -> tuple[Hold, ...]:
        """Every hold, in creation order."""
        return tuple(hold_from_text(row[0]) for row in self._rows("SELECT record FROM holds ORDER BY seq"))

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

    # -- writing --------------------------------------------------------------------

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
                statements = self._statements(changes)  # checked before anything is sent
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

    def _statements(self, changes: ChangeSet) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """The rows of ``changes``, checked, as (statement, rows) in writing order (version and seq filled later)."""
        out: list[tuple[str, list[tuple[Any, ...]]]] = []
        rows: list[tuple[Any, ...]]
        if changes.accounts:
            rows = [
                (
                    account.id,
                    account.kind.value,
                    account.currency.code,
                    account.non_negative,
                    account.owner,
                    account.purpose,
                    metadata_text(account.metadata),
                    account.closed,
                )
                for account in changes.accounts
            ]
            _check_rows(rows, "account text")
            out.append(("accounts", rows))
        fingerprints: dict[str, str] = {}
        other_keys: list[KeyRecord] = []
        for record in changes.keys:
            if record.kind == "entry" and record.ref not in fingerprints:
                fingerprints[record.ref] = record.fingerprint
            else:
                other_keys.append(record)
        if changes.entries:
            stored = 0
            entries: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            for entry in changes.entries:
                offset = _entry_seq(entry.id)
                fingerprint = fingerprints.get(entry.id)
                if fingerprint is None:
                    fingerprint = ""
                else:
                    stored += 1
                entries.append(
                    (
                        offset,
                        entry.id,
                        entry.key,
                        fingerprint,
                        entry.at.isoformat(),
                        entry.memo,
                        "{}" if entry.metadata is _EMPTY_METADATA else metadata_text(entry.metadata),
                        entry.reverses,
                        entry.hold_id,
                        due_columns(entry.at)[0],
                    )
                )
                for line, posting in enumerate(entry.postings):
                    amount = posting.amount
                    minor = amount._minor
                    if not BIGINT_MIN <= minor <= BIGINT_MAX:
                        _check_amount(minor, f"entry {entry.key!r}, posting to {posting.account!r}")
                    lines.append((offset, line, posting.account, minor, amount._currency.code))
            if stored != len(fingerprints):  # an entry key whose entry is not in this commit
                written = {entry.id for entry in changes.entries}
                other_keys = [r for r in changes.keys if r.kind != "entry" or r.ref not in written]
            _check_rows(entries, "entry text")
            _check_rows(lines, "posting account")
            out.append(("entries", entries))
            out.append(("postings", lines))
        elif fingerprints:
            other_keys = list(changes.keys)
        if changes.holds:
            out.append(("holds", _hold_rows(changes.holds)))
        if other_keys:
            rows = [
                (
                    record.key,
                    record.fingerprint,
                    record.kind,
                    record.ref,
                    None if record.hold is None else json.dumps(record.hold.to_record(), ensure_ascii=False),
                )
                for record in other_keys
            ]
            _check_rows(rows, "idempotency key")
            out.append(("keys", rows))
        if changes.totals:
            out.append(("totals", _totals_rows(changes.totals)))
        if changes.documents:
            rows = [
                (document.kind, document.id, document.status, due_columns(document.due_at)[1])
                for document in changes.documents
            ]
            _check_rows(rows, "document")
            _check_rows(((document.body,) for document in changes.documents), "document body")
        return out

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

    # -- the books' documents ---------------------------------------------------------

    def document(self, kind: str, id: str) -> Document | None:
        """The stored document ``(kind, id)``, or ``None``.

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.document("escrow", "T1") is None
        True
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        _check_rows([(kind, id)], "document")
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

        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.document_ids("loan", ["ACTIVE"])
        ()
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        wanted = None if status is None else list(status)
        _check_rows([(kind, *(wanted or ()))], "document")
        if wanted is None:
            rows = self._reading(
                lambda conn: conn.execute("SELECT id FROM documents WHERE kind = %s ORDER BY id", (kind,)).fetchall()
            )
        else:
            rows = self._reading(
                lambda conn: conn.execute(
                    "SELECT id FROM documents WHERE kind = %s AND status = ANY(%s) ORDER BY id", (kind, wanted)
                ).fetchall()
            )
        return tuple(row[0] for row in rows)

    def documents_due(self, kind: str, until: datetime) -> tuple[str, ...]:
        """The ids of ``kind`` due at or before ``until``, earliest first, from the due-time index.

        >>> from antfin.calendar import shanghai
        >>> store = PostgresStore(pg_url, schema=pg_schema)
        >>> store.documents_due("escrow", shanghai(2024, 1, 1))
        ()
        >>> store.close()

        .. versionadded:: 0.2.0
        """
        _check_rows([(kind,)], "document")
        limit, _ = due_columns(until)
        rows = self._reading(
            lambda conn: conn.execute(
                "SELECT id FROM documents WHERE kind = %s AND due_us IS NOT NULL AND due_us <= %s ORDER BY due_us, id",
                (kind, limit),
            ).fetchall()
        )
        return tuple(row[0] for row in rows)

    def close(self) -> None:
        """Close the connection (rolling back a transaction left open).

        >>> PostgresStore(pg_url, schema=pg_schema).close()

        .. versionadded:: 0.2.0
        """
        with self._lock:
            if self._in_tx:
                self.rollback()
            self._drop()
