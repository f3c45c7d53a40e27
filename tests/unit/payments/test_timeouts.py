"""Alipay payment timeouts: parsing, validation and deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.errors import InvalidTimeError
from antfin.payments.timeouts import PaymentTimeout


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("1m", timedelta(minutes=1)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("15d", timedelta(days=15)),
        ("360h", timedelta(days=15)),
        ("21600m", timedelta(days=15)),
    ],
)
def test_valid_timeouts(text: str, duration: timedelta) -> None:
    timeout = PaymentTimeout.parse(text)
    assert timeout.duration == duration
    assert timeout.deadline(shanghai(2024, 1, 1)) == shanghai(2024, 1, 1) + duration
    assert str(timeout) == text


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("16d", "longer than 15 days"),
        ("361h", "longer than 15 days"),
        ("21601m", "longer than 15 days"),
        ("0m", "malformed"),
        ("m", "malformed"),
        ("15", "malformed"),
        ("1.5h", "malformed"),
        ("15M", "malformed"),
        (" 15m", "malformed"),
        ("-1d", "malformed"),
        ("01m", "malformed"),
        ("2c", "only 'c' timeout is '1c'"),
        ("", "malformed"),
    ],
)
def test_invalid_timeouts(text: str, match: str) -> None:
    with pytest.raises(InvalidTimeError, match=match):
        PaymentTimeout.parse(text)
    with pytest.raises(InvalidTimeError):
        PaymentTimeout(text)


def test_type_errors() -> None:
    with pytest.raises(TypeError):
        PaymentTimeout.parse(15)  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="naive"):
        PaymentTimeout.parse("15m").deadline(datetime(2024, 1, 1))


def test_one_c_is_midnight_of_the_creation_day() -> None:
    timeout = PaymentTimeout.parse("1c")
    assert timeout.duration is None
    assert timeout.deadline(shanghai(2024, 2, 28, 0, 0)) == shanghai(2024, 2, 29)
    assert timeout.deadline(shanghai(2024, 2, 29, 23, 59, 59)) == shanghai(2024, 3, 1)
    # an instant given in UTC is judged by its Shanghai day: 2024-01-31 17:00 UTC is 1 Feb 01:00 in Shanghai
    assert timeout.deadline(datetime(2024, 1, 31, 17, 0, tzinfo=UTC)) == shanghai(2024, 2, 2)


@given(st.integers(min_value=1, max_value=21600))
def test_any_minute_count_up_to_15_days(minutes: int) -> None:
    assert PaymentTimeout.parse(f"{minutes}m").duration == timedelta(minutes=minutes)
