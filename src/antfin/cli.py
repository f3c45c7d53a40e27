"""The ``python -m antfin`` command line: a table of subcommands.

>>> from antfin.cli import main
>>> main(["demo", "--locale", "en_US"])  # doctest: +ELLIPSIS
antfin 0.1.0 demo (locale en_US)
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

from antfin import __version__
from antfin.money import CNY, Money, allocate_minor_units, format_money, parse_money

__all__ = ["COMMANDS", "Command", "build_parser", "demo", "main"]

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


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--locale",
        choices=(*DEMO_LOCALES, "all"),
        default="all",
        help="show amounts formatted for this locale (default: both zh_CN and en_US)",
    )


def demo(args: argparse.Namespace, out: TextIO) -> int:
    """Show exact money, allocation and formatting in zh_CN and en_US.

    >>> import argparse, io
    >>> buffer = io.StringIO()
    >>> demo(argparse.Namespace(locale="zh_CN"), buffer)
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

    print(f"antfin {__version__} demo (locale {locale})", file=out)
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
    "demo": Command("show money, allocation and formatting in zh_CN and en_US", _configure_demo, demo),
}


def build_parser(commands: dict[str, Command] | None = None) -> argparse.ArgumentParser:
    """The argument parser with one subparser per command.

    >>> parser = build_parser()
    >>> parser.parse_args(["demo", "--locale", "zh_CN"]).locale
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

    >>> main(["demo", "--locale", "zh_CN"])  # doctest: +ELLIPSIS
    antfin 0.1.0 demo (locale zh_CN)
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
