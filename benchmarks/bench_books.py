"""The books' benchmark: cost per simulated day against history and population, and continuing a stored file.

    python benchmarks/bench_books.py            # the targets' sizes (2,000 users x 365 days; 500 vs 5,000 users)
    python benchmarks/bench_books.py --quick    # 200 users x 40 days; 100 vs 1,000 users
    python benchmarks/bench_books.py --big      # also 100,000 users x 30 days
    python benchmarks/bench_books.py --check    # exit status 1 if a target is missed

Every figure is measured in the same run, and every target is a ratio against a
baseline of that run; times are this process's processor time (the machine is
shared: wall times minutes apart would compare the neighbours' load):

- flat days: one SQLite books file of U users played for D days, one
  transaction a day; the mean wall time of the last 36 days against the first
  30 (target: at most 1.3x);
- continuing: a fresh process opens that file and plays one more day; its day
  against the mean of the last 30 simulated days (target: at most 2x, opening
  reported apart), and the process's peak memory (target: under 300 MB);
- population: 30 days of 10x the users against 30 days of the base size
  (target: at most 12x);
- big (``--big``): 100,000 users x 30 days (target: under 150 s and 1.5 GB).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

from antfin.books import Books
from antfin.ecosystem.world import World, WorldConfig

CONTINUE = """
import json, resource, sys, time
started = time.perf_counter()
from antfin.books import Books
from antfin.ecosystem.world import World
books = Books.open(sys.argv[1])
world = World.resume(books)
opened = time.perf_counter() - started
started = time.perf_counter()
cpu = time.process_time()
world.run_day()
day = time.process_time() - cpu
books.close()
# The process's own peak: getrusage's ru_maxrss of a child started by subprocess (vfork, then exec) starts at the
# parent's peak, which here is the 365-day run's; /proc's VmHWM belongs to this process's memory alone.
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"open": opened, "day": day, "rss_mb": peak}))
"""


def _play(path: Path, users: int, days: int, label: str) -> list[float]:
    """Play ``days`` days on a new file; the processor time of each day.

    Processor time, not wall time: the machine is shared (2 cores), and a ratio
    of wall times taken minutes apart would measure the neighbours' load.
    """
    times: list[float] = []
    with Books.open(path) as books:
        world = World.create(WorldConfig(users=users), books)
        for day in range(days):
            started = time.process_time()
            world.run_day()
            times.append(time.process_time() - started)
            if day % 30 == 29 or day == days - 1:
                print(f"  {label}: day {day + 1}/{days}, {times[-1]:.2f} s", file=sys.stderr, flush=True)
    return times


def _entries_per_day(path: Path) -> list[int]:
    """The ledger entries booked on each simulated day, from the file (a day is its Asia/Shanghai date)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT substr(at, 1, 10) AS day, count(*) FROM entries GROUP BY day ORDER BY day")
        counts = [count for _, count in rows]
    conn.close()
    return counts


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _flat_and_continue(folder: Path, users: int, days: int, results: dict[str, object], missed: list[str]) -> None:
    path = folder / "books.db"
    times = _play(path, users, days, "flat")
    first, last = mean(times[:30]), mean(times[-36:] if days >= 66 else times[-10:])
    flat = last / first
    print(f"flat days: first 30 {first:.3f} s/day, last {min(days, 36)} {last:.3f} s/day, ratio {flat:.2f} "
          f"(target <= 1.3: {_verdict(flat <= 1.3)})")  # fmt: skip
    results["flat"] = {"first_30_s": first, "last_36_s": last, "ratio": flat, "days_s": [round(t, 3) for t in times]}
    # The work of a day, to read the ratio by: a late day books more (Huabei bills, loan instalments, trades whose
    # refund window closes) than a day of the first month, when nobody has a bill or an instalment yet.
    per_day = _entries_per_day(path)
    early, late = mean(per_day[:30]), mean(per_day[-36:] if days >= 66 else per_day[-10:])
    per_entry = (last / late) / (first / early)
    print(f"  work: {early:.0f} ledger entries a day in the first 30 days, {late:.0f} in the last; "
          f"processor time per entry {per_entry:.2f}x (not a target: read with the ratio above)")  # fmt: skip
    results["flat"] |= {"entries_first_30": early, "entries_last_36": late, "per_entry_ratio": per_entry}
    # History alone: the last days against days 91-120, when every product's calendar (bills, instalments,
    # refund windows) already runs, so both ends do the same kinds of work and only the history differs.
    if days >= 156:
        steady = mean(times[90:120])
        print(f"  history: days 91-120 {steady:.3f} s/day, last {min(days, 36)} {last:.3f} s/day, "
              f"ratio {last / steady:.2f} (not a target: the same work on a longer history)")  # fmt: skip
        results["flat"] |= {"days_91_120_s": steady, "history_ratio": last / steady}
    if flat > 1.3:
        missed.append("flat days")
    size_mb = path.stat().st_size / 1024**2
    child = subprocess.run(
        [sys.executable, "-c", CONTINUE, str(path)], capture_output=True, text=True, check=True, timeout=3600
    )
    cont = json.loads(child.stdout)
    simulated = mean(times[-30:])
    ratio = cont["day"] / simulated
    print(f"continue: open {cont['open']:.2f} s, one day {cont['day']:.3f} s vs a simulated day {simulated:.3f} s "
          f"= {ratio:.2f}x (target <= 2: {_verdict(ratio <= 2)}); peak {cont['rss_mb']:.0f} MB "
          f"(target < 300: {_verdict(cont['rss_mb'] < 300)}); file {size_mb:.0f} MB")  # fmt: skip
    results["continue"] = {**cont, "simulated_day_s": simulated, "ratio": ratio, "file_mb": size_mb}
    played = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  the process that played the {days} days: peak {played:.0f} MB (information: a leak shows here)")
    results["flat"] |= {"rss_mb": played}
    if ratio > 2:
        missed.append("continue: time")
    if cont["rss_mb"] >= 300:
        missed.append("continue: memory")


