"""Role 1: where the kubelet pulls Gitpod's own component images from.

Gitpod's public registry by default; a company mirror behind credentials gets a
`kubernetes.io/dockerconfigjson` pull secret that the installer lists in
`imagePullSecrets`, so every Gitpod pod can pull from it.
"""

from typing import NotRequired, TypedDict

import pulumi

from . import validation
from .dockerconfig import PasswordInput, check_password, check_username, docker_config_secret, registry_host
from .installer_config import DEFAULT_COMPONENT_REPOSITORY
from .validation import FieldNamer, InvalidInput, same_name

DEFAULT_SECRET_NAME = "gitpod-registry-component-images"


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


def check_args(args: ComponentImagesArgs, field: FieldNamer = same_name) -> ComponentImagesArgs:
    """Validates the arguments and fills in defaults; `field` names each argument in errors."""
    repository = validation.image_reference(field("repository"), args.get("repository", DEFAULT_COMPONENT_REPOSITORY))
    path = repository.split("/", 1)[1] if "/" in repository else ""
    if "@" in repository or ":" in path:
        raise InvalidInput(
            field("repository"),
            f"{repository!r} names an image; give the repository only (host and path), e.g. registry.example.com/gitpod",
        )
    checked: ComponentImagesArgs = {
        "namespace": validation.namespace(field("namespace"), args.get("namespace")),
        "repository": repository.rstrip("/"),
        "drop_image_repo": validation.flag(field("drop_image_repo"), args.get("drop_image_repo", False)),
        "secret_name": validation.namespace(field("secret_name"), args.get("secret_name", DEFAULT_SECRET_NAME)),
    }
    username, password = args.get("username"), args.get("password")
    if username is None and password is None:
        return checked
    if username is None or password is None:
        given, missing = ("username", "password") if password is None else ("password", "username")
        raise InvalidInput(field(missing), f"required when {field(given)} is set; a private mirror needs both")
    registry_host(field("repository"), repository)  # the pull secret is keyed by the repository's host
    checked["username"] = check_username(field("username"), username)
    checked["password"] = check_password(field("password"), password)
    return checked


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
        checked = check_args(args)
        super().__init__("gitpod-registry:index:ComponentImages", name, None, opts)
        pull_secrets: pulumi.Output[list[str]] = pulumi.Output.from_input([])
        if "password" in checked:
            secret = docker_config_secret(
                f"{name}-pull-secret",
                secret_name=checked["secret_name"],
                namespace=checked["namespace"],
                credentials=[
                    {"server": checked["repository"], "username": checked["username"], "password": checked["password"]}
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
            pull_secrets = secret.metadata.apply(lambda m: [m["name"]])
        self.repository = pulumi.Output.from_input(checked["repository"])
        self.image_pull_secrets = pull_secrets
        self.drop_image_repo = pulumi.Output.from_input(checked["drop_image_repo"])
        self.register_outputs(
            {
                "repository": self.repository,
                "image_pull_secrets": self.image_pull_secrets,
                "drop_image_repo": self.drop_image_repo,
            }
        )
