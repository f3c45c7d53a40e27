"""Credit: Sesame credit profiles, credit decisions, loan schedules and loans (Jiebei, MYbank), and Huabei.

>>> from antfin.credit import CreditProfile, LoanRate, amortize
>>> from antfin.rates import DayCount, Rate
>>> CreditProfile.of("alice", 688, date(2024, 1, 1)).band.name_zh
'优秀'
>>> rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
>>> amortize(CNY("10000"), rate, 12, disbursed_on=date(2024, 1, 10)).instalments[0].total
Money('888.49', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from antfin.credit.disclosure import LPR, LprFixing, LprTable, annualized_cost, borrower_cash_flows, check_rate_cap
from antfin.credit.eligibility import (
    HUABEI_POLICY,
    JIEBEI_POLICY,
    MYBANK_POLICY,
    CreditDecision,
    CreditLinePolicy,
    huabei_line,
)
from antfin.credit.huabei import HuabeiAccount, HuabeiConfig, MerchantChannel, MerchantFeeTable
from antfin.credit.huabei_bills import Bill, BillingCycle
from antfin.credit.huabei_channels import DEFAULT_CHANNELS, DEFAULT_MERCHANT_FEES, ChannelFee
from antfin.credit.huabei_instalments import (
    CURRENT_FEE_TABLE,
    LEGACY_FEE_TABLE,
    InstalmentFeeSchedule,
    InstalmentFeeTable,
    InstalmentPlan,
    plan_instalments,
)
from antfin.credit.joint import (
    DEFAULT_JOINT_LENDING,
    FundingComparison,
    FundingModel,
    JointLendingSchedule,
    JointLendingTerms,
    JointLoan,
    JointRepayment,
    compare_funding_models,
)
from antfin.credit.loan import AmountDue, Loan, LoanEvent, LoanStatus, PrepaymentMode, Repayment
from antfin.credit.products import (
    DEFAULT_BUCKETS,
    DEFAULT_ORDER,
    JIEBEI,
    MYBANK,
    NO_PREPAYMENT_FEE,
    Component,
    DelinquencyBuckets,
    LoanProduct,
    PrepaymentFeePolicy,
)
from antfin.credit.profile import (
    DEFAULT_WEIGHTS,
    FICO,
    SESAME,
    CreditBand,
    CreditDimension,
    CreditProfile,
    CreditScale,
    DimensionContribution,
    DimensionWeights,
    ProfileExplanation,
    ScoreRecord,
)
from antfin.credit.schedule import (
    Accrual,
    Instalment,
    LoanRate,
    RepaymentMethod,
    Schedule,
    amortize,
    due_dates,
)
from antfin.decisions import Decision, Reason

__all__ = [
    "CURRENT_FEE_TABLE",
    "DEFAULT_BUCKETS",
    "DEFAULT_CHANNELS",
    "DEFAULT_JOINT_LENDING",
    "DEFAULT_MERCHANT_FEES",
    "DEFAULT_ORDER",
    "DEFAULT_WEIGHTS",
    "FICO",
    "HUABEI_POLICY",
    "JIEBEI",
    "JIEBEI_POLICY",
    "LEGACY_FEE_TABLE",
    "LPR",
    "MYBANK",
    "MYBANK_POLICY",
    "NO_PREPAYMENT_FEE",
    "SESAME",
    "Accrual",
    "AmountDue",
    "Bill",
    "BillingCycle",
    "ChannelFee",
    "Component",
    "CreditBand",
    "CreditDecision",
    "CreditDimension",
    "CreditLinePolicy",
    "CreditProfile",
    "CreditScale",
    "Decision",
    "DelinquencyBuckets",
    "DimensionContribution",
    "DimensionWeights",
    "FundingComparison",
    "FundingModel",
    "HuabeiAccount",
    "HuabeiConfig",
    "Instalment",
    "InstalmentFeeSchedule",
    "InstalmentFeeTable",
    "InstalmentPlan",
    "JointLendingSchedule",
    "JointLendingTerms",
    "JointLoan",
    "JointRepayment",
    "Loan",
    "LoanEvent",
    "LoanProduct",
    "LoanRate",
    "LoanStatus",
    "LprFixing",
    "LprTable",
    "MerchantChannel",
    "MerchantFeeTable",
    "PrepaymentFeePolicy",
    "PrepaymentMode",
    "ProfileExplanation",
    "Reason",
    "Repayment",
    "RepaymentMethod",
    "Schedule",
    "ScoreRecord",
    "amortize",
    "annualized_cost",
    "borrower_cash_flows",
    "check_rate_cap",
    "compare_funding_models",
    "due_dates",
    "huabei_line",
    "plan_instalments",
]
