"""The whole image-registry side of a Gitpod installation, for one cluster.

Composes the component-image role with one workspace-image backend (whose secret also carries the
base-image logins and a private component mirror's login), and produces the installer config that
uses them, with only what was chosen: the installer's own defaults stay in force for the rest.
Air-gap is a composition of the same parts: one registry passed to all three roles.
"""

from typing import Any, cast

import pulumi

from .installer_config import installer_fragment, to_yaml
from .kubernetes.custom_ca import custom_ca_secret
from .kubernetes.external_secrets_operator import ExternalSecretsOperator, install_args
from .registries_args import CheckedRegistries, GitpodImageRegistriesArgs, check_args
from .roles.component_images import ComponentImages
from .validation import checked_args


class GitpodImageRegistries(pulumi.ComponentResource):
    """Registries for all three of Gitpod's image roles, and the installer config that uses them.

    Children: ComponentImages (role 1, with a pull secret for a private mirror) and the component of
    the workspace-image backend that `workspace_images.backend` names (role 3; each backend's module in
    workspace_images/ says what it creates; for an air gap, the first backend built from one registry and
    login); a backend whose secret can carry other logins (its `secret_writer`) also carries the base-image
    logins and the mirror's there.
    With custom_ca_cert, an Opaque secret with key ca.crt in trust-manager's trust namespace. With
    external_secrets_operator.install, ExternalSecretsOperator (kubernetes/external_secrets_operator.py), which the
    backend's component depends on.
    """

    installer_config: pulumi.Output[dict[str, Any]]
    """The registry fragment of Gitpod's installer config (repository, workspace, containerRegistry)."""
    installer_config_yaml: pulumi.Output[str]
    """The same fragment as YAML, ready to merge into gitpod.config.yaml."""
    workspace_images_secret: pulumi.Output[str]
    """Name of the Kubernetes secret the installer config references for workspace images; for in-cluster,
    the registry auth secret the installer generates (builtin-registry-auth)."""
    notes: pulumi.Output[list[str]]
    """What must be done outside this program, before or after `pulumi up`; empty when nothing."""

    @classmethod
    def from_checked(
        cls, name: str, checked: CheckedRegistries, opts: pulumi.ResourceOptions | None = None
    ) -> "GitpodImageRegistries":
        """Kept for 0.2.0's callers: the constructor takes checked arguments as they are."""
        return cls(name, cast(Any, checked), opts)

    def __init__(self, name: str, args: GitpodImageRegistriesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """`args` may also be their CheckedRegistries (stack_config.load's result): taken as they are."""
        checked = checked_args(args, CheckedRegistries, check_args)
        super().__init__("gitpod-registry:index:GitpodImageRegistries", name, None, opts)
        if not isinstance(args, CheckedRegistries):  # checked ones were warned about by whoever checked them
            for doubt in checked.warnings:
                pulumi.log.warn(doubt.render(), resource=self)
        child = pulumi.ResourceOptions(parent=self)
        components = ComponentImages(f"{name}-component-images", cast(Any, checked.component_images), child)
        backend_opts = child
        if checked.eso is not None:
            # The backend's ESO objects need the CRDs and a running controller: they wait for the whole install.
            eso = ExternalSecretsOperator(f"{name}-external-secrets-operator", install_args(checked.eso), child)
            backend_opts = pulumi.ResourceOptions(parent=self, depends_on=[eso])
        backend = checked.backend.build(f"{name}-workspace-images", checked.backend_args, backend_opts)

        component_images, workspace_image = checked.component_images, checked.workspace_image
        custom_ca = None
        if checked.custom_ca is not None:
            custom_ca = custom_ca_secret(f"{name}-custom-ca", checked.custom_ca, child).metadata.apply(
                lambda m: m["name"]
            )
        self.installer_config = pulumi.Output.all(
            components.image_pull_secrets, backend.container_registry, custom_ca
        ).apply(
            lambda parts: installer_fragment(
                repository=component_images.repository,
                workspace_image=workspace_image,
                container_registry=parts[1],
                image_pull_secrets=parts[0],
                drop_image_repo=component_images.drop_image_repo,
                custom_ca_secret=parts[2],
            )
        )
        self.installer_config_yaml = self.installer_config.apply(to_yaml)
        self.workspace_images_secret = backend.secret_name
        self.notes = pulumi.Output.from_input(list(checked.notes))
        self.register_outputs(
            {
                "installer_config": self.installer_config,
                "installer_config_yaml": self.installer_config_yaml,
                "workspace_images_secret": self.workspace_images_secret,
                "notes": self.notes,
            }
        )
