"""The one Decision and Reason of every product (floor 1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from antfin.decisions import Decision, Reason
from antfin.errors import NotFoundError
from antfin.money import CNY
from antfin.serialization import from_data, to_data


def test_reason_values_and_texts() -> None:
    reason = Reason("cap", CNY("1000"), CNY("1000.01"), False, rule_zh="上限")
    assert reason.text() == "[fail] cap: threshold 1000.00 CNY, actual 1000.01 CNY"
    assert reason.text("zh_CN") == "[未通过] 上限：阈值 ¥1,000.00，实际 ¥1,000.01"
    assert Reason("years", Decimal("2"), None, False).text("en") == "[fail] years: threshold 2, actual not provided"
    assert Reason("no zh", "1", "1", True).text("zh_CN") == "[通过] no zh：阈值 1，实际 1"
    with pytest.raises(NotFoundError, match="fr_FR"):
        reason.text("fr_FR")
    with pytest.raises(TypeError):
        Reason("r", 1.5, "1", True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Reason("r", "1", True, True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Reason("r", None, "1", True)  # type: ignore[arg-type]


def test_verdicts_missing_and_incomplete() -> None:
    ok = Reason("a", "1", "1", True)
    unknown = Reason("b", "1", None, False)
    assert Decision.of("p", (ok,)).verdict() == "approved"
    assert Decision.of("p", (unknown,)).verdict("zh_CN") == "未通过"
    incomplete = Decision.of("p", (ok, unknown), missing=("b",))
    assert incomplete.incomplete
    assert not incomplete.approved
    assert incomplete.verdict() == "incomplete (missing: b)"
    assert incomplete.explain("zh_CN").splitlines()[0] == "p：信息不完整（缺少：b）"
    settled = Decision.of("p", (ok,), missing=("b",))
    assert settled.approved
    assert not settled.incomplete
    assert settled.missing == ("b",)
    with pytest.raises(ValueError, match="incomplete"):
        Decision("p", True, (), ("b",), incomplete=True)
    with pytest.raises(ValueError, match="incomplete"):
        Decision("p", False, (), (), incomplete=True)
    with pytest.raises(TypeError, match="single string"):
        Decision("p", True, (), "b")


def test_round_trip_and_documents_written_before_the_new_fields() -> None:
    decision = Decision.of(
        "p", (Reason("cap", CNY("1"), CNY("2"), False, rule_zh="上限"), Reason("s", "shipped", "shipped", True))
    )
    assert from_data(Decision, to_data(decision)) == decision
    old = {
        "policy": "claim on P1",
        "approved": True,
        "reasons": [{"rule": "policy is active", "threshold": "active", "actual": "active", "passed": True}],
    }
    loaded: Decision = from_data(Decision, old)
    assert loaded == Decision.of("claim on P1", (Reason("policy is active", "active", "active", True),))
    assert loaded.missing == ()
    assert loaded.incomplete is False
    assert loaded.reasons[0].rule_zh is None
