"""What a workspace-image backend plugs in: its config fields, its checks and its component.

The composite and the stack-config reader loop over the registry of backends in
`workspace_images/__init__.py`; a backend is one module that defines a `Backend`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi

from ..fields import Field
from ..kubernetes.dockerconfig import RegistryCredential, RegistryLogins, check_logins
from ..push_secret import SecretWriter
from ..validation import InvalidInput, at, cluster_name, flag, namespace


@dataclass(frozen=True)
class Common:
    """What every backend takes from the composite: names and protection, checked once."""

    cluster_name: str
    namespace: str
    protect_data: bool = True
    """The one default of every protect_data input: the composite's, each backend component's, the config key's."""


def check_common(args: Mapping[str, Any], path: str = "") -> Common:
    return Common(
        cluster_name=cluster_name(at(path, "cluster_name"), args.get("cluster_name")),
        namespace=namespace(at(path, "namespace"), args.get("namespace")),
        protect_data=flag(at(path, "protect_data"), args.get("protect_data", Common.protect_data)),
    )


@dataclass(frozen=True)
class Rotation:
    """Generation-named credentials: raise `key_generation` by one to rotate without downtime."""

    key_generation: int = 1
    keep_previous_key: bool = False


_NO_ROTATION = Rotation()


def rotation_fields(credential: str, kept: str, reader: str) -> tuple[Field, Field]:
    """The two rotation fields, described for one backend: `credential` in the secret, `kept` while `reader` rolls."""
    return (
        Field(
            "key_generation",
            "integer",
            default=_NO_ROTATION.key_generation,
            description=f"Generation of {credential}; raise it by one to rotate.",
        ),
        Field(
            "keep_previous_key",
            "boolean",
            default=_NO_ROTATION.keep_previous_key,
            description=f"Keep the previous generation's {kept} valid while {reader} rolls over.",
        ),
    )


def rotation_of(values: Mapping[str, Any]) -> Rotation:
    """The rotation from checked values (`checked_values` of fields that include the rotation fields)."""
    return Rotation(values["key_generation"], values["keep_previous_key"])


# The inputs every backend component takes for direct use, described in its own terms; the composite passes
# them from its own arguments, so they are not workspaceImages fields.
def cluster_name_input(use: str) -> Field:
    return Field("cluster_name", "string", required=True, check=cluster_name, description=f"Cluster name; {use}.")


def namespace_input(of: str) -> Field:
    return Field(
        "namespace", "string", required=True, check=namespace, description=f"Kubernetes namespace of {of}, e.g. gitpod."
    )


def protect_data_input(what: str) -> Field:
    return Field(
        "protect_data", "boolean", default=Common.protect_data, description=f"Protect {what} from deletion by Pulumi."
    )


PUSH_SECRET_NAME = "gitpod-registry-workspace-images"
"""The default name of the .dockerconfigjson secret image-builder pushes with, for every backend that writes one.
Gitpod reads it by name, so an upgrade never changes it."""
S3_SECRET_NAME = "gitpod-registry-s3-backend"
"""The default name of the secret with the in-cluster registry's S3 keys (s3AccessKey, s3SecretKey)."""


def secret_name_input(default: str, description: str) -> Field:
    return Field("secret_name", "string", default=default, check=namespace, description=description)


def extra_credentials_input(description: str) -> Field:
    """Other logins merged into the component's .dockerconfigjson; checked to `RegistryLogins`."""
    return Field(
        "extra_credentials", "array", schema_type="RegistryCredential", check=check_logins, description=description
    )


class WorkspaceImagesComponent(Protocol):
    """What the composite reads from a backend's component."""

    @property
    def secret_name(self) -> pulumi.Output[str]: ...

    @property
    def container_registry(self) -> pulumi.Output[dict[str, Any]]: ...


@dataclass(frozen=True)
class Backend:
    """One workspace-image backend, as `workspaceImages.backend` names it."""

    name: str
    summary: str
    """One line for the docs: where the images go and on which cloud."""
    fields: tuple[Field, ...]
    """Its config fields under workspaceImages (besides `backend`)."""
    check: Callable[[Mapping[str, Any], str, Common, RegistryLogins], Any]
    """(workspace_images fields, their path, common arguments, logins its secret must also carry) -> checked
    arguments. The logins are those of private base-image registries and of a private component mirror."""
    build: Callable[[str, Any, pulumi.ResourceOptions], WorkspaceImagesComponent]
    """(name, checked arguments, options) -> the backend's component."""
    secret_writer: SecretWriter
    """Who writes the push secret Gitpod's readers share, and so whether other logins can reach it: the composite
    refuses a mirror login and base-image logins up front where they cannot. For a backend with `writer_for`, the
    writer of its default mode."""
    inputs: tuple[Field, ...]
    """Every input of its component, in its Args' order, the config fields among them: the one declaration the
    component's Args TypedDict is generated from (offline/backend_args.py). Empty only where `build` makes no
    component (a plain object that registers nothing)."""
    from_login: Callable[[Common, str, RegistryCredential, tuple[str, ...]], Any] | None = None
    """(common arguments, checked registry URL, its login, base-image allow list) -> checked arguments that push
    there with that one login; a backend that can be given just a registry and a login offers it, and the air gap
    uses the first backend in BACKENDS that does."""
    renews_login_for: Callable[[str], bool] | None = None
    """(registry host, port included) -> whether this backend's login there is renewed in the cluster; a stored
    login for such a host is refused elsewhere with a pointer to this backend."""
    renewed_login_lifetime: tuple[str, int] | None = None
    """(generator kind, seconds a login it mints stays valid) for a backend whose login a controller renews
    (SecretWriter.CONTROLLER); verify judges a written login's expiry by it."""
    token_service_account: str | None = None
    """The service account in Gitpod's namespace whose tokens the controller requests to log in (IRSA); an External
    Secrets Operator this program installs may request tokens of it alone."""
    writer_for: Callable[[Any], SecretWriter] | None = None
    """(checked arguments) -> who writes the push secret, for a backend whose mode decides it (artifact-registry:
    its service-account key is written by this program, its keyless login by External Secrets Operator). Every
    writer it returns carries other logins exactly when `secret_writer` does, so the refusals made before the
    backend's own check stay right (tests/workspace_images/test_secret_writer.py)."""
    notes: Callable[[Any], tuple[str, ...]] = lambda checked: ()
    """(checked arguments) -> what must be done outside this program for the backend to work, if anything."""
    warnings: Callable[[Any, str], tuple[InvalidInput, ...]] = lambda checked, path: ()
    """(checked arguments, their path) -> doubts that do not stop the plan (a location outside a dated list)."""

    def writer(self, checked: Any) -> SecretWriter:
        """Who writes the push secret for these checked arguments."""
        return self.writer_for(checked) if self.writer_for is not None else self.secret_writer
