"""IAM and bucket policy documents for the registry's S3 storage.

The registry (CNCF distribution, s3 driver) needs exactly these actions; object
actions only take effect on `BUCKET/*`, bucket actions only on the bucket ARN.
"""

from __future__ import annotations

from .partition import Partition

BUCKET_ACTIONS = ("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads")
OBJECT_ACTIONS = (
    "s3:PutObject",
    "s3:GetObject",
    "s3:DeleteObject",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
)


def bucket_arn(partition: Partition, bucket: str) -> str:
    return f"arn:{partition.name}:s3:::{bucket}"


def registry_storage_policy(partition: Partition, bucket: str) -> dict:
    """The registry user's only permissions: its documented S3 actions on one bucket."""
    arn = bucket_arn(partition, bucket)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "RegistryBucket", "Effect": "Allow", "Action": list(BUCKET_ACTIONS), "Resource": arn},
            {"Sid": "RegistryObjects", "Effect": "Allow", "Action": list(OBJECT_ACTIONS), "Resource": f"{arn}/*"},
        ],
    }


def tls_only_bucket_policy(partition: Partition, bucket: str) -> dict:
    """Denies every request to the bucket that does not arrive over TLS."""
    arn = bucket_arn(partition, bucket)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
