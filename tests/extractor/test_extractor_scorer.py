"""The shared scorer over the three corpus articles, run as the evaluation runs it: the targets must hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def test_scorer_targets_on_the_corpus() -> None:
    command = [
        sys.executable,
        str(SHARED / "eval" / "score_events.py"),
        "--gold",
        str(SHARED / "eval" / "events" / "dev_gold.json"),
        "--docs",
        str(SHARED / "corpus" / "articles"),
        "--cmd",
        f"{ROOT / '.venv' / 'bin' / 'newswire'} extract",
    ]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600, check=True)
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["f1"] >= 0.85, summary
    assert summary["location_accuracy"] >= 0.90, summary
    assert summary["actor_accuracy"] >= 0.85, summary
    assert summary["quantity_recall"] >= 0.90, summary
    assert summary["duplicate_rate"] <= 0.05, summary
    assert summary["no_evidence"] == 0, summary
