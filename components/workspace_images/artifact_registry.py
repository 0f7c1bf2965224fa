"""Workspace images on GCP: an Artifact Registry Docker repository image-builder pushes to.

Container Registry stopped accepting writes on 2025-03-18 and gcr.io is now served by
Artifact Registry, so the repository lives there. A `gcr.io`-domain repository answers on
`gcr.io/PROJECT` only once the project's redirection from Container Registry is enabled, a
project-wide setting no provider resource manages (pulumi-gcp 10.2 has none), so that is a note.
Two logins, each granted the writer role on this one repository only, into the `.dockerconfigjson` secret Gitpod
mounts, which may also carry private base-image and component-mirror logins:
- `workload-identity`: no key anywhere. A Google service account pushes; only one Kubernetes service account may act
  as it, through GKE Workload Identity, and External Secrets Operator renews its access token in place
  (gcp/workload_identity.py).
- `key`: a service account key, logging in as `_json_key`, written by this program. Organizations created since
  2024-05-03 forbid such keys by default (iam.disableServiceAccountKeyCreation); `allow_key_creation` makes a
  project-scoped exception.
"""

import base64
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_gcp as gcp

from .. import validation
from ..fields import Field, checked_values
from ..gcp import key_creation, workload_identity, writer_account
from ..gcp import names as gcp_names
from ..gcp.services import enabled_service
from ..gcp.workload_identity import GkeCluster
from ..gcp.writer_account import SERVICE_ACCOUNT_ID_MAX, SERVICE_ACCOUNT_PREFIX, service_account_id_for
from ..installer_config import external_registry
from ..kubernetes.dockerconfig import NO_LOGINS, RegistryCredential, RegistryLogins, docker_config_secret
from ..kubernetes.renewed_login import ESO_REQUIRED_NOTE
from ..validation import InvalidInput, at, checked_args, ref
from .backend import (
    PUSH_SECRET_NAME,
    Backend,
    Common,
    Rotation,
    SecretWriter,
    check_common,
    cluster_name_input,
    extra_credentials_input,
    namespace_input,
    protect_data_input,
    rotation_fields,
    rotation_of,
    secret_name_input,
)

DEFAULT_SECRET_NAME = PUSH_SECRET_NAME
DEFAULT_REPOSITORY = "gitpod"
DEFAULT_CLEANUP_KEEP_COUNT = 10
# The cleanup policy's older_than is a google.protobuf.Duration, whose seconds are at most
# 315,576,000,000 (10,000 years; google/protobuf/duration.proto); keep_count is an int32.
CLEANUP_DAYS_MAX = 315_576_000_000 // 86_400
SERVICE = "artifactregistry.googleapis.com"
WRITER_ROLE = "roles/artifactregistry.writer"
JSON_KEY_USER = "_json_key"


FIELDS = (
    Field(
        "project",
        "string",
        fallback="gcp:project",
        required=True,
        check=gcp_names.project_id,
        description="Google Cloud project ID of the repository, e.g. my-project (domain-scoped: example.com:my-project).",
    ),
    Field(
        "location",
        "string",
        fallback="gcp:region",
        # gcr.io-domain repositories live in a fixed multi-region.
        fallback_applies=lambda fields: not gcp_names.is_gcr_domain(fields.get("repository")),
        default_text="gcp:region; the fixed multi-region of a gcr.io-domain repository",
        what="an Artifact Registry location such as europe-west1",
        description="Region (europe-west1) or multi-region (us, europe, asia); required unless the repository is "
        "gcr.io-domain.",
    ),
    Field(
        "repository",
        "string",
        default=DEFAULT_REPOSITORY,
        check=gcp_names.repository_id,
        description="Repository id; gcr.io, us.gcr.io, eu.gcr.io or asia.gcr.io for a gcr.io-domain repository.",
    ),
    workload_identity.LOGIN_FIELD,
    *workload_identity.FIELDS,
    Field(
        "service_account",
        "string",
        check=gcp_names.service_account_email,
        description="Email of an existing service account to use (e.g. Gitpod's object-storage one); then none is "
        "created.",
    ),
    Field(
        "cleanup_older_than_days",
        "integer",
        maximum=CLEANUP_DAYS_MAX,
        bounds_why=" (the policy's age is a protobuf Duration, at most 10,000 years)",
        description="Delete image versions older than this many days; unset keeps every version.",
    ),
    Field(
        "cleanup_keep_count",
        "integer",
        default=DEFAULT_CLEANUP_KEEP_COUNT,
        description="With cleanup: always keep this many most recent versions of each image.",
    ),
    Field(
        "allow_key_creation",
        "boolean",
        default=False,
        description="Create a project-scoped exception to the organization policy "
        "iam.disableServiceAccountKeyCreation (enforced by default in organizations created since 2024-05-03), so "
        "the key can be created.",
    ),
    *rotation_fields("the service account key in the secret", "key", "Gitpod"),
)
"""The artifact-registry fields under workspaceImages, each declared once (components/fields.py)."""

