"""Huabei on the ledger: purchases, merchant fees, refunds, bills, repayments, interest and instalments."""

from __future__ import annotations

from datetime import date

import pytest

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.credit.huabei import (
    BillStatus,
    HuabeiAccount,
    HuabeiConfig,
    MerchantChannel,
    PlanStatus,
)
from antfin.credit.huabei_bills import BillingCycle, LineKind
from antfin.credit.huabei_instalments import EarlySettlementPolicy
from antfin.credit.profile import CreditProfile
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    LimitExceededError,
    NotFoundError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money

MERCHANT_FEE = ProfitPoint.HUABEI_MERCHANT_FEE.account_id
INSTALMENT_FEE = ProfitPoint.HUABEI_INSTALMENT_FEE.account_id
REVOLVING = ProfitPoint.HUABEI_REVOLVING_INTEREST.account_id
OVERDUE = ProfitPoint.HUABEI_OVERDUE_INTEREST.account_id


def make(line: str = "5000", wallet: str = "0", **kwargs: object) -> tuple[Ledger, HuabeiAccount]:
    ledger = Ledger()
    for account in ("wallet:alice", "wallet:shop", "wallet:tmall"):
        ledger.open_account(account, AccountKind.LIABILITY, non_negative=True)
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    if CNY(wallet).is_positive():
        ledger.transfer(
            "top-up", debit="asset:bank_settlement", credit="wallet:alice", amount=CNY(wallet), at=shanghai(2024, 1, 1)
        )
    return ledger, HuabeiAccount(ledger, "alice", CNY(line), **kwargs)  # type: ignore[arg-type]


def snapshot(ledger: Ledger, huabei: HuabeiAccount) -> tuple[object, ...]:
    balances = tuple((account.id, ledger.balance(account.id)) for account in ledger.accounts())
    return (
        balances,
        len(ledger.entries()),
        huabei.unbilled(),
        tuple((b.status, b.outstanding, len(b.reductions)) for b in huabei.bills),
        len(huabei.events),
    )


def test_purchase_funds_the_merchant_and_books_the_merchant_fee_by_channel() -> None:
    ledger, huabei = make()
    huabei.purchase("o1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 3, 2, 10))
    huabei.purchase("o2", merchant="shop", amount=CNY("500"), at=shanghai(2024, 3, 3), channel=MerchantChannel.TAOBAO)
    huabei.purchase("o3", merchant="tmall", amount=CNY("250"), at=shanghai(2024, 3, 4), channel=MerchantChannel.TMALL)
    assert ledger.balance("wallet:shop") == CNY("1000") - CNY("8") + CNY("500") - CNY("5")
    assert ledger.balance("wallet:tmall") == CNY("248")
    assert ledger.balance(MERCHANT_FEE) == CNY("15")
    assert ledger.balance(huabei.receivable) == CNY("1750")
    assert huabei.credit_line.used == CNY("1750")
    assert huabei.available == CNY("3250")
    ledger.check_invariants()


def test_purchase_over_the_line_is_refused_with_the_numbers_and_changes_nothing() -> None:
    ledger, huabei = make(line="1000")
    huabei.purchase("o1", merchant="shop", amount=CNY("700"), at=shanghai(2024, 3, 2))
    before = snapshot(ledger, huabei)
    with pytest.raises(LimitExceededError, match=r"400.00 CNY exceeds the available Huabei line 300.00 CNY") as info:
        huabei.purchase("o2", merchant="shop", amount=CNY("400"), at=shanghai(2024, 3, 3))
    assert "line 1000.00 CNY, used 700.00 CNY" in str(info.value)
    assert snapshot(ledger, huabei) == before


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_negative_or_zero_purchase_is_refused(amount: str) -> None:
    ledger, huabei = make()
    before = snapshot(ledger, huabei)
    with pytest.raises(InvalidAmountError, match="amount must be positive"):
        huabei.purchase("o", merchant="shop", amount=CNY(amount), at=shanghai(2024, 3, 2))
    assert snapshot(ledger, huabei) == before


def test_bad_inputs_are_typed_errors_and_change_nothing() -> None:
    ledger, huabei = make()
    before = snapshot(ledger, huabei)
    with pytest.raises(TypeError, match="amount must be Money"):
        huabei.purchase("o", merchant="shop", amount="10", at=shanghai(2024, 3, 2))  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="at must be an aware datetime"):
        huabei.purchase("o", merchant="shop", amount=CNY("10"), at=shanghai(2024, 3, 2).replace(tzinfo=None))
    with pytest.raises(NotFoundError):
        huabei.purchase("o", merchant="ghost", amount=CNY("10"), at=shanghai(2024, 3, 2))
    with pytest.raises(PolicyViolationError, match=r"term: 5 months .* expected one of 3, 6, 9, 12"):
        huabei.purchase("o", merchant="shop", amount=CNY("10"), at=shanghai(2024, 3, 2), instalments=5)
    with pytest.raises(PolicyViolationError, match="merchant_paid applies to instalments"):
        huabei.purchase("o", merchant="shop", amount=CNY("10"), at=shanghai(2024, 3, 2), merchant_paid=True)
    assert snapshot(ledger, huabei) == before
    with pytest.raises(PolicyViolationError, match="outside the Huabei range"):
        HuabeiAccount(Ledger(), "x", CNY("50000.01"))
    with pytest.raises(InvalidAmountError, match="user must be a non-empty string"):
        HuabeiAccount(Ledger(), "", CNY("500"))


