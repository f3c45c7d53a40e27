"""Operations for :meth:`Ledger.apply_batch <antfin.ledger.ledger.Ledger.apply_batch>`: all succeed or none do.

Each operation is a small frozen value that names one ledger call and its
arguments; :meth:`LedgerOperation.apply` performs it. A batch is applied in
order inside one atomic block, so the whole batch is committed to the store in
one transaction, and the first failure undoes everything and is reported as a
:class:`~antfin.errors.BatchError` naming that operation.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger, OpenAccountOp, TransferOp
>>> ledger = Ledger()
>>> at = shanghai(2024, 6, 1, 9)
>>> results = ledger.apply_batch([
...     OpenAccountOp("asset:bank", AccountKind.ASSET),
...     OpenAccountOp("wallet:a", AccountKind.LIABILITY, non_negative=True),
...     TransferOp("in:1", debit="asset:bank", credit="wallet:a", amount=CNY("12.00"), at=at),
... ])
>>> ledger.balance("wallet:a"), len(results)
(Money('12.00', 'CNY'), 3)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from antfin.ledger.model import AccountKind, Hold, JournalEntry, LedgerAccount, Posting, frozen_metadata
from antfin.money import CNY, Currency, Money

if TYPE_CHECKING:  # pragma: no cover - import only for annotations (the ledger imports this module)
    from antfin.ledger.ledger import Ledger

__all__ = [
    "EntryOp",
    "HoldOp",
    "LedgerOperation",
    "OpenAccountOp",
    "PostHoldOp",
    "ReverseOp",
    "TransferOp",
    "VoidHoldOp",
]


def _postings(value: Iterable[Posting]) -> tuple[Posting, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"postings must be a sequence of Posting values, not {type(value).__name__}")
    return tuple(value)


class LedgerOperation:
    """Base of the batch operations: one ledger call, as a value.

    >>> from antfin.calendar import shanghai
    >>> op = VoidHoldOp("void:1", "hold:1", at=shanghai(2024, 1, 1))
    >>> isinstance(op, LedgerOperation), op.describe()
    (True, "VoidHoldOp 'void:1'")

    .. versionadded:: 0.1.0
    """

    __slots__ = ()

    def apply(self, ledger: Ledger) -> JournalEntry | Hold | LedgerAccount:
        """Perform the operation on ``ledger`` and return its result.

        >>> LedgerOperation().apply(None)  # type: ignore[arg-type]
        Traceback (most recent call last):
        ...
        NotImplementedError: LedgerOperation is abstract

        Raises:
            NotImplementedError: on the abstract base.

        .. versionadded:: 0.1.0
        """
        raise NotImplementedError(f"{type(self).__name__} is abstract")

    def describe(self) -> str:
        """A short name for error messages: the type and the key.

        >>> from antfin.calendar import shanghai
        >>> ReverseOp("fix:1", "E1", at=shanghai(2024, 1, 1)).describe()
        "ReverseOp 'fix:1'"

        .. versionadded:: 0.1.0
        """
        return f"{type(self).__name__} {getattr(self, 'key', '?')!r}"


@attrs.frozen
class TransferOp(LedgerOperation):
    """A :meth:`~antfin.ledger.ledger.Ledger.transfer` in a batch.

    >>> from antfin.calendar import shanghai
    >>> TransferOp("t:1", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"), at=shanghai(2024, 1, 1)).key
    't:1'

    .. versionadded:: 0.1.0
    """

    key: str
    debit: str = attrs.field(kw_only=True)
    credit: str = attrs.field(kw_only=True)
    amount: Money = attrs.field(kw_only=True)
    at: datetime = attrs.field(kw_only=True)
    memo: str = attrs.field(default="", kw_only=True)
    metadata: Mapping[str, str] = attrs.field(
        default=None, converter=frozen_metadata, kw_only=True, eq=False, hash=False
    )

    def apply(self, ledger: Ledger) -> JournalEntry:
        """Transfer on ``ledger``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> for name in ("a", "b"):
        ...     _ = ledger.open_account(name, AccountKind.ASSET)
        >>> TransferOp("t", debit="a", credit="b", amount=CNY("2.00"), at=shanghai(2024, 1, 1)).apply(ledger).id
        'E1'

        .. versionadded:: 0.1.0
        """
        return ledger.transfer(
            self.key,
            debit=self.debit,
            credit=self.credit,
            amount=self.amount,
            at=self.at,
            memo=self.memo,
            metadata=self.metadata,
        )


@attrs.frozen
class EntryOp(LedgerOperation):
    """A :meth:`~antfin.ledger.ledger.Ledger.post_entry` (two or more postings) in a batch.

    >>> from antfin.calendar import shanghai
    >>> op = EntryOp("e:1", [Posting.debit("a", CNY("1")), Posting.credit("b", CNY("1"))], at=shanghai(2024, 1, 1))
    >>> len(op.postings)
    2

    .. versionadded:: 0.1.0
    """

    key: str
    postings: tuple[Posting, ...] = attrs.field(converter=_postings)
    at: datetime = attrs.field(kw_only=True)
    memo: str = attrs.field(default="", kw_only=True)
    metadata: Mapping[str, str] = attrs.field(
        default=None, converter=frozen_metadata, kw_only=True, eq=False, hash=False
    )

    def apply(self, ledger: Ledger) -> JournalEntry:
        """Post the entry on ``ledger``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> for name in ("a", "b"):
        ...     _ = ledger.open_account(name, AccountKind.ASSET)
        >>> op = EntryOp("e", [Posting.debit("a", CNY("1")), Posting.credit("b", CNY("1"))], at=shanghai(2024, 1, 1))
        >>> op.apply(ledger).key
        'e'

        .. versionadded:: 0.1.0
        """
        return ledger.post_entry(self.key, self.postings, at=self.at, memo=self.memo, metadata=self.metadata)


@attrs.frozen
class HoldOp(LedgerOperation):
    """A :meth:`~antfin.ledger.ledger.Ledger.hold` in a batch (the hold's id is ``key``).

    >>> from antfin.calendar import shanghai
    >>> op = HoldOp("h:1", debit="wallet:a", credit="wallet:b", amount=CNY("3.00"), at=shanghai(2024, 1, 1))
    >>> op.expires_at is None
    True

    .. versionadded:: 0.1.0
    """

    key: str
    debit: str = attrs.field(kw_only=True)
    credit: str = attrs.field(kw_only=True)
    amount: Money = attrs.field(kw_only=True)
    at: datetime = attrs.field(kw_only=True)
    expires_at: datetime | None = attrs.field(default=None, kw_only=True)
    memo: str = attrs.field(default="", kw_only=True)
    metadata: Mapping[str, str] = attrs.field(
        default=None, converter=frozen_metadata, kw_only=True, eq=False, hash=False
    )

    def apply(self, ledger: Ledger) -> Hold:
        """Place the hold on ``ledger``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> for name in ("a", "b"):
        ...     _ = ledger.open_account(name, AccountKind.ASSET)
        >>> HoldOp("h", debit="a", credit="b", amount=CNY("1"), at=shanghai(2024, 1, 1)).apply(ledger).id
        'h'

        .. versionadded:: 0.1.0
        """
        return ledger.hold(
            self.key,
            debit=self.debit,
            credit=self.credit,
            amount=self.amount,
            at=self.at,
            expires_at=self.expires_at,
            memo=self.memo,
            metadata=self.metadata,
        )


@attrs.frozen
class PostHoldOp(LedgerOperation):
    """A :meth:`~antfin.ledger.ledger.Ledger.post_hold` in a batch (``amount=None`` posts in full).

    >>> from antfin.calendar import shanghai
    >>> PostHoldOp("h:1:post", "h:1", at=shanghai(2024, 1, 2), amount=CNY("1.00")).hold_id
    'h:1'

    .. versionadded:: 0.1.0
    """

    key: str
    hold_id: str
    at: datetime = attrs.field(kw_only=True)
    amount: Money | None = attrs.field(default=None, kw_only=True)

    def apply(self, ledger: Ledger) -> JournalEntry:
        """Post the hold on ``ledger``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> for name in ("a", "b"):
        ...     _ = ledger.open_account(name, AccountKind.ASSET)
        >>> _ = ledger.hold("h", debit="a", credit="b", amount=CNY("5"), at=shanghai(2024, 1, 1))
        >>> PostHoldOp("p", "h", at=shanghai(2024, 1, 2)).apply(ledger).hold_id
        'h'

        .. versionadded:: 0.1.0
        """
        return ledger.post_hold(self.key, self.hold_id, at=self.at, amount=self.amount)


@attrs.frozen
class VoidHoldOp(LedgerOperation):
    """A :meth:`~antfin.ledger.ledger.Ledger.void_hold` in a batch.

    >>> from antfin.calendar import shanghai
    >>> VoidHoldOp("h:1:void", "h:1", at=shanghai(2024, 1, 2)).key
    'h:1:void'

    .. versionadded:: 0.1.0
    """

    key: str
    hold_id: str
    at: datetime = attrs.field(kw_only=True)

    def apply(self, ledger: Ledger) -> Hold:
        """Void the hold on ``ledger``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> for name in ("a", "b"):
        ...     _ = ledger.open_account(name, AccountKind.ASSET)
        >>> _ = ledger.hold("h", debit="a", credit="b", amount=CNY("5"), at=shanghai(2024, 1, 1))
        >>> VoidHoldOp("v", "h", at=shanghai(2024, 1, 2)).apply(ledger).status.value
        'voided'

        .. versionadded:: 0.1.0
        """
        return ledger.void_hold(self.key, self.hold_id, at=self.at)


@attrs.frozen
class ReverseOp(LedgerOperation):
    """A :meth:`~antfin.ledger.ledger.Ledger.reverse` in a batch.

    >>> from antfin.calendar import shanghai
    >>> ReverseOp("fix:1", "E7", at=shanghai(2024, 1, 2)).entry_id
    'E7'

    .. versionadded:: 0.1.0
    """

    key: str
    entry_id: str
    at: datetime = attrs.field(kw_only=True)
    memo: str = attrs.field(default="", kw_only=True)

    def apply(self, ledger: Ledger) -> JournalEntry:
        """Reverse the entry on ``ledger``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> for name in ("a", "b"):
        ...     _ = ledger.open_account(name, AccountKind.ASSET)
        >>> entry = ledger.transfer("t", debit="a", credit="b", amount=CNY("5"), at=shanghai(2024, 1, 1))
        >>> ReverseOp("r", entry.id, at=shanghai(2024, 1, 2)).apply(ledger).reverses
        'E1'

        .. versionadded:: 0.1.0
        """
        return ledger.reverse(self.key, self.entry_id, at=self.at, memo=self.memo)


@attrs.frozen
class OpenAccountOp(LedgerOperation):
    """A :meth:`~antfin.ledger.ledger.Ledger.open_account` in a batch (idempotent by account id).

    >>> OpenAccountOp("wallet:a", AccountKind.LIABILITY, non_negative=True).describe()
    "OpenAccountOp 'wallet:a'"

    .. versionadded:: 0.1.0
    """

    account_id: str
    kind: AccountKind | str
    currency: Currency | str = attrs.field(default=CNY, kw_only=True)
    non_negative: bool = attrs.field(default=False, kw_only=True)
    owner: str | None = attrs.field(default=None, kw_only=True)
    purpose: str = attrs.field(default="", kw_only=True)
    metadata: Mapping[str, str] = attrs.field(
        default=None, converter=frozen_metadata, kw_only=True, eq=False, hash=False
    )

    def apply(self, ledger: Ledger) -> LedgerAccount:
        """Open the account on ``ledger``.

        >>> from antfin.ledger import Ledger
        >>> OpenAccountOp("asset:bank", AccountKind.ASSET).apply(Ledger()).kind
        <AccountKind.ASSET: 'asset'>

        .. versionadded:: 0.1.0
        """
        return ledger.open_account(
            self.account_id,
            self.kind,
            currency=self.currency,
            non_negative=self.non_negative,
            owner=self.owner,
            purpose=self.purpose,
            metadata=self.metadata,
        )

    def describe(self) -> str:
        """The type and the account id.

        >>> OpenAccountOp("asset:bank", "asset").describe()
        "OpenAccountOp 'asset:bank'"

        .. versionadded:: 0.1.0
        """
        return f"{type(self).__name__} {self.account_id!r}"
