"""How one stored aggregate names another, and an account read only when it is used.

An escrow trade names its buyer and seller (``{"$ref": "alice"}`` in its
document). Confirming a trade, shipping it or closing its refund window needs
only their wallets, which follow from the account ids; loading each account
whole (its cards, events, class-limit usage) on every trade read would make a
trade cost two account loads. So the books hand a trade a *pending* account:
an :class:`~antfin.payments.Account` that knows its id and its ledger, whose
stored document was found when the trade was read, and that is loaded (and
checked, as any loaded aggregate) on the first use of anything else.

>>> from antfin import Books
>>> from antfin.calendar import shanghai
>>> books = Books.memory()
>>> with books.transaction() as tx:
...     _ = tx.accounts.open("ann", opened_at=shanghai(2024, 3, 1))
>>> with books.transaction() as tx:
...     ann = tx.accounts._reference("ann")
...     pending = is_pending(ann)
...     ann.wallet_id, pending, ann.account_type.name, is_pending(ann), ann is tx.accounts.get("ann")
('wallet:ann', True, 'USER', False, True)

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from antfin.payments import Account

__all__ = ["REFERENCES", "PendingAccount", "is_pending", "pending_account", "resolve"]


class _Loader(Protocol):
    def _materialize(self, pending: Account) -> None: ...


#: What loads each pending account: its repository (the transaction's), until the account is first used. Both
#: sides are weak: a strong reference to the repository would keep its transaction, and through it the account
#: itself, alive for ever (a value that reaches its own key never leaves a WeakKeyDictionary).
_LOADERS: weakref.WeakKeyDictionary[Account, weakref.ReferenceType[_Loader]] = weakref.WeakKeyDictionary()


class PendingAccount(Account):
    """An account whose id and ledger are set and whose other fields are read from its document at first use.

    Never made directly: see :func:`pending_account`. Once loaded, its class
    is :class:`~antfin.payments.Account` itself.

    >>> issubclass(PendingAccount, Account)
    True

    .. versionadded:: 0.2.0
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Called only for a field not yet set: every field but ``account_id`` and ``ledger``.
        if name.startswith("__") or self not in _LOADERS:
            raise AttributeError(name)
        resolve(self)
        return getattr(self, name)


def pending_account(account_id: str, ledger: object, loader: _Loader) -> PendingAccount:
    """An account named ``account_id`` on ``ledger`` that ``loader`` fills in at its first use.

    >>> class Never:
    ...     def _materialize(self, pending: Account) -> None: raise AssertionError
    >>> pending_account("bo", None, Never()).wallet_id
    'wallet:bo'
    """
    pending = object.__new__(PendingAccount)
    object.__setattr__(pending, "account_id", account_id)
    object.__setattr__(pending, "ledger", ledger)
    _LOADERS[pending] = weakref.ref(loader)
    return pending


def resolve(account: Account) -> Account:
    """Load a pending account now (any other is returned as it is): its first use, made explicit.

    >>> class Never:
    ...     def _materialize(self, pending: Account) -> None: raise AssertionError
    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import Ledger
    >>> done = Account.open(Ledger(), "di", opened_at=shanghai(2024, 3, 1))
    >>> resolve(done) is done
    True

    Raises:
        antfin.errors.SerializationError: its stored document is malformed (it stays pending, and refused).
        antfin.errors.InvariantViolationError: it disagrees with itself or the ledger.
    """
    reference = _LOADERS.get(account) if type(account) is PendingAccount else None
    loader = None if reference is None else reference()
    if loader is not None:
        loader._materialize(account)  # a bad document raises a typed error and the account stays pending
        del _LOADERS[account]
    return account


def is_pending(account: object) -> bool:
    """Whether ``account`` is a pending account not yet loaded.

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import Ledger
    >>> is_pending(Account.open(Ledger(), "cy", opened_at=shanghai(2024, 3, 1)))
    False
    """
    return type(account) is PendingAccount


#: How an entity stored on its own is named when another entity refers to it (a pending account included).
REFERENCES: Final[Mapping[type, Callable[[Any], str]]] = {
    Account: lambda account: account.account_id,
    PendingAccount: lambda account: account.account_id,
}
