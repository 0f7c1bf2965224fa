"""Every stack config key, once: its type, default, allowed values, and the backend it belongs to.

A key's argument path is its snake_case form (`workspaceImages.keyGeneration` is
`workspace_images.key_generation`), so this one tree serves the stack-config reader, the `config:`
section of Pulumi.yaml and the tables in docs/configuration.md. Descriptions come from the
components' argument docstrings (the package schema), so they are written once as well; where a type holds
a credential (a registry login, airGap, componentImages), its TypedDict is generated from the fields here
or in its role's module (offline/backend_args.py), so `secret=True` is its only declaration of secrecy.
"""

from dataclasses import replace

from .fields import Field
from .installer_config import DEFAULT_WORKSPACE_IMAGE
from .kubernetes.custom_ca import DEFAULT_NAMESPACE as DEFAULT_TRUST_NAMESPACE
from .kubernetes.dockerconfig import check_username
from .kubernetes.external_secrets_operator import DEFAULT_NAMESPACE as DEFAULT_ESO_NAMESPACE
from .registries_args import DEFAULT_NAMESPACE
from .roles import air_gap, component_images
from .workspace_images import BACKENDS

PROJECT = "gitpod-registry"


def _workspace_image_fields() -> tuple[Field, ...]:
    """The union of every backend's fields, each tagged with the backends that take it. A name two backends
    declare alike is one field; declared differently (s3's optional `bucket`, s3-compatible's required one)
    it is one field per declaration, so each backend reads its own."""
    merged: dict[Field, tuple[str, ...]] = {}
    for backend in BACKENDS.values():
        for field in backend.fields:
            declaration = replace(field, backends=())
            merged[declaration] = (*merged.get(declaration, ()), backend.name)
    return tuple(replace(field, backends=backends) for field, backends in merged.items())


CREDENTIAL = (
    Field(
        "server",
        "string",
        required=True,
        description="Registry host, e.g. europe-west1-docker.pkg.dev or registry.example.com:5000 (a path is ignored).",
    ),
    Field(
        "username",
        "string",
        required=True,
        check=check_username,
        description="User (or robot account) that can pull from server.",
    ),
    Field(
        "password", "string", required=True, secret=True, description="Secret; its password or token. Never printed."
    ),
)
"""A registry login's fields; RegistryCredential (kubernetes/dockerconfig.py) is generated from them."""

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
            fields=component_images.ROLE_FIELDS,
        ),
        Field(
            "base_images",
            "object",
            schema_type="BaseImagesRoleArgs",
            fields=(
                Field(
                    "workspace_image",
                    "string",
                    default_text=f"the installer's, {DEFAULT_WORKSPACE_IMAGE} or MIRROR/{DEFAULT_WORKSPACE_IMAGE}",
                ),
                Field("registries", "array", schema_type="RegistryCredential", fields=CREDENTIAL),
            ),
        ),
        Field(
            "air_gap",
            "object",
            schema_type="AirGapArgs",
            fields=air_gap.FIELDS,
        ),
        Field(
            "custom_ca_cert",
            "object",
            schema_type="CustomCACertArgs",
            fields=(
                Field("certificate", "string", required=True),
                Field("namespace", "string", default=DEFAULT_TRUST_NAMESPACE),
            ),
        ),
        Field(
            "external_secrets_operator",
            "object",
            schema_type="ExternalSecretsOperatorArgs",
            fields=(
                Field("install", "boolean", default=False),
                Field("namespace", "string", default=DEFAULT_ESO_NAMESPACE),
            ),
        ),
    ),
)
"""The project namespace's keys; `SPEC.fields` are the top-level ones."""


PROVIDER_SETTINGS = {
    "kubernetes:enableSecretMutable": {
        "value": True,
        "description": (
            "Update the registry secrets in place when a login or key changes. Without it pulumi-kubernetes "
            "deletes and re-creates a Secret whose data changes (provider/pkg/provider/diff.go), and Gitpod's "
            "components reload a Secret rewritten in place under the same name."
        ),
    },
}
"""Provider settings every stack of this program gets (Pulumi.yaml `value:`); a stack file may override them."""
