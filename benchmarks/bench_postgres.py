"""PostgreSQL vs SQLite with 8 writer processes on one ledger (issue 15).

Cases (every process has its own ledger and store on the same database or file):
  (a) disjoint: each process moves money back and forth between its own two wallets,
      one committed transfer per call; committed transfers per second, all processes
      together, on PostgreSQL and on SQLite (``synchronous=NORMAL``, the default, and
      ``FULL``, which like PostgreSQL's default survives power loss).
      Target: PostgreSQL >= 3x SQLite (default settings).
  (b) overlapping: every process replays overlapping subsets of one pool of keys, in its
      own order, between six shared non-negative wallets with little money (so some
      transfers are refused). Afterwards: no key applied twice, every process got the same
      entry for the same key, no committed entry lost, no wallet ever below zero, books
      balanced. Throughput and retries (operations repeated after a store error).
  (c) informational: the floor, a raw-SQL row-lock prototype (NOT the library):
      a balance row per account, locked by the transfer's own UPDATEs (in account order),
      running balances on the postings, the idempotency key UNIQUE; no global lock.

Run:  PYTHONPATH=src /work/venv/bin/python benchmarks/bench_postgres.py [--quick] [--check]
      [--url postgresql://postgres@127.0.0.1:5432/test] [--processes 8] [--transfers N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from antfin.calendar import shanghai
from antfin.errors import ConcurrencyError, InsufficientFundsError, StoreError
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.ledger.store import SharedLedgerStore
from antfin.money import Money

TARGET = 3.0
AT = shanghai(2024, 6, 1, 12)
SHARED_WALLETS = 6
DEFAULT_URL = os.environ.get("ANTFIN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def open_store(kind: str, where: str, schema: str) -> SharedLedgerStore:
    if kind == "postgres":
        from antfin.ledger.postgres import PostgresStore

        return PostgresStore(where, schema=schema, timeout=120)
    return SQLiteStore(where, synchronous=schema or "NORMAL", timeout=120)


# -- workers (module level, so that spawned processes find them) -------------------------------


def _retrying(call: Callable[[], Any], retries: list[int]) -> Any:
    for attempt in range(20):
        try:
            return call()
        except (StoreError, ConcurrencyError):
            if attempt == 19:
                raise
            retries[0] += 1
            time.sleep(0.01 * (attempt + 1))
    return None  # pragma: no cover


def disjoint_worker(kind: str, where: str, schema: str, n: int, count: int, barrier: Any, out: Any) -> None:
    ledger = Ledger(open_store(kind, where, schema))
    retries = [0]
    mine = (f"wallet:p{n}:a", f"wallet:p{n}:b")
    amount = Money.from_minor_units(100)
    barrier.wait()
    start = time.perf_counter()
    for i in range(count):
        debit, credit = (mine[0], mine[1]) if i % 2 == 0 else (mine[1], mine[0])

        def move(key: str = f"p{n}:t{i}", debit: str = debit, credit: str = credit) -> Any:
            return ledger.transfer(key, debit=debit, credit=credit, amount=amount, at=AT)

        _retrying(move, retries)
    end = time.perf_counter()
    ledger.close()
    out.put((start, end, count, retries[0]))


def overlap_worker(kind: str, where: str, schema: str, n: int, keys: list[int], barrier: Any, out: Any) -> None:
    ledger = Ledger(open_store(kind, where, schema))
    retries = [0]
    seen: dict[str, str] = {}
    refused = 0
    barrier.wait()
    start = time.perf_counter()
    for k in keys:
        debit, credit, minor = overlap_transfer(k)

        def move(k: int = k, debit: str = debit, credit: str = credit, minor: int = minor) -> Any:
            return ledger.transfer(f"k:{k}", debit=debit, credit=credit, amount=Money.from_minor_units(minor), at=AT)

        try:
            seen[f"k:{k}"] = _retrying(move, retries).id
        except InsufficientFundsError:
            refused += 1
    end = time.perf_counter()
    reconnects = getattr(ledger.store, "reconnects", 0)
    ledger.close()
    out.put((start, end, seen, refused, retries[0], reconnects))


def overlap_transfer(k: int) -> tuple[str, str, int]:
    debit = k % SHARED_WALLETS
    credit = (debit + 1 + k % (SHARED_WALLETS - 1)) % SHARED_WALLETS
    return f"wallet:s{debit}", f"wallet:s{credit}", 50 + (k * 37) % 450


def prototype_worker(url: str, schema: str, n: int, count: int, barrier: Any, out: Any) -> None:
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    conn.execute(psycopg.sql.SQL("SET search_path TO {}").format(psycopg.sql.Identifier(schema)))
    barrier.wait()
    start = time.perf_counter()
    for i in range(count):
        a, b = (f"p{n}:a", f"p{n}:b") if i % 2 == 0 else (f"p{n}:b", f"p{n}:a")
        conn.execute("SELECT transfer(%s, %s, %s, %s)", (f"p{n}:t{i}", a, b, 100))
    end = time.perf_counter()
    conn.close()
    out.put((start, end, count, 0))


# -- running ----------------------------------------------------------------------------------


def run_processes(target: Callable[..., None], args_for: Callable[[int], tuple[Any, ...]], processes: int) -> list[Any]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    children = [ctx.Process(target=target, args=(*args_for(n), barrier, out)) for n in range(processes)]
    for child in children:
        child.start()
    results = [out.get(timeout=1800) for _ in children]
    for child in children:
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"a worker failed (exit {child.exitcode})")
    return results


def fresh_schema(url: str) -> str:
    return f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(psycopg.sql.Identifier(schema)))


def setup_disjoint(store: SharedLedgerStore, processes: int) -> None:
    ledger = Ledger(store)
    with ledger.atomic():
        ledger.open_account("asset:bank", AccountKind.ASSET)
        for n in range(processes):
            for side in "ab":
                ledger.open_account(f"wallet:p{n}:{side}", AccountKind.LIABILITY, non_negative=True)
                ledger.transfer(f"fund:p{n}:{side}", debit="asset:bank", credit=f"wallet:p{n}:{side}",
                                amount=Money.from_minor_units(1_000_000), at=AT)  # fmt: skip
    ledger.close()


def disjoint(kind: str, where: str, schema: str, processes: int, count: int) -> tuple[float, int]:
    setup_disjoint(open_store(kind, where, schema), processes)
    results = run_processes(disjoint_worker, lambda n: (kind, where, schema, n, count), processes)
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    done = sum(r[2] for r in results)
    ledger = Ledger(open_store(kind, where, schema))  # loading checks the invariants
    assert len(ledger.entries()) == 2 * processes + done, "lost or doubled transfers"
    assert ledger.trial_balance().is_balanced
    for n in range(processes):
        total = ledger.balance(f"wallet:p{n}:a").minor_units + ledger.balance(f"wallet:p{n}:b").minor_units
        assert total == 2_000_000
    ledger.close()
    return done / wall, sum(r[3] for r in results)


def overlap(kind: str, where: str, schema: str, processes: int, count: int) -> dict[str, Any]:
    ledger = Ledger(open_store(kind, where, schema))
    with ledger.atomic():
        ledger.open_account("asset:bank", AccountKind.ASSET)
        for w in range(SHARED_WALLETS):
            ledger.open_account(f"wallet:s{w}", AccountKind.LIABILITY, non_negative=True)
            ledger.transfer(f"fund:s{w}", debit="asset:bank", credit=f"wallet:s{w}",
                            amount=Money.from_minor_units(2_000), at=AT)  # fmt: skip
    ledger.close()
    pool = count * processes // 2  # every key is tried by about two processes

    def keys_for(n: int) -> tuple[Any, ...]:
        return (kind, where, schema, n, random.Random(n).sample(range(pool), count))

    results = run_processes(overlap_worker, keys_for, processes)
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    seen: dict[str, set[str]] = {}
    for r in results:
        for key, entry_id in r[2].items():
            seen.setdefault(key, set()).add(entry_id)
    ledger = Ledger(open_store(kind, where, schema))  # loading checks the invariants
    entries = [entry for entry in ledger.entries() if entry.key.startswith("k:")]
    by_key = {entry.key: entry.id for entry in entries}
    doubled = len(entries) - len(by_key)
    different = sum(1 for ids in seen.values() if len(ids) != 1)
    lost = sum(1 for key, ids in seen.items() if by_key.get(key) not in ids)
    # Replay every entry in commit order: a non-negative wallet may never have gone below zero.
    balance = dict.fromkeys((f"wallet:s{w}" for w in range(SHARED_WALLETS)), 0)
    lowest = 0
    for entry in ledger.entries():
        for posting in entry.postings:
            if posting.account in balance:
                balance[posting.account] -= posting.amount.minor_units  # a liability: credit raises it
                lowest = min(lowest, balance[posting.account])
    ledger.check_invariants()
    balanced = ledger.trial_balance().is_balanced
    ledger.close()
    attempted = sum(len(r[2]) + r[3] for r in results)
    return {
        "rate": attempted / wall,
        "applied": len(by_key),
        "replays": sum(len(r[2]) for r in results) - len(by_key),
        "refused": sum(r[3] for r in results),
        "retries": sum(r[4] for r in results),
        "reconnects": sum(r[5] for r in results),
        "doubled": doubled,
        "different": different,
        "lost": lost,
        "lowest": lowest,
        "balanced": balanced,
    }


PROTOTYPE = """
CREATE TABLE balances (id TEXT PRIMARY KEY, balance BIGINT NOT NULL, non_negative BOOLEAN NOT NULL);
CREATE TABLE entries (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE postings (entry_seq BIGINT NOT NULL REFERENCES entries (seq), account TEXT NOT NULL,
                       minor BIGINT NOT NULL, balance_after BIGINT NOT NULL);
CREATE FUNCTION transfer(k TEXT, debit TEXT, credit TEXT, amount BIGINT) RETURNS BIGINT LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE e BIGINT; b BIGINT; acct TEXT;
BEGIN
    INSERT INTO entries (key) VALUES (k) ON CONFLICT (key) DO NOTHING RETURNING seq INTO e;
    IF e IS NULL THEN RETURN (SELECT seq FROM entries WHERE key = k); END IF;  -- a replay: the first result
    FOREACH acct IN ARRAY (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY[debit, credit]) x) LOOP
        IF acct = debit THEN
            UPDATE balances SET balance = balance - amount WHERE id = acct RETURNING balance INTO b;
            IF b < 0 AND (SELECT non_negative FROM balances WHERE id = acct) THEN
                RAISE EXCEPTION 'insufficient funds in %', acct;
            END IF;
            INSERT INTO postings VALUES (e, acct, amount, b);
        ELSE
            UPDATE balances SET balance = balance + amount WHERE id = acct RETURNING balance INTO b;
            INSERT INTO postings VALUES (e, acct, -amount, b);
        END IF;
    END LOOP;
    RETURN e;
