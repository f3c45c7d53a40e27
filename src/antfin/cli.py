"""The ``antfin`` / ``python -m antfin`` command line: a table of subcommands.

>>> from antfin.cli import main
>>> main(["money", "--locale", "en_US"])  # doctest: +ELLIPSIS
antfin 0.1.0 money tour (locale en_US)
...
0

Each subcommand is one :class:`Command` in :data:`COMMANDS` (name -> command),
so adding one is adding a dict entry. Only the standard library's
:mod:`argparse` is used. Every failure prints one line (``antfin: error: …``)
and exits non-zero, without a traceback (``--debug`` shows it); Ctrl-C stops
between two transactions, so the file holds whole days, and exits 130.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Final, TextIO

import attrs

from antfin import __version__, cli_batch
from antfin.errors import AntfinError, NotFoundError
from antfin.money import CNY, Money, allocate_minor_units, format_money, parse_money

__all__ = ["COMMANDS", "Command", "build_parser", "check", "demo", "main", "money_tour", "report"]

#: Locales the demo knows how to show.
DEMO_LOCALES = ("zh_CN", "en_US")
#: The most users and days one demo run may ask for: the first day opens every account in one
#: transaction (about 30 KB of memory a user), and the file grows by about 3 KB per user-day.
MAX_USERS: Final = 200_000
MAX_DAYS: Final = 3_650
_BYTES_PER_USER_DAY: Final = 3_000


@attrs.frozen
class Command:
    """One subcommand: its help line, how it adds its options, and what it runs.

    >>> command = Command("say hello", lambda parser: None, lambda args, out: print("hello", file=out) or 0)
    >>> command.help
    'say hello'

    Args:
        help: the one-line description shown by ``--help``.
        configure: adds the subcommand's options to its :class:`argparse.ArgumentParser`.
        run: does the work, printing to the given stream; returns the exit code.

    .. versionadded:: 0.1.0
    """

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]


def _configure_money(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--locale",
        choices=(*DEMO_LOCALES, "all"),
        default="all",
        help="show amounts formatted for this locale (default: all, i.e. zh_CN and en_US)",
    )


def _bounded(most: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
        if value > most:
            raise argparse.ArgumentTypeError(f"at most {most:,} {what} in one run, got {value:,}")
        return value

    return parse


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="FILE",
        help="the SQLite books file or a postgresql:// URL; existing books are continued "
        "(default: antfin-demo-SEED.db here)",
    )
    parser.add_argument(
        "--days", type=_bounded(MAX_DAYS, "days"), default=63, help="days to simulate in this run (default: 63)"
    )
    parser.add_argument(
        "--users",
        type=_bounded(MAX_USERS, "users"),
        default=200,
        help="users in a new file (default: 200); merchants: users/20, at least 5",
    )
    parser.add_argument("--seed", type=int, default=2016, help="random seed of a new file (default: 2016)")
    parser.add_argument(
        "--locale", choices=DEMO_LOCALES, default="zh_CN", help="language of the report (default: zh_CN)"
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress line with the days done and the time left (default: on when stderr is a terminal)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors; the exit code tells")


def _configure_file(parser: argparse.ArgumentParser, *, formats: bool) -> None:
    parser.add_argument(
        "--db", metavar="FILE", required=True, help="the SQLite books file to read (or a postgresql:// URL)"
    )
    parser.add_argument(
        "--locale", choices=DEMO_LOCALES, default="zh_CN", help="language of the report (default: zh_CN)"
    )
    if formats:
        parser.add_argument(
            "--format", choices=("text", "json", "csv"), default="text", help="output format (default: text)"
        )


def _progress_line(quiet: bool, enabled: bool | None) -> Callable[[int, int, float], None] | None:
    if quiet or enabled is False or (enabled is None and not sys.stderr.isatty()):
        return None

    def show(done: int, total: int, seconds: float) -> None:  # seconds: a duration, not money
        left = seconds / done * (total - done)
        end = "\n" if done == total else "\r"
        print(
            f"  day {done}/{total} · {seconds:.1f}s · about {left:.0f}s left   ", end=end, file=sys.stderr, flush=True
        )

    return show


def _existing(path: str) -> str:
    if path.startswith(("postgresql://", "postgres://")):
        return path  # a server: Books.open says whether it holds books
    if not os.path.exists(path):
        raise NotFoundError(f"{path} does not exist")
    if sys.stderr.isatty():  # opening reads the whole ledger: say so while it happens
        print(f"  opening {path} …", end="\r", file=sys.stderr, flush=True)
    return path


def demo(args: argparse.Namespace, out: TextIO) -> int:
    """Run the seeded ecosystem in an SQLite books file and print its income statement and checks.

    >>> import argparse, io, os, tempfile
    >>> buffer = io.StringIO()
    >>> options = argparse.Namespace(db=os.path.join(tempfile.mkdtemp(), "demo.db"), days=2, users=10,
    ...                              seed=1, locale="en_US", progress=False, quiet=False)
    >>> demo(options, buffer)
    0
    >>> "All checks passed" in buffer.getvalue()
    True

    Args:
        args: parsed options (``db``, ``days``, ``users``, ``seed``, ``locale``, ``progress``, ``quiet``).
        out: where to print the report.

    Returns:
        0 when the ledger balances and every invariant holds, 1 otherwise.

    .. versionadded:: 0.1.0
    """
    from antfin.ecosystem.demo import DemoOptions, run_demo

    size = args.users * args.days * _BYTES_PER_USER_DAY
    if size > 50 * 1024**3:
        raise AntfinError(
            f"--users {args.users:,} for --days {args.days:,} would write about {size / 1024**3:,.0f} GB; "
            "ask for fewer users or days"
        )
    stream = open(os.devnull, "w", encoding="utf-8") if args.quiet else out  # noqa: SIM115 - closed below
    try:
        options = DemoOptions(
            db=args.db,
            days=args.days,
            users=args.users,
            seed=args.seed,
            locale=args.locale,
            progress=_progress_line(args.quiet, args.progress),
        )
        result = run_demo(options, out=stream)
        zh = args.locale.startswith("zh")
        label = "用时" if zh else "took"
        print(f"({label} {result.seconds:.1f}s, {'账簿文件' if zh else 'books file'} {result.db})", file=stream)
    finally:
        if stream is not out:
            stream.close()
    return 0 if result.balanced else 1


def report(args: argparse.Namespace, out: TextIO) -> int:
    """Print the report of an existing demo file (statement, loan book, fund, ledger check), simulating nothing.

    >>> import argparse, io, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.db")
    >>> _ = main(["demo", "--db", path, "--days", "2", "--users", "8", "--quiet"])
    >>> buffer = io.StringIO()
    >>> report(argparse.Namespace(db=path, locale="en_US", format="csv"), buffer)
    0
    >>> buffer.getvalue().splitlines()[0]
    'section,product,item,count,amount,currency'

    Returns:
        0 when the books check out, 1 otherwise.

    .. versionadded:: 0.2.0
    """
    from antfin.books import Books
    from antfin.ecosystem.demo import build_report
    from antfin.ecosystem.world import World

    with Books.open(_existing(args.db)) as books:
        result = build_report(World.resume(books))
    if args.format == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2), file=out)
    elif args.format == "csv":
        print(result.to_csv(), end="", file=out)
    else:
        print(result.to_text(args.locale), file=out)
    return 0 if result.balanced else 1


def check(args: argparse.Namespace, out: TextIO) -> int:
    """Check a books file: the ledger's invariants and every stored aggregate against it.

    >>> import argparse, io, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.db")
    >>> _ = main(["demo", "--db", path, "--days", "2", "--users", "8", "--quiet"])
    >>> buffer = io.StringIO()
    >>> check(argparse.Namespace(db=path, locale="en_US"), buffer)
    0
    >>> buffer.getvalue().splitlines()[-1]
    'All checks passed'

    Returns:
        0 when everything holds; an error (exit 1) names the first rule that does not.

    .. versionadded:: 0.2.0
    """
    from antfin.books import Books

    zh = args.locale.startswith("zh")

    def progress(kind: str, done: int, total: int) -> None:
        end = "\n" if done == total else "\r"
        print(f"  {'检查' if zh else 'checking'} {kind}: {done:,}/{total:,}   ", end=end, file=sys.stderr, flush=True)

    with Books.open(_existing(args.db)) as books:
        result = books.check(progress if sys.stderr.isatty() else None)
    print(
        f"{args.db}: {result.accounts} {'个账户' if zh else 'ledger accounts'}, "
        f"{result.entries} {'笔分录' if zh else 'journal entries'}",
        file=out,
    )
    for kind, count in result.counts:
        print(f"  {kind:<12}{count:>10}", file=out)
    print("检查通过" if zh else "All checks passed", file=out)
    return 0


def money_tour(args: argparse.Namespace, out: TextIO) -> int:
    """Show exact money, allocation and formatting in zh_CN and en_US.

    >>> import argparse, io
    >>> buffer = io.StringIO()
    >>> money_tour(argparse.Namespace(locale="zh_CN"), buffer)
    0
    >>> "¥1,234.50" in buffer.getvalue()
    True

    Args:
        args: parsed options; ``args.locale`` is ``"zh_CN"``, ``"en_US"`` or ``"all"``.
        out: where to print.

    Returns:
        The exit code, 0.

    .. versionadded:: 0.1.0
    """
    locales = DEMO_LOCALES if args.locale == "all" else (args.locale,)
    for locale in locales:
        _demo_money(locale, out)
    return 0


def _demo_money(locale: str, out: TextIO) -> None:
    def show(money: Money) -> str:
        return format_money(money, locale)

    print(f"antfin {__version__} money tour (locale {locale})", file=out)
    print("", file=out)
    print("Exact money", file=out)
    a, b = CNY("0.10"), CNY("0.20")
    print(f"  {show(a)} + {show(b)} = {show(a + b)}   (never 0.30000000000000004)", file=out)
    price = CNY("1234.5")
    print(f"  1234.5 yuan is {show(price)}; parsed back: {parse_money(show(price), CNY, locale)!r}", file=out)
    fee = price.multiply("0.006", rounding="HALF_UP")
    print(f"  0.6% acquiring fee on {show(price)}, rounded HALF_UP: {show(fee)}", file=out)
    print("", file=out)
    print("Allocation (largest remainder, sums exactly)", file=out)
    bill = CNY("100.00")
    parts = bill.allocate([1, 1, 1])
    print(f"  {show(bill)} over 3 people: {', '.join(show(part) for part in parts)}", file=out)
    print(f"  sum of the parts: {show(sum(parts, CNY.zero()))}", file=out)
    weights = ["0.90", "0.07", "0.02", "0.01"]  # Yu'ebao asset mix: deposits, bonds, insurance, other
    fund = CNY("1000000.01")
    mix = fund.allocate(weights)
    print(f"  {show(fund)} over 90/7/2/1%: {', '.join(show(part) for part in mix)}", file=out)
    print(f"  integer engine, 10000 fen over [1, 1, 1]: {allocate_minor_units(10000, [1, 1, 1])}", file=out)
    print("", file=out)
    print("Instalments: 5,000.00 over 12 months", file=out)
    months = CNY("5000.00").split(12)
    print(f"  first {show(months[0])}, last {show(months[-1])}, total {show(sum(months, CNY.zero()))}", file=out)
    print("", file=out)


#: The subcommand table: name -> :class:`Command`.
COMMANDS: dict[str, Command] = {
    "demo": Command("simulate the ecosystem in a books file (or continue it)", _configure_demo, demo),
    "report": Command(
        "print a demo file's statement and loan book",
        lambda parser: _configure_file(parser, formats=True),
        report,
    ),
    "check": Command(
        "check a books file: ledger and products",
        lambda parser: _configure_file(parser, formats=False),
        check,
    ),
    "money": Command("show exact money and its formatting", _configure_money, money_tour),
    "distribute": Command(cli_batch.DISTRIBUTE_HELP, cli_batch.configure_distribute, cli_batch.distribute),
    "holders": Command(cli_batch.HOLDERS_HELP, cli_batch.configure_holders, cli_batch.holders),
}


def _program_name() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "antfin" if name in {"antfin", "antfin.exe"} else "python -m antfin"


def build_parser(commands: dict[str, Command] | None = None, *, prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with one subparser per command.

    >>> parser = build_parser(prog="antfin")
    >>> parser.parse_args(["money", "--locale", "zh_CN"]).locale
    'zh_CN'
    >>> parser.prog
    'antfin'

    Args:
        commands: the command table; :data:`COMMANDS` by default.
        prog: the program name in usage lines (``antfin`` or ``python -m antfin``, as invoked, by default).

    Returns:
        A ready :class:`argparse.ArgumentParser`.

    .. versionadded:: 0.1.0
    """
    table = COMMANDS if commands is None else commands
    parser = argparse.ArgumentParser(
        prog=_program_name() if prog is None else prog,
        description="antfin: exact, tested business rules of an Ant Group-style fintech ecosystem.",
    )
    parser.add_argument("--version", action="version", version=f"antfin {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, command in table.items():
        sub = subparsers.add_parser(name, help=command.help, description=command.help)
        command.configure(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code.

    >>> main(["money", "--locale", "zh_CN"])  # doctest: +ELLIPSIS
    antfin 0.1.0 money tour (locale zh_CN)
    ...
    0

    Args:
        argv: the arguments (``sys.argv[1:]`` by default).
        out: where commands print (``sys.stdout`` by default).

    Returns:
        0 on success; 1 when a command fails (one line on standard error); 2 for a
        usage error or no command; 130 when interrupted (Ctrl-C).

    .. versionadded:: 0.1.0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    stream = sys.stdout if out is None else out
    if args.command is None:
        parser.print_help(stream)
        return 2
    try:
        return COMMANDS[args.command].run(args, stream)
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; the file keeps every whole day committed so far", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``demo | head``): stop quietly, as a Unix tool does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (AntfinError, OSError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
