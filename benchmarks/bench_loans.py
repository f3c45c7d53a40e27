"""Benchmark: exact loan schedules (antfin.credit.amortize) against numpy-financial in floats.

Run: ``/work/venv/bin/python benchmarks/bench_loans.py`` (``--quick`` for a smoke size).

Figures:
  1. 10,000 twelve-month 等额本息 schedules, exact to the fen, vs numpy-financial computing
     the same schedules (``ipmt``/``ppmt`` per loan, floats). Target: faster.
  2. One 360-month schedule vs numpy-financial ``ipmt``/``ppmt`` over 360 periods. Target: within 10x.
Also shown for information: numpy-financial fully vectorized over all loans at once.
numpy-financial is a benchmark-only dependency; the library never imports it.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import numpy as np
import numpy_financial as npf

from antfin.credit.schedule import LoanRate, amortize
from antfin.money import CNY, Money
from antfin.rates import DayCount, Rate


def best_of(repeats: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small smoke size")
    args = parser.parse_args()
    count = 500 if args.quick else 10_000
    repeats = 1 if args.quick else 3

    principals = [1000 + (i * 37) % 299_000 for i in range(count)]
    rates_bp = [1000 + (i * 7) % 1400 for i in range(count)]  # 10.00% .. 23.99% a year
    loans = [
        (Money.from_minor_units(p * 100), LoanRate.annual(Rate(Decimal(bp).scaleb(-4)), DayCount.ACT_360))
        for p, bp in zip(principals, rates_bp, strict=True)
    ]
    start_day = date(2024, 1, 31)

    def exact_many() -> None:
        for principal, rate in loans:
            amortize(principal, rate, 12, disbursed_on=start_day)

    per12 = np.arange(1, 13)
    float_loans = [(bp / 10_000 / 12, float(p)) for p, bp in zip(principals, rates_bp, strict=True)]

    def npf_many() -> None:
        for monthly, principal in float_loans:
            npf.ipmt(monthly, per12, 12, -principal)
            npf.ppmt(monthly, per12, 12, -principal)

    monthly_arr = np.array([m for m, _ in float_loans])[:, None]
    principal_arr = np.array([p for _, p in float_loans])[:, None]

    def npf_vectorized() -> None:
        npf.ipmt(monthly_arr, per12, 12, -principal_arr)
        npf.ppmt(monthly_arr, per12, 12, -principal_arr)

    # agreement check: the level instalment equals numpy-financial's pmt rounded half-up to the fen
    mismatches = 0
    checked = min(1000, count)
    for (principal, rate), (monthly, fprincipal) in list(zip(loans, float_loans, strict=True))[:checked]:
        ours = amortize(principal, rate, 12, disbursed_on=start_day).instalments[0].total
        ref = CNY(Decimal(repr(float(npf.pmt(monthly, 12, -fprincipal)))), rounding="HALF_UP")
        mismatches += ours != ref

    big = CNY("1000000")
    big_rate = LoanRate.annual(Rate.percent("4.9"), DayCount.ACT_360)
    per360 = np.arange(1, 361)

    def exact_360() -> None:
        amortize(big, big_rate, 360, disbursed_on=start_day)

    def npf_360() -> None:
        npf.ipmt(0.049 / 12, per360, 360, -1_000_000.0)
        npf.ppmt(0.049 / 12, per360, 360, -1_000_000.0)

    t_exact = best_of(repeats, exact_many)
    t_npf = best_of(repeats, npf_many)
    t_vec = best_of(repeats, npf_vectorized)
    t_exact_360 = best_of(repeats * 10, exact_360)
    t_npf_360 = best_of(repeats * 10, npf_360)

    print(f"antfin loans benchmark  python {platform.python_version()}  numpy-financial {npf.__version__}")
    print(f"size: {count} twelve-month loans; best of {repeats}")
    print(f"agreement: {checked - mismatches}/{checked} level instalments equal numpy-financial pmt to the fen")
    ratio = t_exact / t_npf
    met1 = t_exact < t_npf
    print(
        f"1. {count} exact 12-month schedules: {t_exact * 1000:.1f} ms; numpy-financial ipmt/ppmt per loan: "
        f"{t_npf * 1000:.1f} ms; ratio {ratio:.2f}x -> target (faster) {'MET' if met1 else 'NOT MET'}"
    )
    print(
        f"   (info) numpy-financial vectorized over all {count} loans at once: {t_vec * 1000:.1f} ms; "
        f"ratio {t_exact / t_vec:.1f}x"
    )
    ratio360 = t_exact_360 / t_npf_360
    met2 = ratio360 <= 10
    print(
        f"2. one exact 360-month schedule: {t_exact_360 * 1000:.2f} ms; numpy-financial: {t_npf_360 * 1000:.2f} ms; "
        f"ratio {ratio360:.2f}x -> target (within 10x) {'MET' if met2 else 'NOT MET'}"
    )
    return 0 if (met1 and met2 and mismatches == 0) or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
