"""The Dask + Parquet distribution equals the pure one holder by holder, without gathering the holders."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from antfin import CNY
from antfin.errors import InvalidAmountError, NotFoundError, PolicyViolationError
from antfin.wealth import distribute_income

np = pytest.importorskip("numpy")
pytest.importorskip("dask")
pytest.importorskip("pyarrow")
partitioned = pytest.importorskip("antfin.wealth.partitioned")
holder_files = pytest.importorskip("antfin.wealth.holder_files")
vectorized = pytest.importorskip("antfin.wealth.vectorized")

distribute_income_parquet = partitioned.distribute_income_parquet
read_income = holder_files.read_income
write_holders = holder_files.write_holders

unit_values = st.one_of(
    st.just(0), st.integers(0, 6), st.integers(0, 10**9), st.integers(0, 2**62), st.integers(0, 2**64 - 1)
)
incomes = st.one_of(st.integers(-1000, 1000), st.integers(-(10**12), 10**12), st.integers(-(2**62), 2**62))
partition_lists = st.lists(st.lists(unit_values, max_size=12), min_size=1, max_size=4)


def run(income: int, partitions: list[list[int]], **options: Any) -> tuple[list[int], Any]:
    with tempfile.TemporaryDirectory() as folder:
        write_holders(Path(folder) / "in", partitions)
        summary = distribute_income_parquet(
            income, Path(folder) / "in", Path(folder) / "out", scheduler="synchronous", **options
        )
        return read_income(Path(folder) / "out").tolist(), summary


@pytest.fixture
def small_bands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny samples and bands, so that the selection needs several rounds (and bisection) on small inputs."""
    monkeypatch.setattr(partitioned, "_SAMPLE_SIZE", 4)
    monkeypatch.setattr(partitioned, "_BAND_LIMIT", 4)
    monkeypatch.setattr(partitioned, "_PIECE_LIMIT", 1)


def _with_a_holder(partitions: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    flat = [unit for part in partitions for unit in part]
    if not any(flat):
        partitions = [*partitions[:-1], [*partitions[-1], 1]]
        flat = [*flat, 1]
    return partitions, flat


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incomes, partition_lists)
@example(100, [[1, 1], [1]])
@example(-7, [[5]])  # one holder takes everything
@example(0, [[0], [3]])
@example(150_641_969, [[10**15], [], [3 * 10**15 + 1, 7]])
@example(-(10**9), [[2**62, 1], [2**63 + 5]])
def test_dask_equals_vectorized_equals_pure(income: int, partitions: list[list[int]]) -> None:
    partitions, flat = _with_a_holder(partitions)
    expected = distribute_income(income, flat)
    assert vectorized.distribute_income_array(income, flat).tolist() == expected
    got, summary = run(income, partitions)
    assert got == expected
    assert summary.holders == len(flat)
    assert summary.total_units == sum(flat)


# The fixture's patched limits are the same for every example, so sharing it across them is fine.
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(incomes, st.lists(st.lists(st.integers(0, 4), max_size=30), min_size=1, max_size=4))
@example(10**9 + 7, [[1] * 30, [1] * 30])  # every remainder ties: the counts settle it
def test_many_rounds_of_selection_stay_exact(small_bands: None, income: int, partitions: list[list[int]]) -> None:
    partitions, flat = _with_a_holder(partitions)
    got, summary = run(income, partitions)
    assert got == distribute_income(income, flat)
    assert summary.leftover == 0 or summary.selection_rounds >= 1


def test_larger_input_with_ties_and_progress(small_bands: None) -> None:
    rng = np.random.default_rng(7)
    parts = [rng.integers(0, 10**8, size).tolist() for size in (500, 0, 1200, 300)]
    parts[2][::5] = [4242] * len(parts[2][::5])
    lines: list[str] = []
    got, summary = run(150_641_969, parts, progress=lines.append)
    assert got == distribute_income(150_641_969, [unit for part in parts for unit in part])
    assert summary.selection_rounds > 1
    assert any(line.startswith("threshold remainder") for line in lines)
    assert lines[-1].startswith("written: 2,000 holders")