INPUTS = (
    cluster_name_input("part of the service account id, so two clusters in one project never collide"),
    namespace_input("the dockerconfigjson secret"),
    *FIELDS,
    protect_data_input("the repository"),
    secret_name_input(DEFAULT_SECRET_NAME, "Name of the kubernetes.io/dockerconfigjson secret."),
    extra_credentials_input(
        "More registries (private base images, a component mirror) merged into the same .dockerconfigjson; each "
        "host is also allow-listed for base images."
    ),
)
"""Every input of ArtifactRegistryWorkspaceImages; its Args below are generated from them."""
_DIRECT = tuple(f for f in INPUTS if f.name in ("secret_name", "extra_credentials"))


# BEGIN ArtifactRegistryWorkspaceImagesArgs: generated by `python -m offline.docs` from its declared inputs; do not edit
class ArtifactRegistryWorkspaceImagesArgs(TypedDict):
    cluster_name: str
    """Cluster name; part of the service account id, so two clusters in one project never collide."""
    namespace: str
    """Kubernetes namespace of the dockerconfigjson secret, e.g. gitpod."""
    project: str
    """Google Cloud project ID of the repository, e.g. my-project (domain-scoped: example.com:my-project)."""
    location: NotRequired[str]
    """Region (europe-west1) or multi-region (us, europe, asia); required unless the repository is gcr.io-domain.
    Default: gcp:region; the fixed multi-region of a gcr.io-domain repository."""
    repository: NotRequired[str]
    """Repository id; gcr.io, us.gcr.io, eu.gcr.io or asia.gcr.io for a gcr.io-domain repository. Default gitpod."""
    login: NotRequired[str]
    """How image-builder logs in: workload-identity (no key: External Secrets Operator renews an access token of a
    Google service account that one Kubernetes service account may act as through GKE Workload Identity) or key
    (a service-account key, which organizations created since 2024-05-03 forbid by default). One of
    workload-identity or key. Default: workload-identity when gkeClusterName is set, otherwise key."""
    gke_cluster_name: NotRequired[str]
    """workload-identity login: name of the GKE cluster Gitpod runs in, e.g. gitpod."""
    gke_cluster_location: NotRequired[str]
    """workload-identity login: that cluster's region or zone, e.g. europe-west1; required with it."""
    gke_cluster_project: NotRequired[str]
    """workload-identity login: Google Cloud project ID of that cluster, whose workload identity pool
    (PROJECT.svc.id.goog) the login comes from. Default: the repository's project."""
    refresh_interval: NotRequired[str]
    """workload-identity login: how often External Secrets Operator renews it, a Go duration from 1m to 15m: the
    token lasts 1h, and an image build pushes with the one it started with, so a build that runs longer can fail
    at push. Default 10m."""
    service_account: NotRequired[str]
    """Email of an existing service account to use (e.g. Gitpod's object-storage one); then none is created."""
    cleanup_older_than_days: NotRequired[int]
    """Delete image versions older than this many days; unset keeps every version."""
    cleanup_keep_count: NotRequired[int]
    """With cleanup: always keep this many most recent versions of each image. Default 10."""
    allow_key_creation: NotRequired[bool]
    """Create a project-scoped exception to the organization policy iam.disableServiceAccountKeyCreation (enforced
    by default in organizations created since 2024-05-03), so the key can be created. Default false."""
    key_generation: NotRequired[int]
    """Generation of the service account key in the secret; raise it by one to rotate. Default 1."""
    keep_previous_key: NotRequired[bool]
    """Keep the previous generation's key valid while Gitpod rolls over. Default false."""
    protect_data: NotRequired[bool]
    """Protect the repository from deletion by Pulumi. Default true."""
    secret_name: NotRequired[str]
    """Name of the kubernetes.io/dockerconfigjson secret. Default gitpod-registry-workspace-images."""
    extra_credentials: NotRequired[list[RegistryCredential]]
    """More registries (private base images, a component mirror) merged into the same .dockerconfigjson; each host
    is also allow-listed for base images."""
    # END ArtifactRegistryWorkspaceImagesArgs


