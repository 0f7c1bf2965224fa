"""The in-cluster registry's S3 storage, used with the secret's keys the way distribution's s3 driver uses it.

Path-style requests to `https://<endpoint>`, SSE-S3 on writes (the installer sets encrypt=true), and
every call the registry makes: put, get, list, a multipart upload (start, upload a part, list
uploads, list parts, abort), delete. All under a unique prefix, removed afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .config import S3Storage
from .network import Transport, network_cause
from .report import CheckResult, StepFailed

PREFIX = "gitpod-registry-verify"
# The IAM action AWS checks for each call (a multipart upload's start and parts are s3:PutObject).
ACTION = {
    "GetBucketLocation": "s3:GetBucketLocation",
    "PutObject": "s3:PutObject",
    "GetObject": "s3:GetObject",
    "ListObjectsV2": "s3:ListBucket",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "ListParts": "s3:ListMultipartUploadParts",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "DeleteObject": "s3:DeleteObject",
}
_BUCKET_ACTIONS = {"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"}


def s3_client(storage: S3Storage, access_key: str, secret_key: str, transport: Transport) -> Any:
    """An S3 client configured like the registry's driver: the endpoint over HTTPS, path-style, SigV4."""
    config = Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        retries={"max_attempts": 2, "mode": "standard"},
        connect_timeout=transport.timeout,
        read_timeout=transport.timeout,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=f"https://{storage.endpoint}",
        region_name=storage.region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        verify=transport.ca_bundle,  # None: botocore's default (or AWS_CA_BUNDLE)
        config=config,
    )


def s3_cause(error: BaseException, operation: str, storage: S3Storage, key: str) -> str:
    network = network_cause(error, storage.endpoint)
    if network:
        return network
    if not isinstance(error, ClientError):
        return f"{type(error).__name__}: {error}"
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    action = ACTION.get(operation, operation)
    if code == "AccessDenied":
        resource = storage.bucket if action in _BUCKET_ACTIONS else f"{storage.bucket}/{key}"
        return f"{status} AccessDenied: the key may not {action} on {resource}; its policy lacks {action}"
    if code == "InvalidAccessKeyId":
        return f"{status} {code}: {storage.endpoint} does not know the s3AccessKey (wrong or deleted key)"
    if code == "SignatureDoesNotMatch":
        return f"{status} {code}: the s3SecretKey does not belong to the s3AccessKey (wrong or rotated secret)"
    if code == "NoSuchBucket":
        return f"{status} {code}: there is no bucket {storage.bucket} at {storage.endpoint}"
    if code in {"AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException"}:
        return (
            f"{status} {code}: the bucket is not in region {storage.region}, or the endpoint belongs to another region"
        )
    message = error.response.get("Error", {}).get("Message", "")
    return f"{status} {code}: {message}".strip()


@dataclass
class _Run:
    """One check's state: what exists under the prefix, so cleanup removes exactly that."""

    client: Any
    """A boto3 S3 client (its class is generated at run time)."""
    storage: S3Storage
    prefix: str
    objects: list[str] = field(default_factory=list)
    upload: tuple[str, str] | None = None

    def call(self, operation: str, key: str = "", **kwargs: Any) -> dict:
        method = getattr(self.client, xform_name(operation))
        try:
            return method(Bucket=self.storage.bucket, **({"Key": key} if key else {}), **kwargs)
        except (ClientError, BotoCoreError) as error:
            raise StepFailed(ACTION.get(operation, operation), s3_cause(error, operation, self.storage, key)) from error


def _expect(condition: bool, step: str, cause: str) -> None:
    if not condition:
        raise StepFailed(step, cause)


def _region_of(location: str | None) -> str:
    # GetBucketLocation answers null for us-east-1 and the legacy "EU" for eu-west-1.
    return {"": "us-east-1", "EU": "eu-west-1"}.get(location or "", location or "")


def check_s3(storage: S3Storage, access_key: str, secret_key: str, transport: Transport) -> CheckResult:
    result = CheckResult(f"registry storage s3://{storage.bucket} at https://{storage.endpoint}", ok=False)
    run = _Run(s3_client(storage, access_key, secret_key, transport), storage, f"{PREFIX}/{secrets.token_hex(8)}/")
    steps: list[tuple[str, Callable[[_Run], None]]] = [
        ("bucket region is s3storage.region", _bucket_region),
        ("put, get and list an object", _objects),
        ("start a multipart upload, upload a part, list uploads and parts, abort", _multipart),
        ("delete the object", _delete_object),
    ]
    try:
        for done, step in steps:
            step(run)
            result.done.append(done)
        result.ok = True
    except StepFailed as failure:
        result.step, result.cause = failure.step, failure.cause
    finally:
        _clean_up(run, result)
    return result


def _bucket_region(run: _Run) -> None:
    location = _region_of(run.call("GetBucketLocation").get("LocationConstraint"))
    _expect(
        location == run.storage.region,
        "s3:GetBucketLocation",
        f"the bucket is in {location}, but containerRegistry.s3storage.region is {run.storage.region}",
    )


def _objects(run: _Run) -> None:
    key, body = f"{run.prefix}probe", os.urandom(1024)
    run.call("PutObject", key, Body=body, ServerSideEncryption="AES256")
    run.objects.append(key)
    read = run.call("GetObject", key)["Body"].read()
    _expect(read == body, "s3:GetObject", "the object read back differs from the one written")
    listed = run.call("ListObjectsV2", Prefix=run.prefix).get("Contents", [])
    _expect(any(item["Key"] == key for item in listed), "s3:ListBucket", "the object written is not listed")


def _multipart(run: _Run) -> None:
    key = f"{run.prefix}multipart"
    upload_id = run.call("CreateMultipartUpload", key, ServerSideEncryption="AES256")["UploadId"]
    run.upload = (key, upload_id)
    run.call("UploadPart", key, UploadId=upload_id, PartNumber=1, Body=os.urandom(1024))
    uploads = run.call("ListMultipartUploads", Prefix=run.prefix).get("Uploads", [])
    _expect(
        any(u["UploadId"] == upload_id for u in uploads), "s3:ListBucketMultipartUploads", "the upload is not listed"
    )
    parts = run.call("ListParts", key, UploadId=upload_id).get("Parts", [])
    _expect([p["PartNumber"] for p in parts] == [1], "s3:ListMultipartUploadParts", "the uploaded part is not listed")
    run.call("AbortMultipartUpload", key, UploadId=upload_id)
    run.upload = None


def _delete_object(run: _Run) -> None:
    for key in list(run.objects):
        run.call("DeleteObject", key)
        run.objects.remove(key)


def _clean_up(run: _Run, result: CheckResult) -> None:
    """Removes what a failed check left; what cannot be removed is named, for removal by hand."""
    left = []
    if run.upload is not None:
        try:
            run.call("AbortMultipartUpload", run.upload[0], UploadId=run.upload[1])
        except StepFailed:
            left.append(f"the multipart upload of {run.upload[0]}")
    for key in run.objects:
        try:
            run.call("DeleteObject", key)
        except StepFailed:
            left.append(key)
    if left:
        result.notes.append(f"could not remove from s3://{run.storage.bucket}: {', '.join(left)}; remove by hand")
