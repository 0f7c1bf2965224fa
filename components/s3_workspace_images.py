"""Workspace-image storage on AWS: an S3 bucket for Gitpod's in-cluster registry.

ECR cannot serve here (it does not create repositories on push, so image-builder
cannot push to it); Gitpod runs its own registry whose storage is this bucket,
reached with a dedicated IAM user's access key.
"""

import json
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from . import validation
from .aws_partition import partition_of
from .aws_partition import region as check_region
from .s3_policies import bucket_arn, registry_storage_policy, tls_only_bucket_policy
from .validation import FieldNamer, same_name

DEFAULT_SECRET_NAME = "gitpod-registry-s3-backend"
BUCKET_NAME_MAX = 63
ACCOUNT_ID_LENGTH = 12
INCOMPLETE_UPLOAD_DAYS = 7


class S3WorkspaceImagesArgs(TypedDict):
    cluster_name: str
    """Cluster name; part of the bucket and IAM user names, so two clusters never collide."""
    region: str
    """AWS region of the bucket, e.g. eu-west-1; decides the partition (aws, aws-cn, aws-us-gov)."""
    namespace: str
    """Kubernetes namespace of the credentials secret, e.g. gitpod."""
    existing_bucket: NotRequired[str]
    """Name of an existing bucket to use (e.g. Gitpod's object-storage bucket); then no bucket is created."""
    protect_data: NotRequired[bool]
    """Protect the bucket from deletion by Pulumi. Default true."""
    key_generation: NotRequired[int]
    """Generation of the IAM access key the secret carries; raise it by one to rotate. Default 1."""
    keep_previous_key: NotRequired[bool]
    """Keep the previous generation's key valid while the registry rolls over. Default false."""
    secret_name: NotRequired[str]
    """Name of the Kubernetes secret with keys s3AccessKey and s3SecretKey. Default gitpod-registry-s3-backend."""


def bucket_name_for(cluster_name: str, account_id: str, region_name: str) -> str:
    return f"gitpod-registry-{cluster_name}-{account_id}-{region_name}"


def max_cluster_name_length(region_name: str) -> int:
    """The longest cluster name whose generated bucket name still fits S3's limit."""
    return BUCKET_NAME_MAX - len(bucket_name_for("", "0" * ACCOUNT_ID_LENGTH, region_name))


def check_args(args: S3WorkspaceImagesArgs, field: FieldNamer = same_name) -> S3WorkspaceImagesArgs:
    """Validates the arguments and fills in defaults; `field` names each argument in errors."""
    cluster = validation.cluster_name(field("cluster_name"), args.get("cluster_name"))
    region_name = check_region(field("region"), args.get("region"))
    checked: S3WorkspaceImagesArgs = {
        "cluster_name": cluster,
        "region": region_name,
        "namespace": validation.namespace(field("namespace"), args.get("namespace")),
        "protect_data": validation.flag(field("protect_data"), args.get("protect_data", True)),
        "key_generation": validation.positive_int(field("key_generation"), args.get("key_generation", 1)),
        "keep_previous_key": validation.flag(field("keep_previous_key"), args.get("keep_previous_key", False)),
        "secret_name": validation.namespace(field("secret_name"), args.get("secret_name", DEFAULT_SECRET_NAME)),
    }
    existing = args.get("existing_bucket")
    if existing is not None:
        checked["existing_bucket"] = validation.bucket_name(field("existing_bucket"), existing)
    elif len(cluster) > max_cluster_name_length(region_name):
        raise validation.InvalidInput(
            field("cluster_name"),
            f"at most {max_cluster_name_length(region_name)} characters in {region_name}, because the bucket "
            f"name {bucket_name_for('<cluster>', '<account-id>', region_name)} has at most {BUCKET_NAME_MAX}; "
            "use a shorter cluster name or reuse an existing bucket",
        )
    return checked


