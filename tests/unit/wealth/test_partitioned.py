"""The Dask + Parquet distribution equals the pure one holder by holder, without gathering the holders."""

from __future__ import annotations

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
vectorized = pytest.importorskip("antfin.wealth.vectorized")

distribute_income_parquet = partitioned.distribute_income_parquet
read_income = partitioned.read_income
write_holders = partitioned.write_holders

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
    assert partitioned._encodings(schema)["column_encoding"] == {"holder": "BYTE_STREAM_SPLIT"}
    monkeypatch.setattr(pa, "__version__", "15.0.2")
    assert partitioned._encodings(schema) == {
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
