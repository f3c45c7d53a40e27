"""A seeded ecosystem: users, merchants and every product, driven day by day on one ledger.

The demo (``python -m antfin demo``) and the whole-system simulation in the
test suite both drive this world. Each day's random choices come from
``random.Random(f"{seed}:{day}")``, so a run is reproducible and a world can
be saved after any day and continued later with the same result.

>>> from antfin.ecosystem.world import World, WorldConfig
>>> world = World.create(WorldConfig(users=12, seed=7))
>>> world.run_day()
>>> world.day, world.ledger.trial_balance().is_balanced
(1, True)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from antfin.calendar import SHANGHAI, ChinaExchangeCalendar, TradingCalendar, WeekdayCalendar, add_months
from antfin.chart import ProfitPoint
from antfin.credit import JIEBEI, MYBANK, CreditProfile, Loan, LoanRate, RepaymentMethod
from antfin.credit.huabei import HuabeiAccount, MerchantChannel
from antfin.credit.huabei_bills import BillingCycle
from antfin.crowdfunding import CrowdfundOffer, InvestorFacts, Role
from antfin.ecosystem.services import CloudContract, book_service_fee
from antfin.errors import AntfinError, NotFoundError
from antfin.ledger import Ledger
from antfin.money import CNY, Money, Rounding
from antfin.payments import Account, AccountType, EscrowDesk, GoodsType, RefundReason, TradeStatus
from antfin.payments.escrow import Release
from antfin.payments.float_interest import accrue_float_interest
from antfin.payments.refunds import RequestStatus
from antfin.rates import DayCount, Rate
from antfin.wealth import MoneyFund, YieldMethod
from antfin.wealth.fortune import book_fund_subscription
from antfin.wealth.zhaocaibao import ProductKind, ProductStatus, ProductTerms, ReservationCriteria, Zhaocaibao

__all__ = ["World", "WorldConfig"]

_GOODS = (GoodsType.PHYSICAL_EXPRESS, GoodsType.PHYSICAL_EXPRESS, GoodsType.ORDINARY_MAIL, GoodsType.VIRTUAL)
_CHANNELS = (MerchantChannel.OFFLINE, MerchantChannel.TAOBAO, MerchantChannel.TMALL)
_FUND_GROSS_YIELD = Rate.percent("2.4")  # the portfolio's gross annual yield in the demo (cfg)
#: Most Zhaocaibao orders (subscriptions and reservations) the world places in a day.
ZHAOCAIBAO_DAILY_ORDERS = 120


@attrs.frozen
class WorldConfig:
    """The size and seed of a world.

    >>> WorldConfig().users, WorldConfig().start
    (200, datetime.date(2024, 3, 1))

    Attributes:
        users: how many users.
        seed: the random seed.
        start: the first day (on the SSE calendar's coverage, 2020-2026).
        merchants: how many merchants; ``users // 20`` (at least 5) by default.
        exchange_calendar: trade Yu'ebao on the SSE calendar (holidays included,
            covered 2020-2026); ``False`` uses plain weekdays, for runs that go
            past the calendar's coverage.

    .. versionadded:: 0.1.0
    """

    users: int = 200
    seed: int = 2016
    start: date = date(2024, 3, 1)
    merchants: int | None = None
    exchange_calendar: bool = True

    @property
    def merchant_count(self) -> int:
        """The number of merchants."""
        return self.merchants if self.merchants is not None else max(5, self.users // 20)


def _yuan(rng: random.Random, low: int, high: int) -> Money:
    return Money.from_minor_units(rng.randint(low, high) * 100)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@attrs.define(eq=False)
class World:
    """Everything the ecosystem holds, on one ledger.

    Build one with :meth:`create`, then call :meth:`run_day` once per day.

    >>> world = World.create(WorldConfig(users=10, seed=1))
    >>> world.run_day()
    >>> len(world.users), len(world.merchants)
    (10, 5)

    .. versionadded:: 0.1.0
    """

    config: WorldConfig
    ledger: Ledger
    desk: EscrowDesk
    fund: MoneyFund
    zcb: Zhaocaibao
    day: int = 0
    users: list[Account] = attrs.field(factory=list)
    merchants: list[Account] = attrs.field(factory=list)
    partners: dict[str, Account] = attrs.field(factory=dict)
    profiles: dict[str, CreditProfile] = attrs.field(factory=dict)
    huabei: dict[str, HuabeiAccount] = attrs.field(factory=dict)
    loans: list[Loan] = attrs.field(factory=list)
    offers: list[CrowdfundOffer] = attrs.field(factory=list)
    cloud: CloudContract | None = None
    trades: list[str] = attrs.field(factory=list)
    refusals: dict[str, int] = attrs.field(factory=dict)
    last_refusal: str = ""

    @classmethod
    def create(cls, config: WorldConfig, ledger: Ledger | None = None) -> World:
        """A new world on ``ledger`` (a fresh in-memory one by default).

        >>> World.create(WorldConfig(users=5)).day
        0
        """
        book = Ledger() if ledger is None else ledger
        calendar: TradingCalendar = ChinaExchangeCalendar.sse() if config.exchange_calendar else WeekdayCalendar()
        return cls(config, book, EscrowDesk(book), MoneyFund(book, calendar=calendar), Zhaocaibao(book))

    # -- time -----------------------------------------------------------------------

    @property
    def today(self) -> date:
        """The date the next :meth:`run_day` plays."""
        return self.config.start + timedelta(days=self.day)

    #: The activities of a day, in the order :meth:`run_day` plays them.
    ACTIVITIES: ClassVar[tuple[str, ...]] = (
        "shop",
        "escrow",
        "yuebao",
        "zhaocaibao",
        "huabei",
        "jiebei",
        "mybank",
        "crowdfunding",
        "services",
    )

    def run_day(self) -> None:
        """Play one day: every product's activity, then the day's closing.

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> world.run_day(); world.run_day()
        >>> world.today
        datetime.date(2024, 3, 3)
        """
        rng = random.Random(f"{self.config.seed}:{self.day}")
        for activity in self.ACTIVITIES:
            self.act(activity, rng)
        self.end_day(rng)

    def act(self, activity: str, rng: random.Random) -> None:
        """Play one activity of :attr:`ACTIVITIES` today (the first call of day 0 opens the world).

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> world.act("shop", random.Random(1))
        >>> world.act("dance", random.Random(1))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no activity 'dance'; expected one of shop, escrow, yuebao, ...

        Raises:
            antfin.errors.NotFoundError: for an unknown activity.
        """
        if activity not in self.ACTIVITIES:
            raise NotFoundError(f"no activity {activity!r}; expected one of {', '.join(self.ACTIVITIES)}")
        if not self.users:
            self._setup(rng, self.today)
        getattr(self, f"_{activity}")(rng, self.today)

    def end_day(self, rng: random.Random) -> None:
        """Close today (fund income, float interest) and move to the next day.

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> world.end_day(random.Random(1)); world.day
        1
        """
        if not self.users:
            self._setup(rng, self.today)
        self._close_day(rng, self.today)
        self.day += 1

    # -- setup ----------------------------------------------------------------------

    def _setup(self, rng: random.Random, today: date) -> None:
        at = _at(today, 8)
        for index in range(self.config.users):
            user = Account.open(self.ledger, f"u{index:06d}", opened_at=at)
            user.link_card(f"card-u{index:06d}", at=at)
            user.top_up(f"demo:topup:{user.account_id}", card=user.cards[0], amount=_yuan(rng, 2_000, 40_000), at=at)
            self.users.append(user)
            score = rng.randint(450, 850)
            self.profiles[user.account_id] = CreditProfile.of(user.account_id, score, today)
        for index in range(self.config.merchant_count):
            merchant = Account.open(self.ledger, f"m{index:04d}", opened_at=at, account_type=AccountType.MERCHANT)
            merchant.link_card(f"card-m{index:04d}", at=at)
            merchant.top_up(
                f"demo:topup:{merchant.account_id}", card=merchant.cards[0], amount=_yuan(rng, 5_000, 20_000), at=at
            )
            self.merchants.append(merchant)
        for name, cash in (
            ("zcb-bank", 2_000_000),
            ("zcb-insurer", 1_000_000),
            ("dake-teahouse", 1),
            ("dake-robotics", 1),
            ("partner-bank", 1_000_000),
        ):
            partner = Account.open(self.ledger, name, opened_at=at, account_type=AccountType.MERCHANT)
            partner.link_card(f"card-{name}", at=at)
            partner.top_up(f"demo:topup:{name}", card=partner.cards[0], amount=Money(cash), at=at)
            self.partners[name] = partner
        for user in self.users:
            if rng.random() < 0.6:
                profile = self.profiles[user.account_id]
                cycle = BillingCycle(due_day=rng.choice((8, 9, 10)))
                self.huabei[user.account_id] = HuabeiAccount.from_profile(self.ledger, profile, cycle=cycle)
        self.desk.on_release(self._on_release)
        self.cloud = CloudContract.monthly("partner-bank", self.partners["partner-bank"].wallet_id, CNY("50000.00"))
        self._open_offers(today)

    def _open_offers(self, today: date) -> None:
        # One round that its backers fund, and one that falls short and refunds everyone.
        for offer_id, issuer, target, ticket, units in (
            ("dake-teahouse-A", "dake-teahouse", "200000", "10000", 100_000),
            ("dake-robotics-A", "dake-robotics", "5000000", "50000", 1_000_000),
        ):
            self.offers.append(
                CrowdfundOffer(
                    offer_id,
                    issuer=issuer,
                    target=CNY(target),
                    min_ticket=CNY(ticket),
                    opens_at=_at(today, 10),
                    closes_at=_at(today + timedelta(days=14), 12),
                    equity_units=units,
                    ledger=self.ledger,
                )
            )

    # -- products ---------------------------------------------------------------------

    def _pick(self, rng: random.Random, share: float, most: int | None = None) -> list[Account]:
        # ``share`` is a behavioural probability of the simulation, not money: a float is right here.
        count = max(1, int(len(self.users) * share))
        if most is not None:
            count = min(count, most)
        return rng.sample(self.users, min(count, len(self.users)))

    def _try(self, what: str, action: Callable[..., object], /, *args: Any, **kwargs: Any) -> bool:
        """Run a customer action; a business refusal is part of life, not a failure of the world."""
        try:
            action(*args, **kwargs)
        except AntfinError as error:
            self.refusals[what] = self.refusals.get(what, 0) + 1
            self.last_refusal = f"day {self.day}: {what} refused: {type(error).__name__}: {error}"
            return False
        return True

    def _shop(self, rng: random.Random, today: date) -> None:
        for number, buyer in enumerate(self._pick(rng, 0.08)):
            seller = rng.choice(self.merchants)
            amount = _yuan(rng, 10, 1_500)
            goods = rng.choice(_GOODS)
            huabei = self.huabei.get(buyer.account_id) if rng.random() < 0.3 else None  # 花呗 pays for some
            if huabei is None and buyer.available() < amount:
                continue
            trade_no = f"T{today:%Y%m%d}-{number:05d}-{buyer.account_id}"
            at = _at(today, 9 + number % 10, number % 60)
            if self._try("escrow purchase", self._buy, trade_no, buyer, seller, amount, goods, at, huabei):
                self.trades.append(trade_no)

    def _buy(
        self,
        trade_no: str,
        buyer: Account,
        seller: Account,
        amount: Money,
        goods: GoodsType,
        at: datetime,
        huabei: HuabeiAccount | None,
    ) -> None:
        with self.ledger.atomic():
            trade = self.desk.create(
                trade_no, buyer=buyer, seller=seller, amount=amount, goods=goods, at=at, timeout="1c"
            )
            if huabei is None:
                trade.pay(at=at + timedelta(minutes=3))
            else:
                huabei.pay_escrow(trade, at=at + timedelta(minutes=3))

    def _on_release(self, release: Release) -> None:
        """A trade paid with Huabei enters its buyer's bill when the seller is paid."""
        account = self.huabei.get(release.buyer_id)
        if account is not None:
            account.on_escrow_release(release)

    def _escrow(self, rng: random.Random, today: date) -> None:
        at = _at(today, 20)
        for trade_no in self.trades:
            trade = self.desk.get(trade_no)
            request = trade.open_request
            if request is not None:
                if request.status is RequestStatus.ARBITRATION:
                    buyer_share, seller_share = rng.randint(0, 3), rng.randint(1, 3)
                    self._try("arbitration", trade.arbitrate, at=at, buyer=buyer_share, seller=seller_share)
                elif rng.random() < 0.5:
                    self._try("agree refund", trade.agree_refund, at=at)
                else:
                    self._try("refuse refund", trade.refuse_refund, at=at)
            elif trade.status is TradeStatus.WAIT_SELLER_SEND_GOODS:
                if rng.random() < 0.8:
                    self._try("ship", trade.ship, at=at)
            elif trade.status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS:
                roll = rng.random()
                if roll < 0.35:
                    self._try("confirm", trade.confirm, at=at)
                elif roll < 0.40:
                    reason = rng.choice((RefundReason.GOODS_NOT_RECEIVED, RefundReason.NOT_AS_DESCRIBED))
                    amount = trade.refundable.allocate([1, 1])[0] if rng.random() < 0.5 else trade.refundable
                    request_no = f"{trade_no}-R{self.day}"
                    self._try("refund request", trade.request_refund, request_no, amount, reason=reason, at=at)
            elif trade.status is TradeStatus.TRADE_SUCCESS and rng.random() < 0.02 and trade.refundable:
                request_no = f"{trade_no}-AS{self.day}"
                self._try("after-sale refund", trade.refund, request_no, trade.refundable, at=at, reason="after-sale")
        self.desk.advance_to(_at(today, 23, 30))
        done = (TradeStatus.TRADE_FINISHED, TradeStatus.TRADE_CLOSED)
        self.trades = [no for no in self.trades if self.desk.get(no).status not in done]

    def _yuebao(self, rng: random.Random, today: date) -> None:
        for number, user in enumerate(self._pick(rng, 0.05)):
            amount = _yuan(rng, 100, 5_000)
            if user.available() >= amount:
                at = _at(today, 10 + number % 8, number % 60)
                key = f"demo:yeb:{today}:{user.account_id}"
                self._try("yuebao purchase", self.fund.purchase, key, user.account_id, amount, at=at)
        holders = self.fund.holders()
        if not holders:
            return
        for number, holder in enumerate(rng.sample(holders, max(1, len(holders) // 50))):
            units = self.fund.available_units(holder)
            if units <= 0:
                continue
            part = (units * Decimal(rng.randint(10, 60)) / 100).quantize(Decimal("0.01"), rounding=Rounding.DOWN.value)
            if part <= 0:
                continue
            at = _at(today, 13, number % 60)
            if rng.random() < 0.5:
                key = f"demo:yeb-fast:{today}:{holder}"
                self._try("fast redemption", self.fund.fast_redeem, key, holder, min(part, Decimal(5000)), at=at)
            else:
                self._try("redemption", self.fund.redeem, f"demo:yeb-redeem:{today}:{holder}", holder, part, at=at)

    def _zhaocaibao(self, rng: random.Random, today: date) -> None:
        at = _at(today, 9, 30)
        self.zcb.settle_due(at)
        for product in self.zcb.products():
            if product.status is ProductStatus.ISSUED and product.maturity_date and product.maturity_date <= today:
                self._try("maturity", self.zcb.mature, product.product_id, at=at)
        if self.day % 7 == 0:
            terms = ProductTerms(
                product_id=f"ZCB-{today:%Y%m%d}",
                issuer="zcb-bank",
                guarantor="zcb-insurer",
                kind=ProductKind.BANK,
                amount=Money(max(50_000, self.config.users * 500)),
                term_days=rng.choice((14, 30, 60)),
                annual_yield=Rate.percent(rng.choice(("3.8", "4.2", "4.5"))),
                sale_start=at,
                sale_end=at + timedelta(days=3),
            )
            self._try("zhaocaibao listing", self.zcb.list_product, terms, at=at)
        open_products = [p for p in self.zcb.products() if p.status is ProductStatus.OPEN and p.terms.sale_start <= at]
        # Zhaocaibao lists a few products a week; its daily orders are capped like a real platform's quota.
        for number, user in enumerate(self._pick(rng, 0.03, most=ZHAOCAIBAO_DAILY_ORDERS)):
            amount = _yuan(rng, 1_000, 10_000)
            if user.available() < amount:
                continue
            sub_at = at + timedelta(minutes=1 + number)
            if open_products and rng.random() < 0.7:
                product = rng.choice(open_products)
                key = f"demo:zcb:{today}:{user.account_id}"
                self._try(
                    "zhaocaibao subscription",
                    self.zcb.subscribe,
                    key,
                    product.product_id,
                    user.account_id,
                    amount,
                    at=sub_at,
                )
            else:
                criteria = ReservationCriteria(min_yield=Rate.percent("4"), max_term_days=60)
                key = f"demo:zcb-res:{today}:{user.account_id}"
                self._try("zhaocaibao reservation", self.zcb.reserve, key, user.account_id, amount, criteria, at=sub_at)
        if self.day % 5 == 4:
            holdings = [h for h in self.zcb.holdings() if h.status.value == "active"]
            for number, holding in enumerate(rng.sample(holdings, min(len(holdings), 2))):
                liq_at = at + timedelta(hours=1, minutes=number)
                key = f"demo:zcb-liq:{holding.holding_id}"
                self._try("liquidation", self.zcb.liquidate, key, holding.holding_id, at=liq_at)

    def _huabei(self, rng: random.Random, today: date) -> None:
        if not self.huabei or self.day == 0:
            return
        accounts = list(self.huabei.values())
        if today.day == 2:  # bills are dated the 1st and issued once that day is over
            statement = today.replace(day=1)
            for account in accounts:
                self._try("bill", account.issue_bill, statement)
        for number, account in enumerate(rng.sample(accounts, max(1, len(accounts) // 20))):
            merchant = rng.choice(self.merchants)
            amount = _yuan(rng, 20, 800)
            channel = rng.choice(_CHANNELS)
            instalments = rng.choice((None, None, None, 3, 6))
            if account.available < amount:
                continue
            self._try(
                "huabei purchase",
                account.purchase,
                f"demo:hb:{today}:{number}",
                merchant=merchant.account_id,
                amount=amount,
                at=_at(today, 12, number % 60),
                channel=channel,
                instalments=instalments,
            )
        at = _at(today, 19)
        for account in accounts:
            for bill in account.bills:
                due = bill.bill.due_date
                outstanding = bill.outstanding
                if not outstanding or today > due or (due - today).days not in (0, 3):
                    continue
                choice = rng.random()
                wallet = self.ledger.available(account.wallet)
                if choice < 0.70:
                    pay = min(outstanding, wallet)
                elif choice < 0.85:
                    pay = min(bill.minimum, wallet)
                else:
                    if choice < 0.90 and bill.plan_id is None:
                        statement = bill.bill.statement_date
                        key = f"demo:hb-split:{statement}:{account.wallet}"
                        self._try("bill instalments", account.convert_bill, key, statement, 6, at=at)
                    continue
                if pay.is_positive():
                    self._try("huabei repayment", account.repay, f"demo:hb-repay:{today}:{account.wallet}", pay, at=at)

    def _jiebei(self, rng: random.Random, today: date) -> None:
        active = {loan.wallet for loan in self.loans if loan.status.value == "active"}
        for number, user in enumerate(self._pick(rng, 0.01)):
            principal = _yuan(rng, 10, 200) * 100
            term = rng.choice((6, 12))
            if user.wallet_id in active or self.profiles[user.account_id].score < 600:
                continue
            rate = LoanRate.daily(Rate.percent("0.045"), DayCount.ACT_360)
            loan = Loan(
                self.ledger, f"JB-{today:%Y%m%d}-{number}", user.wallet_id, principal, rate, term, product=JIEBEI
            )
            if self._try("jiebei loan", loan.disburse, _at(today, 11, number % 60)):
                self.loans.append(loan)
        self._repay_loans(rng, today, "JB-")

    def _mybank(self, rng: random.Random, today: date) -> None:
        if self.day == 2:
            for number, merchant in enumerate(self.merchants[: max(1, len(self.merchants) // 2)]):
                loan = Loan(
                    self.ledger,
                    f"MY-{merchant.account_id}",
                    merchant.wallet_id,
                    _yuan(rng, 200, 1_000) * 100,
                    LoanRate.daily(Rate.percent("0.04"), DayCount.ACT_360),
                    6,
                    product=MYBANK,
                    method=rng.choice((RepaymentMethod.INTEREST_FIRST, RepaymentMethod.EQUAL_PRINCIPAL)),
                )
                if self._try("mybank loan", loan.disburse, _at(today, 14, number % 60)):
                    self.loans.append(loan)
        self._repay_loans(rng, today, "MY-")

    def _repay_loans(self, rng: random.Random, today: date, prefix: str) -> None:
        at = _at(today, 21)
        for loan in self.loans:
            if not loan.loan_id.startswith(prefix) or loan.status.value != "active":
                continue
            due = loan.amount_due(today)
            if not due.total.is_positive():
                continue
            if rng.random() < 0.12:  # some borrowers miss a payment: overdue penalties and buckets
                continue
            pay = min(due.total, self.ledger.available(loan.wallet))
            if pay.is_positive():
                self._try("loan repayment", loan.repay, f"demo:repay:{loan.loan_id}:{today}", pay, at)

    def _crowdfunding(self, rng: random.Random, today: date) -> None:
        at = _at(today, 11)
        teahouse, robotics = self.offers
        if self.day == 1:
            for number, user in enumerate(self.users[: min(len(self.users), 7)]):
                ticket = CNY("25000") if number else CNY("50000")
                user.top_up(f"demo:dake-topup:{user.account_id}", card=user.cards[0], amount=ticket, at=at)
                facts = InvestorFacts(user.account_id, personal_financial_assets=CNY("2500000"))
                role = Role.LEAD if number == 0 else Role.FOLLOWER
                key = f"demo:dake:{facts.investor_id}"
                when = at + timedelta(minutes=number + 1)
                self._try("dake subscription", teahouse.subscribe, key, facts, ticket, at=when, role=role)
            for number, user in enumerate(self.users[-min(len(self.users), 3) :]):
                ticket = CNY("600000") if number == 0 else CNY("60000")
                user.top_up(f"demo:dake-topup-r:{user.account_id}", card=user.cards[0], amount=ticket, at=at)
                facts = InvestorFacts(user.account_id, annual_incomes=(CNY("500000"),) * 3)
                role = Role.LEAD if number == 0 else Role.FOLLOWER
                key = f"demo:dake-r:{facts.investor_id}"
                when = at + timedelta(minutes=30 + number)
                self._try("dake subscription", robotics.subscribe, key, facts, ticket, at=when, role=role)
        for offer in self.offers:
            offer.advance_to(_at(today, 23, 45))
        del rng

    def _services(self, rng: random.Random, today: date) -> None:
        at = _at(today, 16)
        if self.day % 7 == 6:
            for merchant in self.merchants:
                fee = _yuan(rng, 50, 500)
                if merchant.available() >= fee:
                    self._try(
                        "advertising",
                        book_service_fee,
                        self.ledger,
                        f"demo:ads:{today}:{merchant.account_id}",
                        payer_wallet=merchant.wallet_id,
                        point=ProfitPoint.ALIPAY_ADVERTISING,
                        amount=fee,
                        at=at,
                    )
        for number, user in enumerate(self._pick(rng, 0.02)):
            if user.available() >= CNY("1.00"):
                self._try(
                    "bill payment service",
                    book_service_fee,
                    self.ledger,
                    f"demo:vas:{today}:{user.account_id}",
                    payer_wallet=user.wallet_id,
                    point=ProfitPoint.ALIPAY_VALUE_ADDED,
                    amount=CNY("1.00"),
                    at=at + timedelta(minutes=number % 60),
                )
        for number, user in enumerate(self._pick(rng, 0.01)):
            amount = _yuan(rng, 500, 5_000)
            if user.available() >= amount:
                self._try(
                    "mutual fund subscription",
                    book_fund_subscription,
                    self.ledger,
                    f"demo:fortune:{today}:{user.account_id}",
                    wallet=user.wallet_id,
                    fund_account=self.partners["partner-bank"].wallet_id,
                    amount=amount,
                    at=at + timedelta(minutes=30 + number % 30),
                )
        if today.day == 1 and self.day > 0 and self.cloud is not None:
            period = add_months(today, -1)
            self._try("cloud fee", self.cloud.bill, self.ledger, period=f"{period:%Y-%m}", at=at)

    def _close_day(self, rng: random.Random, today: date) -> None:
        at = _at(today, 23, 59)
        units = self.fund.total_units
        gross = Money(units * _FUND_GROSS_YIELD.value / 365, rounding=Rounding.DOWN)
        self.fund.close_day(today, gross_income=gross, at=at)
        if today.day == 1 or self.day == 0:
            start = add_months(today, -1) if self.day else today
            wallets = [account.wallet_id for account in self.users + self.merchants]
            if self.day:
                accrue_float_interest(
                    self.ledger, f"demo:float:{today}", wallets=wallets, start=start, end=today, at=at
                )
        del rng

    # -- reporting ------------------------------------------------------------------

    def seven_day_yield(self) -> Decimal | None:
        """The fund's compound 7-day annualized yield (percent) at the last closed day, if 7 days exist.

        >>> World.create(WorldConfig(users=5)).seven_day_yield() is None
        True
        """
        last = self.fund.last_closed_day
        if last is None or len(self.fund.daily_incomes()) < 7:
            return None
        return self.fund.seven_day_yield(last, method=YieldMethod.COMPOUND)

    def check(self) -> None:
        """Check the ledger's and every product's invariants; raise if any is broken.

        >>> World.create(WorldConfig(users=5)).check()
        """
        self.ledger.check_invariants()
        self.fund.check_invariants()
        self.zcb.check_invariants()
        for loan in self.loans:
            loan.check_ledger()
