"""Yu'ebao's daily distribution over Parquet partitions on Dask: the pure path's fen, at cluster scale.

>>> import os, tempfile
>>> from antfin.wealth.holder_files import read_income, write_holders
>>> from antfin.wealth.partitioned import distribute_income_parquet
>>> folder = tempfile.mkdtemp()
>>> write_holders(os.path.join(folder, "holders"), [[1, 1], [1]])
>>> summary = distribute_income_parquet(100, os.path.join(folder, "holders"), os.path.join(folder, "income"),
...                                     scheduler="synchronous")
>>> read_income(os.path.join(folder, "income")).tolist()
[34, 33, 33]

Holders are read from Parquet (a file, or a directory of ``*.parquet`` files
taken in name order; each row group is one partition), one integer column of
units per holder. No process ever holds all holders: the driver only sees
per-partition counts, sums and small samples. Two passes over the partitions
when the files state their units' total (as
:func:`~antfin.wealth.holder_files.write_holders` and
``antfin holders`` write them), three otherwise, each a task per few
consecutive partitions:

1. **totals and selection**: each partition's holder count, exact sum of
   units and a strided sample of its units; and, when every file's key-value
   metadata states the count and exact sum of its units
   (``antfin.units.total``, ``antfin.units.count``), the first selection
   round (2.) at once, computed with the total they add up to (when below
   2⁶², the int64 arithmetic's bound; past it, three passes). The driver
   guesses the band of that round from the sample of units the files keep
   in their metadata too (``antfin.units.sample``). The metadata is never
   trusted: the driver compares the claimed total and count with the ones
   the pass has just summed, and when they differ (or a file states none)
   it drops that round and goes the three-pass way, with the exact total and
   the sample the pass took. A false sample only costs another round;
2. **selection** (none, when the first pass made the round; usually one
   otherwise): the driver turns a sample of units into a sample of
   remainders ``income × u mod total`` and guesses from it the fen left over
   after truncation, ``k``, and a narrow band of remainder values that should
   hold the ``k``-th largest remainder, the threshold. Each partition
   computes its floors ``⌊income × u / total⌋`` and remainders
   (:mod:`antfin.wealth.vectorized`'s exact arithmetic, a cache-sized block
   of holders at a time) and returns the sum of its floors (so ``k`` is
   exact), how many of its remainders lie above the band and the remainders
   inside it (or, when too many, a sample of them to narrow the band again in
   another pass). Once the band's values are all known the threshold is
   exact, and so is each partition's count of remainders equal to it; the
   fen still missing after the holders above the threshold go to those equal
   to it in holder order, partition by partition (the pure path's tie-break);
3. **write**: each partition reads its units and other columns again,
   computes each holder's fen (where the partition has no tie at the
   threshold to settle, floor and extra fen in one floor division: with
   ``income = q × total + rest``, ``q × u + ⌊(rest × u + total − threshold −
   1) / total⌋``), and writes ``income`` (fen, int64, never null) next to
   its other columns, one output file per partition, encoded as
   :mod:`antfin.wealth.holder_files` says.

Nothing is kept between passes: reading a partition again costs less than
the fresh memory needed to keep it (see ``cache_units``). Within a pass a
worker computes in the same few scratch arrays for every partition.

Tasks are few and even: consecutive partitions cut into groups of nearly
equal rows, a multiple of the cluster's threads, so that no thread waits at
the end of a pass for another's last task.

Passes run as Dask tasks on the current scheduler: a ``distributed.Client``
if one is active (a local cluster here, a real one in production, with the
files on storage every worker can read), else Dask's default, or whatever
``scheduler=`` names. Dask and pyarrow are optional dependencies (the
``batch`` extra): pyarrow for Parquet, Dask so that the same code runs on one
machine or many.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np

from antfin.errors import InvalidAmountError, PolicyViolationError
from antfin.money import Money
from antfin.wealth.holder_files import _Claims, _encodings, _Piece, _pieces, _read_units, _units_of
from antfin.wealth.income import _check_income_type, _negative_units, _no_positive_units
from antfin.wealth.partition_shares import _BLOCK, _flags, _scratch, _shares, _split, _with_ties
from antfin.wealth.vectorized import (
    _FAST_LIMIT,
    _INT64_LIMIT,
    IntArray,
    _exact_sum,
    _floors_and_remainders,
)

__all__ = ["DistributionSummary", "distribute_income_parquet"]

#: About this many remainders are sampled over all partitions to guess the threshold band.
_SAMPLE_SIZE: Final = 1 << 19
#: A selection round gathers at most about this many remainders in the driver.
_BAND_LIMIT: Final = 1 << 21

#: ... and each partition returns at least this many before sampling its band instead.
_PIECE_LIMIT: Final = 1024
#: A task handles consecutive partitions of about this many holders in all (fewer, larger tasks).
_TASK_HOLDERS: Final = 1 << 24
#: ... and each thread of the cluster gets at least this many tasks a pass, if there are enough partitions.
_TASKS_PER_THREAD: Final = 4
#: Selection rounds guided by samples before plain bisection of the range takes over.
_GUESSES: Final = 8


@attrs.frozen
class _Plain:
    """A task's argument passed as it is: Dask walks every element of a list argument when it
    builds the graph, looking for collections (thousands of calls a pass for nothing)."""

    value: Any


@attrs.frozen
class DistributionSummary:
    """What :func:`distribute_income_parquet` did: sizes, totals and the fen moved by largest remainder.

    >>> DistributionSummary(holders=3, partitions=2, total_units=3, income=100, leftover=1,
    ...                     threshold=1, selection_rounds=1).leftover
    1

    Attributes:
        holders: rows read (and written).
        partitions: row groups processed (one output file each).
        total_units: the exact sum of units.
        income: the income distributed, in fen.
        leftover: fen handed out by largest remainder after truncation.
        threshold: the smallest remainder that got a fen (None when none did).
        selection_rounds: rounds the threshold search took, each a pass over the partitions but the
            first when the files' metadata let the totals pass make it (0 when nothing was left over).

    .. versionadded:: 0.2.0
    """

    holders: int
    partitions: int
    total_units: int
    income: int
    leftover: int
    threshold: int | None
    selection_rounds: int


def distribute_income_parquet(
    income: int | Money,
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    column: str = "units",
    scheduler: Any = None,
    cache_units: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DistributionSummary:
    """Distribute a day's income over the holders in Parquet partitions and write each holder's fen.

    Holder by holder, the result equals
    ``distribute_income(income, all_units_in_order)``: truncation to the fen,
    leftover fen to the largest remainders, ties to the earlier holder (file
    name order, then row-group order, then row order). Whatever the files'
    key-value metadata claim of their units (a total, a count, a sample) only
    decides how many passes it takes: a claim is checked against the units
    read before any fen depends on it.

    >>> import os, tempfile
    >>> from antfin.wealth.holder_files import read_income, write_holders
    >>> folder = tempfile.mkdtemp()
    >>> write_holders(os.path.join(folder, "in"), [[3, 0], [1]])
    >>> distribute_income_parquet(-5, os.path.join(folder, "in"), os.path.join(folder, "out"),
    ...                           scheduler="synchronous").leftover
    1
    >>> read_income(os.path.join(folder, "out")).tolist()
    [-4, 0, -1]

    Args:
        income: the day's distributable income: int fen or Money.
        source: a Parquet file or a directory of ``*.parquet`` files.
        out: a directory to create (or an empty one) for the output files
            ``part-00000.parquet``, … one per input row group, each with the
            input's other columns (holder ids, say) and ``income`` in fen
            (int64, never null).
        column: the name of the integer units column.
        scheduler: passed to :func:`dask.compute` (``"synchronous"``, a
            ``distributed.Client``, …); None uses the active client or Dask's default.
        cache_units: read each partition's units once and keep them where
            they were read (on the workers, 8 bytes a holder over the whole
            cluster) for the later passes. False (the default) reads them
            again in each pass (two when the files' metadata states a true
            total of their units, three otherwise), which on local disks is
            faster than keeping them (a read costs less than the fresh memory
            the cache needs) and keeps the workers' memory to a few partitions.
        progress: called with one plain line per pass (counts, not times).

    Returns:
        A :class:`DistributionSummary`.

    Raises:
        TypeError: for a non-int, non-Money income.
        antfin.errors.NotFoundError: when ``source`` or ``column`` does not exist.
        antfin.errors.InvalidAmountError: for non-integer, null or negative
            units, or nonzero income over no positive units.
        antfin.errors.PolicyViolationError: when ``out`` already holds Parquet files.

    .. versionadded:: 0.2.0
    """
    from dask.base import compute, persist
    from dask.delayed import delayed

    fen = income.minor_units if isinstance(income, Money) else income
    _check_income_type(fen)
    if abs(fen) >= 2**63:
        raise InvalidAmountError(f"income {fen} fen does not fit the int64 income column")
    say = progress if progress is not None else _silent
    claims = _Claims(_SAMPLE_SIZE)
    pieces, rows = _pieces(Path(source), column, claims)
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.glob("*.parquet"))):
        raise PolicyViolationError(f"{target} already exists and holds Parquet data; refusing to overwrite it")

    def run(tasks: list[Any]) -> list[Any]:
        return list(compute(*tasks, scheduler=scheduler))  # type: ignore[no-untyped-call]

    groups = _groups(pieces, rows, _threads(scheduler))
    holders = sum(rows)
    stride = max(1, holders // _SAMPLE_SIZE)
    # What each task reads its units from: its pieces, or its units kept on the worker.
    sources: list[Any] = [_Plain(group) for group in groups]
    if cache_units:
        cached = [delayed(_group_units)(group, column) for group in sources]
        sources = list(persist(*cached, scheduler=scheduler))  # type: ignore[no-untyped-call]
    magnitude = abs(fen)
    # With the files' own word for the total (untrusted), the first pass is also the first selection round.
    claimed = claims.total if fen != 0 and claims.total is not None and 0 < claims.total < _FAST_LIMIT else None
    plan, sample, guess = _first_band(magnitude, claims.sample, claimed, holders, len(pieces))
    scans = run([delayed(_group_scan)(s, column, stride, magnitude, claimed, plan) for s in sources])
    stats = [stat for result in scans for stat in result]
    holders, total = _totals(stats, fen, len(pieces), say)
    trusted = claimed == total and claims.holders == holders and all(stat[4] is not None for stat in stats)
    if claimed is not None and not trusted:
        say(f"the files' metadata claimed {claimed:,} units and {claims.holders:,} holders: recomputing")

    leftover = 0
    threshold: int | None = None
    rounds = 0
    quotas = [0] * len(pieces)
    if fen != 0:
        given = None
        if trusted and plan is not None:
            given = (plan[0], plan[1], [stat[4] for stat in stats])
        else:  # no metadata, or wrong: the totals are exact now, and so is the sample of remainders
            sampled = [stat[3] for stat in stats if stat[3].size]
            sample = _remainders(magnitude, np.concatenate(sampled) if sampled else np.zeros(0, np.int64), total)
            guess = _leftover_guess(sample, holders, total)
        leftover, threshold, quotas, rounds = _select(
            run, sources, column, magnitude, total, holders, guess, sample, len(pieces), say, given
        )

    target.mkdir(parents=True, exist_ok=True)
    tasks = _write_tasks(groups, sources, quotas, target, column, magnitude, total, -1 if fen < 0 else 1, threshold)
    written = sum(run(tasks))
    say(f"written: {written:,} holders' income in {len(pieces):,} files under {target}")
    return DistributionSummary(
        holders=holders,
        partitions=len(pieces),
        total_units=total,
        income=fen,
        leftover=leftover,
        threshold=threshold,
        selection_rounds=rounds,
    )


def _write_tasks(
    groups: list[list[_Piece]],
    sources: list[Any],
    quotas: list[int],
    target: Path,
    column: str,
    income: int,
    total: int,
    sign: int,
    threshold: int | None,
) -> list[Any]:
    """The write pass: a task per group of partitions, each with its output names and quotas of ties."""
    from dask.delayed import delayed

    tasks = []
    first = 0
    for group, group_source in zip(groups, sources, strict=True):
        names = [str(target / f"part-{index:05d}.parquet") for index in range(first, first + len(group))]
        arguments = _Plain((group, quotas[first : first + len(group)], names))
        tasks.append(delayed(_group_write)(arguments, group_source, column, income, total, sign, threshold))
        first += len(group)
    return tasks


def _first_band(
    income: int, units: IntArray, claimed: int | None, holders: int, partitions: int
) -> tuple[tuple[int, int, int] | None, IntArray, int]:
    """The first selection round's band (low, high and the limit of values a partition returns) when the
    files claim a total, guessed from their sample of ``units``; the sample's remainders; the guessed leftover."""
    if claimed is None:
        return None, np.zeros(0, dtype=np.int64), 0
    sample = _remainders(income, units, claimed)
    guess = _leftover_guess(sample, holders, claimed)
    low, high = _guess_band(sample, min(max(guess, 1), holders), holders, 0, claimed - 1)
    return (low, high, _band_limit((low, high) == (0, claimed - 1), holders, partitions)), sample, guess


