"""The acr backend, on the resource graph the real program registers."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest

from components.azure.names import default_registry_name
from conftest import assert_never_plain, docker_config, run, secret_named
from offline.engine import evaluate
from offline.mocks import MOCK_AZURE_LOCATION, MOCK_SUBSCRIPTION_ID, mock_token_password

ROOT = Path(__file__).resolve().parents[2]
WS = "gitpod-registry:workspaceImages"
AZURE = {WS: {"backend": "acr", "resourceGroup": "gitpod"}}
REGISTRY = "azure:containerservice/registry:Registry"
SCOPE_MAP = "azure:containerservice/registryScopeMap:RegistryScopeMap"
TOKEN = "azure:containerservice/registryToken:RegistryToken"
PASSWORD = "azure:containerservice/tokenPassword:TokenPassword"
TASK = "azure:containerservice/registryTask:RegistryTask"
SECRET = "gitpod-registry-workspace-images"
GROUP_ID = f"/subscriptions/{MOCK_SUBSCRIPTION_ID}/resourceGroups/gitpod"


def acr(**fields):
    return {WS: {"backend": "acr", "resourceGroup": "gitpod", **fields}}


@pytest.fixture(scope="module")
def azure_stack():
    return run("dev", AZURE)


def registry_name(evaluation) -> str:
    return evaluation.one(REGISTRY).inputs["name"]


def test_registry_has_no_admin_user_no_anonymous_pull_and_is_protected_and_tagged(azure_stack):
    registry = azure_stack.one(REGISTRY)
    assert registry.inputs["adminEnabled"] is False, registry.urn
    assert registry.inputs["anonymousPullEnabled"] is False, registry.urn
    assert registry.protect, f"{registry.urn} must be protected"
    assert registry.inputs["resourceGroupName"] == "gitpod"
    assert registry.inputs["sku"] == "Standard"
    assert registry.inputs["tags"] == {"gitpod-cluster": "dev", "gitpod-registry-role": "workspace-images"}


def test_location_defaults_to_the_resource_groups(azure_stack):
    assert azure_stack.one(REGISTRY).inputs["location"] == MOCK_AZURE_LOCATION


def test_default_name_is_gitpod_the_cluster_and_a_hash_of_the_resource_group():
    name = registry_name(run("prod-eu-1", AZURE))
    assert re.fullmatch(r"gitpodprodeu1[0-9a-f]{8}", name), name
    assert name == default_registry_name("prod-eu-1", GROUP_ID)
    # Another subscription or resource group (another team trying the same example) gets another name.
    assert default_registry_name("prod-eu-1", GROUP_ID.replace("0001", "0002")) != name
    assert default_registry_name("prod-eu-1", GROUP_ID + "2") != name
    # Azure resource group ids are case-insensitive.
    assert default_registry_name("prod-eu-1", GROUP_ID.upper()) == name


def test_two_clusters_get_two_registries_and_the_same_cluster_the_same_one_every_run():
    dev, prod, dev_again = (registry_name(run(stack, AZURE)) for stack in ("dev", "prod", "dev"))
    assert dev != prod
    assert dev == dev_again
    # Dashes are dropped from the readable part, the hash still tells a-b from ab.
    assert registry_name(run("a-b", AZURE)) != registry_name(run("ab", AZURE))


def test_the_longest_cluster_name_still_makes_a_valid_registry_name():
    name = registry_name(run("c" * 32, AZURE))
    assert 5 <= len(name) <= 50 and name.isalnum(), name


def test_chosen_name_location_and_sku_are_used_as_given():
    evaluation = run("dev", acr(registryName="acmeGitpod", location="northeurope", sku="Premium"))
    registry = evaluation.one(REGISTRY).inputs
    assert (registry["name"], registry["location"], registry["sku"]) == ("acmeGitpod", "northeurope", "Premium")
    # The login server is lowercase whatever the name's case.
    assert list(docker_config(secret_named(evaluation, SECRET))["auths"]) == ["acmegitpod.azurecr.io"]
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["external"]["url"] == "acmegitpod.azurecr.io"


def test_scope_map_allows_reading_and_writing_only_gitpods_two_repositories(azure_stack):
    scope_map = azure_stack.one(SCOPE_MAP)
    assert sorted(scope_map.inputs["actions"]) == [
        "repositories/base-images/content/read",
        "repositories/base-images/content/write",
        "repositories/workspace-images/content/read",
        "repositories/workspace-images/content/write",
    ]
    assert scope_map.inputs["containerRegistryName"] == registry_name(azure_stack)
    assert scope_map.inputs["resourceGroupName"] == "gitpod"


def test_the_token_uses_that_scope_map_and_nothing_is_granted_at_any_scope(azure_stack):
    token = azure_stack.one(TOKEN)
    assert token.inputs["scopeMapId"].endswith("/scopeMaps/gitpod-workspace-images"), token.urn
    assert token.inputs["name"] == "gitpod-push-1" and token.inputs["enabled"] is True
    grants = [r.urn for r in azure_stack.resources if "authorization" in r.type.lower() or "role" in r.type.lower()]
    assert grants == [], f"role assignments: {grants}"
    types = {r.type for r in azure_stack.resources}
    assert types == {
        "gitpod-registry:index:AcrWorkspaceImages",
        "gitpod-registry:index:ComponentImages",
        "gitpod-registry:index:GitpodImageRegistries",
        REGISTRY,
        SCOPE_MAP,
        TOKEN,
        PASSWORD,
        TASK,
        "kubernetes:core/v1:Secret",
    }


def test_the_password_never_expires_and_stays_secret(azure_stack):
    password = azure_stack.one(PASSWORD)
    assert password.inputs["password1"] == {}, "an expiry would break workspaces when it passes"
    assert password.inputs["containerRegistryTokenId"].endswith("/tokens/gitpod-push-1")
    assert_never_plain(azure_stack, mock_token_password(password.name))


def test_secret_is_a_dockerconfigjson_for_the_login_server_with_the_token(azure_stack):
    secret = secret_named(azure_stack, SECRET)
    assert secret.inputs["metadata"]["namespace"] == "gitpod"
    host = f"{registry_name(azure_stack)}.azurecr.io"
    auths = docker_config(secret)["auths"]
    assert list(auths) == [host]
    password = mock_token_password("gitpod-workspace-images-password-1")
    assert auths[host] == {
        "username": "gitpod-push-1",
        "password": password,
        "auth": base64.b64encode(f"gitpod-push-1:{password}".encode()).decode(),
    }


def test_installer_config_points_at_the_registry_and_the_secret(azure_stack):
    host = f"{registry_name(azure_stack)}.azurecr.io"
    assert azure_stack.outputs["installerConfig"]["containerRegistry"] == {
        "inCluster": False,
        "external": {"url": host, "certificate": {"kind": "secret", "name": SECRET}},
    }
    assert azure_stack.outputs["workspaceImagesSecret"] == SECRET
    assert f"url: {host}" in azure_stack.outputs["installerConfigYaml"]


def test_rotation_keeps_the_previous_token_until_told_otherwise():
    evaluation = run("dev", acr(keyGeneration=2, keepPreviousKey=True))
    assert sorted(t.inputs["name"] for t in evaluation.of_type(TOKEN)) == ["gitpod-push-1", "gitpod-push-2"]
    assert sorted(p.name for p in evaluation.of_type(PASSWORD)) == [
        "gitpod-workspace-images-password-1",
        "gitpod-workspace-images-password-2",
    ]
    (entry,) = docker_config(secret_named(evaluation, SECRET))["auths"].values()
    assert entry["username"] == "gitpod-push-2"
    assert entry["password"] == mock_token_password("gitpod-workspace-images-password-2")

    finished = run("dev", acr(keyGeneration=2))
    assert [t.inputs["name"] for t in finished.of_type(TOKEN)] == ["gitpod-push-2"]
    assert [p.name for p in finished.of_type(PASSWORD)] == ["gitpod-workspace-images-password-2"]
    # The registry and scope map stay where they are.
    assert registry_name(finished) == registry_name(evaluation)


def test_protection_can_be_lifted_for_throwaway_stacks():
    assert not run("dev", {**AZURE, "gitpod-registry:protectData": False}).one(REGISTRY).protect


def test_base_image_logins_join_the_push_secret_and_the_allow_list():
    quay = {"server": "quay.io/acme", "username": "acme+reader", "password": "quay-token-xyz"}
    evaluation = run("dev", {**AZURE, "gitpod-registry:baseImages": {"registries": [quay]}})
    auths = docker_config(secret_named(evaluation, SECRET))["auths"]
    assert sorted(auths) == sorted([f"{registry_name(evaluation)}.azurecr.io", "quay.io"])
    assert auths["quay.io"]["username"] == "acme+reader"
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["privateBaseImageAllowList"] == ["quay.io"]
    assert_never_plain(evaluation, "quay-token-xyz")


def test_same_config_gives_identical_inputs_every_run():
    first, second = run("dev", AZURE), run("dev", AZURE)
    assert [(r.urn, r.inputs, r.protect) for r in sorted(first.resources, key=lambda r: r.urn)] == [
        (r.urn, r.inputs, r.protect) for r in sorted(second.resources, key=lambda r: r.urn)
    ]


def test_the_azure_example_stack_is_complete():
    evaluation = evaluate("azure")
    assert evaluation.error is None, evaluation.error
    registry = evaluation.one(REGISTRY)
    assert registry.inputs["resourceGroupName"] == "gitpod" and registry.protect
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["inCluster"] is False


COMPONENT_PROGRAM = """
import pulumi
from components import AcrWorkspaceImages

