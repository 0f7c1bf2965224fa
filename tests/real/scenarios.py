"""Program configurations whose `.dockerconfigjson` secrets the real-software tests use, with what each meant.

A scenario for a feature that lives on another branch is collected once that feature's module is on
this one (after `git merge main`); from then on a refused config is a failure, never a skip.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from offline.engine import Evaluation
from offline.mocks import mock_key_file, mock_token_password

WORKSPACE_SECRET = "gitpod-registry-workspace-images"
COMPONENT_SECRET = "gitpod-registry-component-images"

Intended = dict[tuple[str, str], tuple[str, str]]
"""(secret name, registry host) -> (username, password) the program meant."""


@dataclass(frozen=True)
class ProgramScenario:
    id: str
    feature_module: str
    """The module that brings the feature; until it exists here the scenario is not collected."""
    config: dict
    intended: Intended | Callable[[Evaluation], Intended]
    """What the config meant; a function of the evaluation where the cloud makes the password (a GCP key)."""

    def available(self) -> bool:
        return importlib.util.find_spec(self.feature_module) is not None


EXTERNAL = ProgramScenario(
    "external-with-mirror-and-base-images",
    "components.workspace_images.external",
    {
        "gitpod-registry:workspaceImages": {
            "backend": "external",
            "url": "registry.example.com/gitpod",
            "username": "robot$gitpod-push",
            "password": "push-token-0123456789",
        },
        "gitpod-registry:componentImages": {
            "repository": "mirror.example.com:5000/gitpod",
            "username": "robot$mirror",
            "password": "mirror-token-abcdef",
        },
        "gitpod-registry:baseImages": {
            "registries": [
                {"server": "quay.io/acme", "username": "acme+reader", "password": "quay-token-xyz"},
                {"server": "index.docker.io", "username": "acme", "password": "dckr_pat_hub"},
            ]
        },
    },
    {
        (WORKSPACE_SECRET, "registry.example.com"): ("robot$gitpod-push", "push-token-0123456789"),
        (WORKSPACE_SECRET, "quay.io"): ("acme+reader", "quay-token-xyz"),
        (WORKSPACE_SECRET, "docker.io"): ("acme", "dckr_pat_hub"),
        (COMPONENT_SECRET, "mirror.example.com:5000"): ("robot$mirror", "mirror-token-abcdef"),
    },
)
AIR_GAP = ProgramScenario(
    "air-gap",
    "components.roles.air_gap",
    {
        "gitpod-registry:airGap": {
            "registry": "registry.internal.example.com/gitpod",
            "username": "gitpod-robot",
            "password": "air-gap-token-42",
        }
    },
    {
        (WORKSPACE_SECRET, "registry.internal.example.com"): ("gitpod-robot", "air-gap-token-42"),
        (COMPONENT_SECRET, "registry.internal.example.com"): ("gitpod-robot", "air-gap-token-42"),
    },
)


def _gcp_intended(evaluation: Evaluation) -> Intended:
    """The service-account key the cloud would make; the mocks derive it from the Key resource."""
    (key,) = evaluation.of_type("gcp:serviceaccount/key:Key")
    key_json = mock_key_file(key.name, key.inputs["serviceAccountId"])
    return {
        (WORKSPACE_SECRET, "europe-west1-docker.pkg.dev"): ("_json_key", key_json),
        (WORKSPACE_SECRET, "quay.io"): ("acme+reader", "quay-token-xyz"),
    }


GCP_ARTIFACT_REGISTRY = ProgramScenario(
    "gcp-artifact-registry-with-base-images",
    "components.workspace_images.artifact_registry",
    {
        "gcp:project": "acme-gitpod",
        "gcp:region": "europe-west1",
        "gitpod-registry:workspaceImages": {"backend": "artifact-registry"},
        "gitpod-registry:baseImages": {
            "registries": [{"server": "quay.io/acme", "username": "acme+reader", "password": "quay-token-xyz"}]
        },
    },
    _gcp_intended,
)


def _acr_intended(evaluation: Evaluation) -> Intended:
    """The token password the cloud would generate; the mocks derive it from the TokenPassword resource."""
    (registry,) = evaluation.of_type("azure:containerservice/registry:Registry")
    (token,) = evaluation.of_type("azure:containerservice/registryToken:RegistryToken")
    (password,) = evaluation.of_type("azure:containerservice/tokenPassword:TokenPassword")
    return {
        (WORKSPACE_SECRET, f"{registry.inputs['name'].lower()}.azurecr.io"): (
            token.inputs["name"],
            mock_token_password(password.name),
        ),
        (WORKSPACE_SECRET, "quay.io"): ("acme+reader", "quay-token-xyz"),
    }


AZURE_ACR = ProgramScenario(
    "azure-acr-with-base-images",
    "components.workspace_images.acr",
    {
        "gitpod-registry:workspaceImages": {"backend": "acr", "resourceGroup": "gitpod", "keyGeneration": 3},
        "gitpod-registry:baseImages": {
            "registries": [{"server": "quay.io/acme", "username": "acme+reader", "password": "quay-token-xyz"}]
        },
    },
    _acr_intended,
)
PROGRAM_SCENARIOS = [EXTERNAL, AIR_GAP, GCP_ARTIFACT_REGISTRY, AZURE_ACR]
