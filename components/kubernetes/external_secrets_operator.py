"""External Secrets Operator (ESO), installed on request with Helm and cut down to what Gitpod's login needs.

A backend whose push secret a controller writes (SecretWriter.CONTROLLER: ecr; artifact-registry's workload-identity
login) needs ESO in the cluster. With
`external_secrets_operator.install` this program installs chart `external-secrets` CHART_VERSION as a Helm release
(pulumi-kubernetes helm.v3.Release, so `helm list` and `helm upgrade` see it). The chart's defaults serve every
namespace and every kind of store; the values below leave one namespace, Gitpod's, and no cluster-wide kind.

What decided each value, in external-secrets/external-secrets at tag helm-chart-2.9.0 (cc5bfbc), paths under
deploy/charts/external-secrets/ (the controller's flags in cmd/controller/root.go at v2.9.0):
- `scopedRBAC` + `scopedNamespace`: templates/rbac.yaml renders the controller's, view and edit roles as Roles
  in that namespace instead of ClusterRoles, and templates/deployment.yaml passes `--namespace` (root.go: the
  manager's cache watches that namespace alone) and turns the three cluster-wide reconcilers off.
- `rbac.aggregateToView/Edit/Admin: false`: with them rbac.yaml labels the view and edit roles
  `rbac.authorization.k8s.io/aggregate-to-*`, so whoever holds `edit` or `admin` anywhere may create
  ExternalSecrets and generators (which mint cloud tokens). Inert on a Role, so off as well in case the scope goes.
- `rbac.serviceAccountTokenCreate: false`: otherwise the controller may create a token of ANY service account
  in the namespace (rbac.yaml); a Role of our own allows the one service account the backend names
  (values.yaml: "users must create per-ServiceAccount Role/RoleBinding with resourceNames constraint").
- `rbac.servicebindings.create: false`: a ClusterRole for the servicebinding.io controller to read every
  ExternalSecret in the cluster (rbac.yaml), which nothing here uses.
- `process*: false` and `crds.create*: false` for cluster stores, cluster external secrets, cluster generators
  and (cluster) push secrets: no reconciler, no RBAC and no CRD for kinds Gitpod's login never uses (the chart
  asks both off together: values.yaml comments; `_helpers.tpl` `reconciler-sanity-test` refuses push secrets off
  with cluster push secrets on). `crds.createSecretStore` is not set: hack/helm.generate.sh wraps only the
  Cluster* and PushSecret CRDs in their switch, so it changes nothing; `processSecretStore: false` stops its
  reconciler.
- `webhook.create` and `certController.create: false`: the webhook only validates stores and ExternalSecrets
  (templates/validatingwebhook.yaml; conversion stays off, `crds.conversion.enabled: false`), and the program
  checks its ExternalSecret against ESO's schema itself; the cert controller exists to serve the webhook and holds
  a ClusterRole that reads every Secret and patches CRDs (templates/cert-controller-rbac.yaml).
"""

from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..validation import InvalidInput, at, flag, namespace, ref, require_known_fields, require_type
from .dockerconfig import LABELS

CHART = "external-secrets"
CHART_VERSION = "2.9.0"
"""The release whose CRDs and API types the program's ESO objects are checked against (tests/eso_schema.py)."""
CHART_REPOSITORY = "https://charts.external-secrets.io"
RELEASE_NAME = "external-secrets"
"""The Helm release; the chart names its controller's service account after it (`_helpers.tpl`: fullname)."""
CONTROLLER_SERVICE_ACCOUNT = "external-secrets"
DEFAULT_NAMESPACE = "external-secrets"
CRD_PROBE = "externalsecrets.external-secrets.io"
"""The CRD whose Helm annotations tell whether another release owns ESO already (docs/backend-ecr.md)."""
_CLUSTER_WIDE = ("ClusterExternalSecret", "ClusterSecretStore", "ClusterGenerator", "ClusterPushSecret")


class ExternalSecretsOperatorArgs(TypedDict):
    install: NotRequired[bool]
    """Install External Secrets Operator (chart external-secrets 2.9.0) as a Helm release, reconciling Gitpod's
    namespace only; for a backend whose push secret ESO writes (ecr; artifact-registry's workload-identity login).
    Leave it off where ESO runs already.
    Default false."""
    namespace: NotRequired[str]
    """Namespace of ESO's controller, created if missing. Only with install. Default external-secrets."""


@dataclass(frozen=True)
class CheckedEso:
    namespace: str
    """ESO's own namespace, where its controller runs."""
    watched_namespace: str
    """Gitpod's namespace: the only one ESO reconciles and may write Secrets in."""
    token_service_accounts: tuple[str, ...]
    """Service accounts in Gitpod's namespace that ESO may request tokens of (IRSA, workload identity)."""


