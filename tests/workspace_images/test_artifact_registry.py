"""The artifact-registry backend, on the resource graph the real program registers."""

from __future__ import annotations

import base64
import json

import pytest

from conftest import plain_strings, reveal, run
from offline.engine import evaluate
from offline.mocks import mock_key_file

GCP = {
    "gcp:project": "acme-gitpod",
    "gcp:region": "europe-west1",
    "gitpod-registry:workspaceImages": {"backend": "artifact-registry"},
}
WS = "gitpod-registry:workspaceImages"
EMAIL = "gitpod-reg-dev@acme-gitpod.iam.gserviceaccount.com"


@pytest.fixture
def gcp_stack():
    return run("dev", GCP)


def docker_config(evaluation) -> dict:
    secret = evaluation.one("kubernetes:core/v1:Secret")
    data = reveal(secret.inputs["stringData"])
    assert sorted(data) == [".dockerconfigjson"], secret.urn
    return json.loads(data[".dockerconfigjson"])


def key_json(evaluation, key_name: str) -> str:
    """The key file the mocks gave the Key resource `key_name` (its private_key, base64-decoded)."""
    key = evaluation.by_name(key_name)
    return mock_key_file(key.name, key.inputs["serviceAccountId"])


def test_repository_is_docker_in_the_region_protected_and_after_the_service(gcp_stack):
    repository = gcp_stack.one("gcp:artifactregistry/repository:Repository")
    assert repository.inputs["format"] == "DOCKER"
    assert repository.inputs["repositoryId"] == "gitpod"
    assert repository.inputs["location"] == "europe-west1"
    assert repository.inputs["project"] == "acme-gitpod"
    assert repository.protect, f"{repository.urn} must be protected"
    assert "cleanupPolicies" not in repository.inputs, "no cleanup unless asked for"
    service = gcp_stack.one("gcp:projects/service:Service").inputs
    assert service["service"] == "artifactregistry.googleapis.com"
    assert service["disableOnDestroy"] is False and service["project"] == "acme-gitpod"
    assert not gcp_stack.of_type("gcp:projects/service:Service")[0].protect


