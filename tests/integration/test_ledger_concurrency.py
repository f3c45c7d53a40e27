"""Threads and processes hammering one shared ledger (SQLite, PostgreSQL) with overlapping keys lose nothing.

Transfer ``k:i`` always moves ``i + 1`` fen from ``wallet:{i % 5}`` to
``wallet:{(i + 1) % 5}``. Workers replay overlapping subsets of the same keys
in different orders; afterwards the file holds each key exactly once, every
worker got the same entry for the same key, and the balances are exactly
those of the distinct keys.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from antfin.calendar import shanghai
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.ledger.store import SharedLedgerStore
from antfin.money import Money

WALLETS = 5
FUNDING = 1_000_000
AT = shanghai(2024, 4, 1, 12)


Open = Callable[[], SharedLedgerStore]


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[str], Open]:
    """(arguments naming the shared store for a child process, a function opening it here)."""
    if request.param == "sqlite":
        path = tmp_path / "shared.db"
        return [str(path), ""], lambda: SQLiteStore(path)
    from antfin.ledger.postgres import PostgresStore

    url, schema = request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_schema")
    return [url, schema], lambda: PostgresStore(url, schema=schema)


def _setup(open_store: Open) -> None:
    ledger = Ledger(open_store())
    ledger.open_account("asset:bank", AccountKind.ASSET)
    for w in range(WALLETS):
        ledger.open_account(f"wallet:{w}", AccountKind.LIABILITY, non_negative=True)
        ledger.transfer(f"fund:{w}", debit="asset:bank", credit=f"wallet:{w}",
                        amount=Money.from_minor_units(FUNDING), at=AT)  # fmt: skip
    ledger.close()


def _move(ledger: Ledger, i: int) -> str:
    return ledger.transfer(
        f"k:{i}",
        debit=f"wallet:{i % WALLETS}",
        credit=f"wallet:{(i + 1) % WALLETS}",
        amount=Money.from_minor_units(i + 1),
        at=AT,
    ).id


def _check(open_store: Open, keys: set[int], seen: dict[str, set[str]]) -> None:
    ledger = Ledger(open_store())  # loading checks the invariants
    entries = ledger.entries()
    moved = [entry.key for entry in entries if entry.key.startswith("k:")]
    assert sorted(moved) == sorted(f"k:{i}" for i in keys), "lost or doubled keys"
    by_key = {entry.key: entry.id for entry in entries}
    for key, ids in seen.items():
        assert ids == {by_key[key]}, (key, ids)
    expected = dict.fromkeys(range(WALLETS), FUNDING)
    for i in keys:
        expected[i % WALLETS] -= i + 1
        expected[(i + 1) % WALLETS] += i + 1
    for w, balance in expected.items():
        assert ledger.balance(f"wallet:{w}").minor_units == balance
    numbered = [entry.id for entry in entries]
    assert len(set(numbered)) == len(numbered)
    assert all(entry_id[0] == "E" and entry_id[1:].isdigit() for entry_id in numbered)
    if not getattr(ledger.store, "locks_rows", False):  # one writer at a time: no gaps either
        assert numbered == [f"E{n}" for n in range(1, len(entries) + 1)]
    ledger.check_invariants()
    ledger.close()


def _hammer(make_ledger: list[Ledger], workers: int, keys: range, per_worker: int) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        rng = random.Random(n)
        chosen = rng.sample(list(keys), per_worker)
        ledger = make_ledger[n % len(make_ledger)]
        try:
            for i in chosen:
                entry_id = _move(ledger, i)
                with lock:
                    seen.setdefault(f"k:{i}", set()).add(entry_id)
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return seen


def test_threads_sharing_one_ledger(target: tuple[list[str], Open]) -> None:
    open_store = target[1]
    _setup(open_store)
    ledger = Ledger(open_store())
    seen = _hammer([ledger], workers=4, keys=range(120), per_worker=80)
    ledger.check_invariants()
    ledger.close()
    _check(open_store, {int(key[2:]) for key in seen}, seen)


def test_threads_with_a_ledger_each_on_one_file(target: tuple[list[str], Open]) -> None:
    open_store = target[1]
    _setup(open_store)
    ledgers = [Ledger(open_store()) for _ in range(3)]
    seen = _hammer(ledgers, workers=3, keys=range(120), per_worker=80)
    for ledger in ledgers:
        ledger.refresh()
        ledger.check_invariants()
        assert len(ledger.entries()) == WALLETS + len(seen)
        ledger.close()
    _check(open_store, {int(key[2:]) for key in seen}, seen)


CHILD = """
import json, random, sys
from antfin.calendar import shanghai
from antfin.ledger import Ledger, SQLiteStore
from antfin.money import Money

where, schema, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if schema:
    from antfin.ledger.postgres import PostgresStore
    store = PostgresStore(where, schema=schema)
else:
    store = SQLiteStore(where)
ledger = Ledger(store)
print("ready", flush=True)
sys.stdin.readline()  # both processes have loaded the file before either writes
at = shanghai(2024, 4, 1, 12)
rng = random.Random(seed)
seen = {}
for i in rng.sample(range(200), count):
    entry = ledger.transfer(f"k:{i}", debit=f"wallet:{i % 5}", credit=f"wallet:{(i + 1) % 5}",
                            amount=Money.from_minor_units(i + 1), at=at)
    seen[f"k:{i}"] = entry.id
ledger.check_invariants()
print(json.dumps(seen))
"""


def test_two_processes_on_one_file(target: tuple[list[str], Open]) -> None:
    where, open_store = target
    _setup(open_store)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, *where, str(seed), "150"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed in (1, 2)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    for child in children:  # start both at once
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    seen: dict[str, set[str]] = {}
    for child in children:
        out, _ = child.communicate(timeout=300)
        assert child.returncode == 0
        for key, entry_id in json.loads(out).items():
            seen.setdefault(key, set()).add(entry_id)
    _check(open_store, {int(key[2:]) for key in seen}, seen)
