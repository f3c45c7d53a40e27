"""The settings of a crowdfunding offer (cfg): investor cap, lead share, cut-off, service fee, mode.

>>> from antfin.crowdfunding.terms import FundingMode, OfferTerms
>>> terms = OfferTerms()
>>> terms.max_investors, str(terms.lead_min_share), terms.cancellation_cutoff
(200, '10%', datetime.timedelta(days=2))
>>> OfferTerms(mode=FundingMode.KEEP_WHAT_YOU_RAISE).mode.name
'KEEP_WHAT_YOU_RAISE'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Final

import attrs

from antfin.errors import InvalidAmountError
from antfin.money import Rounding
from antfin.rates import Rate
from antfin.validators import attribute, check_int, check_rate

__all__ = ["FundingMode", "OfferTerms"]

_ONE: Final = Rate("1")


class FundingMode(enum.Enum):
    """What happens at the close when the target is not reached.

    >>> from antfin.crowdfunding.terms import FundingMode
    >>> FundingMode.ALL_OR_NOTHING.name_zh
    '全有或全无'

    ``ALL_OR_NOTHING`` (default): below target every subscription is refunded.
    ``KEEP_WHAT_YOU_RAISE``: whatever was subscribed is settled to the issuer.

    .. versionadded:: 0.1.0
    """

    ALL_OR_NOTHING = ("all_or_nothing", "全有或全无")
    KEEP_WHAT_YOU_RAISE = ("keep_what_you_raise", "募多少得多少")

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> FundingMode.KEEP_WHAT_YOU_RAISE.name_zh
        '募多少得多少'
        """
        return self.value[1]


def _share(_instance: object, attribute: attrs.Attribute[Rate], value: Rate) -> None:
    if check_rate(value, attribute.name) > _ONE:
        raise InvalidAmountError(f"{attribute.name} must be at most 100%, got {value}")


def _cutoff(_instance: object, attribute: attrs.Attribute[timedelta], value: timedelta) -> None:
    if not isinstance(value, timedelta):
        raise TypeError(f"{attribute.name} must be a timedelta, not {type(value).__name__}")
    if value < timedelta(0):
        raise InvalidAmountError(f"{attribute.name} must not be negative, got {value}")


def _rounding(value: Rounding | str) -> Rounding:
    return Rounding.of(value)


@attrs.frozen
class OfferTerms:
    """Platform settings for an offer; every default is a commonly cited number, not contract text (cfg).

    >>> from antfin.rates import Rate
    >>> from antfin.crowdfunding.terms import OfferTerms
    >>> OfferTerms(max_investors=50).max_investors
    50
    >>> OfferTerms(service_fee_rate=Rate.percent("120"))
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: service_fee_rate must be at most 100%, got 120%

    Args:
        max_investors: most investors with a live subscription (200: the cap for
            non-public offerings under China's Securities Law, art. 10).
        lead_min_share: the lead investor's minimum subscription as a share of the
            target (10%, cfg); the minimum is rounded UP to the fen.
        cancellation_cutoff: subscriptions may be cancelled only before
            ``closes_at - cancellation_cutoff`` (48 hours, cfg).
        service_fee_rate: the platform's service fee on the amount raised, charged
            to the issuer on success (3%, cfg: the case study says the fee is planned
            but not yet set).
        fee_rounding: rounding of the fee to the fen (HALF_UP).
        mode: all or nothing (default) or keep what you raise.

    Raises:
        TypeError: for values of the wrong type (a float rate included).
        antfin.errors.InvalidAmountError: for a cap below 1, a share or fee above
            100%, or a negative cut-off.

    .. versionadded:: 0.1.0
    """

    max_investors: int = attrs.field(default=200, validator=attribute(check_int, at_least=1))
    lead_min_share: Rate = attrs.field(default=Rate.percent("10"), validator=_share)
    cancellation_cutoff: timedelta = attrs.field(default=timedelta(hours=48), validator=_cutoff)
    service_fee_rate: Rate = attrs.field(default=Rate.percent("3"), validator=_share)
    fee_rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)
    mode: FundingMode = attrs.field(
        default=FundingMode.ALL_OR_NOTHING, validator=attrs.validators.instance_of(FundingMode)
    )
