"""A writer killed with SIGKILL mid-stream leaves a prefix of whole, balanced entries.

A child process appends three-posting entries to an SQLite ledger (in atomic
batches, or one per commit) and reports each commit on stdout. The parent
kills it at an arbitrary moment, reopens the file and checks: the entries are
exactly ``crash:0 .. crash:n-1`` with ``n`` a whole number of batches and at
least what was reported, every entry has all its postings and balances, the
ledger's invariants hold, and the reopened ledger takes new entries.
"""

from __future__ import annotations

import random
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from antfin.calendar import shanghai
from antfin.ledger import Ledger, Posting, SQLiteStore
from antfin.money import Money

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")

CHILD = """
import sys
from antfin.calendar import shanghai
from antfin.ledger import AccountKind, Ledger, Posting, SQLiteStore
from antfin.money import Money

path, batch = sys.argv[1], int(sys.argv[2])
ledger = Ledger(SQLiteStore(path))
ledger.open_account("asset:bank", AccountKind.ASSET)
for i in range(10):
    ledger.open_account(f"wallet:{i}", AccountKind.LIABILITY)
at = shanghai(2024, 1, 1, 9)
n = len(ledger.entries())
while True:
    with ledger.atomic():
        for _ in range(batch):
            ledger.post_entry(
                f"crash:{n}",
                [
                    Posting.debit("asset:bank", Money.from_minor_units(n + 3)),
                    Posting.credit(f"wallet:{n % 10}", Money.from_minor_units(n + 1)),
                    Posting.credit(f"wallet:{(n + 1) % 10}", Money.from_minor_units(2)),
                ],
                at=at,
                memo="x" * 200,
            )
            n += 1
    print(n, flush=True)
"""


@pytest.mark.parametrize(("batch", "seed"), [(1, 1), (1, 2), (40, 3), (40, 4), (7, 5)])
def test_sigkill_leaves_a_prefix_of_whole_entries(
    tmp_path: Path, batch: int, seed: int, run_and_kill: Callable[..., int]
) -> None:
    path = tmp_path / "crash.db"
    rng = random.Random(seed)
    reported = run_and_kill(CHILD, (str(path), str(batch)), rng, (2, 6), 0.05)
    reported = max(
        reported, run_and_kill(CHILD, (str(path), str(batch)), rng, (2, 6), 0.05)
    )  # a second writer resumes, is killed too

    ledger = Ledger(SQLiteStore(path))  # loading checks every invariant
    keys = [entry.key for entry in ledger.entries()]
    assert keys == [f"crash:{i}" for i in range(len(keys))]
    assert len(keys) >= reported
    assert len(keys) % batch == 0, "a batch was stored in part"
    for entry in ledger.entries():
        assert len(entry.postings) == 3
        assert sum(p.amount.minor_units for p in entry.postings) == 0
    ledger.check_invariants()
    n = len(keys)
    entry = ledger.post_entry(
        f"crash:{n}",
        [Posting.debit("asset:bank", Money.from_minor_units(1)), Posting.credit("wallet:0", Money.from_minor_units(1))],
        at=shanghai(2024, 1, 2),
    )
    assert entry.id == f"E{n + 1}"
    ledger.close()

    with sqlite3.connect(path) as conn:
        unbalanced = conn.execute("SELECT entry_seq FROM postings GROUP BY entry_seq HAVING sum(minor) != 0").fetchall()
        orphans = conn.execute(
            "SELECT count(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.entry_seq = e.seq)"
        ).fetchone()[0]
        commits = conn.execute("SELECT max(last_entry) FROM commits").fetchone()[0]
    assert unbalanced == []
    assert orphans == 0
    assert commits == n + 1
