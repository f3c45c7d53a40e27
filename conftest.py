"""Names every docstring example may use without importing them (the docs pages import what they use)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from antfin import CNY, Money


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace.update(CNY=CNY, Money=Money, Decimal=Decimal, date=date, datetime=datetime, timedelta=timedelta)
