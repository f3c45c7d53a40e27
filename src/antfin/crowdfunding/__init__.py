"""Ant Dake (蚂蚁达客) equity crowdfunding: qualified-investor policies and offers.

>>> from antfin.crowdfunding import SEED_2016, InvestorFacts
>>> SEED_2016.check(InvestorFacts("alice", personal_financial_assets=CNY("1500000"))).approved
True

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from antfin.crowdfunding.decision import (
    GroupOutcome,
    QualificationDecision,
    QualificationStatus,
    RuleOutcome,
    RuleStatus,
)
from antfin.crowdfunding.investor import Fact, InvestorFacts, InvestorKind
from antfin.crowdfunding.offer import (
    CrowdfundOffer,
    OfferEvent,
    OfferStatus,
    Role,
    Settlement,
    ShareAllocation,
    Subscription,
    SubscriptionStatus,
)
from antfin.crowdfunding.policy import (
    Combination,
    Comparison,
    Criterion,
    QualifiedInvestorPolicy,
    RuleGroup,
    all_of,
    any_of,
    policy_in_force,
)
from antfin.crowdfunding.presets import (
    ASSET_MANAGEMENT_2018,
    PRESETS,
    SAC_2014_DRAFT,
    SEED_2016,
    asset_management_2018,
    sac_2014_draft,
    seed_2016,
)
from antfin.crowdfunding.terms import FundingMode, OfferTerms

__all__ = [
    "ASSET_MANAGEMENT_2018",
    "PRESETS",
    "SAC_2014_DRAFT",
    "SEED_2016",
    "Combination",
    "Comparison",
    "Criterion",
    "CrowdfundOffer",
    "Fact",
    "FundingMode",
    "GroupOutcome",
    "InvestorFacts",
    "InvestorKind",
    "OfferEvent",
    "OfferStatus",
    "OfferTerms",
    "QualificationDecision",
    "QualificationStatus",
    "QualifiedInvestorPolicy",
    "Role",
    "RuleGroup",
    "RuleOutcome",
    "RuleStatus",
    "Settlement",
    "ShareAllocation",
    "Subscription",
    "SubscriptionStatus",
    "all_of",
    "any_of",
    "asset_management_2018",
    "policy_in_force",
    "sac_2014_draft",
    "seed_2016",
]
