"""Role 2: the default workspace (base) image, and logins for private base-image registries.

Gitpod mounts one `.dockerconfigjson` for pushing workspace images and for pulling private base
images (gitpod issue #12060), so these logins are merged into the workspace-image backend's secret,
and their hosts go into `containerRegistry.privateBaseImageAllowList`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from .. import validation
from ..installer_config import DEFAULT_WORKSPACE_IMAGE
from ..kubernetes.dockerconfig import NO_LOGINS, BaseImageLogins, RegistryCredential, check_logins
from ..validation import at


class BaseImagesRoleArgs(TypedDict):
    workspace_image: NotRequired[str]
    """The default workspace (base) image. Default gitpod/workspace-full:latest (Docker Hub)."""
    registries: NotRequired[list[RegistryCredential]]
    """Private registries of base images: their logins are merged into the workspace-image secret,
    and their hosts allow-listed."""


@dataclass(frozen=True)
class CheckedBaseImages:
    workspace_image: str = DEFAULT_WORKSPACE_IMAGE
    logins: BaseImageLogins = NO_LOGINS


def check_fields(args: Mapping[str, Any], path: str) -> CheckedBaseImages:
    image = validation.image_reference(
        at(path, "workspace_image"), args.get("workspace_image", DEFAULT_WORKSPACE_IMAGE)
    )
    return CheckedBaseImages(image, check_logins(at(path, "registries"), args.get("registries", [])))
