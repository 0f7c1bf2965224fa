"""Prints what `pulumi up` would create for a stack, evaluated offline (no CLI, no credentials).

python -m offline.plan dev
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .engine import Evaluation, Resource, Secret, evaluate, example_stacks

MASK = "[secret]"
_NOISE = {"__defaults"}


def masked(value: Any) -> Any:
    """The value with every secret replaced by a mask, for printing."""
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, dict):
        return {k: masked(v) for k, v in sorted(value.items()) if k not in _NOISE}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _render(value: Any) -> str:
    if isinstance(value, str):
        try:  # policy documents arrive as JSON strings; show them as data
            parsed = json.loads(value)
            if isinstance(parsed, (dict, list)):
                return json.dumps(parsed, sort_keys=True)
        except ValueError:
            pass
        return value
    return json.dumps(value, sort_keys=True)


def _children(evaluation: Evaluation) -> dict[str | None, list[Resource]]:
    known = {r.urn for r in evaluation.resources}
    tree: dict[str | None, list[Resource]] = {}
    for resource in evaluation.resources:
        parent = resource.parent if resource.parent in known else None
        tree.setdefault(parent, []).append(resource)
    for siblings in tree.values():
        siblings.sort(key=lambda r: (r.custom, r.name))
    return tree


def render_text(evaluation: Evaluation) -> str:
    lines = [
        f"Plan for stack '{evaluation.stack}': {len(evaluation.resources)} resources to create",
        "(evaluated offline under Pulumi's mock engine: IDs, account numbers and keys are stand-ins; secrets are masked)",
        "",
    ]
    tree = _children(evaluation)

    def walk(parent: str | None, depth: int) -> None:
        for resource in tree.get(parent, []):
            indent = "    " * depth
            flags = " [protected]" if resource.protect else ""
            lines.append(f"{indent}+ {resource.type}  {resource.name}{flags}")
            for key, value in masked(resource.inputs).items():
                lines.append(f"{indent}      {key}: {_render(value)}")
            walk(resource.urn, depth + 1)

    walk(None, 0)
    outputs = masked(evaluation.outputs)
    lines += ["", "Outputs:"]
    for key, value in outputs.items():
        if key != "installerConfigYaml":
            lines.append(f"    {key}: {_render(value)}")
    if "installerConfigYaml" in outputs:
        lines += ["", "Gitpod installer config (merge into gitpod.config.yaml):", "", outputs["installerConfigYaml"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.plan", description=__doc__.splitlines()[0])
    parser.add_argument("stack", nargs="?", default="dev", help=f"stack name; examples: {', '.join(example_stacks())}")
    options = parser.parse_args(argv)
    evaluation = evaluate(options.stack)
    if evaluation.error is not None:
        print(f"error: {evaluation.error}", file=sys.stderr)
        return 1
    print(render_text(evaluation))
    return 0


if __name__ == "__main__":
    sys.exit(main())
