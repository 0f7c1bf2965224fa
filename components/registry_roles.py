"""The composite's arguments, and how they resolve into each child component's checked arguments.

All validation of GitpodImageRegistries happens here, in plain Python, before anything is
registered; errors name each argument through a FieldNamer (config keys, for the program).
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, NotRequired, TypedDict

from . import validation
from .air_gap import AirGapArgs, mirrored_image
from .artifact_registry_workspace_images import ArtifactRegistryWorkspaceImagesArgs
from .artifact_registry_workspace_images import check_args as artifact_registry_check_args
from .component_images import ComponentImagesArgs
from .component_images import check_args as component_check_args
from .dockerconfig import PasswordInput, RegistryCredential, check_credential, registry_host
from .external_workspace_images import ExternalWorkspaceImagesArgs
from .external_workspace_images import check_args as external_check_args
from .installer_config import DEFAULT_WORKSPACE_IMAGE
from .s3_workspace_images import S3WorkspaceImagesArgs
from .s3_workspace_images import check_args as s3_check_args
from .validation import FieldNamer, InvalidInput, same_name

BACKENDS = ("s3", "artifact-registry", "external")
ECR_REFUSAL = (
    "ECR is not supported: Gitpod's image-builder pushes to new repository paths, and ECR does not "
    "create a repository on push, so pushes fail. Use backend 's3' (Gitpod's in-cluster registry "
    "stored in an S3 bucket) on AWS."
)
IN_CLUSTER_HAS_NO_BASE_IMAGE_CREDENTIALS = (
    "cannot be used with backend 's3': Gitpod's in-cluster registry uses an auth secret the installer "
    "generates itself, and Gitpod mounts only that one .dockerconfigjson, so credentials for private "
    "base images would have nowhere to go. Use backend 'external' (a registry you run), or make the "
    "base images pullable without credentials"
)


class WorkspaceImagesArgs(TypedDict):
    backend: str
    """Where image-builder pushes: s3 (AWS), artifact-registry (GCP) or external (any OCI registry)."""
    region: NotRequired[str]
    """s3: AWS region of the bucket."""
    bucket: NotRequired[str]
    """s3: an existing bucket to reuse instead of creating one."""
    project: NotRequired[str]
    """artifact-registry: Google Cloud project ID of the repository."""
    location: NotRequired[str]
    """artifact-registry: region or multi-region of the repository."""
    repository: NotRequired[str]
    """artifact-registry: repository id. Default gitpod."""
    service_account: NotRequired[str]
    """artifact-registry: email of an existing service account to reuse instead of creating one."""
    cleanup_older_than_days: NotRequired[int]
    """artifact-registry: delete image versions older than this many days. Default: keep all."""
    cleanup_keep_count: NotRequired[int]
    """artifact-registry: with cleanup, keep this many most recent versions of each image. Default 10."""
    key_generation: NotRequired[int]
    """s3: generation of the registry credential; raise by one to rotate. Default 1."""
    keep_previous_key: NotRequired[bool]
    """s3: keep the previous credential valid during a rotation. Default false."""
    url: NotRequired[str]
    """external: registry host and path to push under, e.g. registry.example.com/gitpod."""
    username: NotRequired[str]
    """external: user allowed to push under url."""
    password: NotRequired[PasswordInput]
    """external: secret; its password or token."""


class GitpodImageRegistriesArgs(TypedDict):
    cluster_name: str
    """Name of the cluster; part of cloud resource names."""
    namespace: str
    """Kubernetes namespace of Gitpod and of the registry secrets."""
    workspace_images: NotRequired[WorkspaceImagesArgs]
    """Role 3: where image-builder pushes workspace images. Required unless air_gap is given."""
    protect_data: NotRequired[bool]
    """Protect buckets and repositories from deletion. Default true."""
    component_repository: NotRequired[str]
    """Role 1: where Gitpod's component images come from."""
    component_username: NotRequired[str]
    """Role 1: user of a private component-image mirror."""
    component_password: NotRequired[PasswordInput]
    """Role 1: secret; password of a private component-image mirror."""
    drop_image_repo: NotRequired[bool]
    """Role 1: the mirror is flat (keeps only the last path segment of image names). Default false."""
    workspace_image: NotRequired[str]
    """Role 2: the default workspace (base) image."""
    base_image_registries: NotRequired[list[RegistryCredential]]
    """Role 2: private registries of base images; merged into the workspace-image secret, hosts allow-listed."""
    air_gap: NotRequired[AirGapArgs]
    """One internal registry for all three roles; excludes the other role arguments except workspace_image."""


