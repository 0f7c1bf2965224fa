"""Pulumi components for the image registries of a self-hosted Gitpod installation."""

from .gitpod_image_registries import GitpodImageRegistries
from .kubernetes.custom_ca import CustomCACertArgs
from .kubernetes.dockerconfig import Password, RegistryCredential
from .registries_args import GitpodImageRegistriesArgs, WorkspaceImagesArgs
from .roles.air_gap import AirGapArgs
from .roles.base_images import BaseImagesRoleArgs
from .roles.component_images import ComponentImages, ComponentImagesArgs, ComponentImagesRoleArgs
from .validation import InvalidInput
from .workspace_images.acr import AcrWorkspaceImages, AcrWorkspaceImagesArgs
from .workspace_images.artifact_registry import ArtifactRegistryWorkspaceImages, ArtifactRegistryWorkspaceImagesArgs
from .workspace_images.ecr import EcrWorkspaceImages, EcrWorkspaceImagesArgs
from .workspace_images.external import ExternalWorkspaceImages, ExternalWorkspaceImagesArgs
from .workspace_images.s3 import S3WorkspaceImages, S3WorkspaceImagesArgs
from .workspace_images.s3_compatible import S3CompatibleWorkspaceImages, S3CompatibleWorkspaceImagesArgs

__all__ = [
    "AcrWorkspaceImages",
    "AcrWorkspaceImagesArgs",
    "AirGapArgs",
    "ArtifactRegistryWorkspaceImages",
    "ArtifactRegistryWorkspaceImagesArgs",
    "BaseImagesRoleArgs",
    "ComponentImages",
    "ComponentImagesArgs",
    "ComponentImagesRoleArgs",
    "CustomCACertArgs",
    "EcrWorkspaceImages",
    "EcrWorkspaceImagesArgs",
    "ExternalWorkspaceImages",
    "ExternalWorkspaceImagesArgs",
    "GitpodImageRegistries",
    "GitpodImageRegistriesArgs",
    "InvalidInput",
    "Password",
    "RegistryCredential",
    "S3CompatibleWorkspaceImages",
    "S3CompatibleWorkspaceImagesArgs",
    "S3WorkspaceImages",
    "S3WorkspaceImagesArgs",
    "WorkspaceImagesArgs",
]
