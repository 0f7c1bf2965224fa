"""Bad configuration: one clear error naming the key and what is allowed, and nothing registered."""

from __future__ import annotations

import re

import pytest

from components.workspace_images import BACKENDS
from conftest import AWS, run, run_invalid
from offline.engine import evaluate

ALLOWED = ", ".join(BACKENDS)

S3 = "gitpod-registry:workspaceImages"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {S3: {"backend": "gcs"}},
            rf"gitpod-registry:workspaceImages.backend: 'gcs' is not allowed; allowed values: {ALLOWED}$",
        ),
        (
            {S3: {}},
            rf"gitpod-registry:workspaceImages.backend: required; allowed values: {ALLOWED}$",
        ),
        ({S3: None}, r"gitpod-registry:workspaceImages: required"),
        ({S3: "s3"}, r"gitpod-registry:workspaceImages: expected an object"),
        ({"aws:region": None}, r"aws:region: required for the s3 backend"),
        ({"aws:region": "Europe"}, r"aws:region: 'Europe' is not an AWS region name"),
        (
            {S3: {"backend": "s3", "bucket": "My_Bucket"}},
            r"gitpod-registry:workspaceImages.bucket: 'My_Bucket' is not a valid S3 bucket name",
        ),
        (
            {S3: {"backend": "s3", "bucket": "192.168.1.1"}},
            r"gitpod-registry:workspaceImages.bucket: .* not a valid S3 bucket name",
        ),
        ({S3: {"backend": "s3", "bucket": 42}}, r"gitpod-registry:workspaceImages.bucket: expected a string, got 42"),
        (
            {S3: {"backend": "s3", "buckett": "x"}},
            r"gitpod-registry:workspaceImages.buckett: unknown field; did you mean bucket\? allowed fields here: backend, bucket, keepPreviousKey, keyGeneration, region",
        ),
        (
            {S3: {"backend": "s3", "keyGeneration": 0}},
            r"gitpod-registry:workspaceImages.keyGeneration: expected a whole number from 1 to 2147483647, got 0",
        ),
        (
            {S3: {"backend": "s3", "keyGeneration": "2"}},
            r"gitpod-registry:workspaceImages.keyGeneration: expected a whole number from 1 to 2147483647, got '2'",
        ),
        (
            {S3: {"backend": "s3", "keepPreviousKey": "yes"}},
            r"gitpod-registry:workspaceImages.keepPreviousKey: expected true or false",
        ),
        (
            {"gitpod-registry:namespace": "Gitpod"},
            r"gitpod-registry:namespace: 'Gitpod' is not a Kubernetes namespace name",
        ),
        (
            {"gitpod-registry:clusterName": "prod_eu"},
            r"gitpod-registry:clusterName: 'prod_eu' is not a valid cluster name",
        ),
        ({"gitpod-registry:clusterName": "a" * 30}, r"gitpod-registry:clusterName: at most 24 characters in eu-west-1"),
        ({"gitpod-registry:protectData": "maybe"}, r"gitpod-registry:protectData: expected true or false, got 'maybe'"),
        (
            {"gitpod-registry:componentImages": {"repository": "https://mirror.example.com/gitpod"}},
            r"gitpod-registry:componentImages.repository: .* has a scheme",
        ),
        (
            {"gitpod-registry:baseImages": {"workspaceImage": "Not An Image"}},
            r"gitpod-registry:baseImages.workspaceImage: .* is not an image reference",
        ),
        (
            {"gitpod-registry:baseImages": {"image": "x"}},
            r"gitpod-registry:baseImages.image: unknown field; allowed fields here: registries, workspaceImage",
        ),
    ],
)
def test_bad_value_is_refused_naming_its_key(override, expected):
    message = run_invalid({**AWS, **override})
    assert re.search(expected, message), message


def test_ecr_without_the_clusters_oidc_provider_says_which_keys_name_it():
    """ECR is a backend now; its login needs a role the cluster's OIDC provider trusts, and nothing guesses one."""
    message = run_invalid({**AWS, S3: {"backend": "ecr"}})
    assert "gitpod-registry:workspaceImages.oidcProviderArn: give exactly one of it and" in message
    assert "gitpod-registry:workspaceImages.eksClusterName" in message


def test_a_stack_name_that_cannot_be_a_cluster_name_asks_for_clusterName():
    message = run_invalid(AWS, stack="Prod_EU")
    assert "gitpod-registry:clusterName: not set, and the stack name 'Prod_EU'" in message


def test_a_long_cluster_name_is_fine_when_reusing_a_bucket():
    evaluation = run(
        "dev", {**AWS, "gitpod-registry:clusterName": "a" * 30, S3: {"backend": "s3", "bucket": "acme-gitpod"}}
    )
    assert evaluation.one("aws:iam/user:User").inputs["name"] == f"gitpod-registry-{'a' * 30}-eu-west-1"


