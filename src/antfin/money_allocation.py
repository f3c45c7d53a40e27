"""Allocation in whole minor units: split an integer total over ratios by largest remainder.

The engine behind :meth:`Money.allocate <antfin.money.Money.allocate>`, for batch
use on plain ints; both functions are re-exported by :mod:`antfin.money`.

>>> from antfin.money import allocate_minor_units, integer_ratios
>>> allocate_minor_units(10000, integer_ratios(["1.5", "0.5"]))
[7500, 2500]

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import compress, count, islice
from typing import Final

from antfin.errors import InvalidAmountError

__all__ = ["allocate_minor_units", "integer_ratios"]


def integer_ratios(ratios: Iterable[int | Decimal | str]) -> list[int]:
    """Scale ratios (ints, Decimals or decimal strings) to integers with the same proportions.

    >>> integer_ratios([Decimal("0.9"), Decimal("0.07"), 1])
    [90, 7, 100]
    >>> integer_ratios(["1.5", "0.5"])
    [15, 5]

    The scaling is exact: every ratio is multiplied by the same power of ten.

    Args:
        ratios: non-negative ``int``, :class:`~decimal.Decimal` or decimal ``str`` values.

    Returns:
        A new list of non-negative ints in the same proportions.

    Raises:
        antfin.errors.InvalidAmountError: for empty, negative, all-zero, NaN or
            infinite ratios.
        TypeError: for float or bool ratios.

    .. versionadded:: 0.1.0
    """
    values = list(ratios)
    if values and all(value.__class__ is int for value in values):
        weights: list[int] = values  # type: ignore[assignment, unused-ignore]
    else:
        from antfin.money import to_decimal  # money builds on this module: imported when called

        decimals = [to_decimal(value, "ratio") for value in values]
        shift = max((-int(value.as_tuple().exponent) for value in decimals), default=0)
        weights = [_scaled_int(value, shift) for value in decimals]
    _check_weights(weights)
    return weights


def _scaled_int(value: Decimal, shift: int) -> int:
    """``value * 10**shift`` exactly, for a shift that makes it integral."""
    sign, digits, exponent = value.as_tuple()
    coefficient = int("".join(map(str, digits)) or "0")
    scale = int(exponent) + shift
    result: int = coefficient * 10**scale if scale >= 0 else coefficient // 10**-scale
    return -result if sign else result


def _check_weights(weights: Sequence[int]) -> int:
    if not weights:
        raise InvalidAmountError("ratios must not be empty; expected at least one non-negative ratio")
    total = sum(weights)
    if total.__class__ is not int:
        kinds = sorted({type(weight).__name__ for weight in weights if weight.__class__ is not int})
        raise TypeError(f"ratios must be ints here, got {', '.join(kinds)}; use integer_ratios() for Decimal ratios")
    smallest = min(weights)
    if smallest < 0:
        raise InvalidAmountError(f"ratios must not be negative, got {smallest}; expected values >= 0")
    if total == 0:
        raise InvalidAmountError("ratios must not all be zero; expected at least one positive ratio")
    return total


# Below this many parts the k-th largest remainder is found by a plain sort; above it, by
# sampling a band around it first (same result, less sorting).
_SELECT_BY_SORT_BELOW: Final = 4096


def _kth_largest(values: list[int], k: int, *, sort_below: int = _SELECT_BY_SORT_BELOW) -> int:
    """The ``k``-th largest of ``values`` (1-based, counting repeats), for ``1 <= k <= len(values)``.

    Large inputs sort a strided sample to guess a narrow band ``[low, high]`` that
    should contain the answer, keep only the values in the band (counting those
    above it) and sort just the band; if the guess misses, they fall back to
    sorting everything. Either way the answer is exact.
    """
    size = len(values)
    if size >= sort_below:
        sample = sorted(values[:: max(1, size // 8192)], reverse=True)
        position = (k - 1) * len(sample) // size
        margin = 64 + len(sample) // 40
        high = sample[max(0, position - margin)]
        low = sample[min(len(sample) - 1, position + margin)]
        # (List comprehensions: CPython specialises their int comparisons, which beats map/filter.)
        if 2 * k <= size:  # few values above the band: cut at `low` first
            at_least_low = [value for value in values if value >= low]
            band = [value for value in at_least_low if value <= high]
            above = len(at_least_low) - len(band)
        else:  # many values above the band: cut at `high` first
            at_most_high = [value for value in values if value <= high]
            band = [value for value in at_most_high if value >= low]
            above = size - len(at_most_high)
        if above < k <= above + len(band):
            band.sort(reverse=True)
            return band[k - above - 1]
    return sorted(values, reverse=True)[k - 1]


def allocate_minor_units(total: int, ratios: Sequence[int]) -> list[int]:
    """Allocate an integer ``total`` over integer ``ratios`` by largest remainder.

    The integer-in, integer-out engine behind :meth:`Money.allocate <antfin.money.Money.allocate>`, for batch
    use: parts sum exactly to ``total``; each is the floor of its exact share or
    one more; the extra units go to the largest remainders, ties to the earlier
    index; zero ratios get zero; a negative total is allocated as the mirror of
    its absolute value.

    >>> allocate_minor_units(10000, [1, 1, 1])
    [3334, 3333, 3333]
    >>> allocate_minor_units(-7, [2, 1])
    [-5, -2]
    >>> allocate_minor_units(5, [0, 3, 3, 0])
    [0, 3, 2, 0]

    Args:
        total: the amount to split, in minor units.
        ratios: non-negative int weights, at least one positive.

    Returns:
        A new list of ints, one per ratio, summing to ``total``.

    Raises:
        antfin.errors.InvalidAmountError: for empty, negative or all-zero ratios.
        TypeError: for a non-int total or non-int ratios.

    .. versionadded:: 0.1.0
    """
    weight_sum = _check_weights(ratios)
    if total.__class__ is not int:
        raise TypeError(f"total must be an int count of minor units, not {type(total).__name__}")
    if total < 0:
        return [-part for part in allocate_minor_units(-total, ratios)]
    # remainder_i = total * ratio_i mod weight_sum; the floors fall short of the total by
    # exactly sum(remainders) / weight_sum units, which go to the largest remainders.
    # (Plain comprehensions: CPython specialises their int arithmetic, which beats map().)
    remainders = [total * ratio % weight_sum for ratio in ratios]
    leftover = sum(remainders) // weight_sum
    if leftover == 0:
        return [total * ratio // weight_sum for ratio in ratios]
    # With threshold = the leftover-th largest remainder, floor((total * ratio + bump) / weight_sum)
    # with bump = weight_sum - 1 - threshold adds one unit exactly to the remainders above the
    # threshold. The threshold is positive (remainders sum to leftover * weight_sum and each is
    # below weight_sum), so zero ratios, whose remainder is 0, never get a unit.
    threshold = _kth_largest(remainders, leftover)
    bump = weight_sum - 1 - threshold
    parts = [(total * ratio + bump) // weight_sum for ratio in ratios]
    # Remainders equal to the threshold share the units still missing, earlier index first.
    missing = total - sum(parts)
    for index in islice(compress(count(), map(threshold.__eq__, remainders)), missing):
        parts[index] += 1
    return parts
