"""The whole image-registry side of a Gitpod installation, for one cluster.

Composes the workspace-image backend with the component-image and base-image
roles, and produces the installer config that uses them.
"""

from typing import Any, NotRequired, TypedDict

import pulumi

from . import validation
from .installer_config import (
    DEFAULT_COMPONENT_REPOSITORY,
    DEFAULT_WORKSPACE_IMAGE,
    in_cluster_registry,
    installer_fragment,
    to_yaml,
)
from .s3_workspace_images import S3WorkspaceImages, S3WorkspaceImagesArgs
from .s3_workspace_images import check_args as s3_check_args
from .validation import FieldNamer, same_name

BACKENDS = ("s3",)
ECR_REFUSAL = (
    "ECR is not supported: Gitpod's image-builder pushes to new repository paths, and ECR does not "
    "create a repository on push, so pushes fail. Use backend 's3' (Gitpod's in-cluster registry "
    "stored in an S3 bucket) on AWS."
)


class WorkspaceImagesArgs(TypedDict):
    backend: str
    """Where image-builder pushes: s3."""
    region: NotRequired[str]
    """s3: AWS region of the bucket."""
    bucket: NotRequired[str]
    """s3: an existing bucket to reuse instead of creating one."""
    key_generation: NotRequired[int]
    """Generation of the registry credential; raise by one to rotate. Default 1."""
    keep_previous_key: NotRequired[bool]
    """Keep the previous credential valid during a rotation. Default false."""


class GitpodImageRegistriesArgs(TypedDict):
    cluster_name: str
    """Name of the cluster; part of cloud resource names."""
    namespace: str
    """Kubernetes namespace of Gitpod and of the registry secrets."""
    workspace_images: WorkspaceImagesArgs
    """Role 3: where image-builder pushes workspace images."""
    protect_data: NotRequired[bool]
    """Protect buckets and repositories from deletion. Default true."""
    component_repository: NotRequired[str]
    """Role 1: where Gitpod's component images come from."""
    workspace_image: NotRequired[str]
    """Role 2: the default workspace (base) image."""


def check_backend(field: str, backend: object) -> str:
    if backend == "ecr":
        raise validation.InvalidInput(field, ECR_REFUSAL)
    return validation.require_one_of(field, backend, BACKENDS)


def _s3_args(args: GitpodImageRegistriesArgs) -> S3WorkspaceImagesArgs:
    workspace = args["workspace_images"]
    s3: S3WorkspaceImagesArgs = {
        "cluster_name": args.get("cluster_name"),
        "namespace": args.get("namespace"),
        "region": workspace.get("region"),
        "protect_data": args.get("protect_data", True),
        "key_generation": workspace.get("key_generation", 1),
        "keep_previous_key": workspace.get("keep_previous_key", False),
    }
    if workspace.get("bucket") is not None:
        s3["existing_bucket"] = workspace["bucket"]
    return s3


# How the composite's own argument paths name the S3 component's arguments.
_S3_FIELDS = {
    "cluster_name": "cluster_name",
    "namespace": "namespace",
    "protect_data": "protect_data",
    "region": "workspace_images.region",
    "existing_bucket": "workspace_images.bucket",
}


def check_args(args: GitpodImageRegistriesArgs, field: FieldNamer = same_name) -> None:
    """Validates every argument, naming each by `field`, before anything is registered."""
    workspace = args.get("workspace_images")
    validation.require_type(field("workspace_images"), workspace, dict, "an object with at least 'backend'")
    check_backend(field("workspace_images.backend"), workspace.get("backend"))
    for key in ("component_repository", "workspace_image"):
        if key in args:
            validation.image_reference(field(key), args[key])
    s3_check_args(_s3_args(args), lambda arg: field(_S3_FIELDS.get(arg, f"workspace_images.{arg}")))


class GitpodImageRegistries(pulumi.ComponentResource):
    """Registries for all three of Gitpod's image roles, and the installer config that uses them.

    Children: the workspace-image backend (S3WorkspaceImages for backend s3).
    """

    installer_config: pulumi.Output[dict[str, Any]]
    """The registry fragment of Gitpod's installer config (repository, workspace, containerRegistry)."""
    installer_config_yaml: pulumi.Output[str]
    """The same fragment as YAML, ready to merge into gitpod.config.yaml."""
    workspace_images_secret: pulumi.Output[str]
    """Name of the Kubernetes secret the installer config references for workspace images."""

    def __init__(self, name: str, args: GitpodImageRegistriesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        check_args(args)
        repository = args.get("component_repository", DEFAULT_COMPONENT_REPOSITORY)
        workspace_image = args.get("workspace_image", DEFAULT_WORKSPACE_IMAGE)
        super().__init__("gitpod-registry:index:GitpodImageRegistries", name, None, opts)

        backend = S3WorkspaceImages(f"{name}-workspace-images", _s3_args(args), pulumi.ResourceOptions(parent=self))
        container_registry = backend.s3storage.apply(in_cluster_registry)

        self.installer_config = container_registry.apply(
            lambda registry: installer_fragment(
                repository=repository, workspace_image=workspace_image, container_registry=registry
            )
        )
        self.installer_config_yaml = self.installer_config.apply(to_yaml)
        self.workspace_images_secret = backend.secret_name
        self.register_outputs(
            {
                "installer_config": self.installer_config,
                "installer_config_yaml": self.installer_config_yaml,
                "workspace_images_secret": self.workspace_images_secret,
            }
        )
