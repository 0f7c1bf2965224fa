"""External Secrets Operator installed on request (externalSecretsOperator.install): a pinned Helm release, values
that leave Gitpod's namespace alone reachable, a token grant for the backend's one service account, and every ESO
object waiting for the install. Bad input is refused naming its key."""

from __future__ import annotations

import pytest
from eso_chart_facts import AGGREGATION, CHART_VERSION, CLUSTER_ROLES, CRD_SWITCHES, DEFAULTS

from components.kubernetes import external_secrets_operator as eso
from components.kubernetes.renewed_login import ESO_REQUIRED_NOTE
from components.push_secret import SecretWriter
from components.workspace_images import BACKENDS
from conftest import run, run_invalid
from offline.mocks import MOCK_ACCOUNT_ID

WS = "gitpod-registry:workspaceImages"
KEY = "gitpod-registry:externalSecretsOperator"
ARN = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
CONTROLLER_BACKENDS = [b.name for b in BACKENDS.values() if b.secret_writer is SecretWriter.CONTROLLER]
# A backend whose mode decides its writer is judged on a complete config (its own tests: the keyless login's).
OTHER_BACKENDS = [
    b.name for b in BACKENDS.values() if b.secret_writer is not SecretWriter.CONTROLLER and b.writer_for is None
]


def ecr(**extra) -> dict:
    return {"aws:region": "eu-west-1", WS: {"backend": "ecr", "oidcProviderArn": ARN}, **extra}


@pytest.fixture(scope="module")
def installed():
    return run("dev", ecr(**{KEY: {"install": True}, "gitpod-registry:namespace": "gitpod-a"}))


def _flat(values: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        flat.update(_flat(value, f"{path}.") if isinstance(value, dict) and value else {path: value})
    return flat


def test_the_pinned_chart_is_installed_as_a_named_release(installed):
    release = installed.one(RELEASE)
    assert release.inputs["chart"] == "external-secrets" and release.inputs["version"] == CHART_VERSION, release.urn
    assert release.inputs["repositoryOpts"] == {"repo": "https://charts.external-secrets.io"}, release.urn
    # An explicit name: Pulumi would otherwise add a random suffix, and the docs tell operators to look it up.
    assert release.inputs["name"] == "external-secrets", release.urn
    assert release.inputs["namespace"] == "external-secrets" and release.inputs["createNamespace"] is True
    assert release.inputs["values"] == eso.chart_values("gitpod-a"), release.urn
    assert not release.inputs.get("takeOwnership"), f"{release.urn}: would adopt another release's CRDs"


def test_every_eso_object_waits_for_the_install(installed):
    release = installed.one(RELEASE).urn
    binding = installed.one(BINDING).urn
    needing = [r for r in installed.resources if r.custom and "external-secrets.io" in r.type]
    assert {r.type.rsplit(":", 1)[1] for r in needing} >= {"ExternalSecret", "ECRAuthorizationToken"}
    for resource in needing:
        assert {release, binding} <= set(resource.dependencies), f"{resource.urn} does not wait for ESO's install"


def test_eso_may_request_tokens_of_the_backends_service_account_only(installed):
    role, binding = installed.one(ROLE), installed.one(BINDING)
    assert role.inputs["metadata"]["namespace"] == "gitpod-a", role.urn
    assert role.inputs["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["serviceaccounts/token"],
            "verbs": ["create"],
            "resourceNames": [BACKENDS["ecr"].token_service_account],
        }
    ], role.urn
    assert binding.inputs["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "gitpod-registry-eso-token-request",
    }
    assert binding.inputs["subjects"] == [
        {"kind": "ServiceAccount", "name": eso.CONTROLLER_SERVICE_ACCOUNT, "namespace": "external-secrets"}
    ], binding.urn
    # The chart's own broad grant is off, so this Role is the controller's only way to a token.
    assert installed.one(RELEASE).inputs["values"]["rbac"]["serviceAccountTokenCreate"] is False


def test_the_note_says_eso_is_installed_instead_of_required(installed):
    assert ESO_REQUIRED_NOTE not in installed.outputs["notes"]
    assert any("installed by this program" in note and "gitpod-a only" in note for note in installed.outputs["notes"])
    plain = run("dev", ecr())
    assert ESO_REQUIRED_NOTE in plain.outputs["notes"] and not plain.of_type(RELEASE)
    assert not run("dev", ecr(**{KEY: {"install": False}})).of_type(RELEASE)


