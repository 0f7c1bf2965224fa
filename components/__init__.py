"""Pulumi components for the image registries of a self-hosted Gitpod installation."""

from .artifact_registry_workspace_images import ArtifactRegistryWorkspaceImages, ArtifactRegistryWorkspaceImagesArgs
from .gitpod_image_registries import GitpodImageRegistries, GitpodImageRegistriesArgs, WorkspaceImagesArgs
from .s3_workspace_images import S3WorkspaceImages, S3WorkspaceImagesArgs
from .validation import InvalidInput

__all__ = [
    "ArtifactRegistryWorkspaceImages",
    "ArtifactRegistryWorkspaceImagesArgs",
    "GitpodImageRegistries",
    "GitpodImageRegistriesArgs",
    "InvalidInput",
    "S3WorkspaceImages",
    "S3WorkspaceImagesArgs",
    "WorkspaceImagesArgs",
]
