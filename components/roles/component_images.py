"""Role 1: where Gitpod's own component images come from.

Gitpod's public registry by default (the installer's own `repository`, left in force). A company mirror
behind credentials is read by two kinds of client: the kubelet, which pulls Gitpod's pods with the
`imagePullSecrets` (install/installer/pkg/common/objects.go puts them on the ServiceAccounts), and
registry-facade, blobserve and ide-service, which pull supervisor, workspacekit, docker-up and the IDE
images themselves with the `.dockerconfigjson` named in `containerRegistry` and nothing else
(components/registry-facade/daemonset.go, blobserve/deployment.go, ide-service/deployment.go). This
module makes the kubelet's pull secret; the composite puts the same login into the workspace-image
backend's secret for the others (registries_args.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi

from .. import validation
from ..aws.ecr import is_ecr_host, static_login_refusal
from ..installer_config import DEFAULT_COMPONENT_REPOSITORY, installer_default_workspace_image
from ..kubernetes.dockerconfig import (
    PasswordInput,
    RegistryCredential,
    check_password,
    check_username,
    docker_config_secret,
    registry_host,
)
from ..reference import ReferenceError, check_room, parse_name, parse_reference
from ..validation import InvalidInput, at, checked_args, ref

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
    repository: str | None
    """The repository given, or None for the installer's own default (Gitpod's public registry)."""
    drop_image_repo: bool = False
    login: RegistryCredential | None = None
    """The mirror's login, keyed by the repository's host; None for a public registry."""
    secret_name: str = DEFAULT_SECRET_NAME

    @property
    def source(self) -> str:
        """Where component images come from."""
        return self.repository or DEFAULT_COMPONENT_REPOSITORY

    @property
    def mirror(self) -> str | None:
        """The mirror, if component images come from one rather than from Gitpod's public registry."""
        return None if self.source == DEFAULT_COMPONENT_REPOSITORY else self.source


def check_repository(path: str, value: object) -> str:
    """A repository (host and path, no tag or digest) as runtimes read it; a trailing '/' is dropped.

    Without a host it is on Docker Hub (`acme` pulls `docker.io/acme/<image>`), as the runtime reads it.
    """
    value = validation.require_type(path, value, str, "a repository such as registry.example.com/gitpod")
    repository = value.removesuffix("/")
    try:
        parse_name(repository, host_required=False)
    except ReferenceError as error:
        try:
            parse_reference(repository)
        except ReferenceError:
            raise InvalidInput(path, f"{validation.describe(value)} {error}") from None
        raise InvalidInput(
            path,
            f"{validation.describe(value)} names an image (with a tag or digest); give the repository only "
            "(host and path), e.g. registry.example.com/gitpod",
        ) from None
    return repository


def check_room_for_images(path: str, repository: str, drop_image_repo: bool) -> None:
    """The installer names images under the mirror (`<mirror>/gitpod/workspace-full`, or the last segment with
    dropImageRepo; image-builder-mk3/configmap.go, common/render.go RepoName): they must be valid names too."""
    image = installer_default_workspace_image(repository, drop_image_repo)
    appended = image.removeprefix(f"{repository}/").rsplit(":", 1)[0]
    try:
        check_room(parse_name(repository, host_required=False).path, appended)
    except ReferenceError as error:
        raise InvalidInput(path, f"{validation.describe(repository)} {error}") from None


def check_fields(args: Mapping[str, Any], path: str, namespace: str) -> CheckedComponentImages:
    """Checks the component-image fields at `path` (a mirror's login needs both username and password)."""
    repository = args.get("repository")
    if repository is not None:
        repository = check_repository(at(path, "repository"), repository)
    drop_image_repo = validation.flag(at(path, "drop_image_repo"), args.get("drop_image_repo", False))
    if drop_image_repo and (repository is None or repository == DEFAULT_COMPONENT_REPOSITORY):
        # common/render.go RepoName: with dropImageRepo every image, third-party ones too, becomes
        # `<repository>/<last path segment>`, which exists only in a flat mirror someone filled that way.
        raise InvalidInput(
            at(path, "drop_image_repo"),
            f"only with a mirror: set {ref(at(path, 'repository'))} to it. Without one the installer renames "
            f"every image, third-party ones too, to {DEFAULT_COMPONENT_REPOSITORY}/<last path segment>, "
            "where they do not exist; remove it",
        )
    if repository is not None and repository != DEFAULT_COMPONENT_REPOSITORY:
        check_room_for_images(at(path, "repository"), repository, drop_image_repo)
    username, password = args.get("username"), args.get("password")
    if username is None and password is None:
        return CheckedComponentImages(namespace, repository, drop_image_repo)
    if username is None or password is None:
        given, missing = ("username", "password") if password is None else ("password", "username")
        raise InvalidInput(
            at(path, missing), f"required when {ref(at(path, given))} is set; a private mirror needs both"
        )
    if repository is None:
        raise InvalidInput(
            at(path, "repository"),
            f"required with {ref(at(path, 'username'))}: the mirror the login is for, e.g. registry.example.com/gitpod",
        )
    login: RegistryCredential = {
        # The pull secret is keyed by the repository's host, which must be explicit: a runtime reads
        # `harbor/gitpod` as Docker Hub's, and would send this login there.
        "server": registry_host(at(path, "repository"), repository),
        "username": check_username(at(path, "username"), username),
        "password": check_password(at(path, "password"), password),
    }
    if is_ecr_host(login["server"]):
        raise InvalidInput(
            at(path, "repository"), f"{validation.describe(repository)} {static_login_refusal(login['server'])}"
        )
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
    """Where component images come from: the mirror (the installer's `repository`), e.g.
    registry.example.com/gitpod, or Gitpod's public registry eu.gcr.io/gitpod-core-dev/build."""
    image_pull_secrets: pulumi.Output[list[str]]
    """Names of the pull secrets for the installer's `imagePullSecrets`; empty for a public registry."""
    drop_image_repo: pulumi.Output[bool]
    """The installer's `dropImageRepo`."""

    def __init__(self, name: str, args: ComponentImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked = checked_args(args, CheckedComponentImages, check_args)
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
        self.repository = pulumi.Output.from_input(checked.source)
        self.image_pull_secrets = pull_secrets
        self.drop_image_repo = pulumi.Output.from_input(checked.drop_image_repo)
        self.register_outputs(
            {
                "repository": self.repository,
                "image_pull_secrets": self.image_pull_secrets,
                "drop_image_repo": self.drop_image_repo,
            }
        )