def check_backend(field: str, backend: object) -> str:
    if backend == "ecr":
        raise validation.InvalidInput(field, ECR_REFUSAL)
    return validation.require_one_of(field, backend, BACKENDS)


def _backend_args(args: GitpodImageRegistriesArgs) -> dict[str, Any]:
    """The arguments every created backend takes from the composite and its workspace_images."""
    workspace = args["workspace_images"]
    return {
        "cluster_name": args.get("cluster_name"),
        "namespace": args.get("namespace"),
        "protect_data": args.get("protect_data", True),
        "key_generation": workspace.get("key_generation", 1),
        "keep_previous_key": workspace.get("keep_previous_key", False),
    }


def _s3_args(args: GitpodImageRegistriesArgs) -> S3WorkspaceImagesArgs:
    workspace = args["workspace_images"]
    s3: S3WorkspaceImagesArgs = {**_backend_args(args), "region": workspace.get("region")}
    if workspace.get("bucket") is not None:
        s3["existing_bucket"] = workspace["bucket"]
    return s3


def _artifact_registry_args(args: GitpodImageRegistriesArgs) -> ArtifactRegistryWorkspaceImagesArgs:
    workspace = args["workspace_images"]
    registry: ArtifactRegistryWorkspaceImagesArgs = {**_backend_args(args), "project": workspace.get("project")}
    for key in ("location", "repository", "service_account", "cleanup_older_than_days", "cleanup_keep_count"):
        if workspace.get(key) is not None:
            registry[key] = workspace[key]
    return registry


# How the composite's own argument paths name the backend components' arguments.
_S3_FIELDS = {
    "cluster_name": "cluster_name",
    "namespace": "namespace",
    "protect_data": "protect_data",
    "region": "workspace_images.region",
    "existing_bucket": "workspace_images.bucket",
}
_COMPOSITE_FIELDS = {"cluster_name": "cluster_name", "namespace": "namespace", "protect_data": "protect_data"}
_COMPONENT_FIELDS = {
    "namespace": "namespace",
    "repository": "component_repository",
    "username": "component_username",
    "password": "component_password",
}
_AIR_GAP_FIELDS = {"namespace": "namespace", "repository": "air_gap.registry", "url": "air_gap.registry"}
_AIR_GAP_EXCLUDES = (
    "workspace_images",
    "component_repository",
    "component_username",
    "component_password",
    "drop_image_repo",
    "base_image_registries",
)


@dataclass
class Roles:
    """The checked arguments of each child component."""

    components: ComponentImagesArgs
    workspace_image: str
    backend: str
    s3: S3WorkspaceImagesArgs | None = None
    artifact_registry: ArtifactRegistryWorkspaceImagesArgs | None = None
    external: ExternalWorkspaceImagesArgs | None = None
    allow_list: list[str] = dataclass_field(default_factory=list)


def _renamed(renames: dict[str, str], field: FieldNamer, prefix: str) -> FieldNamer:
    return lambda arg: field(renames[arg]) if arg in renames else field(f"{prefix}{arg}")


