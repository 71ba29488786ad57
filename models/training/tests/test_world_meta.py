import json
import shutil
from pathlib import Path

from conftest import FAST_RECIPE, SMALL_SPLIT

from riskgate_training.evaluate_artifact import evaluate
from riskgate_training.pipeline import TrainConfig, train
from riskgate_training.world_meta import REPO_ROOT, drift_starts_at, source_world


def test_the_source_world_is_found_from_the_repo_root(tmp_path: Path) -> None:
    assert source_world({"source": "data/pipeline/world"}) == REPO_ROOT / "data/pipeline/world"
    assert source_world({"source": str(tmp_path)}) == tmp_path
    assert source_world({}) is None
    (tmp_path / "world.json").write_text(json.dumps({"drift_starts_at": "2026-04-01T00:00:00.000Z"}))
    assert drift_starts_at(tmp_path) == "2026-04-01T00:00:00.000Z"
    assert drift_starts_at(tmp_path / "missing") is None


def test_training_and_evaluating_on_a_drifted_world_say_so_on_the_cards(table_dir: Path, tmp_path: Path) -> None:
    table = tmp_path / "table"
    shutil.copytree(table_dir, table)
    world = tmp_path / "world"
    world.mkdir()
    meta = json.loads((table / "meta.json").read_text())
    (table / "meta.json").write_text(json.dumps({**meta, "source": str(world)}))
    # Before the synthetic table's first day: every split drifted.
    (world / "world.json").write_text(json.dumps({"drift_starts_at": "2000-01-01T00:00:00.000Z"}))
    result = train(TrainConfig(table_dir=table, out_dir=tmp_path / "out", days=SMALL_SPLIT, recipe=FAST_RECIPE,
                               parity_rows=200))
    assert result.manifest["training_data"]["simulated_drift_starts_at"] == "2000-01-01T00:00:00.000Z"
    assert "  simulated world: its fraud changes its ways from 2000-01-01" in result.card
    assert "the fit days too" in result.card
    metrics, card = evaluate(result.artifact_dir, table)
    assert metrics["rows_scored"]["simulated_drift_starts_at"] == "2000-01-01T00:00:00.000Z"
    assert "of the scored rows'" in card and "the fit days too" in card
