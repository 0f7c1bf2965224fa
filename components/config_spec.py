"""Every stack config key, once: its type, default, allowed values, and the backend it belongs to.

A key's argument path is its snake_case form (`workspaceImages.keyGeneration` is
`workspace_images.key_generation`), so this one tree serves the stack-config reader, the `config:`
section of Pulumi.yaml and the tables in docs/configuration.md. Descriptions come from the
components' argument docstrings (the package schema), so they are written once as well.
"""

from .fields import Field
from .installer_config import DEFAULT_COMPONENT_REPOSITORY, DEFAULT_WORKSPACE_IMAGE
from .registries_args import DEFAULT_NAMESPACE
from .workspace_images import BACKENDS

PROJECT = "gitpod-registry"


def _workspace_image_fields() -> tuple[Field, ...]:
    """Every backend's fields, each tagged with its backend.

    A name two backends share is listed once for each, so each keeps its own default and fallback:
    `location` falls back to gcp:region for artifact-registry, and to the resource group's for acr.
    """
    return tuple(
        Field(**{**field.__dict__, "backends": (backend.name,)})
        for backend in BACKENDS.values()
        for field in backend.fields
    )


CREDENTIAL = (
    Field("server", "string", required=True),
    Field("username", "string", required=True),
    Field("password", "string", required=True, secret=True),
)

SPEC = Field(
    "",
    "object",
    schema_type="GitpodImageRegistries",
    fields=(
        Field("cluster_name", "string", default_text="the stack name"),
        Field("namespace", "string", default=DEFAULT_NAMESPACE),
        Field("protect_data", "boolean", default=True),
        Field(
            "workspace_images",
            "object",
            schema_type="WorkspaceImagesArgs",
            default_text="required unless airGap is set",
            fields=(Field("backend", "string", required=True, allowed=tuple(BACKENDS)), *_workspace_image_fields()),
        ),
        Field(
            "component_images",
            "object",
            schema_type="ComponentImagesRoleArgs",
            fields=(
                Field("repository", "string", default=DEFAULT_COMPONENT_REPOSITORY),
                Field("username", "string"),
                Field("password", "string", secret=True),
                Field("drop_image_repo", "boolean", default=False),
            ),
        ),
        Field(
            "base_images",
            "object",
            schema_type="BaseImagesRoleArgs",
            fields=(
                Field("workspace_image", "string", default=DEFAULT_WORKSPACE_IMAGE),
                Field("registries", "array", schema_type="RegistryCredential", fields=CREDENTIAL),
            ),
        ),
        Field(
            "air_gap",
            "object",
            schema_type="AirGapArgs",
            fields=(
                Field("registry", "string", required=True),
                Field("username", "string", required=True),
                Field("password", "string", required=True, secret=True),
            ),
        ),
    ),
)
"""The project namespace's keys; `SPEC.fields` are the top-level ones."""