def test_the_only_grant_is_writer_on_the_one_repository(gcp_stack):
    (member,) = gcp_stack.of_type("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    assert member.inputs["role"] == "roles/artifactregistry.writer", member.urn
    assert member.inputs["repository"] == "gitpod"
    assert member.inputs["location"] == "europe-west1" and member.inputs["project"] == "acme-gitpod"
    assert member.inputs["member"] == f"serviceAccount:{EMAIL}"
    project_level = [r.urn for r in gcp_stack.resources if r.type.startswith(("gcp:projects/iam", "gcp:organizations"))]
    assert project_level == [], f"project-wide grants: {project_level}"
    assert not [r.urn for r in gcp_stack.resources if "Iam" in r.type and r is not member]


def test_service_account_is_named_after_the_cluster(gcp_stack):
    account = gcp_stack.one("gcp:serviceaccount/account:Account").inputs
    assert account["accountId"] == "gitpod-reg-dev" and account["project"] == "acme-gitpod"
    key = gcp_stack.one("gcp:serviceaccount/key:Key")
    assert key.name == "gitpod-workspace-images-key-1"
    assert key.inputs["serviceAccountId"] == EMAIL


def test_secret_is_a_dockerconfigjson_for_the_bare_host_with_the_decoded_key(gcp_stack):
    secret = gcp_stack.one("kubernetes:core/v1:Secret")
    assert secret.inputs["type"] == "kubernetes.io/dockerconfigjson"
    assert secret.inputs["metadata"]["name"] == "gitpod-registry-workspace-images"
    assert secret.inputs["metadata"]["namespace"] == "gitpod"
    auths = docker_config(gcp_stack)["auths"]
    assert list(auths) == ["europe-west1-docker.pkg.dev"]
    entry = auths["europe-west1-docker.pkg.dev"]
    expected_password = key_json(gcp_stack, "gitpod-workspace-images-key-1")
    assert entry["username"] == "_json_key"
    assert entry["password"] == expected_password
    assert json.loads(entry["password"])["client_email"] == EMAIL
    assert base64.b64decode(entry["auth"]).decode() == f"_json_key:{expected_password}"
    assert "\n" not in entry["auth"]


def test_no_credential_appears_in_plain_text(gcp_stack):
    password = docker_config(gcp_stack)["auths"]["europe-west1-docker.pkg.dev"]["password"]
    private_key = json.loads(password)["private_key"]
    visible = plain_strings(gcp_stack.outputs)
    for resource in gcp_stack.resources:
        visible += plain_strings(resource.inputs)
    assert not any(private_key in text or "PRIVATE KEY" in text for text in visible)


def test_installer_config_points_at_the_repository_and_the_secret(gcp_stack):
    assert gcp_stack.outputs["installerConfig"]["containerRegistry"] == {
        "inCluster": False,
        "external": {
            "url": "europe-west1-docker.pkg.dev/acme-gitpod/gitpod",
            "certificate": {"kind": "secret", "name": "gitpod-registry-workspace-images"},
        },
    }
    assert gcp_stack.outputs["workspaceImagesSecret"] == "gitpod-registry-workspace-images"
    assert "url: europe-west1-docker.pkg.dev/acme-gitpod/gitpod" in gcp_stack.outputs["installerConfigYaml"]


def test_location_and_repository_can_be_chosen():
    evaluation = run("dev", {**GCP, WS: {"backend": "artifact-registry", "location": "us", "repository": "ws"}})
    assert evaluation.one("gcp:artifactregistry/repository:Repository").inputs["location"] == "us"
    assert list(docker_config(evaluation)["auths"]) == ["us-docker.pkg.dev"]
    external = evaluation.outputs["installerConfig"]["containerRegistry"]["external"]
    assert external["url"] == "us-docker.pkg.dev/acme-gitpod/ws"


@pytest.mark.parametrize(("repository", "location"), [("gcr.io", "us"), ("eu.gcr.io", "europe")])
def test_gcr_domain_repository_uses_gcr_urls_and_says_redirection_must_be_enabled(repository, location):
    evaluation = run("dev", {**GCP, WS: {"backend": "artifact-registry", "repository": repository}})
    created = evaluation.one("gcp:artifactregistry/repository:Repository").inputs
    assert (created["repositoryId"], created["location"]) == (repository, location)
    assert list(docker_config(evaluation)["auths"]) == [repository]
    external = evaluation.outputs["installerConfig"]["containerRegistry"]["external"]
    assert external["url"] == f"{repository}/acme-gitpod"
    # No provider resource sets the project's redirection from Container Registry (pulumi-gcp 10.2).
    (redirection,) = [note for note in evaluation.outputs["notes"] if note.startswith("gcr.io-domain repository")]
    assert f"{repository}/acme-gitpod answers only once the project's redirection" in redirection
    assert "gcloud artifacts settings enable-upgrade-redirection --project=acme-gitpod" in redirection


def test_a_pkg_dev_repository_needs_no_redirection(gcp_stack):
    assert not [note for note in gcp_stack.outputs["notes"] if "redirection" in note]


def test_the_plan_says_key_creation_may_be_forbidden_and_how_to_allow_it(gcp_stack):
    (note,) = gcp_stack.outputs["notes"]
    assert "on or after 2024-05-03 enforce iam.disableServiceAccountKeyCreation" in note
    assert "FAILED_PRECONDITION" in note and "workspaceImages.allowKeyCreation true" in note
    assert not gcp_stack.of_type("gcp:orgpolicy/policy:Policy"), "no exception unless asked for"


def test_allow_key_creation_makes_a_project_scoped_exception_before_the_key():
    evaluation = run("dev", {**GCP, WS: {"backend": "artifact-registry", "allowKeyCreation": True}})
    policy = evaluation.one("gcp:orgpolicy/policy:Policy")
    assert policy.inputs == {
        "name": "projects/acme-gitpod/policies/iam.disableServiceAccountKeyCreation",
        "parent": "projects/acme-gitpod",
        "spec": {"inheritFromParent": False, "rules": [{"enforce": "FALSE"}]},
    }
    services = {s.inputs["service"]: s for s in evaluation.of_type("gcp:projects/service:Service")}
    assert services["orgpolicy.googleapis.com"].inputs["disableOnDestroy"] is False
    assert services["orgpolicy.googleapis.com"].urn in policy.dependencies
    key = evaluation.one("gcp:serviceaccount/key:Key")
    assert policy.urn in key.dependencies, "the key waits for the exception"
    (note,) = evaluation.outputs["notes"]
    assert "roles/orgpolicy.policyAdmin" in note and "project acme-gitpod only" in note


def test_domain_scoped_project_uses_a_slash_in_the_url():
    evaluation = run("dev", {**GCP, "gcp:project": "example.com:gitpod-prod"})
    external = evaluation.outputs["installerConfig"]["containerRegistry"]["external"]
    assert external["url"] == "europe-west1-docker.pkg.dev/example.com/gitpod-prod/gitpod"


def test_cleanup_policy_deletes_old_versions_but_keeps_the_most_recent():
    workspace = {"backend": "artifact-registry", "cleanupOlderThanDays": 30, "cleanupKeepCount": 5}
    repository = run("dev", {**GCP, WS: workspace}).one("gcp:artifactregistry/repository:Repository")
    delete, keep = repository.inputs["cleanupPolicies"]
    assert delete["action"] == "DELETE" and delete["condition"]["olderThan"] == f"{30 * 86400}s"
    assert keep["action"] == "KEEP" and keep["mostRecentVersions"]["keepCount"] == 5
    assert repository.inputs["cleanupPolicyDryRun"] is False


def test_reusing_a_service_account_creates_none_and_still_grants_only_the_repository():
    existing = "gitpod-storage@acme-gitpod.iam.gserviceaccount.com"
    evaluation = run("dev", {**GCP, WS: {"backend": "artifact-registry", "serviceAccount": existing}})
    assert evaluation.of_type("gcp:serviceaccount/account:Account") == []
    (member,) = evaluation.of_type("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    assert member.inputs["member"] == f"serviceAccount:{existing}"
    assert member.inputs["role"] == "roles/artifactregistry.writer"
    assert evaluation.one("gcp:serviceaccount/key:Key").inputs["serviceAccountId"] == existing
    password = docker_config(evaluation)["auths"]["europe-west1-docker.pkg.dev"]["password"]
    assert json.loads(password)["client_email"] == existing


def test_key_rotation_keeps_the_previous_key_until_told_otherwise():
    rotating = {"backend": "artifact-registry", "keyGeneration": 2, "keepPreviousKey": True}
    evaluation = run("dev", {**GCP, WS: rotating})
    keys = sorted(r.name for r in evaluation.of_type("gcp:serviceaccount/key:Key"))
    assert keys == ["gitpod-workspace-images-key-1", "gitpod-workspace-images-key-2"]
    password = docker_config(evaluation)["auths"]["europe-west1-docker.pkg.dev"]["password"]
    assert password == key_json(evaluation, "gitpod-workspace-images-key-2")
    assert password != key_json(evaluation, "gitpod-workspace-images-key-1")

    finished = run("dev", {**GCP, WS: {"backend": "artifact-registry", "keyGeneration": 2}})
    assert [r.name for r in finished.of_type("gcp:serviceaccount/key:Key")] == ["gitpod-workspace-images-key-2"]


def test_protection_can_be_lifted_for_throwaway_stacks():
    repository = run("dev", {**GCP, "gitpod-registry:protectData": False}).one(
        "gcp:artifactregistry/repository:Repository"
    )
    assert not repository.protect, repository.urn


def test_same_config_gives_identical_inputs_every_run():
    first, second = run("dev", GCP), run("dev", GCP)
    assert [(r.urn, r.inputs, r.protect) for r in sorted(first.resources, key=lambda r: r.urn)] == [
        (r.urn, r.inputs, r.protect) for r in sorted(second.resources, key=lambda r: r.urn)
    ]
    assert first.outputs == second.outputs


def test_two_clusters_in_one_project_never_share_a_service_account():
    dev, prod = run("dev", GCP), run("prod", GCP)
    ids = [e.one("gcp:serviceaccount/account:Account").inputs["accountId"] for e in (dev, prod)]
    assert ids == ["gitpod-reg-dev", "gitpod-reg-prod"]


def test_the_gcp_example_stack_is_complete():
    evaluation = evaluate("gcp")
    assert evaluation.error is None, evaluation.error
    assert evaluation.one("gcp:artifactregistry/repository:Repository").inputs["location"] == "europe-west1"
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["inCluster"] is False


EXTRA_PROGRAM = """
import pulumi
from components import ArtifactRegistryWorkspaceImages

registry = ArtifactRegistryWorkspaceImages(
    "images",
    {
        "cluster_name": "dev",
        "project": "acme-gitpod",
        "location": "europe-west1",
        "namespace": "gitpod",
        "extra_credentials": [
            {"server": "registry.example.com", "username": "robot", "password": pulumi.Output.secret("s3cr3t")},
            {"server": "index.docker.io", "username": "hub", "password": "hubpass"},
        ],
    },
)
pulumi.export("url", registry.url)
"""


def test_extra_credentials_are_merged_into_the_same_secret(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(EXTRA_PROGRAM)
    evaluation = run("dev", {}, program=program)
    auths = docker_config(evaluation)["auths"]
    assert sorted(auths) == ["docker.io", "europe-west1-docker.pkg.dev", "registry.example.com"]
    assert auths["registry.example.com"]["username"] == "robot"
    assert base64.b64decode(auths["registry.example.com"]["auth"]).decode() == "robot:s3cr3t"
    assert auths["docker.io"]["password"] == "hubpass"
    assert auths["europe-west1-docker.pkg.dev"]["username"] == "_json_key"


def test_an_extra_credential_for_the_repository_host_is_refused_before_registering(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(EXTRA_PROGRAM.replace("registry.example.com", "europe-west1-docker.pkg.dev"))
    evaluation = evaluate("dev", {}, use_stack_file=False, program=program)
    assert "extra_credentials[0]: two credentials for registry host 'europe-west1-docker.pkg.dev'" in str(
        evaluation.error
    )
    assert evaluation.resources == [], [r.urn for r in evaluation.resources]