def test_same_key_is_idempotent_and_a_different_request_conflicts() -> None:
    ledger, huabei = make()
    first = huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2))
    again = huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2))
    assert again is first
    assert ledger.balance(huabei.receivable) == CNY("100")
    with pytest.raises(IdempotencyConflictError, match="o1"):
        huabei.purchase("o1", merchant="shop", amount=CNY("101"), at=shanghai(2024, 3, 2))
    with pytest.raises(IdempotencyConflictError, match="o1"):
        huabei.repay("o1", CNY("100"), at=shanghai(2024, 3, 3))


def test_bill_day_and_day_after_go_to_different_bills() -> None:
    _, huabei = make()
    huabei.purchase("on-bill-day", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 1, 23, 59))
    huabei.purchase("day-after", merchant="shop", amount=CNY("200"), at=shanghai(2024, 3, 2, 0, 1))
    march = huabei.issue_bill(date(2024, 3, 1))
    assert [line.reference for line in march.lines] == ["on-bill-day"]
    assert march.due_date == date(2024, 3, 10)
    april = huabei.issue_bill(date(2024, 4, 1))
    assert [line.reference for line in april.lines if line.kind is LineKind.PURCHASE] == ["day-after"]
    # the unpaid March bill (100) revolved from 11 March: 22 days x 0.05 = 1.10
    assert april.total == CNY("201.10")


def test_utc_instants_are_posted_on_their_shanghai_date() -> None:
    from datetime import UTC, datetime

    _, huabei = make()
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai: next cycle.
    purchase = huabei.purchase("late", merchant="shop", amount=CNY("1"), at=datetime(2024, 3, 1, 16, 30, tzinfo=UTC))
    assert purchase.posted_on == date(2024, 3, 2)
    assert purchase.statement_date == date(2024, 4, 1)


