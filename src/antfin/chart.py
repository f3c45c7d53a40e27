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
from typing import TYPE_CHECKING, Final

from antfin.money import CNY, Currency

if TYPE_CHECKING:
    from antfin.ledger import Ledger

__all__ = [
    "BANK_SETTLEMENT",
    "Product",
    "ProfitPoint",
    "fund_assets",
    "fund_custodian",
    "fund_distributor",
    "fund_manager",
    "fund_position",
    "huabei_receivable",
    "loan_receivable",
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
