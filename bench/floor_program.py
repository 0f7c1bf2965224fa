"""The floor: a bare script registering exactly the resources of a recorded plan, nothing else.

It imports the same SDK modules the program imported and registers the same types, names,
parents, options and inputs through the SDK's generic resource classes, so the difference to
the program is the program's own work: config parsing, validation, components, Output plumbing
and the typed SDK classes' argument handling. Secret inputs are registered as secrets.
Reads BENCH_FLOOR_PLAN (a snapshot JSON file) and BENCH_FLOOR_MODULES (a JSON list).
"""

import importlib
import json
import os

import pulumi

for module in json.loads(os.environ["BENCH_FLOOR_MODULES"]):
    importlib.import_module(module)

with open(os.environ["BENCH_FLOOR_PLAN"], encoding="utf-8") as file:
    plan = json.load(file)


def _value(value):
    if value == "[secret]":
        return pulumi.Output.secret("masked")
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


created: dict[str, pulumi.Resource] = {}
pending = dict(plan["resources"])
while pending:  # parents before children
    for urn, spec in list(pending.items()):
        if spec["parent"] in pending:
            continue
        opts = pulumi.ResourceOptions(parent=created.get(spec["parent"]), protect=spec["protect"])
        if spec["custom"]:
            created[urn] = pulumi.CustomResource(spec["type"], spec["name"], _value(spec["inputs"]), opts)
        else:
            component = pulumi.ComponentResource(spec["type"], spec["name"], None, opts)
            component.register_outputs({})
            created[urn] = component
        del pending[urn]

for key, value in plan["outputs"].items():
    pulumi.export(key, _value(value))
