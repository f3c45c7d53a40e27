"""One day of the seeded ecosystem, played on one books transaction.

A :class:`Day` is what :meth:`antfin.ecosystem.world.World.play` yields: the
day's transaction, its random choices and the world's stored progress. Its
activities take every product from the transaction's repositories, only as
many as the day touches (the users it picks, the trades whose status or due
time calls for action), so a day costs what happens that day, not the
world's whole history.

>>> from antfin.ecosystem.world import World, WorldConfig
>>> world = World.create(WorldConfig(users=12, seed=7))
>>> with world.play() as day:
...     day.act("shop")
...     len(day.tx.escrow.ids()) > 0
True

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from antfin.books import Transaction
from antfin.books.kinds import REFUND_REQUESTED
from antfin.calendar import SHANGHAI, ChinaExchangeCalendar, TradingCalendar, WeekdayCalendar, add_months
from antfin.chart import ProfitPoint, wallet
from antfin.credit import MYBANK, CreditProfile, LoanRate, RepaymentMethod
from antfin.credit.huabei import HuabeiAccount, MerchantChannel
from antfin.credit.huabei_bills import BillingCycle
from antfin.crowdfunding import InvestorFacts, Role
from antfin.ecosystem.services import CloudContract, book_service_fee
from antfin.errors import AntfinError, NotFoundError
from antfin.money import CNY, Money, Rounding
from antfin.payments import Account, AccountType, GoodsType, RefundReason
from antfin.payments.bills import pay_bill
from antfin.payments.float_interest import accrue_float_interest
from antfin.rates import DayCount, Rate
from antfin.wealth import MoneyFund
from antfin.wealth.fortune import book_fund_subscription
from antfin.wealth.zhaocaibao import ProductKind, ProductStatus, ProductTerms, ReservationCriteria, Zhaocaibao

if TYPE_CHECKING:
    from antfin.ecosystem.world import WorldConfig, WorldProgress

__all__ = ["ACTIVITIES", "PAYDAYS", "ZHAOCAIBAO_DAILY_ORDERS", "Day"]

#: The activities of a day, in the order a whole day plays them.
ACTIVITIES: Final = (
    "payday",
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
#: Each user's payday is one of the first 28 days of the month (by user number), so paydays spread evenly.
PAYDAYS: Final = 28
#: Most Zhaocaibao orders (subscriptions and reservations) the world places in a day.
ZHAOCAIBAO_DAILY_ORDERS: Final = 120

_GOODS = (GoodsType.PHYSICAL_EXPRESS, GoodsType.PHYSICAL_EXPRESS, GoodsType.ORDINARY_MAIL, GoodsType.VIRTUAL)
_CHANNELS = (MerchantChannel.OFFLINE, MerchantChannel.TAOBAO, MerchantChannel.TMALL)
_FUND_GROSS_YIELD = Rate.percent("2.4")  # the portfolio's gross annual yield in the demo (cfg)
_PARTNERS = (
    ("zcb-bank", 2_000_000),
    ("zcb-insurer", 1_000_000),
    ("dake-teahouse", 1),
    ("dake-robotics", 1),
    ("partner-bank", 1_000_000),
    ("power-grid", 1),
)
_OFFERS = (
    # One round that its backers fund, and one that falls short and refunds everyone.
    ("dake-teahouse-A", "dake-teahouse", "100000", "10000", 100_000),
    ("dake-robotics-A", "dake-robotics", "5000000", "50000", 1_000_000),
)
#: A monthly Ant Financial Cloud contract with the partner bank (an assumption: the case study only guesses).
CLOUD_MONTHLY_FEE: Final = CNY("500.00")


def _yuan(rng: random.Random, low: int, high: int) -> Money:
    return Money.from_minor_units(rng.randint(low, high) * 100)


def at_time(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant of ``day`` in Asia/Shanghai.

    >>> at_time(date(2024, 3, 1), 9, 30).isoformat()
    '2024-03-01T09:30:00+08:00'
    """
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def user_ids(config: WorldConfig) -> tuple[str, ...]:
    """The ids of a world's users (``u000000`` …).

    >>> from antfin.ecosystem.world import WorldConfig
    >>> user_ids(WorldConfig(users=2))
    ('u000000', 'u000001')
    """
    return tuple(f"u{index:06d}" for index in range(config.users))


