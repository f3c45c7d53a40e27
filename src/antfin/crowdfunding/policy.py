"""Qualified-investor policies (合格投资人): dated rules combined by "any of" / "all of".

>>> from antfin.crowdfunding import SEED_2016, InvestorFacts
>>> decision = SEED_2016.check(InvestorFacts("alice", personal_financial_assets=CNY("1000000.01")))
>>> decision.approved, decision.status.name
(True, 'QUALIFIED')
>>> print("\\n".join(decision.explain("en_US")))
Qualified under SEED_2016: yes
any of the following: met
  - personal financial assets above CN¥1,000,000.00: CN¥1,000,000.01 — met
  - average annual income over the last 3 years at least CN¥300,000.00: not provided — missing

A policy is a tree: a :class:`Criterion` compares one :class:`~antfin.crowdfunding.investor.Fact`
with a threshold (strictly *above*, or *at least*); a :class:`RuleGroup` combines
rules with "any of" or "all of" and nests. Evaluation is three-valued: a rule
whose fact is missing (or unverified when the policy requires verification) is
*unknown*, so a decision is ``QUALIFIED``, ``NOT_QUALIFIED`` or ``INCOMPLETE``
(the missing facts could still change the answer).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import TypeAlias

import attrs

from antfin.calendar import ensure_date
from antfin.crowdfunding.decision import GroupOutcome, QualificationDecision, RuleOutcome, RuleStatus
from antfin.crowdfunding.investor import Fact, InvestorFacts, InvestorKind
from antfin.crowdfunding.texts import language
from antfin.errors import InvalidAmountError, InvalidTimeError, OutsideCoverageError
from antfin.money import Money, to_decimal
from antfin.validators import attribute, check_name

__all__ = [
    "Combination",
    "Comparison",
    "Criterion",
    "QualifiedInvestorPolicy",
    "Rule",
    "RuleGroup",
    "all_of",
    "any_of",
    "policy_in_force",
]


class Comparison(enum.Enum):
    """How an investor's value is compared with a threshold.

    >>> from antfin.crowdfunding.policy import Comparison
    >>> Comparison.ABOVE.holds(CNY("1000000.00"), CNY("1000000.00"))
    False
    >>> Comparison.AT_LEAST.holds(CNY("300000.00"), CNY("300000.00"))
    True

    .. versionadded:: 0.1.0
    """

    ABOVE = (">", "大于", "above")
    AT_LEAST = ("≥", "不低于", "at least")

    @property
    def symbol(self) -> str:
        """The mathematical symbol.

        >>> Comparison.AT_LEAST.symbol
        '≥'
        """
        return self.value[0]

    def words(self, locale: str) -> str:
        """The comparison in words for ``locale``.

        >>> from antfin.crowdfunding.policy import Comparison
        >>> Comparison.ABOVE.words("zh_CN"), Comparison.ABOVE.words("en_US")
        ('大于', 'above')
        """
        return self.value[1] if language(locale) == "zh" else self.value[2]

    def holds(self, actual: Money | Decimal, threshold: Money | Decimal) -> bool:
        """Whether ``actual`` meets ``threshold`` under this comparison (exact).

        >>> from antfin.crowdfunding.policy import Comparison
        >>> Comparison.ABOVE.holds(Decimal("2.5"), Decimal("2"))
        True

        Raises:
            antfin.errors.CurrencyMismatchError: for amounts in different currencies.
            TypeError: for an amount compared with a number.
        """
        if isinstance(actual, Money) != isinstance(threshold, Money):
            raise TypeError("cannot compare an amount with a number of years")
        if self is Comparison.ABOVE:
            return actual > threshold
        return actual >= threshold


class Combination(enum.Enum):
    """How a :class:`RuleGroup` combines its rules.

    >>> from antfin.crowdfunding.policy import Combination
    >>> Combination.ANY_OF.words("zh_CN")
    '满足以下任一条件'

    .. versionadded:: 0.1.0
    """

    ANY_OF = ("满足以下任一条件", "any of the following")
    ALL_OF = ("同时满足以下全部条件", "all of the following")

    def words(self, locale: str) -> str:
        """The combination in words for ``locale``.

        >>> from antfin.crowdfunding.policy import Combination
        >>> Combination.ALL_OF.words("en_US")
        'all of the following'
        """
        return self.value[0] if language(locale) == "zh" else self.value[1]


def _threshold(value: object) -> Money | Decimal:
    if isinstance(value, Money):
        if value.is_negative():
            raise InvalidAmountError(f"threshold must not be negative, got {value}")
        return value
    number = to_decimal(value, "threshold")
    if number < 0:
        raise InvalidAmountError(f"threshold must not be negative, got {number}")
    return number


def _kinds(value: Iterable[InvestorKind]) -> frozenset[InvestorKind]:
    kinds = frozenset(value)
    if not kinds:
        raise InvalidAmountError("applies_to must name at least one InvestorKind")
    for kind in kinds:
        if not isinstance(kind, InvestorKind):
            raise TypeError(f"applies_to must contain InvestorKind members, not {type(kind).__name__}")
    return kinds


def _rule_id(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"rule_id must be a string, not {type(value).__name__}")


_BOTH_KINDS = frozenset(InvestorKind)


@attrs.frozen
class Criterion:
    """One threshold test on one fact, for persons, entities or both.

    >>> from antfin.crowdfunding.policy import Comparison, Criterion
    >>> from antfin.crowdfunding.investor import Fact, InvestorFacts
    >>> rule = Criterion("assets", Fact.PERSONAL_FINANCIAL_ASSETS, Comparison.ABOVE, CNY("1000000"))
    >>> rule.evaluate(InvestorFacts("a", personal_financial_assets=CNY("1000000"))).status
    <RuleStatus.FAILED: ...>

    Args:
        rule_id: a short id shown in decisions.
        fact: the fact tested.
        comparison: strictly ``ABOVE`` or ``AT_LEAST`` (:class:`Comparison`).
        threshold: an amount for money facts, a number of years otherwise.
        applies_to: the investor kinds the rule is for (default both).

    Raises:
        TypeError: for a float, or a threshold of the wrong kind for the fact.
        antfin.errors.InvalidAmountError: for a negative threshold or empty ``applies_to``.

    .. versionadded:: 0.1.0
    """

    rule_id: str = attrs.field(validator=_rule_id)
    fact: Fact = attrs.field(validator=attrs.validators.instance_of(Fact))
    comparison: Comparison = attrs.field(validator=attrs.validators.instance_of(Comparison))
    threshold: Money | Decimal = attrs.field(converter=_threshold)
    applies_to: frozenset[InvestorKind] = attrs.field(default=_BOTH_KINDS, converter=_kinds)

    def __attrs_post_init__(self) -> None:
        if self.fact.is_money != isinstance(self.threshold, Money):
            expected = "an amount (Money)" if self.fact.is_money else "a number of years"
            raise TypeError(f"threshold for {self.fact.name} must be {expected}, got {self.threshold!r}")

    def evaluate(self, investor: InvestorFacts, *, require_verified: bool = False) -> RuleOutcome:
        """Test ``investor`` against this criterion.

        >>> from antfin.crowdfunding.policy import Comparison, Criterion
        >>> from antfin.crowdfunding.investor import Fact, InvestorFacts
        >>> rule = Criterion("xp", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, 2)
        >>> rule.evaluate(InvestorFacts("a", investment_experience_years=2)).status
        <RuleStatus.PASSED: ...>
        >>> rule.evaluate(InvestorFacts("a", investment_experience_years=2), require_verified=True).status
        <RuleStatus.UNVERIFIED: ...>

        Args:
            investor: the investor's facts.
            require_verified: count a declared but unverified fact as unknown.

        Returns:
            The outcome with threshold, actual value and status.
        """
        actual = investor.value_of(self.fact)
        if investor.kind not in self.applies_to:
            status = RuleStatus.NOT_APPLICABLE
        elif actual is None:
            status = RuleStatus.MISSING
        elif require_verified and not investor.is_verified(self.fact):
            status = RuleStatus.UNVERIFIED
        elif self.comparison.holds(actual, self.threshold):
            status = RuleStatus.PASSED
        else:
            status = RuleStatus.FAILED
        return RuleOutcome(self, actual, status)

    def criteria(self) -> Iterator[Criterion]:
        """Yield this criterion (the leaves of a rule tree).

        >>> from antfin.crowdfunding.policy import Comparison, Criterion
        >>> from antfin.crowdfunding.investor import Fact
        >>> rule = Criterion("xp", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, 2)
        >>> [leaf.rule_id for leaf in rule.criteria()]
        ['xp']
        """
        yield self


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    rules = tuple(value)
    if not rules:
        raise InvalidAmountError("rules must not be empty; a group needs at least one rule")
    for rule in rules:
        if not isinstance(rule, (Criterion, RuleGroup)):
            raise TypeError(f"rules must be Criterion or RuleGroup, not {type(rule).__name__}")
    return rules


@attrs.frozen
class RuleGroup:
    """Rules combined by "any of" or "all of"; groups nest.

    >>> from antfin.crowdfunding.policy import Combination, Comparison, Criterion, RuleGroup
    >>> from antfin.crowdfunding.investor import Fact, InvestorFacts
    >>> assets = Criterion("assets", Fact.PERSONAL_FINANCIAL_ASSETS, Comparison.ABOVE, CNY("1000000"))
    >>> income = Criterion("income", Fact.AVERAGE_ANNUAL_INCOME_3Y, Comparison.AT_LEAST, CNY("300000"))
    >>> investor = InvestorFacts("a", personal_financial_assets=CNY("2000000"))
    >>> RuleGroup(Combination.ANY_OF, (assets, income)).evaluate(investor).truth
    True
    >>> RuleGroup(Combination.ALL_OF, (assets, income)).evaluate(investor).truth is None
    True

    Args:
        combination: any of / all of.
        rules: the criteria and groups combined (at least one).
        rule_id: an optional id shown in decisions.

    Raises:
        antfin.errors.InvalidAmountError: for an empty group.
        TypeError: for members that are not rules.

    .. versionadded:: 0.1.0
    """

    combination: Combination = attrs.field(validator=attrs.validators.instance_of(Combination))
    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    rule_id: str = attrs.field(default="", validator=_rule_id)

    def evaluate(self, investor: InvestorFacts, *, require_verified: bool = False) -> GroupOutcome:
        """Evaluate every rule (none short-circuits, so a UI sees them all) and combine.

        >>> from antfin.crowdfunding.policy import Comparison, Criterion, all_of
        >>> from antfin.crowdfunding.investor import Fact, InvestorFacts
        >>> xp = Criterion("xp", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, 2)
        >>> all_of(xp).evaluate(InvestorFacts("a", investment_experience_years=1)).truth
        False

        Three-valued: "any of" is true if one is true, else unknown if one is
        unknown, else false; "all of" is false if one is false, else unknown if
        one is unknown, else true.

        Args:
            investor: the investor's facts.
            require_verified: count a declared but unverified fact as unknown.
        """
        children = tuple(rule.evaluate(investor, require_verified=require_verified) for rule in self.rules)
        truths = [child.truth for child in children]
        truth: bool | None
        if self.combination is Combination.ANY_OF:
            truth = True if True in truths else (None if None in truths else False)
        else:
            truth = False if False in truths else (None if None in truths else True)
        return GroupOutcome(self, children, truth)

    def criteria(self) -> Iterator[Criterion]:
        """Yield every criterion in the tree, depth first.

        >>> from antfin.crowdfunding import SEED_2016
        >>> [leaf.rule_id for leaf in SEED_2016.rule.criteria()]
        ['personal_assets', 'income_3y']
        """
        for rule in self.rules:
            yield from rule.criteria()


#: A rule, a criterion or a group of rules.
Rule: TypeAlias = Criterion | RuleGroup


def any_of(*rules: Rule, rule_id: str = "") -> RuleGroup:
    """A group met when any of ``rules`` is met.

    >>> from antfin.crowdfunding.policy import Comparison, Criterion, any_of
    >>> from antfin.crowdfunding.investor import Fact
    >>> xp = Criterion("xp", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, 2)
    >>> any_of(xp).combination
    <Combination.ANY_OF: ...>

    .. versionadded:: 0.1.0
    """
    return RuleGroup(Combination.ANY_OF, rules, rule_id)


def all_of(*rules: Rule, rule_id: str = "") -> RuleGroup:
    """A group met when all of ``rules`` are met.

    >>> from antfin.crowdfunding.policy import Comparison, Criterion, all_of
    >>> from antfin.crowdfunding.investor import Fact
    >>> xp = Criterion("xp", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, 2)
    >>> all_of(xp).combination
    <Combination.ALL_OF: ...>

    .. versionadded:: 0.1.0
    """
    return RuleGroup(Combination.ALL_OF, rules, rule_id)


def _rule(_instance: object, _attribute: object, value: Rule) -> None:
    if not isinstance(value, (Criterion, RuleGroup)):
        raise TypeError(f"rule must be a Criterion or RuleGroup, not {type(value).__name__}")


def _effective_from(value: date) -> date:
    return ensure_date(value, "effective_from")


def _effective_until(value: date | None) -> date | None:
    return None if value is None else ensure_date(value, "effective_until")


@attrs.frozen
class QualifiedInvestorPolicy:
    """A dated qualified-investor policy (合格投资人认定标准): a rule tree and its source.

    >>> from antfin.crowdfunding import InvestorFacts, QualifiedInvestorPolicy, SEED_2016
    >>> from antfin.crowdfunding.policy import Combination
    >>> strict = QualifiedInvestorPolicy.seed_2016(Combination.ALL_OF)
    >>> rich = InvestorFacts("a", personal_financial_assets=CNY("2000000"),
    ...     annual_incomes=(CNY("100000"), CNY("100000"), CNY("100000")))
    >>> SEED_2016.check(rich).approved, strict.check(rich).approved
    (True, False)
    >>> SEED_2016.in_force(date(2016, 6, 1))
    True

    Args:
        name: a short name shown in decisions (e.g. ``"SEED_2016"``).
        rule: the rule tree.
        effective_from: first day the policy applies.
        effective_until: last day it applies, or ``None`` if open-ended.
        title_zh: the Chinese title of the source document.
        title_en: an English title.
        source: where the numbers come from.
        require_verified: when ``True`` a fact only counts once the platform
            verified it (a declared-only fact is reported ``UNVERIFIED``).

    Raises:
        antfin.errors.InvalidAmountError: for an empty name.
        antfin.errors.InvalidTimeError: when ``effective_until`` is before ``effective_from``.
        TypeError: for values of the wrong type.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(validator=attribute(check_name))
    rule: Rule = attrs.field(validator=_rule)
    effective_from: date = attrs.field(converter=_effective_from)
    effective_until: date | None = attrs.field(default=None, converter=_effective_until)
    title_zh: str = ""
    title_en: str = ""
    source: str = ""
    require_verified: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))

    def __attrs_post_init__(self) -> None:
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise InvalidTimeError(
                f"effective_until {self.effective_until} must not be before effective_from {self.effective_from}"
            )

    def in_force(self, on: date) -> bool:
        """Whether the policy applies on the day ``on``.

        >>> from antfin.crowdfunding import SAC_2014_DRAFT
        >>> SAC_2014_DRAFT.in_force(date(2014, 12, 17)), SAC_2014_DRAFT.in_force(date(2014, 12, 18))
        (False, True)

        Raises:
            TypeError: when ``on`` is not a date.
        """
        day = ensure_date(on, "on")
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    def check(self, investor: InvestorFacts, *, on: date | None = None) -> QualificationDecision:
        """Decide whether ``investor`` is qualified, with every rule's reason.

        >>> from antfin.crowdfunding import ASSET_MANAGEMENT_2018, InvestorFacts
        >>> carol = InvestorFacts("carol", investment_experience_years=3,
        ...     family_financial_assets=CNY("5000000"))
        >>> ASSET_MANAGEMENT_2018.check(carol, on=date(2018, 5, 1)).approved
        True
        >>> ASSET_MANAGEMENT_2018.check(carol, on=date(2018, 4, 26))
        Traceback (most recent call last):
        ...
        antfin.errors.OutsideCoverageError: policy ASSET_MANAGEMENT_2018 is not in force on 2018-04-26; it applies ...

        Args:
            investor: the investor's facts.
            on: the day of the check; when given, the policy must be in force on it.

        Returns:
            The decision.

        Raises:
            antfin.errors.OutsideCoverageError: when ``on`` is outside the policy's dates.
            TypeError: when ``investor`` is not :class:`~antfin.crowdfunding.investor.InvestorFacts`
                or ``on`` is not a date.
        """
        if not isinstance(investor, InvestorFacts):
            raise TypeError(f"investor must be InvestorFacts, not {type(investor).__name__}")
        if on is not None and not self.in_force(on):
            raise OutsideCoverageError(f"policy {self.name} is not in force on {on}; {self._coverage()}")
        outcome = self.rule.evaluate(investor, require_verified=self.require_verified)
        return QualificationDecision(investor.investor_id, self.name, on, outcome)

    def criteria(self) -> tuple[Criterion, ...]:
        """Every criterion of the policy, depth first (for a reference table).

        >>> from antfin.crowdfunding import SAC_2014_DRAFT
        >>> [(c.rule_id, c.comparison.symbol, str(c.threshold)) for c in SAC_2014_DRAFT.criteria()][:2]
        [('financial_assets', '≥', '3000000.00 CNY'), ('income_3y', '≥', '500000.00 CNY')]
        """
        return tuple(self.rule.criteria())

    def _coverage(self) -> str:
        if self.effective_until is None:
            return f"it applies from {self.effective_from}"
        return f"it applies from {self.effective_from} to {self.effective_until}"

    @classmethod
    def seed_2016(cls, combination: Combination = Combination.ANY_OF, **thresholds: Money) -> QualifiedInvestorPolicy:
        """The case study's rule, with the combination as a setting (default any of).

        >>> from antfin.crowdfunding.policy import Combination, QualifiedInvestorPolicy
        >>> QualifiedInvestorPolicy.seed_2016(Combination.ALL_OF).rule.combination
        <Combination.ALL_OF: ...>

        See :func:`antfin.crowdfunding.presets.seed_2016` for the arguments.
        """
        from antfin.crowdfunding.presets import seed_2016

        return seed_2016(combination, **thresholds)


def policy_in_force(policies: Iterable[QualifiedInvestorPolicy], on: date) -> QualifiedInvestorPolicy:
    """The policy in force on ``on``: of those covering the day, the latest to take effect.

    >>> from antfin.crowdfunding.policy import policy_in_force
    >>> from antfin.crowdfunding import ASSET_MANAGEMENT_2018, SEED_2016
    >>> policy_in_force([SEED_2016, ASSET_MANAGEMENT_2018], date(2017, 1, 1)).name
    'SEED_2016'
    >>> policy_in_force([SEED_2016, ASSET_MANAGEMENT_2018], date(2019, 1, 1)).name
    'ASSET_MANAGEMENT_2018'

    Args:
        policies: candidate policies (a dated table).
        on: the day.

    Raises:
        antfin.errors.OutsideCoverageError: when no policy covers the day.

    .. versionadded:: 0.1.0
    """
    day = ensure_date(on, "on")
    candidates = tuple(policies)
    covering = [policy for policy in candidates if policy.in_force(day)]
    if not covering:
        names = ", ".join(policy.name for policy in candidates) or "none"
        raise OutsideCoverageError(f"no qualified-investor policy is in force on {day}; candidates: {names}")
    return max(covering, key=lambda policy: policy.effective_from)
