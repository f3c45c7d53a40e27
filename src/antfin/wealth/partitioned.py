"""Yu'ebao's daily distribution over Parquet partitions on Dask: the pure path's fen, at cluster scale.

>>> import os, tempfile
>>> from antfin.wealth.partitioned import distribute_income_parquet, read_income, write_holders
>>> folder = tempfile.mkdtemp()
>>> write_holders(os.path.join(folder, "holders"), [[1, 1], [1]])
>>> summary = distribute_income_parquet(100, os.path.join(folder, "holders"), os.path.join(folder, "income"),
...                                     scheduler="synchronous")
>>> read_income(os.path.join(folder, "income")).tolist()
[34, 33, 33]

Holders are read from Parquet (a file, or a directory of ``*.parquet`` files
taken in name order; each row group is one partition), one integer column of
units per holder. No process ever holds all holders: the driver only sees
per-partition counts, sums and small samples. The passes over the partitions:

1. **totals**: each partition's holder count and exact sum of units;
2. **remainders**: each partition's floors ``⌊income × u / total⌋`` and
   remainders ``income × u mod total`` (:mod:`antfin.wealth.vectorized`'s exact
   kernel), returning the sum of its floors (so the fen left over, ``k``, is
   known) and a strided sample of its remainders;
3. **selection** (usually one pass): the ``k``-th largest remainder, the
   threshold, is found by counting. From the merged sample the driver guesses
   a narrow band of remainder values that should contain it; each partition
   returns how many of its remainders lie above the band and the remainders
   inside it (or, when too many, a sample of them to narrow the band again).
   Once the band's values are all known the threshold is exact, and so is each
   partition's count of remainders equal to it; the fen still missing after
   the holders above the threshold go to those equal to it in holder order,
   partition by partition (the pure path's tie-break);
4. **write**: each partition recomputes its floors and remainders, adds its
   fen, and writes ``income`` (fen, int64) next to its other columns, one
   output file per partition.

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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np

from antfin.errors import InvalidAmountError, NotFoundError, PolicyViolationError
from antfin.money import Money
from antfin.wealth.income import _check_income_type, _negative_units, _no_positive_units
from antfin.wealth.vectorized import IntArray, _apply_threshold, _exact_sum, _floors_and_remainders

__all__ = ["DistributionSummary", "distribute_income_parquet", "read_income", "write_holders"]

#: About this many remainders are sampled over all partitions to guess the threshold band.
_SAMPLE_SIZE: Final = 1 << 20
#: A selection round gathers at most about this many remainders in the driver.
_BAND_LIMIT: Final = 1 << 21

#: ... and each partition returns at least this many before sampling its band instead.
_PIECE_LIMIT: Final = 1024
#: Selection rounds guided by samples before plain bisection of the range takes over.
_GUESSES: Final = 8

#: One partition: a Parquet file and one of its row groups.
_Piece = tuple[str, int]


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
        selection_rounds: passes the threshold search took (0 when nothing was left over).

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
    cache_units: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DistributionSummary:
    """Distribute a day's income over the holders in Parquet partitions and write each holder's fen.

    Holder by holder, the result equals
    ``distribute_income(income, all_units_in_order)``: truncation to the fen,
    leftover fen to the largest remainders, ties to the earlier holder (file
    name order, then row-group order, then row order).

    >>> import os, tempfile
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
            input's other columns (holder ids, say) and ``income`` in fen.
        column: the name of the integer units column.
        scheduler: passed to :func:`dask.compute` (``"synchronous"``, a
            ``distributed.Client``, …); None uses the active client or Dask's default.
        cache_units: read each partition's units once and keep them where
            they were read (on the workers, 8 bytes a holder over the whole
            cluster) for the later passes; False re-reads them from Parquet in
            every pass, for a cluster short of memory.
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
    pieces = _pieces(Path(source), column)
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.glob("*.parquet"))):
        raise PolicyViolationError(f"{target} already exists and holds Parquet data; refusing to overwrite it")

    def run(tasks: list[Any]) -> list[Any]:
        return list(compute(*tasks, scheduler=scheduler))  # type: ignore[no-untyped-call]

    if cache_units:
        cached = persist(*[delayed(_read_units)(piece, column) for piece in pieces], scheduler=scheduler)  # type: ignore[no-untyped-call]
        units: list[Any] = list(cached)
    else:
        units = [delayed(_read_units)(piece, column) for piece in pieces]
    stats = run([delayed(_piece_totals)(values) for values in units])
    holders = sum(stat[0] for stat in stats)
    total = sum(stat[1] for stat in stats)
    smallest = min((stat[2] for stat in stats if stat[0]), default=0)
    say(f"totals: {len(pieces):,} partitions, {holders:,} holders, {total:,} units")
    if smallest < 0:
        raise _negative_units(smallest)
    if fen != 0 and total == 0:
        raise _no_positive_units(fen)
    magnitude = abs(fen)

    leftover = 0
    threshold: int | None = None
    rounds = 0
    quotas = [0] * len(pieces)
    # Each partition's floors and remainders, kept in memory where computed if cache_units
    # (16 bytes a holder over the cluster; the units are released).
    split = [delayed(_split)(values, magnitude, total) for values in units]
    if cache_units:
        split = list(persist(*split, scheduler=scheduler))  # type: ignore[no-untyped-call]
    del units
    if fen != 0:
        stride = max(1, holders // _SAMPLE_SIZE)
        first = run([delayed(_piece_sample)(pair, stride) for pair in split])
        leftover = magnitude - sum(result[0] for result in first)
        say(f"remainders: {holders:,} holders, {magnitude - leftover:,} fen by truncation, {leftover:,} left over")
        if leftover:
            sample = np.concatenate([result[1] for result in first])
            threshold, quotas, rounds = _select(run, split, leftover, sample, total, holders, say)

    target.mkdir(parents=True, exist_ok=True)
    names = [str(target / f"part-{index:05d}.parquet") for index in range(len(pieces))]
    sign = -1 if fen < 0 else 1
    written = run(
        [
            delayed(_piece_write)(piece, pair, column, sign, threshold, quota, name)
            for piece, pair, quota, name in zip(pieces, split, quotas, names, strict=True)
        ]
    )
    say(f"written: {sum(written):,} holders' income in {len(names):,} files under {target}")
    return DistributionSummary(
        holders=holders,
        partitions=len(pieces),
        total_units=total,
        income=fen,
        leftover=leftover,
        threshold=threshold,
        selection_rounds=rounds,
    )


def _select(
    run: Callable[[list[Any]], list[Any]],
    split: list[Any],
    leftover: int,
    sample: IntArray,
    total: int,
    holders: int,
    say: Callable[[str], None],
) -> tuple[int, list[int], int]:
    """The exact ``leftover``-th largest remainder and each partition's count of ties that get a fen."""
    from dask.delayed import delayed

    # Invariant: the threshold lies in [low, high]; `above` remainders exceed `high`, `inside`
    # lie in [low, high], and `sample` (descending) is a sample of those.
    low, high, above, inside = 0, total - 1, 0, holders
    rounds = 0
    while True:
        rounds += 1
        band_low, band_high = _guess_band(sample, leftover - above, inside, low, high, bisect=rounds > _GUESSES)
        whole_range = (band_low, band_high) == (low, high)
        limit = inside if whole_range and inside <= _BAND_LIMIT else max(_PIECE_LIMIT, _BAND_LIMIT // len(split))
        results = run([delayed(_piece_band)(pair, band_low, band_high, limit) for pair in split])
        band_above = sum(result[0] for result in results)
        band_inside = sum(result[1] for result in results)
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
        return threshold, quotas, rounds


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
    position = (rank - 1) * size // inside
    margin = 64 + 4 * int(size**0.5)  # a few standard deviations of the sampled rank
    band_high = high if position - margin < 0 else _kth_largest(sample, position - margin + 1)
    band_low = low if position + margin >= size else _kth_largest(sample, position + margin + 1)
    return max(low, band_low), min(high, band_high)


def _kth_largest(values: IntArray, k: int) -> int:
    """The ``k``-th largest of ``values`` (1-based, counting repeats) by partial sorting."""
    index = values.size - k
    return int(np.partition(values, index)[index])


def _silent(line: str) -> None:
    del line


def _pieces(source: Path, column: str) -> list[_Piece]:
    import pyarrow.parquet as pq

    if source.is_dir():
        files = sorted(str(path) for path in source.glob("*.parquet"))
    elif source.exists():
        files = [str(source)]
    else:
        raise NotFoundError(f"no Parquet file or directory at {source}")
    if not files:
        raise NotFoundError(f"no *.parquet files in {source}")
    pieces: list[_Piece] = []
    for name in files:
        metadata = pq.ParquetFile(name).metadata
        if column not in metadata.schema.names:
            raise NotFoundError(f"{name} has no column {column!r} (columns: {', '.join(metadata.schema.names)})")
        pieces.extend((name, group) for group in range(metadata.num_row_groups))
    return pieces


def _read_units(piece: _Piece, column: str) -> IntArray:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.ParquetFile(piece[0]).read_row_group(piece[1], columns=[column], use_threads=False)
    data = table.column(0)
    if not pa.types.is_integer(data.type):
        raise InvalidAmountError(f"units column {column!r} of {piece[0]} holds {data.type}, not integers")
    if data.null_count:
        raise InvalidAmountError(f"units column {column!r} of {piece[0]} holds {data.null_count} null values")
    values: IntArray = data.to_numpy()
    if values.dtype == np.uint64 and values.size and int(values.max()) >= 2**63:
        return np.array([int(value) for value in values], dtype=object)
    return values.astype(np.int64, copy=False)


def _split(units: IntArray, income: int, total: int) -> tuple[IntArray, IntArray]:
    if income == 0:
        zeros: IntArray = np.zeros(units.size, dtype=np.int64)
        return zeros, zeros
    return _floors_and_remainders(income, units, total)


def _piece_totals(units: IntArray) -> tuple[int, int, int]:
    return units.size, _exact_sum(units), int(units.min()) if units.size else 0


def _piece_sample(pair: tuple[IntArray, IntArray], stride: int) -> tuple[int, IntArray]:
    floors, remainders = pair
    return _exact_sum(floors), remainders[::stride].copy()


def _piece_band(pair: tuple[IntArray, IntArray], low: int, high: int, limit: int) -> tuple[int, int, bool, IntArray]:
    """Remainders above ``high``, in ``[low, high]``, whether all of those are returned, and them (or a sample)."""
    remainders = pair[1]
    above = int(np.count_nonzero(remainders > high))
    band = remainders[(remainders >= low) & (remainders <= high)]
    if band.size <= limit:
        return above, band.size, True, band
    return above, band.size, False, band[:: band.size // limit + 1].copy()


def _piece_write(
    piece: _Piece,
    pair: tuple[IntArray, IntArray],
    column: str,
    sign: int,
    threshold: int | None,
    quota: int,
    name: str,
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    file = pq.ParquetFile(piece[0])
    others = [field for field in file.schema_arrow.names if field != column]
    floors, remainders = pair
    parts = floors.copy()  # the pair may be cached: never change it
    if threshold is not None:
        _apply_threshold(parts, remainders, threshold, quota)
    if sign < 0:
        np.negative(parts, out=parts)
    table = file.read_row_group(piece[1], columns=others, use_threads=False) if others else pa.table({})
    income_column = pa.array(parts.tolist() if parts.dtype == object else parts, type=pa.int64())
    table = table.append_column("income", income_column) if others else pa.table({"income": income_column})
    # Integer columns (ids, the income) are delta-encoded and not compressed further: as
    # compact as snappy on plain values, and twice as fast to write.
    packed = {field.name: "DELTA_BINARY_PACKED" for field in table.schema if pa.types.is_integer(field.type)}
    plain = [field.name for field in table.schema if field.name not in packed]
    codecs = {field.name: "none" if field.name in packed else "snappy" for field in table.schema}
    pq.write_table(table, name, use_dictionary=plain, column_encoding=packed, compression=codecs)
    return parts.size


def write_holders(out: str | os.PathLike[str], partitions: Sequence[Sequence[int]], *, column: str = "units") -> None:
    """Write holders' units as Parquet, one file per partition, with a ``holder`` id column (for tests and demos).

    >>> import os, tempfile
    >>> folder = os.path.join(tempfile.mkdtemp(), "holders")
    >>> write_holders(folder, [[5, 0], [7]])
    >>> sorted(os.listdir(folder))
    ['part-00000.parquet', 'part-00001.parquet']

    Args:
        out: the directory to create.
        partitions: each partition's units, in holder order.
        column: the name of the units column.

    .. versionadded:: 0.2.0
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    first = 0
    for index, units in enumerate(partitions):
        ids = pa.array(range(first, first + len(units)), type=pa.int64())
        kind = pa.uint64() if any(unit >= 2**63 for unit in units) else pa.int64()
        table = pa.table({"holder": ids, column: pa.array(list(units), type=kind)})
        pq.write_table(table, str(target / f"part-{index:05d}.parquet"))
        first += len(units)


def read_income(out: str | os.PathLike[str]) -> IntArray:
    """All holders' income (fen) from an output directory, in holder order.

    Meant for checks on data that fits in memory.

    >>> read_income(os.devnull + "-nothing-here")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    antfin.errors.NotFoundError: no Parquet output at ...

    .. versionadded:: 0.2.0
    """
    import pyarrow.parquet as pq

    files = sorted(Path(out).glob("*.parquet"))
    if not files:
        raise NotFoundError(f"no Parquet output at {out}")
    arrays: list[IntArray] = [pq.read_table(str(name), columns=["income"]).column(0).to_numpy() for name in files]
    joined: IntArray = np.concatenate(arrays)
    return joined