@dataclass(frozen=True)
class Cleanup:
    older_than_days: int
    keep_count: int


@dataclass(frozen=True)
class CheckedArtifactRegistry:
    common: Common
    project: str
    location: str
    repository: str
    service_account: str | None
    cleanup: Cleanup | None
    rotation: Rotation
    extra_credentials: tuple[RegistryCredential, ...] = ()
    allow_list: tuple[str, ...] = ()
    """Hosts image-builder may use the extra credentials for (privateBaseImageAllowList)."""
    allow_key_creation: bool = False
    secret_name: str = DEFAULT_SECRET_NAME
    gke: GkeCluster | None = None
    """The cluster whose Workload Identity the keyless login comes from; None: the key login."""

    @property
    def host(self) -> str:
        return gcp_names.registry_host_of(self.location, self.repository)

    @property
    def keyless(self) -> bool:
        return self.gke is not None


def _cleanup(args: Mapping[str, Any], values: Mapping[str, Any], path: str) -> Cleanup | None:
    if values["cleanup_older_than_days"] is not None:
        return Cleanup(values["cleanup_older_than_days"], values["cleanup_keep_count"])
    if args.get("cleanup_keep_count") is not None:
        raise InvalidInput(
            at(path, "cleanup_keep_count"),
            f"only meaningful with {ref(at(path, 'cleanup_older_than_days'))}; set that too",
        )
    return None


def check_fields(
    args: Mapping[str, Any], path: str, common: Common, logins: RegistryLogins = NO_LOGINS
) -> CheckedArtifactRegistry:
    """Checks the artifact-registry fields at `path`, and that no base-image login is for its own host."""
    values = checked_values(FIELDS, args, path, "the artifact-registry backend")
    project, repository, location = values["project"], values["repository"], values["location"]
    if not gcp_names.is_gcr_domain(repository):
        location = validation.required(
            at(path, "location"),
            location,
            "required for the artifact-registry backend; give the repository's location, a region such as "
            f"europe-west1 or a multi-region ({', '.join(gcp_names.MULTI_REGIONS)})",
        )
    location = gcp_names.location(at(path, "location"), location, repository)
    service_account = values["service_account"]
    gke = workload_identity.check_login(args, values, path, project)
    if service_account is None and len(service_account_id_for(common.cluster_name)) > SERVICE_ACCOUNT_ID_MAX:
        limit = SERVICE_ACCOUNT_ID_MAX - len(SERVICE_ACCOUNT_PREFIX)
        raise InvalidInput(
            "cluster_name",
            f"at most {limit} characters with the artifact-registry backend, because the service account id "
            f"{service_account_id_for('<cluster>')} has at most {SERVICE_ACCOUNT_ID_MAX}; use a shorter cluster "
            "name or reuse an existing service account",
        )
    own_host = gcp_names.registry_host_of(location, repository)
    if own_host in logins.hosts:
        raise InvalidInput(
            logins.path_of(own_host),
            f"two credentials for registry host {own_host!r}: the repository's own login already logs in there",
        )
    return CheckedArtifactRegistry(
        common,
        project,
        location,
        repository,
        service_account,
        _cleanup(args, values, path),
        rotation_of(values),
        logins.credentials,
        logins.allow_list,
        values["allow_key_creation"],
        gke=gke,
    )


def check_args(args: ArtifactRegistryWorkspaceImagesArgs) -> CheckedArtifactRegistry:
    """Validates the arguments of a directly constructed ArtifactRegistryWorkspaceImages."""
    direct = checked_values(_DIRECT, args, "")
    checked = check_fields(args, "", check_common(args), direct["extra_credentials"] or NO_LOGINS)
    return replace(checked, secret_name=direct["secret_name"])


def warnings(checked: CheckedArtifactRegistry, path: str) -> tuple[InvalidInput, ...]:
    """A location outside Google's documented list (of gcp_names.DOCUMENTED_REGIONS_DATE): a typo, or newer."""
    return gcp_names.location_warnings(at(path, "location"), checked.location)


