"""Role 3: the backends image-builder can push workspace images to, by `workspaceImages.backend`.

Adding a backend: a module here that defines `BACKEND` (see backend.py and docs/adding-a-backend.md),
one line in BACKENDS below, and its docs page.
"""

from __future__ import annotations

from ..validation import InvalidInput, require_one_of
from . import acr, artifact_registry, external, s3
from .backend import Backend

BACKENDS: dict[str, Backend] = {
    backend.name: backend for backend in (s3.BACKEND, artifact_registry.BACKEND, acr.BACKEND, external.BACKEND)
}

ECR_REFUSAL = (
    "ECR is not supported: Gitpod's image-builder pushes to new repository paths, and ECR does not "
    "create a repository on push, so pushes fail. Use backend 's3' (Gitpod's in-cluster registry "
    "stored in an S3 bucket) on AWS."
)


def backend_named(path: str, name: object) -> Backend:
    if name == "ecr":
        raise InvalidInput(path, ECR_REFUSAL)
    return BACKENDS[require_one_of(path, name, BACKENDS)]


__all__ = ["BACKENDS", "ECR_REFUSAL", "Backend", "backend_named"]
