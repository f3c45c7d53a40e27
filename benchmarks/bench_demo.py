"""Demo benchmark: the default ``python -m antfin demo`` run against the same world on the memory store.

    python benchmarks/bench_demo.py            # 63 days x 200 users (the default demo)
    python benchmarks/bench_demo.py --quick    # 10 days x 50 users
    python benchmarks/bench_demo.py --check    # exit status 1 if the target is missed
    python benchmarks/bench_demo.py --users 100000 --days 30   # the large run reported on the Performance page

Figures:

- (a) the world played on in-memory books (the baseline: the products' own work);
- (b) ``run_demo`` on an SQLite file, one transaction per day, with its report;
- the ratio (b) / (a), the cost of durability and reporting;
- the target: the default run finishes in under 30 seconds (wall time) on this 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

from antfin.ecosystem.demo import DemoOptions, run_demo
from antfin.ecosystem.world import World, WorldConfig

TARGET_SECONDS = 30.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    args = parser.parse_args(argv)
    users = args.users or (50 if args.quick else 200)
    days = args.days or (10 if args.quick else 63)

    started, cpu = time.perf_counter(), time.process_time()
    world = World.create(WorldConfig(users=users))  # in-memory books
    for _ in range(days):
        world.run_day()
    memory_wall, memory_cpu = time.perf_counter() - started, time.process_time() - cpu

    with tempfile.TemporaryDirectory() as folder:
        started, cpu = time.perf_counter(), time.process_time()
        result = run_demo(DemoOptions(db=str(Path(folder) / "bench.db"), days=days, users=users), out=io.StringIO())
        sqlite_wall, sqlite_cpu = time.perf_counter() - started, time.process_time() - cpu

    with world.books.read() as tx:
        entries = len(tx.ledger.entries())
    print(f"demo benchmark: {days} days x {users} users, {entries:,} journal entries; python {sys.version.split()[0]}")
    print(f"(a) world on memory books         {memory_wall:8.2f} s wall  ({memory_cpu:.2f} s cpu)")
    print(f"(b) run_demo on SQLite + report   {sqlite_wall:8.2f} s wall  ({sqlite_cpu:.2f} s cpu)")
    print(f"ratio (b) / (a) = {sqlite_wall / memory_wall:.2f} wall; {sqlite_cpu / memory_cpu:.2f} cpu")
    print(f"ledger balanced and invariants held: {result.balanced}")
    met = sqlite_wall < TARGET_SECONDS and result.balanced
    if users == 200 and days == 63:
        print(f"target: default demo under {TARGET_SECONDS:.0f} s: {'MET' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
