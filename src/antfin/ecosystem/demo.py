"""The demo: a seeded ecosystem on an embedded SQLite ledger, with its income statement.

``python -m antfin demo`` runs :func:`run_demo`. The ledger lives in an SQLite
file and each simulated day is committed to it as one atomic batch, so the file
only ever holds whole days. ``--db`` continues a previous run: the world's
product state (trades, fund holdings, loans, offers…) is rebuilt by replaying
the recorded days from the same seed on an in-memory ledger, checked entry by
entry against the file, and then re-attached to the file's ledger. A run of
10 days then 5 more therefore ends with exactly the balances of one 15-day run,
and a run killed mid-day resumes from its last whole day.

>>> import io, os, tempfile
>>> from antfin.ecosystem.demo import DemoOptions, run_demo
>>> out = io.StringIO()
>>> db = os.path.join(tempfile.mkdtemp(), "demo.db")
>>> result = run_demo(DemoOptions(db=db, days=3, users=10, seed=1), out=out)
>>> result.balanced, result.day
(True, 3)
>>> run_demo(DemoOptions(db=db, days=2, users=10, seed=1), out=io.StringIO()).day
5

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import sqlite3
import sys
import time
from collections import Counter
from datetime import date
from types import MappingProxyType
from typing import Any, TextIO

import attrs

from antfin.ecosystem.revenue import IncomeStatement, income_statement
from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import AntfinError
from antfin.ledger import Ledger, SQLiteStore
from antfin.money import CNY, Money, format_money

__all__ = ["DemoOptions", "DemoResult", "LoanBookRow", "run_demo"]

_META_TABLE = """
CREATE TABLE IF NOT EXISTS demo_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seed INTEGER NOT NULL,
    users INTEGER NOT NULL,
    start TEXT NOT NULL
)
"""


@attrs.frozen
class DemoOptions:
    """What to run.

    >>> DemoOptions().days, DemoOptions().users, DemoOptions().locale
    (63, 200, 'zh_CN')

    Attributes:
        db: the SQLite file; ``None`` for a new file in the working directory.
        days: how many days to play in this run.
        users: how many users (fixed when the file is created).
        seed: random seed (fixed when the file is created).
        locale: ``zh_CN`` or ``en_US`` for the report.
        progress: print a line per day to standard error.

    .. versionadded:: 0.1.0
    """

    db: str | None = None
    days: int = 63
    users: int = 200
    seed: int = 2016
    locale: str = "zh_CN"
    progress: bool = False


@attrs.frozen
class LoanBookRow:
    """One line of the loan book: a product and delinquency bucket.

    >>> LoanBookRow("JIEBEI", "current", 3, CNY("1200.00")).count
    3

    .. versionadded:: 0.1.0
    """

    product: str
    bucket: str
    count: int
    outstanding: Money


@attrs.frozen
class DemoResult:
    """What a demo run produced.

    >>> DemoResult("x.db", 1, None, (), True, None, 0.0).balanced
    True

    .. versionadded:: 0.1.0
    """

    db: str
    day: int
    statement: IncomeStatement | None
    loan_book: tuple[LoanBookRow, ...]
    balanced: bool
    seven_day_yield: Any
    seconds: float  # wall time of the run (a duration, not money)


def _mappingproxy(data: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(data)


#: The ledger a world being re-attached gets (set only while unpickling).
_ATTACHING: list[Ledger] = []


def _attached_ledger() -> Ledger:
    if not _ATTACHING:
        raise pickle.UnpicklingError("a world's ledger can only be re-attached by the demo")
    return _ATTACHING[-1]


class _AttachPickler(pickle.Pickler):
    """Pickles a world with its ledger replaced by a placeholder (C-level dispatch, no Python per object)."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda proxy: (_mappingproxy, (dict(proxy),))
    dispatch_table[Ledger] = lambda _ledger: (_attached_ledger, ())


def _reattach(world: World, ledger: Ledger) -> World:
    """A copy of ``world`` whose entities all refer to ``ledger`` instead of their own."""
    buffer = io.BytesIO()
    _AttachPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(world)
    _ATTACHING.append(ledger)
    try:
        copy = pickle.loads(buffer.getvalue())
    finally:
        _ATTACHING.pop()
    if not isinstance(copy, World):
        raise AntfinError("re-attaching the world to its ledger failed")  # pragma: no cover
    return copy


def _resume(ledger: Ledger, config: WorldConfig, out: TextIO) -> World:
    """Rebuild the world whose days ``ledger`` holds, by replaying them in memory from the seed."""
    stored = ledger.entries()
    if not stored:
        return World.create(config, ledger)
    replay = World.create(config)
    while len(replay.ledger.entries()) < len(stored):
        before = len(replay.ledger.entries())
        with replay.ledger.atomic():
            replay.run_day()
        if len(replay.ledger.entries()) == before:
            break  # pragma: no cover - every day books at least the fund's close
    mine = replay.ledger.entries()
    if len(mine) != len(stored) or any(
        a.key != b.key or a.postings != b.postings for a, b in zip(mine, stored, strict=True)
    ):
        raise AntfinError(
            "the database's ledger does not match a replay of its seed; it was written by another version "
            "or changed by hand - use a new --db"
        )
    print(f"replayed {replay.day} recorded days in memory and checked them against the file", file=out)
    return _reattach(replay, ledger)


