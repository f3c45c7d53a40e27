"""The top-level package is lazy: a low floor (money) loads no product, and every name still resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

import antfin

PRODUCTS = (
    "antfin.payments",
    "antfin.wealth",
    "antfin.credit",
    "antfin.crowdfunding",
    "antfin.insurance",
    "antfin.books",
    "antfin.ecosystem",
)


def loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(output.split())


def test_import_antfin_money_loads_no_product() -> None:
    modules = loaded_after("import antfin.money")
    assert "antfin.money" in modules
    assert not {name for name in modules if name.startswith(PRODUCTS)}


def test_import_antfin_loads_no_product_until_a_name_is_used() -> None:
    assert not {name for name in loaded_after("import antfin") if name.startswith(PRODUCTS)}
    modules = loaded_after("from antfin import Money, EscrowTrade")
    assert "antfin.payments" in modules
    assert "antfin.wealth" not in modules


def test_every_exported_name_resolves_and_is_listed() -> None:
    from antfin import CNY, Books, EscrowTrade, Money  # noqa: F401

    for name in antfin.__all__:
        assert getattr(antfin, name) is not None
    assert set(antfin.__all__) <= set(dir(antfin))
    assert antfin.wealth.MoneyFund is antfin.MoneyFund
    assert antfin.__version__


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        antfin.NoSuchThing  # noqa: B018
