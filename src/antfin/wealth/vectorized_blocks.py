"""The vectorized distribution over many holders: one fresh array, the rest in small blocks.

>>> import numpy as np
>>> from antfin.wealth.vectorized_blocks import distribute_in_blocks
>>> distribute_in_blocks(100, np.array([1, 1, 1]), 3, 1).tolist()
[34, 33, 33]

:func:`~antfin.wealth.vectorized.distribute_income_array` hands its int64
work here when ``rest × u + total`` fits in int64 for every holder (``income
= whole × total + rest``), which covers any realistic fund. The answer is the
same fen, holder by holder; only the way to it changes:

1. **the products** ``p = rest × u`` go straight into the array that is
   returned: it is the only array of the holders' size this path allocates.
   (On the benchmark machine, fresh memory costs more than the arithmetic:
   a second and a third array of a million int64 were faulted in again on
   every call, 1.5 to 2 ms each, when the C library returned them to the
   system between calls.)
2. **a strided sample** of the units, turned into remainders, places a band
   of remainder values that should hold the threshold (the ``k``-th largest
   remainder, where ``k``, the fen left over, is guessed from the sample's
   own remainders). The band is wide: many standard deviations of the
   sample's rank error.
3. **one pass over the products in blocks** (a few hundred kilobytes of
   scratch, reused block after block, so that they stay in the processor's
   cache): each block's floors ``⌊p / total⌋``, summed so that ``k`` is
   exact, and its remainders, counted above the band and gathered (with
   their holders' positions) inside it.
4. **the threshold** is then exact: the counts prove that the band holds the
   ``k``-th largest remainder, and a partial sort of the band finds it. When
   they do not (an unlucky or adversarial order of holders), the caller
   computes the answer on full arrays instead: slower, never different.
5. **each holder's fen in one division**, in place:
   ``⌊(p + total − threshold − 1) / total⌋`` is the floor plus one exactly
   when the remainder is above the threshold (``− 1`` dropped when every
   holder at the threshold gets a fen); holders tied at the threshold get
   theirs in holder order, from the positions gathered in the band.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from math import isqrt
from typing import Any, Final, TypeAlias

import numpy as np

__all__ = ["distribute_in_blocks"]

#: An integer array: int64 normally, object (Python ints) only beyond int64.
IntArray: TypeAlias = np.ndarray[Any, np.dtype[Any]]

_INT64_LIMIT: Final = 2**63
_FAST_LIMIT: Final = 2**62
#: Holders per block of the scan: 8 bytes each in two int64 scratch arrays (1 MB), cache-sized.
_BLOCK: Final = 1 << 16
#: About this many units are sampled to place the band (at least this many, fewer than twice).
_SAMPLE: Final = 1 << 14
#: The band reaches this many times the square root of the sample's size each side of the guessed
#: rank (the rank's standard deviation is at most that root, about a third of it for even
#: remainders), plus a few ranks.
_MARGIN_ROOTS: Final = 3
_MARGIN_RANKS: Final = 8


def distribute_in_blocks(magnitude: int, units: IntArray, total: int, largest: int) -> IntArray | None:
    """Each holder's fen of ``magnitude`` over int64 ``units``; None when the sampled band missed.

    >>> import numpy as np
    >>> distribute_in_blocks(10, np.array([3, 0, 5, 1]), 9, 5).tolist()
    [3, 0, 6, 1]

    Args:
        magnitude: the income in fen, ``0 <= magnitude < 2**62``.
        units: non-negative int64 units, ``largest`` the largest and
            ``total`` (``0 < total < 2**62``) their sum; ``(magnitude mod
            total) × largest + total`` must be below 2⁶³.

    Returns:
        A new int64 array summing to ``magnitude``: the largest-remainder
        split, ties to the earlier holder. None if the sample placed the
        band wrongly, or if the arguments are outside these bounds: the
        caller then computes the answer another way.

    .. versionadded:: 0.2.0
    """
    whole, rest = divmod(magnitude, total)
    if units.dtype != np.int64 or magnitude >= _FAST_LIMIT or rest * largest + total >= _INT64_LIMIT:
        return None
    parts = np.multiply(units, rest)  # the products, then each holder's fen
    if rest:
        low, high = _band(units, rest, total)
        floors, above, band, positions = _scan(parts, total, low, high)
        leftover = rest - floors
        if leftover:
            if not above < leftover <= above + band.size:
                return None
            threshold, above, tied = _threshold(band, leftover, above)
            everyone = tied.size == leftover - above  # every holder at the threshold gets a fen
            np.add(parts, total - threshold - (0 if everyone else 1), out=parts)
            np.floor_divide(parts, total, out=parts)
            if not everyone:
                parts[positions[tied[: leftover - above]]] += 1
        else:
            np.floor_divide(parts, total, out=parts)
    if whole:  # whole × u <= magnitude × u / total <= magnitude < 2**62
        scratch = np.empty(min(_BLOCK, units.size), dtype=np.int64)
        for start in range(0, units.size, _BLOCK):
            block = parts[start : start + _BLOCK]
            extra = scratch[: block.size]
            np.multiply(units[start : start + _BLOCK], whole, out=extra)
            np.add(block, extra, out=block)
    return parts


def _band(units: IntArray, rest: int, total: int) -> tuple[int, int]:
    """Remainder values ``(low, high)`` that should bracket the threshold, from a strided sample.

    >>> _band(np.arange(100), 1, 4950)  # every unit sampled; k = 1: the band is the 39 largest and above
    (61, 4949)

    .. versionadded:: 0.2.0
    """
    products = np.multiply(units[:: max(1, units.size // _SAMPLE)], rest)
    remainders = products - np.floor_divide(products, total) * total
    count = remainders.size
    # The sample's own fen left over (its remainders' sum over the total) estimates k × count / size.
    # Summed in 32-bit halves: each remainder is below 2**62, and the sample has fewer than 2**31 of them.
    remainder_sum = (int(np.sum(remainders >> 32)) << 32) + int(np.sum(remainders & 0xFFFFFFFF))
    expected = min(count, remainder_sum // total)
    margin = _MARGIN_ROOTS * isqrt(count) + _MARGIN_RANKS
    low_rank = min(count - 1, count - expected - margin)  # ascending ranks in the sample
    high_rank = count - expected + margin
    ranks = [rank for rank in (low_rank, high_rank) if 0 <= rank < count]
    ordered = np.partition(remainders, ranks) if ranks else remainders
    low = int(ordered[low_rank]) if low_rank >= 0 else 0
    high = int(ordered[high_rank]) if high_rank < count else total - 1
    return low, high


def _scan(products: IntArray, total: int, low: int, high: int) -> tuple[int, int, IntArray, IntArray]:
    """One pass in blocks: the sum of the floors ``⌊p / total⌋``, the count of remainders above ``high``,
    and the remainders in ``[low, high]`` with their positions (in holder order).

    >>> floors, above, band, positions = _scan(np.array([7, 8, 9, 10, 11]), 5, 2, 3)
    >>> floors, above, band.tolist(), positions.tolist()
    (7, 1, [2, 3], [0, 1])

    .. versionadded:: 0.2.0
    """
    size = products.size
    block = min(_BLOCK, size)
    floors_scratch = np.empty(block, dtype=np.int64)
    remainders_scratch = np.empty(block, dtype=np.int64)
    over_scratch = np.empty(block, dtype=np.bool_)
    inside_scratch = np.empty(block, dtype=np.bool_)
    floors = above = 0
    values: list[IntArray] = []
    positions: list[IntArray] = []
    for start in range(0, size, block):
        piece = products[start : start + block]
        count = piece.size
        quotient, remainder = floors_scratch[:count], remainders_scratch[:count]
        over, inside = over_scratch[:count], inside_scratch[:count]
        np.floor_divide(piece, total, out=quotient)
        floors += int(quotient.sum())  # at most rest in all: no wrap
        np.multiply(quotient, total, out=quotient)
        np.subtract(piece, quotient, out=remainder)
        above += int(np.count_nonzero(np.greater(remainder, high, out=over)))
        np.greater_equal(remainder, low, out=inside)
        found = np.flatnonzero(np.logical_xor(inside, over, out=inside))  # low <= r <= high
        if found.size:
            values.append(remainder[found])
            positions.append(found + start)
    if not values:
        return floors, above, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.intp)
    return floors, above, np.concatenate(values), np.concatenate(positions)


def _threshold(band: IntArray, leftover: int, above: int) -> tuple[int, int, IntArray]:
    """The ``leftover``-th largest remainder, how many remainders exceed it, and where it is in ``band``.

    ``above`` counts the remainders above the band; the threshold is in the band.

    >>> threshold, above, tied = _threshold(np.array([4, 6, 5, 6]), 2, 1)
    >>> threshold, above, tied.tolist()
    (6, 1, [1, 3])
    >>> _threshold(np.array([4, 6, 5, 6]), 4, 1)[:2]
    (5, 3)

    .. versionadded:: 0.2.0
    """
    rank = band.size - (leftover - above)
    ordered = np.partition(band, rank)
    threshold = int(ordered[rank])
    above += int(np.count_nonzero(ordered[rank + 1 :] > threshold))
    return threshold, above, np.flatnonzero(band == threshold)
