"""The plan as data: a JSON-serialisable, secret-masked snapshot of an `Evaluation`.

A snapshot holds what a reviewer needs to see what `pulumi up` would do: every
resource keyed by URN (type, name, parent, protect, aliases, inputs) and the
stack outputs. Secret values are replaced by MASK before anything is written, so
a snapshot can be committed, posted in a pull request or printed in a CI log.
`dumps` is deterministic byte for byte: keys sorted, integral numbers as integers
(the engine's wire format turns every number into a float), UTF-8, one newline.

A diff run gives both sides one fresh key (FINGERPRINT_KEY_ENV), and every masked value then
carries a keyed fingerprint, so a changed password or a rotated key shows as changed without its
value; committed snapshots are written without a key and show only MASK.

python -m offline.snapshot [STACK...]   prints {stack: snapshot or null} for this tree
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc

from . import command
from .engine import PROJECT_DIR, Evaluation, Secret, all_stacks, evaluate
from .replacements import provider_config_keys
from .stack_file import StackFileError

FORMAT = 1
MASK = "[secret]"
UNKNOWN = "[unknown]"
SNAPSHOT_DIR = PROJECT_DIR / "tests" / "snapshots"
# Bookkeeping the provider SDKs add to inputs; it says nothing about the resource.
_NOISE = {"__defaults"}

Snapshot = dict[str, Any]
"""{"format", "stack", "resources": {urn: {...}}, "outputs": {...}, "providerConfig"?} or, for a failing
program, {"error"}."""


FINGERPRINT_KEY_ENV = "GITPOD_REGISTRY_FINGERPRINT_KEY"
"""Hands a diff run's fingerprint key to the subprocess that evaluates the other revision."""


def new_fingerprint_key() -> bytes:
    """A fresh key for one diff run: fingerprints compare within the run and mean nothing outside it."""
    return secrets.token_bytes(32)


def _fingerprint(value: Any, key: bytes) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:12]


def _secret_leaf(value: Any, key: bytes | None) -> str:
    return f"[secret {_fingerprint(value, key)}]" if key else MASK


def _docker_config(text: str, key: bytes | None) -> dict[str, Any] | None:
    """A `.dockerconfigjson` with its hosts and usernames shown, passwords and `auth` masked."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    auths = document.get("auths") if isinstance(document, dict) else None
    if not isinstance(auths, dict) or set(document) != {"auths"}:
        return None
    shown: dict[str, Any] = {}
    for host, entry in auths.items():
        if not isinstance(entry, dict):
            return None
        shown[host] = {
            field: value if field == "username" and isinstance(value, str) else _secret_leaf(value, key)
            for field, value in sorted(entry.items())
        }
    return {"auths": dict(sorted(shown.items()))}


def _masked_secret(value: Any, key: bytes | None) -> Any:
    """A secret's shape without its values: object keys kept, a `.dockerconfigjson` shown up to its
    passwords; every other leaf masked (with a fingerprint of the run's `key`, if one is given)."""
    if isinstance(value, Secret):
        return _masked_secret(value.value, key)
    if isinstance(value, dict):
        return {k: _masked_secret(v, key) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_masked_secret(v, key) for v in value]
    if isinstance(value, str):
        document = _docker_config(value, key)
        if document is not None:
            return document
    return _secret_leaf(value, key)


def masked(value: Any, key: bytes | None = None, *, shapes: bool = True) -> Any:
    """`value` as plain JSON data: secrets masked, unknowns marked, keys sorted, 7.0 as 7.

    With `key`, each masked value carries a keyed fingerprint (HMAC-SHA256), so a diff run shows a
    secret that changed; a fresh key per run keeps fingerprints from being compared across runs.
    Without `shapes`, a secret is MASK whole (for replaying inputs, as the benchmark's floor does).
    """
    if isinstance(value, Secret):
        return _masked_secret(value.value, key) if shapes else MASK
    if isinstance(value, dict):
        return {k: masked(v, key, shapes=shapes) for k, v in sorted(value.items()) if k not in _NOISE}
    if isinstance(value, (list, tuple)):
        return [masked(v, key, shapes=shapes) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


def error_message(error: BaseException) -> str:
    """What a snapshot says about a failed evaluation: the program's own refusal (its messages never echo a
    credential: components/validation.py), a broken stack file; for anything else only its kind, since an
    unexpected exception's text may hold a config value."""
    # By class name: the revision being evaluated brings its own `components`, not necessarily this one's.
    refusals = {"InvalidInput", "InvalidConfig"}
    if isinstance(error, (pulumi.RunError, StackFileError)) or refusals & {c.__name__ for c in type(error).__mro__}:
        return str(error)
    return f"the program failed with {type(error).__name__} (details withheld: they may hold a config value)"


def snapshot(evaluation: Evaluation, key: bytes | None = None, *, shapes: bool = True) -> Snapshot:
    """The snapshot of an evaluation; a failed one keeps only its error message. `key`, `shapes`: see `masked`."""
    if evaluation.error is not None:
        return {"format": FORMAT, "stack": evaluation.stack, "error": error_message(evaluation.error)}
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
            "inputs": masked(resource.inputs, key, shapes=shapes),
        }
    data = {
        "format": FORMAT,
        "stack": evaluation.stack,
        "resources": dict(sorted(resources.items())),
        "outputs": masked(evaluation.outputs, key, shapes=shapes),
    }
    # What the providers fill in by themselves from their config (the region of a bucket left without
    # one), so that a diff can tell setting such an input to that same value from a real change.
    provider_config = {
        k: evaluation.config[k]
        for k in provider_config_keys()
        if k in evaluation.config and k not in evaluation.secret_keys
    }
    if provider_config:
        data["providerConfig"] = provider_config
    if evaluation.warnings:
        data["warnings"] = list(evaluation.warnings)  # what the plan leaves out; printed, never diffed
    return data


def dumps(data: Any) -> str:
    """The canonical text of a snapshot (or of {stack: snapshot}): the same data gives the same bytes."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def plan(stack: str, key: bytes | None = None, stack_dir: Path | None = None) -> Snapshot | None:
    """Evaluates `stack` with its `Pulumi.<stack>.yaml` (from `stack_dir`, default this tree); None when
    there is no such stack file.

    Whatever goes wrong is this stack's error in the snapshot, so other stacks are still planned.
    """
    if not ((stack_dir or PROJECT_DIR) / f"Pulumi.{stack}.yaml").exists():
        return None
    try:
        return snapshot(evaluate(stack, stack_dir=stack_dir), key)
    except Exception as error:  # noqa: BLE001 - one stack's failure must not stop the others
        return {"format": FORMAT, "stack": stack, "error": error_message(error)}


def snapshot_path(stack: str, directory: Path = SNAPSHOT_DIR) -> Path:
    return directory / f"{stack}.json"


def main(argv: list[str] | None = None) -> int:
    # The plan diff runs this in a subprocess inside an exported git revision, so that
    # revision's `components` are imported, not the working tree's.
    parser = argparse.ArgumentParser(prog="python -m offline.snapshot", description=__doc__.splitlines()[0])
    parser.add_argument("stacks", nargs="*", help="stacks to evaluate; default: every Pulumi.<stack>.yaml")
    options = parser.parse_args(argv)
    stacks = options.stacks or all_stacks()
    key = bytes.fromhex(os.environ[FINGERPRINT_KEY_ENV]) if os.environ.get(FINGERPRINT_KEY_ENV) else None
    sys.stdout.write(dumps({stack: plan(stack, key) for stack in stacks}))
    return 0


if __name__ == "__main__":
    command.run(main)
