"""Role 3 on Gitpod's own in-cluster registry without AWS: backends s3-compatible (MinIO, Ceph RGW, R2) and in-cluster (a volume)."""

from __future__ import annotations

import re

import pytest

from conftest import assert_never_plain, reveal, run, run_invalid

WORKSPACE = "gitpod-registry:workspaceImages"
MINIO = {
    "backend": "s3-compatible",
    "endpoint": "minio.example.com:9000",
    "bucket": "gitpod-registry",
    "region": "us-east-1",
    "accessKeyId": "gitpod-registry",
    "secretAccessKey": "minio-s3cret-key",
}


def test_s3_compatible_makes_only_the_opaque_secret_and_the_s3storage_block():
    evaluation = run("dev", {WORKSPACE: MINIO})
    custom = [r for r in evaluation.resources if r.custom]
    assert [r.type for r in custom] == ["kubernetes:core/v1:Secret"], "no cloud resources"
    (secret,) = custom
    assert secret.parent == evaluation.one("gitpod-registry:index:S3CompatibleWorkspaceImages").urn
    assert secret.inputs["type"] == "Opaque"
    assert secret.inputs["metadata"]["name"] == "gitpod-registry-s3-backend"
    assert secret.inputs["metadata"]["namespace"] == "gitpod"
    data = reveal(secret.inputs["stringData"])
    assert data == {"s3AccessKey": "gitpod-registry", "s3SecretKey": "minio-s3cret-key"}
    assert evaluation.outputs["installerConfig"] == {
        "containerRegistry": {
            "inCluster": True,
            "s3storage": {
                "bucket": "gitpod-registry",
                "region": "us-east-1",
                "endpoint": "minio.example.com:9000",
                "certificate": {"kind": "secret", "name": "gitpod-registry-s3-backend"},
            },
        }
    }
    assert evaluation.outputs["workspaceImagesSecret"] == "gitpod-registry-s3-backend"
    assert_never_plain(evaluation, "minio-s3cret-key")


def test_s3_compatible_never_reads_the_aws_region():
    evaluation = run("dev", {"aws:region": "eu-west-1", WORKSPACE: {**MINIO, "region": "auto"}})
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["s3storage"]["region"] == "auto"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"endpoint": "https://minio.example.com"},
            r"workspaceImages.endpoint: 'https://minio.example.com' has a scheme; .* s3.secure=true",
        ),
        ({"endpoint": "minio.example.com/bucket"}, r"workspaceImages.endpoint: .* is not host\[:port\]"),
        ({"endpoint": None}, r"workspaceImages.endpoint: required for the s3-compatible backend"),
        ({"bucket": "Gitpod_Registry"}, r"workspaceImages.bucket: 'Gitpod_Registry' is not a valid S3 bucket name"),
        ({"region": None}, r"workspaceImages.region: required for the s3-compatible backend"),
        ({"region": "EU West"}, r"workspaceImages.region: 'EU West' is not a region name"),
        (
            {"accessKeyId": None},
            r"workspaceImages.accessKeyId: required; set it with `pulumi config set --secret --path workspaceImages.accessKeyId",
        ),
        (
            {"secretAccessKey": ""},
            r"workspaceImages.secretAccessKey: empty, and it is required; set it with `pulumi config set --secret --path workspaceImages.secretAccessKey",
        ),
        (
            {"secretAccessKey": 1234},
            r"workspaceImages.secretAccessKey: expected a string, got a number \(value not shown\)",
        ),
        (
            {"keyGeneration": 2},
            r"workspaceImages.keyGeneration: unknown field; .*allowed fields here: accessKeyId, backend, bucket, endpoint, region, secretAccessKey",
        ),
    ],
)
def test_bad_s3_compatible_config_is_refused_without_showing_the_key(override, expected):
    workspace = {k: v for k, v in {**MINIO, **override}.items() if v is not None}
    message = run_invalid({WORKSPACE: workspace})
    assert re.search("gitpod-registry:" + expected, message), message
    assert "minio-s3cret-key" not in message and "1234" not in message


def test_in_cluster_creates_nothing_and_leaves_the_registry_on_a_volume():
    evaluation = run("dev", {WORKSPACE: {"backend": "in-cluster"}})
    assert [r for r in evaluation.resources if r.custom] == []
    # No s3storage: the installer turns on the registry chart's persistence (docker-registry/helm.go).
    assert evaluation.outputs["installerConfig"] == {"containerRegistry": {"inCluster": True}}
    assert evaluation.outputs["workspaceImagesSecret"] == "builtin-registry-auth"
    assert evaluation.outputs["notes"] == []


def test_in_cluster_takes_no_fields():
    message = run_invalid({WORKSPACE: {"backend": "in-cluster", "bucket": "x"}})
    assert (
        "gitpod-registry:workspaceImages.bucket: unknown field; did you mean backend? allowed fields here: backend"
        in message
    )