def test_every_value_set_is_a_key_of_the_chart_and_changes_its_default():
    values = _flat(eso.chart_values("gitpod"))
    unknown = sorted(set(values) - set(DEFAULTS))
    assert not unknown, f"not keys of the chart's values.yaml at {CHART_VERSION}: {unknown}"
    same = sorted(k for k, v in values.items() if DEFAULTS[k] == v and k != "installCRDs")
    assert not same, f"set to the chart's own default (say why, or drop them): {same}"


def test_the_values_leave_one_namespace_and_nothing_cluster_wide():
    values = {**DEFAULTS, **_flat(eso.chart_values("gitpod"))}
    # rbac.yaml: scopedRBAC renders the controller's, view and edit roles as Roles in scopedNamespace.
    assert values["scopedRBAC"] is True and values["scopedNamespace"] == "gitpod"
    for role, labels in AGGREGATION.items():
        carried = [label for switch, label in labels.items() if values[switch]]
        assert not carried, f"<fullname>-{role} aggregates into {carried}"
    for name, switches in CLUSTER_ROLES.items():
        assert not all(values[s] for s in switches), f"ClusterRole {name} is rendered"
    for crd, process in CRD_SWITCHES.items():
        assert values[crd] is False and values[process] is False, f"{crd} / {process}"
    # _helpers.tpl, reconciler-sanity-test: push secrets off with cluster push secrets on fails the render.
    assert values["processClusterPushSecret"] is False or values["processPushSecret"] is True
    assert values["webhook.create"] is False and values["certController.create"] is False


def test_the_controllers_service_account_name_is_the_one_bound():
    assert eso.chart_values("gitpod")["serviceAccount"]["name"] == eso.CONTROLLER_SERVICE_ACCOUNT


@pytest.mark.parametrize(
    "value, key, words",
    [
        ("yes", "externalSecretsOperator", "expected an object"),
        ({"install": "true"}, "externalSecretsOperator.install", "true or false"),
        ({"install": 1}, "externalSecretsOperator.install", "true or false"),
        ({"install": True, "namespace": "ESO"}, "externalSecretsOperator.namespace", "not a Kubernetes namespace"),
        ({"install": True, "namespace": 5}, "externalSecretsOperator.namespace", "a string"),
        ({"namespace": "eso"}, "externalSecretsOperator.namespace", "only with"),
        ({"install": True, "version": "2.10.0"}, "externalSecretsOperator", "version"),
    ],
)
def test_a_bad_value_is_refused_naming_its_key(value, key, words):
    message = run_invalid({**ecr(), KEY: value})
    assert f"gitpod-registry:{key}" in message and words in message, message


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_an_install_no_backend_needs_is_refused(backend):
    message = run_invalid({WS: {"backend": backend}, KEY: {"install": True}})
    assert f"{KEY}.install" in message and "no External Secrets Operator is needed" in message, message


def test_an_install_beside_an_air_gap_is_refused():
    air_gap = {"registry": "registry.internal.example.com/gitpod", "username": "u", "password": "p"}
    message = run_invalid({"gitpod-registry:airGap": air_gap, KEY: {"install": True}})
    assert f"{KEY}.install" in message and "no External Secrets Operator is needed" in message, message


def test_every_backend_whose_secret_eso_writes_can_have_it_installed():
    assert CONTROLLER_BACKENDS, "no backend needs ESO: the opt-in tests above prove nothing"
    for name in CONTROLLER_BACKENDS:
        assert BACKENDS[name].token_service_account, f"{name}: ESO would be granted no token"


def test_no_service_account_means_no_token_grant_at_all(tmp_path):
    """RBAC reads an empty resourceNames as every name: without a service account there is no Role."""
    program = tmp_path / "__main__.py"
    program.write_text(
        "from components.kubernetes.external_secrets_operator import ExternalSecretsOperator\n"
        'ExternalSecretsOperator("eso", {"namespace": "eso", "watched_namespace": "gitpod", '
        '"token_service_accounts": []})\n'
    )
    evaluation = run("dev", {}, program=program)
    assert evaluation.one(RELEASE) and not evaluation.of_type(ROLE) and not evaluation.of_type(BINDING)
