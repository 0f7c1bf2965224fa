"""The s3 backend, on the resource graph the real program registers."""

from __future__ import annotations

import pytest

from components.aws.s3_policies import BUCKET_ACTIONS, OBJECT_ACTIONS
from conftest import AWS, plain_strings, policy, reveal, run
from offline.mocks import MOCK_ACCOUNT_ID, mock_key_id

BUCKET = f"gitpod-registry-dev-{MOCK_ACCOUNT_ID}-eu-west-1"
ARN = f"arn:aws:s3:::{BUCKET}"


def test_user_policy_grants_exactly_the_registry_actions_on_one_bucket(aws_stack):
    user_policy = aws_stack.one("aws:iam/userPolicy:UserPolicy")
    statements = policy(user_policy)["Statement"]
    assert [(s["Effect"], sorted(s["Action"]), s["Resource"]) for s in statements] == [
        ("Allow", sorted(BUCKET_ACTIONS), ARN),
        ("Allow", sorted(OBJECT_ACTIONS), f"{ARN}/*"),
    ], user_policy.urn
    assert set(BUCKET_ACTIONS) == {"s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"}
    assert set(OBJECT_ACTIONS) == {
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
    }
    assert user_policy.inputs["user"] == aws_stack.one("aws:iam/user:User").inputs["name"]


def test_no_iam_grant_anywhere_uses_a_wildcard_or_managed_policy(aws_stack):
    for resource in aws_stack.resources:
        assert "PolicyAttachment" not in resource.type, resource.urn
        if resource.type == "aws:iam/userPolicy:UserPolicy":
            for statement in policy(resource)["Statement"]:
                assert not any("*" in action for action in statement["Action"]), resource.urn
                assert statement["Resource"] not in ("*", "arn:aws:s3:::*"), resource.urn


