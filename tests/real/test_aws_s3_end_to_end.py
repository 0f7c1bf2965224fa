"""The S3 backend against real software: moto with IAM enforced, Debian's docker-registry, skopeo.

Everything the registry is given comes from the real program: the bucket, user and policy documents,
the installer's s3storage values and the secret's key names. Only the endpoint is pointed at moto.
"""

from __future__ import annotations

import fnmatch
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.aws.s3_policies import BUCKET_ACTIONS, OBJECT_ACTIONS
from conftest import AWS, reveal, run

from .conftest import Moto
from .oci import read_files, write_image
from .registry import Registry, skopeo_copy

pytestmark = pytest.mark.heavy(8)

# distribution's s3 driver uploads in parts of this size (its default; Gitpod's chart keeps it).
CHUNK_SIZE = 10 * 1024 * 1024
UNRELATED_BUCKET = "someone-elses-bucket"

# Without any one of these, pushing or pulling through the registry fails on this setup.
NEEDED_FOR_PUSH_AND_PULL = (
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:PutObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
)
# The rest serve deletes, garbage collection and aborted uploads, which moto does not hold to IAM:
# it checks bulk deletes against the bucket ARN (see the delete test), the driver never asks for the
# bucket location when given a region, and abandoned uploads are aborted by S3's lifecycle rule or by
# upload purging, which these tests do not run. Dropping them is therefore not observable here.
NOT_OBSERVABLE_WITH_MOTO = ("s3:GetBucketLocation", "s3:DeleteObject", "s3:AbortMultipartUpload")


@dataclass
class Stack:
    bucket: str
    user: str
    policy_name: str
    policy: str
    """The inline policy document exactly as the program generated it."""
    s3storage: dict
    secret_keys: list[str]
    key: dict
    """The registry user's access key, issued by moto."""
    moto: Moto

    def registry(self, workdir: Path) -> Registry:
        credentials = dict(zip(self.secret_keys, (self.key["AccessKeyId"], self.key["SecretAccessKey"]), strict=True))
        storage = {
            "s3": {
                "accesskey": credentials["s3AccessKey"],
                "secretkey": credentials["s3SecretKey"],
                "region": self.s3storage["region"],
                "regionendpoint": self.moto.endpoint,
                "bucket": self.s3storage["bucket"],
                # What Gitpod's installer passes (encrypt, secure); plain HTTP to moto needs secure off.
                "encrypt": True,
                "secure": False,
                "chunksize": CHUNK_SIZE,
            },
            "delete": {"enabled": True},
            "redirect": {"disable": True},
        }
        return Registry(workdir, storage)

    def put_policy(self, document: str) -> None:
        self.moto.client("iam").put_user_policy(
            UserName=self.user, PolicyName=self.policy_name, PolicyDocument=document
        )

    def empty_bucket(self) -> None:
        s3 = self.moto.client("s3")
        for upload in s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                s3.delete_object(Bucket=self.bucket, Key=item["Key"])

    def object_keys(self) -> list[str]:
        pages = self.moto.client("s3").get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


@pytest.fixture(scope="module")
def stack(moto: Moto, registry_tools: None) -> Iterator[Stack]:
    evaluation = run("dev", AWS)
    user_policy = evaluation.one("aws:iam/userPolicy:UserPolicy").inputs
    user = evaluation.one("aws:iam/user:User").inputs
    bucket = evaluation.one("aws:s3/bucket:Bucket").inputs["bucket"]
    s3storage = evaluation.outputs["installerConfig"]["containerRegistry"]["s3storage"]
    assert s3storage["bucket"] == bucket and s3storage["endpoint"] == "s3.eu-west-1.amazonaws.com"
    secret_keys = sorted(reveal(evaluation.one("kubernetes:core/v1:Secret").inputs["stringData"]))

    s3, iam = moto.client("s3"), moto.client("iam")
    for name in (bucket, UNRELATED_BUCKET):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3storage["region"]})
    iam.create_user(UserName=user["name"], Path=user["path"])
    iam.put_user_policy(UserName=user["name"], PolicyName=user_policy["name"], PolicyDocument=user_policy["policy"])
    key = iam.create_access_key(UserName=user["name"])["AccessKey"]
    yield Stack(bucket, user["name"], user_policy["name"], user_policy["policy"], s3storage, secret_keys, key, moto)


@pytest.fixture
def registry(stack: Stack, tmp_path: Path) -> Iterator[Registry]:
    stack.empty_bucket()
    started = stack.registry(tmp_path)
    yield started
    started.stop()
    stack.put_policy(stack.policy)


def image(tmp_path: Path, name: str, size: int) -> tuple[Path, dict[str, bytes]]:
    files = {f"{name}.bin": random.Random(name).randbytes(size), "etc/os-release": b"ID=gitpod-registry-test\n"}
    layout = tmp_path / f"oci-{name}"
    write_image(layout, "v1", files)
    return layout, files