def notes(checked: CheckedArtifactRegistry) -> tuple[str, ...]:
    """What `pulumi up` cannot do here: ESO and Workload Identity for the keyless login; the org-policy exception
    unless opted in for the key; gcr.io redirection."""
    if checked.gke is not None:
        found = [ESO_REQUIRED_NOTE, key_creation.workload_identity_note(checked.gke.project, checked.gke.name)]
    else:
        found = [key_creation.note(checked.project, checked.allow_key_creation)]
    if gcp_names.is_gcr_domain(checked.repository):
        found.append(key_creation.redirection_note(checked.repository, checked.project))
    return tuple(found)


def _decoded_key(private_key: str) -> str:
    # The provider returns the key file base64-encoded; `_json_key` wants the JSON itself.
    return base64.b64decode(private_key).decode()


def _cleanup_policies(cleanup: Cleanup) -> list[gcp.artifactregistry.RepositoryCleanupPolicyArgsDict]:
    older_than_days, keep_count = cleanup.older_than_days, cleanup.keep_count
    return [
        {
            "id": f"delete-older-than-{older_than_days}d",
            "action": "DELETE",
            "condition": {"tag_state": "ANY", "older_than": f"{older_than_days * 86400}s"},
        },
        {"id": f"keep-{keep_count}-most-recent", "action": "KEEP", "most_recent_versions": {"keep_count": keep_count}},
    ]


