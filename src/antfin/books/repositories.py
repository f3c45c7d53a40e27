"""Repositories: the aggregates of one books transaction, by business id.

Each repository hands out one object per id per transaction (an identity
map), loads it from its stored document the first time it is asked for (and
checks it as the API would), and creates new aggregates with the same rules
as the products' own constructors. What was changed is written back when the
transaction commits.

>>> from antfin import Books
>>> from antfin.calendar import shanghai
>>> books = Books.memory()
>>> with books.transaction() as tx:
...     alice = tx.accounts.open("alice", opened_at=shanghai(2024, 3, 1))
>>> with books.transaction() as tx:
...     tx.accounts.get("alice").wallet_id
'wallet:alice'

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import attrs

from antfin.books.kinds import Archived, Kind
from antfin.books.references import REFERENCES, is_pending, pending_account, resolve
from antfin.calendar import TradingCalendar
from antfin.credit import CreditProfile, Loan
from antfin.credit.huabei import HuabeiAccount, HuabeiConfig
from antfin.credit.huabei_bills import BillingCycle
from antfin.crowdfunding import CrowdfundOffer
from antfin.errors import IdempotencyConflictError, NotFoundError, SerializationError
from antfin.ledger.store import RECORD_STATUS, Document
from antfin.money import Money
from antfin.payments import Account, AccountType, EscrowDesk, EscrowTrade, GoodsType
from antfin.payments.escrow import EscrowPolicy
from antfin.payments.timeouts import PaymentTimeout
from antfin.serialization import _TEXT_LENGTH, from_data, to_data
from antfin.wealth import MoneyFund
from antfin.wealth.fund import MoneyFundConfig
from antfin.wealth.zhaocaibao import Zhaocaibao
from antfin.wealth.zhaocaibao.platform import ZhaocaibaoConfig

if TYPE_CHECKING:
    from antfin.books.transaction import Transaction

__all__ = [
    "AccountRepository",
    "EscrowRepository",
    "FundRepository",
    "HuabeiRepository",
    "LoanRepository",
    "OfferRepository",
    "ProfileRepository",
    "Repository",
    "ZhaocaibaoRepository",
]

T = TypeVar("T")


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def _canonical_encoder() -> Callable[[Any, bool], Iterable[str]]:
    """The canonical text of a stored document (keys sorted, no spaces, non-ASCII kept), made once.

    json's C encoder without the dict of containers being written that ``JSONEncoder.encode`` makes on every
    call to detect a cycle (dumped data never has one: a cycle would end in a RecursionError instead of a
    ValueError); json's Python encoder where the C one is missing, has another signature or writes other text.
    """
    python = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).iterencode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return python
    try:
        fast: Callable[[Any, bool], Iterable[str]] = make(
            None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ":", ",", True, False, True
        )
        sample = {"b": [1, "é\n", None, True], "a": {"y": "2.00", "x": -3}}
        if "".join(fast(sample, False)) != "".join(python(sample, False)):  # pragma: no cover - a changed json
            return python
    except TypeError:  # pragma: no cover - a changed signature
        return python
    return fast


_ENCODER: Final = _canonical_encoder()


def _text(data: Any) -> str:
    return "".join(_ENCODER(data, False))  # the C encoder's indent level 0; the Python one's chunks


def _record_id(aggregate: str, key: object) -> str:
    """The id of an archived record's row: ``["<aggregate id>", <key as data>]`` as JSON text (no separator clash)."""
    return _text([aggregate, to_data(key)])


class _StoredRecords:
    """An aggregate's archived records in the books' store: one document per record, read by key."""

    __slots__ = ("_aggregate", "_archived", "_kind", "_tx")

    def __init__(self, tx: Transaction, kind: str, aggregate: str, archived: Archived) -> None:
        self._tx = tx
        self._kind = kind
        self._aggregate = aggregate
        self._archived = archived

    def find(self, key: object) -> Any:
        self._tx._check_open()
        document = self._tx._store().document(self._kind, _record_id(self._aggregate, key))
        if document is None:
            return None
        try:
            data = json.loads(document.body)
        except ValueError as error:
            raise SerializationError(f"{self._kind} {document.id!r}: its stored document is not JSON") from error
        text = _TEXT_LENGTH.set((data, len(document.body)))  # its values are fewer than its characters
        try:
            return from_data(self._archived.value, data, ledger=self._tx.ledger, references=self._tx._finders())
        finally:
            _TEXT_LENGTH.reset(text)

    def keys(self) -> Iterator[Any]:
        self._tx._check_open()
        prefix = _text([self._aggregate])[:-1] + ","
        for doc_id in self._tx._store().document_ids(self._kind):
            if doc_id.startswith(prefix):
                yield from_data(self._archived.key, json.loads(doc_id)[1])


