"""The component provider, started as the CLI starts it and driven over gRPC as the engine drives it.

One deployment per module: the consumer's stack, its providers and a generated password are
registered first, then each test constructs its own component in it, as a program with several
components would.
"""

from __future__ import annotations

import json
import re

import grpc
import pytest

from offline.mocks import mock_token_password

from . import inputs
from .engine import FakeEngine, Registration
from .monitor import error_to_message
from .values import OutputValue, from_struct, is_secret, plain_strings, reveal

pytestmark = pytest.mark.heavy(3)

REGISTRIES = "gitpod-registry:index:GitpodImageRegistries"
S3 = "gitpod-registry:index:S3WorkspaceImages"


@pytest.fixture(scope="module")
def consumer(engine: FakeEngine) -> dict[str, str]:
    """What the consumer's program registered before using the package: providers and a password."""
    stack = engine.register_stack()
    password = engine.register_custom("random:index/randomPassword:RandomPassword", "push-password", {}, stack).urn
    return {
        "stack": stack,
        "aws": engine.register_provider("aws", "registry-account", {"region": "eu-west-1"}, stack),
        "kubernetes": engine.register_provider("kubernetes", "gitpod-cluster", {"context": "prod-eu"}, stack),
        "azure": engine.register_provider("azure", "subscription", {"location": "westeurope"}, stack),
        "password": password,
    }


def construct(engine, plugin, consumer, type_: str, name: str, props: dict, **kwargs):
    providers = {package: consumer[package] for package in ("aws", "azure", "kubernetes")}
    request = engine.construct_request(type_, name, props, consumer["stack"], providers, **kwargs)
    return plugin.construct(request)


def assert_tree(engine: FakeEngine, component_urn: str, providers: dict[str, str]) -> list[Registration]:
    """Every resource under the component has it as an ancestor and the consumer's provider for its package."""
    below = engine.descendants(component_urn)
    assert below, f"{component_urn} registered no children"
    for child in below:
        assert child.name.startswith(engine.by_urn(component_urn).name), child.urn
        if child.custom:
            package = child.type.split(":")[0]
            assert child.provider == providers[package], f"{child.urn} uses {child.provider}"
    return below


def visible_strings(engine: FakeEngine, *values) -> list[str]:
    found = [s for r in engine.registrations for s in plain_strings(r.inputs) + plain_strings(r.outputs)]
    found += [s for outputs in engine.resource_outputs.values() for s in plain_strings(outputs)]
    return found + [s for v in values for s in plain_strings(v)] + engine.logs


def test_configure_accepts_secrets_resources_and_output_values(plugin):
    response = plugin.configure_response
    assert (response.acceptSecrets, response.acceptResources, response.acceptOutputs) == (True, True, True)


def test_s3_workspace_images_from_another_language(engine, plugin, consumer):
    response = construct(engine, plugin, consumer, S3, "images", inputs.s3_workspace_images())

    component = engine.by_urn(response.urn)
    assert (component.type, component.parent) == (S3, consumer["stack"])
    below = assert_tree(engine, response.urn, consumer)
    keys = sorted(r.name for r in below if r.type == "aws:iam/accessKey:AccessKey")
    # keyGeneration 2.0 reached the component as the integer 2; keepPreviousKey keeps generation 1.
    assert keys == ["images-access-key-1", "images-access-key-2"]
    bucket = next(r for r in below if r.type == "aws:s3/bucket:Bucket")
    assert bucket.protect, bucket.urn
    (identity,) = [i for i in engine.invocations if i.token == "aws:index/getCallerIdentity:getCallerIdentity"]
    assert identity.provider == consumer["aws"], "the invoke did not use the consumer's AWS provider"

    state = from_struct(response.state)
    assert state["bucketName"] == bucket.outputs["bucket"] and "123456789012" in state["bucketName"]
    assert state["s3storage"]["endpoint"] == "s3.eu-west-1.amazonaws.com"
    assert engine.resource_outputs[response.urn], "the component registered no outputs"

    secret = next(r for r in below if r.type == "kubernetes:core/v1:Secret")
    assert is_secret(secret.inputs["stringData"]), secret.urn
    access_secrets = [reveal(r.outputs["secret"]) for r in below if r.type == "aws:iam/accessKey:AccessKey"]
    visible = visible_strings(engine, state)
    assert not [s for s in visible for key in access_secrets if key in s], "an access key secret is visible"


def test_external_backend_keeps_every_password_secret_and_its_dependencies(engine, plugin, consumer):
    password = consumer["password"]
    props = inputs.registries_external(
        inputs.secret_from(inputs.PUSH_PASSWORD, password),
        inputs.secret_from(inputs.MIRROR_PASSWORD, password),
        inputs.secret_from(inputs.BASE_PASSWORD, password),
    )
    response = construct(engine, plugin, consumer, REGISTRIES, "external", props, dependencies=[password])

    component = engine.by_urn(response.urn)
    assert component.parent == consumer["stack"]
    assert component.dependencies == [password], "the component lost the consumer's dependsOn"
    below = assert_tree(engine, response.urn, consumer)
    secrets = [r for r in below if r.type == "kubernetes:core/v1:Secret"]
    assert len(secrets) == 2, [r.urn for r in secrets]  # the push secret and the mirror's pull secret
    for secret in secrets:
        assert is_secret(secret.inputs["stringData"]), secret.urn
        # The password's resource reaches the engine as a dependency of the secret that carries it.
        assert password in secret.property_dependencies.get("stringData", []), secret.urn
        assert password in secret.dependencies, secret.urn
    pushed = json.loads(
        reveal(next(s for s in secrets if "workspace" in s.name).inputs["stringData"])[".dockerconfigjson"]
    )
    assert {inputs.BASE_REGISTRY, "registry.example.com"} <= set(pushed["auths"]), sorted(pushed["auths"])

    state = from_struct(response.state)
    assert inputs.REGISTRY_URL in state["installerConfigYaml"]
    assert state["workspaceImagesSecret"] == "gitpod-registry-workspace-images"
    visible = visible_strings(engine, state) + [plugin.process.printed]
    leaked = [c for c in inputs.CREDENTIALS if any(c in s for s in visible)]
    assert not leaked, f"visible in plain text: {leaked}"


