"""Run every ``benchmarks/bench_*.py`` in turn: ``python benchmarks/run_all.py [--quick] [--check]``.

Options are passed through to each benchmark. The exit status is non-zero if any
benchmark failed (with ``--check``, that includes a missed target).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(here.glob("bench_*.py"))
    if not scripts:
        print("no benchmarks found", file=sys.stderr)
        return 1
    failed: list[str] = []
    for script in scripts:
        print(f"===== {script.name} {' '.join(argv)}".rstrip(), flush=True)
        result = subprocess.run([sys.executable, str(script), *argv], check=False)
        if result.returncode != 0:
            failed.append(f"{script.name} (exit {result.returncode})")
        print(flush=True)
    print(f"ran {len(scripts)} benchmark(s); failed: {', '.join(failed) if failed else 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