def _population(folder: Path, base: int, results: dict[str, object], missed: list[str]) -> None:
    small = sum(_play(folder / "small.db", base, 30, f"{base} users"))
    large = sum(_play(folder / "large.db", base * 10, 30, f"{base * 10} users"))
    growth = large / small
    print(f"population: {base} users {small:.1f} s, {base * 10} users {large:.1f} s, ratio {growth:.2f} "
          f"(target <= 12: {_verdict(growth <= 12)})")  # fmt: skip
    results["population"] = {"small_s": small, "large_s": large, "ratio": growth}
    if growth > 12:
        missed.append("population")


def _big(folder: Path, results: dict[str, object], missed: list[str]) -> None:
    started = time.perf_counter()
    days = sum(_play(folder / "big.db", 100_000, 30, "100,000 users"))
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this process's peak so far
    print(f"big: 100,000 users x 30 days {wall:.0f} s (days {days:.0f} s), peak {rss:.0f} MB "
          f"(target < 150 s and 1,536 MB: {_verdict(wall < 150 and rss < 1536)})")  # fmt: skip
    results["big"] = {"wall_s": wall, "rss_mb": rss}
    if wall >= 150 or rss >= 1536:
        missed.append("big")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--big", action="store_true", help="also run 100,000 users x 30 days")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    args = parser.parse_args(argv)
    users = args.users or (200 if args.quick else 2_000)
    days = args.days or (40 if args.quick else 365)
    base = 100 if args.quick else 500
    results: dict[str, object] = {"users": users, "days": days, "python": sys.version.split()[0]}
    missed: list[str] = []
    print(f"books benchmark: {users} users x {days} days; population {base} vs {base * 10} users x 30 days")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _flat_and_continue(folder, users, days, results, missed)
        _population(folder, base, results, missed)
        if args.big:
            _big(folder, results, missed)
    results["missed"] = missed
    out = Path(__file__).resolve().parent / "results" / ("books-quick.json" if args.quick else "books.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"missed: {', '.join(missed) if missed else 'none'}; results in {out.name}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