def test_bucket_is_hardened_and_protected(aws_stack):
    bucket = aws_stack.one("aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == BUCKET
    assert bucket.protect, f"{bucket.urn} must be protected"
    assert bucket.inputs["forceDestroy"] is False
    block = aws_stack.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    ownership = aws_stack.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    encryption = aws_stack.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs
    assert encryption["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    lifecycle = aws_stack.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert lifecycle[0]["status"] == "Enabled"
    assert lifecycle[0]["abortIncompleteMultipartUpload"]["daysAfterInitiation"] >= 1
    for hardening in ("PublicAccessBlock", "OwnershipControls", "ServerSideEncryption", "Lifecycle", "BucketPolicy"):
        resource = next(r for r in aws_stack.resources if hardening in r.type)
        assert resource.inputs["bucket"] == BUCKET, resource.urn


def test_bucket_policy_denies_every_non_tls_request(aws_stack):
    bucket_policy = aws_stack.one("aws:s3/bucketPolicy:BucketPolicy")
    (statement,) = policy(bucket_policy)["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
    assert statement["Resource"] == [ARN, f"{ARN}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_protection_can_be_lifted_for_throwaway_stacks():
    bucket = run("dev", {**AWS, "gitpod-registry:protectData": False}).one("aws:s3/bucket:Bucket")
    assert not bucket.protect, bucket.urn


def test_kubernetes_secret_has_exactly_the_installer_keys_and_is_secret(aws_stack):
    secret = aws_stack.one("kubernetes:core/v1:Secret")
    assert secret.inputs["type"] == "Opaque"
    assert secret.inputs["metadata"]["name"] == "gitpod-registry-s3-backend"
    assert secret.inputs["metadata"]["namespace"] == "gitpod"
    data = reveal(secret.inputs["stringData"])
    assert sorted(data) == ["s3AccessKey", "s3SecretKey"], secret.urn
    key = aws_stack.one("aws:iam/accessKey:AccessKey")
    assert data["s3AccessKey"] == mock_key_id(key.name)
    assert len(data["s3SecretKey"]) == 40


def test_no_credential_appears_in_plain_text(aws_stack):
    data = reveal(aws_stack.one("kubernetes:core/v1:Secret").inputs["stringData"])
    visible = plain_strings(aws_stack.outputs)
    for resource in aws_stack.resources:
        visible += plain_strings(resource.inputs)
    for credential in data.values():
        assert not any(credential in text for text in visible), "a credential is visible in plain text"


def test_installer_config_uses_the_in_cluster_registry_on_s3(aws_stack):
    # Only what was chosen: repository and workspace image stay the installer's own defaults.
    assert aws_stack.outputs["installerConfig"] == {
        "containerRegistry": {
            "inCluster": True,
            "s3storage": {
                "bucket": BUCKET,
                "region": "eu-west-1",
                "endpoint": "s3.eu-west-1.amazonaws.com",
                "certificate": {"kind": "secret", "name": "gitpod-registry-s3-backend"},
            },
        },
    }


def test_reusing_an_existing_bucket_creates_none_and_scopes_every_grant_to_it():
    evaluation = run(
        "dev", {**AWS, "gitpod-registry:workspaceImages": {"backend": "s3", "bucket": "acme-gitpod-storage"}}
    )
    assert not [r for r in evaluation.resources if r.type.startswith("aws:s3/")]
    statements = policy(evaluation.one("aws:iam/userPolicy:UserPolicy"))["Statement"]
    assert [s["Resource"] for s in statements] == [
        "arn:aws:s3:::acme-gitpod-storage",
        "arn:aws:s3:::acme-gitpod-storage/*",
    ]
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["s3storage"]["bucket"] == "acme-gitpod-storage"


@pytest.mark.parametrize(
    ("region", "partition", "endpoint"),
    [
        ("us-east-1", "aws", "s3.us-east-1.amazonaws.com"),
        ("cn-north-1", "aws-cn", "s3.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "s3.us-gov-west-1.amazonaws.com"),
    ],
)
def test_arns_and_endpoint_follow_the_partition(region, partition, endpoint):
    evaluation = run("dev", {**AWS, "aws:region": region})
    bucket = f"gitpod-registry-dev-{MOCK_ACCOUNT_ID}-{region}"
    resources = [s["Resource"] for s in policy(evaluation.one("aws:iam/userPolicy:UserPolicy"))["Statement"]]
    assert resources == [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"]
    tls = policy(evaluation.one("aws:s3/bucketPolicy:BucketPolicy"))["Statement"][0]["Resource"]
    assert all(arn.startswith(f"arn:{partition}:s3:::") for arn in tls)
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["s3storage"]["endpoint"] == endpoint


def test_same_config_gives_identical_inputs_every_run():
    first, second = run("dev", AWS), run("dev", AWS)
    assert [(r.urn, r.inputs, r.protect) for r in sorted(first.resources, key=lambda r: r.urn)] == [
        (r.urn, r.inputs, r.protect) for r in sorted(second.resources, key=lambda r: r.urn)
    ]
    assert first.outputs == second.outputs


def test_two_stacks_in_one_account_never_share_a_cloud_name():
    def cloud_names(evaluation):
        return {
            evaluation.one("aws:s3/bucket:Bucket").inputs["bucket"],
            evaluation.one("aws:iam/user:User").inputs["name"],
        }

    dev, prod = run("dev", AWS), run("prod", AWS)
    assert not cloud_names(dev) & cloud_names(prod)
    other_region = run("dev", {**AWS, "aws:region": "us-west-2"})
    assert not cloud_names(dev) & cloud_names(other_region)


def test_key_rotation_keeps_the_previous_key_until_told_otherwise():
    rotating = {"backend": "s3", "keyGeneration": 2, "keepPreviousKey": True}
    evaluation = run("dev", {**AWS, "gitpod-registry:workspaceImages": rotating})
    keys = sorted(r.name for r in evaluation.of_type("aws:iam/accessKey:AccessKey"))
    assert keys == ["gitpod-workspace-images-access-key-1", "gitpod-workspace-images-access-key-2"]
    data = reveal(evaluation.one("kubernetes:core/v1:Secret").inputs["stringData"])
    assert data["s3AccessKey"] == mock_key_id("gitpod-workspace-images-access-key-2")

    finished = run("dev", {**AWS, "gitpod-registry:workspaceImages": {"backend": "s3", "keyGeneration": 2}})
    assert [r.name for r in finished.of_type("aws:iam/accessKey:AccessKey")] == ["gitpod-workspace-images-access-key-2"]


REGION_PROGRAM = """
import pulumi
import pulumi_aws as aws
from components import GitpodImageRegistries

# The consumer's default AWS provider is in another region than the one the registry is given.
elsewhere = aws.Provider("elsewhere", region="us-east-1")
registries = GitpodImageRegistries(
    "gitpod",
    {"cluster_name": "dev", "workspace_images": {"backend": "s3", "region": "eu-central-1"}},
    opts=pulumi.ResourceOptions(providers=[elsewhere]),
)
pulumi.export("installerConfig", registries.installer_config)
"""


def test_a_given_region_holds_whatever_the_consumers_provider_says(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(REGION_PROGRAM)
    evaluation = run("dev", {}, program=program)
    regional = [r for r in evaluation.resources if r.type.startswith("aws:s3/")]
    assert len(regional) == 6, [r.type for r in regional]
    for resource in regional:
        assert resource.inputs.get("region") == "eu-central-1", resource.urn
        assert resource.provider and "::elsewhere::" in resource.provider, resource.urn
    assert evaluation.one("aws:s3/bucket:Bucket").inputs["bucket"].endswith("-eu-central-1")
    storage = evaluation.outputs["installerConfig"]["containerRegistry"]["s3storage"]
    assert (storage["region"], storage["endpoint"]) == ("eu-central-1", "s3.eu-central-1.amazonaws.com")
