"""The chart of accounts: profit points (盈利点), revenue accounts and every account id.

Every fee, interest and commission a product earns is booked to the revenue
account of its profit point, so the income statement by product falls out of
the ledger's postings. Every other account id a product posts to (a user's
wallet, a loan's receivable, a fund's assets, a Zhaocaibao product's escrow)
is built here too, so that products never spell an id by hand and the books
can tell what an account is from its id.

>>> from antfin.chart import Product, ProfitPoint, wallet
>>> wallet("alice")
'wallet:alice'
>>> ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE.account_id
'revenue:zhaocaibao:transfer_fee'
>>> ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE.name_zh
'招财宝手续费（本金千分之二）'
>>> ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE.product is Product.ZHAOCAIBAO
True

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from antfin.money import CNY, Currency

if TYPE_CHECKING:
    from antfin.ledger import Ledger

__all__ = [
    "BANK_SETTLEMENT",
    "POINT_FACTS",
    "Basis",
    "PointFacts",
    "Product",
    "ProfitPoint",
    "Segment",
    "fund_assets",
    "fund_custodian",
    "fund_distributor",
    "fund_manager",
    "fund_position",
    "huabei_receivable",
    "insurer_account",
    "loan_receivable",
    "partner_clearing",
    "revenue_account",
    "wallet",
    "zhaocaibao_escrow",
]

#: The platform's asset account for money at the banks (top-ups come in, withdrawals go out).
BANK_SETTLEMENT: Final = "asset:bank_settlement"


class Product(enum.Enum):
    """A product line of the ecosystem, with its Chinese and English names.

    >>> Product.HUABEI.name_zh, Product.HUABEI.name_en
    ('蚂蚁花呗', 'Huabei')

    .. versionadded:: 0.1.0
    """

    ALIPAY = ("alipay", "支付宝", "Alipay")
    YUEBAO = ("yuebao", "余额宝", "Yu'ebao")
    ZHAOCAIBAO = ("zhaocaibao", "招财宝", "Zhaocaibao")
    FORTUNE = ("fortune", "蚂蚁聚宝", "Ant Fortune")
    HUABEI = ("huabei", "蚂蚁花呗", "Huabei")
    JIEBEI = ("jiebei", "蚂蚁借呗", "Jiebei")
    MYBANK = ("mybank", "网商银行", "MYbank")
    DAKE = ("dake", "蚂蚁达客", "Ant Dake")
    CLOUD = ("cloud", "蚂蚁金融云", "Ant Financial Cloud")
    INSURANCE = ("insurance", "蚂蚁保险", "Insurance")
    CREDIT_TECH = ("credit_tech", "联合贷款（微贷科技）", "Joint lending (CreditTech)")

    @property
    def code(self) -> str:
        """Short code used in account ids."""
        return self.value[0]

    @property
    def name_zh(self) -> str:
        """Chinese name."""
        return self.value[1]

    @property
    def name_en(self) -> str:
        """English name."""
        return self.value[2]


class ProfitPoint(enum.Enum):
    """One way a product earns money, as named in the case study.

    >>> [point.code for point in ProfitPoint if point.product is Product.ALIPAY]
    ['float_interest', 'acquiring_commission', 'advertising', 'value_added_services', 'withdrawal_fee']

    .. versionadded:: 0.1.0
    """

    ALIPAY_FLOAT_INTEREST = (Product.ALIPAY, "float_interest", "沉淀资金利息", "Interest on float")
    ALIPAY_ACQUIRING_COMMISSION = (Product.ALIPAY, "acquiring_commission", "收单佣金", "Acquiring commission")
    ALIPAY_ADVERTISING = (Product.ALIPAY, "advertising", "广告收益", "Advertising")
    ALIPAY_VALUE_ADDED = (Product.ALIPAY, "value_added_services", "增值服务收益", "Value-added services")
    ALIPAY_WITHDRAWAL_FEE = (Product.ALIPAY, "withdrawal_fee", "提现手续费", "Withdrawal fees")
    YUEBAO_SALES_SERVICE_FEE = (Product.YUEBAO, "sales_service_fee", "销售服务费", "Sales service fee")
    ZHAOCAIBAO_TRANSFER_FEE = (
        Product.ZHAOCAIBAO,
        "transfer_fee",
        "招财宝手续费（本金千分之二）",
        "Transfer and borrowing fee (0.2% of principal)",
    )
    FORTUNE_SUBSCRIPTION_FEE = (Product.FORTUNE, "subscription_fee", "基金申购费", "Fund subscription fees")
    FORTUNE_REDEMPTION_FEE = (Product.FORTUNE, "redemption_fee", "基金赎回费", "Fund redemption fees")
    HUABEI_MERCHANT_FEE = (Product.HUABEI, "merchant_fee", "商户收单费", "Merchant acquiring fees")
    HUABEI_INSTALMENT_FEE = (Product.HUABEI, "instalment_fee", "分期手续费", "Instalment fees")
    HUABEI_REVOLVING_INTEREST = (Product.HUABEI, "revolving_interest", "循环信用利息", "Revolving interest")
    HUABEI_OVERDUE_INTEREST = (Product.HUABEI, "overdue_interest", "逾期利息", "Overdue interest")
    JIEBEI_INTEREST = (Product.JIEBEI, "interest", "借呗利息", "Loan interest")
    JIEBEI_FEE = (Product.JIEBEI, "fee", "借呗手续费", "Loan fees")
    JIEBEI_PENALTY = (Product.JIEBEI, "penalty", "借呗逾期罚息", "Overdue penalty")
    MYBANK_INTEREST = (Product.MYBANK, "interest", "网商贷利息", "Loan interest")
    MYBANK_FEE = (Product.MYBANK, "fee", "网商贷手续费", "Loan fees (incl. prepayment)")
    MYBANK_PENALTY = (Product.MYBANK, "penalty", "网商贷逾期罚息", "Overdue penalty")
    DAKE_SERVICE_FEE = (Product.DAKE, "service_fee", "融资服务费", "Issuer service fee")
    CLOUD_TECH_SERVICE_FEE = (Product.CLOUD, "tech_service_fee", "技术服务费", "Technology service fees")
    INSURANCE_ACQUISITION_FEE = (
        Product.INSURANCE,
        "acquisition_fee",
        "客户获取服务费",
        "Customer acquisition service fee",
    )
    INSURANCE_RISK_ASSESSMENT_FEE = (
        Product.INSURANCE,
        "risk_assessment_fee",
        "风险评估服务费",
        "Risk assessment service fee",
    )
    INSURANCE_CLAIMS_SERVICE_FEE = (Product.INSURANCE, "claims_service_fee", "理赔服务费", "Claims service fee")
    CREDIT_TECH_SERVICE_FEE = (
        Product.CREDIT_TECH,
        "tech_service_fee",
        "科技服务费（协同类收入）",
        "Technology service fee from partner banks",
    )

    @property
    def product(self) -> Product:
        """The product line this profit point belongs to."""
        return self.value[0]

    @property
    def code(self) -> str:
        """Short code, unique within the product."""
        return self.value[1]

    @property
    def name_zh(self) -> str:
        """Chinese name."""
        return self.value[2]

    @property
    def name_en(self) -> str:
        """English name."""
        return self.value[3]

    @property
    def facts(self) -> PointFacts:
        """Its segment and whether the case study states it (see :data:`POINT_FACTS`).

        >>> ProfitPoint.CLOUD_TECH_SERVICE_FEE.facts.basis
        <Basis.ASSUMED: 'assumed'>
        """
        return POINT_FACTS[self]

    @property
    def segment(self) -> Segment:
        """The 2020 segment this profit point's revenue is reported under.

        >>> ProfitPoint.ALIPAY_ACQUIRING_COMMISSION.segment.name_zh
        '数字支付与商家服务'
        """
        return POINT_FACTS[self].segment

    @property
    def stated(self) -> bool:
        """Whether the case study states this profit point (otherwise it is an assumption).

        >>> ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE.stated, ProfitPoint.ALIPAY_ADVERTISING.stated
        (True, False)
        """
        return POINT_FACTS[self].basis is Basis.STATED

    @property
    def account_id(self) -> str:
        """Id of the revenue account: ``revenue:<product>:<code>``."""
        return f"revenue:{self.product.code}:{self.code}"

    @classmethod
    def from_account_id(cls, account_id: str) -> ProfitPoint:
        """The profit point whose revenue account has this id.

        >>> ProfitPoint.from_account_id("revenue:huabei:instalment_fee")
        <ProfitPoint.HUABEI_INSTALMENT_FEE: ...>

        Raises:
            antfin.errors.NotFoundError: for an id that is no profit point's.
        """
        for point in cls:
            if point.account_id == account_id:
                return point
        from antfin.errors import NotFoundError

        raise NotFoundError(f"no profit point has the revenue account {account_id!r}")


class Segment(enum.Enum):
    """One of the three segments of Ant Group's 2020 model, with its Chinese and English names.

    The segments are the ones Ant Group reported by in its 2020 listing
    prospectus (蚂蚁科技集团股份有限公司首次公开发行股票并在科创板上市招股说明书,
    filed with the Shanghai Stock Exchange on 2020-08-25); the case study's
    2020 reports group the business the same way (支付, 数字金融, 科技服务).

    >>> [segment.name_zh for segment in Segment]
    ['数字支付与商家服务', '数字金融科技平台', '创新业务及其他']

    .. versionadded:: 0.2.0
    """

    PAYMENTS = ("payments", "数字支付与商家服务", "Digital payments and merchant services")
    DIGITAL_FINANCE = ("digital_finance", "数字金融科技平台", "Digital finance technology platform")
    INNOVATION = ("innovation", "创新业务及其他", "Innovation initiatives and others")

    @property
    def code(self) -> str:
        """Short code.

        >>> Segment.INNOVATION.code
        'innovation'
        """
        return self.value[0]

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> Segment.DIGITAL_FINANCE.name_zh
        '数字金融科技平台'
        """
        return self.value[1]

    @property
    def name_en(self) -> str:
        """English name.

        >>> Segment.PAYMENTS.name_en
        'Digital payments and merchant services'
        """
        return self.value[2]


