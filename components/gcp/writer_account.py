"""The Google service account that pushes to the workspace-images repository, and its one grant: the writer role on
that repository alone. Both logins use it: the key login makes a key of it, the workload-identity login lets one
Kubernetes service account act as it (gcp/workload_identity.py)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from . import names

SERVICE_ACCOUNT_PREFIX = "gitpod-reg-"
SERVICE_ACCOUNT_ID_MAX = 30


def service_account_id_for(cluster_name: str) -> str:
    return f"{SERVICE_ACCOUNT_PREFIX}{cluster_name}"


def writer_account(
    name: str,
    *,
    project: str,
    location: str,
    repository: gcp.artifactregistry.Repository,
    repository_id: str,
    role: str,
    cluster: str,
    existing_email: str | None,
    parent: pulumi.Resource,
) -> tuple[pulumi.Output[str], gcp.artifactregistry.RepositoryIamMember]:
    """Registers the service account (unless `existing_email` is given) and its `role` on the repository only;
    returns the account's email and that grant."""
    child = pulumi.ResourceOptions(parent=parent)
    if existing_email is not None:
        email: pulumi.Output[str] = pulumi.Output.from_input(existing_email)
    else:
        account = gcp.serviceaccount.Account(
            f"{name}-service-account",
            project=project,
            account_id=service_account_id_for(cluster),
            display_name=f"Gitpod workspace images ({cluster})",
            description=f"Pushes and pulls Gitpod workspace images in {names.registry_url(project, location, repository_id)}",
            opts=child,
        )
        email = account.email
    writer = gcp.artifactregistry.RepositoryIamMember(
        f"{name}-writer",
        project=project,
        location=location,
        repository=repository.name,
        role=role,
        member=email.apply(lambda e: f"serviceAccount:{e}"),
        opts=child,
    )
    return email, writer
