"""The batch commands of ``python -m antfin``: ``distribute`` (Yu'ebao income over Parquet) and ``holders``.

>>> import os, tempfile
>>> from antfin.cli import main
>>> folder = tempfile.mkdtemp()
>>> main(["holders", "--count", "1000", "--partitions", "2", "--seed", "7", "--out", os.path.join(folder, "h")])
holders: 1,000 in 2 files under ...
0
>>> main(["distribute", "--units", os.path.join(folder, "h"), "--income", "12.34",
...       "--out", os.path.join(folder, "income"), "--quiet"])
0

``distribute`` runs :func:`antfin.wealth.partitioned.distribute_income_parquet`
on Dask: in this process by default, on a new local cluster with
``--workers N``, or on a running cluster with ``--scheduler ADDRESS`` (the
files must then be on storage every worker can read). ``holders`` writes
synthetic holder files, seeded and reproducible, for benchmarks and trials.
Both need the ``batch`` extra (NumPy, Dask, pyarrow); without it they print
one line saying so and exit 1. Errors print one line, ``error: …``, and exit 1.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from antfin.errors import AntfinError, InvalidAmountError, PolicyViolationError
from antfin.money import CNY, Money

__all__ = [
    "DISTRIBUTE_HELP",
    "HOLDERS_HELP",
    "configure_distribute",
    "configure_holders",
    "distribute",
    "holders",
    "write_synthetic_holders",
]

#: The help line of ``distribute``.
DISTRIBUTE_HELP = "split Yu'ebao income over Parquet holders (Dask)"
#: The help line of ``holders``.
HOLDERS_HELP = "write synthetic Yu'ebao holders as Parquet"


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def configure_distribute(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``distribute``.

    >>> parser = argparse.ArgumentParser()
    >>> configure_distribute(parser)
    >>> parser.parse_args(["--units", "h", "--income", "1.00", "--out", "o"]).workers
    0

    .. versionadded:: 0.2.0
    """
    parser.add_argument("--units", required=True, metavar="PATH", help="a Parquet file or directory of them")
    parser.add_argument("--income", required=True, metavar="YUAN", help="the day's income in yuan, e.g. 1506419.69")
    parser.add_argument("--out", required=True, metavar="DIR", help="a new directory for the income files")
    parser.add_argument("--column", default="units", help="the units column (default: units)")
    parser.add_argument(
        "--workers", type=int, default=0, help="start a local Dask cluster of N worker processes (default: none)"
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="use a running Dask cluster, e.g. tcp://host:8786")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def configure_holders(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``holders``.

    >>> parser = argparse.ArgumentParser()
    >>> configure_holders(parser)
    >>> parser.parse_args(["--count", "10", "--out", "h"]).partitions
    1

    .. versionadded:: 0.2.0
    """
    parser.add_argument("--count", type=_count, required=True, help="holders to write")
    parser.add_argument("--partitions", type=_count, default=1, help="files to spread them over (default: 1)")
    parser.add_argument("--seed", type=int, default=2013, help="random seed (default: 2013)")
    parser.add_argument("--out", required=True, metavar="DIR", help="a new directory for the files")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def distribute(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``distribute``: read units, split the income, write income per holder, print progress.

    >>> import os, tempfile
    >>> from antfin.wealth.holder_files import read_income, write_holders
    >>> folder = tempfile.mkdtemp()
    >>> write_holders(os.path.join(folder, "h"), [[1, 1, 1]])
    >>> options = argparse.Namespace(units=os.path.join(folder, "h"), income="1.00", out=os.path.join(folder, "o"),
    ...                              column="units", workers=0, scheduler=None, quiet=True)
    >>> distribute(options, sys.stdout), read_income(os.path.join(folder, "o")).tolist()
    (0, [34, 33, 33])

    Returns:
        0 on success, 1 after printing one ``error:`` line.

    .. versionadded:: 0.2.0
    """
    try:
        income = Money(args.income, CNY)
    except (AntfinError, TypeError, ValueError) as error:
        return _fail(f"--income {args.income!r}: {error}")
    try:
        from antfin.wealth.partitioned import distribute_income_parquet
    except ImportError as error:
        return _fail(f"distribute needs the batch extra (pip install 'antfin[batch]'): {error}")
    started = time.perf_counter()

    def say(line: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:7.1f}s] {line}", file=out, flush=True)

    try:
        with _Scheduler(args) as scheduler:
            say(f"distributing {income.amount} yuan ({income.minor_units:,} fen) from {args.units}")
            summary = distribute_income_parquet(
                income, args.units, args.out, column=args.column, scheduler=scheduler, progress=say
            )
    except (AntfinError, OSError) as error:
        return _fail(str(error))
    except Exception as error:  # a cluster or library failure: still one line, no traceback
        return _fail(f"{type(error).__name__}: {error}")
    rate = summary.holders / max(time.perf_counter() - started, 1e-9)
    say(f"done: {summary.holders:,} holders, {summary.leftover:,} fen by largest remainder, {rate:,.0f} holders/s")
    return 0