class Basis(enum.Enum):
    """Whether the case study states a profit point, or the library assumes it.

    >>> Basis.STATED.label_en, Basis.ASSUMED.label_zh
    ('Stated by the case study', '假设的盈利点')

    .. versionadded:: 0.2.0
    """

    STATED = "stated"
    ASSUMED = "assumed"

    @property
    def label_zh(self) -> str:
        """Chinese heading of the income statement's part.

        >>> Basis.STATED.label_zh
        '案例陈述的盈利点'
        """
        return "案例陈述的盈利点" if self is Basis.STATED else "假设的盈利点"

    @property
    def label_en(self) -> str:
        """English heading of the income statement's part.

        >>> Basis.ASSUMED.label_en
        'Assumed'
        """
        return "Stated by the case study" if self is Basis.STATED else "Assumed"


@attrs.frozen
class PointFacts:
    """What the case study says about one profit point: its segment, its basis and the note behind it.

    >>> facts = POINT_FACTS[ProfitPoint.CLOUD_TECH_SERVICE_FEE]
    >>> facts.segment is Segment.INNOVATION, facts.basis is Basis.ASSUMED
    (True, True)
    >>> "推测" in facts.note
    True

    Args:
        segment: the 2020 segment its revenue belongs to.
        basis: stated by the case study, or assumed.
        note: where the case study states it, or what is assumed and why.

    .. versionadded:: 0.2.0
    """

    segment: Segment
    basis: Basis
    note: str


