from pathlib import Path

from riskgate_training.backtest_worlds import code_hash, simulated_world, world_dir


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_code_hash_changes_with_any_source_file_and_only_then(tmp_path: Path) -> None:
    _tree(tmp_path, {"sim/a.ts": "a", "sim/sub/b.ts": "b", "store/c.ts": "c"})
    dirs = ("sim", "store")
    first = code_hash(tmp_path, dirs)
    assert code_hash(tmp_path, dirs) == first
    (tmp_path / "store/c.ts").write_text("c2")
    assert code_hash(tmp_path, dirs) != first
    (tmp_path / "store/c.ts").write_text("c")
    (tmp_path / "sim/sub/b.ts").rename(tmp_path / "sim/b.ts")
    assert code_hash(tmp_path, dirs) != first


def test_the_current_code_hash_covers_the_simulator_and_the_feature_store() -> None:
    assert len(code_hash()) == 12
    assert world_dir(Path("c"), 7, 90, 3000, "abc").name == "seed7-d90-c3000-abc"


def test_a_world_made_by_the_same_code_is_reused_without_simulating(tmp_path: Path) -> None:
    base = world_dir(tmp_path, 7, 90, 3000, "v1")
    _tree(base, {"world/world.json": "{}", "table/meta.json": "{}"})
    timings: dict[str, float] = {}
    assert simulated_world(7, 90, 3000, tmp_path, timings, version="v1") == (base / "world", base / "table")
    assert timings == {}
