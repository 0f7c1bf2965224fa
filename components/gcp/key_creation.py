"""Google Cloud settings a service-account key and a gcr.io-domain repository depend on, outside the repository.

Organizations created on or after 2024-05-03 enforce iam.disableServiceAccountKeyCreation by default
(Google's secure-by-default organization policies): creating a key then fails with FAILED_PRECONDITION
unless the project has an exception, which `exception` declares. A gcr.io-domain repository answers on
gcr.io/PROJECT only once the project's redirection from Container Registry is enabled; pulumi-gcp (10.2)
has no resource for that setting, so it can only be a note.
"""

import pulumi
import pulumi_gcp as gcp

CONSTRAINT = "iam.disableServiceAccountKeyCreation"
ORG_POLICY_SERVICE = "orgpolicy.googleapis.com"


def exception(name: str, project: str, parent: pulumi.Resource) -> gcp.orgpolicy.Policy:
    """The narrowest way past the constraint: not enforced on this one project (and its service enabled)."""
    service = gcp.projects.Service(
        f"{name}-orgpolicy-service",
        project=project,
        service=ORG_POLICY_SERVICE,
        # Other policies of the project may be managed through it; never switch it off for them.
        disable_on_destroy=False,
        disable_dependent_services=False,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return gcp.orgpolicy.Policy(
        f"{name}-exception",
        name=f"projects/{project}/policies/{CONSTRAINT}",
        parent=f"projects/{project}",
        spec={"inherit_from_parent": False, "rules": [{"enforce": "FALSE"}]},
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[service]),
    )


def note(project: str, exception_declared: bool) -> str:
    if exception_declared:
        return (
            f"allowKeyCreation: this stack sets the organization policy {CONSTRAINT} to not enforced on project "
            f"{project} only; whoever runs `pulumi up` needs roles/orgpolicy.policyAdmin on the organization, and "
            "the change can take some minutes to apply: if the key creation still fails with FAILED_PRECONDITION, "
            "run `pulumi up` again"
        )
    return (
        f"Service-account key (login key): organizations created on or after 2024-05-03 enforce {CONSTRAINT} by "
        "default, and in one of those `pulumi up` fails at the key with FAILED_PRECONDITION (the repository and the "
        "service account exist by then). If yours does, log in with no key: set workspaceImages.gkeClusterName and "
        "gkeClusterLocation (login workload-identity, which needs External Secrets Operator); or set "
        f"workspaceImages.allowKeyCreation true (a project-scoped exception for {project}), or have an organization "
        "policy administrator grant one; see docs/backend-artifact-registry.md"
    )


def redirection_note(repository: str, project: str) -> str:
    return (
        f"gcr.io-domain repository: {repository}/{project.replace(':', '/')} answers only once the project's "
        "redirection from Container Registry is enabled, a project-wide setting no provider resource manages: "
        f"`gcloud artifacts settings enable-upgrade-redirection --project={project}` (Google enabled it by itself "
        "only for projects that had used Container Registry)"
    )


def workload_identity_note(cluster_project: str, cluster_name: str) -> str:
    return (
        f"workload-identity login: GKE cluster {cluster_name} must have Workload Identity Federation for GKE enabled "
        f"(always on in Autopilot; Standard: `gcloud container clusters update {cluster_name} --location=LOCATION "
        f"--workload-pool={cluster_project}.svc.id.goog`). External Secrets Operator exchanges tokens at "
        "securetoken.googleapis.com itself, so the node pools need no GKE metadata server for it"
    )