def _loan_book(world: World) -> tuple[LoanBookRow, ...]:
    today = world.today
    counts: Counter[tuple[str, str]] = Counter()
    amounts: dict[tuple[str, str], Money] = {}
    for loan in world.loans:
        if loan.status.value != "active":
            continue
        key = ("JIEBEI" if loan.loan_id.startswith("JB-") else "MYBANK", loan.delinquency(today))
        counts[key] += 1
        amounts[key] = amounts.get(key, CNY.zero()) + loan.outstanding_principal
    return tuple(
        LoanBookRow(product, bucket, counts[(product, bucket)], amounts[(product, bucket)])
        for product, bucket in sorted(counts)
    )


def run_demo(options: DemoOptions, out: TextIO | None = None) -> DemoResult:
    """Play ``options.days`` days of the ecosystem on an SQLite ledger and print the report.

    Args:
        options: what to run.
        out: where the report goes (standard output by default).

    Returns:
        the statement, loan book and ledger check; ``balanced`` is ``False`` if
        the ledger's debits and credits differ or an invariant is broken.

    >>> import io, os, tempfile
    >>> result = run_demo(DemoOptions(db=os.path.join(tempfile.mkdtemp(), "d.db"), days=2, users=8),
    ...                   out=io.StringIO())
    >>> result.statement.total.is_positive()
    True

    Raises:
        antfin.errors.AntfinError: the file belongs to a run with another seed or size.

    .. versionadded:: 0.1.0
    """
    stream = sys.stdout if out is None else out
    path = options.db or os.path.abspath(f"antfin-demo-{options.seed}.db")
    started = time.perf_counter()
    ledger = Ledger(SQLiteStore(path))
    conn = sqlite3.connect(path)
    try:
        conn.execute(_META_TABLE)
        row = conn.execute("SELECT seed, users, start FROM demo_meta WHERE id = 1").fetchone()
        if row is None:
            config = WorldConfig(users=options.users, seed=options.seed)
            conn.execute(
                "INSERT INTO demo_meta (id, seed, users, start) VALUES (1, ?, ?, ?)",
                (config.seed, config.users, config.start.isoformat()),
            )
            conn.commit()
            print(f"created {path}", file=stream)
        else:
            config = WorldConfig(users=row[1], seed=row[0], start=date.fromisoformat(row[2]))
            if (config.seed, config.users) != (options.seed, options.users):
                print(
                    f"note: {path} was created with --seed {config.seed} --users {config.users}; continuing with those",
                    file=stream,
                )
            print(f"continuing {path}", file=stream)
        world = _resume(ledger, config, stream)
        for _ in range(options.days):
            with ledger.atomic():  # one SQLite transaction per simulated day
                world.run_day()
            if options.progress:
                elapsed = time.perf_counter() - started
                print(f"day {world.day} ({world.today}) done, {elapsed:.1f}s", file=sys.stderr, flush=True)
        balanced = True
        try:
            world.check()
        except AntfinError as error:
            balanced = False
            print(f"INVARIANT BROKEN: {error}", file=stream)
        trial = ledger.trial_balance()
        balanced = balanced and trial.is_balanced
        statement = income_statement(ledger)
        book = _loan_book(world)
        yield_7d = world.seven_day_yield()
        _report(stream, options.locale, world, statement, book, yield_7d, trial.totals, balanced)
        return DemoResult(path, world.day, statement, book, balanced, yield_7d, time.perf_counter() - started)
    finally:
        conn.close()
        ledger.close()


def _report(
    out: TextIO,
    locale: str,
    world: World,
    statement: IncomeStatement,
    book: tuple[LoanBookRow, ...],
    yield_7d: Any,
    totals: dict[str, tuple[Money, Money]],
    balanced: bool,
) -> None:
    zh = locale.lower().startswith("zh")
    print(
        f"\n{'模拟' if zh else 'Simulated'} {world.day} {'天' if zh else 'days'}, "
        f"{len(world.users)} {'用户' if zh else 'users'}, {len(world.merchants)} {'商户' if zh else 'merchants'} "
        f"({world.config.start} – {world.today})\n",
        file=out,
    )
    print(statement.to_text(locale), file=out)
    print(file=out)
    label = "余额宝七日年化收益率" if zh else "Yu'ebao 7-day annualized yield"
    print(f"{label}: {'–' if yield_7d is None else f'{yield_7d}%'}", file=out)
    units_label = "余额宝份额" if zh else "Yu'ebao units"
    print(f"{units_label}: {world.fund.total_units}", file=out)
    print(f"\n{'贷款余额（按逾期分档）' if zh else 'Loan book by delinquency bucket'}", file=out)
    for row in book:
        print(f"  {row.product:<8}{row.bucket:<9}{row.count:>6}  {format_money(row.outstanding, locale):>16}", file=out)
    if not book:
        print("  –", file=out)
    print(file=out)
    for code, (debits, credits) in totals.items():
        verdict = ("借贷平衡" if zh else "balanced") if debits == credits else ("不平衡" if zh else "UNBALANCED")
        print(
            f"{'总账' if zh else 'Ledger'} {code}: Σ{'借' if zh else 'debits'} {format_money(debits, locale)} = "
            f"Σ{'贷' if zh else 'credits'} {format_money(credits, locale)}  {verdict}",
            file=out,
        )
    refused = Counter(world.refusals)
    if refused:
        what = ", ".join(f"{name} {count}" for name, count in refused.most_common(5))
        print(f"{'被规则拒绝的操作' if zh else 'Operations refused by the rules'}: {what}", file=out)
    print(("检查通过" if zh else "All checks passed") if balanced else ("检查失败" if zh else "CHECK FAILED"), file=out)
