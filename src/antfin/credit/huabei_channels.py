"""Where Huabei is accepted: merchant channels as data, each with its own dated acquiring fee table.

>>> from antfin.credit.huabei_channels import DEFAULT_MERCHANT_FEES, MerchantChannel
>>> DEFAULT_MERCHANT_FEES.fee_for(CNY("1000"), MerchantChannel.TMALL, on=date(2024, 5, 1))
Money('8.00', 'CNY')
>>> vip = DEFAULT_MERCHANT_FEES.channel("vipshop")
>>> vip.name_zh, vip.external
('唯品会', True)

Huabei started inside Alibaba (Taobao, Tmall) and offline; the case study
notes that it "已接入唯品会、当当网等近40个平台" (was accepted on nearly 40
external platforms such as Vipshop and Dangdang). A channel is therefore a
value, not a closed list: :meth:`MerchantFeeTable.with_channel` adds another
platform with its own dated fee versions, and
:class:`~antfin.credit.huabei.HuabeiConfig` takes the table.

The fee rates are cfg (commonly cited 0.8-1%; the case study says 具体数据未查到),
dated from Huabei's launch in December 2014 (seed: 蚂蚁花呗 2014/12).

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Channels are data (:class:`MerchantChannel` values) with dated fee versions;
   the former enum's members remain as ``MerchantChannel.OFFLINE``, ``.TAOBAO`` and ``.TMALL``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import ClassVar, Final

import attrs

from antfin.calendar import EARLIEST_DATE, ensure_date
from antfin.errors import InvalidAmountError, NotFoundError, OutsideCoverageError
from antfin.money import Money, Rounding
from antfin.rates import Rate
from antfin.validators import check_name, check_rate, check_str

__all__ = [
    "DEFAULT_CHANNELS",
    "DEFAULT_MERCHANT_FEES",
    "ChannelFee",
    "MerchantChannel",
    "MerchantFeeTable",
]

_HUABEI_LAUNCH: Final = date(2014, 12, 1)
_CFG: Final = "cfg: commonly cited Huabei acquiring fee (the case study: 具体数据未查到)"


def _code(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    code = check_str(value, attribute.name)
    if not code or len(code) > 64 or any(char.isspace() or char.isupper() for char in code):
        raise InvalidAmountError(f"{attribute.name} must be 1-64 lower-case characters without spaces, got {value!r}")


@attrs.frozen
class MerchantChannel:
    """Where a Huabei purchase happens; the acquiring fee depends on it.

    >>> MerchantChannel.TAOBAO.value
    'taobao'
    >>> MerchantChannel("jd", "京东", "JD.com", external=True).external
    True

    Args:
        code: the channel's id (lower case, no spaces); two channels with one code are the same channel.
        name_zh: Chinese name.
        name_en: English name.
        external: a platform outside Alibaba (one of the case study's ~40).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       A value class instead of an enum; ``OFFLINE``, ``TAOBAO`` and ``TMALL`` remain as class attributes.
    """

    OFFLINE: ClassVar[MerchantChannel]
    TAOBAO: ClassVar[MerchantChannel]
    TMALL: ClassVar[MerchantChannel]
    VIPSHOP: ClassVar[MerchantChannel]
    DANGDANG: ClassVar[MerchantChannel]

    code: str = attrs.field(validator=_code)
    name_zh: str = ""
    name_en: str = ""
    external: bool = False

    @property
    def value(self) -> str:
        """The code (what the enum's ``value`` was).

        >>> MerchantChannel.OFFLINE.value
        'offline'
        """
        return self.code

    @property
    def name(self) -> str:
        """The code in capitals (what the enum's ``name`` was).

        >>> MerchantChannel.TMALL.name
        'TMALL'
        """
        return self.code.upper()


MerchantChannel.OFFLINE = MerchantChannel("offline", "线下商户", "Offline merchants")
MerchantChannel.TAOBAO = MerchantChannel("taobao", "淘宝", "Taobao")
MerchantChannel.TMALL = MerchantChannel("tmall", "天猫", "Tmall")
MerchantChannel.VIPSHOP = MerchantChannel("vipshop", "唯品会", "Vipshop", external=True)
MerchantChannel.DANGDANG = MerchantChannel("dangdang", "当当网", "Dangdang", external=True)

#: The channels of the default table: Alibaba's own and the two external platforms the case study names.
DEFAULT_CHANNELS: Final = (
    MerchantChannel.OFFLINE,
    MerchantChannel.TAOBAO,
    MerchantChannel.TMALL,
    MerchantChannel.VIPSHOP,
    MerchantChannel.DANGDANG,
)


@attrs.frozen
class ChannelFee:
    """One dated version of a channel's acquiring fee.

    >>> ChannelFee(date(2014, 12, 1), Rate.percent("1")).rate.as_percent
    Decimal('1')

    Args:
        effective_from: first day it applies.
        rate: the fee, a share of the purchase.
        source: where the number comes from (``cfg`` or a citation).

    .. versionadded:: 0.2.0
    """

    effective_from: date
    rate: Rate
    source: str = "cfg"

    def __attrs_post_init__(self) -> None:
        ensure_date(self.effective_from, "effective_from")
        check_rate(self.rate, "rate")
        check_name(self.source, "source")


def _versions(value: Rate | ChannelFee | Iterable[ChannelFee]) -> tuple[ChannelFee, ...]:
    if isinstance(value, Rate):  # an undated rate: in force on every date
        return (ChannelFee(EARLIEST_DATE, value),)
    if isinstance(value, ChannelFee):
        return (value,)
    versions = tuple(value)
    if not versions or not all(isinstance(version, ChannelFee) for version in versions):
        raise InvalidAmountError("a channel needs a Rate or one or more ChannelFee versions")
    ordered = tuple(sorted(versions, key=lambda version: version.effective_from))
    if len({version.effective_from for version in ordered}) != len(ordered):
        raise InvalidAmountError("a channel's fee versions must start on different days")
    return ordered


FeeSpec = Rate | ChannelFee | Sequence[ChannelFee]


def _fee_pairs(
    value: Mapping[MerchantChannel, FeeSpec] | Iterable[tuple[MerchantChannel, FeeSpec]],
) -> tuple[tuple[MerchantChannel, tuple[ChannelFee, ...]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    pairs = []
    for channel, spec in items:
        if not isinstance(channel, MerchantChannel):
            raise TypeError(f"channels must be MerchantChannel values, not {type(channel).__name__}")
        pairs.append((channel, _versions(spec)))
    codes = [channel.code for channel, _ in pairs]
    if len(set(codes)) != len(codes):
        raise InvalidAmountError("each channel code may appear once in a fee table")
    return tuple(sorted(pairs, key=lambda item: item[0].code))


@attrs.frozen
class MerchantFeeTable:
    """Huabei acquiring fees by channel, each channel with dated versions, paid by the merchant (cfg).

    >>> DEFAULT_MERCHANT_FEES.fee_for(CNY("199.99"), MerchantChannel.TAOBAO)
    Money('2.00', 'CNY')
    >>> str(DEFAULT_MERCHANT_FEES.rate_for(MerchantChannel.OFFLINE))
    '0.8%'
    >>> MerchantFeeTable({MerchantChannel.OFFLINE: Rate.percent("1")}).rate_for(MerchantChannel.OFFLINE).value
    Decimal('0.01')

    Args:
        rates: ``{channel: Rate | ChannelFee | [ChannelFee, ...]}`` (a bare ``Rate`` applies on every date).
        rounding: rounding of each fee to the fen (HALF_UP).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Dated versions per channel, any number of channels.
    """

    rates: tuple[tuple[MerchantChannel, tuple[ChannelFee, ...]], ...] = attrs.field(converter=_fee_pairs)
    rounding: Rounding = Rounding.HALF_UP

    @property
    def channels(self) -> tuple[MerchantChannel, ...]:
        """Every channel the table prices, by code.

        >>> [channel.code for channel in DEFAULT_MERCHANT_FEES.channels]
        ['dangdang', 'offline', 'taobao', 'tmall', 'vipshop']
        """
        return tuple(channel for channel, _ in self.rates)

    def channel(self, code: str) -> MerchantChannel:
        """The channel with this code.

        >>> DEFAULT_MERCHANT_FEES.channel("dangdang").name_zh
        '当当网'

        Raises:
            antfin.errors.NotFoundError: for a code the table does not price.
        """
        for known, _ in self.rates:
            if known.code == code:
                return known
        raise NotFoundError(f"channel: {code!r} has no Huabei merchant fee; expected one of {self._codes()}")

    def _codes(self) -> str:
        return ", ".join(known.code for known, _ in self.rates)

    def versions(self, channel: MerchantChannel) -> tuple[ChannelFee, ...]:
        """The dated fee versions of ``channel``, oldest first.

        >>> DEFAULT_MERCHANT_FEES.versions(MerchantChannel.TMALL)[0].effective_from
        datetime.date(2014, 12, 1)

        Raises:
            antfin.errors.NotFoundError: for a channel the table does not price.
        """
        if not isinstance(channel, MerchantChannel):
            raise TypeError(f"channel must be a MerchantChannel, not {type(channel).__name__}")
        for known, versions in self.rates:
            if known.code == channel.code:
                return versions
        raise NotFoundError(f"channel: {channel.code!r} has no Huabei merchant fee; expected one of {self._codes()}")

    def rate_for(self, channel: MerchantChannel, on: date | None = None) -> Rate:
        """The fee rate of ``channel`` on ``on`` (the latest version when ``on`` is ``None``).

        >>> DEFAULT_MERCHANT_FEES.rate_for(MerchantChannel.TMALL).value
        Decimal('0.008')

        Raises:
            antfin.errors.NotFoundError: for a channel the table does not price.
            antfin.errors.OutsideCoverageError: for a date before the channel's first version.
        """
        versions = self.versions(channel)
        if on is None:
            return versions[-1].rate
        day = ensure_date(on, "on")
        found = [version for version in versions if version.effective_from <= day]
        if not found:
            raise OutsideCoverageError(
                f"on: {day} is before the first Huabei fee of channel {channel.code!r} "
                f"(from {versions[0].effective_from})"
            )
        return found[-1].rate

    def fee_for(self, amount: Money, channel: MerchantChannel, on: date | None = None) -> Money:
        """The merchant's fee on ``amount``, rounded with ``rounding``.

        >>> DEFAULT_MERCHANT_FEES.fee_for(CNY("1000"), MerchantChannel.OFFLINE)
        Money('8.00', 'CNY')
        """
        return self.rate_for(channel, on).of(amount, rounding=self.rounding)

    def with_channel(self, channel: MerchantChannel, fees: FeeSpec) -> MerchantFeeTable:
        """A table that also prices ``channel`` (or prices it anew).

        >>> jd = MerchantChannel("jd", "京东", "JD.com", external=True)
        >>> table = DEFAULT_MERCHANT_FEES.with_channel(jd, ChannelFee(date(2015, 4, 1), Rate.percent("1")))
        >>> table.fee_for(CNY("100"), jd, on=date(2016, 1, 1))
        Money('1.00', 'CNY')
        """
        if not isinstance(channel, MerchantChannel):
            raise TypeError(f"channel must be a MerchantChannel, not {type(channel).__name__}")
        kept = [(known, versions) for known, versions in self.rates if known.code != channel.code]
        pairs: list[tuple[MerchantChannel, FeeSpec]] = [*kept, (channel, _versions(fees))]
        return MerchantFeeTable(pairs, self.rounding)


def _default(rate: str) -> ChannelFee:
    return ChannelFee(_HUABEI_LAUNCH, Rate.percent(rate), _CFG)


#: Huabei acquiring fees (cfg; commonly cited figures, the case study gives none), from December 2014:
#: 0.8% offline and on Tmall, 1.0% on Taobao and on the external platforms.
DEFAULT_MERCHANT_FEES: Final = MerchantFeeTable(
    {
        MerchantChannel.OFFLINE: _default("0.8"),
        MerchantChannel.TAOBAO: _default("1.0"),
        MerchantChannel.TMALL: _default("0.8"),
        MerchantChannel.VIPSHOP: _default("1.0"),
        MerchantChannel.DANGDANG: _default("1.0"),
    }
)
