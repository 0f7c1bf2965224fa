"""The whole image-registry side of a Gitpod installation, for one cluster.

Composes the workspace-image backend with the component-image and base-image
roles, and produces the installer config that uses them. Air-gap is a composition
of the same parts: one registry passed to all three roles.
"""

from typing import Any

import pulumi

from .artifact_registry_workspace_images import ArtifactRegistryWorkspaceImages
from .component_images import ComponentImages
from .external_workspace_images import ExternalWorkspaceImages
from .installer_config import external_registry, in_cluster_registry, installer_fragment, to_yaml
from .registry_roles import (
    BACKENDS,
    ECR_REFUSAL,
    GitpodImageRegistriesArgs,
    WorkspaceImagesArgs,
    check_args,
    check_backend,
    resolve_roles,
)
from .s3_workspace_images import S3WorkspaceImages

__all__ = [
    "BACKENDS",
    "ECR_REFUSAL",
    "GitpodImageRegistries",
    "GitpodImageRegistriesArgs",
    "WorkspaceImagesArgs",
    "check_args",
    "check_backend",
]


class GitpodImageRegistries(pulumi.ComponentResource):
    """Registries for all three of Gitpod's image roles, and the installer config that uses them.

    Children: ComponentImages (role 1, with a pull secret for a private mirror) and the
    workspace-image backend: S3WorkspaceImages (backend s3), ArtifactRegistryWorkspaceImages
    (backend artifact-registry) or ExternalWorkspaceImages (backend external, and air-gap); the
    latter two's secret also carries the base-image credentials.
    """

    installer_config: pulumi.Output[dict[str, Any]]
    """The registry fragment of Gitpod's installer config (repository, workspace, containerRegistry)."""
    installer_config_yaml: pulumi.Output[str]
    """The same fragment as YAML, ready to merge into gitpod.config.yaml."""
    workspace_images_secret: pulumi.Output[str]
    """Name of the Kubernetes secret the installer config references for workspace images."""

    def __init__(self, name: str, args: GitpodImageRegistriesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        roles = resolve_roles(args)
        super().__init__("gitpod-registry:index:GitpodImageRegistries", name, None, opts)

        components = ComponentImages(f"{name}-component-images", roles.components, pulumi.ResourceOptions(parent=self))
        backend_opts = pulumi.ResourceOptions(parent=self)
        allow_list = roles.allow_list
        # The installer config waits on the backend's few outputs; the allow list (plain data, up to
        # hundreds of hosts) joins it in the last step, so no Output step walks it element by element.
        registry_outputs: list[pulumi.Output[Any]]
        if roles.s3 is not None:
            s3 = S3WorkspaceImages(f"{name}-workspace-images", roles.s3, backend_opts)
            registry_outputs = [s3.s3storage]
            self.workspace_images_secret = s3.secret_name

            def container_registry(values: list[Any]) -> dict[str, Any]:
                return in_cluster_registry(values[0])

        else:
            if roles.artifact_registry is not None:
                backend: ArtifactRegistryWorkspaceImages | ExternalWorkspaceImages = ArtifactRegistryWorkspaceImages(
                    f"{name}-workspace-images", roles.artifact_registry, backend_opts
                )
            else:
                assert roles.external is not None
                backend = ExternalWorkspaceImages(f"{name}-workspace-images", roles.external, backend_opts)
            registry_outputs = [backend.url, backend.secret_name]
            self.workspace_images_secret = backend.secret_name

            def container_registry(values: list[Any]) -> dict[str, Any]:
                return external_registry(values[0], values[1], allow_list)

        workspace_image = roles.workspace_image
        self.installer_config = pulumi.Output.all(
            components.repository, components.image_pull_secrets, components.drop_image_repo, *registry_outputs
        ).apply(
            lambda parts: installer_fragment(
                repository=parts[0],
                workspace_image=workspace_image,
                container_registry=container_registry(parts[3:]),
                image_pull_secrets=parts[1],
                drop_image_repo=parts[2],
            )
        )
        self.installer_config_yaml = self.installer_config.apply(to_yaml)
        self.register_outputs(
            {
                "installer_config": self.installer_config,
                "installer_config_yaml": self.installer_config_yaml,
                "workspace_images_secret": self.workspace_images_secret,
            }
        )