def test_paid_in_full_by_the_due_date_costs_no_interest_and_restores_the_line() -> None:
    ledger, huabei = make(wallet="2000")
    huabei.purchase("o1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 2, 2))
    bill = huabei.issue_bill(date(2024, 3, 1))
    repayment = huabei.repay("r1", CNY("1000"), at=shanghai(2024, 3, 10, 23))
    assert repayment.applied == (("2024-03-01", CNY("1000")),)
    assert huabei.bill(bill.statement_date).status is BillStatus.PAID
    assert huabei.available == CNY("5000")
    next_bill = huabei.issue_bill(date(2024, 4, 1))
    assert next_bill.total == CNY.zero()
    assert ledger.balance(REVOLVING) == CNY.zero()
    assert ledger.balance(OVERDUE) == CNY.zero()


def test_minimum_payment_then_revolving_interest_on_the_next_bill() -> None:
    ledger, huabei = make(wallet="2000")
    huabei.purchase("o1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 2, 2))
    bill = huabei.issue_bill(date(2024, 3, 1))
    assert bill.minimum_payment == CNY("100")
    huabei.repay("r1", CNY("100"), at=shanghai(2024, 3, 10, 20))
    assert huabei.bill(date(2024, 3, 1)).status is BillStatus.ISSUED
    # 900 unpaid from 11 March through 1 April (22 days) at 0.45 a day = 9.90
    assert huabei.interest_accrued(date(2024, 4, 1)).revolving_interest == CNY("9.90")
    april = huabei.issue_bill(date(2024, 4, 1))
    assert [(line.kind, line.amount) for line in april.lines] == [(LineKind.REVOLVING_INTEREST, CNY("9.90"))]
    assert ledger.balance(REVOLVING) == CNY("9.90")
    assert ledger.balance(huabei.receivable) == CNY("909.90")
    # the March bill keeps accruing until it is paid; the rest repaid on 5 April
    huabei.repay("r2", CNY("909.90"), at=shanghai(2024, 4, 5))
    assert huabei.bill(date(2024, 3, 1)).status is BillStatus.PAID
    assert huabei.bill(date(2024, 4, 1)).status is BillStatus.PAID
    may = huabei.issue_bill(date(2024, 5, 1))
    # 2..5 April: 4 more days of 0.45
    assert may.total == CNY("1.80")
    assert ledger.balance(REVOLVING) == CNY("11.70")
    ledger.check_invariants()


def test_overdue_bill_accrues_overdue_interest_on_the_unpaid_minimum() -> None:
    ledger, huabei = make(wallet="2000")
    huabei.purchase("o1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 2, 2))
    huabei.issue_bill(date(2024, 3, 1))
    huabei.repay("r1", CNY("60"), at=shanghai(2024, 3, 12))  # late and below the minimum
    march = huabei.bill(date(2024, 3, 1))
    assert march.status is BillStatus.OVERDUE
    assert march.history == [(BillStatus.OVERDUE, date(2024, 3, 11))]
    april = huabei.issue_bill(date(2024, 4, 1))
    # overdue part: 100 for 11-12 March (2 days) then 40 for 13 March-1 April (20 days) = 1000 yuan-days -> 0.50
    # revolving part: 900 for 22 days = 19800 yuan-days -> 9.90
    kinds = {line.kind: line.amount for line in april.lines}
    assert kinds == {LineKind.OVERDUE_INTEREST: CNY("0.50"), LineKind.REVOLVING_INTEREST: CNY("9.90")}
    assert ledger.balance(OVERDUE) == CNY("0.50")
    assert ledger.balance(REVOLVING) == CNY("9.90")
    huabei.repay("r2", CNY("940"), at=shanghai(2024, 4, 2))
    march = huabei.bill(date(2024, 3, 1))
    assert march.status.value == "paid"
    assert march.history[-1] == (BillStatus.PAID, date(2024, 4, 2))


def test_refund_inside_the_cycle_reduces_the_coming_bill_and_returns_the_fee() -> None:
    ledger, huabei = make()
    huabei.purchase("o1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 3, 2))
    huabei.refund("o1:r1", "o1", CNY("300"), at=shanghai(2024, 3, 20))
    assert huabei.available == CNY("4300")
    assert ledger.balance("wallet:shop") == CNY("992") - CNY("300") + CNY("2.40")
    assert ledger.balance(MERCHANT_FEE) == CNY("5.60")
    bill = huabei.issue_bill(date(2024, 4, 1))
    assert bill.total == CNY("700")
    # refunding the rest returns the whole fee exactly (the merchant has sales to refund from)
    ledger.transfer(
        "sales", debit="asset:bank_settlement", credit="wallet:shop", amount=CNY("100"), at=shanghai(2024, 4, 2)
    )
    huabei.refund("o1:r2", "o1", CNY("700"), at=shanghai(2024, 4, 3))
    assert ledger.balance(MERCHANT_FEE) == CNY.zero()
    assert huabei.bill(date(2024, 4, 1)).status is BillStatus.PAID
    assert huabei.available == CNY("5000")


def test_refund_after_a_paid_bill_is_a_credit_on_the_next_bill() -> None:
    ledger, huabei = make(wallet="2000")
    huabei.purchase("o1", merchant="shop", amount=CNY("500"), at=shanghai(2024, 3, 2))
    huabei.issue_bill(date(2024, 4, 1))
    huabei.repay("r1", CNY("500"), at=shanghai(2024, 4, 8))
    huabei.refund("o1:r1", "o1", CNY("200"), at=shanghai(2024, 4, 15))
    may = huabei.issue_bill(date(2024, 5, 1))
    assert may.total == CNY("-200")
    assert huabei.bill(date(2024, 5, 1)).status is BillStatus.PAID
    assert ledger.balance(huabei.receivable) == CNY("-200")
    huabei.purchase("o2", merchant="shop", amount=CNY("300"), at=shanghai(2024, 5, 3))
    june = huabei.issue_bill(date(2024, 6, 1))
    assert june.total == CNY("100")
    assert {line.kind for line in june.lines} == {LineKind.CREDIT_CARRIED, LineKind.PURCHASE}


def test_refund_refusals_change_nothing() -> None:
    ledger, huabei = make()
    huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2))
    before = snapshot(ledger, huabei)
    with pytest.raises(InvalidAmountError, match=r"more than the 100\.00 CNY left to refund"):
        huabei.refund("r", "o1", CNY("100.01"), at=shanghai(2024, 3, 3))
    with pytest.raises(NotFoundError, match="no Huabei purchase 'o9'"):
        huabei.refund("r", "o9", CNY("1"), at=shanghai(2024, 3, 3))
    with pytest.raises(InvalidTimeError, match="before the purchase"):
        huabei.refund("r", "o1", CNY("1"), at=shanghai(2024, 3, 1))
    assert snapshot(ledger, huabei) == before


def test_posting_into_an_issued_cycle_is_refused() -> None:
    ledger, huabei = make(wallet="100")
    huabei.purchase("o0", merchant="shop", amount=CNY("1"), at=shanghai(2024, 3, 5))
    huabei.issue_bill(date(2024, 4, 1))
    before = snapshot(ledger, huabei)
    with pytest.raises(InvalidTimeError, match="already issued"):
        huabei.purchase("o", merchant="shop", amount=CNY("1"), at=shanghai(2024, 3, 20))
    with pytest.raises(InvalidTimeError, match="expected the next bill 2024-05-01"):
        huabei.issue_bill(date(2024, 6, 1))
    assert huabei.issue_bill(date(2024, 4, 1)) is huabei.bills[0].bill
    assert snapshot(ledger, huabei) == before


def test_repay_refusals_change_nothing() -> None:
    ledger, huabei = make(wallet="50")
    huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2))
    before = snapshot(ledger, huabei)
    with pytest.raises(InvalidAmountError, match=r"more than the 100.00 CNY owed"):
        huabei.repay("r", CNY("100.01"), at=shanghai(2024, 3, 3))
    with pytest.raises(InsufficientFundsError):
        huabei.repay("r", CNY("60"), at=shanghai(2024, 3, 3))
    assert snapshot(ledger, huabei) == before
    # an unbilled repayment reduces the coming bill
    huabei.repay("r", CNY("50"), at=shanghai(2024, 3, 3))
    assert huabei.issue_bill(date(2024, 4, 1)).total == CNY("50")


