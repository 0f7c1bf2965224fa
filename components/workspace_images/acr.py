"""Backend `acr`: workspace images on Azure, in an Azure Container Registry image-builder pushes to.

Image-builder pushes to exactly two repositories, `<url>/base-images` and `<url>/workspace-images`,
so the push credential is an ACR token whose scope map allows reading and writing those two and
nothing else: no admin user, no anonymous pull, no role assignment at any scope. Gitpod mounts the
token's login as a `.dockerconfigjson` secret that may also carry private base-image logins.

The Azure SDK (`pulumi-azure`) is the `azure` dependency group (and extra of the wheel), imported only
when this backend builds its resources, so the AWS and GCP installs never download it.
"""

import importlib.util
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict

import pulumi

from .. import validation
from ..azure import names as azure_names
from ..azure.purge import PURGE_FIELDS, Purge, check_purge, purge_task
from ..distribution import install_command
from ..fields import Field
from ..installer_config import PUSHED_REPOSITORIES, external_registry
from ..kubernetes.dockerconfig import NO_LOGINS, RegistryCredential, RegistryLogins, check_logins, docker_config_secret
from ..validation import InvalidInput, at, checked_args
from .backend import ROTATION_FIELDS, Backend, Common, Rotation, SecretWriter, check_common, check_rotation

DEFAULT_SECRET_NAME = "gitpod-registry-workspace-images"
DEFAULT_SKU = "Standard"
AZURE_SDK = "pulumi_azure"
# The only repositories image-builder pushes to (install/installer/pkg/components/image-builder-mk3).
# content/read pulls; content/write pushes (with content/read). No delete, no metadata (tag listing).
REPOSITORY_ACTIONS = ("content/read", "content/write")
SCOPE_MAP_NAME = "gitpod-workspace-images"
TOKEN_PREFIX = "gitpod-push-"


class AcrWorkspaceImagesArgs(TypedDict):
    cluster_name: str
    """Cluster name; tags the registry and, unless registry_name is given, is part of its name."""
    namespace: str
    """Kubernetes namespace of the dockerconfigjson secret, e.g. gitpod."""
    resource_group: str
    """Name of the existing resource group the registry is created in, e.g. gitpod."""
    location: NotRequired[str]
    """Azure region of the registry, e.g. westeurope. Default: the resource group's."""
    registry_name: NotRequired[str]
    """Registry name, 5-50 letters and digits, unique across Azure (<name>.azurecr.io). Default: gitpod, the
    cluster name without dashes and 8 hex digits of a hash of the subscription, resource group and cluster."""
    sku: NotRequired[str]
    """Basic, Standard or Premium. Default Standard."""
    protect_data: NotRequired[bool]
    """Protect the registry from deletion by Pulumi. Default true."""
    key_generation: NotRequired[int]
    """Generation of the ACR token and password in the secret; raise it by one to rotate. Default 1."""
    keep_previous_key: NotRequired[bool]
    """Keep the previous generation's token valid while Gitpod rolls over. Default false."""
    purge: NotRequired[bool]
    """Run a scheduled ACR Task with acr purge on base-images and workspace-images, so storage stays bounded on
    every SKU; Gitpod rebuilds a purged image at its next start. Default true."""
    purge_older_than_days: NotRequired[int]
    """With purge: delete tags pushed more than this many days ago (--ago), at least 2. Default 30."""
    purge_untagged: NotRequired[bool]
    """With purge: also delete untagged manifests (--untagged), which is what frees storage. Default true."""
    purge_keep_count: NotRequired[int]
    """With purge: keep this many most recent of the tags it would delete, per repository (--keep). Default 0."""
    purge_schedule: NotRequired[str]
    """With purge: when it runs, a five-field cron expression in UTC. Default 0 3 * * * (daily, 03:00 UTC)."""
    secret_name: NotRequired[str]
    """Name of the kubernetes.io/dockerconfigjson secret. Default gitpod-registry-workspace-images."""
    extra_credentials: NotRequired[list[RegistryCredential]]
    """More registries (e.g. private base images) merged into the same .dockerconfigjson."""


@dataclass(frozen=True)
class CheckedAcr:
    common: Common
    resource_group: str
    location: str | None
    """None: the resource group's location."""
    registry_name: str | None
    """None: derived from the cluster name and the resource group's id (`default_registry_name`)."""
    sku: str
    rotation: Rotation
    extra_credentials: tuple[RegistryCredential, ...] = ()
    allow_list: tuple[str, ...] = ()
    secret_name: str = DEFAULT_SECRET_NAME
    purge: Purge | None = Purge()
    """None: no purge task."""


