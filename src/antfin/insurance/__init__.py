"""Insurance (保险) sold through Alipay: partner insurers, policies, claims and Ant's service fees.

>>> from antfin.insurance import CATHAY, RETURN_SHIPPING, InsuranceDesk
>>> RETURN_SHIPPING.insurer is CATHAY
True

The case study's fifth area: users buy travel and health insurance through
Alipay from partner insurers (国泰产险, 51% Ant from 2016; 信美人寿相互保险社,
2017); Ant provides customer acquisition, risk assessment and claims services
and earns service fees for them (profit points of
:attr:`antfin.chart.Product.INSURANCE`). Return-shipping insurance (退货运费险)
is bought with an escrow trade and pays the return postage when the buyer
returns the goods.

.. versionadded:: 0.2.0
"""

from antfin.insurance.desk import InsuranceDesk
from antfin.insurance.policy import TRANSITIONS, Claim, Policy, PolicyEvent, PolicyStatus, assess_claim
from antfin.insurance.products import (
    CATHAY,
    DEFAULT_SERVICE_FEES,
    HEALTH,
    PRODUCTS,
    RETURN_SHIPPING,
    TRAVEL,
    XINMEI,
    CoverKind,
    InsuranceProduct,
    Insurer,
    ServiceFeeSchedule,
    ServiceFeeTable,
)

__all__ = [
    "CATHAY",
    "DEFAULT_SERVICE_FEES",
    "HEALTH",
    "PRODUCTS",
    "RETURN_SHIPPING",
    "TRANSITIONS",
    "TRAVEL",
    "XINMEI",
    "Claim",
    "CoverKind",
    "InsuranceDesk",
    "InsuranceProduct",
    "Insurer",
    "Policy",
    "PolicyEvent",
    "PolicyStatus",
    "ServiceFeeSchedule",
    "ServiceFeeTable",
    "assess_claim",
]
