"""Decisions that explain themselves (floor 1): each rule checked, its threshold and the actual value.

>>> from antfin.decisions import Decision, Reason
>>> decision = Decision.of("jiebei", (Reason("score >= 600", "600", "612", True),))
>>> decision.approved, decision.failed_reasons
(True, ())
>>> print(decision.explain())
jiebei: approved
  [pass] score >= 600: threshold 600, actual 612

Every yes/no answer in antfin is this one type, and its verdict has one name,
``approved``: a real-name class's payment limit, a credit policy, a qualified
investor check, a reservation's match, an insurance claim assessment. It lives
below the products so that none of them imports another's. A product whose
answer carries more (a credit line, a crowdfunding rule tree) returns its own
value that *holds* a :class:`Decision`.

A reason may carry a Chinese rule text beside the English one, and structured
values (:class:`~antfin.money.Money`, :class:`~decimal.Decimal`) or display
strings as threshold and actual value; an actual of ``None`` is a fact that was
not provided. A decision lists the facts it lacked in ``missing`` and is
``incomplete`` when it could not be reached without them.

>>> from antfin.money import CNY
>>> reason = Reason("assets above", CNY("1000000"), None, False, rule_zh="资产大于")
>>> print(Decision.of("SEED_2016", (reason,), missing=("personal financial assets",)).explain("zh_CN"))
SEED_2016：信息不完整（缺少：personal financial assets）
  [未通过] 资产大于：阈值 ¥1,000,000.00，实际 未提供

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Moved from ``antfin.credit.decision`` (which still re-exports it) to the first floor.
.. versionchanged:: 0.3.0
   The one decision type of every product: ``Reason.rule_zh``, structured threshold and
   actual values, ``Decision.missing`` and ``Decision.incomplete``, ``explain(locale)``
   and ``Reason.text(locale)``. The private copies (``antfin.payments.limits.Decision``
   with ``allowed``, ``MatchDecision`` with ``matched``) are gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal, TypeAlias

import attrs

from antfin.errors import NotFoundError
from antfin.money import Money, format_money

__all__ = ["Decision", "Reason", "Value"]

#: A threshold or actual value: an amount, a number, or a display string.
Value: TypeAlias = str | Money | Decimal


def _language(locale: str) -> Literal["zh", "en"]:
    if not isinstance(locale, str):
        raise TypeError(f"locale must be a string such as 'en_US', not {type(locale).__name__}")
    prefix = locale.replace("-", "_").split("_", 1)[0].lower()
    if prefix in ("zh", "en"):
        return "zh" if prefix == "zh" else "en"
    raise NotFoundError(f"no decision texts for locale {locale!r}; expected a zh or en locale such as zh_CN, en_US")


def _shown(value: Value | None, zh: bool) -> str:
    if value is None:
        return "未提供" if zh else "not provided"
    if isinstance(value, Money):
        return format_money(value, "zh_CN") if zh else str(value)
    return str(value)


def _check_value(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None and attribute.name == "actual":
        return
    if isinstance(value, bool) or not isinstance(value, str | Money | Decimal):
        raise TypeError(f"{attribute.name} must be a str, Money or Decimal, not {type(value).__name__}")


@attrs.frozen
class Reason:
    """One rule a decision checked: the rule, its threshold, the actual value, and whether it passed.

    >>> reason = Reason("Sesame score >= 550", "550", "530", False)
    >>> str(reason)
    '[fail] Sesame score >= 550: threshold 550, actual 530'

    Args:
        rule: what was checked, in words (English).
        threshold: the rule's limit: an amount, a number, or a display string.
        actual: the value found, or ``None`` when the fact was not provided.
        passed: whether the rule is met.
        rule_zh: the rule in Chinese, when there is one.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0
       ``threshold`` and ``actual`` may be Money or Decimal, ``actual`` ``None``; ``rule_zh``.
    """

    rule: str
    threshold: Value = attrs.field(validator=_check_value)
    actual: Value | None = attrs.field(validator=_check_value)
    passed: bool
    rule_zh: str | None = None

    def text(self, locale: str = "en_US") -> str:
        """One line for ``locale`` (a zh or en locale): mark, rule, threshold and actual value.

        >>> from antfin.money import CNY
        >>> Reason("cap", CNY("1000"), CNY("1000.01"), False, rule_zh="上限").text("zh_CN")
        '[未通过] 上限：阈值 ¥1,000.00，实际 ¥1,000.01'

        Raises:
            antfin.errors.NotFoundError: for a locale in neither language.
        """
        if _language(locale) == "zh":
            mark = "通过" if self.passed else "未通过"
            rule = self.rule_zh or self.rule
            return f"[{mark}] {rule}：阈值 {_shown(self.threshold, True)}，实际 {_shown(self.actual, True)}"
        mark = "pass" if self.passed else "fail"
        return f"[{mark}] {self.rule}: threshold {_shown(self.threshold, False)}, actual {_shown(self.actual, False)}"

    def __str__(self) -> str:
        return self.text()


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError("missing must be a tuple of fact names, not a single string")
    return tuple(value)


@attrs.frozen
class Decision:
    """The outcome of a policy: ``approved`` (the one name of the verdict) with every reason checked.

    >>> ok = Reason("a", "1", "2", True)
    >>> bad = Reason("b", "1", "0", False)
    >>> Decision.of("demo", (ok, bad)).approved
    False
    >>> bool(Decision.of("demo", (ok,)))
    True

    Args:
        policy: the name of the policy that decided.
        approved: ``True`` when the policy is met.
        reasons: every rule checked, in order.
        missing: the facts that were not provided (or not verified), by name.
        incomplete: ``True`` when no answer could be reached without the missing facts
            (the decision is then not approved, and may be once they arrive).

    Raises:
        ValueError: for an incomplete decision that is approved or names no missing fact.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0 ``missing`` and ``incomplete``.
    """

    policy: str
    approved: bool
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)
    missing: tuple[str, ...] = attrs.field(default=(), converter=_names)
    incomplete: bool = False

    def __attrs_post_init__(self) -> None:
        if self.incomplete and (self.approved or not self.missing):
            raise ValueError("an incomplete decision is not approved and names the facts it is missing")

    @classmethod
    def of(cls, policy: str, reasons: Iterable[Reason], *, missing: Iterable[str] = ()) -> Decision:
        """Build a decision whose approval is the conjunction of its reasons.

        With ``missing`` facts and a failed reason, the decision is incomplete.

        >>> Decision.of("empty", ()).approved
        True
        >>> Decision.of("x", (Reason("r", "1", None, False),), missing=("r",)).incomplete
        True
        """
        reasons = tuple(reasons)
        missing = tuple(missing)
        approved = all(reason.passed for reason in reasons)
        return cls(policy, approved, reasons, missing, incomplete=bool(missing) and not approved)

    @property
    def failed_reasons(self) -> tuple[Reason, ...]:
        """The reasons that did not pass.

        >>> Decision.of("x", (Reason("r", "1", "0", False),)).failed_reasons[0].rule
        'r'
        """
        return tuple(reason for reason in self.reasons if not reason.passed)

    def verdict(self, locale: str = "en_US") -> str:
        """The answer in words: approved, declined or incomplete (with the missing facts).

        >>> Decision.of("x", ()).verdict("zh_CN")
        '通过'

        Raises:
            antfin.errors.NotFoundError: for a locale in neither language.
        """
        zh = _language(locale) == "zh"
        if self.incomplete:
            return (
                f"信息不完整（缺少：{'、'.join(self.missing)}）"
                if zh
                else f"incomplete (missing: {', '.join(self.missing)})"
            )
        if self.approved:
            return "通过" if zh else "approved"
        return "未通过" if zh else "declined"

    def explain(self, locale: str = "en_US") -> str:
        """A readable multi-line explanation in ``locale``: the verdict, then one line per reason.

        >>> print(Decision.of("x", (Reason("r", "1", "0", False),)).explain())
        x: declined
          [fail] r: threshold 1, actual 0

        Raises:
            antfin.errors.NotFoundError: for a locale in neither language.
        """
        colon = "：" if _language(locale) == "zh" else ": "
        lines = [f"{self.policy}{colon}{self.verdict(locale)}"]
        lines.extend(f"  {reason.text(locale)}" for reason in self.reasons)
        return "\n".join(lines)

    def __bool__(self) -> bool:
        return self.approved
