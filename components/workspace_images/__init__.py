"""Role 3: the backends image-builder can push workspace images to, by `workspaceImages.backend`.

Adding a backend: a module here that defines `BACKEND` (see backend.py and docs/adding-a-backend.md),
one line in BACKENDS below, and its docs page.
"""

from __future__ import annotations

from ..push_secret import SecretWriter
from ..validation import InvalidInput, require_one_of
from . import acr, artifact_registry, ecr, external, in_cluster, s3, s3_compatible
from .backend import Backend

BACKENDS: dict[str, Backend] = {
    backend.name: backend
    for backend in (
        s3.BACKEND,
        ecr.BACKEND,
        artifact_registry.BACKEND,
        acr.BACKEND,
        external.BACKEND,
        s3_compatible.BACKEND,
        in_cluster.BACKEND,
    )
}


def carrying_logins() -> str:
    """The backends whose push secret can also carry other logins (its writer's declaration), for hints:
    'artifact-registry', 'acr' or 'external'."""
    *others, last = [f"'{name}'" for name, backend in BACKENDS.items() if backend.secret_writer.carries_other_logins]
    return f"{', '.join(others)} or {last}" if others else last


def renewing_backend(host: str) -> str | None:
    """The backend whose login to `host` is renewed in the cluster, if any (a stored one there expires)."""
    return next((n for n, b in BACKENDS.items() if b.renews_login_for is not None and b.renews_login_for(host)), None)


def air_gap_backend() -> Backend:
    """The backend an air gap pushes with: the first that can be built from one registry and its login."""
    return next(backend for backend in BACKENDS.values() if backend.from_login is not None)


def backend_named(path: str, name: object) -> Backend:
    if name is None:
        raise InvalidInput(path, f"required; allowed values: {', '.join(BACKENDS)}")
    return BACKENDS[require_one_of(path, name, BACKENDS)]


__all__ = [
    "BACKENDS",
    "Backend",
    "SecretWriter",
    "air_gap_backend",
    "backend_named",
    "carrying_logins",
    "renewing_backend",
]
