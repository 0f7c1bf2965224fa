"""Pulumi components for the image registries of a self-hosted Gitpod installation."""

from .air_gap import AirGapArgs
from .artifact_registry_workspace_images import ArtifactRegistryWorkspaceImages, ArtifactRegistryWorkspaceImagesArgs
from .component_images import ComponentImages, ComponentImagesArgs
from .dockerconfig import Password, RegistryCredential
from .external_workspace_images import ExternalWorkspaceImages, ExternalWorkspaceImagesArgs
from .gitpod_image_registries import GitpodImageRegistries, GitpodImageRegistriesArgs, WorkspaceImagesArgs
from .s3_workspace_images import S3WorkspaceImages, S3WorkspaceImagesArgs
from .validation import InvalidInput

__all__ = [
    "ArtifactRegistryWorkspaceImages",
    "ArtifactRegistryWorkspaceImagesArgs",
    "AirGapArgs",
    "ComponentImages",
    "ComponentImagesArgs",
    "ExternalWorkspaceImages",
    "ExternalWorkspaceImagesArgs",
    "GitpodImageRegistries",
    "GitpodImageRegistriesArgs",
    "InvalidInput",
    "Password",
    "RegistryCredential",
    "S3WorkspaceImages",
    "S3WorkspaceImagesArgs",
    "WorkspaceImagesArgs",
]
