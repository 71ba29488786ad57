"""Simulated backtest worlds, simulated and backfilled once and reused while their inputs hold.

A cached world is keyed by seed, size and a hash of the code that made it: the simulator's
sources (models/simulator/src) and the feature store's (feature-store/src: event contracts,
feature definitions, update and backfill). A change to either makes a new world; stale worlds of
the same seed and size are removed so the cache stays one world per seed and size.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

from riskgate_training.backtest_replay import NODE, REPO_ROOT

CODE_DIRS = ("models/simulator/src", "feature-store/src")


def code_hash(root: Path = REPO_ROOT, dirs: tuple[str, ...] = CODE_DIRS) -> str:
    """First 12 hex of a sha256 over every file's relative path and bytes, in path order."""
    h = hashlib.sha256()
    for d in dirs:
        for f in sorted(p for p in (root / d).rglob("*") if p.is_file()):
            h.update(f.relative_to(root).as_posix().encode() + b"\0")
            h.update(f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def world_dir(cache: Path, seed: int, days: int, per_day: int, version: str) -> Path:
    return cache / f"seed{seed}-d{days}-c{per_day}-{version}"


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:3])} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def simulated_world(seed: int, days: int, per_day: int, cache: Path, timings: dict[str, float],
                    version: str | None = None) -> tuple[Path, Path]:
    """(world dir, table dir) for this seed and size, simulating and backfilling only when no world
    made by the current code is cached."""
    base = world_dir(cache, seed, days, per_day, version or code_hash())
    world, table = base / "world", base / "table"
    if (table / "meta.json").is_file() and (world / "world.json").is_file():
        return world, table
    prefix = f"seed{seed}-d{days}-c{per_day}"
    for stale in cache.glob(f"{prefix}*"):
        if stale.name == prefix or stale.name.startswith(f"{prefix}-"):
            shutil.rmtree(stale, ignore_errors=True)
    t0 = time.monotonic()
    _run([str(NODE), "models/simulator/src/cli.ts", "--out", str(world), "--seed", str(seed), "--days", str(days),
          "--checkouts-per-day", str(per_day), "--quiet"])
    t1 = time.monotonic()
    _run([str(NODE), "feature-store/src/backfill/cli.ts", "--in", str(world), "--out", str(table)])
    timings[f"simulate seed {seed}"] = t1 - t0
    timings[f"backfill seed {seed}"] = time.monotonic() - t1
    return world, table
