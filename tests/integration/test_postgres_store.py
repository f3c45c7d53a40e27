"""The PostgreSQL store on a real server: faults, bad input, foreign schemas, idempotency across processes.

The tests the SQLite and PostgreSQL stores share (documents, the books, the
ledger's behaviour, concurrency) are parametrized over both elsewhere; these
are the ones only a server has. Without a reachable server they skip (and
fail under ``CI``), see ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from antfin import CNY, Books
from antfin.calendar import shanghai
from antfin.errors import (
    ConcurrencyError,
    InsufficientFundsError,
    InvalidAmountError,
    SchemaError,
    SerializationError,
    StoreError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.ledger.postgres import BIGINT_MAX, SCHEMA_VERSION, PostgresStore
from antfin.ledger.rows import id_range
from antfin.money import Money

psycopg = pytest.importorskip("psycopg")
sql = psycopg.sql

AT = shanghai(2024, 5, 1, 10)


@pytest.fixture
def admin(postgres_url: str) -> Iterator[Any]:
    """A separate autocommit connection, as a database administrator would have."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def make(postgres_url: str, postgres_schema: str) -> Iterator[Callable[..., PostgresStore]]:
    """Open (again) a store on this test's schema; every store opened is closed at the end."""
    opened: list[PostgresStore] = []

    def open_store(**options: Any) -> PostgresStore:
        store = PostgresStore(postgres_url, schema=postgres_schema, **options)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


def _funded(store: PostgresStore) -> Ledger:
    ledger = Ledger(store)
    if not ledger.has_account("asset:bank"):
        ledger.open_account("asset:bank", AccountKind.ASSET)
        ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        ledger.transfer("fund", debit="asset:bank", credit="wallet:a", amount=CNY("100.00"), at=AT)
    return ledger


def _tables(admin: Any, schema: str) -> list[str]:
    return [
        row[0]
        for row in admin.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 1",
            (schema,),
        )
    ]


def _kill(admin: Any, store: PostgresStore) -> None:
    pid = store.backend_pid
    assert pid is not None
    assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    for _ in range(100):  # wait until the server has really ended it
        if admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() == (0,):
            return
        time.sleep(0.02)


def _drop_connection(store: PostgresStore) -> None:
    """Cut the client's socket, as a network failure would (the server sees the connection vanish)."""
    conn = store._conn
    assert conn is not None
    duplicate = socket.socket(fileno=os.dup(conn.pgconn.socket))
    duplicate.shutdown(socket.SHUT_RDWR)
    duplicate.close()


# -- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["backend killed", "connection dropped"])
def test_a_fault_mid_transaction_is_typed_keeps_nothing_and_a_retry_succeeds(
    make: Callable[..., PostgresStore], admin: Any, fault: str
) -> None:
    store = make()
    ledger = _funded(store)

    def pay() -> None:
        with ledger.atomic():
            ledger.transfer("pay-1", debit="wallet:a", credit="asset:bank", amount=CNY("30.00"), at=AT)
            ledger.transfer("pay-2", debit="wallet:a", credit="asset:bank", amount=CNY("20.00"), at=AT)
            if fault == "backend killed":
                _kill(admin, store)
            else:
                _drop_connection(store)

    with pytest.raises(StoreError, match="nothing was written"):
        pay()
    assert ledger.balance("wallet:a") == CNY("100.00")  # the ledger undid the block in memory
    assert Ledger(make()).balance("wallet:a") == CNY("100.00")  # and the database kept none of it
    with ledger.atomic():  # the retry reconnects and succeeds
        ledger.transfer("pay-1", debit="wallet:a", credit="asset:bank", amount=CNY("30.00"), at=AT)
        ledger.transfer("pay-2", debit="wallet:a", credit="asset:bank", amount=CNY("20.00"), at=AT)
    assert store.reconnects == 1
    again = Ledger(make())
    assert again.balance("wallet:a") == CNY("50.00")
    assert [entry.key for entry in again.entries()] == ["fund", "pay-1", "pay-2"]
    again.check_invariants()


