"""The keyless login to Artifact Registry: a Google service account that one Kubernetes service account may act as,
through GKE Workload Identity, and no key.

External Secrets Operator's `GCRAccessToken` generator mints the login (external-secrets v2.9.0,
generators/v1/gcr/gcr.go: username `oauth2accesstoken`, the access token as password). With
`auth.workloadIdentity` it follows providers/v1/gcp/secretmanager/workload_identity.go (`TokenSource`): it reads the
service account `serviceAccountRef.name` in the ExternalSecret's namespace, requests a token of it with audience
`CLUSTER_PROJECT.svc.id.goog`, exchanges that at securetoken.googleapis.com for the pool `CLUSTER_PROJECT.svc.id.goog`
and the provider `https://container.googleapis.com/v1/projects/CLUSTER_PROJECT/locations/LOCATION/clusters/NAME`,
and, as the service account is annotated `iam.gke.io/gcp-service-account: EMAIL`, calls IAM Credentials
`GenerateAccessToken` for `projects/-/serviceAccounts/EMAIL` with that federated token, and logs in with the Google
service account's access token. Location, name and project are always given: ESO asks the node's metadata server
for a missing one.

Why a Google service account, not direct principal access: with no annotation ESO logs in with the federated token
itself, which lasts no longer than the 15-minute Kubernetes token it was exchanged for (`k8sSATokenGenerator`), so
any build longer than about 12 minutes could fail at push. `GenerateAccessToken` gives an hour whatever the
Kubernetes token's life. The second principal is confined: `roles/iam.workloadIdentityUser` on that account alone,
for the one Kubernetes service account (`serviceAccount:CLUSTER_PROJECT.svc.id.goog[NAMESPACE/KSA]`), and the account
holds one grant, the writer role on the one repository (gcp/writer_account.py, shared with the key login); no key
is made of it (docs/backend-artifact-registry.md#the-keyless-login).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from .. import validation
from ..fields import Field
from ..kubernetes import renewed_login
from ..kubernetes.dockerconfig import RegistryCredential
from ..validation import InvalidInput, at, ref
from . import names
from .services import enabled_service

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
`ExpirationSeconds` 15 minutes, and exchanges that for a federated token, which lasts no longer. That token only
calls GenerateAccessToken; it is not the login."""
ACCESS_TOKEN_LIFETIME_SECONDS = 60 * 60
"""workload_identity.go `TokenSource` sends GenerateAccessTokenRequest with no `Lifetime`, and IAM Credentials then
issues the Google service account's access token for its default, an hour, whatever the federated token's life.
ESO sets no expiry to go by (gcr.go: `expiry` is the zero time), so the renewal interval decides."""
REFRESH_INTERVAL_DEFAULT = "10m"
"""Within the most allowed (renewed_login.max_refresh_seconds: a quarter of the hour, 15m): every build then starts
with a login valid for at least 50 minutes."""
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
SA_ANNOTATION = "iam.gke.io/gcp-service-account"
"""workload_identity.go `gcpSAAnnotation`: with it ESO impersonates that Google service account."""
IAM_CREDENTIALS_SERVICE = "iamcredentials.googleapis.com"
"""The API ESO calls `GenerateAccessToken` on."""
GKE_WORKLOAD_POOL = "{project}.svc.id.goog"
_GKE_CLUSTER = re.compile(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?")


def gke_cluster_name(field: str, value: object) -> str:
    """A GKE cluster name: 1-40 lowercase letters, digits and '-', starting with a letter, not ending with '-'."""
    return validation.matching(
        field,
        value,
        _GKE_CLUSTER,
        "a GKE cluster name such as gitpod",
        "a GKE cluster name",
        "use 1-40 lowercase letters, digits and '-', starting with a letter and not ending with '-'",
    )


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
        f"the Google service account's access token lasts {_LIFETIME_TEXT} (IAM Credentials GenerateAccessToken, "
        "for which ESO sets no lifetime)",
    )


LOGIN_FIELD = Field(
    "login",
    "string",
    allowed=(KEYLESS, KEY),
    default_text=f"{KEYLESS} when gkeClusterName is set, otherwise {KEY}",
    description=f"How image-builder logs in: {KEYLESS} (no key: External Secrets Operator renews an access token of "
    "a Google service account that one Kubernetes service account may act as through GKE Workload Identity) or "
    f"{KEY} (a service-account key, which "
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
        f"{_BOUNDS_TEXT}: the token lasts {_LIFETIME_TEXT}, and an image build pushes with the one it "
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
                f"only with {login_ref} {KEY}: the {KEYLESS} login makes its own Google service account, which only "
                "its Kubernetes service account may act as, and no key; remove it",
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


def workload_identity_member(cluster: GkeCluster, namespace: str) -> str:
    """The IAM member of the login's one Kubernetes service account in the cluster's pool (GKE Workload Identity):
    a single service account, never a principalSet of a namespace or of the pool."""
    return f"serviceAccount:{cluster.workload_pool}[{namespace}/{LOGIN_SERVICE_ACCOUNT}]"


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
    email: pulumi.Output[str],
    writer: pulumi.Resource,
    cluster: GkeCluster,
    namespace: str,
    secret_name: str,
    host: str,
    static: tuple[RegistryCredential, ...],
    parent: pulumi.Resource,
    depends_on: Any = None,
) -> pulumi.Output[str]:
    """Registers, for the Google service account `email` (with its `writer` grant on the repository), the one
    Kubernetes service account that may act as it and the renewed login; returns the name of the secret ESO writes
    (known once it is written)."""
    child = pulumi.ResourceOptions(parent=parent)
    iam_credentials = enabled_service(f"{name}-iam-credentials-service", project, IAM_CREDENTIALS_SERVICE, child)
    # On this one Google service account, for this one Kubernetes service account: never a binding, never the project.
    user = gcp.serviceaccount.IAMMember(
        f"{name}-workload-identity-user",
        service_account_id=email.apply(lambda e: f"projects/{project}/serviceAccounts/{e}"),
        role=WORKLOAD_IDENTITY_USER,
        member=workload_identity_member(cluster, namespace),
        opts=child,
    )
    service_account = renewed_login.login_service_account(
        f"{name}-login-service-account",
        name=LOGIN_SERVICE_ACCOUNT,
        namespace=namespace,
        annotations={SA_ANNOTATION: email},
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
            pulumi.ResourceOptions(parent=parent, depends_on=[service_account, user, iam_credentials, writer]),
            pulumi.ResourceOptions(depends_on=depends_on),
        ),
    )
    return secret_name_output
