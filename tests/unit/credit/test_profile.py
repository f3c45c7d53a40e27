"""CreditProfile, scales, bands, dimensions and history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.credit.profile import (
    DEFAULT_WEIGHTS,
    FICO,
    SESAME,
    CreditBand,
    CreditDimension,
    CreditProfile,
    CreditScale,
    DimensionWeights,
)
from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError

DAY = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("score", "zh", "en"),
    [
        (350, "较差", "Poor"),
        (549, "较差", "Poor"),
        (550, "中等", "Fair"),
        (599, "中等", "Fair"),
        (600, "良好", "Good"),
        (649, "良好", "Good"),
        (650, "优秀", "Very good"),
        (699, "优秀", "Very good"),
        (700, "极好", "Excellent"),
        (950, "极好", "Excellent"),
    ],
)
def test_sesame_band_boundaries_belong_to_the_higher_band(score: int, zh: str, en: str) -> None:
    band = CreditProfile.of("u", score, DAY).band
    assert (band.name_zh, band.name_en) == (zh, en)


@pytest.mark.parametrize(
    ("score", "en"),
    [(300, "Poor"), (579, "Poor"), (580, "Fair"), (670, "Good"), (740, "Very good"), (850, "Exceptional")],
)
def test_fico_bands(score: int, en: str) -> None:
    assert FICO.band(score).name_en == en


@given(st.integers(min_value=350, max_value=950))
def test_every_sesame_score_has_exactly_one_band(score: int) -> None:
    matches = [band for band in SESAME.bands if score in band]
    assert matches == [SESAME.band(score)]


@pytest.mark.parametrize("score", [349, 951, -1, 0])
def test_scores_off_the_scale_are_refused(score: int) -> None:
    with pytest.raises(InvalidAmountError, match="score must be within the Sesame scale 350-950"):
        CreditProfile.of("u", score, DAY)


@pytest.mark.parametrize("score", [700.0, "700", True, Decimal(700)])
def test_non_int_scores_are_type_errors(score: object) -> None:
    with pytest.raises(TypeError, match="score must be an int"):
        CreditProfile.of("u", score, DAY)  # type: ignore[arg-type]


def test_fico_scale_profile_validates_on_its_own_range() -> None:
    assert CreditProfile.of("u", 300, DAY, scale=FICO).score == 300
    with pytest.raises(InvalidAmountError, match="FICO scale 300-850"):
        CreditProfile.of("u", 900, DAY, scale=FICO)


def test_scale_must_tile_its_range() -> None:
    with pytest.raises(InvalidAmountError, match="starts at 11"):
        CreditScale("gap", 0, 20, (CreditBand("a", "A", 0, 9), CreditBand("b", "B", 11, 20)))
    with pytest.raises(InvalidAmountError, match="bands end at 15"):
        CreditScale("short", 0, 20, (CreditBand("a", "A", 0, 15),))
    with pytest.raises(InvalidAmountError, match="minimum 5 must be below maximum 5"):
        CreditScale("flat", 5, 5, ())


def test_score_from_dimensions_uses_the_weights() -> None:
    subs = dict.fromkeys(CreditDimension, 0)
    subs[CreditDimension.CREDIT_HISTORY] = 100
    # 350 + 600 x 35% = 560
    assert CreditProfile.score_from_dimensions(subs) == 560
    subs = dict.fromkeys(CreditDimension, 0)
    subs[CreditDimension.SOCIAL_CONNECTIONS] = 100
    assert CreditProfile.score_from_dimensions(subs) == 380


def test_default_weights_are_the_unofficial_public_ones() -> None:
    assert [DEFAULT_WEIGHTS.weight(d) for d in CreditDimension] == [35, 20, 25, 15, 5]


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=5, max_size=5))
def test_score_from_dimensions_stays_on_the_scale_and_is_monotone(values: list[int]) -> None:
    subs = dict(zip(CreditDimension, values, strict=True))
    score = CreditProfile.score_from_dimensions(subs)
    assert 350 <= score <= 950
    better = {d: min(100, v + 10) for d, v in subs.items()}
    assert CreditProfile.score_from_dimensions(better) >= score


def test_bad_dimensions_are_refused() -> None:
    subs: dict[CreditDimension, int] = dict.fromkeys(CreditDimension, 50)
    with pytest.raises(InvalidAmountError, match="dimension credit_history must be within 0-100, got 101"):
        CreditProfile.from_dimensions("u", subs | {CreditDimension.CREDIT_HISTORY: 101}, DAY)
    del subs[CreditDimension.IDENTITY_TRAITS]
    with pytest.raises(InvalidAmountError, match="missing \\['identity_traits'\\]"):
        CreditProfile.from_dimensions("u", subs, DAY)
    with pytest.raises(TypeError, match="float"):
        CreditProfile.from_dimensions("u", dict.fromkeys(CreditDimension, 50.0), DAY)  # type: ignore[arg-type]


def test_bad_weights_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="weights must sum to 100, got 125"):
        DimensionWeights(dict.fromkeys(CreditDimension, 25))
    with pytest.raises(TypeError, match="mapping"):
        DimensionWeights([35, 20, 25, 15, 5])  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="weight of credit_history must not be negative"):
        DimensionWeights(dict.fromkeys(CreditDimension, 30) | {CreditDimension.CREDIT_HISTORY: -20})


def test_custom_weights_change_the_score() -> None:
    weights = DimensionWeights(dict.fromkeys(CreditDimension, 20))
    subs = dict.fromkeys(CreditDimension, 0) | {CreditDimension.SOCIAL_CONNECTIONS: 100}
    assert CreditProfile.score_from_dimensions(subs, weights=weights) == 470


def test_explanation_orders_dimensions_by_effect_and_names_direction() -> None:
    subs = {
        CreditDimension.CREDIT_HISTORY: 90,
        CreditDimension.BEHAVIOUR_PREFERENCES: 40,
        CreditDimension.FULFILMENT_CAPACITY: 20,
        CreditDimension.IDENTITY_TRAITS: 50,
        CreditDimension.SOCIAL_CONNECTIONS: 60,
    }
    profile = CreditProfile.from_dimensions("u", subs, DAY)
    explanation = profile.explain()
    assert [c.dimension for c in explanation.contributions][:2] == [
        CreditDimension.CREDIT_HISTORY,
        CreditDimension.FULFILMENT_CAPACITY,
    ]
    assert [c.dimension for c in explanation.raising] == [
        CreditDimension.CREDIT_HISTORY,
        CreditDimension.SOCIAL_CONNECTIONS,
    ]
    assert [c.dimension for c in explanation.lowering] == [
        CreditDimension.FULFILMENT_CAPACITY,
        CreditDimension.BEHAVIOUR_PREFERENCES,
    ]
    # contributions add up to the distance from the scale midpoint (650)
    assert sum(c.points for c in explanation.contributions) == Decimal(profile.score - 650)
    assert "lowers the score by 45 points" in str(explanation)


def test_history_is_dated_and_immutable() -> None:
    first = CreditProfile.of("u", 600, date(2024, 1, 1))
    later = first.with_score(650, date(2024, 4, 1)).with_score(700, date(2024, 7, 1))
    assert first.score == 600
    assert later.score == 700
    assert later.score_on(date(2024, 1, 1)) == 600
    assert later.score_on(date(2024, 3, 31)) == 600
    assert later.score_on(date(2024, 4, 1)) == 650
    assert later.score_on(date(2030, 1, 1)) == 700
    with pytest.raises(OutsideCoverageError, match="before the first score"):
        later.score_on(date(2023, 12, 31))
    with pytest.raises(InvalidTimeError, match="after the latest score date 2024-07-01"):
        later.with_score(710, date(2024, 7, 1))
    with pytest.raises(InvalidAmountError):
        later.with_score(10, date(2024, 8, 1))
    assert later.as_of == date(2024, 7, 1)


def test_with_score_may_carry_new_dimensions() -> None:
    base = CreditProfile.of("u", 600, DAY)
    assert base.explain().contributions == ()
    updated = base.with_score(650, date(2024, 2, 1), dict.fromkeys(CreditDimension, 50))
    assert updated.dimensions is not None
    assert all(c.effect == "neutral" for c in updated.explain().contributions)


def test_dates_must_be_dates() -> None:
    with pytest.raises(TypeError, match="on must be a date"):
        CreditProfile.of("u", 600, datetime(2024, 1, 1))  # naive datetime is not a date here


@pytest.mark.parametrize("subject", ["", "  ", "u\ud800"])
def test_a_blank_or_unencodable_subject_is_refused(subject: str) -> None:
    with pytest.raises(InvalidAmountError, match="subject must be"):
        CreditProfile.of(subject, 600, DAY)


def test_a_subject_that_is_not_a_str_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="subject must be a str, not int"):
        CreditProfile.of(7, 600, DAY)  # type: ignore[arg-type]
