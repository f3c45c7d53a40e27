"""Test configuration shared by every test: hypothesis profiles, the PostgreSQL test server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

# CI machines are small and shared: no per-example deadline, same example counts.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=50)
# A long hunt for rare counterexamples: HYPOTHESIS_PROFILE=stress pytest tests/unit/credit
settings.register_profile("stress", deadline=None, max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
