"""The ``python -m antfin`` command line: a table of subcommands.

>>> from antfin.cli import main
>>> main(["money", "--locale", "en_US"])  # doctest: +ELLIPSIS
antfin 0.1.0 money tour (locale en_US)
...
0

Each subcommand is one :class:`Command` in :data:`COMMANDS` (name -> command),
so adding one is adding a dict entry. Only the standard library's
:mod:`argparse` is used.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

import attrs

from antfin import __version__, cli_batch
from antfin.money import CNY, Money, allocate_minor_units, format_money, parse_money

__all__ = ["COMMANDS", "Command", "build_parser", "demo", "main", "money_tour"]

#: Locales the demo knows how to show.
DEMO_LOCALES = ("zh_CN", "en_US")


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
        help="show amounts formatted for this locale (default: both zh_CN and en_US)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="FILE",
        help="the SQLite ledger file; an existing file is continued (default: antfin-demo-SEED.db here)",
    )
    parser.add_argument("--days", type=_positive, default=63, help="days to simulate in this run (default: 63)")
    parser.add_argument(
        "--users", type=_positive, default=200, help="users in a new database (default: 200; merchants: users/20)"
    )
    parser.add_argument("--seed", type=int, default=2016, help="random seed of a new database (default: 2016)")
    parser.add_argument(
        "--locale", choices=DEMO_LOCALES, default="zh_CN", help="language of the report (default: zh_CN)"
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="print a line per simulated day to stderr (default: on for long runs)",
    )


def demo(args: argparse.Namespace, out: TextIO) -> int:
    """Run the seeded ecosystem on an SQLite ledger and print its income statement and checks.

    >>> import argparse, io, os, tempfile
    >>> buffer = io.StringIO()
    >>> options = argparse.Namespace(db=os.path.join(tempfile.mkdtemp(), "demo.db"), days=2, users=10,
    ...                              seed=1, locale="en_US", progress=False)
    >>> demo(options, buffer)
    0
    >>> "All checks passed" in buffer.getvalue()
    True

    Args:
        args: parsed options (``db``, ``days``, ``users``, ``seed``, ``locale``, ``progress``).
        out: where to print the report.

    Returns:
        0 when the ledger balances and every invariant holds, 1 otherwise.

    .. versionadded:: 0.1.0
    """
    from antfin.ecosystem.demo import DemoOptions, run_demo

    progress = args.progress if args.progress is not None else args.users * args.days > 50_000
    options = DemoOptions(
        db=args.db, days=args.days, users=args.users, seed=args.seed, locale=args.locale, progress=progress
    )
    result = run_demo(options, out=out)
    print(f"({result.seconds:.1f}s, ledger file {result.db})", file=out)
    return 0 if result.balanced else 1


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
    "demo": Command(
        "simulate the ecosystem on an SQLite ledger",
        _configure_demo,
        demo,
    ),
    "money": Command("show exact money, allocation and formatting in zh_CN and en_US", _configure_money, money_tour),
    "distribute": Command(cli_batch.DISTRIBUTE_HELP, cli_batch.configure_distribute, cli_batch.distribute),
    "holders": Command(cli_batch.HOLDERS_HELP, cli_batch.configure_holders, cli_batch.holders),
}


def build_parser(commands: dict[str, Command] | None = None) -> argparse.ArgumentParser:
    """The argument parser with one subparser per command.

    >>> parser = build_parser()
    >>> parser.parse_args(["money", "--locale", "zh_CN"]).locale
    'zh_CN'

    Args:
        commands: the command table; :data:`COMMANDS` by default.

    Returns:
        A ready :class:`argparse.ArgumentParser`.

    .. versionadded:: 0.1.0
    """
    table = COMMANDS if commands is None else commands
    parser = argparse.ArgumentParser(
        prog="python -m antfin",
        description="antfin: exact, tested business rules of an Ant Group-style fintech ecosystem.",
    )
    parser.add_argument("--version", action="version", version=f"antfin {__version__}")
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
        0 on success; 2 when no command is given (after printing the help).

    .. versionadded:: 0.1.0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    stream = sys.stdout if out is None else out
    if args.command is None:
        parser.print_help(stream)
        return 2
    return COMMANDS[args.command].run(args, stream)
