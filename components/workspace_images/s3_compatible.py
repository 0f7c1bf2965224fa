"""Backend `s3-compatible`: Gitpod's in-cluster registry storing images in any S3-compatible store.

MinIO, Ceph RGW, Cloudflare R2 and the like. No cloud resources: the bucket and its user exist
already; this creates the Opaque secret with `s3AccessKey`/`s3SecretKey` that the installer hands to
the registry chart, and the `s3storage` block. What the registry then demands of the store comes from
install/installer/pkg/components/docker-registry/helm.go: `s3.secure=true` (TLS only, so the endpoint
has no scheme), `s3.encrypt=true` (every write asks for SSE-S3), a `regionEndpoint`, with which
distribution's s3 driver uses path-style requests, and static keys (the only credential it reads).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict

import pulumi

from .. import validation
from ..fields import Field
from ..installer_config import in_cluster_registry, secret_ref
from ..kubernetes.dockerconfig import NO_LOGINS, PasswordInput, RegistryLogins, check_password
from ..kubernetes.s3_storage_secret import s3_storage_secret
from ..reference import ReferenceError, check_host
from ..validation import InvalidInput, at, checked_args, describe
from .backend import Backend, Common, SecretWriter

DEFAULT_SECRET_NAME = "gitpod-registry-s3-backend"
_REGION = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class S3CompatibleWorkspaceImagesArgs(TypedDict):
    namespace: str
    """Kubernetes namespace of the credentials secret, e.g. gitpod."""
    endpoint: str
    """The store's S3 endpoint, host[:port] without scheme, e.g. minio.example.com:9000; reached over TLS."""
    bucket: str
    """The bucket the registry stores images in (it must exist)."""
    region: str
    """The store's region, e.g. us-east-1 (MinIO's default) or auto (Cloudflare R2); signs every request."""
    access_key_id: PasswordInput
    """Secret; access key id of a user that can list the bucket and read, write and delete its objects."""
    secret_access_key: PasswordInput
    """Secret; its secret access key."""
    secret_name: NotRequired[str]
    """Name of the Kubernetes secret with keys s3AccessKey and s3SecretKey. Default gitpod-registry-s3-backend."""


@dataclass(frozen=True)
class CheckedS3Compatible:
    namespace: str
    endpoint: str
    bucket: str
    region: str
    access_key_id: PasswordInput
    secret_access_key: PasswordInput
    secret_name: str = DEFAULT_SECRET_NAME


def check_endpoint(field: str, value: object) -> str:
    value = validation.require_type(field, value, str, "an endpoint such as minio.example.com:9000")
    assert isinstance(value, str)
    if "://" in value:
        raise InvalidInput(
            field,
            f"{describe(value)} has a scheme; give host[:port] only, e.g. minio.example.com:9000 (the registry "
            "always uses https: the installer sets s3.secure=true)",
        )
    if "/" in value:
        raise InvalidInput(field, f"{describe(value)} is not host[:port], e.g. minio.example.com:9000")
    try:
        # The one grammar of registry hosts (reference.py): DNS labels, IPv4 or [IPv6], a port from 1 to 65535.
        return check_host(value.lower())
    except ReferenceError as error:
        raise InvalidInput(field, f"{describe(value)} {error}") from None


def _check(args: Mapping[str, Any], path: str, namespace: str) -> CheckedS3Compatible:
    for name in ("endpoint", "bucket", "region"):
        if args.get(name) in (None, ""):
            raise InvalidInput(at(path, name), "required with backend 's3-compatible'")
    region = validation.require_type(at(path, "region"), args["region"], str, "a region name such as us-east-1")
    if not _REGION.fullmatch(region):
        raise InvalidInput(
            at(path, "region"), f"{describe(region)} is not a region name; e.g. us-east-1 (MinIO) or auto (R2)"
        )
    return CheckedS3Compatible(
        namespace,
        check_endpoint(at(path, "endpoint"), args["endpoint"]),
        validation.bucket_name(at(path, "bucket"), args["bucket"]),
        region,
        check_password(at(path, "access_key_id"), args.get("access_key_id")),
        check_password(at(path, "secret_access_key"), args.get("secret_access_key")),
    )


def check_fields(
    args: Mapping[str, Any], path: str, common: Common, logins: RegistryLogins = NO_LOGINS
) -> CheckedS3Compatible:
    """Checks the s3-compatible fields at `path` (logins cannot reach it: the composite refuses them first)."""
    return _check(args, path, common.namespace)


def check_args(args: S3CompatibleWorkspaceImagesArgs) -> CheckedS3Compatible:
    """Validates the arguments of a directly constructed S3CompatibleWorkspaceImages and fills in defaults."""
    checked = _check(args, "", validation.namespace("namespace", args.get("namespace")))
    return replace(
        checked, secret_name=validation.namespace("secret_name", args.get("secret_name", DEFAULT_SECRET_NAME))
    )


class S3CompatibleWorkspaceImages(pulumi.ComponentResource):
    """Credentials and installer config for Gitpod's in-cluster registry on an S3-compatible store.

    Children: one Opaque Kubernetes secret with keys s3AccessKey and s3SecretKey. No cloud resources.
    """

    secret_name: pulumi.Output[str]
    """Name of the Kubernetes secret with keys s3AccessKey and s3SecretKey."""
    s3storage: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry.s3storage block: bucket, region, endpoint, certificate."""
    container_registry: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry block: inCluster with s3storage."""

    def __init__(
        self, name: str, args: S3CompatibleWorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        checked = checked_args(args, CheckedS3Compatible, check_args)
        super().__init__("gitpod-registry:index:S3CompatibleWorkspaceImages", name, None, opts)
        secret = s3_storage_secret(
            f"{name}-secret",
            secret_name=checked.secret_name,
            namespace=checked.namespace,
            access_key=checked.access_key_id,
            secret_key=checked.secret_access_key,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.secret_name = secret.metadata.apply(lambda m: m["name"])
        bucket, region, endpoint = checked.bucket, checked.region, checked.endpoint
        self.s3storage = self.secret_name.apply(
            lambda secret: {"bucket": bucket, "region": region, "endpoint": endpoint, "certificate": secret_ref(secret)}
        )
        self.container_registry = self.s3storage.apply(in_cluster_registry)
        self.register_outputs(
            {
                "secret_name": self.secret_name,
                "s3storage": self.s3storage,
                "container_registry": self.container_registry,
            }
        )


BACKEND = Backend(
    name="s3-compatible",
    summary="Any S3-compatible store (MinIO, Ceph RGW, Cloudflare R2) as storage of Gitpod's in-cluster registry",
    fields=(
        Field("endpoint", "string", required=True),
        Field("bucket", "string", required=True),
        Field("region", "string", required=True),
        Field("access_key_id", "string", required=True, secret=True),
        Field("secret_access_key", "string", required=True, secret=True),
    ),
    check=check_fields,
    build=S3CompatibleWorkspaceImages,
    secret_writer=SecretWriter.INSTALLER,
)
