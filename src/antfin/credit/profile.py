"""Credit profiles (芝麻信用 Sesame credit): scales, bands, five dimensions and a dated history.

>>> from antfin.credit.profile import CreditProfile, SESAME
>>> profile = CreditProfile.of("alice", 712, date(2024, 3, 1))
>>> profile.band.name_zh, profile.band.name_en
('极好', 'Excellent')
>>> profile.with_score(645, date(2024, 6, 1)).band.name_en
'Good'

The Sesame scale runs 350-950 in five bands; a boundary belongs to the
higher band (600 is 良好, not 中等). Other scales plug in the same way:
:data:`FICO` (300-850) is the second built-in.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from antfin.calendar import ensure_date
from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError
from antfin.money import _CONTEXT, AmountLike, Rounding, to_decimal
from antfin.validators import check_int, check_key

__all__ = [
    "DEFAULT_WEIGHTS",
    "FICO",
    "SESAME",
    "CreditBand",
    "CreditDimension",
    "CreditProfile",
    "CreditScale",
    "DimensionContribution",
    "DimensionWeights",
    "ProfileExplanation",
    "ScoreRecord",
]


@attrs.frozen
class CreditBand:
    """A named score band, inclusive at both ends.

    >>> band = CreditBand("良好", "Good", 600, 649)
    >>> 600 in band, 650 in band
    (True, False)

    .. versionadded:: 0.1.0
    """

    name_zh: str
    name_en: str
    low: int
    high: int

    def __contains__(self, score: object) -> bool:
        return isinstance(score, int) and self.low <= score <= self.high


def _bands(value: Iterable[CreditBand]) -> tuple[CreditBand, ...]:
    return tuple(value)


@attrs.frozen
class CreditScale:
    """A score scale: its range and its bands, which must tile the range without gaps.

    >>> SESAME.band(599).name_zh, SESAME.band(600).name_zh
    ('中等', '良好')
    >>> FICO.band(740).name_en
    'Very good'
    >>> SESAME.validate(951)
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: score must be within the Sesame scale 350-950, got 951

    Args:
        name: the scale's name (``"Sesame"``, ``"FICO"``).
        minimum: lowest possible score.
        maximum: highest possible score.
        bands: bands from lowest to highest, covering ``minimum..maximum`` exactly.

    Raises:
        antfin.errors.InvalidAmountError: when the bands leave a gap, overlap or
            do not cover the range.

    .. versionadded:: 0.1.0
    """

    name: str
    minimum: int
    maximum: int
    bands: tuple[CreditBand, ...] = attrs.field(converter=_bands)

    def __attrs_post_init__(self) -> None:
        if self.minimum >= self.maximum:
            raise InvalidAmountError(f"scale {self.name}: minimum {self.minimum} must be below maximum {self.maximum}")
        expected = self.minimum
        for band in self.bands:
            if band.low != expected or band.high < band.low:
                raise InvalidAmountError(
                    f"scale {self.name}: band {band.name_en} starts at {band.low}, expected {expected} "
                    f"(bands must tile {self.minimum}-{self.maximum} in order)"
                )
            expected = band.high + 1
        if expected != self.maximum + 1:
            raise InvalidAmountError(f"scale {self.name}: bands end at {expected - 1}, expected {self.maximum}")

    def validate(self, score: object, field: str = "score") -> int:
        """Return ``score`` if it is an int on this scale.

        >>> SESAME.validate(350)
        350

        Raises:
            TypeError: for a non-int (a float, a string, a bool).
            antfin.errors.InvalidAmountError: outside ``minimum..maximum``.
        """
        value = check_int(score, field)
        if not self.minimum <= value <= self.maximum:
            raise InvalidAmountError(
                f"{field} must be within the {self.name} scale {self.minimum}-{self.maximum}, got {value}"
            )
        return value

    def band(self, score: int) -> CreditBand:
        """The band a score falls in (a boundary belongs to the higher band).

        >>> SESAME.band(700).name_en
        'Excellent'

        Raises:
            antfin.errors.InvalidAmountError: for a score off the scale.
        """
        value = self.validate(score)
        for band in self.bands:
            if value <= band.high:
                return band
        raise InvalidAmountError(f"score {value} is in no band of {self.name}")  # pragma: no cover - tiling checked

    @property
    def span(self) -> int:
        """``maximum - minimum``: the number of points the dimensions spread over.

        >>> SESAME.span
        600
        """
        return self.maximum - self.minimum


#: Sesame credit (芝麻信用分), 350-950. Band boundaries as commonly published.
SESAME: Final = CreditScale(
    "Sesame",
    350,
    950,
    (
        CreditBand("较差", "Poor", 350, 549),
        CreditBand("中等", "Fair", 550, 599),
        CreditBand("良好", "Good", 600, 649),
        CreditBand("优秀", "Very good", 650, 699),
        CreditBand("极好", "Excellent", 700, 950),
    ),
)

#: FICO Score 8, 300-850, with myFICO's published ranges.
FICO: Final = CreditScale(
    "FICO",
    300,
    850,
    (
        CreditBand("差", "Poor", 300, 579),
        CreditBand("一般", "Fair", 580, 669),
        CreditBand("良好", "Good", 670, 739),
        CreditBand("很好", "Very good", 740, 799),
        CreditBand("极好", "Exceptional", 800, 850),
    ),
)


class CreditDimension(enum.Enum):
    """The five dimensions of a Sesame score, with their Chinese and English names.

    >>> CreditDimension.FULFILMENT_CAPACITY.name_zh
    '履约能力'
    >>> [dimension.name_en for dimension in CreditDimension][:2]
    ['Credit history', 'Behaviour preferences']

    .. versionadded:: 0.1.0
    """

    CREDIT_HISTORY = ("credit_history", "信用历史", "Credit history")
    BEHAVIOUR_PREFERENCES = ("behaviour_preferences", "行为偏好", "Behaviour preferences")
    FULFILMENT_CAPACITY = ("fulfilment_capacity", "履约能力", "Fulfilment capacity")
    IDENTITY_TRAITS = ("identity_traits", "身份特质", "Identity traits")
    SOCIAL_CONNECTIONS = ("social_connections", "人脉关系", "Social connections")

    @property
    def code(self) -> str:
        """Short code.

        >>> CreditDimension.IDENTITY_TRAITS.code
        'identity_traits'
        """
        return self.value[0]

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> CreditDimension.SOCIAL_CONNECTIONS.name_zh
        '人脉关系'
        """
        return self.value[1]

    @property
    def name_en(self) -> str:
        """English name.

        >>> CreditDimension.CREDIT_HISTORY.name_en
        'Credit history'
        """
        return self.value[2]


