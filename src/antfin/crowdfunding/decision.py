"""Qualification answers: the project's one :class:`~antfin.decisions.Decision`, and the rule tree behind it.

>>> from antfin.crowdfunding import SEED_2016, InvestorFacts
>>> answer = SEED_2016.check(InvestorFacts("bob", annual_incomes=(CNY("300000"),) * 3))
>>> print(answer.decision.explain("en_US"))
SEED_2016: approved
  [fail] personal financial assets above: threshold 1000000.00 CNY, actual not provided
  [pass] average annual income over the last 3 years at least: threshold 300000.00 CNY, actual 300000.00 CNY
>>> [(outcome.rule_id, outcome.status.name) for outcome in answer.outcomes]
[('personal_assets', 'MISSING'), ('income_3y', 'PASSED')]
>>> answer.outcomes[1].text("en_US")
'average annual income over the last 3 years at least CN¥300,000.00: CN¥300,000.00 — met'

The verdict is the decision's ``approved`` (the policy's "any of" / "all of" tree
decides it, three-valued: a rule whose fact is missing is unknown); its reasons
are one :class:`~antfin.decisions.Reason` per criterion, in Chinese and English,
and its ``missing`` names the facts not provided. :class:`QualificationDecision`
holds what only crowdfunding has: the investor, the day, and the outcome tree
with each rule's five-valued :class:`RuleStatus`.

.. versionadded:: 0.1.0
.. versionchanged:: 0.3.0
   ``QualificationDecision.decision`` (a :class:`~antfin.decisions.Decision`) and
   ``approved``; ``reasons`` are :class:`~antfin.decisions.Reason` values and the
   per-rule outcomes moved to ``outcomes``; ``qualified`` is deprecated.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias

import attrs

from antfin.crowdfunding.investor import Fact
from antfin.crowdfunding.texts import format_value, language
from antfin.decisions import Decision, Reason
from antfin.money import Money

if TYPE_CHECKING:
    from antfin.crowdfunding.policy import Criterion, RuleGroup

__all__ = [
    "GroupOutcome",
    "Outcome",
    "QualificationDecision",
    "QualificationStatus",
    "RuleOutcome",
    "RuleStatus",
]


class RuleStatus(enum.Enum):
    """The result of one criterion for one investor.

    >>> from antfin.crowdfunding.decision import RuleStatus
    >>> RuleStatus.MISSING.words("zh_CN"), RuleStatus.MISSING.truth is None
    ('缺少', True)

    ``PASSED`` counts as true, ``FAILED`` and ``NOT_APPLICABLE`` (the rule is for
    the other kind of investor) as false, ``MISSING`` and ``UNVERIFIED`` as unknown.

    .. versionadded:: 0.1.0
    """

    PASSED = ("满足", "met")
    FAILED = ("未满足", "not met")
    MISSING = ("缺少", "missing")
    UNVERIFIED = ("未验证", "not verified")
    NOT_APPLICABLE = ("不适用", "not applicable")

    @property
    def truth(self) -> bool | None:
        """Three-valued truth of the status, ``True``, ``False`` or ``None`` (unknown).

        >>> RuleStatus.NOT_APPLICABLE.truth
        False
        """
        if self is RuleStatus.PASSED:
            return True
        if self in (RuleStatus.FAILED, RuleStatus.NOT_APPLICABLE):
            return False
        return None

    def words(self, locale: str) -> str:
        """The status in words for ``locale``.

        >>> from antfin.crowdfunding.decision import RuleStatus
        >>> RuleStatus.FAILED.words("en_US")
        'not met'
        """
        return self.value[0] if language(locale) == "zh" else self.value[1]


class QualificationStatus(enum.Enum):
    """The overall answer of a qualification check.

    >>> from antfin.crowdfunding.decision import QualificationStatus
    >>> QualificationStatus.INCOMPLETE.words("zh_CN")
    '信息不完整'

    .. versionadded:: 0.1.0
    """

    QUALIFIED = ("合格投资人", "yes")
    NOT_QUALIFIED = ("非合格投资人", "no")
    INCOMPLETE = ("信息不完整", "incomplete (facts missing)")

    def words(self, locale: str) -> str:
        """The status in words for ``locale``.

        >>> from antfin.crowdfunding.decision import QualificationStatus
        >>> QualificationStatus.QUALIFIED.words("en_US")
        'yes'
        """
        return self.value[0] if language(locale) == "zh" else self.value[1]


@attrs.frozen
class RuleOutcome:
    """How one investor fared on one criterion: threshold, actual value, status.

    >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
    >>> decision = SEED_2016.check(InvestorFacts("a", personal_financial_assets=CNY("999999.99")))
    >>> first = decision.outcomes[0]
    >>> first.rule_id, first.threshold, first.actual, first.status.name
    ('personal_assets', Money('1000000.00', 'CNY'), Money('999999.99', 'CNY'), 'FAILED')
    >>> first.text("zh_CN")
    '个人金融资产大于¥1,000,000.00：¥999,999.99 — 未满足'

    .. versionadded:: 0.1.0
    """

    criterion: Criterion
    actual: Money | Decimal | None
    status: RuleStatus

    @property
    def rule_id(self) -> str:
        """The criterion's id.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).outcomes[1].rule_id
        'income_3y'
        """
        return self.criterion.rule_id

    @property
    def fact(self) -> Fact:
        """The fact tested.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).outcomes[0].fact
        <Fact.PERSONAL_FINANCIAL_ASSETS: ...>
        """
        return self.criterion.fact

    @property
    def threshold(self) -> Money | Decimal:
        """The criterion's threshold.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).outcomes[1].threshold
        Money('300000.00', 'CNY')
        """
        return self.criterion.threshold

    @property
    def passed(self) -> bool:
        """``True`` only for ``RuleStatus.PASSED``.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).outcomes[0].passed
        False
        """
        return self.status is RuleStatus.PASSED

    @property
    def truth(self) -> bool | None:
        """Three-valued truth of the status.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).outcomes[0].truth is None
        True
        """
        return self.status.truth

    def leaves(self) -> Iterator[RuleOutcome]:
        """Yield this outcome (the leaves of an outcome tree).

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> len(list(SEED_2016.check(InvestorFacts("a")).outcome.leaves()))
        2
        """
        yield self

    def _words(self, locale: str) -> str:
        """The fact and the comparison for ``locale`` ("personal financial assets above")."""
        sep = "" if language(locale) == "zh" else " "
        return f"{self.criterion.fact.label(locale)}{sep}{self.criterion.comparison.words(locale)}"

    def reason(self) -> Reason:
        """This outcome as the project's one :class:`~antfin.decisions.Reason`, in English and Chinese.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> reason = SEED_2016.check(InvestorFacts("a", personal_financial_assets=CNY("5"))).outcomes[0].reason()
        >>> reason.rule_zh, reason.threshold, reason.actual, reason.passed
        ('个人金融资产大于', Money('1000000.00', 'CNY'), Money('5.00', 'CNY'), False)
        """
        return Reason(self._words("en_US"), self.threshold, self.actual, self.passed, rule_zh=self._words("zh_CN"))

    def text(self, locale: str = "zh_CN") -> str:
        """One line for a UI in ``zh_CN`` or ``en_US``, with the rule's status.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).outcomes[1].text("en_US")
        'average annual income over the last 3 years at least CN¥300,000.00: not provided — missing'

        Raises:
            antfin.errors.NotFoundError: for a locale with no texts.
        """
        zh = language(locale) == "zh"
        criterion = self.criterion
        sep = "" if zh else " "
        rule = f"{self._words(locale)}{sep}{format_value(criterion.threshold, locale)}"
        if self.status is RuleStatus.NOT_APPLICABLE:
            kinds = sorted(criterion.applies_to, key=lambda kind: kind.value)
            if zh:
                value = "仅适用于" + "、".join(kind.name_zh for kind in kinds)
            else:
                value = "applies to " + " and ".join(f"{kind.name_en}s" for kind in kinds) + " only"
        elif self.actual is None:
            value = "未提供" if zh else "not provided"
        else:
            value = format_value(self.actual, locale)
        colon = "：" if zh else ": "
        return f"{rule}{colon}{value} — {self.status.words(locale)}"


@attrs.frozen
class GroupOutcome:
    """How one investor fared on a group of rules: the children's outcomes and the combined truth.

    >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
    >>> outcome = SEED_2016.check(InvestorFacts("a", personal_financial_assets=CNY("2000000"))).outcome
    >>> outcome.truth, [child.status.name for child in outcome.leaves()]
    (True, ['PASSED', 'MISSING'])

    .. versionadded:: 0.1.0
    """

    group: RuleGroup
    children: tuple[Outcome, ...]
    truth: bool | None

    @property
    def passed(self) -> bool:
        """``True`` when the group is met.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).outcome.passed
        False
        """
        return self.truth is True

    def leaves(self) -> Iterator[RuleOutcome]:
        """Yield every criterion outcome, depth first.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> [leaf.rule_id for leaf in SEED_2016.check(InvestorFacts("a")).outcome.leaves()]
        ['personal_assets', 'income_3y']
        """
        for child in self.children:
            yield from child.leaves()

    def lines(self, locale: str = "zh_CN", depth: int = 0) -> Iterator[str]:
        """Yield indented lines describing the group and its children.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> next(SEED_2016.check(InvestorFacts("a")).outcome.lines("en_US"))
        'any of the following: unknown (facts missing)'

        Raises:
            antfin.errors.NotFoundError: for a locale with no texts.
        """
        zh = language(locale) == "zh"
        if self.truth is True:
            verdict = RuleStatus.PASSED.words(locale)
        elif self.truth is False:
            verdict = RuleStatus.FAILED.words(locale)
        else:
            verdict = "待定（缺少信息）" if zh else "unknown (facts missing)"
        indent = "  " * depth
        colon = "：" if zh else ": "
        yield f"{indent}{self.group.combination.words(locale)}{colon}{verdict}"
        for child in self.children:
            if isinstance(child, GroupOutcome):
                yield from child.lines(locale, depth + 1)
            else:
                yield f"{indent}  - {child.text(locale)}"


#: An outcome, of a criterion or of a group.
Outcome: TypeAlias = RuleOutcome | GroupOutcome


@attrs.frozen
class QualificationDecision:
    """The answer of :meth:`~antfin.crowdfunding.policy.QualifiedInvestorPolicy.check`: a decision and its rule tree.

    >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
    >>> answer = SEED_2016.check(InvestorFacts("a", personal_financial_assets=CNY("999999.99")))
    >>> answer.status.name, answer.approved, answer.missing
    ('INCOMPLETE', False, (<Fact.AVERAGE_ANNUAL_INCOME_3Y: ...>,))
    >>> answer.decision.incomplete, answer.decision.missing
    (True, ('average annual income over the last 3 years',))
    >>> answer.summary("zh_CN")
    'SEED_2016 合格投资人认定：信息不完整'

    The verdict is :attr:`decision`'s ``approved``; the investor, the day and the
    outcome tree are crowdfunding's own data (and what a stored subscription keeps).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0
       :attr:`decision`, :attr:`approved` and :attr:`outcomes`; ``reasons`` are
       :class:`~antfin.decisions.Reason` values; ``qualified`` is deprecated.
    """

    investor_id: str
    policy_name: str
    on: date | None
    outcome: Outcome

    @property
    def decision(self) -> Decision:
        """The project's one :class:`~antfin.decisions.Decision`: verdict, bilingual reasons, missing facts.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> print(SEED_2016.check(InvestorFacts("a")).decision.explain("zh_CN"))  # doctest: +NORMALIZE_WHITESPACE
        SEED_2016：信息不完整（缺少：personal financial assets、average annual income over the last 3 years）
          [未通过] 个人金融资产大于：阈值 ¥1,000,000.00，实际 未提供
          [未通过] 近三年本人年均收入不低于：阈值 ¥300,000.00，实际 未提供
        """
        truth = self.outcome.truth
        return Decision(
            self.policy_name,
            truth is True,
            tuple(outcome.reason() for outcome in self.outcomes),
            tuple(fact.label("en_US") for fact in self.missing),
            incomplete=truth is None,
        )

    @property
    def status(self) -> QualificationStatus:
        """Qualified, not qualified, or incomplete (unknown until missing facts arrive).

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a", personal_financial_assets=CNY("5"),
        ...     annual_incomes=(CNY("1"), CNY("1"), CNY("1")))).status
        <QualificationStatus.NOT_QUALIFIED: ...>
        """
        truth = self.outcome.truth
        if truth is True:
            return QualificationStatus.QUALIFIED
        if truth is False:
            return QualificationStatus.NOT_QUALIFIED
        return QualificationStatus.INCOMPLETE

    @property
    def approved(self) -> bool:
        """``True`` only when the policy is met (the decision's verdict).

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).approved
        False
        """
        return self.outcome.truth is True

    @property
    def qualified(self) -> bool:
        """Deprecated alias of :attr:`approved`.

        .. deprecated:: 0.3.0
           Use :attr:`approved`, the one name of every decision's verdict.
        """
        warnings.warn("QualificationDecision.qualified is deprecated; use .approved", DeprecationWarning, stacklevel=2)
        return self.approved

    @property
    def outcomes(self) -> tuple[RuleOutcome, ...]:
        """Every criterion's outcome (with its :class:`RuleStatus`), depth first, for a UI list.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> [outcome.status.name for outcome in SEED_2016.check(InvestorFacts("a")).outcomes]
        ['MISSING', 'MISSING']
        """
        return tuple(self.outcome.leaves())

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Every criterion as a :class:`~antfin.decisions.Reason` (the decision's reasons).

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> [reason.passed for reason in SEED_2016.check(InvestorFacts("a")).reasons]
        [False, False]
        """
        return tuple(outcome.reason() for outcome in self.outcomes)

    @property
    def missing(self) -> tuple[Fact, ...]:
        """The facts reported missing or unverified, each once, in rule order.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> [fact.name for fact in SEED_2016.check(InvestorFacts("a")).missing]
        ['PERSONAL_FINANCIAL_ASSETS', 'AVERAGE_ANNUAL_INCOME_3Y']
        """
        facts: dict[Fact, None] = {}
        for outcome in self.outcomes:
            if outcome.status in (RuleStatus.MISSING, RuleStatus.UNVERIFIED):
                facts[outcome.fact] = None
        return tuple(facts)

    def summary(self, locale: str = "zh_CN") -> str:
        """One line: the policy and the answer.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> SEED_2016.check(InvestorFacts("a")).summary("en_US")
        'Qualified under SEED_2016: incomplete (facts missing)'

        Raises:
            antfin.errors.NotFoundError: for a locale with no texts.
        """
        if language(locale) == "zh":
            return f"{self.policy_name} 合格投资人认定：{self.status.words(locale)}"
        return f"Qualified under {self.policy_name}: {self.status.words(locale)}"

    def explain(self, locale: str = "zh_CN") -> tuple[str, ...]:
        """The summary followed by one line per group and criterion.

        >>> from antfin.crowdfunding import SEED_2016, InvestorFacts
        >>> for line in SEED_2016.check(InvestorFacts("a", personal_financial_assets=CNY("2000000"))).explain():
        ...     print(line)
        SEED_2016 合格投资人认定：合格投资人
        满足以下任一条件：满足
          - 个人金融资产大于¥1,000,000.00：¥2,000,000.00 — 满足
          - 近三年本人年均收入不低于¥300,000.00：未提供 — 缺少

        Raises:
            antfin.errors.NotFoundError: for a locale with no texts.
        """
        if isinstance(self.outcome, GroupOutcome):
            body = tuple(self.outcome.lines(locale))
        else:
            body = (f"- {self.outcome.text(locale)}",)
        return (self.summary(locale), *body)
