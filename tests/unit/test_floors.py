"""The house reads from the ground up: no module imports from a floor above its own."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import antfin

ROOT = Path(antfin.__file__).parent
sys.path.insert(0, str(ROOT.parents[1] / "docs" / "_ext"))

import antfin_floors  # noqa: E402 (the floors, as the architecture page draws them: found on the path set above)

#: Floor 1 reads from the ground up too: errors, then money (which raises them), then decisions (whose
#: reasons hold amounts and whose texts format them). A floor-1 module may import the ones listed before it.
FLOOR1_ORDER = ("errors", "money", "decisions")


def _floor(module: str) -> int:
    floor = antfin_floors.floor_of(module)
    assert floor is not None, "the front door antfin is on no floor"
    return floor


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("antfin"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("antfin"))
    return found


MODULES = sorted(
    ("antfin." + ".".join(path.relative_to(ROOT).with_suffix("").parts), path)
    for path in ROOT.rglob("*.py")
    if path.name not in {"__init__.py", "__main__.py"} or path.parent != ROOT
)


@pytest.mark.parametrize(
    ("module", "path"),
    [
        (name, path)
        for name, path in MODULES
        if name.split(".")[1] in {"chart", "decisions", "insurance"} or name.startswith("antfin.credit.joint")
        or name == "antfin.credit.huabei_channels"
    ],
)  # fmt: skip
def test_new_modules_import_only_from_floors_below_or_their_own_package(module: str, path: Path) -> None:
    floor = _floor(module)
    own = module.split(".")[1]
    for imported in _imports(path):
        if imported == "antfin" or imported.split(".")[1] == own:
            continue
        assert (
            _floor(imported) < floor
            or (floor == 4 and _floor(imported) == 4 and imported.count(".") == 1)  # another product's public package
            or _earlier_on_floor1(module, imported)
        ), f"{module} imports {imported} (floor {_floor(imported)} from floor {floor})"


def _earlier_on_floor1(module: str, imported: str) -> bool:
    own, other = module.split(".")[1], imported.split(".")[1]
    if own not in FLOOR1_ORDER or other not in FLOOR1_ORDER:
        return False
    return FLOOR1_ORDER.index(other) < FLOOR1_ORDER.index(own)


def test_floor1_order_is_enforced() -> None:
    assert _earlier_on_floor1("antfin.decisions", "antfin.money")
    assert not _earlier_on_floor1("antfin.money", "antfin.decisions")
    assert not _earlier_on_floor1("antfin.decisions", "antfin.serialization")