class ArtifactRegistryWorkspaceImages(pulumi.ComponentResource):
    """An Artifact Registry repository for workspace images, and the login to push to it.

    Children: the artifactregistry.googleapis.com service (left enabled on destroy); a protected
    Docker repository (optionally gcr.io-domain, optionally with cleanup policies); a writer grant on
    the repository only, for a service account (gcp/writer_account.py). With the workload-identity login: that
    service account, created; the iamcredentials.googleapis.com service (left enabled on destroy);
    roles/iam.workloadIdentityUser on that service account alone for one Kubernetes service account, which is
    annotated with its email; and External Secrets Operator's objects that write the kubernetes.io/dockerconfigjson
    secret (kubernetes/renewed_login.py). With the key login: the service account unless an existing one is
    given; with allow_key_creation, the orgpolicy.googleapis.com service and a project-scoped organization
    policy that does not enforce iam.disableServiceAccountKeyCreation; one or two service account keys; a
    kubernetes.io/dockerconfigjson secret.
    """

    url: pulumi.Output[str]
    """Where image-builder pushes: LOCATION-docker.pkg.dev/PROJECT/REPOSITORY or GCRHOST/PROJECT."""
    registry_host: pulumi.Output[str]
    """The bare host the secret's auths entry is keyed by, e.g. europe-west1-docker.pkg.dev."""
    repository_id: pulumi.Output[str]
    """The repository's id, e.g. gitpod."""
    service_account_email: pulumi.Output[str]
    """Email of the service account that pushes: whose key the secret carries, or, with the workload-identity login,
    whose access token it carries."""
    principal: pulumi.Output[str]
    """The IAM member granted the writer role on the repository: serviceAccount:EMAIL, with either login. With the
    workload-identity login only serviceAccount:CLUSTER_PROJECT.svc.id.goog[NAMESPACE/gitpod-registry-gar-login] may
    act as it (roles/iam.workloadIdentityUser on that account)."""
    secret_name: pulumi.Output[str]
    """Name of the kubernetes.io/dockerconfigjson secret (key .dockerconfigjson)."""

    container_registry: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry block: external url and secret, and the base-image allow list."""

    def __init__(
        self, name: str, args: ArtifactRegistryWorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        checked = checked_args(args, CheckedArtifactRegistry, check_args)
        project, location, repository_id = checked.project, checked.location, checked.repository
        cluster = checked.common.cluster_name
        super().__init__("gitpod-registry:index:ArtifactRegistryWorkspaceImages", name, None, opts)
        if not isinstance(args, CheckedArtifactRegistry):  # a composite's were warned about by whoever checked them
            for doubt in warnings(checked, ""):
                pulumi.log.warn(doubt.render(), resource=self)
        child = pulumi.ResourceOptions(parent=self)

        service = enabled_service(f"{name}-service", project, SERVICE, child)
        repository = gcp.artifactregistry.Repository(
            f"{name}-repository",
            project=project,
            location=location,
            repository_id=repository_id,
            format="DOCKER",
            description=f"Gitpod workspace images of cluster {cluster}",
            labels={"gitpod-cluster": cluster, "gitpod-registry-role": "workspace-images"},
            cleanup_policies=_cleanup_policies(checked.cleanup) if checked.cleanup else None,
            cleanup_policy_dry_run=False if checked.cleanup else None,
            opts=pulumi.ResourceOptions(parent=self, protect=checked.common.protect_data, depends_on=[service]),
        )
        # Either login pushes as this account; a keyless login never names one (check_login refuses serviceAccount).
        email, writer = writer_account.writer_account(
            name,
            project=project,
            location=location,
            repository=repository,
            repository_id=repository_id,
            role=WRITER_ROLE,
            cluster=cluster,
            existing_email=checked.service_account,
            parent=self,
        )
        if checked.gke is not None:
            self.secret_name = workload_identity.keyless_login(
                name,
                project=project,
                email=email,
                writer=writer,
                cluster=checked.gke,
                namespace=checked.common.namespace,
                secret_name=checked.secret_name,
                host=checked.host,
                static=checked.extra_credentials,
                parent=self,
                # A composite's ESO install: the ESO objects need its CRDs and controller.
                depends_on=opts.depends_on if opts else None,
            )
        else:
            self.secret_name = self._key_login(name, checked, email)
        self.principal = email.apply(lambda e: f"serviceAccount:{e}")

        self.url = pulumi.Output.from_input(gcp_names.registry_url(project, location, repository_id))
        self.registry_host = pulumi.Output.from_input(checked.host)
        self.repository_id = repository.repository_id
        self.service_account_email = email
        url = gcp_names.registry_url(project, location, repository_id)
        allow_list = list(checked.allow_list)
        self.container_registry = self.secret_name.apply(lambda secret: external_registry(url, secret, allow_list))
        self.register_outputs(
            {
                "url": self.url,
                "registry_host": self.registry_host,
                "repository_id": self.repository_id,
                "service_account_email": self.service_account_email,
                "principal": self.principal,
                "secret_name": self.secret_name,
                "container_registry": self.container_registry,
            }
        )

    def _key_login(self, name: str, checked: CheckedArtifactRegistry, email: pulumi.Output[str]) -> pulumi.Output[str]:
        """The service account's key and the secret this program writes with it; returns the secret's name."""
        project, generation = checked.project, checked.rotation.key_generation
        child = pulumi.ResourceOptions(parent=self)
        key_opts = child
        if checked.allow_key_creation:
            key_opts = pulumi.ResourceOptions(
                parent=self, depends_on=[key_creation.exception(f"{name}-key-creation", project, self)]
            )
        key = gcp.serviceaccount.Key(f"{name}-key-{generation}", service_account_id=email, opts=key_opts)
        if checked.rotation.keep_previous_key and generation > 1:
            gcp.serviceaccount.Key(f"{name}-key-{generation - 1}", service_account_id=email, opts=key_opts)

        own: RegistryCredential = {
            "server": checked.host,
            "username": JSON_KEY_USER,
            "password": pulumi.Output.secret(key.private_key.apply(_decoded_key)),
        }
        secret = docker_config_secret(
            f"{name}-secret",
            secret_name=checked.secret_name,
            namespace=checked.common.namespace,
            credentials=[own, *checked.extra_credentials],
            opts=child,
        )
        return secret.metadata.apply(lambda m: m["name"])


BACKEND = Backend(
    name="artifact-registry",
    summary="GCP: an Artifact Registry Docker repository, pushed to with no stored key through GKE Workload "
    "Identity (a login External Secrets Operator renews), or with a service-account key",
    fields=FIELDS,
    inputs=INPUTS,
    check=check_fields,
    build=ArtifactRegistryWorkspaceImages,
    secret_writer=SecretWriter.PROGRAM,
    writer_for=lambda checked: SecretWriter.CONTROLLER if checked.keyless else SecretWriter.PROGRAM,
    renewed_login_lifetime=(workload_identity.LOGIN_GENERATOR_KIND, workload_identity.ACCESS_TOKEN_LIFETIME_SECONDS),
    token_service_account=workload_identity.LOGIN_SERVICE_ACCOUNT,
    notes=notes,
    warnings=warnings,
)
