"""Prints, as JSON, what the tree it runs in registers for each stack and its component schema.

The upgrade check (offline/upgrade.py) runs it in an export of a release (offline/revision.py), so that
release's `components` answer under this tree's engine, in one process:
{"plans": {stack: snapshot}, "schema": the package schema as the provider serves it}.
`components.package.provider()` has served the schema since 0.1.0.

python -m offline.release_side [STACK...]   (secrets fingerprinted with the key in GITPOD_REGISTRY_FINGERPRINT_KEY)
"""

from __future__ import annotations

import json
import os
import sys

from . import command
from .engine import all_stacks
from .snapshot import FINGERPRINT_KEY_ENV, dumps, plan


def main(argv: list[str] | None = None) -> int:
    from components.package import provider

    stacks = (sys.argv[1:] if argv is None else argv) or all_stacks()
    key = bytes.fromhex(os.environ[FINGERPRINT_KEY_ENV]) if os.environ.get(FINGERPRINT_KEY_ENV) else None
    plans = {stack: plan(stack, key) for stack in stacks}
    sys.stdout.write(dumps({"plans": plans, "schema": json.loads(provider().schema or "{}")}))
    return 0


if __name__ == "__main__":
    command.run(main)