END $$;
"""


def prototype(url: str, processes: int, count: int) -> float:
    import psycopg

    schema = fresh_schema(url)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("CREATE SCHEMA {}").format(psycopg.sql.Identifier(schema)))
            conn.execute(psycopg.sql.SQL("SET search_path TO {}").format(psycopg.sql.Identifier(schema)))
            conn.execute(PROTOTYPE)
            for n in range(processes):
                for side in "ab":
                    conn.execute("INSERT INTO balances VALUES (%s, 1000000, true)", (f"p{n}:{side}",))
        results = run_processes(prototype_worker, lambda n: (url, schema, n, count), processes)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("SET search_path TO {}").format(psycopg.sql.Identifier(schema)))
            row = conn.execute("SELECT (SELECT count(*) FROM entries), (SELECT sum(balance) FROM balances)").fetchone()
            assert row is not None
            assert row[0] == processes * count, "lost or doubled transfers"
            assert row[1] == processes * 2_000_000, "money created or destroyed"
    finally:
        drop_schema(url, schema)
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    return processes * count / wall


def with_option(url: str, option: str) -> str:
    """``url`` with a server setting added to its ``options`` parameter (``-c name=value``)."""
    return f"{url}{'&' if '?' in url else '?'}options=-c{option.replace('=', '%3D')}"


def run_disjoint(url: str, folder: str, procs: int, count: int) -> dict[str, float]:
    rates: dict[str, float] = {}
    for name, where in (("pg", url), ("pg-async", with_option(url, "synchronous_commit=off"))):
        schema = fresh_schema(url)
        try:
            rates[name], retries = disjoint("postgres", where, schema, procs, count)
        finally:
            drop_schema(url, schema)
        rates[f"{name}-retries"] = retries
    for sync in ("NORMAL", "FULL"):
        rates[sync], _ = disjoint("sqlite", os.path.join(folder, f"disjoint-{sync}.db"), sync, procs, count)
    print("(a) disjoint account pairs (committed transfers/s, all processes):")
    print(f"    PostgreSQL, row locks, synchronous_commit=on       {rates['pg']:>7,.0f}/s  (the default; "
          f"retries {rates['pg-retries']:.0f})")  # fmt: skip
    print(f"    PostgreSQL, row locks, synchronous_commit=off      {rates['pg-async']:>7,.0f}/s  (retries "
          f"{rates['pg-async-retries']:.0f})")  # fmt: skip
    print(f"    SQLite, synchronous=NORMAL                         {rates['NORMAL']:>7,.0f}/s  (the default)")
    print(f"    SQLite, synchronous=FULL                           {rates['FULL']:>7,.0f}/s")
    print(
        f"    PostgreSQL / SQLite, default settings = {rates['pg'] / rates['NORMAL']:.2f}; "
        f"with like durability: on / FULL = {rates['pg'] / rates['FULL']:.2f}, "
        f"off / NORMAL = {rates['pg-async'] / rates['NORMAL']:.2f}"
    )
    return rates


def run_scaling(url: str, folder: str, count: int) -> None:
    print("(d) informational: disjoint pairs by number of processes (committed transfers/s, all processes):")
    for procs in (1, 2, 4, 8):
        schema = fresh_schema(url)
        try:
            pg, _ = disjoint("postgres", url, schema, procs, count)
        finally:
            drop_schema(url, schema)
        lite, _ = disjoint("sqlite", os.path.join(folder, f"scaling-{procs}.db"), "NORMAL", procs, count)
        print(f"    {procs} process(es): PostgreSQL {pg:>7,.0f}/s   SQLite (NORMAL) {lite:>7,.0f}/s")


def run_overlap(url: str, folder: str, procs: int, count: int) -> None:
    print("(b) overlapping accounts and keys (attempted transfers/s; replays and refusals included):")
    for kind in ("postgres", "sqlite"):
        where = url if kind == "postgres" else os.path.join(folder, "overlap.db")
        schema = fresh_schema(url) if kind == "postgres" else "NORMAL"
        try:
            o = overlap(kind, where, schema, procs, count)
        finally:
            if kind == "postgres":
                drop_schema(url, schema)
        print(
            f"    {kind:<10} {o['rate']:>7,.0f}/s  applied {o['applied']:,}, replayed {o['replays']:,}, "
            f"refused {o['refused']:,} (insufficient funds), retries {o['retries']}, reconnects {o['reconnects']}"
        )
        print(
            f"               doubled {o['doubled']}, different results for one key {o['different']}, "
            f"lost {o['lost']}, lowest wallet balance ever {o['lowest']} fen, balanced {o['balanced']}"
        )
        assert o["doubled"] == o["different"] == o["lost"] == 0, o
        assert o["lowest"] >= 0, o
        assert o["balanced"], o


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small smoke size (100 transfers per process)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--transfers", type=int, default=None, help="transfers per process")
    parser.add_argument("--scaling", action="store_true", help="also: both stores with 1, 2, 4 and 8 processes")
    args = parser.parse_args(argv)
    count = args.transfers or (100 if args.quick else 1_000)
    procs = args.processes
    try:
        import psycopg

        with psycopg.connect(args.url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT current_setting('server_version'), current_setting('synchronous_commit')"
            ).fetchone()
    except Exception as error:
        print(f"PostgreSQL benchmark skipped: no server at {args.url} ({error})")
        return 1 if args.check else 0
    assert row is not None
    print(f"postgres benchmark: {procs} processes x {count:,} transfers, one committed transfer per call")
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus, "
        f"sqlite {sqlite3.sqlite_version}, postgresql {row[0]} (synchronous_commit={row[1]}), "
        f"{time.strftime('%Y-%m-%d')}; rates use wall time from the first start to the last end"
    )
    folder = tempfile.mkdtemp()
    rates = run_disjoint(args.url, folder, procs, count)
    run_overlap(args.url, folder, procs, count)
    print("(c) informational: row-lock prototype in raw SQL (not the library), disjoint pairs:")
    for setting in ("on", "off"):
        proto = prototype(with_option(args.url, f"synchronous_commit={setting}"), procs, count)
        print(f"    PostgreSQL, balance rows locked per transfer, synchronous_commit={setting:<3}  {proto:>7,.0f}/s"
              f"  = {proto / rates['NORMAL']:.2f} x SQLite (default)")  # fmt: skip
    if args.scaling:
        run_scaling(args.url, folder, count)
    met = rates["pg"] / rates["NORMAL"] >= TARGET
    print(f"target PostgreSQL >= {TARGET:g} x SQLite (disjoint pairs, the library, default settings): "
          f"{'met' if met else 'MISSED'}")  # fmt: skip
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
