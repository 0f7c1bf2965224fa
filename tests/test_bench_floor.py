"""The benchmark's floor registers exactly what the program registers (no timing here)."""

from __future__ import annotations

import json
import sys

import pytest

from bench.worker import bench_plan, registrations
from offline.engine import PROJECT_DIR, evaluate, example_stacks
from offline.snapshot import dumps

FLOOR = PROJECT_DIR / "bench" / "floor_program.py"


@pytest.mark.parametrize("classes", ["typed", "generic"])
@pytest.mark.parametrize("stack", example_stacks())
def test_the_floor_registers_the_programs_resources(stack, classes, tmp_path, monkeypatch):
    program = evaluate(stack)
    assert program.error is None, program.error
    plan = tmp_path / "plan.json"
    plan.write_text(dumps(bench_plan(program)))
    monkeypatch.setenv("BENCH_FLOOR_PLAN", str(plan))
    monkeypatch.setenv("BENCH_FLOOR_MODULES", json.dumps(sorted(m for m in sys.modules if m.startswith("pulumi_"))))
    monkeypatch.setenv("BENCH_FLOOR_CLASSES", classes)
    floor = evaluate(stack, use_stack_file=False, program=FLOOR)
    assert floor.error is None, floor.error
    expected, registered = registrations(program), registrations(floor)
    assert registered.keys() == expected.keys()
    if classes == "generic":  # only the typed classes add their type aliases; nothing else may differ
        expected = {urn: _without_aliases(entry) for urn, entry in expected.items()}
        registered = {urn: _without_aliases(entry) for urn, entry in registered.items()}
    for urn, entry in expected.items():
        assert json.loads(registered[urn]) == json.loads(entry), urn


def test_inputs_that_wait_on_a_resource_are_recorded_with_it():
    evaluation = evaluate("dev")
    bucket = evaluation.by_name("gitpod-workspace-images-bucket").urn
    tls_only = evaluation.by_name("gitpod-workspace-images-tls-only")
    public_access = evaluation.by_name("gitpod-workspace-images-public-access-block").urn
    assert tls_only.input_dependencies == {"bucket": [bucket], "policy": [bucket]}
    assert tls_only.dependencies == sorted([bucket, public_access])  # depends_on included


def _without_aliases(entry: str) -> str:
    return json.dumps({k: v for k, v in json.loads(entry).items() if k != "aliases"}, sort_keys=True)
