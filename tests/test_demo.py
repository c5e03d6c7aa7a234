"""`reform demo`, the main job, runs from nothing to the end of the plan in its own process."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def test_demo_runs_the_campaign_and_says_where_to_look(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFORM_", "PREFECT_"))}
    workspace = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "reform", "demo", "--workspace", str(workspace)],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "清理自查" in result.stdout and "逾期" in result.stdout
    assert f"REFORM_HOME={workspace}" in result.stdout

    status = subprocess.run([sys.executable, "-m", "reform", "status", "--as-of", "2017-04-10", "--format", "json"],
                            env={**env, "REFORM_HOME": str(workspace)}, capture_output=True, text=True, timeout=120)
    report = json.loads(status.stdout)
    inventory = [o for o in report["obligations"] if o["phase"] == "inventory"]
    assert inventory and all(o["state"] == "fulfilled" for o in inventory)
