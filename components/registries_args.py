"""The composite's arguments, shaped like the stack config, and their one check.

`check_args` validates every argument, in plain Python, before anything is registered, into
frozen values the composite hands to its children unchanged; errors name each argument by its
path (`workspace_images.backend`), which the stack config and the package spell in their own way.

It also decides which secret each login goes into, following what Gitpod's runtime reads (paths under
install/installer/pkg/components/ in gitpod-io/gitpod): the kubelet pulls Gitpod's pods with
`imagePullSecrets`; registry-facade, blobserve and ide-service pull Gitpod's own images from
`repository`, image-builder-mk3 pulls base images and pushes, all with the one `.dockerconfigjson`
named in `containerRegistry` (registry-facade/daemonset.go, blobserve/deployment.go,
ide-service/deployment.go, image-builder-mk3/deployment.go). So a private mirror's login goes into
both, and base-image logins into the latter.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from . import validation
from .fields import Field, checked_values
from .installer_config import DEFAULT_NAMESPACE, DEFAULT_WORKSPACE_IMAGE, installer_default_workspace_image
from .kubernetes import custom_ca, external_secrets_operator
from .kubernetes.custom_ca import CheckedCustomCA, CustomCACertArgs, check_custom_ca
from .kubernetes.dockerconfig import RegistryLogins
from .kubernetes.external_secrets_operator import CheckedEso, ExternalSecretsOperatorArgs, check_eso
from .kubernetes.renewed_login import ESO_REQUIRED_NOTE
from .push_login import push_login
from .push_secret import SecretWriter
from .reference import parse_reference
from .roles import air_gap, base_images, component_images
from .roles.air_gap import AirGapArgs, mirrored_image
from .roles.base_images import BaseImagesRoleArgs, CheckedBaseImages
from .roles.base_images import check_fields as check_base_images
from .roles.component_images import (
    CheckedComponentImages,
    ComponentImagesRoleArgs,
    check_repository,
    check_room_for_images,
)
from .roles.component_images import check_fields as check_component_images
from .validation import InvalidInput, ref
from .workspace_images import Backend, air_gap_backend, backend_named, carrying_logins
from .workspace_images.backend import Common
from .workspace_images.config_args import WorkspaceImagesArgs

INPUTS = (
    Field(
        "cluster_name",
        "string",
        required=True,
        check=validation.cluster_name,
        description="Name of the cluster: part of every cloud resource name, so two clusters never collide. 1-32 "
        "lowercase letters, digits and '-', starting with a letter; fewer with a created S3 bucket or GCP service "
        "account.",
    ),
    Field(
        "namespace",
        "string",
        default=DEFAULT_NAMESPACE,
        check=validation.namespace,
        description="Kubernetes namespace of Gitpod and of the registry secrets.",
    ),
    Field(
        "protect_data",
        "boolean",
        default=Common.protect_data,
        description="Protect buckets and repositories from deletion by Pulumi; false only for throwaway stacks.",
    ),
    Field(
        "workspace_images",
        "object",
        schema_type="WorkspaceImagesArgs",
        alternative_to="airGap",
        description="Role 3: where image-builder pushes workspace images.",
    ),
    Field(
        "component_images",
        "object",
        schema_type="ComponentImagesRoleArgs",
        fields=component_images.ROLE_FIELDS,
        description="Role 1: where Gitpod's component images come from. Default Gitpod's public registry.",
    ),
    Field(
        "base_images",
        "object",
        schema_type="BaseImagesRoleArgs",
        fields=base_images.FIELDS,
        description="Role 2: the default workspace image and logins for private base-image registries.",
    ),
    Field(
        "air_gap",
        "object",
        schema_type="AirGapArgs",
        fields=air_gap.FIELDS,
        description="One internal registry for all three roles (see docs/roles-and-air-gap.md); excludes "
        "workspaceImages, componentImages and baseImages.registries.",
    ),
    Field(
        "custom_ca_cert",
        "object",
        schema_type="CustomCACertArgs",
        fields=custom_ca.FIELDS,
        description="A private CA that registries' certificates chain to (air gap, Harbor); trusted installation-wide.",
    ),
    Field(
        "external_secrets_operator",
        "object",
        schema_type="ExternalSecretsOperatorArgs",
        fields=external_secrets_operator.FIELDS,
        description="External Secrets Operator installed by this program, hardened, for a backend whose push secret "
        "it writes (ecr; artifact-registry's workload-identity login); see docs/external-secrets-operator.md. Default: not "
        "installed (it must run in the cluster already).",
    ),
)
"""Every input of GitpodImageRegistries, each declared once (the roles' fields in their modules); the stack
config's top-level keys are these (config_spec.py), and GitpodImageRegistriesArgs below is generated from them."""


# BEGIN GitpodImageRegistriesArgs: generated by `python -m offline.docs` from its declared inputs; do not edit
class GitpodImageRegistriesArgs(TypedDict):
    cluster_name: str
    """Name of the cluster: part of every cloud resource name, so two clusters never collide. 1-32 lowercase
    letters, digits and '-', starting with a letter; fewer with a created S3 bucket or GCP service account."""
    namespace: NotRequired[str]
    """Kubernetes namespace of Gitpod and of the registry secrets. Default gitpod."""
    protect_data: NotRequired[bool]
    """Protect buckets and repositories from deletion by Pulumi; false only for throwaway stacks. Default true."""
    workspace_images: NotRequired[WorkspaceImagesArgs]
    """Role 3: where image-builder pushes workspace images. Give this or airGap, not both."""
    component_images: NotRequired[ComponentImagesRoleArgs]
    """Role 1: where Gitpod's component images come from. Default Gitpod's public registry."""
    base_images: NotRequired[BaseImagesRoleArgs]
    """Role 2: the default workspace image and logins for private base-image registries."""
    air_gap: NotRequired[AirGapArgs]
    """One internal registry for all three roles (see docs/roles-and-air-gap.md); excludes workspaceImages,
    componentImages and baseImages.registries."""
    custom_ca_cert: NotRequired[CustomCACertArgs]
    """A private CA that registries' certificates chain to (air gap, Harbor); trusted installation-wide."""
    external_secrets_operator: NotRequired[ExternalSecretsOperatorArgs]
    """External Secrets Operator installed by this program, hardened, for a backend whose push secret it writes
    (ecr; artifact-registry's workload-identity login); see docs/external-secrets-operator.md. Default: not
    installed (it must run in the cluster already)."""
    # END GitpodImageRegistriesArgs


@dataclass(frozen=True)
class CheckedRegistries:
    """Every argument of GitpodImageRegistries, checked; what each child is built from."""

    common: Common
    component_images: CheckedComponentImages
    workspace_image: str | None
    """The installer's workspace.workspaceImage, or None to leave the installer's default."""
    backend: Backend
    backend_args: Any
    """The backend's own checked arguments (its check's result)."""
    custom_ca: CheckedCustomCA | None = None
    eso: CheckedEso | None = None
    """External Secrets Operator to install, or None."""

    @property
    def secret_writer(self) -> SecretWriter:
        """Who writes the push secret Gitpod's readers share, for these arguments (a backend's mode may decide)."""
        return self.backend.writer(self.backend_args)

    @property
    def notes(self) -> tuple[str, ...]:
        """What must be done outside this program, before or after `pulumi up`."""
        notes = self.backend.notes(self.backend_args)
        if self.eso is None:
            return notes
        installed = (
            f"External Secrets Operator is installed by this program (Helm release external-secrets in namespace "
            f"{self.eso.namespace}, reconciling {self.eso.watched_namespace} only): no other ESO may run in the "
            "cluster (docs/external-secrets-operator.md#an-eso-that-runs-already)"
        )
        return (*(note for note in notes if note != ESO_REQUIRED_NOTE), installed)

    @property
    def warnings(self) -> tuple[InvalidInput, ...]:
        """Doubts that do not stop the plan, each naming its argument (a location outside a dated list)."""
        return self.backend.warnings(self.backend_args, "workspace_images")


_COMMON = tuple(field for field in INPUTS if field.name in Common.__dataclass_fields__)
"""The composite's inputs every backend also takes (Common)."""


def _object(args: Mapping[str, Any], name: str, what: str) -> Mapping[str, Any]:
    value = args.get(name, {})
    value = validation.require_type(name, value, dict, what)
    return value


def _custom_ca(args: Mapping[str, Any]) -> CheckedCustomCA | None:
    if "custom_ca_cert" not in args:
        return None
    return check_custom_ca(_object(args, "custom_ca_cert", "an object with certificate"), "custom_ca_cert")


def _eso(args: Mapping[str, Any], common: Common, backend: Backend, backend_args: Any | None) -> CheckedEso | None:
    """The install, judged by who writes the push secret (`backend_args` None: the backend's fixed writer)."""
    if "external_secrets_operator" not in args:
        return None
    controller = backend.writer(backend_args) is SecretWriter.CONTROLLER
    return check_eso(
        args["external_secrets_operator"],
        "external_secrets_operator",
        common.namespace,
        (backend.token_service_account,) if backend.token_service_account else (),
        backend.name if controller else None,
    )


def _air_gap(args: Mapping[str, Any], common: Common) -> CheckedRegistries:
    # Typed before anything looks inside it: `base_images: true` is a refusal, not a TypeError.
    base_args = _object(args, "base_images", "an object")
    given = [name for name in ("workspace_images", "component_images") if name in args]
    given += ["base_images.registries"] if "registries" in base_args else []
    for name in given:
        raise InvalidInput(
            name, f"cannot be combined with {ref('air_gap')}: the air-gap registry serves this role; remove it"
        )
    air = _object(args, "air_gap", "an object with registry, username and password")
    values = checked_values(air_gap.FIELDS, air, "air_gap")
    url = values["registry"]
    login = push_login("air_gap.registry", url, values["username"], values["password"])
    check_room_for_images("air_gap.registry", url, drop_image_repo=False)  # it is the component mirror too
    base = check_base_images(base_args, "base_images")
    # Base images come from the mirror and nowhere else; the one login serves every reader of the secret.
    backend = air_gap_backend()
    assert backend.from_login is not None
    eso = _eso(args, common, backend, None)
    backend_args = backend.from_login(common, url, login, (login["server"],))
    return CheckedRegistries(
        common,
        CheckedComponentImages(common.namespace, check_repository("air_gap.registry", url), login=login),
        # Written even where it equals the installer's default: the air gap needs exactly this image.
        mirrored_image("base_images.workspace_image", base.workspace_image or DEFAULT_WORKSPACE_IMAGE, url),
        backend,
        backend_args,
        _custom_ca(args),
        eso,
    )


def _mirror_login(
    components: CheckedComponentImages, workspace_image: str | None, backend: Backend, logins: RegistryLogins
) -> RegistryLogins:
    """The logins the backend's secret carries, with the mirror's: registry-facade, blobserve and ide-service
    read only that secret. Its host is allow-listed when the default workspace image comes from the mirror
    (image-builder-mk3 uses a login for a base image only on an allow-listed host: image-builder-mk3/pkg/auth)."""
    if components.login is None:
        return logins
    if not backend.secret_writer.carries_other_logins:
        raise InvalidInput(
            "component_images",
            f"a mirror that needs a login cannot be used with backend '{backend.name}': registry-facade, blobserve "
            "and ide-service pull Gitpod's own images from it with the one secret named in containerRegistry, and "
            f"with '{backend.name}' the installer generates that secret itself, with its own registry's login only. "
            f"Allow anonymous pulls from the mirror and remove {ref('component_images.username')} and "
            f"{ref('component_images.password')}, or use backend {carrying_logins()}, whose secret carries the "
            "mirror's login",
        )
    image = workspace_image or installer_default_workspace_image(components.mirror, components.drop_image_repo)
    # The image was checked already; its key is the host a runtime pulls it from (docker.io for Hub shorthand).
    from_mirror = parse_reference(image).key == components.login["server"]
    return logins.with_login("component_images", components.login, allow=from_mirror)


def check_args(args: GitpodImageRegistriesArgs | Mapping[str, Any]) -> CheckedRegistries:
    """Validates every argument before anything is registered; raises InvalidInput on the first problem."""
    common = Common(**checked_values(_COMMON, args, ""))
    if "air_gap" in args:
        return _air_gap(args, common)
    workspace = args.get("workspace_images")
    validation.require_type("workspace_images", workspace, dict, "an object with at least 'backend'")
    assert isinstance(workspace, dict)
    backend = backend_named("workspace_images.backend", workspace.get("backend"))
    validation.require_known_fields("workspace_images", workspace, ["backend", *(f.name for f in backend.fields)])
    components = check_component_images(
        _object(args, "component_images", "an object"), "component_images", common.namespace
    )
    base: CheckedBaseImages = check_base_images(_object(args, "base_images", "an object"), "base_images")
    if base.logins.credentials and not backend.secret_writer.carries_other_logins:
        raise InvalidInput(
            "base_images.registries",
            f"cannot be used with backend '{backend.name}': Gitpod's in-cluster registry uses an auth secret the "
            "installer generates itself, and Gitpod mounts only that one .dockerconfigjson, so credentials for "
            f"private base images would have nowhere to go. Use backend {carrying_logins()}, whose secret carries "
            "them, or make the base images pullable without credentials",
        )
    logins = _mirror_login(components, base.workspace_image, backend, base.logins)
    # Where the backend's mode decides who writes its secret, an ESO install is judged after the backend's check.
    eso = _eso(args, common, backend, None) if backend.writer_for is None else None
    backend_args = backend.check(workspace, "workspace_images", common, logins)
    if backend.writer_for is not None:
        eso = _eso(args, common, backend, backend_args)
    return CheckedRegistries(
        common,
        components,
        base.workspace_image,
        backend,
        backend_args,
        _custom_ca(args),
        eso,
    )
