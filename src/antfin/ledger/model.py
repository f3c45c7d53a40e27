"""The ledger's values: accounts, postings, journal entries and holds.

All of them are immutable attrs classes; the :class:`~antfin.ledger.ledger.Ledger`
creates them and a store persists them.

>>> from antfin import CNY
>>> from antfin.ledger.model import Posting
>>> Posting.debit("wallet:alice", CNY("5.00")).amount
Money('5.00', 'CNY')
>>> Posting.credit("wallet:bob", CNY("5.00")).amount
Money('-5.00', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from antfin.errors import InvalidAmountError, InvariantViolationError, UnbalancedEntryError
from antfin.money import CNY, Currency, Money

__all__ = [
    "AccountKind",
    "Hold",
    "HoldStatus",
    "JournalEntry",
    "LedgerAccount",
    "Posting",
    "frozen_metadata",
]


#: The one read-only empty mapping shared by every value without metadata.
_EMPTY_METADATA: Mapping[str, str] = MappingProxyType({})

_new = object.__new__
_set = object.__setattr__


def frozen_metadata(value: Mapping[str, str] | None) -> Mapping[str, str]:
    """Copy metadata into a read-only mapping of strings.

    >>> frozen_metadata({"order": "42"})["order"]
    '42'

    Raises:
        TypeError: when a key or value is not a string.

    .. versionadded:: 0.1.0
    """
    if value is None or value is _EMPTY_METADATA:
        return _EMPTY_METADATA
    if not isinstance(value, Mapping):
        raise TypeError(f"metadata must be a mapping of str to str, not {type(value).__name__}")
    copied: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"metadata must map str to str; got {key!r}: {item!r}")
        copied[key] = item
    return MappingProxyType(copied) if copied else _EMPTY_METADATA


class AccountKind(enum.Enum):
    """The five kinds of account, with the side on which each normally grows.

    >>> AccountKind.LIABILITY.debit_normal, AccountKind.ASSET.debit_normal
    (False, True)

    .. versionadded:: 0.1.0
    """

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """``True`` for assets and expenses, which grow with debits.

        >>> AccountKind.EXPENSE.debit_normal
        True

        .. versionadded:: 0.1.0
        """
        return self in (AccountKind.ASSET, AccountKind.EXPENSE)

    @property
    def sign(self) -> int:
        """+1 if a debit raises the balance, -1 if a credit does.

        >>> AccountKind.ASSET.sign, AccountKind.REVENUE.sign
        (1, -1)

        .. versionadded:: 0.1.0
        """
        return 1 if self.debit_normal else -1


def _kind(value: object) -> AccountKind:
    if isinstance(value, AccountKind):
        return value
    if isinstance(value, str):
        try:
            return AccountKind(value)
        except ValueError:
            pass
    names = ", ".join(kind.value for kind in AccountKind)
    raise InvalidAmountError(f"account kind must be one of {names}; got {value!r}")


def _currency(value: Currency | str) -> Currency:
    return Currency.of(value)


@attrs.frozen
class LedgerAccount:
    """An account in the ledger. Accounts are never deleted; closing is a state.

    >>> from antfin.ledger.model import AccountKind, LedgerAccount
    >>> wallet = LedgerAccount("wallet:alice", AccountKind.LIABILITY, non_negative=True, owner="alice")
    >>> wallet.currency.code, wallet.non_negative, wallet.closed
    ('CNY', True, False)

    Attributes:
        id: unique account id, e.g. ``"wallet:alice"``.
        kind: asset, liability, equity, revenue or expense.
        currency: the one currency the account holds.
        non_negative: refuse anything that would take the balance (net of
            pending holds) below zero; every user wallet has it.
        owner: who the account belongs to, if anyone.
        purpose: a short free-text description.
        metadata: read-only string metadata.
        closed: a closed account takes no new postings or holds.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field()
    kind: AccountKind = attrs.field(converter=_kind)
    currency: Currency = attrs.field(default=CNY, converter=_currency)
    non_negative: bool = attrs.field(default=False, kw_only=True)
    owner: str | None = attrs.field(
        default=None, kw_only=True, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    purpose: str = attrs.field(default="", kw_only=True, validator=attrs.validators.instance_of(str))
    metadata: Mapping[str, str] = attrs.field(
        factory=dict, converter=frozen_metadata, kw_only=True, eq=False, hash=False
    )
    closed: bool = attrs.field(default=False, kw_only=True)

    @id.validator
    def _check_id(self, _attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidAmountError(f"account id must be a non-empty string, got {value!r}")

    def same_terms(self, other: LedgerAccount) -> bool:
        """Whether ``other`` opens the same account (ignoring ``closed``).

        >>> a = LedgerAccount("x", AccountKind.ASSET)
        >>> a.same_terms(LedgerAccount("x", AccountKind.ASSET)), a.same_terms(LedgerAccount("x", AccountKind.EQUITY))
        (True, False)

        .. versionadded:: 0.1.0
        """
        return self.id == other.id and self.has_terms(
            other.kind,
            other.currency,
            non_negative=other.non_negative,
            owner=other.owner,
            purpose=other.purpose,
            metadata=other.metadata,
        )

    def has_terms(
        self,
        kind: AccountKind,
        currency: Currency,
        *,
        non_negative: bool,
        owner: str | None,
        purpose: str,
        metadata: Mapping[str, str],
    ) -> bool:
        """Whether the account is open with these terms (ignoring ``closed``): what opening it again compares.

        >>> LedgerAccount("x", AccountKind.ASSET).has_terms(
        ...     AccountKind.ASSET, CNY, non_negative=False, owner=None, purpose="", metadata={})
        True

        .. versionadded:: 0.2.0
        """
        return (
            self.kind is kind
            and self.currency == currency
            and self.non_negative == non_negative
            and self.owner == owner
            and self.purpose == purpose
            and dict(self.metadata) == dict(metadata)
        )


def _money(value: object) -> Money:
    if not isinstance(value, Money):
        raise TypeError(f"amount must be Money, not {type(value).__name__}")
    return value


@attrs.frozen
class Posting:
    """One line of a journal entry: a signed amount on an account.

    A positive amount is a debit, a negative one a credit.

    >>> from antfin import CNY
    >>> Posting("asset:bank", CNY("10.00")).is_debit
    True

    .. versionadded:: 0.1.0
    """

    account: str
    amount: Money = attrs.field(converter=_money)

    @classmethod
    def debit(cls, account: str, amount: Money) -> Posting:
        """A debit of a positive ``amount``.

        >>> Posting.debit("asset:bank", CNY("1.00")).amount.minor_units
        100

        Raises:
            antfin.errors.InvalidAmountError: unless ``amount`` is positive.

        .. versionadded:: 0.1.0
        """
        _check_positive(amount)
        return cls(account, amount)

    @classmethod
    def credit(cls, account: str, amount: Money) -> Posting:
        """A credit of a positive ``amount`` (stored negated).

        >>> Posting.credit("wallet:alice", CNY("1.00")).amount.minor_units
        -100

        Raises:
            antfin.errors.InvalidAmountError: unless ``amount`` is positive.

        .. versionadded:: 0.1.0
        """
        _check_positive(amount)
        return cls(account, -amount)

    @property
    def is_debit(self) -> bool:
        """``True`` for a debit.

        >>> Posting.credit("wallet:a", CNY("1.00")).is_debit
        False

        .. versionadded:: 0.1.0
        """
        return self.amount.minor_units > 0


def _check_positive(amount: object, field: str = "amount") -> Money:
    money = _money(amount)
    if money.minor_units <= 0:
        raise InvalidAmountError(f"{field} must be positive, got {money}")
    return money


@attrs.frozen
class JournalEntry:
    """A balanced, immutable set of postings made at one instant.

    >>> from antfin.ledger import Ledger, AccountKind
    >>> from antfin.calendar import shanghai
    >>> ledger = Ledger()
    >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
    >>> _ = ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
    >>> entry = ledger.transfer("topup-1", debit="asset:bank", credit="wallet:alice",
    ...                         amount=CNY("50.00"), at=shanghai(2024, 1, 2, 9))
    >>> [str(p.amount) for p in entry.postings]
    ['50.00 CNY', '-50.00 CNY']

    Attributes:
        id: ledger-assigned id, in posting order.
        key: the caller's idempotency key.
        at: aware instant of the entry.
        postings: two or more postings that sum to zero per currency.
        memo: free text.
        metadata: read-only string metadata.
        reverses: id of the entry this one reverses, if it is a correction.
        hold_id: id of the hold this entry posts, if any.

    .. versionadded:: 0.1.0
    """

    id: str
    key: str
    at: datetime
    postings: tuple[Posting, ...]
    memo: str = ""
    metadata: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_metadata, eq=False, hash=False)
    reverses: str | None = None
    hold_id: str | None = None

    def check_invariants(self) -> None:
        """Raise unless the entry is well formed: two or more non-zero postings that balance per currency.

        Run on loaded entries (:mod:`antfin.serialization`); the ledger checks the same before posting.

        >>> from antfin.calendar import shanghai
        >>> lines = (Posting.debit("asset:bank", CNY("5")), Posting.credit("wallet:a", CNY("4")))
        >>> JournalEntry("E1", "k", shanghai(2024, 1, 1), lines).check_invariants()
        Traceback (most recent call last):
        ...
        antfin.errors.UnbalancedEntryError: entry 'E1' does not balance: {'CNY': 100}

        Raises:
            antfin.errors.UnbalancedEntryError: the postings do not sum to zero per currency.
            antfin.errors.InvalidAmountError: fewer than two postings, or a zero posting.

        .. versionadded:: 0.2.0
        """
        if len(self.postings) < 2:
            raise InvalidAmountError(f"entry {self.id!r} needs at least two postings, got {len(self.postings)}")
        sums: dict[str, int] = {}
        for posting in self.postings:
            if not posting.amount.minor_units:
                raise InvalidAmountError(f"entry {self.id!r} has a zero posting on {posting.account!r}")
            code = posting.amount.currency.code
            sums[code] = sums.get(code, 0) + posting.amount.minor_units
        if any(sums.values()):
            raise UnbalancedEntryError(f"entry {self.id!r} does not balance: {sums}")

    def amount_on(self, account_id: str) -> Money | None:
        """The net signed amount this entry posts to ``account_id`` (``None`` if none).

        >>> from antfin.calendar import shanghai
        >>> entry = JournalEntry("E1", "k", shanghai(2024, 1, 1),
        ...                      (Posting.debit("asset:bank", CNY("5")), Posting.credit("wallet:alice", CNY("5"))))
        >>> entry.amount_on("wallet:alice"), entry.amount_on("wallet:bob")
        (Money('-5.00', 'CNY'), None)

        .. versionadded:: 0.1.0
        """
        total: Money | None = None
        for posting in self.postings:
            if posting.account == account_id:
                total = posting.amount if total is None else total + posting.amount
        return total


class HoldStatus(enum.Enum):
    """Where a hold is in its life: pending, then exactly one of the others.

    >>> HoldStatus.PENDING.is_final, HoldStatus.VOIDED.is_final
    (False, True)

    .. versionadded:: 0.1.0
    """

    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        """``True`` once the hold is resolved.

        >>> HoldStatus.EXPIRED.is_final
        True

        .. versionadded:: 0.1.0
        """
        return self is not HoldStatus.PENDING


@attrs.frozen
class Hold:
    """A two-phase transfer: ``amount`` reserved from ``debit`` to ``credit``.

    >>> from antfin.ledger.model import Hold, HoldStatus
    >>> from antfin.calendar import shanghai
    >>> hold = Hold("h1", "wallet:alice", "wallet:bob", CNY("10.00"), shanghai(2024, 1, 1))
    >>> hold.status is HoldStatus.PENDING, hold.remaining
    (True, Money('10.00', 'CNY'))

    Attributes:
        id: the key the hold was created with.
        debit: account the money leaves when posted.
        credit: account the money reaches when posted.
        amount: the reserved amount.
        created_at: when the hold was made.
        expires_at: when it lapses if still pending, if ever.
        status: pending, posted, voided or expired.
        posted_amount: what was posted (zero unless posted).
        resolved_at: when it left pending.
        entry_id: the journal entry that posted it.
        memo: free text.
        metadata: read-only string metadata.

    .. versionadded:: 0.1.0
    """

    id: str
    debit: str
    credit: str
    amount: Money
    created_at: datetime
    expires_at: datetime | None = None
    status: HoldStatus = HoldStatus.PENDING
    posted_amount: Money | None = None
    resolved_at: datetime | None = None
    entry_id: str | None = None
    memo: str = ""
    metadata: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_metadata, eq=False, hash=False)

    def check_invariants(self) -> None:
        """Raise unless the hold is consistent: a positive amount, and a status that agrees with its resolution.

        Run on loaded holds (:mod:`antfin.serialization`); the ledger keeps the same rules.

        >>> from antfin.calendar import shanghai
        >>> Hold("h1", "wallet:a", "wallet:b", CNY("-1.00"), shanghai(2024, 1, 1)).check_invariants()
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidAmountError: hold 'h1': amount must be positive, got -1.00 CNY

        Raises:
            antfin.errors.InvalidAmountError: a non-positive amount, or a posted amount above it.
            antfin.errors.InvariantViolationError: the status disagrees with the resolution fields.

        .. versionadded:: 0.2.0
        """
        if self.amount.minor_units <= 0:
            raise InvalidAmountError(f"hold {self.id!r}: amount must be positive, got {self.amount}")
        if self.debit == self.credit:
            raise InvariantViolationError(f"hold {self.id!r} moves money from {self.debit!r} to itself")
        if self.expires_at is not None and self.expires_at <= self.created_at:
            raise InvariantViolationError(f"hold {self.id!r} expires at or before it was created")
        pending = self.status is HoldStatus.PENDING
        if pending != (self.resolved_at is None):
            raise InvariantViolationError(f"hold {self.id!r} is {self.status.value} but resolved_at says otherwise")
        if self.resolved_at is not None and self.resolved_at < self.created_at:
            raise InvariantViolationError(f"hold {self.id!r} was resolved before it was created")
        posted = self.status is HoldStatus.POSTED
        if posted != (self.entry_id is not None) or posted != (self.posted_amount is not None):
            raise InvariantViolationError(f"hold {self.id!r} is {self.status.value} but its posting disagrees")
        if self.posted_amount is not None and not (
            self.posted_amount.currency == self.amount.currency
            and self.posted_amount.minor_units > 0
            and self.posted_amount <= self.amount
        ):
            raise InvalidAmountError(f"hold {self.id!r}: posted {self.posted_amount} of {self.amount}")

    @property
    def remaining(self) -> Money:
        """What is still reserved: the amount while pending, zero once resolved.

        >>> from antfin.calendar import shanghai
        >>> hold = Hold("h1", "wallet:a", "wallet:b", CNY("10.00"), shanghai(2024, 1, 1), status=HoldStatus.VOIDED)
        >>> hold.remaining
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        return self.amount if self.status is HoldStatus.PENDING else self.amount.currency.zero()

    def to_record(self) -> dict[str, Any]:
        """A JSON-compatible dict of this hold (amounts in minor units).

        >>> from antfin.calendar import shanghai
        >>> Hold("h1", "wallet:a", "wallet:b", CNY("10.00"), shanghai(2024, 1, 1)).to_record()["amount_minor"]
        1000

        .. versionadded:: 0.1.0
        """
        return {
            "id": self.id,
            "debit": self.debit,
            "credit": self.credit,
            "amount_minor": self.amount.minor_units,
            "currency": self.amount.currency.code,
            "created_at": self.created_at.isoformat(),
            "expires_at": None if self.expires_at is None else self.expires_at.isoformat(),
            "status": self.status.value,
            "posted_minor": None if self.posted_amount is None else self.posted_amount.minor_units,
            "resolved_at": None if self.resolved_at is None else self.resolved_at.isoformat(),
            "entry_id": self.entry_id,
            "memo": self.memo,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Hold:
        """Rebuild a hold from :meth:`to_record` output.

        >>> from antfin.calendar import shanghai
        >>> hold = Hold("h1", "wallet:a", "wallet:b", CNY("10.00"), shanghai(2024, 1, 1))
        >>> Hold.from_record(hold.to_record()) == hold
        True

        .. versionadded:: 0.1.0
        """
        currency = Currency.of(record["currency"])
        return cls(
            id=record["id"],
            debit=record["debit"],
            credit=record["credit"],
            amount=Money.from_minor_units(record["amount_minor"], currency),
            created_at=datetime.fromisoformat(record["created_at"]),
            expires_at=None if record["expires_at"] is None else datetime.fromisoformat(record["expires_at"]),
            status=HoldStatus(record["status"]),
            posted_amount=None
            if record["posted_minor"] is None
            else Money.from_minor_units(record["posted_minor"], currency),
            resolved_at=None if record["resolved_at"] is None else datetime.fromisoformat(record["resolved_at"]),
            entry_id=record["entry_id"],
            memo=record["memo"],
            metadata=record["metadata"],
        )


# -- fast internal constructors ---------------------------------------------------------
# The ledger builds these values on its hot path from parts it has already
# validated; going through attrs' generated ``__init__`` (converters, frozen
# ``__setattr__`` guard) would re-check them. These helpers set the slots
# directly and must only be given validated values.


def _make_posting(account: str, amount: Money) -> Posting:
    posting = _new(Posting)
    _set(posting, "account", account)
    _set(posting, "amount", amount)
    return posting


def _make_entry(
    entry_id: str,
    key: str,
    at: datetime,
    postings: tuple[Posting, ...],
    memo: str,
    metadata: Mapping[str, str],
    reverses: str | None,
    hold_id: str | None,
) -> JournalEntry:
    entry = _new(JournalEntry)
    _set(entry, "id", entry_id)
    _set(entry, "key", key)
    _set(entry, "at", at)
    _set(entry, "postings", postings)
    _set(entry, "memo", memo)
    _set(entry, "metadata", metadata)
    _set(entry, "reverses", reverses)
    _set(entry, "hold_id", hold_id)
    return entry
