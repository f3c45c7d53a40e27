"""Revenue points outside the financial products: advertising, value-added services
and Ant Financial Cloud technology service contracts.

>>> from antfin import CNY
>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> from antfin.ecosystem.services import CloudContract, book_service_fee
>>> from antfin.ecosystem import ProfitPoint
>>> ledger = Ledger()
>>> _ = ledger.open_account("wallet:bank-x", AccountKind.LIABILITY)
>>> contract = CloudContract.monthly("cloud:bank-x", "wallet:bank-x", CNY("50000.00"))
>>> contract.fee_for(savings=CNY("0"))
Money('50000.00', 'CNY')
>>> _ = contract.bill(ledger, period="2024-05", at=shanghai(2024, 6, 1))
>>> ledger.balance(ProfitPoint.CLOUD_TECH_SERVICE_FEE.account_id)
Money('50000.00', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import InvalidAmountError
from antfin.ledger import JournalEntry, Ledger
from antfin.money import Money, Rounding
from antfin.rates import Rate
from antfin.validators import check_id

__all__ = ["CloudContract", "CloudPricing", "book_service_fee"]

#: Profit points a merchant or partner pays for directly from its wallet.
_SERVICE_POINTS = frozenset(
    {
        ProfitPoint.ALIPAY_ADVERTISING,
        ProfitPoint.ALIPAY_VALUE_ADDED,
        ProfitPoint.CLOUD_TECH_SERVICE_FEE,
    }
)


def book_service_fee(
    ledger: Ledger,
    key: str,
    *,
    payer_wallet: str,
    point: ProfitPoint,
    amount: Money,
    at: datetime,
    memo: str = "",
) -> JournalEntry:
    """Book a fee paid from a wallet to the revenue account of ``point``.

    For advertising (广告收益), value-added services such as bill payment or
    ticketing (增值服务收益), and technology service fees.

    >>> from antfin import CNY
    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import AccountKind, Ledger
    >>> ledger = Ledger()
    >>> _ = ledger.open_account("wallet:shop", AccountKind.LIABILITY)
    >>> entry = book_service_fee(ledger, "ad:2024-05:shop", payer_wallet="wallet:shop",
    ...                          point=ProfitPoint.ALIPAY_ADVERTISING, amount=CNY("800.00"),
    ...                          at=shanghai(2024, 5, 31))
    >>> ledger.balance("revenue:alipay:advertising")
    Money('800.00', 'CNY')

    Raises:
        antfin.errors.InvalidAmountError: a profit point that is not a service fee.
        antfin.errors.InsufficientFundsError: the payer's wallet cannot cover it.

    .. versionadded:: 0.1.0
    """
    if point not in _SERVICE_POINTS:
        names = ", ".join(sorted(p.name for p in _SERVICE_POINTS))
        raise InvalidAmountError(f"point must be a service profit point ({names}), got {point.name}")
    revenue = revenue_account(ledger, point, amount.currency)
    return ledger.transfer(key, debit=payer_wallet, credit=revenue, amount=amount, at=at, memo=memo or point.name_en)


class CloudPricing(enum.Enum):
    """How an Ant Financial Cloud contract is priced (cfg).

    >>> CloudPricing.SAVINGS_SHARE.value
    'savings_share'

    .. versionadded:: 0.1.0
    """

    MONTHLY_FEE = "monthly_fee"
    SAVINGS_SHARE = "savings_share"


@attrs.frozen
class CloudContract:
    """A technology service contract with a financial institution (蚂蚁金融云).

    The case study guesses the cloud earns technology service fees or a share
    of the IT savings it brings; both are modelled (cfg).

    >>> from antfin import CNY
    >>> share = CloudContract.savings_share("cloud:bank-y", "wallet:bank-y", Rate.percent("20"))
    >>> share.fee_for(savings=CNY("125000.00"))
    Money('25000.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    contract_id: str
    payer_wallet: str
    pricing: CloudPricing
    monthly_fee: Money | None = None
    share: Rate | None = None

    def __attrs_post_init__(self) -> None:
        check_id(self.contract_id, "contract_id")
        check_id(self.payer_wallet, "payer_wallet")

    @classmethod
    def monthly(cls, contract_id: str, payer_wallet: str, fee: Money) -> CloudContract:
        """A fixed monthly fee.

        >>> from antfin import CNY
        >>> CloudContract.monthly("c", "wallet:x", CNY("10")).pricing
        <CloudPricing.MONTHLY_FEE: 'monthly_fee'>
        """
        if not isinstance(fee, Money) or not fee.is_positive():
            raise InvalidAmountError(f"monthly fee must be a positive amount, got {fee!r}")
        return cls(contract_id, payer_wallet, CloudPricing.MONTHLY_FEE, monthly_fee=fee)

    @classmethod
    def savings_share(cls, contract_id: str, payer_wallet: str, share: Rate) -> CloudContract:
        """A share of the savings reported for each month, rounded half-up to the fen.

        >>> CloudContract.savings_share("c", "wallet:x", Rate.percent("10")).share
        Rate(value=Decimal('0.10'))
        """
        if not isinstance(share, Rate) or share.value > 1:
            raise InvalidAmountError(f"share must be a Rate between 0% and 100%, got {share!r}")
        return cls(contract_id, payer_wallet, CloudPricing.SAVINGS_SHARE, share=share)

    def fee_for(self, savings: Money) -> Money:
        """The fee for one month given that month's reported savings.

        >>> from antfin import CNY
        >>> CloudContract.savings_share("c", "w", Rate.percent("15")).fee_for(CNY("0.10"))
        Money('0.02', 'CNY')

        Raises:
            antfin.errors.InvalidAmountError: negative savings.
            TypeError: savings that are not Money.
        """
        if not isinstance(savings, Money):
            raise TypeError(f"savings must be Money, not {type(savings).__name__}")
        if savings.is_negative():
            raise InvalidAmountError(f"savings must not be negative, got {savings}")
        if self.pricing is CloudPricing.MONTHLY_FEE and self.monthly_fee is not None:
            return self.monthly_fee
        if self.share is None:
            raise InvalidAmountError(f"contract {self.contract_id!r} has no share set")
        return self.share.of(savings, rounding=Rounding.HALF_UP)

    def bill(self, ledger: Ledger, *, period: str, at: datetime, savings: Money | None = None) -> JournalEntry | None:
        """Book the fee for ``period`` (e.g. ``"2024-05"``); billing a period twice is a no-op.

        Returns ``None`` when the fee is zero (no savings, nothing to book).

        >>> from antfin import CNY
        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("w", AccountKind.LIABILITY)
        >>> CloudContract.savings_share("c", "w", Rate.percent("15")).bill(
        ...     ledger, period="2024-05", at=shanghai(2024, 6, 1), savings=CNY("0")) is None
        True
        """
        fee = self.fee_for(savings if savings is not None else Money.zero())
        if fee.is_zero():
            return None
        return book_service_fee(
            ledger,
            f"cloud:{self.contract_id}:{period}",
            payer_wallet=self.payer_wallet,
            point=ProfitPoint.CLOUD_TECH_SERVICE_FEE,
            amount=fee,
            at=at,
            memo=f"Ant Financial Cloud {self.contract_id} {period}",
        )
