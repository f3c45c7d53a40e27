"""Benchmark: distribute_income's integer form over 1,000,000 holders (issue 5).

Measures, on the same seeded data:

1. the bare pure-Python pass ``[u * income // total for u in units]`` (no redistribution);
2. ``antfin.wealth.distribute_income(income, units)`` (truncate, then largest remainder: exact);
3. a per-holder ``Decimal.quantize`` loop giving each holder's share in fen, the same output as (2)
   but without the redistribution (the figure the target is judged on), and for information the
   same quantize as a list comprehension that keeps Decimal yuan (no int conversion);
4. NumPy's vectorized floor division, if NumPy is installed (reference only, not a target);

and the peak extra memory of (2) against the size of the input list (list plus its ints).

Targets: (2) within 5x of (1); (2) at least 3x faster than (3); peak extra memory within 3x of the input.

Run: ``python benchmarks/bench_fund.py`` (1,000,000 holders) or ``--quick`` (100,000).
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from antfin.wealth import distribute_income


def best_of(repeats: int, func: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def build_units(holders: int, seed: int) -> list[int]:
    """Holdings in fen (0.01 unit): most small, a long tail of large ones, some zeros."""
    rng = random.Random(seed)
    units = []
    for _ in range(holders):
        bucket = rng.random()
        if bucket < 0.02:
            units.append(0)
        elif bucket < 0.70:
            units.append(rng.randint(1, 500_000))  # up to 5,000 yuan
        elif bucket < 0.98:
            units.append(rng.randint(500_000, 10_000_000))  # up to 100,000 yuan
        else:
            units.append(rng.randint(10_000_000, 100_000_000))  # up to 1,000,000 yuan
    return units


def decimal_quantize_loop(income: int, units: list[int]) -> list[int]:
    """Per holder: Decimal share in yuan, quantized down to the fen, as int fen (no redistribution)."""
    income_yuan, total, fen = Decimal(income).scaleb(-2), Decimal(sum(units)), Decimal("0.01")
    shares = []
    for unit in units:
        share = (Decimal(unit) * income_yuan / total).quantize(fen, rounding=ROUND_DOWN)
        shares.append(int(share.scaleb(2)))
    return shares


def decimal_quantize_comprehension(income: int, units: list[int]) -> list[Decimal]:
    """The quantize alone, kept as Decimal yuan: the cheapest Decimal formulation."""
    income_yuan, total, fen = Decimal(income).scaleb(-2), Decimal(sum(units)), Decimal("0.01")
    return [(income_yuan * unit / total).quantize(fen, rounding=ROUND_DOWN) for unit in units]


def peak_memory(income: int, units: list[int]) -> int:
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    kept = distribute_income(income, units)
    peak_extra = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()
    del kept
    return peak_extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 holders, one repetition (smoke test)")
    parser.add_argument("--holders", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    holders = args.holders or (100_000 if args.quick else 1_000_000)
    repeats = args.repeats or (1 if args.quick else 3)

    tracemalloc.start()
    units = build_units(holders, seed=5)
    input_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    total = sum(units)
    income = total * 2 // 100 // 365  # about 2% a year, one day, in fen
    print(f"antfin distribute_income benchmark — {holders:,} holders, best of {repeats}")
    print(
        f"python {platform.python_version()} on {platform.machine()}; total units {total / 100:,.2f}; "
        f"income {income / 100:,.2f} yuan"
    )

    bare = best_of(repeats, lambda: [unit * income // total for unit in units])
    ours = best_of(repeats, lambda: distribute_income(income, units))
    decimal_loop = best_of(repeats, lambda: decimal_quantize_loop(income, units))
    decimal_comprehension = best_of(repeats, lambda: decimal_quantize_comprehension(income, units))

    result = distribute_income(income, units)
    assert sum(result) == income, "distribution is not exact"
    leftover = income - sum(unit * income // total for unit in units)
    del result
    peak_extra = peak_memory(income, units)

    rows = []
    ratio_bare = ours / bare
    rows.append(
        ("distribute_income vs bare // pass", f"{ours:.3f} s", f"{bare:.3f} s", ratio_bare, "<= 5x", ratio_bare <= 5)
    )
    speedup = decimal_loop / ours
    rows.append(
        (
            "Decimal.quantize loop (to fen) vs ours",
            f"{decimal_loop:.3f} s",
            f"{ours:.3f} s",
            speedup,
            ">= 3x",
            speedup >= 3,
        )
    )
    memory_ratio = peak_extra / input_bytes
    rows.append(
        (
            "peak extra memory vs input list",
            f"{peak_extra / 1e6:.1f} MB",
            f"{input_bytes / 1e6:.1f} MB",
            memory_ratio,
            "<= 3x",
            memory_ratio <= 3,
        )
    )
    print(f"leftover fen redistributed by largest remainder: {leftover:,}")
    print()
    print(f"{'figure':<46} {'measured':>12} {'baseline':>12} {'ratio':>8}  target  met")
    for name, measured, base, ratio, target, met in rows:
        print(f"{name:<46} {measured:>12} {base:>12} {ratio:>7.2f}x  {target:<6}  {'yes' if met else 'NO'}")
    print(
        f"{'info: Decimal.quantize comprehension vs ours':<46} {decimal_comprehension:>10.3f} s {ours:>10.3f} s "
        f"{decimal_comprehension / ours:>7.2f}x  (information: Decimal yuan out, no int conversion)"
    )
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - optional reference
        print("numpy not installed: vectorized reference skipped")
    else:
        array = np.array(units, dtype=np.int64)
        if income * int(array.max()) < 2**63:
            vectorized = best_of(repeats, lambda: array * income // total)
            print(
                f"{'reference: NumPy vectorized floor division':<46} {vectorized:>10.3f} s {bare:>10.3f} s "
                f"{vectorized / bare:>7.2f}x  (reference only, no redistribution)"
            )
    all_met = all(row[-1] for row in rows)
    print()
    print("all targets met" if all_met else "SOME TARGETS MISSED")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