def test_a_connection_lost_after_commit_reached_the_server_keeps_the_commit(
    make: Callable[..., PostgresStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make()
    ledger = _funded(store)
    write = store._write

    def write_then_lose_the_answer(*args: Any, **options: Any) -> None:
        write(*args, **options)  # rows and COMMIT reach the server ...
        _drop_connection(store)  # ... but the reply never comes back
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(store, "_write", write_then_lose_the_answer)
    entry = ledger.transfer("pay", debit="wallet:a", credit="asset:bank", amount=CNY("5.00"), at=AT)
    monkeypatch.undo()
    assert store.reconnects == 1  # it asked the server, on a new connection, whether the commit was written
    assert ledger.balance("wallet:a") == CNY("95.00")
    again = Ledger(make())
    assert again.entries()[-1] == entry
    assert again.balance("wallet:a") == CNY("95.00")
    ledger.transfer("after", debit="wallet:a", credit="asset:bank", amount=CNY("1.00"), at=AT)
    assert Ledger(make()).balance("wallet:a") == CNY("94.00")


def test_a_restart_between_transactions_is_survived(make: Callable[..., PostgresStore], admin: Any) -> None:
    store = make()
    ledger = _funded(store)
    for n in range(3):  # the server "restarts" (our backend ends) between transactions
        _kill(admin, store)
        ledger.transfer(f"after-restart-{n}", debit="wallet:a", credit="asset:bank", amount=CNY("1.00"), at=AT)
    assert store.reconnects == 3
    assert store.document("escrow", "T1") is None  # reads reconnect too
    assert Ledger(make()).balance("wallet:a") == CNY("97.00")


def test_a_killed_books_transaction_is_retried_whole(postgres_url: str, postgres_schema: str, admin: Any) -> None:
    with Books.open(postgres_url, schema=postgres_schema) as books:
        with books.transaction() as tx:
            ann = tx.accounts.open("ann", opened_at=AT)
            ann.link_card("C1", at=AT)
        store = books._ledger.store
        assert isinstance(store, PostgresStore)

        def top_up(kill: bool) -> None:
            with books.transaction() as tx:
                tx.accounts.get("ann").top_up("top-up-1", card="C1", amount=CNY("80.00"), at=AT)
                if kill:
                    _kill(admin, store)

        with pytest.raises(StoreError):
            top_up(kill=True)
        with books.read() as tx:
            assert tx.ledger.balance("wallet:ann") == CNY("0.00")
        top_up(kill=False)
        assert books.check().accounts >= 1
    with Books.open(postgres_url, schema=postgres_schema) as books, books.read() as tx:
        assert tx.ledger.balance("wallet:ann") == CNY("80.00")


def test_every_transaction_reads_the_accounts_it_uses_fresh(make: Callable[..., PostgresStore]) -> None:
    one = _funded(make())
    two = Ledger(make())
    assert two.balance("wallet:a") == CNY("100.00")  # cached by two
    one.transfer("spend", debit="wallet:a", credit="asset:bank", amount=CNY("80.00"), at=AT)
    with pytest.raises(InsufficientFundsError):  # two validates against the fresh, locked row
        two.transfer("spend-2", debit="wallet:a", credit="asset:bank", amount=CNY("30.00"), at=AT)
    assert two.balance("wallet:a") == CNY("20.00")
    two.check_invariants()


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="cannot connect") as caught:
        PostgresStore("postgresql://postgres:s3cret@127.0.0.1:1/test", timeout=1)
    assert "s3cret" not in str(caught.value)


def test_a_row_lock_held_too_long_is_a_concurrency_error(make: Callable[..., PostgresStore]) -> None:
    first = make()
    _funded(first)
    second = make(timeout=0.5)
    first.begin()
    try:
        assert first.account("wallet:a") is not None  # read in a write: locked until it ends
        second.begin()
        assert second.account("asset:bank") is not None  # another row: no wait
        started = time.monotonic()
        with pytest.raises(ConcurrencyError, match="holds or changed a row"):
            second.account("wallet:a")
        assert time.monotonic() - started < 5
        second.rollback()
    finally:
        first.rollback()
    second.begin()
    assert second.account("wallet:a") is not None  # free again
    second.rollback()


def test_writers_on_disjoint_accounts_do_not_wait_for_each_other(make: Callable[..., PostgresStore]) -> None:
    ledger = _funded(make())
    ledger.open_account("wallet:c", AccountKind.LIABILITY, non_negative=True)
    other = Ledger(make(timeout=0.5))
    with ledger.atomic():  # holds the rows of wallet:a and asset:bank until it ends
        ledger.transfer("a-out", debit="wallet:a", credit="asset:bank", amount=CNY("1.00"), at=AT)
        other.open_account("wallet:d", AccountKind.LIABILITY)
        other.transfer("d-c", debit="wallet:d", credit="wallet:c", amount=CNY("2.00"), at=AT)  # does not wait
        with pytest.raises(ConcurrencyError):
            other.transfer("a-too", debit="wallet:a", credit="wallet:c", amount=CNY("1.00"), at=AT)
    assert Ledger(make()).balance("wallet:c") == CNY("2.00")
    assert Ledger(make()).balance("wallet:a") == CNY("99.00")


def test_an_account_opened_by_two_writers_at_once_keeps_one_set_of_totals(make: Callable[..., PostgresStore]) -> None:
    one = _funded(make())
    two = Ledger(make())

    def race() -> None:
        with one.atomic():
            one.open_account("wallet:new", AccountKind.LIABILITY, non_negative=True)
            one.transfer("in-1", debit="asset:bank", credit="wallet:new", amount=CNY("5.00"), at=AT)
            with two.atomic():  # two cannot see one's account yet: it opens it too, and commits first
                two.open_account("wallet:new", AccountKind.LIABILITY, non_negative=True)
                two.transfer("in-2", debit="wallet:a", credit="wallet:new", amount=CNY("7.00"), at=AT)

    with pytest.raises(ConcurrencyError, match="opened by another transaction"):
        race()
    again = Ledger(make())
    assert again.balance("wallet:new") == CNY("7.00")  # two's totals, not overwritten by one's
    assert not again.key_used("in-1")
    again.check_invariants()


# -- idempotency across processes -------------------------------------------------------------


def test_the_same_key_from_two_ledgers_applies_once_with_one_result(make: Callable[..., PostgresStore]) -> None:
    one = _funded(make())
    two = Ledger(make())  # loaded before either pays: both have the same view
    first = one.transfer("order-9", debit="wallet:a", credit="asset:bank", amount=CNY("9.00"), at=AT)
    second = two.transfer("order-9", debit="wallet:a", credit="asset:bank", amount=CNY("9.00"), at=AT)
    assert first == second
    assert Ledger(make()).balance("wallet:a") == CNY("91.00")


def test_keys_are_unique_in_the_database(make: Callable[..., PostgresStore], admin: Any, postgres_schema: str) -> None:
    _funded(make())
    table = sql.Identifier(postgres_schema, "entries")
    with pytest.raises(psycopg.errors.UniqueViolation):
        admin.execute(
            sql.SQL(
                "INSERT INTO {} (seq, id, key, fingerprint, at, memo, metadata) "
                "VALUES (99, 'E99', 'fund', '', '', '', '{{}}')"
            ).format(table)
        )
    keys = sql.Identifier(postgres_schema, "keys")
    with pytest.raises(psycopg.errors.UniqueViolation):
        admin.execute(
            sql.SQL(
                "INSERT INTO {} (key, fingerprint, kind, ref, version) VALUES ('fund', '', 'hold', 'H1', 1)"
            ).format(keys)
        )


# -- bad input --------------------------------------------------------------------------------

UNICODE = [
    "钱包:张三",
    "wallet:🐜🏦",
    "ключ",
    "مرحبا\u200f",
    "e\u0301",
    "line\u2028sep",
    "tab\tand\nnewline",
    "'; DROP TABLE entries; --",
]


def test_any_unicode_in_ids_keys_and_memos_comes_back(make: Callable[..., PostgresStore]) -> None:
    ledger = _funded(make())
    for n, text in enumerate(UNICODE):
        ledger.open_account(f"wallet:{text}", AccountKind.LIABILITY, non_negative=True, owner=text)
        ledger.transfer(text, debit="wallet:a", credit=f"wallet:{text}", amount=CNY("1.00"), at=AT, memo=text * 3,
                        metadata={text: text})  # fmt: skip
        assert ledger.balance(f"wallet:{text}") == CNY("1.00"), n
    again = Ledger(make())
    assert again.entries() == ledger.entries()
    assert again.accounts() == ledger.accounts()


@pytest.mark.parametrize("field", ["key", "memo", "account"])
@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "nul\x00byte"])
def test_text_postgresql_cannot_hold_is_a_typed_error_and_nothing_changes(
    make: Callable[..., PostgresStore], field: str, bad: str
) -> None:
    store = make()
    ledger = _funded(store)
    before = (ledger.entries(), ledger.accounts(), store.version)

    def call() -> object:
        if field == "account":
            return ledger.open_account(f"wallet:{bad}", AccountKind.LIABILITY)
        key, memo = (bad, "") if field == "key" else ("k", bad)
        return ledger.transfer(key, debit="wallet:a", credit="asset:bank", amount=CNY("1.00"), at=AT, memo=memo)

    # The ledger itself refuses lone surrogates (InvalidAmountError) before any store sees them; the store
    # refuses what only PostgreSQL cannot hold (U+0000) with a SerializationError. Either is typed.
    with pytest.raises((SerializationError, InvalidAmountError), match=r"surrogate|U\+0000"):
        call()
    assert (ledger.entries(), ledger.accounts(), store.version) == before
    assert Ledger(make()).entries() == before[0]
    ledger.transfer("next", debit="wallet:a", credit="asset:bank", amount=CNY("1.00"), at=AT)  # still usable


