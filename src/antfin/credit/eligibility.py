"""Credit decisions from a profile: Jiebei, MYbank and Huabei eligibility and lines.

>>> from antfin.credit.eligibility import JIEBEI_POLICY, huabei_line
>>> from antfin.credit.profile import CreditProfile
>>> profile = CreditProfile.of("alice", 700, date(2024, 3, 1))
>>> decision = JIEBEI_POLICY.decide(profile)
>>> decision.approved, decision.line
(True, Money('86400.00', 'CNY'))
>>> huabei_line(profile)
Money('29300.00', 'CNY')

The line is a documented function of the score (cfg): it rises linearly from
``min_line`` at ``min_score`` to ``max_line`` at ``full_score`` and is rounded
down to a whole ``step``:

``line = min_line + (max_line - min_line) × (score - min_score) / (full_score - min_score)``

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import attrs

from antfin.credit.profile import SESAME, CreditProfile, CreditScale
from antfin.decisions import Decision, Reason
from antfin.errors import InvalidAmountError, PolicyViolationError
from antfin.money import _CONTEXT, Money, Rounding, format_money
from antfin.validators import attribute, check_positive

__all__ = [
    "HUABEI_POLICY",
    "JIEBEI_POLICY",
    "MYBANK_POLICY",
    "CreditDecision",
    "CreditLinePolicy",
    "huabei_line",
]


@attrs.frozen
class CreditDecision:
    """A credit policy's answer: the project's one :class:`~antfin.decisions.Decision` and the line granted.

    The verdict is the decision's ``approved``; the line is credit's own data, so it
    lives here, beside the decision it came from.

    >>> d = MYBANK_POLICY.decide(CreditProfile.of("shop", 540, date(2024, 1, 1)))
    >>> d.approved, d.line
    (False, None)
    >>> print(d.explain())
    MYbank business loan: declined
      [pass] score scale is Sesame: threshold Sesame, actual Sesame
      [fail] Sesame score >= 550: threshold 550, actual 540

    .. versionadded:: 0.1.0
    """

    decision: Decision
    line: Money | None

    @property
    def approved(self) -> bool:
        """Whether every rule passed.

        >>> JIEBEI_POLICY.decide(CreditProfile.of("x", 600, date(2024, 1, 1))).approved
        True
        """
        return self.decision.approved

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Every rule checked.

        >>> len(JIEBEI_POLICY.decide(CreditProfile.of("x", 600, date(2024, 1, 1))).reasons)
        2
        """
        return self.decision.reasons

    def explain(self, locale: str = "en_US") -> str:
        """The decision in words (in ``locale``, zh or en), with the line when approved.

        >>> print(JIEBEI_POLICY.decide(CreditProfile.of("x", 600, date(2024, 1, 1))).explain())
        Jiebei cash loan: approved
          [pass] score scale is Sesame: threshold Sesame, actual Sesame
          [pass] Sesame score >= 600: threshold 600, actual 600
          line 1000.00 CNY
        """
        text = self.decision.explain(locale)  # checks the locale
        if self.line is None:
            return text
        if locale.startswith("zh"):
            return f"{text}\n  额度 {format_money(self.line, 'zh_CN')}"
        return f"{text}\n  line {self.line}"

    def __bool__(self) -> bool:
        return self.approved


_HUNDRED_YUAN: Final = Money("100", "CNY")


