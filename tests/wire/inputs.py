"""Every Construct input the wire tests send, in the schema's (camelCase) names, in ONE place.

The tests ask for scenarios (an S3 backend, an external backend with secret passwords, one bad
value) and property paths by meaning (`PATHS["component_password"]`); only this module knows how
the GitpodImageRegistries arguments are shaped (roles grouped as `componentImages` and `baseImages`),
so a change of shape is a change of `_composite`, `node_program` and `PATHS`.

Values are shaped as a TypeScript program sends them after the engine has seen them: numbers are
floats, secrets are secret output values carrying the URNs they came from.
"""

from __future__ import annotations

from typing import Any

from .values import OutputValue

CLUSTER = "prod-eu"
NAMESPACE = "gitpod"
REGION = "eu-west-1"
REGISTRY_URL = "registry.example.com/gitpod"
MIRROR = "mirror.example.com/gitpod"
BASE_REGISTRY = "base.example.com"

# Credentials the tests look for anywhere they must not be: state, registrations, errors, logs.
PUSH_PASSWORD = "wire-push-password-5d1f0c"
MIRROR_PASSWORD = "wire-mirror-password-8a4e77"
BASE_PASSWORD = "wire-base-password-31b9c2"
CREDENTIALS = (PUSH_PASSWORD, MIRROR_PASSWORD, BASE_PASSWORD)

# Where each argument sits in the schema, for the assertions on errors.
PATHS = {
    "cluster_name": "clusterName",
    "backend": "workspaceImages.backend",
    "region": "workspaceImages.region",
    "url": "workspaceImages.url",
    "key_generation": "workspaceImages.keyGeneration",
    "component_images": "componentImages",
    "component_password": "componentImages.password",
    "base_password": "baseImages.registries[0].password",
}


def secret_from(value: str, urn: str) -> OutputValue:
    """A secret the consumer took from another resource (a generated password, a secret manager)."""
    return OutputValue(value, secret=True, dependencies=(urn,))


def s3_workspace_images(**overrides: Any) -> dict[str, Any]:
    """S3WorkspaceImages on its own; keyGeneration arrives as the float 2.0."""
    return {
        "clusterName": CLUSTER,
        "namespace": NAMESPACE,
        "region": REGION,
        "keyGeneration": 2.0,
        "keepPreviousKey": True,
        **overrides,
    }


def _composite(
    workspace_images: dict[str, Any],
    mirror_password: OutputValue | None = None,
    base_password: OutputValue | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    inputs: dict[str, Any] = {"clusterName": CLUSTER, "namespace": NAMESPACE, "workspaceImages": workspace_images}
    if mirror_password is not None:
        inputs["componentImages"] = {"repository": MIRROR, "username": "mirror-bot", "password": mirror_password}
    if base_password is not None:
        registries = [{"server": BASE_REGISTRY, "username": "base-bot", "password": base_password}]
        inputs["baseImages"] = {"registries": registries}
    inputs.update(overrides)
    return inputs


def registries_s3(mirror_password: OutputValue | None = None, **workspace: Any) -> dict[str, Any]:
    """GitpodImageRegistries on the s3 backend; `workspace` overrides workspaceImages entries."""
    return _composite({"backend": "s3", "region": REGION, "keyGeneration": 2.0, **workspace}, mirror_password)


def registries_external(push_password: OutputValue, mirror_password: OutputValue, base_password: OutputValue):
    """GitpodImageRegistries on the external backend, every password a secret output of another resource."""
    workspace = {"backend": "external", "url": REGISTRY_URL, "username": "pusher", "password": push_password}
    return _composite(workspace, mirror_password, base_password)


def registries_acr() -> dict[str, Any]:
    """GitpodImageRegistries on the acr backend: a new Azure Container Registry in an existing group."""
    return _composite({"backend": "acr", "resourceGroup": "gitpod"})


def bad_registries(case: str, password: OutputValue) -> dict[str, Any]:
    """One wrong value each; where the backend allows passwords, next to secrets that must not leak."""
    external = registries_external(password, password, password)
    bad = {
        "unknown-backend": {**external, "workspaceImages": {**external["workspaceImages"], "backend": "ecs"}},
        "uppercase-cluster": {**external, "clusterName": "Prod-EU"},
        "key-generation-0": registries_s3(keyGeneration=0.0),
        "key-generation-1.5": registries_s3(keyGeneration=1.5),
        "wrong-region": registries_s3(region="europe-west1"),
        # Refused on a property that holds a secret: the engine must get no value to print.
        "mirror-login-with-s3": registries_s3(password),
        # A login typed into the URL (plain text, not a secret): the engine must not print it either.
        "url-with-login": {
            **external,
            "workspaceImages": {**external["workspaceImages"], "url": f"https://pusher:{PUSH_PASSWORD}@{REGISTRY_URL}"},
        },
    }
    return bad[case]


# case -> (the schema path the error must name, words the reason must contain)
BAD_REGISTRIES = {
    "unknown-backend": (PATHS["backend"], "'ecs' is not allowed; allowed values: s3, ecr,"),
    "uppercase-cluster": (PATHS["cluster_name"], "not a valid cluster name"),
    "key-generation-0": (PATHS["key_generation"], "whole number from 1"),
    "key-generation-1.5": (PATHS["key_generation"], "whole number"),
    "wrong-region": (PATHS["region"], "not an AWS region name"),
    "mirror-login-with-s3": (PATHS["component_images"], "cannot be used with backend 's3'"),
    "url-with-login": (PATHS["url"], "has a scheme"),
}


def node_program(backend: str = "external") -> dict[str, dict[str, Any]]:
    """The Node.js program's two components, by resource name, as JSON it reads (tests/wire/node).

    {"secretConfig": KEY} stands for `config.requireSecret(KEY)` in the program: the passwords come
    from the stack's secret config, as a TypeScript program would take them.
    """
    workspace = {
        "backend": backend,
        "url": REGISTRY_URL,
        "username": "pusher",
        "password": {"secretConfig": "pushPassword"},
    }
    gitpod = _composite(workspace)
    gitpod["componentImages"] = {
        "repository": MIRROR,
        "username": "mirror-bot",
        "password": {"secretConfig": "mirrorPassword"},
    }
    images = {k: int(v) if isinstance(v, float) else v for k, v in s3_workspace_images().items()}
    return {"gitpod": gitpod, "images": images}
