"""Workspace images on GCP: an Artifact Registry Docker repository image-builder pushes to.

Container Registry stopped accepting writes on 2025-03-18 and gcr.io is now served by
Artifact Registry, so the repository lives there (a `gcr.io`-domain repository keeps
old `gcr.io/PROJECT/...` URLs working). A service account key, granted the writer role
on this one repository only, logs in as `_json_key`; Gitpod mounts it as a
`.dockerconfigjson` secret that may also carry private base-image credentials.
"""

import base64
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_gcp as gcp

from . import gcp_names, validation
from .dockerconfig import RegistryCredential, check_unique_hosts, docker_config_secret, registry_host
from .validation import FieldNamer, InvalidInput, same_name

DEFAULT_SECRET_NAME = "gitpod-registry-workspace-images"
DEFAULT_REPOSITORY = "gitpod"
SERVICE = "artifactregistry.googleapis.com"
WRITER_ROLE = "roles/artifactregistry.writer"
JSON_KEY_USER = "_json_key"
SERVICE_ACCOUNT_PREFIX = "gitpod-reg-"
SERVICE_ACCOUNT_ID_MAX = 30


class ArtifactRegistryWorkspaceImagesArgs(TypedDict):
    cluster_name: str
    """Cluster name; part of the service account id, so two clusters in one project never collide."""
    project: str
    """Google Cloud project ID of the repository, e.g. my-project (domain-scoped: example.com:my-project)."""
    namespace: str
    """Kubernetes namespace of the dockerconfigjson secret, e.g. gitpod."""
    location: NotRequired[str]
    """Region (europe-west1) or multi-region (us, europe, asia); required unless the repository is gcr.io-domain."""
    repository: NotRequired[str]
    """Repository id. Default gitpod; gcr.io, us.gcr.io, eu.gcr.io or asia.gcr.io for a gcr.io-domain repository."""
    service_account: NotRequired[str]
    """Email of an existing service account to use (e.g. Gitpod's object-storage one); then none is created."""
    cleanup_older_than_days: NotRequired[int]
    """Delete image versions older than this many days; unset keeps every version."""
    cleanup_keep_count: NotRequired[int]
    """With cleanup: always keep this many most recent versions of each image. Default 10."""
    protect_data: NotRequired[bool]
    """Protect the repository from deletion by Pulumi. Default true."""
    key_generation: NotRequired[int]
    """Generation of the service account key in the secret; raise it by one to rotate. Default 1."""
    keep_previous_key: NotRequired[bool]
    """Keep the previous generation's key valid while Gitpod rolls over. Default false."""
    secret_name: NotRequired[str]
    """Name of the kubernetes.io/dockerconfigjson secret. Default gitpod-registry-workspace-images."""
    extra_credentials: NotRequired[list[RegistryCredential]]
    """More registries (e.g. private base images) merged into the same .dockerconfigjson."""


def service_account_id_for(cluster_name: str) -> str:
    return f"{SERVICE_ACCOUNT_PREFIX}{cluster_name}"


def check_args(
    args: ArtifactRegistryWorkspaceImagesArgs, field: FieldNamer = same_name
) -> ArtifactRegistryWorkspaceImagesArgs:
    """Validates the arguments and fills in defaults; `field` names each argument in errors."""
    cluster = validation.cluster_name(field("cluster_name"), args.get("cluster_name"))
    project = gcp_names.project_id(field("project"), args.get("project"))
    repository = gcp_names.repository_id(field("repository"), args.get("repository", DEFAULT_REPOSITORY))
    checked: ArtifactRegistryWorkspaceImagesArgs = {
        "cluster_name": cluster,
        "project": project,
        "repository": repository,
        "location": gcp_names.location(field("location"), args.get("location"), repository),
        "namespace": validation.namespace(field("namespace"), args.get("namespace")),
        "protect_data": validation.flag(field("protect_data"), args.get("protect_data", True)),
        "key_generation": validation.positive_int(field("key_generation"), args.get("key_generation", 1)),
        "keep_previous_key": validation.flag(field("keep_previous_key"), args.get("keep_previous_key", False)),
        "secret_name": validation.namespace(field("secret_name"), args.get("secret_name", DEFAULT_SECRET_NAME)),
        "extra_credentials": list(args.get("extra_credentials") or []),
    }
    if args.get("cleanup_older_than_days") is not None:
        checked["cleanup_older_than_days"] = validation.positive_int(
            field("cleanup_older_than_days"), args["cleanup_older_than_days"]
        )
        checked["cleanup_keep_count"] = validation.positive_int(
            field("cleanup_keep_count"), args.get("cleanup_keep_count", 10)
        )
    elif args.get("cleanup_keep_count") is not None:
        raise InvalidInput(field("cleanup_keep_count"), "only meaningful with cleanupOlderThanDays; set that too")
    if args.get("service_account") is not None:
        checked["service_account"] = gcp_names.service_account_email(field("service_account"), args["service_account"])
    elif len(service_account_id_for(cluster)) > SERVICE_ACCOUNT_ID_MAX:
        limit = SERVICE_ACCOUNT_ID_MAX - len(SERVICE_ACCOUNT_PREFIX)
        raise InvalidInput(
            field("cluster_name"),
            f"at most {limit} characters with the artifact-registry backend, because the service account id "
            f"{service_account_id_for('<cluster>')} has at most {SERVICE_ACCOUNT_ID_MAX}; use a shorter cluster "
            "name or reuse an existing service account",
        )
    own_host = gcp_names.registry_host_of(checked["location"], repository)
    extra_hosts = [
        registry_host(f"{field('extra_credentials')}[{i}].server", c.get("server"))
        for i, c in enumerate(checked["extra_credentials"])
    ]
    check_unique_hosts(field("extra_credentials"), [own_host, *extra_hosts])
    return checked


