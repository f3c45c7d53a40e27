"""Names every docstring example may use without importing them (the docs pages import what they use).

Also the PostgreSQL test server: its fixtures serve the tests and the doctests of ``antfin.ledger.postgres``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from antfin import CNY, Money


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace.update(CNY=CNY, Money=Money, Decimal=Decimal, date=date, datetime=datetime, timedelta=timedelta)


# -- PostgreSQL: the store tests run on a server when one is reachable -----------------------------

#: The server the PostgreSQL tests use; each test gets a fresh schema of its own, dropped afterwards.
POSTGRES_URL = os.environ.get("ANTFIN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
_postgres_checked: list[str | None] = []


def _postgres_unavailable() -> str | None:
    """Why the PostgreSQL tests cannot run here (``None`` when they can); asked once per session."""
    if not _postgres_checked:
        try:
            import psycopg
        except ImportError:
            _postgres_checked.append("psycopg is not installed (pip install 'antfin[postgres]')")
        else:
            try:
                psycopg.connect(POSTGRES_URL, connect_timeout=3, autocommit=True).close()
                _postgres_checked.append(None)
            except psycopg.Error as error:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                _postgres_checked.append(f"no PostgreSQL server at {POSTGRES_URL} ({reason}); set ANTFIN_TEST_POSTGRES")
    return _postgres_checked[0]


def require_postgres() -> None:
    """Skip the calling test without a reachable server; under CI (``CI`` set) fail instead."""
    reason = _postgres_unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI requires the PostgreSQL tests: {reason}")
        pytest.skip(reason)


@pytest.fixture
def postgres_url() -> str:
    """The test server's URL (:data:`POSTGRES_URL`); skips, or fails under CI, when it is unreachable."""
    require_postgres()
    return POSTGRES_URL


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema name on :data:`POSTGRES_URL` (created by the store that first opens it), dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"antfin_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture(autouse=True)
def _postgres_doctests(request: pytest.FixtureRequest, doctest_namespace: dict[str, Any]) -> None:
    """The doctests of ``antfin.ledger.postgres`` get ``pg_url`` and a fresh ``pg_schema`` of their own."""
    if type(request.node).__name__ == "DoctestItem" and request.node.name.startswith("antfin.ledger.postgres"):
        doctest_namespace.update(pg_url=request.getfixturevalue("postgres_url"))
        doctest_namespace.update(pg_schema=request.getfixturevalue("postgres_schema"))
