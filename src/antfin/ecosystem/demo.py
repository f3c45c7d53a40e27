"""The demo: a seeded ecosystem in an SQLite books file, with its income statement.

``python -m antfin demo`` runs :func:`run_demo`. The ledger and every
product's state live in one SQLite file (:class:`~antfin.books.books.Books`), and each
simulated day is committed to it as one unit of work, so the file only ever
holds whole days. ``--db`` continues a previous run from the stored state,
without replaying anything: a run of 10 days then 5 more ends with exactly
the books of one 15-day run, and a run killed mid-day resumes from its last
whole day. ``python -m antfin report`` prints the report of a file without
simulating anything (:func:`build_report`).

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
.. versionchanged:: 0.2.0 The demo lives in the books: continuing a file reads its state, it replays nothing.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final, TextIO

import attrs
from babel.numbers import format_decimal

from antfin.books import Books, Transaction
from antfin.chart import Product
from antfin.ecosystem.day import merchant_ids, user_ids
from antfin.ecosystem.revenue import IncomeStatement, income_statement
from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import AntfinError, NotFoundError, SchemaError
from antfin.money import CNY, Money, format_money

_PRODUCT_ZH: Final[Mapping[str, str]] = {product.code.upper(): product.name_zh for product in Product}

__all__ = ["DemoOptions", "DemoReport", "DemoResult", "LoanBookRow", "build_report", "run_demo"]

#: The Chinese names of the world's activities (the report lists what the rules refused).
ACTIVITY_NAMES_ZH: Final[Mapping[str, str]] = {
    "escrow purchase": "担保交易下单",
    "ship": "发货",
    "arbitration": "纠纷裁决",
    "agree refund": "同意退款",
    "refuse refund": "拒绝退款",
    "confirm": "确认收货",
    "refund request": "申请退款",
    "after-sale refund": "售后退款",
    "yuebao purchase": "余额宝转入",
    "fast redemption": "余额宝快速转出",
    "redemption": "余额宝转出",
    "maturity": "招财宝到期",
    "zhaocaibao listing": "招财宝发布产品",
    "zhaocaibao subscription": "招财宝认购",
    "zhaocaibao reservation": "招财宝预约",
    "liquidation": "招财宝变现",
    "bill": "花呗出账",
    "huabei purchase": "花呗消费",
    "bill instalments": "花呗账单分期",
    "huabei repayment": "花呗还款",
    "jiebei loan": "借呗借款",
    "mybank loan": "网商贷借款",
    "loan repayment": "贷款还款",
    "dake subscription": "蚂蚁达客认购",
    "advertising": "广告",
    "bill payment": "生活缴费",
    "mutual fund subscription": "基金申购",
    "cloud fee": "金融云服务费",
}
#: The Chinese names of the delinquency buckets.
BUCKET_NAMES_ZH: Final[Mapping[str, str]] = {
    "CURRENT": "正常",
    "M1": "逾期M1",
    "M2": "逾期M2",
    "M3": "逾期M3",
    "M3+": "逾期M3+",
}


@attrs.frozen
class DemoOptions:
    """What to run.

    >>> DemoOptions().days, DemoOptions().users, DemoOptions().locale
    (63, 200, 'zh_CN')

    Attributes:
        db: the books file; ``None`` for a new file in the working directory.
        days: how many days to play in this run.
        users: how many users (fixed when the file is created).
        seed: random seed (fixed when the file is created).
        locale: ``zh_CN`` or ``en_US`` for the report.
        progress: called after each day with (days done in this run, days to do, seconds so far).

    .. versionadded:: 0.1.0
    """

    db: str | None = None
    days: int = 63
    users: int = 200
    seed: int = 2016
    locale: str = "zh_CN"
    progress: Callable[[int, int, float], None] | None = None


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
class DemoReport:
    """What the books of a demo world say: the statement, the loan book, the fund and the ledger check.

    >>> DemoReport(0, 5, 5, date(2024, 3, 1), IncomeStatement(None, None, ()), (), None, Decimal(0), {}, True, {}).day
    0

    .. versionadded:: 0.2.0
    """

    day: int
    users: int
    merchants: int
    start: date
    statement: IncomeStatement
    loan_book: tuple[LoanBookRow, ...]
    seven_day_yield: Decimal | None
    fund_units: Decimal
    totals: dict[str, tuple[Money, Money]]
    balanced: bool
    refusals: dict[str, int]
    problem: str = ""

    @property
    def today(self) -> date:
        """The next day the world would play."""
        return self.start + timedelta(days=self.day)

    def to_text(self, locale: str = "zh_CN") -> str:
        """The report as text, in Chinese (``zh_CN``) or English.

        >>> report = DemoReport(0, 5, 5, date(2024, 3, 1), IncomeStatement(None, None, ()), (), None,
        ...                     Decimal(0), {}, True, {})
        >>> "All checks passed" in report.to_text("en_US")
        True
        """
        zh = locale.lower().startswith("zh")
        lines = [
            f"\n{'模拟' if zh else 'Simulated'} {self.day} {'天' if zh else 'days'}, "
            f"{self.users} {'用户' if zh else 'users'}, {self.merchants} {'商户' if zh else 'merchants'} "
            f"({self.start} – {self.today})\n",
            self.statement.to_text(locale, by_basis=True),
            "",
            self.statement.to_text(locale, view="segment"),
            "",
        ]
        label = "余额宝七日年化收益率" if zh else "Yu'ebao 7-day annualized yield"
        lines.append(f"{label}: {'–' if self.seven_day_yield is None else f'{self.seven_day_yield}%'}")
        units = format_decimal(self.fund_units, format="#,##0.00", locale=locale)
        lines.append(f"{'余额宝份额' if zh else 'Yu’ebao units'}: {units}")
        lines.append(f"\n{'贷款余额（按逾期分档）' if zh else 'Loan book by delinquency bucket'}")
        for row in self.loan_book:
            product = _PRODUCT_ZH.get(row.product, row.product) if zh else row.product
            bucket = BUCKET_NAMES_ZH.get(row.bucket, row.bucket) if zh else row.bucket
            width = 10 - sum(1 for char in product if ord(char) > 0x2E80)  # CJK characters take two columns
            lines.append(f"  {product:<{width}}{bucket:<9}{row.count:>6}  {format_money(row.outstanding, locale):>16}")
        if not self.loan_book:
            lines.append("  –")
        lines.append("")
        for code, (debits, credits) in self.totals.items():
            verdict = ("借贷平衡" if zh else "balanced") if debits == credits else ("不平衡" if zh else "UNBALANCED")
            lines.append(
                f"{'总账' if zh else 'Ledger'} {code}: Σ{'借' if zh else 'debits'} {format_money(debits, locale)} = "
                f"Σ{'贷' if zh else 'credits'} {format_money(credits, locale)}  {verdict}"
            )
        refused = Counter(self.refusals)
        if refused:
            what = ", ".join(
                f"{ACTIVITY_NAMES_ZH.get(name, name) if zh else name} {count}" for name, count in refused.most_common(5)
            )
            lines.append(f"{'被规则拒绝的操作' if zh else 'Operations refused by the rules'}: {what}")
        if self.problem:
            lines.append(f"{'发现问题' if zh else 'INVARIANT BROKEN'}: {self.problem}")
        lines.append(
            ("检查通过" if zh else "All checks passed") if self.balanced else ("检查失败" if zh else "CHECK FAILED")
        )
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """JSON-compatible data (amounts as strings with their currency).

        >>> report = DemoReport(0, 5, 5, date(2024, 3, 1), IncomeStatement(None, None, ()), (), None,
        ...                     Decimal(0), {}, True, {})
        >>> report.to_json()["balanced"]
        True
        """
        return {
            "day": self.day,
            "users": self.users,
            "merchants": self.merchants,
            "start": self.start.isoformat(),
            "today": self.today.isoformat(),
            "statement": self.statement.to_json(),
            "loan_book": [
                {
                    "product": row.product,
                    "bucket": row.bucket,
                    "count": row.count,
                    "outstanding": {"amount": str(row.outstanding.amount), "currency": row.outstanding.currency.code},
                }
                for row in self.loan_book
            ],
            "seven_day_yield_percent": None if self.seven_day_yield is None else str(self.seven_day_yield),
            "fund_units": str(self.fund_units),
            "ledger": {
                code: {"debits": str(debits.amount), "credits": str(credits.amount)}
                for code, (debits, credits) in self.totals.items()
            },
            "refusals": dict(sorted(self.refusals.items())),
            "balanced": self.balanced,
            "problem": self.problem,
        }

    def to_csv(self) -> str:
        """The statement and the loan book as CSV rows (``section,product,item,count,amount,currency``).

        >>> report = DemoReport(0, 5, 5, date(2024, 3, 1), IncomeStatement(None, None, ()), (), None,
        ...                     Decimal(0), {}, True, {})
        >>> report.to_csv().splitlines()[0]
        'section,product,item,count,amount,currency'
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["section", "product", "item", "count", "amount", "currency"])
        for line in self.statement.lines:
            if line.amount:
                writer.writerow(
                    ["income", line.product.name, line.point.name, "", line.amount.amount, line.amount.currency.code]
                )
        total = self.statement.total
        writer.writerow(["income", "", "TOTAL", "", total.amount, total.currency.code])
        for row in self.loan_book:
            writer.writerow(
                ["loans", row.product, row.bucket, row.count, row.outstanding.amount, row.outstanding.currency.code]
            )
        return buffer.getvalue()


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


