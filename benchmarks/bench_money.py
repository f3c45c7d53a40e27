"""Benchmark: Money arithmetic and allocation against their baselines.

Prints, in one run:

* ``Money + Money`` and ``Money < Money`` against plain ``Decimal`` and against
  py-moneyed's ``Money`` (a benchmark-only dependency; skipped if absent).
  Targets: addition within 5x of ``Decimal + Decimal``, and at least 2x faster
  than py-moneyed.
* ``allocate_minor_units`` over 1,000,000 integer ratios against a bare integer
  floor-division pass ``[t * r // R for r in ratios]`` over the same data.
  Target: within 5x of the bare pass.

Each figure is the best of several alternating repeats, timed in CPU time of
this process (``time.process_time``) so that other work on a shared machine
distorts the ratios as little as possible.

Usage::

    python benchmarks/bench_money.py            # full size
    python benchmarks/bench_money.py --quick    # small smoke run
    python benchmarks/bench_money.py --check    # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
import timeit
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from importlib import metadata

from antfin import CNY, Money
from antfin.money import allocate_minor_units

try:
    import moneyed
except ImportError:  # pragma: no cover - py-moneyed is in the bench/dev extra only
    moneyed = None


def per_call(statement: str, namespace: dict[str, object], number: int, repeat: int) -> float:
    """Best time of one execution of ``statement`` in seconds."""
    timer = timeit.Timer(statement, timer=time.process_time, globals=namespace)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def best_of(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Best wall time of each function, running them in alternation ``repeat`` times."""
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeat):
        for name, function in functions.items():
            gc.collect()
            gc.disable()
            try:
                start = time.process_time()
                function()
                best[name] = min(best[name], time.process_time() - start)
            finally:
                gc.enable()
    return best


def verdict(met: bool) -> str:
    return "target met" if met else "TARGET MISSED"


def bench_operations(number: int, repeat: int) -> list[bool]:
    a, b = CNY("1234.56"), CNY("789.01")
    da, db = Decimal("1234.56"), Decimal("789.01")
    namespace: dict[str, object] = {"a": a, "b": b, "da": da, "db": db}
    if moneyed is not None:
        namespace["ma"] = moneyed.Money("1234.56", "CNY")
        namespace["mb"] = moneyed.Money("789.01", "CNY")
    results: list[bool] = []
    for label, money_stmt, decimal_stmt, moneyed_stmt in [
        ("Money + Money", "a + b", "da + db", "ma + mb"),
        ("Money < Money", "a < b", "da < db", "ma < mb"),
    ]:
        timings: dict[str, float] = {}
        for _ in range(3):  # alternate, keep the best of each
            for name, statement in [("antfin", money_stmt), ("Decimal", decimal_stmt), ("py-moneyed", moneyed_stmt)]:
                if name == "py-moneyed" and moneyed is None:
                    continue
                value = per_call(statement, namespace, number, repeat)
                timings[name] = min(timings.get(name, float("inf")), value)
        ours = timings["antfin"]
        vs_decimal = ours / timings["Decimal"]
        print(f"{label}")
        print(f"  antfin Money      {ours * 1e9:8.1f} ns/op")
        print(f"  Decimal baseline  {timings['Decimal'] * 1e9:8.1f} ns/op   antfin/Decimal = {vs_decimal:.2f}x")
        if label.startswith("Money +"):
            met = vs_decimal <= 5
            results.append(met)
            print(f"    target: within 5x of Decimal + Decimal -> {verdict(met)}")
        if "py-moneyed" in timings:
            speedup = timings["py-moneyed"] / ours
            print(
                f"  py-moneyed        {timings['py-moneyed'] * 1e9:8.1f} ns/op   "
                f"antfin is {speedup:.2f}x faster than py-moneyed"
            )
            if label.startswith("Money +"):
                met = speedup >= 2
                results.append(met)
                print(f"    target: at least 2x faster than py-moneyed -> {verdict(met)}")
        else:
            print("  py-moneyed        not installed (pip install py-moneyed): comparison skipped")
    return results


def bench_allocation(size: int, repeat: int) -> list[bool]:
    rng = random.Random(20240601)
    ratios = [rng.randrange(0, 1000) for _ in range(size)]
    total = 12_345_678_901
    weight = sum(ratios)

    def bare() -> list[int]:
        return [total * ratio // weight for ratio in ratios]

    def engine() -> list[int]:
        return allocate_minor_units(total, ratios)

    parts = engine()
    assert sum(parts) == total  # a benchmark of a wrong answer is worthless
    timings = best_of({"bare": bare, "allocate_minor_units": engine}, repeat)
    ratio = timings["allocate_minor_units"] / timings["bare"]
    met = ratio <= 5
    print(f"allocate over {size:,} int ratios (total {total:,} fen)")
    print(f"  allocate_minor_units  {timings['allocate_minor_units'] * 1e3:8.1f} ms")
    print(f"  bare t*r//R pass      {timings['bare'] * 1e3:8.1f} ms   allocate/bare = {ratio:.2f}x")
    print(f"    target: within 5x of the bare pass -> {verdict(met)}")
    money = Money.from_minor_units(total, CNY)
    small = ratios[: max(1, size // 10)]
    timing = best_of({"Money.allocate": lambda: money.allocate(small)}, max(1, repeat // 2))["Money.allocate"]
    print(f"  (for reference: Money.allocate over {len(small):,} ratios, building Money parts: {timing * 1e3:.1f} ms)")
    return [met]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--check", action="store_true", help="exit with status 1 if a target is missed")
    args = parser.parse_args(argv)
    number, repeat, size, alloc_repeat = (20_000, 3, 20_000, 3) if args.quick else (200_000, 5, 1_000_000, 7)
    print(f"bench_money: {'quick' if args.quick else 'full'} run, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"Python {platform.python_version()} on {platform.machine()} {platform.system()}, "
        f"{os.cpu_count()} cores; py-moneyed {metadata.version('py-moneyed') if moneyed else 'absent'}"
    )
    print()
    results = bench_operations(number, repeat)
    print()
    results += bench_allocation(size, alloc_repeat)
    print()
    missed = results.count(False)
    print(f"targets: {len(results) - missed} met, {missed} missed")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