def test_amounts_beyond_bigint_are_refused_before_sql(make: Callable[..., PostgresStore]) -> None:
    store = make()
    ledger = _funded(store)
    ledger.open_account("asset:vault", AccountKind.ASSET)
    ledger.open_account("equity:owner", AccountKind.EQUITY)
    most = Money.from_minor_units(BIGINT_MAX)
    ledger.transfer("most", debit="asset:vault", credit="equity:owner", amount=most, at=AT)
    version = store.version
    with pytest.raises(InvalidAmountError, match=r"BIGINT|2\*\*63"):
        ledger.transfer("too-much", debit="asset:bank", credit="equity:owner",
                        amount=Money.from_minor_units(BIGINT_MAX + 1), at=AT)  # fmt: skip
    with pytest.raises(InvalidAmountError, match=r"BIGINT|2\*\*63"):
        ledger.hold("hold-too-much", debit="asset:bank", credit="equity:owner",
                    amount=Money.from_minor_units(10**30), at=AT)  # fmt: skip
    assert store.version == version
    assert Ledger(make()).balance("asset:vault") == most


def test_a_schema_name_is_quoted_never_interpolated(postgres_url: str, postgres_schema: str, admin: Any) -> None:
    name = f'{postgres_schema} "x"; DROP TABLE y; --'
    try:
        store = PostgresStore(postgres_url, schema=name)
        _funded(store)
        store.close()
        assert "entries" in _tables(admin, name)
        again = Ledger(PostgresStore(postgres_url, schema=name))
        assert again.balance("wallet:a") == CNY("100.00")
        again.close()
    finally:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.mark.parametrize("name", ["", "pg_mine", "x" * 64, "a\x00b"])
