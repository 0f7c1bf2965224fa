"""Role 2: the default workspace (base) image, and logins for private base-image registries.

Gitpod mounts one `.dockerconfigjson` for pushing workspace images and for pulling private base
images (gitpod issue #12060), so these logins are merged into the workspace-image backend's secret,
and their hosts go into `containerRegistry.privateBaseImageAllowList`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from .. import validation
from ..aws.ecr import is_ecr_host, static_login_refusal
from ..kubernetes.dockerconfig import NO_LOGINS, RegistryCredential, RegistryLogins, check_logins
from ..validation import InvalidInput, at


class BaseImagesRoleArgs(TypedDict):
    workspace_image: NotRequired[str]
    """The default workspace (base) image. Default: the installer's, gitpod/workspace-full:latest on Docker Hub,
    or MIRROR/gitpod/workspace-full:latest with a component mirror."""
    registries: NotRequired[list[RegistryCredential]]
    """Private registries of base images: their logins are merged into the workspace-image secret,
    and their hosts allow-listed."""


@dataclass(frozen=True)
class CheckedBaseImages:
    workspace_image: str | None = None
    """The workspace image given, or None for the installer's default."""
    logins: RegistryLogins = NO_LOGINS


def check_fields(args: Mapping[str, Any], path: str) -> CheckedBaseImages:
    image = args.get("workspace_image")
    if image is not None:
        image = validation.image_reference(at(path, "workspace_image"), image)
    logins = check_logins(at(path, "registries"), args.get("registries", []))
    for host in logins.hosts:
        if is_ecr_host(host):
            raise InvalidInput(
                f"{logins.path_of(host)}.server", f"{validation.describe(host)} {static_login_refusal(host)}"
            )
    return CheckedBaseImages(image, logins)
