"""The books' loader and dumper: cost per aggregate against a plain ``json.loads`` of the same text (issue 14).

    python benchmarks/bench_serialization.py            # a 150-user world played 60 days
    python benchmarks/bench_serialization.py --quick    # 60 users x 30 days, fewer repeats

A world (:mod:`antfin.ecosystem.world`) is played in memory; for each kind, the
largest stored document is then loaded and dumped over and over as the books
do it:

- load: what :meth:`antfin.books.repositories.Repository.find` does with a stored
  document (``json.loads`` of its text, :func:`antfin.serialization.from_data` with
  the ledger and the accounts' finder, the kind's checks against the ledger);
- dump: what the commit does with a loaded aggregate (``to_data`` then the
  canonical JSON text that is compared with the stored one).

A ratio before/after a change of the loader cannot be measured in one run, so
every figure is reported against the baseline of the same run: a plain
``json.loads`` of the document's text (the floor under any loader that parses
the text). Times are this process's processor time, the best of several runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from antfin.books import Books
from antfin.books.repositories import _text
from antfin.ecosystem.world import World, WorldConfig

KINDS = ("huabei", "loan", "fund", "account", "escrow", "zhaocaibao")


def _best(repeats: int, rounds: int, func: Callable[[], Any]) -> float:
    """The best mean processor time of one call, in microseconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for _ in range(rounds):
            func()
        best = min(best, (time.process_time() - started) / rounds)
    return best * 1e6


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    users, days = (60, 30) if args.quick else (150, 60)
    repeats, rounds = (3, 20) if args.quick else (5, 50)
    books = Books.memory()
    world = World.create(WorldConfig(users=users), books)
    for _ in range(days):
        world.run_day()
    store = books._documents
    lines = [
        f"serialization benchmark: the largest document of each kind in a {users}-user world after {days} days; "
        f"processor time, best of {repeats} x {rounds}",
        "",
        f"{'kind':<11} {'chars':>7} {'json.loads':>11} {'load':>10} {'dump':>10} {'load/json':>10} {'dump/json':>10}",
    ]
    with books.read() as tx:
        for name in KINDS:
            repository = tx._repository(name)
            documents = [store.document(name, key) for key in store.document_ids(name)]
            if not documents:
                continue
            document = max(documents, key=lambda doc: len(doc.body))
            entity = repository._load(document)
            kind = repository._kind
            assert _text(kind.dump(entity)) == document.body, f"{name}: a loaded aggregate dumps differently"
            parse = _best(repeats, rounds, lambda document=document: json.loads(document.body))
            load = _best(repeats, rounds, lambda document=document, repository=repository: repository._load(document))
            dump = _best(repeats, rounds, lambda entity=entity, kind=kind: _text(kind.dump(entity)))
            lines.append(
                f"{name:<11} {len(document.body):>7} {parse:>9.1f}µs {load:>8.1f}µs {dump:>8.1f}µs "
                f"{load / parse:>9.1f}x {dump / parse:>9.1f}x"
            )
    print("\n".join(lines))
    if not args.quick:
        out = Path(__file__).resolve().parent / "results" / "serialization.txt"
        out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