def test_schema_names_postgresql_cannot_have_are_refused(postgres_url: str, name: str) -> None:
    with pytest.raises(ValueError, match="schema"):
        PostgresStore(postgres_url, schema=name)


# -- the schema -------------------------------------------------------------------------------


def test_a_foreign_schema_is_refused_and_left_untouched(postgres_url: str, postgres_schema: str, admin: Any) -> None:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(postgres_schema)))
    admin.execute(sql.SQL("CREATE TABLE {} (id INT PRIMARY KEY)").format(sql.Identifier(postgres_schema, "orders")))
    with pytest.raises(SchemaError, match=r"not antfin's .*orders"):
        PostgresStore(postgres_url, schema=postgres_schema)
    with pytest.raises(SchemaError):
        Books.open(postgres_url, schema=postgres_schema)
    assert _tables(admin, postgres_schema) == ["orders"]


def test_an_unknown_version_is_refused_before_writing(
    make: Callable[..., PostgresStore], admin: Any, postgres_schema: str
) -> None:
    assert make().schema_version == SCHEMA_VERSION
    versions = sql.Identifier(postgres_schema, "antfin_schema")
    admin.execute(sql.SQL("INSERT INTO {} (version, description) VALUES (99, 'future')").format(versions))
    with pytest.raises(SchemaError, match="version 99"):
        make()
    assert admin.execute(sql.SQL("SELECT max(version) FROM {}").format(versions)).fetchone() == (99,)


def test_the_search_path_in_the_url_chooses_the_schema(postgres_url: str, postgres_schema: str, admin: Any) -> None:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(postgres_schema)))
    url = f"{postgres_url}{'&' if '?' in postgres_url else '?'}options=-csearch_path%3D{postgres_schema}"
    with Books.open(url) as books, books.transaction() as tx:
        tx.accounts.open("ann", opened_at=AT)
    assert "documents" in _tables(admin, postgres_schema)
    with Books.open(postgres_url, schema=postgres_schema) as books, books.read() as tx:
        assert "ann" in tx.accounts


def test_a_search_path_naming_no_schema_is_refused(postgres_url: str) -> None:
    url = f"{postgres_url}{'&' if '?' in postgres_url else '?'}options=-csearch_path%3Dno_such_schema_here"
    with pytest.raises(SchemaError, match="no current schema"):
        PostgresStore(url)


def test_two_processes_opening_a_new_schema_at_once_both_succeed(postgres_url: str, postgres_schema: str) -> None:
    code = (
        "import sys; from antfin.ledger.postgres import PostgresStore; "
        "print(PostgresStore(sys.argv[1], schema=sys.argv[2]).schema_version)"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, postgres_url, postgres_schema], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(3)
    ]
    assert [child.communicate(timeout=60)[0].strip() for child in children] == [str(SCHEMA_VERSION)] * 3