_S, _A = Basis.STATED, Basis.ASSUMED
_PAY, _FIN, _NEW = Segment.PAYMENTS, Segment.DIGITAL_FINANCE, Segment.INNOVATION
_P = ProfitPoint

#: Every profit point's segment and basis, with the case study's words or the assumption made.
#: Data, not branches: a user reading another case replaces this table.
POINT_FACTS: Final[Mapping[ProfitPoint, PointFacts]] = MappingProxyType(
    {
        _P.ALIPAY_FLOAT_INTEREST: PointFacts(_PAY, _S, "支付宝盈利点 利息收益: 沉淀资金存款利息"),
        _P.ALIPAY_ACQUIRING_COMMISSION: PointFacts(_PAY, _S, "支付宝盈利点 佣金收益: 向商家收取的收单费用"),
        _P.ALIPAY_ADVERTISING: PointFacts(
            _PAY, _A, "named (广告收益: 广告位收取的费用) but unquantified: prices and volumes are assumptions"
        ),
        _P.ALIPAY_VALUE_ADDED: PointFacts(
            _PAY, _A, "named (其他收益: 代买机票、生活缴费) but unquantified: amounts are assumptions"
        ),
        _P.ALIPAY_WITHDRAWAL_FEE: PointFacts(
            _PAY, _A, "not in the case study: Alipay's public withdrawal fee rule of 2016-10-12"
        ),
        _P.YUEBAO_SALES_SERVICE_FEE: PointFacts(
            _FIN,
            _A,
            "not in the case study (its 余额宝 profit point is the fund's 投资收益): the distributor's sales fee",
        ),
        _P.ZHAOCAIBAO_TRANSFER_FEE: PointFacts(_FIN, _S, "招财宝 手续费: 每笔本金的千分之二"),
        _P.FORTUNE_SUBSCRIPTION_FEE: PointFacts(_FIN, _S, "蚂蚁聚宝盈利点 手续费: 向投资收益人收取的手续费"),
        _P.FORTUNE_REDEMPTION_FEE: PointFacts(_FIN, _S, "蚂蚁聚宝盈利点 手续费: 基金赎回费"),
        _P.HUABEI_MERCHANT_FEE: PointFacts(_FIN, _S, "蚂蚁花呗盈利点 商户收单费 (具体数据未查到: the rates are cfg)"),
        _P.HUABEI_INSTALMENT_FEE: PointFacts(_FIN, _S, "蚂蚁花呗盈利点 手续费: 分期还款"),
        _P.HUABEI_REVOLVING_INTEREST: PointFacts(
            _FIN, _A, "not named: the case study lists 分期还款、逾期还款 fees only"
        ),
        _P.HUABEI_OVERDUE_INTEREST: PointFacts(_FIN, _S, "蚂蚁花呗盈利点 手续费: 逾期还款"),
        _P.JIEBEI_INTEREST: PointFacts(_FIN, _A, "借呗 is named without profit points: interest is assumed"),
        _P.JIEBEI_FEE: PointFacts(_FIN, _A, "借呗 is named without profit points: fees are assumed"),
        _P.JIEBEI_PENALTY: PointFacts(_FIN, _A, "借呗 is named without profit points: penalty is assumed"),
        _P.MYBANK_INTEREST: PointFacts(_FIN, _A, "网商银行盈利点 is left blank in the case study: assumed"),
        _P.MYBANK_FEE: PointFacts(_FIN, _A, "网商银行盈利点 is left blank in the case study: assumed"),
        _P.MYBANK_PENALTY: PointFacts(_FIN, _A, "网商银行盈利点 is left blank in the case study: assumed"),
        _P.DAKE_SERVICE_FEE: PointFacts(
            _NEW, _A, "蚂蚁达客 预向融资人收取服务费作为盈利点, 目前尚未明确: planned, not confirmed"
        ),
        _P.CLOUD_TECH_SERVICE_FEE: PointFacts(
            _NEW, _A, "蚂蚁金融云 尚未查到相关资料…推测会向中小金融机构收取技术服务费或节约分润"
        ),
        _P.INSURANCE_ACQUISITION_FEE: PointFacts(
            _FIN, _A, "the service (为保险公司提供客户获取) is stated; that it is paid, and how much, is assumed"
        ),
        _P.INSURANCE_RISK_ASSESSMENT_FEE: PointFacts(
            _FIN, _A, "the service (风险评估) is stated; that it is paid, and how much, is assumed"
        ),
        _P.INSURANCE_CLAIMS_SERVICE_FEE: PointFacts(
            _FIN, _A, "the service (理赔) is stated; that it is paid, and how much, is assumed"
        ),
        _P.CREDIT_TECH_SERVICE_FEE: PointFacts(
            _FIN, _S, "2020 report: 将体内客户与场景赋能予合作金融机构…实现高质量收入变现（协同类收入）"
        ),
    }
)