def test_defaults_come_from_the_project_file_and_the_stack_name():
    evaluation = run("staging", AWS)
    secret = evaluation.one("kubernetes:core/v1:Secret")
    assert secret.inputs["metadata"]["namespace"] == "gitpod"
    assert evaluation.one("aws:iam/user:User").inputs["name"] == "gitpod-registry-staging-eu-west-1"


@pytest.mark.parametrize(
    "override",
    [
        {S3: {"backend": "gcs"}},
        {"gitpod-registry:componentImages": {"repository": "registry.example.com/Gitpod"}},
        {"gitpod-registry:baseImages": {"registries": [{"server": "quay.io", "username": "u"}]}},
        {"gitpod-registry:clustrName": "prod"},
        {"gitpod:namespace": "other"},
    ],
)
def test_the_program_registers_nothing_for_a_refused_config(override):
    """The whole program, not just the reader: it stops with the reader's message before registering anything."""
    evaluation = evaluate("test", {**AWS, **override}, use_stack_file=False)
    assert evaluation.resources == [], [r.urn for r in evaluation.resources]
    assert str(evaluation.error) == run_invalid({**AWS, **override})


@pytest.mark.parametrize(
    "key",
    [
        "gitpod:workspaceImages",
        "gitpod_registry:namespace",
        "Gitpod-Registry:namespace",
        "gitpod-regsitry:config:clusterName",
        "GITPOD.REGISTRY:protectData",
    ],
)
def test_a_known_key_in_a_near_miss_namespace_is_refused_naming_both_spellings(key):
    name = key.rsplit(":", 1)[1]
    message = run_invalid({**AWS, key: "x"})
    assert message.startswith(f"invalid configuration: gitpod-registry:{name}: given as {key}, in namespace "), message
    assert f"write it as gitpod-registry:{name}" in message


@pytest.mark.parametrize(
    "key",
    ["kubernetes:namespace", "gitpod:somethingElse", "registry:namespace", "gcp:project", "gitpodder:namespace"],
)
def test_other_namespaces_and_unknown_names_are_not_near_misses(key):
    assert run("test", {**AWS, key: "x"}).error is None


def test_a_near_miss_namespace_that_may_hold_a_credential_is_not_quoted():
    key = "gitpod-registrZ9:namespace"
    from components.stack_config import is_near_miss_namespace

    assert is_near_miss_namespace(key.split(":")[0])
    message = run_invalid({**AWS, key: "x"})
    assert "registrZ9" not in message and "namespace not shown" in message, message


PLAIN_EXTERNAL = """config:
  gitpod-registry:workspaceImages:
    backend: external
    url: registry.example.com/gitpod
    username: robot
    password: {password}
  gitpod-registry:baseImages:
    registries:
      - server: quay.io
        username: reader
        password: {base}
"""


def _stack_file(tmp_path, password: str, base: str) -> None:
    import shutil

    from offline.engine import PROJECT_DIR

    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.t.yaml").write_text(PLAIN_EXTERNAL.format(password=password, base=base))


def test_a_plain_text_credential_in_a_stack_file_is_warned_about_naming_the_key_and_the_fix(tmp_path):
    _stack_file(tmp_path, "Hunter2-plain", "Quay-plain-9")
    evaluation = evaluate("t", stack_dir=tmp_path)
    assert evaluation.error is None
    plain = [w for w in evaluation.warnings if "written in plain text" in w]
    assert [w.split(" ", 1)[0] for w in plain] == [
        "gitpod-registry:workspaceImages.password",
        "gitpod-registry:baseImages.registries[0].password",
    ], plain
    assert "pulumi config set --secret --path 'gitpod-registry:workspaceImages.password' VALUE" in plain[0]
    assert not any("Hunter2" in w or "Quay-plain" in w for w in evaluation.warnings)


def test_a_credential_set_with_secret_is_not_warned_about(tmp_path):
    _stack_file(tmp_path, "{secure: v1:AAAA}", "{secure: v1:BBBB}")
    evaluation = evaluate("t", stack_dir=tmp_path)
    assert evaluation.error is None
    assert not [w for w in evaluation.warnings if "written in plain text" in w], evaluation.warnings


def test_the_secret_keys_the_cli_hands_over_in_the_environment_count(monkeypatch):
    """The CLI's language host hands secret keys to the program as PULUMI_CONFIG_SECRET_KEYS."""
    import json

    from components.stack_config import plaintext_credentials, secret_keys

    config = {
        "gitpod-registry:workspaceImages": json.dumps(
            {"backend": "external", "url": "registry.example.com/gitpod", "username": "robot", "password": "p"}
        )
    }
    assert len(plaintext_credentials(config, secret_keys())) == 1
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps(["gitpod-registry:workspaceImages"]))
    assert plaintext_credentials(config, secret_keys()) == []