def _totals(stats: list[Any], income: int, partitions: int, say: Callable[[str], None]) -> tuple[int, int]:
    """The holders and the exact total of units from the first pass's partitions; checked."""
    holders = sum(stat[0] for stat in stats)
    total = sum(stat[1] for stat in stats)
    smallest = min((stat[2] for stat in stats if stat[0]), default=0)
    say(f"totals: {partitions:,} partitions, {holders:,} holders, {total:,} units")
    if smallest < 0:
        raise _negative_units(smallest)
    if income != 0 and total == 0:
        raise _no_positive_units(income)
    return holders, total


def _select(
    run: Callable[[list[Any]], list[Any]],
    sources: list[Any],
    column: str,
    income: int,
    total: int,
    holders: int,
    guess: int,
    sample: IntArray,
    partitions: int,
    say: Callable[[str], None],
    given: tuple[int, int, list[Any]] | None = None,
) -> tuple[int, int | None, list[int], int]:
    """The fen left over, the exact ``leftover``-th largest remainder and each partition's count of ties that get a fen.

    Every round is one pass over the partitions computing their remainders:
    the first also returns each partition's sum of floors, from which the fen
    left over is exact; its band is guessed from ``guess``, an estimate of the
    fen left over. ``given``, when the first round was done already (with the
    totals): its band and each partition's result.
    """
    from dask.delayed import delayed

    # Invariant: the threshold lies in [low, high]; `above` remainders exceed `high`, `inside`
    # lie in [low, high], and `sample` is a sample of those.
    low, high, above, inside = 0, total - 1, 0, holders
    leftover: int | None = None
    rank = min(max(guess, 1), holders)
    rounds = 0
    while True:
        rounds += 1
        if rounds == 1 and given is not None:
            band_low, band_high, results = given
        else:
            band_low, band_high = _guess_band(sample, rank - above, inside, low, high, bisect=rounds > _GUESSES)
            limit = _band_limit((band_low, band_high) == (low, high), inside, partitions)
            tasks = [
                delayed(_group_band)(source, column, income, total, band_low, band_high, limit, leftover is None)
                for source in sources
            ]
            results = [result for group in run(tasks) for result in group]
        band_above = sum(result[0] for result in results)
        band_inside = sum(result[1] for result in results)
        if leftover is None:
            leftover = income - sum(result[4] for result in results)
            say(f"remainders: {holders:,} holders, {income - leftover:,} fen by truncation, {leftover:,} left over")
            if leftover == 0:
                return 0, None, [0] * partitions, 0
            rank = leftover
        say(f"selection round {rounds}: {band_above:,} remainders above the band, {band_inside:,} inside it")
        if band_above >= leftover:  # the threshold is above the band: search (band_high, high]
            low, inside = band_high + 1, band_above - above
            sample = sample[sample > band_high]
            continue
        if band_above + band_inside < leftover:  # below the band: search [low, band_low)
            high, above, inside = band_low - 1, band_above + band_inside, inside - (band_above - above) - band_inside
            sample = sample[sample < band_low]
            continue
        if band_low == band_high:  # one value: the counts alone settle it
            threshold = band_low
            greater = [result[0] for result in results]
            ties = [result[1] for result in results]
        elif all(result[2] for result in results):  # every partition returned its whole band
            threshold = _kth_largest(np.concatenate([result[3] for result in results]), leftover - band_above)
            greater = [result[0] + int(np.count_nonzero(result[3] > threshold)) for result in results]
            ties = [int(np.count_nonzero(result[3] == threshold)) for result in results]
        else:  # narrow down to the band, sampled afresh
            low, high, above, inside = band_low, band_high, band_above, band_inside
            sample = np.concatenate([result[3] for result in results])
            continue
        missing = leftover - sum(greater)
        quotas = []
        for count in ties:
            quotas.append(min(count, missing))
            missing -= quotas[-1]
        say(f"threshold remainder {threshold:,}: {sum(greater):,} above it, {sum(quotas):,} of {sum(ties):,} ties")
        return leftover, threshold, quotas, rounds


