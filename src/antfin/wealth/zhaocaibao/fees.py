"""The Zhaocaibao fee: 0.2% of principal (每笔本金的千分之二), charged to borrowers and transferors.

>>> from antfin.wealth.zhaocaibao.fees import transfer_fee
>>> transfer_fee(CNY("10000.00"))
Money('20.00', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import Final

import attrs

from antfin.money import Money, Rounding
from antfin.rates import Rate
from antfin.validators import check_positive

__all__ = ["DEFAULT_TRANSFER_FEE_POLICY", "TransferFeePolicy", "transfer_fee"]


def _rounding(value: object) -> Rounding:
    if not isinstance(value, (Rounding, str)):
        raise TypeError(f"rounding must be a Rounding, not {type(value).__name__}")
    return Rounding.of(value)


def _rate(value: object) -> Rate:
    if not isinstance(value, Rate):
        raise TypeError(f"rate must be a Rate such as Rate.per_mille('2'), not {type(value).__name__}")
    return value


@attrs.frozen
class TransferFeePolicy:
    """How the platform fee on a borrowing or a transfer is priced (cfg).

    >>> policy = TransferFeePolicy()
    >>> str(policy.rate), policy.rounding.name
    ('0.2%', 'HALF_UP')
    >>> TransferFeePolicy(rate=Rate.per_mille("1")).fee(CNY("5000.00"))
    Money('5.00', 'CNY')

    Args:
        rate: the fee as a fraction of principal; the case study's 千分之二 (0.2%) by default.
        rounding: how the exact fee is rounded to the fen. ``HALF_UP`` (四舍五入) by
            default: it is how Chinese fee rules round amounts to the fen, and
            at a half fen it rounds in the platform's favour by at most half a fen.

    Raises:
        TypeError: when ``rate`` is not a :class:`~antfin.rates.Rate`.

    .. versionadded:: 0.1.0
    """

    rate: Rate = attrs.field(default=Rate.per_mille("2"), converter=_rate)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)

    def fee(self, principal: Money) -> Money:
        """The fee on ``principal`` under this policy.

        >>> TransferFeePolicy(rounding=Rounding.HALF_EVEN).fee(CNY("1002.50"))
        Money('2.00', 'CNY')

        Raises:
            TypeError: when ``principal`` is not :class:`~antfin.money.Money`.
            antfin.errors.InvalidAmountError: when ``principal`` is not positive.
        """
        return self.rate.of(check_positive(principal, "principal"), rounding=self.rounding)


#: The case study's fee: 0.2% of principal, rounded half up to the fen (cfg).
DEFAULT_TRANSFER_FEE_POLICY: Final = TransferFeePolicy()


def transfer_fee(principal: Money, policy: TransferFeePolicy = DEFAULT_TRANSFER_FEE_POLICY) -> Money:
    """The 0.2% Zhaocaibao fee on ``principal``, rounded half up to the fen.

    The case study: the platform charges borrowers and transferors
    每笔本金的千分之二, two per mille of each principal. The exact fee usually has
    a third decimal; it is rounded to the fen with ``Rounding.HALF_UP``
    (四舍五入, the rounding Chinese fee rules use). At exactly half a fen the
    mode matters: 1,002.50 yuan gives 2.005, which is 2.01 half up but would be
    2.00 half even.

    >>> transfer_fee(CNY("10000.00"))
    Money('20.00', 'CNY')
    >>> transfer_fee(CNY("1002.50"))
    Money('2.01', 'CNY')
    >>> transfer_fee(CNY("1002.50"), TransferFeePolicy(rounding=Rounding.HALF_EVEN))
    Money('2.00', 'CNY')
    >>> transfer_fee(CNY("1.00"))
    Money('0.00', 'CNY')

    Args:
        principal: the principal borrowed or transferred; must be positive.
        policy: the fee rate and rounding mode (cfg); the case study's 0.2% half up by default.

    Returns:
        The fee, in the principal's currency, exact to the minor unit.

    Raises:
        TypeError: when ``principal`` is not :class:`~antfin.money.Money`.
        antfin.errors.InvalidAmountError: when ``principal`` is zero or negative.

    .. versionadded:: 0.1.0
    """
    if not isinstance(policy, TransferFeePolicy):
        raise TypeError(f"policy must be a TransferFeePolicy, not {type(policy).__name__}")
    return policy.fee(principal)