class Repository(Generic[T]):
    """The aggregates of one kind in one transaction.

    >>> from antfin import Books
    >>> with Books.memory().transaction() as tx:
    ...     tx.loans.ids(), "L-1" in tx.loans
    ((), False)

    .. versionadded:: 0.2.0
    """

    def __init__(self, tx: Transaction, kind: Kind[T]) -> None:
        self._tx = tx
        self._kind = kind
        # id -> (entity, stored version, stored body text)
        self._loaded: dict[str, tuple[T, int, str]] = {}

    @property
    def kind(self) -> str:
        """The kind's name (``"escrow"``, ``"loan"`` …)."""
        return self._kind.name

    def _store(self) -> Any:
        return self._tx._store()

    def find(self, id: str) -> T | None:
        """The aggregate with this id, or ``None`` if there is none.

        >>> from antfin import Books
        >>> with Books.memory().transaction() as tx:
        ...     tx.escrow.find("T-404") is None
        True

        Raises:
            antfin.errors.SerializationError: the stored document is malformed.
            antfin.errors.InvariantViolationError: it disagrees with itself or the ledger.
        """
        found = self._taken_or_stored(id)
        if isinstance(found, Document):
            return self._adopt_loaded(self._load(found), found)
        return found

    def _taken_or_stored(self, id: str) -> T | Document | None:
        """The aggregate already taken in this transaction, else its stored document, else ``None``."""
        key = _check_id(id, f"{self.kind} id")
        self._tx._check_open()
        found = self._loaded.get(key)
        if found is not None:
            return found[0]
        return self._store().document(self.kind, key)  # type: ignore[no-any-return]

    def get(self, id: str) -> T:
        """The aggregate with this id.

        >>> from antfin import Books
        >>> with Books.memory().transaction() as tx:
        ...     tx.escrow.get("T-404")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no escrow 'T-404' in the books

        Raises:
            antfin.errors.NotFoundError: there is none.
            antfin.errors.SerializationError: the stored document is malformed.
            antfin.errors.InvariantViolationError: it disagrees with itself or the ledger.
        """
        found = self.find(id)
        if found is None:
            raise NotFoundError(f"no {self.kind} {id!r} in the books")
        return found

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and (id in self._loaded or self._store().document(self.kind, id) is not None)

    def ids(self, status: str | Iterable[str] | None = None) -> tuple[str, ...]:
        """The ids stored (and added in this transaction), optionally only those with a status.

        Statuses are the status enum's member names (``"ACTIVE"``, ``"WAIT_BUYER_PAY"`` …).

        >>> from antfin import Books
        >>> with Books.memory().transaction() as tx:
        ...     tx.offers.ids("OPEN")
        ()
        """
        self._tx._check_open()
        wanted = None if status is None else ((status,) if isinstance(status, str) else tuple(status))
        stored = set(self._store().document_ids(self.kind, wanted))
        for key, (entity, _, _) in self._loaded.items():
            if is_pending(entity):  # not loaded, so unchanged: its stored status is the one the query saw
                continue
            if wanted is None or self._kind.status_of(entity) in wanted:
                stored.add(key)
            else:
                stored.discard(key)
        return tuple(sorted(stored))

    def __iter__(self) -> Iterator[T]:
        for key in self.ids():
            yield self.get(key)

    def add(self, entity: T) -> T:
        """Keep a new aggregate made on this transaction's ledger; it is written at commit.

        >>> from datetime import date
        >>> from antfin import Books
        >>> from antfin.credit import CreditProfile
        >>> with Books.memory().transaction() as tx:
        ...     tx.profiles.add(CreditProfile.of("ann", 700, date(2024, 3, 1))).score
        700

        Raises:
            antfin.errors.IdempotencyConflictError: another aggregate has its id.
        """
        self._tx._check_open()
        if not isinstance(entity, self._kind.cls):
            raise TypeError(f"{self.kind} repository keeps {self._kind.cls.__name__}, not {type(entity).__name__}")
        key = self._kind.id_of(entity)
        existing = self.find(key)
        if existing is entity:
            return entity
        if existing is not None:
            raise IdempotencyConflictError(f"{self.kind} {key!r} is already in the books")
        self._attach(entity, key)
        self._loaded[key] = (entity, 0, "")
        return entity

    def due(self, until: datetime) -> tuple[str, ...]:
        """The ids with something due at or before ``until`` (from the due-time index), earliest first.

        What "due" means is the kind's: an escrow timeout or auto-confirmation,
        a loan instalment, an offer's deadline.

        >>> from antfin import Books
        >>> from antfin.calendar import shanghai
        >>> with Books.memory().transaction() as tx:
        ...     tx.escrow.due(shanghai(2024, 3, 1))
        ()
        """
        self._tx._check_open()
        due = dict.fromkeys(self._store().documents_due(self.kind, until))
        for key, (entity, _, _) in self._loaded.items():
            when = self._kind.due_of(entity)
            if when is not None and when <= until:
                due[key] = None
            else:
                due.pop(key, None)
        return tuple(due)

    # -- the unit of work's side --------------------------------------------------------

    def _load(self, document: Document) -> T:
        try:
            data = json.loads(document.body)
        except ValueError as error:
            raise SerializationError(f"{self.kind} {document.id!r}: its stored document is not JSON") from error
        ledger = self._tx.ledger
        text = _TEXT_LENGTH.set((data, len(document.body)))  # its values are fewer than its characters
        try:
            entity = self._kind.load(data, ledger, self._tx._finders())
        finally:
            _TEXT_LENGTH.reset(text)
        if self._kind.id_of(entity) != document.id:
            raise SerializationError(
                f"{self.kind} {document.id!r}: its stored document describes {self._kind.id_of(entity)!r}"
            )
        self._kind.check(entity, ledger)
        self._attach(entity, document.id)
        return entity

    def _attach(self, entity: T, key: str) -> None:
        for archived in self._kind.archives:
            archive = attrgetter(archived.field)(entity)
            archive.attach(_StoredRecords(self._tx, archived.kind_of(self._kind), key, archived))

    def _adopt_loaded(self, entity: T, document: Document) -> T:
        self._loaded[document.id] = (entity, document.version, document.body)
        return entity

    def _changes(self) -> Iterator[Document]:
        kind = self._kind
        for key, (entity, version, body) in self._loaded.items():
            if is_pending(entity):  # named by another aggregate and never used: nothing changed
                continue
            text = _text(kind.dump(entity))
            if text != body:
                yield Document(kind.name, key, version + 1, kind.status_of(entity), kind.due_of(entity), text)
            for archived in kind.archives:
                archive = attrgetter(archived.field)(entity)
                rows = archived.kind_of(kind)
                for record_key, record in archive.added():
                    yield Document(
                        rows,
                        _record_id(key, record_key),
                        1,
                        RECORD_STATUS,
                        None,
                        _text(to_data(record, references=REFERENCES)),
                    )

    def _entities(self) -> Iterator[T]:
        for entity, _, _ in self._loaded.values():
            yield entity

    def _drop(self, key: str) -> T | None:
        """Stop keeping one aggregate taken (it will not be written); the caller detaches it."""
        found = self._loaded.pop(key, None)
        return None if found is None else found[0]


