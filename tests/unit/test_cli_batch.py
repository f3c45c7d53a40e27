"""The batch commands: ``holders`` writes synthetic holders, ``distribute`` splits income over them exactly."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from antfin.cli import main
from antfin.wealth import distribute_income

pytest.importorskip("numpy")
pytest.importorskip("dask")
pq = pytest.importorskip("pyarrow.parquet")


def _units(folder: Path) -> list[int]:
    return [unit for path in sorted(folder.glob("*.parquet")) for unit in pq.read_table(path)["units"].to_pylist()]


def _income(folder: Path) -> list[int]:
    return [fen for path in sorted(folder.glob("*.parquet")) for fen in pq.read_table(path)["income"].to_pylist()]


def test_holders_then_distribute_matches_the_pure_path(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["holders", "--count", "5000", "--partitions", "3", "--seed", "1", "--out", str(tmp_path / "h")]) == 0
    units = _units(tmp_path / "h")
    assert len(units) == 5000
    assert 0 in units
    command = ["distribute", "--units", str(tmp_path / "h"), "--income", "1506419.69", "--out", str(tmp_path / "o")]
    assert main(command, out=out) == 0
    assert _income(tmp_path / "o") == distribute_income(150_641_969, units)
    printed = out.getvalue()
    assert "totals: 3 partitions, 5,000 holders" in printed
    assert "done: 5,000 holders" in printed


def test_holders_are_reproducible(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert main(["holders", "--count", "100", "--seed", "9", "--out", str(tmp_path / name), "--quiet"]) == 0
    assert _units(tmp_path / "a") == _units(tmp_path / "b")


def test_holders_columns_are_required(tmp_path: Path) -> None:
    # Never null: declared so, the distribution reads and writes no definition levels for them.
    assert main(["holders", "--count", "10", "--out", str(tmp_path / "h"), "--quiet"]) == 0
    schema = pq.read_schema(tmp_path / "h" / "part-00000.parquet")
    assert schema.names == ["holder", "units"]
    assert not schema.field("holder").nullable
    assert not schema.field("units").nullable


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["holders", "--count", "10", "--out", str(tmp_path / "h"), "--quiet"], out=out) == 0
    command = ["distribute", "--units", str(tmp_path / "h"), "--income", "-0.05", "--out", str(tmp_path / "o")]
    assert main([*command, "--quiet"], out=out) == 0
    assert out.getvalue() == ""
    assert sum(_income(tmp_path / "o")) == -5


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--income", "1.001"], "more than 2 decimal places"),
        (["--income", "lots"], "--income 'lots'"),
        (["--units", "missing"], "no Parquet file or directory"),
        (["--out", "h"], "refusing to overwrite"),
        (["--column", "shares"], "no column 'shares'"),
    ],
)
def test_errors_print_one_line_and_exit_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    words: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["holders", "--count", "10", "--out", "h", "--quiet"]) == 0
    options = {"--units": "h", "--income": "1.00", "--out": "o"}
    options.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    command = ["distribute", *[part for pair in options.items() for part in pair]]
    assert main([*command, "--quiet"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ")
    assert words in error
    assert error.count("\n") == 1


def test_python_dash_m_error_has_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "antfin",
            "distribute",
            "--units",
            str(tmp_path / "none"),
            "--income",
            "1",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: no Parquet file or directory")
