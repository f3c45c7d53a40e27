"""The floors of antfin, and the imports between them, read from the source with ``ast``.

antfin is built like a house: each floor may use the floors below it, never one
above. This module maps every module of ``src/antfin`` to its floor and lists its
imports of other antfin modules, so that the architecture picture
(``docs/_ext/antfin_figures.py``) and the layering test (``tests/docs``) read
the same facts from the same code. It imports nothing of antfin: it only parses.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FLOORS", "PACKAGE", "Import", "Module", "floor_of", "imports", "modules", "upward"]

#: ``src/antfin``, found from this file (``docs/_ext/antfin_floors.py``).
PACKAGE = Path(__file__).resolve().parents[2] / "src" / "antfin"

#: The floors, bottom up: (number, name, the top-level modules or packages on it).
FLOORS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "core",
        (
            "money",
            "money_allocation",
            "money_format",
            "rates",
            "validators",
            "calendar",
            "errors",
            "decisions",
            "idempotency",
            "archive",
            "tables",
            "serialization",
            "serialization_common",
            "serialization_dump",
            "serialization_load",
            "serialization_fast",
        ),
    ),
    (2, "ledger", ("ledger",)),
    (3, "chart", ("chart",)),
    (4, "products", ("payments", "wealth", "credit", "crowdfunding", "insurance")),
    (5, "books", ("books",)),
    (6, "ecosystem", ("ecosystem",)),
    (7, "cli", ("cli", "cli_batch", "__main__")),
)
#: The package's front door (``antfin/__init__.py``): it re-exports names from every floor and is on none.
FACADE = "antfin"

_FLOOR_OF_TOP = {top: number for number, _, tops in FLOORS for top in tops}


@dataclass(frozen=True)
class Import:
    """One import of an antfin module by another, where it is written."""

    importer: str
    imported: str
    line: int
    #: Inside a function (imported when called: how a few cycles are broken), not at the top of the module.
    deferred: bool
    #: Under ``if TYPE_CHECKING:`` (for the type checker only, never at run time).
    type_only: bool


@dataclass(frozen=True)
class Module:
    """A module of ``src/antfin``: its dotted name and its file."""

    name: str
    path: Path


def modules(package: Path = PACKAGE) -> list[Module]:
    """Every module of the package, sorted by name (a package is its ``__init__``)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(Module(".".join(("antfin", *parts)), path))
    return found


def floor_of(module: str) -> int | None:
    """The floor of a dotted module name, or ``None`` for the front door ``antfin`` itself.

    Raises:
        KeyError: a module of antfin that is on no floor (add it to :data:`FLOORS`).
    """
    parts = module.split(".")
    if parts[0] != "antfin":
        raise KeyError(f"{module!r} is not a module of antfin")
    if len(parts) == 1:
        return None
    return _FLOOR_OF_TOP[parts[1]]


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    """The absolute name a ``from ... import`` refers to."""
    if not node.level:
        return node.module or ""
    package = module.name.split(".")
    if module.path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _walk(node: ast.AST, deferred: bool, type_only: bool) -> Iterator[tuple[ast.AST, bool, bool]]:
    yield node, deferred, type_only
    for child in ast.iter_child_nodes(node):
        inner_deferred = deferred or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        inner_type_only = type_only or (
            isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) and child in node.body
        )
        yield from _walk(child, inner_deferred, inner_type_only)


def imports(package: Path = PACKAGE) -> list[Import]:
    """Every import of an antfin module by a module of the package, with where it is written.

    ``from antfin import chart`` is an import of ``antfin.chart``; ``from antfin import CNY``
    is one of the front door ``antfin``.
    """
    known = {module.name for module in modules(package)}
    found: list[Import] = []
    for module in modules(package):
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        for node, deferred, type_only in _walk(tree, False, False):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, node)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
            for target in dict.fromkeys(targets):
                if target == "antfin" or target.startswith("antfin."):
                    line = getattr(node, "lineno", 0)
                    found.append(Import(module.name, target, line, deferred, type_only))
    return found


def upward(found: list[Import] | None = None) -> list[Import]:
    """The imports of a module from a floor above its own.

    The front door re-exports every floor, so it may import anything, and importing it
    counts as importing from the top floor.
    """
    top = FLOORS[-1][0]
    result = []
    for item in imports() if found is None else found:
        below, above = floor_of(item.importer), floor_of(item.imported)
        if below is not None and (top if above is None else above) > below:
            result.append(item)
    return result