def _air_gap_roles(args: GitpodImageRegistriesArgs, field: FieldNamer) -> Roles:
    for excluded in _AIR_GAP_EXCLUDES:
        if excluded in args:
            raise InvalidInput(
                field(excluded),
                f"cannot be combined with {field('air_gap')}: the air-gap registry serves this role; remove it",
            )
    air = args["air_gap"]
    if not isinstance(air, dict):
        raise InvalidInput(
            field("air_gap"), f"expected an object with registry, username and password, got {validation.kind_of(air)}"
        )
    if air.get("registry") in (None, ""):
        raise InvalidInput(
            field("air_gap.registry"), "required; the internal registry, e.g. registry.internal.example.com/gitpod"
        )
    login = {"username": air.get("username"), "password": air.get("password")}
    external = external_check_args(
        {"namespace": args.get("namespace"), "url": air.get("registry"), **login},
        _renamed(_AIR_GAP_FIELDS, field, "air_gap."),
    )
    registry = external["url"]
    components = component_check_args(
        {"namespace": args.get("namespace"), "repository": registry, **login},
        _renamed(_AIR_GAP_FIELDS, field, "air_gap."),
    )
    image = validation.image_reference(field("workspace_image"), args.get("workspace_image", DEFAULT_WORKSPACE_IMAGE))
    return Roles(
        components=components,
        workspace_image=mirrored_image(field("workspace_image"), image, registry),
        backend="external",
        external=external,
        # Base images come from the mirror and nowhere else.
        allow_list=[registry_host(field("air_gap.registry"), registry)],
    )


def resolve_roles(args: GitpodImageRegistriesArgs, field: FieldNamer = same_name) -> Roles:
    """Validates every argument, naming each by `field`, and works out each child's arguments."""
    if "air_gap" in args:
        return _air_gap_roles(args, field)
    workspace = args.get("workspace_images")
    validation.require_type(field("workspace_images"), workspace, dict, "an object with at least 'backend'")
    backend = check_backend(field("workspace_images.backend"), workspace.get("backend"))
    component_args: ComponentImagesArgs = {"namespace": args.get("namespace")}
    for arg, key in (
        ("repository", "component_repository"),
        ("username", "component_username"),
        ("password", "component_password"),
        ("drop_image_repo", "drop_image_repo"),
    ):
        if key in args:
            component_args[arg] = args[key]
    components = component_check_args(component_args, _renamed(_COMPONENT_FIELDS, field, ""))
    image = validation.image_reference(field("workspace_image"), args.get("workspace_image", DEFAULT_WORKSPACE_IMAGE))

    registries = args.get("base_image_registries", [])
    if not isinstance(registries, list):
        raise InvalidInput(field("base_image_registries"), f"expected a list, got {validation.kind_of(registries)}")
    base = [check_credential(field(f"base_image_registries[{i}]"), r) for i, r in enumerate(registries)]
    roles = Roles(components=components, workspace_image=image, backend=backend)
    if backend == "s3":
        if base:
            raise InvalidInput(field("base_image_registries"), IN_CLUSTER_HAS_NO_BASE_IMAGE_CREDENTIALS)
        roles.s3 = s3_check_args(_s3_args(args), lambda arg: field(_S3_FIELDS.get(arg, f"workspace_images.{arg}")))
        return roles
    roles.allow_list = sorted({credential["server"] for credential in base})
    if backend == "artifact-registry":
        roles.artifact_registry = artifact_registry_check_args(
            {**_artifact_registry_args(args), "extra_credentials": base},
            lambda arg: field(
                arg.replace("extra_credentials", "base_image_registries")
                if arg.startswith("extra_credentials")
                else _COMPOSITE_FIELDS.get(arg, f"workspace_images.{arg}")
            ),
        )
        return roles
    external_fields = {"namespace": "namespace", "extra_credentials": "base_image_registries"}
    roles.external = external_check_args(
        {
            "namespace": args.get("namespace"),
            "url": workspace.get("url"),
            "username": workspace.get("username"),
            "password": workspace.get("password"),
            "extra_credentials": base,
        },
        lambda arg: field(
            arg.replace("extra_credentials", "base_image_registries")
            if arg.startswith("extra_credentials")
            else external_fields.get(arg, f"workspace_images.{arg}")
        ),
    )
    return roles


def check_args(args: GitpodImageRegistriesArgs, field: FieldNamer = same_name) -> None:
    """Validates every argument, naming each by `field`, before anything is registered."""
    resolve_roles(args, field)