if set(POINT_FACTS) != set(ProfitPoint):  # checked at import: a new profit point needs its segment and basis
    from antfin.errors import InvariantViolationError

    _missing = sorted(point.name for point in set(ProfitPoint) - set(POINT_FACTS))
    raise InvariantViolationError(f"POINT_FACTS lacks the profit point(s) {', '.join(_missing)}")


def revenue_account(ledger: Ledger, point: ProfitPoint, currency: Currency = CNY) -> str:
    """Open (idempotently) the revenue account of ``point`` and return its id.

    >>> from antfin.ledger import Ledger
    >>> ledger = Ledger()
    >>> revenue_account(ledger, ProfitPoint.DAKE_SERVICE_FEE)
    'revenue:dake:service_fee'

    .. versionadded:: 0.1.0
    """
    from antfin.ledger import AccountKind

    ledger.open_account(
        point.account_id,
        AccountKind.REVENUE,
        currency=currency,
        purpose=point.name_en,
        metadata={"product": point.product.code, "profit_point": point.code, "name_zh": point.name_zh},
    )
    return point.account_id


# -- account ids: the one place that spells them ----------------------------------------


def wallet(owner: str) -> str:
    """The id of ``owner``'s Alipay wallet (a liability of the platform to its user).

    >>> wallet("dave")
    'wallet:dave'

    .. versionadded:: 0.2.0
    """
    return f"wallet:{owner}"


