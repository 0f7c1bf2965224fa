"""The whole image-registry side of a Gitpod installation, for one cluster.

Composes the component-image role with one workspace-image backend (which also carries the
base-image logins), and produces the installer config that uses them. Air-gap is a composition
of the same parts: one registry passed to all three roles.
"""

from typing import Any

import pulumi

from .installer_config import installer_fragment, to_yaml
from .registries_args import CheckedRegistries, GitpodImageRegistriesArgs, check_args
from .roles.component_images import ComponentImages
from .workspace_images.backend import from_checked


class GitpodImageRegistries(pulumi.ComponentResource):
    """Registries for all three of Gitpod's image roles, and the installer config that uses them.

    Children: ComponentImages (role 1, with a pull secret for a private mirror) and the
    workspace-image backend's component: S3WorkspaceImages (backend s3),
    ArtifactRegistryWorkspaceImages (artifact-registry) or ExternalWorkspaceImages (external,
    and air-gap); the latter two's secret also carries the base-image logins.
    """

    installer_config: pulumi.Output[dict[str, Any]]
    """The registry fragment of Gitpod's installer config (repository, workspace, containerRegistry)."""
    installer_config_yaml: pulumi.Output[str]
    """The same fragment as YAML, ready to merge into gitpod.config.yaml."""
    workspace_images_secret: pulumi.Output[str]
    """Name of the Kubernetes secret the installer config references for workspace images."""

    def __init__(self, name: str, args: GitpodImageRegistriesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        self._build(name, check_args(args), opts)

    @classmethod
    def from_checked(
        cls, name: str, checked: CheckedRegistries, opts: pulumi.ResourceOptions | None = None
    ) -> "GitpodImageRegistries":
        """For arguments already checked (the stack program checks the config once, then builds this)."""
        return from_checked(cls, name, checked, opts)

    def _build(self, name: str, checked: CheckedRegistries, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__("gitpod-registry:index:GitpodImageRegistries", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        components = from_checked(ComponentImages, f"{name}-component-images", checked.component_images, child)
        backend = checked.backend.build(f"{name}-workspace-images", checked.backend_args, child)

        workspace_image = checked.workspace_image
        self.installer_config = pulumi.Output.all(
            components.repository, components.image_pull_secrets, components.drop_image_repo, backend.container_registry
        ).apply(
            lambda parts: installer_fragment(
                repository=parts[0],
                workspace_image=workspace_image,
                container_registry=parts[3],
                image_pull_secrets=parts[1],
                drop_image_repo=parts[2],
            )
        )
        self.installer_config_yaml = self.installer_config.apply(to_yaml)
        self.workspace_images_secret = backend.secret_name
        self.register_outputs(
            {
                "installer_config": self.installer_config,
                "installer_config_yaml": self.installer_config_yaml,
                "workspace_images_secret": self.workspace_images_secret,
            }
        )
