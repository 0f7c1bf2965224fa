"""Every stack config key, once: its type, default, allowed values, and the backend it belongs to.

A key's argument path is its snake_case form (`workspaceImages.keyGeneration` is
`workspace_images.key_generation`), so this one tree serves the stack-config reader, the `config:`
section of Pulumi.yaml and the tables in docs/configuration.md. Descriptions come from the
components' argument docstrings (the package schema), so they are written once as well. The keys are the
composite's inputs (registries_args.INPUTS, the roles' fields in their modules) and the backends' fields; every
Args TypedDict is generated from those declarations (offline/backend_args.py), so `secret=True` is the only
declaration of secrecy.
"""

from dataclasses import replace

from .fields import Field
from .registries_args import INPUTS
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


def _config_key(field: Field) -> Field:
    """A composite input as a stack config key: the stack name is the cluster's default, and workspaceImages holds
    the backend's name and fields."""
    if field.name == "cluster_name":
        return replace(field, required=False, default_text="the stack name")
    if field.name == "workspace_images":
        backend = Field("backend", "string", required=True, allowed=tuple(BACKENDS))
        return replace(field, fields=(backend, *_workspace_image_fields()))
    return field


SPEC = Field("", "object", schema_type="GitpodImageRegistries", fields=tuple(map(_config_key, INPUTS)))
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