class AccountRepository(Repository[Account]):
    """Alipay accounts (users and merchants) by account id.

    >>> from antfin import Books
    >>> from antfin.calendar import shanghai
    >>> from antfin.payments import AccountType
    >>> with Books.memory().transaction() as tx:
    ...     tx.accounts.open("shop", opened_at=shanghai(2024, 3, 1), account_type=AccountType.MERCHANT).level
    """

    def open(
        self,
        account_id: str,
        *,
        opened_at: datetime,
        account_type: AccountType = AccountType.USER,
        **options: Any,
    ) -> Account:
        """Open an account (the rules of :meth:`antfin.payments.Account.open`), or return the stored one.

        >>> from antfin import Books
        >>> from antfin.calendar import shanghai
        >>> with Books.memory().transaction() as tx:
        ...     tx.accounts.open("bo", opened_at=shanghai(2024, 3, 1)) is tx.accounts.open("bo",
        ...         opened_at=shanghai(2024, 3, 1))
        True

        Raises:
            antfin.errors.IdempotencyConflictError: the id is taken by an account of another type.
        """
        existing = self.find(account_id)
        if existing is not None:
            if existing.account_type is not account_type:
                raise IdempotencyConflictError(
                    f"account {account_id!r} exists as a {existing.account_type.value} account"
                )
            return existing
        return self.add(
            Account.open(self._tx.ledger, account_id, opened_at=opened_at, account_type=account_type, **options)
        )

    def find(self, id: str) -> Account | None:
        """As :meth:`Repository.find`, and an account only named so far (pending) is loaded and checked now.

        >>> from antfin import Books
        >>> with Books.memory().transaction() as tx:
        ...     tx.accounts.find("nobody") is None
        True
        """
        found = super().find(id)
        return None if found is None else resolve(found)  # asked for by id: a pending account is read now

    def _reference(self, account_id: str) -> Account:
        """The account another aggregate names: the one taken already, or a pending one read at its first use.

        The document is found now (an unknown id is refused as the reference
        is read) but loaded and checked only when the account is used beyond
        its id and wallet (see :mod:`antfin.books.references`).

        Raises:
            antfin.errors.NotFoundError: there is no such account.
        """
        found = self._taken_or_stored(account_id)
        if found is None:
            raise NotFoundError(f"no account {account_id!r} in the books")
        if not isinstance(found, Document):
            return found
        pending = pending_account(found.id, self._tx.ledger, self)
        self._loaded[found.id] = (pending, found.version, found.body)
        return pending

    def _materialize(self, pending: Account) -> None:
        """Fill in a pending account from its stored document, checked as any loaded account."""
        self._tx._check_open()
        key = pending.account_id
        _, version, body = self._loaded[key]
        loaded = self._load(Document(self.kind, key, version, "", None, body))
        for field in attrs.fields(Account):
            object.__setattr__(pending, field.name, getattr(loaded, field.name))
        object.__setattr__(pending, "__class__", Account)