def test_bill_paid_in_part_then_put_into_six_instalments() -> None:
    ledger, huabei = make(wallet="3000")
    huabei.purchase("o1", merchant="shop", amount=CNY("1500"), at=shanghai(2024, 3, 2))
    huabei.purchase("o2", merchant="shop", amount=CNY("700"), at=shanghai(2024, 3, 15))
    bill = huabei.issue_bill(date(2024, 4, 1))
    assert bill.total == CNY("2200")
    huabei.repay("r1", CNY("400"), at=shanghai(2024, 4, 5))
    plan_record = huabei.convert_bill("split", date(2024, 4, 1), 6, at=shanghai(2024, 4, 6))
    plan = plan_record.plan
    assert plan.principal == CNY("1800")
    assert plan.fee == CNY("81.00")  # 4.5%
    assert plan.periods[0].total == CNY("313.50")
    april = huabei.bill(date(2024, 4, 1))
    assert april.outstanding == CNY("313.50")
    assert april.minimum == april.amount_due
    assert ledger.balance(INSTALMENT_FEE) == CNY("13.50")
    huabei.repay("r2", CNY("313.50"), at=shanghai(2024, 4, 10))
    assert april.status is BillStatus.PAID
    statements = [date(2024, m, 1) for m in range(5, 10)]
    for statement in statements:
        issued = huabei.issue_bill(statement)
        assert issued.total == CNY("313.50")
        assert issued.minimum_payment == CNY("313.50")
        huabei.repay(f"pay:{statement}", issued.total, at=shanghai(statement.year, statement.month, 9))
    assert plan_record.status is PlanStatus.COMPLETED
    assert ledger.balance(INSTALMENT_FEE) == CNY("81.00")
    assert ledger.balance(huabei.receivable) == CNY.zero()
    assert ledger.balance("wallet:alice") == CNY("3000") - CNY("400") - CNY("1881")
    assert huabei.issue_bill(date(2024, 10, 1)).total == CNY.zero()
    ledger.check_invariants()