class _Scheduler:
    """A context manager giving the ``scheduler=`` for Dask from the options, and closing what it opened."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args
        self._opened: list[Any] = []

    def __enter__(self) -> Any:
        if self._args.scheduler:
            from distributed import Client

            client = Client(self._args.scheduler)  # type: ignore[no-untyped-call]
            self._opened.append(client)
            return client
        if self._args.workers > 0:
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=self._args.workers, threads_per_worker=1, dashboard_address=None)  # type: ignore[no-untyped-call]
            client = Client(cluster)  # type: ignore[no-untyped-call]
            self._opened.extend([client, cluster])
            return client
        if self._args.workers < 0:
            raise PolicyViolationError(f"--workers must be 0 or more, got {self._args.workers}")
        return "threads"

    def __exit__(self, *exc_info: object) -> None:
        for opened in self._opened:
            opened.close()


def holders(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``holders``: write ``--count`` synthetic holders over ``--partitions`` files.

    >>> import os, tempfile
    >>> options = argparse.Namespace(count=5, partitions=1, seed=1, out=os.path.join(tempfile.mkdtemp(), "h"),
    ...                              quiet=True)
    >>> holders(options, sys.stdout)
    0

    Returns:
        0 on success, 1 after printing one ``error:`` line.

    .. versionadded:: 0.2.0
    """
    try:
        count = write_synthetic_holders(args.out, count=args.count, partitions=args.partitions, seed=args.seed)
    except ImportError as error:
        return _fail(f"holders needs the batch extra (pip install 'antfin[batch]'): {error}")
    except (AntfinError, OSError) as error:
        return _fail(str(error))
    if not args.quiet:
        print(f"holders: {count:,} in {args.partitions:,} files under {args.out}", file=out)
    return 0


def write_synthetic_holders(out: str | Path, *, count: int, partitions: int = 1, seed: int = 2013) -> int:
    """Write ``count`` synthetic holders (columns ``holder`` and ``units`` in fen) over ``partitions`` files.

    The holdings look like a money fund's: 2% empty, 68% up to 5,000 yuan,
    28% up to 100,000 yuan, 2% up to 1,000,000 yuan. Each file is drawn from
    its own seeded stream, so the same arguments give the same files. Each
    file states the count and exact sum of its units, and keeps a sample of
    them, in its key-value metadata, as
    :func:`~antfin.wealth.holder_files.write_holders` does: the distribution
    then makes two passes over the files instead of three (it checks them).

    >>> import os, tempfile
    >>> from antfin.wealth.holder_files import read_income
    >>> write_synthetic_holders(os.path.join(tempfile.mkdtemp(), "h"), count=10, partitions=3)
    10

    Args:
        out: a new (or empty) directory.
        count: holders in all.
        partitions: files, ``part-00000.parquet`` …, of nearly equal size.
        seed: the random seed.

    Returns:
        The number of holders written.

    Raises:
        antfin.errors.InvalidAmountError: for a count or partitions below 1.
        antfin.errors.PolicyViolationError: when ``out`` already holds Parquet files.

    .. versionadded:: 0.2.0
    """
    import numpy as np
    import pyarrow as pa

    from antfin.wealth.holder_files import _units_metadata, _write_with_metadata

    if count < 1 or partitions < 1:
        raise InvalidAmountError(f"count and partitions must be at least 1, got {count} and {partitions}")
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.glob("*.parquet"))):
        raise PolicyViolationError(f"{target} already exists and holds Parquet data; refusing to overwrite it")
    target.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([pa.field("holder", pa.int64(), nullable=False), pa.field("units", pa.int64(), nullable=False)])
    first = 0
    for index in range(partitions):
        size = count * (index + 1) // partitions - count * index // partitions
        rng = np.random.default_rng([seed, index])
        bucket = rng.random(size)
        units = rng.integers(1, 500_001, size)
        middle = bucket >= 0.70
        units[middle] = rng.integers(500_000, 10_000_001, int(middle.sum()))
        top = bucket >= 0.98
        units[top] = rng.integers(10_000_000, 100_000_001, int(top.sum()))
        units[bucket < 0.02] = 0
        # Both columns required (never null): no definition levels to write, read or check.
        table = pa.table([np.arange(first, first + size, dtype=np.int64), units], schema=schema)
        # Plain, uncompressed units (random values gain little from compression and read
        # fastest so); delta-encoded ids (consecutive, so nearly free). The file's count, exact
        # sum and a sample of its units go in its metadata, for the distribution (which checks them).
        _write_with_metadata(
            table,
            str(target / f"part-{index:05d}.parquet"),
            _units_metadata(units, "units"),
            use_dictionary=False,
            compression={"holder": "snappy", "units": "none"},
            column_encoding={"holder": "DELTA_BINARY_PACKED", "units": "PLAIN"},
        )
        first += size
    return first