class EscrowRepository(Repository[EscrowTrade]):
    """Escrow trades by ``out_trade_no``; releases reach the buyer's Huabei account when it paid.

    >>> from antfin import Books
    >>> from antfin.calendar import shanghai
    >>> with Books.memory().transaction() as tx:
    ...     tx.escrow.due(shanghai(2024, 1, 1))
    ()
    """

    def __init__(self, tx: Transaction, kind: Kind[EscrowTrade]) -> None:
        super().__init__(tx, kind)
        self._desk = EscrowDesk(tx.ledger)
        self._desk.on_release(tx._on_release)

    def _adopt_loaded(self, entity: EscrowTrade, document: Document) -> EscrowTrade:
        self._desk.adopt(entity)
        return super()._adopt_loaded(entity, document)

    def _drop(self, key: str) -> EscrowTrade | None:
        self._desk.forget(key)
        return super()._drop(key)

    def create(
        self,
        out_trade_no: str,
        *,
        buyer: Account,
        seller: Account,
        amount: Money,
        goods: GoodsType,
        at: datetime,
        timeout: str | PaymentTimeout = "15m",
        subject: str = "",
        policy: EscrowPolicy | None = None,
    ) -> EscrowTrade:
        """Create a trade awaiting payment, with the rules of :meth:`antfin.payments.EscrowDesk.create`.

        The same number with the same terms returns the stored trade; with
        other terms it is refused. Buyer and seller must come from this
        transaction's :attr:`~antfin.books.transaction.Transaction.accounts`.

        >>> from antfin import Books, CNY
        >>> from antfin.calendar import shanghai
        >>> from antfin.payments import GoodsType
        >>> books = Books.memory()
        >>> with books.transaction() as tx:
        ...     b = tx.accounts.open("b", opened_at=shanghai(2024, 3, 1))
        ...     s = tx.accounts.open("s", opened_at=shanghai(2024, 3, 1))
        ...     trade = tx.escrow.create("T1", buyer=b, seller=s, amount=CNY("9.90"),
        ...                              goods=GoodsType.VIRTUAL, at=shanghai(2024, 3, 1, 9))
        >>> with books.transaction() as tx:
        ...     tx.escrow.get("T1").status.name
        'WAIT_BUYER_PAY'

        Raises:
            antfin.errors.NotFoundError: buyer or seller is not an account of this transaction.
            antfin.errors.IdempotencyConflictError: the number is taken with other terms.
        """
        accounts = self._tx.accounts
        for role, account in (("buyer", buyer), ("seller", seller)):
            if not isinstance(account, Account):
                raise TypeError(f"{role} must be an Account, not {type(account).__name__}")
            if accounts.find(account.account_id) is not account:
                raise NotFoundError(f"{role} {account.account_id!r} was not taken from this transaction's accounts")
        existing = self.find(out_trade_no)
        if existing is not None and policy is not None and existing.policy != policy:
            raise IdempotencyConflictError(f"out_trade_no {out_trade_no!r} is already used with another policy")
        trade = self._desk.create(
            out_trade_no,
            buyer=buyer,
            seller=seller,
            amount=amount,
            goods=goods,
            at=at,
            timeout=timeout,
            subject=subject,
            policy=policy,
        )
        return trade if trade is existing else self.add(trade)