def _decoded_key(private_key: str) -> str:
    # The provider returns the key file base64-encoded; `_json_key` wants the JSON itself.
    return base64.b64decode(private_key).decode()


def _cleanup_policies(older_than_days: int, keep_count: int) -> list[dict]:
    return [
        {
            "id": f"delete-older-than-{older_than_days}d",
            "action": "DELETE",
            "condition": {"tag_state": "ANY", "older_than": f"{older_than_days * 86400}s"},
        },
        {"id": f"keep-{keep_count}-most-recent", "action": "KEEP", "most_recent_versions": {"keep_count": keep_count}},
    ]


class ArtifactRegistryWorkspaceImages(pulumi.ComponentResource):
    """An Artifact Registry repository for workspace images, and the credentials to push to it.

    Children: the artifactregistry.googleapis.com service (left enabled on destroy); a protected
    Docker repository (optionally gcr.io-domain, optionally with cleanup policies); a service
    account unless an existing one is given; a writer grant on the repository only; one or two
    service account keys; a kubernetes.io/dockerconfigjson secret.
    """

    url: pulumi.Output[str]
    """Where image-builder pushes: LOCATION-docker.pkg.dev/PROJECT/REPOSITORY or GCRHOST/PROJECT."""
    registry_host: pulumi.Output[str]
    """The bare host the secret's auths entry is keyed by, e.g. europe-west1-docker.pkg.dev."""
    repository_id: pulumi.Output[str]
    """The repository's id, e.g. gitpod."""
    service_account_email: pulumi.Output[str]
    """Email of the service account whose key the secret carries."""
    secret_name: pulumi.Output[str]
    """Name of the kubernetes.io/dockerconfigjson secret (key .dockerconfigjson)."""

    def __init__(
        self, name: str, args: ArtifactRegistryWorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        checked = check_args(args)
        project, location, repository_id = checked["project"], checked["location"], checked["repository"]
        generation, protect = checked["key_generation"], checked["protect_data"]
        super().__init__("gitpod-registry:index:ArtifactRegistryWorkspaceImages", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        service = gcp.projects.Service(
            f"{name}-service",
            project=project,
            service=SERVICE,
            # Other workloads in the project may use Artifact Registry; never switch it off for them.
            disable_on_destroy=False,
            disable_dependent_services=False,
            opts=child,
        )
        repository = gcp.artifactregistry.Repository(
            f"{name}-repository",
            project=project,
            location=location,
            repository_id=repository_id,
            format="DOCKER",
            description=f"Gitpod workspace images of cluster {checked['cluster_name']}",
            labels={"gitpod-cluster": checked["cluster_name"], "gitpod-registry-role": "workspace-images"},
            cleanup_policies=(
                _cleanup_policies(checked["cleanup_older_than_days"], checked["cleanup_keep_count"])
                if "cleanup_older_than_days" in checked
                else None
            ),
            cleanup_policy_dry_run=False if "cleanup_older_than_days" in checked else None,
            opts=pulumi.ResourceOptions(parent=self, protect=protect, depends_on=[service]),
        )

        if "service_account" in checked:
            email: pulumi.Output[str] = pulumi.Output.from_input(checked["service_account"])
        else:
            account = gcp.serviceaccount.Account(
                f"{name}-service-account",
                project=project,
                account_id=service_account_id_for(checked["cluster_name"]),
                display_name=f"Gitpod workspace images ({checked['cluster_name']})",
                description=f"Pushes and pulls Gitpod workspace images in {gcp_names.registry_url(project, location, repository_id)}",
                opts=child,
            )
            email = account.email

        gcp.artifactregistry.RepositoryIamMember(
            f"{name}-writer",
            project=project,
            location=location,
            repository=repository.name,
            role=WRITER_ROLE,
            member=email.apply(lambda e: f"serviceAccount:{e}"),
            opts=child,
        )
        key = gcp.serviceaccount.Key(f"{name}-key-{generation}", service_account_id=email, opts=child)
        if checked["keep_previous_key"] and generation > 1:
            gcp.serviceaccount.Key(f"{name}-key-{generation - 1}", service_account_id=email, opts=child)

        host = gcp_names.registry_host_of(location, repository_id)
        own: RegistryCredential = {
            "server": host,
            "username": JSON_KEY_USER,
            "password": pulumi.Output.secret(key.private_key.apply(_decoded_key)),
        }
        credentials: Sequence[RegistryCredential] = [own, *checked["extra_credentials"]]
        secret = docker_config_secret(
            f"{name}-secret",
            secret_name=checked["secret_name"],
            namespace=checked["namespace"],
            credentials=credentials,
            opts=child,
        )

        self.url = pulumi.Output.from_input(gcp_names.registry_url(project, location, repository_id))
        self.registry_host = pulumi.Output.from_input(host)
        self.repository_id = repository.repository_id
        self.service_account_email = email
        self.secret_name = secret.metadata.apply(lambda m: m["name"])
        self.register_outputs(
            {
                "url": self.url,
                "registry_host": self.registry_host,
                "repository_id": self.repository_id,
                "service_account_email": self.service_account_email,
                "secret_name": self.secret_name,
            }
        )
