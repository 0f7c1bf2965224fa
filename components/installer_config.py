"""The fragment of Gitpod's installer config (apiVersion v1) that wires up the registries.

Field names are exactly those the installer validates; a wrong one would only
fail at install time, on the customer's cluster.
"""

from __future__ import annotations

from typing import Any

import yaml

DEFAULT_COMPONENT_REPOSITORY = "eu.gcr.io/gitpod-core-dev/build"
"""The installer's own `repository` default: config/v1/config.go `defaultRepositoryUrl`, set when the installer
is built (config/vars.go, install/installer/BUILD.yaml); Gitpod's released installers use this one."""
DEFAULT_WORKSPACE_IMAGE = "gitpod/workspace-full:latest"
DEFAULT_NAMESPACE = "gitpod"
"""Gitpod's namespace, where its registry secrets live, unless the installation says otherwise."""
DOCKERCONFIG_TYPE = "kubernetes.io/dockerconfigjson"
"""The type of every login secret the installer config names."""
CA_KEY = "ca.crt"
"""The key of the secret `customCACert` names: trust-manager's Bundle reads it (cluster/certmanager.go)."""
DOCKERCONFIG_KEY = ".dockerconfigjson"
"""The key of every login secret the installer config names (`kubernetes.io/dockerconfigjson`; the installer
validates it for containerRegistry.external.certificate and imagePullSecrets, config/v1/validation.go)."""
S3_KEYS = ("s3AccessKey", "s3SecretKey")
"""The keys of the secret `containerRegistry.s3storage.certificate` names, access key id then secret key: the
installer requires exactly these (config/v1/validation.go) and hands them to the registry chart."""
PUSHED_REPOSITORIES = ("base-images", "workspace-images")
"""The two repositories image-builder pushes to under `containerRegistry.external.url`: image-builder-mk3's
`baseImageRepository` and `workspaceImageRepository` (image-builder-mk3/configmap.go)."""
BUILTIN_REGISTRY_AUTH = "builtin-registry-auth"
"""The `.dockerconfigjson` secret the installer generates for its in-cluster registry
(install/installer/pkg/common/constants.go, RegistryAuthSecret; components/docker-registry/secret.go)."""


def installer_default_workspace_image(mirror: str | None, drop_image_repo: bool = False) -> str:
    """The workspace image the installer uses when `workspace.workspaceImage` is empty.

    image-builder-mk3/configmap.go: `ImageName(ThirdPartyContainerRepo(repository, ""), "gitpod/workspace-full",
    "latest")`; ThirdPartyContainerRepo (common/common.go) is "" (Docker Hub) for Gitpod's registry and the
    mirror otherwise, and with dropImageRepo RepoName (common/render.go) keeps only the last path segment.
    """
    if mirror is None or mirror == DEFAULT_COMPONENT_REPOSITORY:
        return DEFAULT_WORKSPACE_IMAGE
    if drop_image_repo:
        return f"{mirror}/workspace-full:latest"
    return f"{mirror}/{DEFAULT_WORKSPACE_IMAGE}"


def secret_ref(name: str) -> dict:
    """An installer ObjectRef; `secret` is the only kind the installer accepts."""
    return {"kind": "secret", "name": name}


def installer_fragment(
    *,
    container_registry: dict,
    repository: str | None = None,
    workspace_image: str | None = None,
    image_pull_secrets: list[str] | None = None,
    drop_image_repo: bool = False,
    custom_ca_secret: str | None = None,
) -> dict[str, Any]:
    """The fragment, with only what was chosen: an unset `repository` or `workspaceImage` leaves the
    installer's own default in force (gitpod-installer init writes `repository`)."""
    fragment: dict[str, Any] = {}
    if repository is not None:
        fragment["repository"] = repository
    if image_pull_secrets:
        fragment["imagePullSecrets"] = [secret_ref(name) for name in image_pull_secrets]
    if drop_image_repo:
        fragment["dropImageRepo"] = True
    if custom_ca_secret is not None:
        fragment["customCACert"] = secret_ref(custom_ca_secret)
    if workspace_image is not None:
        fragment["workspace"] = {"workspaceImage": workspace_image}
    fragment["containerRegistry"] = container_registry
    return fragment


def in_cluster_registry(s3storage: dict | None = None) -> dict:
    """Gitpod's own registry: on a volume, or with `s3storage` in an S3-compatible bucket."""
    return {"inCluster": True, "s3storage": s3storage} if s3storage else {"inCluster": True}


def external_registry(url: str, secret_name: str, private_base_hosts: list[str] | None = None) -> dict:
    registry: dict[str, Any] = {"inCluster": False, "external": {"url": url, "certificate": secret_ref(secret_name)}}
    if private_base_hosts:
        registry["privateBaseImageAllowList"] = list(private_base_hosts)
    return registry


def to_yaml(fragment: dict) -> str:
    return yaml.safe_dump(fragment, sort_keys=False, default_flow_style=False)