def check_eso(
    value: object, path: str, watched_namespace: str, token_service_accounts: tuple[str, ...], backend: str | None
) -> CheckedEso | None:
    """The install, or None when it is off. `backend` names a backend whose secret ESO writes, None otherwise."""
    given = require_type(path, value, dict, "an object with install (true or false) and namespace")
    require_known_fields(path, given, ExternalSecretsOperatorArgs.__annotations__)
    if not flag(at(path, "install"), given.get("install", False)):
        if "namespace" in given:
            raise InvalidInput(
                at(path, "namespace"), f"only with {ref(at(path, 'install'))}: true; remove it, or set install"
            )
        return None
    if backend is None:
        raise InvalidInput(
            at(path, "install"),
            "true, but no External Secrets Operator is needed: only a workspace-image backend whose push secret "
            "ESO writes (ecr; artifact-registry with its workload-identity login) uses it; remove the key, or choose "
            "such a backend",
        )
    return CheckedEso(
        namespace(at(path, "namespace"), given.get("namespace", DEFAULT_NAMESPACE)),
        watched_namespace,
        token_service_accounts,
    )


def chart_values(watched_namespace: str) -> dict[str, Any]:
    """The chart's values: one namespace, nothing cluster-wide (the module docstring says why, value by value)."""
    return {
        "installCRDs": True,
        "crds": {f"create{kind}": False for kind in (*_CLUSTER_WIDE, "PushSecret")},
        "scopedNamespace": watched_namespace,
        "scopedRBAC": True,
        "processClusterExternalSecret": False,
        "processClusterStore": False,
        "processClusterGenerator": False,
        "processClusterPushSecret": False,
        "processPushSecret": False,
        "processSecretStore": False,
        "serviceAccount": {"name": CONTROLLER_SERVICE_ACCOUNT},
        "rbac": {
            "serviceAccountTokenCreate": False,
            "servicebindings": {"create": False},
            "aggregateToView": False,
            "aggregateToEdit": False,
            "aggregateToAdmin": False,
        },
        "webhook": {"create": False},
        "certController": {"create": False},
    }


class ExternalSecretsOperatorInstallArgs(TypedDict):
    namespace: str
    """ESO's own namespace, created if missing."""
    watched_namespace: str
    """The one namespace ESO reconciles (Gitpod's)."""
    token_service_accounts: list[str]
    """Service accounts in the watched namespace that ESO may request tokens of."""


class ExternalSecretsOperator(pulumi.ComponentResource):
    """External Secrets Operator, reconciling one namespace.

    Children: the Helm release `external-secrets` (chart external-secrets 2.9.0, with CRDs, without webhook and
    cert controller); in the watched namespace, a Role that may create tokens of the named service accounts
    only, and its RoleBinding to ESO's controller. Whatever needs ESO's CRDs depends on this component.
    """

    def __init__(
        self, name: str, args: ExternalSecretsOperatorInstallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("gitpod-registry:index:ExternalSecretsOperator", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        watched = args["watched_namespace"]
        k8s.helm.v3.Release(
            f"{name}-release",
            name=RELEASE_NAME,
            chart=CHART,
            version=CHART_VERSION,
            repository_opts={"repo": CHART_REPOSITORY},
            namespace=args["namespace"],
            create_namespace=True,
            values=chart_values(watched),
            opts=child,
        )
        # An empty resourceNames would allow tokens of EVERY service account in the namespace: no names, no Role.
        if args["token_service_accounts"]:
            self._token_grant(name, args)
        self.register_outputs({})

    def _token_grant(self, name: str, args: ExternalSecretsOperatorInstallArgs) -> None:
        """A Role that may create tokens of the named service accounts only, bound to ESO's controller."""
        child = pulumi.ResourceOptions(parent=self)
        watched = args["watched_namespace"]
        role_name = "gitpod-registry-eso-token-request"
        role = k8s.rbac.v1.Role(
            f"{name}-token-request",
            metadata={"name": role_name, "namespace": watched, "labels": LABELS},
            rules=[
                {
                    "api_groups": [""],
                    "resources": ["serviceaccounts/token"],
                    "verbs": ["create"],
                    "resource_names": sorted(args["token_service_accounts"]),
                }
            ],
            opts=child,
        )
        k8s.rbac.v1.RoleBinding(
            f"{name}-token-request-binding",
            metadata={"name": role_name, "namespace": watched, "labels": LABELS},
            role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
            subjects=[{"kind": "ServiceAccount", "name": CONTROLLER_SERVICE_ACCOUNT, "namespace": args["namespace"]}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )


def install_args(checked: CheckedEso) -> ExternalSecretsOperatorInstallArgs:
    return {
        "namespace": checked.namespace,
        "watched_namespace": checked.watched_namespace,
        "token_service_accounts": list(checked.token_service_accounts),
    }