def _as_mapping(value: object) -> object:
    """Accept the stored form too: a tuple of (dimension, number) pairs, as JSON data gives it back."""
    if isinstance(value, tuple) and all(isinstance(pair, tuple) and len(pair) == 2 for pair in value):
        return dict(value)
    return value


def _weight_pairs(value: Mapping[CreditDimension, AmountLike]) -> tuple[tuple[CreditDimension, Decimal], ...]:
    value = _as_mapping(value)  # type: ignore[assignment]
    if not isinstance(value, Mapping):
        raise TypeError(f"weights must be a mapping of CreditDimension to a number, not {type(value).__name__}")
    missing = [dimension.code for dimension in CreditDimension if dimension not in value]
    if missing or len(value) != len(CreditDimension):
        raise InvalidAmountError(f"weights must give every dimension exactly once; missing {missing}")
    pairs = tuple(
        (dimension, to_decimal(value[dimension], f"weight of {dimension.code}")) for dimension in CreditDimension
    )
    for dimension, weight in pairs:
        if weight < 0:
            raise InvalidAmountError(f"weight of {dimension.code} must not be negative, got {weight}")
    if sum(weight for _, weight in pairs) != 100:
        raise InvalidAmountError(f"weights must sum to 100, got {sum(weight for _, weight in pairs)}")
    return pairs


@attrs.frozen
class DimensionWeights:
    """Weights (percent, summing to 100) of the five dimensions.

    The defaults 35/20/25/15/5 are the widely quoted public figures; Ant has
    never published official weights (cfg, unofficial).

    >>> DEFAULT_WEIGHTS.weight(CreditDimension.CREDIT_HISTORY)
    Decimal('35')
    >>> DimensionWeights({d: 20 for d in CreditDimension}).weight(CreditDimension.CREDIT_HISTORY)
    Decimal('20')
    >>> DimensionWeights({d: 10 for d in CreditDimension})
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: weights must sum to 100, got 50

    Args:
        weights: a mapping of every :class:`CreditDimension` to its weight in percent.

    Raises:
        TypeError: for a float weight.
        antfin.errors.InvalidAmountError: for a missing dimension, a negative
            weight or weights that do not sum to 100.

    .. versionadded:: 0.1.0
    """

    pairs: tuple[tuple[CreditDimension, Decimal], ...] = attrs.field(converter=_weight_pairs)

    def weight(self, dimension: CreditDimension) -> Decimal:
        """The weight of one dimension, in percent.

        >>> DEFAULT_WEIGHTS.weight(CreditDimension.SOCIAL_CONNECTIONS)
        Decimal('5')
        """
        return dict(self.pairs)[dimension]


