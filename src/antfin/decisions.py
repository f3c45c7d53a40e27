"""Decisions that explain themselves (floor 1): each rule checked, its threshold and the actual value.

>>> from antfin.decisions import Decision, Reason
>>> decision = Decision.of("jiebei", (Reason("score >= 600", "600", "612", True),))
>>> decision.approved, decision.failed_reasons
(True, ())
>>> print(decision.explain())
jiebei: approved
  [pass] score >= 600: threshold 600, actual 612

Every product's eligibility, qualification and assessment answers with this one
type (credit decisions, insurance claim assessments); it lives below the products
so that none of them imports another's.

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Moved from ``antfin.credit.decision`` (which still re-exports it) to the first floor.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["Decision", "Reason"]


@attrs.frozen
class Reason:
    """One rule a decision checked: the rule, its threshold, the actual value, and whether it passed.

    >>> reason = Reason("Sesame score >= 550", "550", "530", False)
    >>> str(reason)
    '[fail] Sesame score >= 550: threshold 550, actual 530'

    Args:
        rule: what was checked, in words.
        threshold: the rule's limit, as displayed.
        actual: the value found, as displayed.
        passed: whether the rule is met.

    .. versionadded:: 0.1.0
    """

    rule: str
    threshold: str
    actual: str
    passed: bool

    def __str__(self) -> str:
        mark = "pass" if self.passed else "fail"
        return f"[{mark}] {self.rule}: threshold {self.threshold}, actual {self.actual}"


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


@attrs.frozen
class Decision:
    """The outcome of a policy: approved only when every reason passed.

    >>> ok = Reason("a", "1", "2", True)
    >>> bad = Reason("b", "1", "0", False)
    >>> Decision.of("demo", (ok, bad)).approved
    False
    >>> bool(Decision.of("demo", (ok,)))
    True

    Args:
        policy: the name of the policy that decided.
        approved: ``True`` when every reason passed.
        reasons: every rule checked, in order.

    .. versionadded:: 0.1.0
    """

    policy: str
    approved: bool
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)

    @classmethod
    def of(cls, policy: str, reasons: tuple[Reason, ...]) -> Decision:
        """Build a decision whose approval is the conjunction of its reasons.

        >>> Decision.of("empty", ()).approved
        True
        """
        return cls(policy, all(reason.passed for reason in reasons), reasons)

    @property
    def failed_reasons(self) -> tuple[Reason, ...]:
        """The reasons that did not pass.

        >>> Decision.of("x", (Reason("r", "1", "0", False),)).failed_reasons[0].rule
        'r'
        """
        return tuple(reason for reason in self.reasons if not reason.passed)

    def explain(self) -> str:
        """A readable multi-line explanation: the verdict, then one line per reason.

        >>> print(Decision.of("x", (Reason("r", "1", "0", False),)).explain())
        x: declined
          [fail] r: threshold 1, actual 0
        """
        verdict = "approved" if self.approved else "declined"
        lines = [f"{self.policy}: {verdict}"]
        lines.extend(f"  {reason}" for reason in self.reasons)
        return "\n".join(lines)

    def __bool__(self) -> bool:
        return self.approved
