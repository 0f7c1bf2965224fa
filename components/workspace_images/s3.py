"""Backend `s3`: workspace images on AWS, in an S3 bucket behind Gitpod's in-cluster registry.

ECR cannot serve here: its logins are tokens that expire after 12 hours, while Gitpod's
registry-facade, blobserve and ide-service read a static `.dockerconfigjson`. So Gitpod runs its
own registry whose storage is this bucket, reached with a dedicated IAM user's access key.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .. import validation
from ..aws.partition import Partition, partition_of
from ..aws.partition import region as check_region
from ..aws.s3_policies import bucket_arn, registry_storage_policy, tls_only_bucket_policy
from ..fields import Field
from ..installer_config import in_cluster_registry, secret_ref
from ..kubernetes.dockerconfig import NO_LOGINS, RegistryLogins
from ..kubernetes.s3_storage_secret import s3_storage_secret
from ..validation import at, checked_args
from .backend import ROTATION_FIELDS, Backend, Common, Rotation, SecretWriter, check_common, check_rotation

DEFAULT_SECRET_NAME = "gitpod-registry-s3-backend"
BUCKET_NAME_MAX = 63
IAM_USER_NAME_MAX = 64
ACCOUNT_ID_LENGTH = 12
INCOMPLETE_UPLOAD_DAYS = 7


class S3WorkspaceImagesArgs(TypedDict):
    cluster_name: str
    """Cluster name; part of the bucket and IAM user names, so two clusters never collide."""
    region: str
    """AWS region of the bucket, e.g. eu-west-1; decides the partition (aws, aws-cn, aws-us-gov)."""
    namespace: str
    """Kubernetes namespace of the credentials secret, e.g. gitpod."""
    bucket: NotRequired[str]
    """Name of an existing bucket to use (e.g. Gitpod's object-storage bucket); then no bucket is created."""
    protect_data: NotRequired[bool]
    """Protect the bucket from deletion by Pulumi. Default true."""
    key_generation: NotRequired[int]
    """Generation of the IAM access key the secret carries; raise it by one to rotate. Default 1."""
    keep_previous_key: NotRequired[bool]
    """Keep the previous generation's key valid while the registry rolls over. Default false."""
    secret_name: NotRequired[str]
    """Name of the Kubernetes secret with keys s3AccessKey and s3SecretKey. Default gitpod-registry-s3-backend."""


@dataclass(frozen=True)
class CheckedS3:
    common: Common
    region: str
    bucket: str | None
    rotation: Rotation
    secret_name: str = DEFAULT_SECRET_NAME


def bucket_name_for(cluster_name: str, account_id: str, region_name: str) -> str:
    return f"gitpod-registry-{cluster_name}-{account_id}-{region_name}"


def user_name_for(cluster_name: str, region_name: str) -> str:
    return f"gitpod-registry-{cluster_name}-{region_name}"


def max_cluster_name_length(region_name: str) -> int:
    """The longest cluster name whose generated bucket name still fits S3's limit."""
    return BUCKET_NAME_MAX - len(bucket_name_for("", "0" * ACCOUNT_ID_LENGTH, region_name))


def check_fields(args: Mapping[str, Any], path: str, common: Common, logins: RegistryLogins = NO_LOGINS) -> CheckedS3:
    """Checks the s3 fields at `path`; the cluster name is checked against the bucket name it makes."""
    region = validation.required(
        at(path, "region"),
        args.get("region"),
        "required for the s3 backend; set it to the bucket's AWS region, e.g. eu-west-1",
    )
    region_name = check_region(at(path, "region"), region)
    bucket = args.get("bucket")
    if bucket is not None:
        bucket = validation.bucket_name(at(path, "bucket"), bucket)
    elif len(common.cluster_name) > max_cluster_name_length(region_name):
        raise validation.InvalidInput(
            "cluster_name",
            f"at most {max_cluster_name_length(region_name)} characters in {region_name}, because the bucket "
            f"name {bucket_name_for('<cluster>', '<account-id>', region_name)} has at most {BUCKET_NAME_MAX}; "
            "use a shorter cluster name or reuse an existing bucket",
        )
    if len(user_name_for(common.cluster_name, region_name)) > IAM_USER_NAME_MAX:
        limit = IAM_USER_NAME_MAX - len(user_name_for("", region_name))
        raise validation.InvalidInput(
            "cluster_name",
            f"at most {limit} characters in {region_name}, because the IAM user name "
            f"{user_name_for('<cluster>', region_name)} has at most {IAM_USER_NAME_MAX} (IAM's limit for user names)",
        )
    return CheckedS3(common, region_name, bucket, check_rotation(args, path))


def check_args(args: S3WorkspaceImagesArgs) -> CheckedS3:
    """Validates the arguments of a directly constructed S3WorkspaceImages and fills in defaults."""
    checked = check_fields(args, "", check_common(args))
    secret_name = validation.namespace("secret_name", args.get("secret_name", DEFAULT_SECRET_NAME))
    return CheckedS3(checked.common, checked.region, checked.bucket, checked.rotation, secret_name)


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

    container_registry: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry block: inCluster with s3storage."""

    def __init__(self, name: str, args: S3WorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked = checked_args(args, CheckedS3, check_args)
        cluster, region_name = checked.common.cluster_name, checked.region
        generation = checked.rotation.key_generation
        super().__init__("gitpod-registry:index:S3WorkspaceImages", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = partition_of(region_name)
        tags = {"gitpod-cluster": cluster, "gitpod-registry-role": "workspace-images"}

        if checked.bucket is not None:
            bucket: pulumi.Output[str] = pulumi.Output.from_input(checked.bucket)
        else:
            account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            bucket = self._create_bucket(
                name,
                account.apply(lambda a: bucket_name_for(cluster, a, region_name)),
                region_name,
                partition,
                tags,
                checked.common.protect_data,
            )

        user = aws.iam.User(
            f"{name}-user",
            name=user_name_for(cluster, region_name),
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
        if checked.rotation.keep_previous_key and generation > 1:
            aws.iam.AccessKey(f"{name}-access-key-{generation - 1}", user=user.name, opts=child)

        secret = s3_storage_secret(
            f"{name}-secret",
            secret_name=checked.secret_name,
            namespace=checked.common.namespace,
            access_key=key.id,
            secret_key=key.secret,
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
                "certificate": secret_ref(parts[1]),
            }
        )
        self.container_registry = self.s3storage.apply(in_cluster_registry)
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "user_name": self.user_name,
                "secret_name": self.secret_name,
                "s3storage": self.s3storage,
                "container_registry": self.container_registry,
            }
        )

    def _create_bucket(
        self,
        name: str,
        bucket_name: pulumi.Output[str],
        region: str,
        partition: Partition,
        tags: dict[str, str],
        protect: bool,
    ) -> pulumi.Output[str]:
        # Every bucket resource names its region, so the consumer's default AWS provider cannot move it.
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            region=region,
            bucket=bucket_name,
            force_destroy=False,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            region=region,
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            region=region,
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            region=region,
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            region=region,
            bucket=bucket.id,
            policy=bucket.bucket.apply(lambda b: json.dumps(tls_only_bucket_policy(partition, b))),
            # S3 rejects policy changes while the public access block is being written.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            region=region,
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


BACKEND = Backend(
    name="s3",
    summary="AWS: an S3 bucket as storage of Gitpod's in-cluster registry, reached with an IAM user's key",
    fields=(
        Field("region", "string", fallback="aws:region", required=True),
        Field("bucket", "string"),
        *ROTATION_FIELDS,
    ),
    check=check_fields,
    build=S3WorkspaceImages,
    secret_writer=SecretWriter.INSTALLER,
)
