"""One exception hierarchy for the whole library.

Every error antfin raises derives from :class:`AntfinError`, and every subclass
also inherits the built-in exception that matches its meaning, so callers can
catch either ``antfin.errors.InvalidAmountError`` or plain ``ValueError``.

>>> from antfin import CNY
>>> from antfin.errors import AntfinError, InvalidAmountError
>>> try:
...     CNY("1.001")
... except InvalidAmountError as error:
...     isinstance(error, ValueError) and isinstance(error, AntfinError)
True

Business rules are never ``assert`` statements: a refused operation raises one
of these errors and changes nothing.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

__all__ = [
    "AntfinError",
    "BatchError",
    "ConcurrencyError",
    "CurrencyMismatchError",
    "DetachedError",
    "IdempotencyConflictError",
    "InsufficientFundsError",
    "InvalidAmountError",
    "InvalidTimeError",
    "InvalidTransitionError",
    "InvariantViolationError",
    "LimitExceededError",
    "NotFoundError",
    "OutsideCoverageError",
    "PolicyViolationError",
    "SchemaError",
    "SerializationError",
    "StoreError",
    "UnbalancedEntryError",
]


class AntfinError(Exception):
    """Root of every error antfin raises.

    >>> from antfin.errors import AntfinError, NotFoundError
    >>> issubclass(NotFoundError, AntfinError)
    True

    .. versionadded:: 0.1.0
    """


class InvalidAmountError(AntfinError, ValueError):
    """An amount or rate is not acceptable: NaN, infinite, negative where it must
    not be, or more precise than allowed without a rounding mode.

    >>> from antfin import CNY
    >>> CNY("NaN")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidAmountError: amount must be a finite number, got 'NaN'

    .. versionadded:: 0.1.0
    """


class CurrencyMismatchError(AntfinError, ValueError):
    """Two amounts in different currencies were combined.

    >>> from antfin import Money
    >>> Money("1", "CNY") + Money("1", "USD")
    Traceback (most recent call last):
    ...
    antfin.errors.CurrencyMismatchError: cannot combine CNY and USD amounts

    .. versionadded:: 0.1.0
    """


class InvalidTimeError(AntfinError, ValueError):
    """A datetime is naive, out of range or otherwise unusable.

    >>> from datetime import datetime
    >>> from antfin.calendar import ensure_aware
    >>> ensure_aware(datetime(2024, 1, 1), "at")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidTimeError: at must be an aware datetime (with tzinfo), got naive 2024-01-01 00:00:00

    .. versionadded:: 0.1.0
    """


class OutsideCoverageError(InvalidTimeError):
    """A date lies outside the range a calendar or dated table knows about.

    >>> from antfin.errors import OutsideCoverageError, InvalidTimeError
    >>> issubclass(OutsideCoverageError, InvalidTimeError)
    True

    .. versionadded:: 0.1.0
    """


class InvalidTransitionError(AntfinError, RuntimeError):
    """An entity was asked to do something its current state does not allow.

    >>> from antfin.errors import InvalidTransitionError
    >>> issubclass(InvalidTransitionError, RuntimeError)
    True

    .. versionadded:: 0.1.0
    """


class InsufficientFundsError(AntfinError, ValueError):
    """An account that may not go negative would go below zero.

    >>> from antfin.errors import InsufficientFundsError
    >>> issubclass(InsufficientFundsError, ValueError)
    True

    .. versionadded:: 0.1.0
    """


class LimitExceededError(AntfinError, ValueError):
    """A limit (a class-I account cap, a fast-redemption quota, a credit line)
    would be exceeded. The message names the limit, what is used and what was
    asked.

    >>> from antfin.errors import LimitExceededError
    >>> issubclass(LimitExceededError, ValueError)
    True

    .. versionadded:: 0.1.0
    """


class PolicyViolationError(AntfinError, ValueError):
    """An operation breaks a product rule (an unqualified investor, a ticket
    below the minimum, a subscription after the close).

    >>> from antfin.errors import PolicyViolationError
    >>> issubclass(PolicyViolationError, ValueError)
    True

    .. versionadded:: 0.1.0
    """


class SerializationError(AntfinError, ValueError):
    """JSON data does not describe a valid antfin value; the message names the field.

    >>> from antfin.errors import SerializationError
    >>> issubclass(SerializationError, ValueError)
    True

    .. versionadded:: 0.1.0
    """


class UnbalancedEntryError(AntfinError, ValueError):
    """A journal entry's debits and credits differ in some currency.

    >>> from antfin.errors import UnbalancedEntryError
    >>> issubclass(UnbalancedEntryError, ValueError)
    True

    .. versionadded:: 0.1.0
    """


class IdempotencyConflictError(AntfinError, ValueError):
    """A caller key was reused with different parameters.

    >>> from antfin.errors import IdempotencyConflictError
    >>> issubclass(IdempotencyConflictError, ValueError)
    True

    .. versionadded:: 0.1.0
    """


class InvariantViolationError(AntfinError, RuntimeError):
    """A ledger or product invariant does not hold: a bug or corrupted data.

    >>> from antfin.errors import InvariantViolationError
    >>> issubclass(InvariantViolationError, RuntimeError)
    True

    .. versionadded:: 0.1.0
    """


class NotFoundError(AntfinError, KeyError):
    """An account, hold, trade or other object does not exist.

    >>> from antfin.errors import NotFoundError
    >>> issubclass(NotFoundError, KeyError)
    True

    .. versionadded:: 0.1.0
    """

    def __str__(self) -> str:
        # KeyError quotes its argument; a readable message is more useful.
        return str(self.args[0]) if self.args else ""


class BatchError(AntfinError, ValueError):
    """An operation of an atomic batch failed, so none of the batch was applied.

    The message names the first failing operation (its index and value); the
    original error is chained as ``__cause__``.

    >>> from antfin.errors import BatchError, InsufficientFundsError
    >>> error = BatchError("operation 2 failed", index=2, operation="op")
    >>> error.index, error.operation, isinstance(error, ValueError)
    (2, 'op', True)

    Attributes:
        index: position of the failing operation in the batch (from 0).
        operation: the failing operation itself.

    .. versionadded:: 0.1.0
    """

    def __init__(self, message: str, *, index: int, operation: object) -> None:
        super().__init__(message)
        self.index = index
        self.operation = operation

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments need help to survive pickling (multiprocessing).
        return (_rebuild_batch_error, (str(self), self.index, self.operation))


def _rebuild_batch_error(message: str, index: int, operation: object) -> BatchError:
    return BatchError(message, index=index, operation=operation)


class StoreError(AntfinError, RuntimeError):
    """The database behind the books or the ledger refused or failed: nothing was written.

    Raised for a file that is not a database, a folder that does not exist or
    cannot be written, a lock held by another writer for longer than the
    timeout, or a connection that broke mid-transaction. The transaction it
    interrupted is rolled back as a whole.

    >>> from antfin.errors import StoreError
    >>> issubclass(StoreError, RuntimeError)
    True

    .. versionadded:: 0.2.0
    """


class SchemaError(StoreError):
    """A database is not antfin's, or holds a schema version this antfin does not read.

    Refused before anything is written to it.

    >>> from antfin.errors import SchemaError, StoreError
    >>> issubclass(SchemaError, StoreError)
    True

    .. versionadded:: 0.2.0
    """


class ConcurrencyError(StoreError):
    """Another process changed the same record first, and retrying did not resolve it.

    >>> from antfin.errors import ConcurrencyError
    >>> str(ConcurrencyError("trade T1 changed underneath us"))
    'trade T1 changed underneath us'

    .. versionadded:: 0.2.0
    """


class DetachedError(AntfinError, RuntimeError):
    """An object taken from a books transaction was used after that transaction ended.

    Take it again from a new transaction: objects never outlive their unit of
    work, so nobody acts on a stale copy.

    >>> from antfin.errors import DetachedError
    >>> issubclass(DetachedError, RuntimeError)
    True

    .. versionadded:: 0.2.0
    """
