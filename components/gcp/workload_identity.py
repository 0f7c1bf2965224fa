"""The keyless login to Artifact Registry: one Kubernetes service account, reached through GKE Workload Identity.

External Secrets Operator's `GCRAccessToken` generator mints the login (external-secrets v2.9.0,
generators/v1/gcr/gcr.go: username `oauth2accesstoken`, the access token as password). With
`auth.workloadIdentity` it follows providers/v1/gcp/secretmanager/workload_identity.go (`TokenSource`): it reads the
service account `serviceAccountRef.name` in the ExternalSecret's namespace, requests a token of it with audience
`CLUSTER_PROJECT.svc.id.goog`, exchanges that at securetoken.googleapis.com for the pool `CLUSTER_PROJECT.svc.id.goog`
and the provider `https://container.googleapis.com/v1/projects/CLUSTER_PROJECT/locations/LOCATION/clusters/NAME`,
and, as the service account has no `iam.gke.io/gcp-service-account` annotation, logs in with that federated token
itself. Location, name and project are always given: ESO asks the node's metadata server for a missing one.

Direct principal access, not a Google service account: the repository's writer role goes to the principal of that
one Kubernetes service account. The alternative, a Google service account that the Kubernetes one may impersonate
(`roles/iam.workloadIdentityUser`), reaches the repository from the same Kubernetes identity but adds a second
principal: one that anyone holding roles/iam.serviceAccountTokenCreator or serviceAccountUser on the project can act
as, that can be given keys where the organization allows them, and that other grants can accrue to. Here there is
one principal, one grant, and nothing to hold a key for (docs/backend-artifact-registry.md#the-keyless-login).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from .. import validation
from ..fields import Field
from ..kubernetes import renewed_login
from ..kubernetes.dockerconfig import LABELS, RegistryCredential
from ..validation import InvalidInput, at, ref
from . import names

KEY, KEYLESS = "key", "workload-identity"
LOGIN_SERVICE_ACCOUNT = "gitpod-registry-gar-login"
"""The Kubernetes service account ESO requests a token of; no pod runs as it."""
LOGIN_GENERATOR_KIND = "GCRAccessToken"
ACCESS_TOKEN_USER = "oauth2accesstoken"
"""generators/v1/gcr/gcr.go `defaultLoginUsername`; Artifact Registry takes an access token under this name."""
GENERATED_KEYS = ("username", "password", "expiry")
"""What the generator emits (gcr.go `generate`). `expiry` carries nothing on this path: the token source is an
oauth2.StaticTokenSource of the exchange's JSON, which has `expires_in` and no `expiry`, so gcr.go writes the zero
time's Unix seconds (-62135596800). The template reads only username and password."""
KUBERNETES_TOKEN_SECONDS = 15 * 60
"""workload_identity.go `k8sSATokenGenerator.Generate`: ESO requests the service account's token with
`ExpirationSeconds` 15 minutes, and exchanges that for the federated token it logs in with."""
ACCESS_TOKEN_LIFETIME_SECONDS = KUBERNETES_TOKEN_SECONDS
"""A federated token lasts no longer than the token it was exchanged for: Google's Security Token Service cuts it to
the subject token's expiry (google-github-actions/auth: a 5-minute GitHub token gives a 5-minute Google token, and
Artifact Registry answers 401 after it). With no `iam.gke.io/gcp-service-account` annotation that federated token
is the login itself, so it lasts at most 15 minutes, not a Google access token's hour. ESO sets no expiry to go by
(gcr.go: `expiry` is the zero time), so the renewal interval decides."""
REFRESH_INTERVAL_DEFAULT = "3m"
"""The most allowed (renewed_login.max_refresh_seconds: a quarter of the lifetime, to the minute): every build then
starts with a login valid for at least 12 minutes."""
GKE_WORKLOAD_POOL = "{project}.svc.id.goog"
_GKE_CLUSTER = re.compile(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?")


def gke_cluster_name(field: str, value: object) -> str:
    """A GKE cluster name: 1-40 lowercase letters, digits and '-', starting with a letter, not ending with '-'."""
    text = validation.require_type(field, value, str, "a GKE cluster name such as gitpod")
    if not _GKE_CLUSTER.fullmatch(text):
        raise InvalidInput(
            field,
            f"{validation.describe(text)} is not a GKE cluster name; use 1-40 lowercase letters, digits and '-', "
            "starting with a letter and not ending with '-'",
        )
    return text


def gke_location(field: str, value: object) -> str:
    """A GKE cluster's location: a region (regional cluster) or a zone (zonal cluster)."""
    text = validation.require_type(field, value, str, "a GKE cluster location such as europe-west1")
    if not (names.is_region(text) or names.is_zone(text)):
        raise InvalidInput(
            field,
            f"{validation.describe(text)} is not a GKE cluster location; use the cluster's region (europe-west1) "
            "or, for a zonal cluster, its zone (europe-west1-b), as `gcloud container clusters list` shows it",
        )
    return text


_LIFETIME_TEXT = renewed_login.seconds_text(ACCESS_TOKEN_LIFETIME_SECONDS)
_BOUNDS_TEXT = (
    f"{renewed_login.seconds_text(renewed_login.MIN_REFRESH_SECONDS)} to "
    f"{renewed_login.seconds_text(renewed_login.max_refresh_seconds(ACCESS_TOKEN_LIFETIME_SECONDS))}"
)


def _refresh_interval(field: str, value: object) -> str:
    return renewed_login.check_refresh_interval(
        field,
        value,
        ACCESS_TOKEN_LIFETIME_SECONDS,
        f"the federated token lasts at most {_LIFETIME_TEXT}, as long as the Kubernetes token ESO exchanges for it",
    )


LOGIN_FIELD = Field(
    "login",
    "string",
    allowed=(KEYLESS, KEY),
    default_text=f"{KEYLESS} when gkeClusterName is set, otherwise {KEY}",
    description=f"How image-builder logs in: {KEYLESS} (no key: External Secrets Operator renews an access token of "
    f"one Kubernetes service account through GKE Workload Identity) or {KEY} (a service-account key, which "
    "organizations created since 2024-05-03 forbid by default).",
)
FIELDS = (
    Field(
        "gke_cluster_name",
        "string",
        check=gke_cluster_name,
        description=f"{KEYLESS} login: name of the GKE cluster Gitpod runs in, e.g. gitpod.",
    ),
    Field(
        "gke_cluster_location",
        "string",
        check=gke_location,
        description=f"{KEYLESS} login: that cluster's region or zone, e.g. europe-west1; required with it.",
    ),
    Field(
        "gke_cluster_project",
        "string",
        check=names.project_id,
        default_text="the repository's project",
        description=f"{KEYLESS} login: Google Cloud project ID of that cluster, whose workload identity pool "
        "(PROJECT.svc.id.goog) the login comes from.",
    ),
    Field(
        "refresh_interval",
        "string",
        default=REFRESH_INTERVAL_DEFAULT,
        check=_refresh_interval,
        description=f"{KEYLESS} login: how often External Secrets Operator renews it, a Go duration from "
        f"{_BOUNDS_TEXT}: the token lasts at most {_LIFETIME_TEXT}, and an image build pushes with the one it "
        "started with, so a build that runs longer can fail at push.",
    ),
)
"""The keyless login's fields, besides `login` itself."""
KEY_ONLY = ("service_account", "allow_key_creation", "key_generation", "keep_previous_key")
"""Fields that only mean something with a key."""


@dataclass(frozen=True)
class GkeCluster:
    """The cluster whose workload identity pool the login comes from, and how often it is renewed."""

    project: str
    location: str
    name: str
    refresh_interval: str = REFRESH_INTERVAL_DEFAULT

    @property
    def workload_pool(self) -> str:
        # ESO builds the pool's name from the project ID as given (workload_identity.go, gcpWorkloadIdentity).
        return GKE_WORKLOAD_POOL.format(project=self.project)


def check_login(args: Mapping[str, Any], values: Mapping[str, Any], path: str, project: str) -> GkeCluster | None:
    """The keyless login's cluster, or None for key mode; `values` are the backend's checked fields. Each field of the
    other mode is refused by name."""
    given = {name for name, value in args.items() if value is not None}
    named = {"gke_cluster_name", "gke_cluster_location"} & given
    login = values["login"] or (KEYLESS if named else KEY)
    login_ref = ref(at(path, "login"))
    if login == KEY:
        how = (
            f"set {login_ref} to {KEYLESS}"
            if values["login"]
            else f"set {ref(at(path, 'gke_cluster_name'))} and {ref(at(path, 'gke_cluster_location'))}"
        )
        for field in FIELDS:
            if field.name in given:
                raise InvalidInput(
                    at(path, field.name), f"only with the {KEYLESS} login; remove it, or {how} to log in with no key"
                )
        return None
    for name in KEY_ONLY:
        if name in given:
            raise InvalidInput(
                at(path, name),
                f"only with {login_ref} {KEY}: the {KEYLESS} login has no Google service account and no key; remove it",
            )
    for name in ("gke_cluster_name", "gke_cluster_location"):
        if name not in given:
            raise InvalidInput(
                at(path, name),
                f"required with {login_ref} {KEYLESS}: External Secrets Operator exchanges the Kubernetes token at "
                "the GKE cluster's identity provider, which the cluster's project, location and name identify",
            )
    return GkeCluster(
        values["gke_cluster_project"] or project,
        values["gke_cluster_location"],
        values["gke_cluster_name"],
        values["refresh_interval"],
    )


def principal(project_number: str, cluster: GkeCluster, namespace: str) -> str:
    """The IAM principal of the login's one Kubernetes service account (GKE: "Workload Identity Federation for GKE",
    principal identifiers): a single subject, never a principalSet of a namespace or of the pool."""
    return (
        f"principal://iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/"
        f"{cluster.workload_pool}/subject/ns/{namespace}/sa/{LOGIN_SERVICE_ACCOUNT}"
    )


def generator_spec(project: str, cluster: GkeCluster) -> dict[str, Any]:
    """The GCRAccessToken's spec (apis/generators/v1alpha1/types_gcr.go)."""
    return {
        "projectID": project,
        "auth": {
            "workloadIdentity": {
                "serviceAccountRef": {"name": LOGIN_SERVICE_ACCOUNT},
                "clusterLocation": cluster.location,
                "clusterName": cluster.name,
                "clusterProjectID": cluster.project,
            }
        },
    }


def keyless_login(
    name: str,
    *,
    project: str,
    location: str,
    repository: pulumi.Input[str],
    role: str,
    cluster: GkeCluster,
    namespace: str,
    secret_name: str,
    host: str,
    static: tuple[RegistryCredential, ...],
    parent: pulumi.Resource,
    depends_on: Any = None,
) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """Registers the login's service account, its writer grant on the repository and the renewed login; returns the
    principal granted and the name of the secret ESO writes (known once it is written)."""
    child = pulumi.ResourceOptions(parent=parent)
    service_account = k8s.core.v1.ServiceAccount(
        f"{name}-login-service-account",
        # No iam.gke.io/gcp-service-account annotation: ESO then uses the federated token itself.
        metadata={"name": LOGIN_SERVICE_ACCOUNT, "namespace": namespace, "labels": LABELS},
        automount_service_account_token=False,
        opts=child,
    )
    number = gcp.organizations.get_project_output(
        project_id=cluster.project, opts=pulumi.InvokeOutputOptions(parent=parent)
    ).number
    member = number.apply(lambda n: principal(n, cluster, namespace))
    writer = gcp.artifactregistry.RepositoryIamMember(
        f"{name}-writer",
        project=project,
        location=location,
        repository=repository,
        role=role,
        member=member,
        opts=child,
    )
    secret_name_output = renewed_login.renewed_login(
        f"{name}-login",
        namespace=namespace,
        secret_name=secret_name,
        host=host,
        static=static,
        generator_kind=LOGIN_GENERATOR_KIND,
        generator_spec=generator_spec(project, cluster),
        refresh_interval=cluster.refresh_interval,
        opts=pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(parent=parent, depends_on=[service_account, writer]),
            pulumi.ResourceOptions(depends_on=depends_on),
        ),
    )
    return member, secret_name_output
