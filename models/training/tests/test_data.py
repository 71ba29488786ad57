import json
import shutil
from pathlib import Path

import pytest

from riskgate_training.data import TableError, load_table


def _copy(table_dir: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "t"
    shutil.copytree(table_dir, dst)
    return dst


def test_loads_valid_table(table_dir: Path) -> None:
    t = load_table(table_dir)
    meta = json.loads((table_dir / "meta.json").read_text())
    assert t.features == meta["features"]
    assert t.X.shape == (meta["rows"], len(meta["features"]))
    assert t.occurred_at.is_monotonic_increasing
    assert set(t.y.tolist()) == {0, 1}
    assert len(t.csv_sha256) == 64
    assert 55 < t.days() <= 56


def test_rejects_row_count_mismatch(table_dir: Path, tmp_path: Path) -> None:
    d = _copy(table_dir, tmp_path)
    meta = json.loads((d / "meta.json").read_text())
    meta["rows"] += 1
    (d / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(TableError, match="rows"):
        load_table(d)


def test_rejects_feature_missing_from_csv(table_dir: Path, tmp_path: Path) -> None:
    d = _copy(table_dir, tmp_path)
    meta = json.loads((d / "meta.json").read_text())
    meta["features"].append("not_in_csv")
    meta["feature_sources"]["not_in_csv"] = {"entity": "user", "default": 0, "topics": []}
    (d / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(TableError, match="not_in_csv"):
        load_table(d)


def test_defaults_come_from_feature_sources_and_must_be_numbers(table_dir: Path, tmp_path: Path) -> None:
    meta = json.loads((table_dir / "meta.json").read_text())
    assert load_table(table_dir).defaults == {n: float(meta["feature_sources"][n]["default"]) for n in meta["features"]}
    d = _copy(table_dir, tmp_path)
    meta["feature_sources"]["new_device_for_user"].pop("default")
    (d / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(TableError, match="feature_sources.new_device_for_user.default"):
        load_table(d)


def test_rejects_non_numeric_feature_naming_the_column(table_dir: Path, tmp_path: Path) -> None:
    d = _copy(table_dir, tmp_path)
    lines = (d / "training.csv").read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("new_device_for_user")
    cells = lines[5].split(",")
    cells[col] = "yes"
    lines[5] = ",".join(cells)
    (d / "training.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(TableError, match="new_device_for_user"):
        load_table(d)