def _loan_book(tx: Transaction, today: date) -> tuple[LoanBookRow, ...]:
    counts: Counter[tuple[str, str]] = Counter()
    amounts: dict[tuple[str, str], Money] = {}
    for loan_id in tx.loans.ids("ACTIVE"):
        loan = tx.loans.get(loan_id)
        key = (loan.product.code.upper(), loan.delinquency(today))
        counts[key] += 1
        amounts[key] = amounts.get(key, CNY.zero()) + loan.outstanding_principal
    return tuple(
        LoanBookRow(product, bucket, counts[(product, bucket)], amounts[(product, bucket)])
        for product, bucket in sorted(counts)
    )


def build_report(world: World) -> DemoReport:
    """Read the report of ``world`` from its books (checking them first); writes nothing.

    >>> world = World.create(WorldConfig(users=5, seed=3))
    >>> world.run_day()
    >>> build_report(world).balanced
    True
    """
    problem = ""
    try:
        world.check()
    except AntfinError as error:
        problem = f"{type(error).__name__}: {error}"
    with world.books.read() as tx:
        progress = world.progress(tx)
        ledger = tx.ledger
        trial = ledger.trial_balance()
        fund = tx.funds.find("yuebao")
        today = progress.config.start + timedelta(days=progress.day)
        return DemoReport(
            day=progress.day,
            users=len(user_ids(progress.config)),
            merchants=len(merchant_ids(progress.config)),
            start=progress.config.start,
            statement=income_statement(ledger),
            loan_book=_loan_book(tx, today),
            seven_day_yield=world.seven_day_yield(tx),
            fund_units=Decimal(0) if fund is None else fund.total_units,
            totals=trial.totals,
            balanced=trial.is_balanced and not problem,
            refusals=dict(progress.refusals),
            problem=problem,
        )