def test_s3_backend_nests_the_backend_component_under_the_composite(engine, plugin, consumer):
    response = construct(engine, plugin, consumer, REGISTRIES, "s3", inputs.registries_s3())

    backend = next(r for r in engine.descendants(response.urn) if r.type == S3)
    assert backend.parent == response.urn
    assert backend.urn.startswith(f"urn:pulumi:dev::consumer::{REGISTRIES}${S3}::"), backend.urn
    assert {r.type for r in engine.descendants(backend.urn)} >= {"aws:s3/bucket:Bucket", "aws:iam/user:User"}
    assert_tree(engine, response.urn, consumer)
    state = from_struct(response.state)
    assert "s3.eu-west-1.amazonaws.com" in state["installerConfigYaml"]
    assert not [c for c in inputs.CREDENTIALS if any(c in s for s in visible_strings(engine, state))]


def test_acr_backend_runs_with_the_azure_sdk_the_provider_installs(engine, plugin, consumer):
    """The acr backend's SDK is optional for Python users; the provider installs it, so other languages have it."""
    response = construct(engine, plugin, consumer, REGISTRIES, "acr", inputs.registries_acr())

    below = assert_tree(engine, response.urn, consumer)
    assert {r.type for r in below} >= {"azure:containerservice/registry:Registry", "kubernetes:core/v1:Secret"}
    (password,) = [r for r in below if r.type == "azure:containerservice/tokenPassword:TokenPassword"]
    assert password.provider == consumer["azure"]
    state = from_struct(response.state)
    assert ".azurecr.io" in state["installerConfigYaml"]
    secret_outputs = [reveal(v) for r in below if r.custom for v in r.outputs.values() if is_secret(v)]
    tokens = [t for value in secret_outputs for t in plain_strings(value) if len(t) > 8]
    assert mock_token_password(password.name) in tokens, "the token password is not secret at the monitor"
    visible = visible_strings(engine, state)
    assert not [t for t in tokens if any(t in s for s in visible)], "a token password is visible"


@pytest.mark.parametrize("case", sorted(inputs.BAD_REGISTRIES))
def test_a_bad_input_is_an_input_error_on_the_schema_property(engine, plugin, consumer, case):
    path, words = inputs.BAD_REGISTRIES[case]
    name = f"bad-{case.replace('.', '-')}"
    props = inputs.bad_registries(case, inputs.secret_from(inputs.PUSH_PASSWORD, consumer["password"]))

    with pytest.raises(grpc.RpcError) as raised:
        construct(engine, plugin, consumer, REGISTRIES, name, props)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT, raised.value
    shown = error_to_message(raised.value, props)
    # On the property (the engine shows its value), or, where it holds a secret, named in the message.
    assert f"- property {path} " in shown or shown.startswith(f"{path}: "), shown
    assert words in shown, shown
    assert "Traceback" not in shown and 'File "' not in shown, shown
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), f"a Python name in: {shown}"
    assert inputs.PUSH_PASSWORD not in shown, "the engine would print a password"
    assert not [r.urn for r in engine.registrations if f"::{name}" in r.urn], "registered before refusing"


def test_a_fraction_for_an_integer_is_refused_on_the_component_itself(engine, plugin, consumer):
    with pytest.raises(grpc.RpcError) as raised:
        construct(engine, plugin, consumer, S3, "fraction", inputs.s3_workspace_images(keyGeneration=1.5))
    shown = error_to_message(raised.value, {})
    assert "- property keyGeneration has a problem: expected a whole number, got 1.5" in shown, shown


def test_a_missing_required_input_names_it(engine, plugin, consumer):
    props = {k: v for k, v in inputs.s3_workspace_images().items() if k != "region"}
    with pytest.raises(grpc.RpcError) as raised:
        construct(engine, plugin, consumer, S3, "no-region", props)
    assert "- property region has a problem: Missing required input 'region'" in error_to_message(raised.value, props)


def test_an_unknown_secret_during_preview_still_constructs(engine, plugin, consumer):
    """In a preview the password may not be known yet: the component registers, the secret stays unknown."""
    engine.dry_run = True
    try:
        unknown = OutputValue(None, secret=True, dependencies=(consumer["password"],), known=False)
        props = inputs.registries_external(unknown, unknown, unknown)
        response = construct(engine, plugin, consumer, REGISTRIES, "preview", props)
    finally:
        engine.dry_run = False
    assert engine.descendants(response.urn)
