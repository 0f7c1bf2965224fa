"""The artifact-registry backend's workload-identity login, on the resource graph the real program registers: no key
anywhere, one Google service account with the writer role on the one repository that only one Kubernetes service
account may act as, ESO's objects held strictly to ESO v2.9.0's API
types, the template rendered by Go's text/template with sprig from exactly the generator's keys, and every bad input
refused by its key before anything is registered."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest
from eso_schema import eso_manifest, validate
from esotemplate import render

from components.gcp import workload_identity
from components.kubernetes import renewed_login
from components.kubernetes.dockerconfig import docker_config_json
from components.push_secret import SecretWriter
from components.workspace_images import BACKENDS
from components.workspace_images.backend import Rotation
from conftest import assert_never_plain, reveal, run, run_invalid
from offline.mocks import mock_generated_login

WS = "gitpod-registry:workspaceImages"
ESO = "gitpod-registry:externalSecretsOperator"
GCP = {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1"}
KEYLESS = {"backend": "artifact-registry", "gkeClusterName": "gitpod", "gkeClusterLocation": "europe-west1"}
HOST = "europe-west1-docker.pkg.dev"
EXTERNAL_SECRET = SecretWriter.CONTROLLER.registered_as or ""
GENERATOR = f"kubernetes:{renewed_login.GENERATORS_API}:{workload_identity.LOGIN_GENERATOR_KIND}"
MEMBER = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
ACCOUNT = "gcp:serviceaccount/account:Account"
USER = "gcp:serviceaccount/iAMMember:IAMMember"
SERVICE = "gcp:projects/service:Service"
KSA = "kubernetes:core/v1:ServiceAccount"
QUAY = ("quay.io", 'robot"+{{x}}', 'q"\\{{ .password }}\u00e9%s}}')
BACKEND = BACKENDS["artifact-registry"]
# What only a key needs: none of it may exist with the keyless login.
KEY_TYPES = ("gcp:serviceaccount/key:Key", "gcp:orgpolicy/policy:Policy")


def keyless(stack: str = "dev", **fields):
    registries = [{"server": QUAY[0], "username": QUAY[1], "password": QUAY[2]}]
    return run(stack, {**GCP, WS: {**KEYLESS, **fields}, "gitpod-registry:baseImages": {"registries": registries}})


@pytest.fixture(scope="module")
def evaluation():
    return keyless()


def _template_text(evaluation) -> str:
    (source,) = evaluation.one(EXTERNAL_SECRET).inputs["spec"]["target"]["template"]["templateFrom"]
    name = source["secret"]["name"]
    (template,) = [r for r in evaluation.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == name]
    return reveal(template.inputs["stringData"])[".dockerconfigjson"]


def _email(evaluation, project: str = "acme-gitpod") -> str:
    (account,) = evaluation.of_type(ACCOUNT)
    return f"{account.inputs['accountId']}@{project}.iam.gserviceaccount.com"


def test_no_key_and_nothing_only_a_key_needs(evaluation):
    for token in KEY_TYPES:
        assert evaluation.of_type(token) == [], f"{token} registered with the keyless login"
    kinds = {r.type for r in evaluation.resources if r.type.startswith("gcp:serviceaccount")}
    assert kinds == {ACCOUNT, USER}, kinds


def test_the_one_repository_grant_is_writer_for_the_google_service_account(evaluation):
    (member,) = evaluation.of_type(MEMBER)
    assert member.inputs == {
        "project": "acme-gitpod",
        "location": "europe-west1",
        "repository": "gitpod",
        "role": "roles/artifactregistry.writer",
        "member": f"serviceAccount:{_email(evaluation)}",
    }, member.urn
    assert not [r for r in evaluation.resources if r.type.startswith("gcp:projects/iAM")], "a project-wide grant"


def test_only_the_one_kubernetes_service_account_may_act_as_it(evaluation):
    """roles/iam.workloadIdentityUser on that one Google service account (a member, not a binding, not the project),
    for serviceAccount:POOL[NAMESPACE/KSA]."""
    (user,) = evaluation.of_type(USER)
    assert user.inputs == {
        "serviceAccountId": f"projects/acme-gitpod/serviceAccounts/{_email(evaluation)}",
        "role": "roles/iam.workloadIdentityUser",
        "member": f"serviceAccount:acme-gitpod.svc.id.goog[gitpod/{BACKEND.token_service_account}]",
    }, user.urn
    assert not [r for r in evaluation.resources if "iAMBinding" in r.type or "iAMPolicy" in r.type]


def test_the_pool_is_the_gke_clusters_project_and_the_account_the_repositorys(evaluation):
    other = keyless(gkeClusterProject="acme-clusters", project="acme-images")
    assert other.one(MEMBER).inputs["project"] == "acme-images"
    assert other.one(ACCOUNT).inputs["project"] == "acme-images"
    user = other.one(USER).inputs
    assert user["member"] == f"serviceAccount:acme-clusters.svc.id.goog[gitpod/{BACKEND.token_service_account}]"
    assert user["serviceAccountId"] == f"projects/acme-images/serviceAccounts/{_email(other, 'acme-images')}"
    spec = other.one(GENERATOR).inputs["spec"]
    assert (
        spec["projectID"] == "acme-images" and spec["auth"]["workloadIdentity"]["clusterProjectID"] == "acme-clusters"
    )


def test_the_service_account_is_annotated_so_eso_impersonates_the_google_one(evaluation):
    """workload_identity.go: with `iam.gke.io/gcp-service-account` ESO calls GenerateAccessToken for that account."""
    (account,) = evaluation.of_type(KSA)
    assert account.inputs["metadata"]["name"] == BACKEND.token_service_account, account.urn
    assert account.inputs["metadata"]["namespace"] == "gitpod"
    assert account.inputs["metadata"]["annotations"] == {"iam.gke.io/gcp-service-account": _email(evaluation)}
    assert account.inputs["automountServiceAccountToken"] is False, account.urn


def test_iam_credentials_is_enabled_and_left_on_and_the_login_waits_for_its_identity(evaluation):
    (service,) = [r for r in evaluation.of_type(SERVICE) if r.inputs["service"] == "iamcredentials.googleapis.com"]
    assert service.inputs["project"] == "acme-gitpod"
    assert service.inputs["disableOnDestroy"] is False and service.inputs["disableDependentServices"] is False
    external = evaluation.one(EXTERNAL_SECRET)
    for needed in (service, evaluation.one(USER), evaluation.one(KSA), evaluation.one(MEMBER)):
        assert needed.urn in external.dependencies, f"{external.urn} does not wait for {needed.urn}"


def test_the_generator_names_the_cluster_and_the_service_account(evaluation):
    assert evaluation.one(GENERATOR).inputs["spec"] == {
        "projectID": "acme-gitpod",
        "auth": {
            "workloadIdentity": {
                "serviceAccountRef": {"name": BACKEND.token_service_account},
                "clusterLocation": "europe-west1",
                "clusterName": "gitpod",
                "clusterProjectID": "acme-gitpod",
            }
        },
    }


def test_every_eso_object_is_valid_strictly_against_esos_api_types(evaluation):
    found = [r for r in evaluation.resources if r.type in (EXTERNAL_SECRET, GENERATOR)]
    assert len(found) == 2
    for resource in found:
        manifest = eso_manifest(resource)
        validate(manifest)
    generator = eso_manifest(evaluation.one(GENERATOR))
    identity = generator["spec"]["auth"]["workloadIdentity"]
    identity["clusterProject"] = identity.pop("clusterProjectID")  # the apiserver would prune it silently
    with pytest.raises(jsonschema.ValidationError):
        validate(generator)


def _without(path: str):
    def mutate(spec: dict) -> None:
        *parents, last = path.split(".")
        for key in parents:
            spec = spec[key]
        del spec[last]

    return mutate


def _set(path: str, value: object):
    def mutate(spec: dict) -> None:
        *parents, last = path.split(".")
        for key in parents:
            spec = spec[key]
        spec[last] = value

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        # config/crds/bases/generators.external-secrets.io_gcraccesstokens.yaml at v2.9.0: what its openAPIV3Schema
        # requires or bounds.
        _without("projectID"),
        _without("auth"),
        _without("auth.workloadIdentity.clusterName"),
        _without("auth.workloadIdentity.clusterLocation"),
        _without("auth.workloadIdentity.serviceAccountRef"),
        _without("auth.workloadIdentity.serviceAccountRef.name"),
        _set("auth.workloadIdentity.clusterName", 1),
        _set("auth.workloadIdentity.serviceAccountRef.name", "Gitpod_Login"),
        _set("auth.workloadIdentity.serviceAccountRef.namespace", ""),
        _set("auth.workloadIdentity.serviceAccountRef.namespace", "Gitpod"),
        _set("auth.workloadIdentity.serviceAccountRef.audiences", "gitpod"),
        _set("auth.workloadIdentity.clusterProject", "acme-gitpod"),
        _set("auth.secretRefs", {}),
    ],
)
def test_the_generator_schema_refuses_what_esos_crd_refuses(evaluation, mutate):
    generator = eso_manifest(evaluation.one(GENERATOR))
    mutate(generator["spec"])
    with pytest.raises(jsonschema.ValidationError):
        validate(generator)


def test_the_external_secret_writes_the_secret_the_installer_names(evaluation):
    external = evaluation.one(EXTERNAL_SECRET)
    name = evaluation.outputs["installerConfig"]["containerRegistry"]["external"]["certificate"]["name"]
    spec = external.inputs["spec"]
    assert spec["target"]["name"] == name and spec["target"]["template"]["type"] == "kubernetes.io/dockerconfigjson"
    assert spec["refreshInterval"] == workload_identity.REFRESH_INTERVAL_DEFAULT
    assert spec["dataFrom"][0]["sourceRef"]["generatorRef"]["kind"] == "GCRAccessToken"
    written = [r for r in evaluation.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == name]
    assert written == [], "Pulumi must not own the Secret ESO rewrites"
    assert_never_plain(evaluation, QUAY[2])


def test_go_renders_the_access_token_as_oauth2accesstoken_beside_the_other_logins(evaluation):
    spec = evaluation.one(GENERATOR).inputs["spec"]
    generated = mock_generated_login("GCRAccessToken", spec, HOST)
    assert sorted(generated) == sorted(workload_identity.GENERATED_KEYS)
    text = _template_text(evaluation)
    for password in (generated["password"], '"}}{{ .username }}\\', "\u00e9\u2028{{"):
        document = json.loads(render(text, {**generated, "password": password}))
        assert document == json.loads(docker_config_json([QUAY, (HOST, "oauth2accesstoken", password)]))
    assert generated["username"] == workload_identity.ACCESS_TOKEN_USER


def test_the_login_lasts_an_hour_whatever_the_kubernetes_tokens_life():
    """workload_identity.go: the 15-minute Kubernetes token only buys GenerateAccessToken, which ESO asks with no
    lifetime, so the login is a Google access token of an hour; renewed at most every quarter of it."""
    assert workload_identity.KUBERNETES_TOKEN_SECONDS == 15 * 60
    assert workload_identity.ACCESS_TOKEN_LIFETIME_SECONDS == 60 * 60
    default = renewed_login.duration_seconds(workload_identity.REFRESH_INTERVAL_DEFAULT)
    assert default == 10 * 60
    assert renewed_login.max_refresh_seconds(workload_identity.ACCESS_TOKEN_LIFETIME_SECONDS) == 15 * 60
    assert BACKEND.renewed_login_lifetime == ("GCRAccessToken", 60 * 60)


@pytest.mark.parametrize(
    "interval, ok",
    [("1m", True), ("10m", True), ("15m", True), ("14m59s", True), ("15m1s", False), ("1h", False), ("59s", False)],
)
def test_every_accepted_interval_leaves_each_build_three_quarters_of_the_token(interval, ok):
    if ok:
        external = keyless(refreshInterval=interval).one(EXTERNAL_SECRET)
        assert external.inputs["spec"]["refreshInterval"] == interval
        seconds = renewed_login.duration_seconds(interval)
        assert seconds is not None and workload_identity.ACCESS_TOKEN_LIFETIME_SECONDS - seconds >= 45 * 60
    else:
        message = run_invalid({**GCP, WS: {**KEYLESS, "refreshInterval": interval}})
        assert f"{WS}.refreshInterval" in message and "allowed 1m to 15m" in message, message


def test_every_field_of_the_key_is_refused_with_the_keyless_login():
    """The rotation fields, the reused account and the exception: what only the key login reads."""
    assert set(workload_identity.KEY_ONLY) == {f.name for f in dataclasses.fields(Rotation)} | {
        "service_account",
        "allow_key_creation",
    }


@pytest.mark.parametrize("field", workload_identity.KEY_ONLY)
def test_a_key_field_is_refused_with_the_keyless_login(field):
    value = {"service_account": "gitpod-reg@acme-gitpod.iam.gserviceaccount.com"}.get(field, 2)
    value = False if field in ("allow_key_creation", "keep_previous_key") else value
    key = next(f.key for f in BACKEND.fields if f.name == field)
    message = run_invalid({**GCP, WS: {**KEYLESS, key: value}})
    assert f"{WS}.{key}: only with {WS}.login key" in message, message


@pytest.mark.parametrize("field", workload_identity.FIELDS, ids=lambda f: f.key)
def test_a_keyless_field_is_refused_with_the_key_login(field):
    value = {"gke_cluster_project": "acme-gitpod", "refresh_interval": "2m"}.get(field.name, "europe-west1")
    message = run_invalid({**GCP, WS: {"backend": "artifact-registry", "login": "key", field.key: value}})
    assert f"{WS}.{field.key}: only with the workload-identity login" in message, message


def test_a_cluster_name_too_long_for_the_accounts_id_is_refused_with_the_keyless_login():
    message = run_invalid({**GCP, "gitpod-registry:clusterName": "a" * 20, WS: KEYLESS})
    assert "clusterName: at most 19 characters" in message, message


@pytest.mark.parametrize("missing", ["gkeClusterName", "gkeClusterLocation"])
def test_the_keyless_login_needs_the_clusters_name_and_location(missing):
    fields = {k: v for k, v in KEYLESS.items() if k != missing}
    message = run_invalid({**GCP, WS: {**fields, "login": "workload-identity"}})
    assert f"{WS}.{missing}: required with {WS}.login workload-identity" in message, message


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("gkeClusterName", "Gitpod", "not a GKE cluster name"),
        ("gkeClusterName", 7, "expected a GKE cluster name"),
        ("gkeClusterLocation", "eu", "not a GKE cluster location"),
        ("gkeClusterProject", "x", "not a Google Cloud project ID"),
        ("refreshInterval", 600, "expected a duration"),
        ("login", "oidc", "workload-identity"),
    ],
)
def test_bad_values_are_refused_by_their_key(field, value, expected):
    message = run_invalid({**GCP, WS: {**KEYLESS, field: value}})
    assert f"{WS}.{field}" in message and expected in message, message


def test_the_writer_follows_the_login():
    key = run("dev", {**GCP, WS: {"backend": "artifact-registry"}})
    assert key.of_type(EXTERNAL_SECRET) == [] and key.of_type("gcp:serviceaccount/key:Key")
    written = keyless().of_type(EXTERNAL_SECRET)
    assert len(written) == 1
    assert BACKEND.secret_writer is SecretWriter.PROGRAM, "key mode, every stack before the keyless login, is default"


def test_eso_installed_for_the_keyless_login_may_request_tokens_of_its_one_service_account():
    installed = run("dev", {**GCP, WS: KEYLESS, ESO: {"install": True}})
    role = installed.one("kubernetes:rbac.authorization.k8s.io/v1:Role")
    assert role.inputs["rules"][0]["resourceNames"] == [BACKEND.token_service_account], role.urn
    release = installed.one("kubernetes:helm.sh/v3:Release").urn
    for resource in (installed.one(EXTERNAL_SECRET), installed.one(GENERATOR)):
        assert release in resource.dependencies, f"{resource.urn} does not wait for ESO's install"
    message = run_invalid({**GCP, WS: {"backend": "artifact-registry"}, ESO: {"install": True}})
    assert f"{ESO}.install" in message and "no External Secrets Operator is needed" in message, message


def test_switching_to_the_keyless_login_keeps_the_repository_and_the_secrets_name():
    key, switched = run("gcp", {**GCP, WS: {"backend": "artifact-registry"}}), keyless("gcp")
    repository = "gcp:artifactregistry/repository:Repository"
    assert key.one(repository).urn == switched.one(repository).urn
    assert key.one(repository).inputs == switched.one(repository).inputs, "the repository would be replaced"
    for kept in (ACCOUNT, MEMBER):  # the key login's account and grant stay; only its key and Secret go
        assert key.one(kept).urn == switched.one(kept).urn
        assert key.one(kept).inputs == switched.one(kept).inputs, f"{kept} would change"
    assert key.outputs["workspaceImagesSecret"] == switched.outputs["workspaceImagesSecret"]


def test_notes_ask_for_eso_and_workload_identity_not_for_a_key_exception(evaluation):
    notes = " ".join(evaluation.outputs["notes"])
    assert renewed_login.ESO_REQUIRED_NOTE in evaluation.outputs["notes"]
    assert "--workload-pool=acme-gitpod.svc.id.goog" in notes and "disableServiceAccountKeyCreation" not in notes