def token_name_for(generation: int) -> str:
    """The ACR token of one key generation; its name is the user name Docker logs in with."""
    return f"{TOKEN_PREFIX}{generation}"


def scope_map_actions() -> list[str]:
    return [f"repositories/{repo}/{action}" for repo in PUSHED_REPOSITORIES for action in REPOSITORY_ACTIONS]


def _require_sdk(path: str) -> None:
    # A missing optional requirement is a configuration problem: say so before anything is registered.
    if importlib.util.find_spec(AZURE_SDK) is None:
        raise InvalidInput(
            at(path, "backend"),
            "'acr' needs the Python package pulumi-azure, which is not installed; `uv sync` installs it "
            f"(its `azure` group is a default), or `{install_command('azure')}` for the package",
        )


def _own_login_refused(logins: RegistryLogins, cluster_name: str, registry_name: str | None) -> None:
    """A base-image login for the registry's own host would shadow (or be shadowed by) the token's."""
    if registry_name is not None:
        own = azure_names.registry_host(registry_name)
        clashing = [host for host in logins.hosts if host == own]
    else:
        pattern = azure_names.default_registry_name_pattern(cluster_name)
        clashing = [host for host in logins.hosts if pattern.fullmatch(host)]
    for host in clashing:
        raise InvalidInput(
            logins.path_of(host),
            f"two credentials for registry host {host!r}: the registry's own token already logs in there",
        )


def _azure_sdk() -> tuple[Any, Any]:
    """pulumi_azure's `containerservice` and `core` modules (an optional requirement; check_fields made sure
    it is installed). The SDK loads a module on first use, and its modules warn at import about deprecated
    resources this backend does not use: load both here, with those warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from pulumi_azure import containerservice, core

        containerservice.Registry, core.get_resource_group_output  # noqa: B018 - loads the modules now
    return containerservice, core


def check_fields(args: Mapping[str, Any], path: str, common: Common, logins: RegistryLogins = NO_LOGINS) -> CheckedAcr:
    """Checks the acr fields at `path`, and that no base-image login is for the registry's own host."""
    resource_group = validation.required(
        at(path, "resource_group"),
        args.get("resource_group"),
        "required for the acr backend; the name of an existing resource group to create the registry in",
    )
    resource_group = azure_names.resource_group(at(path, "resource_group"), resource_group)
    location = args.get("location")
    if location is not None:
        location = azure_names.location(at(path, "location"), location)
    registry_name = args.get("registry_name")
    if registry_name is not None:
        registry_name = azure_names.registry_name(at(path, "registry_name"), registry_name)
    sku = validation.require_one_of(at(path, "sku"), args.get("sku", DEFAULT_SKU), azure_names.SKUS)
    rotation = check_rotation(args, path)
    purge = check_purge(args, path)
    _own_login_refused(logins, common.cluster_name, registry_name)
    _require_sdk(path)
    return CheckedAcr(
        common,
        resource_group,
        location,
        registry_name,
        sku,
        rotation,
        logins.credentials,
        logins.allow_list,
        purge=purge,
    )


def location_warnings(checked: CheckedAcr, path: str) -> tuple[InvalidInput, ...]:
    """A location outside the documented list (of azure_names.DOCUMENTED_LOCATIONS_DATE): a typo, or newer."""
    return azure_names.location_warnings(at(path, "location"), checked.location)


def check_args(args: AcrWorkspaceImagesArgs) -> CheckedAcr:
    """Validates the arguments of a directly constructed AcrWorkspaceImages."""
    logins = check_logins("extra_credentials", args.get("extra_credentials", []))
    checked = check_fields(args, "", check_common(args), logins)
    return replace(
        checked, secret_name=validation.namespace("secret_name", args.get("secret_name", DEFAULT_SECRET_NAME))
    )


