"""Huabei channels are data: any platform, each with its own dated fee versions; old callers keep working."""

from __future__ import annotations

from datetime import date

import pytest

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.credit import HuabeiAccount, HuabeiConfig
from antfin.credit.huabei_channels import (
    DEFAULT_CHANNELS,
    DEFAULT_MERCHANT_FEES,
    ChannelFee,
    MerchantChannel,
    MerchantFeeTable,
)
from antfin.errors import InvalidAmountError, NotFoundError, OutsideCoverageError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY
from antfin.rates import Rate
from antfin.serialization import dumps, loads

JD = MerchantChannel("jd", "京东", "JD.com", external=True)
FEE = ProfitPoint.HUABEI_MERCHANT_FEE.account_id


def _huabei(config: HuabeiConfig | None = None) -> tuple[Ledger, HuabeiAccount]:
    ledger = Ledger()
    for account in ("wallet:alice", "wallet:shop"):
        ledger.open_account(account, AccountKind.LIABILITY, non_negative=True)
    if config is None:
        return ledger, HuabeiAccount(ledger, "alice", CNY("5000"))
    return ledger, HuabeiAccount(ledger, "alice", CNY("5000"), config=config)


def test_the_old_enum_members_and_their_fees_are_still_there() -> None:
    assert MerchantChannel.TAOBAO.value == "taobao"
    assert MerchantChannel.TMALL.name == "TMALL"
    assert DEFAULT_MERCHANT_FEES.rate_for(MerchantChannel.OFFLINE) == Rate.percent("0.8")
    assert DEFAULT_MERCHANT_FEES.rate_for(MerchantChannel.TAOBAO) == Rate.percent("1.0")
    assert DEFAULT_MERCHANT_FEES.rate_for(MerchantChannel.TMALL) == Rate.percent("0.8")
    assert {channel.code for channel in DEFAULT_CHANNELS if channel.external} == {"vipshop", "dangdang"}
    assert set(DEFAULT_MERCHANT_FEES.channels) == set(DEFAULT_CHANNELS)


def test_an_external_platform_is_priced_by_its_own_dated_versions() -> None:
    table = DEFAULT_MERCHANT_FEES.with_channel(
        JD, (ChannelFee(date(2015, 4, 1), Rate.percent("1.2")), ChannelFee(date(2020, 1, 1), Rate.percent("0.9")))
    )
    assert table.rate_for(JD, date(2019, 12, 31)) == Rate.percent("1.2")
    assert table.rate_for(JD, date(2020, 1, 1)) == Rate.percent("0.9")
    assert table.rate_for(JD) == Rate.percent("0.9")
    with pytest.raises(OutsideCoverageError):
        table.rate_for(JD, date(2015, 3, 31))
    assert table.channel("jd") == JD
    ledger, huabei = _huabei(HuabeiConfig(merchant_fees=table))
    purchase = huabei.purchase("o1", merchant="shop", amount=CNY("1000"), at=shanghai(2019, 6, 1), channel=JD)
    assert purchase.merchant_fee == CNY("12.00")
    assert ledger.balance(FEE) == CNY("12.00")
    vip = huabei.purchase(
        "o2", merchant="shop", amount=CNY("100"), at=shanghai(2019, 6, 2), channel=MerchantChannel.VIPSHOP
    )
    assert vip.merchant_fee == CNY("1.00")


def test_an_unpriced_channel_is_refused_before_anything_moves() -> None:
    ledger, huabei = _huabei()
    with pytest.raises(NotFoundError):
        huabei.purchase("o1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 5, 1), channel=JD)
    assert ledger.entries() == ()
    assert huabei.available == CNY("5000.00")


def test_a_purchase_before_the_channels_first_fee_is_refused() -> None:
    _, huabei = _huabei()
    with pytest.raises(OutsideCoverageError):
        huabei.purchase(
            "o1", merchant="shop", amount=CNY("100"), at=shanghai(2014, 11, 30), channel=MerchantChannel.TAOBAO
        )


def test_bad_tables_and_channels_are_refused() -> None:
    with pytest.raises(InvalidAmountError):
        MerchantChannel("Has Space")
    with pytest.raises(TypeError, match="code must be a str, not int"):
        MerchantChannel(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="code must be valid Unicode text"):
        MerchantChannel("jd\ud800")
    with pytest.raises(TypeError, match="rate must be a Rate, not str"):
        ChannelFee(date(2020, 1, 1), "0.01")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError):
        MerchantFeeTable({JD: Rate.percent("1"), MerchantChannel("jd"): Rate.percent("2")})
    with pytest.raises(InvalidAmountError):
        MerchantFeeTable({JD: ()})
    with pytest.raises(TypeError):
        MerchantFeeTable({"jd": Rate.percent("1")})  # type: ignore[arg-type]


def test_purchases_with_any_channel_round_trip_through_json() -> None:
    table = DEFAULT_MERCHANT_FEES.with_channel(JD, Rate.percent("1"))
    _, huabei = _huabei(HuabeiConfig(merchant_fees=table))
    huabei.purchase("o1", merchant="shop", amount=CNY("10"), at=shanghai(2024, 5, 1), channel=JD)
    back: HuabeiConfig = loads(HuabeiConfig, dumps(huabei.config))
    assert back == huabei.config
    assert back.merchant_fees.rate_for(JD) == Rate.percent("1")
