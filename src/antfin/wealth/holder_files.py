"""Holder files: the Parquet files of Yu'ebao holders that :mod:`antfin.wealth.partitioned` reads, and of
their income that it writes.

A holders file has one integer column of units per holder (``units`` unless
named otherwise) and any others (a ``holder`` id, say); each row group is one
partition. :func:`write_holders` (and ``antfin holders``) also state, in each
file's key-value metadata (``antfin.units.*``), the count and exact sum of its
units and a strided sample of them: the partitioned path checks them against
the units it reads, and needs one pass fewer when they are true.

In the output files, required (non-null) integer columns are written as
LZ4-compressed byte streams (Parquet's ``BYTE_STREAM_SPLIT`` encoding,
extended to integers in format 2.11, and the ``LZ4_RAW`` codec: pyarrow reads
them from version 16), nullable ones delta-encoded, others
dictionary-encoded with snappy. The input's key-value metadata goes along,
but not what it states of the units.

>>> import os, tempfile
>>> from antfin.wealth.holder_files import write_holders
>>> folder = os.path.join(tempfile.mkdtemp(), "holders")
>>> write_holders(folder, [[5, 0], [7]])
>>> import pyarrow.parquet as pq
>>> pq.ParquetFile(os.path.join(folder, "part-00000.parquet")).metadata.metadata[b"antfin.units.total"]
b'5'

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np

from antfin.errors import InvalidAmountError, NotFoundError
from antfin.wealth.vectorized import _INT64_LIMIT, IntArray, _exact_sum

__all__ = ["read_income", "write_holders"]

#: One partition: a Parquet file and one of its row groups.
_Piece = tuple[str, int]


#: Key-value metadata of a holders file (all values ASCII; see :func:`_units_metadata`).
_COLUMN_KEY: Final = b"antfin.units.column"
_TOTAL_KEY: Final = b"antfin.units.total"
_COUNT_KEY: Final = b"antfin.units.count"
_SAMPLE_KEY: Final = b"antfin.units.sample"
_STRIDE_KEY: Final = b"antfin.units.sample_stride"
#: A holders file keeps about this many of its units, evenly strided, as a sample in its metadata.
_FILE_SAMPLE: Final = 4096


def _units_metadata(units: Any, column: str) -> dict[bytes, bytes]:
    """What a holders file says of its units column in its key-value metadata: the column, the exact sum
    and count of its units, and a strided sample of them (base64, little-endian int64; none past int64).

    Readers must not trust it: :func:`~antfin.wealth.partitioned.distribute_income_parquet` checks the sum
    and count against the units it reads, and uses the sample only to guess where to look.
    """
    import base64

    values = np.asarray(units)
    if values.dtype == np.uint64:  # Python ints, or past int64: exact sum in Python
        exact = sum(int(value) for value in values.tolist())
    else:
        exact = _exact_sum(values.astype(np.int64, copy=False))
    metadata = {_COLUMN_KEY: column.encode(), _TOTAL_KEY: str(exact).encode(), _COUNT_KEY: str(values.size).encode()}
    stride = max(1, -(-values.size // _FILE_SAMPLE))
    sample = values[::stride]
    if sample.size and sample.dtype != object and int(sample.max()) < _INT64_LIMIT and int(sample.min()) >= 0:
        metadata[_SAMPLE_KEY] = base64.b64encode(sample.astype("<i8").tobytes())
        metadata[_STRIDE_KEY] = str(stride).encode()
    return metadata


def _write_with_metadata(table: Any, name: str, metadata: dict[bytes, bytes], **options: Any) -> None:
    """Write a table as one Parquet file with ``metadata`` in its footer's key-value metadata and no Arrow
    schema (the Parquet schema says all there is of integer columns; an Arrow schema would repeat the
    metadata, and every reader of the footer would decode it twice)."""
    import pyarrow.parquet as pq

    with pq.ParquetWriter(name, table.schema, store_schema=False, **options) as writer:
        writer.write_table(table)
        writer.add_key_value_metadata(metadata)


@attrs.define
class _Claims:
    """What the source files' metadata claim of their units: the total and count (None unless every file
    claims them consistently with its row count) and a sample of about ``size`` units."""

    size: int
    total: int | None = 0
    holders: int = 0
    samples: list[tuple[int, IntArray]] = attrs.field(factory=list)
    sample: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))

    def add(self, metadata: dict[bytes, bytes] | None, column: str, rows: int) -> None:
        """Take one file's claims (its key-value metadata, the units column read, the file's rows)."""
        import base64
        import binascii

        metadata = metadata or {}
        try:
            total = int(metadata[_TOTAL_KEY])
            count = int(metadata[_COUNT_KEY])
        except (KeyError, ValueError):
            total = count = -1
        if self.total is None or metadata.get(_COLUMN_KEY) != column.encode() or total < 0 or count != rows:
            self.total = None
            return
        self.total += total
        self.holders += count
        try:
            stride = int(metadata[_STRIDE_KEY])
            sample = np.frombuffer(base64.b64decode(metadata[_SAMPLE_KEY], validate=True), dtype="<i8")
        except (KeyError, ValueError, binascii.Error):
            return
        if stride > 0:
            self.samples.append((stride, sample))

    def finish(self, holders: int) -> None:
        """Join the files' samples into one, thinned to about one unit in ``holders // size``."""
        wanted = max(1, holders // self.size)
        kept = [sample[:: max(1, wanted // stride)] for stride, sample in self.samples]
        self.sample = np.concatenate(kept).astype(np.int64) if kept else np.zeros(0, dtype=np.int64)
        self.samples = []


def _pieces(source: Path, column: str, claims: _Claims | None = None) -> tuple[list[_Piece], list[int]]:
    """Every row group of the source, in order, and its number of rows (from the files' metadata).

    With ``claims``, also gathers what the files' key-value metadata say of their units (see :class:`_Claims`).
    """
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
    rows: list[int] = []
    for name in files:
        metadata = pq.ParquetFile(name).metadata
        if column not in metadata.schema.names:
            raise NotFoundError(f"{name} has no column {column!r} (columns: {', '.join(metadata.schema.names)})")
        pieces.extend((name, group) for group in range(metadata.num_row_groups))
        rows.extend(metadata.row_group(group).num_rows for group in range(metadata.num_row_groups))
        if claims is not None:
            claims.add(metadata.metadata, column, metadata.num_rows)
    if claims is not None:
        claims.finish(sum(rows))
    return pieces, rows


def _read_units(piece: _Piece, column: str) -> IntArray:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(piece[0]).read_row_group(piece[1], columns=[column], use_threads=False)
    return _units_of(table.column(0), column, piece[0])


def _units_of(data: Any, column: str, name: str) -> IntArray:
    """A units column (an Arrow chunked array) as int64, or Python ints past int64; checked."""
    import pyarrow as pa

    if not pa.types.is_integer(data.type):
        raise InvalidAmountError(f"units column {column!r} of {name} holds {data.type}, not integers")
    if data.null_count:
        raise InvalidAmountError(f"units column {column!r} of {name} holds {data.null_count} null values")
    values: IntArray = data.to_numpy()
    if values.dtype == np.uint64 and values.size and int(values.max()) >= 2**63:
        return np.array([int(value) for value in values], dtype=object)
    return values.astype(np.int64, copy=False)


def _encodings(schema: Any) -> dict[str, Any]:
    """How the partitioned path's write pass encodes each output column: the cheapest to write that stays compact.

    Measured per holder, one process writing 1,000,000 rows (CPU time, a busy machine): a required
    (non-null) int64 column split into byte streams (each byte of the values apart, so that the
    constant high bytes compress to nothing) and LZ4-compressed costs about 3 ns for holder ids and
    5.5 ns for the income, against 5 and 7.5 ns delta-encoded; a nullable column also writes its
    definition levels, which the byte-stream path does slowly (7 ns against 6 ns delta-encoded), so
    it stays delta-encoded and uncompressed. Other columns (text, say) keep dictionary encoding and
    snappy. Before pyarrow 16 (no byte streams for integers) every integer column is delta-encoded.
    """
    import pyarrow as pa

    streams = int(pa.__version__.split(".")[0]) >= 16
    encodings: dict[str, str] = {}
    codecs: dict[str, str] = {}
    for field in schema:
        if pa.types.is_integer(field.type):
            delta = field.nullable or not streams
            encodings[field.name] = "DELTA_BINARY_PACKED" if delta else "BYTE_STREAM_SPLIT"
            codecs[field.name] = "none" if delta else "lz4"
        else:
            codecs[field.name] = "snappy"
    dictionary = [field.name for field in schema if field.name not in encodings]
    return {"use_dictionary": dictionary, "column_encoding": encodings, "compression": codecs}


def write_holders(
    out: str | os.PathLike[str], partitions: Sequence[Sequence[int]], *, column: str = "units", metadata: bool = True
) -> None:
    """Write holders' units as Parquet, one file per partition, with a ``holder`` id column (for tests and demos).

    Each file states the count and exact sum of its units and keeps a strided
    sample of about 4,096 of them in its key-value metadata
    (``antfin.units.*``), so that :func:`~antfin.wealth.partitioned.distribute_income_parquet` needs one
    pass fewer (it checks them).

    >>> import os, tempfile
    >>> folder = os.path.join(tempfile.mkdtemp(), "holders")
    >>> write_holders(folder, [[5, 0], [7]])
    >>> sorted(os.listdir(folder))
    ['part-00000.parquet', 'part-00001.parquet']

    Args:
        out: the directory to create.
        partitions: each partition's units, in holder order.
        column: the name of the units column.
        metadata: also write each file's count and exact sum of units and a
            sample of them in its key-value metadata (see
            :func:`~antfin.wealth.partitioned.distribute_income_parquet`, which checks them).

    .. versionadded:: 0.2.0
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    first = 0
    for index, units in enumerate(partitions):
        ids = pa.array(range(first, first + len(units)), type=pa.int64())
        big = any(unit >= 2**63 for unit in units)
        values = np.array(list(units), dtype=np.uint64 if big else np.int64)
        table = pa.table({"holder": ids, column: pa.array(values, type=pa.uint64() if big else pa.int64())})
        name = str(target / f"part-{index:05d}.parquet")
        if metadata:
            _write_with_metadata(table, name, _units_metadata(values, column))
        else:
            pq.write_table(table, name)
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
