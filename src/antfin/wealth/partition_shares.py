"""A partition's shares of the day's income, in place: floors, remainders and each holder's fen.

The arithmetic of :mod:`antfin.wealth.partitioned` for one partition of
holders, once the threshold (the remainder that decides who gets one more
fen) is known: each holder's fen in one floor division when no tie is to be
settled, else from the floors and remainders; in int64 scratch arrays that
each thread reuses from call to call (fresh memory is expensive), or in
Python integers where int64 cannot hold the sums.

>>> import numpy as np
>>> from antfin.wealth.partition_shares import _split, _with_ties
>>> floors, remainders = _split(np.array([1, 1, 1]), 100, 3)
>>> floors.tolist(), remainders.tolist()
([33, 33, 33], [1, 1, 1])
>>> _with_ties(np.array([1, 1, 1]), 100, 3, 1, 1).tolist()  # one fen left: the first holder tied at 1 gets it
[34, 33, 33]

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import threading
from typing import Any, Final

import numpy as np

from antfin.wealth.vectorized import (
    _FAST_LIMIT,
    _INT64_LIMIT,
    _MIN_CHUNK_BITS,
    IntArray,
    _apply_threshold,
    _floors_and_remainders,
)

#: Holders per block when a partition is computed in blocks: four int64 scratch arrays of 512 kB, cache-sized.
_BLOCK: Final = 1 << 16


def _shares(units: IntArray, income: int, total: int, threshold: int | None) -> IntArray | None:
    """Each holder's fen when the partition has no tie to settle, in one floor division; None when int64
    cannot hold the sums (then :func:`_with_ties` computes them).

    With ``p = rest × u = q × total + r`` (``0 <= r < total``) and ``c = total - threshold - 1``,
    ``⌊(p + c) / total⌋ = q + ⌊(r + c) / total⌋`` and ``r + c >= total`` exactly when ``r > threshold``:
    the floor and the fen of a remainder above the threshold at once, without the remainders.
    """
    if income == 0 or units.size == 0 or units.dtype == object or income >= _FAST_LIMIT or total >= _FAST_LIMIT:
        return None
    whole, rest = divmod(income, total)
    offset = 0 if threshold is None else total - threshold - 1
    bound = (_INT64_LIMIT - 1 - offset) // max(rest, 1)  # the largest unit whose rest × u + offset fits
    parts, spare, _, _ = _scratch(units.size)
    block = min(units.size, _BLOCK)  # units.size > 0 here
    for start in range(0, units.size, block):  # a block at a time, in the processor's cache
        piece, part, extra = (
            units[start : start + block],
            parts[start : start + block],
            spare[: min(block, units.size - start)],
        )
        if int(piece.max()) > bound:
            return None
        np.multiply(piece, rest, out=part)
        if offset:
            np.add(part, offset, out=part)
        np.floor_divide(part, total, out=part)
        if whole:
            np.multiply(piece, whole, out=extra)  # whole × u <= income × u / total <= income < 2**62
            np.add(part, extra, out=part)
    return parts


def _with_ties(units: IntArray, income: int, total: int, threshold: int | None, ties: int) -> IntArray:
    """Each holder's fen from the floors and remainders: one more above ``threshold``, and to the first
    ``ties`` holders whose remainder equals it."""
    floors, remainders = _split(units, income, total)
    parts = floors  # scratch or fresh: never a cached array
    if threshold is not None and remainders.dtype != object:
        flags = _flags(parts.size)[0]
        np.add(parts, np.greater(remainders, threshold, out=flags), out=parts)
        if ties:
            parts[np.flatnonzero(np.equal(remainders, threshold, out=flags))[:ties]] += 1
    elif threshold is not None:
        _apply_threshold(parts, remainders, threshold, ties)
    return parts


def _split(units: IntArray, income: int, total: int) -> tuple[IntArray, IntArray]:
    """Floors and remainders of a partition, in this thread's scratch arrays when int64 (valid until the next call)."""
    if income == 0:
        zeros: IntArray = np.zeros(units.size, dtype=np.int64)
        return zeros, zeros.copy()
    if units.dtype == object or income >= _FAST_LIMIT or total >= _FAST_LIMIT:
        return _floors_and_remainders(income, units, total)
    whole, rest = divmod(income, total)
    floors, remainders, spare, digits = _scratch(units.size)
    if rest == 0 or units.size == 0:
        np.multiply(units, whole, out=floors)
        remainders.fill(0)
        return floors, remainders
    largest = int(units.max())
    if rest * largest < _INT64_LIMIT:
        # r = p - total × ⌊p / total⌋: NumPy's floor division by one divisor is vectorized,
        # its divmod is not (2.5 against 3.3 ns a holder here, the same exact result for p >= 0).
        np.multiply(units, rest, out=spare)
        np.floor_divide(spare, total, out=floors)
        np.multiply(floors, total, out=remainders)
        np.subtract(spare, remainders, out=remainders)
    else:
        # rest × u as a sum of rest × chunk_j × 2**(step × j), divided by total digit by digit
        # (Horner's rule): the same long division as the vectorized path, in place.
        step = 62 - total.bit_length()
        if step < _MIN_CHUNK_BITS:
            return _floors_and_remainders(income, units, total)
        mask = (1 << step) - 1
        shift = (largest.bit_length() + step - 1) // step * step
        floors.fill(0)
        remainders.fill(0)
        while shift > 0:
            shift -= step
            np.right_shift(units, shift, out=spare)
            np.bitwise_and(spare, mask, out=spare)
            np.multiply(spare, rest, out=spare)
            np.left_shift(remainders, step, out=remainders)
            np.add(remainders, spare, out=remainders)
            np.floor_divide(remainders, total, out=digits)
            np.multiply(digits, total, out=spare)
            np.subtract(remainders, spare, out=remainders)
            np.left_shift(floors, step, out=floors)
            np.add(floors, digits, out=floors)
    if whole:
        np.multiply(units, whole, out=spare)  # whole × u <= income × u / total <= income < 2**62
        np.add(floors, spare, out=floors)
    return floors, remainders


_local = threading.local()


def _flags(size: int) -> tuple[np.ndarray[Any, np.dtype[np.bool_]], np.ndarray[Any, np.dtype[np.bool_]]]:
    """Two boolean arrays of ``size`` for this thread, reused from call to call (see :func:`_scratch`)."""
    flags: np.ndarray[Any, np.dtype[np.bool_]] | None = getattr(_local, "flags", None)
    if flags is None or flags.shape[1] < size:
        flags = np.empty((2, size), dtype=np.bool_)
        _local.flags = flags
    return flags[0, :size], flags[1, :size]


def _scratch(size: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Four int64 arrays of ``size`` for this thread, reused from call to call.

    Fresh memory is expensive (each page faulted in and zeroed by the kernel,
    and Dask's workers hand freed memory straight back to it): a worker
    reuses the same few arrays for every partition it handles.
    """
    arrays: np.ndarray[Any, np.dtype[np.int64]] | None = getattr(_local, "arrays", None)
    if arrays is None or arrays.shape[1] < size:
        arrays = np.empty((4, size), dtype=np.int64)
        _local.arrays = arrays
    return arrays[0, :size], arrays[1, :size], arrays[2, :size], arrays[3, :size]