#: The unofficial public weights, history 35, behaviour 20, capacity 25, identity 15, connections 5 (cfg).
DEFAULT_WEIGHTS: Final = DimensionWeights(
    {
        CreditDimension.CREDIT_HISTORY: 35,
        CreditDimension.BEHAVIOUR_PREFERENCES: 20,
        CreditDimension.FULFILMENT_CAPACITY: 25,
        CreditDimension.IDENTITY_TRAITS: 15,
        CreditDimension.SOCIAL_CONNECTIONS: 5,
    }
)

_NEUTRAL: Final = Decimal(50)


def _sub_scores(value: Mapping[CreditDimension, AmountLike]) -> tuple[tuple[CreditDimension, Decimal], ...]:
    value = _as_mapping(value)  # type: ignore[assignment]
    if not isinstance(value, Mapping):
        raise TypeError(f"dimensions must be a mapping of CreditDimension to 0-100, not {type(value).__name__}")
    missing = [dimension.code for dimension in CreditDimension if dimension not in value]
    if missing or len(value) != len(CreditDimension):
        raise InvalidAmountError(f"dimensions must rate every dimension exactly once; missing {missing}")
    pairs = []
    for dimension in CreditDimension:
        sub = to_decimal(value[dimension], f"dimension {dimension.code}")
        if not 0 <= sub <= 100:
            raise InvalidAmountError(f"dimension {dimension.code} must be within 0-100, got {sub}")
        pairs.append((dimension, sub))
    return tuple(pairs)


@attrs.frozen
class ScoreRecord:
    """One dated score in a profile's history.

    >>> ScoreRecord(date(2024, 1, 1), 650).score
    650

    .. versionadded:: 0.1.0
    """

    on: date
    score: int


@attrs.frozen
class DimensionContribution:
    """How one dimension moved the score, relative to a neutral sub-score of 50.

    ``points = span × weight/100 × (sub_score - 50)/100``: positive raises the
    score above the scale's midpoint, negative lowers it.

    >>> c = DimensionContribution(CreditDimension.CREDIT_HISTORY, Decimal(90), Decimal(35), Decimal("84"))
    >>> c.effect
    'raises'

    .. versionadded:: 0.1.0
    """

    dimension: CreditDimension
    sub_score: Decimal
    weight: Decimal
    points: Decimal

    @property
    def effect(self) -> str:
        """``'raises'``, ``'lowers'`` or ``'neutral'``.

        >>> DimensionContribution(CreditDimension.IDENTITY_TRAITS, Decimal(50), Decimal(15), Decimal(0)).effect
        'neutral'
        """
        if self.points > 0:
            return "raises"
        if self.points < 0:
            return "lowers"
        return "neutral"

    def __str__(self) -> str:
        head = f"{self.dimension.name_en} ({self.dimension.name_zh}) {self.sub_score}/100, weight {self.weight}%"
        if self.points == 0:
            return f"{head}: neutral"
        return f"{head}: {self.effect} the score by {abs(self.points)} points"


@attrs.frozen
class ProfileExplanation:
    """Why a profile has its score: the contributions, largest effect first.

    >>> profile = CreditProfile.from_dimensions(
    ...     "bob", {d: 50 for d in CreditDimension} | {CreditDimension.CREDIT_HISTORY: 100}, date(2024, 1, 1))
    >>> explanation = profile.explain()
    >>> [c.dimension.code for c in explanation.raising]
    ['credit_history']
    >>> explanation.lowering
    ()

    .. versionadded:: 0.1.0
    """

    score: int
    band: CreditBand
    contributions: tuple[DimensionContribution, ...]

    @property
    def raising(self) -> tuple[DimensionContribution, ...]:
        """Dimensions that raise the score, largest first.

        >>> CreditProfile.of("x", 600, date(2024, 1, 1)).explain().raising
        ()
        """
        return tuple(c for c in self.contributions if c.points > 0)

    @property
    def lowering(self) -> tuple[DimensionContribution, ...]:
        """Dimensions that lower the score, largest effect first.

        >>> CreditProfile.of("x", 600, date(2024, 1, 1)).explain().lowering
        ()
        """
        return tuple(c for c in self.contributions if c.points < 0)

    def __str__(self) -> str:
        lines = [f"score {self.score} ({self.band.name_zh} / {self.band.name_en})"]
        lines.extend(f"  {contribution}" for contribution in self.contributions)
        return "\n".join(lines)


