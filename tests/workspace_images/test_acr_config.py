"""Bad configuration for the acr backend: one error naming the key, nothing registered."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.azure import names as azure_names
from components.validation import InvalidInput
from components.workspace_images import BACKENDS
from conftest import run, run_invalid

WS = "gitpod-registry:workspaceImages"


def acr(**fields):
    return {WS: {"backend": "acr", "resourceGroup": "gitpod", **fields}}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {WS: {"backend": "acr"}},
            r"^invalid configuration: gitpod-registry:workspaceImages.resourceGroup: required for the acr backend",
        ),
        (acr(resourceGroup=""), r"workspaceImages.resourceGroup: empty, and it is required"),
        (acr(resourceGroup=7), r"workspaceImages.resourceGroup: expected a resource group name such as gitpod, got 7"),
        (acr(resourceGroup="gitpod."), r"workspaceImages.resourceGroup: 'gitpod.' is not a resource group name"),
        (acr(resourceGroup="git pod"), r"workspaceImages.resourceGroup: 'git pod' is not a resource group name"),
        (acr(resourceGroup="g" * 91), r"workspaceImages.resourceGroup: .* is not a resource group name; use 1-90"),
        (
            acr(location="West Europe"),
            r"workspaceImages.location: 'West Europe' is not an Azure region name; .* did you mean 'westeurope'\?",
        ),
        (acr(location=""), r"workspaceImages.location: empty; give a value, or remove the key to use the default"),
        (acr(location=["westeurope"]), r"workspaceImages.location: expected an Azure region name"),
        (
            acr(registryName="gitpod-prod"),
            r"workspaceImages.registryName: 'gitpod-prod' is not a container registry name; use 5-50 letters and digits",
        ),
        (acr(registryName="abcd"), r"workspaceImages.registryName: 'abcd' is not a container registry name"),
        (acr(registryName="a" * 51), r"workspaceImages.registryName: .* is not a container registry name"),
        (acr(registryName=12345), r"workspaceImages.registryName: expected a container registry name"),
        (
            acr(sku="premium"),
            r"workspaceImages.sku: 'premium' is not allowed; allowed values: Basic, Standard, Premium",
        ),
        (
            acr(sku="Classic"),
            r"workspaceImages.sku: 'Classic' is not allowed; allowed values: Basic, Standard, Premium",
        ),
        (acr(keyGeneration=0), r"workspaceImages.keyGeneration: expected a whole number from 1 to 2147483647, got 0"),
        (acr(keepPreviousKey="yes"), r"workspaceImages.keepPreviousKey: expected true or false"),
        (
            acr(resourcegroup="gitpod"),
            r"workspaceImages.resourcegroup: unknown field; did you mean resourceGroup\? allowed fields here: "
            r"backend, keepPreviousKey, keyGeneration, location, purge, purgeKeepCount, purgeOlderThanDays, "
            r"purgeSchedule, purgeUntagged, registryName, resourceGroup, sku",
        ),
        (acr(repository="gitpod"), r"workspaceImages.repository: unknown field; allowed fields here: backend, "),
        (
            {WS: {"backend": "azure"}},
            rf"workspaceImages.backend: 'azure' is not allowed; allowed values: {', '.join(BACKENDS)}",
        ),
    ],
)
def test_bad_acr_config_is_refused_naming_the_key(config, expected):
    assert re.search(expected, run_invalid(config)), run_invalid(config)


def test_a_base_image_login_for_the_chosen_registry_is_refused():
    message = run_invalid(
        {
            **acr(registryName="AcmeGitpod"),
            "gitpod-registry:baseImages": {
                "registries": [{"server": "acmegitpod.azurecr.io", "username": "u", "password": "p"}]
            },
        }
    )
    assert (
        "gitpod-registry:baseImages.registries[0]: two credentials for registry host 'acmegitpod.azurecr.io': "
        "the registry's own token already logs in there"
    ) in message


def test_a_base_image_login_for_the_default_registry_is_refused_whatever_the_subscription():
    message = run_invalid(
        {
            **acr(),
            "gitpod-registry:baseImages": {
                "registries": [
                    {"server": "quay.io", "username": "u", "password": "p"},
                    {"server": "gitpoddev0123abcd.azurecr.io", "username": "u", "password": "p"},
                ]
            },
        },
        stack="dev",
    )
    assert "baseImages.registries[1]: two credentials for registry host 'gitpoddev0123abcd.azurecr.io'" in message


def test_another_acr_registry_is_a_fine_base_image_source():
    config = {
        **acr(),
        "gitpod-registry:baseImages": {
            "registries": [{"server": "acmeimages.azurecr.io", "username": "reader", "password": "p"}]
        },
    }
    assert run("dev", config).outputs["installerConfig"]["containerRegistry"]["privateBaseImageAllowList"] == [
        "acmeimages.azurecr.io"
    ]


def test_without_the_azure_sdk_the_backend_is_refused_with_the_install_command(monkeypatch):
    # None in sys.modules makes the package unfindable, as on a machine that installed requirements.txt only.
    monkeypatch.setitem(sys.modules, "pulumi_azure", None)
    message = run_invalid(acr())
    assert (
        "gitpod-registry:workspaceImages.backend: 'acr' needs the Python package pulumi-azure, which is not "
        "installed; `uv sync` installs it"
    ) in message


# pulumi-azure's rule (terraform-provider-azurerm ValidateResourceGroupName): Go's \w, which is ASCII-only.
GO_RESOURCE_GROUP = re.compile(r"[-\w._()]{1,90}", re.ASCII)
RG_SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)


@RG_SETTINGS
@given(st.from_regex(r"[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]", fullmatch=True))
def test_every_resource_group_name_pulumi_azure_takes_is_accepted(name):
    assert GO_RESOURCE_GROUP.fullmatch(name)
    assert azure_names.resource_group("workspace_images.resource_group", name) == name


@RG_SETTINGS
@given(
    st.tuples(
        st.from_regex(r"[-a-z0-9]{0,20}", fullmatch=True),
        # Letters and digits Python's Unicode \w takes and Go's does not: ü, full-width digits, superscripts, Ⅻ.
        st.sampled_from(["ü", "Ä", "１", "²", "Ⅻ", "ß", "é", "你", "٣", "ǅ"]),
        st.from_regex(r"[-a-z0-9]{0,20}[a-z0-9]", fullmatch=True),
    ).map("".join)
)
def test_a_resource_group_name_outside_ascii_is_refused_as_pulumi_azure_would(name):
    assert re.fullmatch(r"[-\w._()]+", name) and not GO_RESOURCE_GROUP.fullmatch(name)
    with pytest.raises(InvalidInput, match=r"is not a resource group name; use 1-90 ASCII letters .* ASCII .* only"):
        azure_names.resource_group("workspace_images.resource_group", name)


def test_rg_muenchen_is_refused_naming_the_key():
    message = run_invalid(acr(resourceGroup="rg-münchen"))
    assert message.startswith(f"invalid configuration: {WS}.resourceGroup: ")
    assert "ASCII letters and digits" in message
