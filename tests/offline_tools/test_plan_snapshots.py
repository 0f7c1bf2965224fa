"""Every example stack's plan matches its committed snapshot; a drift fails with the diff.

A refactor that would replace or rename a live resource shows up here as a replaced
or removed resource. Refresh after an intended change: python -m offline.plan --update-snapshots
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from offline.diff import diff_stack
from offline.engine import PROJECT_DIR, Secret, evaluate, example_stacks
from offline.plan import UPDATE_COMMAND
from offline.render import render_diff_text
from offline.snapshot import SNAPSHOT_DIR, dumps, plan, snapshot, snapshot_path


def secret_values(value, inside: bool = False) -> list[str]:
    """The credentials inside secrets: every string leaf, and of a `.dockerconfigjson` its passwords and
    `auth` (its hosts and user names are shown on purpose)."""
    if isinstance(value, Secret):
        return secret_values(value.value, True)
    if isinstance(value, dict):
        return [s for v in value.values() for s in secret_values(v, inside)]
    if isinstance(value, list):
        return [s for v in value for s in secret_values(v, inside)]
    if not inside:
        return []
    try:
        auths = json.loads(value)["auths"]
    except (TypeError, ValueError, KeyError):
        return [str(value)]
    return [entry[field] for entry in auths.values() for field in ("password", "auth")]


@pytest.mark.parametrize("stack", example_stacks())
def test_plan_matches_its_committed_snapshot(stack):
    path = snapshot_path(stack)
    assert path.exists(), (
        f"stack {stack} has no snapshot {path.relative_to(SNAPSHOT_DIR.parent.parent)}; run: {UPDATE_COMMAND}"
    )
    committed = path.read_text(encoding="utf-8")
    current = dumps(snapshot(evaluate(stack)))
    if current != committed:
        drift = render_diff_text([diff_stack(stack, json.loads(committed), json.loads(current))], "Snapshot drift")
        pytest.fail(f"the plan of stack {stack} drifted from {path.name}:\n{drift}\nIf intended, run: {UPDATE_COMMAND}")


def test_every_snapshot_belongs_to_a_stack():
    stale = sorted(p.stem for p in SNAPSHOT_DIR.glob("*.json") if p.stem not in example_stacks())
    assert not stale, f"snapshots without a Pulumi.<stack>.yaml: {stale}; run: {UPDATE_COMMAND}"


@pytest.mark.parametrize("stack", example_stacks())
def test_snapshot_holds_no_secret_value(stack):
    evaluation = evaluate(stack)
    secrets = [s for r in evaluation.resources for s in secret_values(r.inputs)] + secret_values(evaluation.outputs)
    text = dumps(snapshot(evaluation))
    assert "[secret]" in text or not secrets
    leaked = [s for s in secrets if len(s) >= 8 and s in text]
    assert not leaked, f"stack {stack}: {len(leaked)} secret values appear in the snapshot"


def test_snapshot_text_is_deterministic_across_processes():
    """`python -m offline.snapshot` in a process with another string-hash seed prints the same bytes as
    this process: set and dict order never reach the text."""
    stack = example_stacks()[0]
    # Ours is random unless PYTHONHASHSEED is set; the other process's is fixed and never ours.
    other_seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    printed = subprocess.run(
        [sys.executable, "-m", "offline.snapshot", stack],
        cwd=PROJECT_DIR,
        capture_output=True,
        env={"PYTHONHASHSEED": other_seed, "PATH": "/usr/bin:/bin"},
        check=True,
        text=True,
    ).stdout
    assert printed == dumps({stack: plan(stack)}) and json.loads(printed)[stack]["resources"]