def _history(value: tuple[ScoreRecord, ...]) -> tuple[ScoreRecord, ...]:
    records = tuple(value)
    if not records:
        raise InvalidAmountError("history must hold at least one dated score")
    for earlier, later in itertools.pairwise(records):
        if later.on <= earlier.on:
            raise InvalidTimeError(f"history dates must increase; {later.on} does not follow {earlier.on}")
    return records


@attrs.frozen
class CreditProfile:
    """A subject's credit profile: a dated history of scores on one scale, optionally with dimensions.

    Build it from a score (:meth:`of`) or from the five dimensions
    (:meth:`from_dimensions`); add later scores with :meth:`with_score`, which
    returns a new profile (profiles are immutable).

    >>> profile = CreditProfile.of("alice", 640, date(2024, 1, 1)).with_score(702, date(2024, 7, 1))
    >>> profile.score, profile.as_of
    (702, datetime.date(2024, 7, 1))
    >>> profile.score_on(date(2024, 3, 15))
    640
    >>> CreditProfile.of("alice", 1000, date(2024, 1, 1))
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: score must be within the Sesame scale 350-950, got 1000

    Args:
        subject: who the profile belongs to (a user id).
        history: dated scores, strictly increasing dates, at least one.
        scale: the score scale (:data:`SESAME` by default).
        dimensions: the latest 0-100 sub-score per dimension, when known.
        weights: the dimension weights used to explain the score.

    Raises:
        TypeError: for a non-int score or a non-date date.
        antfin.errors.InvalidAmountError: for a score off the scale, an empty history or a blank subject.
        antfin.errors.InvalidTimeError: for dates that do not increase.
        TypeError: for a subject that is not a str.

    .. versionadded:: 0.1.0
    """

    subject: str
    history: tuple[ScoreRecord, ...] = attrs.field(converter=_history)
    scale: CreditScale = SESAME
    dimensions: tuple[tuple[CreditDimension, Decimal], ...] | None = None
    weights: DimensionWeights = DEFAULT_WEIGHTS

    def __attrs_post_init__(self) -> None:
        check_key(self.subject, "subject")
        for record in self.history:
            ensure_date(record.on, "on")
            self.scale.validate(record.score)

    @classmethod
    def of(cls, subject: str, score: int, on: date, scale: CreditScale = SESAME) -> CreditProfile:
        """A profile with a single dated score.

        >>> CreditProfile.of("carol", 300, date(2024, 1, 1), scale=FICO).band.name_en
        'Poor'
        """
        return cls(subject, (ScoreRecord(ensure_date(on, "on"), scale.validate(score)),), scale)

    @staticmethod
    def score_from_dimensions(
        dimensions: Mapping[CreditDimension, AmountLike],
        scale: CreditScale = SESAME,
        weights: DimensionWeights = DEFAULT_WEIGHTS,
    ) -> int:
        """The score of five 0-100 sub-scores: ``minimum + span × Σ weightᵢ × subᵢ / 10,000``.

        Rounded half-up to a whole point (Rounding.HALF_UP).

        >>> CreditProfile.score_from_dimensions({d: 100 for d in CreditDimension})
        950
        >>> CreditProfile.score_from_dimensions({d: 50 for d in CreditDimension})
        650

        Raises:
            antfin.errors.InvalidAmountError: for a missing dimension or a sub-score outside 0-100.
        """
        subs = _sub_scores(dimensions)
        weighted = sum((weights.weight(dimension) * sub for dimension, sub in subs), Decimal(0))
        exact = Decimal(scale.minimum) + _CONTEXT.divide(Decimal(scale.span) * weighted, Decimal(10_000))
        return int(exact.to_integral_value(rounding=Rounding.HALF_UP.value))

    @classmethod
    def from_dimensions(
        cls,
        subject: str,
        dimensions: Mapping[CreditDimension, AmountLike],
        on: date,
        scale: CreditScale = SESAME,
        weights: DimensionWeights = DEFAULT_WEIGHTS,
    ) -> CreditProfile:
        """A profile scored from the five dimensions (see :meth:`score_from_dimensions`).

        >>> subs = {d: 80 for d in CreditDimension}
        >>> CreditProfile.from_dimensions("dan", subs, date(2024, 1, 1)).score
        830
        """
        score = cls.score_from_dimensions(dimensions, scale, weights)
        return cls(subject, (ScoreRecord(ensure_date(on, "on"), score),), scale, _sub_scores(dimensions), weights)

    @property
    def score(self) -> int:
        """The latest score.

        >>> CreditProfile.of("x", 600, date(2024, 1, 1)).score
        600
        """
        return self.history[-1].score

    @property
    def as_of(self) -> date:
        """The date of the latest score.

        >>> CreditProfile.of("x", 600, date(2024, 1, 1)).as_of
        datetime.date(2024, 1, 1)
        """
        return self.history[-1].on

    @property
    def band(self) -> CreditBand:
        """The band of the latest score.

        >>> CreditProfile.of("x", 549, date(2024, 1, 1)).band.name_zh
        '较差'
        """
        return self.scale.band(self.score)

    def score_on(self, day: date) -> int:
        """The score in force on ``day``: the latest record dated on or before it.

        >>> CreditProfile.of("x", 600, date(2024, 1, 1)).score_on(date(2024, 12, 31))
        600

        Raises:
            antfin.errors.OutsideCoverageError: for a day before the first record.
        """
        ensure_date(day, "day")
        found: int | None = None
        for record in self.history:
            if record.on > day:
                break
            found = record.score
        if found is None:
            raise OutsideCoverageError(f"day {day} is before the first score of {self.subject} on {self.history[0].on}")
        return found

    def with_score(
        self, score: int, on: date, dimensions: Mapping[CreditDimension, AmountLike] | None = None
    ) -> CreditProfile:
        """A new profile with ``score`` appended to the history (the original is unchanged).

        >>> base = CreditProfile.of("x", 600, date(2024, 1, 1))
        >>> base.with_score(610, date(2024, 2, 1)).history[-1]
        ScoreRecord(on=datetime.date(2024, 2, 1), score=610)
        >>> base.with_score(610, date(2023, 12, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTimeError: on must be after the latest score date 2024-01-01, got 2023-12-01

        Raises:
            antfin.errors.InvalidTimeError: when ``on`` is not after the latest record.
            antfin.errors.InvalidAmountError: for a score off the scale.
        """
        day = ensure_date(on, "on")
        if day <= self.as_of:
            raise InvalidTimeError(f"on must be after the latest score date {self.as_of}, got {day}")
        value = self.scale.validate(score)
        subs = _sub_scores(dimensions) if dimensions is not None else None
        return attrs.evolve(self, history=(*self.history, ScoreRecord(day, value)), dimensions=subs)

    def explain(self) -> ProfileExplanation:
        """Which dimensions raise or lower the score, largest effect first.

        Each contribution is measured against a neutral sub-score of 50 (the
        scale's midpoint); without dimensions, the explanation is empty.

        >>> subs = {d: 50 for d in CreditDimension}
        >>> subs[CreditDimension.FULFILMENT_CAPACITY] = 20
        >>> print(CreditProfile.from_dimensions("eve", subs, date(2024, 1, 1)).explain())
        score 605 (良好 / Good)
          Fulfilment capacity (履约能力) 20/100, weight 25%: lowers the score by 45 points
          Credit history (信用历史) 50/100, weight 35%: neutral
          Behaviour preferences (行为偏好) 50/100, weight 20%: neutral
          Identity traits (身份特质) 50/100, weight 15%: neutral
          Social connections (人脉关系) 50/100, weight 5%: neutral
        """
        contributions: list[DimensionContribution] = []
        for dimension, sub in self.dimensions or ():
            weight = self.weights.weight(dimension)
            points = _CONTEXT.divide(Decimal(self.scale.span) * weight * (sub - _NEUTRAL), Decimal(10_000))
            contributions.append(DimensionContribution(dimension, sub, weight, points))
        contributions.sort(key=lambda c: -abs(c.points))
        return ProfileExplanation(self.score, self.band, tuple(contributions))
