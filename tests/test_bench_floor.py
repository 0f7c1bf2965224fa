"""The benchmark's floor registers exactly what the program registers (no timing here)."""

from __future__ import annotations

import json
import sys

from offline.engine import PROJECT_DIR, evaluate
from offline.snapshot import dumps, snapshot

FLOOR = PROJECT_DIR / "bench" / "floor_program.py"


def test_the_floor_registers_the_programs_resources(tmp_path, monkeypatch):
    program = evaluate("dev")
    assert program.error is None, program.error
    plan = tmp_path / "plan.json"
    plan.write_text(dumps(snapshot(program)))
    monkeypatch.setenv("BENCH_FLOOR_PLAN", str(plan))
    modules = sorted(m for m in sys.modules if m.startswith(("pulumi_aws.", "pulumi_kubernetes.")))[:5]
    monkeypatch.setenv("BENCH_FLOOR_MODULES", json.dumps(modules))
    floor = evaluate("dev", use_stack_file=False, program=FLOOR)
    assert floor.error is None, floor.error
    program_plan, floor_plan = snapshot(program), snapshot(floor)
    assert floor_plan["resources"].keys() == program_plan["resources"].keys()
    for urn, resource in program_plan["resources"].items():
        expected = {k: v for k, v in resource.items() if k != "aliases"}  # the SDK classes add type aliases
        assert {k: v for k, v in floor_plan["resources"][urn].items() if k != "aliases"} == expected, urn