class FundRepository(Repository[MoneyFund]):
    """Money funds (Yu'ebao) by fund id.

    >>> from antfin import Books
    >>> with Books.memory().transaction() as tx:
    ...     tx.funds.open().fund_id
    'yuebao'
    """

    def open(
        self,
        fund_id: str = "yuebao",
        *,
        calendar: TradingCalendar | None = None,
        config: MoneyFundConfig | None = None,
    ) -> MoneyFund:
        """The stored fund, or a new one (SSE calendar and default settings unless given).

        >>> from antfin import Books
        >>> with Books.memory().transaction() as tx:
        ...     tx.funds.open("yuebao") is tx.funds.open("yuebao")
        True
        """
        existing = self.find(fund_id)
        if existing is not None:
            return existing
        options: dict[str, Any] = {"fund_id": fund_id}
        if calendar is not None:
            options["calendar"] = calendar
        if config is not None:
            options["config"] = config
        return self.add(MoneyFund(self._tx.ledger, **options))


class ZhaocaibaoRepository(Repository[Zhaocaibao]):
    """The Zhaocaibao platform (one per books, id ``"zhaocaibao"``).

    >>> from antfin import Books
    >>> with Books.memory().transaction() as tx:
    ...     tx.zhaocaibao.open().products()
    ()
    """

    def open(self, config: ZhaocaibaoConfig | None = None) -> Zhaocaibao:
        """The stored platform, or a new one.

        >>> from antfin import Books
        >>> with Books.memory().transaction() as tx:
        ...     tx.zhaocaibao.open() is tx.zhaocaibao.get("zhaocaibao")
        True
        """
        existing = self.find("zhaocaibao")
        if existing is not None:
            return existing
        return self.add(Zhaocaibao(self._tx.ledger, config))


class LoanRepository(Repository[Loan]):
    """Jiebei and MYbank loans by loan id.

    >>> from antfin import Books
    >>> with Books.memory().transaction() as tx:
    ...     tx.loans.ids("ACTIVE")
    ()
    """

    def create(self, loan_id: str, **terms: Any) -> Loan:
        """A new loan on this transaction's ledger (the rules of :class:`antfin.credit.Loan`).

        >>> from antfin import Books, CNY
        >>> from antfin.credit import LoanRate
        >>> from antfin.rates import DayCount, Rate
        >>> with Books.memory().transaction() as tx:
        ...     tx.loans.create("L-1", wallet="wallet:ann", principal=CNY("1200"),
        ...                     rate=LoanRate.annual(Rate.percent("12"), DayCount.ACT_360), term=3).status.name
        'APPROVED'

        Raises:
            antfin.errors.IdempotencyConflictError: the id is taken.
        """
        if loan_id in self:
            raise IdempotencyConflictError(f"loan {loan_id!r} is already in the books")
        return self.add(Loan(self._tx.ledger, loan_id, **terms))


