"""ECR's registry hosts in every AWS partition, and why a static login to them cannot serve Gitpod.

ECR logins are tokens that expire after 12 hours, and registry-facade, blobserve, ide-service and
image-builder read their logins from a `.dockerconfigjson` secret that nothing in Gitpod renews. So a
login to ECR written into that secret once, as a push registry, a component mirror or a base-image
registry, works for 12 hours and then fails on every node: only a login renewed in the cluster serves.
"""

from __future__ import annotations

import re

from .partition import PARTITIONS

# Every host ECR serves the registry API on: private registries, `<registry-id>.dkr.ecr[-fips].<region>.<the
# partition's DNS suffix>` (amazonaws.com, amazonaws.com.cn, amazonaws.eu, and the ISO partitions'), their
# dual-stack `<registry-id>.dkr-ecr[-fips].<region>.on.aws` (on.amazonwebservices.com.cn in China) of the ECR
# user guide, "Making requests to Amazon ECR registries", and ECR Public (public.ecr.aws, and its dual-stack
# ecr-public.aws). Matched on the whole host without its port, so an explicit :443 changes nothing.
_SUFFIXES = "|".join(re.escape(p.dns_suffix) for p in sorted(PARTITIONS, key=lambda p: -len(p.dns_suffix)))
_ECR_HOST = re.compile(
    rf"[0-9]{{12}}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.({_SUFFIXES})"
    r"|[0-9]{12}\.dkr-ecr(-fips)?\.[a-z0-9-]+\.on\.(aws|amazonwebservices\.com\.cn)"
    r"|public\.ecr\.aws|ecr-public\.aws"
)


def static_login_refusal(host: str) -> str:
    """Why a push registry, component mirror or base-image registry in ECR with a stored login is refused, and
    what to do instead (the backend whose login is renewed there, found in the registry of backends)."""
    from ..workspace_images import renewing_backend  # the registry imports this module

    backend = renewing_backend(host)
    instead = (
        f"To push workspace images to ECR, use workspaceImages.backend: {backend}, whose login External Secrets "
        f"Operator renews in the cluster (docs/backend-{backend}.md). "
        if backend
        else ""
    )
    return (
        "is an ECR registry, and a stored login to ECR cannot serve Gitpod: ECR logins are tokens that expire after "
        "12 hours, and registry-facade, blobserve, ide-service and image-builder read their login from a "
        f".dockerconfigjson secret, so a login written once fails 12 hours after deployment. {instead}For base "
        "images kept in ECR, set containerRegistry.enableAdditionalECRAuth: true in the installer config instead: "
        "image-builder then pulls them with its pod's AWS credentials."
    )


def is_ecr_host(host: str) -> bool:
    """Whether a registry host (as `registry_host` returns it, port included) is served by ECR."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return bool(_ECR_HOST.fullmatch(name.rstrip(".")))