def open_world(books: Books, options: DemoOptions, out: TextIO) -> World:
    """The world stored in ``books``, or a new one with ``options``' size and seed if the books are new.

    >>> import io
    >>> open_world(Books.memory(), DemoOptions(users=5), io.StringIO()).config.users
    5

    Raises:
        antfin.errors.SchemaError: the books hold a ledger but no demo world (another program's, or an
            older antfin's demo file).
    """
    try:
        world = World.resume(books)
    except NotFoundError:
        with books.read() as tx:
            used = tx.ledger.counts() != (0, 0, 0)  # counted by the store, not read
        if used:
            raise SchemaError(
                f"{books.target} holds books that are not a demo world of this antfin "
                "(another program's, or a demo file of an older version); use a new --db"
            ) from None
        print(f"created {books.target}", file=out)
        return World.create(WorldConfig(users=options.users, seed=options.seed), books)
    config = world.config
    if (config.seed, config.users) != (options.seed, options.users):
        print(
            f"note: {books.target} was created with --seed {config.seed} --users {config.users}; continuing with those",
            file=out,
        )
    print(f"continuing {books.target} at day {world.day} ({world.today})", file=out)
    return world


def run_demo(options: DemoOptions, out: TextIO | None = None) -> DemoResult:
    """Play ``options.days`` days of the ecosystem in an SQLite books file and print the report.

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
        antfin.errors.SchemaError: the file is not antfin's, or not a demo world.
        antfin.errors.StoreError: the file cannot be opened or written.

    .. versionadded:: 0.1.0
    """
    stream = sys.stdout if out is None else out
    path = options.db or os.path.abspath(f"antfin-demo-{options.seed}.db")
    started = time.perf_counter()
    if options.progress is not None and os.path.exists(path):
        print(f"  opening {path} …", end="\r", file=sys.stderr, flush=True)  # opening reads the whole ledger
    with Books.open(path) as books:
        world = open_world(books, options, stream)
        for done in range(options.days):
            world.run_day()  # one transaction per simulated day
            if options.progress is not None:
                options.progress(done + 1, options.days, time.perf_counter() - started)
        report = build_report(world)
        print(report.to_text(options.locale), file=stream)
        return DemoResult(
            path,
            report.day,
            report.statement,
            report.loan_book,
            report.balanced,
            report.seven_day_yield,
            time.perf_counter() - started,
        )
