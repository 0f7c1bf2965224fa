"""Air-gap: one internal registry serves all three of Gitpod's image roles.

Pure helpers for the composite: what an air-gapped install's arguments are, and how
an image name maps into the mirror, following the layout `gitpod-installer mirror
list` writes (the source host dropped, the rest of the path kept under the mirror).
"""

from typing import TypedDict

from ..kubernetes.dockerconfig import PasswordInput, registry_host
from ..reference import ReferenceError, is_host_like, parse_reference
from ..validation import InvalidInput, describe


class AirGapArgs(TypedDict):
    registry: str
    """The internal registry, host and path, e.g. registry.internal.example.com/gitpod (no scheme)."""
    username: str
    """User that can pull everything and push workspace images under registry."""
    password: PasswordInput
    """Secret; its password or token."""


def mirrored_image(field: str, image: str, registry: str) -> str:
    """Where `image` lives in the mirror: docker.io/gitpod/workspace-full:latest -> REGISTRY/gitpod/workspace-full:latest.

    `image` is read as runtimes read it (reference.py), so Docker Hub shorthand keeps its `library/`;
    an image already on the mirror's host is kept as it is.
    """
    if parse_reference(image).key == registry_host(field, registry):
        return image
    first, _, rest = image.partition("/")
    if rest and is_host_like(first):
        mirrored = f"{registry}/{rest}"
    else:  # Docker Hub shorthand: ubuntu:22.04 is docker.io/library/ubuntu:22.04.
        mirrored = f"{registry}/{image if rest else f'library/{image}'}"
    try:
        parse_reference(mirrored)
    except ReferenceError as error:
        raise InvalidInput(
            field, f"{describe(image)} is {describe(mirrored)} in the mirror, which {error}; use a shorter name"
        ) from None
    return mirrored
