"""The scoring API fuzzed from its OpenAPI contract: a short Schemathesis run.

It lives with the training tests because Schemathesis lives in this venv (requirements.txt), the
one Python environment the project builds. infra/dev/fuzz-api.sh starts the real API on embedded
defaults once per scope's key (score, review, admin; the admin run on its own instance, so its
kill-switch changes reach nothing else) and fails on a server error, an undocumented status or
response, a 4xx that names no field (test/system/fuzz/schemathesis_hooks.py), or an instance that
is unhealthy afterwards. The long run is the same script with its default size (README).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_short_contract_fuzz_run_finds_no_server_error_and_leaves_the_service_healthy() -> None:
    run = subprocess.run(
        ["bash", str(REPO / "infra/dev/fuzz-api.sh"), "5"],
        cwd=REPO,
        env={
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(Path.home()),
            "RISKGATE_FUZZ_PHASES": "examples,fuzzing",
            "RISKGATE_FUZZ_SEED": "14",
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    scopes = re.findall(
        r"scope (\w+): (\d+) requests(?: \([^)]*\))?, (\d+) server errors.*healthz 200, readyz 200", run.stderr
    )
    assert [s[0] for s in scopes] == ["score", "review", "admin"], run.stderr[-2000:]
    for _, requests, server_errors in scopes:
        assert int(requests) > 50
        assert int(server_errors) == 0
