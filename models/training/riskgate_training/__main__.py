"""Allows `python -m riskgate_training ...` (what models/training/run.sh calls)."""

from riskgate_training.cli import main

raise SystemExit(main())