images = AcrWorkspaceImages(
    "images",
    {
        "cluster_name": "dev",
        "namespace": "gitpod",
        "resource_group": "gitpod",
        "registry_name": "acmegitpoddev",
        "location": "westus3",
        "secret_name": "acr-push",
        "extra_credentials": [
            {"server": "registry.example.com", "username": "robot", "password": pulumi.Output.secret("s3cr3t")},
        ],
    },
)
pulumi.export("url", images.url)
pulumi.export("username", images.username)
pulumi.export("registryName", images.registry_name)
"""


def test_the_component_on_its_own(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(COMPONENT_PROGRAM)
    evaluation = run("dev", {}, program=program)
    assert evaluation.outputs == {
        "url": "acmegitpoddev.azurecr.io",
        "username": "gitpod-push-1",
        "registryName": "acmegitpoddev",
    }
    assert evaluation.one(REGISTRY).inputs["location"] == "westus3"
    auths = docker_config(secret_named(evaluation, "acr-push"))["auths"]
    assert sorted(auths) == ["acmegitpoddev.azurecr.io", "registry.example.com"]
    assert base64.b64decode(auths["registry.example.com"]["auth"]).decode() == "robot:s3cr3t"


def test_the_component_refuses_a_login_for_its_own_host_before_registering(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(COMPONENT_PROGRAM.replace("registry.example.com", "acmegitpoddev.azurecr.io"))
    evaluation = evaluate("dev", {}, use_stack_file=False, program=program)
    assert "extra_credentials[0]: two credentials for registry host 'acmegitpoddev.azurecr.io'" in str(evaluation.error)
    assert evaluation.resources == [], [r.urn for r in evaluation.resources]


def test_importing_the_components_does_not_import_the_azure_sdk():
    # The AWS and GCP paths never load (or need) pulumi-azure.
    code = "import sys, components, components.stack_config; print('pulumi_azure' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", result.stderr