def _band_limit(whole_range: bool, inside: int, partitions: int) -> int:
    """How many band values a partition returns before it samples them instead: all of them when the band
    is the whole remaining range and small enough to gather, else a share of ``_BAND_LIMIT``."""
    return inside if whole_range and inside <= _BAND_LIMIT else max(_PIECE_LIMIT, _BAND_LIMIT // partitions)


def _remainders(income: int, units: IntArray, total: int) -> IntArray:
    """The remainders ``income × u mod total`` of a sample of units (only ever a guide: any values will do)."""
    if units.size == 0 or total <= 0:
        return np.zeros(0, dtype=np.int64)
    units = units[(units >= 0) & (units <= total)] if units.dtype != object else units
    return _floors_and_remainders(income, units, total)[1]


def _leftover_guess(sample: IntArray, holders: int, total: int) -> int:
    """The fen left over guessed from a sample of remainders: the sum of all remainders over the total."""
    return 0 if sample.size == 0 else int(_exact_sum(sample) * holders // (sample.size * total))


def _guess_band(
    sample: IntArray, rank: int, inside: int, low: int, high: int, *, bisect: bool = False
) -> tuple[int, int]:
    """A range of values around the ``rank``-th largest of ``inside`` values, judged from a sample of them."""
    if inside <= _BAND_LIMIT // 2 or low == high:
        return low, high
    if bisect or sample.size == 0:  # halve the range: slow but sure to end
        middle = low + (high - low) // 2
        return (middle + 1, high) if rank <= inside // 2 else (low, middle)
    size = sample.size
    position = min(max(rank - 1, 0) * size // inside, size - 1)
    # The threshold's position in the sample has a standard deviation of at most 0.5 √size, and the
    # first round's guess of the rank (from the sample's remainders) adds about 0.29 √size: 3 √size
    # is over 5 of their combined deviations (a miss costs one more round, never the result).
    margin = 64 + 3 * int(size**0.5)
    band_high = high if position - margin < 0 else _kth_largest(sample, position - margin + 1)
    band_low = low if position + margin >= size else _kth_largest(sample, position + margin + 1)
    return max(low, band_low), min(high, band_high)


def _kth_largest(values: IntArray, k: int) -> int:
    """The ``k``-th largest of ``values`` (1-based, counting repeats) by partial sorting, in place."""
    index = values.size - k
    values.partition(index)
    return int(values[index])


def _silent(line: str) -> None:
    del line


def _threads(scheduler: Any) -> int:
    """How many tasks the scheduler runs at once: a ``distributed`` cluster's threads, else this machine's cores."""
    client = scheduler if callable(getattr(scheduler, "nthreads", None)) else None
    if client is None and scheduler is None:
        try:
            from distributed import default_client

            client = default_client()  # type: ignore[no-untyped-call]
        except (ImportError, ValueError):  # not installed, or no client active
            client = None
    if client is not None:
        threads: int = sum(client.nthreads().values())
        return max(1, threads)
    return os.cpu_count() or 1


def _groups(pieces: list[_Piece], rows: list[int], threads: int) -> list[list[_Piece]]:
    """Consecutive pieces in groups of nearly equal rows: one task per group and pass.

    As few groups as keep each under ``_TASK_HOLDERS`` rows, but at least
    ``_TASKS_PER_THREAD`` a thread, and a multiple of the threads (when the
    pieces allow): every thread then gets the same work, and no thread waits
    at the end of a pass for another's last task.
    """
    holders = sum(rows)
    count = max(-(-holders // _TASK_HOLDERS), _TASKS_PER_THREAD * threads)
    count = min(-(-count // threads) * threads, len(pieces))
    groups: list[list[_Piece]] = [[] for _ in range(count)]
    before = index = 0
    for piece, size in zip(pieces, rows, strict=True):
        # A piece goes to the group its first row falls in, when the rows are cut in `count` equal
        # runs; an empty piece to its predecessor's.
        if size:
            index = before * count // holders
        groups[index].append(piece)
        before += size
    return [group for group in groups if group]


def _group_units(group: _Plain, column: str) -> list[IntArray]:
    return [_read_units(piece, column) for piece in group.value]


def _each_units(source: Any, column: str) -> Iterator[IntArray]:
    """Each partition's units of a task: read from its pieces, or the cached arrays themselves."""
    for item in source.value if isinstance(source, _Plain) else source:
        yield _read_units(item, column) if isinstance(item, tuple) else item


def _group_scan(
    source: Any, column: str, stride: int, income: int, claimed: int | None, band: tuple[int, int, int] | None
) -> list[tuple[int, int, int, IntArray, _BandResult | None]]:
    """Per partition: holders, exact sum and smallest of the units, a strided sample of them, and (with a
    ``claimed`` total and its first ``band``: low, high and limit) the first selection round's result
    computed with that total (None where the units show the claim false)."""
    results: list[tuple[int, int, int, IntArray, _BandResult | None]] = []
    for units in _each_units(source, column):
        sample = units[::stride].copy()
        if claimed is not None and band is not None:
            scanned = _scan_blocks(units, income, claimed, band[0], band[1], True)
            if scanned is not None:  # the totals and the round at once, block by block
                above, values, floor_sum, smallest, exact = scanned
                results.append((units.size, exact, smallest, sample, _band_result(above, values, floor_sum, band[2])))
                continue
        smallest = largest = 0
        if units.size:
            smallest, largest = int(units.min()), int(units.max())
        if units.dtype != object and max(-smallest, largest) * units.size < _INT64_LIMIT:
            exact = int(units.sum())  # cannot wrap: the bounds are known
        else:
            exact = _exact_sum(units)
        selected = None
        if claimed is not None and band is not None and smallest >= 0 and largest <= claimed:
            selected = _band_of(units, income, claimed, band[0], band[1], band[2], exact, largest)
        results.append((units.size, exact, smallest, sample, selected))
    return results


#: One partition's selection round: remainders above the band, in it, whether all those are returned,
#: them (or a sample of them), and the sum of its floors.
_BandResult = tuple[int, int, bool, IntArray, int]


def _group_band(
    source: Any, column: str, income: int, total: int, low: int, high: int, limit: int, sums: bool
) -> list[_BandResult]:
    """Per partition: remainders above ``high``, in ``[low, high]``, whether all of those are returned,
    them (or a sample), and (with ``sums``) the sum of its floors."""
    return [_band_of(units, income, total, low, high, limit, None, None, sums) for units in _each_units(source, column)]


def _band_of(
    units: IntArray,
    income: int,
    total: int,
    low: int,
    high: int,
    limit: int,
    exact: int | None,
    largest: int | None,
    sums: bool = True,
) -> _BandResult:
    """One partition's :func:`_group_band` (``exact`` and ``largest``, if known: the sum and largest of its
    units): in cache-sized blocks when int64 holds the products, else on whole arrays."""
    whole, rest = divmod(income, total)
    if largest is None and units.size and units.dtype != object:
        largest = int(units.max())
    scanned = None  # in blocks when int64 holds the products (without totals, never declined), else on whole arrays
    if units.dtype != object and income < _FAST_LIMIT and total < _FAST_LIMIT and rest * (largest or 0) < _INT64_LIMIT:
        scanned = _scan_blocks(units, rest, total, low, high, False)
    if scanned is not None:
        above, band, floor_sum = scanned[:3]
        if sums and whole:
            floor_sum += whole * (exact if exact is not None else _exact_sum(units, largest))
    else:
        floors, remainders = _split(units, income, total)
        # Each floor is at least 0 and their sum at most income (< 2**63): an int64 sum cannot wrap.
        floor_sum = (int(floors.sum()) if floors.dtype != object else int(sum(floors))) if sums else 0
        above = int(np.count_nonzero(remainders > high))
        band = remainders[(remainders >= low) & (remainders <= high)]
    return _band_result(above, band, floor_sum if sums else 0, limit)


def _band_result(above: int, band: IntArray, floor_sum: int, limit: int) -> _BandResult:
    """A partition's result of a selection round: its band values, or a sample of them past ``limit``."""
    if band.size > limit:
        return (above, band.size, False, band[:: band.size // limit + 1].copy(), floor_sum)
    return (above, band.size, True, band, floor_sum)


def _scan_blocks(
    units: IntArray, income: int, total: int, low: int, high: int, totals: bool
) -> tuple[int, IntArray, int, int, int] | None:
    """Remainders ``income × u mod total`` above ``high``, those in ``[low, high]``, the sum of the floors
    ``⌊income × u / total⌋`` and (with ``totals``) the smallest and the exact sum of the units, a block of
    ``_BLOCK`` holders at a time in this thread's scratch (so that the block stays in the processor's cache
    through all the steps).

    ``income`` and ``total`` must be below 2⁶²; without ``totals`` the floors' sum leaves out
    ``⌊income / total⌋ × Σu`` and ``(income mod total) × max(u)`` must fit in int64. With ``totals``, None
    when int64 cannot hold a block's products or sum, or a unit is negative or above ``total`` (a total
    claimed by the files' metadata, then false): the caller takes the general way.
    """
    whole, rest = divmod(income, total) if totals else (0, income)
    if units.dtype == object:
        return None
    size = units.size
    block = max(1, min(size, _BLOCK))
    products, floors, _, _ = _scratch(block)
    flags = _flags(block)[0]
    above = floor_sum = exact = 0
    smallest = 0 if size == 0 else _INT64_LIMIT
    bound = min(total, (_INT64_LIMIT - 1) // max(rest, 1), (_INT64_LIMIT - 1) // block)
    found: list[IntArray] = []
    for start in range(0, size, block):
        piece = units[start : start + block]
        count = piece.size
        if totals:  # while the block is in the cache
            least, most = int(piece.min()), int(piece.max())
            if least < 0 or most > bound:
                return None
            smallest = min(smallest, least)
            exact += int(piece.sum())  # most × count < 2**63: no wrap
        product, floor, flag = products[:count], floors[:count], flags[:count]
        np.multiply(piece, rest, out=product)
        np.floor_divide(product, total, out=floor)  # vectorized by one divisor, unlike divmod
        floor_sum += int(floor.sum())  # each floor <= rest, their sum <= rest × units < 2**63
        np.multiply(floor, total, out=floor)
        remainder = np.subtract(product, floor, out=product)
        above += int(np.count_nonzero(np.greater(remainder, high, out=flag)))
        # low <= r <= high in one unsigned comparison: r - low wraps past 2**63 when r < low.
        np.subtract(remainder, low, out=floor)
        np.less_equal(floor.view(np.uint64), high - low, out=flag)
        found.append(remainder[flag])
    band = np.concatenate(found) if len(found) > 1 else found[0].copy() if found else np.zeros(0, dtype=np.int64)
    return above, band, floor_sum + whole * exact, smallest, exact


def _group_write(
    arguments: _Plain, source: Any, column: str, income: int, total: int, sign: int, threshold: int | None
) -> int:
    """Write each partition of a task (``arguments``: its pieces, their quotas of ties and output names)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    group, quotas, names = arguments.value
    if isinstance(source, _Plain):
        source = source.value
    written = 0
    for index, piece in enumerate(group):
        file = pq.ParquetFile(piece[0])
        others = [field for field in file.schema_arrow.names if field != column]
        if isinstance(source[index], tuple):  # read the units with the other columns, in one go
            table = file.read_row_group(piece[1], use_threads=False)
            units = _units_of(table.column(column), column, piece[0])
            table = table.select(others)
        else:
            units = source[index]
            table = file.read_row_group(piece[1], columns=others, use_threads=False)
        shares = None if quotas[index] else _shares(units, income, total, threshold)
        parts = shares if shares is not None else _with_ties(units, income, total, threshold, quotas[index])
        if sign < 0:
            np.negative(parts, out=parts)
        income_column = pa.array(parts.tolist() if parts.dtype == object else parts, type=pa.int64())
        income_field = pa.field("income", pa.int64(), nullable=False)  # never null: no definition levels
        table = (
            table.append_column(income_field, income_column)
            if others
            else pa.table([income_column], schema=pa.schema([income_field]))
        )
        # The input's metadata goes along, but not what it says of the units, which are not written.
        kept = {
            key: value for key, value in (table.schema.metadata or {}).items() if not key.startswith(b"antfin.units.")
        }
        table = table.replace_schema_metadata(kept or None)
        pq.write_table(
            table,
            names[index],
            write_statistics=others or False,
            write_batch_size=units.size or None,
            **_encodings(table.schema),
        )
        written += units.size
    return written
