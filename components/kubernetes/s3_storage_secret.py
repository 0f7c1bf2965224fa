"""The Opaque secret Gitpod's in-cluster registry reads its S3 keys from.

`containerRegistry.s3storage.certificate` names it; the installer requires exactly the keys
`s3AccessKey` and `s3SecretKey` (install/installer/pkg/config/v1/validation.go) and hands them to
the registry chart (components/docker-registry/helm.go).
"""

import pulumi
import pulumi_kubernetes as k8s

from ..installer_config import S3_KEYS
from .dockerconfig import LABELS, PasswordInput, secret_output


def s3_storage_secret(
    resource_name: str,
    *,
    secret_name: str,
    namespace: str,
    access_key: PasswordInput,
    secret_key: PasswordInput,
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """An Opaque secret with `s3AccessKey` and `s3SecretKey`, secret end to end."""
    return k8s.core.v1.Secret(
        resource_name,
        metadata={"name": secret_name, "namespace": namespace, "labels": LABELS},
        type="Opaque",
        string_data=dict(zip(S3_KEYS, (secret_output(access_key), secret_output(secret_key)), strict=True)),
        opts=opts,
    )
