"""Run by a fresh virtualenv's python: evaluates examples/consumer under mocks and prints what it registered.

Only `offline` comes from this repository (for the mock engine); `gitpod_registry` must come
from the installed wheel, which the output reports so the test can check it.
"""

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))

from offline.engine import evaluate  # noqa: E402
from offline.snapshot import masked  # noqa: E402

evaluation = evaluate(
    "dev",
    use_stack_file=False,
    program=ROOT / "examples" / "consumer" / "__main__.py",
    project="gitpod-registry-consumer",
)
spec = importlib.util.find_spec("gitpod_registry")
print(
    json.dumps(
        {
            "error": None if evaluation.error is None else str(evaluation.error),
            "package_file": spec.origin if spec else None,
            "repo_components_imported": "components" in sys.modules,
            "resources": [
                {
                    "urn": r.urn,
                    "type": r.type,
                    "name": r.name,
                    "parent": r.parent,
                    "provider": r.provider,
                    "protect": r.protect,
                    "inputs": masked(r.inputs),
                }
                for r in evaluation.resources
            ],
            "outputs": masked(evaluation.outputs),
        }
    )
)
