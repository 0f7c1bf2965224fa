"""Backend ecr, the AWS side: two repositories, their lifecycle, an IRSA role and its service account; every bad
input refused naming its key before anything is registered."""

from __future__ import annotations

import json

import pytest

from components.aws import ecr_policies
from components.aws.partition import partition_of
from components.validation import InvalidInput
from components.workspace_images import ecr
from conftest import run, run_invalid
from offline.mocks import MOCK_ACCOUNT_ID, mock_oidc_id

WS = "gitpod-registry:workspaceImages"
ARN = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
REPOSITORY = "aws:ecr/repository:Repository"
ROLE = "aws:iam/role:Role"
HOST = f"{MOCK_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com"


def config(**fields) -> dict:
    return {"aws:region": "eu-west-1", WS: {"backend": "ecr", "oidcProviderArn": ARN, **fields}}


@pytest.fixture(scope="module")
def ecr_stack():
    return run("dev", config())


def test_two_mutable_encrypted_protected_repositories_under_the_cluster(ecr_stack):
    repositories = ecr_stack.of_type(REPOSITORY)
    assert sorted(r.inputs["name"] for r in repositories) == ["gitpod/dev/base-images", "gitpod/dev/workspace-images"]
    for repository in repositories:
        # image-builder re-pushes a hash tag on a forced rebuild (orchestrator.go): an IMMUTABLE repository refuses it.
        assert repository.inputs["imageTagMutability"] == "MUTABLE", repository.urn
        assert repository.inputs["encryptionConfigurations"] == [{"encryptionType": "AES256"}], repository.urn
        assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": False}, repository.urn
        assert repository.inputs["forceDelete"] is False and repository.protect, repository.urn
        assert repository.inputs["region"] == "eu-west-1", repository.urn
        assert repository.inputs["tags"] == {"gitpod-cluster": "dev", "gitpod-registry-role": "workspace-images"}


def test_kms_scanning_and_protection_as_configured():
    key = "arn:aws:kms:eu-west-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab"
    evaluation = run("dev", config(kmsKeyArn=key, scanOnPush=True))
    for repository in evaluation.of_type(REPOSITORY):
        assert repository.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key}]
        assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    unprotected = run("dev", {**config(), "gitpod-registry:protectData": False})
    assert not [r.urn for r in unprotected.of_type(REPOSITORY) if r.protect]