class HuabeiRepository(Repository[HuabeiAccount]):
    """Huabei accounts by user id.

    >>> from antfin import Books
    >>> with Books.memory().transaction() as tx:
    ...     "ann" in tx.huabei
    False
    """

    def open(
        self,
        profile: CreditProfile,
        *,
        cycle: BillingCycle | None = None,
        config: HuabeiConfig | None = None,
    ) -> HuabeiAccount:
        """The user's stored Huabei account, or a new one with its line set from ``profile``.

        >>> from datetime import date
        >>> from antfin import Books
        >>> from antfin.credit import CreditProfile
        >>> with Books.memory().transaction() as tx:
        ...     tx.huabei.open(CreditProfile.of("ann", 700, date(2024, 3, 1))).line
        Money('...', 'CNY')
        """
        existing = self.find(profile.subject)
        if existing is not None:
            return existing
        return self.add(HuabeiAccount.from_profile(self._tx.ledger, profile, cycle=cycle, config=config))


class OfferRepository(Repository[CrowdfundOffer]):
    """Ant Dake offers by offer id.

    >>> from antfin import Books
    >>> with Books.memory().transaction() as tx:
    ...     tx.offers.ids()
    ()
    """

    def create(self, offer_id: str, **terms: Any) -> CrowdfundOffer:
        """A new offer on this transaction's ledger (the rules of :class:`antfin.crowdfunding.CrowdfundOffer`).

        >>> from antfin import Books, CNY
        >>> from antfin.calendar import shanghai
        >>> with Books.memory().transaction() as tx:
        ...     _ = tx.accounts.open("tea", opened_at=shanghai(2024, 3, 1))
        ...     tx.offers.create("tea-A", issuer="tea", target=CNY("200000"), min_ticket=CNY("10000"),
        ...                      opens_at=shanghai(2024, 3, 1, 10), closes_at=shanghai(2024, 3, 15, 12),
        ...                      equity_units=100_000).status.name
        'OPEN'

        Raises:
            antfin.errors.IdempotencyConflictError: the id is taken.
        """
        if offer_id in self:
            raise IdempotencyConflictError(f"offer {offer_id!r} is already in the books")
        return self.add(CrowdfundOffer(offer_id, ledger=self._tx.ledger, **terms))


class ProfileRepository(Repository[CreditProfile]):
    """Credit profiles (Sesame scores) by subject; a profile is a value, replaced when it changes.

    >>> from datetime import date
    >>> from antfin import Books
    >>> from antfin.credit import CreditProfile
    >>> books = Books.memory()
    >>> with books.transaction() as tx:
    ...     _ = tx.profiles.put(CreditProfile.of("ann", 650, date(2024, 3, 1)))
    >>> with books.transaction() as tx:
    ...     tx.profiles.get("ann").score
    650
    """

    def put(self, profile: CreditProfile) -> CreditProfile:
        """Store ``profile`` as its subject's current profile (a new one, or a replacement).

        >>> from datetime import date
        >>> from antfin import Books
        >>> from antfin.credit import CreditProfile
        >>> with Books.memory().transaction() as tx:
        ...     tx.profiles.put(CreditProfile.of("ann", 650, date(2024, 3, 1))).subject
        'ann'
        """
        if not isinstance(profile, CreditProfile):
            raise TypeError(f"profile must be a CreditProfile, not {type(profile).__name__}")
        existing = self.find(profile.subject)
        if existing is None:
            return self.add(profile)
        _, version, body = self._loaded[profile.subject]
        self._loaded[profile.subject] = (profile, version, body)
        return profile


#: The repository class of each kind.
REPOSITORIES: Mapping[str, Callable[[Transaction, Kind[Any]], Repository[Any]]] = {
    "account": AccountRepository,
    "escrow": EscrowRepository,
    "fund": FundRepository,
    "zhaocaibao": ZhaocaibaoRepository,
    "loan": LoanRepository,
    "huabei": HuabeiRepository,
    "offer": OfferRepository,
    "profile": ProfileRepository,
}
