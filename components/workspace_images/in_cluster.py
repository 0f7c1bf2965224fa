"""Backend `in-cluster`: Gitpod's own registry storing images on a volume, for clusters without object storage.

`containerRegistry: {inCluster: true}` and nothing else: with no `s3storage` the installer enables the
registry chart's persistence, a PersistentVolumeClaim (install/installer/pkg/components/docker-registry/
helm.go), and generates the registry's auth secret itself (docker-registry/secret.go). Nothing is created
here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from ..installer_config import BUILTIN_REGISTRY_AUTH, in_cluster_registry
from ..kubernetes.dockerconfig import NO_LOGINS, RegistryLogins
from .backend import Backend, Common, SecretWriter


@dataclass(frozen=True)
class CheckedInCluster:
    namespace: str


@dataclass(frozen=True)
class InClusterRegistry:
    """What the composite reads from this backend; there are no resources to group."""

    secret_name: pulumi.Output[str]
    """The registry auth secret the installer generates, builtin-registry-auth; this program creates none."""
    container_registry: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry block: inCluster only."""


def check_fields(
    args: Mapping[str, Any], path: str, common: Common, logins: RegistryLogins = NO_LOGINS
) -> CheckedInCluster:
    return CheckedInCluster(common.namespace)


def _build(name: str, checked: CheckedInCluster, opts: pulumi.ResourceOptions) -> InClusterRegistry:
    return InClusterRegistry(
        pulumi.Output.from_input(BUILTIN_REGISTRY_AUTH), pulumi.Output.from_input(in_cluster_registry())
    )


BACKEND = Backend(
    name="in-cluster",
    summary="Gitpod's in-cluster registry on a volume (a PersistentVolumeClaim), for clusters without object storage",
    fields=(),
    inputs=(),
    check=check_fields,
    build=_build,
    secret_writer=SecretWriter.INSTALLER,
)
