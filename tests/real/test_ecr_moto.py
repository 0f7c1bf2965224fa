"""The ecr backend's repositories and lifecycle policies applied to moto's ECR API (as the program registers them,
inputs read from the resource graph), and moto's GetAuthorizationToken answer decoded the way ESO's
ECRAuthorizationToken generator decodes it (external-secrets v2.9.0, generators/v1/ecr/ecr.go: base64, split at ':'
into exactly two parts, expiry as Unix seconds). moto validates lifecycle policies only in part; the grammar is
held in tests/aws/test_ecr_policies.py."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from moto import mock_aws

from components.workspace_images import ecr
from conftest import run
from offline.mocks import MOCK_ACCOUNT_ID

ARN = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab"


@pytest.fixture(scope="module")
def applied():
    """Every repository and lifecycle policy of a stack (KMS, scanning), created in moto from its inputs."""
    evaluation = run(
        "dev",
        {
            "aws:region": "eu-west-1",
            "gitpod-registry:workspaceImages": {
                "backend": "ecr",
                "oidcProviderArn": ARN,
                "kmsKeyArn": KEY,
                "scanOnPush": True,
                "imageExpiryDays": 45,
            },
        },
    )
    with mock_aws():
        client = boto3.client("ecr", region_name="eu-west-1")
        for repository in evaluation.of_type("aws:ecr/repository:Repository"):
            inputs = repository.inputs
            (encryption,) = inputs["encryptionConfigurations"]
            client.create_repository(
                repositoryName=inputs["name"],
                imageTagMutability=inputs["imageTagMutability"],
                imageScanningConfiguration=inputs["imageScanningConfiguration"],
                encryptionConfiguration={k: v for k, v in encryption.items()},
                tags=[{"Key": k, "Value": v} for k, v in inputs["tags"].items()],
            )
        for policy in evaluation.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy"):
            client.put_lifecycle_policy(
                repositoryName=policy.inputs["repository"], lifecyclePolicyText=policy.inputs["policy"]
            )
        yield client, evaluation


def test_moto_keeps_the_repositories_as_the_program_asked(applied):
    client, _ = applied
    found = client.describe_repositories()["repositories"]
    assert sorted(r["repositoryName"] for r in found) == ["gitpod/dev/base-images", "gitpod/dev/workspace-images"]
    for repository in found:
        assert repository["imageTagMutability"] == "MUTABLE"
        assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repository["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": KEY}
        assert repository["repositoryUri"].startswith(f"{MOCK_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/gitpod/dev/")


def test_moto_accepts_the_lifecycle_policies_and_reads_them_back(applied):
    client, _ = applied
    for name in ("gitpod/dev/base-images", "gitpod/dev/workspace-images"):
        text = client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
        rules = json.loads(text)["rules"]
        assert [r["selection"]["countNumber"] for r in rules] == [ecr.DEFAULT_UNTAGGED_DAYS, 45]


def test_the_login_moto_hands_out_decodes_as_eso_decodes_it(applied):
    client, _ = applied
    (data,) = client.get_authorization_token()["authorizationData"]
    parts = base64.b64decode(data["authorizationToken"], validate=True).decode().split(":")
    assert len(parts) == 2, "ESO refuses a token that does not split into exactly two parts"
    username, password = parts
    assert username == "AWS" and password
    expires_at = str(int(data["expiresAt"].timestamp()))
    assert expires_at.isdigit()
    assert data["proxyEndpoint"].startswith("https://")
