"""The login External Secrets Operator renews (backend ecr): the objects it reads, held strictly to ESO v2.9.0's API
types; the template rendered by Go's own text/template with sprig from exactly the keys ESO's generator emits, with
hostile values; what Pulumi owns and what it waits for."""

from __future__ import annotations

import base64
import copy
import json

import jsonschema
import pytest
from eso_schema import eso_manifest, validate
from esotemplate import TemplateError, render

from components.kubernetes import renewed_login
from components.kubernetes.dockerconfig import docker_config_json
from components.workspace_images import ecr
from conftest import assert_never_plain, reveal, run
from offline.mocks import MOCK_ACCOUNT_ID, mock_generated_login

WS = "gitpod-registry:workspaceImages"
ARN = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
HOST = f"{MOCK_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
GENERATOR = "kubernetes:generators.external-secrets.io/v1alpha1:ECRAuthorizationToken"
QUAY_PASSWORD = 'q"\\{{ .password }}\u00e9%s}}'
HOSTILE = [
    ("quay.io", 'robot"+{{x}}', QUAY_PASSWORD),
    ("registry.example.com:5000", "\u00fcser\\", '{{- /* */ -}}\\u0000\\"end'),
    ("docker.io", "acme", "\u65e5\u672c\u8a9e{{`raw`}} '\U0001f511"),
]


def stack(**fields):
    base = {"backend": "ecr", "oidcProviderArn": ARN, **fields}
    registries = [{"server": h, "username": u, "password": p} for h, u, p in HOSTILE]
    return run("dev", {"aws:region": "eu-west-1", WS: base, "gitpod-registry:baseImages": {"registries": registries}})


@pytest.fixture(scope="module")
def evaluation():
    return stack()


def test_every_eso_object_is_valid_strictly_against_esos_api_types(evaluation):
    found = [r for r in evaluation.resources if r.type in (EXTERNAL_SECRET, GENERATOR)]
    assert len(found) == 2
    for resource in found:
        manifest = eso_manifest(resource)
        validate(manifest)


def test_the_schema_refuses_a_misspelt_field_which_the_apiserver_would_prune(evaluation):
    manifest = eso_manifest(evaluation.one(EXTERNAL_SECRET))
    misspelt = copy.deepcopy(manifest)
    misspelt["spec"]["target"]["template"]["templateForm"] = misspelt["spec"]["target"]["template"].pop("templateFrom")
    with pytest.raises(jsonschema.ValidationError):
        validate(misspelt)
    generator = eso_manifest(evaluation.one(GENERATOR))
    generator["spec"]["auth"]["jwt"]["serviceAccount"] = generator["spec"]["auth"]["jwt"].pop("serviceAccountRef")
    with pytest.raises(jsonschema.ValidationError):
        validate(generator)


def test_the_generator_logs_in_through_the_irsa_service_account(evaluation):
    spec = evaluation.one(GENERATOR).inputs["spec"]
    assert spec == {"region": "eu-west-1", "auth": {"jwt": {"serviceAccountRef": {"name": ecr.LOGIN_SERVICE_ACCOUNT}}}}


def test_the_external_secret_writes_the_secret_the_installer_names_and_pulumi_waits_for_it(evaluation):
    external = evaluation.one(EXTERNAL_SECRET)
    name = evaluation.outputs["installerConfig"]["containerRegistry"]["external"]["certificate"]["name"]
    spec = external.inputs["spec"]
    assert spec["target"]["name"] == name == external.inputs["metadata"]["name"]
    assert spec["target"]["template"]["type"] == "kubernetes.io/dockerconfigjson"
    assert spec["refreshInterval"] == renewed_login.REFRESH_INTERVAL_DEFAULT
    assert external.inputs["metadata"]["annotations"][renewed_login.WAIT_FOR_ANNOTATION] == "condition=Ready"
    # Pulumi does not own the written Secret: a renewal is no drift for `pulumi refresh`.
    written = [r for r in evaluation.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == name]
    assert written == []


