"""The PostgreSQL store's schema: its numbered migrations, and what PostgreSQL text can hold.

Part of :class:`~antfin.ledger.postgres.PostgresStore`, documented there. A
schema is checked to be antfin's (or empty) before anything is written to it;
then it is created, or migrated, one numbered migration at a time.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from antfin.errors import SchemaError, SerializationError, StoreError
from antfin.ledger.rows import is_unicode

if TYPE_CHECKING:
    import psycopg

__all__ = ["SCHEMA_VERSION"]

#: Version of the PostgreSQL schema this code reads and writes.
SCHEMA_VERSION: Final = 3

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
    3: (
        "the status index leaves out archived records (status 'FINAL'), which no query asks for by status",
        """
DROP INDEX documents_status;
CREATE INDEX documents_status ON documents (kind, status) WHERE status <> 'FINAL'
""",
    ),
}

_VERSION_TABLE: Final = "antfin_schema"


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


def _unholdable(value: str) -> bool:
    """Whether ``value`` is text PostgreSQL cannot hold (a lone surrogate, U+0000)."""
    return "\x00" in value or not is_unicode(value)


class _PostgresSchema:
    """Opening a schema: check that it is antfin's, create or migrate it."""

    _psycopg: Any
    _shown: str
    _wanted_schema: str | None

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
