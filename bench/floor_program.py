"""The floor: a bare script registering exactly the resources of a recorded plan, nothing else.

It imports the same SDK modules the program imported and registers the same types, names,
parents, options, inputs and dependencies, as a hand-written script would: each resource
through its typed SDK class (`aws.s3.Bucket(...)`), an input that the program computed from
another resource's output waiting for that resource (one Output per such input), `depends_on`
passed on, every other input a plain value, secret inputs as secrets. The plan is prepared once
per process (bench/floor_plan.py). So the difference to the program is the program's own work:
config parsing, validation, components and its Output plumbing beyond those edges.
With BENCH_FLOOR_CLASSES=generic it registers through `pulumi.CustomResource`: no typed
arguments and no source positions, the SDK's bare registration cost.
Reads BENCH_FLOOR_PLAN (a bench plan JSON file) and BENCH_FLOOR_MODULES (a JSON list).
"""

import os

import pulumi

from bench.floor_plan import prepared

PLAN, STEPS = prepared(
    os.environ["BENCH_FLOOR_PLAN"],
    os.environ["BENCH_FLOOR_MODULES"],
    typed=os.environ.get("BENCH_FLOOR_CLASSES", "typed") == "typed",
)


def _value(value):
    if value == "[secret]":
        return pulumi.Output.secret("masked")
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def _after(value, resources):
    """`value` as an input computed from those resources' outputs, as `bucket.id` would be."""
    return pulumi.Output.all(*(resource.urn for resource in resources)).apply(lambda _: value)


def _inputs(spec):
    waits = spec["inputDependencies"]
    return {
        key: _after(_value(value), [created[urn] for urn in waits[key]]) if key in waits else _value(value)
        for key, value in spec["inputs"].items()
    }


created: dict[str, pulumi.Resource] = {}
for step in STEPS:
    spec = step.spec
    opts = pulumi.ResourceOptions(
        parent=created.get(spec["parent"]),
        protect=spec["protect"],
        depends_on=[created[urn] for urn in step.depends_on] or None,
    )
    if step.cls is not None:
        inputs = _inputs(spec)
        created[step.urn] = step.cls(spec["name"], opts=opts, **{step.keywords[k]: v for k, v in inputs.items()})
    elif spec["custom"]:
        created[step.urn] = pulumi.CustomResource(spec["type"], spec["name"], _inputs(spec), opts)
    else:
        component = pulumi.ComponentResource(spec["type"], spec["name"], None, opts)
        component.register_outputs({})
        created[step.urn] = component

for key, value in PLAN["outputs"].items():
    pulumi.export(key, _value(value))