def test_output_keeps_holder_ids_and_one_file_per_row_group(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"holder": [10, 11, 12, 13], "units": [1, 2, 3, 4]})
    pq.write_table(table, tmp_path / "one.parquet", row_group_size=3)
    summary = distribute_income_parquet(CNY("0.10"), tmp_path / "one.parquet", tmp_path / "out", scheduler="sync")
    assert summary.partitions == 2
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    first = pq.read_table(tmp_path / "out" / "part-00000.parquet")
    assert first.column_names == ["holder", "income"]
    assert first.column("holder").to_pylist() == [10, 11, 12]
    group = pq.read_metadata(tmp_path / "out" / "part-00000.parquet").row_group(0)
    assert group.column(0).is_stats_set  # holder ids keep their min/max for lookups
    assert not group.column(1).is_stats_set
    assert read_income(tmp_path / "out").tolist() == distribute_income(10, [1, 2, 3, 4])


def test_required_columns_stay_required_and_are_written_as_byte_streams(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field("holder", pa.int64(), nullable=False), pa.field("units", pa.int64(), nullable=False)])
    table = pa.table([pa.array(range(100, 160)), pa.array([unit * 7919 % 1000 for unit in range(60)])], schema=schema)
    pq.write_table(table, tmp_path / "required.parquet", row_group_size=25)
    distribute_income_parquet(-150_641_969, tmp_path / "required.parquet", tmp_path / "out", scheduler="sync")
    assert read_income(tmp_path / "out").tolist() == distribute_income(-150_641_969, table["units"].to_pylist())
    written = pq.read_table(tmp_path / "out")
    assert written.schema == pa.schema([schema.field("holder"), pa.field("income", pa.int64(), nullable=False)])
    assert written.column("holder").to_pylist() == list(range(100, 160))
    chunk = pq.read_metadata(tmp_path / "out" / "part-00000.parquet").row_group(0)
    for column in (chunk.column(0), chunk.column(1)):
        assert "BYTE_STREAM_SPLIT" in column.encodings
        assert column.compression == "LZ4"  # pyarrow writes LZ4_RAW (the framed LZ4 is deprecated)
    assert chunk.column(0).is_stats_set


