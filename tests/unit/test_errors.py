"""The error hierarchy: one root, every subclass also a matching built-in."""

from __future__ import annotations

import inspect

import pytest

from antfin import errors
from antfin.errors import AntfinError, NotFoundError

BUILTIN_BASES = (ValueError, KeyError, RuntimeError, TypeError, LookupError)


def public_errors() -> list[type[AntfinError]]:
    return [getattr(errors, name) for name in errors.__all__ if name != "AntfinError"]


def test_all_is_sorted_and_complete() -> None:
    assert errors.__all__ == sorted(errors.__all__)
    defined = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == errors.__name__
    }
    assert defined == set(errors.__all__)


@pytest.mark.parametrize("error", public_errors(), ids=lambda error: error.__name__)
def test_every_error_is_an_antfin_error_and_a_builtin(error: type[AntfinError]) -> None:
    assert issubclass(error, AntfinError)
    assert issubclass(error, BUILTIN_BASES), f"{error.__name__} must also inherit a built-in exception"
    assert error.__doc__
    assert ">>>" in error.__doc__


def test_root_is_an_exception_but_not_a_builtin_category() -> None:
    assert issubclass(AntfinError, Exception)
    assert not issubclass(AntfinError, BUILTIN_BASES)


def test_catching_the_builtin_catches_the_antfin_error() -> None:
    with pytest.raises(ValueError, match="must be a finite number"):
        raise errors.InvalidAmountError("amount must be a finite number, got 'NaN'")
    with pytest.raises(LookupError, match="no account 'x'"):
        raise NotFoundError("no account 'x'")


def test_not_found_message_is_not_quoted_like_key_error() -> None:
    assert str(NotFoundError("no account 'wallet:1'")) == "no account 'wallet:1'"
    assert str(NotFoundError()) == ""


def test_outside_coverage_is_a_time_error() -> None:
    assert issubclass(errors.OutsideCoverageError, errors.InvalidTimeError)
    assert issubclass(errors.OutsideCoverageError, ValueError)