class AcrWorkspaceImages(pulumi.ComponentResource):
    """An Azure Container Registry for workspace images, and a token that can push to Gitpod's two repositories only.

    Children: a protected registry (admin user and anonymous pull off, tagged with the cluster);
    a scope map allowing content read and write on base-images and workspace-images; one ACR
    token with a generated password per key generation kept; a kubernetes.io/dockerconfigjson
    secret; unless purge is false, a timer-triggered ACR Task running acr purge on those two
    repositories. No role assignment at any scope.
    """

    url: pulumi.Output[str]
    """Where image-builder pushes, the registry's login server: NAME.azurecr.io."""
    registry_name: pulumi.Output[str]
    """The registry's name, e.g. gitpodprod1a2b3c4d."""
    username: pulumi.Output[str]
    """The user name in the secret: the ACR token of the current key generation, e.g. gitpod-push-1."""
    secret_name: pulumi.Output[str]
    """Name of the kubernetes.io/dockerconfigjson secret (key .dockerconfigjson)."""

    container_registry: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry block: external url and secret, and the base-image allow list."""

    def __init__(self, name: str, args: AcrWorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked = checked_args(args, CheckedAcr, check_args)
        containerservice, core = _azure_sdk()

        cluster, generation = checked.common.cluster_name, checked.rotation.key_generation
        super().__init__("gitpod-registry:index:AcrWorkspaceImages", name, None, opts)
        if not isinstance(args, CheckedAcr):  # a composite's were warned about by whoever checked them
            for doubt in location_warnings(checked, ""):
                pulumi.log.warn(doubt.render(), resource=self)
        child = pulumi.ResourceOptions(parent=self)

        location: pulumi.Input[str] | None = checked.location
        registry_name: pulumi.Input[str] | None = checked.registry_name
        if location is None or registry_name is None:
            # The resource group's id names the subscription, which makes the default name unique across Azure.
            group = core.get_resource_group_output(
                name=checked.resource_group, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            location = location if location is not None else group.location
            if registry_name is None:
                registry_name = group.id.apply(lambda group_id: azure_names.default_registry_name(cluster, group_id))

        registry = containerservice.Registry(
            f"{name}-registry",
            name=registry_name,
            resource_group_name=checked.resource_group,
            location=location,
            sku=checked.sku,
            # Every login goes through a scoped token: no registry-wide admin user, no anonymous pulls.
            admin_enabled=False,
            anonymous_pull_enabled=False,
            tags={"gitpod-cluster": cluster, "gitpod-registry-role": "workspace-images"},
            opts=pulumi.ResourceOptions(parent=self, protect=checked.common.protect_data),
        )
        scope_map = containerservice.RegistryScopeMap(
            f"{name}-scope-map",
            name=SCOPE_MAP_NAME,
            container_registry_name=registry.name,
            resource_group_name=checked.resource_group,
            description=f"Gitpod image-builder ({cluster}): push and pull {' and '.join(PUSHED_REPOSITORIES)}",
            actions=scope_map_actions(),
            opts=child,
        )

        if checked.purge is not None:
            purge_task(containerservice, f"{name}-purge", registry.id, checked.purge, child)

        generations = [generation]
        if checked.rotation.keep_previous_key and generation > 1:
            generations.append(generation - 1)
        passwords = {}
        for kept in generations:
            token = containerservice.RegistryToken(
                f"{name}-token-{kept}",
                name=token_name_for(kept),
                container_registry_name=registry.name,
                resource_group_name=checked.resource_group,
                scope_map_id=scope_map.id,
                enabled=True,
                opts=child,
            )
            # No expiry: registry-facade reads the secret for as long as it runs; rotate with key_generation.
            passwords[kept] = containerservice.TokenPassword(
                f"{name}-password-{kept}",
                container_registry_token_id=token.id,
                password1={},
                opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["password1", "password2"]),
            )

        own: RegistryCredential = {
            "server": registry.login_server,  # known once the registry exists
            "username": token_name_for(generation),
            "password": pulumi.Output.secret(passwords[generation].password1.apply(lambda p: p["value"])),
        }
        secret = docker_config_secret(
            f"{name}-secret",
            secret_name=checked.secret_name,
            namespace=checked.common.namespace,
            credentials=[own, *checked.extra_credentials],
            opts=child,
        )

        self.url = registry.login_server
        self.registry_name = registry.name
        self.username = pulumi.Output.from_input(token_name_for(generation))
        self.secret_name = secret.metadata.apply(lambda m: m["name"])
        allow_list = list(checked.allow_list)
        self.container_registry = pulumi.Output.all(self.url, self.secret_name).apply(
            lambda parts: external_registry(parts[0], parts[1], allow_list)
        )
        self.register_outputs(
            {
                "url": self.url,
                "registry_name": self.registry_name,
                "username": self.username,
                "secret_name": self.secret_name,
                "container_registry": self.container_registry,
            }
        )


BACKEND = Backend(
    name="acr",
    summary="Azure: an Azure Container Registry, pushed to with a token scoped to Gitpod's two repositories",
    fields=(
        Field("resource_group", "string", required=True),
        Field("location", "string", default_text="the resource group's location"),
        Field("registry_name", "string", default_text="gitpod<clusterName without dashes><8 hex digits>"),
        Field("sku", "string", default=DEFAULT_SKU, allowed=azure_names.SKUS),
        *ROTATION_FIELDS,
        *PURGE_FIELDS,
    ),
    check=check_fields,
    build=AcrWorkspaceImages,
    warnings=location_warnings,
    secret_writer=SecretWriter.PROGRAM,
)