def test_the_role_is_trusted_by_one_service_account_through_the_clusters_oidc_provider(ecr_stack):
    role = ecr_stack.one(ROLE)
    assert role.inputs["name"] == "gitpod-registry-ecr-dev-eu-west-1"
    assert json.loads(role.inputs["assumeRolePolicy"]) == ecr_policies.irsa_trust_policy(
        ARN, "gitpod", ecr.LOGIN_SERVICE_ACCOUNT
    )
    (account,) = ecr_stack.of_type("kubernetes:core/v1:ServiceAccount")
    assert account.inputs["metadata"]["name"] == ecr.LOGIN_SERVICE_ACCOUNT
    assert account.inputs["metadata"]["namespace"] == "gitpod"
    role_arn = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/gitpod/gitpod-registry-ecr-dev-eu-west-1"
    assert account.inputs["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role_arn}
    assert account.inputs["automountServiceAccountToken"] is False


def test_the_role_may_push_and_pull_the_two_repositories_and_nothing_else(ecr_stack):
    (policy,) = ecr_stack.of_type("aws:iam/rolePolicy:RolePolicy")
    arns = sorted(
        f"arn:aws:ecr:eu-west-1:{MOCK_ACCOUNT_ID}:repository/{r.inputs['name']}" for r in ecr_stack.of_type(REPOSITORY)
    )
    assert json.loads(policy.inputs["policy"]) == ecr_policies.push_pull_policy(arns)
    kinds = {r.type for r in ecr_stack.resources}
    assert not {t for t in kinds if t.startswith(("aws:iam/user", "aws:iam/accessKey", "aws:iam/rolePolicyAttachment"))}
    assert ecr_stack.one(ROLE).inputs.get("managedPolicyArns") in (None, [])


def test_the_eks_cluster_name_looks_the_issuer_up():
    evaluation = run("dev", {"aws:region": "eu-west-1", WS: {"backend": "ecr", "eksClusterName": "prod-eu"}})
    issuer = f"oidc.eks.eu-west-1.amazonaws.com/id/{mock_oidc_id('prod-eu')}"
    trust = json.loads(evaluation.one(ROLE).inputs["assumeRolePolicy"])
    provider = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/{issuer}"
    assert trust == ecr_policies.irsa_trust_policy(provider, "gitpod", ecr.LOGIN_SERVICE_ACCOUNT)


def test_two_clusters_in_one_account_never_collide():
    one, two = run("one", config()), run("two", {**config(), "gitpod-registry:clusterName": "two"})
    names = [{r.inputs["name"] for r in e.of_type(REPOSITORY)} | {e.one(ROLE).inputs["name"]} for e in (one, two)]
    assert not names[0] & names[1]


def test_installer_config_points_at_the_prefix_and_the_written_secret(ecr_stack):
    registry = ecr_stack.outputs["installerConfig"]["containerRegistry"]
    assert registry == {
        "inCluster": False,
        "external": {"url": f"{HOST}/gitpod/dev", "certificate": {"kind": "secret", "name": ecr.DEFAULT_SECRET_NAME}},
    }


@pytest.mark.parametrize(
    "fields, key, words",
    [
        ({"oidcProviderArn": None}, "workspaceImages.oidcProviderArn", "give exactly one of it and"),
        ({"eksClusterName": "prod"}, "workspaceImages.oidcProviderArn", "give exactly one of it and"),
        ({"oidcProviderArn": "arn:aws:iam::123:role/x"}, "workspaceImages.oidcProviderArn", "not an IAM OIDC provider"),
        ({"oidcProviderArn": ARN.replace("arn:aws:", "arn:aws-cn:")}, "workspaceImages.oidcProviderArn", "partition"),
        ({"oidcProviderArn": 42}, "workspaceImages.oidcProviderArn", "expected an IAM OIDC provider ARN"),
        ({"kmsKeyArn": "alias/gitpod"}, "workspaceImages.kmsKeyArn", "not a KMS key or alias ARN"),
        ({"scanOnPush": "yes"}, "workspaceImages.scanOnPush", "true or false"),
        ({"untaggedExpiryDays": 0}, "workspaceImages.untaggedExpiryDays", "whole number from 1"),
        ({"imageExpiryDays": 1}, "workspaceImages.imageExpiryDays", "from 2 to 3650"),
        ({"imageExpiryDays": "30"}, "workspaceImages.imageExpiryDays", "whole number"),
        ({"refreshInterval": "12h"}, "workspaceImages.refreshInterval", "allowed 1m to 11h"),
        ({"refreshInterval": "30s"}, "workspaceImages.refreshInterval", "allowed 1m to 11h"),
        ({"refreshInterval": "1 hour"}, "workspaceImages.refreshInterval", "not a duration"),
        ({"refreshInterval": 3600}, "workspaceImages.refreshInterval", "expected a duration"),
    ],
)
def test_a_bad_field_is_refused_naming_its_key(fields, key, words):
    ws = {k: v for k, v in {**config()[WS], **fields}.items() if v is not None}
    message = run_invalid({"aws:region": "eu-west-1", WS: ws})
    assert f"gitpod-registry:{key}" in message and words in message, message


def test_a_cluster_name_too_long_for_the_role_name_is_refused():
    message = run_invalid({**config(), "aws:region": "ap-southeast-1", "gitpod-registry:clusterName": "c" * 32})
    assert "gitpod-registry:clusterName" in message and "IAM role name" in message, message


def test_a_stored_ecr_login_is_refused_pointing_to_the_ecr_backend():
    external = {"backend": "external", "url": f"{HOST}/gitpod", "username": "AWS", "password": "token"}
    assert "use workspaceImages.backend: ecr" in run_invalid({WS: external})
    air_gap = {"registry": f"{HOST}/gitpod", "username": "AWS", "password": "token"}
    assert "use workspaceImages.backend: ecr" in run_invalid({"gitpod-registry:airGap": air_gap})


COMPONENT_PROGRAM = """
import pulumi
from components import EcrWorkspaceImages

arn = pulumi.Output.from_input("{arn}")
ecr = EcrWorkspaceImages("ecr", {{"cluster_name": "acme", "region": "eu-west-1", "namespace": "gitpod",
                                   "oidc_provider_arn": arn}})
pulumi.export("url", ecr.url)
"""


def test_a_component_user_passes_the_provider_as_an_output(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(COMPONENT_PROGRAM.format(arn=ARN))
    evaluation = run("dev", {}, program=program)
    assert evaluation.outputs["url"] == f"{HOST}/gitpod/acme"
    assert ISSUER in evaluation.one(ROLE).inputs["assumeRolePolicy"]


def test_a_provider_given_as_an_output_is_checked_when_known():
    """The component checks an Output's value in its apply (EcrWorkspaceImages._trust) with this function."""
    partition = partition_of("eu-west-1")
    assert ecr.check_oidc_provider_arn("oidc_provider_arn", ARN, partition) == ARN
    with pytest.raises(InvalidInput, match="oidc_provider_arn: .*not an IAM OIDC provider ARN"):
        ecr.check_oidc_provider_arn("oidc_provider_arn", "arn:aws:iam::123456789012:role/x", partition)