def merchant_ids(config: WorldConfig) -> tuple[str, ...]:
    """The ids of a world's merchants (``m0000`` …).

    >>> from antfin.ecosystem.world import WorldConfig
    >>> merchant_ids(WorldConfig(users=2))[:2]
    ('m0000', 'm0001')
    """
    return tuple(f"m{index:04d}" for index in range(config.merchant_count))


class Day:
    """One day's play on one books transaction (see :meth:`antfin.ecosystem.world.World.play`).

    >>> from antfin.ecosystem.world import World, WorldConfig
    >>> world = World.create(WorldConfig(users=5, seed=3))
    >>> with world.play() as day:
    ...     day.today
    datetime.date(2024, 3, 1)
    """

    def __init__(self, tx: Transaction, progress: WorldProgress, rng: random.Random) -> None:
        self.tx = tx
        self.progress = progress
        self.rng = rng
        self.config = progress.config
        self.users = user_ids(self.config)
        self.merchants = merchant_ids(self.config)

    @property
    def today(self) -> date:
        """The date this day plays."""
        return self.config.start + timedelta(days=self.progress.day)

    def act(self, activity: str) -> None:
        """Play one activity of :data:`ACTIVITIES` (the first one of a new world opens it).

        >>> from antfin.ecosystem.world import World, WorldConfig
        >>> with World.create(WorldConfig(users=5, seed=3)).play() as day:
        ...     day.act("dance")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no activity 'dance'; expected one of payday, shop, escrow, ...

        Raises:
            antfin.errors.NotFoundError: for an unknown activity.
        """
        if activity not in ACTIVITIES:
            raise NotFoundError(f"no activity {activity!r}; expected one of {', '.join(ACTIVITIES)}")
        self._open_world()
        getattr(self, f"_{activity}")(self.rng, self.today)

    def end(self) -> None:
        """Close the day (fund income, float interest) and move the world to the next one."""
        self._open_world()
        self._close_day(self.today)
        self.progress.day += 1

    # -- what the activities use ---------------------------------------------------------

    def account(self, account_id: str) -> Account:
        """A user's, merchant's or partner's account."""
        return self.tx.accounts.get(account_id)

    def available(self, account_id: str) -> Money:
        """What a user can spend now, read from the ledger: the account itself is loaded only to act on it.

        >>> from antfin.ecosystem.world import World, WorldConfig
        >>> with World.create(WorldConfig(users=3, seed=3)).play() as day:
        ...     day.act("payday")
        ...     day.available("u000001").is_positive()
        True
        """
        return self.tx.ledger.available(wallet(account_id))

    def pick(self, share: float, most: int | None = None) -> list[str]:  # share: a probability, not money
        """The ids of a random sample of the users (``share``: a behavioural probability, not money; a float is right).

        Only ids: an activity reads a user's wallet from the ledger and loads
        the account only when it acts on it, so a day loads what it changes.

        >>> from antfin.ecosystem.world import World, WorldConfig
        >>> with World.create(WorldConfig(users=10, seed=3)).play() as day:
        ...     len(day.pick(0.2)), day.pick(0.2, most=1)[0].startswith("u")
        (2, True)
        """
        count = max(1, int(len(self.users) * share))
        if most is not None:
            count = min(count, most)
        return self.rng.sample(self.users, min(count, len(self.users)))

    def fund(self) -> MoneyFund:
        """The Yu'ebao fund."""
        return self.tx.funds.get("yuebao")

    def platform(self) -> Zhaocaibao:
        """The Zhaocaibao platform."""
        return self.tx.zhaocaibao.get("zhaocaibao")

    def _try(self, what: str, action: Callable[..., object], /, *args: Any, **kwargs: Any) -> bool:
        """Run a customer action; a business refusal is part of life, not a failure of the world."""
        try:
            action(*args, **kwargs)
        except AntfinError as error:
            refusals = self.progress.refusals
            refusals[what] = refusals.get(what, 0) + 1
            self.progress.last_refusal = f"day {self.progress.day}: {what} refused: {type(error).__name__}: {error}"
            return False
        return True

    # -- opening ---------------------------------------------------------------------------

    def _open_world(self) -> None:
        if self.progress.opened:
            return
        rng, today = self.rng, self.today
        tx = self.tx
        at = at_time(today, 8)
        for user_id in self.users:
            user = tx.accounts.open(user_id, opened_at=at)
            user.link_card(f"card-{user_id}", at=at)
            user.top_up(f"demo:topup:{user_id}", card=user.cards[0], amount=_yuan(rng, 2_000, 40_000), at=at)
            tx.profiles.put(CreditProfile.of(user_id, rng.randint(450, 850), today))
        for merchant_id in self.merchants:
            merchant = tx.accounts.open(merchant_id, opened_at=at, account_type=AccountType.MERCHANT)
            merchant.link_card(f"card-{merchant_id}", at=at)
            amount = _yuan(rng, 5_000, 20_000)
            merchant.top_up(f"demo:topup:{merchant_id}", card=merchant.cards[0], amount=amount, at=at)
        for name, cash in _PARTNERS:
            partner = tx.accounts.open(name, opened_at=at, account_type=AccountType.MERCHANT)
            partner.link_card(f"card-{name}", at=at)
            partner.top_up(f"demo:topup:{name}", card=partner.cards[0], amount=Money(cash), at=at)
        for user_id in self.users:
            if rng.random() < 0.6:
                cycle = BillingCycle(due_day=rng.choice((8, 9, 10)))
                tx.huabei.open(tx.profiles.get(user_id), cycle=cycle)
        calendar: TradingCalendar = ChinaExchangeCalendar.sse() if self.config.exchange_calendar else WeekdayCalendar()
        tx.funds.open("yuebao", calendar=calendar)
        tx.zhaocaibao.open()
        self.progress.cloud = CloudContract.monthly("partner-bank", wallet("partner-bank"), CLOUD_MONTHLY_FEE)
        for offer_id, issuer, target, ticket, units in _OFFERS:
            tx.offers.create(
                offer_id,
                issuer=issuer,
                target=CNY(target),
                min_ticket=CNY(ticket),
                opens_at=at_time(today, 10),
                closes_at=at_time(today + timedelta(days=14), 12),
                equity_units=units,
            )
        self.progress.opened = True

    # -- income --------------------------------------------------------------------------------

    def _payday(self, rng: random.Random, today: date) -> None:
        """The users whose payday is today move part of their monthly pay from their bank card to Alipay.

        Without an income the users' wallets drain month after month (purchases, fees, interest), so more and more
        bills and loans go unpaid and the world never reaches a steady state.
        """
        if today.day > PAYDAYS or self.progress.day == 0:
            return
        at = at_time(today, 7)
        for number, user_id in enumerate(self.users[today.day - 1 :: PAYDAYS]):
            user = self.account(user_id)
            amount = _yuan(rng, 2_000, 8_000)
            self._try(
                "payday top-up",
                user.top_up,
                f"demo:pay:{today}:{user_id}",
                card=user.cards[0],
                amount=amount,
                at=at + timedelta(minutes=number % 60),
            )

    # -- products ------------------------------------------------------------------------------

    def _shop(self, rng: random.Random, today: date) -> None:
        for number, buyer_id in enumerate(self.pick(0.08)):
            seller = self.account(rng.choice(self.merchants))
            amount = _yuan(rng, 10, 1_500)
            goods = rng.choice(_GOODS)
            huabei = self.tx.huabei.find(buyer_id) if rng.random() < 0.3 else None  # 花呗 pays for some
            if huabei is None and self.available(buyer_id) < amount:
                continue
            trade_no = f"T{today:%Y%m%d}-{number:05d}-{buyer_id}"
            at = at_time(today, 9 + number % 10, number % 60)
            buyer = self.account(buyer_id)
            self._try("escrow purchase", self._buy, trade_no, buyer, seller, amount, goods, at, huabei)

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
        with self.tx.ledger.atomic():
            trade = self.tx.escrow.create(
                trade_no, buyer=buyer, seller=seller, amount=amount, goods=goods, at=at, timeout="1c"
            )
            if huabei is None:
                trade.pay(at=at + timedelta(minutes=3))
            else:
                huabei.pay_escrow(trade, at=at + timedelta(minutes=3))

    def _escrow(self, rng: random.Random, today: date) -> None:
        at = at_time(today, 20)
        escrow = self.tx.escrow
        self.tx.advance_to(at)  # what fell due since yesterday evening, before anyone acts on a trade
        for trade_no in escrow.ids("WAIT_SELLER_SEND_GOODS"):
            if rng.random() < 0.8:
                self._try("ship", escrow.get(trade_no).ship, at=at)
        for trade_no in escrow.ids(REFUND_REQUESTED):  # the requests waiting for the seller's answer
            trade = escrow.get(trade_no)
            request = trade.open_request
            if request is None:  # pragma: no cover - the index says a request is open
                continue
            if request.status.name == "ARBITRATION":
                buyer_share, seller_share = rng.randint(0, 3), rng.randint(1, 3)
                self._try("arbitration", trade.arbitrate, at=at, buyer=buyer_share, seller=seller_share)
            elif rng.random() < 0.5:
                self._try("agree refund", trade.agree_refund, at=at)
            else:
                self._try("refuse refund", trade.refuse_refund, at=at)
        for trade_no in escrow.ids("WAIT_BUYER_CONFIRM_GOODS"):
            roll = rng.random()  # decided before loading: only the trades whose buyer acts today are read
            if roll >= 0.40:
                continue
            trade = escrow.get(trade_no)
            if roll < 0.35:
                self._try("confirm", trade.confirm, at=at)
            else:
                reason = rng.choice((RefundReason.GOODS_NOT_RECEIVED, RefundReason.NOT_AS_DESCRIBED))
                amount = trade.refundable.allocate([1, 1])[0] if rng.random() < 0.5 else trade.refundable
                request_no = f"{trade_no}-R{self.progress.day}"
                self._try("refund request", trade.request_refund, request_no, amount, reason=reason, at=at)
        for trade_no in escrow.ids("TRADE_SUCCESS"):
            # About one buyer in ten asks for an after-sale refund within the 3-month window (0.1% a day);
            # decided before loading: only the trades that act are read.
            if rng.random() < 0.001:
                trade = escrow.get(trade_no)
                if trade.open_request is None and trade.refundable:
                    request_no = f"{trade_no}-AS{self.progress.day}"
                    self._try(
                        "after-sale refund", trade.refund, request_no, trade.refundable, at=at, reason="after-sale"
                    )
        self.tx.advance_to(at_time(today, 23, 30))

    def _yuebao(self, rng: random.Random, today: date) -> None:
        fund = self.fund()
        for number, user_id in enumerate(self.pick(0.05)):
            amount = _yuan(rng, 100, 5_000)
            if self.available(user_id) >= amount:
                at = at_time(today, 10 + number % 8, number % 60)
                key = f"demo:yeb:{today}:{user_id}"
                self._try("yuebao purchase", fund.purchase, key, user_id, amount, at=at)
        holders = fund.holders()
        if not holders:
            return
        for number, holder in enumerate(rng.sample(holders, max(1, len(holders) // 50))):
            units = fund.available_units(holder)
            if units <= 0:
                continue
            part = (units * Decimal(rng.randint(10, 60)) / 100).quantize(Decimal("0.01"), rounding=Rounding.DOWN.value)
            if part <= 0:
                continue
            at = at_time(today, 13, number % 60)
            if rng.random() < 0.5:
                key = f"demo:yeb-fast:{today}:{holder}"
                self._try("fast redemption", fund.fast_redeem, key, holder, min(part, Decimal(5000)), at=at)
            else:
                self._try("redemption", fund.redeem, f"demo:yeb-redeem:{today}:{holder}", holder, part, at=at)

    def _zhaocaibao(self, rng: random.Random, today: date) -> None:
        at = at_time(today, 9, 30)
        zcb = self.platform()
        zcb.settle_due(at)
        for product in zcb.products(include_final=False):
            if product.status is ProductStatus.ISSUED and product.maturity_date and product.maturity_date <= today:
                self._try("maturity", zcb.mature, product.product_id, at=at)
        if self.progress.day % 7 == 0:
            terms = ProductTerms(
                product_id=f"ZCB-{today:%Y%m%d}",
                issuer="zcb-bank",
                guarantor="zcb-insurer",
                kind=ProductKind.BANK,
                amount=Money(max(50_000, self.config.users * 1_500)),  # about a week's orders: reservations fill
                term_days=rng.choice((14, 30, 60)),
                annual_yield=Rate.percent(rng.choice(("3.8", "4.2", "4.5"))),
                sale_start=at,
                sale_end=at + timedelta(days=3),
            )
            self._try("zhaocaibao listing", zcb.list_product, terms, at=at)
        open_products = [
            p for p in zcb.products(include_final=False) if p.status is ProductStatus.OPEN and p.terms.sale_start <= at
        ]
        # Zhaocaibao lists a few products a week; its daily orders are capped like a real platform's quota.
        for number, user_id in enumerate(self.pick(0.03, most=ZHAOCAIBAO_DAILY_ORDERS)):
            amount = _yuan(rng, 1_000, 10_000)
            if self.available(user_id) < amount:
                continue
            sub_at = at + timedelta(minutes=1 + number)
            if open_products and rng.random() < 0.7:
                product = rng.choice(open_products)
                key = f"demo:zcb:{today}:{user_id}"
                self._try(
                    "zhaocaibao subscription",
                    zcb.subscribe,
                    key,
                    product.product_id,
                    user_id,
                    amount,
                    at=sub_at,
                )
            else:
                criteria = ReservationCriteria(min_yield=Rate.percent("3.8"), max_term_days=60)
                key = f"demo:zcb-res:{today}:{user_id}"
                self._try("zhaocaibao reservation", zcb.reserve, key, user_id, amount, criteria, at=sub_at)
        if self.progress.day % 5 == 4:
            holdings = [h for h in zcb.holdings(include_final=False) if h.status.value == "active"]
            for number, holding in enumerate(rng.sample(holdings, min(len(holdings), 2))):
                liq_at = at + timedelta(hours=1, minutes=number)
                key = f"demo:zcb-liq:{holding.holding_id}"
                self._try("liquidation", zcb.liquidate, key, holding.holding_id, at=liq_at)

    def _huabei_accounts(self, ids: Iterator[str] | tuple[str, ...] | list[str]) -> list[HuabeiAccount]:
        return [self.tx.huabei.get(user) for user in ids]

    def _falling_due(self, day: date) -> set[str]:
        """The Huabei accounts whose latest bill falls due on ``day``."""
        due = self.tx.huabei.due
        return set(due(at_time(day, 23, 59))) - set(due(at_time(day - timedelta(days=1), 23, 59)))

    def _huabei(self, rng: random.Random, today: date) -> None:
        if self.progress.day == 0:
            return
        holders = self.tx.huabei.ids()
        if not holders:
            return
        if today.day == 2:  # bills are dated the 1st and issued once that day is over
            statement = today.replace(day=1)
            # Only the accounts with a bill to issue (or one still open) are loaded: the due-time index says which.
            for account in self._huabei_accounts(sorted(self.tx.huabei.due(at_time(today, 23, 59)))):
                self._try("bill", account.issue_bill, statement)
        for number, account in enumerate(self._huabei_accounts(tuple(rng.sample(holders, max(1, len(holders) // 20))))):
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
                merchant=merchant,
                amount=amount,
                at=at_time(today, 12, number % 60),
                channel=channel,
                instalments=instalments,
            )
        if not 5 <= today.day <= 10:  # bills fall due on the 8th to 10th: repayments come 3 days before and on the day
            return
        at = at_time(today, 19)
        # Users repay 3 days before the due date and on it: only the accounts whose bill falls due on one of those
        # two days are read (the due-time index answers "due by", so a day's accounts are a difference of two).
        falling_due = sorted(self._falling_due(today) | self._falling_due(today + timedelta(days=3)))
        for account in self._huabei_accounts(falling_due):
            for bill in account.open_bills:
                due = bill.bill.due_date
                outstanding = bill.outstanding
                if not outstanding or today > due or (due - today).days not in (0, 3):
                    continue
                choice = rng.random()
                wallet_money = self.tx.ledger.available(account.wallet)
                if choice < 0.70:  # pay everything the app shows as owed: older, overdue bills first
                    owed = sum((open_bill.outstanding for open_bill in account.open_bills), outstanding.currency.zero())
                    pay = min(owed, wallet_money)
                elif choice < 0.85:
                    pay = min(bill.minimum, wallet_money)
                else:
                    if choice < 0.90 and bill.plan_id is None:
                        statement = bill.bill.statement_date
                        key = f"demo:hb-split:{statement}:{account.wallet}"
                        self._try("bill instalments", account.convert_bill, key, statement, 6, at=at)
                    continue
                if pay.is_positive():
                    self._try("huabei repayment", account.repay, f"demo:hb-repay:{today}:{account.wallet}", pay, at=at)

    def _jiebei(self, rng: random.Random, today: date) -> None:
        borrowers = self.progress.borrowers  # wallet -> active Jiebei loan: one Jiebei loan at a time
        for number, user_id in enumerate(self.pick(0.01)):
            principal = _yuan(rng, 10, 50) * 100  # 1,000 to 5,000 yuan: Jiebei's small consumer loans (cfg)
            term = rng.choice((6, 12))
            wallet_id = wallet(user_id)
            current = borrowers.get(wallet_id)
            if current is not None and self.tx.loans.get(current).status.name == "ACTIVE":
                continue
            if self.tx.profiles.get(user_id).score < 600:
                continue
            rate = LoanRate.daily(Rate.percent("0.045"), DayCount.ACT_360)
            loan_id = f"JB-{today:%Y%m%d}-{number}"
            at = at_time(today, 11, number % 60)
            if self._try("jiebei loan", self._lend, loan_id, wallet_id, principal, rate, term, at):
                borrowers[wallet_id] = loan_id
        self._repay_loans(rng, today, "JB-")

    def _lend(
        self, loan_id: str, wallet_id: str, principal: Money, rate: LoanRate, term: int, at: datetime, **terms: Any
    ) -> None:
        with self.tx.ledger.atomic():
            loan = self.tx.loans.create(loan_id, wallet=wallet_id, principal=principal, rate=rate, term=term, **terms)
            loan.disburse(at)

    def _mybank(self, rng: random.Random, today: date) -> None:
        if self.progress.day == 2:
            for number, merchant in enumerate(self.merchants[: max(1, len(self.merchants) // 2)]):
                self._try(
                    "mybank loan",
                    self._lend,
                    f"MY-{merchant}",
                    wallet(merchant),
                    _yuan(rng, 50, 300) * 100,
                    LoanRate.daily(Rate.percent("0.04"), DayCount.ACT_360),
                    6,
                    at_time(today, 14, number % 60),
                    product=MYBANK,
                    method=rng.choice((RepaymentMethod.INTEREST_FIRST, RepaymentMethod.EQUAL_PRINCIPAL)),
                )
        self._repay_loans(rng, today, "MY-")

    def _repay_loans(self, rng: random.Random, today: date, prefix: str) -> None:
        at = at_time(today, 21)
        for loan_id in self.tx.loans.due(at_time(today, 0)):  # only loans with an instalment due by today
            if not loan_id.startswith(prefix):
                continue
            loan = self.tx.loans.get(loan_id)
            due = loan.amount_due(today)
            if not due.total.is_positive():
                continue
            if rng.random() < 0.12:  # some borrowers miss a payment: overdue penalties and buckets
                continue
            pay = min(due.total, self.tx.ledger.available(loan.wallet))
            if pay.is_positive():
                self._try("loan repayment", loan.repay, f"demo:repay:{loan.loan_id}:{today}", pay, at)
            if loan.status.name == "PAID_OFF" and self.progress.borrowers.get(loan.wallet) == loan.loan_id:
                del self.progress.borrowers[loan.wallet]  # the map holds only loans still running

    def _crowdfunding(self, rng: random.Random, today: date) -> None:
        at = at_time(today, 11)
        offers = self.tx.offers
        if self.progress.day == 1:
            teahouse, robotics = (offers.get(offer_id) for offer_id, *_ in _OFFERS)
            for number, user_id in enumerate(self.users[: min(len(self.users), 7)]):
                user = self.account(user_id)
                ticket = CNY("10000") if number else CNY("40000")
                user.top_up(f"demo:dake-topup:{user_id}", card=user.cards[0], amount=ticket, at=at)
                facts = InvestorFacts(user_id, personal_financial_assets=CNY("2500000"))
                role = Role.LEAD if number == 0 else Role.FOLLOWER
                when = at + timedelta(minutes=number + 1)
                self._try(
                    "dake subscription", teahouse.subscribe, f"demo:dake:{user_id}", facts, ticket, at=when, role=role
                )
            for number, user_id in enumerate(self.users[-min(len(self.users), 3) :]):
                user = self.account(user_id)
                ticket = CNY("600000") if number == 0 else CNY("60000")
                user.top_up(f"demo:dake-topup-r:{user_id}", card=user.cards[0], amount=ticket, at=at)
                facts = InvestorFacts(user_id, annual_incomes=(CNY("500000"),) * 3)
                role = Role.LEAD if number == 0 else Role.FOLLOWER
                when = at + timedelta(minutes=30 + number)
                self._try(
                    "dake subscription", robotics.subscribe, f"demo:dake-r:{user_id}", facts, ticket, at=when, role=role
                )
        until = at_time(today, 23, 45)
        due = set(offers.due(until))  # only an open offer whose close has come: a closed one is not read again
        for offer_id, *_ in _OFFERS:
            if offer_id in due:
                offers.get(offer_id).advance_to(until)

    def _services(self, rng: random.Random, today: date) -> None:
        at = at_time(today, 16)
        ledger = self.tx.ledger
        if self.progress.day % 7 == 6:
            for merchant_id in self.merchants:
                fee = _yuan(rng, 1, 10)
                if ledger.available(wallet(merchant_id)) >= fee:
                    self._try(
                        "advertising",
                        book_service_fee,
                        ledger,
                        f"demo:ads:{today}:{merchant_id}",
                        payer_wallet=wallet(merchant_id),
                        point=ProfitPoint.ALIPAY_ADVERTISING,
                        amount=fee,
                        at=at,
                    )
        biller = self.account("power-grid")
        for number, user_id in enumerate(self.pick(0.02)):
            bill = _yuan(rng, 30, 300)
            if self.available(user_id) >= bill:  # 生活缴费: free for the user, the biller pays Alipay's commission
                self._try(
                    "bill payment",
                    pay_bill,
                    ledger,
                    f"demo:bill:{today}:{user_id}",
                    payer=self.account(user_id),
                    biller=biller,
                    amount=bill,
                    at=at + timedelta(minutes=number % 60),
                )
        for number, user_id in enumerate(self.pick(0.01)):
            amount = _yuan(rng, 500, 5_000)
            if self.available(user_id) >= amount:
                self._try(
                    "mutual fund subscription",
                    book_fund_subscription,
                    ledger,
                    f"demo:fortune:{today}:{user_id}",
                    wallet=wallet(user_id),
                    fund_account=wallet("partner-bank"),
                    amount=amount,
                    at=at + timedelta(minutes=30 + number % 30),
                )
        cloud = self.progress.cloud
        if today.day == 1 and self.progress.day > 0 and cloud is not None:
            period = add_months(today, -1)
            self._try("cloud fee", cloud.bill, ledger, period=f"{period:%Y-%m}", at=at)

    def _close_day(self, today: date) -> None:
        at = at_time(today, 23, 59)
        fund = self.fund()
        gross = Money(fund.total_units * _FUND_GROSS_YIELD.value / 365, rounding=Rounding.DOWN)
        fund.close_day(today, gross_income=gross, at=at)
        if today.day == 1 and self.progress.day:
            wallets = [wallet(account) for account in self.users + self.merchants]
            accrue_float_interest(
                self.tx.ledger, f"demo:float:{today}", wallets=wallets, start=add_months(today, -1), end=today, at=at
            )