@attrs.frozen
class CreditLinePolicy:
    """Who gets credit and how much: a minimum score and a line that grows with the score (cfg).

    >>> policy = CreditLinePolicy("demo", 600, Money("1000", "CNY"), Money("2000", "CNY"), full_score=700)
    >>> policy.line_for(650)
    Money('1500.00', 'CNY')
    >>> policy.line_for(950)
    Money('2000.00', 'CNY')

    Args:
        product: the product's display name.
        min_score: the lowest qualifying score.
        min_line: the line at ``min_score``.
        max_line: the line at ``full_score`` and above.
        full_score: the score at which the line reaches ``max_line`` (the scale maximum by default).
        step: lines are rounded down (Rounding.DOWN) to a multiple of this amount.
        scale: the scale the policy reads.

    Raises:
        antfin.errors.InvalidAmountError: for ``min_line > max_line``, a
            non-positive step, or scores off the scale.

    .. versionadded:: 0.1.0
    """

    product: str
    min_score: int
    min_line: Money = attrs.field(validator=attribute(check_positive))
    max_line: Money = attrs.field(validator=attribute(check_positive))
    full_score: int | None = None
    step: Money = attrs.field(default=_HUNDRED_YUAN, validator=attribute(check_positive))
    scale: CreditScale = SESAME

    def __attrs_post_init__(self) -> None:
        self.scale.validate(self.min_score, "min_score")
        if self.full_score is not None:
            self.scale.validate(self.full_score, "full_score")
            if self.full_score <= self.min_score:
                raise InvalidAmountError(f"full_score must be above min_score {self.min_score}, got {self.full_score}")
        if self.min_line > self.max_line:
            raise InvalidAmountError(f"min_line {self.min_line} must not exceed max_line {self.max_line}")

    @property
    def top_score(self) -> int:
        """The score at which the line is ``max_line``.

        >>> JIEBEI_POLICY.top_score
        950
        """
        return self.full_score if self.full_score is not None else self.scale.maximum

    def line_for(self, score: int) -> Money:
        """The line for a qualifying score (see the module formula), rounded down to ``step``.

        Never below ``min_line`` nor above ``max_line``.

        >>> JIEBEI_POLICY.line_for(600), JIEBEI_POLICY.line_for(950)
        (Money('1000.00', 'CNY'), Money('300000.00', 'CNY'))

        Raises:
            antfin.errors.PolicyViolationError: for a score below ``min_score``.
        """
        value = self.scale.validate(score)
        if value < self.min_score:
            raise PolicyViolationError(
                f"score {value} is below the {self.product} minimum {self.min_score}; no line is granted"
            )
        capped = min(value, self.top_score)
        spread = (self.max_line - self.min_line).minor_units
        exact = Decimal(self.min_line.minor_units) + _CONTEXT.divide(
            Decimal(spread * (capped - self.min_score)), Decimal(self.top_score - self.min_score)
        )
        step = self.step.minor_units
        minor = int(exact.to_integral_value(rounding=Rounding.DOWN.value)) // step * step
        minor = max(self.min_line.minor_units, min(self.max_line.minor_units, minor))
        return Money.from_minor_units(minor, self.min_line.currency)

    def decide(self, profile: CreditProfile) -> CreditDecision:
        """Decide on a profile: the scale must match and the latest score reach ``min_score``.

        >>> d = JIEBEI_POLICY.decide(CreditProfile.of("x", 599, date(2024, 1, 1)))
        >>> d.approved, [r.passed for r in d.reasons]
        (False, [True, False])

        Raises:
            TypeError: when ``profile`` is not a :class:`~antfin.credit.profile.CreditProfile`.
        """
        if not isinstance(profile, CreditProfile):
            raise TypeError(f"profile must be a CreditProfile, not {type(profile).__name__}")
        same_scale = profile.scale == self.scale
        reasons = (
            Reason(f"score scale is {self.scale.name}", self.scale.name, profile.scale.name, same_scale),
            Reason(
                f"{self.scale.name} score >= {self.min_score}",
                str(self.min_score),
                str(profile.score),
                same_scale and profile.score >= self.min_score,
            ),
        )
        decision = Decision.of(self.product, reasons)
        line = self.line_for(profile.score) if decision.approved else None
        return CreditDecision(decision, line)


#: Jiebei (借呗) policy, Sesame 600 and above, line 1,000-300,000 yuan (cfg).
JIEBEI_POLICY: Final = CreditLinePolicy("Jiebei cash loan", 600, Money("1000", "CNY"), Money("300000", "CNY"))

#: MYbank (网商银行) business loan policy, Sesame 550 and above, line 1,000-1,000,000 yuan (cfg, range assumed).
MYBANK_POLICY: Final = CreditLinePolicy("MYbank business loan", 550, Money("1000", "CNY"), Money("1000000", "CNY"))

#: Huabei (花呗) line policy, every Sesame score qualifies, line 500-50,000 yuan (cfg).
HUABEI_POLICY: Final = CreditLinePolicy("Huabei credit line", 350, Money("500", "CNY"), Money("50000", "CNY"))


def huabei_line(profile: CreditProfile, policy: CreditLinePolicy = HUABEI_POLICY) -> Money:
    """The Huabei credit line for a profile (500-50,000 yuan by default; stable API for ``credit.huabei``).

    >>> huabei_line(CreditProfile.of("x", 350, date(2024, 1, 1)))
    Money('500.00', 'CNY')
    >>> huabei_line(CreditProfile.of("x", 950, date(2024, 1, 1)))
    Money('50000.00', 'CNY')

    Args:
        profile: the borrower's profile; its latest score is used.
        policy: the line policy (:data:`HUABEI_POLICY` by default).

    Raises:
        antfin.errors.PolicyViolationError: when the policy declines the profile
            (never with the default policy on the Sesame scale).

    .. versionadded:: 0.1.0
    """
    decision = policy.decide(profile)
    if decision.line is None:
        failed = "; ".join(str(reason) for reason in decision.decision.failed_reasons)
        raise PolicyViolationError(f"no Huabei line for {profile.subject}: {failed}")
    return decision.line
