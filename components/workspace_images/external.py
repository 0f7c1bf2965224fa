"""Role 3, bring your own: workspace images pushed to any OCI registry (Harbor, Quay, GitLab, ACR, distribution).

Creates the one `.dockerconfigjson` secret Gitpod mounts for pushing workspace images, for pulling
private base images and, in registry-facade, blobserve and ide-service, Gitpod's own images: the push
credential plus any other logins (`extra_credentials`: base-image registries, a component mirror), one
entry per host.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict

import pulumi

from .. import validation
from ..fields import Field
from ..installer_config import external_registry
from ..kubernetes.dockerconfig import (
    NO_LOGINS,
    PasswordInput,
    RegistryCredential,
    RegistryLogins,
    check_docker_config_size,
    check_logins,
    docker_config_secret,
    merge_credentials,
)
from ..push_login import check_push
from ..validation import at, checked_args
from .backend import Backend, Common, SecretWriter

DEFAULT_SECRET_NAME = "gitpod-registry-workspace-images"


class ExternalWorkspaceImagesArgs(TypedDict):
    namespace: str
    """Kubernetes namespace of the secret, e.g. gitpod."""
    url: str
    """Registry host and path image-builder pushes under, e.g. registry.example.com/gitpod (no scheme)."""
    username: str
    """User (or robot account) allowed to push under url."""
    password: PasswordInput
    """Secret; its password or token."""
    extra_credentials: NotRequired[list[RegistryCredential]]
    """Credentials for private base-image registries, merged into the same secret. Default none."""
    secret_name: NotRequired[str]
    """Name of the dockerconfigjson secret. Default gitpod-registry-workspace-images."""


@dataclass(frozen=True)
class CheckedExternal:
    namespace: str
    url: str
    credentials: tuple[RegistryCredential, ...]
    """The push login first, then the base-image logins: one per host."""
    allow_list: tuple[str, ...]
    """Hosts whose logins image-builder may use for base images (privateBaseImageAllowList)."""
    secret_name: str = DEFAULT_SECRET_NAME


def with_logins(
    namespace: str, url_path: str, url: str, push: RegistryCredential, logins: RegistryLogins
) -> CheckedExternal:
    """The push login merged with the other logins (the same login twice is fine, two for a host are not)."""
    entries = [(url_path, push), *logins.entries]
    credentials = tuple(merge_credentials(entries))
    check_docker_config_size(url_path, credentials)  # the push login joins the others in one Secret
    return CheckedExternal(namespace, url, credentials, logins.allow_list)


def check_fields(
    args: Mapping[str, Any], path: str, common: Common, logins: RegistryLogins = NO_LOGINS
) -> CheckedExternal:
    url, push = check_push(
        (at(path, "url"), args.get("url")),
        (at(path, "username"), args.get("username")),
        (at(path, "password"), args.get("password")),
    )
    return with_logins(common.namespace, at(path, "url"), url, push, logins)


def check_args(args: ExternalWorkspaceImagesArgs) -> CheckedExternal:
    """Validates the arguments of a directly constructed ExternalWorkspaceImages and fills in defaults."""
    namespace = validation.namespace("namespace", args.get("namespace"))
    url, push = check_push(
        ("url", args.get("url")), ("username", args.get("username")), ("password", args.get("password"))
    )
    logins = check_logins("extra_credentials", args.get("extra_credentials", []))
    checked = with_logins(namespace, "url", url, push, logins)
    return replace(
        checked, secret_name=validation.namespace("secret_name", args.get("secret_name", DEFAULT_SECRET_NAME))
    )


class ExternalWorkspaceImages(pulumi.ComponentResource):
    """Workspace images in a registry you already run.

    Children: one kubernetes.io/dockerconfigjson Secret (push credential and base-image credentials).
    """

    url: pulumi.Output[str]
    """Where image-builder pushes (containerRegistry.external.url), e.g. registry.example.com/gitpod."""
    secret_name: pulumi.Output[str]
    """Name of the dockerconfigjson secret (containerRegistry.external.certificate)."""
    hosts: pulumi.Output[list[str]]
    """The registry hosts the secret holds a credential for, sorted."""

    container_registry: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry block: external url and secret, and the base-image allow list."""

    def __init__(
        self, name: str, args: ExternalWorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        checked = checked_args(args, CheckedExternal, check_args)
        super().__init__("gitpod-registry:index:ExternalWorkspaceImages", name, None, opts)
        secret = docker_config_secret(
            f"{name}-secret",
            secret_name=checked.secret_name,
            namespace=checked.namespace,
            credentials=checked.credentials,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.url = pulumi.Output.from_input(checked.url)
        self.secret_name = secret.metadata.apply(lambda m: m["name"])
        self.hosts = pulumi.Output.from_input(sorted(c["server"] for c in checked.credentials))
        url, allow_list = checked.url, list(checked.allow_list)
        self.container_registry = self.secret_name.apply(lambda secret: external_registry(url, secret, allow_list))
        self.register_outputs(
            {
                "url": self.url,
                "secret_name": self.secret_name,
                "hosts": self.hosts,
                "container_registry": self.container_registry,
            }
        )


BACKEND = Backend(
    name="external",
    summary="Any OCI registry you run (Harbor, Quay, GitLab, ACR, distribution), pushed to with your login",
    fields=(
        Field("url", "string", required=True),
        Field("username", "string", required=True),
        Field("password", "string", required=True, secret=True),
    ),
    check=check_fields,
    build=ExternalWorkspaceImages,
    secret_writer=SecretWriter.PROGRAM,
    from_login=lambda common, url, login, allow_list: CheckedExternal(common.namespace, url, (login,), allow_list),
)
