"""Allows `python -m riskgate_training ...` (what models/training/run.sh calls)."""

import sys

if sys.argv[1:2] == ["backtest"]:
    from riskgate_training.backtest import main as backtest

    raise SystemExit(backtest(sys.argv[2:]))

if sys.argv[1:2] == ["monitor"]:
    from riskgate_training.missed_fraud_monitor import main as monitor

    raise SystemExit(monitor(sys.argv[2:]))

if sys.argv[1:2] == ["monitor-power"]:
    from riskgate_training.monitor_power import main as monitor_power

    raise SystemExit(monitor_power(sys.argv[2:]))

from riskgate_training.cli import main

raise SystemExit(main())
