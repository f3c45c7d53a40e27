"""Ledger throughput: 100,000 transfers among 1,000 accounts (issue 3).

Cases:
  (a) memory store, one transfer per call;
  (b) SQLite store, committing in atomic batches of 1,000 transfers;
  (c) SQLite store, committing every transfer;
  (d) baseline: raw sqlite3 ``executemany`` inserting the same entry and posting
      rows (with their chain pointers) into the same schema in one transaction
      (no ledger at all).

Targets: (a) >= 75,000 transfers/s on a quiet machine (issue 19); (b) >= half of (a) (durability costs at most 2x).

Run:  /work/venv/bin/python benchmarks/bench_ledger.py [--quick] [--transfers N] [--accounts N]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime

from antfin.calendar import shanghai
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.ledger.rows import ENTRY_COLUMNS as _ENTRY_COLUMNS
from antfin.money import Money

Transfer = tuple[str, str, str, Money]

MEMORY_TARGET = 75_000.0
DURABILITY_FACTOR = 0.5


def make_transfers(count: int, accounts: int, seed: int = 20240501) -> list[Transfer]:
    """Random transfers between distinct wallets, amounts 0.01 to 100.00 yuan."""
    rng = random.Random(seed)
    transfers: list[Transfer] = []
    for n in range(count):
        a = rng.randrange(accounts)
        b = rng.randrange(accounts - 1)
        b += b >= a
        transfers.append((f"bench:{n}", f"wallet:{a}", f"wallet:{b}", Money.from_minor_units(rng.randint(1, 10_000))))
    return transfers


def open_wallets(ledger: Ledger, accounts: int, at: datetime) -> None:
    """Open ``accounts`` non-negative wallets and fund each (not timed)."""
    with ledger.atomic():
        ledger.open_account("asset:bank", AccountKind.ASSET)
        for i in range(accounts):
            ledger.open_account(f"wallet:{i}", AccountKind.LIABILITY, non_negative=True)
            ledger.transfer(
                f"fund:{i}",
                debit="asset:bank",
                credit=f"wallet:{i}",
                amount=Money.from_minor_units(10**10),
                at=at,
            )


def timed(run: Callable[[], None]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run()`` (the setup's garbage is collected first; the GC stays on)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_memory(
    transfers: list[Transfer], accounts: int, at: datetime, *, pause_gc: bool = False
) -> tuple[float, float, Ledger]:
    ledger = Ledger()
    open_wallets(ledger, accounts, at)
    transfer = ledger.transfer

    def run() -> None:
        for key, debit, credit, amount in transfers:
            transfer(key, debit=debit, credit=credit, amount=amount, at=at)

    if pause_gc:  # what timeit does by default; only for the informational line
        gc.disable()
    try:
        wall, cpu = timed(run)
    finally:
        gc.enable()
    return wall, cpu, ledger


def bench_sqlite(
    transfers: list[Transfer], accounts: int, at: datetime, path: str, batch: int
) -> tuple[float, float, Ledger]:
    ledger = Ledger(SQLiteStore(path))
    open_wallets(ledger, accounts, at)
    transfer = ledger.transfer

    def run() -> None:
        if batch <= 1:
            for key, debit, credit, amount in transfers:
                transfer(key, debit=debit, credit=credit, amount=amount, at=at)
            return
        for start in range(0, len(transfers), batch):
            with ledger.atomic():
                for key, debit, credit, amount in transfers[start : start + batch]:
                    transfer(key, debit=debit, credit=credit, amount=amount, at=at)

    wall, cpu = timed(run)
    return wall, cpu, ledger


def bench_raw(transfers: list[Transfer], at: datetime, path: str) -> tuple[float, float]:
    """Insert the rows the store would write, with executemany, in one transaction."""
    SQLiteStore(path).close()  # the same schema, empty
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    stamp = at.isoformat()
    entries = []
    postings = []
    last: dict[str, int] = {}  # each posting points at the previous entry on its account (schema 5)
    for seq, (key, debit, credit, amount) in enumerate(transfers, start=1):
        minor = amount.minor_units
        entries.append((seq, f"E{seq}", key, f"transfer|{debit}|{credit}|{minor}|CNY", stamp, "", "{}", None, None))
        postings.append((seq, 0, debit, minor, "CNY", last.get(debit)))
        postings.append((seq, 1, credit, -minor, "CNY", last.get(credit)))
        last[debit] = last[credit] = seq

    def run() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO entries ({_ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", entries)
        conn.executemany(
            "INSERT INTO postings (entry_seq, line, account, minor, currency, prev_entry) VALUES (?, ?, ?, ?, ?, ?)",
            postings,
        )
        conn.execute("INSERT INTO commits (version, last_entry) VALUES (1, ?)", (len(entries),))
        conn.execute("COMMIT")

    wall, cpu = timed(run)
    conn.close()
    return wall, cpu


def check_reopen(ledger: Ledger, path: str, accounts: int) -> str:
    """Reopen the file and compare every balance and the entry count (not timed)."""
    expected = (ledger.counts(), [ledger.balance(f"wallet:{i}") for i in range(accounts)])
    ledger.close()
    again = Ledger(SQLiteStore(path))
    try:
        same = (again.counts(), [again.balance(f"wallet:{i}") for i in range(accounts)]) == expected
    finally:
        again.close()
    return "identical" if same else "DIFFERENT"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small smoke size (5,000 transfers)")
    parser.add_argument("--transfers", type=int, default=None)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args(argv)
    count = args.transfers or (5_000 if args.quick else 100_000)
    accounts = args.accounts
    at = shanghai(2024, 5, 1, 10)
    transfers = make_transfers(count, accounts)

    print(f"ledger benchmark: {count:,} transfers among {accounts:,} non-negative wallets")
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus, "
        f"sqlite {sqlite3.sqlite_version}, {time.strftime('%Y-%m-%d')}; rates use wall time (CPU time beside)"
    )
    rates: dict[str, float] = {}
    cpu_rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu, memory_ledger = bench_memory(transfers, accounts, at)
        memory_ledger.check_invariants()
        rates["a"] = count / wall
        cpu_rates["a"] = count / cpu
        print(f"(a) memory store, per transfer     {rates['a']:>10,.0f} transfers/s  (cpu {count / cpu:,.0f}/s)")
        del memory_ledger
        wall, cpu, paused_ledger = bench_memory(transfers, accounts, at, pause_gc=True)
        print(
            f"    informational: (a) with the cyclic GC paused {count / wall:>7,.0f} transfers/s"
            f"  (cpu {count / cpu:,.0f}/s): the collector's share of (a)"
        )
        del paused_ledger

        path_b = os.path.join(tmp, "b.db")
        wall, cpu, ledger_b = bench_sqlite(transfers, accounts, at, path_b, args.batch)
        ledger_b.check_invariants()
        rates["b"] = count / wall
        cpu_rates["b"] = count / cpu
        print(
            f"(b) SQLite, batches of {args.batch:,}       {rates['b']:>10,.0f} transfers/s  (cpu {count / cpu:,.0f}/s)"
            f"  reopen: {check_reopen(ledger_b, path_b, accounts)}"
        )

        path_c = os.path.join(tmp, "c.db")
        wall, cpu, ledger_c = bench_sqlite(transfers, accounts, at, path_c, 1)
        ledger_c.check_invariants()
        rates["c"] = count / wall
        cpu_rates["c"] = count / cpu
        print(
            f"(c) SQLite, commit per transfer    {rates['c']:>10,.0f} transfers/s  (cpu {count / cpu:,.0f}/s)"
            f"  reopen: {check_reopen(ledger_c, path_c, accounts)}"
        )

        wall, cpu = bench_raw(transfers, at, os.path.join(tmp, "d.db"))
        rates["d"] = count / wall
        cpu_rates["d"] = count / cpu
        print(f"(d) baseline: raw sqlite3 executemany {rates['d']:>7,.0f} transfers/s  (cpu {count / cpu:,.0f}/s)")

    print("ratios (wall; cpu):")
    for top, bottom, meaning in (
        ("a", "d", "memory ledger vs raw insert floor"),
        ("b", "a", f"durability cost, batched (target >= {DURABILITY_FACTOR})"),
        ("c", "a", "durability cost, commit per transfer"),
        ("b", "d", "batched ledger vs raw insert floor"),
    ):
        wall_ratio = rates[top] / rates[bottom]
        cpu_ratio = cpu_rates[top] / cpu_rates[bottom]
        print(f"  ({top}) / ({bottom}) = {wall_ratio:.2f}; {cpu_ratio:.2f}   {meaning}")
    # A target counts as met only if it is met on both clocks.
    met_a = min(rates["a"], cpu_rates["a"]) >= MEMORY_TARGET
    met_b = min(rates["b"] / rates["a"], cpu_rates["b"] / cpu_rates["a"]) >= DURABILITY_FACTOR
    print(f"target (a) >= {MEMORY_TARGET:,.0f}/s: {'met' if met_a else 'MISSED'}")
    print(f"target (b) >= {DURABILITY_FACTOR} x (a): {'met' if met_b else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
