"""Role 3, bring your own: workspace images pushed to any OCI registry (Harbor, Quay, GitLab, ACR, distribution).

Creates the one `.dockerconfigjson` secret Gitpod mounts for pushing workspace images
and for pulling private base images: the push credential plus any base-image
credentials (`extra_credentials`), one entry per host.
"""

import re
from typing import NotRequired, TypedDict

import pulumi

from . import validation
from .dockerconfig import (
    PasswordInput,
    RegistryCredential,
    check_credential,
    check_password,
    check_username,
    docker_config_secret,
    merge_credentials,
    registry_host,
)
from .known_output import known
from .validation import FieldNamer, InvalidInput, same_name

DEFAULT_SECRET_NAME = "gitpod-registry-workspace-images"
_ECR_HOST = re.compile(r"^(\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?|public\.ecr\.aws)$")
_PATH = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
ECR_URL_REFUSAL = (
    "is an ECR registry, which Gitpod cannot push to: ECR does not create a repository on push, and "
    "image-builder pushes to new repository paths. On AWS use backend 's3' (Gitpod's in-cluster registry "
    "stored in an S3 bucket)."
)


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


def check_url(field: str, url: object) -> str:
    """A registry URL as Gitpod wants it: host[:port][/path], no scheme, not ECR."""
    if isinstance(url, str) and "://" in url:
        raise InvalidInput(field, f"{url!r} has a scheme; give host and path only, e.g. registry.example.com/gitpod")
    host = registry_host(field, url)
    assert isinstance(url, str)
    if _ECR_HOST.match(host):
        raise InvalidInput(field, f"{url!r} {ECR_URL_REFUSAL}")
    url = url.rstrip("/")
    path = url.split("/", 1)[1] if "/" in url else ""
    if path and not _PATH.match(path):
        raise InvalidInput(
            field, f"{url!r} has an invalid repository path; use lowercase letters, digits, '.', '_', '-' and '/'"
        )
    return f"{host}/{path}" if path else host


def check_args(args: ExternalWorkspaceImagesArgs, field: FieldNamer = same_name) -> ExternalWorkspaceImagesArgs:
    """Validates the arguments and fills in defaults; `field` names each argument in errors."""
    if args.get("url") in (None, ""):
        raise InvalidInput(
            field("url"), "required; the registry host and path to push to, e.g. registry.example.com/gitpod"
        )
    url = check_url(field("url"), args.get("url"))
    push: RegistryCredential = {
        "server": registry_host(field("url"), url),
        "username": check_username(field("username"), args.get("username")),
        "password": check_password(field("password"), args.get("password")),
    }
    extras = args.get("extra_credentials", [])
    if not isinstance(extras, list):
        raise InvalidInput(field("extra_credentials"), f"expected a list, got {validation.kind_of(extras)}")
    entries = [(field("url"), push)]
    entries += [
        (field(f"extra_credentials[{i}]"), check_credential(field(f"extra_credentials[{i}]"), c))
        for i, c in enumerate(extras)
    ]
    merge_credentials(entries)
    return {
        "namespace": validation.namespace(field("namespace"), args.get("namespace")),
        "url": url,
        "username": push["username"],
        "password": push["password"],
        "extra_credentials": [credential for _, credential in entries[1:]],
        "secret_name": validation.namespace(field("secret_name"), args.get("secret_name", DEFAULT_SECRET_NAME)),
    }


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

    def __init__(
        self, name: str, args: ExternalWorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        checked = check_args(args)
        push: RegistryCredential = {
            "server": registry_host("url", checked["url"]),
            "username": checked["username"],
            "password": checked["password"],
        }
        credentials = merge_credentials(
            [("url", push)] + [("extra_credentials", c) for c in checked["extra_credentials"]]
        )
        super().__init__("gitpod-registry:index:ExternalWorkspaceImages", name, None, opts)
        secret = docker_config_secret(
            f"{name}-secret",
            secret_name=checked["secret_name"],
            namespace=checked["namespace"],
            credentials=credentials,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.url = pulumi.Output.from_input(checked["url"])
        self.secret_name = secret.metadata.apply(lambda m: m["name"])
        self.hosts = known([c["server"] for c in credentials])
        self.register_outputs({"url": self.url, "secret_name": self.secret_name, "hosts": self.hosts})
