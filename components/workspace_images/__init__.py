"""Role 3: the backends image-builder can push workspace images to, by `workspaceImages.backend`.

Adding a backend: a module here that defines `BACKEND` (see backend.py and docs/adding-a-backend.md),
one line in BACKENDS below, and its docs page.
"""

from __future__ import annotations

from ..push_secret import SecretWriter
from ..validation import InvalidInput, require_one_of
from . import acr, artifact_registry, external, in_cluster, s3, s3_compatible
from .backend import Backend

BACKENDS: dict[str, Backend] = {
    backend.name: backend
    for backend in (
        s3.BACKEND,
        artifact_registry.BACKEND,
        acr.BACKEND,
        external.BACKEND,
        s3_compatible.BACKEND,
        in_cluster.BACKEND,
    )
}

# Not "ECR does not create repositories on push": image-builder pushes to two fixed repositories,
# <url>/base-images and <url>/workspace-images (image-builder-mk3/configmap.go), which could be made in
# advance. The blocker is the login: registry-facade, blobserve, ide-service and image-builder-mk3 read a
# .dockerconfigjson from a Kubernetes secret (registry-facade/daemonset.go, blobserve/deployment.go,
# ide-service/deployment.go), and Gitpod's CronJob that renewed ECR tokens was removed in January 2023.
ECR_REFUSAL = (
    "ECR is not supported: ECR logins are tokens that expire after 12 hours, and Gitpod's registry-facade, "
    "blobserve, ide-service and image-builder read their login from a .dockerconfigjson secret that nothing "
    "in Gitpod renews, so pulls and pushes fail 12 hours after deployment. On AWS use backend 's3' (Gitpod's "
    "in-cluster registry stored in an S3 bucket). For base images kept in ECR, set "
    "containerRegistry.enableAdditionalECRAuth: true in the installer config: image-builder then pulls them "
    "with its pod's AWS credentials."
)


def carrying_logins() -> str:
    """The backends whose push secret can also carry other logins (its writer's declaration), for hints:
    'artifact-registry', 'acr' or 'external'."""
    *others, last = [f"'{name}'" for name, backend in BACKENDS.items() if backend.secret_writer.carries_other_logins]
    return f"{', '.join(others)} or {last}" if others else last


def air_gap_backend() -> Backend:
    """The backend an air gap pushes with: the first that can be built from one registry and its login."""
    return next(backend for backend in BACKENDS.values() if backend.from_login is not None)


def backend_named(path: str, name: object) -> Backend:
    if name is None:
        raise InvalidInput(path, f"required; allowed values: {', '.join(BACKENDS)}")
    if name == "ecr":
        raise InvalidInput(path, ECR_REFUSAL)
    return BACKENDS[require_one_of(path, name, BACKENDS)]


__all__ = ["BACKENDS", "ECR_REFUSAL", "Backend", "SecretWriter", "air_gap_backend", "backend_named", "carrying_logins"]