def test_nullable_columns_stay_nullable_and_delta_encoded(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    write_holders(tmp_path / "in", [[5, 0, 3], [7]])  # nullable columns, as pyarrow writes by default
    distribute_income_parquet(1001, tmp_path / "in", tmp_path / "out", scheduler="sync")
    written = pq.read_table(tmp_path / "out")
    assert written.schema.field("holder").nullable
    assert not written.schema.field("income").nullable  # the income is never null
    chunk = pq.read_metadata(tmp_path / "out" / "part-00000.parquet").row_group(0)
    assert "DELTA_BINARY_PACKED" in chunk.column(0).encodings
    assert "BYTE_STREAM_SPLIT" in chunk.column(1).encodings


def test_integer_columns_are_delta_encoded_before_pyarrow_16(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa

    schema = pa.schema([pa.field("holder", pa.int64(), nullable=False), pa.field("name", pa.string())])
    assert holder_files._encodings(schema)["column_encoding"] == {"holder": "BYTE_STREAM_SPLIT"}
    monkeypatch.setattr(pa, "__version__", "15.0.2")
    assert holder_files._encodings(schema) == {
        "use_dictionary": ["name"],
        "column_encoding": {"holder": "DELTA_BINARY_PACKED"},
        "compression": {"holder": "none", "name": "snappy"},
    }


def test_zero_income_writes_zeros() -> None:
    got, summary = run(0, [[0, 5], [0]])
    assert got == [0, 0, 0]
    assert summary.leftover == 0
    assert summary.threshold is None


def test_refusals(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    write_holders(tmp_path / "zero", [[0, 0]])
    with pytest.raises(InvalidAmountError, match="at least one positive"):
        distribute_income_parquet(5, tmp_path / "zero", tmp_path / "o1", scheduler="sync")
    pq.write_table(pa.table({"units": [3, -1]}), tmp_path / "negative.parquet")
    with pytest.raises(InvalidAmountError, match="negative"):
        distribute_income_parquet(5, tmp_path / "negative.parquet", tmp_path / "o2", scheduler="sync")
    pq.write_table(pa.table({"units": [1.5, 1.0]}), tmp_path / "float.parquet")
    with pytest.raises(InvalidAmountError, match="not integers"):
        distribute_income_parquet(5, tmp_path / "float.parquet", tmp_path / "o3", scheduler="sync")
    pq.write_table(pa.table({"units": [1, None]}), tmp_path / "null.parquet")
    with pytest.raises(InvalidAmountError, match="null"):
        distribute_income_parquet(5, tmp_path / "null.parquet", tmp_path / "o4", scheduler="sync")
    with pytest.raises(NotFoundError, match="no column 'shares'"):
        distribute_income_parquet(5, tmp_path / "zero", tmp_path / "o5", column="shares", scheduler="sync")
    with pytest.raises(NotFoundError, match="no Parquet file"):
        distribute_income_parquet(5, tmp_path / "missing", tmp_path / "o6", scheduler="sync")
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotFoundError, match=r"no \*\.parquet"):
        distribute_income_parquet(5, tmp_path / "empty", tmp_path / "o7", scheduler="sync")
    with pytest.raises(PolicyViolationError, match="refusing to overwrite"):
        distribute_income_parquet(5, tmp_path / "zero", tmp_path / "zero", scheduler="sync")
    with pytest.raises(TypeError, match="float"):
        distribute_income_parquet(1.5, tmp_path / "zero", tmp_path / "o8", scheduler="sync")
    with pytest.raises(InvalidAmountError, match="int64 income column"):
        distribute_income_parquet(2**63, tmp_path / "zero", tmp_path / "o9", scheduler="sync")
    # A refusal writes nothing.
    assert not any(tmp_path.glob("o*"))


def test_on_a_distributed_local_cluster_of_two_workers(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(19)
    parts = [rng.integers(0, 10**8, 2000).tolist() for _ in range(4)]
    write_holders(tmp_path / "in", parts)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = distribute_income_parquet(150_641_969, tmp_path / "in", tmp_path / "out", scheduler=client)
    assert summary.holders == 8000
    flat = [unit for part in parts for unit in part]
    assert read_income(tmp_path / "out").tolist() == distribute_income(150_641_969, flat)


def test_without_the_units_cache_the_result_is_the_same() -> None:
    parts = [[5, 0, 3], [7, 7], [1]]
    flat = [unit for part in parts for unit in part]
    assert run(1001, parts, cache_units=False)[0] == run(1001, parts)[0] == distribute_income(1001, flat)


@pytest.fixture
def small_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task per three holders or so, so that tasks span several partitions."""
    monkeypatch.setattr(partitioned, "_TASK_HOLDERS", 3)
    monkeypatch.setattr(partitioned, "_TASKS_PER_THREAD", 1)
    monkeypatch.setattr(partitioned, "_threads", lambda scheduler: 1)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(incomes, partition_lists, st.booleans())
@example(10**9 + 7, [[1, 1, 1], [1, 1], [1]], False)  # every remainder ties, across partitions and tasks
@example(7, [[0, 0], [0, 5], []], True)  # zero units and an empty partition
@example(-3, [[2**64 - 1], [1, 2**63]], False)  # units beyond int64 in some partitions only
def test_partitions_grouped_in_tasks_stay_exact(
    small_tasks: None, income: int, partitions: list[list[int]], cache: bool
) -> None:
    partitions, flat = _with_a_holder(partitions)
    got, summary = run(income, partitions, cache_units=cache)
    assert got == distribute_income(income, flat)
    assert summary.partitions == len(partitions)


def test_ties_across_partitions_go_to_the_earlier_holders(small_bands: None, small_tasks: None) -> None:
    # 100 fen over 7 equal holdings: 14 each, 2 left over, to the first two holders (first partition, then next).
    parts = [[3], [3, 3], [], [3, 3, 3, 3]]
    got, summary = run(100, parts)
    assert got == [15, 15, 14, 14, 14, 14, 14] == distribute_income(100, [3] * 7)
    assert summary.leftover == 2
    got, summary = run(-100, [[], [3], [3, 3, 3, 3, 3, 3]])
    assert got == [-15, -15, -14, -14, -14, -14, -14]


def test_one_holder_takes_everything() -> None:
    got, summary = run(2**63 - 1, [[1]])
    assert got == [2**63 - 1]
    assert summary.leftover == 0
    assert run(-12345, [[0], [], [7], [0]])[0] == [0, -12345, 0]


def test_a_poor_guess_of_the_leftover_only_costs_rounds(monkeypatch: pytest.MonkeyPatch, small_bands: None) -> None:
    # The band of the first pass is guessed from a sample of the units; with a tiny sample the guess is poor,
    # and the selection corrects it with more passes, never the fen.
    monkeypatch.setattr(partitioned, "_SAMPLE_SIZE", 1)
    rng = np.random.default_rng(3)
    parts = [rng.integers(0, 10**6, size).tolist() for size in (700, 1, 900)]
    flat = [unit for part in parts for unit in part]
    for income in (1, 999, 150_641_969, -(10**12) - 1):
        assert run(income, parts)[0] == distribute_income(income, flat)


def test_tasks_group_consecutive_partitions() -> None:
    pieces = [("a", 0), ("a", 1), ("b", 0), ("c", 0)]
    assert partitioned._groups(pieces, [5, 5, 5, 5], 1) == [[("a", 0)], [("a", 1)], [("b", 0)], [("c", 0)]]
    many = [("d", group) for group in range(40)]
    assert partitioned._groups(many, [1] * 40, 1) == [many[:10], many[10:20], many[20:30], many[30:]]
    assert partitioned._groups(many, [1] * 40, 2) == [many[start : start + 5] for start in range(0, 40, 5)]
    assert [len(group) for group in partitioned._groups(many, [1] * 40, 3)] == [4, 3, 3] * 4  # a multiple of 3
    # Empty partitions at the end join the last group; one at the start, the first.
    assert partitioned._groups(pieces, [0, 5, 5, 0], 1) == [[("a", 0), ("a", 1)], [("b", 0), ("c", 0)]]
    assert partitioned._groups(pieces, [0, 0, 0, 0], 2) == [pieces]
    assert partitioned._threads("synchronous") >= 1


def test_tasks_share_the_rows_evenly_in_a_multiple_of_the_threads() -> None:
    pieces = [("e", group) for group in range(100)]
    for threads in (1, 2, 3, 7):
        groups = partitioned._groups(pieces, [10**6] * 100, threads)
        assert [piece for group in groups for piece in group] == pieces  # consecutive, in order
        assert len(groups) % threads == 0
        assert len(groups) >= partitioned._TASKS_PER_THREAD * threads
        assert max(map(len, groups)) - min(map(len, groups)) <= 1
    # Large inputs: groups of at most _TASK_HOLDERS rows, still a multiple of the threads.
    large = partitioned._groups(pieces, [partitioned._TASK_HOLDERS // 4] * 100, 2)
    assert len(large) == 26
    assert all(len(group) in (3, 4) for group in large)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 1000), st.integers(0, 2**40)), min_size=1, max_size=30),
    st.one_of(st.integers(1, 10**6), st.integers(1, 2**61)),
    st.integers(0, 2**40),
    st.integers(-1, 40),
)
@example([5, 5, 5], 100, 0, 0)  # every remainder equals the threshold: none gets the fen
@example([5, 5, 5], 100, 0, 3)  # threshold 0, the smallest: every positive remainder gets it
@example([2, 3], 7, 4, 4)  # threshold total - 1, the largest: no remainder gets it
def test_shares_in_one_division_equal_floors_and_remainders(
    units: list[int], income: int, extra: int, pick: int
) -> None:
    array = np.array(units, dtype=np.int64)
    total = sum(units) + extra
    if total == 0 or total >= 2**62:
        return
    remainders = vectorized._floors_and_remainders(income, array, total)[1].tolist()
    candidates = [*remainders, 0, total - 1]
    threshold = None if pick < 0 else candidates[pick % len(candidates)]
    expected = partitioned._with_ties(array, income, total, threshold, 0).copy()
    shares = partitioned._shares(array, income, total, threshold)
    if shares is not None:  # None when int64 cannot hold rest × u + total - threshold - 1
        assert shares.tolist() == expected.tolist()


def test_shares_fall_back_when_int64_cannot_hold_them() -> None:
    assert partitioned._shares(np.array([5, 5, 5]), 100, 15, 5).tolist() == [33, 33, 33]
    assert partitioned._shares(np.array([5, 5, 5]), 100, 15, 4).tolist() == [34, 34, 34]
    assert partitioned._shares(np.array([2**40]), 2**40 - 1, 2**60, 0) is None  # rest × u + offset past 2**63
    assert partitioned._shares(np.array([1]), 0, 1, None) is None


def test_scratch_arrays_never_leak_between_partitions() -> None:
    # The write pass computes every partition in the same scratch arrays: a later, shorter partition
    # must not see an earlier one's values, whatever the order of sizes.
    parts = [[10**8] * 5, [1], [10**8, 3] * 4, []]
    flat = [unit for part in parts for unit in part]
    assert run(10**10 + 3, parts)[0] == distribute_income(10**10 + 3, flat)


# --- The files' metadata: a total, a count and a sample of units that the first pass trusts only once checked.

FORGERIES = ("present", "absent", "total", "count", "sample", "column", "garbage", "balanced")


def forge(folder: Path, how: str, delta: int) -> None:
    """Rewrite the holder files' metadata: keep it, drop it, or lie in one of several ways."""
    import pyarrow.parquet as pq

    files = sorted(folder.glob("*.parquet"))
    for index, name in enumerate(files):
        table = pq.read_table(name)
        metadata = dict(pq.ParquetFile(name).metadata.metadata or {})
        total = int(metadata[b"antfin.units.total"])
        if how == "absent":
            metadata = {}
        elif how == "total" and index == 0:
            metadata[b"antfin.units.total"] = str(max(0, total + delta)).encode()
        elif how == "count" and index == len(files) - 1:
            metadata[b"antfin.units.count"] = str(table.num_rows + 1 + abs(delta) % 5).encode()
        elif how == "sample":  # any values at all, even negative or past the total
            values = np.array([delta, -delta, 2**62, 0, abs(delta) % 1000], dtype="<i8")
            metadata[b"antfin.units.sample"] = base64.b64encode(values.tobytes())
            metadata[b"antfin.units.sample_stride"] = str(1 + abs(delta) % 3).encode()
        elif how == "column":
            metadata[b"antfin.units.column"] = b"holder"
        elif how == "garbage":
            metadata[b"antfin.units.total"] = b"many"
            metadata[b"antfin.units.sample"] = b"%%% not base64"
        elif how == "balanced" and len(files) > 1 and index < 2:  # wrong per file, right in sum
            metadata[b"antfin.units.total"] = str(total + (delta if index == 0 else -delta)).encode()
        name.unlink()
        holder_files._write_with_metadata(table, str(name), metadata)


def run_forged(income: int, partitions: list[list[int]], how: str, delta: int, **options: Any) -> tuple[list[int], Any]:
    with tempfile.TemporaryDirectory() as folder:
        write_holders(Path(folder) / "in", partitions)
        forge(Path(folder) / "in", how, delta)
        summary = distribute_income_parquet(
            income, Path(folder) / "in", Path(folder) / "out", scheduler="synchronous", **options
        )
        return read_income(Path(folder) / "out").tolist(), summary


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incomes, partition_lists, st.sampled_from(FORGERIES), st.integers(-(10**6), 10**6))
@example(100, [[1, 1], [1]], "total", 1)  # one unit too many claimed
@example(100, [[1, 1], [1]], "total", -3)  # a claimed total of zero
@example(-(10**9), [[2**62, 1], [2**63 + 5]], "present", 0)  # units past int64: no sample, a total past 2**62
@example(150_641_969, [[10**15], [], [3 * 10**15 + 1, 7]], "balanced", 10**6)
@example(7, [[0, 0], [0, 5], []], "sample", 123)
def test_the_files_metadata_never_changes_the_fen(
    income: int, partitions: list[list[int]], how: str, delta: int
) -> None:
    partitions, flat = _with_a_holder(partitions)
    got, summary = run_forged(income, partitions, how, delta)
    assert got == distribute_income(income, flat)
    assert summary.total_units == sum(flat)
    assert summary.holders == len(flat)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(incomes, st.lists(st.lists(st.integers(0, 4), max_size=30), min_size=1, max_size=4), st.sampled_from(FORGERIES))
def test_forged_metadata_with_many_rounds_of_selection_stays_exact(
    small_bands: None, income: int, partitions: list[list[int]], how: str
) -> None:
    partitions, flat = _with_a_holder(partitions)
    assert run_forged(income, partitions, how, 2)[0] == distribute_income(income, flat)


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the tasks of each pass (the synchronous scheduler runs them in this process)."""
    counts = {"scan": 0, "band": 0, "write": 0}
    for name, function in (("scan", "_group_scan"), ("band", "_group_band"), ("write", "_group_write")):
        original = getattr(partitioned, function)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            counts[_name] += 1
            return _original(*args)

        monkeypatch.setattr(partitioned, function, counted)
    return counts


def test_with_true_metadata_two_passes_suffice(passes: dict[str, int]) -> None:
    rng = np.random.default_rng(11)
    parts = [rng.integers(0, 10**8, size).tolist() for size in (3000, 2000, 0, 2500)]
    lines: list[str] = []
    got, summary = run(150_641_969, parts, progress=lines.append)
    assert got == distribute_income(150_641_969, [unit for part in parts for unit in part])
    # A task per group of partitions and pass: the totals and the selection in one pass, then the write.
    assert passes["band"] == 0
    assert passes["scan"] == passes["write"] > 0
    assert summary.selection_rounds == 1
    assert not any("claimed" in line for line in lines)


@pytest.mark.parametrize("how", ["absent", "total", "count", "column", "garbage"])
def test_without_metadata_or_with_a_false_one_three_passes(passes: dict[str, int], how: str) -> None:
    rng = np.random.default_rng(12)
    parts = [rng.integers(0, 10**8, size).tolist() for size in (3000, 2000, 0, 2500)]
    lines: list[str] = []
    got = run_forged(150_641_969, parts, how, 5, progress=lines.append)[0]
    assert got == distribute_income(150_641_969, [unit for part in parts for unit in part])
    assert passes["scan"] == passes["write"] > 0
    assert passes["band"] >= passes["scan"]  # a whole selection round of its own
    assert any("claimed" in line for line in lines) == (how == "total")  # only a parsed, false claim is reported


def test_a_false_sample_only_costs_rounds(passes: dict[str, int], small_bands: None) -> None:
    rng = np.random.default_rng(13)
    parts = [rng.integers(0, 10**6, size).tolist() for size in (700, 1, 900)]
    flat = [unit for part in parts for unit in part]
    for delta in (1, 10**6):
        got, summary = run_forged(-(10**12) - 1, parts, "sample", delta)
        assert got == distribute_income(-(10**12) - 1, flat)
        assert summary.selection_rounds >= 1


def test_holder_files_state_their_units_and_the_output_does_not(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    write_holders(tmp_path / "in", [[5, 0, 3], [7] * 10_000])
    metadata = pq.ParquetFile(tmp_path / "in" / "part-00001.parquet").metadata.metadata
    assert metadata[b"antfin.units.column"] == b"units"
    assert metadata[b"antfin.units.total"] == b"70000"
    assert metadata[b"antfin.units.count"] == b"10000"
    stride = int(metadata[b"antfin.units.sample_stride"])
    sample = np.frombuffer(base64.b64decode(metadata[b"antfin.units.sample"]), dtype="<i8")
    assert stride == 3  # about _FILE_SAMPLE values
    assert sample.tolist() == [7] * len(range(0, 10_000, 3))
    assert b"ARROW:schema" not in metadata  # the metadata is not stored twice
    distribute_income_parquet(1001, tmp_path / "in", tmp_path / "out", scheduler="sync")
    for name in (tmp_path / "out").glob("*.parquet"):
        assert not any(key.startswith(b"antfin.units.") for key in pq.ParquetFile(name).metadata.metadata or {})
    write_holders(tmp_path / "plain", [[1]], metadata=False)
    assert b"antfin.units.total" not in (
        pq.ParquetFile(tmp_path / "plain" / "part-00000.parquet").metadata.metadata or {}
    )


def test_claims_from_the_metadata() -> None:
    claims = holder_files._Claims(partitioned._SAMPLE_SIZE)
    good = holder_files._units_metadata(np.arange(10), "units")
    claims.add(good, "units", 10)
    claims.add(holder_files._units_metadata(np.array([4, 6]), "units"), "units", 2)
    claims.finish(12)
    assert (claims.total, claims.holders, claims.sample.tolist()) == (55, 12, [*range(10), 4, 6])
    for metadata, column, rows in (
        (None, "units", 10),
        (good, "shares", 10),
        (good, "units", 11),
        ({**good, b"antfin.units.total": b"-1"}, "units", 10),
        ({**good, b"antfin.units.count": b"ten"}, "units", 10),
    ):
        claims = holder_files._Claims(partitioned._SAMPLE_SIZE)
        claims.add(metadata, column, rows)
        assert claims.total is None
    claims = holder_files._Claims(partitioned._SAMPLE_SIZE)
    claims.add({**good, b"antfin.units.sample": b"!"}, "units", 10)  # a broken sample: the total still stands
    claims.finish(10)
    assert (claims.total, claims.sample.size) == (45, 0)
    big = holder_files._units_metadata(np.array([2**63 + 1, 1], dtype=np.uint64), "units")
    assert big[b"antfin.units.total"] == str(2**63 + 2).encode()
    assert b"antfin.units.sample" not in big
