"""The Alipay account (支付宝账户): a wallet in the ledger, bank cards, top-ups, transfers, withdrawals.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import Ledger
>>> from antfin.payments import Account
>>> ledger = Ledger()
>>> alice = Account.open(ledger, "alice", opened_at=shanghai(2024, 5, 1))
>>> bob = Account.open(ledger, "bob", opened_at=shanghai(2024, 5, 1))
>>> alice.link_card("ICBC-6222", at=shanghai(2024, 5, 1))
>>> _ = alice.top_up("t1", card="ICBC-6222", amount=CNY("500.00"), at=shanghai(2024, 5, 1, 9))
>>> _ = alice.transfer("gift-1", to=bob, amount=CNY("120.00"), at=shanghai(2024, 5, 1, 10))
>>> alice.balance(), bob.balance(), alice.wallet_id
(Money('380.00', 'CNY'), Money('120.00', 'CNY'), 'wallet:alice')

Every account's money is a non-negative LIABILITY account ``wallet:<account_id>``
in the ledger (the platform owes it to the holder); other products debit and
credit :attr:`Account.wallet_id` directly. The account object itself keeps what
the ledger does not: the real-name class, the linked cards, and the usage that
counts toward the class limit and the free withdrawal quota. That usage lives in
memory, keyed by the operation key, so a retried operation is never counted twice.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from typing import Final

import attrs

from antfin.archive import Archive
from antfin.calendar import ensure_aware, local_date
from antfin.chart import BANK_SETTLEMENT, ProfitPoint, revenue_account, wallet
from antfin.decisions import Decision, Reason
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    NotFoundError,
)
from antfin.ledger import AccountKind, JournalEntry, Ledger, Posting
from antfin.money import CNY, Money
from antfin.payments.fees import WithdrawalFeePolicy, WithdrawalFeeQuote
from antfin.payments.limits import AccountClassPolicy, RealNameLevel
from antfin.validators import attribute, check_id, check_positive, check_str

__all__ = [
    "BANK_SETTLEMENT",
    "Account",
    "AccountEvent",
    "AccountType",
    "Withdrawal",
]


_ID: Final = re.compile(r"[^\s:]+")


class AccountType(enum.Enum):
    """Whose account it is: a person's or a merchant's.

    >>> AccountType.MERCHANT.value
    'merchant'

    .. versionadded:: 0.1.0
    """

    USER = "user"
    MERCHANT = "merchant"


@attrs.frozen
class AccountEvent:
    """One recorded change of an account's own state (not its money).

    >>> from antfin.calendar import shanghai
    >>> AccountEvent(shanghai(2024, 1, 1), "link_card", "ICBC-6222").action
    'link_card'

    .. versionadded:: 0.1.0
    """

    at: datetime
    action: str
    detail: str


@attrs.frozen
class Withdrawal:
    """A withdrawal to a bank card: the quote (fee and quota) and the journal entry.

    >>> from antfin.calendar import shanghai
    >>> quote = WithdrawalFeePolicy().quote(CNY("100.00"), used=CNY("0"), on=date(2024, 1, 1))
    >>> w = Withdrawal("w1", "ICBC-6222", quote, "E1", shanghai(2024, 1, 1))
    >>> w.amount, w.fee, w.total
    (Money('100.00', 'CNY'), Money('0.00', 'CNY'), Money('100.00', 'CNY'))

    .. versionadded:: 0.1.0
    """

    key: str
    card: str
    quote: WithdrawalFeeQuote
    entry_id: str
    at: datetime

    @property
    def amount(self) -> Money:
        """What reaches the bank card.

        >>> from antfin.calendar import shanghai
        >>> quote = WithdrawalFeePolicy().quote(CNY("5"), used=CNY("0"), on=date(2024, 1, 1))
        >>> Withdrawal("k", "c", quote, "E", shanghai(2024, 1, 1)).amount
        Money('5.00', 'CNY')
        """
        return self.quote.amount

    @property
    def fee(self) -> Money:
        """The withdrawal fee, booked to ``ProfitPoint.ALIPAY_WITHDRAWAL_FEE``.

        >>> from antfin.calendar import shanghai
        >>> quote = WithdrawalFeePolicy().quote(CNY("5"), used=CNY("20000"), on=date(2024, 1, 1))
        >>> Withdrawal("k", "c", quote, "E", shanghai(2024, 1, 1)).fee
        Money('0.10', 'CNY')
        """
        return self.quote.fee

    @property
    def total(self) -> Money:
        """What leaves the wallet, amount plus fee.

        >>> from antfin.calendar import shanghai
        >>> quote = WithdrawalFeePolicy().quote(CNY("5"), used=CNY("20000"), on=date(2024, 1, 1))
        >>> Withdrawal("k", "c", quote, "E", shanghai(2024, 1, 1)).total
        Money('5.10', 'CNY')
        """
        return self.quote.amount + self.quote.fee


@attrs.frozen
class _Payment:
    amount: Money = attrs.field(validator=attribute(check_positive, currency=CNY))
    at: datetime = attrs.field(validator=attrs.validators.instance_of(datetime))
    counterparty: str = attrs.field(validator=attrs.validators.instance_of(str))


def _check_id(value: object, field: str) -> str:
    value = check_str(value, field)
    if not _ID.fullmatch(value):
        raise InvalidAmountError(f"{field} must be a non-empty id without spaces or ':', got {value!r}")
    return value


def _adopt(ledger: Ledger, wallet_id: str) -> None:
    """Accept a wallet another product already opened, if it is a non-negative CNY liability."""
    existing = ledger.account(wallet_id)
    if existing.kind is not AccountKind.LIABILITY or not existing.non_negative or existing.currency != CNY:
        raise IdempotencyConflictError(
            f"ledger account {wallet_id!r} exists but is not a non-negative CNY liability wallet "
            f"(kind {existing.kind.value}, non_negative={existing.non_negative}, {existing.currency.code})"
        )


@attrs.define(eq=False)
class Account:
    """An Alipay user or merchant account: a non-negative wallet in the ledger and its rules.

    Open one with :meth:`open`. Balance payments (transfers, escrow payments) of a
    user account count toward its real-name class limit (a :class:`~antfin.payments.limits.RealNameLevel`);
    merchant accounts have no class limit. Withdrawals use the free quota of
    :class:`~antfin.payments.fees.WithdrawalFeePolicy`, counted per account (one
    account per person in this model).

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import Ledger
    >>> shop = Account.open(Ledger(), "shop", opened_at=shanghai(2024, 5, 1), account_type=AccountType.MERCHANT,
    ...                     merchant_category="virtual_goods")
    >>> shop.level is None, shop.wallet_id
    (True, 'wallet:shop')

    .. versionadded:: 0.1.0
    """

    ledger: Ledger
    account_id: str
    account_type: AccountType
    opened_at: datetime
    level: RealNameLevel | None
    merchant_category: str | None
    class_policy: AccountClassPolicy
    withdrawal_policy: WithdrawalFeePolicy
    _cards: list[str] = attrs.field(factory=list, init=False)
    _events: list[AccountEvent] = attrs.field(factory=list, init=False)
    # Payments and withdrawals by key are final records (idempotency, history queries); the class-limit usage
    # and the free-quota usage are running totals, so checking a payment never walks the history.
    _payments: Archive[str, _Payment] = attrs.field(factory=Archive, init=False)
    _withdrawals: Archive[str, Withdrawal] = attrs.field(factory=Archive, init=False)
    _paid_by_year: dict[int, int] = attrs.field(factory=dict, init=False)
    _last_paid: date | None = attrs.field(default=None, init=False)
    _withdrawn: int = attrs.field(default=0, init=False)

    @classmethod
    def open(
        cls,
        ledger: Ledger,
        account_id: str,
        *,
        opened_at: datetime,
        account_type: AccountType = AccountType.USER,
        level: RealNameLevel | None = None,
        merchant_category: str | None = None,
        class_policy: AccountClassPolicy | None = None,
        withdrawal_policy: WithdrawalFeePolicy | None = None,
    ) -> Account:
        """Open an account and its wallet ``wallet:<account_id>`` (idempotent in the ledger).

        A user account defaults to class II; a merchant account has no class. A
        wallet that another product already opened under the same id is adopted
        if it is a non-negative CNY liability account. Keep one ``Account``
        object per id: the class-limit and withdrawal-quota usage live in it.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "carol", opened_at=shanghai(2024, 5, 1)).level
        <RealNameLevel.CLASS_II: 'II'>

        Args:
            ledger: the ledger holding the wallet.
            account_id: a non-empty id without spaces or ``:``.
            opened_at: when the account was opened (aware).
            account_type: user or merchant.
            level: the real-name class of a user account (default class II); must be ``None`` for a merchant.
            merchant_category: the merchant's acquiring fee category (merchants only).
            class_policy: class limits (cfg, PBOC 2015 defaults).
            withdrawal_policy: withdrawal fee rule (cfg, Alipay 2016 defaults).

        Raises:
            TypeError: for arguments of the wrong type (``ledger`` included).
            antfin.errors.InvalidAmountError: for a malformed id.
            antfin.errors.InvalidTimeError: for a naive ``opened_at``.
            antfin.errors.InvalidTransitionError: for a class on a merchant or a category on a user.
            antfin.errors.IdempotencyConflictError: if ``wallet:<account_id>`` exists and is not a
                non-negative CNY liability account.
        """
        if not isinstance(ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(ledger).__name__}")
        _check_id(account_id, "account_id")
        at = ensure_aware(opened_at, "opened_at")
        if not isinstance(account_type, AccountType):
            raise TypeError(f"account_type must be an AccountType, not {type(account_type).__name__}")
        if account_type is AccountType.USER:
            if merchant_category is not None:
                raise InvalidTransitionError("merchant_category is for merchant accounts; a user account has none")
            level = RealNameLevel.CLASS_II if level is None else level
            if not isinstance(level, RealNameLevel):
                raise TypeError(f"level must be a RealNameLevel, not {type(level).__name__}")
        elif level is not None:
            raise InvalidTransitionError("level (real-name class) is for user accounts; a merchant account has none")
        if merchant_category is not None:
            _check_id(merchant_category, "merchant_category")
        account = cls(
            ledger=ledger,
            account_id=account_id,
            account_type=account_type,
            opened_at=at,
            level=level,
            merchant_category=merchant_category,
            class_policy=AccountClassPolicy() if class_policy is None else class_policy,
            withdrawal_policy=WithdrawalFeePolicy() if withdrawal_policy is None else withdrawal_policy,
        )
        with ledger.atomic():
            if not ledger.has_account(BANK_SETTLEMENT):
                ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET, purpose="Money at the banks")
            if ledger.has_account(account.wallet_id):
                _adopt(ledger, account.wallet_id)
            else:
                ledger.open_account(
                    account.wallet_id,
                    AccountKind.LIABILITY,
                    non_negative=True,
                    owner=account_id,
                    purpose="Alipay wallet",
                    metadata={"product": "alipay", "account_type": account_type.value},
                )
        account._record(at, "open", account_type.value)
        return account

    # -- state ------------------------------------------------------------------------

    def _record(self, at: datetime, action: str, detail: str = "") -> None:
        """The one place the account's own state changes are recorded (in time order)."""
        if self._events and at < self._events[-1].at:
            raise InvalidTimeError(
                f"at {at.isoformat()} is before the account's last event at {self._events[-1].at.isoformat()}"
            )
        if action == "link_card":
            self._cards.append(detail)
        elif action == "upgrade":
            self.level = RealNameLevel(detail)
        self._events.append(AccountEvent(at, action, detail))

    @property
    def wallet_id(self) -> str:
        """The ledger id of the wallet, ``wallet:<account_id>``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "dave", opened_at=shanghai(2024, 1, 1)).wallet_id
        'wallet:dave'
        """
        return wallet(self.account_id)

    @property
    def cards(self) -> tuple[str, ...]:
        """Linked bank card identifiers, in linking order.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "erin", opened_at=shanghai(2024, 1, 1)).cards
        ()
        """
        return tuple(self._cards)

    @property
    def events(self) -> tuple[AccountEvent, ...]:
        """Every recorded change of the account's own state.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> [e.action for e in Account.open(Ledger(), "fay", opened_at=shanghai(2024, 1, 1)).events]
        ['open']
        """
        return tuple(self._events)

    def link_card(self, card: str, *, at: datetime) -> None:
        """Link a bank card by its identifier (no card data is kept); linking it again does nothing.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> acct = Account.open(Ledger(), "gus", opened_at=shanghai(2024, 1, 1))
        >>> acct.link_card("CMB-6225", at=shanghai(2024, 1, 2))
        >>> acct.cards
        ('CMB-6225',)

        Raises:
            antfin.errors.InvalidAmountError: for a malformed card id (empty, with spaces or ``:``,
                or not valid Unicode text: lone surrogates).
            antfin.errors.InvalidTimeError: for a naive or out-of-order ``at``.
        """
        _check_id(card, "card")
        when = ensure_aware(at)
        if card in self._cards:
            return
        self._record(when, "link_card", card)

    def upgrade(self, level: RealNameLevel, *, at: datetime) -> None:
        """Raise a user account's real-name class after more identity checks.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> acct = Account.open(Ledger(), "hal", opened_at=shanghai(2024, 1, 1), level=RealNameLevel.CLASS_I)
        >>> acct.upgrade(RealNameLevel.CLASS_III, at=shanghai(2024, 2, 1))
        >>> acct.level
        <RealNameLevel.CLASS_III: 'III'>

        Raises:
            antfin.errors.InvalidTransitionError: for a merchant, or a level not above the current one.
        """
        when = ensure_aware(at)
        if not isinstance(level, RealNameLevel):
            raise TypeError(f"level must be a RealNameLevel, not {type(level).__name__}")
        if self.level is None:
            raise InvalidTransitionError(f"cannot upgrade merchant account {self.account_id!r}: it has no class")
        if not self.level < level:
            raise InvalidTransitionError(
                f"cannot upgrade account {self.account_id!r} from class {self.level.value} to class {level.value}; "
                f"expected a higher class"
            )
        self._record(when, "upgrade", level.value)

    def _require_card(self, card: str) -> None:
        if card not in self._cards:
            raise NotFoundError(f"card {card!r} is not linked to account {self.account_id!r}; link it first")

    # -- queries ----------------------------------------------------------------------

    def balance(self, at: datetime | None = None) -> Money:
        """The wallet's posted balance (money on hold in escrow is still included).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "ivy", opened_at=shanghai(2024, 1, 1)).balance()
        Money('0.00', 'CNY')
        """
        return self.ledger.balance(self.wallet_id, at)

    def available(self) -> Money:
        """The balance minus pending holds: what the holder can spend now.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "jay", opened_at=shanghai(2024, 1, 1)).available()
        Money('0.00', 'CNY')
        """
        return self.ledger.available(self.wallet_id)

    def payments_used(self, at: datetime) -> Money:
        """Balance payments counting toward the class limit in the window that contains ``at``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "kim", opened_at=shanghai(2024, 1, 1)).payments_used(shanghai(2024, 6, 1))
        Money('0.00', 'CNY')
        """
        when = ensure_aware(at)
        if self.level is None:
            start = local_date(self.opened_at)
        else:
            start = self.class_policy.limit_for(self.level).period.window_start(
                local_date(self.opened_at), local_date(when)
            )
        day = local_date(when)
        if self._last_paid is not None and day < self._last_paid:  # as of an earlier day: read the history
            return sum(
                (p.amount for p in self._payments.values() if start <= local_date(p.at) <= day),
                CNY.zero(),
            )
        # A window starts on the opening day (nothing was paid before it) or on a 1 January.
        used = sum(fen for year, fen in self._paid_by_year.items() if start.year <= year <= day.year)
        return Money.from_minor_units(used, CNY)

    def check_invariants(self) -> None:
        """Raise unless the usage totals are sound (run on loading, as for state built through the API).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "lee", opened_at=shanghai(2024, 1, 1)).check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        if any(fen < 0 for fen in self._paid_by_year.values()) or self._withdrawn < 0:
            raise InvariantViolationError(f"account {self.account_id!r} counts negative payments or withdrawals")
        if (self._last_paid is None) != (not self._paid_by_year) or (
            self._last_paid is not None and max(self._paid_by_year) != self._last_paid.year
        ):
            raise InvariantViolationError(
                f"account {self.account_id!r}: its last payment day {self._last_paid} does not match its yearly totals"
            )
        for payment in self._payments.in_memory().values():  # stored ones are checked as they are read
            if not payment.amount.is_positive():
                raise InvariantViolationError(f"account {self.account_id!r} counts a payment of {payment.amount}")

    def withdrawn(self) -> Money:
        """Lifetime withdrawals, which use up the free withdrawal quota.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "lee", opened_at=shanghai(2024, 1, 1)).withdrawn()
        Money('0.00', 'CNY')
        """
        return Money.from_minor_units(self._withdrawn, CNY)

    def check_payment(self, amount: Money, *, at: datetime) -> Decision:
        """Would a balance payment of ``amount`` at ``at`` stay within the class limit? (No side effects.)

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> acct = Account.open(Ledger(), "max", opened_at=shanghai(2024, 1, 1), level=RealNameLevel.CLASS_I)
        >>> acct.check_payment(CNY("1000.01"), at=shanghai(2024, 1, 2)).approved
        False

        A merchant account has no class limit: its decision has no reasons and is allowed.
        """
        check_positive(amount, currency=CNY)
        if self.level is None:
            return Decision.of("no class limit", ())
        return self.class_policy.check_payment(self.level, used=self.payments_used(at), amount=amount)

    def may_buy_wealth(self) -> Decision:
        """May this account's balance buy wealth products? (class III user accounts only, by default).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "ned", opened_at=shanghai(2024, 1, 1)).may_buy_wealth().approved
        False
        """
        if self.level is None:
            return Decision.of(
                "wealth products from the balance",
                (
                    Reason(
                        "wealth products need an individual account of a class that allows them",
                        "class III",
                        "merchant account (no class)",
                        False,
                    ),
                ),
            )
        return self.class_policy.may_buy_wealth(self.level)

    def count_payment(self, key: str, amount: Money, *, at: datetime, counterparty: str = "") -> Decision:
        """Count a balance payment made from this wallet (by escrow or another product) toward the class limit.

        Call it after the money moved. The same key again with the same amount counts nothing more.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> acct = Account.open(Ledger(), "oz", opened_at=shanghai(2024, 1, 1), level=RealNameLevel.CLASS_I)
        >>> _ = acct.count_payment("order-1", CNY("600.00"), at=shanghai(2024, 1, 2))
        >>> _ = acct.count_payment("order-1", CNY("600.00"), at=shanghai(2024, 1, 2))
        >>> acct.payments_used(shanghai(2024, 1, 3))
        Money('600.00', 'CNY')

        Raises:
            antfin.errors.LimitExceededError: over the class limit (names limit, used and asked).
            antfin.errors.IdempotencyConflictError: the key was counted with another amount.
        """
        key = check_id(key, "key")
        when = ensure_aware(at)
        check_positive(amount, currency=CNY)
        existing = self._payments.get(key)
        if existing is not None:
            if existing.amount != amount:
                raise IdempotencyConflictError(
                    f"payment key {key!r} of account {self.account_id!r} was counted with "
                    f"{existing.amount}, not {amount}"
                )
            return Decision.of("no class limit", ())
        decision = self.require_payment(amount, at=when)
        self._count_payment(key, _Payment(amount, when, counterparty))
        return decision

    def require_payment(self, amount: Money, *, at: datetime) -> Decision:
        """Like :meth:`check_payment`, but raise when the payment would exceed the class limit.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> acct = Account.open(Ledger(), "ola", opened_at=shanghai(2024, 1, 1), level=RealNameLevel.CLASS_I)
        >>> acct.require_payment(CNY("1000.01"), at=shanghai(2024, 1, 2))
        Traceback (most recent call last):
        ...
        antfin.errors.LimitExceededError: class I limit of 1000.00 CNY since opening exceeded: used 0.00 CNY, ...

        Raises:
            antfin.errors.LimitExceededError: naming the limit, the amount used and the amount asked.
        """
        check_positive(amount, currency=CNY)
        when = ensure_aware(at)
        if self.level is None:
            return Decision.of("no class limit", ())
        return self.class_policy.require_payment(self.level, used=self.payments_used(when), amount=amount)

    # -- money ------------------------------------------------------------------------

    def _key(self, operation: str, key: str) -> str:
        return f"alipay:{self.account_id}:{operation}:{key}"

    def top_up(self, key: str, *, card: str, amount: Money, at: datetime) -> JournalEntry:
        """Add money from a linked bank card: debit the bank settlement asset, credit the wallet.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> acct = Account.open(Ledger(), "pam", opened_at=shanghai(2024, 1, 1))
        >>> acct.link_card("ABC-1", at=shanghai(2024, 1, 1))
        >>> acct.top_up("t1", card="ABC-1", amount=CNY("50.00"), at=shanghai(2024, 1, 2)).postings[0].account
        'asset:bank_settlement'

        Args:
            key: the caller's idempotency key (unique per account).
            card: a linked card id.
            amount: a positive CNY amount.
            at: when (aware).

        Raises:
            antfin.errors.NotFoundError: for a card that is not linked.
            antfin.errors.InvalidAmountError: for a non-positive amount.
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
        """
        key = check_id(key, "key")
        check_positive(amount, currency=CNY)
        when = ensure_aware(at)
        self._require_card(card)
        return self.ledger.transfer(
            self._key("top_up", key),
            debit=BANK_SETTLEMENT,
            credit=self.wallet_id,
            amount=amount,
            at=when,
            memo=f"top-up from card {card}",
            metadata={"product": "alipay", "operation": "top_up", "card": card},
        )

    def transfer(self, key: str, *, to: Account, amount: Money, at: datetime, memo: str = "") -> JournalEntry:
        """Send money to another account's wallet; counts toward this account's class limit.

        Retrying with the same key and parameters returns the first entry and counts nothing more.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> ledger = Ledger()
        >>> a = Account.open(ledger, "quinn", opened_at=shanghai(2024, 1, 1))
        >>> b = Account.open(ledger, "rose", opened_at=shanghai(2024, 1, 1))
        >>> a.transfer("x", to=b, amount=CNY("1.00"), at=shanghai(2024, 1, 2))
        Traceback (most recent call last):
        ...
        antfin.errors.InsufficientFundsError: ...

        Raises:
            antfin.errors.InsufficientFundsError: when the wallet cannot cover it (nothing changes).
            antfin.errors.LimitExceededError: over the class limit.
            antfin.errors.InvalidAmountError: for a non-positive amount or a transfer to itself.
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
        """
        key = check_id(key, "key")
        check_positive(amount, currency=CNY)
        when = ensure_aware(at)
        if not isinstance(to, Account):
            raise TypeError(f"to must be an Account, not {type(to).__name__}")
        check_str(memo, "memo")
        if to.wallet_id == self.wallet_id:
            raise InvalidAmountError(f"cannot transfer from account {self.account_id!r} to itself")
        ledger_key = self._key("transfer", key)
        existing = self._payments.get(ledger_key)
        if existing is None:
            self.require_payment(amount, at=when)
            available = self.available()
            if available < amount:
                raise InsufficientFundsError(
                    f"wallet {self.wallet_id!r} has {available} available, cannot transfer {amount}"
                )
        entry = self.ledger.transfer(
            ledger_key,
            debit=self.wallet_id,
            credit=to.wallet_id,
            amount=amount,
            at=when,
            memo=memo or f"transfer to {to.account_id}",
            metadata={"product": "alipay", "operation": "transfer"},
        )
        if existing is None:
            self._count_payment(ledger_key, _Payment(amount, when, to.account_id))
        return entry

    def _count_payment(self, key: str, payment: _Payment) -> None:
        self._payments[key] = payment
        day = local_date(payment.at)
        self._paid_by_year[day.year] = self._paid_by_year.get(day.year, 0) + payment.amount.minor_units
        if self._last_paid is None or day > self._last_paid:
            self._last_paid = day

    def quote_withdrawal(self, amount: Money, *, at: datetime) -> WithdrawalFeeQuote:
        """What withdrawing ``amount`` now would cost (no side effects).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> Account.open(Ledger(), "sam", opened_at=shanghai(2024, 1, 1)).quote_withdrawal(
        ...     CNY("30000.00"), at=shanghai(2024, 1, 2)).fee
        Money('10.00', 'CNY')
        >>> Account.open(Ledger(), "shop", opened_at=shanghai(2024, 1, 1), account_type=AccountType.MERCHANT
        ...              ).quote_withdrawal(CNY("30000.00"), at=shanghai(2024, 1, 2)).fee
        Money('0.00', 'CNY')

        Contracted merchants pay no withdrawal fee (the policy's ``exempt_holders``).
        """
        return self.withdrawal_policy.quote(
            check_positive(amount, currency=CNY),
            used=self.withdrawn(),
            on=local_date(ensure_aware(at)),
            holder=self.account_type.value,
        )

    def withdraw(self, key: str, *, card: str, amount: Money, at: datetime) -> Withdrawal:
        """Withdraw ``amount`` to a linked card; the fee is paid from the wallet on top of it.

        One balanced entry: debit the wallet (amount + fee), credit the bank settlement
        asset (amount) and the ``ALIPAY_WITHDRAWAL_FEE`` revenue account (fee).
        Retrying the key with the same parameters returns the first withdrawal.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> acct = Account.open(Ledger(), "tom", opened_at=shanghai(2024, 1, 1))
        >>> acct.link_card("BOC-9", at=shanghai(2024, 1, 1))
        >>> _ = acct.top_up("in", card="BOC-9", amount=CNY("30010.00"), at=shanghai(2024, 1, 1))
        >>> acct.withdraw("out", card="BOC-9", amount=CNY("30000.00"), at=shanghai(2024, 1, 2)).fee
        Money('10.00', 'CNY')
        >>> acct.balance()
        Money('0.00', 'CNY')

        Raises:
            antfin.errors.NotFoundError: for a card that is not linked.
            antfin.errors.InsufficientFundsError: when the wallet cannot cover amount + fee.
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
        """
        key = check_id(key, "key")
        check_positive(amount, currency=CNY)
        when = ensure_aware(at)
        ledger_key = self._key("withdraw", key)
        existing = self._withdrawals.get(ledger_key)
        if existing is not None:
            if existing.amount != amount or existing.card != card:
                raise IdempotencyConflictError(
                    f"withdrawal key {key!r} of account {self.account_id!r} was used for {existing.amount} "
                    f"to card {existing.card!r}, not {amount} to {card!r}"
                )
            return existing
        self._require_card(card)
        quote = self.quote_withdrawal(amount, at=when)
        total = quote.amount + quote.fee
        available = self.available()
        if available < total:
            raise InsufficientFundsError(
                f"wallet {self.wallet_id!r} has {available} available, cannot withdraw {amount} plus fee {quote.fee}"
            )
        postings = [Posting.debit(self.wallet_id, total), Posting.credit(BANK_SETTLEMENT, amount)]
        with self.ledger.atomic():
            if quote.fee.is_positive():
                fee_account = revenue_account(self.ledger, ProfitPoint.ALIPAY_WITHDRAWAL_FEE)
                postings.append(Posting.credit(fee_account, quote.fee))
            entry = self.ledger.post_entry(
                ledger_key,
                postings,
                at=when,
                memo=f"withdrawal to card {card}",
                metadata={"product": "alipay", "operation": "withdraw", "card": card, "fee": str(quote.fee.amount)},
            )
        withdrawal = Withdrawal(key, card, quote, entry.id, when)
        self._withdrawals[ledger_key] = withdrawal
        self._withdrawn += amount.minor_units
        return withdrawal
