"""Role 1: where the kubelet pulls Gitpod's own component images from.

Gitpod's public registry by default; a company mirror behind credentials gets a
`kubernetes.io/dockerconfigjson` pull secret that the installer lists in
`imagePullSecrets`, so every Gitpod pod can pull from it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi

from .. import validation
from ..installer_config import DEFAULT_COMPONENT_REPOSITORY
from ..kubernetes.dockerconfig import (
    PasswordInput,
    RegistryCredential,
    check_password,
    check_username,
    docker_config_secret,
    registry_host,
)
from ..validation import InvalidInput, at, ref

DEFAULT_SECRET_NAME = "gitpod-registry-component-images"


class ComponentImagesRoleArgs(TypedDict):
    repository: NotRequired[str]
    """Where component images come from, host and path, e.g. registry.example.com/gitpod.
    Default eu.gcr.io/gitpod-core-dev/build (Gitpod's public registry)."""
    username: NotRequired[str]
    """User of a private mirror; given together with password."""
    password: NotRequired[PasswordInput]
    """Secret; password or token of a private mirror."""
    drop_image_repo: NotRequired[bool]
    """Keep only the last path segment of every image name (for flat mirrors). Default false."""


class ComponentImagesArgs(TypedDict):
    namespace: str
    """Kubernetes namespace of the pull secret, e.g. gitpod."""
    repository: NotRequired[str]
    """Where component images come from, host and path, e.g. registry.example.com/gitpod.
    Default eu.gcr.io/gitpod-core-dev/build (Gitpod's public registry)."""
    username: NotRequired[str]
    """User of a private mirror; given together with password."""
    password: NotRequired[PasswordInput]
    """Secret; password or token of a private mirror."""
    drop_image_repo: NotRequired[bool]
    """Keep only the last path segment of every image name (for flat mirrors). Default false."""
    secret_name: NotRequired[str]
    """Name of the pull secret. Default gitpod-registry-component-images."""


@dataclass(frozen=True)
class CheckedComponentImages:
    namespace: str
    repository: str
    drop_image_repo: bool = False
    login: RegistryCredential | None = None
    """The mirror's login, keyed by the repository's host; None for a public registry."""
    secret_name: str = DEFAULT_SECRET_NAME


def check_repository(path: str, value: object) -> str:
    repository = validation.image_reference(path, value)
    image_path = repository.split("/", 1)[1] if "/" in repository else ""
    if "@" in repository or ":" in image_path:
        raise InvalidInput(
            path,
            f"{repository!r} names an image; give the repository only (host and path), e.g. registry.example.com/gitpod",
        )
    return repository.rstrip("/")


def check_fields(args: Mapping[str, Any], path: str, namespace: str) -> CheckedComponentImages:
    """Checks the component-image fields at `path` (a mirror's login needs both username and password)."""
    repository = check_repository(at(path, "repository"), args.get("repository", DEFAULT_COMPONENT_REPOSITORY))
    drop_image_repo = validation.flag(at(path, "drop_image_repo"), args.get("drop_image_repo", False))
    username, password = args.get("username"), args.get("password")
    if username is None and password is None:
        return CheckedComponentImages(namespace, repository, drop_image_repo)
    if username is None or password is None:
        given, missing = ("username", "password") if password is None else ("password", "username")
        raise InvalidInput(
            at(path, missing), f"required when {ref(at(path, given))} is set; a private mirror needs both"
        )
    login: RegistryCredential = {
        # The pull secret is keyed by the repository's host.
        "server": registry_host(at(path, "repository"), repository),
        "username": check_username(at(path, "username"), username),
        "password": check_password(at(path, "password"), password),
    }
    return CheckedComponentImages(namespace, repository, drop_image_repo, login)


def check_args(args: ComponentImagesArgs) -> CheckedComponentImages:
    """Validates the arguments of a directly constructed ComponentImages and fills in defaults."""
    checked = check_fields(args, "", validation.namespace("namespace", args.get("namespace")))
    secret_name = validation.namespace("secret_name", args.get("secret_name", DEFAULT_SECRET_NAME))
    return CheckedComponentImages(
        checked.namespace, checked.repository, checked.drop_image_repo, checked.login, secret_name
    )


class ComponentImages(pulumi.ComponentResource):
    """The component-image role: repository, mirror layout and, for a private mirror, its pull secret.

    Children: a kubernetes.io/dockerconfigjson Secret (only when username and password are given).
    """

    repository: pulumi.Output[str]
    """The installer's `repository`, e.g. registry.example.com/gitpod."""
    image_pull_secrets: pulumi.Output[list[str]]
    """Names of the pull secrets for the installer's `imagePullSecrets`; empty for a public registry."""
    drop_image_repo: pulumi.Output[bool]
    """The installer's `dropImageRepo`."""

    def __init__(self, name: str, args: ComponentImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        self._build(name, check_args(args), opts)

    def _build(self, name: str, checked: CheckedComponentImages, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__("gitpod-registry:index:ComponentImages", name, None, opts)
        pull_secrets: pulumi.Output[list[str]] = pulumi.Output.from_input([])
        if checked.login is not None:
            secret = docker_config_secret(
                f"{name}-pull-secret",
                secret_name=checked.secret_name,
                namespace=checked.namespace,
                credentials=[checked.login],
                opts=pulumi.ResourceOptions(parent=self),
            )
            pull_secrets = secret.metadata.apply(lambda m: [m["name"]])
        self.repository = pulumi.Output.from_input(checked.repository)
        self.image_pull_secrets = pull_secrets
        self.drop_image_repo = pulumi.Output.from_input(checked.drop_image_repo)
        self.register_outputs(
            {
                "repository": self.repository,
                "image_pull_secrets": self.image_pull_secrets,
                "drop_image_repo": self.drop_image_repo,
            }
        )
