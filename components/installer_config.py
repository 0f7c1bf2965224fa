"""The fragment of Gitpod's installer config (apiVersion v1) that wires up the registries.

Field names are exactly those the installer validates; a wrong one would only
fail at install time, on the customer's cluster.
"""

from __future__ import annotations

from typing import Any

import yaml

DEFAULT_COMPONENT_REPOSITORY = "eu.gcr.io/gitpod-core-dev/build"
DEFAULT_WORKSPACE_IMAGE = "gitpod/workspace-full:latest"


def secret_ref(name: str) -> dict:
    """An installer ObjectRef; `secret` is the only kind the installer accepts."""
    return {"kind": "secret", "name": name}


def installer_fragment(
    *,
    repository: str,
    workspace_image: str,
    container_registry: dict,
    image_pull_secrets: list[str] | None = None,
    drop_image_repo: bool = False,
) -> dict[str, Any]:
    fragment: dict[str, Any] = {"repository": repository}
    if image_pull_secrets:
        fragment["imagePullSecrets"] = [secret_ref(name) for name in image_pull_secrets]
    if drop_image_repo:
        fragment["dropImageRepo"] = True
    fragment["workspace"] = {"workspaceImage": workspace_image}
    fragment["containerRegistry"] = container_registry
    return fragment


def in_cluster_registry(s3storage: dict) -> dict:
    return {"inCluster": True, "s3storage": s3storage}


def external_registry(url: str, secret_name: str, private_base_hosts: list[str] | None = None) -> dict:
    registry: dict[str, Any] = {"inCluster": False, "external": {"url": url, "certificate": secret_ref(secret_name)}}
    if private_base_hosts:
        registry["privateBaseImageAllowList"] = list(private_base_hosts)
    return registry


def to_yaml(fragment: dict) -> str:
    return yaml.safe_dump(fragment, sort_keys=False, default_flow_style=False)
