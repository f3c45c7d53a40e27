"""One unit of work on the books: repositories, what is due, and the commit.

A :class:`Transaction` is what ``books.transaction()`` yields. Everything
done through it — ledger entries and every product's state — commits
together when the ``with`` block ends, or not at all if it raises. Objects
taken from it refuse use afterwards (:class:`~antfin.errors.DetachedError`):
take them again from the next transaction.

>>> from antfin import Books, CNY
>>> from antfin.calendar import shanghai
>>> books = Books.memory()
>>> with books.transaction() as tx:
...     ann = tx.accounts.open("ann", opened_at=shanghai(2024, 3, 1))
>>> ann.top_up("t1", card="C1", amount=CNY("1.00"), at=shanghai(2024, 3, 1))
Traceback (most recent call last):
...
antfin.errors.DetachedError: this object was taken from a books transaction that has ended; ...

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

from antfin.books.kinds import KINDS, Kind
from antfin.books.repositories import (
    REPOSITORIES,
    AccountRepository,
    EscrowRepository,
    FundRepository,
    HuabeiRepository,
    LoanRepository,
    OfferRepository,
    ProfileRepository,
    Repository,
    ZhaocaibaoRepository,
)
from antfin.calendar import ensure_aware
from antfin.errors import DetachedError, InvalidTransitionError
from antfin.ledger import Ledger
from antfin.ledger.store import DocumentStore
from antfin.payments import Account
from antfin.payments.escrow import Release, Transition

__all__ = ["Transaction"]

T = TypeVar("T")

_DETACHED_MESSAGE = (
    "this object was taken from a books transaction that has ended; take it again from a new transaction "
    "(books.transaction()) so that it is current and its changes are stored"
)


def _refuse(self: object, name: str) -> Any:
    if name.startswith("__") and name.endswith("__"):
        return object.__getattribute__(self, name)
    raise DetachedError(_DETACHED_MESSAGE)


def _refuse_set(self: object, name: str, value: object) -> None:
    raise DetachedError(_DETACHED_MESSAGE)


def _detached_repr(self: object) -> str:
    return f"<{type(self).__mro__[1].__name__} detached from its books transaction>"


_DETACHED_CLASSES: dict[type, type] = {}


def _detach(entity: object) -> None:
    """Turn ``entity`` into an object whose every use raises :class:`DetachedError`.

    Its class becomes a subclass that adds no storage (so the swap is allowed)
    and refuses attribute access: ``isinstance`` still answers, nothing else does.
    Values that do not act on the ledger (a credit profile) stay usable.
    """
    cls = type(entity)
    if cls in _DETACHED_CLASSES.values() or not any(
        isinstance(getattr(entity, name, None), Ledger) for name in ("ledger", "_ledger")
    ):
        return
    detached = _DETACHED_CLASSES.get(cls)
    if detached is None:
        detached = _DETACHED_CLASSES[cls] = type(
            f"Detached{cls.__name__}",
            (cls,),
            {
                "__slots__": (),
                "__module__": cls.__module__,
                "__getattribute__": _refuse,
                "__setattr__": _refuse_set,
                "__repr__": _detached_repr,
            },
        )
    object.__setattr__(entity, "__class__", detached)


class Transaction:
    """The unit of work yielded by :meth:`antfin.books.books.Books.transaction`.

    >>> from antfin import Books
    >>> with Books.memory().transaction() as tx:
    ...     tx.accounts.ids(), tx.ledger.trial_balance().is_balanced
    ((), True)

    .. versionadded:: 0.2.0
    """

    def __init__(self, ledger: Ledger, store: DocumentStore) -> None:
        self._ledger = ledger
        self._documents = store
        self._open = True
        self._repositories: dict[str, Repository[Any]] = {}

    # -- plumbing -----------------------------------------------------------------------

    def _check_open(self) -> None:
        if not self._open:
            raise DetachedError(_DETACHED_MESSAGE)

    def _store(self) -> DocumentStore:
        return self._documents

    def _repository(self, name: str) -> Repository[Any]:
        self._check_open()
        repository = self._repositories.get(name)
        if repository is None:
            repository = self._repositories[name] = REPOSITORIES[name](self, KINDS[name])
        return repository

    def repository(self, kind: Kind[T]) -> Repository[T]:
        """The repository of a program's own kind of aggregate, stored like the products'.

        A program on the books may keep records of its own in the same unit of
        work (the demo keeps its progress this way): describe them with a
        :class:`~antfin.books.kinds.Kind` whose name is not one of the products'.

        >>> import attrs
        >>> from antfin import Books
        >>> from antfin.books import Kind
        >>> @attrs.define
        ... class Note:
        ...     note_id: str
        ...     text: str
        >>> NOTES = Kind("note", Note, lambda note: note.note_id, lambda note: "OPEN")
        >>> books = Books.memory()
        >>> with books.transaction() as tx:
        ...     _ = tx.repository(NOTES).add(Note("n1", "call the bank"))
        >>> with books.transaction() as tx:
        ...     tx.repository(NOTES).get("n1").text
        'call the bank'

        Raises:
            antfin.errors.InvalidTransitionError: the kind's name is a product's.
        """
        self._check_open()
        builtin = KINDS.get(kind.name)
        if builtin is not None:
            if builtin is not kind:
                raise InvalidTransitionError(f"{kind.name!r} is the name of a product kind; choose another")
            return self._repository(kind.name)
        repository = self._repositories.get(kind.name)
        if repository is None:
            repository = self._repositories[kind.name] = Repository(self, kind)
        return cast(Repository[T], repository)

    def _finders(self) -> Mapping[type, Callable[[str], Any]]:
        return {Account: self.accounts._reference}  # an account named by another aggregate is read at its first use

    def _on_release(self, release: Release) -> None:
        """A trade paid with Huabei enters its buyer's bill when the seller is paid."""
        trade = self.escrow.find(release.out_trade_no)
        if trade is not None and trade.funded_by is None:  # paid from the wallet: no credit line to tell
            return
        account = self.huabei.find(release.buyer_id)
        if account is not None:
            account.on_escrow_release(release)

    def _flush(self) -> None:
        """Hand every changed aggregate to the ledger's commit, as documents."""
        documents = [document for repository in self._repositories.values() for document in repository._changes()]
        if documents:
            self._ledger.write_documents(documents)

    def _forget(self, name: str) -> None:
        """Detach and drop one repository's objects (a read that walks everything keeps one kind at a time)."""
        repository = self._repositories.pop(name, None)
        if repository is not None:
            for entity in repository._entities():
                _detach(entity)

    def _drop(self, name: str, key: str) -> None:
        """Detach and drop one aggregate (a read that walks everything keeps one at a time)."""
        repository = self._repositories.get(name)
        entity = None if repository is None else repository._drop(key)
        if entity is not None:
            _detach(entity)

    def _end(self) -> None:
        """Detach every object handed out: none may be used once the unit of work is over."""
        self._open = False
        for repository in self._repositories.values():
            for entity in repository._entities():
                _detach(entity)
        self._repositories.clear()

    # -- what a program uses -------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """The ledger, inside this transaction (its entries commit with the products' state)."""
        self._check_open()
        return self._ledger

    @property
    def accounts(self) -> AccountRepository:
        """Alipay accounts by account id."""
        return cast(AccountRepository, self._repository("account"))

    @property
    def escrow(self) -> EscrowRepository:
        """Escrow trades by ``out_trade_no``."""
        return cast(EscrowRepository, self._repository("escrow"))

    @property
    def funds(self) -> FundRepository:
        """Money funds (Yu'ebao) by fund id."""
        return cast(FundRepository, self._repository("fund"))

    @property
    def zhaocaibao(self) -> ZhaocaibaoRepository:
        """The Zhaocaibao platform."""
        return cast(ZhaocaibaoRepository, self._repository("zhaocaibao"))

    @property
    def loans(self) -> LoanRepository:
        """Jiebei and MYbank loans by loan id."""
        return cast(LoanRepository, self._repository("loan"))

    @property
    def huabei(self) -> HuabeiRepository:
        """Huabei accounts by user id."""
        return cast(HuabeiRepository, self._repository("huabei"))

    @property
    def offers(self) -> OfferRepository:
        """Ant Dake offers by offer id."""
        return cast(OfferRepository, self._repository("offer"))

    @property
    def profiles(self) -> ProfileRepository:
        """Credit profiles by subject."""
        return cast(ProfileRepository, self._repository("profile"))

    def advance_to(self, at: datetime) -> tuple[Transition, ...]:
        """Apply what is due by ``at``: escrow timeouts and auto-confirmations, then expired holds.

        Only the trades whose due time has come are read (from the due-time
        index), so a day costs what falls due that day, not the whole history.

        >>> from antfin import Books
        >>> from antfin.calendar import shanghai
        >>> with Books.memory().transaction() as tx:
        ...     tx.advance_to(shanghai(2024, 3, 1))
        ()

        Returns:
            the escrow transitions applied, trade by trade, each oldest first.

        Raises:
            antfin.errors.InvalidTimeError: a naive ``at``.
        """
        when = ensure_aware(at)
        self._check_open()
        applied: list[Transition] = []
        for out_trade_no in self.escrow.due(when):
            applied.extend(self.escrow.get(out_trade_no).advance_to(when))
        self._ledger.expire_holds(when)
        return tuple(applied)
