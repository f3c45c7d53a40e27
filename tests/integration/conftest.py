"""Fixtures shared by the integration tests: a writer process killed with SIGKILL at a random instant, and
the same books reopened on each store."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from antfin import Books
from antfin.ledger.store import DocumentStore

#: Runs ``code`` in a child Python with ``args``, reads ``commits`` lines of progress from it, waits up to
#: ``pause`` seconds, kills it with SIGKILL and returns the last progress number it reported.
RunAndKill = Callable[[str, Sequence[str], random.Random, tuple[int, int], float], int]


def _run_and_kill(code: str, args: Sequence[str], rng: random.Random, commits: tuple[int, int], pause: float) -> int:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    reported = 0
    try:
        for _ in range(rng.randint(*commits)):
            line = child.stdout.readline()
            assert line, "the writer died before it was killed"
            reported = int(line)
        time.sleep(rng.uniform(0.0, pause))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return reported


@pytest.fixture
def run_and_kill() -> RunAndKill:
    """Start a writer process, let it report a few commits, kill it with SIGKILL at a random instant."""
    return _run_and_kill


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Books]]:
    """A function that gives the same books again, as a restarted program would see them."""
    opened: list[Books] = []
    memory = Books.memory()
    schema = request.getfixturevalue("postgres_schema") if request.param == "postgres" else ""

    def again() -> Books:
        if request.param == "memory":
            books = memory
        elif request.param == "sqlite":
            books = Books.open(tmp_path / "shop.db")
        else:
            books = Books.open(request.getfixturevalue("postgres_url"), schema=schema)
        opened.append(books)
        return books

    yield again
    for books in opened:
        books.close()


def stored_body(books: Books, kind: str, id: str) -> dict[str, Any]:
    """The JSON body of a stored document, as written (what archiving tests are about)."""
    store = books._ledger._store
    assert isinstance(store, DocumentStore)
    document = store.document(kind, id)
    assert document is not None
    loaded: dict[str, Any] = json.loads(document.body)
    return loaded