class S3WorkspaceImages(pulumi.ComponentResource):
    """S3 storage and credentials for Gitpod's in-cluster workspace-image registry.

    Children: a hardened bucket (public access block, bucket-owner-enforced ownership,
    SSE-S3 encryption, TLS-only policy, lifecycle rule for incomplete uploads), unless an
    existing bucket is given; an IAM user with an inline policy limited to the registry's
    S3 actions on that bucket; one or two access keys; an Opaque Kubernetes secret.
    """

    bucket_name: pulumi.Output[str]
    """Name of the bucket the registry stores images in."""
    bucket_arn: pulumi.Output[str]
    """ARN of that bucket, arn:<partition>:s3:::NAME."""
    user_name: pulumi.Output[str]
    """Name of the IAM user whose key the registry uses."""
    secret_name: pulumi.Output[str]
    """Name of the Kubernetes secret with keys s3AccessKey and s3SecretKey."""
    s3storage: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry.s3storage block: bucket, region, endpoint, certificate."""

    def __init__(self, name: str, args: S3WorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked = check_args(args)
        cluster, region_name, namespace = checked["cluster_name"], checked["region"], checked["namespace"]
        existing, protect = checked.get("existing_bucket"), checked["protect_data"]
        generation, keep_previous = checked["key_generation"], checked["keep_previous_key"]
        secret_name = checked["secret_name"]

        super().__init__("gitpod-registry:index:S3WorkspaceImages", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = partition_of(region_name)
        tags = {"gitpod-cluster": cluster, "gitpod-registry-role": "workspace-images"}

        if existing is not None:
            bucket: pulumi.Output[str] = pulumi.Output.from_input(existing)
        else:
            account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            bucket = self._create_bucket(
                name, account.apply(lambda a: bucket_name_for(cluster, a, region_name)), partition, tags, protect
            )

        user = aws.iam.User(
            f"{name}-user",
            name=f"gitpod-registry-{cluster}-{region_name}",
            path="/gitpod/",
            tags=tags,
            opts=child,
        )
        aws.iam.UserPolicy(
            f"{name}-storage-policy",
            user=user.name,
            name="gitpod-registry-s3-storage",
            policy=bucket.apply(lambda b: json.dumps(registry_storage_policy(partition, b))),
            opts=child,
        )
        key = aws.iam.AccessKey(f"{name}-access-key-{generation}", user=user.name, opts=child)
        if keep_previous and generation > 1:
            aws.iam.AccessKey(f"{name}-access-key-{generation - 1}", user=user.name, opts=child)

        secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata={
                "name": secret_name,
                "namespace": namespace,
                "labels": {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "gitpod"},
            },
            type="Opaque",
            string_data={
                "s3AccessKey": pulumi.Output.secret(key.id),
                "s3SecretKey": pulumi.Output.secret(key.secret),
            },
            opts=child,
        )

        self.bucket_name = bucket
        self.bucket_arn = bucket.apply(lambda b: bucket_arn(partition, b))
        self.user_name = user.name
        self.secret_name = secret.metadata.apply(lambda m: m["name"])
        self.s3storage = pulumi.Output.all(bucket, self.secret_name).apply(
            lambda parts: {
                "bucket": parts[0],
                "region": region_name,
                "endpoint": partition.s3_endpoint(region_name),
                "certificate": {"kind": "secret", "name": parts[1]},
            }
        )
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "user_name": self.user_name,
                "secret_name": self.secret_name,
                "s3storage": self.s3storage,
            }
        )

    def _create_bucket(self, name, bucket_name, partition, tags, protect) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=bucket_name,
            force_destroy=False,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=bucket.bucket.apply(lambda b: json.dumps(tls_only_bucket_policy(partition, b))),
            # S3 rejects policy changes while the public access block is being written.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                {
                    "id": "abort-incomplete-multipart-uploads",
                    "status": "Enabled",
                    "filter": {},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": INCOMPLETE_UPLOAD_DAYS},
                }
            ],
            opts=child,
        )
        return bucket.bucket