def test_static_passwords_are_only_in_the_template_secret(evaluation):
    (source,) = evaluation.one(EXTERNAL_SECRET).inputs["spec"]["target"]["template"]["templateFrom"]
    assert set(source) == {"target", "secret"}, "a template from a ConfigMap or a literal is readable by anyone"
    assert "data" not in evaluation.one(EXTERNAL_SECRET).inputs["spec"]["target"]["template"]
    template = [
        r
        for r in evaluation.of_type("kubernetes:core/v1:Secret")
        if r.inputs["metadata"]["name"] == source["secret"]["name"]
    ]
    assert len(template) == 1
    assert ".dockerconfigjson" in reveal(template[0].inputs["stringData"])
    assert_never_plain(evaluation, *(password for _, _, password in HOSTILE))


def test_go_renders_valid_json_with_every_hostile_value(evaluation):
    """Go's own text/template with sprig, from exactly the keys the generator emits; hostile static logins and a
    hostile generated one: the document is JSON Gitpod reads, equal to the one this program would write itself."""
    (source,) = evaluation.one(EXTERNAL_SECRET).inputs["spec"]["target"]["template"]["templateFrom"]
    (template,) = [
        r
        for r in evaluation.of_type("kubernetes:core/v1:Secret")
        if r.inputs["metadata"]["name"] == source["secret"]["name"]
    ]
    text = reveal(template.inputs["stringData"])[".dockerconfigjson"]
    generated = mock_generated_login("ECRAuthorizationToken", {"region": "eu-west-1"}, HOST)
    assert sorted(generated) == sorted(renewed_login.GENERATED_KEYS)
    for password in (generated["password"], '"}}{{ .username }}\\', "\u00e9\u2028{{"):
        document = json.loads(render(text, {**generated, "password": password}))
        expected = json.loads(docker_config_json([*HOSTILE, (HOST, "AWS", password)]))
        assert document == expected
        for host, entry in document["auths"].items():
            assert base64.b64decode(entry["auth"]).decode() == f"{entry['username']}:{entry['password']}", host


def test_a_missing_generator_key_fails_the_render_so_eso_keeps_the_old_secret(evaluation):
    text = renewed_login.login_template(HOST)
    with pytest.raises(TemplateError, match="password"):
        render(text, {"username": "AWS"})


def test_a_changed_static_login_changes_the_external_secret_at_once(evaluation):
    registries = [{"server": h, "username": u, "password": p + "2"} for h, u, p in HOSTILE]
    changed = run(
        "dev",
        {
            "aws:region": "eu-west-1",
            WS: {"backend": "ecr", "oidcProviderArn": ARN},
            "gitpod-registry:baseImages": {"registries": registries},
        },
    )
    annotation = renewed_login.TEMPLATE_VERSION_ANNOTATION
    before = evaluation.one(EXTERNAL_SECRET).inputs["metadata"]["annotations"][annotation]
    after = changed.one(EXTERNAL_SECRET).inputs["metadata"]["annotations"][annotation]
    assert before != after and before.isdigit()
    assert stack().one(EXTERNAL_SECRET).inputs["metadata"]["annotations"][annotation] == before, "not deterministic"


@pytest.mark.parametrize(
    "interval, ok", [("1m", True), ("11h", True), ("10h59m59s", True), ("11h0m1s", False), ("59s", False)]
)
def test_every_accepted_interval_leaves_a_login_valid_for_a_whole_build(interval, ok):
    field = "workspace_images.refresh_interval"
    if ok:
        renewed_login.check_refresh_interval(field, interval, ecr.ECR_TOKEN_LIFETIME_SECONDS, "12h")
        seconds = renewed_login.duration_seconds(interval)
        assert seconds is not None
        assert seconds + renewed_login.MAX_BUILD_RUNTIME_SECONDS <= ecr.ECR_TOKEN_LIFETIME_SECONDS
    else:
        with pytest.raises(ValueError, match="refresh_interval"):
            renewed_login.check_refresh_interval(field, interval, ecr.ECR_TOKEN_LIFETIME_SECONDS, "12h")
