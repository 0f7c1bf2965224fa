"""The plan as data: a JSON-serialisable, secret-masked snapshot of an `Evaluation`.

A snapshot holds what a reviewer needs to see what `pulumi up` would do: every
resource keyed by URN (type, name, parent, protect, aliases, inputs) and the
stack outputs. Secret values are replaced by MASK before anything is written, so
a snapshot can be committed, posted in a pull request or printed in a CI log.
`dumps` is deterministic byte for byte: keys sorted, integral numbers as integers
(the engine's wire format turns every number into a float), UTF-8, one newline.

python -m offline.snapshot [STACK...]   prints {stack: snapshot or null} for this tree
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

from .engine import PROJECT_DIR, Evaluation, Secret, evaluate, example_stacks

FORMAT = 1
MASK = "[secret]"
UNKNOWN = "[unknown]"
SNAPSHOT_DIR = PROJECT_DIR / "tests" / "snapshots"
# Bookkeeping the provider SDKs add to inputs; it says nothing about the resource.
_NOISE = {"__defaults"}

Snapshot = dict[str, Any]
"""{"format", "stack", "resources": {urn: {...}}, "outputs": {...}} or, for a failing program, {"error"}."""


def masked(value: Any) -> Any:
    """`value` as plain JSON data: secrets masked, unknowns marked, keys sorted, 7.0 as 7."""
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, dict):
        return {k: masked(v) for k, v in sorted(value.items()) if k not in _NOISE}
    if isinstance(value, (list, tuple)):
        return [masked(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


def snapshot(evaluation: Evaluation) -> Snapshot:
    """The snapshot of an evaluation; a failed one keeps only its error message."""
    if evaluation.error is not None:
        return {"format": FORMAT, "stack": evaluation.stack, "error": str(evaluation.error)}
    resources = {}
    for resource in evaluation.resources:
        resources[resource.urn] = {
            "type": resource.type,
            "name": resource.name,
            "parent": resource.parent,
            "custom": resource.custom,
            "protect": resource.protect,
            "deleteBeforeReplace": resource.delete_before_replace,
            "aliases": sorted(resource.aliases),
            "inputs": masked(resource.inputs),
        }
    return {
        "format": FORMAT,
        "stack": evaluation.stack,
        "resources": dict(sorted(resources.items())),
        "outputs": masked(evaluation.outputs),
    }


def dumps(data: Any) -> str:
    """The canonical text of a snapshot (or of {stack: snapshot}): the same data gives the same bytes."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def plan(stack: str) -> Snapshot | None:
    """Evaluates `stack` with its `Pulumi.<stack>.yaml`; None when this tree has no such stack file."""
    if not (PROJECT_DIR / f"Pulumi.{stack}.yaml").exists():
        return None
    return snapshot(evaluate(stack))


def snapshot_path(stack: str, directory: Path = SNAPSHOT_DIR) -> Path:
    return directory / f"{stack}.json"


def main(argv: list[str] | None = None) -> int:
    # The plan diff runs this in a subprocess inside an exported git revision, so that
    # revision's `components` are imported, not the working tree's.
    parser = argparse.ArgumentParser(prog="python -m offline.snapshot", description=__doc__.splitlines()[0])
    parser.add_argument("stacks", nargs="*", help="stacks to evaluate; default: every Pulumi.<stack>.yaml")
    options = parser.parse_args(argv)
    stacks = options.stacks or example_stacks()
    sys.stdout.write(dumps({stack: plan(stack) for stack in stacks}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