def test_importing_antfin_never_imports_psycopg() -> None:
    code = "import sys, antfin, antfin.ledger, antfin.books; assert 'psycopg' not in sys.modules, 'psycopg imported'"
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))


def test_a_version_1_schema_is_migrated_with_totals_and_entries_by_instant(
    make: Callable[..., PostgresStore], admin: Any, postgres_schema: str
) -> None:
    from antfin.ledger.postgres_schema import _MIGRATIONS

    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(postgres_schema)))
    admin.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(postgres_schema)))
    admin.execute(
        "CREATE TABLE antfin_schema (version INTEGER PRIMARY KEY, "
        "applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), description TEXT NOT NULL)"
    )
    admin.execute(_MIGRATIONS[1][1])
    admin.execute("INSERT INTO antfin_schema (version, description) VALUES (1, 'as version 1 wrote it')")
    for account, kind in (("asset:bank", "asset"), ("wallet:a", "liability")):
        admin.execute(
            "INSERT INTO accounts (id, kind, currency, non_negative, owner, purpose, metadata, closed, version) "
            "VALUES (%s, %s, 'CNY', %s, NULL, '', '{}', FALSE, 1)",
            (account, kind, kind == "liability"),
        )
    for seq, day in ((1, 1), (2, 3)):
        admin.execute(
            "INSERT INTO entries (seq, id, key, fingerprint, at, memo, metadata, reverses, hold_id) "
            "VALUES (%s, %s, %s, '', %s, '', '{}', NULL, NULL)",
            (seq, f"E{seq}", f"k{seq}", shanghai(2024, 1, day, 9).isoformat()),
        )
        admin.execute(
            "INSERT INTO postings (entry_seq, line, account, minor, currency) "
            "VALUES (%s, 0, 'asset:bank', 500, 'CNY'), (%s, 1, 'wallet:a', -500, 'CNY')",
            (seq, seq),
        )
    admin.execute("UPDATE head SET version = 1, last_entry = 2")
    admin.execute("INSERT INTO commits (version, last_entry, token) VALUES (1, 2, gen_random_uuid())")
    store = make()
    assert store.schema_version == SCHEMA_VERSION
    ledger = Ledger(store)
    assert ledger.balance("wallet:a") == CNY("10.00")
    days = [shanghai(2023, 12, 31), shanghai(2024, 1, 2), shanghai(2024, 1, 4)]
    assert ledger.balances_at(["wallet:a"], days) == (CNY("0"), CNY("5.00"), CNY("10.00"))
    assert [account for account, _, _ in store.movements({"wallet:a"}, shanghai(2024, 1, 2))] == ["wallet:a"]


def test_the_accounts_under_a_prefix_are_a_range_of_the_index_of_ids(
    make: Callable[..., PostgresStore], admin: Any, postgres_schema: str
) -> None:
    ledger = Ledger(make())
    for name in ("fund:f:position:a", "fund:f:position:b", "fund:f:positions", "fund:g:position:a"):
        ledger.open_account(name, AccountKind.LIABILITY)
    assert [account.id for account in ledger.accounts("fund:f:position:")] == ["fund:f:position:a", "fund:f:position:b"]
    # The condition the store reads with: a range the planner answers from the unique index on ids (COLLATE "C")
    # on any PostgreSQL (a function of the column such as starts_with needs the planner support of version 15).
    where, bounds = id_range("fund:f:position:", "%s")
    admin.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(postgres_schema)))
    admin.execute("SET enable_seqscan = off")
    plan = "\n".join(row[0] for row in admin.execute(f"EXPLAIN SELECT id, seq FROM accounts WHERE {where}", bounds))
    assert "Index" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_status_index_leaves_out_archived_records(
    make: Callable[..., PostgresStore], admin: Any, postgres_schema: str
) -> None:
    make().close()  # creates the schema, every migration applied
    admin.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(postgres_schema)))
    (definition,) = admin.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'documents_status'").fetchone()
    assert "WHERE (status <> 'FINAL'::text)" in definition
    admin.execute("SET enable_seqscan = off")
    query = "EXPLAIN SELECT id FROM documents WHERE kind = %s AND status = ANY(%s) AND status <> 'FINAL' ORDER BY id"
    plan = "\n".join(row[0] for row in admin.execute(query, ("loan", ["ACTIVE"])))
    assert "documents_status" in plan, plan
