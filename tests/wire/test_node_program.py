"""A real Node.js program uses the component package: `@pulumi/pulumi` from npm, run by the Node SDK's
entry point, registering the components with `remote: true`; the test engine routes them to the
provider as Construct. Needs node and npm: skipped locally without them, failing under CI=true.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from required_tools import missing, require_tool

from . import inputs, node_program
from .conftest import deployment
from .engine import STACK_TYPE, FakeEngine
from .values import from_struct, is_secret, plain_strings

pytestmark = pytest.mark.heavy(11)

PUSH_PASSWORD = "node-push-password-2c7d19"
MIRROR_PASSWORD = "node-mirror-password-e06b4a"
SECRET_CONFIG = {"consumer:pushPassword": PUSH_PASSWORD, "consumer:mirrorPassword": MIRROR_PASSWORD}


@pytest.fixture(scope="module")
def tools() -> tuple[str, str]:
    node, npm = require_tool("node"), require_tool("npm")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 20:
        missing(f"node {version} is too old: @pulumi/pulumi needs Node.js 20 or newer")
    return node, npm


@pytest.fixture(scope="module")
def program(tools, tmp_path_factory):
    return node_program.install(tmp_path_factory.mktemp("node-consumer"), tools[1])


@pytest.fixture
def run_program(tools, program, component_package, tmp_path) -> Iterator:
    """Runs the Node.js program once against a fresh engine and provider; returns (engine, plugin, result)."""
    with deployment(component_package, program) as (engine, plugin):

        def run(**scenario: str):
            program_inputs = inputs.node_program(**scenario)
            result = node_program.run(tools[0], program, engine, SECRET_CONFIG, sorted(SECRET_CONFIG), program_inputs)
            return engine, plugin, result

        yield run


def printed(engine: FakeEngine, plugin, result) -> str:
    return "\n".join([result.stdout, result.stderr, plugin.process.printed, *engine.logs, *engine.diagnostics])


def test_a_nodejs_program_builds_both_components_through_the_provider(run_program):
    engine, plugin, result = run_program()
    assert result.returncode == 0, printed(engine, plugin, result)
    assert engine.diagnostics == []

    stack = engine.one(STACK_TYPE)
    aws, kube = engine.one("pulumi:providers:aws"), engine.one("pulumi:providers:kubernetes")
    providers = {"aws": f"{aws.urn}::{aws.id}", "kubernetes": f"{kube.urn}::{kube.id}"}

    # What the Node SDK sent, as the provider received it.
    by_name = {c.name: c for c in engine.constructs}
    assert sorted(by_name) == ["gitpod", "images"]
    for construct in by_name.values():
        assert dict(construct.providers) == providers, construct.name
        assert construct.parent == stack.urn
    images_in = from_struct(by_name["images"].inputs)
    assert images_in["keyGeneration"] == 2.0 and isinstance(images_in["keyGeneration"], float)
    gitpod_in = from_struct(by_name["gitpod"].inputs)
    assert is_secret(gitpod_in["componentImages"]["password"])
    assert is_secret(gitpod_in["workspaceImages"]["password"])

    # What the provider registered: each component under the stack, every child under its component
    # and on the program's own providers.
    for component in (
        engine.one("gitpod-registry:index:GitpodImageRegistries"),
        engine.one("gitpod-registry:index:S3WorkspaceImages"),
    ):
        assert component.parent == stack.urn
        below = engine.descendants(component.urn)
        assert below, component.urn
        for child in below:
            if child.custom:
                assert child.provider == providers[child.type.split(":")[0]], child.urn
    keys = sorted(r.name for r in engine.of_type("aws:iam/accessKey:AccessKey"))
    assert keys == ["images-access-key-1", "images-access-key-2"]
    for secret in engine.of_type("kubernetes:core/v1:Secret"):
        assert is_secret(secret.inputs["stringData"]), secret.urn

    # The program's stack outputs came back through the engine from the provider's state.
    outputs = engine.resource_outputs[stack.urn]
    assert f"url: {inputs.REGISTRY_URL}" in outputs["installerConfigYaml"]
    assert outputs["workspaceImagesSecret"] == "gitpod-registry-workspace-images"
    assert outputs["bucketName"] == "gitpod-registry-prod-eu-123456789012-eu-west-1"
    assert outputs["s3storage"]["endpoint"] == "s3.eu-west-1.amazonaws.com"

    visible = [s for r in engine.registrations for s in plain_strings(r.inputs) + plain_strings(r.outputs)]
    visible += [s for o in engine.resource_outputs.values() for s in plain_strings(o)]
    visible.append(printed(engine, plugin, result))
    assert not [p for p in (PUSH_PASSWORD, MIRROR_PASSWORD) if any(p in s for s in visible)], "a password leaked"


def test_a_bad_value_from_nodejs_fails_on_the_schema_property(run_program):
    engine, plugin, result = run_program(backend="ecs")
    assert result.returncode != 0, "the program succeeded with backend ecs"
    (diagnostic,) = engine.diagnostics
    assert "gitpod-registry:index:GitpodImageRegistries resource 'gitpod'" in diagnostic
    assert "- property workspaceImages.backend with value 'ecs' has a problem: 'ecs' is not allowed" in diagnostic
    assert "Traceback" not in diagnostic and "workspace_images" not in diagnostic, diagnostic
    assert not engine.of_type("gitpod-registry:index:GitpodImageRegistries"), "registered before refusing"
    everything = printed(engine, plugin, result)
    assert PUSH_PASSWORD not in everything and MIRROR_PASSWORD not in everything
