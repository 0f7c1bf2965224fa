"""What the floor registers, prepared once per process, as a script's literals are compiled once.

Imports the SDK modules the program imported, reads a bench plan (written by
`bench.worker --emit`) and turns it into steps in registration order: for each resource its
typed SDK class and keyword arguments (or, generic, only its type token), its parent and
options, and which inputs wait on which resources. Only the registrations themselves are left
for each evaluation (bench/floor_program.py).
"""

import functools
import importlib
import inspect
import json
import re
from dataclasses import dataclass

from pulumi.runtime import rpc


@dataclass(frozen=True)
class Step:
    urn: str
    spec: dict
    cls: type | None
    """The typed SDK class; None for a component, or for every resource when generic."""
    keywords: dict[str, str]
    """Pulumi property name -> the class's keyword argument."""
    depends_on: list[str]
    """Dependencies not already carried by an input."""


CUSTOM_RESOURCE_KEYWORDS = {"apiVersion": "api_version", "kind": "kind", "metadata": "metadata", "spec": "spec"}
"""pulumi-kubernetes' class for a kind its SDK does not type (another project's CRD), as the program registers it."""


def _typed_class(token: str) -> type:
    package, module, _ = token.split(":")
    found = rpc.get_resource_module(package, module, "")
    if (found is None or token not in found.mod_info["classes"]) and package == "kubernetes":
        from pulumi_kubernetes.apiextensions.CustomResource import CustomResource

        return CustomResource
    if found is None or token not in found.mod_info["classes"]:
        raise SystemExit(f"floor: no SDK class registered for {token}")
    return getattr(importlib.import_module(found.mod_info["fqn"]), found.mod_info["classes"][token])


def _keywords(cls: type, spec: dict) -> dict[str, str]:
    """Pulumi property name (camelCase) -> the class's keyword argument (snake_case)."""
    if cls.__module__ == "pulumi_kubernetes.apiextensions.CustomResource":
        missing = sorted(set(spec["inputs"]) - set(CUSTOM_RESOURCE_KEYWORDS))
        if missing:
            raise SystemExit(f"floor: {spec['type']} takes no argument for {missing}")
        return {key: CUSTOM_RESOURCE_KEYWORDS[key] for key in spec["inputs"]}
    names = inspect.signature(cls._internal_init).parameters
    by_property = {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), n.rstrip("_")): n for n in names}
    missing = sorted(set(spec["inputs"]) - set(by_property))
    if missing:
        raise SystemExit(f"floor: {spec['type']} takes no argument for {missing}")
    return {key: by_property[key] for key in spec["inputs"]}


def _steps(plan: dict, typed: bool) -> list[Step]:
    steps, pending = [], dict(plan["resources"])
    while pending:  # parents and dependencies first
        for urn, spec in list(pending.items()):
            if spec["parent"] in pending or any(dependency in pending for dependency in spec["dependencies"]):
                continue
            cls = _typed_class(spec["type"]) if typed and spec["custom"] else None
            through_inputs = {u for urns in spec["inputDependencies"].values() for u in urns}
            steps.append(
                Step(
                    urn,
                    spec,
                    cls,
                    _keywords(cls, spec) if cls else {},
                    [u for u in spec["dependencies"] if u not in through_inputs],
                )
            )
            del pending[urn]
    return steps


@functools.cache
def prepared(plan_path: str, modules: str, typed: bool) -> tuple[dict, list[Step]]:
    """The plan at `plan_path` and its steps, after importing `modules` (a JSON list)."""
    for module in json.loads(modules):
        importlib.import_module(module)
    with open(plan_path, encoding="utf-8") as file:
        plan = json.load(file)
    return plan, _steps(plan, typed)