def huabei_receivable(user: str) -> str:
    """The id of the asset account holding what ``user`` owes on Huabei.

    >>> huabei_receivable("dan")
    'asset:huabei:dan'

    .. versionadded:: 0.2.0
    """
    return f"asset:huabei:{user}"


def loan_receivable(product_code: str, loan_id: str) -> str:
    """The id of the asset account holding a loan's outstanding principal.

    >>> loan_receivable("jiebei", "L-1")
    'asset:loans:jiebei:L-1'

    .. versionadded:: 0.2.0
    """
    return f"asset:loans:{product_code}:{loan_id}"


def fund_assets(fund_id: str) -> str:
    """The id of a money fund's asset account (what its holders' money is invested in).

    >>> fund_assets("yuebao")
    'fund:yuebao:assets'

    .. versionadded:: 0.2.0
    """
    return f"fund:{fund_id}:assets"


def fund_position(fund_id: str, investor: str) -> str:
    """The id of ``investor``'s position in a money fund (units, one fen a unit).

    >>> fund_position("yuebao", "ann")
    'fund:yuebao:position:ann'

    .. versionadded:: 0.2.0
    """
    return f"fund:{fund_id}:position:{investor}"


def fund_manager(fund_id: str) -> str:
    """The id of the account holding the management fees a fund owes its manager (Yu'ebao: 天弘基金).

    Not a revenue account: the manager is a company of its own (Ant owns 51%
    of Tianhong, an equity interest, see :mod:`antfin.wealth.equity`).

    >>> fund_manager("yuebao")
    'fund:yuebao:party:manager'

    .. versionadded:: 0.2.0
    """
    return f"fund:{fund_id}:party:manager"


def fund_custodian(fund_id: str) -> str:
    """The id of the account holding the custody fees a fund owes its custodian bank (not Ant's revenue).

    >>> fund_custodian("yuebao")
    'fund:yuebao:party:custodian'

    .. versionadded:: 0.2.0
    """
    return f"fund:{fund_id}:party:custodian"


def fund_distributor(fund_id: str) -> str:
    """The id of the account holding the sales service fees a fund owes a distributor that is not the platform.

    When the platform itself distributes the fund, the fee is its revenue
    (``ProfitPoint.YUEBAO_SALES_SERVICE_FEE``) instead.

    >>> fund_distributor("yuebao")
    'fund:yuebao:party:distributor'

    .. versionadded:: 0.2.0
    """
    return f"fund:{fund_id}:party:distributor"


def zhaocaibao_escrow(product_id: str) -> str:
    """The id of the account holding a Zhaocaibao product's raised money until it is issued.

    >>> zhaocaibao_escrow("ZCB-1")
    'zcb:escrow:ZCB-1'

    .. versionadded:: 0.2.0
    """
    return f"zcb:escrow:{product_id}"


def insurer_account(insurer: str) -> str:
    """The id of a partner insurer's account on the platform (premiums in, claims and service fees out).

    >>> insurer_account("cathay")
    'insurer:cathay'

    .. versionadded:: 0.2.0
    """
    return f"insurer:{insurer}"


def partner_clearing(partner: str) -> str:
    """The id of the clearing account for money exchanged with a partner bank of joint lending.

    The partner's share of a joint loan is not the platform's asset: what the
    bank sends for a disbursement comes in here and what is forwarded to it
    (its principal and interest, net of the technology service fee) goes out.

    >>> partner_clearing("bank-a")
    'asset:partner:bank-a'

    .. versionadded:: 0.2.0
    """
    return f"asset:partner:{partner}"
