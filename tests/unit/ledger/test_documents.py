"""The ledger's stores keep the books' documents beside the ledger, in the same transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from antfin import CNY
from antfin.calendar import shanghai
from antfin.errors import ConcurrencyError, InvariantViolationError, SchemaError, StoreError
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.ledger.memory import MemoryStore
from antfin.ledger.sqlite import SCHEMA_VERSION
from antfin.ledger.sqlite_schema import CHECKPOINT_PAGES
from antfin.ledger.store import RECORD_STATUS, Document, DocumentStore

AT = shanghai(2024, 3, 1, 9)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, store_factory: Callable[[str], Any]) -> Callable[[], DocumentStore]:
    memory = MemoryStore()
    kind = str(request.param)
    return lambda: memory if kind == "memory" else cast(DocumentStore, store_factory(kind))


def _ledger(store: DocumentStore) -> Ledger:
    ledger = Ledger(store)
    if not ledger.has_account("asset:bank"):
        ledger.open_account("asset:bank", AccountKind.ASSET)
        ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
    return ledger


def test_documents_commit_with_the_entries_and_come_back(make_store: Callable[[], DocumentStore]) -> None:
    store = make_store()
    ledger = _ledger(store)
    with ledger.atomic():
        ledger.transfer("t1", debit="asset:bank", credit="wallet:a", amount=CNY("5.00"), at=AT)
        ledger.write_documents([Document("escrow", "T1", 1, "PAID", AT, '{"n": 1}')])
    again = make_store()
    assert again.document("escrow", "T1") == Document("escrow", "T1", 1, "PAID", AT, '{"n": 1}')
    assert again.document("escrow", "T2") is None
    assert Ledger(again).balance("wallet:a") == CNY("5.00")


def test_a_failed_block_writes_neither_documents_nor_entries(make_store: Callable[[], DocumentStore]) -> None:
    store = make_store()
    ledger = _ledger(store)

    def fail() -> None:
        with ledger.atomic():
            ledger.transfer("t1", debit="asset:bank", credit="wallet:a", amount=CNY("5.00"), at=AT)
            ledger.write_documents([Document("escrow", "T1", 1, "PAID", None, "{}")])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    assert store.document("escrow", "T1") is None
    assert ledger.balance("wallet:a") == CNY("0.00")


def test_a_nested_block_that_fails_drops_only_its_documents(make_store: Callable[[], DocumentStore]) -> None:
    store = make_store()
    ledger = _ledger(store)

    def fail() -> None:
        with ledger.atomic():
            ledger.write_documents([Document("loan", "L2", 1, "ACTIVE", None, "{}")])
            raise RuntimeError

    with ledger.atomic():
        ledger.write_documents([Document("loan", "L1", 1, "ACTIVE", None, "{}")])
        with pytest.raises(RuntimeError):
            fail()
    assert store.document_ids("loan") == ("L1",)


def test_versions_must_follow_on_or_nothing_is_written(make_store: Callable[[], DocumentStore]) -> None:
    store = make_store()
    ledger = _ledger(store)
    with ledger.atomic():
        ledger.write_documents([Document("loan", "L1", 1, "ACTIVE", None, "{}")])

    def write(version: int) -> None:
        with ledger.atomic():
            ledger.transfer(f"t{version}", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=AT)
            ledger.write_documents([Document("loan", "L1", version, "PAID_OFF", None, "{}")])

    for stale in (1, 3):
        with pytest.raises(ConcurrencyError):
            write(stale)
    assert store.document("loan", "L1") == Document("loan", "L1", 1, "ACTIVE", None, "{}")
    assert ledger.balance("wallet:a") == CNY("0.00")
    assert Ledger(make_store()).balance("wallet:a") == CNY("0.00")


def test_status_and_due_indexes(make_store: Callable[[], DocumentStore]) -> None:
    store = make_store()
    ledger = _ledger(store)
    with ledger.atomic():
        ledger.write_documents(
            [
                Document("escrow", "T3", 1, "PAID", shanghai(2024, 3, 5), "{}"),
                Document("escrow", "T1", 1, "PAID", shanghai(2024, 3, 2), "{}"),
                Document("escrow", "T2", 1, "DONE", None, "{}"),
                Document("loan", "T0", 1, "PAID", shanghai(2024, 3, 1), "{}"),
            ]
        )
    assert store.document_ids("escrow") == ("T1", "T2", "T3")
    assert store.document_ids("escrow", ["PAID"]) == ("T1", "T3")
    assert store.documents_due("escrow", shanghai(2024, 3, 4)) == ("T1",)
    assert store.documents_due("escrow", shanghai(2024, 3, 5)) == ("T1", "T3")


def test_archived_records_are_found_by_their_status_too(make_store: Callable[[], DocumentStore]) -> None:
    """The SQL stores leave records out of the status index; asking for them by status still finds them."""
    store = make_store()
    ledger = _ledger(store)
    with ledger.atomic():
        ledger.write_documents(
            [
                Document("escrow/refunds", '["T1","R2"]', 1, RECORD_STATUS, None, "{}"),
                Document("escrow/refunds", '["T1","R1"]', 1, RECORD_STATUS, None, "{}"),
                Document("escrow/refunds", '["T2","R1"]', 1, "OPEN", None, "{}"),
            ]
        )
    assert store.document_ids("escrow/refunds", [RECORD_STATUS]) == ('["T1","R1"]', '["T1","R2"]')
    assert store.document_ids("escrow/refunds", ["OPEN"]) == ('["T2","R1"]',)
    assert store.document_ids("escrow/refunds", ["OPEN", RECORD_STATUS]) == store.document_ids("escrow/refunds")
    assert store.document_ids("escrow", [RECORD_STATUS]) == ()


def test_a_lookup_by_text_that_is_not_unicode_finds_no_document(make_store: Callable[[], DocumentStore]) -> None:
    store = make_store()
    ledger = _ledger(store)
    with ledger.atomic():
        ledger.write_documents([Document("escrow", "T1", 1, "PAID", AT, "{}")])
    bad = "T\ud800"
    assert store.document("escrow", bad) is None
    assert store.document(bad, "T1") is None
    assert store.document_ids(bad) == ()
    assert store.document_ids("escrow", [bad]) == ()
    assert store.document_ids("escrow", [bad, "PAID"]) == ("T1",)
    assert store.documents_due(bad, AT) == ()


def test_documents_need_an_atomic_block() -> None:
    with pytest.raises(InvariantViolationError, match="atomic"):
        Ledger().write_documents([])


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="not an antfin database"):
        SQLiteStore(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "shop.db-wal").exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("hello, this is not SQLite" * 100)
    with pytest.raises(SchemaError, match="not an SQLite database"):
        SQLiteStore(path)
    assert path.read_text().startswith("hello")


def test_a_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(tmp_path / "no" / "such" / "folder.db")


def test_an_unknown_version_is_refused_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'")
    conn.close()
    with pytest.raises(SchemaError, match="version 99"):
        SQLiteStore(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone() == ("99",)
    conn.close()


def test_a_version_2_file_is_migrated_and_keeps_its_ledger(tmp_path: Path) -> None:
    from tests.unit.ledger.schema3 import write_schema3_file

    path = tmp_path / "v2.db"
    write_schema3_file(path, version=2)  # a file of the version before documents, as antfin wrote it
    store = SQLiteStore(path)
    assert store.schema_version == SCHEMA_VERSION == 7
    assert Ledger(store).balance("wallet:a") == CNY("70.00")
    assert store.document_ids("escrow") == ()
    store.close()


def _downgrade_documents_to_5(path: Path) -> None:
    """What schema 5 kept: the documents in a WITHOUT ROWID table keyed by (kind, id)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE documents_v5 (
                kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, status TEXT NOT NULL,
                due_us INTEGER, due_at TEXT, body TEXT NOT NULL, PRIMARY KEY (kind, id)
            ) WITHOUT ROWID;
            INSERT INTO documents_v5 SELECT kind, id, version, status, due_us, due_at, body FROM documents;
            DROP TABLE documents;
            ALTER TABLE documents_v5 RENAME TO documents;
            CREATE INDEX documents_due ON documents (kind, due_us) WHERE due_us IS NOT NULL;
            CREATE INDEX documents_status ON documents (kind, status);
            UPDATE meta SET value = '5' WHERE name = 'schema_version';
            """
        )
    conn.close()


def test_a_version_5_file_gets_its_documents_in_a_rowid_table_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    store = SQLiteStore(path)
    ledger = _ledger(store)
    written = [Document("escrow", f"T{n}", 1, "PAID", AT if n % 2 else None, f'{{"n": {n}}}') for n in range(30)]
    big = Document("fund", "yuebao", 1, "OPEN", None, '{"units": "' + "9" * 50_000 + '"}')
    with ledger.atomic():
        ledger.write_documents([*written, big])
    store.close()
    _downgrade_documents_to_5(path)
    with sqlite3.connect(path) as conn:
        assert "WITHOUT ROWID" in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents'").fetchone()[0]
    conn.close()
    migrated = SQLiteStore(path)
    assert migrated.schema_version == SCHEMA_VERSION == 7
    assert [migrated.document("escrow", f"T{n}") for n in range(30)] == written
    assert migrated.document("fund", "yuebao") == big
    assert migrated.documents_due("escrow", AT) == tuple(f"T{n}" for n in sorted(range(1, 30, 2), key=str))
    assert migrated.document_ids("escrow", ["PAID"]) == tuple(sorted(f"T{n}" for n in range(30)))
    migrated.close()
    with sqlite3.connect(path) as conn:
        table = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents'").fetchone()[0]
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'documents'")}
    conn.close()
    assert "WITHOUT ROWID" not in table
    assert {"documents_due", "documents_status"} <= indexes


def test_antfin_files_carry_their_application_id(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "a.db").close()
    with sqlite3.connect(tmp_path / "a.db") as conn:
        (application_id,) = conn.execute("PRAGMA application_id").fetchone()
    conn.close()
    assert application_id.to_bytes(4, "big") == b"antf"


def test_the_ids_by_status_and_by_due_time_come_from_covering_indexes(tmp_path: Path) -> None:
    """The status and due-time reads never visit the documents' rows (their bodies): the indexes answer alone."""
    store = SQLiteStore(tmp_path / "plans.db")
    conn = store._conn
    queries: list[str] = []
    conn.set_trace_callback(queries.append)  # the statements as run, with their values
    assert store.document_ids("escrow", ["PAID", "OPEN"]) == ()
    assert store.documents_due("escrow", AT) == ()
    conn.set_trace_callback(None)
    reads = [query for query in queries if query.startswith("SELECT id FROM documents")]
    plans = [conn.execute(f"EXPLAIN QUERY PLAN {query}").fetchall() for query in reads]
    store.close()
    assert len(reads) == 3
    assert all("COVERING INDEX" in plan[-1][-1] for plan in plans), plans
    assert all("documents_status" in plan[-1][-1] for plan in plans[:2]), plans  # its condition is in the query


