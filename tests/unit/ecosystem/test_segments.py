"""Segments (2020 model) and stated/assumed profit points: data in the chart, two views of one statement."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.calendar import shanghai
from antfin.chart import POINT_FACTS, Basis, Segment
from antfin.ecosystem import IncomeLine, IncomeStatement, ProfitPoint, income_statement, revenue_account
from antfin.ledger import AccountKind, Ledger


def test_every_profit_point_has_one_segment_and_a_basis_with_a_note() -> None:
    assert set(POINT_FACTS) == set(ProfitPoint)
    for point in ProfitPoint:
        facts = point.facts
        assert isinstance(facts.segment, Segment)
        assert isinstance(facts.basis, Basis)
        assert facts.note.strip()


def test_the_case_study_wording_decides_the_basis() -> None:
    assert ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE.stated
    assert ProfitPoint.ALIPAY_FLOAT_INTEREST.stated
    assert ProfitPoint.CREDIT_TECH_SERVICE_FEE.stated
    assert not ProfitPoint.CLOUD_TECH_SERVICE_FEE.stated  # 推测
    assert not ProfitPoint.ALIPAY_ADVERTISING.stated  # unquantified
    assert not ProfitPoint.DAKE_SERVICE_FEE.stated  # 尚未明确
    assert ProfitPoint.INSURANCE_CLAIMS_SERVICE_FEE.segment is Segment.DIGITAL_FINANCE
    assert ProfitPoint.ALIPAY_ACQUIRING_COMMISSION.segment is Segment.PAYMENTS
    assert ProfitPoint.CLOUD_TECH_SERVICE_FEE.segment is Segment.INNOVATION


@given(st.lists(st.tuples(st.sampled_from(list(ProfitPoint)), st.integers(0, 10**9)), max_size=30))
def test_segment_and_basis_views_add_up_to_the_product_view(lines: list[tuple[ProfitPoint, int]]) -> None:
    statement = IncomeStatement(None, None, tuple(IncomeLine(p, Money.from_minor_units(m, CNY)) for p, m in lines))
    total = statement.total
    assert sum(statement.by_segment().values(), CNY.zero()) == total
    assert sum(statement.by_basis().values(), CNY.zero()) == total
    assert sum(statement.by_product().values(), CNY.zero()) == total


def test_text_prints_stated_then_assumed_parts_from_the_ledger() -> None:
    ledger = Ledger()
    ledger.open_account("wallet:shop", AccountKind.LIABILITY)
    at = shanghai(2024, 5, 1)
    ledger.transfer("a", debit="wallet:shop", credit=revenue_account(ledger, ProfitPoint.ALIPAY_ADVERTISING),
                    amount=CNY("50"), at=at)  # fmt: skip
    ledger.transfer("z", debit="wallet:shop", credit=revenue_account(ledger, ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE),
                    amount=CNY("2"), at=at)  # fmt: skip
    statement = income_statement(ledger)
    text = statement.to_text(by_basis=True)
    assert (
        text.index("案例陈述的盈利点")
        < text.index("招财宝手续费")
        < text.index("假设的盈利点")
        < text.index("广告收益")
    )
    by_segment = statement.to_text("en_US", view="segment")
    assert "Digital payments and merchant services" in by_segment
    assert "Digital finance technology platform" in by_segment
    assert "Innovation" not in by_segment  # zero segments are left out unless asked for
    assert "Innovation initiatives and others" in statement.to_text("en_US", view="segment", include_zero=True)
    data = json.loads(json.dumps(statement.to_json()))
    assert data["by_segment"]["PAYMENTS"] == {"amount": "50.00", "currency": "CNY"}
    assert data["by_basis"] == {
        "stated": {"amount": "2.00", "currency": "CNY"},
        "assumed": {"amount": "50.00", "currency": "CNY"},
    }
    line = next(item for item in data["lines"] if item["profit_point"] == "ALIPAY_ADVERTISING")
    assert line["basis"] == "assumed"
    assert line["segment"] == "PAYMENTS"


def test_an_unknown_view_is_refused() -> None:
    import pytest

    from antfin.errors import InvalidAmountError

    statement = IncomeStatement(None, None, ())
    with pytest.raises(InvalidAmountError):
        statement.to_text(view="region")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        statement.to_text(view=None)  # type: ignore[arg-type]