def test_conversion_refusals() -> None:
    ledger, huabei = make(wallet="3000")
    huabei.purchase("o1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 3, 2))
    huabei.issue_bill(date(2024, 4, 1))
    before = snapshot(ledger, huabei)
    with pytest.raises(InvalidTimeError, match="to its due date 2024-04-10, got 2024-04-11"):
        huabei.convert_bill("c", date(2024, 4, 1), 6, at=shanghai(2024, 4, 11))
    with pytest.raises(PolicyViolationError, match="term: 7 months"):
        huabei.convert_bill("c", date(2024, 4, 1), 7, at=shanghai(2024, 4, 5))
    with pytest.raises(NotFoundError):
        huabei.convert_bill("c", date(2024, 5, 1), 6, at=shanghai(2024, 4, 5))
    assert snapshot(ledger, huabei) == before
    huabei.convert_bill("c", date(2024, 4, 1), 3, at=shanghai(2024, 4, 5))
    with pytest.raises(PolicyViolationError, match="already in instalments"):
        huabei.convert_bill("c2", date(2024, 4, 1), 3, at=shanghai(2024, 4, 5))


def test_purchase_in_instalments_and_early_settlement_waives_unbilled_fees() -> None:
    ledger, huabei = make(wallet="5000")
    purchase = huabei.purchase("phone", merchant="shop", amount=CNY("1200"), at=shanghai(2024, 3, 2), instalments=12)
    assert purchase.plan_id is not None
    assert huabei.unbilled() == ()
    plan_record = huabei.plan(purchase.plan_id)
    assert plan_record.plan.fee == CNY("105.60")
    first = huabei.issue_bill(date(2024, 4, 1))
    assert first.total == CNY("108.80")  # 100 + 8.80
    assert first.minimum_payment == CNY("108.80")
    huabei.repay("p1", CNY("108.80"), at=shanghai(2024, 4, 9))
    huabei.issue_bill(date(2024, 5, 1))
    huabei.repay("p2", CNY("108.80"), at=shanghai(2024, 5, 9))
    settlement = huabei.settle_plan("settle", purchase.plan_id, at=shanghai(2024, 5, 12))
    assert settlement.principal == CNY("1000")
    assert settlement.fee == CNY.zero()
    assert settlement.waived_fee == CNY("88.00")
    assert plan_record.status is PlanStatus.SETTLED
    assert ledger.balance(INSTALMENT_FEE) == CNY("17.60")
    assert ledger.balance(huabei.receivable) == CNY.zero()
    assert huabei.issue_bill(date(2024, 6, 1)).total == CNY.zero()
    with pytest.raises(InvalidTransitionError, match="only an active plan"):
        huabei.settle_plan("settle-2", purchase.plan_id, at=shanghai(2024, 6, 2))
    with pytest.raises(PolicyViolationError, match="is in instalments"):
        huabei.refund("r", "phone", CNY("1"), at=shanghai(2024, 6, 2))


def test_early_settlement_can_charge_all_fees_by_config() -> None:
    config = HuabeiConfig(early_settlement=EarlySettlementPolicy.CHARGE_ALL_FEES)
    ledger, huabei = make(wallet="5000", config=config)
    purchase = huabei.purchase("tv", merchant="shop", amount=CNY("600"), at=shanghai(2024, 3, 2), instalments=3)
    assert purchase.plan_id is not None
    settlement = huabei.settle_plan("s", purchase.plan_id, at=shanghai(2024, 3, 5))
    assert settlement.total == CNY("615.00")
    assert ledger.balance(INSTALMENT_FEE) == CNY("15.00")
    assert ledger.balance(huabei.receivable) == CNY.zero()


def test_settlement_without_funds_changes_nothing() -> None:
    ledger, huabei = make(wallet="10")
    purchase = huabei.purchase("tv", merchant="shop", amount=CNY("600"), at=shanghai(2024, 3, 2), instalments=3)
    assert purchase.plan_id is not None
    before = snapshot(ledger, huabei)
    with pytest.raises(InsufficientFundsError):
        huabei.settle_plan("s", purchase.plan_id, at=shanghai(2024, 3, 5))
    assert snapshot(ledger, huabei) == before
    assert huabei.plan(purchase.plan_id).status is PlanStatus.ACTIVE


def test_merchant_paid_instalments_charge_the_merchant_not_the_user() -> None:
    ledger, huabei = make(line="10000")
    purchase = huabei.purchase(
        "laptop", merchant="tmall", amount=CNY("6000"), at=shanghai(2024, 3, 2), instalments=12,
        channel=MerchantChannel.TMALL, merchant_paid=True,
    )  # fmt: skip
    assert purchase.plan_id is not None
    assert ledger.balance(INSTALMENT_FEE) == CNY("528.00")
    assert ledger.balance("wallet:tmall") == CNY("6000") - CNY("48") - CNY("528")
    bill = huabei.issue_bill(date(2024, 4, 1))
    assert bill.total == CNY("500")
    assert huabei.plan(purchase.plan_id).plan.annualized_rate() == 0


def test_line_from_a_credit_profile_and_a_custom_cycle() -> None:
    ledger = Ledger()
    profile = CreditProfile.of("zoe", 650, date(2024, 1, 1))
    huabei = HuabeiAccount.from_profile(ledger, profile, cycle=BillingCycle(due_day=8))
    assert CNY("500") <= huabei.line <= CNY("50000")
    assert huabei.user == "zoe"
    assert huabei.cycle.due_date(date(2024, 6, 1)) == date(2024, 6, 8)  # a Saturday: it does not move
    assert huabei.line > HuabeiAccount.from_profile(Ledger(), CreditProfile.of("low", 400, date(2024, 1, 1))).line
    assert isinstance(huabei.line, Money)


def test_the_first_bill_is_not_before_the_first_activity() -> None:
    """Regression: a bill date decades back used to pin the sequence and refuse the real bill."""
    ledger, huabei = make(wallet="100")
    assert huabei.issue_bill(date(1990, 1, 1)).total == CNY("0")  # nothing to bill: nothing pinned
    assert huabei.bills == ()
    huabei.purchase("o1", merchant="shop", amount=CNY("10"), at=shanghai(2024, 3, 5))
    before = snapshot(ledger, huabei)
    with pytest.raises(InvalidTimeError, match="first activity"):
        huabei.issue_bill(date(2000, 1, 1))
    assert snapshot(ledger, huabei) == before
    assert huabei.issue_bill(date(2024, 4, 1)).total == CNY("10")