def push_and_pull(registry: Registry, tmp_path: Path, name: str, size: int) -> str | None:
    """Pushes an image, pulls it back and compares the files; returns the first failure, or None."""
    layout, files = image(tmp_path, name, size)
    pushed = skopeo_copy(f"oci:{layout}:v1", f"docker://{registry.host}/workspace-images/{name}:v1")
    if pushed.returncode != 0:
        return f"push failed: {pushed.stderr}"
    pulled_layout = tmp_path / f"pulled-{name}"
    pulled = skopeo_copy(f"docker://{registry.host}/workspace-images/{name}:v1", f"oci:{pulled_layout}:v1")
    if pulled.returncode != 0:
        return f"pull failed: {pulled.stderr}"
    assert read_files(pulled_layout) == files, "the pulled image differs from the pushed one"
    return None


def test_registry_pushes_and_pulls_with_exactly_the_generated_policy(registry, tmp_path):
    assert push_and_pull(registry, tmp_path, "small", 4096) is None
    # A layer larger than one part: the driver uploads it as a multipart upload with several parts.
    assert push_and_pull(registry, tmp_path, "large", CHUNK_SIZE + 1024 * 1024) is None


def test_manifest_delete_and_garbage_collection_remove_blobs(stack, registry, tmp_path):
    # moto authorizes a DeleteObjects (bulk) request against the bucket ARN, where AWS checks
    # s3:DeleteObject on each object ARN; distribution deletes in bulk and ignores per-key errors.
    # So on moto alone this one statement is added; it is not part of the program's policy.
    document = json.loads(stack.policy)
    document["Statement"].append(
        {
            "Sid": "MotoOnlyBulkDelete",
            "Effect": "Allow",
            "Action": "s3:DeleteObject",
            "Resource": f"arn:aws:s3:::{stack.bucket}",
        }
    )
    stack.put_policy(json.dumps(document))
    assert push_and_pull(registry, tmp_path, "small", 4096) is None
    assert push_and_pull(registry, tmp_path, "large", CHUNK_SIZE + 1024 * 1024) is None

    blobs_before = {key for key in stack.object_keys() if key.endswith("/data")}
    assert registry.delete_manifest("workspace-images/large", "v1") == 202
    collected = registry.garbage_collect()
    assert collected.returncode == 0, collected.stdout + collected.stderr
    blobs_after = {key for key in stack.object_keys() if key.endswith("/data")}
    # The large image's manifest, config and layer; the small image keeps all of its blobs.
    assert len(blobs_before - blobs_after) == 3, collected.stdout + collected.stderr
    assert push_and_pull(registry, tmp_path, "small-again", 4096) is None


def test_the_key_is_refused_on_an_unrelated_bucket(stack):
    from botocore.exceptions import ClientError

    own = {"aws_access_key_id": stack.key["AccessKeyId"], "aws_secret_access_key": stack.key["SecretAccessKey"]}
    s3 = stack.moto.client("s3", **own)
    s3.list_objects_v2(Bucket=stack.bucket)  # the key itself works
    attempts = [
        lambda: s3.list_objects_v2(Bucket=UNRELATED_BUCKET),
        lambda: s3.put_object(Bucket=UNRELATED_BUCKET, Key="x", Body=b"x"),
        lambda: s3.get_object(Bucket=UNRELATED_BUCKET, Key="x"),
    ]
    stack.moto.client("s3").put_object(Bucket=UNRELATED_BUCKET, Key="x", Body=b"x")
    for attempt in attempts:
        with pytest.raises(ClientError, match="AccessDenied"):
            attempt()


@pytest.mark.parametrize("action", NEEDED_FOR_PUSH_AND_PULL)
def test_without_one_action_pushing_or_pulling_fails(stack, registry, tmp_path, action):
    document = json.loads(stack.policy)
    for statement in document["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    stack.put_policy(json.dumps(document))
    failure = push_and_pull(registry, tmp_path, "small", 4096) or push_and_pull(
        registry, tmp_path, "large", CHUNK_SIZE + 1024 * 1024
    )
    assert failure is not None, f"push and pull still work without {action}"
    # Refused by IAM, not broken some other way.
    assert "AccessDenied" in registry.process.log.read_text(errors="replace"), failure


def test_every_policy_action_is_either_proven_here_or_named_as_beyond_moto(stack):
    actions = {a for statement in json.loads(stack.policy)["Statement"] for a in statement["Action"]}
    assert actions == set(BUCKET_ACTIONS) | set(OBJECT_ACTIONS)
    assert actions == set(NEEDED_FOR_PUSH_AND_PULL) | set(NOT_OBSERVABLE_WITH_MOTO)


def test_the_tls_only_bucket_policy_covers_every_request_the_registry_may_make():
    # moto treats its Bool condition as met and would deny everything, so the document is checked on its own:
    # every (action, resource) the registry is allowed is denied when the request is not made over TLS.
    evaluation = run("dev", AWS)
    (deny,) = json.loads(evaluation.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    allowed = json.loads(evaluation.one("aws:iam/userPolicy:UserPolicy").inputs["policy"])["Statement"]
    for statement in allowed:
        for action in statement["Action"]:
            assert fnmatch.fnmatchcase(action, deny["Action"]), action
            assert statement["Resource"] in deny["Resource"], statement["Resource"]
