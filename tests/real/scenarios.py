"""Program configurations whose `.dockerconfigjson` secrets the real-software tests use, with what each meant.

A scenario for a feature that lives on another branch is collected once that feature's module is on
this one (after `git merge main`); from then on a refused config is a failure, never a skip.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from offline.engine import Evaluation

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
    "components.external_workspace_images",
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
    "components.air_gap",
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
# Hook for the GCP Artifact Registry backend, once on main: ProgramScenario("gcp-artifact-registry",
# "<its component module>", <its config>, {(WORKSPACE_SECRET, "LOCATION-docker.pkg.dev"): ("_json_key",
# <the decoded private key JSON of the gcp:serviceaccount/key:Key resource, see offline.mocks>)}).
# Its password comes from the evaluation, so give `intended` as a function of the Evaluation.
PROGRAM_SCENARIOS = [EXTERNAL, AIR_GAP]