def _status_index(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents_status'").fetchone()
    conn.close()
    return str(sql)


def test_a_version_6_file_gets_a_status_index_without_its_records(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    store = SQLiteStore(path)
    ledger = _ledger(store)
    with ledger.atomic():
        ledger.write_documents(
            [
                Document("loan", "L1", 1, "ACTIVE", None, "{}"),
                Document("loan/events", '["L1",1]', 1, RECORD_STATUS, None, "{}"),
            ]
        )
    store.close()
    with sqlite3.connect(path) as conn:  # what version 6 had: every document in the status index
        conn.executescript(
            """
            DROP INDEX documents_status;
            CREATE INDEX documents_status ON documents (kind, status, id);
            UPDATE meta SET value = '6' WHERE name = 'schema_version';
            """
        )
    conn.close()
    assert "WHERE" not in _status_index(path)
    migrated = SQLiteStore(path)
    assert migrated.schema_version == SCHEMA_VERSION == 7
    assert migrated.document_ids("loan", ["ACTIVE"]) == ("L1",)
    assert migrated.document_ids("loan/events", [RECORD_STATUS]) == ('["L1",1]',)
    migrated.close()
    assert "WHERE status <> 'FINAL'" in _status_index(path)


def test_the_wal_is_copied_back_in_large_checkpoints(tmp_path: Path) -> None:
    """Pages changed by several commits are copied back into the file once per checkpoint, not once a commit."""
    store = SQLiteStore(tmp_path / "wal.db")
    ((pages,),) = store._conn.execute("PRAGMA wal_autocheckpoint").fetchall()
    ((mode,),) = store._conn.execute("PRAGMA journal_mode").fetchall()
    store.close()
    assert (pages, mode) == (CHECKPOINT_PAGES, "wal")


def test_the_memory_store_moved_but_its_old_import_still_works() -> None:
    import antfin.ledger.store as port

    assert port.MemoryStore is MemoryStore
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = port.Nothing
